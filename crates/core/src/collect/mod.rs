//! Evidence collection, the pure half: what to look up for a firm's
//! domains, and how each answer becomes an observation.
//!
//! The I/O lives in the shells (`whoserves collect` natively, the viewer's
//! live check in the browser); both plan with [`targets`] and convert with
//! the functions here, so one answer gives the same observation, with the
//! same id, wherever it was fetched.
//!
//! Every observation made here carries:
//! - a `method`: the command a person could run to repeat the lookup
//!   (`dig +short MX example.com @1.1.1.1`, `curl -sI https://…`);
//! - an `observed_at` UTC timestamp;
//! - a provenance (`observed`, `derived` for an ASN looked up for an IP,
//!   `archived` for what a web archive's capture holds);
//! - a deterministic id ([`observation_id`]): the same fact seen on the same
//!   day gets the same id, so two runs merge without duplicates.
//!
//! A lookup that finds nothing is kept as an observation with `absent` set
//! and an empty value ([`dns_observations`]); rules never read it.
//!
//! ```
//! use whoserves_core::collect::{dns_observations, DnsOutcome, DnsRecord, DnsType, Resolver, Stamp};
//! let stamp = Stamp { observed_at: "2026-12-02T10:00:00Z".into(), source: "collect-2026-12-02".into() };
//! let resolver = Resolver::Named("1.1.1.1:53".parse().unwrap());
//! let answer = DnsOutcome::Records(vec![DnsRecord {
//!     name: "example.com".into(),
//!     rtype: DnsType::Mx,
//!     data: "10 example-com.mail.protection.outlook.com.".into(),
//! }]);
//! let obs = dns_observations("firm", "example.com", DnsType::Mx, &answer, &resolver, &stamp);
//! assert_eq!(obs[0].kind, "dns.mx");
//! assert_eq!(obs[0].method.as_deref(), Some("dig +short MX example.com @1.1.1.1"));
//! assert_eq!(obs[0].id, dns_observations("firm", "example.com", DnsType::Mx, &answer, &resolver, &stamp)[0].id);
//! ```

pub mod rdap;

use crate::keywords::{Absent, Kind, Provenance};
use crate::normalize::normalize_host;
use crate::wire;
use sha2::{Digest, Sha256};
use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// The version tag hashed into every id; change it only with the id rule.
const ID_SCHEME: &str = "whoserves-collect/1";

/// A DNS record type that collection asks for or reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DnsType {
    /// IPv4 address.
    A,
    /// IPv6 address.
    Aaaa,
    /// Alias.
    Cname,
    /// Mail exchanger.
    Mx,
    /// Name server.
    Ns,
    /// Start of authority.
    Soa,
    /// Text.
    Txt,
}

impl DnsType {
    /// Types asked for at a domain's apex: the zone's own records.
    pub const ZONE: [DnsType; 4] = [DnsType::Ns, DnsType::Mx, DnsType::Txt, DnsType::Soa];
    /// Types asked for at every host; their answers carry the CNAME chain.
    pub const ADDRESS: [DnsType; 2] = [DnsType::A, DnsType::Aaaa];

    /// The mnemonic, as `dig` and DoH JSON write it.
    pub fn as_str(self) -> &'static str {
        match self {
            DnsType::A => "A",
            DnsType::Aaaa => "AAAA",
            DnsType::Cname => "CNAME",
            DnsType::Mx => "MX",
            DnsType::Ns => "NS",
            DnsType::Soa => "SOA",
            DnsType::Txt => "TXT",
        }
    }

    /// Parses a mnemonic (any case).
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text.to_ascii_uppercase().as_str() {
            "A" => DnsType::A,
            "AAAA" => DnsType::Aaaa,
            "CNAME" => DnsType::Cname,
            "MX" => DnsType::Mx,
            "NS" => DnsType::Ns,
            "SOA" => DnsType::Soa,
            "TXT" => DnsType::Txt,
            _ => return None,
        })
    }

    /// The type's numeric code (RFC 1035, RFC 3596), as DoH JSON gives it.
    pub fn code(self) -> u16 {
        match self {
            DnsType::A => 1,
            DnsType::Ns => 2,
            DnsType::Cname => 5,
            DnsType::Soa => 6,
            DnsType::Mx => 15,
            DnsType::Txt => 16,
            DnsType::Aaaa => 28,
        }
    }

    /// The type with this numeric code, if collection reads it.
    pub fn from_code(code: u16) -> Option<Self> {
        [
            DnsType::A,
            DnsType::Ns,
            DnsType::Cname,
            DnsType::Soa,
            DnsType::Mx,
            DnsType::Txt,
            DnsType::Aaaa,
        ]
        .into_iter()
        .find(|t| t.code() == code)
    }

    /// The observation kind its records become.
    pub fn kind(self) -> Kind {
        match self {
            DnsType::A => Kind::DnsA,
            DnsType::Aaaa => Kind::DnsAaaa,
            DnsType::Cname => Kind::DnsCname,
            DnsType::Mx => Kind::DnsMx,
            DnsType::Ns => Kind::DnsNs,
            DnsType::Soa => Kind::DnsSoa,
            DnsType::Txt => Kind::DnsTxt,
        }
    }
}

