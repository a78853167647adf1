//! Throughput benchmark: validation and evaluation of synthetic bundles of
//! 1k, 10k, 100k and 1M observations against 1k rules.
//!
//! Prints figures; asserts nothing. Run with `make bench` (or
//! `cargo bench -p whoserves-core --bench throughput`). Set
//! `WHOSERVES_BENCH_MAX` to stop at a smaller size.
//!
//! Beside validation it prints plain `serde_json` deserialising the same
//! text into the wire types, the floor validation is measured against, and
//! after the table the slope of each phase on a log-log scale from 1k to
//! 1M observations (1.00 is linear).
//!
//! Goals: 100k observations x 1k rules evaluated in <= 150 ms (issue 2);
//! validation within 2x of plain serde_json, and linear growth of
//! validation, evaluation and verdicts (issue 14).

use std::hint::black_box;
use std::time::{Duration, Instant};

/// The CLI's allocator (crates/cli/src/main.rs), so the figures are the CLI's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use whoserves_core::timeline::timeline;
use whoserves_core::verdict::verdicts;
use whoserves_core::wire::{self, CidrSpec, Condition, Example, Examples, Matcher};
use whoserves_core::{evaluate, load, Limits};

const RULES: usize = 1_000;
const PROVIDERS: usize = 50;
const SUBJECTS: usize = 200;

mod common;
use common::Lcg;

fn rule(
    i: usize,
    kind: &str,
    key: Option<&str>,
    category: &str,
    cond: Condition,
    ex: Example,
) -> wire::Rule {
    wire::Rule {
        id: format!("r{i}"),
        provider: format!("p{}", i % PROVIDERS),
        category: category.into(),
        relationship: if i.is_multiple_of(7) {
            "weak".into()
        } else {
            "direct".into()
        },
        matcher: Matcher {
            kind: kind.into(),
            key: key.map(str::to_string),
            condition: cond,
        },
        explanation: "synthetic benchmark rule".into(),
        references: vec![],
        examples: Examples {
            must_match: vec![ex],
            no_match: vec![],
        },
        valid_from: None,
        valid_to: None,
    }
}

/// The value that rule `i` matches, for its kind.
fn rules() -> Vec<wire::Rule> {
    (0..RULES)
        .map(|i| {
            let v = |s: String| Example::Value(s);
            match i % 10 {
                0..=2 => {
                    let kind = ["dns.mx", "dns.ns", "dns.cname"][i % 3];
                    let cat = ["email", "dns", "cdn"][i % 3];
                    rule(
                        i,
                        kind,
                        None,
                        cat,
                        Condition::DomainSuffix(format!("svc{i}.provider.net")),
                        v(format!("a.svc{i}.provider.net")),
                    )
                }
                3 => rule(
                    i,
                    "whois.registrar",
                    None,
                    "registrar",
                    Condition::Equals(format!("Registrar {i} Inc.")),
                    v(format!("Registrar {i} Inc.")),
                ),
                4 => rule(
                    i,
                    "tls.issuer",
                    None,
                    "tls-ca",
                    Condition::Contains(format!("O=CA {i},")),
                    v(format!("CN=x, O=CA {i}, C=US")),
                ),
                5 => rule(
                    i,
                    "dns.txt",
                    None,
                    "email",
                    Condition::Prefix(format!("verify-{i}=")),
                    v(format!("verify-{i}=abc")),
                ),
                6 => rule(
                    i,
                    "http.header",
                    Some("server"),
                    "cdn",
                    Condition::Regex(format!("^edge-{i}/[0-9.]+$")),
                    Example::Keyed {
                        key: "server".into(),
                        value: format!("edge-{i}/1.2"),
                    },
                ),
                7 => rule(
                    i,
                    "dns.a",
                    None,
                    "hosting",
                    Condition::Cidr(CidrSpec::Prefixes(vec![format!(
                        "10.{}.{}.0/24",
                        i / 256,
                        i % 256
                    )])),
                    v(format!("10.{}.{}.7", i / 256, i % 256)),
                ),
                8 => rule(
                    i,
                    "ip.asn",
                    None,
                    "hosting",
                    Condition::Asn(vec![64_000 + i as u32]),
                    v(format!("AS{}", 64_000 + i)),
                ),
                _ => rule(
                    i,
                    "dns.txt",
                    None,
                    "email",
                    Condition::All(vec![
                        Condition::Prefix("v=spf1".into()),
                        Condition::Contains(format!("include:spf{i}.provider.net")),
                        Condition::Not(Box::new(Condition::Contains("+all".into()))),
                    ]),
                    v(format!("v=spf1 include:spf{i}.provider.net -all")),
                ),
            }
        })
        .collect()
}

