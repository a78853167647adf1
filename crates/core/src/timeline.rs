//! Time: which observations are in force on a date.
//!
//! Observations of the same subject, target, kind (and header name) are
//! readings of one thing over time: the MX records of `firm.example` on
//! two dates. The later reading **supersedes** the earlier one: when a 2026
//! MX lookup answers differently from a 2025 one, the 2025 answer no longer
//! describes the firm. So, for a date D:
//!
//! 1. observations made after D are not yet known and are left out;
//! 2. in each group (subject, target, kind, key), only the observations
//!    of the latest date on or before D are in force; all of them, since
//!    one lookup can answer several records (two MX hosts, four A records);
//! 3. earlier observations of the group are **superseded**: kept in the
//!    bundle and shown as such, but no finding or verdict rests on them.
//!
//! Without a date, D is the end of time: every group is read at its
//! latest date. Dates are the UTC calendar date of `observed_at`.

use crate::hash::HashMap;
use crate::model::{Bundle, Date, Kind};

/// Which observations are in force, as of a date.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Timeline {
    /// The date, if one was set.
    #[serde(
        serialize_with = "crate::model::ser_opt_date",
        deserialize_with = "crate::model::de_opt_date"
    )]
    pub as_of: Option<Date>,
    /// Per observation: whether it is in force.
    pub active: Vec<bool>,
    /// Superseded observations and the observation that superseded each
    /// (the first of its group's latest date), in bundle order.
    pub superseded: Vec<(usize, usize)>,
    /// Observations made after `as_of`.
    pub later: Vec<usize>,
}

impl Timeline {
    /// Whether observation `i` is in force.
    pub fn is_active(&self, i: usize) -> bool {
        self.active.get(i).copied().unwrap_or(false)
    }

    /// The observation that superseded `i`, if any.
    pub fn superseded_by(&self, i: usize) -> Option<usize> {
        self.superseded
            .binary_search_by_key(&i, |(o, _)| *o)
            .ok()
            .map(|k| self.superseded[k].1)
    }
}

/// The timeline of `bundle` as of `as_of` (see the module docs).
///
/// Complexity: O(observations), one hash map over the groups.
pub fn timeline(bundle: &Bundle, as_of: Option<Date>) -> Timeline {
    type Group<'b> = (&'b str, &'b str, Kind, Option<&'b str>);
    let obs = &bundle.observations;
    let mut latest: HashMap<Group<'_>, (Date, usize)> = HashMap::default();
    let mut later = Vec::new();
    for (i, o) in obs.iter().enumerate() {
        let date = o.observed_at.date;
        if as_of.is_some_and(|d| date > d) {
            later.push(i);
            continue;
        }
        let key = (&*o.subject, o.target.as_str(), o.kind, o.key.as_deref());
        latest
            .entry(key)
            .and_modify(|(d, first)| {
                if date > *d {
                    *d = date;
                    *first = i;
                }
            })
            .or_insert((date, i));
    }
    let mut active = vec![false; obs.len()];
    let mut superseded = Vec::new();
    for (i, o) in obs.iter().enumerate() {
        if as_of.is_some_and(|d| o.observed_at.date > d) {
            continue;
        }
        let key = (&*o.subject, o.target.as_str(), o.kind, o.key.as_deref());
        let (date, first) = latest[&key];
        if o.observed_at.date == date {
            active[i] = true;
        } else {
            superseded.push((i, first));
        }
    }
    Timeline {
        as_of,
        active,
        superseded,
        later,
    }
}
