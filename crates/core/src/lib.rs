//! The pure core of whoserves: the evidence bundle model and its
//! validation, the rule engine, claim verdicts, and what the viewer draws
//! (graph, filters, table, layout).
//!
//! No I/O, no browser: the same functions run natively in the CLI and in
//! WebAssembly in the viewer, so both give the same verdicts.
//!
//! The pipeline, in order:
//!
//! 1. [`load`]: text -> [`model::Bundle`] + [`diag::Diagnostic`]s
//!    ([`include`] plans the rule libraries a bundle builds on);
//! 2. [`timeline`]: which observations are in force as of a date;
//! 3. [`engine::evaluate`]: rules x observations -> [`engine::Finding`]s with traces;
//! 4. [`verdict::verdicts`]: claims x findings -> [`verdict::ClaimVerdict`]s;
//! 5. [`view`] and [`layout`]: the graph, filters, table and matrix the
//!    viewer shows, and where to draw them.
//!
//! [`analyze`] runs 1–4 and returns an [`Analysis`], the façade the CLI and
//! the viewer share; [`report::Report`] flattens it for people and programs.
//!
//! ```
//! use whoserves_core::{analyze, Limits, Report};
//! let analysis = analyze(r#"{"format": "whoserves/1", "meta": {"title": "Empty"}}"#, &Limits::default());
//! assert!(analysis.diagnostics.is_empty());
//! assert_eq!(Report::new(&analysis).title, "Empty");
//! ```

#![warn(missing_docs)]

pub mod analysis;
pub mod collect;
pub mod date;
pub mod diag;
pub mod engine;
pub mod hash;
pub mod hint;
pub mod include;
pub mod keywords;
pub mod layout;
pub mod limits;
pub mod lint;
pub mod literals;
pub mod load;
pub mod locate;
pub mod matcher;
pub mod model;
pub mod normalize;
pub mod prefix;
pub mod report;
pub mod sign;
pub mod text;
pub mod timeline;
pub mod transport;
pub mod verdict;
pub mod view;
pub mod wire;

pub use analysis::{
    analyze, analyze_documents, analyze_documents_with, validate_documents, Analysis, Document,
    Progress,
};
pub use diag::{Code, Diagnostic, Severity};
pub use engine::{evaluate, Finding, RuleSet, Trace};
pub use limits::Limits;
pub use load::{includes, load, load_with, Loaded};
pub use model::Bundle;
pub use report::Report;
pub use verdict::{ClaimVerdict, Summary, Verdict};
