//! Includes: the core plans, the shells fetch.
//!
//! A bundle names the rule libraries it builds on in `include`. Where each
//! one is depends on where the bundle came from; [`plan`] works that out
//! once for every shell: relative to the bundle's directory for the CLI,
//! relative to the bundle's URL for the viewer. The shell then only reads
//! or fetches each [`Target`], reports a failure with [`fetch_failed`], and
//! hands the results to [`crate::analyze_documents`].
//!
//! What a shell may read is its own policy, stated in
//! `docs/bundle-format.md`: the CLI reads regular files of at most
//! [`crate::Limits::max_bytes`] only, never devices, FIFOs or directories;
//! the viewer fetches http(s) URLs only.

use crate::diag::{Code, Diagnostic};
use crate::load::include_entries;
use std::path::Path;
use url::Url;

/// Where the bundle came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// A file in this directory (the CLI).
    Dir(String),
    /// This absolute URL (the viewer).
    Url(String),
    /// A file the viewer's reader opened from disk, placed for its
    /// includes as if it sat at this absolute URL in the site's `bundles/`
    /// folder.
    Site(String),
}

impl Base {
    /// Where a reference was resolved from, for messages.
    fn describe(&self) -> String {
        match self {
            Base::Dir(d) if d.is_empty() => "the current folder".to_string(),
            Base::Dir(d) => format!("the bundle's folder {d}"),
            Base::Url(u) => format!("the bundle's address {u}"),
            Base::Site(_) => "the site's bundles/ folder (a file opened from disk resolves its includes as if it sat there)".to_string(),
        }
    }
}

/// Where an included library is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Target {
    /// A local path.
    Path(String),
    /// An absolute http(s) URL.
    Url(String),
}

impl Target {
    /// The path or URL, for messages and diagnostics.
    pub fn as_str(&self) -> &str {
        match self {
            Target::Path(s) | Target::Url(s) => s,
        }
    }
}

/// One entry of a bundle's `include` list, planned. (Serialised, the
/// analysis worker's plan reaches the page: `src/worker.rs`.)
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Include {
    /// Position in the `include` list.
    pub index: usize,
    /// The entry as written.
    pub reference: String,
    /// Where to read it, or why it cannot be read from this base.
    pub target: Result<Target, Diagnostic>,
    /// Why it need not be read at all: it serves observation kinds the
    /// bundle has none of. A shell skips such a library and may say so.
    pub skip: Option<String>,
    /// The SHA-256 the bundle pins the library to, if any.
    pub sha256: Option<String>,
}

/// Plans the includes of bundle `text` read from `base`, in list order.
/// Entries the loader rejects (absolute paths, non-http URLs) are planned
/// as failures too, so nothing outside the rules is ever read.
///
/// An entry that names the observation kinds it serves is planned with a
/// [`Include::skip`] reason when the bundle has no observation of any of
/// them: its rules could match nothing, so reading it would change no
/// finding. (A claim must then not name a provider only that library
/// declares; `docs/rule-libraries.md` says so.)
pub fn plan(text: &str, base: &Base) -> Vec<Include> {
    let mut seen: Vec<String> = Vec::new();
    let (entries, kinds) = include_entries(text).unwrap_or_default();
    entries
        .into_iter()
        .take(MAX_INCLUDES)
        .enumerate()
        .map(|(index, entry)| {
            let skip = entry
                .kinds()
                .filter(|k| !k.iter().any(|k| kinds.contains(k)))
                .map(|k| {
                    format!(
                        "not read: it serves {} observations and the bundle has none",
                        k.join(", ")
                    )
                });
            let reference = entry.path().to_string();
            let sha256 = entry.sha256().map(str::to_string);
            let target = if seen.contains(&reference) {
                Err(fetch_failed(
                    index,
                    format!("\"{reference}\" is listed twice"),
                ))
            } else {
                resolve(&reference, base).map_err(|m| fetch_failed(index, m))
            };
            seen.push(reference.clone());
            Include {
                target,
                index,
                reference,
                skip,
                sha256,
            }
        })
        .collect()
}

impl Include {
    /// Checks `text`, the library as read, against the SHA-256 the bundle
    /// pins: `Err` with the diagnostic when it differs (the library must
    /// then not be used).
    pub fn check(&self, text: &str) -> Result<(), Diagnostic> {
        let Some(want) = &self.sha256 else {
            return Ok(());
        };
        let got = sha256_hex(text.as_bytes());
        if &got == want {
            Ok(())
        } else {
            Err(fetch_failed(
                self.index,
                format!(
                    "\"{}\" is not the library this bundle names: its SHA-256 is {got}, the bundle pins {want}; it was not used",
                    self.reference
                ),
            ))
        }
    }

    /// The diagnostic for this include when reading its target failed
    /// for `reason`: the entry as written, where it was resolved from and
    /// to, and why it could not be read.
    pub fn failed(&self, base: &Base, reason: &str) -> Diagnostic {
        let resolved = match &self.target {
            Ok(t) => format!("resolved against {} to {}", base.describe(), t.as_str()),
            Err(_) => format!("resolved against {}", base.describe()),
        };
        fetch_failed(
            self.index,
            format!(
                "\"{}\" could not be read ({resolved}): {reason}",
                self.reference
            ),
        )
    }
}

