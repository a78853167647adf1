//! "Check live": the reader's own browser asks a DNS-over-HTTPS resolver,
//! in the JSON form Cloudflare and Google serve to any page, for the DNS
//! evidence of the bundle's firms. No server of ours is involved.
//!
//! The plan (which names, which types) and the conversion of each answer
//! into an observation are the core's (`whoserves_core::collect`), the
//! same as `whoserves collect` uses, so a live answer and a CLI answer of
//! the same day get the same id. This module only fetches, with a timeout
//! and a cancel, and says in plain words why a query failed.

use crate::state::{AppState, Current};
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use whoserves_core::collect::{
    self as plan, AsnVia, DnsOutcome, DnsType, JsonFailure, Resolver, Stamp,
};
use whoserves_core::model::{Bundle, Role};
use whoserves_core::wire;

/// The resolvers offered, with the documented default first: each serves
/// the JSON form to any page (`Access-Control-Allow-Origin: *`).
pub const RESOLVERS: &[(&str, &str, &str)] = &[
    (
        "cloudflare",
        "Cloudflare (cloudflare-dns.com)",
        "https://cloudflare-dns.com/dns-query",
    ),
    (
        "google",
        "Google Public DNS (dns.google)",
        "https://dns.google/resolve",
    ),
];

/// How long one query may take.
const TIMEOUT_MS: i32 = 8000;

/// The source id of live observations of `day`.
pub fn source_id(day: &str) -> String {
    format!("live-dns-{day}")
}

/// Whether an observation source is a live layer's.
pub fn is_live_source(id: &str) -> bool {
    id.starts_with("live-dns-")
}

/// One DNS question of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Subject id.
    pub subject: String,
    /// Name asked for.
    pub name: String,
    /// Type.
    pub rtype: DnsType,
}

/// The questions for a bundle: for each firm with domains, the zone's
/// records (NS, MX, TXT, SOA) at each domain, and A and AAAA (with their
/// CNAME chain) at the domain and its `www.`, as `whoserves collect` asks.
pub fn queries(bundle: &Bundle) -> Vec<Query> {
    let mut out = Vec::new();
    for e in bundle
        .entities
        .iter()
        .filter(|e| e.role == Role::Subject && !e.domains.is_empty())
    {
        for t in plan::targets(&e.id, &e.domains, &[]) {
            let types: Vec<DnsType> = if t.apex {
                DnsType::ZONE
                    .iter()
                    .chain(&DnsType::ADDRESS)
                    .copied()
                    .collect()
            } else {
                DnsType::ADDRESS.to_vec()
            };
            for rtype in types {
                out.push(Query {
                    subject: t.subject.clone(),
                    name: t.host.clone(),
                    rtype,
                });
            }
        }
    }
    out
}

/// Whether the bundle has anything to check live.
pub fn can_check(bundle: &Bundle) -> bool {
    bundle
        .entities
        .iter()
        .any(|e| e.role == Role::Subject && !e.domains.is_empty())
}

/// One query's line in the progress list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// `MX example.com`.
    pub what: String,
    /// What came of it, in words.
    pub result: String,
    /// Whether it failed.
    pub failed: bool,
}

/// Where the live check is.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Phase {
    /// Nothing asked.
    #[default]
    Closed,
    /// The consent step: what will be sent, to whom; nothing sent yet.
    Consent,
    /// Querying.
    Running,
    /// Finished (or cancelled).
    Done {
        /// Whether the reader cancelled.
        cancelled: bool,
    },
}

/// The live layer's state.
#[derive(Clone, Copy)]
pub struct Live {
    /// Where the check is.
    pub phase: RwSignal<Phase>,
    /// The resolver URL chosen.
    pub resolver: RwSignal<String>,
    /// A custom URL typed by the reader, and why it is refused.
    pub custom_error: RwSignal<Option<String>>,
    /// One line per query.
    pub lines: RwSignal<Vec<Line>>,
    /// Queries planned.
    pub total: RwSignal<usize>,
    /// The observations gathered.
    pub observations: RwSignal<Vec<wire::Observation>>,
    /// When the check ran (RFC 3339 UTC).
    pub at: RwSignal<String>,
    /// Whether the live layer is shown.
    pub on: RwSignal<bool>,
    /// Whether each address's network (AS) is looked up through Team
    /// Cymru's origin service over the same resolver (on unless the reader
    /// unticks it).
    pub asn: RwSignal<bool>,
    /// Whether registrars are looked up over RDAP too (off unless the
    /// reader ticks it: it reaches IANA and the registries).
    pub rdap: RwSignal<bool>,
    /// The RDAP bootstrap file: IANA's, or the page's `rdap-bootstrap`
    /// parameter at start (read then: the app rewrites its URL).
    pub rdap_bootstrap: StoredValue<String>,
    /// Set by Cancel; read between queries.
    pub cancel: StoredValue<Rc<Cell<bool>>, LocalStorage>,
}

