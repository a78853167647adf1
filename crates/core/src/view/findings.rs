//! The findings export: one row per observation behind each shown edge,
//! so a researcher can cite every edge with what it rests on.
//!
//! A row is one trace: an observation and the rule that matched it. An
//! observation two rules matched gives two rows, one per rule, because the
//! rule is part of the citation. Every row carries the bundle's banner in
//! its `note` column, so a row copied out of context still says
//! "synthetic" when the bundle does.

use super::graph::{Graph, SEARCHED};
use super::table::csv_cell;
use crate::analysis::Analysis;
use crate::model::{Bundle, SourceRef};
use serde::Serialize;

/// One observation behind an edge, with the rule that matched it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingRow {
    /// Firm display name.
    pub firm: String,
    /// Provider display name.
    pub provider: String,
    /// Category id.
    pub category: String,
    /// `direct`, `account`, `incidental` or `weak`.
    pub relationship: String,
    /// The edge's verdict label, or `unclaimed`.
    pub verdict: String,
    /// The rule's id.
    pub rule: String,
    /// The rule's references, space-separated.
    pub rule_reference: String,
    /// The observation's id.
    pub observation: String,
    /// Observation kind.
    pub kind: String,
    /// Domain or host observed.
    pub target: String,
    /// Header name (`http.header` only).
    pub key: String,
    /// The value exactly as the bundle records it.
    pub value_recorded: String,
    /// The value as the rules saw it.
    pub value_normalised: String,
    /// When, as written.
    pub observed_at: String,
    /// Command or tool, when recorded.
    pub method: String,
    /// The source's title (or its URL when it has no entry in `meta.sources`).
    pub source: String,
    /// The source's URL, when known.
    pub source_url: String,
    /// `observed`, `reported`, `derived`, `archived` or `synthetic`.
    pub provenance: String,
    /// The bundle's banner (empty when it has none).
    pub note: String,
}

/// The columns of [`findings_csv`], in order.
pub const FINDING_COLUMNS: &[&str] = &[
    "firm",
    "provider",
    "category",
    "relationship",
    "verdict",
    "rule",
    "rule_reference",
    "observation",
    "kind",
    "target",
    "key",
    "value_recorded",
    "value_normalised",
    "observed_at",
    "method",
    "source",
    "source_url",
    "provenance",
    "note",
];

/// The source an observation names: its title and URL.
pub fn source_of(b: &Bundle, s: &SourceRef) -> (String, String) {
    match s {
        SourceRef::Id(id) => match b.source(id) {
            Some(src) => (src.title.clone(), src.url.clone().unwrap_or_default()),
            None => (id.to_string(), String::new()),
        },
        SourceRef::Url(u) => (u.clone(), u.clone()),
    }
}

/// The rows behind every edge of `g`, in edge order, then trace order.
/// Claim-only edges have no observations and give no rows.
pub fn finding_rows(a: &Analysis, g: &Graph) -> Vec<FindingRow> {
    let b = &a.bundle;
    let note = b.meta.banner.clone().unwrap_or_default();
    let mut out = Vec::new();
    for e in &g.edges {
        let verdict = e
            .verdict
            .map(|v| v.label().to_string())
            .unwrap_or_else(|| "unclaimed".into());
        for &fi in &e.findings {
            let f = &a.findings[fi];
            for t in &f.traces {
                let o = &b.observations[t.observation];
                let r = &b.rules[t.rule];
                let (source, source_url) = source_of(b, &o.source);
                out.push(FindingRow {
                    firm: g.nodes[e.from].label.clone(),
                    provider: g.nodes[e.to].label.clone(),
                    category: f.category.clone(),
                    relationship: f.relationship.as_str().to_string(),
                    verdict: verdict.clone(),
                    rule: r.id.clone(),
                    rule_reference: r.references.join(" "),
                    observation: o.id.clone(),
                    kind: o.kind.as_str().to_string(),
                    target: o.target.clone(),
                    key: o.key.clone().unwrap_or_default(),
                    value_recorded: o.value.clone(),
                    value_normalised: o.normalized().text.clone(),
                    observed_at: o.observed_at.text.to_string(),
                    method: o.method.clone().unwrap_or_default(),
                    source,
                    source_url,
                    provenance: o.provenance.as_str().to_string(),
                    note: note.clone(),
                });
            }
        }
    }
    out
}

