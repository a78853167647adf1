//! Claim verdicts and unclaimed findings.
//!
//! For each claim (subject S, provider P, optional category C), findings are
//! rolled up through `parent`: a finding for AWS counts for a claim about
//! Amazon. Then, in order:
//!
//! 1. **no evidence**: the bundle holds no observation of S that could
//!    show C (none at all when the claim names no category);
//! 2. **supported**: a `direct` finding for S and P (and C);
//! 3. **incidental only**: only `incidental` or `weak` findings for S and P;
//! 4. **contradicted**: the claim names C, and S's direct findings for C
//!    attribute it only to other providers;
//! 5. **not found**: S has relevant observations, none attributes to P.
//!
//! "No evidence" never means "false": it means the bundle cannot tell.

use crate::engine::Finding;
use crate::model::{Bundle, ClaimStatus, Relationship, BUILTIN_CATEGORIES};
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;

/// What the evidence says about a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A direct finding backs the claim.
    Supported,
    /// Only incidental or weak findings back it.
    IncidentalOnly,
    /// The category is attributed to other providers only.
    Contradicted,
    /// Relevant observations exist; none attributes to the provider.
    NotFound,
    /// Nothing in the bundle can speak to the claim.
    NoEvidence,
}

impl Verdict {
    /// Every verdict, in display order.
    pub const ALL: [Verdict; 5] = [
        Verdict::Supported,
        Verdict::IncidentalOnly,
        Verdict::Contradicted,
        Verdict::NotFound,
        Verdict::NoEvidence,
    ];

    /// The machine name, e.g. `incidental_only`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::IncidentalOnly => "incidental_only",
            Verdict::Contradicted => "contradicted",
            Verdict::NotFound => "not_found",
            Verdict::NoEvidence => "no_evidence",
        }
    }

    /// The label for people, e.g. `incidental only`.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::IncidentalOnly => "incidental only",
            Verdict::Contradicted => "contradicted",
            Verdict::NotFound => "not found",
            Verdict::NoEvidence => "no evidence",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The verdict on one claim, with its reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimVerdict {
    /// The claim's id.
    pub claim: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The claim's own status, shown beside the verdict.
    pub status: ClaimStatus,
    /// One sentence: why this verdict.
    pub reason: String,
    /// Distinct observations behind the verdict.
    pub evidence: usize,
    /// Indices (into the findings) that attribute the claim's provider.
    pub findings: Vec<usize>,
    /// Indices of the findings for other providers that contradict it.
    pub contradicting: Vec<usize>,
}

/// Counts of claims per verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    /// Supported claims.
    pub supported: usize,
    /// Claims with incidental or weak findings only.
    pub incidental_only: usize,
    /// Contradicted claims.
    pub contradicted: usize,
    /// Claims with relevant evidence but no attribution.
    pub not_found: usize,
    /// Claims nothing in the bundle can speak to.
    pub no_evidence: usize,
}

impl Summary {
    /// Counts the verdicts.
    pub fn of(verdicts: &[ClaimVerdict]) -> Self {
        let mut s = Summary::default();
        for v in verdicts {
            *s.slot(v.verdict) += 1;
        }
        s
    }

    fn slot(&mut self, v: Verdict) -> &mut usize {
        match v {
            Verdict::Supported => &mut self.supported,
            Verdict::IncidentalOnly => &mut self.incidental_only,
            Verdict::Contradicted => &mut self.contradicted,
            Verdict::NotFound => &mut self.not_found,
            Verdict::NoEvidence => &mut self.no_evidence,
        }
    }

    /// The count for one verdict.
    pub fn get(&self, v: Verdict) -> usize {
        let mut copy = *self;
        *copy.slot(v)
    }
}

/// Whether an observation kind can show `category`.
fn kind_can_show(kind: crate::model::Kind, category: &str) -> bool {
    !BUILTIN_CATEGORIES.contains(&category) || kind.allowed_categories().contains(&category)
}

fn distinct_observations(findings: &[Finding], idx: &[usize]) -> usize {
    idx.iter()
        .flat_map(|&i| findings[i].traces.iter().map(|t| t.observation.as_str()))
        .collect::<BTreeSet<_>>()
        .len()
}

fn rules_of(findings: &[Finding], idx: &[usize]) -> String {
    let rules: BTreeSet<&str> = idx
        .iter()
        .flat_map(|&i| findings[i].traces.iter().map(|t| t.rule.as_str()))
        .collect();
    let rules: Vec<&str> = rules.into_iter().collect();
    let noun = if rules.len() == 1 { "rule" } else { "rules" };
    format!("{noun} {}", join_and(&rules))
}

fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn observations(n: usize) -> String {
    if n == 1 {
        "1 observation".into()
    } else {
        format!("{n} observations")
    }
}

