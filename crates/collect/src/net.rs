//! The network clients collection shares: one rustls configuration (the
//! Mozilla roots from `webpki-roots`, plus any CA file the researcher
//! names), the hickory resolver, and the reqwest client that resolves names
//! through it, so HTTP goes to the addresses the DNS evidence records.

use crate::Failure;
use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::TokioResolver;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use whoserves_core::collect::Resolver;

/// The crypto provider of every TLS connection: `ring`.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The trusted roots: Mozilla's (from `webpki-roots`) and the certificates
/// in `ca_files` (PEM).
pub fn roots(ca_files: &[PathBuf]) -> Result<Arc<RootCertStore>, String> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for path in ca_files {
        let certs =
            CertificateDer::pem_file_iter(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut n = 0;
        for cert in certs {
            let cert = cert.map_err(|e| format!("{}: {e}", path.display()))?;
            roots
                .add(cert)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            n += 1;
        }
        if n == 0 {
            return Err(format!("{}: no PEM certificate in it", path.display()));
        }
    }
    Ok(Arc::new(roots))
}

/// A verifying client configuration over `roots`.
pub fn client_config(roots: Arc<RootCertStore>) -> Result<ClientConfig, String> {
    Ok(ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// A verifier that checks the chain like any client but lets the
/// handshake finish either way, remembering the result: the certificate's
/// issuer is evidence whether or not the chain is trusted, and the log
/// says which.
#[derive(Debug)]
pub struct Recording {
    inner: Arc<WebPkiServerVerifier>,
    /// `None` before the handshake; then `Ok` or the reason it failed.
    pub result: Mutex<Option<Result<(), String>>>,
}

impl Recording {
    /// A recording verifier over `roots`.
    pub fn new(roots: Arc<RootCertStore>) -> Result<Arc<Self>, String> {
        let inner = WebPkiServerVerifier::builder_with_provider(roots, provider())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Arc::new(Recording {
            inner,
            result: Mutex::new(None),
        }))
    }

    /// A client configuration that uses this verifier.
    pub fn config(self: &Arc<Self>) -> Result<ClientConfig, String> {
        Ok(ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .dangerous()
            .with_custom_certificate_verifier(self.clone())
            .with_no_client_auth())
    }
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let r = self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map(|_| ())
            .map_err(|e| e.to_string());
        if let Ok(mut slot) = self.result.lock() {
            *slot = Some(r);
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Parses a `--resolver` value: `system`; an IP with an optional port
/// (`1.1.1.1`, `127.0.0.1:5353`, `[::1]:53`); an `https://` DoH URL; or one
/// of the names `cloudflare`, `google`, `quad9` (plain DNS) and
/// `cloudflare-doh`, `google-doh`, `quad9-doh`.
pub fn parse_resolver(text: &str) -> Result<Resolver, String> {
    let preset = match text {
        "system" => return Ok(Resolver::System),
        "cloudflare" => Some("1.1.1.1:53"),
        "google" => Some("8.8.8.8:53"),
        "quad9" => Some("9.9.9.9:53"),
        "cloudflare-doh" => {
            return Ok(Resolver::Https(
                "https://cloudflare-dns.com/dns-query".into(),
            ))
        }
        "google-doh" => return Ok(Resolver::Https("https://dns.google/dns-query".into())),
        "quad9-doh" => return Ok(Resolver::Https("https://dns.quad9.net/dns-query".into())),
        _ => None,
    };
    if let Some(p) = preset {
        return Ok(Resolver::Named(p.parse().expect("preset address")));
    }
    if text.starts_with("https://") {
        let url = url::Url::parse(text).map_err(|e| format!("\"{text}\": {e}"))?;
        if url.host_str().is_none() {
            return Err(format!("\"{text}\" names no host"));
        }
        return Ok(Resolver::Https(text.to_string()));
    }
    if text.starts_with("http://") {
        return Err(format!(
            "\"{text}\": DNS-over-HTTPS needs an https:// URL; plain http would show every lookup to the network"
        ));
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(Resolver::Named(addr));
    }
    if let Ok(ip) = text.parse::<std::net::IpAddr>() {
        return Ok(Resolver::Named(SocketAddr::new(ip, 53)));
    }
    Err(format!(
        "\"{text}\" is no resolver; expected system, an IP[:port], an https:// DoH URL, or one of cloudflare, google, quad9, cloudflare-doh, google-doh, quad9-doh"
    ))
}

/// Well-known DoH hosts and their addresses, so a DoH resolver needs no
/// plain lookup first.
const DOH_BOOTSTRAP: &[(&str, &str)] = &[
    ("cloudflare-dns.com", "1.1.1.1"),
    ("dns.google", "8.8.8.8"),
    ("dns.quad9.net", "9.9.9.9"),
];

/// Builds the hickory resolver for `choice`. A DoH URL whose host is a
/// name other than the well-known ones is first resolved by the system
/// resolver (that one lookup names only the DoH server).
pub async fn resolver(
    choice: &Resolver,
    tls: ClientConfig,
    timeout: Duration,
) -> Result<TokioResolver, String> {
    let provider = TokioRuntimeProvider::default();
    let mut builder = match choice {
        Resolver::System => TokioResolver::builder(provider)
            .map_err(|e| format!("reading the system resolver configuration: {e}"))?,
        Resolver::Named(addr) => {
            let mut ns = NameServerConfig::udp_and_tcp(addr.ip());
            for c in &mut ns.connections {
                c.port = addr.port();
            }
            TokioResolver::builder_with_config(
                ResolverConfig::from_name_servers(vec![ns]),
                provider,
            )
        }
        Resolver::Json(url) => {
            return Err(format!(
                "{url}: the JSON form of DoH is what browsers read; give the RFC 8484 URL (https://…/dns-query)"
            ))
        }
        Resolver::Https(text) => {
            let url = url::Url::parse(text).map_err(|e| e.to_string())?;
            let host = url.host_str().unwrap_or_default().to_string();
            let port = url.port().unwrap_or(443);
            let ip = match url.host() {
                Some(url::Host::Ipv4(ip)) => ip.into(),
                Some(url::Host::Ipv6(ip)) => ip.into(),
                _ => match DOH_BOOTSTRAP.iter().find(|(h, _)| *h == host) {
                    Some((_, ip)) => ip.parse().expect("bootstrap address"),
                    None => tokio::net::lookup_host((host.as_str(), port))
                        .await
                        .map_err(|e| format!("resolving the DoH server {host}: {e}"))?
                        .next()
                        .ok_or_else(|| format!("the DoH server {host} has no address"))?
                        .ip(),
                },
            };
            let server_name: Arc<str> = Arc::from(host.trim_matches(|c| c == '[' || c == ']'));
            let mut ns = NameServerConfig::https(ip, server_name, Some(Arc::from(url.path())));
            for c in &mut ns.connections {
                c.port = port;
            }
            TokioResolver::builder_with_config(
                ResolverConfig::from_name_servers(vec![ns]),
                provider,
            )
        }
    };
    let mut opts = ResolverOpts::default();
    opts.timeout = timeout;
    opts.attempts = 1;
    opts.edns0 = true;
    opts.ndots = 0;
    opts.use_hosts_file = hickory_resolver::config::ResolveHosts::Never;
    *builder.options_mut() = opts;
    builder
        .with_tls_config(tls)
        .build()
        .map_err(|e| format!("building the resolver: {e}"))
}

/// reqwest's name resolution through the collection's resolver.
#[derive(Clone)]
pub struct ViaResolver(pub Arc<TokioResolver>);

impl reqwest::dns::Resolve for ViaResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let resolver = self.0.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let ips = resolver.lookup_ip(host.as_str()).await.map_err(
                |e| -> Box<dyn std::error::Error + Send + Sync> {
                    Box::new(std::io::Error::other(no_address(&host, &e)))
                },
            )?;
            let addrs: Vec<SocketAddr> = ips.iter().map(|ip| SocketAddr::new(ip, 0)).collect();
            let it: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(it)
        })
    }
}