impl Live {
    /// A closed live check with the default resolver.
    pub fn new() -> Self {
        Live {
            phase: RwSignal::new(Phase::Closed),
            resolver: RwSignal::new(RESOLVERS[0].2.to_string()),
            custom_error: RwSignal::new(None),
            lines: RwSignal::new(Vec::new()),
            total: RwSignal::new(0),
            observations: RwSignal::new(Vec::new()),
            at: RwSignal::new(String::new()),
            on: RwSignal::new(true),
            asn: RwSignal::new(true),
            rdap: RwSignal::new(false),
            rdap_bootstrap: StoredValue::new(rdap_bootstrap()),
            cancel: StoredValue::new_local(Rc::new(Cell::new(false))),
        }
    }
}

impl Live {
    /// Adds a query's line: its result, or why it failed.
    fn line(&self, what: String, result: Result<String, String>) {
        let (result, failed) = match result {
            Ok(r) => (r, false),
            Err(r) => (r, true),
        };
        self.lines.update(|l| {
            l.push(Line {
                what,
                result,
                failed,
            })
        });
    }
}

impl Default for Live {
    fn default() -> Self {
        Self::new()
    }
}

/// Checks a custom resolver URL: https only, except a resolver on this
/// very machine (127.0.0.1, `[::1]`, `localhost`), which no network sees.
pub fn check_custom(url: &str) -> Result<String, String> {
    let url = url.trim();
    let parsed = web_sys::Url::new(url).map_err(|_| format!("“{url}” is not a URL."))?;
    let loopback = matches!(
        parsed.hostname().as_str(),
        "127.0.0.1" | "[::1]" | "localhost"
    );
    if parsed.protocol() != "https:" && !(parsed.protocol() == "http:" && loopback) {
        return Err(format!(
            "Only https:// resolvers are allowed: over {} every name you look up would be readable on the way.",
            parsed.protocol().trim_end_matches(':')
        ));
    }
    Ok(url.to_string())
}

fn now_utc() -> String {
    let d = js_sys::Date::new_0();
    let iso = d.to_iso_string().as_string().unwrap_or_default();
    // 2026-12-02T10:00:09.123Z → 2026-12-02T10:00:09Z
    match iso.split_once('.') {
        Some((head, _)) => format!("{head}Z"),
        None => iso,
    }
}

/// Why a fetch failed, in plain words.
enum Failed {
    /// The request was stopped by the timeout.
    Timeout,
    /// The browser refused to hand over the answer or could not connect.
    Blocked,
    /// An HTTP status other than 200.
    Http(u16),
    /// The DNS answer says it failed.
    Dns(JsonFailure),
}

impl Failed {
    fn words(&self, resolver: &str) -> String {
        match self {
            Failed::Blocked => format!(
                "the browser could not read the answer: {resolver} does not allow other sites to read it (no CORS header), or it cannot be reached"
            ),
            other => other.words_for(resolver, "its answer"),
        }
    }

    /// The failure of a request to `server` for `what`, in words.
    fn words_for(&self, server: &str, what: &str) -> String {
        match self {
            Failed::Timeout => format!("no answer within {} s (timeout)", TIMEOUT_MS / 1000),
            Failed::Blocked => format!(
                "{server} does not let this page read {what} (no CORS header), or cannot be reached"
            ),
            Failed::Http(404) => format!("{server} has no record of it (HTTP 404)"),
            Failed::Http(s) => format!("{server} answered HTTP {s}"),
            Failed::Dns(f) => f.to_string(),
        }
    }
}

