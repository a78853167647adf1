//! The report: a flat, serialisable view of an [`Analysis`] for people and
//! programs. `whoserves check --json` prints it; the viewer shows the same
//! numbers, which is how the end-to-end test compares the two.
//!
//! Everything in it is resolved to ids and names: findings carry their
//! full traces, claims the findings, observations and rules they rest on.

use crate::analysis::Analysis;
use crate::diag::{error_count, Diagnostic};
use crate::engine::{Finding, TraceView};
use crate::keywords::{Kind, Provenance};
use crate::model::{format_date, Bundle, ClaimStatus, Relationship};
use crate::verdict::{Grounds, Summary, Verdict};
use serde::Serialize;

/// A flat report of one bundle.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The bundle's title.
    pub title: String,
    /// The banner text (e.g. synthetic data), if any.
    pub banner: Option<String>,
    /// The as-of date the report reads the bundle at, if one was set.
    pub as_of: Option<String>,
    /// Number of observations loaded.
    pub observations: usize,
    /// Observations in force (neither later than the date nor superseded).
    pub in_force: usize,
    /// Observations superseded by a later reading of the same thing.
    pub superseded: Vec<Superseded>,
    /// Observations made after the as-of date.
    pub later: Vec<String>,
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
    /// Every finding with its full traces.
    pub findings: Vec<FindingRow>,
    /// The matcher of every rule a trace names, rendered readably, by rule id.
    pub matchers: std::collections::BTreeMap<String, String>,
    /// Sets of observation ids that claims rest on (`claims[].rests_on`
    /// indexes them): claims resting on the same observations share one.
    pub observation_sets: Vec<Vec<String>>,
    /// Sets of rule ids that could have matched (`claims[].rules` indexes them).
    pub rule_sets: Vec<Vec<String>>,
    /// Indices into `findings` of those no claim speaks of.
    pub unclaimed: Vec<usize>,
    /// Observations in force that no rule matched.
    pub unmatched: Vec<ObservationRow>,
    /// Lookups that found no record (as of the date, if one is set).
    pub absences: Vec<AbsenceRow>,
}

/// A lookup that found no record.
#[derive(Debug, Clone, Serialize)]
pub struct AbsenceRow {
    /// Id.
    pub id: String,
    /// Subject id.
    pub subject: String,
    /// Host looked up.
    pub target: String,
    /// The kind looked for.
    pub kind: Kind,
    /// `nxdomain` or `nodata`.
    pub absent: crate::keywords::Absent,
    /// When.
    pub observed_at: String,
    /// How to repeat it.
    pub method: Option<String>,
}

/// An observation superseded by a later one.
#[derive(Debug, Clone, Serialize)]
pub struct Superseded {
    /// The superseded observation's id.
    pub observation: String,
    /// The id of the observation that superseded it.
    pub by: String,
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
    /// What the verdict stands on.
    pub grounds: Grounds,
    /// `synthetic` or `reported` when the verdict stands on nothing better.
    pub mark: Option<&'static str>,
    /// Why.
    pub reason: String,
    /// Distinct observations behind the attribution.
    pub evidence: usize,
    /// Indices into `findings` of those that attribute the claim's provider.
    pub findings: Vec<usize>,
    /// Indices into `findings` of other providers' direct findings cited.
    pub contradicting: Vec<usize>,
    /// Indices into `findings` of findings for the provider's parents.
    pub parent_findings: Vec<usize>,
    /// The observations the verdict rests on: an index into
    /// [`Report::observation_sets`].
    pub rests_on: usize,
    /// The rules of the provider (and its children) for the category: an
    /// index into [`Report::rule_sets`].
    pub rules: usize,
    /// For a claim with a date: its verdict on the evidence of that date
    /// ([`Analysis::then`]).
    pub then: Option<ThenRow>,
}

/// A claim's verdict on the evidence of its own date.
#[derive(Debug, Clone, Serialize)]
pub struct ThenRow {
    /// The claim's date.
    pub as_of: String,
    /// The earliest observation date that counts.
    pub since: String,
    /// The latest observation date that counts.
    pub until: String,
    /// The verdict.
    pub verdict: Verdict,
    /// `synthetic`, `reported` or none.
    pub mark: Option<&'static str>,
    /// Distinct observations behind it.
    pub evidence: usize,
    /// Why.
    pub reason: String,
    /// The observations it rests on: an index into [`Report::observation_sets`].
    pub rests_on: usize,
}

/// One finding, with its traces.
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
    /// The provider's parents, nearest first.
    pub parents: Vec<String>,
    /// Category id.
    pub category: String,
    /// Relationship.
    pub relationship: Relationship,
    /// Distinct observations.
    pub evidence: usize,
    /// Rule ids that matched.
    pub rules: Vec<String>,
    /// Every (observation, rule) match, resolved.
    pub traces: Vec<TraceView>,
}

/// One observation, as written.
#[derive(Debug, Clone, Serialize)]
pub struct ObservationRow {
    /// Id.
    pub id: String,
    /// Subject id.
    pub subject: String,
    /// Target host.
    pub target: String,
    /// Kind.
    pub kind: Kind,
    /// Header name.
    pub key: Option<String>,
    /// Value as written.
    pub value: String,
    /// When.
    pub observed_at: String,
    /// Provenance.
    pub provenance: Provenance,
}

