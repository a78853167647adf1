//! Loading: bundle text -> validated [`Bundle`] + [`Diagnostic`]s.
//!
//! Loading never stops at the first problem. The text is split into its
//! sections and each element is deserialised and validated on its own, so
//! one bad observation costs that observation, not the bundle (ripgrep's
//! `Gitignore::new` is the model: a usable matcher plus the errors).
//! Elements with errors are left out; the diagnostics say which and why.
//!
//! Positions: each element keeps its raw text, so a problem found in it is
//! located by walking that text to the offending field (see [`crate::locate`]).

use crate::date::{parse_date, parse_timestamp};
use crate::diag::{Diagnostic, JsonPath, Severity};
use crate::engine::run_examples;
use crate::limits::Limits;
use crate::locate::{depth_exceeded, find_path, parse_path, LineIndex};
use crate::matcher::{compile, CompileContext};
use crate::model::*;
use crate::normalize::{normalize, normalize_host};
use crate::wire;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The result of loading: the usable part of the bundle and what is wrong.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// Every element that passed validation.
    pub bundle: Bundle,
    /// Errors and warnings, in document order within each section.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Default labels of the built-in categories.
const BUILTIN_LABELS: &[(&str, &str)] = &[
    ("hosting", "Web hosting"),
    ("cdn", "Content delivery (CDN)"),
    ("dns", "DNS hosting"),
    ("email", "Email hosting"),
    ("tls-ca", "TLS certificate authority"),
    ("registrar", "Domain registrar"),
    ("analytics", "Analytics"),
    ("authentication", "Authentication"),
    ("other", "Other"),
];

/// Loads and validates a bundle from its JSON text.
///
/// # Example
/// ```
/// use whoserves_core::{load, Limits};
/// let loaded = load(r#"{"format": "whoserves/1", "meta": {"title": "t"}, "rules": 3}"#, &Limits::default());
/// assert_eq!(loaded.bundle.meta.title, "t");
/// assert_eq!(loaded.diagnostics[0].render("b.json"), "b.json:1:60: error: rules: expected an array");
/// ```
pub fn load(text: &str, limits: &Limits) -> Loaded {
    load_with(text, limits, &Bundle::default())
}

/// Loads a bundle on top of `base`, the already loaded contents of the
/// libraries it includes (see [`includes`]). References may point into
/// `base`; ids must not repeat ids of `base`. The result holds both.
pub fn load_with(text: &str, limits: &Limits, base: &Bundle) -> Loaded {
    let mut cx = Loader::new(text, base);
    let mut bundle = Bundle::default();
    cx.load_into(&mut bundle, limits);
    let mut bundle = merge(base, bundle);
    bundle.reindex();
    Loaded {
        bundle,
        diagnostics: cx.diags,
    }
}

/// The `include` list of a bundle text: paths or URLs of rule libraries,
/// relative to the bundle. Returns nothing when the text is not a bundle;
/// [`load_with`] reports the problems.
pub fn includes(text: &str) -> Vec<String> {
    #[derive(Deserialize)]
    struct Top {
        #[serde(default)]
        include: Vec<String>,
    }
    serde_json::from_str::<Top>(text)
        .map(|t| t.include)
        .unwrap_or_default()
}

/// `base` followed by `own`; `own`'s meta wins, sources of both are kept,
/// and a category `own` declares replaces the one of `base`.
fn merge(base: &Bundle, own: Bundle) -> Bundle {
    if base.entities.is_empty() && base.rules.is_empty() && base.meta.sources.is_empty() {
        return own;
    }
    let mut out = base.clone();
    let mut meta = own.meta;
    meta.sources.extend(base.meta.sources.iter().cloned());
    out.meta = meta;
    for c in own.categories {
        match out.categories.iter_mut().find(|b| b.id == c.id) {
            Some(slot) => *slot = c,
            None => out.categories.push(c),
        }
    }
    out.entities.extend(own.entities);
    out.observations.extend(own.observations);
    out.ranges.extend(own.ranges);
    out.rules.extend(own.rules);
    out.claims.extend(own.claims);
    out
}

/// An element of a section: its raw text and its path.
struct Elem<'t> {
    raw: &'t RawValue,
    path: JsonPath,
}

struct Loader<'t> {
    text: &'t str,
    base: &'t Bundle,
    lines: Option<LineIndex>,
    diags: Vec<Diagnostic>,
}

/// How a duplicate of an id from an included library is described.
const IN_LIBRARY: &str = "an included library";

