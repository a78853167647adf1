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
//!
//! The loader is split by section around a small reporting core:
//! [`reporter`] (elements, located diagnostics, id and reference checks),
//! then `meta`, `entities`, `ranges`, `observations`, `rules` and
//! `claims`, one file each, in the order they load.

mod chunked;
mod claims;
mod entities;
mod meta;
mod observations;
mod ranges;
mod reporter;
mod rules;

use crate::diag::{Code, Diagnostic, Severity};
use crate::limits::Limits;
use crate::locate::{scan, scan_member};
use crate::model::*;
use crate::wire;
use observations::ObservationRaw;
use reporter::{Loader, Refs};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

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

/// Loads and validates a bundle from its JSON text.
///
/// # Example
/// ```
/// use whoserves_core::{load, Limits};
/// let loaded = load(r#"{"format": "whoserves/1", "meta": {"title": "t"}, "rules": 3}"#, &Limits::default());
/// assert_eq!(loaded.bundle.meta.title, "t");
/// assert_eq!(loaded.diagnostics[0].render("b.json"), "b.json:1:60: error[type]: rules: expected an array");
/// ```
pub fn load(text: &str, limits: &Limits) -> Loaded {
    load_with(text, limits, &Bundle::default())
}

/// Loads a bundle on top of `base`, the already loaded contents of the
/// libraries it includes (see [`includes`]). References may point into
/// `base`; ids must not repeat ids of `base`. The result holds both.
pub fn load_with(text: &str, limits: &Limits, base: &Bundle) -> Loaded {
    load_either(text, limits, base, true)
}

/// [`load_with`], in one pass where the text allows (`fast`) or always the
/// careful way; both give the same result (a test holds them equal).
fn load_either(text: &str, limits: &Limits, base: &Bundle, fast: bool) -> Loaded {
    // RFC 8259 lets a parser ignore a byte-order mark; editors on Windows
    // write one. Positions count from after it, as editors show them.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut cx = Loader::new(text, base);
    cx.fast = fast;
    let mut bundle = Bundle::default();
    cx.load_into(&mut bundle, limits);
    let mut bundle = merge(base, bundle, std::mem::take(&mut cx.redeclared));
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
    include_entries(text)
        .map(|(entries, _)| entries.iter().map(|e| e.path().to_string()).collect())
        .unwrap_or_default()
}

/// The `include` entries of a bundle text and the kinds of its
/// observations, read without validating anything else; `None` when the
/// text is not a bundle of that shape ([`load_with`] reports why).
pub(crate) fn include_entries(
    text: &str,
) -> Option<(Vec<crate::wire::Include>, crate::hash::HashSet<String>)> {
    // A key spells `include` as written, or with a \u escape: a text with
    // neither has no include list, and is not parsed to find none (a big
    // bundle's observations are most of the work of parsing it).
    let finder = |needle: &str| memchr::memmem::find(text.as_bytes(), needle.as_bytes()).is_some();
    if !finder("include") && !finder("\\u") {
        return Some((Vec::new(), Default::default()));
    }
    #[derive(Deserialize)]
    struct Top {
        #[serde(default)]
        include: Vec<crate::wire::Include>,
        #[serde(default)]
        observations: Vec<KindOf>,
    }
    let top: Top = serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(text)).ok()?;
    let kinds = top.observations.into_iter().filter_map(|o| o.0).collect();
    Some((top.include, kinds))
}

/// The visitor methods of [`KindOf`] and [`KindValue`] for numbers,
/// booleans and null: none of them names a kind.
macro_rules! no_kind_in_scalars {
    ($t:ident) => {
        fn visit_bool<E>(self, _: bool) -> Result<$t, E> {
            Ok($t(None))
        }
        fn visit_i64<E>(self, _: i64) -> Result<$t, E> {
            Ok($t(None))
        }
        fn visit_u64<E>(self, _: u64) -> Result<$t, E> {
            Ok($t(None))
        }
        fn visit_f64<E>(self, _: f64) -> Result<$t, E> {
            Ok($t(None))
        }
        fn visit_unit<E>(self) -> Result<$t, E> {
            Ok($t(None))
        }
    };
}

/// The `kind` of one observation, read in the same pass that skips the
/// rest of it; `None` when the element is too broken to name its kind (not
/// an object, or a `kind` that is not a string), which needs no library.
/// Only malformed JSON fails: [`load_with`] then says why.
struct KindOf(Option<String>);

