//! The table view, the accessible alternative to the graph, and its CSV.

use super::graph::Graph;
use serde::Serialize;

/// One row of the table view: the accessible alternative to the graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// Firm display name.
    pub firm: String,
    /// Provider display name.
    pub provider: String,
    /// Category id (`-` when a claim names none).
    pub category: String,
    /// `direct`, `account`, `incidental`, `weak`, or `claimed` for a claim-only edge.
    pub relationship: String,
    /// Distinct observations.
    pub evidence: usize,
    /// The verdict label, or `unclaimed`.
    pub verdict: String,
    /// Index of the edge in the graph.
    pub edge: usize,
}

/// The table rows of a graph, in edge order.
pub fn rows(g: &Graph) -> Vec<Row> {
    g.edges
        .iter()
        .enumerate()
        .map(|(i, e)| Row {
            firm: g.nodes[e.from].label.clone(),
            provider: g.nodes[e.to].label.clone(),
            category: e.category.clone().unwrap_or_else(|| "-".into()),
            relationship: e.kind.as_str().to_string(),
            evidence: e.evidence,
            verdict: e
                .verdict
                .map(|v| v.label().to_string())
                .unwrap_or_else(|| "unclaimed".into()),
            edge: i,
        })
        .collect()
}

/// Renders rows as CSV (RFC 4180 quoting). Cells that a spreadsheet would
/// read as a formula (`=`, `+`, `-`, `@` first) are prefixed with `'`.
pub fn to_csv(rows: &[Row]) -> String {
    fn cell(s: &str) -> String {
        let s = if s.starts_with(['=', '+', '-', '@']) && s != "-" {
            format!("'{s}")
        } else {
            s.to_string()
        };
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    }
    let mut out = String::from("firm,provider,category,relationship,evidence,verdict\r\n");
    for r in rows {
        let cells = [
            cell(&r.firm),
            cell(&r.provider),
            cell(&r.category),
            cell(&r.relationship),
            r.evidence.to_string(),
            cell(&r.verdict),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}
