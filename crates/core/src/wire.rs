//! Wire types: the evidence bundle exactly as it is written in JSON.
//!
//! These types only describe shape. They accept anything that is well-formed
//! JSON of the right type; meaning (known ids, valid regexes, dates, kinds) is
//! checked by [`crate::load`], which turns them into the validated
//! [`crate::model`] types. The JSON Schema published at
//! `public/schema/bundle-v1.schema.json` is generated from these types
//! (feature `schema`).
//!
//! Every struct denies unknown fields, so a typo such as `valid_form` is an
//! error that names the place rather than a silently ignored field.

use serde::{Deserialize, Serialize};

#[cfg(feature = "schema")]
use schemars::JsonSchema;

/// The value of the `format` tag this version of the core reads.
pub const FORMAT_V1: &str = "whoserves/1";

/// A whole evidence bundle (format `whoserves/1`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// Format tag; must be `"whoserves/1"`.
    pub format: String,
    /// Rule libraries this bundle builds on: relative paths or http(s) URLs
    /// of bundles holding providers, ranges and rules (e.g.
    /// `../rules/providers.json`), or such a path with the observation kinds
    /// the library serves (`{"path": "../rules/aws.json", "kinds": ["dns.a",
    /// "dns.aaaa"]}`), read only when the bundle has an observation of one
    /// of them. Resolved against this file's location by the CLI and the
    /// viewer; libraries may not include others.
    #[serde(default)]
    pub include: Vec<Include>,
    /// Who published the bundle, when, and the sources it cites.
    pub meta: Meta,
    /// Service categories (hosting, cdn, dns, email, tls-ca, registrar, ...).
    #[serde(default)]
    pub categories: Vec<Category>,
    /// Firms (subjects) and providers.
    #[serde(default)]
    pub entities: Vec<Entity>,
    /// Raw observations: DNS records, IPs, certificate issuers, headers, ...
    #[serde(default)]
    pub observations: Vec<Observation>,
    /// Named IP prefix sets, e.g. a cloud provider's published ranges.
    #[serde(default)]
    pub ranges: Vec<RangeSet>,
    /// Attribution rules: observation pattern -> (provider, category, relationship).
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// The claims of the report being checked.
    #[serde(default)]
    pub claims: Vec<Claim>,
}

/// One entry of `include`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(untagged)]
pub enum Include {
    /// A library always read.
    Path(String),
    /// A library read only when the bundle has observations it can use.
    When(IncludeWhen),
}

/// A library given as an object: read only when the bundle has an
/// observation of one of `kinds` (a large range library costs nothing to a
/// bundle without IPs), and/or pinned to its SHA-256, so a signed bundle
/// covers the libraries it reads too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct IncludeWhen {
    /// Relative path or http(s) URL.
    pub path: String,
    /// Observation kinds the library's rules read, e.g. `["dns.a", "dns.aaaa"]`;
    /// absent: always read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<String>>,
    /// The SHA-256 of the library's bytes, 64 lower-case hex digits; a
    /// library that does not match is not used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

impl Include {
    /// The path or URL.
    pub fn path(&self) -> &str {
        match self {
            Include::Path(p) => p,
            Include::When(w) => &w.path,
        }
    }

    /// The kinds it is read for; `None` when it is always read.
    pub fn kinds(&self) -> Option<&[String]> {
        match self {
            Include::Path(_) => None,
            Include::When(w) => w.kinds.as_deref(),
        }
    }

    /// The SHA-256 the library must have, when the bundle pins it.
    pub fn sha256(&self) -> Option<&str> {
        match self {
            Include::Path(_) => None,
            Include::When(w) => w.sha256.as_deref(),
        }
    }
}

/// Bundle metadata.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Human title, shown at the top of the viewer.
    pub title: String,
    /// What the bundle is about.
    #[serde(default)]
    pub description: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    #[serde(default)]
    pub published: Option<String>,
    /// Authors of the bundle.
    #[serde(default)]
    pub authors: Vec<String>,
    /// Who publishes the bundle (an organisation or outlet); the source
    /// credit names it, or the authors when it is absent.
    #[serde(default)]
    pub publisher: Option<String>,
    /// Licence of the bundle's data, e.g. `CC-BY-4.0`.
    #[serde(default)]
    pub license: Option<String>,
    /// A notice the viewer must show prominently, e.g. that the data is synthetic.
    #[serde(default)]
    pub banner: Option<String>,
    /// Sources cited by observations, listings, ranges and claims.
    #[serde(default)]
    pub sources: Vec<Source>,
}

