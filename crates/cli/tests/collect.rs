//! `whoserves collect` end to end against real protocol servers on
//! 127.0.0.1, never the internet:
//! - an in-process authoritative DNS server (hickory-server) serving the
//!   zones in `tests/fixtures/collect/zones/`, over UDP/TCP and over
//!   DNS-over-HTTPS;
//! - an HTTPS server (hyper over rustls) with a certificate from a test CA
//!   made by rcgen, trusted only through `--ca-file`;
//! - a plain HTTP server answering in the RDAP (bootstrap and domain) and
//!   Wayback CDX / raw-capture shapes.
//!
//! Collect → bundle → `whoserves check` gives the expected verdicts; a
//! rerun adds nothing; a fresh run of the same day merges into the first
//! without a duplicate.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use whoserves_testserver::Server;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/collect")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_whoserves"))
        .args(args)
        .output()
        .expect("runs")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("whoserves-collect-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The test CA and a certificate for the test hosts and 127.0.0.1.
struct Pki {
    ca_pem: String,
    cert: rustls::pki_types::CertificateDer<'static>,
    key: rustls::pki_types::PrivateKeyDer<'static>,
}

fn pki() -> Pki {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::OrganizationName, "Whoserves Test CA");
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "Whoserves Test Root");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let mut leaf = rcgen::CertificateParams::new(vec![
        "firm.test".to_string(),
        "www.firm.test".to_string(),
        "nomail.test".to_string(),
        "127.0.0.1".to_string(),
        "slow.test".to_string(),
    ])
    .unwrap();
    leaf.distinguished_name
        .push(rcgen::DnType::CommonName, "firm.test");
    let cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        cert: cert.der().clone(),
        key: rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der()).unwrap(),
    }
}

fn server_config(p: &Pki, alpn: &[&[u8]]) -> Arc<rustls::ServerConfig> {
    let mut c = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![p.cert.clone()], p.key.clone_key())
    .unwrap();
    c.alpn_protocols = alpn.iter().map(|a| a.to_vec()).collect();
    Arc::new(c)
}

/// The DNS server: every zone file, over UDP and TCP on one port, and
/// over DoH on another. Returns (dns, doh) addresses.
async fn dns_server(p: &Pki) -> (SocketAddr, SocketAddr) {
    let mut server = Server::new(whoserves_testserver::zones(&fixtures().join("zones")));
    let addr = whoserves_testserver::listen(&mut server).await;
    let doh = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let doh_addr = doh.local_addr().unwrap();
    server
        .register_https_listener_with_tls_config(
            doh,
            Duration::from_secs(5),
            server_config(p, &[b"h2"]),
            None,
            "/dns-query".to_string(),
        )
        .unwrap();
    tokio::spawn(async move {
        let _ = server.block_until_done().await;
    });
    (addr, doh_addr)
}

type Log = Arc<Mutex<Vec<String>>>;

/// An HTTP/1.1 server (TLS when `tls` is given) answering with `route`,
/// logging `host path` of every request.
async fn http_server(
    tls: Option<Arc<rustls::ServerConfig>>,
    log: Log,
    route: fn(&str, &str, u16) -> Response<Full<Bytes>>,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let (tls, log) = (tls.clone(), log.clone());
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                        let host = req
                            .headers()
                            .get("host")
                            .and_then(|h| h.to_str().ok())
                            .unwrap_or("")
                            .split(':')
                            .next()
                            .unwrap_or("")
                            .to_string();
                        let path = req
                            .uri()
                            .path_and_query()
                            .map(|p| p.as_str().to_string())
                            .unwrap_or_default();
                        log.lock().unwrap().push(format!("{host} {path}"));
                        async move {
                            if host == "slow.test" {
                                tokio::time::sleep(Duration::from_secs(20)).await;
                            }
                            Ok::<_, std::convert::Infallible>(route(&host, &path, addr.port()))
                        }
                    });
                let http = hyper::server::conn::http1::Builder::new();
                match tls {
                    Some(cfg) => {
                        if let Ok(stream) = tokio_rustls::TlsAcceptor::from(cfg).accept(tcp).await {
                            let _ = http.serve_connection(TokioIo::new(stream), service).await;
                        }
                    }
                    None => {
                        let _ = http.serve_connection(TokioIo::new(tcp), service).await;
                    }
                }
            });
        }
    });
    addr
}

fn respond(status: u16, headers: &[(&str, &str)], body: &str) -> Response<Full<Bytes>> {
    let mut r = Response::builder().status(status);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.body(Full::new(Bytes::from(body.to_string()))).unwrap()
}