impl fmt::Display for DnsType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One host to look at, for one subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The subject entity id.
    pub subject: String,
    /// The host name, lower case, without a trailing dot.
    pub host: String,
    /// Whether it is one of the subject's domains (zone records, registrar
    /// and archive are looked up there) rather than a `www.` or named host.
    pub apex: bool,
}

/// What to look at for a subject's domains: each domain (its zone records,
/// registrar and archived home page), its `www.` host, and every extra host
/// named in the input (their addresses, certificates and home pages).
/// Names are normalised and each (subject, host) pair comes once, in input
/// order.
pub fn targets(subject: &str, domains: &[String], hosts: &[String]) -> Vec<Target> {
    let mut out: Vec<Target> = Vec::new();
    let mut push = |host: String, apex: bool| {
        if host.is_empty() {
            return;
        }
        match out.iter_mut().find(|t| t.host == host) {
            Some(t) => t.apex |= apex,
            None => out.push(Target {
                subject: subject.to_string(),
                host,
                apex,
            }),
        }
    };
    for d in domains {
        let d = normalize_host(d);
        push(d.clone(), true);
        if !d.starts_with("www.") {
            push(format!("www.{d}"), false);
        }
    }
    for h in hosts {
        push(normalize_host(h), false);
    }
    out
}

/// Which resolver answered, so the method names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolver {
    /// The machine's configured resolver (`/etc/resolv.conf`).
    System,
    /// A named resolver over UDP/TCP port 53 (or another port).
    Named(SocketAddr),
    /// DNS-over-HTTPS (RFC 8484) at this URL.
    Https(String),
    /// DNS-over-HTTPS in the JSON form Cloudflare and Google document
    /// (`application/dns-json`, `?name=…&type=…`), as a browser reads it.
    Json(String),
}

impl Resolver {
    /// The command that repeats a lookup through this resolver.
    pub fn dig(&self, name: &str, rtype: DnsType) -> String {
        match self {
            Resolver::System => format!("dig +short {rtype} {name}"),
            Resolver::Named(addr) if addr.port() == 53 => {
                format!("dig +short {rtype} {name} @{}", addr.ip())
            }
            Resolver::Named(addr) => {
                format!(
                    "dig +short -p {} {rtype} {name} @{}",
                    addr.port(),
                    addr.ip()
                )
            }
            Resolver::Json(_) => format!(
                "curl -s -H 'accept: application/dns-json' '{}'",
                self.json_url(name, rtype).unwrap_or_default()
            ),
            Resolver::Https(url) => {
                let (host, path) = split_https(url);
                if path == "/dns-query" {
                    format!("dig +short +https @{host} {rtype} {name}")
                } else {
                    format!("dig +short +https={path} @{host} {rtype} {name}")
                }
            }
        }
    }

    /// The URL of a JSON query (`Resolver::Json` only).
    pub fn json_url(&self, name: &str, rtype: DnsType) -> Option<String> {
        let Resolver::Json(base) = self else {
            return None;
        };
        let sep = if base.contains('?') { '&' } else { '?' };
        Some(format!("{base}{sep}name={name}&type={rtype}"))
    }
}

/// `https://host[:port]/path` → (`host[:port]`, `/path`).
fn split_https(url: &str) -> (&str, &str) {
    let rest = url.strip_prefix("https://").unwrap_or(url);
    match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/dns-query"),
    }
}

/// One record of a DNS answer, as text: the name it is at, its type, and
/// its data in presentation form (`10 mx.example.com.`, `"v=spf1 …"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsRecord {
    /// Owner name.
    pub name: String,
    /// Type.
    pub rtype: DnsType,
    /// Data, presentation form.
    pub data: String,
}

/// What a DNS lookup gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsOutcome {
    /// The answer section, CNAME chain included, in order.
    Records(Vec<DnsRecord>),
    /// The name does not exist.
    NxDomain,
    /// The name exists and has no record of the type.
    NoData,
}

