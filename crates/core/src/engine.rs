//! The rule engine, shaped like globset: rules are compiled once into a
//! [`RuleSet`], which answers "which rules match this observation" through
//! per-kind indexes instead of trying every rule:
//!
//! | condition       | index                                             |
//! |-----------------|---------------------------------------------------|
//! | `equals`        | hash map on the folded value                      |
//! | `domain_suffix` | hash map probed with each label suffix of a host  |
//! | `contains`, `prefix` | one Aho-Corasick automaton per kind          |
//! | `regex`         | its required literals (see [`crate::literals`]) in one Aho-Corasick automaton per kind; none: tried on every observation of the kind, or, for a rule with a `key` (`http.header`), on every observation with that key |
//! | `cidr`          | a [`PrefixMap`]: every covering prefix            |
//! | `asn`           | hash map on the number                            |
//! | `all`           | indexed under one branch that must hold           |
//! | `any`           | indexed under every branch                        |
//! | `not` (at the top) | tried on every observation of the kind         |
//!
//! The index only proposes candidates; each candidate is then confirmed by
//! evaluating its full condition, key and validity window, which also yields
//! the span for the trace. The set keeps the rules, so a match maps back to
//! its rule (globset's `GlobSet` keeps its globs for the same reason).
//!
//! **Work is counted.** Every index hit costs one unit (each literal match
//! the automata report, each covering prefix), every candidate looked at
//! one, and every candidate confirmed one per part of its condition (times
//! 1 + the value's length / 512) plus, per `regex` part, the value's length
//! in 32-byte blocks times (1 + the regex's compiled size / 16 KiB). A unit
//! is about 0.1 µs here. [`evaluate`] stops at
//! [`Limits::max_work`](crate::Limits::max_work) units with an error, so
//! no bundle within the limits can keep a reader's tab busy for long,
//! whatever its rules are. Real rule sets use a small fraction of it.

use crate::hash::HashMap;
use crate::limits::Limits;
use crate::matcher::{Condition, Hit};
use crate::model::{Bundle, Example, Kind, Provenance, Relationship, Rule};
use crate::normalize::{normalize, Normalized};
use crate::prefix::PrefixMap;
use aho_corasick::AhoCorasick;
use ipnet::IpNet;
use serde::Serialize;
use std::ops::Range;
use std::sync::Arc;

/// Rules compiled into per-kind indexes.
#[derive(Debug)]
pub struct RuleSet<'r> {
    rules: &'r [Rule],
    by_kind: Vec<KindIndex>,
    /// Per rule: the parts of its condition and its regex parts, what
    /// confirming it costs.
    parts: Vec<(u64, u64)>,
}

#[derive(Debug, Default)]
struct KindIndex {
    equals: HashMap<String, Vec<usize>>,
    suffix: HashMap<String, Vec<usize>>,
    /// `contains` and `prefix` literals: each rule, and whether it is a `prefix`.
    literals: LiteralIndex<(usize, bool)>,
    /// Required literals of the kind's regexes, ASCII case-insensitive.
    regex_literals: LiteralIndex<usize>,
    /// Every distinct prefix set of the kind's `cidr` rules, once, mapped
    /// to the set's slot in `cidr_rules`.
    cidr: PrefixMap<usize>,
    /// Per prefix set: the rules that use it.
    cidr_rules: Vec<Vec<usize>>,
    asn: HashMap<u32, Vec<usize>>,
    always: Vec<usize>,
    /// Rules tried on every observation with their key (a header rule
    /// whose regex has no literal: `X-Amz-Cf-Id` present).
    always_keyed: HashMap<String, Vec<usize>>,
}

impl KindIndex {
    /// Files rule `i` (with `key`) under the rules tried on every
    /// observation of the kind, or of the key when it has one.
    fn always(&mut self, i: usize, key: Option<&String>) {
        match key {
            Some(k) => self.always_keyed.entry(k.clone()).or_default().push(i),
            None => self.always.push(i),
        }
    }
}

