//! Validated domain types.
//!
//! A [`Bundle`] only holds elements that passed validation: every id it
//! references exists, every date parsed, every regex compiled. Code past
//! [`crate::load`] can rely on that and never re-checks.

use crate::hash::HashMap;
use crate::matcher::Condition;
use serde::{Deserialize, Serialize};

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

pub use crate::keywords::{
    Absent, ClaimStatus, Kind, Provenance, Relationship, Role, BUILTIN_CATEGORIES,
};

/// Where a fact comes from: a source in `meta.sources`, or a URL.
///
/// JSON shows it as `{"type": "id", "value": "…"}`; a binary format (the
/// worker's transport) as a plain enum, since it cannot read tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceRef {
    /// The id of a source in `meta.sources`; shared, since the
    /// observations of a bundle name a few sources many times.
    Id(std::sync::Arc<str>),
    /// An http(s) URL.
    Url(String),
}

/// [`SourceRef`] as JSON shows it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "type", content = "value")]
enum TaggedSource<T> {
    Id(T),
    Url(T),
}

/// [`SourceRef`] in a binary format.
#[derive(Serialize, Deserialize)]
enum PlainSource<T> {
    Id(T),
    Url(T),
}

impl Serialize for SourceRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (id, text) = match self {
            SourceRef::Id(t) => (true, &**t),
            SourceRef::Url(t) => (false, t.as_str()),
        };
        match (s.is_human_readable(), id) {
            (true, true) => TaggedSource::Id(text).serialize(s),
            (true, false) => TaggedSource::Url(text).serialize(s),
            (false, true) => PlainSource::Id(text).serialize(s),
            (false, false) => PlainSource::Url(text).serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for SourceRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(if d.is_human_readable() {
            match TaggedSource::<String>::deserialize(d)? {
                TaggedSource::Id(t) => SourceRef::Id(t.into()),
                TaggedSource::Url(t) => SourceRef::Url(t),
            }
        } else {
            match PlainSource::<String>::deserialize(d)? {
                PlainSource::Id(t) => SourceRef::Id(t.into()),
                PlainSource::Url(t) => SourceRef::Url(t),
            }
        })
    }
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
    /// Publisher (an organisation or outlet).
    pub publisher: Option<String>,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timestamp {
    /// The text as written in the bundle; shared, since most observations
    /// of a bundle repeat a few dates.
    pub text: std::sync::Arc<str>,
    /// The UTC calendar date; rules' validity windows compare against it.
    #[serde(serialize_with = "ser_date", deserialize_with = "de_date")]
    pub date: Date,
}

/// One observation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Observation {
    /// Identifier.
    pub id: String,
    /// Subject entity id.
    pub subject: std::sync::Arc<str>,
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
    #[serde(
        rename = "normalized",
        serialize_with = "ser_norm",
        deserialize_with = "de_norm"
    )]
    pub(crate) norm: crate::normalize::Normalized,
}

/// A lookup that found no record: no MX for a domain, or no such name.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Absence {
    /// Identifier.
    pub id: String,
    /// Subject entity id.
    pub subject: String,
    /// Domain or host looked up, normalised.
    pub target: String,
    /// The kind that was looked for (a `dns.*` kind).
    pub kind: Kind,
    /// Why nothing was found.
    pub absent: Absent,
    /// When.
    pub observed_at: Timestamp,
    /// Command or tool.
    pub method: Option<String>,
    /// Source.
    pub source: SourceRef,
    /// Provenance.
    pub provenance: Provenance,
}

impl Observation {
    /// The value normalised for matching (see [`crate::normalize`]).
    pub fn normalized(&self) -> &crate::normalize::Normalized {
        &self.norm
    }
}

/// The normalised value as JSON shows it: its text. A binary format (the
/// worker's transport, [`crate::transport`]) carries all of it, so that
/// nothing is normalised twice.
fn ser_norm<S: serde::Serializer>(
    n: &crate::normalize::Normalized,
    s: S,
) -> Result<S::Ok, S::Error> {
    if s.is_human_readable() {
        s.serialize_str(&n.text)
    } else {
        n.serialize(s)
    }
}

/// Reads what [`ser_norm`] wrote in a binary format; JSON output, which
/// keeps only the text, is not read back.
fn de_norm<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<crate::normalize::Normalized, D::Error> {
    if d.is_human_readable() {
        return Err(serde::de::Error::custom(
            "a normalised value is read back only from the binary transport",
        ));
    }
    crate::normalize::Normalized::deserialize(d)
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
    /// The prefixes, compiled once and shared with every rule naming the set.
    #[serde(rename = "prefixes", serialize_with = "ser_prefix_set")]
    pub set: std::sync::Arc<crate::prefix::PrefixSet>,
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
    /// Lookups that found no record (observations with `absent`). Rules
    /// never read them; they are kept so a reader can see what was looked
    /// for and not found.
    pub absences: Vec<Absence>,
    /// Range sets.
    pub ranges: Vec<RangeSet>,
    /// Rules.
    pub rules: Vec<Rule>,
    /// Rules that compiled but whose examples misbehave. Like every element
    /// with an error they are left out of evaluation; they are kept here
    /// only so `whoserves test-rules` can show what failed.
    pub rejected_rules: Vec<Rule>,
    /// Claims.
    pub claims: Vec<Claim>,
    #[serde(skip)]
    entity_index: HashMap<String, usize>,
    /// Per entity: the indices of its parents, nearest first.
    #[serde(skip)]
    chains: Vec<Vec<u32>>,
}

