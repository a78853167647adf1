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
    let expected_tail =
        ":9:65: error[keyword]: observations[0].kind: unknown observation kind \"dns.mxx\"";
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
        ["claim", "subject", "provider", "category", "then", "verdict", "status", "evidence"]
    );
    assert!(
        out.contains("then: each dated claim judged on the evidence observed from 365 days before its date to 90 days after"),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.starts_with("beta-searchco ")
            && l.contains("@2020-05-21")
            && l.contains("incidental only")
            && l.contains("corrected")),
        "{out}"
    );
    assert!(
        out.contains(
            "7 claims: 2 supported, 1 account only, 1 incidental only, 1 contradicted, 1 not found, 1 no evidence"
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
    assert_eq!(v["summary"]["account_only"], 1);
    assert_eq!(v["claims"][1]["verdict"], "account_only");
    assert_eq!(v["claims"][3]["verdict"], "incidental_only");
    assert_eq!(v["claims"][3]["status"], "corrected");
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

/// A character that must never reach a terminal from a bundle: C0 and C1
/// controls, DEL, bidi overrides and isolates.
fn active(c: char) -> bool {
    whoserves_core::text::is_active(c)
}

#[test]
fn output_from_a_hostile_bundle_is_inert() {
    let f = fixture("hostile/controls.json");
    let path = f.to_str().unwrap();
    for args in [
        vec!["validate", path],
        vec!["check", path],
        vec!["test-rules", path],
        vec!["check", "--json", path],
    ] {
        let o = run(&args);
        let out = stdout(&o);
        let bad: Vec<char> = out.chars().filter(|c| active(*c) && *c != '\n').collect();
        assert!(bad.is_empty(), "{args:?} wrote {bad:?}:\n{out}");
        // No line was forged: every diagnostic line starts with the file.
        assert!(
            !out.lines().any(|l| l.starts_with("forged.json")),
            "{args:?}:\n{out}"
        );
        assert!(!stdout(&o).is_empty() || !o.stderr.is_empty());
    }
    // The escapes are visible, like git's quoting of odd paths.
    let out = stdout(&run(&["check", path]));
    assert!(out.contains("Title \\x1b[31mred\\x07"), "{out}");
    assert!(out.contains("\\u{202e}"), "{out}");
    // And --json is still the same document.
    let o = run(&["check", "--json", path]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert!(v["title"].as_str().unwrap().contains('\u{1b}'));
    assert!(v["banner"].as_str().unwrap().contains('\u{9b}'));
}

#[test]
fn negatives_name_what_they_rest_on() {
    let f = fixture("verdicts/all-features.json");
    let out = stdout(&run(&["check", f.to_str().unwrap()]));
    let at = out.find("  gamma-nimbus-hosting: ").expect("reason line");
    let block: Vec<&str> = out[at..].lines().take(3).collect();
    assert!(block[0].contains("checked (g-a)"), "{block:?}");
    assert_eq!(block[1], "    rests on observations: g-a");
    assert_eq!(
        block[2],
        "    rules that could have matched: a-nimbus, aaaa-nimbus, a-nimbus-legacy"
    );
    // Observations no rule matched are listed, not silently dropped.
    assert!(out.contains("observations no rule matched: "), "{out}");
    assert!(out.lines().any(|l| l.starts_with("g-ns ")), "{out}");
    let v: serde_json::Value =
        serde_json::from_slice(&run(&["check", "--json", f.to_str().unwrap()]).stdout).unwrap();
    let gamma = v["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "gamma-nimbus-hosting")
        .unwrap();
    let set = gamma["rests_on"].as_u64().unwrap() as usize;
    assert_eq!(v["observation_sets"][set], serde_json::json!(["g-a"]));
    let rules = gamma["rules"].as_u64().unwrap() as usize;
    assert_eq!(
        v["rule_sets"][rules],
        serde_json::json!(["a-nimbus", "aaaa-nimbus", "a-nimbus-legacy"])
    );
    assert_eq!(gamma["grounds"], "synthetic");
    // Findings carry their full traces.
    let trace = &v["findings"][0]["traces"][0];
    for field in [
        "rule",
        "observation",
        "kind",
        "matched",
        "span",
        "observed_at",
        "provenance",
    ] {
        assert!(trace.get(field).is_some(), "trace lacks {field}: {trace}");
    }
    let rule = trace["rule"].as_str().unwrap();
    assert!(v["matchers"][rule].is_string(), "the matcher of {rule}");
}

#[test]
fn as_of_judges_the_bundle_at_a_date() {
    let f = fixture("verdicts/all-features.json");
    let path = f.to_str().unwrap();
    let now: serde_json::Value =
        serde_json::from_slice(&run(&["check", "--json", path]).stdout).unwrap();
    let then: serde_json::Value =
        serde_json::from_slice(&run(&["check", "--json", "--as-of", "2019-12-31", path]).stdout)
            .unwrap();
    assert_eq!(then["as_of"], "2019-12-31");
    assert!(!then["later"].as_array().unwrap().is_empty());
    assert_ne!(now["summary"], then["summary"]);
    let o = run(&["check", "--as-of", "2019-02-30", path]);
    assert_eq!(o.status.code(), Some(2), "a bad date is a usage error");
}

#[test]
fn includes_read_only_regular_files() {
    let dir = std::env::temp_dir().join(format!("whoserves-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bundle = dir.join("b.json");
    // From the temp dir, ../dev/zero names the device (temp dirs sit at /tmp).
    let depth = dir.components().count() - 1;
    let up = "../".repeat(depth);
    std::fs::write(
        &bundle,
        format!(
            r#"{{"format": "whoserves/1", "include": ["{up}dev/zero", "{up}dev/stdin"], "meta": {{"title": "t"}}}}"#
        ),
    )
    .unwrap();
    let o = run(&["validate", bundle.to_str().unwrap()]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert_eq!(out.matches("not a regular file").count(), 2, "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_wrong_include_path_is_reported_once_with_where_it_was_resolved() {
    let dir = std::env::temp_dir().join(format!("whoserves-cli-inc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bundle = dir.join("mine.json");
    std::fs::write(
        &bundle,
        r#"{"format": "whoserves/1", "include": ["rules/providers.json"],
  "meta": {"title": "t", "sources": [{"id": "s", "title": "S"}]},
  "entities": [{"id": "f", "role": "subject", "name": "F"}],
  "claims": [{"id": "c1", "subject": "f", "provider": "amazon", "category": "hosting", "source": "s"},
             {"id": "c2", "subject": "f", "provider": "cloudflare", "category": "cdn", "source": "s"},
             {"id": "c3", "subject": "f", "provider": "amazon", "category": "webhosting", "source": "s"}]}"#,
    )
    .unwrap();
    let o = run(&["validate", bundle.to_str().unwrap()]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let lines: Vec<&str> = out.lines().filter(|l| l.contains(": error[")).collect();
    let resolved = format!(
        "error[include]: include[0]: \"rules/providers.json\" could not be read (resolved against the bundle's folder {} to {}",
        dir.display(),
        dir.join("rules/providers.json").display()
    );
    assert_eq!(
        lines.iter().filter(|l| l.contains(&resolved)).count(),
        1,
        "{out}"
    );
    assert!(
        out.contains("4 references to ids this bundle does not declare (\"amazon\", \"cloudflare\", \"webhosting\") are not listed one by one"),
        "{out}"
    );
    assert!(!out.contains("unknown entity"), "no cascade: {out}");
    assert!(
        out.contains("add \"../rules/providers.json\" to \"include\""),
        "{out}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `export` writes each format from the same core code as the viewer; the
/// SVG is deterministic, so it is compared with a file
/// (`WHOSERVES_BLESS=1` rewrites it).
#[test]
fn export_writes_every_format_and_a_stable_svg() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../public/bundles/demo.json");
    let demo = demo.to_str().unwrap();
    let svg = run(&["export", "--format", "svg", demo]);
    assert_eq!(svg.status.code(), Some(0));
    let svg = stdout(&svg);
    let golden = fixture("export/demo.svg");
    if std::env::var_os("WHOSERVES_BLESS").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &svg).unwrap();
    }
    let expected = std::fs::read_to_string(&golden).expect("tests/fixtures/export/demo.svg");
    assert_eq!(svg, expected, "the SVG changed; review and bless");
    assert!(svg
        .contains("Data: Demo: a fully worked, fictional evidence bundle, whoserves, 2026-11-23"));
    let gexf = stdout(&run(&["export", "--format", "gexf", demo]));
    assert!(gexf.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gexf xmlns=\"http://gexf.net/1.3\""
    ));
    // The GEXF validates against the GEXF 1.3 schema (gephi/gexf's XSD).
    let validate = |text: &str| {
        let file = std::env::temp_dir().join(format!("whoserves-demo-{}.gexf", std::process::id()));
        std::fs::write(&file, text).unwrap();
        let lint = std::process::Command::new("xmllint")
            .args(["--noout", "--schema"])
            .arg(fixture("gexf/gexf.xsd"))
            .arg(&file)
            .output()
            .expect("xmllint (Debian's libxml2-utils; scripts/setup.sh test installs it)");
        let _ = std::fs::remove_file(&file);
        lint
    };
    let lint = validate(&gexf);
    assert!(
        lint.status.success(),
        "the GEXF is not valid GEXF 1.3: {}",
        String::from_utf8_lossy(&lint.stderr)
    );
    // The schema does reject what 1.3 does not allow (a <title> in <meta>).
    let with_title = gexf.replacen("<creator>", "<title>x</title><creator>", 1);
    assert!(!validate(&with_title).status.success());
    let ftm = stdout(&run(&["export", "--format", "ftm", demo]));
    for line in ftm.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(
            ["Company", "Sanction", "UnknownLink"].contains(&v["schema"].as_str().unwrap()),
            "{line}"
        );
    }
    let csv = stdout(&run(&["export", "--format", "csv", demo]));
    assert!(csv.starts_with("firm,provider,category,relationship,evidence,verdict,note\r\n"));
    let findings = stdout(&run(&[
        "export",
        "--format",
        "findings-json",
        "--as-of",
        "2026-11-30",
        demo,
    ]));
    let f: serde_json::Value = serde_json::from_str(&findings).unwrap();
    assert_eq!(f["as_of"], "2026-11-30");
    assert!(!f["findings"].as_array().unwrap().is_empty());
    // A bundle with errors is not exported.
    let broken = fixture("broken/unknown-entity.json");
    let o = run(&["export", "--format", "svg", broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("unknown entity"));
}

/// keygen, sign and verify round-trip; one changed byte in the bundle, or
/// in a library it pins by SHA-256, fails verification.
#[test]
fn a_signed_bundle_verifies_until_a_byte_changes() {
    let dir = std::env::temp_dir().join(format!("whoserves-sign-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("b")).unwrap();
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    let lib = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../public/rules/providers.json"),
    )
    .unwrap();
    std::fs::write(dir.join("rules/providers.json"), &lib).unwrap();
    let sha = whoserves_core::include::sha256_hex(lib.as_bytes());
    let bundle = dir.join("b/mine.json");
    std::fs::write(
        &bundle,
        format!(r#"{{"format": "whoserves/1", "include": [{{"path": "../rules/providers.json", "sha256": "{sha}"}}], "meta": {{"title": "mine"}}}}"#),
    )
    .unwrap();
    let key = dir.join("k");
    let o = Command::new(env!("CARGO_BIN_EXE_whoserves"))
        .args(["keygen", key.to_str().unwrap()])
        .env_remove("WHOSERVES_KEY_PASSWORD")
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let (b, k, p) = (
        bundle.to_str().unwrap(),
        dir.join("k.key"),
        dir.join("k.pub"),
    );
    let o = run(&["sign", "-s", k.to_str().unwrap(), b]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = run(&["verify", "-p", p.to_str().unwrap(), b]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("signed by k.pub"), "{out}");
    assert!(
        out.contains("../rules/providers.json: SHA-256 matches"),
        "{out}"
    );
    // keygen never overwrites a secret key.
    assert_eq!(
        run(&["keygen", key.to_str().unwrap()]).status.code(),
        Some(2)
    );
    // The library changed: the bundle's signature still holds, its pin does not.
    std::fs::write(
        dir.join("rules/providers.json"),
        lib.replacen("Amazon", "Amazom", 1),
    )
    .unwrap();
    let o = run(&["verify", "-p", p.to_str().unwrap(), b]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("is not the library this bundle names"),
        "{}",
        stdout(&o)
    );
    // The bundle changed by one byte.
    std::fs::write(dir.join("rules/providers.json"), &lib).unwrap();
    let text = std::fs::read_to_string(&bundle).unwrap();
    std::fs::write(&bundle, text.replace("\"mine\"", "\"mind\"")).unwrap();
    let o = run(&["verify", "-p", p.to_str().unwrap(), b]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("was changed after it was signed"),
        "{}",
        stdout(&o)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A reader that stops early ends the CLI quietly (SIGPIPE), never with a
/// panic about a broken pipe.
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    let f = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../public/rules/providers.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_whoserves"))
        .args(["test-rules", f.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("rule "), "{first}");
    // The read end is dropped here; the CLI's next writes meet a closed pipe.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        out.status.signal(),
        Some(libc_sigpipe()),
        "{:?}",
        out.status
    );
}

#[cfg(unix)]
fn libc_sigpipe() -> i32 {
    13
}
