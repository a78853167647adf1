//! `whoserves-testserver ZONES_DIR`: real protocol servers for the
//! end-to-end tests, on 127.0.0.1 only.
//!
//! - An authoritative DNS server (hickory-server) serving every zone file
//!   of ZONES_DIR over UDP and TCP.
//! - A DNS-over-HTTPS endpoint in the JSON form Cloudflare and Google
//!   serve (`GET /dns-query?name=…&type=…`), backed by that server through
//!   hickory-resolver, answering with `Access-Control-Allow-Origin: *`.
//!   `/nocors/dns-query` gives the same answers without the header, as a
//!   resolver that refuses cross-origin reads does; `/slow/dns-query`
//!   answers after 0.7 s (to cancel a check mid-way).
//! - RDAP in its real shapes: `/rdap/dns.json` (an IANA-style bootstrap
//!   naming this server for `.test`) and `/rdap/domain/NAME` (a registrar
//!   entity); `nomail.test`'s answer comes without CORS.
//!
//! It prints one JSON line, `{"dns": "127.0.0.1:P", "doh":
//! "http://127.0.0.1:Q/dns-query", "nocors": "…/nocors/dns-query"}`, then
//! serves until killed. (Plain http: the endpoint never leaves loopback.)

use bytes::Bytes;
use hickory_proto::rr::{RData, RecordType};
use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::TokioResolver;
use http_body_util::Full;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Record data as the JSON form writes it: TXT as quoted chunks.
fn data(d: &RData) -> String {
    match d {
        RData::TXT(t) => t
            .txt_data
            .iter()
            .map(|c| {
                let s = String::from_utf8_lossy(c);
                format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
            })
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

/// The JSON answer to `name`/`type`, from the DNS server.
async fn answer(resolver: &TokioResolver, name: &str, rtype: &str) -> Value {
    let rtype = rtype
        .parse::<u16>()
        .map(RecordType::from)
        .or_else(|_| RecordType::from_str(&rtype.to_ascii_uppercase()))
        .unwrap_or(RecordType::A);
    let question = json!([{"name": name, "type": u16::from(rtype)}]);
    let fqdn = format!("{}.", name.trim_end_matches('.'));
    match resolver.lookup(fqdn.as_str(), rtype).await {
        Ok(l) => {
            let answers: Vec<Value> = l
                .answers()
                .iter()
                .map(|r| {
                    json!({"name": r.name.to_string(), "type": u16::from(r.record_type()),
                           "TTL": r.ttl, "data": data(&r.data)})
                })
                .collect();
            json!({"Status": 0, "Question": question, "Answer": answers})
        }
        Err(NetError::Dns(DnsError::NoRecordsFound(nr))) => {
            let status = if nr.response_code == ResponseCode::NXDomain {
                3
            } else {
                0
            };
            json!({"Status": status, "Question": question})
        }
        Err(_) => json!({"Status": 2, "Question": question}),
    }
}

#[tokio::main]
async fn main() {
    let zones = std::env::args()
        .nth(1)
        .expect("usage: whoserves-testserver ZONES_DIR");
    let dns = whoserves_testserver::serve(whoserves_testserver::zones(Path::new(&zones))).await;
    let mut ns = NameServerConfig::udp_and_tcp(dns.ip());
    for c in &mut ns.connections {
        c.port = dns.port();
    }
    let mut builder = TokioResolver::builder_with_config(
        ResolverConfig::from_name_servers(vec![ns]),
        TokioRuntimeProvider::default(),
    );
    let mut opts = ResolverOpts::default();
    opts.ndots = 0;
    opts.cache_size = 0;
    opts.use_hosts_file = hickory_resolver::config::ResolveHosts::Never;
    *builder.options_mut() = opts;
    let resolver = Arc::new(builder.build().expect("resolver"));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("http");
    let http = listener.local_addr().expect("addr");
    println!(
        "{}",
        json!({"dns": dns.to_string(),
               "doh": format!("http://{http}/dns-query"),
               "nocors": format!("http://{http}/nocors/dns-query"),
               "slow": format!("http://{http}/slow/dns-query"),
               "rdap": format!("http://{http}/rdap/dns.json")})
    );
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let resolver = resolver.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let resolver = resolver.clone();
                async move {
                    let url = url::Url::parse(&format!("http://x{}", req.uri())).expect("uri");
                    let q = |k: &str| {
                        url.query_pairs()
                            .find(|(n, _)| n == k)
                            .map(|(_, v)| v.into_owned())
                            .unwrap_or_default()
                    };
                    let path = url.path().to_string();
                    let cors = !path.starts_with("/nocors/") && path != "/rdap/domain/nomail.test";
                    let mut r = Response::builder().header("content-type", "application/dns-json");
                    if cors {
                        r = r.header("access-control-allow-origin", "*");
                    }
                    if url.path().starts_with("/slow/") {
                        tokio::time::sleep(Duration::from_millis(700)).await;
                    }
                    let body = if path.ends_with("/dns-query") {
                        answer(&resolver, &q("name"), &q("type")).await.to_string()
                    } else if path == "/rdap/dns.json" {
                        json!({"version": "1.0", "services": [[["test"], [format!("http://{http}/rdap/")]]]})
                            .to_string()
                    } else if path.starts_with("/rdap/domain/") {
                        // firm.test has a registrar; nomail.test answers
                        // without CORS (as many registries do).
                        json!({"objectClassName": "domain", "ldhName": path.trim_start_matches("/rdap/domain/"),
                               "entities": [{"objectClassName": "entity", "roles": ["registrar"],
                                 "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "MarkMonitor Inc."]]]}]})
                            .to_string()
                    } else {
                        r = r.status(404);
                        "{}".to_string()
                    };
                    Ok::<_, std::convert::Infallible>(
                        r.body(Full::new(Bytes::from(body))).expect("response"),
                    )
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tcp), service)
                .await;
        });
    }
}
