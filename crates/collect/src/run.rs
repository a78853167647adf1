//! The run: plan the steps, do them with bounded concurrency, politeness
//! and retries, log each as it ends, and write the bundle.

use crate::bundle::{self, Input, Written};
use crate::log::{Entry, Log};
use crate::{archive, dns, net, rdap, tls, web, Failure, Step};
use hickory_resolver::TokioResolver;
use indicatif::{ProgressBar, ProgressStyle};
use rustls::RootCertStore;
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OnceCell, Semaphore};
use tokio::task::JoinSet;
use whoserves_core::collect::{self as plan, AsnVia, DnsType, PageSource, Resolver, Stamp};
use whoserves_core::model::Date;
use whoserves_core::wire;
use whoserves_import::asn::Table;

/// Where IP origins come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AsnSource {
    /// No origin lookups.
    Off,
    /// A table written by `whoserves import asn`.
    Table(PathBuf),
    /// Team Cymru's DNS origin service, through the run's resolver.
    Cymru,
}

/// Which kinds of lookup a run makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lookups {
    /// DNS records.
    pub dns: bool,
    /// TLS certificates.
    pub tls: bool,
    /// Home pages.
    pub http: bool,
    /// Registrars.
    pub rdap: bool,
}

impl Default for Lookups {
    fn default() -> Self {
        Lookups {
            dns: true,
            tls: true,
            http: true,
            rdap: true,
        }
    }
}

/// Everything a run needs to know.
#[derive(Debug, Clone)]
pub struct Config {
    /// The input bundle or CSV.
    pub input: PathBuf,
    /// The output bundle.
    pub output: PathBuf,
    /// The collection log (default: the output's name with `.log.jsonl`).
    pub log: Option<PathBuf>,
    /// Forget an earlier run's log and start again.
    pub restart: bool,
    /// Rule libraries to include (paths from the working directory, or URLs).
    pub include: Vec<String>,
    /// The resolver.
    pub resolver: Resolver,
    /// IP origins.
    pub asn: AsnSource,
    /// Which lookups.
    pub lookups: Lookups,
    /// Archived evidence nearest this date.
    pub at: Option<Date>,
    /// Days either side of `at` a capture may be from.
    pub at_window: u32,
    /// The Wayback Machine's base URL.
    pub wayback: String,
    /// IANA's RDAP bootstrap file for domains.
    pub rdap_bootstrap: String,
    /// Steps at once.
    pub concurrency: usize,
    /// Least time between two requests to one site.
    pub delay: Duration,
    /// Per request.
    pub timeout: Duration,
    /// Tries after the first, for timeouts and dropped connections.
    pub retries: u32,
    /// First backoff; doubled each try.
    pub backoff: Duration,
    /// Redirects followed.
    pub max_redirects: usize,
    /// HTTPS port (443; tests use another).
    pub https_port: u16,
    /// HTTP port (80).
    pub http_port: u16,
    /// Extra trusted CA certificates (PEM).
    pub ca_files: Vec<PathBuf>,
    /// Who collected, for the run's source entry.
    pub collector: Option<String>,
    /// No progress bar or summary.
    pub quiet: bool,
    /// The time stamped on observations (now, unless a test fixes it).
    pub now: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            input: PathBuf::new(),
            output: PathBuf::new(),
            log: None,
            restart: false,
            include: Vec::new(),
            resolver: Resolver::System,
            asn: AsnSource::Off,
            lookups: Lookups::default(),
            at: None,
            at_window: 183,
            wayback: archive::WAYBACK.to_string(),
            rdap_bootstrap: rdap::IANA_BOOTSTRAP.to_string(),
            concurrency: 8,
            delay: Duration::from_millis(1000),
            timeout: Duration::from_secs(10),
            retries: 2,
            backoff: Duration::from_millis(500),
            max_redirects: 5,
            https_port: 443,
            http_port: 80,
            ca_files: Vec::new(),
            collector: None,
            quiet: false,
            now: None,
        }
    }
}

