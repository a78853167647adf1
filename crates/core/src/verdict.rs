//! Claim verdicts and unclaimed findings.
//!
//! For each claim (subject S, provider P, optional category C), findings are
//! rolled up through `parent`: a finding for AWS counts for a claim about
//! Amazon. Then, in order:
//!
//! 1. **no evidence**: the bundle holds no observation of S that could
//!    show C (none at all when the claim names no category);
//! 2. **supported**: a `direct` finding for S and P (and C);
//! 3. **account only**: no direct finding, but an `account` one: S holds an
//!    account with P (free or paid) that its page uses, e.g. an analytics
//!    property; P serves no part of S's domain;
//! 4. **incidental only**: only `incidental` or `weak` findings for S and P;
//! 5. **contradicted**: the claim names C, and S's direct findings for C
//!    attribute it only to other providers;
//! 6. **not found**: S has relevant observations, none attributes to P.
//!
//! "No evidence" never means "false": it means the bundle cannot tell.
//!
//! Only observations in force count (see [`crate::timeline`]).
//!
//! Decisions the order above leaves open, each pinned by a fixture under
//! `tests/fixtures/verdicts/`:
//!
//! - **Roll-up goes up, never down.** A finding for a child (CloudFront)
//!   counts for a claim about its parent (Amazon). A finding for the parent
//!   does not count for a claim about the child: "Amazon" does not say
//!   which of Amazon's services. Nor does it contradict the claim. Such a
//!   claim is *not found*, and the reason names the parent's finding.
//! - **Incidental only before contradicted.** When the claimed provider
//!   has only incidental or weak findings and others have direct ones, the
//!   verdict is *incidental only*; the reason names the others.
//! - **Categories a bundle defines** are not tied to kinds: every kind of
//!   observation can show them, so every observation of the subject is
//!   relevant to such a claim.
//!
//! Each verdict says what it rests on: the observations ([`ClaimVerdict::rests_on`])
//! and, for the negatives, the rules that could have matched
//! ([`ClaimVerdict::rules`]). Its [`Grounds`] tell whether it stands on
//! first-hand observations or only on reported or synthetic ones.
//!
//! Cost: findings, observations and rules are indexed once by subject and by
//! provider (with its parents, a chain the loader keeps short); claims with
//! the same subject, provider and category share one judgement, and long
//! lists are shared, not copied. See `docs/bundle-format.md` for the bound.

use crate::engine::Finding;
use crate::hash::HashMap;
use crate::keywords::{Kind, Provenance};
use crate::model::{Bundle, ClaimStatus, Relationship};
use crate::timeline::Timeline;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

/// What the evidence says about a claim.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A direct finding backs the claim.
    Supported,
    /// No direct finding, but an `account` one: the firm holds an account
    /// with the provider (free or paid) that its page uses.
    AccountOnly,
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
    pub const ALL: [Verdict; 6] = [
        Verdict::Supported,
        Verdict::AccountOnly,
        Verdict::IncidentalOnly,
        Verdict::Contradicted,
        Verdict::NotFound,
        Verdict::NoEvidence,
    ];

    /// The machine name, e.g. `incidental_only`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::AccountOnly => "account_only",
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
            Verdict::AccountOnly => "account only",
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ClaimVerdict {
    /// The claim's id.
    pub claim: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The claim's own status, shown beside the verdict.
    pub status: ClaimStatus,
    /// One sentence: why this verdict.
    pub reason: String,
    /// Distinct observations behind the attribution: the claimed provider's
    /// findings, or for *contradicted* the other providers'; 0 for *not
    /// found* and *no evidence*.
    pub evidence: usize,
    /// What the verdict stands on: first-hand, or only reported or synthetic observations.
    pub grounds: Grounds,
    /// Indices (into the findings) that attribute the claim's provider.
    pub findings: Arc<[usize]>,
    /// Indices of the findings for other providers that contradict it
    /// (or, for *incidental only*, that show others as direct providers).
    pub contradicting: Arc<[usize]>,
    /// Indices of findings for the claimed provider's parents, which
    /// neither support nor contradict a claim about the child.
    pub parent_findings: Arc<[usize]>,
    /// Indices of the observations the verdict rests on: those behind the
    /// claimed provider's findings (*supported*, *incidental only*), behind
    /// the other providers' findings (*contradicted*), or those checked (*not
    /// found*).
    pub rests_on: Arc<[usize]>,
    /// Indices of the rules of the claimed provider (and of its children)
    /// for the claim's category: those that could have matched.
    pub rules: Arc<[usize]>,
}

