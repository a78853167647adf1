//! What the reader has narrowed the view to: [`Filters`], their URL form,
//! and the as-of date.

use crate::analysis::Analysis;
use crate::model::{format_date, Date, Relationship};
use crate::verdict::Verdict;
use serde::Serialize;
use std::collections::BTreeSet;

/// The names of the URL query parameters, in one place for the core's
/// filters and the viewer's own state, so neither can drop the other's.
pub mod param {
    /// The bundle URL.
    pub const BUNDLE: &str = "bundle";
    /// Categories (comma-separated).
    pub const CATEGORY: &str = "cat";
    /// Relationships.
    pub const RELATIONSHIP: &str = "rel";
    /// Verdicts, or `unclaimed`.
    pub const VERDICT: &str = "verdict";
    /// Provider countries.
    pub const COUNTRY: &str = "country";
    /// Firms, by entity id: a story's firms.
    pub const FIRM: &str = "firm";
    /// The as-of date.
    pub const AS_OF: &str = "asof";
    /// The search text.
    pub const SEARCH: &str = "q";
    /// The selection: `n:ID` or `e:KEY`.
    pub const SELECTION: &str = "sel";
    /// The main view.
    pub const VIEW: &str = "view";
    /// The layout.
    pub const LAYOUT: &str = "layout";
    /// Embed mode: `1` draws the chrome-less view for an iframe.
    pub const EMBED: &str = "embed";
    /// The embed's id in its height messages.
    pub const EMBED_ID: &str = "embed-id";
    /// A minisign public key the link asks the viewer to trust.
    pub const KEY: &str = "key";
    /// The name of a file the reader opened from disk: a link made then
    /// carries it (the file itself never leaves the browser), so whoever
    /// follows the link is told which file to open.
    pub const FILE: &str = "file";
    /// Every parameter, in the order a URL lists them.
    pub const ALL: &[&str] = &[
        BUNDLE,
        CATEGORY,
        RELATIONSHIP,
        VERDICT,
        COUNTRY,
        FIRM,
        AS_OF,
        SEARCH,
        SELECTION,
        VIEW,
        LAYOUT,
        FILE,
        EMBED,
        EMBED_ID,
        KEY,
    ];
}

/// What the reader has narrowed the view to. Empty sets mean "all".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Category ids to keep.
    pub categories: BTreeSet<String>,
    /// Relationships to keep (finding edges).
    pub relationships: BTreeSet<Relationship>,
    /// Verdicts to keep; [`VerdictFilter::Unclaimed`] keeps unclaimed findings.
    pub verdicts: BTreeSet<VerdictFilter>,
    /// Provider countries to keep; `"unknown"` keeps providers without one.
    pub countries: BTreeSet<String>,
    /// Firms to keep, by entity id (a firm's subsidiaries with it): the
    /// firms of one story.
    pub firms: BTreeSet<String>,
    /// Hide observations after this date and listings not yet in force.
    pub as_of: Option<Date>,
    /// Case-insensitive text matched against names, aliases and domains.
    pub search: String,
}

/// A verdict, or "unclaimed", as a filter value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictFilter {
    /// Claims with this verdict (and the edges behind them).
    Verdict(Verdict),
    /// Findings no claim speaks of.
    Unclaimed,
}

impl VerdictFilter {
    /// Machine name: a verdict's name, or `unclaimed`.
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictFilter::Verdict(v) => v.as_str(),
            VerdictFilter::Unclaimed => "unclaimed",
        }
    }

    /// Parses [`VerdictFilter::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        if s == "unclaimed" {
            return Some(VerdictFilter::Unclaimed);
        }
        Verdict::ALL
            .iter()
            .find(|v| v.as_str() == s)
            .map(|v| VerdictFilter::Verdict(*v))
    }
}

impl Filters {
    /// How many filters are set: each ticked box, the search and the
    /// as-of date count one.
    pub fn active_count(&self) -> usize {
        self.categories.len()
            + self.relationships.len()
            + self.verdicts.len()
            + self.countries.len()
            + self.firms.len()
            + usize::from(!self.search.trim().is_empty())
            + usize::from(self.as_of.is_some())
    }