/// The firms' web sites.
fn site(host: &str, path: &str, port: u16) -> Response<Full<Bytes>> {
    match (host, path) {
        ("firm.test", "/") => respond(
            301,
            &[("location", &format!("https://www.firm.test:{port}/"))],
            "",
        ),
        ("www.firm.test", "/") => respond(
            200,
            &[
                ("content-type", "text/html; charset=utf-8"),
                ("server", "AmazonS3"),
                ("x-cache", "Hit from cloudfront"),
                ("x-amz-cf-pop", "FRA56-P1"),
                ("set-cookie", "session=private"),
            ],
            r#"<!doctype html><html><head>
               <script async src="https://www.googletagmanager.com/gtag/js?id=G-TEST1"></script>
               <link rel="stylesheet" href="/css/site.css">
               </head><body>Firm Test Co.</body></html>"#,
        ),
        ("nomail.test", "/") => {
            respond(200, &[("content-type", "text/html")], "<p>No mail here</p>")
        }
        _ => respond(404, &[], "not found"),
    }
}

/// RDAP (IANA bootstrap and domain objects) and the Wayback Machine (CDX
/// and raw captures), in their real response shapes.
fn registry(_host: &str, path: &str, port: u16) -> Response<Full<Bytes>> {
    let json = [("content-type", "application/rdap+json")];
    if path == "/bootstrap/dns.json" {
        let body = format!(
            r#"{{"version": "1.0", "publication": "2026-12-01T00:00:00Z",
                "services": [[["test"], ["http://127.0.0.1:{port}/rdap/"]]]}}"#
        );
        return respond(200, &[("content-type", "application/json")], &body);
    }
    if path == "/rdap/domain/firm.test" {
        return respond(
            200,
            &json,
            r#"{"objectClassName": "domain", "ldhName": "firm.test",
                "entities": [{"objectClassName": "entity", "roles": ["registrar"],
                  "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "MarkMonitor Inc."]]]}]}"#,
        );
    }
    if let Some(q) = path.strip_prefix("/cdx/search/cdx?") {
        let rows = if q.starts_with("url=firm.test/&") {
            r#"[["timestamp","original","statuscode"],
                ["20200301000000","http://firm.test/","200"],
                ["20200520101010","http://firm.test/","200"]]"#
        } else {
            r#"[["timestamp","original","statuscode"]]"#
        };
        return respond(200, &[("content-type", "application/json")], rows);
    }
    if path == "/web/20200520101010id_/http://firm.test/" {
        return respond(
            200,
            &[
                ("content-type", "text/html"),
                ("x-archive-orig-server", "nginx"),
                ("x-archive-orig-date", "Wed, 20 May 2020 10:10:10 GMT"),
            ],
            r#"<html><head><script src="https://connect.facebook.net/en_US/fbevents.js"></script></head></html>"#,
        );
    }
    respond(404, &[], "{}")
}

struct Servers {
    _rt: tokio::runtime::Runtime,
    ca: PathBuf,
    dns: SocketAddr,
    doh: SocketAddr,
    site: SocketAddr,
    registry: SocketAddr,
    site_log: Log,
    registry_log: Log,
}

fn servers(dir: &Path) -> Servers {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let p = pki();
    let ca = dir.join("test-ca.pem");
    std::fs::write(&ca, &p.ca_pem).unwrap();
    let site_log: Log = Arc::default();
    let registry_log: Log = Arc::default();
    let (dns, doh, site_addr, registry_addr) = rt.block_on(async {
        let (dns, doh) = dns_server(&p).await;
        let s = http_server(
            Some(server_config(&p, &[b"http/1.1"])),
            site_log.clone(),
            site,
        )
        .await;
        let r = http_server(None, registry_log.clone(), registry).await;
        (dns, doh, s, r)
    });
    Servers {
        _rt: rt,
        ca,
        dns,
        doh,
        site: site_addr,
        registry: registry_addr,
        site_log,
        registry_log,
    }
}

