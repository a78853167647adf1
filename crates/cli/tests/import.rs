//! `whoserves import` on small real excerpts of each provider's format
//! (`tests/fixtures/import/`, sources in its README), run as a process.
//! Every library made must load cleanly and pass its own examples.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/import")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_whoserves"))
        .args(args)
        .output()
        .expect("runs")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("whoserves-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Imports, checks the library loads and passes test-rules, and returns it.
fn import(args: &[&str], name: &str) -> (Value, String) {
    let out = temp(name);
    let mut all = vec!["import", "ranges"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", out.to_str().unwrap()]);
    let o = run(&all);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let t = run(&["test-rules", out.to_str().unwrap()]);
    let report = String::from_utf8_lossy(&t.stdout).into_owned();
    assert_eq!(t.status.code(), Some(0), "{report}");
    assert!(report.contains(" 0 failed, 0 overlaps"), "{report}");
    let v = run(&["validate", out.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&v.stdout).ends_with(": 0 error(s), 0 warning(s)\n"),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
    let lib: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    (lib, stderr)
}

fn range<'a>(lib: &'a Value, id: &str) -> &'a Value {
    lib["ranges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no range set {id} in {:#}", lib["ranges"]))
}

fn rule<'a>(lib: &'a Value, id: &str) -> &'a Value {
    lib["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no rule {id}"))
}