impl Config {
    /// The log's path.
    pub fn log_path(&self) -> PathBuf {
        self.log.clone().unwrap_or_else(|| {
            let mut name = self.output.file_stem().unwrap_or_default().to_os_string();
            name.push(".log.jsonl");
            self.output.with_file_name(name)
        })
    }
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Steps planned.
    pub steps: usize,
    /// Of which skipped because an earlier run logged them done.
    pub resumed: usize,
    /// Of which failed in this run (logged, with the reason).
    pub failed: Vec<(String, String)>,
    /// The output bundle's observation counts.
    pub written: Written,
    /// The log file.
    pub log: PathBuf,
    /// Whether Ctrl-C stopped the run (the output holds what was done).
    pub interrupted: bool,
}

/// The user agent: what the tool is and where to read about it.
pub const USER_AGENT: &str = concat!(
    "whoserves-collect/",
    env!("CARGO_PKG_VERSION"),
    " (evidence collection; see docs/collecting.md)"
);

fn now_utc() -> String {
    whoserves_core::date::stamp_utc(time::OffsetDateTime::now_utc())
}

/// The least time between requests to one destination.
struct Politeness {
    delay: Duration,
    next: Mutex<HashMap<String, Instant>>,
}

impl Politeness {
    async fn wait(&self, destination: &str) {
        let when = {
            let mut next = self.next.lock().expect("politeness lock");
            let now = Instant::now();
            let slot = next
                .get(destination)
                .copied()
                .filter(|t| *t > now)
                .unwrap_or(now);
            next.insert(destination.to_string(), slot + self.delay);
            slot
        };
        tokio::time::sleep_until(when.into()).await;
    }
}

/// What the steps share.
struct Ctx {
    cfg: Config,
    resolver: Arc<TokioResolver>,
    roots: Arc<RootCertStore>,
    client: reqwest::Client,
    asn_table: Option<(String, Table)>,
    polite: Politeness,
    bootstrap: OnceCell<serde_json::Value>,
    run_source: String,
    wanted: Vec<String>,
}

impl Ctx {
    fn stamp(&self, source: &str) -> Stamp {
        Stamp {
            observed_at: self.cfg.now.clone().unwrap_or_else(now_utc),
            source: source.to_string(),
        }
    }