/// GETs `url` with a timeout; the body of a 200 answer.
async fn get_text(url: &str, accept: &str) -> Result<String, Failed> {
    let controller = web_sys::AbortController::new().map_err(|_| Failed::Blocked)?;
    let signal = controller.signal();
    let timed_out = Rc::new(Cell::new(false));
    let flag = timed_out.clone();
    let abort = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
        flag.set(true);
        controller.abort();
    });
    let timer = web_sys::window().and_then(|w| {
        w.set_timeout_with_callback_and_timeout_and_arguments_0(
            abort.as_ref().unchecked_ref(),
            TIMEOUT_MS,
        )
        .ok()
    });
    let sent = gloo_net::http::Request::get(url)
        .header("accept", accept)
        .abort_signal(Some(&signal))
        .send()
        .await;
    let result = match sent {
        Err(_) if timed_out.get() => Err(Failed::Timeout),
        Err(_) => Err(Failed::Blocked),
        Ok(resp) if resp.status() != 200 => Err(Failed::Http(resp.status())),
        Ok(resp) => match resp.text().await {
            Ok(text) => Ok(text),
            Err(_) if timed_out.get() => Err(Failed::Timeout),
            Err(_) => Err(Failed::Blocked),
        },
    };
    if let (Some(w), Some(t)) = (web_sys::window(), timer) {
        w.clear_timeout_with_handle(t);
    }
    drop(abort);
    result
}

/// One JSON DNS query with a timeout.
async fn ask(url: &str) -> Result<DnsOutcome, Failed> {
    let text = get_text(url, "application/dns-json").await?;
    plan::json_outcome(&text).map_err(Failed::Dns)
}

/// IANA's RDAP bootstrap file, or the one the page's `rdap-bootstrap`
/// parameter names (a mirror; https, or http on this machine).
fn rdap_bootstrap() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok())
        .and_then(|p| p.get("rdap-bootstrap"))
        .and_then(|u| check_custom(&u).ok())
        .unwrap_or_else(|| plan::rdap::IANA_BOOTSTRAP.to_string())
}

/// The host of a URL, for messages.
fn host_of(url: &str) -> String {
    web_sys::Url::new(url)
        .map(|u| u.host())
        .unwrap_or_else(|_| url.to_string())
}

/// Looks up the registrar of each firm domain over RDAP, where the
/// registry lets a page read its answers.
async fn registrars(live: Live, bundle: &Bundle, stamp_at: &str, cancel: &Cell<bool>) {
    let bootstrap_url = live.rdap_bootstrap.get_value();
    let bootstrap = match get_text(&bootstrap_url, "application/json").await {
        Ok(t) => serde_json::from_str::<serde_json::Value>(&t).ok(),
        Err(f) => {
            live.lines.update(|l| {
                l.push(Line {
                    what: "RDAP bootstrap".into(),
                    result: format!(
                        "{}; registrars were not looked up",
                        f.words_for(&host_of(&bootstrap_url), "its file")
                    ),
                    failed: true,
                })
            });
            return;
        }
    };
    let Some(bootstrap) = bootstrap else {
        return;
    };
    for e in bundle.entities.iter().filter(|e| e.role == Role::Subject) {
        for domain in &e.domains {
            if cancel.get() {
                return;
            }
            let what = format!("registrar of {domain}");
            live.total.update(|t| *t += 1);
            let Some(base) = plan::rdap::servers_for(&bootstrap, domain)
                .into_iter()
                .next()
            else {
                live.lines.update(|l| {
                    l.push(Line {
                        what,
                        result: "its registry publishes no RDAP server in IANA's registry".into(),
                        failed: true,
                    })
                });
                continue;
            };
            let url = plan::rdap::domain_url(&base, domain);
            let result = match get_text(&url, "application/rdap+json, application/json").await {
                Ok(text) => match serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| plan::rdap::registrar(&v))
                {
                    Some(name) => {
                        let stamp = Stamp {
                            observed_at: stamp_at.to_string(),
                            source: url.clone(),
                        };
                        let o = plan::registrar_observation(&e.id, domain, &name, &url, &stamp);
                        live.observations.update(|v| {
                            plan::merge_observations(v, [o]);
                        });
                        Ok(name)
                    }
                    None => Err("the RDAP answer names no registrar".to_string()),
                },
                Err(f) => Err(f.words_for(&host_of(&url), "its answers")),
            };
            live.line(what, result);
        }
    }
}

fn outcome_words(o: &DnsOutcome, rtype: DnsType) -> String {
    match o {
        DnsOutcome::NxDomain => "no such name (NXDOMAIN)".into(),
        DnsOutcome::NoData => format!("no {rtype} record"),
        DnsOutcome::Records(r) => {
            let n = r.iter().filter(|r| r.rtype == rtype).count();
            let chain = r.iter().filter(|r| r.rtype == DnsType::Cname).count();
            match (n, chain) {
                (0, _) => format!("no {rtype} record"),
                (n, 0) => format!("{n} record(s)"),
                (n, c) => format!("{n} record(s), via {c} CNAME(s)"),
            }
        }
    }
}

