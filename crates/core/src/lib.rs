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
pub mod limits;
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
pub use load::{load, Loaded};
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

/// Loads, evaluates and judges a bundle: the one entry point the CLI and
/// the viewer share. Evaluation runs on the usable part even when there are
/// errors, so the CLI can still report; the viewer checks [`Analysis::has_errors`].
pub fn analyze(text: &str, limits: &Limits) -> Analysis {
    let Loaded {
        bundle,
        diagnostics,
    } = load(text, limits);
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
