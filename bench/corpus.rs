//! The real-fingerprint benchmark (issue 14, goal 1): a Wappalyzer-format
//! technology set, converted by `whoserves import wappalyzer --all` into a
//! rule library, evaluated over generated sites; and the same sites given
//! to `wappalyzer-core` under node, in the same run.
//!
//! ```text
//! cargo bench -p whoserves-import --bench corpus -- DIR
//! make bench WAPPALYZER=DIR
//! ```
//!
//! `DIR` holds `technologies/*.json` (and `categories.json`), as
//! enthec/webappanalyzer's `src/` does. The set is not vendored (it is
//! GPL-3.0); without a directory the bench runs on the constructed excerpt
//! in `tests/fixtures/import/wappalyzer/` and says that its figures are
//! only a smoke test.
//!
//! The sites are generated, deterministically: per site 15 observations
//! (2 NS, 2 MX, 2 TXT, a CNAME, an issuer, 4 headers, 3 script URLs).
//! About one value in four is drawn from a real pattern of its field (the
//! pattern's literal skeleton: classes become one member, repetitions one
//! copy), so rules fire as they would on the web; the rest are
//! ordinary-looking values. The values are synthetic, and the bundle says
//! so.
//!
//! Prints figures; asserts nothing. `WHOSERVES_CORPUS_SITES` sets the
//! number of sites (default 5,000); `WHOSERVES_PEER_SITES` how many of
//! them wappalyzer-core gets (default all; it is about 300× slower; 0
//! skips it). `WHOSERVES_CORPUS_KEEP` keeps the generated files.
//!
//! Goals: the evaluation of ~4,669 regex rules over 75,000 observations in
//! ≤ 1.5 s (100× wappalyzer-core's 154 s), aim ≤ 0.5 s; the whole `check`
//! process within 2× of the evaluation; compiling a 5,000-rule library in
//! ≤ 300 ms.

use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use whoserves_core::matcher::Condition;
use whoserves_core::wire;
use whoserves_core::{analyze, evaluate, load, timeline::timeline, Limits};
use whoserves_import::wappalyzer::{convert, strings, Options};

