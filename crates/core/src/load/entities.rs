//! `entities`: roles, names, countries, listings and the parent forest.
//!
//! An entity with an error is left out like any element; references to it
//! then say it was left out rather than unknown. Parents must exist, form
//! no cycle and nest at most [`Limits::max_parent_depth`] levels, so every
//! ancestor chain is short and walking it is cheap.

use super::reporter::{seed, Loader, Refs, Roles};
use crate::date::parse_date;
use crate::diag::{Code, JsonPath};
use crate::hash::{HashMap, HashSet};
use crate::limits::Limits;
use crate::model::*;
use crate::normalize::normalize_host;
use crate::wire;
use serde_json::value::RawValue;

impl<'t> Loader<'t> {
    pub(super) fn load_entities(
        &mut self,
        raw: Option<&'t RawValue>,
        bundle: &mut Bundle,
        refs: &Refs,
        limits: &Limits,
    ) -> Roles {
        // Only repeats within this document are duplicates: an entity an
        // included library declares may be declared again if both agree
        // (see `redeclares`).
        let mut first = seed(std::iter::empty());
        let mut elems = Vec::new();
        if let Some(raw) = raw {
            for (e, w) in self.section::<wire::Entity>(
                Some(raw),
                JsonPath::root().field("entities"),
                (limits.max_entities, self.base.entities.len()),
                "entities",
                &mut first,
            ) {
                let Some(role) = Role::parse(&w.role) else {
                    self.error(
                        Code::Keyword,
                        &e,
                        "role",
                        format!("unknown role \"{}\"; expected {}", w.role, Role::expected()),
                    );
                    continue;
                };
                let mut ok = true;
                if w.name.trim().is_empty() {
                    self.error(Code::Empty, &e, "name", "the name is empty");
                    ok = false;
                }
                let country = match &w.country {
                    Some(c) if c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()) => {
                        Some(c.clone())
                    }
                    Some(c) => {
                        self.error(Code::Value, &e, "country", format!("\"{c}\" is not an ISO 3166-1 alpha-2 code (two capital letters, e.g. \"CN\")"));
                        ok = false;
                        None
                    }
                    None => None,
                };
                let mut listings = Vec::new();
                for (i, l) in w.listings.iter().enumerate() {
                    let base = format!("listings[{i}]");
                    let date = match parse_date(&l.date) {
                        Ok(d) => Some(d),
                        Err(m) => {
                            self.error(Code::Date, &e, &format!("{base}.date"), m);
                            None
                        }
                    };
                    let source = self.source_ref(&e, &format!("{base}.source"), &l.source, refs);
                    let (Some(date), Some(source)) = (date, source) else {
                        ok = false;
                        continue;
                    };
                    listings.push(Listing {
                        list: l.list.clone(),
                        date,
                        citation: l.citation.clone(),
                        reason: l.reason.clone(),
                        source,
                    });
                }
                let mut sources = Vec::new();
                for (i, src) in w.sources.iter().enumerate() {
                    match self.source_ref(&e, &format!("sources[{i}]"), src, refs) {
                        Some(s) => sources.push(s),
                        None => ok = false,
                    }
                }
                let entity = Entity {
                    id: w.id.clone(),
                    role,
                    name: w.name.clone(),
                    short_name: w.short_name.clone(),
                    aliases: w.aliases.clone(),
                    country,
                    domains: w.domains.iter().map(|d| normalize_host(d)).collect(),
                    parent: w.parent.clone(),
                    listings,
                    sources,
                };
                if let Some(earlier) = self.base.entity(&entity.id) {
                    match redeclares(earlier, &entity) {
                        // Alike: what it adds (country, sources, aliases,
                        // domains, listings) is merged into the first.
                        Ok(()) if ok => self.redeclared.push(entity),
                        Ok(()) => {}
                        Err(m) => self.error(Code::DuplicateId, &e, "id", m),
                    }
                    continue;
                }
                elems.push((e, entity, ok));
            }
        }
        // Every parent id known so far: the libraries' and this bundle's.
        let mut parents: HashMap<String, String> = self
            .base
            .entities
            .iter()
            .filter_map(|en| en.parent.clone().map(|p| (en.id.clone(), p)))
            .collect();
        parents.extend(
            elems
                .iter()
                .filter_map(|(_, en, _)| en.parent.clone().map(|p| (en.id.clone(), p))),
        );
        let known: HashSet<String> = self
            .base
            .entities
            .iter()
            .map(|en| en.id.clone())
            .chain(elems.iter().map(|(_, en, _)| en.id.clone()))
            .collect();
        for (e, en, ok) in elems.iter_mut() {
            let Some(p) = en.parent.clone() else { continue };
            if !known.contains(&p) {
                self.error(
                    Code::UnknownRef,
                    e,
                    "parent",
                    format!("unknown entity \"{p}\""),
                );
                *ok = false;
                continue;
            }
            // Walk up at most one step past the limit: a cycle through this
            // entity comes back to it; a chain that long is too deep.
            let mut chain = vec![en.id.clone()];
            let mut cur = Some(p);
            while let Some(c) = cur {
                if c == en.id {
                    chain.push(c);
                    self.error(
                        Code::ParentCycle,
                        e,
                        "parent",
                        format!("parent cycle: {}", chain.join(" -> ")),
                    );
                    *ok = false;
                    break;
                }
                if chain.contains(&c) {
                    break; // a cycle above us, reported at its own members
                }
                chain.push(c.clone());
                if chain.len() > limits.max_parent_depth + 1 {
                    self.error(
                        Code::Limit,
                        e,
                        "parent",
                        format!(
                            "the chain of parents is deeper than the limit of {}: {} -> ...",
                            limits.max_parent_depth,
                            chain[..limits.max_parent_depth.min(4) + 1].join(" -> ")
                        ),
                    );
                    *ok = false;
                    break;
                }
                cur = parents.get(&c).cloned();
            }
        }
        // A child of a left-out entity is left out too: its chain is broken.
        // Chains are short (checked above), so this settles in a few rounds.
        loop {
            let dropped: HashSet<String> = elems
                .iter()
                .filter(|(_, _, ok)| !ok)
                .map(|(_, en, _)| en.id.clone())
                .collect();
            let mut changed = false;
            for (e, en, ok) in elems.iter_mut() {
                let Some(p) = en.parent.as_ref().filter(|p| dropped.contains(*p)) else {
                    continue;
                };
                if *ok {
                    let message = format!("entity \"{p}\" was left out because of its own errors");
                    self.error(Code::UnknownRef, e, "parent", message);
                    *ok = false;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let roles: Roles = self
            .base
            .entities
            .iter()
            .map(|en| (en.id.as_str().into(), (en.role, true)))
            .chain(
                elems
                    .iter()
                    .map(|(_, en, ok)| (en.id.as_str().into(), (en.role, *ok))),
            )
            .collect();
        bundle.entities = elems
            .into_iter()
            .filter(|(_, _, ok)| *ok)
            .map(|(_, en, _)| en)
            .collect();
        roles
    }
}

/// Whether `again` may declare an entity an included library already
/// declared (`earlier`): both must agree on role and parent, and on the
/// country where both give one. Rule libraries written apart (the shipped
/// one, a range library from `whoserves import`) can then name the same
/// provider. The first declaration keeps its name; see [`super::merge`]
/// for what the second adds.
fn redeclares(earlier: &Entity, again: &Entity) -> Result<(), String> {
    let mut differ = Vec::new();
    if earlier.role != again.role {
        differ.push(format!(
            "role \"{}\" here, \"{}\" there",
            again.role.as_str(),
            earlier.role.as_str()
        ));
    }
    if earlier.parent != again.parent {
        let show = |p: &Option<String>| {
            p.as_deref()
                .map_or("none".to_string(), |p| format!("\"{p}\""))
        };
        differ.push(format!(
            "parent {} here, {} there",
            show(&again.parent),
            show(&earlier.parent)
        ));
    }
    if let (Some(a), Some(b)) = (&again.country, &earlier.country) {
        if a != b {
            differ.push(format!("country \"{a}\" here, \"{b}\" there"));
        }
    }
    if differ.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "entity \"{}\" is already declared by an included library, differently: {}; a second declaration must agree on role, parent and country",
            earlier.id,
            differ.join("; ")
        ))
    }
}