impl Bundle {
    /// Rebuilds the id lookup tables and the parent chains; the loader
    /// calls it once at the end.
    pub(crate) fn reindex(&mut self) {
        self.entity_index = self
            .entities
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        self.chains = (0..self.entities.len())
            .map(|i| {
                let mut chain: Vec<u32> = Vec::new();
                let mut cur = self.entities[i].parent.as_deref();
                while let Some(&p) = cur.and_then(|id| self.entity_index.get(id)) {
                    // The loader removes cycles and bounds the depth; stay safe anyway.
                    if p == i || chain.contains(&(p as u32)) || chain.len() >= 64 {
                        break;
                    }
                    chain.push(p as u32);
                    cur = self.entities[p].parent.as_deref();
                }
                chain
            })
            .collect();
    }

    /// The entity with this id.
    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.entity_index.get(id).map(|&i| &self.entities[i])
    }

    /// The index of the entity with this id in [`Bundle::entities`].
    pub fn entity_index(&self, id: &str) -> Option<usize> {
        self.entity_index.get(id).copied()
    }

    /// The category with this id.
    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// The source with this id.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.meta.sources.iter().find(|s| s.id == id)
    }

    /// The indices of the parents of entity `index`, nearest first.
    /// Precomputed; at most [`crate::Limits::max_parent_depth`] long.
    pub fn parent_chain(&self, index: usize) -> &[u32] {
        self.chains.get(index).map_or(&[], Vec::as_slice)
    }

    /// The parents of `id`, nearest first (not including `id`).
    pub fn ancestors(&self, id: &str) -> Vec<String> {
        self.entity_index(id)
            .map(|i| {
                self.parent_chain(i)
                    .iter()
                    .map(|&p| self.entities[p as usize].id.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether `id` is `ancestor` or lies below it.
    ///
    /// Complexity: O(depth of `id`), at most the parent-depth limit.
    pub fn rolls_up_to(&self, id: &str, ancestor: &str) -> bool {
        if id == ancestor {
            return true;
        }
        match (self.entity_index(id), self.entity_index(ancestor)) {
            (Some(i), Some(a)) => self.parent_chain(i).contains(&(a as u32)),
            _ => false,
        }
    }

    /// The top of `id`'s parent chain: the family it belongs to (`id`
    /// itself when it has no parent or is unknown). CloudFront and EC2 are
    /// both of the Amazon family.
    pub fn family<'a>(&'a self, id: &'a str) -> &'a str {
        self.entity_index(id)
            .and_then(|i| self.parent_chain(i).last())
            .map_or(id, |&top| self.entities[top as usize].id.as_str())
    }

    /// The display name of an entity id (the id itself if unknown).
    pub fn entity_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.entity(id).map(Entity::display_name).unwrap_or(id)
    }
}

/// A date as `YYYY-MM-DD` in JSON, as its Julian day number in a binary
/// format (the worker's transport, [`crate::transport`]).
pub(crate) fn ser_date<S: serde::Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
    if s.is_human_readable() {
        s.serialize_str(&format_date(*date))
    } else {
        s.serialize_i32(date.to_julian_day())
    }
}

/// Reads a date written by [`ser_date`].
pub(crate) fn de_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    use serde::de::Error;
    if d.is_human_readable() {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        crate::date::parse_date(&text).map_err(D::Error::custom)
    } else {
        Date::from_julian_day(i32::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// A date written as [`ser_date`] writes it.
#[derive(Serialize, Deserialize)]
struct DateForm(#[serde(serialize_with = "ser_date", deserialize_with = "de_date")] Date);

pub(crate) fn ser_opt_date<S: serde::Serializer>(
    date: &Option<Date>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => s.serialize_some(&DateForm(*d)),
        None => s.serialize_none(),
    }
}

/// Reads what [`ser_opt_date`] wrote.
pub(crate) fn de_opt_date<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Date>, D::Error> {
    Ok(Option::<DateForm>::deserialize(d)?.map(|f| f.0))
}

fn ser_prefix_set<S: serde::Serializer>(
    set: &crate::prefix::PrefixSet,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(set.prefixes().iter().map(|p| p.to_string()))
}