/// Distinct literals in one Aho-Corasick automaton, each with the rules
/// that use it: a literal a thousand rules share is searched once.
#[derive(Debug)]
struct LiteralIndex<R> {
    automaton: Option<AhoCorasick>,
    rules: Vec<Vec<R>>,
}

impl<R> Default for LiteralIndex<R> {
    fn default() -> Self {
        LiteralIndex {
            automaton: None,
            rules: Vec::new(),
        }
    }
}

impl<R> LiteralIndex<R> {
    /// Calls `f` with each match's rules and start, adding one unit of
    /// `work` per match; stops once `work` passes `limit`.
    fn each_match(&self, text: &str, work: &mut u64, limit: u64, mut f: impl FnMut(&[R], usize)) {
        let Some(ac) = &self.automaton else { return };
        for m in ac.find_overlapping_iter(text) {
            *work += 1;
            if *work > limit {
                return;
            }
            f(&self.rules[m.pattern().as_usize()], m.start());
        }
    }
}

/// Collects the literals of one kind before the automaton is built.
struct LiteralBuilder<R> {
    ids: HashMap<Vec<u8>, usize>,
    patterns: Vec<Vec<u8>>,
    rules: Vec<Vec<R>>,
}

impl<R> Default for LiteralBuilder<R> {
    fn default() -> Self {
        LiteralBuilder {
            ids: HashMap::default(),
            patterns: Vec::new(),
            rules: Vec::new(),
        }
    }
}

impl<R> LiteralBuilder<R> {
    /// Adds `rule` under `pattern`, one entry per distinct pattern.
    fn add(&mut self, pattern: &[u8], rule: R) {
        let id = match self.ids.get(pattern) {
            Some(&id) => id,
            None => {
                self.patterns.push(pattern.to_vec());
                self.rules.push(Vec::new());
                self.ids.insert(pattern.to_vec(), self.rules.len() - 1);
                self.rules.len() - 1
            }
        };
        self.rules[id].push(rule);
    }

    /// The index; or, when the automaton cannot be built, every rule back,
    /// to be tried on every observation.
    fn build(self, ascii_case_insensitive: bool) -> Result<LiteralIndex<R>, Vec<R>> {
        if self.patterns.is_empty() {
            return Ok(LiteralIndex::default());
        }
        match AhoCorasick::builder()
            .ascii_case_insensitive(ascii_case_insensitive)
            .build(&self.patterns)
        {
            Ok(ac) => Ok(LiteralIndex {
                automaton: Some(ac),
                rules: self.rules,
            }),
            Err(_) => Err(self.rules.into_iter().flatten().collect()),
        }
    }
}

/// One rule matching one observation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMatch {
    /// Index of the rule in the set's rule slice.
    pub rule: usize,
    /// What matched.
    pub hit: Hit,
}