/// Why a DNS-over-HTTPS JSON answer gives no outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonFailure {
    /// The resolver could not get an answer (SERVFAIL, status 2).
    ServFail,
    /// The resolver refused the query (REFUSED, status 5).
    Refused,
    /// Another DNS status.
    Status(u64),
    /// Not a DNS JSON answer.
    Unreadable(String),
}

impl fmt::Display for JsonFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonFailure::ServFail => f.write_str("the resolver could not get an answer (SERVFAIL)"),
            JsonFailure::Refused => f.write_str("the resolver refused the query (REFUSED)"),
            JsonFailure::Status(n) => write!(f, "the resolver answered with DNS status {n}"),
            JsonFailure::Unreadable(m) => write!(f, "the answer is not DNS JSON: {m}"),
        }
    }
}

/// Reads a DNS-over-HTTPS JSON answer (`{"Status": 0, "Answer": [{"name",
/// "type", "TTL", "data"}]}`, as Cloudflare and Google serve it). Quoted
/// TXT data is unquoted and its chunks joined, as hickory gives them, so
/// the browser and the CLI record one answer alike (and with one id).
pub fn json_outcome(text: &str) -> Result<DnsOutcome, JsonFailure> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| JsonFailure::Unreadable(e.to_string()))?;
    let status = v["Status"]
        .as_u64()
        .ok_or_else(|| JsonFailure::Unreadable("no \"Status\"".into()))?;
    match status {
        0 => {}
        2 => return Err(JsonFailure::ServFail),
        3 => return Ok(DnsOutcome::NxDomain),
        5 => return Err(JsonFailure::Refused),
        n => return Err(JsonFailure::Status(n)),
    }
    let mut records = Vec::new();
    for a in v["Answer"].as_array().into_iter().flatten() {
        let (Some(code), Some(data)) = (a["type"].as_u64(), a["data"].as_str()) else {
            continue;
        };
        let Some(rtype) = u16::try_from(code).ok().and_then(DnsType::from_code) else {
            continue;
        };
        let data = if rtype == DnsType::Txt {
            crate::normalize::join_txt_chunks(data.trim())
        } else {
            data.trim().to_string()
        };
        records.push(DnsRecord {
            name: a["name"].as_str().unwrap_or_default().to_string(),
            rtype,
            data,
        });
    }
    Ok(if records.is_empty() {
        DnsOutcome::NoData
    } else {
        DnsOutcome::Records(records)
    })
}

/// When and on what authority a set of observations was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// RFC 3339 UTC time, e.g. `2026-12-02T10:00:00Z`.
    pub observed_at: String,
    /// The source id (the collection run's entry in `meta.sources`) or the
    /// http(s) URL the evidence came from.
    pub source: String,
}

/// Appends `o` unless an observation with its id is there already.
fn push_once(out: &mut Vec<wire::Observation>, o: wire::Observation) {
    if !out.iter().any(|x| x.id == o.id) {
        out.push(o);
    }
}

/// Builds an observation and gives it its [`observation_id`].
#[allow(clippy::too_many_arguments)]
pub fn observation(
    subject: &str,
    target: &str,
    kind: Kind,
    key: Option<&str>,
    value: &str,
    method: String,
    provenance: Provenance,
    stamp: &Stamp,
) -> wire::Observation {
    let mut o = wire::Observation {
        id: String::new(),
        subject: subject.to_string(),
        target: target.to_string(),
        kind: kind.as_str().to_string(),
        key: key.map(str::to_string),
        value: value.to_string(),
        observed_at: stamp.observed_at.clone(),
        method: Some(method),
        source: stamp.source.clone(),
        provenance: provenance.as_str().to_string(),
        absent: None,
    };
    o.id = observation_id(&o);
    o
}