/// A cited source.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Identifier referenced from elsewhere in the bundle.
    pub id: String,
    /// Title of the document.
    pub title: String,
    /// Who published it.
    #[serde(default)]
    pub publisher: Option<String>,
    /// Where to read it; must be `http` or `https`.
    #[serde(default)]
    pub url: Option<String>,
    /// Publication or access date, `YYYY-MM-DD`.
    #[serde(default)]
    pub date: Option<String>,
}

/// A service category.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Identifier, e.g. `email`.
    pub id: String,
    /// Display label.
    pub label: String,
    /// What the category covers.
    #[serde(default)]
    pub description: Option<String>,
}

/// A firm or provider.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Entity {
    /// Identifier.
    pub id: String,
    /// `subject` (a firm whose services are examined) or `provider`.
    pub role: String,
    /// Full name.
    pub name: String,
    /// Short display name.
    #[serde(default)]
    pub short_name: Option<String>,
    /// Other names the entity is known by.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// ISO 3166-1 alpha-2 country code, upper case.
    #[serde(default)]
    pub country: Option<String>,
    /// Web domains the entity operates.
    #[serde(default)]
    pub domains: Vec<String>,
    /// The id of the parent entity (an AWS service -> Amazon).
    #[serde(default)]
    pub parent: Option<String>,
    /// Sanctions and export-control listings.
    #[serde(default)]
    pub listings: Vec<Listing>,
    /// Where the entity's own facts (names, country, parent, domains) come
    /// from: source ids or http(s) URLs.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// A listing of an entity on a sanctions or export-control list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Listing {
    /// The list, e.g. `US Entity List`.
    pub list: String,
    /// Date the listing took effect, `YYYY-MM-DD`.
    pub date: String,
    /// Legal citation, e.g. `84 FR 54002`.
    #[serde(default)]
    pub citation: Option<String>,
    /// The stated reason.
    #[serde(default)]
    pub reason: Option<String>,
    /// Source id or http(s) URL.
    pub source: String,
}

/// One raw observation about a subject.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Observation {
    /// Identifier.
    pub id: String,
    /// The subject entity id.
    pub subject: String,
    /// The domain or host observed.
    pub target: String,
    /// One of `dns.ns`, `dns.mx`, `dns.txt`, `dns.cname`, `dns.soa`, `dns.a`,
    /// `dns.aaaa`, `ip.asn`, `tls.issuer`, `http.header`, `html.script_src`,
    /// `html.link_href`, `whois.registrar`.
    pub kind: String,
    /// For `http.header`: the header name.
    #[serde(default)]
    pub key: Option<String>,
    /// The observed value (record data, IP, issuer DN, header value, URL, ...).
    pub value: String,
    /// When it was observed: `YYYY-MM-DD` or an RFC 3339 date-time.
    pub observed_at: String,
    /// The command or tool used, e.g. `dig +short MX example.com`.
    #[serde(default)]
    pub method: Option<String>,
    /// Source id or http(s) URL.
    pub source: String,
    /// `observed`, `reported`, `derived`, `archived` or `synthetic`.
    pub provenance: String,
    /// Set when the lookup found no record: `nxdomain` (the name does not
    /// exist) or `nodata` (no record of this kind). `value` is then empty;
    /// rules never read an absence, but a reader can.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absent: Option<String>,
}

/// A named set of IP prefixes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RangeSet {
    /// Identifier referenced by `cidr` matchers.
    pub id: String,
    /// The provider entity id that publishes the ranges.
    pub provider: String,
    /// Version or as-of stamp of the published file.
    #[serde(default)]
    pub version: Option<String>,
    /// Source id or http(s) URL.
    pub source: String,
    /// Prefixes in CIDR notation, IPv4 or IPv6.
    pub prefixes: Vec<String>,
}

