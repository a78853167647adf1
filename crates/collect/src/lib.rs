//! `whoserves collect`: the report's method ("public tools, examining
//! source code of websites and analyzing traffic") as one command.
//!
//! For each subject domain it looks up DNS (hickory), IP origins (an
//! offline table or Team Cymru's DNS service), the TLS certificate
//! (rustls, x509-parser), the home page (reqwest, html5ever), the
//! registrar (RDAP through IANA's bootstrap) and, with `--at`, the Wayback
//! Machine capture nearest a date. The answers become observations through
//! [`whoserves_core::collect`], the same conversion the viewer uses.
//!
//! The run is a list of [`Step`]s: bounded concurrency, a politeness
//! delay per destination, timeouts, retries with backoff, and a
//! [`log::Log`] that makes it resumable. Nothing is sent but the lookups
//! the steps describe.

pub mod archive;
pub mod bundle;
pub mod dns;
pub mod log;
pub mod net;
pub mod rdap;
pub mod run;
pub mod tls;
pub mod web;

pub use run::{collect, Config, Outcome};

/// Why a step failed, and whether trying again may help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What happened, naming the lookup.
    pub message: String,
    /// A timeout or a dropped connection: worth another try.
    pub retry: bool,
}

/// One lookup of a run.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Step {
    /// A DNS query.
    Dns {
        /// Subject id.
        subject: String,
        /// Name.
        host: String,
        /// Type.
        rtype: whoserves_core::collect::DnsType,
    },
    /// The IP's origin AS.
    Asn {
        /// Subject id.
        subject: String,
        /// The host the IP is an address of.
        host: String,
        /// The address.
        ip: std::net::IpAddr,
    },
    /// The certificate the host presents.
    Tls {
        /// Subject id.
        subject: String,
        /// Host.
        host: String,
    },
    /// The home page.
    Http {
        /// Subject id.
        subject: String,
        /// Host.
        host: String,
    },
    /// The registrar.
    Rdap {
        /// Subject id.
        subject: String,
        /// Domain.
        domain: String,
    },
    /// The archived home page nearest `--at`.
    Archive {
        /// Subject id.
        subject: String,
        /// Host.
        host: String,
    },
}

impl Step {
    /// The key the log knows the step by.
    pub fn key(&self) -> String {
        match self {
            Step::Dns {
                subject,
                host,
                rtype,
            } => format!("{subject} dns {rtype} {host}"),
            Step::Asn { subject, host, ip } => format!("{subject} asn {ip} {host}"),
            Step::Tls { subject, host } => format!("{subject} tls {host}"),
            Step::Http { subject, host } => format!("{subject} http {host}"),
            Step::Rdap { subject, domain } => format!("{subject} rdap {domain}"),
            Step::Archive { subject, host } => format!("{subject} archive {host}"),
        }
    }

    /// The destination politeness counts against (`None`: the resolver,
    /// which takes the run's concurrency).
    pub fn destination(&self) -> Option<String> {
        let site = |h: &str| h.strip_prefix("www.").unwrap_or(h).to_string();
        match self {
            Step::Dns { .. } | Step::Asn { .. } => None,
            Step::Tls { host, .. } | Step::Http { host, .. } => Some(site(host)),
            Step::Rdap { .. } => Some("rdap".into()),
            Step::Archive { .. } => Some("archive".into()),
        }
    }
}