/// Runs the check: every query of the plan, then the origin AS of every
/// address found, through the same resolver. Each answer becomes
/// observations at once; failures become lines in plain words.
pub async fn run(state: AppState, live: Live, analysis: std::sync::Arc<whoserves_core::Analysis>) {
    let bundle = &analysis.bundle;
    let resolver_url = live.resolver.get_untracked();
    let resolver = Resolver::Json(resolver_url.clone());
    let cancel = live.cancel.get_value();
    cancel.set(false);
    let at = now_utc();
    let stamp = Stamp {
        observed_at: at.clone(),
        source: source_id(&at[..10.min(at.len())]),
    };
    let todo = queries(bundle);
    live.at.set(at);
    live.total.set(todo.len());
    live.lines.set(Vec::new());
    live.observations.set(Vec::new());
    live.phase.set(Phase::Running);
    let mut addresses: Vec<(String, String, std::net::IpAddr)> = Vec::new();
    for q in &todo {
        if cancel.get() {
            break;
        }
        let url = resolver.json_url(&q.name, q.rtype).unwrap_or_default();
        let what = format!("{} {}", q.rtype, q.name);
        match ask(&url).await {
            Ok(outcome) => {
                let obs = plan::dns_observations(
                    &q.subject, &q.name, q.rtype, &outcome, &resolver, &stamp,
                );
                for o in &obs {
                    if (o.kind == "dns.a" || o.kind == "dns.aaaa") && o.absent.is_none() {
                        if let Ok(ip) = o.value.parse() {
                            addresses.push((o.subject.clone(), o.target.clone(), ip));
                        }
                    }
                }
                live.observations.update(|v| {
                    plan::merge_observations(v, obs);
                });
                live.lines.update(|l| {
                    l.push(Line {
                        what,
                        result: outcome_words(&outcome, q.rtype),
                        failed: false,
                    })
                });
            }
            Err(f) => live.lines.update(|l| {
                l.push(Line {
                    what,
                    result: f.words(&resolver_url),
                    failed: true,
                })
            }),
        }
    }
    addresses.dedup();
    if !live.asn.get_untracked() {
        addresses.clear();
    }
    live.total.update(|t| *t += addresses.len());
    let via = AsnVia::Cymru(resolver.clone());
    for (subject, host, ip) in addresses {
        if cancel.get() {
            break;
        }
        let name = plan::cymru_origin_name(ip);
        let url = resolver.json_url(&name, DnsType::Txt).unwrap_or_default();
        let what = format!("origin AS of {ip}");
        let result = match ask(&url).await {
            Ok(DnsOutcome::Records(r)) => match r
                .iter()
                .filter(|r| r.rtype == DnsType::Txt)
                .find_map(|r| plan::parse_cymru_origin(&r.data))
            {
                Some(asn) => {
                    let o = plan::asn_observation(&subject, &host, ip, asn, &via, &stamp);
                    live.observations.update(|v| {
                        plan::merge_observations(v, [o]);
                    });
                    Ok(format!("AS{asn}"))
                }
                None => Err("the origin service gave no AS number".to_string()),
            },
            Ok(_) => Err("the origin service has no entry for it".to_string()),
            Err(f) => Err(f.words(&resolver_url)),
        };
        live.line(what, result);
    }
    if live.rdap.get_untracked() && !cancel.get() {
        let at = live.at.get_untracked();
        registrars(live, bundle, &at, &cancel).await;
    }
    live.phase.set(Phase::Done {
        cancelled: cancel.get(),
    });
    if !live.observations.with_untracked(Vec::is_empty) {
        live.on.set(true);
        crate::load::show_with_live(state, live).await;
    }
}

