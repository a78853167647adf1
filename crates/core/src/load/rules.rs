//! `rules`: compiled conditions, validity windows and examples.

use super::reporter::{seed, Loader, Refs, Roles};
use super::{check_url, join_path};
use crate::date::parse_date;
use crate::diag::{Code, JsonPath};
use crate::engine::run_examples;
use crate::limits::Limits;
use crate::matcher::{compile, CompileContext, NamedSet};
use crate::model::*;
use crate::wire;
use serde_json::value::RawValue;
use std::collections::HashMap;

impl<'t> Loader<'t> {
    pub(super) fn load_rules(
        &mut self,
        raw: Option<&'t RawValue>,
        bundle: &mut Bundle,
        refs: &Refs,
        roles: &Roles,
        limits: &Limits,
    ) {
        let Some(raw) = raw else { return };
        let ranges: HashMap<String, NamedSet> = self
            .base
            .ranges
            .iter()
            .chain(&bundle.ranges)
            .map(|r| {
                let named = NamedSet {
                    version: r.version.clone(),
                    set: r.set.clone(),
                };
                (r.id.clone(), named)
            })
            .collect();
        let left_out = self.left_out_ranges.clone();
        let ctx = CompileContext {
            ranges: &ranges,
            left_out: &left_out,
            limits,
        };
        let mut first = seed(self.base.rules.iter().map(|r| r.id.as_str()));
        let mut rules = Vec::new();
        for (e, w) in self.section::<wire::Rule>(
            Some(raw),
            JsonPath::root().field("rules"),
            (limits.max_rules, self.base.rules.len()),
            "rules",
            &mut first,
        ) {
            let mut ok = self
                .entity_ref(&e, "provider", &w.provider, Role::Provider, roles)
                .is_some();
            ok &= self.category_ref(&e, "category", &w.category, refs);
            let relationship = Relationship::parse(&w.relationship);
            if relationship.is_none() {
                self.error(
                    Code::Keyword,
                    &e,
                    "relationship",
                    format!(
                        "unknown relationship \"{}\"; expected {}",
                        w.relationship,
                        Relationship::expected()
                    ),
                );
            }
            let kind = Kind::parse(&w.matcher.kind);
            let Some(kind) = kind else {
                self.error(
                    Code::Keyword,
                    &e,
                    "match.kind",
                    format!(
                        "unknown observation kind \"{}\"; expected one of {}",
                        w.matcher.kind,
                        Kind::expected()
                    ),
                );
                continue;
            };
            if !kind.can_show(&w.category) {
                self.error(
                    Code::CategoryKind,
                    &e,
                    "category",
                    format!(
                        "a {kind} observation cannot show category \"{}\"; it can show {}",
                        w.category,
                        kind.allowed_categories().join(", ")
                    ),
                );
                ok = false;
            }
            let key = match (&w.matcher.key, kind) {
                (Some(k), Kind::HttpHeader) => Some(k.trim().to_ascii_lowercase()),
                (Some(_), k) => {
                    self.error(
                        Code::Value,
                        &e,
                        "match.key",
                        format!("\"key\" is only for http.header rules, not {k}"),
                    );
                    ok = false;
                    None
                }
                (None, Kind::HttpHeader) => {
                    self.error(
                        Code::Value,
                        &e,
                        "match",
                        "an http.header rule needs the header name in \"key\", e.g. \"key\": \"server\"; without it the rule would read no header",
                    );
                    ok = false;
                    None
                }
                (None, _) => None,
            };
            let regexes = count_regexes(&w.matcher.condition);
            if self.regexes + regexes > limits.max_regexes {
                let message = format!(
                    "more than {} regex conditions over all rules; each costs a compilation",
                    limits.max_regexes
                );
                self.error(Code::Limit, &e, "match.condition", message);
                continue;
            }
            self.regexes += regexes;
            let inline = inline_prefixes(&w.matcher.condition);
            if self.prefixes + inline > limits.max_prefixes {
                let message = format!(
                    "more than {} prefixes over all range sets and cidr conditions",
                    limits.max_prefixes
                );
                self.error(Code::Limit, &e, "match.condition", message);
                continue;
            }
            self.prefixes += inline;
            let condition = match compile(&w.matcher.condition, kind, &ctx) {
                Ok(c) if self.regex_bytes + c.regex_bytes() > limits.max_regex_bytes => {
                    let message = format!(
                        "the rules' regexes compile to more than the limit of {} bytes together",
                        limits.max_regex_bytes
                    );
                    self.error(Code::Limit, &e, "match.condition", message);
                    None
                }
                Ok(c) => {
                    self.regex_bytes += c.regex_bytes();
                    Some(c)
                }
                Err(errors) => {
                    for ce in errors {
                        self.error(
                            ce.code,
                            &e,
                            &join_path("match.condition", &ce.path),
                            ce.message,
                        );
                    }
                    None
                }
            };
            if w.explanation.trim().is_empty() {
                self.error(
                    Code::Empty,
                    &e,
                    "explanation",
                    "the explanation is empty; say why a match means this",
                );
                ok = false;
            }
            if w.references.is_empty() {
                self.warn(
                    Code::Unreferenced,
                    &e,
                    if has_field(e.raw, "references") { "references" } else { "" },
                    "no references; add the provider's own documentation that backs the rule, e.g. \"references\": [\"https://…\"]",
                );
            }
            for (i, r) in w.references.iter().enumerate() {
                if let Err(m) = check_url(r) {
                    self.error(Code::Url, &e, &format!("references[{i}]"), m);
                    ok = false;
                }
            }
            let mut dates = [None, None];
            for (slot, (name, v)) in [("valid_from", &w.valid_from), ("valid_to", &w.valid_to)]
                .into_iter()
                .enumerate()
            {
                if let Some(v) = v {
                    match parse_date(v) {
                        Ok(d) => dates[slot] = Some(d),
                        Err(m) => {
                            self.error(Code::Date, &e, name, m);
                            ok = false;
                        }
                    }
                }
            }
            if let [Some(from), Some(to)] = dates {
                if from > to {
                    self.error(Code::Date, &e, "valid_to", "valid_to is before valid_from");
                    ok = false;
                }
            }
            let all_examples = w.examples.must_match.iter().map(|x| ("match", x));
            let all_examples =
                all_examples.chain(w.examples.no_match.iter().map(|x| ("no_match", x)));
            let mut index = [0usize; 2];
            for (list, x) in all_examples {
                let slot = usize::from(list == "no_match");
                let value = match x {
                    wire::Example::Value(v) | wire::Example::Keyed { value: v, .. } => v,
                };
                if value.len() > limits.max_value_bytes {
                    let message = format!(
                        "the example is {} bytes, more than the limit of {} for a value",
                        value.len(),
                        limits.max_value_bytes
                    );
                    self.error(
                        Code::Limit,
                        &e,
                        &format!("examples.{list}[{}]", index[slot]),
                        message,
                    );
                    ok = false;
                }
                index[slot] += 1;
            }
            let n_examples = w.examples.must_match.len() + w.examples.no_match.len();
            if n_examples > limits.max_examples {
                self.error(
                    Code::Limit,
                    &e,
                    "examples",
                    format!(
                        "{n_examples} examples, more than the limit of {}",
                        limits.max_examples
                    ),
                );
                ok = false;
            }
            if w.examples.must_match.is_empty() {
                self.warn(
                    Code::Untested,
                    &e,
                    "examples.match",
                    "no examples the rule must match; add one so the rule is tested",
                );
            }
            let (Some(relationship), Some(condition), true) = (relationship, condition, ok) else {
                continue;
            };
            let to_model = |x: &wire::Example| match x {
                wire::Example::Value(v) => Example {
                    key: None,
                    value: v.clone(),
                },
                wire::Example::Keyed { key, value } => Example {
                    key: Some(key.clone()),
                    value: value.clone(),
                },
            };
            let rule = Rule {
                id: w.id,
                provider: w.provider,
                category: w.category,
                relationship,
                kind,
                key,
                condition,
                explanation: w.explanation,
                references: w.references,
                must_match: w.examples.must_match.iter().map(to_model).collect(),
                no_match: w.examples.no_match.iter().map(to_model).collect(),
                valid_from: dates[0],
                valid_to: dates[1],
            };
            // A rule whose examples misbehave is left out, like any element
            // with an error: its examples say it does not mean what it says.
            let mut examples_ok = true;
            for failure in run_examples(&rule).into_iter().filter(|r| !r.passed) {
                let field = if failure.must_match {
                    "match"
                } else {
                    "no_match"
                };
                self.error(
                    Code::Example,
                    &e,
                    &format!("examples.{field}[{}]", failure.index),
                    format!("rule \"{}\": {}", rule.id, failure.message),
                );
                examples_ok = false;
            }
            if examples_ok {
                rules.push(rule);
            } else {
                bundle.rejected_rules.push(rule);
            }
        }
        bundle.rules = rules;
    }
}

/// The prefixes a condition lists inline (`cidr.prefixes`), which count
/// toward [`Limits::max_prefixes`] with those of the range sets.
fn inline_prefixes(c: &wire::Condition) -> usize {
    c.sum_parts(&|c| match c {
        wire::Condition::Cidr(wire::CidrSpec::Prefixes(p)) => p.len(),
        _ => 0,
    })
}

/// The `regex` conditions in a condition, which count toward
/// [`Limits::max_regexes`].
fn count_regexes(c: &wire::Condition) -> usize {
    c.sum_parts(&|c| usize::from(matches!(c, wire::Condition::Regex(_))))
}

/// Whether the element's JSON object has a top-level field `name`.
fn has_field(raw: &str, name: &str) -> bool {
    serde_json::from_str::<std::collections::HashMap<&str, &RawValue>>(raw)
        .is_ok_and(|m| m.contains_key(name))
}