/// What a verdict stands on: the strongest provenance among the
/// observations it rests on. Each observation behind a finding makes the
/// finding on its own, so a verdict marked `reported` would stand on the
/// reported observations alone, and one marked `synthetic` stands on
/// made-up data only.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Grounds {
    /// It rests on no observation (no evidence).
    #[default]
    Nothing,
    /// Only on synthetic observations: an illustration, not evidence.
    Synthetic,
    /// On observations taken from publications, none re-observed.
    Reported,
    /// On at least one observation made first-hand (`observed` or `derived`).
    FirstHand,
}

impl Grounds {
    /// The mark shown beside the verdict: `synthetic`, `reported`, or none.
    pub fn mark(self) -> Option<&'static str> {
        match self {
            Grounds::Synthetic => Some("synthetic"),
            Grounds::Reported => Some("reported"),
            Grounds::Nothing | Grounds::FirstHand => None,
        }
    }

    /// The grounds of a set of observations.
    pub fn of(bundle: &Bundle, observations: &[usize]) -> Self {
        observations
            .iter()
            .map(|&i| match bundle.observations[i].provenance {
                Provenance::Observed | Provenance::Derived | Provenance::Archived => {
                    Grounds::FirstHand
                }
                Provenance::Reported => Grounds::Reported,
                Provenance::Synthetic => Grounds::Synthetic,
            })
            .max()
            .unwrap_or(Grounds::Nothing)
    }
}

/// Counts of claims per verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    /// Supported claims.
    pub supported: usize,
    /// Claims with account findings but no direct one.
    pub account_only: usize,
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
            Verdict::AccountOnly => &mut self.account_only,
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

/// The kinds that can show `category` (all with none), as a bit mask.
fn kinds_mask(category: Option<&str>) -> u32 {
    Kind::ALL
        .iter()
        .enumerate()
        .filter(|(_, k)| category.is_none_or(|c| k.can_show(c)))
        .fold(0, |m, (i, _)| m | (1 << i))
}

/// At most this many items are named in a reason; the rest are counted.
const NAMED: usize = 5;

/// `a, b and c`, or `a, b, c, d, e and 7 more`.
fn join_and(items: &[&str]) -> String {
    join_first(&items[..items.len().min(NAMED)], items.len())
}

/// Names the `first` of `total` items, counting the rest:
/// `a, b, c, d, e and 7 more`. `first` holds at most [`NAMED`] items.
fn join_first(first: &[&str], total: usize) -> String {
    match (first, total.saturating_sub(first.len())) {
        ([], _) => String::new(),
        (_, more) if more > 0 => format!("{} and {more} more", first.join(", ")),
        ([one], _) => one.to_string(),
        ([init @ .., last], _) => format!("{} and {last}", init.join(", ")),
    }
}

/// The ids of some of the `items`, named by `id`, for a reason.
fn ids_of<'b>(items: &[usize], id: impl Fn(usize) -> &'b str) -> String {
    let first: Vec<&str> = items.iter().take(NAMED).map(|&i| id(i)).collect();
    join_first(&first, items.len())
}

fn observations(n: usize) -> String {
    if n == 1 {
        "1 observation".into()
    } else {
        format!("{n} observations")
    }
}