/// Renders finding rows as CSV, quoted and defused like the edges CSV.
pub fn findings_csv(rows: &[FindingRow]) -> String {
    let mut out = FINDING_COLUMNS.join(",");
    out.push_str("\r\n");
    for r in rows {
        let cells = [
            &r.firm,
            &r.provider,
            &r.category,
            &r.relationship,
            &r.verdict,
            &r.rule,
            &r.rule_reference,
            &r.observation,
            &r.kind,
            &r.target,
            &r.key,
            &r.value_recorded,
            &r.value_normalised,
            &r.observed_at,
            &r.method,
            &r.source,
            &r.source_url,
            &r.provenance,
            &r.note,
        ];
        let cells: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The bundle a findings export came from.
#[derive(Debug, Clone, Serialize)]
pub struct ExportBundle {
    /// The bundle's title.
    pub title: String,
    /// Its banner ("Synthetic data: …"), when it has one.
    pub banner: Option<String>,
    /// When it was published.
    pub published: Option<String>,
    /// Who wrote it.
    pub authors: Vec<String>,
    /// Its licence.
    pub license: Option<String>,
}

/// The findings export as JSON: where it came from, the as-of date and
/// the filters' search, and the rows.
#[derive(Debug, Clone, Serialize)]
pub struct FindingsExport {
    /// The bundle.
    pub bundle: ExportBundle,
    /// The as-of date of the view, when one was set.
    pub as_of: Option<String>,
    /// The search text of the view, when one was set, and what it searched.
    pub search: Option<String>,
    /// What a search looks through.
    pub searched: &'static str,
    /// One row per observation and rule behind each shown edge.
    pub findings: Vec<FindingRow>,
}

/// Renders [`finding_rows`] with the bundle's provenance as pretty JSON.
pub fn findings_json(a: &Analysis, g: &Graph, as_of: Option<&str>, search: &str) -> String {
    let m = &a.bundle.meta;
    let export = FindingsExport {
        bundle: ExportBundle {
            title: m.title.clone(),
            banner: m.banner.clone(),
            published: m.published.clone(),
            authors: m.authors.clone(),
            license: m.license.clone(),
        },
        as_of: as_of.map(str::to_string),
        search: (!search.trim().is_empty()).then(|| search.trim().to_string()),
        searched: SEARCHED,
        findings: finding_rows(a, g),
    };
    serde_json::to_string_pretty(&export).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::{build, Filters};
    use crate::{analyze, Limits};

    const FIXTURE: &str = include_str!("../../../../tests/fixtures/verdicts/all-features.json");

    #[test]
    fn one_row_per_trace_with_the_value_as_recorded() {
        let a = analyze(FIXTURE, &Limits::default());
        let g = build(&a, &Filters::default());
        let rows = finding_rows(&a, &g);
        let traces: usize = a.findings.iter().map(|f| f.traces.len()).sum();
        assert_eq!(rows.len(), traces);
        let spf = rows.iter().find(|r| r.observation == "a-spf").unwrap();
        assert_eq!(spf.rule, "spf-bluemail");
        assert_eq!(
            spf.value_recorded,
            "\"v=spf1 include:spf.bluemail.example \" \"-all\""
        );
        assert_ne!(spf.value_recorded, spf.value_normalised);
        assert_eq!(spf.provenance, "synthetic");
        assert_eq!(spf.method, "dig +short TXT alpha.example");
        let csv = findings_csv(&rows);
        assert_eq!(csv.lines().count(), rows.len() + 1);
        assert!(csv.starts_with("firm,provider,category,relationship,verdict,rule,"));
    }

    #[test]
    fn the_banner_goes_into_every_row_and_the_json() {
        let a = analyze(FIXTURE, &Limits::default());
        let banner = "Synthetic test data: fictional firms and providers.";
        assert_eq!(a.bundle.meta.banner.as_deref(), Some(banner));
        let g = build(&a, &Filters::default());
        let rows = finding_rows(&a, &g);
        assert!(rows.iter().all(|r| r.note == banner));
        let json: serde_json::Value =
            serde_json::from_str(&findings_json(&a, &g, Some("2020-06-01"), "")).unwrap();
        assert_eq!(json["bundle"]["banner"], banner);
        assert_eq!(json["as_of"], "2020-06-01");
        assert_eq!(json["findings"].as_array().unwrap().len(), rows.len());
    }
}