/// Seeds a duplicate-id table with the ids of `items`.
fn seed<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<String, String> {
    ids.map(|id| (id.to_string(), IN_LIBRARY.to_string()))
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MetaRaw<'a> {
    title: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
    #[serde(default)]
    license: Option<String>,
    #[serde(default)]
    banner: Option<String>,
    #[serde(default, borrow)]
    sources: Option<&'a RawValue>,
}

const SECTIONS: &[&str] = &[
    "format",
    "include",
    "meta",
    "categories",
    "entities",
    "observations",
    "ranges",
    "rules",
    "claims",
];

impl<'t> Loader<'t> {
    fn new(text: &'t str, base: &'t Bundle) -> Self {
        Loader {
            text,
            base,
            lines: None,
            diags: Vec::new(),
        }
    }

    fn position(&mut self, offset: usize) -> (usize, usize) {
        let text = self.text;
        self.lines
            .get_or_insert_with(|| LineIndex::new(text))
            .line_col(text, offset)
    }

    fn offset_of(&self, raw: &RawValue) -> usize {
        (raw.get().as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize)
    }

    fn push(&mut self, severity: Severity, path: String, offset: Option<usize>, message: String) {
        let mut d = match severity {
            Severity::Error => Diagnostic::error(path, message),
            Severity::Warning => Diagnostic::warning(path, message),
        };
        if let Some(off) = offset {
            let (l, c) = self.position(off);
            d = d.at(l, c);
        }
        self.diags.push(d);
    }

    /// A diagnostic at field `rel` (e.g. `match.condition.regex`) of `elem`.
    fn report(&mut self, sev: Severity, elem: &Elem<'_>, rel: &str, message: impl Into<String>) {
        let path = join_path(elem.path.as_str(), rel);
        let inner = find_path(elem.raw.get(), &parse_path(rel));
        let offset = self.offset_of(elem.raw) + inner;
        self.push(sev, path, Some(offset), message.into());
    }

    fn error(&mut self, elem: &Elem<'_>, rel: &str, message: impl Into<String>) {
        self.report(Severity::Error, elem, rel, message);
    }

    fn warn(&mut self, elem: &Elem<'_>, rel: &str, message: impl Into<String>) {
        self.report(Severity::Warning, elem, rel, message);
    }