fn noun(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Distinct observations behind some findings, sorted.
fn observations_of(findings: &[Finding], idx: &[usize]) -> Vec<usize> {
    let mut out: Vec<usize> = idx
        .iter()
        .flat_map(|&i| findings[i].traces.iter().map(|t| t.observation))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The rule ids of some findings, for a reason: `rule x` / `rules x and y`.
fn rules_of(bundle: &Bundle, findings: &[Finding], idx: &[usize]) -> String {
    let rules: BTreeSet<&str> = idx
        .iter()
        .flat_map(|&i| {
            findings[i]
                .traces
                .iter()
                .map(|t| bundle.rules[t.rule].id.as_str())
        })
        .collect();
    let rules: Vec<&str> = rules.into_iter().collect();
    let noun = if rules.len() == 1 { "rule" } else { "rules" };
    format!("{noun} {}", join_and(&rules))
}

/// Provider names of some findings, distinct and sorted.
fn providers_of(bundle: &Bundle, findings: &[Finding], idx: &[usize]) -> String {
    let names: BTreeSet<&str> = idx
        .iter()
        .map(|&i| bundle.entity_name(&findings[i].provider))
        .collect();
    join_and(&names.into_iter().collect::<Vec<_>>())
}

/// Everything verdicts look up, built once.
struct Index<'a> {
    /// Observations in force, per subject and kind slot.
    observations: HashMap<&'a str, Vec<Vec<usize>>>,
    /// Findings per (subject, provider), the provider exactly.
    exact: HashMap<(&'a str, &'a str), Vec<usize>>,
    /// Findings per (subject, provider or any of its parents).
    under: HashMap<(&'a str, &'a str), Vec<usize>>,
    /// Direct findings per (subject, category).
    direct_in: HashMap<(&'a str, &'a str), Arc<[usize]>>,
    /// Rules per provider or any of its parents.
    rules_under: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Index<'a> {
    fn new(bundle: &'a Bundle, findings: &'a [Finding], timeline: &Timeline) -> Self {
        let slots = Kind::ALL.len();
        let mut observations: HashMap<&str, Vec<Vec<usize>>> = HashMap::default();
        for (i, o) in bundle.observations.iter().enumerate() {
            if timeline.active.is_empty() || timeline.is_active(i) {
                observations
                    .entry(&*o.subject)
                    .or_insert_with(|| vec![Vec::new(); slots])[o.kind.slot()]
                .push(i);
            }
        }
        let mut exact: HashMap<(&str, &str), Vec<usize>> = HashMap::default();
        let mut under: HashMap<(&str, &str), Vec<usize>> = HashMap::default();
        let mut direct: HashMap<(&str, &str), Vec<usize>> = HashMap::default();
        for (i, f) in findings.iter().enumerate() {
            let s = f.subject.as_str();
            exact.entry((s, f.provider.as_str())).or_default().push(i);
            under.entry((s, f.provider.as_str())).or_default().push(i);
            if let Some(p) = bundle.entity_index(&f.provider) {
                for &a in bundle.parent_chain(p) {
                    let a = bundle.entities[a as usize].id.as_str();
                    under.entry((s, a)).or_default().push(i);
                }
            }
            if f.relationship == Relationship::Direct {
                direct.entry((s, f.category.as_str())).or_default().push(i);
            }
        }
        let mut rules_under: HashMap<&str, Vec<usize>> = HashMap::default();
        for (i, r) in bundle.rules.iter().enumerate() {
            rules_under.entry(r.provider.as_str()).or_default().push(i);
            if let Some(p) = bundle.entity_index(&r.provider) {
                for &a in bundle.parent_chain(p) {
                    let a = bundle.entities[a as usize].id.as_str();
                    rules_under.entry(a).or_default().push(i);
                }
            }
        }
        Index {
            observations,
            exact,
            under,
            direct_in: direct.into_iter().map(|(k, v)| (k, v.into())).collect(),
            rules_under,
        }
    }
}

/// The part of a verdict that depends only on (subject, provider, category).
#[derive(Clone)]
struct Judgement {
    verdict: Verdict,
    reason: String,
    evidence: usize,
    grounds: Grounds,
    findings: Arc<[usize]>,
    contradicting: Arc<[usize]>,
    parent_findings: Arc<[usize]>,
    rests_on: Arc<[usize]>,
    rules: Arc<[usize]>,
}

/// Observations of a subject that a category's kinds could show, and
/// their grounds.
type Relevant = (Arc<[usize]>, Grounds);

/// Direct findings of others for (subject, category), with what a reason
/// says of them; shared by every claim on that pair.
struct Others {
    findings: Arc<[usize]>,
    observations: Arc<[usize]>,
    grounds: Grounds,
    names: String,
    rules: String,
}

struct Judge<'a> {
    bundle: &'a Bundle,
    findings: &'a [Finding],
    index: Index<'a>,
    relevant: HashMap<(&'a str, u32), Relevant>,
    others: HashMap<(&'a str, &'a str), Arc<Others>>,
    /// `others` less the findings of a claimed provider's parents: children
    /// of one parent share it.
    others_less: HashMap<(&'a str, &'a str, Vec<usize>), Arc<Others>>,
    /// What a reason says of the parents' findings, by those findings.
    parent_notes: HashMap<Vec<usize>, String>,
    rules: HashMap<(&'a str, Option<&'a str>), Arc<[usize]>>,
    judged: HashMap<(&'a str, &'a str, Option<&'a str>), Judgement>,
}

impl<'a> Judge<'a> {
    /// Observations of `subject` in force whose kind can show `category`,
    /// and their grounds.
    fn relevant(&mut self, subject: &'a str, category: Option<&'a str>) -> (Arc<[usize]>, Grounds) {
        let mask = kinds_mask(category);
        let (bundle, index) = (self.bundle, &self.index);
        self.relevant
            .entry((subject, mask))
            .or_insert_with(|| {
                let mut out: Vec<usize> = index
                    .observations
                    .get(subject)
                    .map(|by_kind| {
                        by_kind
                            .iter()
                            .enumerate()
                            .filter(|(k, _)| mask & (1 << k) != 0)
                            .flat_map(|(_, v)| v.iter().copied())
                            .collect()
                    })
                    .unwrap_or_default();
                out.sort_unstable();
                let grounds = Grounds::of(bundle, &out);
                (out.into(), grounds)
            })
            .clone()
    }

    /// Rules of `provider` (and its children) for `category`.
    fn rules(&mut self, provider: &'a str, category: Option<&'a str>) -> Arc<[usize]> {
        let (bundle, index) = (self.bundle, &self.index);
        self.rules
            .entry((provider, category))
            .or_insert_with(|| {
                index
                    .rules_under
                    .get(provider)
                    .map(|v| {
                        v.iter()
                            .copied()
                            .filter(|&r| category.is_none_or(|c| bundle.rules[r].category == c))
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .clone()
    }

    /// Every direct finding of `subject` in `category`.
    fn others(&mut self, subject: &'a str, category: &'a str) -> Arc<Others> {
        let (bundle, findings, index) = (self.bundle, self.findings, &self.index);
        self.others
            .entry((subject, category))
            .or_insert_with(|| {
                let list = index
                    .direct_in
                    .get(&(subject, category))
                    .cloned()
                    .unwrap_or_else(|| Arc::from(Vec::new()));
                Arc::new(Others::of(bundle, findings, list))
            })
            .clone()
    }

    /// The direct findings of others for (subject, category), leaving out
    /// those for the claimed provider's parents (`parents`, sorted). Shared
    /// unless something is left out. `None` when the claim names no category.
    fn others_except(
        &mut self,
        s: &'a str,
        cat: Option<&'a str>,
        parents: &[usize],
    ) -> Option<Arc<Others>> {
        let c = cat?;
        let all = self.others(s, c);
        if parents.is_empty() {
            return Some(all);
        }
        let (bundle, findings) = (self.bundle, self.findings);
        let less = self
            .others_less
            .entry((s, c, parents.to_vec()))
            .or_insert_with(|| {
                if !all
                    .findings
                    .iter()
                    .any(|i| parents.binary_search(i).is_ok())
                {
                    return all.clone();
                }
                let kept: Vec<usize> = all
                    .findings
                    .iter()
                    .copied()
                    .filter(|i| parents.binary_search(i).is_err())
                    .collect();
                Arc::new(Others::of(bundle, findings, kept.into()))
            });
        Some(less.clone())
    }

    fn judge(&mut self, s: &'a str, p: &'a str, cat: Option<&'a str>) -> Judgement {
        if let Some(j) = self.judged.get(&(s, p, cat)) {
            return j.clone();
        }
        let (b, findings) = (self.bundle, self.findings);
        let empty: Arc<[usize]> = Arc::from(Vec::new());
        let fits = |i: &usize| cat.is_none_or(|c| findings[*i].category == c);
        let mine: Vec<usize> = self
            .index
            .under
            .get(&(s, p))
            .map(|v| v.iter().copied().filter(fits).collect())
            .unwrap_or_default();
        let direct: Vec<usize> = mine
            .iter()
            .copied()
            .filter(|&i| findings[i].relationship == Relationship::Direct)
            .collect();
        // Findings for the claimed provider's parents: they neither support
        // nor contradict a claim about the child.
        let chain: Vec<&str> = b
            .entity_index(p)
            .map(|i| {
                b.parent_chain(i)
                    .iter()
                    .map(|&a| b.entities[a as usize].id.as_str())
                    .collect()
            })
            .unwrap_or_default();
        let mut parents: Vec<usize> = chain
            .iter()
            .filter_map(|a| self.index.exact.get(&(s, *a)))
            .flat_map(|v| v.iter().copied().filter(fits))
            .collect();
        parents.sort_unstable();
        let rules = self.rules(p, cat);
        let (relevant, relevant_grounds) = self.relevant(s, cat);
        let subject_name = b.entity_name(s);
        let provider_name = b.entity_name(p);
        let what = match cat {
            Some(c) => format!("{c} of {subject_name}"),
            None => subject_name.to_string(),
        };
        let mut j = Judgement {
            verdict: Verdict::NoEvidence,
            reason: String::new(),
            evidence: 0,
            grounds: Grounds::Nothing,
            findings: empty.clone(),
            contradicting: empty.clone(),
            parent_findings: parents.clone().into(),
            rests_on: empty.clone(),
            rules: rules.clone(),
        };
        if relevant.is_empty() {
            j.reason = match cat {
                Some(c) => {
                    format!("the bundle holds no observation of {subject_name} that could show {c}")
                }
                None => format!("the bundle holds no observation of {subject_name}"),
            };
        } else if !direct.is_empty() {
            let obs = observations_of(findings, &direct);
            j.verdict = Verdict::Supported;
            j.reason = format!(
                "supported by {} via {}",
                observations(obs.len()),
                rules_of(b, findings, &direct)
            );
            j.evidence = obs.len();
            j.findings = direct.into();
            j.rests_on = obs.into();
        } else if !mine.is_empty() {
            let others = self.others_except(s, cat, &parents);
            let obs = observations_of(findings, &mine);
            let kinds: BTreeSet<&str> = mine
                .iter()
                .map(|&i| findings[i].relationship.as_str())
                .collect();
            let kinds: Vec<&str> = kinds.into_iter().collect();
            let account: Vec<usize> = mine
                .iter()
                .copied()
                .filter(|&i| findings[i].relationship == Relationship::Account)
                .collect();
            let (mine, obs) = if account.is_empty() {
                j.verdict = Verdict::IncidentalOnly;
                j.reason = format!(
                    "only {} findings: {} via {}; none shows {subject_name} as {provider_name}'s customer",
                    kinds.join(" and "),
                    observations(obs.len()),
                    rules_of(b, findings, &mine)
                );
                (mine, obs)
            } else {
                let obs = observations_of(findings, &account);
                j.verdict = Verdict::AccountOnly;
                j.reason = format!(
                    "{subject_name} holds an account with {provider_name} that its page uses ({} via {}); an account may be free, and no finding shows {provider_name} serving {subject_name}'s own domain",
                    observations(obs.len()),
                    rules_of(b, findings, &account)
                );
                // Every finding of the pair belongs to the claim (the
                // graph draws them as its edges); the account ones carry it.
                (mine, obs)
            };
            if let Some(o) = others.as_ref().filter(|o| !o.findings.is_empty()) {
                j.reason.push_str(&format!(
                    "; {what} is directly attributed to {} ({})",
                    o.names, o.rules
                ));
                j.contradicting = o.findings.clone();
            }
            j.evidence = obs.len();
            j.findings = mine.into();
            j.rests_on = obs.into();
        } else if let Some(o) = self
            .others_except(s, cat, &parents)
            .filter(|o| !o.findings.is_empty())
        {
            j.verdict = Verdict::Contradicted;
            j.reason = format!(
                "{what} is attributed to {} instead ({} via {})",
                o.names,
                observations(o.observations.len()),
                o.rules
            );
            j.evidence = o.observations.len();
            j.contradicting = o.findings.clone();
            j.rests_on = o.observations.clone();
            j.grounds = o.grounds;
        } else {
            j.verdict = Verdict::NotFound;
            j.reason = format!(
                "{} of {what} checked ({}); none attributes to {provider_name}",
                observations(relevant.len()),
                ids_of(&relevant, |o| b.observations[o].id.as_str())
            );
            if !parents.is_empty() {
                let note = self.parent_notes.entry(parents.clone()).or_insert_with(|| {
                    format!(
                        "{} attributes it to {}",
                        rules_of(b, findings, &parents),
                        providers_of(b, findings, &parents)
                    )
                });
                j.reason.push_str(&format!(
                    "; {note}, {provider_name}'s parent, which does not say which of its services"
                ));
            }
            if rules.is_empty() {
                j.reason.push_str(&match cat {
                    Some(c) => {
                        format!("; the bundle has no rule that attributes {c} to {provider_name}")
                    }
                    None => format!("; the bundle has no rule for {provider_name}"),
                });
            } else {
                let listed = ids_of(&rules, |r| b.rules[r].id.as_str());
                j.reason.push_str(&format!(
                    "; {} of {provider_name} could have matched: {listed}",
                    noun(rules.len(), "rule", "rules")
                ));
            }
            j.rests_on = relevant;
        }
        j.grounds = match j.verdict {
            Verdict::NotFound => relevant_grounds,
            Verdict::Contradicted => j.grounds,
            _ => Grounds::of(b, &j.rests_on),
        };
        self.judged.insert((s, p, cat), j.clone());
        j
    }
}

impl Others {
    fn of(bundle: &Bundle, findings: &[Finding], list: Arc<[usize]>) -> Self {
        let observations = observations_of(findings, &list);
        Others {
            grounds: Grounds::of(bundle, &observations),
            observations: observations.into(),
            names: providers_of(bundle, findings, &list),
            rules: rules_of(bundle, findings, &list),
            findings: list,
        }
    }
}

/// Gives every claim of `bundle` a verdict from `findings`, counting only
/// the observations `timeline` has in force (all, when its `active` is
/// empty).
///
/// Complexity: O(observations + findings × parent depth + rules × parent
/// depth) to index, then per distinct (subject, provider, category) work
/// linear in the findings and observations it cites; claims that repeat a
/// triple cost a hash lookup.
pub fn verdicts(bundle: &Bundle, findings: &[Finding], timeline: &Timeline) -> Vec<ClaimVerdict> {
    let mut judge = Judge {
        bundle,
        findings,
        index: Index::new(bundle, findings, timeline),
        relevant: HashMap::default(),
        others: HashMap::default(),
        others_less: HashMap::default(),
        parent_notes: HashMap::default(),
        rules: HashMap::default(),
        judged: HashMap::default(),
    };
    bundle
        .claims
        .iter()
        .map(|claim| {
            let j = judge.judge(&claim.subject, &claim.provider, claim.category.as_deref());
            ClaimVerdict {
                claim: claim.id.clone(),
                verdict: j.verdict,
                status: claim.status,
                reason: j.reason,
                evidence: j.evidence,
                grounds: j.grounds,
                findings: j.findings,
                contradicting: j.contradicting,
                parent_findings: j.parent_findings,
                rests_on: j.rests_on,
                rules: j.rules,
            }
        })
        .collect()
}

/// Indices of findings that no claim speaks of: no claim names the
/// finding's subject, a provider it rolls up to, and (if the claim names
/// one) its category.
///
/// Complexity: O(claims + findings × parent depth).
pub fn unclaimed(bundle: &Bundle, findings: &[Finding]) -> Vec<usize> {
    let claimed: crate::hash::HashSet<(&str, &str, Option<&str>)> = bundle
        .claims
        .iter()
        .map(|c| {
            (
                c.subject.as_str(),
                c.provider.as_str(),
                c.category.as_deref(),
            )
        })
        .collect();
    findings
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            let chain: Vec<&str> = std::iter::once(f.provider.as_str())
                .chain(bundle.entity_index(&f.provider).into_iter().flat_map(|i| {
                    bundle
                        .parent_chain(i)
                        .iter()
                        .map(|&a| bundle.entities[a as usize].id.as_str())
                }))
                .collect();
            !chain.iter().any(|p| {
                claimed.contains(&(f.subject.as_str(), *p, None))
                    || claimed.contains(&(f.subject.as_str(), *p, Some(f.category.as_str())))
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
        assert_eq!(
            join_and(&["a", "b", "c", "d", "e", "f", "g"]),
            "a, b, c, d, e and 2 more"
        );
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
            grounds: Grounds::Nothing,
            findings: Arc::from(Vec::new()),
            contradicting: Arc::from(Vec::new()),
            parent_findings: Arc::from(Vec::new()),
            rests_on: Arc::from(Vec::new()),
            rules: Arc::from(Vec::new()),
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