/// The SHA-256 of `bytes` as 64 lower-case hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// At most this many libraries are planned; the loader reports the rest.
pub const MAX_INCLUDES: usize = 16;

/// The diagnostic for include `index` that could not be read.
pub fn fetch_failed(index: usize, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::Include, format!("include[{index}]"), message)
}

fn resolve(reference: &str, base: &Base) -> Result<Target, String> {
    let looks_like_url = reference.contains(':');
    match base {
        Base::Dir(dir) => {
            if looks_like_url {
                return Err(format!(
                    "the CLI reads local files only; download {reference} and include it by its path"
                ));
            }
            if reference.trim().is_empty() || reference.starts_with('/') {
                return Err(format!(
                    "\"{reference}\" must be a path relative to this bundle"
                ));
            }
            Ok(Target::Path(
                Path::new(dir)
                    .join(reference)
                    .to_string_lossy()
                    .into_owned(),
            ))
        }
        Base::Url(base) | Base::Site(base) => {
            let base =
                Url::parse(base).map_err(|e| format!("cannot resolve against {base}: {e}"))?;
            let url = base
                .join(reference)
                .map_err(|e| format!("cannot resolve {reference} against {base}: {e}"))?;
            match url.scheme() {
                "http" | "https" => Ok(Target::Url(url.to_string())),
                other => Err(format!(
                    "\"{reference}\" resolves to a {other}: URL; only http(s) libraries are fetched"
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(text: &str, base: &Base) -> Vec<Result<String, String>> {
        plan(text, base)
            .into_iter()
            .map(|i| {
                i.target
                    .map(|t| t.as_str().to_string())
                    .map_err(|d| d.message)
            })
            .collect()
    }

    #[test]
    fn paths_resolve_against_the_bundle_directory() {
        let text = r#"{"include": ["../rules/providers.json", "https://x.example/l.json", "/etc/passwd"]}"#;
        let t = targets(text, &Base::Dir("public/bundles".into()));
        assert_eq!(t[0], Ok("public/bundles/../rules/providers.json".into()));
        assert!(t[1].as_ref().unwrap_err().contains("local files only"));
        assert!(t[2].is_err());
    }

    #[test]
    fn urls_resolve_against_the_bundle_url() {
        let text = r#"{"include": ["../rules/providers.json", "javascript:alert(1)", "//cdn.example/l.json"]}"#;
        let t = targets(
            text,
            &Base::Url("http://127.0.0.1:8080/bundles/demo.json".into()),
        );
        assert_eq!(
            t[0],
            Ok("http://127.0.0.1:8080/rules/providers.json".into())
        );
        assert!(t[1].is_err());
        assert_eq!(t[2], Ok("http://cdn.example/l.json".into()));
    }

    #[test]
    fn a_failure_says_where_the_path_was_resolved() {
        let text = r#"{"include": ["../rulez/providers.json"]}"#;
        let site = Base::Site("http://127.0.0.1:8080/bundles/mine.json".into());
        let inc = &plan(text, &site)[0];
        assert_eq!(
            inc.failed(&site, "HTTP 404").message,
            "\"../rulez/providers.json\" could not be read (resolved against the site's bundles/ folder (a file opened from disk resolves its includes as if it sat there) to http://127.0.0.1:8080/rulez/providers.json): HTTP 404"
        );
        let dir = Base::Dir("work".into());
        let inc = &plan(text, &dir)[0];
        assert!(inc
            .failed(&dir, "no such file")
            .message
            .contains("resolved against the bundle's folder work to work/../rulez/providers.json"));
    }

    #[test]
    fn a_pinned_library_must_match_its_hash() {
        let lib = "{\"format\": \"whoserves/1\"}";
        let good = sha256_hex(lib.as_bytes());
        let text = format!(r#"{{"include": [{{"path": "lib.json", "sha256": "{good}"}}]}}"#);
        let inc = &plan(&text, &Base::Dir(".".into()))[0];
        assert!(inc.check(lib).is_ok());
        let err = inc.check(&lib.replace('1', "2")).unwrap_err();
        assert!(
            err.message.contains("is not the library this bundle names"),
            "{}",
            err.message
        );
        // Unpinned: anything goes.
        let inc = &plan(r#"{"include": ["lib.json"]}"#, &Base::Dir(".".into()))[0];
        assert!(inc.check("anything").is_ok());
    }

    #[test]
    fn a_library_for_kinds_the_bundle_lacks_is_skipped() {
        let text = r#"{"include": ["a.json", {"path": "ranges.json", "kinds": ["dns.a", "dns.aaaa"]},
            {"path": "mx.json", "kinds": ["dns.mx"]}],
            "observations": [{"id": "o1", "kind": "dns.mx"}, 3]}"#;
        let p = plan(text, &Base::Dir(".".into()));
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].skip, None);
        assert_eq!(
            p[1].skip.as_deref(),
            Some("not read: it serves dns.a, dns.aaaa observations and the bundle has none")
        );
        assert_eq!(p[2].skip, None);
        assert_eq!(p[1].reference, "ranges.json");
    }
}