/// A small deterministic generator (64-bit LCG, high bits).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// A string a pattern likely matches: its literal skeleton. The first
/// branch of each alternation, one member of each class, one copy of each
/// repeated atom, look-around and anchors dropped.
fn skeleton(pattern: &str) -> String {
    let body = pattern.split("\\;").next().unwrap_or("");
    let chars: Vec<char> = body.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    // Depths at which an alternation's rest is being skipped.
    let mut depth = 0usize;
    let mut skip_to: Option<usize> = None;
    while i < chars.len() {
        let c = chars[i];
        if let Some(d) = skip_to {
            match c {
                '\\' => i += 1,
                '(' => depth += 1,
                ')' => {
                    if depth == d {
                        skip_to = None;
                        depth = depth.saturating_sub(1);
                    } else {
                        depth -= 1;
                    }
                }
                '[' => {
                    while i < chars.len() && chars[i] != ']' {
                        i += if chars[i] == '\\' { 2 } else { 1 };
                    }
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            '\\' => {
                i += 1;
                match chars.get(i) {
                    Some('d') => out.push('1'),
                    Some('w') => out.push('a'),
                    Some('s') => out.push(' '),
                    Some('b' | 'B' | 'A' | 'z') => {}
                    Some('D' | 'W' | 'S') => out.push('-'),
                    Some(&x) => out.push(x),
                    None => {}
                }
            }
            '^' | '$' => {}
            '(' => {
                depth += 1;
                if chars.get(i + 1) == Some(&'?') {
                    // (?: (?i) (?= (?! (?<= (?<!: look-around is skipped whole.
                    let look = matches!(chars.get(i + 2), Some('=' | '!'))
                        || (chars.get(i + 2) == Some(&'<')
                            && matches!(chars.get(i + 3), Some('=' | '!')));
                    if look {
                        skip_to = Some(depth);
                    } else {
                        while i < chars.len() && !matches!(chars[i], ':' | ')') {
                            i += 1;
                        }
                        if chars.get(i) == Some(&')') {
                            depth -= 1;
                        }
                    }
                }
            }
            ')' => depth = depth.saturating_sub(1),
            '|' => skip_to = Some(depth),
            '[' => {
                i += 1;
                let negated = chars.get(i) == Some(&'^');
                let mut first = None;
                while i < chars.len() && chars[i] != ']' {
                    if first.is_none() {
                        first = Some(match chars[i] {
                            '\\' => match chars.get(i + 1) {
                                Some('d') => '1',
                                Some('w') => 'a',
                                Some(&x) => x,
                                None => 'a',
                            },
                            '^' => 'a',
                            x => x,
                        });
                    }
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                out.push(if negated { 'q' } else { first.unwrap_or('a') });
            }
            '?' | '*' | '+' => {}
            '{' => {
                while i < chars.len() && chars[i] != '}' {
                    i += 1;
                }
            }
            '.' => out.push('x'),
            x => out.push(x),
        }
        i += 1;
    }
    out
}

/// The technology files of `dir` (`technologies/*.json`, or `*.json` in
/// `dir` itself), sorted by name, and `categories.json` if there is one.
fn read_set(dir: &Path) -> (Vec<(String, String)>, Option<String>) {
    let tech_dir = if dir.join("technologies").is_dir() {
        dir.join("technologies")
    } else {
        dir.to_path_buf()
    };
    let mut files: Vec<(String, String)> = std::fs::read_dir(&tech_dir)
        .unwrap_or_else(|e| panic!("{}: {e}", tech_dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter(|p| p.file_name().is_some_and(|n| n != "categories.json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p.file_name().unwrap().to_string_lossy().into_owned(), text)
        })
        .collect();
    files.sort();
    let categories = std::fs::read_to_string(dir.join("categories.json")).ok();
    (files, categories)
}

/// Patterns per field, for drawing values that fire.
#[derive(Default)]
struct Pools {
    ns: Vec<String>,
    mx: Vec<String>,
    txt: Vec<String>,
    cname: Vec<String>,
    issuer: Vec<String>,
    script: Vec<String>,
    headers: Vec<(String, String)>,
}

fn pools(files: &[(String, String)]) -> Pools {
    let mut p = Pools::default();
    for (_, text) in files {
        let techs: Map<String, Value> = serde_json::from_str(text).unwrap();
        for def in techs.values() {
            if let Some(dns) = def.get("dns").and_then(Value::as_object) {
                for (rec, list) in dns {
                    let slot = match rec.to_ascii_uppercase().as_str() {
                        "NS" => &mut p.ns,
                        "MX" => &mut p.mx,
                        "TXT" => &mut p.txt,
                        "CNAME" => &mut p.cname,
                        _ => continue,
                    };
                    slot.extend(strings(list).iter().map(|s| skeleton(s)));
                }
            }
            if let Some(h) = def.get("headers").and_then(Value::as_object) {
                for (k, v) in h {
                    for s in strings(v) {
                        p.headers.push((k.to_ascii_lowercase(), skeleton(&s)));
                    }
                }
            }
            if let Some(v) = def.get("scriptSrc") {
                p.script.extend(strings(v).iter().map(|s| skeleton(s)));
            }
            if let Some(v) = def.get("certIssuer") {
                p.issuer.extend(strings(v).iter().map(|s| skeleton(s)));
            }
        }
    }
    p
}

/// One generated site: its observations, in whoserves' and in
/// wappalyzer-core's shape.
struct Site {
    domain: String,
    obs: Vec<(&'static str, Option<String>, String)>,
}

fn site(i: usize, rng: &mut Lcg, p: &Pools) -> Site {
    let domain = format!("site{i}.example");
    let mut obs = Vec::with_capacity(15);
    // About one value in four comes from a real pattern.
    let draw = |rng: &mut Lcg, pool: &[String], plain: String| -> String {
        if !pool.is_empty() && rng.below(4) == 0 {
            rng.pick(pool).clone()
        } else {
            plain
        }
    };
    let hosts = ["host", "cloud", "dns", "net", "web", "edge"];
    for n in 0..2 {
        let plain = format!("ns{}.{}{}.net", n + 1, rng.pick(&hosts), rng.below(400));
        obs.push(("dns.ns", None, draw(rng, &p.ns, plain)));
    }
    for n in 0..2 {
        let plain = format!("mx{}.mail{}.{}", n + 1, rng.below(300), domain);
        obs.push(("dns.mx", None, draw(rng, &p.mx, plain)));
    }
    let plain = format!(
        "v=spf1 include:_spf.mail{}.net ip4:10.{}.{}.0/24 ~all",
        rng.below(300),
        rng.below(256),
        rng.below(256)
    );
    obs.push(("dns.txt", None, draw(rng, &p.txt, plain)));
    let plain = format!("site-verification={:016x}{:016x}", rng.next(), rng.next());
    obs.push(("dns.txt", None, draw(rng, &p.txt, plain)));
    let plain = format!("www.{domain}.{}{}.net", rng.pick(&hosts), rng.below(500));
    obs.push(("dns.cname", None, draw(rng, &p.cname, plain)));
    let plain = format!(
        "CN=R{}, O=Example Trust {}, C=US",
        rng.below(20),
        rng.below(50)
    );
    obs.push(("tls.issuer", None, draw(rng, &p.issuer, plain)));
    let servers = [
        "nginx/1.24.0",
        "Apache/2.4.58 (Debian)",
        "openresty",
        "Microsoft-IIS/10.0",
        "gws",
    ];
    obs.push((
        "http.header",
        Some("server".into()),
        rng.pick(&servers).to_string(),
    ));
    obs.push((
        "http.header",
        Some("content-type".into()),
        "text/html; charset=utf-8".into(),
    ));
    for _ in 0..2 {
        let (k, v) = if !p.headers.is_empty() && rng.below(2) == 0 {
            rng.pick(&p.headers).clone()
        } else {
            (
                "cache-control".to_string(),
                format!("public, max-age={}", rng.below(100_000)),
            )
        };
        obs.push(("http.header", Some(k), v));
    }
    let libs = ["app", "vendor", "main", "runtime", "chunk", "polyfills"];
    for _ in 0..3 {
        let plain = format!(
            "https://{domain}/static/js/{}.{:08x}.js",
            rng.pick(&libs),
            rng.next() as u32
        );
        obs.push(("html.script_src", None, draw(rng, &p.script, plain)));
    }
    Site { domain, obs }
}

/// The sites as a whoserves bundle including `library` (file name).
fn sites_bundle(sites: &[Site], library: &str) -> wire::Bundle {
    let mut b = wire::Bundle {
        format: wire::FORMAT_V1.into(),
        ..Default::default()
    };
    b.meta.title = "Benchmark: generated sites against a Wappalyzer-format rule set".into();
    b.meta.banner = Some("Synthetic data: generated sites, for benchmarking only.".into());
    b.include = vec![wire::Include::Path(library.into())];
    for (i, s) in sites.iter().enumerate() {
        b.entities.push(wire::Entity {
            id: format!("site-{i}"),
            role: "subject".into(),
            name: format!("Site {i}"),
            domains: vec![s.domain.clone()],
            ..Default::default()
        });
        for (n, (kind, key, value)) in s.obs.iter().enumerate() {
            b.observations.push(wire::Observation {
                id: format!("o{i}-{n}"),
                subject: format!("site-{i}"),
                target: s.domain.clone(),
                kind: kind.to_string(),
                key: key.clone(),
                value: value.clone(),
                observed_at: "2026-12-01".into(),
                method: Some("generated by bench/corpus.rs".into()),
                source: "https://example.invalid/bench".into(),
                provenance: "synthetic".into(),
                absent: None,
            });
        }
    }
    b
}

/// The same sites in wappalyzer-core's `analyze` shape.
fn sites_for_wappalyzer(sites: &[Site]) -> Value {
    Value::Array(
        sites
            .iter()
            .map(|s| {
                let mut headers = Map::new();
                let mut dns = Map::new();
                let mut scripts = Vec::new();
                let mut issuer = Value::Null;
                for (kind, key, value) in &s.obs {
                    let push = |m: &mut Map<String, Value>, k: &str| {
                        m.entry(k.to_string())
                            .or_insert_with(|| json!([]))
                            .as_array_mut()
                            .unwrap()
                            .push(json!(value))
                    };
                    match *kind {
                        "http.header" => push(&mut headers, key.as_deref().unwrap()),
                        "dns.ns" => push(&mut dns, "ns"),
                        "dns.mx" => push(&mut dns, "mx"),
                        "dns.txt" => push(&mut dns, "txt"),
                        "dns.cname" => push(&mut dns, "cname"),
                        "tls.issuer" => issuer = json!(value),
                        "html.script_src" => scripts.push(json!(value)),
                        _ => {}
                    }
                }
                json!({
                    "url": format!("https://{}/", s.domain),
                    "headers": headers,
                    "dns": dns,
                    "scriptSrc": scripts,
                    "certIssuer": issuer,
                })
            })
            .collect(),
    )
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let arg = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .or_else(|| std::env::var("WAPPALYZER").ok().filter(|s| !s.is_empty()));
    let (dir, real) = match arg {
        Some(d) => (PathBuf::from(d), true),
        None => {
            println!("corpus: no technology set given (cargo bench -p whoserves-import --bench corpus -- DIR, or make bench WAPPALYZER=DIR); running on the constructed excerpt in tests/fixtures/import/wappalyzer: a smoke test, not the goal's figure");
            (root.join("tests/fixtures/import/wappalyzer"), false)
        }
    };
    let (files, categories) = read_set(&dir);
    let n_sites: usize = std::env::var("WHOSERVES_CORPUS_SITES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5_000);

    // Convert, as `whoserves import wappalyzer --all` does.
    let t = Instant::now();
    let converted = convert(&files, &Options { all: true }).expect("technology files");
    let convert_ms = ms(t);
    let library_text = converted.to_json();
    let n_rules = converted.bundle.rules.len();
    println!(
        "corpus: {} technologies in {} files -> {n_rules} rules ({} patterns not convertible) in {convert_ms:.0} ms",
        converted.technologies,
        files.len(),
        converted.failures()
    );
    for (kind, n) in &converted.converted {
        println!("  {kind:<16} {n:>6} rules");
    }

    // Compile: load the library alone (parsing, validation, every regex
    // compiled), then index it.
    let limits = Limits::default();
    let mut load_runs = Vec::new();
    let mut index_runs = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let lib = load(&library_text, &limits);
        load_runs.push(ms(t));
        let t = Instant::now();
        let set = whoserves_core::RuleSet::new(&lib.bundle.rules);
        index_runs.push(ms(t));
        std::hint::black_box(set);
    }
    let (load_ms, index_ms) = (median(load_runs), median(index_runs));
    println!(
        "corpus: compile {n_rules} rules: load+regex compile {load_ms:.0} ms + index {index_ms:.0} ms = {:.0} ms (goal for 5,000 rules: <= 300 ms; scaled to 5,000: {:.0} ms)",
        load_ms + index_ms,
        (load_ms + index_ms) * 5_000.0 / n_rules.max(1) as f64
    );

    // The sites.
    let pools = pools(&files);
    let mut rng = Lcg(14);
    let sites: Vec<Site> = (0..n_sites).map(|i| site(i, &mut rng, &pools)).collect();
    let n_obs: usize = sites.iter().map(|s| s.obs.len()).sum();
    let work = std::env::temp_dir().join(format!("whoserves-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let lib_path = work.join("wappalyzer-rules.json");
    std::fs::write(&lib_path, &library_text).unwrap();
    let bundle = sites_bundle(&sites, "wappalyzer-rules.json");
    let bundle_text = serde_json::to_string(&bundle).unwrap();
    let bundle_path = work.join("sites.json");
    std::fs::write(&bundle_path, &bundle_text).unwrap();

    // Evaluation alone, on the loaded bundle (library and sites together).
    let mut merged = converted.bundle.clone();
    merged.entities.extend(bundle.entities.iter().cloned());
    merged.observations = bundle.observations.clone();
    let merged_text = serde_json::to_string(&merged).unwrap();
    let loaded = load(&merged_text, &limits);
    let errors = whoserves_core::diag::error_count(&loaded.diagnostics);
    let unindexed: std::collections::BTreeMap<&str, usize> = loaded
        .bundle
        .rules
        .iter()
        .filter(|r| matches!(&r.condition, Condition::Regex(p) if p.literals.is_none()))
        .fold(Default::default(), |mut m, r| {
            *m.entry(r.kind.as_str()).or_default() += 1;
            m
        });
    println!(
        "corpus: regex rules with no literal to index (tried on every observation of their kind): {unindexed:?}"
    );
    let tl = timeline(&loaded.bundle, None);
    // The first evaluation of a loaded bundle builds the search engines of
    // the regexes the index proposes (see matcher::Pattern): cold. The
    // runs after it reuse them: warm.
    let t = Instant::now();
    let cold = evaluate(&loaded.bundle, &tl.active, &Limits::generous());
    let cold_ms = ms(t);
    std::hint::black_box(cold);
    let mut eval_runs = Vec::new();
    let mut found = (0, 0);
    let mut work_units = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let e = evaluate(&loaded.bundle, &tl.active, &Limits::generous());
        eval_runs.push(ms(t));
        found = (e.findings.len(), e.unmatched.len());
        work_units = e.work;
    }
    let at_default = evaluate(&loaded.bundle, &tl.active, &limits);
    println!(
        "corpus: work {work_units} units (the default limit is {}); under the default limits: {}",
        limits.max_work,
        match at_default.stopped {
            Some(stop) => format!("STOPPED ({stop:?})"),
            None => "completes".into(),
        }
    );
    let eval_ms = median(eval_runs);
    println!(
        "corpus: evaluate {n_rules} rules x {n_obs} observations ({n_sites} sites): cold {cold_ms:.0} ms, warm {eval_ms:.0} ms, {:.0} observations/s cold; {} findings, {} observations unmatched, {errors} load errors (goal <= 1,500 ms, aim <= 500 ms: {})",
        n_obs as f64 / (cold_ms / 1e3),
        found.0,
        found.1,
        if cold_ms <= 500.0 {
            "both met"
        } else if cold_ms <= 1500.0 {
            "goal met, aim missed"
        } else {
            "MISSED"
        }
    );
    let eval_ms = cold_ms;
    let t = Instant::now();
    let l = load(&merged_text, &limits);
    let load_all_ms = ms(t);
    std::hint::black_box(l);
    let t = Instant::now();
    let a = analyze(&merged_text, &limits);
    let analyze_ms = ms(t);
    println!(
        "corpus: in process, {:.1} MB: load (parse, validate, compile) {load_all_ms:.0} ms; analyze (load + evaluate + verdicts) {analyze_ms:.0} ms",
        merged_text.len() as f64 / 1e6
    );
    std::hint::black_box(a);

    // The whole `check` process, as a researcher runs it.
    let cli = root.join("target/release/whoserves");
    if cli.exists() {
        let mut runs = Vec::new();
        let mut status = None;
        let mut first = 0.0;
        // One warm-up run first, unmeasured, as hyperfine does: the first
        // run after the bench's own work pays for the kernel finding it
        // fresh pages.
        for i in 0..4 {
            let t = Instant::now();
            let out = Command::new(&cli)
                .arg("check")
                .arg(&bundle_path)
                .output()
                .expect("run whoserves check");
            if i > 0 {
                runs.push(ms(t));
            } else {
                first = ms(t);
            }
            status = out.status.code();
        }
        let check_ms = median(runs);
        println!(
            "corpus: whoserves check (whole process, exit {}; median of 3 after a warm-up run of {first:.0} ms): {check_ms:.0} ms wall, {:.2}x the evaluation (goal <= 2x)",
            status.unwrap_or(-1),
            check_ms / eval_ms
        );
    } else {
        println!(
            "corpus: whoserves check: skipped, {} not built (make cli)",
            cli.display()
        );
    }

    // The peer: wappalyzer-core on the same sites.
    let peer = root.join("node_modules/wappalyzer-core");
    let peer_sites: usize = std::env::var("WHOSERVES_PEER_SITES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(n_sites)
        .min(n_sites);
    if peer_sites == 0 {
        println!("corpus: wappalyzer-core: skipped (WHOSERVES_PEER_SITES=0)");
    } else if peer.exists() {
        let sites_path = work.join("sites-wappalyzer.json");
        let shaped = sites_for_wappalyzer(&sites[..peer_sites]);
        std::fs::write(&sites_path, serde_json::to_string(&shaped).unwrap()).unwrap();
        let cats_path = work.join("categories.json");
        std::fs::write(&cats_path, categories.unwrap_or_else(|| "{}".into())).unwrap();
        let tech_list: Vec<String> = files
            .iter()
            .map(|(n, _)| {
                let d = if dir.join("technologies").is_dir() {
                    dir.join("technologies")
                } else {
                    dir.clone()
                };
                d.join(n).display().to_string()
            })
            .collect();
        let out = Command::new("node")
            .arg(root.join("bench/wappalyzer-core.mjs"))
            .arg(&sites_path)
            .arg(&cats_path)
            .args(&tech_list)
            .output()
            .expect("run node");
        let text = String::from_utf8_lossy(&out.stdout);
        match serde_json::from_str::<Value>(text.trim()) {
            Ok(v) => {
                let peer_ms = v["ms"].as_f64().unwrap_or(f64::NAN);
                let peer_obs = n_obs as f64 * peer_sites as f64 / n_sites as f64;
                let per_obs = peer_ms / peer_obs;
                let ours_per_obs = eval_ms / n_obs as f64;
                println!(
                    "corpus: wappalyzer-core {} on {peer_sites} of the sites ({peer_obs:.0} observations): {peer_ms:.0} ms, {:.0} observations/s, {} detections",
                    v["version"].as_str().unwrap_or("?"),
                    peer_obs / (peer_ms / 1e3),
                    v["detections"]
                );
                println!(
                    "corpus: whoserves evaluation vs wappalyzer-core, per observation: {:.1}x faster (goal >= 100x)",
                    per_obs / ours_per_obs
                );
            }
            Err(_) => println!(
                "corpus: wappalyzer-core failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        }
    } else {
        println!("corpus: wappalyzer-core: skipped, not installed (npm ci installs it)");
    }
    if std::env::var_os("WHOSERVES_CORPUS_KEEP").is_some() {
        println!("corpus: files kept in {}", work.display());
    } else {
        let _ = std::fs::remove_dir_all(&work);
    }
    if !real {
        println!(
            "corpus: (excerpt only; give the technology set's directory for the goal's figures)"
        );
    }
}
