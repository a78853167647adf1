//! Property tests: loading and evaluation never panic on arbitrary input,
//! and the indexed rule engine agrees with trying every rule.

use proptest::prelude::*;
use serde_json::Value;
use whoserves_core::engine::{rule_hit, RuleSet};
use whoserves_core::{analyze, load, Limits};

const FIXTURE: &str = include_str!("../../../tests/fixtures/verdicts/all-features.json");

/// An arbitrary JSON value of bounded size.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-z0-9.:/ =_-]{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "dns.mx",
            "dns.a",
            "ip.asn",
            "http.header",
            "direct",
            "weak",
            "subject",
            "provider",
            "alpha",
            "nimbus",
            "fixture",
            "2020-05-01",
            "203.0.113.0/24",
            "(",
            "AS1",
            "https://x.example/",
        ])
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Replaces the value at a pseudo-random place in `v` with `new`.
fn mutate(v: &mut Value, mut choice: usize, new: Value) {
    let mut cur = v;
    loop {
        let len = match cur {
            Value::Array(a) => a.len(),
            Value::Object(o) => o.len(),
            _ => 0,
        };
        if len == 0 || choice.is_multiple_of(4) {
            *cur = new;
            return;
        }
        let i = (choice / 4) % len;
        choice /= 3;
        cur = match cur {
            Value::Array(a) => &mut a[i],
            Value::Object(o) => o.values_mut().nth(i).unwrap(),
            _ => unreachable!(),
        };
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let a = analyze(&text, &Limits::default());
        prop_assert!(a.has_errors());
    }

    #[test]
    fn arbitrary_json_never_panics(v in json_value()) {
        let _ = analyze(&v.to_string(), &Limits::default());
    }

    #[test]
    fn mutated_fixtures_never_panic(choices in prop::collection::vec((any::<usize>(), json_value()), 1..4)) {
        let mut v: Value = serde_json::from_str(FIXTURE).unwrap();
        for (choice, new) in choices {
            mutate(&mut v, choice, new);
        }
        let text = serde_json::to_string_pretty(&v).unwrap();
        let a = analyze(&text, &Limits::default());
        // Every diagnostic that has a position points inside the text.
        let lines = text.lines().count().max(1);
        for d in &a.diagnostics {
            if let Some(l) = d.line {
                prop_assert!(l >= 1 && l <= lines + 1, "{d:?}");
            }
        }
    }

    #[test]
    fn index_agrees_with_brute_force(value in "[a-z0-9. =:/_-]{0,40}", kind_i in 0usize..13, key_i in 0usize..3) {
        let loaded = load(FIXTURE, &Limits::default());
        let kind = whoserves_core::model::Kind::ALL[kind_i];
        // The fixture's header rule is keyed and unindexable (its regex has
        // no literal): it is proposed for its own key only.
        let key = (kind == whoserves_core::model::Kind::HttpHeader)
            .then_some(["x-nimbus-edge", "X-Nimbus-Edge", "server"][key_i]);
        if let Ok(n) = whoserves_core::normalize::normalize(kind, key, &value) {
            let set = RuleSet::new(&loaded.bundle.rules);
            let fast: Vec<usize> = set.matches(kind, &n, None).iter().map(|m| m.rule).collect();
            let slow: Vec<usize> = loaded.bundle.rules.iter().enumerate()
                .filter(|(_, r)| r.kind == kind && rule_hit(r, &n).is_some())
                .map(|(i, _)| i)
                .collect();
            prop_assert_eq!(fast, slow);
        }
    }

    #[test]
    fn domain_suffix_is_label_aware(labels in prop::collection::vec("[a-z]{1,5}", 1..5), junk in "[a-z-]{1,4}") {
        use whoserves_core::matcher::is_domain_suffix;
        let suffix = labels.join(".");
        prop_assert!(is_domain_suffix(&suffix, &suffix));
        let sub = format!("{junk}.{suffix}");
        prop_assert!(is_domain_suffix(&sub, &suffix));
        let glued = format!("{junk}{suffix}");
        prop_assert!(!is_domain_suffix(&glued, &suffix));
    }

    /// The literals the index uses for a regex are in every match of it.
    #[test]
    fn regex_literals_are_in_every_match(
        picks in prop::collection::vec((0usize..9, 0usize..2), 1..7),
        junk in "[a-z]{0,3}",
    ) {
        // Each piece of regex, with two texts it matches.
        const PIECES: [(&str, [&str; 2]); 9] = [
            ("abc", ["abc", "abc"]),
            ("[0-9]+", ["4", "2025"]),
            ("(foo|barre)", ["foo", "barre"]),
            ("x?", ["", "x"]),
            ("(?i:Quxo)", ["qUXo", "QUXO"]),
            ("\\.", [".", "."]),
            ("dns", ["dns", "dns"]),
            ("(net|org|co)", ["org", "co"]),
            ("(?:ab)+", ["ab", "abab"]),
        ];
        let pattern: String = picks.iter().map(|(p, _)| PIECES[*p].0).collect();
        let text: String = picks.iter().map(|(p, v)| PIECES[*p].1[*v]).collect();
        let haystack = format!("{junk}{text}{junk}");
        if let Some(lits) = whoserves_core::literals::required_literals(&pattern) {
            let re = whoserves_core::matcher::Pattern::new(&pattern, 1 << 20).unwrap();
            let m = re.find(&haystack).expect("the text matches its own pattern");
            let found = haystack[m].to_ascii_lowercase();
            prop_assert!(
                lits.iter().any(|l| found.contains(std::str::from_utf8(l).unwrap())),
                "{pattern} matched {found:?}, which holds none of {lits:?}"
            );
        }
    }
}
