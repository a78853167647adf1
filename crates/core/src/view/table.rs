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

/// One CSV cell (RFC 4180 quoting). A cell that a spreadsheet would read
/// as a formula is prefixed with `'`: one starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return, per OWASP's CSV injection guidance (a
/// lone `-`, the table's "no category", stays as it is).
pub fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s != "-" {
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

/// Renders rows as CSV (see [`csv_cell`]). Every row carries `note`, the
/// bundle's banner, so a row copied out of context still says
/// "synthetic" when the bundle does.
pub fn to_csv(rows: &[Row], note: Option<&str>) -> String {
    let note = csv_cell(note.unwrap_or(""));
    let mut out = String::from("firm,provider,category,relationship,evidence,verdict,note\r\n");
    for r in rows {
        let cells = [
            csv_cell(&r.firm),
            csv_cell(&r.provider),
            csv_cell(&r.category),
            csv_cell(&r.relationship),
            r.evidence.to_string(),
            csv_cell(&r.verdict),
            note.clone(),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn cells_that_start_a_formula_are_defused() {
        for (raw, cell) in [
            ("=1+1", "'=1+1"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "\"'\r=1\""),
            ("-", "-"),
            ("plain", "plain"),
        ] {
            assert_eq!(csv_cell(raw), cell, "{raw:?}");
        }
    }
}