/// The id of an observation: `o-` and 16 hex digits of the SHA-256 of its
/// subject, target, kind, key, value, absence, provenance and the UTC day
/// of `observed_at` (its first ten characters). The same fact seen twice on
/// one day gets one id, so [`merge_observations`] keeps it once; the
/// method and the exact time are left out on purpose.
pub fn observation_id(o: &wire::Observation) -> String {
    let day = o.observed_at.get(..10).unwrap_or(&o.observed_at);
    let mut h = Sha256::new();
    for part in [
        ID_SCHEME,
        &o.subject,
        &o.target,
        &o.kind,
        o.key.as_deref().unwrap_or(""),
        &o.value,
        o.absent.as_deref().unwrap_or(""),
        &o.provenance,
        day,
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    let digest = h.finalize();
    let mut id = String::with_capacity(18);
    id.push_str("o-");
    for b in &digest[..8] {
        id.push_str(&format!("{b:02x}"));
    }
    id
}

/// The observations of one DNS lookup of `qname` for `qtype`:
/// - each CNAME record of the answer becomes a `dns.cname` observation of
///   the queried host (the chain, in order);
/// - each record of `qtype` becomes an observation of its kind;
/// - NXDOMAIN, NODATA, or an answer holding only the chain, becomes one
///   observation of `qtype`'s kind with `absent` set and an empty value.
pub fn dns_observations(
    subject: &str,
    qname: &str,
    qtype: DnsType,
    outcome: &DnsOutcome,
    resolver: &Resolver,
    stamp: &Stamp,
) -> Vec<wire::Observation> {
    let target = normalize_host(qname);
    let method = resolver.dig(&target, qtype);
    let absent = |why: Absent| {
        let mut o = observation(
            subject,
            &target,
            qtype.kind(),
            None,
            "",
            method.clone(),
            Provenance::Observed,
            stamp,
        );
        o.absent = Some(why.as_str().to_string());
        o.id = observation_id(&o);
        o
    };
    let records = match outcome {
        DnsOutcome::NxDomain => return vec![absent(Absent::NxDomain)],
        DnsOutcome::NoData => return vec![absent(Absent::NoData)],
        DnsOutcome::Records(r) => r,
    };
    let mut out: Vec<wire::Observation> = Vec::new();
    let mut found = false;
    for r in records {
        let keep = r.rtype == qtype || r.rtype == DnsType::Cname;
        if !keep {
            continue;
        }
        found |= r.rtype == qtype;
        let o = observation(
            subject,
            &target,
            r.rtype.kind(),
            None,
            r.data.trim(),
            method.clone(),
            Provenance::Observed,
            stamp,
        );
        push_once(&mut out, o);
    }
    if !found {
        out.push(absent(Absent::NoData));
    }
    out
}

/// How an IP's origin AS was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AsnVia {
    /// An offline table written by `whoserves import asn` (its file name).
    Table(String),
    /// Team Cymru's DNS origin lookup (`origin.asn.cymru.com`), through
    /// this resolver.
    Cymru(Resolver),
}

impl AsnVia {
    /// The command that repeats the lookup for `ip`.
    pub fn method(&self, ip: IpAddr) -> String {
        match self {
            AsnVia::Table(file) => format!("whoserves asn {file} {ip}"),
            AsnVia::Cymru(r) => {
                let name = cymru_origin_name(ip);
                r.dig(&name, DnsType::Txt)
            }
        }
    }
}

/// The Team Cymru origin name of an IP: the reversed IPv4 octets under
/// `origin.asn.cymru.com`, or the reversed IPv6 nibbles under
/// `origin6.asn.cymru.com`.
pub fn cymru_origin_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.{}.origin.asn.cymru.com", o[3], o[2], o[1], o[0])
        }
        IpAddr::V6(v6) => {
            let mut parts: Vec<String> = Vec::with_capacity(33);
            for b in v6.octets().iter().rev() {
                parts.push(format!("{:x}", b & 0xf));
                parts.push(format!("{:x}", b >> 4));
            }
            parts.push("origin6.asn.cymru.com".to_string());
            parts.join(".")
        }
    }
}

/// The origin AS in a Team Cymru TXT answer, `"16509 | 52.84.0.0/15 | US |
/// arin | 2016-05-17"`: the first number of the first field (a prefix
/// announced by several ASes lists them space-separated; the first is
/// taken).
pub fn parse_cymru_origin(txt: &str) -> Option<u32> {
    let field = txt.trim().trim_matches('"').split('|').next()?;
    field.split_whitespace().next()?.parse().ok()
}

/// The `ip.asn` observation of an address of `host`. An ASN read off a
/// table or an origin lookup is computed from the IP, so its provenance is
/// `derived`; the method says which way.
pub fn asn_observation(
    subject: &str,
    host: &str,
    ip: IpAddr,
    asn: u32,
    via: &AsnVia,
    stamp: &Stamp,
) -> wire::Observation {
    observation(
        subject,
        &normalize_host(host),
        Kind::IpAsn,
        None,
        &format!("AS{asn}"),
        via.method(ip),
        Provenance::Derived,
        stamp,
    )
}