/// The bundle text with the live observations (and their source) added,
/// or `None` if the text is not a bundle.
pub fn with_live(text: &str, observations: &[wire::Observation], at: &str) -> Option<String> {
    // Spliced as JSON values, so the app links no serialiser for the
    // whole bundle format (rules, conditions, …) for this one use.
    let mut b: serde_json::Value = serde_json::from_str(text).ok()?;
    let top = b.as_object_mut()?;
    let day = at.get(..10).unwrap_or(at);
    let id = source_id(day);
    let meta = top
        .entry("meta")
        .or_insert_with(|| serde_json::json!({}))
        .as_object_mut()?;
    let sources = meta
        .entry("sources")
        .or_insert_with(|| serde_json::json!([]))
        .as_array_mut()?;
    if !sources.iter().any(|s| s["id"] == id.as_str()) {
        sources.push(serde_json::json!({
            "id": id,
            "title": format!(
                "DNS answers a reader's browser asked for on {day} (live check); each observation's method repeats its query"
            ),
            "date": day,
        }));
    }
    let list = top
        .entry("observations")
        .or_insert_with(|| serde_json::json!([]))
        .as_array_mut()?;
    let mut seen: std::collections::HashSet<String> = list
        .iter()
        .filter_map(|o| o["id"].as_str().map(str::to_string))
        .collect();
    for o in observations {
        if seen.insert(o.id.clone()) {
            list.push(serde_json::to_value(o).ok()?);
        }
    }
    serde_json::to_string(&b).ok()
}

/// Whether the page runs inside another page's frame.
pub fn framed() -> bool {
    let Some(w) = web_sys::window() else {
        return false;
    };
    match w.top() {
        Ok(Some(top)) => !js_sys::Object::is(&top, &w),
        _ => true,
    }
}

