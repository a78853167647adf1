//! `meta` (title, sources), `include` and `categories`.

use super::check_url;
use super::reporter::{seed, Elem, Loader};
use crate::date::parse_date;
use crate::diag::{Code, JsonPath, Severity};
use crate::hash::HashSet;
use crate::limits::Limits;
use crate::model::*;
use crate::wire;
use serde::Deserialize;
use serde_json::value::RawValue;

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
    publisher: Option<String>,
    #[serde(default)]
    license: Option<String>,
    #[serde(default)]
    banner: Option<String>,
    #[serde(default, borrow)]
    sources: Option<&'a RawValue>,
}

impl<'t> Loader<'t> {
    pub(super) fn load_meta(
        &mut self,
        raw: Option<&'t RawValue>,
        bundle: &mut Bundle,
        limits: &Limits,
    ) -> HashSet<std::sync::Arc<str>> {
        let mut ids: HashSet<std::sync::Arc<str>> = self
            .base
            .meta
            .sources
            .iter()
            .map(|s| s.id.as_str().into())
            .collect();
        let Some(raw) = raw else {
            self.push(
                Severity::Error,
                Code::Section,
                "meta".into(),
                Some(0),
                "missing section \"meta\" (it needs at least a title)".into(),
            );
            return ids;
        };
        let elem = Elem {
            raw: raw.get(),
            parent: std::rc::Rc::new(JsonPath::root().field("meta")),
            index: None,
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
            self.error(Code::Empty, &elem, "title", "the title is empty");
        }
        if let Some(p) = &meta.published {
            if let Err(m) = parse_date(p) {
                self.error(Code::Date, &elem, "published", m);
            }
        }
        bundle.meta = Meta {
            title: meta.title,
            description: meta.description,
            published: meta.published,
            authors: meta.authors,
            publisher: meta.publisher,
            license: meta.license,
            banner: meta.banner,
            sources: Vec::new(),
        };
        // `meta.sources` is parsed element by element like the sections.
        let mut first = seed(self.base.meta.sources.iter().map(|s| s.id.as_str()));
        let sources = self.section::<wire::Source>(
            meta.sources,
            elem.path().field("sources"),
            (limits.max_sources, self.base.meta.sources.len()),
            "sources",
            &mut first,
        );
        for (e, s) in &sources {
            let mut ok = true;
            if let Some(u) = &s.url {
                if let Err(m) = check_url(u) {
                    self.error(Code::Url, e, "url", m);
                    ok = false;
                }
            }
            if let Some(d) = &s.date {
                if let Err(m) = parse_date(d) {
                    self.error(Code::Date, e, "date", m);
                    ok = false;
                }
            }
            if !ok {
                continue;
            }
            ids.insert(s.id.as_str().into());
            bundle.meta.sources.push(Source {
                id: s.id.clone(),
                title: s.title.clone(),
                publisher: s.publisher.clone(),
                url: s.url.clone(),
                date: s.date.clone(),
            });
        }
        ids
    }

    /// Checks `include` is a list of relative paths or http(s) URLs.
    pub(super) fn check_includes(&mut self, raw: &'t RawValue) {
        let path = JsonPath::root().field("include");
        for e in self.elements(raw, path, (crate::include::MAX_INCLUDES, 0), "includes") {
            let Some(inc) = self.parse::<wire::Include>(&e) else {
                continue;
            };
            if let Some(kinds) = inc.kinds() {
                if kinds.is_empty() {
                    self.error(
                        Code::Empty,
                        &e,
                        "kinds",
                        "the list of kinds is empty, so the library would never be read; list the observation kinds its rules read, or give the path alone",
                    );
                }
                for (i, k) in kinds.iter().enumerate() {
                    if crate::keywords::Kind::parse(k).is_none() {
                        self.error(
                            Code::Keyword,
                            &e,
                            &format!("kinds[{i}]"),
                            format!(
                                "unknown observation kind \"{k}\"; expected {}",
                                crate::keywords::Kind::expected()
                            ),
                        );
                    }
                }
            }
            if let Some(h) = inc.sha256() {
                if h.len() != 64
                    || !h
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                {
                    self.error(
                        Code::Value,
                        &e,
                        "sha256",
                        format!("\"{h}\" is not a SHA-256: write 64 lower-case hex digits, e.g. the output of `sha256sum`"),
                    );
                }
            }
            let s = inc.path().to_string();
            let rel = if matches!(inc, wire::Include::When(_)) {
                "path"
            } else {
                ""
            };
            let looks_like_url = s.contains(':');
            if looks_like_url {
                if let Err(m) = check_url(&s) {
                    self.error(Code::Include, &e, rel, m);
                }
            } else if s.trim().is_empty() || s.starts_with('/') {
                self.error(
                    Code::Include,
                    &e,
                    rel,
                    format!("\"{s}\" must be a path relative to this bundle or an http(s) URL"),
                );
            }
        }
    }

    pub(super) fn load_categories(
        &mut self,
        raw: Option<&'t RawValue>,
        bundle: &mut Bundle,
        limits: &Limits,
    ) -> HashSet<String> {
        let mut first = super::reporter::Firsts::default();
        let mut declared = Vec::new();
        if let Some(raw) = raw {
            for (_, c) in self.section::<wire::Category>(
                Some(raw),
                JsonPath::root().field("categories"),
                (limits.max_categories, 0),
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
}