    /// Deserialises an element into a wire type; reports and returns `None` on failure.
    fn parse<T: Deserialize<'t>>(&mut self, elem: &Elem<'t>) -> Option<T> {
        let mut de = serde_json::Deserializer::from_str(elem.raw.get());
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
                let path = join_path(elem.path.as_str(), &inner_path);
                self.diags
                    .push(Diagnostic::error(path, message).at(line, col));
                None
            }
        }
    }

    /// The elements of array section `raw`, at most `limit` of them.
    fn elements(
        &mut self,
        raw: &'t RawValue,
        path: JsonPath,
        limit: usize,
        what: &str,
    ) -> Vec<Elem<'t>> {
        let items: Vec<&'t RawValue> = match serde_json::from_str(raw.get()) {
            Ok(v) => v,
            Err(_) => {
                let off = self.offset_of(raw);
                self.push(
                    Severity::Error,
                    path.to_string(),
                    Some(off),
                    "expected an array".into(),
                );
                return Vec::new();
            }
        };
        let mut items = items;
        if items.len() > limit {
            let off = self.offset_of(items[limit]);
            self.push(
                Severity::Error,
                path.to_string(),
                Some(off),
                format!(
                    "{} {what} exceed the limit of {limit}; only the first {limit} were loaded",
                    items.len()
                ),
            );
            items.truncate(limit);
        }
        items
            .into_iter()
            .enumerate()
            .map(|(i, raw)| Elem {
                raw,
                path: path.index(i),
            })
            .collect()
    }

    fn load_into(&mut self, bundle: &mut Bundle, limits: &Limits) {
        let text = self.text;
        if text.len() > limits.max_bytes {
            self.push(
                Severity::Error,
                String::new(),
                None,
                format!(
                    "the file is {} bytes, more than the limit of {} bytes",
                    text.len(),
                    limits.max_bytes
                ),
            );
            return;
        }
        if let Some(off) = depth_exceeded(text, limits.max_depth) {
            self.push(
                Severity::Error,
                String::new(),
                Some(off),
                format!(
                    "arrays and objects nest deeper than the limit of {}",
                    limits.max_depth
                ),
            );
            return;
        }
        let top: BTreeMap<String, &'t RawValue> = match serde_json::from_str(text) {
            Ok(t) => t,
            Err(e) => {
                let message = if e.is_syntax() || e.is_eof() {
                    format!("invalid JSON: {}", strip_position(&e.to_string()))
                } else {
                    "the bundle must be a JSON object".to_string()
                };
                let mut d = Diagnostic::error("", message);
                if e.line() > 0 {
                    d = d.at(e.line(), e.column().max(1));
                }
                self.diags.push(d);
                return;
            }
        };
        for (key, raw) in &top {
            if !SECTIONS.contains(&key.as_str()) {
                let off = self.offset_of(raw);
                self.push(
                    Severity::Error,
                    key.clone(),
                    Some(off),
                    format!(
                        "unknown section \"{key}\"; expected one of {}",
                        SECTIONS.join(", ")
                    ),
                );
            }
        }
        match top
            .get("format")
            .map(|r| serde_json::from_str::<String>(r.get()))
        {
            None => self.push(
                Severity::Error,
                "format".into(),
                Some(0),
                format!(
                    "missing format tag; expected \"format\": \"{}\"",
                    wire::FORMAT_V1
                ),
            ),
            Some(Ok(f)) if f == wire::FORMAT_V1 => {}
            Some(_) => {
                let raw = top["format"];
                let off = self.offset_of(raw);
                self.push(
                    Severity::Error,
                    "format".into(),
                    Some(off),
                    format!(
                        "unsupported format {}; expected \"{}\"",
                        raw.get(),
                        wire::FORMAT_V1
                    ),
                );
            }
        }

        if let Some(raw) = top.get("include").copied() {
            self.check_includes(raw);
        }
        let sources = self.load_meta(top.get("meta").copied(), bundle, limits);
        let refs = Refs {
            sources,
            categories: self.load_categories(top.get("categories").copied(), bundle, limits),
        };
        let roles = self.load_entities(top.get("entities").copied(), bundle, &refs, limits);
        self.load_ranges(top.get("ranges").copied(), bundle, &refs, &roles, limits);
        self.load_observations(
            top.get("observations").copied(),
            bundle,
            &refs,
            &roles,
            limits,
        );
        self.load_rules(top.get("rules").copied(), bundle, &refs, &roles, limits);
        self.load_claims(top.get("claims").copied(), bundle, &refs, &roles, limits);
    }

    fn load_meta(
        &mut self,
        raw: Option<&'t RawValue>,
        bundle: &mut Bundle,
        limits: &Limits,
    ) -> HashSet<String> {
        let mut ids: HashSet<String> = self
            .base
            .meta
            .sources
            .iter()
            .map(|s| s.id.clone())
            .collect();
        let Some(raw) = raw else {
            self.push(
                Severity::Error,
                "meta".into(),
                Some(0),
                "missing section \"meta\" (it needs at least a title)".into(),
            );
            return ids;
        };
        let elem = Elem {
            raw,
            path: JsonPath::root().field("meta"),
        };
        let Some(meta) = self.parse::<MetaRaw<'t>>(&elem) else {
            // Fall back to whatever title is there, so the viewer can name the bundle.
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(raw.get()) {
                if let Some(t) = v.get("title").and_then(|t| t.as_str()) {
                    bundle.meta.title = t.to_string();
                }
            }
            return ids;
        };
        if meta.title.trim().is_empty() {
            self.error(&elem, "title", "the title is empty");
        }
        if let Some(p) = &meta.published {
            if let Err(m) = parse_date(p) {
                self.error(&elem, "published", m);
            }
        }
        bundle.meta = Meta {
            title: meta.title,
            description: meta.description,
            published: meta.published,
            authors: meta.authors,
            license: meta.license,
            banner: meta.banner,
            sources: Vec::new(),
        };
        // `meta.sources` is parsed element by element like the sections.
        let mut first = seed(self.base.meta.sources.iter().map(|s| s.id.as_str()));
        let sources = self.section::<wire::Source>(
            meta.sources,
            elem.path.field("sources"),
            limits.max_sources,
            "sources",
            &mut first,
        );
        for (e, s) in &sources {
            let mut url = s.url.clone();
            if let Some(u) = &s.url {
                if let Err(m) = check_url(u) {
                    self.error(e, "url", m);
                    url = None;
                }
            }
            if let Some(d) = &s.date {
                if let Err(m) = parse_date(d) {
                    self.error(e, "date", m);
                }
            }
            ids.insert(s.id.clone());
            bundle.meta.sources.push(Source {
                id: s.id.clone(),
                title: s.title.clone(),
                publisher: s.publisher.clone(),
                url,
                date: s.date.clone(),
            });
        }
        ids
    }

    /// Checks `include` is a list of relative paths or http(s) URLs.
    fn check_includes(&mut self, raw: &'t RawValue) {
        let path = JsonPath::root().field("include");
        for e in self.elements(raw, path, 16, "includes") {
            let Some(s) = self.parse::<String>(&e) else {
                continue;
            };
            let looks_like_url = s.contains(':');
            if looks_like_url {
                if let Err(m) = check_url(&s) {
                    self.error(&e, "", m);
                }
            } else if s.trim().is_empty() || s.starts_with('/') {
                self.error(
                    &e,
                    "",
                    format!("\"{s}\" must be a path relative to this bundle or an http(s) URL"),
                );
            }
        }
    }

    /// The elements of section `raw` that deserialise as `T` and carry a
    /// non-empty, unique id; the others are reported and left out.
    fn section<T: Deserialize<'t> + Identified>(
        &mut self,
        raw: Option<&'t RawValue>,
        path: JsonPath,
        limit: usize,
        what: &str,
        first: &mut HashMap<String, String>,
    ) -> Vec<(Elem<'t>, T)> {
        let Some(raw) = raw else {
            return Vec::new();
        };
        let elems = self.elements(raw, path, limit, what);
        let mut out = Vec::with_capacity(elems.len());
        for e in elems {
            let Some(w) = self.parse::<T>(&e) else {
                continue;
            };
            if self.check_id(&e, w.id(), first) {
                out.push((e, w));
            }
        }
        out
    }

    /// Checks an id is non-empty and unique; records it. Returns false (after
    /// reporting) when the element must be skipped.
    fn check_id(&mut self, e: &Elem<'_>, id: &str, first: &mut HashMap<String, String>) -> bool {
        if id.trim().is_empty() {
            self.error(e, "id", "the id is empty");
            return false;
        }
        if let Some(prev) = first.get(id) {
            let prev = prev.clone();
            self.error(
                e,
                "id",
                format!("duplicate id \"{id}\" (first defined at {prev})"),
            );
            return false;
        }
        first.insert(id.to_string(), e.path.to_string());
        true
    }

    fn load_categories(
        &mut self,
        raw: Option<&'t RawValue>,
        bundle: &mut Bundle,
        limits: &Limits,
    ) -> HashSet<String> {
        let mut first = HashMap::new();
        let mut declared = Vec::new();
        if let Some(raw) = raw {
            for (_, c) in self.section::<wire::Category>(
                Some(raw),
                JsonPath::root().field("categories"),
                limits.max_categories,
                "categories",
                &mut first,
            ) {
                declared.push(Category {
                    id: c.id,
                    label: c.label,
                    description: c.description,
                });
            }
        }
        // The built-in categories and those of included libraries exist
        // whether or not the bundle lists them.
        let mut ids: HashSet<String> = self.base.categories.iter().map(|c| c.id.clone()).collect();
        ids.extend(declared.iter().map(|c| c.id.clone()));
        for (id, label) in BUILTIN_LABELS {
            if !ids.contains(*id) && !declared.iter().any(|c| c.id == *id) {
                declared.push(Category {
                    id: id.to_string(),
                    label: label.to_string(),
                    description: None,
                });
            }
        }
        ids.extend(declared.iter().map(|c| c.id.clone()));
        bundle.categories = declared;
        ids
    }

    /// Resolves a `source` field: a known source id or an http(s) URL.
    fn source_ref(
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
                    self.error(e, rel, m);
                    None
                }
            }
        } else if refs.sources.contains(value) {
            Some(SourceRef::Id(value.to_string()))
        } else {
            self.error(
                e,
                rel,
                format!(
                    "unknown source \"{value}\"; use an id from meta.sources or an http(s) URL"
                ),
            );
            None
        }
    }

    /// Checks `id` names an entity with `role`; reports and returns false otherwise.
    fn entity_ref(
        &mut self,
        e: &Elem<'_>,
        rel: &str,
        id: &str,
        role: Role,
        roles: &HashMap<String, Role>,
    ) -> bool {
        match roles.get(id) {
            None => {
                self.error(e, rel, format!("unknown entity \"{id}\""));
                false
            }
            Some(r) if *r != role => {
                self.error(e, rel, format!("entity \"{id}\" is a {r}, not a {role}"));
                false
            }
            Some(_) => true,
        }
    }

    fn category_ref(&mut self, e: &Elem<'_>, rel: &str, id: &str, refs: &Refs) -> bool {
        if refs.categories.contains(id) {
            true
        } else {
            self.error(e, rel, format!("unknown category \"{id}\""));
            false
        }
    }

    fn load_entities(
        &mut self,
        raw: Option<&'t RawValue>,
        bundle: &mut Bundle,
        refs: &Refs,
        limits: &Limits,
    ) -> HashMap<String, Role> {
        let mut first = seed(self.base.entities.iter().map(|e| e.id.as_str()));
        let mut elems = Vec::new();
        if let Some(raw) = raw {
            for (e, w) in self.section::<wire::Entity>(
                Some(raw),
                JsonPath::root().field("entities"),
                limits.max_entities,
                "entities",
                &mut first,
            ) {
                let Some(role) = Role::parse(&w.role) else {
                    self.error(
                        &e,
                        "role",
                        format!("unknown role \"{}\"; expected {}", w.role, Role::expected()),
                    );
                    continue;
                };
                if w.name.trim().is_empty() {
                    self.error(&e, "name", "the name is empty");
                }
                let country = match &w.country {
                    Some(c) if c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()) => {
                        Some(c.clone())
                    }
                    Some(c) => {
                        self.error(&e, "country", format!("\"{c}\" is not an ISO 3166-1 alpha-2 code (two capital letters, e.g. \"CN\")"));
                        None
                    }
                    None => None,
                };
                let mut listings = Vec::new();
                for (i, l) in w.listings.iter().enumerate() {
                    let base = format!("listings[{i}]");
                    let date = match parse_date(&l.date) {
                        Ok(d) => d,
                        Err(m) => {
                            self.error(&e, &format!("{base}.date"), m);
                            continue;
                        }
                    };
                    let Some(source) =
                        self.source_ref(&e, &format!("{base}.source"), &l.source, refs)
                    else {
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
                let sources = w
                    .sources
                    .iter()
                    .enumerate()
                    .filter_map(|(i, src)| self.source_ref(&e, &format!("sources[{i}]"), src, refs))
                    .collect();
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
                elems.push((e, entity));
            }
        }
        let roles: HashMap<String, Role> = self
            .base
            .entities
            .iter()
            .map(|en| (en.id.clone(), en.role))
            .chain(elems.iter().map(|(_, en)| (en.id.clone(), en.role)))
            .collect();
        // Parents: must exist; cycles are broken where first found.
        let parents: HashMap<String, String> = elems
            .iter()
            .filter_map(|(_, en)| en.parent.clone().map(|p| (en.id.clone(), p)))
            .collect();
        let mut broken: HashSet<String> = HashSet::new();
        for (e, en) in elems.iter_mut() {
            let Some(p) = en.parent.clone() else { continue };
            if !roles.contains_key(&p) {
                self.error(e, "parent", format!("unknown entity \"{p}\""));
                en.parent = None;
                continue;
            }
            // Walk up; if we come back to this entity, it is on a cycle.
            let mut chain = vec![en.id.clone()];
            let mut cur = Some(p);
            while let Some(c) = cur {
                if broken.contains(&c) {
                    break;
                }
                if c == en.id {
                    chain.push(c);
                    self.error(e, "parent", format!("parent cycle: {}", chain.join(" -> ")));
                    broken.insert(en.id.clone());
                    en.parent = None;
                    break;
                }
                if chain.contains(&c) {
                    break; // a cycle above us, reported at its own members
                }
                chain.push(c.clone());
                cur = parents.get(&c).cloned();
            }
        }
        bundle.entities = elems.into_iter().map(|(_, en)| en).collect();
        roles
    }

    fn load_ranges(
        &mut self,
        raw: Option<&'t RawValue>,
        bundle: &mut Bundle,
        refs: &Refs,
        roles: &HashMap<String, Role>,
        limits: &Limits,
    ) {
        let Some(raw) = raw else { return };
        let mut first = seed(self.base.ranges.iter().map(|r| r.id.as_str()));
        let mut total = 0usize;
        for (e, w) in self.section::<wire::RangeSet>(
            Some(raw),
            JsonPath::root().field("ranges"),
            limits.max_ranges,
            "range sets",
            &mut first,
        ) {
            let ok_provider = self.entity_ref(&e, "provider", &w.provider, Role::Provider, roles);
            let source = self.source_ref(&e, "source", &w.source, refs);
            let mut prefixes = Vec::with_capacity(w.prefixes.len());
            for (i, p) in w.prefixes.iter().enumerate() {
                match p.trim().parse::<ipnet::IpNet>() {
                    Ok(n) => prefixes.push(n),
                    Err(_) => self.error(
                        &e,
                        &format!("prefixes[{i}]"),
                        format!("invalid CIDR prefix \"{p}\""),
                    ),
                }
            }
            total += prefixes.len();
            if total > limits.max_prefixes {
                self.error(
                    &e,
                    "prefixes",
                    format!(
                        "more than {} prefixes over all range sets",
                        limits.max_prefixes
                    ),
                );
                break;
            }
            if let (true, Some(source)) = (ok_provider, source) {
                bundle.ranges.push(RangeSet {
                    id: w.id,
                    provider: w.provider,
                    version: w.version,
                    source,
                    prefixes,
                });
            }
        }
    }

    fn load_observations(
        &mut self,
        raw: Option<&'t RawValue>,
        bundle: &mut Bundle,
        refs: &Refs,
        roles: &HashMap<String, Role>,
        limits: &Limits,
    ) {
        let Some(raw) = raw else { return };
        let mut first = seed(self.base.observations.iter().map(|o| o.id.as_str()));
        let elems = self.section::<wire::Observation>(
            Some(raw),
            JsonPath::root().field("observations"),
            limits.max_observations,
            "observations",
            &mut first,
        );
        bundle.observations.reserve(elems.len());
        for (e, w) in elems {
            let mut ok = self.entity_ref(&e, "subject", &w.subject, Role::Subject, roles);
            let kind = Kind::parse(&w.kind);
            if kind.is_none() {
                self.error(
                    &e,
                    "kind",
                    format!(
                        "unknown observation kind \"{}\"; expected one of {}",
                        w.kind,
                        Kind::expected()
                    ),
                );
                ok = false;
            }
            let provenance = Provenance::parse(&w.provenance);
            if provenance.is_none() {
                self.error(
                    &e,
                    "provenance",
                    format!(
                        "unknown provenance \"{}\"; expected {}",
                        w.provenance,
                        Provenance::expected()
                    ),
                );
                ok = false;
            }
            let observed_at = match parse_timestamp(&w.observed_at) {
                Ok(t) => Some(t),
                Err(m) => {
                    self.error(&e, "observed_at", m);
                    None
                }
            };
            let source = self.source_ref(&e, "source", &w.source, refs);
            let norm = match kind {
                Some(Kind::HttpHeader) if w.key.as_deref().is_none_or(|k| k.trim().is_empty()) => {
                    self.error(
                        &e,
                        "key",
                        "an http.header observation needs the header name in \"key\"",
                    );
                    None
                }
                Some(k) if k != Kind::HttpHeader && w.key.is_some() => {
                    self.error(
                        &e,
                        "key",
                        format!("\"key\" is only for http.header observations, not {k}"),
                    );
                    None
                }
                Some(k) => match normalize(k, w.key.as_deref(), &w.value) {
                    Ok(n) => Some(n),
                    Err(m) => {
                        self.error(&e, "value", m);
                        None
                    }
                },
                None => None,
            };
            let (true, Some(kind), Some(provenance), Some(observed_at), Some(source), Some(norm)) =
                (ok, kind, provenance, observed_at, source, norm)
            else {
                continue;
            };
            bundle.observations.push(Observation {
                id: w.id,
                subject: w.subject,
                target: normalize_host(&w.target),
                kind,
                key: norm.key.clone(),
                value: w.value,
                observed_at,
                method: w.method,
                source,
                provenance,
                norm,
            });
        }
    }

    fn load_rules(
        &mut self,
        raw: Option<&'t RawValue>,
        bundle: &mut Bundle,
        refs: &Refs,
        roles: &HashMap<String, Role>,
        limits: &Limits,
    ) {
        let Some(raw) = raw else { return };
        let ranges: HashMap<String, &RangeSet> = self
            .base
            .ranges
            .iter()
            .chain(&bundle.ranges)
            .map(|r| (r.id.clone(), r))
            .collect();
        let ctx = CompileContext {
            ranges: &ranges,
            limits,
        };
        let mut first = seed(self.base.rules.iter().map(|r| r.id.as_str()));
        let mut rules = Vec::new();
        for (e, w) in self.section::<wire::Rule>(
            Some(raw),
            JsonPath::root().field("rules"),
            limits.max_rules,
            "rules",
            &mut first,
        ) {
            let mut ok = self.entity_ref(&e, "provider", &w.provider, Role::Provider, roles);
            ok &= self.category_ref(&e, "category", &w.category, refs);
            let relationship = Relationship::parse(&w.relationship);
            if relationship.is_none() {
                self.error(
                    &e,
                    "relationship",
                    format!(
                        "unknown relationship \"{}\"; expected {}",
                        w.relationship,
                        Relationship::expected()
                    ),
                );
            }
            let kind = Kind::parse(&w.matcher.kind);
            let Some(kind) = kind else {
                self.error(
                    &e,
                    "match.kind",
                    format!(
                        "unknown observation kind \"{}\"; expected one of {}",
                        w.matcher.kind,
                        Kind::expected()
                    ),
                );
                continue;
            };
            if BUILTIN_CATEGORIES.contains(&w.category.as_str())
                && !kind.allowed_categories().contains(&w.category.as_str())
            {
                self.error(
                    &e,
                    "category",
                    format!(
                        "a {kind} observation cannot show category \"{}\"; it can show {}",
                        w.category,
                        kind.allowed_categories().join(", ")
                    ),
                );
                ok = false;
            }
            let key = match (&w.matcher.key, kind) {
                (Some(k), Kind::HttpHeader) => Some(k.trim().to_ascii_lowercase()),
                (Some(_), k) => {
                    self.error(
                        &e,
                        "match.key",
                        format!("\"key\" is only for http.header rules, not {k}"),
                    );
                    ok = false;
                    None
                }
                (None, _) => None,
            };
            let condition = match compile(&w.matcher.condition, kind, &ctx) {
                Ok(c) => Some(c),
                Err(errors) => {
                    for ce in errors {
                        self.error(&e, &join_path("match.condition", &ce.path), ce.message);
                    }
                    None
                }
            };
            if w.explanation.trim().is_empty() {
                self.error(
                    &e,
                    "explanation",
                    "the explanation is empty; say why a match means this",
                );
                ok = false;
            }
            for (i, r) in w.references.iter().enumerate() {
                if let Err(m) = check_url(r) {
                    self.error(&e, &format!("references[{i}]"), m);
                    ok = false;
                }
            }
            let mut dates = [None, None];
            for (slot, (name, v)) in [("valid_from", &w.valid_from), ("valid_to", &w.valid_to)]
                .into_iter()
                .enumerate()
            {
                if let Some(v) = v {
                    match parse_date(v) {
                        Ok(d) => dates[slot] = Some(d),
                        Err(m) => {
                            self.error(&e, name, m);
                            ok = false;
                        }
                    }
                }
            }
            if let [Some(from), Some(to)] = dates {
                if from > to {
                    self.error(&e, "valid_to", "valid_to is before valid_from");
                    ok = false;
                }
            }
            let n_examples = w.examples.must_match.len() + w.examples.no_match.len();
            if n_examples > limits.max_examples {
                self.error(
                    &e,
                    "examples",
                    format!(
                        "{n_examples} examples, more than the limit of {}",
                        limits.max_examples
                    ),
                );
                ok = false;
            }
            if w.examples.must_match.is_empty() {
                self.warn(
                    &e,
                    "examples.match",
                    "no examples the rule must match; add one so the rule is tested",
                );
            }
            let (Some(relationship), Some(condition), true) = (relationship, condition, ok) else {
                continue;
            };
            let to_model = |x: &wire::Example| match x {
                wire::Example::Value(v) => Example {
                    key: None,
                    value: v.clone(),
                },
                wire::Example::Keyed { key, value } => Example {
                    key: Some(key.clone()),
                    value: value.clone(),
                },
            };
            let rule = Rule {
                id: w.id,
                provider: w.provider,
                category: w.category,
                relationship,
                kind,
                key,
                condition,
                explanation: w.explanation,
                references: w.references,
                must_match: w.examples.must_match.iter().map(to_model).collect(),
                no_match: w.examples.no_match.iter().map(to_model).collect(),
                valid_from: dates[0],
                valid_to: dates[1],
            };
            // A rule whose examples misbehave is kept (it compiled) but is an error.
            for failure in run_examples(&rule).into_iter().filter(|r| !r.passed) {
                let field = if failure.must_match {
                    "match"
                } else {
                    "no_match"
                };
                self.error(
                    &e,
                    &format!("examples.{field}[{}]", failure.index),
                    failure.message,
                );
            }
            rules.push(rule);
        }
        bundle.rules = rules;
    }

    fn load_claims(
        &mut self,
        raw: Option<&'t RawValue>,
        bundle: &mut Bundle,
        refs: &Refs,
        roles: &HashMap<String, Role>,
        limits: &Limits,
    ) {
        let Some(raw) = raw else { return };
        let mut first = seed(self.base.claims.iter().map(|c| c.id.as_str()));
        for (e, w) in self.section::<wire::Claim>(
            Some(raw),
            JsonPath::root().field("claims"),
            limits.max_claims,
            "claims",
            &mut first,
        ) {
            let mut ok = self.entity_ref(&e, "subject", &w.subject, Role::Subject, roles);
            ok &= self.entity_ref(&e, "provider", &w.provider, Role::Provider, roles);
            if let Some(c) = &w.category {
                ok &= self.category_ref(&e, "category", c, refs);
            }
            let source = self.source_ref(&e, "source", &w.source, refs);
            let as_of = match w.as_of.as_deref().map(parse_date) {
                Some(Ok(d)) => Some(d),
                Some(Err(m)) => {
                    self.error(&e, "as_of", m);
                    ok = false;
                    None
                }
                None => None,
            };
            let status = ClaimStatus::parse(&w.status);
            match status {
                None => {
                    self.error(
                        &e,
                        "status",
                        format!(
                            "unknown status \"{}\"; expected {}",
                            w.status,
                            ClaimStatus::expected()
                        ),
                    );
                }
                Some(ClaimStatus::Corrected | ClaimStatus::Withdrawn) if w.note.is_none() => {
                    self.warn(
                        &e,
                        "status",
                        format!("a {} claim should carry a note saying why", w.status),
                    );
                }
                _ => {}
            }
            let (true, Some(source), Some(status)) = (ok, source, status) else {
                continue;
            };
            bundle.claims.push(Claim {
                id: w.id,
                subject: w.subject,
                provider: w.provider,
                category: w.category,
                source,
                quote: w.quote,
                as_of,
                status,
                note: w.note,
            });
        }
    }
}