/// Gives every claim of `bundle` a verdict from `findings`.
pub fn verdicts(bundle: &Bundle, findings: &[Finding]) -> Vec<ClaimVerdict> {
    bundle
        .claims
        .iter()
        .map(|claim| {
            let subject_name = bundle.entity_name(&claim.subject);
            let provider_name = bundle.entity_name(&claim.provider);
            let cat = claim.category.as_deref();
            let relevant = bundle
                .observations
                .iter()
                .filter(|o| o.subject == claim.subject)
                .filter(|o| cat.is_none_or(|c| kind_can_show(o.kind, c)))
                .count();
            let fits = |f: &Finding| f.subject == claim.subject && cat.is_none_or(|c| f.category == c);
            let mine: Vec<usize> = findings
                .iter()
                .enumerate()
                .filter(|(_, f)| fits(f) && bundle.rolls_up_to(&f.provider, &claim.provider))
                .map(|(i, _)| i)
                .collect();
            let direct: Vec<usize> = mine
                .iter()
                .copied()
                .filter(|&i| findings[i].relationship == Relationship::Direct)
                .collect();
            let others: Vec<usize> = match cat {
                Some(_) => findings
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| {
                        fits(f)
                            && f.relationship == Relationship::Direct
                            && !bundle.rolls_up_to(&f.provider, &claim.provider)
                    })
                    .map(|(i, _)| i)
                    .collect(),
                None => Vec::new(),
            };
            let what = match cat {
                Some(c) => format!("{c} of {subject_name}"),
                None => subject_name.to_string(),
            };
            let (verdict, reason, evidence, used, contradicting) = if relevant == 0 {
                let reason = match cat {
                    Some(c) => format!("the bundle holds no observation of {subject_name} that could show {c}"),
                    None => format!("the bundle holds no observation of {subject_name}"),
                };
                (Verdict::NoEvidence, reason, 0, Vec::new(), Vec::new())
            } else if !direct.is_empty() {
                let n = distinct_observations(findings, &direct);
                let reason = format!("supported by {} via {}", observations(n), rules_of(findings, &direct));
                (Verdict::Supported, reason, n, direct, Vec::new())
            } else if !mine.is_empty() {
                let n = distinct_observations(findings, &mine);
                let kinds: BTreeSet<&str> = mine.iter().map(|&i| findings[i].relationship.as_str()).collect();
                let kinds: Vec<&str> = kinds.into_iter().collect();
                let reason = format!(
                    "only {} findings: {} via {}; none shows {subject_name} as {provider_name}'s customer",
                    kinds.join(" and "),
                    observations(n),
                    rules_of(findings, &mine)
                );
                (Verdict::IncidentalOnly, reason, n, mine, Vec::new())
            } else if !others.is_empty() {
                let names: BTreeSet<&str> = others.iter().map(|&i| bundle.entity_name(&findings[i].provider)).collect();
                let names: Vec<&str> = names.into_iter().collect();
                let n = distinct_observations(findings, &others);
                let reason = format!(
                    "{what} is attributed to {} instead ({} via {})",
                    join_and(&names),
                    observations(n),
                    rules_of(findings, &others)
                );
                (Verdict::Contradicted, reason, n, Vec::new(), others)
            } else {
                let reason = format!(
                    "{} of {what} checked; none attributes to {provider_name}",
                    observations(relevant)
                );
                (Verdict::NotFound, reason, 0, Vec::new(), Vec::new())
            };
            ClaimVerdict {
                claim: claim.id.clone(),
                verdict,
                status: claim.status,
                reason,
                evidence,
                findings: used,
                contradicting,
            }
        })
        .collect()
}

/// Indices of findings that no claim speaks of: no claim names the
/// finding's subject, a provider it rolls up to, and (if the claim names
/// one) its category.
pub fn unclaimed(bundle: &Bundle, findings: &[Finding]) -> Vec<usize> {
    findings
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            !bundle.claims.iter().any(|c| {
                c.subject == f.subject
                    && c.category.as_deref().is_none_or(|cat| cat == f.category)
                    && bundle.rolls_up_to(&f.provider, &c.provider)
            })
        })
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_english() {
        assert_eq!(join_and(&["a", "b", "c"]), "a, b and c");
        assert_eq!(observations(1), "1 observation");
    }

    #[test]
    fn summary_counts() {
        let mk = |v| ClaimVerdict {
            claim: "c".into(),
            verdict: v,
            status: ClaimStatus::Asserted,
            reason: String::new(),
            evidence: 0,
            findings: vec![],
            contradicting: vec![],
        };
        let s = Summary::of(&[
            mk(Verdict::Supported),
            mk(Verdict::Supported),
            mk(Verdict::NoEvidence),
        ]);
        assert_eq!(s.get(Verdict::Supported), 2);
        assert_eq!(s.get(Verdict::NoEvidence), 1);
        assert_eq!(s.get(Verdict::Contradicted), 0);
    }
}
