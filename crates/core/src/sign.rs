//! Signed bundles: a publisher signs a bundle file with minisign
//! (Ed25519), and the CLI and the viewer check the detached signature
//! (`<bundle>.minisig`) against the public keys they trust.
//!
//! Verification is pure (the bytes, the signature text and the keys come
//! from the shell), so the CLI's `whoserves verify` and the viewer, in
//! wasm, give the same answer. A signature covers the bundle's bytes;
//! libraries it includes are covered through the SHA-256 each include
//! pins (`{"path": …, "sha256": …}`, see [`crate::include::Include::check`]).

use minisign_verify::{Error, PublicKey, Signature};

/// A public key someone trusts, with the name to show for it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct TrustedKey {
    /// Who holds the secret key, e.g. "whoserves maintainers".
    pub name: String,
    /// The minisign public key, base64 (`RW…`).
    pub key: String,
}

/// What a bundle's signature says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// No signature was found.
    Unsigned,
    /// A trusted key signed exactly these bytes.
    SignedBy(String),
    /// The signature was made by a key that is not trusted here.
    UnknownKey,
    /// The file published as the signature is not a minisign signature
    /// (a host answering every path with a page, say). It proves nothing
    /// either way, as if no signature were published.
    Unreadable,
    /// A trusted key's signature does not match these bytes: the bundle
    /// was changed after it was signed (or the signature is damaged).
    Tampered(String),
}

impl Verification {
    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            Verification::Unsigned => {
                "unsigned: no signature was published with this bundle".into()
            }
            Verification::SignedBy(name) => format!("signed by {name}"),
            Verification::UnknownKey => {
                "signed, but by a key this site does not trust: treat it as unsigned".into()
            }
            Verification::Unreadable => {
                "unsigned: the file published as its signature is not a minisign signature".into()
            }
            Verification::Tampered(name) => format!(
                "the signature of {name} does not match: the bundle was changed after it was signed"
            ),
        }
    }
}

/// Checks `bytes` against `signature` (the text of a `.minisig` file, if
/// one was found) with each of `keys`.
pub fn verify(bytes: &[u8], signature: Option<&str>, keys: &[TrustedKey]) -> Verification {
    let Some(text) = signature else {
        return Verification::Unsigned;
    };
    let Ok(sig) = Signature::decode(text) else {
        return Verification::Unreadable;
    };
    for k in keys {
        let Ok(pk) = PublicKey::from_base64(k.key.trim()) else {
            continue;
        };
        match pk.verify(bytes, &sig, false) {
            Ok(()) => return Verification::SignedBy(k.name.clone()),
            Err(Error::UnexpectedKeyId) => continue,
            Err(_) => return Verification::Tampered(k.name.clone()),
        }
    }
    Verification::UnknownKey
}

/// Whether `key` is a well-formed minisign public key.
pub fn is_public_key(key: &str) -> bool {
    PublicKey::from_base64(key.trim()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Made with `whoserves keygen` and `whoserves sign` for these tests
    // only; the secret key was deleted.
    const FIXTURES: &str = "../../tests/fixtures/signed";

    fn read(name: &str) -> String {
        std::fs::read_to_string(format!("{}/{FIXTURES}/{name}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
    }

    fn key() -> TrustedKey {
        TrustedKey {
            name: "test publisher".into(),
            key: read("test.pub").lines().last().unwrap().to_string(),
        }
    }

    #[test]
    fn a_signed_bundle_verifies_and_one_changed_byte_does_not() {
        let bundle = read("bundle.json");
        let sig = read("bundle.json.minisig");
        assert_eq!(
            verify(bundle.as_bytes(), Some(&sig), &[key()]),
            Verification::SignedBy("test publisher".into())
        );
        let mut changed = bundle.clone().into_bytes();
        changed[10] ^= 1;
        assert_eq!(
            verify(&changed, Some(&sig), &[key()]),
            Verification::Tampered("test publisher".into())
        );
        assert_eq!(
            verify(bundle.as_bytes(), None, &[key()]),
            Verification::Unsigned
        );
        assert_eq!(
            verify(bundle.as_bytes(), Some(&sig), &[]),
            Verification::UnknownKey
        );
        // A page served where the signature should be is no signature.
        assert_eq!(
            verify(
                bundle.as_bytes(),
                Some("<!DOCTYPE html><p>Not found</p>"),
                &[key()]
            ),
            Verification::Unreadable
        );
        assert!(is_public_key(&key().key));
        assert!(!is_public_key("RWnotakey"));
    }
}