/// Why `host` has no address, in plain words.
pub fn no_address(host: &str, e: &hickory_resolver::net::NetError) -> String {
    if e.is_nx_domain() {
        format!("{host}: no such name (NXDOMAIN)")
    } else if e.is_no_records_found() {
        format!("{host}: no address record")
    } else {
        format!("{host}: {e}")
    }
}

/// The HTTP client: rustls over `roots`, names resolved by `resolver`,
/// redirects up to `max_redirects`, and a user agent that says what it is.
pub fn http_client(
    roots: Arc<RootCertStore>,
    resolver: Arc<TokioResolver>,
    timeout: Duration,
    max_redirects: usize,
    user_agent: &str,
) -> Result<reqwest::Client, String> {
    let mut tls = client_config(roots)?;
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .dns_resolver(Arc::new(ViaResolver(resolver)))
        .redirect(reqwest::redirect::Policy::limited(max_redirects))
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(user_agent)
        .http1_only()
        .no_proxy()
        .build()
        .map_err(|e| format!("building the HTTP client: {e}"))
}

/// Classifies a reqwest error: timeouts and connection failures are worth
/// a retry; the rest are not.
pub fn http_failure(what: &str, e: reqwest::Error) -> Failure {
    let retry = e.is_timeout() || e.is_connect() || e.is_request();
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    Failure {
        message: format!("{what}: {msg}"),
        retry,
    }
}
