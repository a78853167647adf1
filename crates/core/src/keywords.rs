//! The keywords of the bundle format: roles, observation kinds,
//! provenances, relationships and claim statuses, each an enum that
//! parses, prints and lists its accepted spellings in one place.
//!
//! They sit apart from [`crate::model`] so that the modules the model is
//! built from ([`crate::normalize`], [`crate::matcher`]) can use them
//! without importing the model.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! keyword_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The keyword as written in a bundle.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the keyword as written in a bundle.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }

            /// The accepted keywords, quoted and comma-separated, for messages.
            pub fn expected() -> String {
                Self::ALL.iter().map(|v| format!("\"{}\"", v.as_str())).collect::<Vec<_>>().join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

keyword_enum!(
    /// Whether an entity is a firm under examination or a service provider.
    Role {
        /// A firm whose services are examined.
        Subject = "subject",
        /// A company that provides services.
        Provider = "provider",
    }
);

keyword_enum!(
    /// The type of an observation.
    Kind {
        /// A name server (NS record).
        DnsNs = "dns.ns",
        /// A mail exchanger (MX record).
        DnsMx = "dns.mx",
        /// A TXT record (chunks joined).
        DnsTxt = "dns.txt",
        /// A CNAME target.
        DnsCname = "dns.cname",
        /// An SOA record (primary name server and responsible mailbox).
        DnsSoa = "dns.soa",
        /// An IPv4 address from an A record.
        DnsA = "dns.a",
        /// An IPv6 address from an AAAA record.
        DnsAaaa = "dns.aaaa",
        /// The autonomous system announcing an IP.
        IpAsn = "ip.asn",
        /// The issuer of a TLS certificate.
        TlsIssuer = "tls.issuer",
        /// An HTTP response header (`key` is its name).
        HttpHeader = "http.header",
        /// The `src` of a `<script>` element.
        HtmlScriptSrc = "html.script_src",
        /// The `href` of a `<link>` element.
        HtmlLinkHref = "html.link_href",
        /// The registrar named by WHOIS / RDAP.
        WhoisRegistrar = "whois.registrar",
    }
);

impl Kind {
    /// Whether the value holds host names a `domain_suffix` condition can read.
    pub fn has_hosts(self) -> bool {
        matches!(
            self,
            Kind::DnsNs
                | Kind::DnsMx
                | Kind::DnsCname
                | Kind::DnsSoa
                | Kind::HtmlScriptSrc
                | Kind::HtmlLinkHref
        )
    }

    /// Whether the value is an IP address a `cidr` condition can read.
    pub fn is_ip(self) -> bool {
        matches!(self, Kind::DnsA | Kind::DnsAaaa)
    }

    /// The position of the kind in [`Kind::ALL`], for per-kind tables.
    pub fn slot(self) -> usize {
        Kind::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }

    /// Whether an observation of this kind can show `category`: a built-in
    /// category only if [`Kind::allowed_categories`] lists it; a category
    /// the bundle defines, always.
    pub fn can_show(self, category: &str) -> bool {
        !BUILTIN_CATEGORIES.contains(&category) || self.allowed_categories().contains(&category)
    }

    /// The built-in categories an observation of this kind can establish.
    /// A rule that labels this kind with another built-in category is an
    /// error (an MX record cannot show a CDN). Categories a bundle defines
    /// beyond the built-in ones are not constrained.
    pub fn allowed_categories(self) -> &'static [&'static str] {
        match self {
            Kind::DnsNs | Kind::DnsSoa => &["dns"],
            Kind::DnsMx => &["email"],
            Kind::DnsTxt => &[
                "email",
                "dns",
                "hosting",
                "cdn",
                "analytics",
                "authentication",
                "other",
            ],
            Kind::DnsCname => &[
                "hosting",
                "cdn",
                "email",
                "analytics",
                "authentication",
                "other",
            ],
            // An address can be a name server's: a firm's own name server
            // host (ns1.firm.example) resolving into a DNS provider's range.
            Kind::DnsA | Kind::DnsAaaa => &["hosting", "cdn", "email", "dns", "other"],
            Kind::IpAsn => &["hosting", "cdn", "email", "other"],
            Kind::TlsIssuer => &["tls-ca"],
            Kind::HttpHeader => &["hosting", "cdn", "authentication", "other"],
            Kind::HtmlScriptSrc | Kind::HtmlLinkHref => {
                &["cdn", "analytics", "authentication", "other"]
            }
            Kind::WhoisRegistrar => &["registrar"],
        }
    }
}

/// The category ids every tool built on this core knows.
pub const BUILTIN_CATEGORIES: &[&str] = &[
    "hosting",
    "cdn",
    "dns",
    "email",
    "tls-ca",
    "registrar",
    "analytics",
    "authentication",
    "other",
];

keyword_enum!(
    /// How an observation came to be in the bundle.
    Provenance {
        /// Observed first-hand by the bundle's authors, with the method given.
        Observed = "observed",
        /// Taken from a publication; not re-observed.
        Reported = "reported",
        /// Computed from other observations (e.g. an ASN looked up for an IP).
        Derived = "derived",
        /// Read from a web archive's capture of a page (e.g. the Wayback
        /// Machine): the archive saw it, at the capture time, and the
        /// bundle's authors read the capture. `observed_at` is the capture
        /// time and `source` the capture URL.
        Archived = "archived",
        /// Made up for illustration or testing. Never evidence.
        Synthetic = "synthetic",
    }
);

keyword_enum!(
    /// Why a lookup found no record: an absence is a fact too (no MX means
    /// no mail provider), so a bundle can carry it.
    Absent {
        /// The name does not exist (DNS NXDOMAIN).
        NxDomain = "nxdomain",
        /// The name exists but has no record of the kind (DNS NOERROR with
        /// no answer).
        NoData = "nodata",
    }
);

keyword_enum!(
    /// What a match says about the firm's relationship with the provider.
    Relationship {
        /// The provider serves the firm's own domain: it hosts, resolves,
        /// delivers mail for, fronts, certifies or registers it.
        Direct = "direct",
        /// The firm holds an account with the provider (free or paid) that
        /// its page uses, e.g. an analytics property or an ads pixel; the
        /// provider serves no part of the firm's domain.
        Account = "account",
        /// The page loads a public resource of the provider; no account needed.
        Incidental = "incidental",
        /// Suggestive only, e.g. a TXT verification token.
        Weak = "weak",
    }
);

keyword_enum!(
    /// The standing of a claim in its own source.
    ClaimStatus {
        /// Stated and not retracted.
        Asserted = "asserted",
        /// The source later corrected it.
        Corrected = "corrected",
        /// The source withdrew it.
        Withdrawn = "withdrawn",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(Kind::parse("dns.foo"), None);
        assert!(Relationship::expected().contains("\"weak\""));
    }

    #[test]
    fn every_kind_allows_only_builtin_categories() {
        for k in Kind::ALL {
            for c in k.allowed_categories() {
                assert!(BUILTIN_CATEGORIES.contains(c), "{k}: {c}");
            }
        }
    }
}
