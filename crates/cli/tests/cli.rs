//! The CLI's output and exit codes, run as a real process.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(rel)
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_whoserves"))
        .args(args)
        .output()
        .expect("runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn validate_clean_bundle_exits_zero() {
    let f = fixture("verdicts/all-features.json");
    let o = run(&["validate", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).ends_with(": 0 error(s), 0 warning(s)\n"));
}

#[test]
fn validate_prints_compiler_style_and_exits_one() {
    let f = fixture("broken/unknown-kind.json");
    let o = run(&["validate", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let first = out.lines().next().unwrap();
    let expected_tail = ":9:65: error: observations[0].kind: unknown observation kind \"dns.mxx\"";
    assert!(first.starts_with(f.to_str().unwrap()), "{first}");
    assert!(first.contains(expected_tail), "{first}");
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(run(&["check"]).status.code(), Some(2));
    assert_eq!(
        run(&["check", "/nonexistent/bundle.json"]).status.code(),
        Some(2)
    );
}

#[test]
fn check_prints_table_and_unclaimed_findings() {
    let f = fixture("verdicts/all-features.json");
    let o = run(&["check", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    let header: Vec<&str> = out
        .lines()
        .find(|l| l.starts_with("claim "))
        .expect("table header")
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        ["claim", "subject", "provider", "category", "verdict", "status", "evidence"]
    );
    assert!(
        out.lines().any(|l| l.starts_with("beta-searchco ")
            && l.contains("incidental only")
            && l.contains("corrected")),
        "{out}"
    );
    assert!(
        out.contains(
            "6 claims: 2 supported, 1 incidental only, 1 contradicted, 1 not found, 1 no evidence"
        ),
        "{out}"
    );
    assert!(out.contains("unclaimed findings: "), "{out}");
}

#[test]
fn check_json_is_the_core_report() {
    let f = fixture("verdicts/all-features.json");
    let o = run(&["check", "--json", f.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["summary"]["supported"], 2);
    assert_eq!(v["claims"][2]["verdict"], "incidental_only");
    assert_eq!(v["claims"][2]["status"], "corrected");
}

#[test]
fn test_rules_reports_each_rule() {
    let f = fixture("verdicts/all-features.json");
    let o = run(&["test-rules", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("rule mx-bluemail (3 examples) ... ok"));
    let f = fixture("broken/example-mismatch.json");
    let o = run(&["test-rules", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("rule r1 (2 examples) ... FAILED"), "{out}");
    assert!(
        out.contains("test-rules: 1 rules, 2 examples, 0 passed, 2 failed, 0 overlaps"),
        "{out}"
    );
}

#[test]
fn schema_prints_json_schema() {
    let o = run(&["schema"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["title"], "whoserves evidence bundle, format whoserves/1");
}