/// An attribution rule.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Identifier.
    pub id: String,
    /// The provider entity id a match attributes to.
    pub provider: String,
    /// The service category id.
    pub category: String,
    /// `direct`, `account`, `incidental` or `weak`.
    pub relationship: String,
    /// What to match.
    #[serde(rename = "match")]
    pub matcher: Matcher,
    /// One sentence: why a match means this.
    pub explanation: String,
    /// Documentation backing the rule (http(s) URLs).
    #[serde(default)]
    pub references: Vec<String>,
    /// Values the rule must and must not match.
    #[serde(default)]
    pub examples: Examples,
    /// First date (inclusive) the rule applies to, `YYYY-MM-DD`.
    #[serde(default)]
    pub valid_from: Option<String>,
    /// Last date (inclusive) the rule applies to, `YYYY-MM-DD`.
    #[serde(default)]
    pub valid_to: Option<String>,
}

/// A rule's matcher: an observation kind and a condition on its value.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Matcher {
    /// The observation kind this rule reads.
    pub kind: String,
    /// For `http.header`: the header name (case-insensitive).
    #[serde(default)]
    pub key: Option<String>,
    /// The condition on the observation's value.
    pub condition: Condition,
}

/// A typed condition on an observation's value. Literal conditions compare
/// ASCII case-insensitively; `regex` is as written (use `(?i)` to fold case).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// The whole value equals this.
    Equals(String),
    /// A host name equals this or ends with `.` + this (label-aware).
    DomainSuffix(String),
    /// The value contains this.
    Contains(String),
    /// The value starts with this.
    Prefix(String),
    /// The value matches this regular expression (Rust `regex` syntax).
    Regex(String),
    /// The IP lies in a named range set or in inline prefixes.
    Cidr(CidrSpec),
    /// The autonomous system number is one of these.
    Asn(Vec<u32>),
    /// Every sub-condition holds.
    All(Vec<Condition>),
    /// At least one sub-condition holds.
    Any(Vec<Condition>),
    /// The sub-condition does not hold.
    Not(Box<Condition>),
}

impl Condition {
    /// The sum of `f` over this condition and every condition inside it.
    pub fn sum_parts(&self, f: &impl Fn(&Condition) -> usize) -> usize {
        f(self)
            + match self {
                Condition::All(items) | Condition::Any(items) => {
                    items.iter().map(|c| c.sum_parts(f)).sum()
                }
                Condition::Not(inner) => inner.sum_parts(f),
                _ => 0,
            }
    }
}

impl Default for Condition {
    fn default() -> Self {
        Condition::Equals(String::new())
    }
}

/// Where a `cidr` condition takes its prefixes from.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum CidrSpec {
    /// The id of a range set in `ranges[]`.
    Range(String),
    /// Inline prefixes in CIDR notation.
    Prefixes(Vec<String>),
}

/// A rule's examples.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Values the rule must match.
    #[serde(rename = "match", default)]
    pub must_match: Vec<Example>,
    /// Values the rule must not match.
    #[serde(default)]
    pub no_match: Vec<Example>,
}

/// An example value: a bare string, or a key and value (for `http.header`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(untagged)]
pub enum Example {
    /// The observation value.
    Value(String),
    /// A header name and value.
    Keyed {
        /// The header name.
        key: String,
        /// The header value.
        value: String,
    },
}

/// A claim made by the report under examination.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// Identifier.
    pub id: String,
    /// The subject entity id.
    pub subject: String,
    /// The provider entity id.
    pub provider: String,
    /// The service category id, when the claim names one.
    #[serde(default)]
    pub category: Option<String>,
    /// Source id or http(s) URL.
    pub source: String,
    /// A short quote or paraphrase of the claim.
    #[serde(default)]
    pub quote: Option<String>,
    /// The date the claim speaks of, `YYYY-MM-DD`.
    #[serde(default)]
    pub as_of: Option<String>,
    /// `asserted`, `corrected` or `withdrawn`.
    #[serde(default = "default_status")]
    pub status: String,
    /// Why the claim was corrected or withdrawn.
    #[serde(default)]
    pub note: Option<String>,
}

fn default_status() -> String {
    "asserted".to_string()
}

/// Returns the JSON Schema of [`Bundle`], pretty-printed with a trailing newline.
#[cfg(feature = "schema")]
pub fn json_schema() -> String {
    let mut schema = schemars::schema_for!(Bundle);
    schema.insert(
        "title".to_string(),
        serde_json::Value::String("whoserves evidence bundle, format whoserves/1".into()),
    );
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises");
    text.push('\n');
    text
}