    /// Does one try of a step.
    async fn attempt(&self, step: &Step) -> Result<(Vec<wire::Observation>, Vec<String>), Failure> {
        if let Some(d) = step.destination() {
            self.polite.wait(&d).await;
        }
        match step {
            Step::Dns {
                subject,
                host,
                rtype,
            } => {
                let outcome = dns::lookup(&self.resolver, host, *rtype).await?;
                let stamp = self.stamp(&self.run_source);
                Ok((
                    plan::dns_observations(
                        subject,
                        host,
                        *rtype,
                        &outcome,
                        &self.cfg.resolver,
                        &stamp,
                    ),
                    vec![],
                ))
            }
            Step::Asn { subject, host, ip } => {
                let (asn, via, note) = match &self.asn_table {
                    Some((name, table)) => {
                        let origin = table.lookup(*ip).ok_or_else(|| Failure {
                            message: format!("{ip} is in no range of the table {name}"),
                            retry: false,
                        })?;
                        let note = origin.name.map(|n| format!("AS{} {n}", origin.asn));
                        (origin.asn, AsnVia::Table(name.clone()), note)
                    }
                    None => {
                        let name = plan::cymru_origin_name(*ip);
                        let outcome = dns::lookup(&self.resolver, &name, DnsType::Txt).await?;
                        let txt = match &outcome {
                            plan::DnsOutcome::Records(r) => r
                                .iter()
                                .find(|r| r.rtype == DnsType::Txt)
                                .map(|r| r.data.clone()),
                            _ => None,
                        };
                        let asn = txt
                            .as_deref()
                            .and_then(plan::parse_cymru_origin)
                            .ok_or_else(|| Failure {
                                message: format!("no origin for {ip} at {name}"),
                                retry: false,
                            })?;
                        (asn, AsnVia::Cymru(self.cfg.resolver.clone()), txt)
                    }
                };
                let stamp = self.stamp(&self.run_source);
                Ok((
                    vec![plan::asn_observation(subject, host, *ip, asn, &via, &stamp)],
                    note.into_iter().collect(),
                ))
            }
            Step::Tls { subject, host } => {
                let port = self.cfg.https_port;
                let p = tls::probe(
                    &self.resolver,
                    self.roots.clone(),
                    host,
                    port,
                    self.cfg.timeout,
                )
                .await?;
                let mut notes: Vec<String> = p
                    .chain
                    .iter()
                    .enumerate()
                    .map(|(i, (s, iss))| {
                        format!("certificate {}: subject {s}; issuer {iss}", i + 1)
                    })
                    .collect();
                notes.push(match &p.trusted {
                    Ok(()) => format!("chain trusted (from {})", p.addr),
                    Err(e) => format!("chain NOT trusted: {e} (from {})", p.addr),
                });
                let stamp = self.stamp(&self.run_source);
                Ok((
                    vec![plan::tls_observation(
                        subject, host, port, &p.issuer, &stamp,
                    )],
                    notes,
                ))
            }
            Step::Http { subject, host } => self.home_page(subject, host).await,
            Step::Rdap { subject, domain } => {
                let bootstrap = self
                    .bootstrap
                    .get_or_try_init(|| rdap::get_json(&self.client, &self.cfg.rdap_bootstrap))
                    .await?;
                let servers = rdap::servers_for(bootstrap, domain);
                let base = servers.first().ok_or_else(|| Failure {
                    message: format!(
                        "no RDAP server for {domain} in the bootstrap registry {}",
                        self.cfg.rdap_bootstrap
                    ),
                    retry: false,
                })?;
                let url = rdap::domain_url(base, domain);
                let object = rdap::get_json(&self.client, &url).await?;
                let name = rdap::registrar(&object).ok_or_else(|| Failure {
                    message: format!("{url} names no registrar"),
                    retry: false,
                })?;
                let stamp = self.stamp(&url);
                Ok((
                    vec![plan::registrar_observation(
                        subject, domain, &name, &url, &stamp,
                    )],
                    vec![],
                ))
            }
            Step::Archive { subject, host } => {
                let at = self.cfg.at.expect("archive steps only with --at");
                let url = archive::cdx_url(&self.cfg.wayback, host, at, self.cfg.at_window.into());
                let cdx = rdap::get_json(&self.client, &url).await?;
                let capture = archive::nearest(&cdx, at).ok_or_else(|| Failure {
                    message: format!(
                        "no capture of {host} within {} days of {}",
                        self.cfg.at_window,
                        whoserves_core::model::format_date(at)
                    ),
                    retry: false,
                })?;
                let page = archive::read(&self.client, &self.cfg.wayback, capture).await?;
                let stamp = Stamp {
                    observed_at: page.capture.observed_at().unwrap_or_default(),
                    source: page.url.clone(),
                };
                let from = PageSource::Archived {
                    capture: page.url.clone(),
                };
                let obs = self.page_evidence(
                    subject,
                    (&page.capture.original, host),
                    (&page.headers, &page.scripts, &page.links),
                    &from,
                    &stamp,
                );
                Ok((
                    obs,
                    vec![format!(
                        "capture {} of {}",
                        page.capture.timestamp, page.capture.original
                    )],
                ))
            }
        }
    }

    /// The home page over https, or over http when https fails.
    async fn home_page(
        &self,
        subject: &str,
        host: &str,
    ) -> Result<(Vec<wire::Observation>, Vec<String>), Failure> {
        let port = |p: u16, default: u16| {
            if p == default {
                String::new()
            } else {
                format!(":{p}")
            }
        };
        let https = format!("https://{host}{}/", port(self.cfg.https_port, 443));
        let mut notes = Vec::new();
        let page = match web::fetch(&self.client, &https).await {
            Ok(p) => p,
            Err(e) => {
                notes.push(format!("https failed: {}", e.message));
                let http = format!("http://{host}{}/", port(self.cfg.http_port, 80));
                web::fetch(&self.client, &http).await.map_err(|f| Failure {
                    message: format!("{}; then {}", e.message, f.message),
                    retry: e.retry || f.retry,
                })?
            }
        };
        if page.url != page.requested {
            notes.push(format!("{} redirected to {}", page.requested, page.url));
        }
        notes.push(format!("HTTP {}", page.status));
        let stamp = self.stamp(&page.url);
        let from = PageSource::Live {
            url: page.url.clone(),
        };
        let obs = self.page_evidence(
            subject,
            (&page.url, host),
            (&page.headers, &page.scripts, &page.links),
            &from,
            &stamp,
        );
        Ok((obs, notes))
    }

