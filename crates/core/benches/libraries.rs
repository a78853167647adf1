//! Range library benchmark: loading the shipped libraries of
//! `public/rules/` and answering address lookups against them.
//!
//! Prints figures; asserts nothing. Run with `make bench` (or
//! `cargo bench -p whoserves-core --bench libraries`).
//!
//! Goal (issue 8): the full current AWS set (about 17,000 prefixes) loads in
//! <= 50 ms natively and answers >= 1 M lookups/s. The shipped AWS library
//! keeps the services it maps (AMAZON, EC2, CLOUDFRONT, S3, ROUTE53): 15,567
//! prefixes once more specific services are carved out, against the file's
//! 16,826; AMAZON covers every address of the rest.
//!
//! Figures per library, median of 5 runs:
//! - load: `load` of the library text (parse, validate, compile the sets and
//!   rules), as the CLI and the viewer do;
//! - raw lookups/s: every range set's `covering` for one address, over
//!   1,000,000 addresses (half inside a prefix of the library);
//! - evaluated/s: `dns.a`/`dns.aaaa` observations through the rule engine
//!   (cidr index, validity windows, findings), 100,000 of them.

use std::hint::black_box;
use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, Instant};
use whoserves_core::{evaluate, load, load_with, Limits};

mod common;
use common::Lcg;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

/// `n` addresses: even ones inside a random prefix of `nets`, odd ones random.
fn addresses(nets: &[ipnet::IpNet], n: usize) -> Vec<IpAddr> {
    let mut rng = Lcg(42);
    (0..n)
        .map(|i| {
            if i % 2 == 0 && !nets.is_empty() {
                let net = nets[rng.below(nets.len())];
                match net {
                    ipnet::IpNet::V4(v4) => {
                        let span = 1u64 << (32 - v4.prefix_len());
                        let base = u32::from(v4.network()) as u64;
                        IpAddr::V4(((base + rng.next() % span) as u32).into())
                    }
                    ipnet::IpNet::V6(v6) => {
                        let host_bits = 128 - v6.prefix_len() as u32;
                        let offset = ((rng.next() as u128) << 32 | rng.next() as u128)
                            & ((1u128 << host_bits.min(64)) - 1);
                        IpAddr::V6((u128::from(v6.network()) + offset).into())
                    }
                }
            } else if i % 4 == 1 {
                IpAddr::V4((rng.next() as u32).into())
            } else {
                IpAddr::V6(((0x2600u128 << 112) | (rng.next() as u128) << 64).into())
            }
        })
        .collect()
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../public/rules");
    let mut libs: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("public/rules")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            text.contains("\"ranges\"")
                .then(|| (p.file_name().unwrap().to_string_lossy().into_owned(), text))
        })
        .collect();
    libs.sort_by_key(|(_, t)| std::cmp::Reverse(t.len()));
    let limits = Limits::default();
    println!(
        "{:<32} {:>9} {:>9} {:>10} {:>16} {:>14}",
        "library", "bytes", "prefixes", "load ms", "raw lookups/s", "evaluated/s"
    );
    for (name, text) in libs.iter().take(4) {
        let loaded = load(text, &limits);
        assert!(
            loaded.diagnostics.is_empty(),
            "{name}: {:?}",
            loaded.diagnostics
        );
        let b = loaded.bundle;
        let prefixes: usize = b.ranges.iter().map(|r| r.set.prefixes().len()).sum();
        let load_time = time(5, || load(text, &limits));

        let all: Vec<ipnet::IpNet> = b
            .ranges
            .iter()
            .flat_map(|r| r.set.prefixes().iter().copied())
            .collect();
        let ips = addresses(&all, 1_000_000);
        let raw = time(5, || {
            let mut hits = 0usize;
            for ip in &ips {
                for r in &b.ranges {
                    hits += r.set.covering(*ip).len();
                }
            }
            hits
        });

        // The engine: a bundle of dns.a/dns.aaaa observations on the library.
        let n = 100_000;
        let date = b
            .rules
            .iter()
            .filter_map(|r| r.valid_from)
            .max()
            .map(whoserves_core::model::format_date)
            .unwrap_or_else(|| "2026-01-01".into());
        let mut obs = String::new();
        for (i, ip) in ips.iter().take(n).enumerate() {
            let kind = if ip.is_ipv4() { "dns.a" } else { "dns.aaaa" };
            if i > 0 {
                obs.push(',');
            }
            obs.push_str(&format!(
                r#"{{"id":"o{i}","subject":"s","target":"s.example","kind":"{kind}","value":"{ip}","observed_at":"{date}","source":"https://example.org/","provenance":"synthetic"}}"#
            ));
        }
        let main = format!(
            r#"{{"format":"whoserves/1","meta":{{"title":"bench"}},"entities":[{{"id":"s","role":"subject","name":"S"}}],"observations":[{obs}]}}"#
        );
        let with = load_with(&main, &limits, &b);
        assert!(
            with.diagnostics.is_empty(),
            "{:?}",
            with.diagnostics.first()
        );
        let timeline = whoserves_core::timeline::timeline(&with.bundle, None);
        let eval = time(5, || evaluate(&with.bundle, &timeline.active, &limits));
        let findings = evaluate(&with.bundle, &timeline.active, &limits)
            .findings
            .len();

        println!(
            "{:<32} {:>9} {:>9} {:>10.1} {:>16.0} {:>14.0}   ({} findings)",
            name,
            text.len(),
            prefixes,
            load_time.as_secs_f64() * 1e3,
            ips.len() as f64 / raw.as_secs_f64(),
            n as f64 / eval.as_secs_f64(),
            findings
        );
    }
    println!("goal: the AWS set (~17k prefixes) loads in <= 50 ms and answers >= 1 M lookups/s");
}
