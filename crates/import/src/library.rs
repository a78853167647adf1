//! Writing a rule library: a compact, diff-friendly JSON layout and the
//! small builders the importers share.
//!
//! The layout puts each entity, source, range set and rule on one line, so
//! a refreshed library diffs line by line, and large prefix lists do not
//! cost a line per prefix.

use serde::Serialize;
use serde_json::Value;
use whoserves_core::wire;

/// Serialises `bundle` as a rule library: the top-level keys on their own
/// lines, each element of an array section on one line, and no `null`s or
/// empty lists (they are the defaults).
pub fn to_json(bundle: &wire::Bundle) -> String {
    let Value::Object(mut top) =
        compact(serde_json::to_value(bundle).expect("wire types serialise"))
    else {
        unreachable!("a bundle serialises to an object")
    };
    let keys = [
        "format",
        "include",
        "meta",
        "categories",
        "entities",
        "ranges",
        "rules",
        "observations",
        "claims",
    ];
    let fields: Vec<(&str, Value)> = keys
        .iter()
        .filter_map(|k| top.remove(*k).map(|v| (*k, v)))
        .collect();
    debug_assert!(top.is_empty(), "every section is listed");
    let mut out = String::from("{\n");
    let n = fields.len();
    for (i, (key, value)) in fields.into_iter().enumerate() {
        out.push_str(&format!("  \"{key}\": "));
        match value {
            Value::Array(items) => {
                out.push_str("[\n");
                push_lines(&mut out, "    ", items);
                out.push_str("  ]");
            }
            Value::Object(mut meta) => {
                // meta: one line per field, title first, sources one per line.
                out.push_str("{\n");
                let order = [
                    "title",
                    "description",
                    "published",
                    "authors",
                    "license",
                    "banner",
                ];
                let mut parts: Vec<String> = order
                    .iter()
                    .filter_map(|k| {
                        meta.remove(*k)
                            .map(|v| format!("    \"{k}\": {}", line(&v)))
                    })
                    .collect();
                let sources = meta.remove("sources");
                parts.extend(
                    meta.iter()
                        .map(|(k, v)| format!("    {}: {}", line(k), line(v))),
                );
                if let Some(Value::Array(sources)) = sources {
                    let mut block = String::from("    \"sources\": [\n");
                    push_lines(&mut block, "      ", sources);
                    block.push_str("    ]");
                    parts.push(block);
                }
                out.push_str(&parts.join(",\n"));
                out.push_str("\n  }");
            }
            other => out.push_str(&line(&other)),
        }
        out.push_str(if i + 1 < n { ",\n" } else { "\n" });
    }
    out.push_str("}\n");
    out
}

fn push_lines(out: &mut String, indent: &str, items: Vec<Value>) {
    let last = items.len().saturating_sub(1);
    for (j, item) in items.into_iter().enumerate() {
        out.push_str(indent);
        out.push_str(&line(&item));
        out.push_str(if j < last { ",\n" } else { "\n" });
    }
}

fn line(v: &impl Serialize) -> String {
    serde_json::to_string(v).expect("JSON values serialise")
}

/// Drops `null`s and empty arrays and objects, recursively.
fn compact(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, compact(v)))
                .filter(|(_, v)| !is_empty(v))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(compact).collect()),
        other => other,
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// A provider entity.
pub fn provider(id: &str, name: &str, parent: Option<&str>, sources: &[&str]) -> wire::Entity {
    wire::Entity {
        id: id.into(),
        role: "provider".into(),
        name: name.into(),
        parent: parent.map(Into::into),
        sources: sources.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

/// An id made of lower-case ASCII letters, digits and dashes: `"Amazon
/// CloudFront"` → `"amazon-cloudfront"`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Amazon CloudFront"), "amazon-cloudfront");
        assert_eq!(slug("AzureFrontDoor.Frontend"), "azurefrontdoor-frontend");
        assert_eq!(slug("  --Wix.com!! "), "wix-com");
    }

    #[test]
    fn the_layout_is_one_element_per_line_and_loads() {
        let b = wire::Bundle {
            format: wire::FORMAT_V1.into(),
            meta: wire::Meta {
                title: "t".into(),
                sources: vec![wire::Source {
                    id: "s".into(),
                    title: "S".into(),
                    url: Some("https://example.org/s".into()),
                    ..Default::default()
                }],
                ..Default::default()
            },
            entities: vec![
                provider("a", "A", None, &["https://example.org/a"]),
                provider("b", "B", Some("a"), &[]),
            ],
            ..Default::default()
        };
        let text = to_json(&b);
        assert_eq!(
            text,
            "{\n  \"format\": \"whoserves/1\",\n  \"meta\": {\n    \"title\": \"t\",\n    \"sources\": [\n      {\"id\":\"s\",\"title\":\"S\",\"url\":\"https://example.org/s\"}\n    ]\n  },\n  \"entities\": [\n    {\"id\":\"a\",\"name\":\"A\",\"role\":\"provider\",\"sources\":[\"https://example.org/a\"]},\n    {\"id\":\"b\",\"name\":\"B\",\"parent\":\"a\",\"role\":\"provider\"}\n  ]\n}\n"
        );
        let loaded = whoserves_core::load(&text, &whoserves_core::Limits::default());
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    }
}
