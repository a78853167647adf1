//! Fixture tests: bundles under `tests/fixtures/` against expected output.
//!
//! - `verdicts/NAME.json` -> `verdicts/NAME.expected`: one line per claim
//!   (verdict, status, evidence count, reason), then one per unclaimed finding.
//! - `broken/NAME.json` -> `broken/NAME.expected`: the exact diagnostics,
//!   rendered as the CLI prints them. One file per diagnostic class.
//!
//! `WHOSERVES_BLESS=1 cargo test --test fixtures` rewrites the expected
//! files from the current output; review the diff before committing.

use std::fs;
use std::path::{Path, PathBuf};
use whoserves_core::{analyze, Analysis, Limits};

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(dir);
    let mut files: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", root.display());
    files
}

/// Small limits for the `limit-*` fixtures, so they stay small files.
fn limits_for(name: &str) -> Limits {
    match name {
        "limit-count" => Limits {
            max_observations: 2,
            ..Limits::default()
        },
        "limit-size" => Limits {
            max_bytes: 4096,
            ..Limits::default()
        },
        _ => Limits::default(),
    }
}

fn check(path: &Path, actual: &str) -> Option<String> {
    let expected_path = path.with_extension("expected");
    if std::env::var_os("WHOSERVES_BLESS").is_some() {
        fs::write(&expected_path, actual).unwrap();
        return None;
    }
    let expected = fs::read_to_string(&expected_path)
        .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
    (expected != actual).then(|| {
        format!(
            "{}\n--- expected\n{expected}--- actual\n{actual}",
            path.display()
        )
    })
}

fn name_of(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

/// Renders verdicts and unclaimed findings, one line each.
pub fn render_verdicts(a: &Analysis) -> String {
    let mut out = String::new();
    for (claim, v) in a.bundle.claims.iter().zip(&a.verdicts) {
        out.push_str(&format!(
            "claim {}: {} ({}), evidence {}: {}\n",
            claim.id,
            v.verdict.as_str(),
            claim.status,
            v.evidence,
            v.reason
        ));
    }
    for &i in &a.unclaimed {
        let f = &a.findings[i];
        let mut rules: Vec<&str> = f.traces.iter().map(|t| t.rule.as_str()).collect();
        rules.sort();
        rules.dedup();
        out.push_str(&format!(
            "unclaimed {} -> {} {} {}, evidence {}: {}\n",
            f.subject,
            f.provider,
            f.category,
            f.relationship,
            f.evidence_count(),
            rules.join(", ")
        ));
    }
    out
}

#[test]
fn verdict_fixtures() {
    let mut failures = Vec::new();
    for path in fixtures("verdicts") {
        let a = analyze(&fs::read_to_string(&path).unwrap(), &Limits::default());
        let diags: Vec<String> = a
            .diagnostics
            .iter()
            .map(|d| d.render(&name_of(&path)))
            .collect();
        assert!(
            diags.is_empty(),
            "{} should load cleanly:\n{}",
            path.display(),
            diags.join("\n")
        );
        failures.extend(check(&path, &render_verdicts(&a)));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn broken_fixtures() {
    let mut failures = Vec::new();
    for path in fixtures("broken") {
        let name = name_of(&path);
        let a = analyze(&fs::read_to_string(&path).unwrap(), &limits_for(&name));
        assert!(a.has_errors(), "{} should have an error", path.display());
        let mut text = String::new();
        for d in &a.diagnostics {
            text.push_str(&d.render(&format!("{name}.json")));
            text.push('\n');
        }
        failures.extend(check(&path, &text));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_verdict_and_matcher_kind_is_exercised() {
    use whoserves_core::matcher::Condition;
    use whoserves_core::model::Kind;
    use whoserves_core::Verdict;
    let path = fixtures("verdicts")
        .into_iter()
        .find(|p| name_of(p) == "all-features")
        .unwrap();
    let a = analyze(&fs::read_to_string(&path).unwrap(), &Limits::default());
    for v in Verdict::ALL {
        assert!(
            a.verdicts.iter().any(|cv| cv.verdict == v),
            "no claim is {v}"
        );
    }
    // Every observation kind appears and every rule fires.
    for k in Kind::ALL {
        assert!(
            a.bundle.observations.iter().any(|o| o.kind == *k),
            "no {k} observation"
        );
    }
    let fired: std::collections::BTreeSet<&str> = a
        .findings
        .iter()
        .flat_map(|f| f.traces.iter().map(|t| t.rule.as_str()))
        .collect();
    for r in &a.bundle.rules {
        assert!(fired.contains(r.id.as_str()), "rule {} never fires", r.id);
    }
    fn kinds(c: &Condition, out: &mut std::collections::BTreeSet<&'static str>) {
        let name = match c {
            Condition::Equals(_) => "equals",
            Condition::DomainSuffix(_) => "domain_suffix",
            Condition::Contains(_) => "contains",
            Condition::Prefix(_) => "prefix",
            Condition::Regex(_) => "regex",
            Condition::Cidr(_) => "cidr",
            Condition::Asn(_) => "asn",
            Condition::All(v) | Condition::Any(v) => {
                v.iter().for_each(|i| kinds(i, out));
                if matches!(c, Condition::All(_)) {
                    "all"
                } else {
                    "any"
                }
            }
            Condition::Not(i) => {
                kinds(i, out);
                "not"
            }
        };
        out.insert(name);
    }
    let mut seen = std::collections::BTreeSet::new();
    a.bundle
        .rules
        .iter()
        .for_each(|r| kinds(&r.condition, &mut seen));
    assert_eq!(seen.len(), 10, "matcher kinds used: {seen:?}");
}