fn collect_args(s: &Servers, out: &Path, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "collect".into(),
        fixtures().join("firms.json").to_string_lossy().into_owned(),
        "-o".into(),
        out.to_string_lossy().into_owned(),
        "--resolver".into(),
        s.dns.to_string(),
        "--https-port".into(),
        s.site.port().to_string(),
        "--http-port".into(),
        s.registry.port().to_string(),
        "--ca-file".into(),
        s.ca.to_string_lossy().into_owned(),
        "--rdap-bootstrap".into(),
        format!("http://{}/bootstrap/dns.json", s.registry),
        "--wayback".into(),
        format!("http://{}", s.registry),
        "--at".into(),
        "2020-05-21".into(),
        "--delay".into(),
        "0".into(),
        "--timeout".into(),
        "5".into(),
        "--retries".into(),
        "0".into(),
        "--quiet".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

fn verdicts(bundle: &Path, as_of: Option<&str>) -> BTreeMap<String, String> {
    let mut args = vec!["check", "--json", bundle.to_str().unwrap()];
    if let Some(d) = as_of {
        args.extend(["--as-of", d]);
    }
    let o = run(&args);
    let report: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    assert_eq!(report["errors"], 0, "{:#}", report["diagnostics"]);
    report["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn observations(bundle: &Path) -> Vec<Value> {
    let b: Value = serde_json::from_str(&std::fs::read_to_string(bundle).unwrap()).unwrap();
    b["observations"].as_array().unwrap().clone()
}

fn find<'a>(obs: &'a [Value], kind: &str, target: &str) -> Vec<&'a Value> {
    obs.iter()
        .filter(|o| o["kind"] == kind && o["target"] == target)
        .collect()
}