/// The consent step and the progress of a live check. Inside another
/// page's frame it only links to the site in its own tab.
#[component]
pub fn LiveCheck() -> impl IntoView {
    let state = expect_context::<AppState>();
    let live = state.live;
    let custom = RwSignal::new(String::new());
    let current = move || state.current.get();
    move || {
        let Some(cur) = current() else {
            return ().into_any();
        };
        let analysis = cur.analysis.0.clone();
        let bundle = &analysis.bundle;
        if !can_check(bundle) {
            return ().into_any();
        }
        // Framed by another page, a click could be stolen (clickjacking):
        // the one action that reaches the network waits for its own tab.
        if framed() {
            let href = state.link_to(state.selection.get_untracked());
            return view! {
                <section class="live" aria-label="Live check" data-testid="live-framed">
                    "The live DNS check runs only when this site is open in its own tab: "
                    <a href=href target="_blank" rel="noopener">"open it"</a>"."
                </section>
            }
            .into_any();
        }
        let planned = queries(bundle);
        let n = planned.len();
        let names: Vec<String> = {
            let mut v: Vec<String> = planned.into_iter().map(|q| q.name).collect();
            v.dedup();
            v
        };
        match live.phase.get() {
            Phase::Closed => view! {
                <section class="live" aria-label="Live check" data-testid="live">
                    <button data-testid="live-open" on:click=move |_| live.phase.set(Phase::Consent)>
                        "Check live…"
                    </button>
                    " Ask a DNS resolver, from your browser, what the firms' domains point to today."
                    {live_layer_toggle(state, live, &cur)}
                </section>
            }
            .into_any(),
            Phase::Consent => {
                let bundle_for_run = analysis.clone();
                let agree = move |_| {
                    let pick = live.resolver.get_untracked();
                    let url = if pick == "custom" {
                        match check_custom(&custom.get_untracked()) {
                            Ok(u) => u,
                            Err(e) => {
                                live.custom_error.set(Some(e));
                                return;
                            }
                        }
                    } else {
                        pick
                    };
                    live.custom_error.set(None);
                    live.resolver.set(url);
                    leptos::task::spawn_local(run(state, live, bundle_for_run.clone()));
                };
                view! {
                    <section class="live consent" data-testid="live-consent" role="dialog" aria-labelledby="live-title">
                        <h2 id="live-title">"Check the DNS evidence live"</h2>
                        <p>{format!(
                            "Your browser will send {n} DNS questions about {} names to the resolver you pick.",
                            names.len()
                        )}</p>
                        <p data-testid="live-disclosure">
                            "The resolver learns the names asked for, and your IP address, as with any website you visit. "
                            "Nothing else leaves this page: the bundle and the answers stay in your browser, and no server of this site is involved."
                        </p>
                        <details><summary>"The names"</summary><p class="names">{names.join(", ")}</p></details>
                        <label>"Resolver "
                            <select data-testid="live-resolver" on:change=move |ev| live.resolver.set(event_target_value(&ev))>
                                {RESOLVERS.iter().map(|(_, label, url)| view! {
                                    <option value=*url selected=move || live.resolver.get() == *url>{*label}</option>
                                }).collect_view()}
                                <option value="custom">"Another (https only)…"</option>
                            </select>
                        </label>
                        {move || (live.resolver.get() == "custom").then(|| view! {
                            <input type="url" data-testid="live-custom" placeholder="https://…/dns-query"
                                on:input=move |ev| custom.set(event_target_value(&ev)) />
                        })}
                        {move || live.custom_error.get().map(|e| view! { <p class="failure" data-testid="live-custom-error">{e}</p> })}
                        <p><label>
                            <input type="checkbox" data-testid="live-asn" prop:checked=move || live.asn.get()
                                on:change=move |ev| live.asn.set(event_target_checked(&ev)) />
                            " Look up which network (AS) announces each address found: one more name per address, under origin.asn.cymru.com (Team Cymru's origin service), asked of the same resolver."
                        </label></p>
                        <p><label>
                            <input type="checkbox" data-testid="live-rdap" prop:checked=move || live.rdap.get()
                                on:change=move |ev| live.rdap.set(event_target_checked(&ev)) />
                            {format!(
                                " Also look up registrars over RDAP: sends each firm's domain to its registry's RDAP server, found through {}. Many registries do not let web pages read their answers; the check says which.",
                                host_of(&live.rdap_bootstrap.get_value())
                            )}
                        </label></p>
                        <p>
                            <button data-testid="live-agree" on:click=agree>"Agree and check"</button>" "
                            <button on:click=move |_| live.phase.set(Phase::Closed)>"Not now"</button>
                        </p>
                    </section>
                }
                .into_any()
            }
            Phase::Running | Phase::Done { .. } => {
                let running = matches!(live.phase.get(), Phase::Running);
                let cancelled = matches!(live.phase.get(), Phase::Done { cancelled: true });
                let lines = live.lines.get();
                let failed = lines.iter().filter(|l| l.failed).count();
                let items = lines
                    .into_iter()
                    .map(|l| {
                        view! {
                            <li class:failed=l.failed data-testid="live-line">
                                <code>{l.what}</code>": "{l.result}
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <section class="live" aria-label="Live check" data-testid="live-progress" aria-live="polite">
                        <p data-testid="live-status">{
                            if running {
                                format!("Asking {}: {} of {} answered…", live.resolver.get(), live.lines.with(Vec::len), live.total.get())
                            } else if cancelled {
                                format!("Cancelled after {} of {} queries; {} failed.", live.lines.with(Vec::len), live.total.get(), failed)
                            } else {
                                format!("Done: {} queries to {}, {} failed, {} observations.", live.lines.with(Vec::len), live.resolver.get(), failed, live.observations.with(Vec::len))
                            }
                        }</p>
                        {running.then(|| view! {
                            <button data-testid="live-cancel" on:click=move |_| live.cancel.get_value().set(true)>"Cancel"</button>
                        })}
                        {(!running).then(|| view! {
                            <button data-testid="live-again" on:click=move |_| live.phase.set(Phase::Consent)>"Check again…"</button>
                        })}
                        {live_layer_toggle(state, live, &cur)}
                        <details open=running><summary>"Each query"</summary><ul class="live-lines" tabindex="0" aria-label="Each query and its answer">{items}</ul></details>
                    </section>
                }
                .into_any()
            }
        }
    }
}

/// The switch for the live layer and its download, once there is one.
fn live_layer_toggle(state: AppState, live: Live, cur: &Current) -> impl IntoView {
    let has = !live.observations.with_untracked(Vec::is_empty);
    let text = cur.text.clone();
    let name = cur
        .source
        .rsplit('/')
        .next()
        .unwrap_or("bundle.json")
        .trim_start_matches("file: ")
        .trim_end_matches(".json")
        .to_string();
    has.then(|| {
        let download = move |_| {
            let at = live.at.get_untracked();
            if let Some(t) = with_live(&text, &live.observations.get_untracked(), &at) {
                let pretty = serde_json::from_str::<serde_json::Value>(&t)
                    .ok()
                    .and_then(|v| serde_json::to_string_pretty(&v).ok())
                    .unwrap_or(t);
                crate::download(&format!("{name}-live-{}.json", &at[..10.min(at.len())]), "application/json", &pretty);
            }
        };
        view! {
            <label class="live-toggle">
                <input type="checkbox" data-testid="live-toggle" prop:checked=move || live.on.get()
                    on:change=move |ev| {
                        live.on.set(event_target_checked(&ev));
                        leptos::task::spawn_local(crate::load::show_with_live(state, live));
                    } />
                {move || format!(" Live layer: {} observations from {}", live.observations.with(Vec::len), live.at.get())}
            </label>
            " "
            <button data-testid="live-download" on:click=download>"Download with live observations"</button>
        }
    })
}
