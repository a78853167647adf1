//! The reporting core of the loader: a section's elements with their raw
//! text and JSON path, diagnostics located by line and column, and the
//! checks every section shares (ids, references to sources, entities and
//! categories).

use super::{check_url, join_path, strip_position};
use crate::diag::{Code, Diagnostic, JsonPath, Severity};
use crate::hash::{HashMap, HashSet};
use crate::locate::{find_path, parse_path, LineIndex};
use crate::model::*;
use crate::wire;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::ops::Range;
use std::rc::Rc;

/// An element of a section: its raw text and where it is. Its path is
/// written out only when a diagnostic needs it. The raw text is empty for
/// an element deserialised without it (`fast_top`); it is found when
/// needed ([`Loader::lazy_raw`]).
pub(super) struct Elem<'t> {
    /// The element's JSON text, a slice of the bundle text.
    pub(super) raw: &'t str,
    /// The path of the section (or object) it belongs to.
    pub(super) parent: Rc<JsonPath>,
    /// Its index in the section; `None` for an object on its own (`meta`).
    pub(super) index: Option<usize>,
}

impl Elem<'_> {
    /// The element's JSON path, e.g. `observations[3]`.
    pub(super) fn path(&self) -> JsonPath {
        match self.index {
            Some(i) => self.parent.index(i),
            None => self.parent.as_ref().clone(),
        }
    }
}

pub(super) struct Loader<'t> {
    pub(super) text: &'t str,
    pub(super) base: &'t Bundle,
    pub(super) lines: Option<LineIndex>,
    pub(super) diags: Vec<Diagnostic>,
    /// Prefixes counted so far, over range sets and inline `cidr` lists.
    pub(super) prefixes: usize,
    /// Regex conditions counted so far, over all rules.
    pub(super) regexes: usize,
    /// Range sets left out because of their own errors.
    pub(super) left_out_ranges: HashSet<String>,
    /// Compiled size of the regexes so far, over all rules.
    pub(super) regex_bytes: usize,
    /// Entities an included library declared too, alike: merged into the
    /// library's declaration.
    pub(super) redeclared: Vec<Entity>,
    /// Ids referenced but not declared that the shipped rule library
    /// declares: the bundle probably forgot to include it.
    pub(super) missing_library: std::collections::BTreeSet<String>,
    /// The top-level arrays the scan split into elements: each array's
    /// offset and its elements' ranges (see [`crate::locate::scan`]).
    pub(super) arrays: Vec<(usize, Vec<Range<usize>>)>,
    /// Where each observation is, found the first time one parsed by
    /// `fast_top` needs a position ([`Loader::lazy_raw`]).
    pub(super) lazy_spans: Option<Vec<Range<usize>>>,
    /// The nesting limit `fast_top` read under, for that scan.
    pub(super) lazy_depth: usize,
    /// Whether `fast_top` may read the text in one pass.
    pub(super) fast: bool,
    /// Observation stamps already parsed, by their text: the observations
    /// of one run share a few stamps.
    pub(super) dates: HashMap<std::sync::Arc<str>, Date>,
}

/// How a duplicate of an id from an included library is described.
pub(super) const IN_LIBRARY: &str = "an included library";

/// Seeds a duplicate-id table with the ids of `items`.
/// Where each id of a section was first defined: `None` for an included
/// library, else the element's index.
/// Ids borrowed from the text (or the library) where they can be.
pub(super) type Firsts<'a> = crate::hash::HashMap<std::borrow::Cow<'a, str>, Option<usize>>;

/// Seeds a duplicate-id table with the ids of an included library.
pub(super) fn seed<'a>(ids: impl Iterator<Item = &'a str>) -> Firsts<'a> {
    ids.map(|id| (std::borrow::Cow::Borrowed(id), None))
        .collect()
}

impl<'t> Loader<'t> {
    pub(super) fn new(text: &'t str, base: &'t Bundle) -> Self {
        Loader {
            text,
            base,
            lines: None,
            diags: Vec::new(),
            prefixes: base.ranges.iter().map(|r| r.set.prefixes().len()).sum(),
            regexes: base.rules.iter().map(|r| r.condition.regexes()).sum(),
            left_out_ranges: HashSet::default(),
            regex_bytes: base.rules.iter().map(|r| r.condition.regex_bytes()).sum(),
            redeclared: Vec::new(),
            missing_library: Default::default(),
            arrays: Vec::new(),
            lazy_spans: None,
            lazy_depth: 0,
            fast: true,
            dates: HashMap::default(),
        }
    }