#[test]
fn collect_then_check_gives_the_verdicts_and_a_rerun_adds_nothing() {
    let dir = temp_dir("e2e");
    let s = servers(&dir);
    let out = dir.join("out").join("collected.json");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let args = collect_args(&s, &out, &[]);
    let o = run(&strs(&args));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    // The observations, each with a method that repeats it.
    let obs = observations(&out);
    let mx = find(&obs, "dns.mx", "firm.test");
    assert_eq!(mx.len(), 1);
    assert_eq!(mx[0]["value"], "0 firm-test.mail.protection.outlook.com.");
    assert_eq!(
        mx[0]["method"],
        format!("dig +short -p {} MX firm.test @127.0.0.1", s.dns.port())
    );
    assert_eq!(mx[0]["provenance"], "observed");
    assert!(mx[0]["source"]
        .as_str()
        .unwrap()
        .starts_with("whoserves-collect-"));
    let cname = find(&obs, "dns.cname", "www.firm.test");
    assert_eq!(cname[0]["value"], "d111abcdef8.cloudfront.net.");
    let nomx = find(&obs, "dns.mx", "nomail.test");
    assert_eq!(
        (nomx[0]["value"].as_str(), nomx[0]["absent"].as_str()),
        (Some(""), Some("nodata"))
    );
    let nxwww = find(&obs, "dns.a", "www.nomail.test");
    assert_eq!(nxwww[0]["absent"], "nxdomain");
    let asn = find(&obs, "ip.asn", "firm.test");
    assert_eq!(asn[0]["value"], "AS16509");
    assert_eq!(asn[0]["provenance"], "derived");
    assert!(asn[0]["method"]
        .as_str()
        .unwrap()
        .contains("1.0.0.127.origin.asn.cymru.com"));
    let issuer = find(&obs, "tls.issuer", "www.firm.test");
    assert_eq!(
        issuer[0]["value"], "CN=Whoserves Test Root, O=Whoserves Test CA",
        "in the order of the certificate"
    );
    let headers = find(&obs, "http.header", "www.firm.test");
    let keys: Vec<&str> = headers.iter().map(|h| h["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        ["server", "x-amz-cf-pop", "x-cache"],
        "set-cookie is never kept"
    );
    assert_eq!(
        headers[0]["source"],
        format!("https://www.firm.test:{}/", s.site.port())
    );
    let scripts = find(&obs, "html.script_src", "www.firm.test");
    assert_eq!(
        scripts[0]["value"],
        "https://www.googletagmanager.com/gtag/js?id=G-TEST1"
    );
    let links = find(&obs, "html.link_href", "www.firm.test");
    assert_eq!(
        links[0]["value"],
        format!("https://www.firm.test:{}/css/site.css", s.site.port())
    );
    let registrar = find(&obs, "whois.registrar", "firm.test");
    assert_eq!(registrar[0]["value"], "MarkMonitor Inc.");
    assert_eq!(
        registrar[0]["source"],
        format!("http://{}/rdap/domain/firm.test", s.registry)
    );
    let archived = find(&obs, "html.script_src", "firm.test");
    assert_eq!(archived[0]["provenance"], "archived");
    assert_eq!(archived[0]["observed_at"], "2020-05-20T10:10:10Z");
    assert_eq!(
        archived[0]["source"],
        format!(
            "http://{}/web/20200520101010id_/http://firm.test/",
            s.registry
        )
    );
    let orig = find(&obs, "http.header", "firm.test");
    assert_eq!(
        (orig[0]["key"].as_str(), orig[0]["value"].as_str()),
        (Some("server"), Some("nginx"))
    );

    // The verdicts, today and as of the report's date.
    let now = verdicts(&out, None);
    let expect = [
        ("firm-email", "supported"),
        ("firm-dns", "supported"),
        ("firm-cdn", "supported"),
        ("firm-hosting", "supported"),
        ("firm-analytics", "account_only"),
        ("firm-registrar", "supported"),
        ("firm-pixel-2020", "account_only"),
        ("nomail-email", "not_found"),
    ];
    for (id, v) in expect {
        assert_eq!(now[id], v, "claim {id}: {now:?}");
    }
    let then = verdicts(&out, Some("2020-05-21"));
    assert_eq!(
        then["firm-pixel-2020"], "account_only",
        "the capture speaks for 2020"
    );
    assert_eq!(
        then["firm-email"], "no_evidence",
        "2026 lookups say nothing of 2020: {then:?}"
    );

    let text = run(&["check", out.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("lookups that found no record: 7"), "{text}");
    assert!(
        text.contains("nomail   www.nomail.test  dns.a     no such name (NXDOMAIN)"),
        "{text}"
    );

    // The log records the failures: no RDAP answer and no capture for nomail.test.
    let log = std::fs::read_to_string(dir.join("out").join("collected.log.jsonl")).unwrap();
    let failed: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["ok"] == false)
        .collect();
    let failed_steps: Vec<&str> = failed.iter().map(|e| e["step"].as_str().unwrap()).collect();
    assert!(
        failed_steps.contains(&"nomail rdap nomail.test"),
        "{failed_steps:?}"
    );
    assert!(
        failed_steps.contains(&"nomail archive nomail.test"),
        "{failed_steps:?}"
    );
    assert!(failed
        .iter()
        .all(|e| !e["error"].as_str().unwrap().is_empty()));

    // Nothing was asked of the servers but the lookups described.
    let mut site_paths = s.site_log.lock().unwrap().clone();
    site_paths.sort();
    site_paths.dedup();
    assert_eq!(
        site_paths,
        ["firm.test /", "nomail.test /", "www.firm.test /"]
    );
    let registry_paths = s.registry_log.lock().unwrap().clone();
    assert!(
        registry_paths.iter().all(|p| {
            let path = p.split_once(' ').unwrap().1;
            path == "/bootstrap/dns.json"
                || path.starts_with("/rdap/domain/")
                || path.starts_with("/cdx/search/cdx?")
                || path.starts_with("/web/")
        }),
        "{registry_paths:?}"
    );
    assert_eq!(
        registry_paths
            .iter()
            .filter(|p| p.ends_with("/bootstrap/dns.json"))
            .count(),
        1,
        "the bootstrap file is read once"
    );

    // A rerun resumes from the log: nothing is asked again, nothing added.
    let before = std::fs::read_to_string(&out).unwrap();
    let asked = s.site_log.lock().unwrap().len();
    let o = run(&strs(&args));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), before);
    assert_eq!(
        s.site_log.lock().unwrap().len(),
        asked,
        "a rerun asks nothing again"
    );

    // A fresh run the same day gives the same ids: merging adds nothing.
    let second = dir.join("second.json");
    let fresh = collect_args(&s, &second, &["--restart"]);
    let o = run(&strs(&fresh));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let merged = dir.join("out").join("merged.json");
    let m = run(&[
        "merge",
        out.to_str().unwrap(),
        second.to_str().unwrap(),
        "-o",
        merged.to_str().unwrap(),
    ]);
    let said = String::from_utf8_lossy(&m.stderr);
    assert_eq!(m.status.code(), Some(0), "{said}");
    assert!(said.contains("(0 added,"), "{said}");
    assert_eq!(observations(&merged).len(), obs.len());
    assert_eq!(verdicts(&merged, None), now);
    // WHOSERVES_KEEP_TEST_DIR=1 keeps the bundles and logs to look at.
    if std::env::var_os("WHOSERVES_KEEP_TEST_DIR").is_none() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn dns_over_https_and_an_offline_asn_table() {
    let dir = temp_dir("doh");
    let s = servers(&dir);
    let table = dir.join("asn.txt");
    // The table format `whoserves import asn` writes: a range line and a name line.
    let made = run(&[
        "import",
        "asn",
        fixtures().join("asn-loopback.csv").to_str().unwrap(),
        "-o",
        table.to_str().unwrap(),
        "--note",
        "made-up test data",
    ]);
    assert_eq!(
        made.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let out = dir.join("doh.json");
    let doh = format!("https://127.0.0.1:{}/dns-query", s.doh.port());
    let o = run(&[
        "collect",
        fixtures().join("firms.csv").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--resolver",
        &doh,
        "--ca-file",
        s.ca.to_str().unwrap(),
        "--asn",
        table.to_str().unwrap(),
        "--no-tls",
        "--no-http",
        "--no-rdap",
        "--include",
        fixtures()
            .join("../../../public/rules/providers.json")
            .to_str()
            .unwrap(),
        "--quiet",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let obs = observations(&out);
    let mx = find(&obs, "dns.mx", "firm.test");
    assert_eq!(
        mx[0]["method"],
        format!("dig +short +https @127.0.0.1:{} MX firm.test", s.doh.port())
    );
    let asn = find(&obs, "ip.asn", "firm.test");
    assert_eq!(asn[0]["value"], "AS16509");
    assert_eq!(asn[0]["method"], "whoserves asn asn.txt 127.0.0.1");
    let v = verdicts(&out, None);
    assert!(v.is_empty(), "a CSV input has no claims: {v:?}");
    let check = run(&["check", out.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(text.contains("Microsoft 365"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn log_steps(path: &Path) -> Vec<(String, bool)> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let e: Value = serde_json::from_str(l).unwrap();
            (e["step"].as_str().unwrap().to_string(), e["ok"] == true)
        })
        .collect()
}

#[test]
fn a_partial_run_resumes_where_it_stopped() {
    let dir = temp_dir("resume");
    let s = servers(&dir);
    let out = dir.join("firms.json");
    let first = collect_args(&s, &out, &["--no-tls", "--no-http", "--no-rdap"]);
    assert_eq!(run(&strs(&first)).status.code(), Some(0));
    let log = dir.join("firms.log.jsonl");
    let after_first = log_steps(&log);
    assert!(after_first
        .iter()
        .all(|(k, _)| !k.contains(" tls ") && !k.contains(" http ")));
    assert!(
        s.site_log.lock().unwrap().is_empty(),
        "no page was asked for"
    );
    let all = collect_args(&s, &out, &[]);
    assert_eq!(run(&strs(&all)).status.code(), Some(0));
    let after_second = log_steps(&log);
    assert_eq!(after_second[..after_first.len()], after_first[..]);
    let new: Vec<&str> = after_second[after_first.len()..]
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    // Only what the first run skipped, and what it could not do, is asked.
    assert!(
        new.iter().all(|k| k.contains(" tls ")
            || k.contains(" http ")
            || k.contains(" rdap ")
            || after_first.iter().any(|(f, ok)| f == k && !ok)),
        "{new:?}"
    );
    assert!(new.iter().any(|k| k.contains(" http ")));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Ctrl-C (SIGINT) mid-run: the finished lookups are in the log and in the
/// bundle written on the way out, and the exit code says it was stopped.
#[cfg(unix)]
#[test]
fn an_interrupted_run_keeps_what_it_did() {
    let dir = temp_dir("interrupt");
    let s = servers(&dir);
    let out = dir.join("slow.json");
    let mut args = collect_args(&s, &out, &["--no-rdap"]);
    args[1] = fixtures().join("slow.csv").to_string_lossy().into_owned();
    args.extend([
        "--include".to_string(),
        fixtures()
            .join("../../../public/rules/providers.json")
            .to_string_lossy()
            .into_owned(),
    ]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_whoserves"))
        .args(&args)
        .spawn()
        .expect("starts");
    // Wait until the home page request is in flight (the DNS steps are done).
    let t = std::time::Instant::now();
    while !s
        .site_log
        .lock()
        .unwrap()
        .iter()
        .any(|l| l == "slow.test /")
    {
        assert!(
            child.try_wait().unwrap().is_none(),
            "collect ended before the page was asked for"
        );
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "the page was never asked for"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: signalling a child process this test started.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(130),
        "{}",
        std::fs::read_to_string(dir.join("slow.log.jsonl")).unwrap_or_default()
    );
    let steps = log_steps(&dir.join("slow.log.jsonl"));
    assert!(
        steps
            .iter()
            .any(|(k, ok)| k == "slow-site dns MX slow.test" && *ok),
        "{steps:?}"
    );
    assert!(
        !steps.iter().any(|(k, _)| k == "slow-site http slow.test"),
        "the page was in flight"
    );
    let obs = observations(&out);
    assert!(
        !find(&obs, "dns.a", "slow.test").is_empty(),
        "what was done is in the bundle"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