    /// Whether nothing is filtered.
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }

    /// Serialises to URL query pairs (only the filters that are set).
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        fn list<T>(items: &BTreeSet<T>, name: impl Fn(&T) -> String) -> Option<String> {
            (!items.is_empty()).then(|| items.iter().map(name).collect::<Vec<_>>().join(","))
        }
        [
            (param::CATEGORY, list(&self.categories, String::clone)),
            (
                param::RELATIONSHIP,
                list(&self.relationships, |r| r.as_str().into()),
            ),
            (param::VERDICT, list(&self.verdicts, |v| v.as_str().into())),
            (param::COUNTRY, list(&self.countries, String::clone)),
            (param::FIRM, list(&self.firms, String::clone)),
            (param::AS_OF, self.as_of.map(format_date)),
            (
                param::SEARCH,
                (!self.search.is_empty()).then(|| self.search.clone()),
            ),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
    }

    /// Reads the pairs [`Filters::to_query`] writes; unknown values are ignored.
    pub fn from_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut f = Filters::default();
        let split = |v: &'a str| v.split(',').map(str::trim).filter(|s| !s.is_empty());
        for (k, v) in pairs {
            match k {
                param::CATEGORY => f.categories.extend(split(v).map(str::to_string)),
                param::RELATIONSHIP => f
                    .relationships
                    .extend(split(v).filter_map(Relationship::parse)),
                param::VERDICT => f.verdicts.extend(split(v).filter_map(VerdictFilter::parse)),
                param::COUNTRY => f.countries.extend(split(v).map(str::to_string)),
                param::FIRM => f.firms.extend(split(v).map(str::to_string)),
                param::AS_OF => f.as_of = crate::date::parse_date(v).ok(),
                param::SEARCH => f.search = v.to_string(),
                _ => {}
            }
        }
        f
    }
}

/// The firm filter's choices: the bundle's top-level firms (a subsidiary
/// goes with its parent) as (entity id, label), sorted by name. A name two
/// firms share is followed by each one's id, so the boxes differ.
///
/// # Example
/// ```
/// use whoserves_core::{load, Limits};
/// use whoserves_core::view::filter::firm_choices;
/// let b = load(r#"{"format": "whoserves/1", "meta": {"title": "t"}, "entities": [
///     {"id": "b", "role": "subject", "name": "Beta"},
///     {"id": "a2", "role": "subject", "name": "Alpha"},
///     {"id": "a1", "role": "subject", "name": "alpha"},
///     {"id": "b-uk", "role": "subject", "name": "Beta UK", "parent": "b"}]}"#, &Limits::default()).bundle;
/// let labels: Vec<String> = firm_choices(&b).into_iter().map(|(_, l)| l).collect();
/// assert_eq!(labels, ["alpha (a1)", "Alpha (a2)", "Beta"]);
/// ```
pub fn firm_choices(b: &crate::model::Bundle) -> Vec<(String, String)> {
    let mut firms: Vec<(&str, &str)> = b
        .entities
        .iter()
        .filter(|e| e.role == crate::model::Role::Subject && e.parent.is_none())
        .map(|e| (e.id.as_str(), e.name.as_str()))
        .collect();
    let key = |name: &str| name.trim().to_lowercase();
    firms.sort_by_cached_key(|(id, name)| (key(name), id.to_string()));
    let mut counts: crate::hash::HashMap<String, usize> = Default::default();
    for (_, name) in &firms {
        *counts.entry(key(name)).or_default() += 1;
    }
    firms
        .into_iter()
        .map(|(id, name)| {
            let label = if counts[&key(name)] > 1 {
                format!("{name} ({id})")
            } else {
                name.to_string()
            };
            (id.to_string(), label)
        })
        .collect()
}

/// The analysis as of a date: see [`Analysis::as_of`] and
/// [`crate::timeline`]. Observations after it are left out, earlier
/// readings of the same thing are superseded, and the rules re-run, so
/// findings and verdicts are those the evidence supported then. Listings are
/// kept; see [`listing_in_force`].
pub fn as_of(a: &Analysis, date: Date) -> Analysis {
    a.as_of(Some(date))
}

/// Whether a listing dated `listed` is in force on `as_of` (always, when no date is set).
pub fn listing_in_force(listed: Date, as_of: Option<Date>) -> bool {
    as_of.is_none_or(|d| listed <= d)
}