    pub(super) fn position(&mut self, offset: usize) -> (usize, usize) {
        let text = self.text;
        self.lines
            .get_or_insert_with(|| LineIndex::new(text))
            .line_col(text, offset)
    }

    /// The offset of `raw`, a slice of the bundle text, in it.
    pub(super) fn offset_of(&self, raw: &str) -> usize {
        (raw.as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize)
    }

    pub(super) fn push(
        &mut self,
        severity: Severity,
        code: Code,
        path: String,
        offset: Option<usize>,
        message: String,
    ) {
        let mut d = Diagnostic::new(severity, code, path, message);
        if let Some(off) = offset {
            let (l, c) = self.position(off);
            d = d.at(l, c);
        }
        self.diags.push(d);
    }

    /// A diagnostic at field `rel` (e.g. `match.condition.regex`) of `elem`.
    pub(super) fn report(
        &mut self,
        sev: Severity,
        code: Code,
        elem: &Elem<'_>,
        rel: &str,
        message: impl Into<String>,
    ) {
        let path = join_path(elem.path().as_str(), rel);
        let raw = if elem.raw.is_empty() {
            self.lazy_raw(elem)
        } else {
            elem.raw
        };
        let inner = find_path(raw, &parse_path(rel));
        let offset = self.offset_of(raw) + inner;
        self.push(sev, code, path, Some(offset), message.into());
    }