impl<'de> Deserialize<'de> for KindOf {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KindOf;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an observation")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KindOf, A::Error> {
                // A `kind` given twice names none, as it did to the
                // derived reader this replaces (serde refuses the field).
                let (mut kind, mut seen) = (None, 0);
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if key == "kind" {
                        seen += 1;
                        kind = map.next_value::<KindValue>()?.0;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(KindOf(kind.filter(|_| seen == 1)))
            }
            // The array form of an observation names its kind only if it
            // is that one string (a one-field struct read from a sequence).
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<KindOf, A::Error> {
                let first = seq.next_element::<KindValue>()?.and_then(|k| k.0);
                let mut more = false;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    more = true;
                }
                Ok(KindOf(first.filter(|_| !more)))
            }
            fn visit_str<E>(self, _: &str) -> Result<KindOf, E> {
                Ok(KindOf(None))
            }
            no_kind_in_scalars!(KindOf);
        }
        d.deserialize_any(V)
    }
}

/// A `kind` value: the string, or `None` for any other JSON value.
struct KindValue(Option<String>);

impl<'de> Deserialize<'de> for KindValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{IgnoredAny, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KindValue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an observation kind")
            }
            fn visit_str<E>(self, s: &str) -> Result<KindValue, E> {
                Ok(KindValue(Some(s.to_string())))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<KindValue, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(KindValue(None))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<KindValue, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(KindValue(None))
            }
            no_kind_in_scalars!(KindValue);
        }
        d.deserialize_any(V)
    }
}

/// `base` followed by `own`; `own`'s meta wins, sources of both are kept,
/// and a category `own` declares replaces the one of `base`. An entity
/// declared again alike (`again`) keeps its first name and parent; the
/// second declaration fills a missing country and short name and adds its
/// sources, aliases, domains and listings.
fn merge(base: &Bundle, own: Bundle, again: Vec<Entity>) -> Bundle {
    if base.entities.is_empty() && base.rules.is_empty() && base.meta.sources.is_empty() {
        return own;
    }
    let mut out = base.clone();
    for a in again {
        let Some(e) = out.entities.iter_mut().find(|e| e.id == a.id) else {
            continue;
        };
        e.country = e.country.take().or(a.country);
        e.short_name = e.short_name.take().or(a.short_name);
        for s in a.sources {
            if !e.sources.contains(&s) {
                e.sources.push(s);
            }
        }
        for x in a.aliases {
            if !e.aliases.contains(&x) {
                e.aliases.push(x);
            }
        }
        for d in a.domains {
            if !e.domains.contains(&d) {
                e.domains.push(d);
            }
        }
        e.listings.extend(a.listings);
    }
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
    out.absences.extend(own.absences);
    out.ranges.extend(own.ranges);
    out.rules.extend(own.rules);
    out.rejected_rules.extend(own.rejected_rules);
    out.claims.extend(own.claims);
    out
}

/// The top level as [`Loader::fast_top`] reads it: each member's raw
/// text, but the observations deserialised in the same pass. Fails on a
/// key given twice, and on a key written with escapes (borrowed keys
/// only): positions are found later by the key's bytes
/// ([`crate::locate::find_path`]), which an escaped key would not match.
struct FastTop<'t> {
    members: BTreeMap<String, &'t RawValue>,
    observations: Option<chunked::Chunked<ObservationRaw<'t>>>,
}