fn observation(j: usize, rng: &mut Lcg) -> wire::Observation {
    let i = rng.below(RULES);
    let hit = rng.below(2) == 0; // half match a rule, half are noise
    let tag = if hit { format!("{i}") } else { format!("x{i}") };
    let (kind, key, value) = match i % 10 {
        0..=2 => (
            ["dns.mx", "dns.ns", "dns.cname"][i % 3],
            None,
            format!("host{j}.svc{tag}.provider.net."),
        ),
        3 => ("whois.registrar", None, format!("Registrar {tag} Inc.")),
        4 => ("tls.issuer", None, format!("CN=R3, O=CA {tag}, C=US")),
        5 => ("dns.txt", None, format!("\"verify-{tag}=token{j}\"")),
        6 => ("http.header", Some("Server"), format!("edge-{tag}/1.{j}")),
        7 => (
            "dns.a",
            None,
            if hit {
                format!("10.{}.{}.{}", i / 256, i % 256, j % 250)
            } else {
                format!("192.0.2.{}", j % 250)
            },
        ),
        8 => (
            "ip.asn",
            None,
            if hit {
                format!("AS{}", 64_000 + i)
            } else {
                format!("AS{}", 1 + j % 60_000)
            },
        ),
        _ => (
            "dns.txt",
            None,
            format!("v=spf1 include:spf{tag}.provider.net ~all"),
        ),
    };
    wire::Observation {
        id: format!("o{j}"),
        subject: format!("s{}", j % SUBJECTS),
        target: format!("s{}.example", j % SUBJECTS),
        kind: kind.into(),
        key: key.map(str::to_string),
        value,
        observed_at: "2020-05-01".into(),
        method: None,
        source: "bench".into(),
        provenance: "synthetic".into(),
        absent: None,
    }
}