impl<'r> RuleSet<'r> {
    /// Compiles `rules` (already validated) into indexes.
    ///
    /// Complexity: linear in the total size of the rules' patterns.
    pub fn new(rules: &'r [Rule]) -> Self {
        let mut by_kind: Vec<KindIndex> = Kind::ALL.iter().map(|_| KindIndex::default()).collect();
        // Each distinct literal is one pattern, however many rules use it.
        let mut literals: Vec<LiteralBuilder<(usize, bool)>> = Kind::ALL
            .iter()
            .map(|_| LiteralBuilder::default())
            .collect();
        let mut regex_literals: Vec<LiteralBuilder<usize>> = Kind::ALL
            .iter()
            .map(|_| LiteralBuilder::default())
            .collect();
        let mut cidr_slots: Vec<HashMap<usize, usize>> = vec![HashMap::default(); Kind::ALL.len()];
        for (i, rule) in rules.iter().enumerate() {
            let slot = rule.kind.slot();
            let idx = &mut by_kind[slot];
            let Some(leaves) = index_leaves(&rule.condition) else {
                idx.always(i, rule.key.as_ref());
                continue;
            };
            for leaf in leaves {
                match leaf {
                    Condition::Equals(s) => idx.equals.entry(s.clone()).or_default().push(i),
                    Condition::DomainSuffix(s) => idx.suffix.entry(s.clone()).or_default().push(i),
                    Condition::Contains(s) | Condition::Prefix(s) => {
                        let is_prefix = matches!(leaf, Condition::Prefix(_));
                        literals[slot].add(s.as_bytes(), (i, is_prefix));
                    }
                    Condition::Regex(re) => match &re.literals {
                        Some(lits) => lits.iter().for_each(|l| regex_literals[slot].add(l, i)),
                        None => idx.always(i, rule.key.as_ref()),
                    },
                    Condition::Cidr(c) => {
                        // Rules naming the same range set share its Arc:
                        // its prefixes go into the index once.
                        let key = Arc::as_ptr(&c.set) as usize;
                        let set_slot = *cidr_slots[slot].entry(key).or_insert_with(|| {
                            let s = idx.cidr_rules.len();
                            idx.cidr_rules.push(Vec::new());
                            for p in c.set.prefixes() {
                                idx.cidr.insert(*p, s);
                            }
                            s
                        });
                        idx.cidr_rules[set_slot].push(i);
                    }
                    Condition::Asn(list) => {
                        for a in list {
                            idx.asn.entry(*a).or_default().push(i);
                        }
                    }
                    Condition::All(_) | Condition::Any(_) | Condition::Not(_) => {
                        unreachable!("index_leaves returns leaves only")
                    }
                }
            }
        }
        let builders = literals.into_iter().zip(regex_literals);
        for (idx, (lits, regex_lits)) in by_kind.iter_mut().zip(builders) {
            match lits.build(false) {
                Ok(index) => idx.literals = index,
                Err(rules) => idx.always.extend(rules.into_iter().map(|(r, _)| r)),
            }
            match regex_lits.build(true) {
                Ok(index) => idx.regex_literals = index,
                Err(rules) => idx.always.extend(rules),
            }
        }
        let parts = rules
            .iter()
            .map(|r| (r.condition.parts() as u64, r.condition.regex_weight()))
            .collect();
        RuleSet {
            rules,
            by_kind,
            parts,
        }
    }

