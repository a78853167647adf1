//! Importers: other people's data turned into whoserves rule libraries.
//!
//! - [`ranges`]: a provider's published IP range file (AWS, Cloudflare,
//!   Google, Google Cloud, Azure, Oracle, Fastly, DigitalOcean) becomes a
//!   dated library: providers, one range set per service and the rules that
//!   read them.
//! - [`wappalyzer`]: Wappalyzer-format technology files become typed rules,
//!   with every pattern that cannot be converted counted and explained.
//! - [`asn`]: an IP → AS number dataset becomes a compact sorted table that
//!   answers lookups offline.
//!
//! Everything here is pure: text in, text out. The CLI reads the files and
//! writes the results; what each importer knows about a provider (names,
//! parents, categories, documentation) is in one catalogue per module.
//! Output is built from the core's wire types, so a library that serialises
//! is one the loader reads; the tests load every library they make.

pub mod asn;
pub mod library;
pub mod ranges;
pub mod wappalyzer;
pub mod zdns;

/// The lower-case hex SHA-256 of `bytes`: imported libraries record the
/// digest of the file they were made from.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