#[test]
fn aws_keeps_each_service_with_the_file_stamp_and_dates() {
    let (lib, stderr) = import(
        &[
            "--from",
            "aws",
            &fixture("aws-ip-ranges-2020-05-21.json"),
            "--valid-to",
            "2020-05-25",
        ],
        "aws.json",
    );
    let cf = range(&lib, "aws-2020-05-21-20-13-11-cloudfront");
    assert_eq!(cf["version"], "2020-05-21-20-13-11");
    assert_eq!(cf["provider"], "amazon-cloudfront");
    assert_eq!(
        lib["meta"]["sources"][0]["url"],
        "https://ip-ranges.amazonaws.com/ip-ranges.json"
    );
    assert_eq!(cf["source"], lib["meta"]["sources"][0]["id"]);
    for set in ["amazon", "ec2", "s3"] {
        range(&lib, &format!("aws-2020-05-21-20-13-11-{set}"));
    }
    let r = rule(&lib, "aws-2020-05-21-20-13-11-cloudfront-a");
    assert_eq!(r["category"], "cdn");
    assert_eq!(r["valid_from"], "2020-05-21");
    assert_eq!(r["valid_to"], "2020-05-25");
    assert_eq!(
        rule(&lib, "aws-2020-05-21-20-13-11-ec2-a")["category"],
        "hosting"
    );
    // Examples come from the file itself.
    let first = cf["prefixes"][0].as_str().unwrap();
    let example = r["examples"]["match"][0].as_str().unwrap();
    assert_eq!(first.split('/').next().unwrap(), example);
    // Entities hang under their parents.
    let parent = |id: &str| {
        lib["entities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .unwrap()["parent"]
            .clone()
    };
    assert_eq!(parent("amazon-cloudfront"), "aws");
    assert_eq!(parent("aws"), "amazon");
    // The excerpt's EC2 18.200.0.0/16 holds CloudFront's 18.200.212.0/23.
    assert!(stderr.contains("EC2: 1 prefixes carved out"), "{stderr}");
    assert!(
        stderr.contains("GLOBALACCELERATOR: 1 prefixes left out"),
        "{stderr}"
    );
    let description = lib["meta"]["description"].as_str().unwrap();
    assert!(
        description.contains("syncToken 1590091991"),
        "{description}"
    );
    assert!(
        description.contains("from 2020-05-21 to 2020-05-25"),
        "{description}"
    );
}

#[test]
fn google_and_google_cloud_carry_the_sync_token() {
    let (lib, _) = import(
        &["--from", "google", &fixture("goog-2026-08-22.json")],
        "goog.json",
    );
    let set = range(&lib, "google-1787407470974-goog");
    assert_eq!(set["version"], "2026-08-22T07:04:30.974055");
    assert_eq!(set["prefixes"].as_array().unwrap().len(), 9);
    let (lib, _) = import(
        &["--from", "google-cloud", &fixture("cloud-2026-08-22.json")],
        "cloud.json",
    );
    assert_eq!(
        range(&lib, "google-cloud-1787407470974-google-cloud")["provider"],
        "google-cloud"
    );
}

#[test]
fn azure_keeps_global_service_tags_only() {
    let (lib, stderr) = import(
        &[
            "--from",
            "azure",
            &fixture("azure-service-tags-363.json"),
            "--published",
            "2025-07-22",
        ],
        "azure.json",
    );
    assert_eq!(
        range(&lib, "azure-363-azurecloud")["version"],
        "changeNumber 363"
    );
    assert_eq!(
        rule(&lib, "azure-363-azurefrontdoor-frontend-a")["category"],
        "cdn"
    );
    assert!(
        stderr.contains("AzureMonitor: 7 prefixes left out"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("eastus"),
        "regional tags are not read: {stderr}"
    );
}

#[test]
fn files_without_a_date_need_one() {
    let o = run(&[
        "import",
        "ranges",
        "--from",
        "fastly",
        &fixture("fastly-public-ip-list.json"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("carries no publication date; give it with --published"),
        "{err}"
    );
    let (lib, _) = import(
        &[
            "--from",
            "fastly",
            &fixture("fastly-public-ip-list.json"),
            "--published",
            "2024-10-08",
        ],
        "fastly.json",
    );
    let set = range(&lib, "fastly-2024-10-08-fastly");
    assert_eq!(set["prefixes"].as_array().unwrap().len(), 21);
    let (lib, _) = import(
        &[
            "--from",
            "cloudflare",
            &fixture("cloudflare-ips-v4.txt"),
            &fixture("cloudflare-ips-v6.txt"),
            "--published",
            "2021-08-02",
        ],
        "cloudflare.json",
    );
    let set = range(&lib, "cloudflare-2021-08-02-cloudflare");
    assert_eq!(set["prefixes"].as_array().unwrap().len(), 15 + 7);
    let (lib, _) = import(
        &[
            "--from",
            "digitalocean",
            &fixture("digitalocean-geofeed.csv"),
            "--published",
            "2025-07-22",
        ],
        "do.json",
    );
    assert_eq!(
        range(&lib, "digitalocean-2025-07-22-digitalocean")["prefixes"]
            .as_array()
            .unwrap()
            .len(),
        12
    );
    let (lib, _) = import(
        &["--from", "oracle", &fixture("oracle-public-ip-ranges.json")],
        "oracle.json",
    );
    assert_eq!(
        rule(&lib, "oracle-2025-07-21t07-13-25-457838-oci-a")["valid_from"],
        "2025-07-21"
    );
    // A file's own date cannot be overridden.
    let o = run(&[
        "import",
        "ranges",
        "--from",
        "oracle",
        &fixture("oracle-public-ip-ranges.json"),
        "--published",
        "2020-01-01",
    ]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn the_wrong_format_is_named() {
    let o = run(&[
        "import",
        "ranges",
        "--from",
        "aws",
        &fixture("fastly-public-ip-list.json"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("fastly-public-ip-list.json: not an AWS ip-ranges.json file"),
        "{err}"
    );
    let o = run(&["import", "ranges", "--from", "amazon", "x.json"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn wappalyzer_converts_and_reports_each_failure() {
    let out = temp("wappalyzer.json");
    let o = run(&[
        "import",
        "wappalyzer",
        &fixture("wappalyzer"),
        "-o",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("5 technologies, 8 rules"), "{err}");
    assert!(
        err.contains("left out: 1 http.header patterns of software"),
        "{err}"
    );
    assert!(err.contains("not converted: 2 patterns"), "{err}");
    assert!(err.contains("1 x look-around"), "{err}");
    assert!(
        err.contains("1 x DNS record type SRV has no observation kind"),
        "{err}"
    );
    let lib: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let kinds: Vec<(&str, &str)> = lib["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["match"]["kind"].as_str().unwrap(),
                r["category"].as_str().unwrap(),
            )
        })
        .collect();
    // The record decides the category: NS is dns even for a CDN.
    assert!(kinds.contains(&("dns.ns", "dns")), "{kinds:?}");
    assert!(kinds.contains(&("dns.mx", "email")), "{kinds:?}");
    assert!(kinds.contains(&("tls.issuer", "tls-ca")), "{kinds:?}");
    // Suffixes are stripped.
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains("confidence:"), "{text}");
    assert!(!text.contains("version:"), "{text}");
    let v = run(&["validate", out.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(0));
}

#[test]
fn asn_table_answers_lookups() {
    let out = temp("asn.tsv");
    let o = run(&[
        "import",
        "asn",
        &fixture("asn-ipv4-excerpt.csv"),
        &fixture("asn-ipv6-excerpt.csv"),
        "--note",
        "@ip-location-db/asn 2.3.2026061719, CC BY 4.0: routeviews.org; IP to ASN Lite by DB-IP (https://db-ip.com)",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.starts_with("whoserves-asn/1\n# @ip-location-db/asn"),
        "{text}"
    );
    let table = whoserves_import::asn::Table::parse(&text).unwrap();
    let at = |ip: &str| {
        table
            .lookup(ip.parse().unwrap())
            .map(|o| (o.asn, o.name.map(str::to_string)))
    };
    assert_eq!(
        at("1.1.1.1"),
        Some((13335, Some("Cloudflare, Inc.".into())))
    );
    // A name that looks like FiberHome Technologies is a LACNIC ISP's.
    assert_eq!(
        at("45.183.122.1"),
        Some((271913, Some("FIBERHOME NETWORK S.A.S.".into())))
    );
    assert_eq!(at("192.0.2.1"), None);
}