    /// The rules, in the order given.
    pub fn rules(&self) -> &'r [Rule] {
        self.rules
    }

    /// Every rule matching a normalised value of `kind` observed on `date`
    /// (`None`: ignore validity windows), in rule order.
    pub fn matches(
        &self,
        kind: Kind,
        n: &Normalized,
        date: Option<crate::model::Date>,
    ) -> Vec<RuleMatch> {
        let mut out = Vec::new();
        self.matches_into(kind, n, date, &mut Vec::new(), &mut out, &mut 0, u64::MAX);
        out
    }

    /// Like [`RuleSet::matches`], but reuses the caller's buffers: `scratch`
    /// for candidates, `out` (cleared first) for the matches. Adds the work
    /// done (see the module docs) to `work`, and stops as soon as it passes
    /// `limit` (the caller then sees `*work > limit`).
    #[allow(clippy::too_many_arguments)]
    pub fn matches_into(
        &self,
        kind: Kind,
        n: &Normalized,
        date: Option<crate::model::Date>,
        scratch: &mut Vec<usize>,
        out: &mut Vec<RuleMatch>,
        work: &mut u64,
        limit: u64,
    ) {
        out.clear();
        scratch.clear();
        self.candidates_into(kind, n, scratch, work, limit);
        if *work > limit {
            return;
        }
        scratch.sort_unstable();
        scratch.dedup();
        let blocks = 1 + n.text.len() as u64 / 32;
        for &i in scratch.iter() {
            let rule = &self.rules[i];
            // Even a rule skipped for its window costs its look.
            *work += 1;
            if date.is_some_and(|d| !rule.in_force(d)) {
                continue;
            }
            let (parts, regex_weight) = self.parts[i];
            *work += parts * (1 + blocks / 16) + regex_weight * blocks;
            if *work > limit {
                return;
            }
            if let Some(hit) = rule_hit(rule, n) {
                out.push(RuleMatch { rule: i, hit });
            }
        }
    }

    /// Pushes the candidate rules for `n`, adding one unit of `work` per
    /// index hit; stops early once `work` passes `limit`.
    fn candidates_into(
        &self,
        kind: Kind,
        n: &Normalized,
        out: &mut Vec<usize>,
        work: &mut u64,
        limit: u64,
    ) {
        let idx = &self.by_kind[kind.slot()];
        if let Some(v) = idx.equals.get(n.folded()) {
            out.extend(v);
        }
        if !idx.suffix.is_empty() {
            if let Some(h) = &n.host {
                let host = &n.folded()[h.clone()];
                let mut rest = host;
                loop {
                    if let Some(v) = idx.suffix.get(rest) {
                        out.extend(v);
                    }
                    match rest.find('.') {
                        Some(dot) => rest = &rest[dot + 1..],
                        None => break,
                    }
                }
            }
        }
        // Literal automata report every (pattern, position); each report
        // is work, so a hostile value of 16 KiB of "a" stops at the limit.
        idx.literals
            .each_match(n.folded(), work, limit, |rules, start| {
                let fits = rules
                    .iter()
                    .filter(|(_, is_prefix)| !is_prefix || start == 0);
                out.extend(fits.map(|(rule, _)| *rule));
            });
        idx.regex_literals
            .each_match(&n.text, work, limit, |rules, _| out.extend(rules));
        if *work > limit {
            return;
        }
        if let (Some(ip), false) = (n.ip, idx.cidr.is_empty()) {
            let covering = idx.cidr.covering(ip);
            *work += covering.len() as u64;
            let mut slots: Vec<usize> = covering.into_iter().map(|(_, s)| *s).collect();
            slots.sort_unstable();
            slots.dedup();
            for s in slots {
                out.extend(&idx.cidr_rules[s]);
            }
        }
        if let Some(a) = n.asn {
            if let Some(v) = idx.asn.get(&a) {
                out.extend(v);
            }
        }
        *work += out.len() as u64;
        out.extend(&idx.always);
        if let Some(v) = n.key.as_ref().and_then(|k| idx.always_keyed.get(k)) {
            out.extend(v);
        }
    }
}

/// The leaf conditions to index a condition under: it can only hold if
/// one of them holds. `None` when no such set exists (a `not` at the top,
/// or an `any` with such a branch); the rule is then tried on every
/// observation of its kind. For `all`, one indexable branch suffices
/// (globset indexes a glob by a required literal in the same way).
fn index_leaves(cond: &Condition) -> Option<Vec<&Condition>> {
    match cond {
        Condition::Not(_) => None,
        // The most selective branch: `v=spf1` is a poor key when the next
        // branch asks for `include:spf.example.net`.
        Condition::All(items) => items
            .iter()
            .filter_map(index_leaves)
            .max_by_key(|leaves| leaves.iter().map(|l| selectivity(l)).min().unwrap_or(0)),
        Condition::Any(items) => {
            let mut out = Vec::new();
            for i in items {
                out.extend(index_leaves(i)?);
            }
            Some(out)
        }
        leaf => Some(vec![leaf]),
    }
}

/// A rough score of how few observations a leaf lets through.
fn selectivity(leaf: &Condition) -> usize {
    match leaf {
        Condition::Equals(_) | Condition::DomainSuffix(_) | Condition::Asn(_) => 1_000,
        Condition::Cidr(c) => c
            .set
            .prefixes()
            .iter()
            .map(|p| p.prefix_len() as usize * 10)
            .min()
            .unwrap_or(0),
        Condition::Contains(s) | Condition::Prefix(s) => s.len(),
        _ => 0,
    }
}

/// Whether `rule` matches `n`, ignoring its validity window.
pub fn rule_hit(rule: &Rule, n: &Normalized) -> Option<Hit> {
    if let Some(k) = &rule.key {
        if n.key.as_deref() != Some(k.as_str()) {
            return None;
        }
    }
    rule.condition.eval(n)
}