fn bundle_text(n: usize) -> String {
    let mut rng = Lcg(42);
    let mut entities: Vec<wire::Entity> = (0..PROVIDERS)
        .map(|p| wire::Entity {
            id: format!("p{p}"),
            role: "provider".into(),
            name: format!("Provider {p}"),
            ..Default::default()
        })
        .collect();
    entities.extend((0..SUBJECTS).map(|s| wire::Entity {
        id: format!("s{s}"),
        role: "subject".into(),
        name: format!("Subject {s}"),
        ..Default::default()
    }));
    let bundle = wire::Bundle {
        format: wire::FORMAT_V1.into(),
        meta: wire::Meta {
            title: format!("synthetic benchmark, {n} observations"),
            banner: Some("Synthetic data generated for benchmarking.".into()),
            sources: vec![wire::Source {
                id: "bench".into(),
                title: "generated by benches/throughput.rs".into(),
                ..Default::default()
            }],
            ..Default::default()
        },
        entities,
        rules: rules(),
        observations: (0..n).map(|j| observation(j, &mut rng)).collect(),
        // Five claims per subject, as a report would make.
        claims: (0..SUBJECTS * 5)
            .map(|c| wire::Claim {
                id: format!("c{c}"),
                subject: format!("s{}", c % SUBJECTS),
                provider: format!("p{}", c % PROVIDERS),
                category: None,
                source: "bench".into(),
                quote: None,
                as_of: None,
                status: "asserted".into(),
                note: None,
            })
            .collect(),
        ..Default::default()
    };
    serde_json::to_string(&bundle).expect("serialises")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn rate(n: usize, d: Duration) -> String {
    let per_s = n as f64 / d.as_secs_f64();
    if per_s >= 1e6 {
        format!("{:.2} M obs/s", per_s / 1e6)
    } else {
        format!("{:.0} k obs/s", per_s / 1e3)
    }
}

fn main() {
    let max: usize = std::env::var("WHOSERVES_BENCH_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    println!(
        "whoserves-core throughput: {RULES} rules, {PROVIDERS} providers, {SUBJECTS} subjects"
    );
    println!(
        "{:>9}  {:>6}  {:>10}  {:>10}  {:>6}  {:>13}  {:>10}  {:>13}  {:>9}  {:>8}",
        "obs",
        "MiB",
        "serde_json",
        "validate",
        "ratio",
        "validate rate",
        "evaluate",
        "evaluate rate",
        "verdicts",
        "findings"
    );
    // (n, validate, evaluate, verdicts) for the slopes.
    let mut points: Vec<(f64, f64, f64, f64)> = Vec::new();
    for n in [1_000, 10_000, 100_000, 1_000_000] {
        if n > max {
            break;
        }
        let text = bundle_text(n);
        let runs = if n >= 1_000_000 {
            1
        } else if n >= 100_000 {
            7
        } else {
            9
        };
        // serde_json and validation take turns, so that both meet the same
        // allocator state and the same drift in the machine's speed. Each
        // result is dropped before the next timed run, untimed: both
        // measure into memory the allocator has seen, not into fresh pages.
        let mut serde_times = Vec::new();
        let mut load_times = Vec::new();
        let mut loaded = None;
        for _ in 0..runs {
            let t = Instant::now();
            let b: wire::Bundle = serde_json::from_str(black_box(&text)).expect("parses");
            serde_times.push(t.elapsed());
            drop(black_box(b));
            drop(loaded.take());
            let t = Instant::now();
            let l = load(black_box(&text), &Limits::generous());
            load_times.push(t.elapsed());
            loaded = Some(l);
        }
        let loaded = loaded.expect("ran at least once");
        assert!(
            !loaded.has_errors(),
            "benchmark bundle must be valid: {:?}",
            &loaded.diagnostics[..1]
        );
        let mut eval_times = Vec::new();
        let mut evaluation = None;
        for _ in 0..runs {
            let t = Instant::now();
            let f = evaluate(black_box(&loaded.bundle), &[], &Limits::generous());
            eval_times.push(t.elapsed());
            evaluation = Some(f);
        }
        let evaluation = evaluation.expect("ran at least once");
        let tl = timeline(&loaded.bundle, None);
        let mut verdict_times = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let v = verdicts(&loaded.bundle, black_box(&evaluation.findings), &tl);
            verdict_times.push(t.elapsed());
            black_box(v);
        }
        let (st, lt, et, vt) = (
            median(serde_times),
            median(load_times),
            median(eval_times),
            median(verdict_times),
        );
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{:>9}  {:>6.1}  {:>7.1} ms  {:>7.1} ms  {:>5.2}x  {:>13}  {:>7.1} ms  {:>13}  {:>6.1} ms  {:>8}",
            n,
            text.len() as f64 / (1024.0 * 1024.0),
            ms(st),
            ms(lt),
            lt.as_secs_f64() / st.as_secs_f64(),
            rate(n, lt),
            ms(et),
            rate(n, et),
            ms(vt),
            evaluation.findings.len()
        );
        points.push((n as f64, ms(lt), ms(et), ms(vt)));
        if n == 100_000 {
            let verdict = if et <= Duration::from_millis(150) {
                "met"
            } else {
                "MISSED"
            };
            println!(
                "           goal: 100k observations evaluated in <= 150 ms: {verdict} ({:.1} ms)",
                ms(et)
            );
            let ratio = lt.as_secs_f64() / st.as_secs_f64();
            println!(
                "           goal: validation within 2x of plain serde_json into the wire types: {} ({ratio:.2}x: {:.1} ms against {:.1} ms)",
                if ratio <= 2.0 { "met" } else { "MISSED" },
                ms(lt),
                ms(st)
            );
        }
    }
    if points.len() >= 2 {
        let slope = |f: fn(&(f64, f64, f64, f64)) -> f64| {
            // Least squares on (ln n, ln t).
            let xs: Vec<f64> = points.iter().map(|p| p.0.ln()).collect();
            let ys: Vec<f64> = points.iter().map(|p| f(p).max(1e-6).ln()).collect();
            let k = xs.len() as f64;
            let (mx, my) = (xs.iter().sum::<f64>() / k, ys.iter().sum::<f64>() / k);
            let num: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
            let den: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
            num / den
        };
        let last = |f: fn(&(f64, f64, f64, f64)) -> f64| {
            let (a, b) = (&points[points.len() - 2], &points[points.len() - 1]);
            (f(b) / f(a)).ln() / (b.0 / a.0).ln()
        };
        println!(
            "scale, log-log slope from {} to {} observations (1.00 = linear; last step in brackets): validate {:.2} ({:.2}), evaluate {:.2} ({:.2}), verdicts {:.2} ({:.2})",
            points[0].0,
            points[points.len() - 1].0,
            slope(|p| p.1),
            last(|p| p.1),
            slope(|p| p.2),
            last(|p| p.2),
            slope(|p| p.3),
            last(|p| p.3)
        );
    }
}
