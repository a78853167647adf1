//! The TLS probe: connect with SNI, finish the handshake, read the
//! certificates the server presented, and close. Nothing is sent after the
//! handshake.

use crate::net::Recording;
use crate::Failure;
use hickory_resolver::TokioResolver;
use rustls::pki_types::ServerName;
use rustls::RootCertStore;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// What a server presented.
#[derive(Debug, Clone)]
pub struct Presented {
    /// The leaf certificate's issuer DN (RFC 4514 order as x509-parser
    /// prints it, e.g. `C=US, O=Amazon, CN=Amazon RSA 2048 M02`).
    pub issuer: String,
    /// Subject and issuer of each certificate of the chain, leaf first.
    pub chain: Vec<(String, String)>,
    /// Whether the chain verified against the trusted roots, or why not.
    pub trusted: Result<(), String>,
    /// The address connected to.
    pub addr: SocketAddr,
}

/// Subject and issuer of a DER certificate.
pub fn names(der: &[u8]) -> Result<(String, String), String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| e.to_string())?;
    Ok((cert.subject().to_string(), cert.issuer().to_string()))
}

/// Connects to `host`:`port` (resolved through `resolver`) with SNI
/// `host` and returns what the server presented.
pub async fn probe(
    resolver: &TokioResolver,
    roots: Arc<RootCertStore>,
    host: &str,
    port: u16,
    timeout: Duration,
) -> Result<Presented, Failure> {
    let fail = |message: String, retry: bool| Failure {
        message: format!("TLS {host}:{port}: {message}"),
        retry,
    };
    let ips = resolver
        .lookup_ip(format!("{}.", host.trim_end_matches('.')).as_str())
        .await
        .map_err(|e| fail(crate::net::no_address(host, &e), false))?;
    let ip = ips
        .iter()
        .next()
        .ok_or_else(|| fail("no address".into(), false))?;
    let addr = SocketAddr::new(ip, port);
    let recording = Recording::new(roots).map_err(|e| fail(e, false))?;
    let config = recording.config().map_err(|e| fail(e, false))?;
    let name = ServerName::try_from(host.to_string())
        .map_err(|e| fail(format!("not a server name: {e}"), false))?;
    let connect = async {
        let tcp = TcpStream::connect(addr).await?;
        TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
    };
    let stream = tokio::time::timeout(timeout, connect)
        .await
        .map_err(|_| fail(format!("no handshake within {timeout:?}"), true))?
        .map_err(|e| fail(e.to_string(), true))?;
    let (_, conn) = stream.get_ref();
    let certs = conn
        .peer_certificates()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| fail("the server presented no certificate".into(), false))?;
    let mut chain = Vec::with_capacity(certs.len());
    for der in certs {
        chain.push(names(der).map_err(|e| fail(format!("unreadable certificate: {e}"), false))?);
    }
    let trusted = recording
        .result
        .lock()
        .ok()
        .and_then(|r| r.clone())
        .unwrap_or_else(|| Err("not verified".into()));
    Ok(Presented {
        issuer: chain[0].1.clone(),
        chain,
        trusted,
        addr,
    })
}