    /// The text of an element deserialised in the one pass of
    /// `fast_top`, which keeps no text (its [`Elem::raw`] is empty): its
    /// section is scanned for its elements the first time one of them
    /// needs a position, so a bundle without a problem in it never pays
    /// for locating.
    pub(super) fn lazy_raw(&mut self, elem: &Elem<'_>) -> &'t str {
        let text = self.text;
        let depth = self.lazy_depth;
        let spans = self.lazy_spans.get_or_insert_with(|| {
            let key = elem.parent.as_str().to_string();
            let at = find_path(text, &parse_path(&key));
            crate::locate::scan_member(text, &key, at, depth)
                .arrays
                .into_iter()
                .next()
                .map(|(_, spans)| spans)
                .unwrap_or_default()
        });
        elem.index
            .and_then(|i| spans.get(i))
            .and_then(|r| text.get(r.clone()))
            .unwrap_or(text)
    }

    pub(super) fn error(
        &mut self,
        code: Code,
        elem: &Elem<'_>,
        rel: &str,
        message: impl Into<String>,
    ) {
        self.report(Severity::Error, code, elem, rel, message);
    }

    pub(super) fn warn(
        &mut self,
        code: Code,
        elem: &Elem<'_>,
        rel: &str,
        message: impl Into<String>,
    ) {
        self.report(Severity::Warning, code, elem, rel, message);
    }

    /// Deserialises an element into a wire type; reports and returns `None` on failure.
    pub(super) fn parse<T: Deserialize<'t>>(&mut self, elem: &Elem<'t>) -> Option<T> {
        // The fast path; only a failure pays for tracking the path.
        if let Ok(v) = serde_json::from_str::<T>(elem.raw) {
            return Some(v);
        }
        let mut de = serde_json::Deserializer::from_str(elem.raw);
        match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Ok(v) => Some(v),
            Err(e) => {
                let inner_path = e.path().to_string();
                let inner_path = if inner_path == "." {
                    String::new()
                } else {
                    inner_path
                };
                let json_err = e.into_inner();
                let start = self.offset_of(elem.raw);
                let (l0, c0) = self.position(start);
                let (line, col) = match (json_err.line(), json_err.column()) {
                    (1, c) => (l0, c0 + c.saturating_sub(1)),
                    (l, c) => (l0 + l - 1, c),
                };
                let message = strip_position(&json_err.to_string());
                // The duplicate-key scan has already reported this one, at
                // the key itself.
                if message.starts_with("duplicate field") {
                    return None;
                }
                let code = if message.starts_with("unknown field") {
                    Code::UnknownField
                } else if message.starts_with("missing field") {
                    Code::MissingField
                } else {
                    Code::Type
                };
                let path = join_path(elem.path().as_str(), &inner_path);
                self.diags
                    .push(Diagnostic::error(code, path, message).at(line, col));
                None
            }
        }
    }

    /// The elements of array section `raw`, at most `limit` of them.
    pub(super) fn elements(
        &mut self,
        raw: &'t RawValue,
        path: JsonPath,
        (limit, used): (usize, usize),
        what: &str,
    ) -> Vec<Elem<'t>> {
        let start = self.offset_of(raw.get());
        let text = self.text;
        let items: Vec<&'t str> = match self.arrays.iter().position(|(at, _)| *at == start) {
            // The scan has split the array already.
            Some(k) => {
                let (_, spans) = self.arrays.swap_remove(k);
                spans.into_iter().map(|r| &text[r]).collect()
            }
            None => match serde_json::from_str::<Vec<&'t RawValue>>(raw.get()) {
                Ok(v) => v.into_iter().map(RawValue::get).collect(),
                Err(_) => {
                    self.push(
                        Severity::Error,
                        Code::Type,
                        path.to_string(),
                        Some(start),
                        "expected an array".into(),
                    );
                    return Vec::new();
                }
            },
        };
        let mut items = items;
        // Limits hold for a bundle and its libraries together.
        let room = limit.saturating_sub(used);
        if items.len() > room {
            let off = items.get(room).map_or(start, |r| self.offset_of(r));
            let with = if used > 0 {
                format!(" with the {used} of the included libraries")
            } else {
                String::new()
            };
            self.push(
                Severity::Error,
                Code::Limit,
                path.to_string(),
                Some(off),
                format!(
                    "{} {what}{with} exceed the limit of {limit}; only the first {room} were loaded",
                    items.len()
                ),
            );
            items.truncate(room);
        }
        let parent = Rc::new(path);
        items
            .into_iter()
            .enumerate()
            .map(|(i, raw)| Elem {
                raw,
                parent: parent.clone(),
                index: Some(i),
            })
            .collect()
    }

    /// The elements of section `raw` that deserialise as `T` and carry a
    /// non-empty, unique id; the others are reported and left out.
    pub(super) fn section<T: Deserialize<'t> + Identified>(
        &mut self,
        raw: Option<&'t RawValue>,
        path: JsonPath,
        limit: (usize, usize),
        what: &str,
        first: &mut Firsts<'t>,
    ) -> Vec<(Elem<'t>, T)> {
        let mut out = Vec::new();
        self.section_each(raw, path, limit, what, first, |_, e, w| out.push((e, w)));
        out
    }

    /// Like [`Loader::section`], handing each good element to `each` as it
    /// is parsed instead of collecting them: for the big sections, whose
    /// elements would otherwise be moved twice.
    pub(super) fn section_each<T: Deserialize<'t> + Identified>(
        &mut self,
        raw: Option<&'t RawValue>,
        path: JsonPath,
        limit: (usize, usize),
        what: &str,
        first: &mut Firsts<'t>,
        mut each: impl FnMut(&mut Self, Elem<'t>, T),
    ) {
        let Some(raw) = raw else {
            return;
        };
        let elems = self.elements(raw, path, limit, what);
        first.reserve(elems.len());
        for e in elems {
            let Some(w) = self.parse::<T>(&e) else {
                continue;
            };
            if self.check_id(&e, w.id(), first) {
                each(self, e, w);
            }
        }
    }

    /// Checks an id is non-empty and unique; records it. Returns false (after
    /// reporting) when the element must be skipped.
    pub(super) fn check_id(&mut self, e: &Elem<'_>, id: &str, first: &mut Firsts<'t>) -> bool {
        self.check_id_as(e, id, first, || std::borrow::Cow::Owned(id.to_string()))
    }

    /// [`Loader::check_id`], recording the id as `key` gives it: borrowed
    /// from the text when the element was (an observation's id).
    pub(super) fn check_id_as(
        &mut self,
        e: &Elem<'_>,
        id: &str,
        first: &mut Firsts<'t>,
        key: impl FnOnce() -> std::borrow::Cow<'t, str>,
    ) -> bool {
        if id.trim().is_empty() {
            self.error(Code::Empty, e, "id", "the id is empty");
            return false;
        }
        if let Some(prev) = first.get(id) {
            let prev = match prev {
                None => IN_LIBRARY.to_string(),
                Some(i) => e.parent.index(*i).to_string(),
            };
            self.error(
                Code::DuplicateId,
                e,
                "id",
                format!("duplicate id \"{id}\" (first defined at {prev})"),
            );
            return false;
        }
        first.insert(key(), e.index);
        true
    }

    /// Resolves a `source` field: a known source id or an http(s) URL.
    pub(super) fn source_ref(
        &mut self,
        e: &Elem<'_>,
        rel: &str,
        value: &str,
        refs: &Refs,
    ) -> Option<SourceRef> {
        if value.contains(':') {
            match check_url(value) {
                Ok(()) => Some(SourceRef::Url(value.to_string())),
                Err(m) => {
                    self.error(Code::Url, e, rel, m);
                    None
                }
            }
        } else if let Some(id) = refs.sources.get(value) {
            Some(SourceRef::Id(id.clone()))
        } else {
            self.error(
                Code::UnknownRef,
                e,
                rel,
                format!(
                    "unknown source \"{value}\"; use an id from meta.sources or an http(s) URL"
                ),
            );
            None
        }
    }

    /// Checks `id` names an entity with `role`, answering with the id as
    /// the roles map holds it (so the many observations of one subject
    /// share one string); reports and answers `None` otherwise.
    pub(super) fn entity_ref(
        &mut self,
        e: &Elem<'_>,
        rel: &str,
        id: &str,
        role: Role,
        roles: &Roles,
    ) -> Option<std::sync::Arc<str>> {
        match roles.get_key_value(id).map(|(k, v)| (k, *v)) {
            None => {
                let message = if crate::hint::in_shipped_library(id)
                    && self.base.entity(id).is_none()
                {
                    self.missing_library.insert(id.to_string());
                    format!(
                        "unknown entity \"{id}\": a {role} the shipped rule library declares, and this bundle does not include it; see the note on \"include\""
                    )
                } else {
                    let kept = roles
                        .iter()
                        .filter(|(_, (r, kept))| *r == role && *kept)
                        .map(|(k, _)| &**k);
                    let mut kept: Vec<&str> = kept.collect();
                    kept.sort_unstable();
                    // A near miss of a provider the shipped library declares,
                    // in a bundle that does not include it: both hints.
                    let near_shipped = (role == Role::Provider
                        && crate::hint::did_you_mean(id, kept.iter().copied()).is_none())
                    .then(|| {
                        crate::hint::did_you_mean(
                            id,
                            crate::hint::SHIPPED_PROVIDERS.iter().copied(),
                        )
                    })
                    .flatten()
                    .filter(|near| self.base.entity(near).is_none());
                    match near_shipped {
                        Some(near) => {
                            self.missing_library.insert(near.to_string());
                            format!(
                                "unknown entity \"{id}\"; did you mean \"{near}\", a {role} the shipped rule library declares? This bundle does not include that library; see the note on \"include\""
                            )
                        }
                        None => format!(
                            "unknown entity \"{id}\"{}",
                            crate::hint::suggestion(id, kept)
                        ),
                    }
                };
                self.error(Code::UnknownRef, e, rel, message);
                None
            }
            Some((_, (r, _))) if r != role => {
                let message = format!("entity \"{id}\" is a {r}, not a {role}");
                self.error(Code::RoleMismatch, e, rel, message);
                None
            }
            Some((_, (_, false))) => {
                let message = format!("entity \"{id}\" was left out because of its own errors");
                self.error(Code::UnknownRef, e, rel, message);
                None
            }
            Some((k, _)) => Some(k.clone()),
        }
    }

    pub(super) fn category_ref(&mut self, e: &Elem<'_>, rel: &str, id: &str, refs: &Refs) -> bool {
        if refs.categories.contains(id) {
            true
        } else {
            let mut ids: Vec<&str> = refs.categories.iter().map(String::as_str).collect();
            ids.sort_unstable();
            let message = match crate::hint::did_you_mean(id, ids.iter().copied()) {
                Some(near) => format!(
                    "unknown category \"{id}\"; did you mean \"{near}\"? The categories are {}",
                    ids.join(", ")
                ),
                None => format!(
                    "unknown category \"{id}\"; the categories are {}",
                    ids.join(", ")
                ),
            };
            self.error(Code::UnknownRef, e, rel, message);
            false
        }
    }
}

/// Wire elements identified by an `id` field.
pub(super) trait Identified {
    fn id(&self) -> &str;
}

macro_rules! identified {
    ($($t:ty),*) => {$(
        impl Identified for $t {
            fn id(&self) -> &str {
                &self.id
            }
        }
    )*};
}

identified!(
    wire::Source,
    wire::Category,
    wire::Entity,
    wire::RangeSet,
    wire::Observation,
    wire::Rule,
    wire::Claim
);

/// Every entity id known while loading: its role, and whether it was kept
/// (`false`: left out because of its own errors).
pub(super) type Roles = HashMap<std::sync::Arc<str>, (Role, bool)>;

/// Ids other sections may reference.
pub(super) struct Refs {
    pub(super) sources: HashSet<std::sync::Arc<str>>,
    pub(super) categories: HashSet<String>,
}
