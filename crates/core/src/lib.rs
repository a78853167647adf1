//! The pure core of whoserves: the evidence bundle model and its
//! validation, the rule engine, claim verdicts and (later) graph layout.
//!
//! No I/O, no browser: the same functions run natively in the CLI and in
//! WebAssembly in the viewer, so both give the same verdicts.
//!
//! The pipeline, in order:
//!
//! 1. [`load`]: text -> [`model::Bundle`] + [`diag::Diagnostic`]s;
//! 2. [`engine::evaluate`]: rules x observations -> [`engine::Finding`]s with traces;
//! 3. [`verdict::verdicts`]: claims x findings -> [`verdict::ClaimVerdict`]s.
//!
//! [`analyze`] runs all three.
//!
//! ```
//! use whoserves_core::{analyze, Limits};
//! let analysis = analyze(r#"{"format": "whoserves/1", "meta": {"title": "Empty"}}"#, &Limits::default());
//! assert!(analysis.diagnostics.is_empty());
//! assert_eq!(analysis.report().title, "Empty");
//! ```

#![warn(missing_docs)]

pub mod date;
pub mod diag;
pub mod engine;
pub mod graph;
pub mod layout;
pub mod limits;
pub mod lint;
pub mod load;
pub mod locate;
pub mod matcher;
pub mod model;
pub mod normalize;
pub mod prefix;
pub mod report;
pub mod verdict;
pub mod wire;

pub use diag::{Diagnostic, Severity};
pub use engine::{evaluate, Finding, RuleSet, Trace};
pub use limits::Limits;
pub use load::{includes, load, load_with, Loaded};
pub use model::Bundle;
pub use report::Report;
pub use verdict::{ClaimVerdict, Summary, Verdict};

/// Everything known about one bundle: the loaded model, what is wrong with
/// it, the findings and the verdicts.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// The usable part of the bundle.
    pub bundle: Bundle,
    /// Errors and warnings from loading.
    pub diagnostics: Vec<Diagnostic>,
    /// Attributions found by the rules, with traces.
    pub findings: Vec<Finding>,
    /// One verdict per claim, in claim order.
    pub verdicts: Vec<ClaimVerdict>,
    /// Indices into `findings` that no claim speaks of.
    pub unclaimed: Vec<usize>,
}

impl Analysis {
    /// Whether loading found errors (the viewer then refuses to show it).
    pub fn has_errors(&self) -> bool {
        diag::error_count(&self.diagnostics) > 0
    }

    /// Claim counts per verdict.
    pub fn summary(&self) -> Summary {
        Summary::of(&self.verdicts)
    }

    /// The plain, serialisable report shared by `whoserves check --json` and the viewer.
    pub fn report(&self) -> Report {
        Report::new(self)
    }
}

/// A named text: a bundle or a rule library it includes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// File name or URL, used in diagnostics.
    pub name: String,
    /// The JSON text.
    pub text: String,
}

/// Like [`analyze`], for a bundle and the rule libraries it includes
/// (fetched by the caller, in the order of its `include` list).
/// Diagnostics of a library carry the library's name in `file`.
pub fn analyze_documents(main: &Document, libraries: &[Document], limits: &Limits) -> Analysis {
    let mut base = Bundle::default();
    let mut diagnostics = Vec::new();
    for lib in libraries {
        let loaded = load_with(&lib.text, limits, &base);
        if !includes(&lib.text).is_empty() {
            diagnostics.push(
                Diagnostic::error(
                    "include",
                    "a rule library cannot include other files; include them all from the bundle",
                )
                .in_file(&lib.name),
            );
        }
        diagnostics.extend(loaded.diagnostics.into_iter().map(|d| d.in_file(&lib.name)));
        base = loaded.bundle;
    }
    let Loaded {
        bundle,
        diagnostics: own,
    } = load_with(&main.text, limits, &base);
    diagnostics.extend(own);
    finish(bundle, diagnostics)
}

/// Loads, evaluates and judges a bundle: the one entry point the CLI and
/// the viewer share. Evaluation runs on the usable part even when there are
/// errors, so the CLI can still report; the viewer checks [`Analysis::has_errors`].
pub fn analyze(text: &str, limits: &Limits) -> Analysis {
    let Loaded {
        bundle,
        diagnostics,
    } = load(text, limits);
    finish(bundle, diagnostics)
}