/// The outcome of one rule example.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExampleResult {
    /// Whether this was a must-match example.
    pub must_match: bool,
    /// Index within its list.
    pub index: usize,
    /// The example as written.
    pub value: String,
    /// Whether it behaved as the rule says.
    pub passed: bool,
    /// What happened, in words.
    pub message: String,
}

/// Runs every example of `rule`; validity windows are ignored.
pub fn run_examples(rule: &Rule) -> Vec<ExampleResult> {
    let lists = [(true, &rule.must_match), (false, &rule.no_match)];
    let mut out = Vec::new();
    for (must_match, list) in lists {
        for (index, ex) in list.iter().enumerate() {
            out.push(run_example(rule, must_match, index, ex));
        }
    }
    out
}

/// Normalises a rule's example as an observation of the rule's kind; the
/// example's own key, else the rule's, names the header.
pub fn normalize_example(rule: &Rule, ex: &Example) -> Result<Normalized, String> {
    normalize(
        rule.kind,
        ex.key.as_deref().or(rule.key.as_deref()),
        &ex.value,
    )
}

fn run_example(rule: &Rule, must_match: bool, index: usize, ex: &Example) -> ExampleResult {
    let shown = match &ex.key {
        Some(k) => format!("{k}: {}", ex.value),
        None => ex.value.clone(),
    };
    let result = |passed: bool, message: String| ExampleResult {
        must_match,
        index,
        value: shown.clone(),
        passed,
        message,
    };
    let n = match normalize_example(rule, ex) {
        Ok(n) => n,
        Err(m) => {
            return result(
                false,
                format!("example is not a valid {} value: {m}", rule.kind),
            )
        }
    };
    match (must_match, rule_hit(rule, &n)) {
        (true, Some(h)) => result(true, format!("matches \"{}\"", &n.text[h.span])),
        (true, None) => result(
            false,
            format!("example \"{shown}\" should match, but does not"),
        ),
        (false, None) => result(true, "does not match".into()),
        (false, Some(h)) => result(
            false,
            format!(
                "example \"{shown}\" should not match, but matches \"{}\"",
                &n.text[h.span]
            ),
        ),
    }
}

/// Why one observation supports one finding: indices into the bundle (as
/// petgraph passes `NodeIndex`, never names), resolved for people by
/// [`Trace::describe`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Trace {
    /// Index of the rule in [`Bundle::rules`].
    pub rule: usize,
    /// Index of the observation in [`Bundle::observations`].
    pub observation: usize,
    /// Byte range of the match within the observation's normalised value.
    pub span: Range<usize>,
    /// Index of the range set matched, if any, in [`Bundle::ranges`].
    pub range: Option<usize>,
    /// Every covering prefix, for `cidr` matches, shortest first.
    #[serde(serialize_with = "ser_prefixes", deserialize_with = "de_prefixes")]
    pub prefixes: Vec<IpNet>,
}

fn ser_prefixes<S: serde::Serializer>(p: &[IpNet], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(p.iter().map(|n| n.to_string()))
}

fn de_prefixes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<IpNet>, D::Error> {
    use serde::de::Error;
    let texts: Vec<String> = serde::Deserialize::deserialize(d)?;
    texts
        .iter()
        .map(|t| {
            t.parse()
                .map_err(|_| D::Error::custom(format!("not a prefix: {t}")))
        })
        .collect()
}

/// A trace with every index resolved: what people and `--json` read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceView {
    /// The rule's id.
    pub rule: String,
    /// The observation's id.
    pub observation: String,
    /// The observation kind.
    pub kind: Kind,
    /// The matched text.
    pub matched: String,
    /// Byte range of the match within the observation's normalised value.
    pub span: Range<usize>,
    /// The range set matched, if any.
    pub range: Option<String>,
    /// That range set's version.
    pub range_version: Option<String>,
    /// Every covering prefix, for `cidr` matches.
    pub prefixes: Vec<String>,
    /// When the observation was made.
    pub observed_at: String,
    /// How it came to be in the bundle.
    pub provenance: Provenance,
}