/// The `tls.issuer` observation of the leaf certificate `host` presented
/// on `port` (SNI set to `host`).
pub fn tls_observation(
    subject: &str,
    host: &str,
    port: u16,
    issuer: &str,
    stamp: &Stamp,
) -> wire::Observation {
    let host = normalize_host(host);
    observation(
        subject,
        &host,
        Kind::TlsIssuer,
        None,
        issuer,
        format!(
            "openssl s_client -connect {host}:{port} -servername {host} </dev/null | openssl x509 -noout -issuer"
        ),
        Provenance::Observed,
        stamp,
    )
}

/// Response headers that collection keeps when the rules of a bundle name
/// none: those the shipped library and the common CDNs and hosts set.
pub const HEADERS: &[&str] = &[
    "server",
    "via",
    "x-cache",
    "x-amz-cf-pop",
    "x-amz-cf-id",
    "x-amz-request-id",
    "x-amz-id-2",
    "cf-ray",
    "cf-cache-status",
    "x-served-by",
    "x-fastly-request-id",
    "x-timer",
    "x-azure-ref",
    "x-msedge-ref",
    "x-ms-request-id",
    "x-goog-generation",
    "x-guploader-uploadid",
    "x-akamai-transformed",
    "akamai-grn",
    "x-powered-by",
    "x-cdn",
    "x-edge-location",
    "x-vercel-id",
    "x-nf-request-id",
    "x-github-request-id",
    "x-swift-cachetime",
    "eagleid",
    "x-ws-request-id",
];

/// Where page evidence came from: the live site, or a web archive capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageSource {
    /// Fetched live; `url` is the final URL after redirects.
    Live {
        /// Final URL.
        url: String,
    },
    /// A web archive's raw capture; `capture` is its `id_` URL.
    Archived {
        /// Capture URL.
        capture: String,
    },
}

impl PageSource {
    fn provenance(&self) -> Provenance {
        match self {
            PageSource::Live { .. } => Provenance::Observed,
            PageSource::Archived { .. } => Provenance::Archived,
        }
    }

    fn url(&self) -> &str {
        match self {
            PageSource::Live { url } => url,
            PageSource::Archived { capture } => capture,
        }
    }
}

/// The `http.header` observations of a response: the headers named in
/// `wanted` (lower case), in the order given. For an archived page, pass
/// the original headers the archive kept (`X-Archive-Orig-Server` as
/// `server`).
pub fn header_observations(
    subject: &str,
    host: &str,
    headers: &[(String, String)],
    wanted: &[String],
    from: &PageSource,
    stamp: &Stamp,
) -> Vec<wire::Observation> {
    let host = normalize_host(host);
    let method = match from {
        PageSource::Live { url } => format!("curl -sI {url}"),
        PageSource::Archived { capture } => format!("curl -sI {capture}"),
    };
    let mut out: Vec<wire::Observation> = Vec::new();
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        if !wanted.contains(&name) {
            continue;
        }
        let o = observation(
            subject,
            &host,
            Kind::HttpHeader,
            Some(&name),
            value.trim(),
            method.clone(),
            from.provenance(),
            stamp,
        );
        push_once(&mut out, o);
    }
    out
}

/// The `html.script_src` and `html.link_href` observations of a page: the
/// URLs its `<script src>` and `<link href>` name, already resolved against
/// the page's base URL, each once.
pub fn page_observations(
    subject: &str,
    host: &str,
    scripts: &[String],
    links: &[String],
    from: &PageSource,
    stamp: &Stamp,
) -> Vec<wire::Observation> {
    let host = normalize_host(host);
    let method = format!("curl -sL {}", from.url());
    let mut out: Vec<wire::Observation> = Vec::new();
    for (kind, urls) in [(Kind::HtmlScriptSrc, scripts), (Kind::HtmlLinkHref, links)] {
        for url in urls {
            let o = observation(
                subject,
                &host,
                kind,
                None,
                url,
                method.clone(),
                from.provenance(),
                stamp,
            );
            push_once(&mut out, o);
        }
    }
    out
}

/// The `whois.registrar` observation of a domain, from the RDAP response
/// at `rdap_url`.
pub fn registrar_observation(
    subject: &str,
    domain: &str,
    registrar: &str,
    rdap_url: &str,
    stamp: &Stamp,
) -> wire::Observation {
    observation(
        subject,
        &normalize_host(domain),
        Kind::WhoisRegistrar,
        None,
        registrar,
        format!("curl -s {rdap_url}"),
        Provenance::Observed,
        stamp,
    )
}