/// Evaluates a loaded bundle and judges its claims.
pub(crate) fn finish(bundle: Bundle, diagnostics: Vec<Diagnostic>) -> Analysis {
    let findings = evaluate(&bundle);
    let verdicts = verdict::verdicts(&bundle, &findings);
    let unclaimed = verdict::unclaimed(&bundle, &findings);
    Analysis {
        bundle,
        diagnostics,
        findings,
        verdicts,
        unclaimed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIBRARY: &str = r#"{"format": "whoserves/1", "meta": {"title": "lib",
      "sources": [{"id": "docs", "title": "Provider docs", "url": "https://docs.example/mx"}]},
      "entities": [{"id": "mailco", "role": "provider", "name": "MailCo"}],
      "rules": [{"id": "mx-mailco", "provider": "mailco", "category": "email", "relationship": "direct",
        "match": {"kind": "dns.mx", "condition": {"domain_suffix": "mx.mailco.example"}},
        "explanation": "x", "references": ["https://docs.example/mx"], "examples": {"match": ["a.mx.mailco.example"]}}]}"#;

    fn doc(name: &str, text: &str) -> Document {
        Document {
            name: name.into(),
            text: text.into(),
        }
    }

    #[test]
    fn a_bundle_builds_on_an_included_library() {
        let main = r#"{"format": "whoserves/1", "include": ["lib.json"], "meta": {"title": "main"},
          "entities": [{"id": "firm", "role": "subject", "name": "Firm"}],
          "observations": [{"id": "o", "subject": "firm", "target": "firm.example", "kind": "dns.mx",
            "value": "x.mx.mailco.example", "observed_at": "2020-01-01", "source": "docs", "provenance": "synthetic"}],
          "claims": [{"id": "c", "subject": "firm", "provider": "mailco", "category": "email", "source": "docs"}]}"#;
        assert_eq!(includes(main), ["lib.json"]);
        let a = analyze_documents(
            &doc("main.json", main),
            &[doc("lib.json", LIBRARY)],
            &Limits::default(),
        );
        assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
        assert_eq!(a.bundle.meta.title, "main");
        assert_eq!(a.verdicts[0].verdict, Verdict::Supported);
        // Without the library the same bundle does not resolve.
        assert!(analyze(main, &Limits::default()).has_errors());
    }

    #[test]
    fn ids_may_not_repeat_the_library() {
        let main = r#"{"format": "whoserves/1", "include": ["lib.json"], "meta": {"title": "main"},
          "entities": [{"id": "mailco", "role": "provider", "name": "MailCo again"}]}"#;
        let a = analyze_documents(
            &doc("main.json", main),
            &[doc("lib.json", LIBRARY)],
            &Limits::default(),
        );
        let rendered: Vec<String> = a
            .diagnostics
            .iter()
            .map(|d| d.render("main.json"))
            .collect();
        assert_eq!(
            rendered,
            ["main.json:2:31: error: entities[0].id: duplicate id \"mailco\" (first defined at an included library)"]
        );
    }

    #[test]
    fn library_diagnostics_name_the_library() {
        let lib = LIBRARY.replace("\"direct\"", "\"sometimes\"");
        let main = r#"{"format": "whoserves/1", "meta": {"title": "main"}}"#;
        let a = analyze_documents(
            &doc("main.json", main),
            &[doc("lib.json", &lib)],
            &Limits::default(),
        );
        assert!(
            a.diagnostics[0]
                .render("main.json")
                .starts_with("lib.json:"),
            "{:?}",
            a.diagnostics
        );
    }

    #[test]
    fn includes_must_be_relative_or_http() {
        let main = r#"{"format": "whoserves/1", "include": ["javascript:alert(1)", "/etc/passwd"], "meta": {"title": "m"}}"#;
        let messages: Vec<String> = analyze(main, &Limits::default())
            .diagnostics
            .iter()
            .map(|d| d.path.clone())
            .collect();
        assert_eq!(messages, ["include[0]", "include[1]"]);
    }
}
