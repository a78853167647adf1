//! The published JSON Schema must equal the one generated from the wire types.

#[test]
fn published_schema_is_current() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../public/schema/bundle-v1.schema.json"
    );
    let published = std::fs::read_to_string(path).unwrap_or_default();
    let generated = whoserves_core::wire::json_schema();
    assert!(
        published == generated,
        "public/schema/bundle-v1.schema.json is stale; run `make schema` and commit the result"
    );
}