/// Wire elements identified by an `id` field.
trait Identified {
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

/// Ids other sections may reference.
struct Refs {
    sources: HashSet<String>,
    categories: HashSet<String>,
}

/// Accepts only absolute http(s) URLs with a host.
pub fn check_url(url: &str) -> Result<(), String> {
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(r)
            if !r.is_empty() && !r.starts_with('/') && !url.chars().any(char::is_whitespace) =>
        {
            Ok(())
        }
        Some(_) => Err(format!("\"{url}\" is not a valid http(s) URL")),
        None => Err(format!(
            "\"{url}\" is not an http(s) URL; only http and https links are allowed"
        )),
    }
}

fn join_path(base: &str, rel: &str) -> String {
    if rel.is_empty() {
        base.to_string()
    } else if base.is_empty() {
        rel.to_string()
    } else if rel.starts_with('[') {
        format!("{base}{rel}")
    } else {
        format!("{base}.{rel}")
    }
}

/// Drops serde_json's " at line L column C" suffix; the diagnostic carries it.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<String> {
        load(text, &Limits::default())
            .diagnostics
            .iter()
            .map(|d| d.render("t.json"))
            .collect()
    }

    #[test]
    fn urls() {
        assert!(check_url("https://example.com/x").is_ok());
        assert!(check_url("javascript:alert(1)").is_err());
        assert!(check_url("data:text/html,x").is_err());
        assert!(check_url("https:///x").is_err());
    }

    #[test]
    fn invalid_json_has_a_position() {
        assert_eq!(
            messages("{\n  \"format\": \n}"),
            ["t.json:3:1: error: invalid JSON: expected value"]
        );
    }

    #[test]
    fn one_bad_element_costs_only_itself() {
        let text = r#"{"format": "whoserves/1", "meta": {"title": "t"},
 "entities": [
  {"id": "a", "role": "subject", "name": "A"},
  {"id": "b", "role": "subject", "name": 3},
  {"id": "c", "role": "boss", "name": "C"}
 ]}"#;
        let loaded = load(text, &Limits::default());
        assert_eq!(loaded.bundle.entities.len(), 1);
        let m: Vec<String> = loaded
            .diagnostics
            .iter()
            .map(|d| d.render("t.json"))
            .collect();
        assert_eq!(
            m,
            [
                "t.json:4:42: error: entities[1].name: invalid type: integer `3`, expected a string",
                "t.json:5:23: error: entities[2].role: unknown role \"boss\"; expected \"subject\", \"provider\"",
            ]
        );
    }
}
