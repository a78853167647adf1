//! Validated domain types.
//!
//! A [`Bundle`] only holds elements that passed validation: every id it
//! references exists, every date parsed, every regex compiled. Code past
//! [`crate::load`] can rely on that and never re-checks.

use crate::matcher::Condition;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;

/// A calendar date, `YYYY-MM-DD`.
pub type Date = time::Date;

/// Formats a date as `YYYY-MM-DD`.
pub fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

macro_rules! keyword_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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
            Kind::DnsA | Kind::DnsAaaa | Kind::IpAsn => &["hosting", "cdn", "email", "other"],
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
        /// Made up for illustration or testing. Never evidence.
        Synthetic = "synthetic",
    }
);

keyword_enum!(
    /// What a match says about the firm's relationship with the provider.
    Relationship {
        /// The firm is the provider's customer.
        Direct = "direct",
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

/// Where a fact comes from: a source in `meta.sources`, or a URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "type", content = "value")]
pub enum SourceRef {
    /// The id of a source in `meta.sources`.
    Id(String),
    /// An http(s) URL.
    Url(String),
}

/// Bundle metadata.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Meta {
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Publication date.
    pub published: Option<String>,
    /// Authors.
    pub authors: Vec<String>,
    /// Data licence.
    pub license: Option<String>,
    /// A notice to show prominently (e.g. "synthetic data").
    pub banner: Option<String>,
    /// Cited sources.
    pub sources: Vec<Source>,
}

/// A cited source.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    /// Identifier.
    pub id: String,
    /// Title.
    pub title: String,
    /// Publisher.
    pub publisher: Option<String>,
    /// An http(s) URL.
    pub url: Option<String>,
    /// Date, `YYYY-MM-DD`.
    pub date: Option<String>,
}

/// A service category.
#[derive(Debug, Clone, Serialize)]
pub struct Category {
    /// Identifier.
    pub id: String,
    /// Label.
    pub label: String,
    /// Description.
    pub description: Option<String>,
}

/// A firm or a provider.
#[derive(Debug, Clone, Serialize)]
pub struct Entity {
    /// Identifier.
    pub id: String,
    /// Subject or provider.
    pub role: Role,
    /// Full name.
    pub name: String,
    /// Short name.
    pub short_name: Option<String>,
    /// Other names.
    pub aliases: Vec<String>,
    /// ISO 3166-1 alpha-2 code.
    pub country: Option<String>,
    /// Web domains, normalised (lower case, no trailing dot).
    pub domains: Vec<String>,
    /// Parent entity id; never part of a cycle.
    pub parent: Option<String>,
    /// Listings.
    pub listings: Vec<Listing>,
    /// Sources of the entity's own facts.
    pub sources: Vec<SourceRef>,
}

impl Entity {
    /// The short name if there is one, else the name.
    pub fn display_name(&self) -> &str {
        self.short_name.as_deref().unwrap_or(&self.name)
    }
}

/// A sanctions or export-control listing.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    /// The list.
    pub list: String,
    /// Date in force.
    #[serde(serialize_with = "ser_date")]
    pub date: Date,
    /// Legal citation.
    pub citation: Option<String>,
    /// Stated reason.
    pub reason: Option<String>,
    /// Source.
    pub source: SourceRef,
}

/// When an observation was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Timestamp {
    /// The text as written in the bundle.
    pub text: String,
    /// The UTC calendar date; rules' validity windows compare against it.
    #[serde(serialize_with = "ser_date")]
    pub date: Date,
}

/// One observation.
#[derive(Debug, Clone, Serialize)]
pub struct Observation {
    /// Identifier.
    pub id: String,
    /// Subject entity id.
    pub subject: String,
    /// Domain or host observed, normalised.
    pub target: String,
    /// Kind.
    pub kind: Kind,
    /// Header name, lower case (`http.header` only).
    pub key: Option<String>,
    /// The value as written.
    pub value: String,
    /// When.
    pub observed_at: Timestamp,
    /// Command or tool.
    pub method: Option<String>,
    /// Source.
    pub source: SourceRef,
    /// Provenance.
    pub provenance: Provenance,
    /// The value normalised for matching; spans in traces index into its text.
    #[serde(rename = "normalized", serialize_with = "ser_norm")]
    pub(crate) norm: crate::normalize::Normalized,
}

impl Observation {
    /// The value normalised for matching (see [`crate::normalize`]).
    pub fn normalized(&self) -> &crate::normalize::Normalized {
        &self.norm
    }
}

fn ser_norm<S: serde::Serializer>(
    n: &crate::normalize::Normalized,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(&n.text)
}

