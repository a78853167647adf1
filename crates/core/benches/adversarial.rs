//! Adversarial shapes: bundles inside every default limit, built to make
//! the core work as hard as it can. Each goes through validate, evaluate
//! and verdicts (`analyze`) in a child process of its own, so its peak
//! resident memory is its own.
//!
//! Prints figures; asserts nothing. Run with `make bench` (or
//! `cargo bench -p whoserves-core --bench adversarial`).
//!
//! Goal (issue 7): every bundle within the limits goes through validate,
//! evaluate and verdicts in <= 2 s natively and <= 400 MB RSS.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Instant;
use whoserves_core::Limits;

const GOAL_SECONDS: f64 = 2.0;
const GOAL_MB: f64 = 400.0;

mod common;
use common::Lcg;

/// A bundle written straight as JSON text: faster than serde for 32 MB.
struct Text {
    out: String,
    first: bool,
}

impl Text {
    fn new(title: &str) -> Self {
        let mut out = String::with_capacity(32 << 20);
        write!(
            out,
            r#"{{"format":"whoserves/1","meta":{{"title":"{title}","banner":"Synthetic adversarial benchmark data.","sources":[{{"id":"b","title":"benches/adversarial.rs"}}]}}"#
        )
        .unwrap();
        Text { out, first: true }
    }
    fn section(&mut self, name: &str) {
        write!(self.out, r#","{name}":["#).unwrap();
        self.first = true;
    }
    fn item(&mut self, json: std::fmt::Arguments<'_>) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.write_fmt(json).unwrap();
    }
    fn end_section(&mut self) {
        self.out.push(']');
    }
    fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// The `entities` section: providers `p0..`, then subjects `s0..`.
fn entities(t: &mut Text, providers: usize, subjects: usize) {
    t.section("entities");
    for p in 0..providers {
        t.item(format_args!(
            r#"{{"id":"p{p}","role":"provider","name":"P{p}"}}"#
        ));
    }
    for s in 0..subjects {
        t.item(format_args!(
            r#"{{"id":"s{s}","role":"subject","name":"S{s}"}}"#
        ));
    }
    t.end_section();
}

fn obs(t: &mut Text, j: usize, subject: usize, kind: &str, value: &str) {
    t.item(format_args!(
        r#"{{"id":"o{j}","subject":"s{subject}","target":"t{subject}","kind":"{kind}","value":"{value}","observed_at":"2020-01-01","source":"b","provenance":"synthetic"}}"#
    ));
}

fn rule(
    t: &mut Text,
    i: usize,
    provider: usize,
    category: &str,
    kind: &str,
    cond: &str,
    example: &str,
) {
    t.item(format_args!(
        r#"{{"id":"r{i}","provider":"p{provider}","category":"{category}","relationship":"direct","match":{{"kind":"{kind}","condition":{cond}}},"explanation":"x","examples":{{"match":[{example}]}}}}"#
    ));
}

const CATEGORIES: [&str; 3] = ["email", "dns", "cdn"];

/// 200,000 observations over 100 subjects, 1,000 rules, 20,000 claims on
/// distinct (subject, provider, category) triples: the largest claims x
/// observations.
fn claims_x_observations() -> String {
    shape_claims(100)
}

/// The same, all on one subject: every claim reads every observation.
fn one_subject() -> String {
    shape_claims(1)
}

fn shape_claims(n_subjects: usize) -> String {
    let (n_providers, n_rules, n_obs, n_claims) = (1_000, 1_000, 200_000, 20_000);
    let mut rng = Lcg(7);
    let mut t = Text::new("claims x observations");
    entities(&mut t, n_providers, n_subjects);
    t.section("rules");
    for i in 0..n_rules {
        let (kind, cat) = [("dns.mx", "email"), ("dns.ns", "dns"), ("dns.cname", "cdn")][i % 3];
        let cond = format!(r#"{{"domain_suffix":"h{i}.ex"}}"#);
        rule(
            &mut t,
            i,
            i % n_providers,
            cat,
            kind,
            &cond,
            &format!("\"a.h{i}.ex\""),
        );
    }
    t.end_section();
    t.section("observations");
    for j in 0..n_obs {
        let i = rng.below(n_rules * 2); // half match a rule
        let kind = ["dns.mx", "dns.ns", "dns.cname"][i % 3];
        obs(&mut t, j, j % n_subjects, kind, &format!("x{j}.h{i}.ex"));
    }
    t.end_section();
    t.section("claims");
    for c in 0..n_claims {
        let (s, p, cat) = (c % n_subjects, rng.below(n_providers), CATEGORIES[c % 3]);
        t.item(format_args!(
            r#"{{"id":"c{c}","subject":"s{s}","provider":"p{p}","category":"{cat}","source":"b"}}"#
        ));
    }
    t.end_section();
    t.finish()
}

/// 1,000 range sets of 500 prefixes (the 500,000-prefix limit), 10,000
/// cidr rules over them (10 per set), 60,000 A records: each covered
/// address matches 10 rules, so this is also 300,000 matches.
fn ranges_x_cidr() -> String {
    let (n_sets, per_set, n_rules, n_obs) = (1_000, 500, 10_000, 60_000);
    let mut rng = Lcg(11);
    let mut t = Text::new("range sets x cidr rules");
    entities(&mut t, 100, 100);
    t.section("ranges");
    for r in 0..n_sets {
        let mut prefixes = String::new();
        for k in 0..per_set {
            let n = r * per_set + k; // distinct /24s
            if k > 0 {
                prefixes.push(',');
            }
            write!(
                prefixes,
                "\"{}.{}.{}.0/24\"",
                10 + n / 65_536,
                (n / 256) % 256,
                n % 256
            )
            .unwrap();
        }
        t.item(format_args!(
            r#"{{"id":"set{r}","provider":"p{}","version":"1","source":"b","prefixes":[{prefixes}]}}"#,
            r % 100
        ));
    }
    t.end_section();
    t.section("rules");
    for i in 0..n_rules {
        let set = i % n_sets;
        let n = set * per_set;
        let example = format!("\"{}.{}.{}.1\"", 10 + n / 65_536, (n / 256) % 256, n % 256);
        let cond = format!(r#"{{"cidr":{{"range":"set{set}"}}}}"#);
        rule(&mut t, i, i % 100, "hosting", "dns.a", &cond, &example);
    }
    t.end_section();
    t.section("observations");
    for j in 0..n_obs {
        let n = rng.below(n_sets * per_set * 2); // half fall outside every set
        let ip = format!(
            "{}.{}.{}.{}",
            10 + n / 65_536,
            (n / 256) % 256,
            n % 256,
            1 + j % 250
        );
        obs(&mut t, j, j % 100, "dns.a", &ip);
    }
    t.end_section();
    t.section("claims");
    for c in 0..20_000 {
        t.item(format_args!(
            r#"{{"id":"c{c}","subject":"s{}","provider":"p{}","category":"hosting","source":"b"}}"#,
            c % 100,
            rng.below(100)
        ));
    }
    t.end_section();
    t.finish()
}

/// 10,000 regex rules (the rule limit) over 180,000 name-server records.
fn regex_rules() -> String {
    let (n_rules, n_obs) = (10_000, 180_000);
    let mut rng = Lcg(13);
    let mut t = Text::new("10,000 regex rules");
    entities(&mut t, 1_000, 100);
    t.section("rules");
    for i in 0..n_rules {
        let cond = format!(r#"{{"regex":"^ns-[0-9]+\\.dns{i}\\.(net|org)$"}}"#);
        rule(
            &mut t,
            i,
            i % 1_000,
            "dns",
            "dns.ns",
            &cond,
            &format!("\"ns-1.dns{i}.net\""),
        );
    }
    t.end_section();
    t.section("observations");
    for j in 0..n_obs {
        let i = rng.below(n_rules * 2);
        obs(&mut t, j, j % 100, "dns.ns", &format!("ns-{j}.dns{i}.net"));
    }
    t.end_section();
    t.finish()
}

/// Rules whose conditions use every part and every level the limits allow:
/// `any`/`all` trees 16 deep with 256 parts each, their leaves literals
/// and regexes (10,000 regexes over all rules, the limit), beside 100,000
/// observations.
fn deep_trees() -> String {
    let (n_rules, n_obs) = (1_000, 100_000);
    let mut rng = Lcg(17);
    let mut regexes = 0usize;
    // A chain 16 deep of alternating any/all; each level adds siblings
    // until the rule has 256 parts.
    fn tree(i: usize, depth: usize, parts: &mut usize, regexes: &mut usize) -> String {
        *parts += 1;
        if depth == 16 {
            return format!(r#"{{"contains":"k{i}-"}}"#);
        }
        let op = if depth % 2 == 1 { "any" } else { "all" };
        let mut items = vec![tree(i, depth + 1, parts, regexes)];
        while *parts < 256 - (16 - depth) && items.len() < 1 + 240 / 15 {
            *parts += 1;
            items.push(if op == "all" {
                if *regexes < 10_000 {
                    *regexes += 1;
                    format!(r#"{{"not":{{"regex":"z{}q{i}"}}}}"#, items.len())
                } else {
                    format!(r#"{{"not":{{"contains":"z{}q{i}"}}}}"#, items.len())
                }
            } else {
                format!(r#"{{"prefix":"w{i}-{}"}}"#, items.len())
            });
            if op == "all" {
                *parts += 1; // the "not" and its inside
            }
        }
        format!(r#"{{"{op}":[{}]}}"#, items.join(","))
    }
    let mut t = Text::new("deep any/all trees");
    entities(&mut t, 100, 100);
    t.section("rules");
    for i in 0..n_rules {
        let mut parts = 0;
        let cond = tree(i, 1, &mut parts, &mut regexes);
        rule(
            &mut t,
            i,
            i % 100,
            "tls-ca",
            "tls.issuer",
            &cond,
            &format!("\"CN=k{i}-\""),
        );
    }
    t.end_section();
    t.section("observations");
    for j in 0..n_obs {
        let i = rng.below(n_rules * 2);
        obs(&mut t, j, j % 100, "tls.issuer", &format!("CN=k{i}-, O=x"));
    }
    t.end_section();
    t.finish()
}

/// Rules so broad that every observation matches all of them: evaluation
/// must stop at the match limit, quickly, and say so.
fn broad_rules() -> String {
    let (n_rules, n_obs) = (10_000, 190_000);
    let mut t = Text::new("rules that match everything");
    entities(&mut t, 1_000, 100);
    t.section("rules");
    for i in 0..n_rules {
        rule(
            &mut t,
            i,
            i % 1_000,
            "tls-ca",
            "tls.issuer",
            &format!(r#"{{"regex":".|{i}"}}"#),
            "\"x\"",
        );
    }
    t.end_section();
    t.section("observations");
    for j in 0..n_obs {
        obs(&mut t, j, j % 100, "tls.issuer", "CN=x");
    }
    t.end_section();
    t.finish()
}

/// 10,000 `contains` rules whose literals are "a", "aa", "aaa", ... over
/// values of 16 KiB of "a": every position reports thousands of literal
/// matches. The work limit must stop it.
fn hostile_literals() -> String {
    let (n_rules, n_obs) = (2_000, 1_500);
    let value = "a".repeat(16 * 1024 - 16);
    let mut t = Text::new("hostile literals");
    entities(&mut t, 100, 10);
    t.section("rules");
    for i in 0..n_rules {
        let lit = "a".repeat(1 + i % 1_000);
        let cond = format!(r#"{{"all":[{{"contains":"{lit}"}},{{"contains":"zz{i}"}}]}}"#);
        rule(
            &mut t,
            i,
            i % 100,
            "tls-ca",
            "tls.issuer",
            &cond,
            &format!("\"{lit}zz{i}\""),
        );
    }
    t.end_section();
    t.section("observations");
    for j in 0..n_obs {
        obs(&mut t, j, j % 10, "tls.issuer", &value);
    }
    t.end_section();
    t.finish()
}

/// One range set of 500,000 prefixes that are all the same /8 once host
/// bits are dropped, and rules tried on every observation (a top-level
/// `not`) that are out of their window: both must cost what they are.
fn repeats_and_windows() -> String {
    let (n_rules, n_obs) = (10_000, 150_000);
    let mut t = Text::new("repeated prefixes and rules out of their window");
    entities(&mut t, 100, 100);
    let mut prefixes = String::new();
    for k in 0..500_000u32 {
        if k > 0 {
            prefixes.push(',');
        }
        write!(
            prefixes,
            "\"10.{}.{}.{}/8\"",
            (k >> 16) & 255,
            (k >> 8) & 255,
            k & 255
        )
        .unwrap();
    }
    t.section("ranges");
    t.item(format_args!(
        r#"{{"id":"dup","provider":"p0","source":"b","prefixes":[{prefixes}]}}"#
    ));
    t.end_section();
    t.section("rules");
    rule(
        &mut t,
        0,
        0,
        "hosting",
        "dns.a",
        r#"{"cidr":{"range":"dup"}}"#,
        "\"10.1.2.3\"",
    );
    for i in 1..n_rules {
        t.item(format_args!(
            r#"{{"id":"r{i}","provider":"p{}","category":"other","relationship":"direct","match":{{"kind":"dns.a","condition":{{"not":{{"equals":"192.0.2.{}"}}}}}},"explanation":"x","examples":{{"match":["198.51.100.1"]}},"valid_to":"1990-01-01"}}"#,
            i % 100,
            i % 250
        ));
    }
    t.end_section();
    t.section("observations");
    for j in 0..n_obs {
        obs(
            &mut t,
            j,
            j % 100,
            "dns.a",
            &format!("10.{}.{}.1", (j / 256) % 256, j % 256),
        );
    }
    t.end_section();
    t.finish()
}

type Shape = (&'static str, fn() -> String);

const SHAPES: &[Shape] = &[
    ("claims x observations", claims_x_observations),
    ("one subject, every observation", one_subject),
    ("range sets x cidr rules", ranges_x_cidr),
    ("10,000 regex rules", regex_rules),
    ("deep any/all trees", deep_trees),
    ("rules matching everything", broad_rules),
    ("hostile literals", hostile_literals),
    (
        "repeated prefixes, rules out of window",
        repeats_and_windows,
    ),
];

/// Peak resident set size of this process, in MB (Linux: VmHWM).
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The child: analyses one file, phase by phase, and prints one line of
/// figures: total seconds, peak MB, counts, phase seconds, first error.
fn child(path: &str) {
    use whoserves_core::{evaluate, load, timeline::timeline, verdict};
    let text = std::fs::read_to_string(path).expect("bench file");
    let limits = Limits::default();
    let t0 = Instant::now();
    let loaded = load(&text, &limits);
    let t1 = Instant::now();
    let tl = timeline(&loaded.bundle, None);
    let ev = evaluate(&loaded.bundle, &tl.active, &limits);
    let t2 = Instant::now();
    let verdicts = verdict::verdicts(&loaded.bundle, &ev.findings, &tl);
    let unclaimed = verdict::unclaimed(&loaded.bundle, &ev.findings);
    let t3 = Instant::now();
    black_box((&verdicts, &unclaimed));
    let b = &loaded.bundle;
    let first_error = loaded
        .diagnostics
        .iter()
        .find(|d| d.severity == whoserves_core::Severity::Error)
        .map(|d| d.render("bundle"))
        .or_else(|| ev.stopped.map(|s| format!("evaluation stopped: {s:?}")))
        .unwrap_or_else(|| "-".into());
    let traces: usize = ev.findings.iter().map(|f| f.traces.len()).sum();
    let s = |a: Instant, b: Instant| (b - a).as_secs_f64();
    println!(
        "{:.3}\t{:.0}\t{}\t{}\t{}\t{}\t{traces}\t{:.3}/{:.3}/{:.3}\twork {:.1} M; {first_error}",
        s(t0, t3),
        peak_rss_mb(),
        b.observations.len(),
        b.rules.len(),
        b.claims.len(),
        ev.findings.len(),
        s(t0, t1),
        s(t1, t2),
        s(t2, t3),
        ev.work as f64 / 1e6,
    );
}

fn main() {
    if let Ok(path) = std::env::var("WHOSERVES_ADVERSARIAL_FILE") {
        child(&path);
        return;
    }
    // WHOSERVES_ADVERSARIAL_ONLY=text runs only the shapes whose name
    // contains it; WHOSERVES_ADVERSARIAL_DUMP=dir also writes their files
    // there, for a profiler.
    let only = std::env::var("WHOSERVES_ADVERSARIAL_ONLY").unwrap_or_default();
    let dump = std::env::var("WHOSERVES_ADVERSARIAL_DUMP").ok();
    let exe = std::env::current_exe().expect("own path");
    let dir = std::env::temp_dir().join(format!("whoserves-adversarial-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let limits = Limits::default();
    println!(
        "whoserves-core adversarial shapes (default limits; goal: <= {GOAL_SECONDS} s and <= {GOAL_MB} MB each)"
    );
    println!(
        "{:<32} {:>6} {:>8} {:>6} {:>6} {:>8} {:>8} {:>8} {:>17} {:>7} {:>6}  note",
        "shape",
        "MiB",
        "obs",
        "rules",
        "claims",
        "findings",
        "traces",
        "seconds",
        "load/eval/verdict",
        "MB",
        "goal"
    );
    let mut all_met = true;
    for (name, make) in SHAPES.iter().filter(|(n, _)| n.contains(only.as_str())) {
        let text = make();
        if let Some(d) = &dump {
            let file = format!("{}.json", name.replace(|c: char| !c.is_alphanumeric(), "-"));
            std::fs::write(std::path::Path::new(d).join(file), &text).expect("dump");
        }
        let mib = text.len() as f64 / (1024.0 * 1024.0);
        let within = text.len() <= limits.max_bytes;
        let path = dir.join("bundle.json");
        std::fs::write(&path, &text).expect("write bench file");
        drop(text);
        let mut child = std::process::Command::new(&exe)
            .env("WHOSERVES_ADVERSARIAL_FILE", &path)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run child");
        // A shape that runs away is killed after a minute, and says so.
        let started = Instant::now();
        while child.try_wait().expect("wait").is_none() {
            if started.elapsed().as_secs() > 60 {
                let _ = child.kill();
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let out = child.wait_with_output().expect("child output");
        let line = String::from_utf8_lossy(&out.stdout);
        let f: Vec<&str> = line.trim_end().splitn(9, '\t').collect();
        if f.len() < 9 {
            println!(
                "{name:<32} child failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            all_met = false;
            continue;
        }
        let seconds: f64 = f[0].parse().unwrap_or(f64::NAN);
        let mb: f64 = f[1].parse().unwrap_or(f64::NAN);
        // A shape over the size limit measures nothing: it does not count.
        let met = within && seconds <= GOAL_SECONDS && mb <= GOAL_MB;
        all_met &= met;
        let note = if within {
            f[8].to_string()
        } else {
            format!("OVER THE SIZE LIMIT ({mib:.1} MiB); {}", f[8])
        };
        println!(
            "{name:<32} {mib:>6.1} {:>8} {:>6} {:>6} {:>8} {:>8} {seconds:>8.3} {:>17} {mb:>7.0} {:>6}  {note}",
            f[2],
            f[3],
            f[4],
            f[5],
            f[6],
            f[7],
            if met { "met" } else { "MISSED" }
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "goal: every shape through validate, evaluate and verdicts in <= {GOAL_SECONDS} s and <= {GOAL_MB} MB: {}",
        if all_met { "met" } else { "MISSED" }
    );
}