impl Trace {
    /// The matched text within the observation's normalised value.
    pub fn matched<'b>(&self, bundle: &'b Bundle) -> &'b str {
        let text = &bundle.observations[self.observation].normalized().text;
        text.get(self.span.clone()).unwrap_or("")
    }

    /// Resolves the indices against `bundle`.
    pub fn describe(&self, bundle: &Bundle) -> TraceView {
        let rule = &bundle.rules[self.rule];
        let obs = &bundle.observations[self.observation];
        let range = self.range.map(|r| &bundle.ranges[r]);
        TraceView {
            rule: rule.id.clone(),
            observation: obs.id.clone(),
            kind: obs.kind,
            matched: self.matched(bundle).to_string(),
            span: self.span.clone(),
            range: range.map(|r| r.id.clone()),
            range_version: range.and_then(|r| r.version.clone()),
            prefixes: self.prefixes.iter().map(|p| p.to_string()).collect(),
            observed_at: obs.observed_at.text.to_string(),
            provenance: obs.provenance,
        }
    }
}

/// An attribution: this subject uses this provider for this category, with
/// this relationship, because of these traces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Finding {
    /// Subject entity id.
    pub subject: String,
    /// Provider entity id (the rule's provider, before roll-up; its parent
    /// chain is [`Bundle::ancestors`]).
    pub provider: String,
    /// Category id.
    pub category: String,
    /// Relationship.
    pub relationship: Relationship,
    /// One trace per (observation, rule) match, in observation order.
    pub traces: Vec<Trace>,
}

impl Finding {
    /// The number of distinct observations behind the finding.
    pub fn evidence_count(&self) -> usize {
        let mut ids: Vec<usize> = self.traces.iter().map(|t| t.observation).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }
}

/// What [`evaluate`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluation {
    /// Findings, ordered by (subject, provider, category, relationship).
    pub findings: Vec<Finding>,
    /// Observations evaluated that no rule matched, in bundle order.
    pub unmatched: Vec<usize>,
    /// Set when evaluation stopped at a limit ([`Limits::max_matches`] or
    /// [`Limits::max_work`]): the findings are those of the matches before
    /// it, and verdicts on them are incomplete.
    pub stopped: Option<Stop>,
    /// Work done, in the units of the module docs.
    pub work: u64,
}

/// Why evaluation stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// After this many matches.
    Matches(usize),
    /// After this much work.
    Work(u64),
}

/// Runs every rule of `bundle` over the observations `active` marks (all
/// of them when `active` is empty) and groups the matches into findings.
/// Stops, with [`Evaluation::stopped`] set, after `limits.max_matches`
/// matches or `limits.max_work` units of work.
///
/// Complexity: O(rules) to compile, then per observation O(index probes +
/// candidates); independent of the number of rules that cannot match.
pub fn evaluate(bundle: &Bundle, active: &[bool], limits: &Limits) -> Evaluation {
    evaluate_with(bundle, active, limits, &mut |_, _| {})
}

/// Observations between two calls of [`evaluate_with`]'s `progress`.
pub const PROGRESS_EVERY: usize = 8_192;