/// A named set of IP prefixes.
#[derive(Debug, Clone, Serialize)]
pub struct RangeSet {
    /// Identifier.
    pub id: String,
    /// Provider entity id.
    pub provider: String,
    /// Version or as-of stamp.
    pub version: Option<String>,
    /// Source.
    pub source: SourceRef,
    /// The prefixes.
    #[serde(serialize_with = "ser_display_vec")]
    pub prefixes: Vec<ipnet::IpNet>,
}

/// A rule's example value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Example {
    /// Header name, for `http.header`.
    pub key: Option<String>,
    /// The value.
    pub value: String,
}

/// An attribution rule.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// Identifier.
    pub id: String,
    /// Provider entity id.
    pub provider: String,
    /// Category id.
    pub category: String,
    /// Relationship.
    pub relationship: Relationship,
    /// Observation kind read.
    pub kind: Kind,
    /// Header name (`http.header`), lower case.
    pub key: Option<String>,
    /// The compiled condition.
    pub condition: Condition,
    /// Why a match means this.
    pub explanation: String,
    /// Backing documentation (http(s) URLs).
    pub references: Vec<String>,
    /// Values it must match.
    pub must_match: Vec<Example>,
    /// Values it must not match.
    pub no_match: Vec<Example>,
    /// First date it applies to.
    #[serde(serialize_with = "ser_opt_date")]
    pub valid_from: Option<Date>,
    /// Last date it applies to.
    #[serde(serialize_with = "ser_opt_date")]
    pub valid_to: Option<Date>,
}

impl Rule {
    /// Whether the rule applies to an observation made on `date`.
    pub fn in_force(&self, date: Date) -> bool {
        self.valid_from.is_none_or(|from| date >= from) && self.valid_to.is_none_or(|to| date <= to)
    }

    /// The matcher rendered readably, e.g. `dns.mx domain_suffix "outlook.com"`.
    pub fn describe_matcher(&self) -> String {
        match &self.key {
            Some(key) => format!("{}[{}] {}", self.kind, key, self.condition),
            None => format!("{} {}", self.kind, self.condition),
        }
    }
}

/// A claim under examination.
#[derive(Debug, Clone, Serialize)]
pub struct Claim {
    /// Identifier.
    pub id: String,
    /// Subject entity id.
    pub subject: String,
    /// Provider entity id.
    pub provider: String,
    /// Category id, when named.
    pub category: Option<String>,
    /// Source.
    pub source: SourceRef,
    /// Quote or paraphrase.
    pub quote: Option<String>,
    /// Date the claim speaks of.
    #[serde(serialize_with = "ser_opt_date")]
    pub as_of: Option<Date>,
    /// Status.
    pub status: ClaimStatus,
    /// Note on the status.
    pub note: Option<String>,
}

/// A validated bundle.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Bundle {
    /// Metadata.
    pub meta: Meta,
    /// Categories.
    pub categories: Vec<Category>,
    /// Entities.
    pub entities: Vec<Entity>,
    /// Observations.
    pub observations: Vec<Observation>,
    /// Range sets.
    pub ranges: Vec<RangeSet>,
    /// Rules.
    pub rules: Vec<Rule>,
    /// Claims.
    pub claims: Vec<Claim>,
    #[serde(skip)]
    entity_index: HashMap<String, usize>,
}

impl Bundle {
    /// Rebuilds the id lookup tables; the loader calls it once at the end.
    pub(crate) fn reindex(&mut self) {
        self.entity_index = self
            .entities
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
    }

    /// The entity with this id.
    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.entity_index.get(id).map(|&i| &self.entities[i])
    }

    /// The category with this id.
    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// The source with this id.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.meta.sources.iter().find(|s| s.id == id)
    }

    /// The parents of `id`, nearest first (not including `id`).
    pub fn ancestors(&self, id: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut cur = self.entity(id).and_then(|e| e.parent.clone());
        while let Some(p) = cur {
            if out.contains(&p) || p == id {
                break; // cycles are removed by the loader; stay safe anyway
            }
            cur = self.entity(&p).and_then(|e| e.parent.clone());
            out.push(p);
        }
        out
    }

    /// Whether `id` is `ancestor` or lies below it.
    pub fn rolls_up_to(&self, id: &str, ancestor: &str) -> bool {
        id == ancestor || self.ancestors(id).iter().any(|a| a == ancestor)
    }

    /// The display name of an entity id (the id itself if unknown).
    pub fn entity_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.entity(id).map(Entity::display_name).unwrap_or(id)
    }
}

fn ser_date<S: serde::Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_date(*date))
}

fn ser_opt_date<S: serde::Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => s.serialize_str(&format_date(*d)),
        None => s.serialize_none(),
    }
}

fn ser_display_vec<S: serde::Serializer, T: fmt::Display>(
    items: &[T],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(items.iter().map(|i| i.to_string()))
}

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