    /// The observations of a page, live or archived: its kept headers and
    /// its script and link URLs, on the host of `url` (`fallback` if the
    /// URL has none).
    fn page_evidence(
        &self,
        subject: &str,
        (url, fallback): (&str, &str),
        (headers, scripts, links): (&[(String, String)], &[String], &[String]),
        from: &PageSource,
        stamp: &Stamp,
    ) -> Vec<wire::Observation> {
        let target = url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| fallback.to_string());
        let mut obs =
            plan::header_observations(subject, &target, headers, &self.wanted, from, stamp);
        obs.extend(plan::page_observations(
            subject, &target, scripts, links, from, stamp,
        ));
        obs
    }

    /// A step with its retries, as a log entry.
    async fn run(&self, step: Step) -> Entry {
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.attempt(&step).await {
                Ok((observations, notes)) => {
                    return Entry {
                        step: step.key(),
                        at: now_utc(),
                        ok: true,
                        attempts,
                        error: None,
                        notes,
                        observations,
                    }
                }
                Err(f) if f.retry && attempts <= self.cfg.retries => {
                    tokio::time::sleep(self.cfg.backoff * 2u32.pow(attempts - 1)).await;
                }
                Err(f) => {
                    return Entry {
                        step: step.key(),
                        at: now_utc(),
                        ok: false,
                        attempts,
                        error: Some(f.message),
                        notes: vec![],
                        observations: vec![],
                    }
                }
            }
        }
    }
}

/// The steps for the input's subjects, IP origins aside (they follow from
/// the addresses found).
pub fn steps(input: &Input, cfg: &Config) -> Vec<Step> {
    let mut out = Vec::new();
    for s in &input.subjects {
        for t in plan::targets(&s.id, &s.domains, &s.hosts) {
            let subject = t.subject.clone();
            if cfg.lookups.dns {
                if t.apex {
                    for rtype in DnsType::ZONE {
                        out.push(Step::Dns {
                            subject: subject.clone(),
                            host: t.host.clone(),
                            rtype,
                        });
                    }
                }
                for rtype in DnsType::ADDRESS {
                    out.push(Step::Dns {
                        subject: subject.clone(),
                        host: t.host.clone(),
                        rtype,
                    });
                }
            }
            if cfg.lookups.tls {
                out.push(Step::Tls {
                    subject: subject.clone(),
                    host: t.host.clone(),
                });
            }
            if cfg.lookups.http {
                out.push(Step::Http {
                    subject: subject.clone(),
                    host: t.host.clone(),
                });
            }
            if t.apex && cfg.lookups.rdap {
                out.push(Step::Rdap {
                    subject: subject.clone(),
                    domain: t.host.clone(),
                });
            }
            if t.apex && cfg.at.is_some() {
                out.push(Step::Archive {
                    subject,
                    host: t.host.clone(),
                });
            }
        }
    }
    out
}

/// The origin steps for the addresses among `observations`.
fn asn_steps(observations: &[wire::Observation]) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::new();
    for o in observations {
        if o.kind != "dns.a" && o.kind != "dns.aaaa" {
            continue;
        }
        let Ok(ip) = o.value.trim().parse::<IpAddr>() else {
            continue;
        };
        let step = Step::Asn {
            subject: o.subject.clone(),
            host: o.target.clone(),
            ip,
        };
        if !out.contains(&step) {
            out.push(step);
        }
    }
    out
}

/// The prefix of the run sources' ids.
const RUN_SOURCE: &str = "whoserves-collect-";

/// The source entry of the runs of `day` (`YYYY-MM-DD`): one per day, so
/// runs of a day share it.
pub fn run_source(day: &str, collector: Option<String>) -> wire::Source {
    let day = day.to_string();
    wire::Source {
        id: format!("{RUN_SOURCE}{day}"),
        title: format!(
            "DNS, TLS, HTTP and RDAP lookups made with whoserves collect on {day}; each observation's method repeats its lookup"
        ),
        publisher: collector,
        url: None,
        date: Some(day),
    }
}

