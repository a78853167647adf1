//! Collection benchmark: how far one machine goes.
//!
//! Prints figures; asserts nothing. Run with `make bench` (or
//! `cargo bench -p whoserves-collect --bench collect`).
//!
//! - DNS collection: `collect` over N made-up domains (DNS only, IP origins
//!   off, no politeness delay) against an in-process hickory-server on
//!   127.0.0.1 sharing the machine, at several concurrencies: lookups/s and
//!   domains/s. A real resolver on the internet answers in 10–100 ms, not
//!   microseconds; the figure is the tool's own ceiling, the network's is
//!   concurrency ÷ latency.
//! - ZDNS import: 200,000 ZDNS JSON lines → observations.
//! - Merge: two 100,000-observation sets by id.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use whoserves_collect::run::{AsnSource, Lookups};
use whoserves_collect::Config;
use whoserves_core::collect::{merge_observations, DnsType, Domains, Resolver};

async fn server(domains: usize) -> SocketAddr {
    let mut zone = String::from(
        "$ORIGIN bench.test.\n$TTL 300\n@ IN SOA ns1.bench.test. h.bench.test. 1 7200 900 1209600 86400\n@ IN NS ns1.bench.test.\n",
    );
    for i in 0..domains {
        let _ = writeln!(
            zone,
            "d{i} IN MX 0 d{i}-bench-test.mail.protection.outlook.com.\nd{i} IN TXT \"v=spf1 include:spf.protection.outlook.com -all\"\nd{i} IN A 192.0.2.{}\nwww.d{i} IN CNAME d{i}.cdn.bench.test.\nd{i}.cdn IN A 192.0.2.{}",
            i % 250 + 1,
            i % 250 + 1
        );
    }
    let mut catalog = whoserves_testserver::Catalog::new();
    whoserves_testserver::add_zone(&mut catalog, zone, None);
    whoserves_testserver::serve(catalog).await
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("whoserves-bench-collect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let n = 2_000;
    let addr = rt.block_on(server(n));
    let csv: String = (0..n)
        .map(|i| format!("firm{i},d{i}.bench.test\n"))
        .collect();
    let input = dir.join("domains.csv");
    std::fs::write(&input, csv).unwrap();
    println!("collect, DNS only, {n} domains (8 lookups each), local hickory-server on the same 2 cores:");
    for concurrency in [16, 64, 256] {
        let cfg = Config {
            input: input.clone(),
            output: dir.join(format!("out-{concurrency}.json")),
            restart: true,
            resolver: Resolver::Named(addr),
            asn: AsnSource::Off,
            lookups: Lookups {
                dns: true,
                tls: false,
                http: false,
                rdap: false,
            },
            concurrency,
            delay: Duration::ZERO,
            retries: 0,
            quiet: true,
            ..Config::default()
        };
        let t = Instant::now();
        let o = rt
            .block_on(whoserves_collect::collect(cfg))
            .expect("collects");
        let s = t.elapsed().as_secs_f64();
        println!(
            "  concurrency {concurrency:>3}: {:>6} lookups in {:>6.2} s = {:>7.0} lookups/s, {:>5.0} domains/s ({} failed, {} observations)",
            o.steps,
            s,
            o.steps as f64 / s,
            n as f64 / s,
            o.failed.len(),
            o.written.observations
        );
    }

    // ZDNS import.
    let lines = 200_000;
    let mut zdns = String::with_capacity(lines * 220);
    for i in 0..lines {
        let _ = writeln!(
            zdns,
            r#"{{"name":"d{}.bench.test","class":"IN","status":"NOERROR","timestamp":"2026-12-02T10:00:00Z","data":{{"answers":[{{"ttl":300,"type":"A","class":"IN","name":"d{}.bench.test","answer":"192.0.2.{}"}}],"protocol":"udp","resolver":"8.8.8.8:53"}}}}"#,
            i % n,
            i % n,
            i % 250 + 1
        );
    }
    let pairs: Vec<(String, String)> = (0..n)
        .map(|i| (format!("firm{i}"), format!("d{i}.bench.test")))
        .collect();
    let domains = Domains::new(pairs.iter().map(|(s, d)| (s.as_str(), d.as_str())));
    let t = Instant::now();
    let got = whoserves_import::zdns::import(&zdns, &domains, Some(DnsType::A));
    let s = t.elapsed().as_secs_f64();
    println!(
        "import zdns: {lines} lines ({:.1} MB) in {:.2} s = {:.0} lines/s, {} observations",
        zdns.len() as f64 / 1e6,
        s,
        lines as f64 / s,
        got.observations.len()
    );

    // Merge by id.
    let make = |day: &str| {
        let text: String = (0..100_000)
            .map(|i| {
                format!(
                    r#"{{"name":"d{}.bench.test","status":"NOERROR","timestamp":"{day}T10:00:00Z","data":{{"answers":[{{"type":"A","name":"x","answer":"198.51.{}.{}"}}]}}}}"#,
                    i % n,
                    i / 250 % 250,
                    i % 250
                ) + "\n"
            })
            .collect();
        whoserves_import::zdns::import(&text, &domains, Some(DnsType::A)).observations
    };
    let (mut a, b) = (make("2026-12-01"), make("2026-12-02"));
    let same = a.clone();
    let t = Instant::now();
    let added = merge_observations(&mut a, b);
    let again = merge_observations(&mut a, same);
    println!(
        "merge: 100,000 + 100,000 (other day) + 100,000 (same ids) in {:.0} ms: {added} added, then {again}",
        t.elapsed().as_secs_f64() * 1e3
    );
    let _ = std::fs::remove_dir_all(&dir);
}
