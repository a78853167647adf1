//! `whoserves collect`, `merge`, `asn` and `import zdns`: thin shells over
//! `whoserves-collect` and `whoserves-import`.

use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use whoserves_collect::run::{AsnSource, Lookups};
use whoserves_collect::{bundle, net, Config};
use whoserves_core::collect::DnsType;
use whoserves_core::text::inert;

/// Options of `whoserves collect`.
#[derive(Args)]
#[command(after_long_help = "\
WHAT GOES TO WHOM
  the resolver:      each firm's domains and their www. hosts (NS, MX, TXT, SOA, A, AAAA), and with
                     --asn cymru each address found, as a name under origin.asn.cymru.com
  each firm's hosts: one TLS handshake (SNI = the host) and one GET / per host, with the user agent
                     \"whoserves-collect/<version> (evidence collection; see docs/collecting.md)\"
  the RDAP servers:  IANA's bootstrap file once, then one GET per domain
  web.archive.org:   with --at, one CDX query and one capture GET per domain
  Nothing else is sent. docs/collecting.md says more.

Rerun the same command to resume: steps the log records as done are not repeated.")]
pub struct CollectArgs {
    /// A bundle whose subjects have `domains`, or a CSV of `subject,domain` rows.
    input: PathBuf,
    /// The bundle to write: the input's entities and claims, the observations, and the rule libraries.
    #[arg(short, long)]
    output: PathBuf,
    /// A rule library to include (a path from here, or a URL); repeatable. The input's own includes are kept.
    #[arg(long, value_name = "PATH")]
    include: Vec<String>,
    /// The DNS resolver: system, an IP[:port], an https:// DoH URL, or cloudflare, google, quad9,
    /// cloudflare-doh, google-doh, quad9-doh.
    #[arg(long, default_value = "system", value_name = "RESOLVER")]
    resolver: String,
    /// IP → AS: `cymru` (Team Cymru's DNS origin lookup, through the resolver), `off`, or the path of a
    /// table written by `whoserves import asn` (offline).
    #[arg(long, default_value = "cymru", value_name = "cymru|off|TABLE")]
    asn: String,
    /// Also read the Wayback Machine capture of each home page nearest this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    at: Option<String>,
    /// How many days either side of --at a capture may be.
    #[arg(long, default_value_t = 183, value_name = "DAYS")]
    at_window: u32,
    /// The Wayback Machine's address (its CDX API is under /cdx/search/cdx).
    #[arg(long, default_value = whoserves_collect::archive::WAYBACK, value_name = "URL")]
    wayback: String,
    /// IANA's RDAP bootstrap file for domain names.
    #[arg(long, default_value = whoserves_collect::rdap::IANA_BOOTSTRAP, value_name = "URL")]
    rdap_bootstrap: String,
    /// Skip DNS lookups (and so IP origins).
    #[arg(long)]
    no_dns: bool,
    /// Skip TLS certificates.
    #[arg(long)]
    no_tls: bool,
    /// Skip home pages.
    #[arg(long)]
    no_http: bool,
    /// Skip registrars.
    #[arg(long)]
    no_rdap: bool,
    /// Lookups at once.
    #[arg(long, default_value_t = 8, value_name = "N")]
    concurrency: usize,
    /// Least time between two requests to one site, the RDAP servers or the archive, in milliseconds.
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    delay: u64,
    /// Time allowed for each request, in seconds.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    timeout: u64,
    /// Tries after the first for timeouts and dropped connections (backoff 0.5 s, doubling).
    #[arg(long, default_value_t = 2, value_name = "N")]
    retries: u32,
    /// Redirects followed when fetching a home page.
    #[arg(long, default_value_t = 5, value_name = "N")]
    max_redirects: usize,
    /// The port for TLS and https:// (for local test servers).
    #[arg(long, default_value_t = 443, value_name = "PORT")]
    https_port: u16,
    /// The port for http:// (for local test servers).
    #[arg(long, default_value_t = 80, value_name = "PORT")]
    http_port: u16,
    /// Also trust the CA certificates in this PEM file (repeatable), e.g. a test CA.
    #[arg(long, value_name = "PEM")]
    ca_file: Vec<PathBuf>,
    /// Who collected: the publisher of the run's source entry.
    #[arg(long, value_name = "NAME")]
    collector: Option<String>,
    /// The collection log (default: OUTPUT's name with .log.jsonl).
    #[arg(long, value_name = "PATH")]
    log: Option<PathBuf>,
    /// Forget the log of an earlier run and look everything up again.
    #[arg(long)]
    restart: bool,
    /// No progress bar and no summary.
    #[arg(short, long)]
    quiet: bool,
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("whoserves: {}", inert(msg));
    ExitCode::from(2)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Runs `whoserves collect`.
pub fn collect(a: CollectArgs) -> ExitCode {
    let resolver = match net::parse_resolver(&a.resolver) {
        Ok(r) => r,
        Err(e) => return usage(&format!("--resolver {e}")),
    };
    let asn = match a.asn.as_str() {
        "cymru" => AsnSource::Cymru,
        "off" => AsnSource::Off,
        path => AsnSource::Table(PathBuf::from(path)),
    };
    let at = match a.at.as_deref().map(whoserves_core::date::parse_date) {
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => return usage(&format!("--at: {e}")),
        None => None,
    };
    for url in [&a.wayback, &a.rdap_bootstrap] {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return usage(&format!("\"{url}\" is not an http(s) URL"));
        }
    }
    let cfg = Config {
        input: a.input,
        output: a.output,
        log: a.log,
        restart: a.restart,
        include: a.include,
        resolver,
        asn,
        lookups: Lookups {
            dns: !a.no_dns,
            tls: !a.no_tls,
            http: !a.no_http,
            rdap: !a.no_rdap,
        },
        at,
        at_window: a.at_window,
        wayback: a.wayback,
        rdap_bootstrap: a.rdap_bootstrap,
        concurrency: a.concurrency,
        delay: Duration::from_millis(a.delay),
        timeout: Duration::from_secs(a.timeout.max(1)),
        retries: a.retries,
        backoff: Duration::from_millis(500),
        max_redirects: a.max_redirects,
        https_port: a.https_port,
        http_port: a.http_port,
        ca_files: a.ca_file,
        collector: a.collector,
        quiet: a.quiet,
        now: None,
    };
    let quiet = cfg.quiet;
    let output = cfg.output.clone();
    match runtime().block_on(whoserves_collect::collect(cfg)) {
        Err(e) => usage(&e),
        Ok(o) => {
            if !quiet {
                eprintln!(
                    "collected: {} lookups ({} done by an earlier run), {} failed",
                    o.steps,
                    o.resumed,
                    o.failed.len()
                );
                for (step, why) in o.failed.iter().take(20) {
                    eprintln!("  failed: {}: {}", inert(step), inert(why));
                }
                if o.failed.len() > 20 {
                    eprintln!("  … and {} more (see the log)", o.failed.len() - 20);
                }
                eprintln!(
                    "wrote {}: {} observations ({} new); log: {}",
                    output.display(),
                    o.written.observations,
                    o.written.added,
                    o.log.display()
                );
                if o.interrupted {
                    eprintln!(
                        "interrupted: rerun the same command to finish; nothing logged is lost"
                    );
                } else {
                    eprintln!("next: whoserves check {}", output.display());
                }
            }
            if o.interrupted {
                ExitCode::from(130)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

/// Runs `whoserves merge`.
pub fn merge(files: &[PathBuf], output: &Path) -> ExitCode {
    let out_dir = output.parent().map(Path::to_path_buf).unwrap_or_default();
    let dir = |p: &Path| p.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut base = match bundle::read_bundle(&files[0]) {
        Ok(b) => b,
        Err(e) => return usage(&e),
    };
    bundle::rebase_includes(&mut base, &dir(&files[0]), &out_dir);
    let (mut added, mut dups, mut others) = (0, 0, 0);
    for f in &files[1..] {
        let other = match bundle::read_bundle(f) {
            Ok(b) => b,
            Err(e) => return usage(&e),
        };
        let m = bundle::merge(&mut base, other, &dir(f), &out_dir);
        added += m.observations;
        dups += m.duplicates;
        others += m.others;
    }
    if let Err(e) = bundle::write(&base, output) {
        return usage(&e);
    }
    eprintln!(
        "wrote {}: {} observations ({added} added, {dups} already there), {others} entities, claims and sources added",
        output.display(),
        base.observations.len()
    );
    ExitCode::SUCCESS
}

/// Runs `whoserves asn TABLE IP…`: what `--asn TABLE` records for each IP.
pub fn asn(table: &Path, ips: &[String]) -> ExitCode {
    let text = match std::fs::read_to_string(table) {
        Ok(t) => t,
        Err(e) => return usage(&format!("{}: {e}", table.display())),
    };
    let t = match whoserves_import::asn::Table::parse(&text) {
        Ok(t) => t,
        Err(e) => return usage(&format!("{}: {e}", table.display())),
    };
    let mut code = ExitCode::SUCCESS;
    for ip in ips {
        match ip.parse() {
            Ok(addr) => match t.lookup(addr) {
                Some(o) => println!(
                    "{ip}\tAS{}\t{}\t{}-{}",
                    o.asn,
                    inert(o.name.unwrap_or("")),
                    o.range.0,
                    o.range.1
                ),
                None => {
                    println!("{ip}\tnot in the table");
                    code = ExitCode::from(1);
                }
            },
            Err(_) => return usage(&format!("\"{ip}\" is not an IP address")),
        }
    }
    code
}

/// Runs `whoserves import zdns`.
pub fn zdns(
    file: &Path,
    input: &Path,
    rtype: Option<&str>,
    output: &Path,
    include: &[String],
) -> ExitCode {
    let rtype = match rtype.map(|t| DnsType::parse(t).ok_or(t)) {
        Some(Err(t)) => {
            return usage(&format!(
                "--type: \"{t}\" is not one of A, AAAA, CNAME, MX, NS, SOA, TXT"
            ))
        }
        Some(Ok(t)) => Some(t),
        None => None,
    };
    let input = match bundle::read_input(input) {
        Ok(i) => i,
        Err(e) => return usage(&e),
    };
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return usage(&format!("{}: {e}", file.display())),
    };
    let domains = whoserves_core::collect::Domains::new(
        input
            .subjects
            .iter()
            .flat_map(|s| s.domains.iter().map(|d| (s.id.as_str(), d.as_str()))),
    );
    let got = whoserves_import::zdns::import(&text, &domains, rtype);
    let sources: Vec<whoserves_core::wire::Source> = got
        .days
        .iter()
        .map(|day| whoserves_core::wire::Source {
            id: whoserves_import::zdns::source_id(day),
            title: format!("DNS answers from a ZDNS run on {day} ({})", file.display()),
            date: Some(day.clone()),
            ..Default::default()
        })
        .collect();
    let (b, w) = bundle::output(&input, output, got.observations, sources, include);
    if let Err(e) = bundle::write(&b, output) {
        return usage(&e);
    }
    for (line, why) in got.unreadable.iter().take(5) {
        eprintln!("{}:{line}: not ZDNS output: {}", file.display(), inert(why));
    }
    for f in got.failed.iter().take(10) {
        eprintln!("failed in ZDNS: {}", inert(f));
    }
    if !got.unmatched.is_empty() {
        eprintln!(
            "left out (under no subject's domain): {}{}",
            inert(&got.unmatched.join(", ")),
            if got.unmatched.len() >= 20 {
                ", …"
            } else {
                ""
            }
        );
    }
    eprintln!(
        "wrote {}: {} answers read, {} observations ({} new), {} failed lookups, {} unreadable lines",
        output.display(),
        got.answers,
        w.observations,
        w.added,
        got.failed.len(),
        got.unreadable.len()
    );
    ExitCode::SUCCESS
}