/// Runs a collection: reads the input, does every step not yet logged as
/// done, and writes the output bundle. Errors are for what stops the run
/// (an unreadable input, a bad option); failed lookups are in the log and
/// in [`Outcome::failed`].
pub async fn collect(cfg: Config) -> Result<Outcome, String> {
    let input = bundle::read_input(&cfg.input)?;
    let log_path = cfg.log_path();
    let mut log = Log::open(&log_path, cfg.restart)?;
    let roots = net::roots(&cfg.ca_files)?;
    let resolver = Arc::new(
        net::resolver(
            &cfg.resolver,
            net::client_config(roots.clone())?,
            cfg.timeout,
        )
        .await?,
    );
    let client = net::http_client(
        roots.clone(),
        resolver.clone(),
        cfg.timeout,
        cfg.max_redirects,
        USER_AGENT,
    )?;
    let asn_table = match &cfg.asn {
        AsnSource::Table(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let table = Table::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            Some((name, table))
        }
        _ => None,
    };
    let now = cfg.now.clone().unwrap_or_else(now_utc);
    let source_id = run_source(now.get(..10).unwrap_or(&now), None).id;
    let ctx = Arc::new(Ctx {
        polite: Politeness {
            delay: cfg.delay,
            next: Mutex::new(HashMap::new()),
        },
        resolver,
        roots,
        client,
        asn_table,
        bootstrap: OnceCell::new(),
        run_source: source_id,
        wanted: plan::HEADERS.iter().map(|s| s.to_string()).collect(),
        cfg: cfg.clone(),
    });

    let bar = if cfg.quiet {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::new(0);
        b.set_style(
            ProgressStyle::with_template("{spinner} {pos}/{len} lookups  {msg}  [{elapsed}]")
                .expect("progress template"),
        );
        b
    };
    let mut planned = 0;
    let mut resumed = 0;
    let mut failed: Vec<(String, String)> = Vec::new();
    let mut interrupted = false;
    let first = steps(&input, &cfg);
    for phase in 0..2 {
        let todo = if phase == 0 {
            first.clone()
        } else if cfg.asn == AsnSource::Off || !cfg.lookups.dns {
            Vec::new()
        } else {
            asn_steps(&log.observations())
        };
        planned += todo.len();
        bar.inc_length(todo.len() as u64);
        let sem = Arc::new(Semaphore::new(cfg.concurrency.max(1)));
        let mut set: JoinSet<Entry> = JoinSet::new();
        for step in todo {
            if log.done(&step.key()) {
                resumed += 1;
                bar.inc(1);
                continue;
            }
            let (ctx, sem) = (ctx.clone(), sem.clone());
            set.spawn(async move {
                let _permit = sem.acquire_owned().await.expect("semaphore open");
                ctx.run(step).await
            });
        }
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        loop {
            tokio::select! {
                next = set.join_next() => {
                    let Some(joined) = next else { break };
                    let entry = joined.map_err(|e| format!("a lookup task stopped: {e}"))?;
                    if !entry.ok {
                        failed.push((entry.step.clone(), entry.error.clone().unwrap_or_default()));
                        bar.set_message(format!("{} failed", failed.len()));
                    }
                    log.append(entry)?;
                    bar.inc(1);
                }
                _ = &mut ctrl_c => {
                    set.abort_all();
                    interrupted = true;
                    break;
                }
            }
        }
        if interrupted {
            break;
        }
    }
    bar.finish_and_clear();
    let observations = log.observations();
    // Each day whose runs made observations gets its source entry.
    let mut sources: Vec<wire::Source> = Vec::new();
    for o in &observations {
        if let Some(day) = o.source.strip_prefix(RUN_SOURCE) {
            if !sources.iter().any(|s| s.id == o.source) {
                sources.push(run_source(day, cfg.collector.clone()));
            }
        }
    }
    let (out, written) = bundle::output(&input, &cfg.output, observations, sources, &cfg.include);
    bundle::write(&out, &cfg.output)?;
    Ok(Outcome {
        steps: planned,
        resumed,
        failed,
        written,
        log: log_path,
        interrupted,
    })
}
