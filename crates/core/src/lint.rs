//! Lints over a rule set that validation does not make errors.
//!
//! [`overlaps`] is a collision check in the manner of Exodus's: a rule's own
//! must-match examples should not also be matched by a rule of an unrelated
//! provider. When they are, one observation would be attributed to two
//! unrelated providers at once, and at least one of the rules is too broad.

use crate::engine::{normalize_example, RuleSet};
use crate::model::Bundle;
use serde::Serialize;

/// One rule example that a rule of another provider also matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overlap {
    /// The rule whose example it is.
    pub rule: String,
    /// Its provider.
    pub provider: String,
    /// The example value.
    pub example: String,
    /// The other rule that matches it.
    pub other_rule: String,
    /// The other rule's provider.
    pub other_provider: String,
}

/// Every (rule, example, other rule) where the other rule belongs to a
/// provider of another family (see [`Bundle::family`]) and matches the
/// example. Within one family overlaps are expected: AWS's `AMAZON` range
/// set covers its `CLOUDFRONT` set, and both findings are true. Validity
/// windows are ignored.
pub fn overlaps(bundle: &Bundle) -> Vec<Overlap> {
    let set = RuleSet::new(&bundle.rules);
    let mut out = Vec::new();
    for rule in &bundle.rules {
        for ex in &rule.must_match {
            let Ok(n) = normalize_example(rule, ex) else {
                continue;
            };
            for m in set.matches(rule.kind, &n, None) {
                let other = &bundle.rules[m.rule];
                if bundle.family(&other.provider) != bundle.family(&rule.provider) {
                    out.push(Overlap {
                        rule: rule.id.clone(),
                        provider: rule.provider.clone(),
                        example: ex.value.clone(),
                        other_rule: other.id.clone(),
                        other_provider: other.provider.clone(),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{load, Limits};

    #[test]
    fn flags_a_too_broad_rule() {
        let text = r#"{"format": "whoserves/1", "meta": {"title": "t"},
          "entities": [{"id": "a", "role": "provider", "name": "A"}, {"id": "b", "role": "provider", "name": "B"},
                       {"id": "a2", "role": "provider", "name": "A2", "parent": "a"},
                       {"id": "a3", "role": "provider", "name": "A3", "parent": "a"}],
          "rules": [
            {"id": "ra", "provider": "a", "category": "cdn", "relationship": "direct",
             "match": {"kind": "dns.cname", "condition": {"domain_suffix": "cdn.a.example"}},
             "explanation": "x", "examples": {"match": ["x.cdn.a.example"]}},
            {"id": "ra2", "provider": "a2", "category": "cdn", "relationship": "direct",
             "match": {"kind": "dns.cname", "condition": {"domain_suffix": "a.example"}},
             "explanation": "x", "examples": {"match": ["a.example"]}},
            {"id": "ra3", "provider": "a3", "category": "cdn", "relationship": "direct",
             "match": {"kind": "dns.cname", "condition": {"domain_suffix": "x.cdn.a.example"}},
             "explanation": "x", "examples": {"match": ["x.cdn.a.example"]}},
            {"id": "rb", "provider": "b", "category": "cdn", "relationship": "direct",
             "match": {"kind": "dns.cname", "condition": {"contains": "cdn"}},
             "explanation": "x", "examples": {"match": ["cdn.b.example"]}}
          ]}"#;
        let loaded = load(text, &Limits::default());
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        let found: Vec<(String, String)> = overlaps(&loaded.bundle)
            .into_iter()
            .map(|o| (o.rule, o.other_rule))
            .collect();
        // ra2 is A's child and ra3 its sibling: one family. Only B's broad
        // rule collides, with the examples of ra and ra3.
        assert_eq!(
            found,
            [
                ("ra".to_string(), "rb".to_string()),
                ("ra3".to_string(), "rb".to_string())
            ]
        );
    }
}