impl<'de> Deserialize<'de> for FastTop<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{Error, MapAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FastTop<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a bundle object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FastTop<'de>, A::Error> {
                let mut top = FastTop {
                    members: BTreeMap::new(),
                    observations: None,
                };
                while let Some(key) = map.next_key::<&'de str>()? {
                    if key == "observations" {
                        if top.observations.is_some() {
                            return Err(A::Error::custom("duplicate key"));
                        }
                        top.observations = Some(map.next_value()?);
                    } else if top
                        .members
                        .insert(key.to_string(), map.next_value()?)
                        .is_some()
                    {
                        return Err(A::Error::custom("duplicate key"));
                    }
                }
                Ok(top)
            }
        }
        d.deserialize_map(V)
    }
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
    fn load_into(&mut self, bundle: &mut Bundle, limits: &Limits) {
        let text = self.text;
        if text.len() > limits.max_bytes {
            self.push(
                Severity::Error,
                Code::Limit,
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
        // Most bundles are well formed: one pass reads them (see
        // `fast_top`). Anything it cannot vouch for goes the careful way,
        // which finds and locates every structural problem.
        let fast = if self.fast {
            self.fast_top(limits)
        } else {
            None
        };
        let (top, observations) = match fast {
            Some((top, observations)) => (top, Some(observations)),
            None => match self.careful_top(limits) {
                Some(top) => (top, None),
                None => return,
            },
        };
        for (key, raw) in &top {
            if !SECTIONS.contains(&key.as_str()) {
                let off = self.offset_of(raw.get());
                self.push(
                    Severity::Error,
                    Code::Section,
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
                Code::Format,
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
                let off = self.offset_of(raw.get());
                self.push(
                    Severity::Error,
                    Code::Format,
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
        match observations {
            Some(parsed) => self.load_parsed_observations(parsed, bundle, &refs, &roles, limits),
            None => self.load_observations(
                top.get("observations").copied(),
                bundle,
                &refs,
                &roles,
                limits,
            ),
        }
        self.load_rules(top.get("rules").copied(), bundle, &refs, &roles, limits);
        self.load_claims(top.get("claims").copied(), bundle, &refs, &roles, limits);
        self.note_missing_library(top.get("include").copied());
    }

    /// The top level the careful way: one scan finds too deep nesting
    /// (before any parser recurses), duplicate keys at any depth, and
    /// where each element of each section is; then the parser splits the
    /// top level into its members. `None` (after reporting) when the text
    /// is not a JSON object or nests too deep.
    fn careful_top(&mut self, limits: &Limits) -> Option<BTreeMap<String, &'t RawValue>> {
        let text = self.text;
        // One pass finds too deep nesting (before any parser recurses),
        // duplicate keys, and where each element of each section is.
        let scanned = scan(text, limits.max_depth);
        if let Some(off) = scanned.too_deep {
            self.push(
                Severity::Error,
                Code::Limit,
                String::new(),
                Some(off),
                format!(
                    "arrays and objects nest deeper than the limit of {}",
                    limits.max_depth
                ),
            );
            return None;
        }
        let top: BTreeMap<String, &'t RawValue> = match serde_json::from_str(text) {
            Ok(t) => t,
            Err(e) => {
                let message = if e.is_syntax() || e.is_eof() {
                    let cause = likely_cause(text, e.line(), e.column())
                        .map(|c| format!("; {c}"))
                        .unwrap_or_default();
                    format!("invalid JSON: {}{cause}", strip_position(&e.to_string()))
                } else {
                    "the bundle must be a JSON object".to_string()
                };
                let mut d = Diagnostic::error(Code::Json, "", message);
                if e.line() > 0 {
                    d = d.at(e.line(), e.column().max(1));
                }
                self.diags.push(d);
                return None;
            }
        };
        // serde keeps the last of two equal keys in a map; the format says
        // a key may appear once in any object, the top level included.
        if scanned.complete {
            self.arrays = scanned.arrays;
        }
        for dup in scanned.duplicates {
            let message = format!(
                "duplicate key \"{}\" (first at line {}); a key may appear only once in an object",
                dup.key,
                self.position(dup.first).0
            );
            self.push(
                Severity::Error,
                Code::DuplicateKey,
                dup.path,
                Some(dup.offset),
                message,
            );
        }
        Some(top)
    }

    /// The top level in one pass, for a well-formed bundle: the parser
    /// reads the members and deserialises the observations (most of a
    /// bundle) there and then, and only the other members are scanned
    /// (`locate::scan_member`) for nesting, duplicate keys and their
    /// elements. `None`, with nothing reported, as soon as anything would
    /// need a diagnostic of the careful way (`careful_top`) or a position
    /// the one pass cannot find: text that is not a JSON object, a key
    /// given twice at the top level, a top-level key written with escapes,
    /// an observation that does not deserialise (its fields are strings,
    /// so one that does can neither nest too deep nor repeat a key: serde
    /// refuses a field given twice), more observations than the limit, or
    /// a scanned member that nests too deep or repeats a key. The
    /// observations' positions are found only if one of them has a
    /// diagnostic ([`Loader::lazy_raw`]).
    fn fast_top(
        &mut self,
        limits: &Limits,
    ) -> Option<(
        BTreeMap<String, &'t RawValue>,
        chunked::Chunked<ObservationRaw<'t>>,
    )> {
        let text = self.text;
        // The observation objects sit at depth 2.
        if limits.max_depth < 3 {
            return None;
        }
        let top: FastTop<'t> = serde_json::from_str(text).ok()?;
        let observations = top.observations.unwrap_or_default();
        if observations.len()
            > limits
                .max_observations
                .saturating_sub(self.base.observations.len())
        {
            return None;
        }
        let mut arrays = Vec::new();
        for (key, raw) in &top.members {
            let scanned = scan_member(text, key, self.offset_of(raw.get()), limits.max_depth);
            if scanned.too_deep.is_some() || !scanned.duplicates.is_empty() || !scanned.complete {
                return None;
            }
            arrays.extend(scanned.arrays);
        }
        self.arrays = arrays;
        self.lazy_depth = limits.max_depth;
        Some((top.members, observations))
    }

    /// One note for every reference to an id the shipped rule library
    /// declares: the line to add, instead of only "unknown entity".
    fn note_missing_library(&mut self, include: Option<&'t RawValue>) {
        if self.missing_library.is_empty() {
            return;
        }
        let ids: Vec<String> = self
            .missing_library
            .iter()
            .map(|id| format!("\"{id}\""))
            .collect();
        let line = crate::hint::SHIPPED_LIBRARY;
        let add = match include {
            None => format!("add \"include\": [\"{line}\"] to the bundle"),
            Some(_) => format!("add \"{line}\" to \"include\""),
        };
        let off = include.map(|r| self.offset_of(r.get()));
        let message = format!(
            "{} {} declared in the shipped rule library; {add}. The path is relative to this file: the site reads a file opened from disk as if it sat in its bundles/ folder, and the CLI needs the library at that path (public/rules/providers.json in the repository)",
            ids.join(", "),
            if ids.len() == 1 { "is" } else { "are" }
        );
        self.push(
            Severity::Error,
            Code::Include,
            "include".into(),
            off,
            message,
        );
    }
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

/// The mistake that most likely caused a JSON syntax error at 1-based
/// `line` and `column` (serde_json counts bytes): a comma before `}` or
/// `]`, a comment, or single quotes. Those are what people bring from
/// JavaScript, and serde_json's own words ("key must be a string") do not
/// name them.
fn likely_cause(text: &str, line: usize, column: usize) -> Option<String> {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    let line_text = text[start..].split('\n').next().unwrap_or("");
    let mut at = start + column.min(line_text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    // serde_json points at or just after the offending character.
    let before = text[..at].trim_end();
    let here = text[at..].trim_start().chars().next();
    let (before, closer) = match before.chars().last() {
        Some(c @ ('}' | ']')) => (before[..before.len() - 1].trim_end(), Some(c)),
        _ => (before, here.filter(|c| matches!(c, '}' | ']'))),
    };
    if let (Some(closer), true) = (closer, before.ends_with(',')) {
        let comma = before.len() - 1;
        let (l, c) = crate::locate::LineIndex::new(text).line_col(text, comma);
        return Some(format!(
            "probably a trailing comma at line {l}, column {c}: JSON allows no comma before '{closer}'; remove it"
        ));
    }
    let last = before.chars().last();
    // The character before the error and the one at it, whatever their width.
    let next: String = text[..at]
        .chars()
        .last()
        .into_iter()
        .chain(text[at..].chars())
        .take(2)
        .collect();
    if next.contains("//") || next.contains("/*") || last == Some('/') || here == Some('/') {
        return Some("JSON has no comments; remove them".into());
    }
    if last == Some('\'') || here == Some('\'') {
        return Some("JSON strings and keys take double quotes (\"), not single quotes".into());
    }
    None
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

    /// Every fixture, and every text one deleted byte away from a small
    /// one, loads alike in one pass and the careful way: the same bundle
    /// and the same diagnostics, positions included.
    #[test]
    fn one_pass_and_careful_loading_agree() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        let mut texts = Vec::new();
        for dir in [
            "broken",
            "verdicts",
            "shipped",
            "hostile",
            "libraries",
            "signed",
        ] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            for e in entries.flatten() {
                if e.path().extension().is_some_and(|x| x == "json") {
                    texts.push(std::fs::read_to_string(e.path()).unwrap_or_default());
                }
            }
        }
        texts.push(include_str!("../../../../public/bundles/demo.json").to_string());
        let small = r#"{"format": "whoserves/1", "meta": {"title": "t", "sources": [{"id": "s", "title": "s"}]},
            "entities": [{"id": "f", "role": "subject", "name": "F"}, {"id": "p", "role": "provider", "name": "P"}],
            "observations": [{"id": "o1", "subject": "f", "target": "f.example", "kind": "dns.cname", "value": "x.p.example",
                "observed_at": "2020-05-01", "source": "s", "provenance": "observed"},
              {"id": "o2", "subject": "g", "target": "f.example", "kind": "dns.mx", "value": "mx.p.example",
                "observed_at": "2020-05-01T10:00:00Z", "source": "s", "provenance": "observed"}],
            "rules": [{"id": "r", "provider": "p", "category": "cdn", "relationship": "direct",
                "match": {"kind": "dns.cname", "condition": {"domain_suffix": "p.example"}}, "explanation": "e",
                "references": ["https://p.example/docs"]}]}"#;
        // The small one is read in one pass, with its unknown subject
        // located lazily.
        let empty = Bundle::default();
        assert!(Loader::new(small, &empty)
            .fast_top(&Limits::default())
            .is_some());
        let l = load(small, &Limits::default());
        assert_eq!(
            l.diagnostics[0].render("t"),
            "t:5:39: error[unknown-ref]: observations[1].subject: unknown entity \"g\""
        );
        // An escaped top-level key is read the careful way, and its
        // diagnostics are located alike.
        let escaped = small.replace("\"observations\"", "\"\\u006fbservations\"");
        assert!(Loader::new(&escaped, &empty)
            .fast_top(&Limits::default())
            .is_none());
        texts.push(escaped);
        for i in 0..small.len() {
            if small.is_char_boundary(i) && small.is_char_boundary(i + 1) {
                texts.push(format!("{}{}", &small[..i], &small[i + 1..]));
            }
        }
        assert!(texts.len() > 500, "{} texts", texts.len());
        let limits = Limits::default();
        let mut fast_ones = 0;
        for t in &texts {
            let a = load_either(t, &limits, &Bundle::default(), true);
            let b = load_either(t, &limits, &Bundle::default(), false);
            let render = |l: &Loaded| {
                let d: Vec<String> = l.diagnostics.iter().map(|d| d.render("t")).collect();
                // The bundle as written (its indexes are hash maps, whose
                // order differs run to run), and every observation whole.
                let json = serde_json::to_string(&l.bundle).unwrap_or_default();
                (json, format!("{:?}", l.bundle.observations), d)
            };
            assert_eq!(render(&a), render(&b), "{t}");
            fast_ones += usize::from(!a.bundle.observations.is_empty());
        }
        assert!(fast_ones > 100, "{fast_ones} texts with observations");
    }

    #[test]
    fn include_entries_read_the_kinds_of_observations_in_one_pass() {
        let text = r#"{"include": [{"path": "l.json", "kinds": ["dns.a"]}],
            "observations": [3, {"kind": 5}, {"k\u0069nd": "dns.mx", "x": [1, {"kind": "tls.issuer"}]},
                {"value": "v", "kind": {"kind": "ip.asn"}}, {"id": "o", "kind": "dns.a"}, [{"kind": "dns.ns"}],
                {"kind": "dns.soa", "kind": "dns.soa"}, {"kind": 5, "kind": "dns.txt"}, ["html.script_src"],
                ["ip.cidr", "x"]]}"#;
        let (entries, kinds) = include_entries(text).expect("a bundle");
        assert_eq!(entries.len(), 1);
        let mut kinds: Vec<String> = kinds.into_iter().collect();
        kinds.sort();
        // Only the kinds of objects, read as strings at their top level
        // (an escaped key is the same key) and given once; and the one
        // string of an observation written as a one-element array.
        assert_eq!(kinds, ["dns.a", "dns.mx", "html.script_src"]);
        // Text that is not a bundle has no includes.
        assert!(include_entries(r#"{"include": [], "observations": 3}"#).is_none());
        assert!(include_entries(r#"{"include": [], "observations": [{"kind": "dns.a"}"#).is_none());
        // Nor has text that never spells the key, which is not parsed.
        let (entries, kinds) = include_entries(r#"{"observations": 3}"#).unwrap();
        assert!(entries.is_empty() && kinds.is_empty());
        // A key with an escape is still found.
        let escaped = r#"{"\u0069nclude": ["l.json"], "observations": []}"#;
        assert_eq!(includes(escaped), ["l.json"]);
    }

    #[test]
    fn urls() {
        assert!(check_url("https://example.com/x").is_ok());
        assert!(check_url("javascript:alert(1)").is_err());
        assert!(check_url("data:text/html,x").is_err());
        assert!(check_url("https:///x").is_err());
    }

    #[test]
    fn the_likely_cause_reader_is_safe_on_wide_characters() {
        // The property test's find: a syntax error right after a 4-byte character.
        for text in ["\"ךּ𑼀థ8b^]𚿻<]𔔮", "{\"a\": 1,𔔮}", "{'a': 𔔮}", "𔔮//"] {
            for line in 0..3 {
                for column in 0..40 {
                    let _ = likely_cause(text, line, column);
                }
            }
        }
    }

    #[test]
    fn invalid_json_has_a_position() {
        assert_eq!(
            messages("{\n  \"format\": \n}"),
            ["t.json:3:1: error[json]: invalid JSON: expected value"]
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
                "t.json:4:42: error[type]: entities[1].name: invalid type: integer `3`, expected a string",
                "t.json:5:23: error[keyword]: entities[2].role: unknown role \"boss\"; expected \"subject\", \"provider\"",
            ]
        );
    }
}