/// Appends the observations of `more` whose id `base` lacks, and returns
/// how many it added. An id seen in both keeps the first.
pub fn merge_observations(
    base: &mut Vec<wire::Observation>,
    more: impl IntoIterator<Item = wire::Observation>,
) -> usize {
    let mut seen: crate::hash::HashSet<String> = base.iter().map(|o| o.id.clone()).collect();
    let before = base.len();
    for o in more {
        if seen.insert(o.id.clone()) {
            base.push(o);
        }
    }
    base.len() - before
}

/// Subjects by domain, to find whose domain a name is or is under.
#[derive(Debug, Clone, Default)]
pub struct Domains {
    by_domain: crate::hash::HashMap<String, String>,
}

impl Domains {
    /// Indexes `(subject id, domain)` pairs; a domain named twice keeps its
    /// first subject.
    pub fn new<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut by_domain = crate::hash::HashMap::default();
        for (subject, domain) in pairs {
            by_domain
                .entry(normalize_host(domain))
                .or_insert_with(|| subject.to_string());
        }
        Domains { by_domain }
    }

    /// The subject whose domain `name` is, or is under; the longest domain
    /// wins. One lookup per label of `name`.
    pub fn subject_of(&self, name: &str) -> Option<&str> {
        let name = normalize_host(name);
        let mut rest = name.as_str();
        loop {
            if let Some(s) = self.by_domain.get(rest) {
                return Some(s);
            }
            rest = rest.split_once('.')?.1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp() -> Stamp {
        Stamp {
            observed_at: "2026-12-02T10:00:00Z".into(),
            source: "collect-2026-12-02".into(),
        }
    }

    #[test]
    fn targets_take_apex_www_and_named_hosts_once() {
        let t = targets(
            "f",
            &["Example.COM.".into(), "example.org".into()],
            &["www.example.com".into(), "cdn.example.com".into()],
        );
        let hosts: Vec<(&str, bool)> = t.iter().map(|t| (t.host.as_str(), t.apex)).collect();
        assert_eq!(
            hosts,
            [
                ("example.com", true),
                ("www.example.com", false),
                ("example.org", true),
                ("www.example.org", false),
                ("cdn.example.com", false)
            ]
        );
    }

    #[test]
    fn methods_name_the_resolver() {
        let sys = Resolver::System;
        assert_eq!(sys.dig("a.test", DnsType::Ns), "dig +short NS a.test");
        let port = Resolver::Named("127.0.0.1:5353".parse().unwrap());
        assert_eq!(
            port.dig("a.test", DnsType::A),
            "dig +short -p 5353 A a.test @127.0.0.1"
        );
        let doh = Resolver::Https("https://cloudflare-dns.com/dns-query".into());
        assert_eq!(
            doh.dig("a.test", DnsType::Txt),
            "dig +short +https @cloudflare-dns.com TXT a.test"
        );
        let other = Resolver::Https("https://127.0.0.1:8443/q".into());
        assert_eq!(
            other.dig("a.test", DnsType::Txt),
            "dig +short +https=/q @127.0.0.1:8443 TXT a.test"
        );
    }

    #[test]
    fn ids_are_stable_within_a_day_and_differ_across_days_and_values() {
        let r = Resolver::System;
        let ans = DnsOutcome::Records(vec![DnsRecord {
            name: "a.test".into(),
            rtype: DnsType::A,
            data: "192.0.2.1".into(),
        }]);
        let a = dns_observations("f", "a.test", DnsType::A, &ans, &r, &stamp());
        let later = Stamp {
            observed_at: "2026-12-02T23:59:59Z".into(),
            ..stamp()
        };
        let b = dns_observations("f", "a.test", DnsType::A, &ans, &r, &later);
        assert_eq!(a[0].id, b[0].id);
        let next_day = Stamp {
            observed_at: "2026-12-03T00:00:00Z".into(),
            ..stamp()
        };
        let c = dns_observations("f", "a.test", DnsType::A, &ans, &r, &next_day);
        assert_ne!(a[0].id, c[0].id);
        let other = DnsOutcome::Records(vec![DnsRecord {
            name: "a.test".into(),
            rtype: DnsType::A,
            data: "192.0.2.2".into(),
        }]);
        let d = dns_observations("f", "a.test", DnsType::A, &other, &r, &stamp());
        assert_ne!(a[0].id, d[0].id);
        assert!(a[0].id.starts_with("o-") && a[0].id.len() == 18);
    }

    #[test]
    fn the_cname_chain_and_absences_become_observations() {
        let r = Resolver::System;
        let chain = DnsOutcome::Records(vec![
            DnsRecord {
                name: "www.a.test".into(),
                rtype: DnsType::Cname,
                data: "d1.cloudfront.net.".into(),
            },
            DnsRecord {
                name: "d1.cloudfront.net".into(),
                rtype: DnsType::A,
                data: "13.224.0.1".into(),
            },
        ]);
        let obs = dns_observations("f", "www.a.test", DnsType::A, &chain, &r, &stamp());
        let got: Vec<(&str, &str)> = obs
            .iter()
            .map(|o| (o.kind.as_str(), o.value.as_str()))
            .collect();
        assert_eq!(
            got,
            [("dns.cname", "d1.cloudfront.net."), ("dns.a", "13.224.0.1")]
        );
        assert!(obs.iter().all(|o| o.target == "www.a.test"));

        let only_chain = DnsOutcome::Records(vec![DnsRecord {
            name: "www.a.test".into(),
            rtype: DnsType::Cname,
            data: "b.test.".into(),
        }]);
        let obs = dns_observations("f", "www.a.test", DnsType::Aaaa, &only_chain, &r, &stamp());
        assert_eq!(obs.len(), 2);
        assert_eq!(obs[1].kind, "dns.aaaa");
        assert_eq!(obs[1].absent.as_deref(), Some("nodata"));

        let nx = dns_observations(
            "f",
            "no.a.test",
            DnsType::Mx,
            &DnsOutcome::NxDomain,
            &r,
            &stamp(),
        );
        assert_eq!(nx.len(), 1);
        assert_eq!(
            (nx[0].value.as_str(), nx[0].absent.as_deref()),
            ("", Some("nxdomain"))
        );
    }

    #[test]
    fn json_answers_read_like_wire_answers() {
        let r = Resolver::Json("https://cloudflare-dns.com/dns-query".into());
        assert_eq!(
            r.dig("a.test", DnsType::Mx),
            "curl -s -H 'accept: application/dns-json' 'https://cloudflare-dns.com/dns-query?name=a.test&type=MX'"
        );
        let txt = json_outcome(
            r#"{"Status":0,"TC":false,"Question":[{"name":"a.test","type":16}],
                "Answer":[{"name":"a.test","type":16,"TTL":300,"data":"\"v=spf1 include:spf.protection.outlook.com\" \" -all\""}]}"#,
        )
        .unwrap();
        let DnsOutcome::Records(recs) = &txt else {
            panic!("{txt:?}")
        };
        assert_eq!(
            recs[0].data,
            "v=spf1 include:spf.protection.outlook.com -all"
        );
        // The same answer through hickory (chunks joined) gets the same id.
        let wire = DnsOutcome::Records(vec![DnsRecord {
            name: "a.test.".into(),
            rtype: DnsType::Txt,
            data: "v=spf1 include:spf.protection.outlook.com -all".into(),
        }]);
        let a = dns_observations("f", "a.test", DnsType::Txt, &txt, &r, &stamp());
        let b = dns_observations(
            "f",
            "a.test",
            DnsType::Txt,
            &wire,
            &Resolver::System,
            &stamp(),
        );
        assert_eq!(a[0].id, b[0].id);
        assert_eq!(json_outcome(r#"{"Status":3}"#), Ok(DnsOutcome::NxDomain));
        assert_eq!(
            json_outcome(r#"{"Status":0,"Answer":[]}"#),
            Ok(DnsOutcome::NoData)
        );
        assert_eq!(json_outcome(r#"{"Status":5}"#), Err(JsonFailure::Refused));
        assert_eq!(json_outcome(r#"{"Status":2}"#), Err(JsonFailure::ServFail));
        assert!(matches!(
            json_outcome("<html>"),
            Err(JsonFailure::Unreadable(_))
        ));
        let chain = json_outcome(
            r#"{"Status":0,"Answer":[{"name":"www.a.test.","type":5,"data":"d1.cloudfront.net."},{"name":"d1.cloudfront.net.","type":1,"data":"13.224.0.1"},{"name":"x","type":46,"data":"sig"}]}"#,
        )
        .unwrap();
        let DnsOutcome::Records(recs) = chain else {
            panic!()
        };
        assert_eq!(recs.len(), 2, "RRSIG and other types are left out");
    }

    #[test]
    fn cymru_names_and_answers() {
        assert_eq!(
            cymru_origin_name("52.84.1.2".parse().unwrap()),
            "2.1.84.52.origin.asn.cymru.com"
        );
        let v6 = cymru_origin_name("2600:9000::1".parse().unwrap());
        assert!(v6.starts_with("1.0.0.0."));
        assert!(v6.ends_with(".0.0.0.9.0.0.6.2.origin6.asn.cymru.com"));
        assert_eq!(
            parse_cymru_origin("\"16509 | 52.84.0.0/15 | US | arin | 2016-05-17\""),
            Some(16509)
        );
        assert_eq!(
            parse_cymru_origin("13335 209242 | 1.1.1.0/24 | AU"),
            Some(13335)
        );
        assert_eq!(parse_cymru_origin("garbage"), None);
    }

    #[test]
    fn headers_keep_the_wanted_ones_and_archives_say_so() {
        let headers = vec![
            ("Server".to_string(), "AmazonS3".to_string()),
            ("Set-Cookie".to_string(), "secret=1".to_string()),
        ];
        let wanted: Vec<String> = HEADERS.iter().map(|s| s.to_string()).collect();
        let live = PageSource::Live {
            url: "https://www.a.test/".into(),
        };
        let obs = header_observations("f", "www.a.test", &headers, &wanted, &live, &stamp());
        assert_eq!(obs.len(), 1);
        assert_eq!(obs[0].key.as_deref(), Some("server"));
        assert_eq!(obs[0].provenance, "observed");
        let arch = PageSource::Archived {
            capture: "https://web.archive.org/web/20200521000000id_/http://a.test/".into(),
        };
        let obs = header_observations("f", "a.test", &headers, &wanted, &arch, &stamp());
        assert_eq!(obs[0].provenance, "archived");
        assert!(obs[0].method.as_deref().unwrap().contains("id_/"));
    }

    #[test]
    fn merging_keeps_each_id_once() {
        let r = Resolver::System;
        let ans = DnsOutcome::NoData;
        let mut a = dns_observations("f", "a.test", DnsType::Mx, &ans, &r, &stamp());
        let b = dns_observations("f", "a.test", DnsType::Mx, &ans, &r, &stamp());
        assert_eq!(merge_observations(&mut a, b), 0);
        let c = dns_observations("f", "b.test", DnsType::Mx, &ans, &r, &stamp());
        assert_eq!(merge_observations(&mut a, c), 1);
        assert_eq!(a.len(), 2);
    }

    #[test]
    fn subjects_by_longest_domain() {
        let d = Domains::new([("a", "example.com"), ("b", "Shop.Example.com")]);
        assert_eq!(d.subject_of("www.shop.example.com"), Some("b"));
        assert_eq!(d.subject_of("Example.com."), Some("a"));
        assert_eq!(d.subject_of("notexample.com"), None);
        assert_eq!(d.subject_of("com"), None);
    }

    #[test]
    fn the_kept_headers_cover_every_header_the_shipped_rules_read() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../public/rules");
        let mut read = 0;
        for entry in std::fs::read_dir(dir).expect("public/rules") {
            let path = entry.expect("entry").path();
            let lib: crate::wire::Bundle =
                serde_json::from_str(&std::fs::read_to_string(&path).expect("library"))
                    .expect("library parses");
            for r in lib.rules.iter().filter(|r| r.matcher.kind == "http.header") {
                let key = r.matcher.key.as_deref().unwrap_or("").to_ascii_lowercase();
                assert!(
                    HEADERS.contains(&key.as_str()),
                    "{}: rule {} reads {key}",
                    path.display(),
                    r.id
                );
                read += 1;
            }
        }
        assert!(read > 0, "the shipped rules read headers");
    }

    #[test]
    fn collected_observations_load_clean() {
        let r = Resolver::System;
        let s = stamp();
        let mut obs = dns_observations("f", "a.test", DnsType::Mx, &DnsOutcome::NoData, &r, &s);
        obs.push(asn_observation(
            "f",
            "a.test",
            "192.0.2.1".parse().unwrap(),
            64500,
            &AsnVia::Table("asn.txt".into()),
            &s,
        ));
        let bundle = serde_json::json!({
            "format": "whoserves/1",
            "meta": {"title": "t", "sources": [{"id": "collect-2026-12-02", "title": "run"}]},
            "entities": [{"id": "f", "role": "subject", "name": "F"}],
            "observations": obs,
        });
        let loaded = crate::load(&bundle.to_string(), &crate::Limits::default());
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        assert_eq!(loaded.bundle.observations.len(), 1);
        assert_eq!(loaded.bundle.absences.len(), 1);
        assert_eq!(loaded.bundle.absences[0].absent, Absent::NoData);
    }
}
