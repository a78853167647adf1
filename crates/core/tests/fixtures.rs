//! Fixture tests: bundles under `tests/fixtures/` against expected output.
//!
//! - `verdicts/NAME.json` -> `verdicts/NAME.expected`: one line per claim
//!   (verdict, status, evidence count, reason), then one per unclaimed finding.
//! - `broken/NAME.json` -> `broken/NAME.expected`: the exact diagnostics,
//!   rendered as the CLI prints them. One file per diagnostic class.
//! - `libraries/NAME.json` -> `libraries/NAME.expected`: bundles that
//!   include the shipped rule libraries under `public/rules/`, judged as
//!   the CLI judges them.
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
    let b = &a.bundle;
    let then = a.then();
    for ((claim, v), t) in b.claims.iter().zip(&a.verdicts).zip(&then) {
        let mark = v
            .grounds
            .mark()
            .map(|m| format!(" [{m}]"))
            .unwrap_or_default();
        out.push_str(&format!(
            "claim {}: {}{mark} ({}), evidence {}: {}\n",
            claim.id,
            v.verdict.as_str(),
            claim.status,
            v.evidence,
            v.reason
        ));
        if !v.rests_on.is_empty() {
            let ids: Vec<&str> = v
                .rests_on
                .iter()
                .map(|&o| b.observations[o].id.as_str())
                .collect();
            out.push_str(&format!("  rests on {}\n", ids.join(", ")));
        }
        if let Some(t) = t {
            let ids: Vec<&str> = t
                .rests_on
                .iter()
                .map(|&o| b.observations[o].id.as_str())
                .collect();
            out.push_str(&format!(
                "  then ({} to {}): {}, evidence {}{}\n",
                whoserves_core::model::format_date(t.since),
                whoserves_core::model::format_date(t.until),
                t.verdict.as_str(),
                t.evidence,
                if ids.is_empty() {
                    String::new()
                } else {
                    format!(", rests on {}", ids.join(", "))
                }
            ));
        }
    }
    if !a.unmatched.is_empty() {
        let ids: Vec<&str> = a
            .unmatched
            .iter()
            .map(|&o| b.observations[o].id.as_str())
            .collect();
        out.push_str(&format!("no rule matched {}\n", ids.join(", ")));
    }
    for &(o, by) in &a.timeline.superseded {
        out.push_str(&format!(
            "superseded {} by {}\n",
            b.observations[o].id, b.observations[by].id
        ));
    }
    for &i in &a.unclaimed {
        let f = &a.findings[i];
        let mut rules: Vec<&str> = f
            .traces
            .iter()
            .map(|t| b.rules[t.rule].id.as_str())
            .collect();
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
        // A sidecar NAME.dates lists as-of dates to judge the bundle at too.
        let mut text = render_verdicts(&a);
        if let Ok(dates) = fs::read_to_string(path.with_extension("dates")) {
            for d in dates.lines().filter(|l| !l.trim().is_empty()) {
                let date = whoserves_core::date::parse_date(d.trim()).expect("a date");
                text.push_str(&format!("\nas of {d}:\n"));
                text.push_str(&render_verdicts(&a.as_of(Some(date))));
            }
        }
        failures.extend(check(&path, &text));
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

/// Asserts that a bundle exercises every verdict, observation kind, matcher
/// kind and claim status, that every rule fires, that a finding is
/// unclaimed and that a validity window excluded an observation.
fn assert_exercises_everything(a: &Analysis, what: &str) {
    use std::collections::BTreeSet;
    use whoserves_core::matcher::Condition;
    use whoserves_core::model::{ClaimStatus, Kind};
    use whoserves_core::Verdict;
    for v in Verdict::ALL {
        assert!(
            a.verdicts.iter().any(|cv| cv.verdict == v),
            "{what}: no claim is {v}"
        );
    }
    for s in ClaimStatus::ALL {
        assert!(
            a.bundle.claims.iter().any(|c| c.status == *s),
            "{what}: no claim is {s}"
        );
    }
    for k in Kind::ALL {
        assert!(
            a.bundle.observations.iter().any(|o| o.kind == *k),
            "{what}: no {k} observation"
        );
    }
    assert!(!a.unclaimed.is_empty(), "{what}: no unclaimed finding");
    // Rules that fired, and the matcher kinds among them.
    let fired: BTreeSet<&str> = a
        .findings
        .iter()
        .flat_map(|f| f.traces.iter().map(|t| a.bundle.rules[t.rule].id.as_str()))
        .collect();
    fn kinds(c: &Condition, out: &mut BTreeSet<&'static str>) {
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
    let mut seen = BTreeSet::new();
    a.bundle
        .rules
        .iter()
        .filter(|r| fired.contains(r.id.as_str()))
        .for_each(|r| kinds(&r.condition, &mut seen));
    assert_eq!(seen.len(), 10, "{what}: matcher kinds that fired: {seen:?}");
    // A rule with a validity window left an observation of its kind unmatched.
    let windowed = a.bundle.rules.iter().any(|r| {
        (r.valid_from.is_some() || r.valid_to.is_some())
            && a.bundle.observations.iter().any(|o| {
                o.kind == r.kind
                    && !r.in_force(o.observed_at.date)
                    && whoserves_core::engine::rule_hit(r, o.normalized()).is_some()
            })
    });
    assert!(
        windowed,
        "{what}: no validity window excluded an observation"
    );
}

#[test]
fn the_fixture_exercises_everything() {
    let path = fixtures("verdicts")
        .into_iter()
        .find(|p| name_of(p) == "all-features")
        .unwrap();
    let a = analyze(&fs::read_to_string(&path).unwrap(), &Limits::default());
    assert_exercises_everything(&a, "all-features");
}

/// Loads a bundle file with the rule libraries it includes, as the CLI does.
fn analyze_file(path: &Path) -> Analysis {
    use whoserves_core::include::{plan, Base};
    use whoserves_core::{analyze_documents, Document};
    let text = fs::read_to_string(path).unwrap();
    let dir = path.parent().unwrap().to_string_lossy().into_owned();
    let libraries: Vec<_> = plan(&text, &Base::Dir(dir))
        .into_iter()
        .filter(|inc| inc.skip.is_none())
        .map(|inc| {
            let target = inc.target?;
            let p = target.as_str();
            Ok(Document {
                name: inc.reference,
                text: fs::read_to_string(p).unwrap_or_else(|e| panic!("{p}: {e}")),
            })
        })
        .collect();
    let main = Document {
        name: name_of(path),
        text,
    };
    analyze_documents(&main, &libraries, &Limits::default())
}

fn public(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../public")
        .join(rel)
}

/// The shipped bundles load without a single diagnostic and give the
/// verdicts pinned in `tests/fixtures/shipped/NAME.expected`.
#[test]
fn shipped_bundles() {
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(public("bundles/index.json")).unwrap()).unwrap();
    let mut failures = Vec::new();
    let entries = manifest["bundles"].as_array().unwrap();
    assert!(entries.len() >= 2, "the picker offers both bundles");
    for entry in entries {
        let file = entry["file"].as_str().unwrap();
        let path = public(&format!("bundles/{file}"));
        let a = analyze_file(&path);
        let diags: Vec<String> = a.diagnostics.iter().map(|d| d.render(file)).collect();
        assert!(diags.is_empty(), "{file}:\n{}", diags.join("\n"));
        // Every fact carries its source: entities (with those of the
        // included library), listings, observations and claims.
        for e in &a.bundle.entities {
            assert!(
                !e.sources.is_empty(),
                "{file}: entity {} cites no source",
                e.id
            );
        }
        let pinned = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/shipped")
            .join(file);
        failures.extend(check(&pinned, &render_verdicts(&a)));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Bundles on the shipped libraries: dated range sets (an address judged by
/// the file in force on its date), Microsoft 365 against 21Vianet, and what
/// a page's scripts imply (account or incidental).
#[test]
fn library_fixtures() {
    let mut failures = Vec::new();
    for path in fixtures("libraries") {
        let a = analyze_file(&path);
        let diags: Vec<String> = a
            .diagnostics
            .iter()
            .map(|d| d.render(&name_of(&path)))
            .collect();
        assert!(
            diags.is_empty(),
            "{}:\n{}",
            path.display(),
            diags.join("\n")
        );
        failures.extend(check(&path, &render_verdicts(&a)));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every shipped rule library loads cleanly beside `providers.json` (their
/// providers agree), its examples pass, and no example of one is matched by
/// a rule of another provider family in any of them.
#[test]
fn shipped_libraries_pass_test_rules_and_the_overlap_lint() {
    use whoserves_core::{analyze_documents, Document};
    let dir = public("rules");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") && n != "index.json")
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    let docs: Vec<Result<Document, whoserves_core::Diagnostic>> = names
        .iter()
        .map(|n| {
            Ok(Document {
                name: n.clone(),
                text: fs::read_to_string(dir.join(n)).unwrap(),
            })
        })
        .collect();
    let main = Document {
        name: "all.json".into(),
        text: r#"{"format": "whoserves/1", "meta": {"title": "every library"}}"#.into(),
    };
    let a = analyze_documents(&main, &docs, &Limits::default());
    let diags: Vec<String> = a.diagnostics.iter().map(|d| d.render("all.json")).collect();
    assert!(diags.is_empty(), "{}", diags.join("\n"));
    let mut failed = Vec::new();
    for rule in &a.bundle.rules {
        for r in whoserves_core::engine::run_examples(rule) {
            if !r.passed {
                failed.push(format!("{}: {}", rule.id, r.message));
            }
        }
        assert!(!rule.must_match.is_empty(), "{} has no example", rule.id);
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    let overlaps = whoserves_core::lint::overlaps(&a.bundle);
    assert!(overlaps.is_empty(), "{overlaps:?}");
    // Range sets overlap within a family (AMAZON covers CLOUDFRONT), and the
    // lint knows it: the AWS libraries have such examples.
    assert!(a
        .bundle
        .rules
        .iter()
        .any(|r| r.id.ends_with("-cloudfront-a")));
}

/// A conditional include lists every kind its library's rules read, so
/// skipping it for a bundle without those kinds changes no finding.
#[test]
fn conditional_includes_name_the_kinds_their_rules_read() {
    for file in ["top10vpn-2020.json", "demo.json"] {
        let text = fs::read_to_string(public(&format!("bundles/{file}"))).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        for inc in v["include"].as_array().unwrap() {
            let Some(kinds) = inc["kinds"].as_array() else {
                continue;
            };
            let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str().unwrap()).collect();
            let path = public("bundles").join(inc["path"].as_str().unwrap());
            let lib: serde_json::Value =
                serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
            for r in lib["rules"].as_array().unwrap() {
                let k = r["match"]["kind"].as_str().unwrap();
                assert!(
                    kinds.contains(&k),
                    "{file}: {} reads {k}, which its include does not list",
                    r["id"]
                );
            }
        }
    }
}

/// Labels never overlap in the default layout of the shipped bundles.
#[test]
fn shipped_bundles_lay_out_without_overlapping_labels() {
    use whoserves_core::layout::{two_column, Options, Rect};
    use whoserves_core::view::{build, Filters};
    for file in ["top10vpn-2020.json", "demo.json"] {
        let a = analyze_file(&public(&format!("bundles/{file}")));
        let g = build(&a, &Filters::default());
        let label = |i: usize| {
            let e = &g.edges[i];
            e.kind
                .is_claim()
                .then(|| e.verdict.map(|v| v.label().to_string()).unwrap_or_default())
        };
        let l = two_column(&g, &label, &Options::default());
        let mut boxes: Vec<Rect> = l.labels.clone();
        boxes.extend(l.edge_labels.iter().flatten().copied());
        for (i, x) in boxes.iter().enumerate() {
            for y in &boxes[i + 1..] {
                assert!(!x.overlaps(y), "{file}: {x:?} overlaps {y:?}");
            }
        }
        // Every claim-only edge found room for its verdict.
        let wanted = g.edges.iter().filter(|e| e.kind.is_claim()).count();
        assert_eq!(l.edge_labels.iter().flatten().count(), wanted, "{file}");
    }
}

#[test]
fn the_demo_exercises_everything() {
    let a = analyze_file(&public("bundles/demo.json"));
    assert_exercises_everything(&a, "demo.json");
    // Synthetic data says so, in the data and in a banner.
    assert!(a
        .bundle
        .meta
        .banner
        .as_deref()
        .unwrap_or("")
        .contains("Synthetic"));
    assert!(a
        .bundle
        .observations
        .iter()
        .all(|o| o.provenance == whoserves_core::model::Provenance::Synthetic));
    for e in a
        .bundle
        .entities
        .iter()
        .filter(|e| e.role == whoserves_core::model::Role::Subject)
    {
        assert!(
            e.domains.iter().all(|d| d.ends_with(".example")),
            "{}",
            e.id
        );
    }
}

#[test]
fn the_report_bundle_says_it_has_no_evidence() {
    let a = analyze_file(&public("bundles/top10vpn-2020.json"));
    assert!(
        a.bundle.observations.is_empty(),
        "the report published no raw evidence"
    );
    assert!(a
        .verdicts
        .iter()
        .all(|v| v.verdict == whoserves_core::Verdict::NoEvidence));
    let corrected: Vec<&str> = a
        .bundle
        .claims
        .iter()
        .filter(|c| c.status == whoserves_core::model::ClaimStatus::Corrected)
        .map(|c| c.provider.as_str())
        .collect();
    assert_eq!(corrected, ["google", "google", "facebook", "twitter"]);
}

/// The provider rule library: clean, every example passes, every rule
/// cites a reference, and no rule's example is claimed by another provider.
#[test]
fn the_rule_library_is_clean() {
    let text = fs::read_to_string(public("rules/providers.json")).unwrap();
    let a = analyze(&text, &Limits::default());
    let diags: Vec<String> = a
        .diagnostics
        .iter()
        .map(|d| d.render("providers.json"))
        .collect();
    assert!(diags.is_empty(), "{}", diags.join("\n"));
    assert!(a.bundle.rules.len() >= 40, "{} rules", a.bundle.rules.len());
    for r in &a.bundle.rules {
        assert!(!r.references.is_empty(), "rule {} cites no reference", r.id);
        assert!(
            !r.no_match.is_empty(),
            "rule {} has no no-match example",
            r.id
        );
        let results = whoserves_core::engine::run_examples(r);
        assert!(
            results.iter().all(|x| x.passed),
            "rule {}: {results:?}",
            r.id
        );
    }
    let overlaps = whoserves_core::lint::overlaps(&a.bundle);
    assert!(overlaps.is_empty(), "overlapping rules: {overlaps:#?}");
}
