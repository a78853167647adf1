//! The report: a flat, serialisable view of an [`Analysis`] for people and
//! programs. `whoserves check --json` prints it; the viewer shows the same
//! numbers, which is how the end-to-end test compares the two.

use crate::diag::{Diagnostic, Severity};
use crate::model::{ClaimStatus, Relationship};
use crate::verdict::{Summary, Verdict};
use crate::Analysis;
use serde::Serialize;

/// A flat report of one bundle.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The bundle's title.
    pub title: String,
    /// The banner text (e.g. synthetic data), if any.
    pub banner: Option<String>,
    /// Number of observations loaded.
    pub observations: usize,
    /// Number of error diagnostics.
    pub errors: usize,
    /// Number of warning diagnostics.
    pub warnings: usize,
    /// All diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    /// Claims per verdict.
    pub summary: Summary,
    /// One row per claim.
    pub claims: Vec<ClaimRow>,
    /// Findings no claim speaks of.
    pub unclaimed: Vec<FindingRow>,
}

/// One claim and its verdict.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimRow {
    /// Claim id.
    pub id: String,
    /// Subject id.
    pub subject: String,
    /// Subject display name.
    pub subject_name: String,
    /// Provider id.
    pub provider: String,
    /// Provider display name.
    pub provider_name: String,
    /// Category id, if the claim names one.
    pub category: Option<String>,
    /// The claim's own status.
    pub status: ClaimStatus,
    /// The verdict.
    pub verdict: Verdict,
    /// Why.
    pub reason: String,
    /// Distinct observations behind the verdict.
    pub evidence: usize,
}

/// One finding, summarised.
#[derive(Debug, Clone, Serialize)]
pub struct FindingRow {
    /// Subject id.
    pub subject: String,
    /// Subject display name.
    pub subject_name: String,
    /// Provider id.
    pub provider: String,
    /// Provider display name.
    pub provider_name: String,
    /// Category id.
    pub category: String,
    /// Relationship.
    pub relationship: Relationship,
    /// Distinct observations.
    pub evidence: usize,
    /// Rule ids that matched.
    pub rules: Vec<String>,
}

impl Report {
    /// Builds the report of an analysis.
    pub fn new(a: &Analysis) -> Self {
        let b = &a.bundle;
        let claims = b
            .claims
            .iter()
            .zip(&a.verdicts)
            .map(|(c, v)| ClaimRow {
                id: c.id.clone(),
                subject: c.subject.clone(),
                subject_name: b.entity_name(&c.subject).to_string(),
                provider: c.provider.clone(),
                provider_name: b.entity_name(&c.provider).to_string(),
                category: c.category.clone(),
                status: c.status,
                verdict: v.verdict,
                reason: v.reason.clone(),
                evidence: v.evidence,
            })
            .collect();
        let unclaimed = a
            .unclaimed
            .iter()
            .map(|&i| {
                let f = &a.findings[i];
                let mut rules: Vec<String> = f.traces.iter().map(|t| t.rule.clone()).collect();
                rules.sort();
                rules.dedup();
                FindingRow {
                    subject: f.subject.clone(),
                    subject_name: b.entity_name(&f.subject).to_string(),
                    provider: f.provider.clone(),
                    provider_name: b.entity_name(&f.provider).to_string(),
                    category: f.category.clone(),
                    relationship: f.relationship,
                    evidence: f.evidence_count(),
                    rules,
                }
            })
            .collect();
        Report {
            title: b.meta.title.clone(),
            banner: b.meta.banner.clone(),
            observations: b.observations.len(),
            errors: a
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count(),
            warnings: a
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Warning)
                .count(),
            diagnostics: a.diagnostics.clone(),
            summary: a.summary(),
            claims,
            unclaimed,
        }
    }
}