impl FindingRow {
    /// The row of one finding.
    pub fn new(b: &Bundle, f: &Finding) -> Self {
        let mut rules: Vec<String> = f
            .traces
            .iter()
            .map(|t| b.rules[t.rule].id.clone())
            .collect();
        rules.sort();
        rules.dedup();
        FindingRow {
            subject: f.subject.clone(),
            subject_name: b.entity_name(&f.subject).to_string(),
            provider: f.provider.clone(),
            provider_name: b.entity_name(&f.provider).to_string(),
            parents: b.ancestors(&f.provider),
            category: f.category.clone(),
            relationship: f.relationship,
            evidence: f.evidence_count(),
            rules,
            traces: f.traces.iter().map(|t| t.describe(b)).collect(),
        }
    }
}

impl ObservationRow {
    /// The row of observation `i`.
    pub fn new(b: &Bundle, i: usize) -> Self {
        let o = &b.observations[i];
        ObservationRow {
            id: o.id.clone(),
            subject: o.subject.to_string(),
            target: o.target.clone(),
            kind: o.kind,
            key: o.key.clone(),
            value: o.value.clone(),
            observed_at: o.observed_at.text.to_string(),
            provenance: o.provenance,
        }
    }
}

/// Lists shared between claims, each listed once in the report.
struct Sets<'b> {
    index: crate::hash::HashMap<*const usize, usize>,
    out: Vec<Vec<String>>,
    name: &'b dyn Fn(usize) -> String,
}

impl Sets<'_> {
    /// The index of `list` (an `Arc` shared between verdicts) in the output.
    fn of(&mut self, list: &std::sync::Arc<[usize]>) -> usize {
        // Every empty list is the same list.
        let key = if list.is_empty() {
            std::ptr::null()
        } else {
            list.as_ptr()
        };
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let i = self.out.len();
        self.out
            .push(list.iter().map(|&x| (self.name)(x)).collect());
        self.index.insert(key, i);
        i
    }
}

impl Report {
    /// Builds the report of an analysis.
    pub fn new(a: &Analysis) -> Self {
        let b = &a.bundle;
        let obs_ids = |idx: &[usize]| -> Vec<String> {
            idx.iter().map(|&i| b.observations[i].id.clone()).collect()
        };
        let obs_name = |i: usize| b.observations[i].id.clone();
        let rule_name = |i: usize| b.rules[i].id.clone();
        let mut observation_sets = Sets {
            index: Default::default(),
            out: Vec::new(),
            name: &obs_name,
        };
        let mut rule_sets = Sets {
            index: Default::default(),
            out: Vec::new(),
            name: &rule_name,
        };
        let then = a.then();
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
                grounds: v.grounds,
                mark: v.grounds.mark(),
                reason: v.reason.clone(),
                evidence: v.evidence,
                findings: v.findings.to_vec(),
                contradicting: v.contradicting.to_vec(),
                parent_findings: v.parent_findings.to_vec(),
                rests_on: observation_sets.of(&v.rests_on),
                rules: rule_sets.of(&v.rules),
                then: None,
            })
            .collect::<Vec<ClaimRow>>();
        let mut claims = claims;
        for (row, t) in claims.iter_mut().zip(then) {
            row.then = t.map(|t| ThenRow {
                as_of: format_date(t.as_of),
                since: format_date(t.since),
                until: format_date(t.until),
                verdict: t.verdict,
                mark: t.grounds.mark(),
                evidence: t.evidence,
                reason: t.reason,
                rests_on: observation_sets.of(&t.rests_on),
            });
        }
        Report {
            title: b.meta.title.clone(),
            banner: b.meta.banner.clone(),
            as_of: a.timeline.as_of.map(format_date),
            observations: b.observations.len(),
            in_force: a.timeline.active.iter().filter(|x| **x).count(),
            superseded: a
                .timeline
                .superseded
                .iter()
                .map(|&(o, by)| Superseded {
                    observation: b.observations[o].id.clone(),
                    by: b.observations[by].id.clone(),
                })
                .collect(),
            later: obs_ids(&a.timeline.later),
            errors: error_count(&a.diagnostics),
            warnings: a.diagnostics.len() - error_count(&a.diagnostics),
            diagnostics: a.diagnostics.clone(),
            summary: a.summary(),
            claims,
            findings: a.findings.iter().map(|f| FindingRow::new(b, f)).collect(),
            matchers: a
                .findings
                .iter()
                .flat_map(|f| f.traces.iter().map(|t| t.rule))
                .collect::<std::collections::BTreeSet<usize>>()
                .into_iter()
                .map(|r| (b.rules[r].id.clone(), b.rules[r].describe_matcher()))
                .collect(),
            observation_sets: observation_sets.out,
            rule_sets: rule_sets.out,
            unclaimed: a.unclaimed.clone(),
            unmatched: a
                .unmatched
                .iter()
                .map(|&i| ObservationRow::new(b, i))
                .collect(),
            absences: b
                .absences
                .iter()
                .filter(|x| a.timeline.as_of.is_none_or(|d| x.observed_at.date <= d))
                .map(|x| AbsenceRow {
                    id: x.id.clone(),
                    subject: x.subject.clone(),
                    target: x.target.clone(),
                    kind: x.kind,
                    absent: x.absent,
                    observed_at: x.observed_at.text.to_string(),
                    method: x.method.clone(),
                })
                .collect(),
        }
    }
}