/// [`evaluate`], calling `progress(done, total)` every [`PROGRESS_EVERY`]
/// observations: how many of the bundle's observations it has gone
/// through, for a progress bar.
pub fn evaluate_with(
    bundle: &Bundle,
    active: &[bool],
    limits: &Limits,
    progress: &mut dyn FnMut(usize, usize),
) -> Evaluation {
    let set = RuleSet::new(&bundle.rules);
    let range_index: HashMap<&str, usize> = bundle
        .ranges
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    // A rule's finding is (provider, category, relationship): number those
    // once, so each match hashes two integers, not four strings. Hash
    // while collecting, sort once at the end.
    let mut group_of_rule: Vec<u32> = Vec::with_capacity(bundle.rules.len());
    let mut group_keys: Vec<(&str, &str, Relationship)> = Vec::new();
    {
        let mut ids: HashMap<(&str, &str, Relationship), u32> = HashMap::default();
        for r in &bundle.rules {
            let key = (r.provider.as_str(), r.category.as_str(), r.relationship);
            let id = *ids.entry(key).or_insert_with(|| {
                group_keys.push(key);
                group_keys.len() as u32 - 1
            });
            group_of_rule.push(id);
        }
    }
    let mut subject_ids: HashMap<&str, u32> = HashMap::default();
    let mut subject_names: Vec<&str> = Vec::new();
    let mut groups: HashMap<(u32, u32), Vec<Trace>> = HashMap::default();
    let (mut scratch, mut matches) = (Vec::new(), Vec::new());
    let mut unmatched = Vec::new();
    let mut total = 0usize;
    let mut work = 0u64;
    let mut stopped = None;
    let of = bundle.observations.len();
    'observations: for (oi, obs) in bundle.observations.iter().enumerate() {
        if oi > 0 && oi.is_multiple_of(PROGRESS_EVERY) {
            progress(oi, of);
        }
        if !active.is_empty() && !active[oi] {
            continue;
        }
        let n = obs.normalized();
        set.matches_into(
            obs.kind,
            n,
            Some(obs.observed_at.date),
            &mut scratch,
            &mut matches,
            &mut work,
            limits.max_work,
        );
        if work > limits.max_work {
            stopped = Some(Stop::Work(work));
            break;
        }
        if matches.is_empty() {
            unmatched.push(oi);
            continue;
        }
        let subject = *subject_ids.entry(&*obs.subject).or_insert_with(|| {
            subject_names.push(&*obs.subject);
            subject_names.len() as u32 - 1
        });
        for m in matches.drain(..) {
            if total >= limits.max_matches {
                stopped = Some(Stop::Matches(total));
                break 'observations;
            }
            total += 1;
            let range = m
                .hit
                .range
                .as_ref()
                .and_then(|(r, _)| range_index.get(r.as_str()).copied());
            groups
                .entry((subject, group_of_rule[m.rule]))
                .or_default()
                .push(Trace {
                    rule: m.rule,
                    observation: oi,
                    span: m.hit.span,
                    range,
                    prefixes: m.hit.prefixes,
                });
        }
    }
    let mut groups: Vec<_> = groups
        .into_iter()
        .map(|((s, g), traces)| {
            let (p, c, r) = group_keys[g as usize];
            ((subject_names[s as usize], p, c, r), traces)
        })
        .collect();
    groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let findings = groups
        .into_iter()
        .map(|((s, p, c, r), traces)| Finding {
            subject: s.to_string(),
            provider: p.to_string(),
            category: c.to_string(),
            relationship: r,
            traces,
        })
        .collect();
    Evaluation {
        findings,
        unmatched,
        stopped,
        work,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::is_domain_suffix;
    use crate::{load, Limits};

    const BUNDLE: &str = r#"{
      "format": "whoserves/1",
      "meta": {"title": "engine test"},
      "entities": [
        {"id": "firm", "role": "subject", "name": "Firm"},
        {"id": "amazon", "role": "provider", "name": "Amazon"},
        {"id": "aws", "role": "provider", "name": "AWS", "parent": "amazon"},
        {"id": "msft", "role": "provider", "name": "Microsoft"}
      ],
      "ranges": [
        {"id": "aws-all", "provider": "aws", "version": "2020-05-01", "source": "https://ip-ranges.amazonaws.com/ip-ranges.json",
         "prefixes": ["52.0.0.0/8"]},
        {"id": "aws-cf", "provider": "aws", "version": "2020-05-01", "source": "https://ip-ranges.amazonaws.com/ip-ranges.json",
         "prefixes": ["52.84.0.0/15"]}
      ],
      "rules": [
        {"id": "mx", "provider": "msft", "category": "email", "relationship": "direct",
         "match": {"kind": "dns.mx", "condition": {"domain_suffix": "protection.outlook.com"}},
         "explanation": "x", "examples": {"match": ["a.mail.protection.outlook.com"], "no_match": ["evil-protection.outlook.com"]}},
        {"id": "ec2", "provider": "aws", "category": "hosting", "relationship": "direct",
         "match": {"kind": "dns.a", "condition": {"cidr": {"range": "aws-all"}}},
         "explanation": "x", "examples": {"match": ["52.1.2.3"]}},
        {"id": "cf", "provider": "aws", "category": "cdn", "relationship": "direct",
         "match": {"kind": "dns.a", "condition": {"cidr": {"range": "aws-cf"}}},
         "explanation": "x", "examples": {"match": ["52.84.2.3"]}, "valid_from": "2020-01-01"}
      ],
      "observations": [
        {"id": "o1", "subject": "firm", "target": "firm.example", "kind": "dns.mx", "value": "10 firm-example.mail.protection.outlook.com.",
         "observed_at": "2020-05-01", "source": "https://example.com", "provenance": "synthetic"},
        {"id": "o2", "subject": "firm", "target": "www.firm.example", "kind": "dns.a", "value": "52.84.9.9",
         "observed_at": "2020-05-01", "source": "https://example.com", "provenance": "synthetic"},
        {"id": "o3", "subject": "firm", "target": "old.firm.example", "kind": "dns.a", "value": "52.85.9.9",
         "observed_at": "2019-05-01", "source": "https://example.com", "provenance": "synthetic"}
      ]
    }"#;

    #[test]
    fn an_ip_in_overlapping_ranges_yields_every_rule() {
        let loaded = load(BUNDLE, &Limits::default());
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        let b = &loaded.bundle;
        let findings = evaluate(b, &[], &Limits::default()).findings;
        let summary: Vec<String> = findings
            .iter()
            .map(|f| {
                let obs: Vec<&str> = f
                    .traces
                    .iter()
                    .map(|t| b.observations[t.observation].id.as_str())
                    .collect();
                format!(
                    "{} {} {} {}",
                    f.provider,
                    f.category,
                    f.relationship,
                    obs.join(",")
                )
            })
            .collect();
        // o3 predates the CloudFront rule's window, so only EC2 sees it.
        assert_eq!(
            summary,
            [
                "aws cdn direct o2",
                "aws hosting direct o2,o3",
                "msft email direct o1"
            ]
        );
        let cdn = findings[0].traces[0].describe(b);
        assert_eq!(cdn.range.as_deref(), Some("aws-cf"));
        assert_eq!(cdn.range_version.as_deref(), Some("2020-05-01"));
        assert_eq!(b.ancestors(&findings[0].provider), ["amazon"]);
        let mx = &findings[2].traces[0];
        assert_eq!(mx.matched(b), "protection.outlook.com");
        let o1 = &loaded.bundle.observations[0];
        assert_eq!(
            &o1.normalized().text[mx.span.clone()],
            "protection.outlook.com"
        );
    }

    #[test]
    fn examples_report_both_ways() {
        let loaded = load(BUNDLE, &Limits::default());
        let results = run_examples(&loaded.bundle.rules[0]);
        assert_eq!(results.len(), 2);
        assert!(results.iter().all(|r| r.passed));
        assert_eq!(results[0].message, "matches \"protection.outlook.com\"");
    }

    #[test]
    fn index_and_brute_force_agree() {
        let loaded = load(BUNDLE, &Limits::default());
        let set = RuleSet::new(&loaded.bundle.rules);
        for obs in &loaded.bundle.observations {
            let fast: Vec<usize> = set
                .matches(obs.kind, obs.normalized(), None)
                .iter()
                .map(|m| m.rule)
                .collect();
            let slow: Vec<usize> = loaded
                .bundle
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.kind == obs.kind && rule_hit(r, obs.normalized()).is_some())
                .map(|(i, _)| i)
                .collect();
            assert_eq!(fast, slow, "{}", obs.id);
        }
    }

    #[test]
    fn suffix_probe_respects_labels() {
        assert!(is_domain_suffix("a.b.c", "b.c"));
        assert!(!is_domain_suffix("ab.c", "b.c"));
    }
}
