//! `observations`: one raw fact each, normalised for matching.

use super::reporter::{seed, Loader, Refs, Roles};
use crate::date::parse_timestamp;
use crate::diag::{Code, JsonPath};
use crate::limits::Limits;
use crate::model::*;
use crate::normalize::{normalize_host, normalize_on};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

impl<'t> Loader<'t> {
    pub(super) fn load_observations(
        &mut self,
        raw: Option<&'t RawValue>,
        bundle: &mut Bundle,
        refs: &Refs,
        roles: &Roles,
        limits: &Limits,
    ) {
        let Some(raw) = raw else { return };
        let mut first = seed(self.base.observations.iter().map(|o| o.id.as_str()));
        // The scan knows how many there are: one allocation.
        let at = self.offset_of(raw.get());
        let count = self
            .arrays
            .iter()
            .find(|(start, _)| *start == at)
            .map_or(0, |(_, spans)| spans.len());
        bundle
            .observations
            .reserve(count.min(limits.max_observations));
        self.section_each::<ObservationRaw<'t>>(
            Some(raw),
            JsonPath::root().field("observations"),
            (limits.max_observations, self.base.observations.len()),
            "observations",
            &mut first,
            |this, e, w| this.observation(e, w, bundle, refs, roles, limits),
        );
    }

    /// The observations `fast_top` deserialised in its one pass, checked
    /// and added as [`Loader::load_observations`] does; their elements
    /// carry no text until one needs a position ([`Loader::lazy_raw`]).
    pub(super) fn load_parsed_observations(
        &mut self,
        parsed: super::chunked::Chunked<ObservationRaw<'t>>,
        bundle: &mut Bundle,
        refs: &Refs,
        roles: &Roles,
        limits: &Limits,
    ) {
        let mut first = seed(self.base.observations.iter().map(|o| o.id.as_str()));
        first.reserve(parsed.len());
        bundle.observations.reserve(parsed.len());
        let parent = std::rc::Rc::new(JsonPath::root().field("observations"));
        for (i, w) in parsed.into_iter().enumerate() {
            let e = super::reporter::Elem {
                raw: "",
                parent: parent.clone(),
                index: Some(i),
            };
            let id = w.id.clone();
            if self.check_id_as(&e, &w.id, &mut first, || id) {
                self.observation(e, w, bundle, refs, roles, limits);
            }
        }
    }

    /// Checks one observation and adds it to `bundle`, or reports why not.
    fn observation(
        &mut self,
        e: super::reporter::Elem<'t>,
        w: ObservationRaw<'t>,
        bundle: &mut Bundle,
        refs: &Refs,
        roles: &Roles,
        limits: &Limits,
    ) {
        {
            let subject = self.entity_ref(&e, "subject", &w.subject, Role::Subject, roles);
            let mut ok = subject.is_some();
            let kind = Kind::parse(&w.kind);
            if kind.is_none() {
                self.error(
                    Code::Keyword,
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
                    Code::Keyword,
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
            let observed_at = self.timestamp(&e, &w.observed_at);
            let source = self.source_ref(&e, "source", &w.source, refs);
            let target = if w.target.bytes().any(|b| b.is_ascii_uppercase())
                || w.target.ends_with('.')
                || w.target.trim().len() != w.target.len()
            {
                normalize_host(&w.target)
            } else {
                w.target.into_owned()
            };
            if let Some(reason) = &w.absent {
                let absent = self.absence(&e, kind, reason, &w.value);
                if let (
                    true,
                    Some(kind),
                    Some(provenance),
                    Some(observed_at),
                    Some(source),
                    Some(absent),
                ) = (ok, kind, provenance, observed_at, source, absent)
                {
                    bundle.absences.push(Absence {
                        id: w.id.into_owned(),
                        subject: w.subject.into_owned(),
                        target,
                        kind,
                        absent,
                        observed_at,
                        method: w.method.map(Cow::into_owned),
                        source,
                        provenance,
                    });
                }
                return;
            }
            let norm = match kind {
                Some(Kind::HttpHeader) if w.key.as_deref().is_none_or(|k| k.trim().is_empty()) => {
                    self.error(
                        Code::Value,
                        &e,
                        "key",
                        "an http.header observation needs the header name in \"key\"",
                    );
                    None
                }
                Some(k) if k != Kind::HttpHeader && w.key.is_some() => {
                    self.error(
                        Code::Value,
                        &e,
                        "key",
                        format!("\"key\" is only for http.header observations, not {k}"),
                    );
                    None
                }
                Some(_) if w.value.len() > limits.max_value_bytes => {
                    self.error(
                        Code::Limit,
                        &e,
                        "value",
                        format!(
                            "the value is {} bytes, more than the limit of {}",
                            w.value.len(),
                            limits.max_value_bytes
                        ),
                    );
                    None
                }
                Some(Kind::HttpHeader) if repeats_name(w.key.as_deref(), &w.value).is_some() => {
                    let (name, rest) = repeats_name(w.key.as_deref(), &w.value).unwrap_or_default();
                    self.warn(
                        Code::Value,
                        &e,
                        "value",
                        format!(
                            "the value repeats the header name \"{name}:\"; a rule matches the value alone, so write \"value\": \"{rest}\""
                        ),
                    );
                    match normalize_on(Kind::HttpHeader, w.key.as_deref(), &w.value, Some(&target))
                    {
                        Ok(n) => Some(n),
                        Err(m) => {
                            self.error(Code::Value, &e, "value", m);
                            None
                        }
                    }
                }
                Some(k) => match normalize_on(k, w.key.as_deref(), &w.value, Some(&target)) {
                    Ok(n) => Some(n),
                    Err(m) => {
                        self.error(Code::Value, &e, "value", m);
                        None
                    }
                },
                None => None,
            };
            let (
                true,
                Some(subject),
                Some(kind),
                Some(provenance),
                Some(observed_at),
                Some(source),
                Some(norm),
            ) = (ok, subject, kind, provenance, observed_at, source, norm)
            else {
                return;
            };
            bundle.observations.push(Observation {
                id: w.id.into_owned(),
                subject,
                target,
                kind,
                key: norm.key.clone(),
                value: w.value.into_owned(),
                observed_at,
                method: w.method.map(Cow::into_owned),
                source,
                provenance,
                norm,
            });
        }
    }
}

impl<'t> Loader<'t> {
    /// An observation's stamp: parsed once per distinct text, or reported.
    fn timestamp(&mut self, e: &super::reporter::Elem, text: &str) -> Option<Timestamp> {
        match self.dates.get_key_value(text) {
            Some((text, &date)) => Some(Timestamp {
                text: text.clone(),
                date,
            }),
            None => match parse_timestamp(text) {
                Ok(t) => {
                    self.dates.insert(t.text.clone(), t.date);
                    Some(t)
                }
                Err(m) => {
                    self.error(Code::Date, e, "observed_at", m);
                    None
                }
            },
        }
    }

    /// Checks an observation that records an absence: a `dns.*` kind, a
    /// known reason, and an empty value.
    fn absence(
        &mut self,
        e: &super::reporter::Elem,
        kind: Option<Kind>,
        reason: &str,
        value: &str,
    ) -> Option<Absent> {
        let absent = Absent::parse(reason);
        if absent.is_none() {
            self.error(
                Code::Keyword,
                e,
                "absent",
                format!(
                    "unknown absence \"{reason}\"; expected {}",
                    Absent::expected()
                ),
            );
        }
        if let Some(k) = kind.filter(|k| !k.as_str().starts_with("dns.")) {
            self.error(
                Code::Value,
                e,
                "absent",
                format!("\"absent\" records a DNS lookup that found nothing; {k} is no DNS kind"),
            );
            return None;
        }
        if !value.is_empty() {
            self.error(
                Code::Value,
                e,
                "value",
                "an observation with \"absent\" records that nothing was found, so its value must be \"\"",
            );
            return None;
        }
        absent
    }
}

/// [`wire::Observation`], borrowing its strings from the bundle text where
/// it can: observations are most of a bundle, and most of their strings
/// are only read (kind, provenance, date, source) or copied once. The
/// fields must stay those of the wire type; a test holds them equal.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ObservationRaw<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    subject: Cow<'a, str>,
    #[serde(borrow)]
    target: Cow<'a, str>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    key: Option<Cow<'a, str>>,
    #[serde(borrow)]
    value: Cow<'a, str>,
    #[serde(borrow)]
    observed_at: Cow<'a, str>,
    #[serde(default, borrow)]
    method: Option<Cow<'a, str>>,
    #[serde(borrow)]
    source: Cow<'a, str>,
    #[serde(borrow)]
    provenance: Cow<'a, str>,
    #[serde(default, borrow)]
    absent: Option<Cow<'a, str>>,
}

impl super::reporter::Identified for ObservationRaw<'_> {
    fn id(&self) -> &str {
        &self.id
    }
}

/// For a header observation whose value starts with its own name and a
/// colon (`"Server: AmazonS3"` under key `server`): the name as written
/// and the rest, the value that was meant.
fn repeats_name<'v>(key: Option<&str>, value: &'v str) -> Option<(&'v str, &'v str)> {
    let key = key?.trim();
    let (name, rest) = value.split_once(':')?;
    name.trim()
        .eq_ignore_ascii_case(key)
        .then(|| (name.trim(), rest.trim()))
}

#[cfg(test)]
mod tests {
    /// The borrowed reader accepts exactly the wire type's fields.
    #[test]
    fn fields_match_the_wire_type() {
        let schema: serde_json::Value =
            serde_json::from_str(&crate::wire::json_schema()).expect("schema");
        let props = &schema["$defs"]["Observation"]["properties"];
        let mut wire: Vec<&str> = props
            .as_object()
            .expect("observation properties")
            .keys()
            .map(String::as_str)
            .collect();
        wire.sort();
        let source = include_str!("observations.rs");
        let start = source.find("struct ObservationRaw").expect("struct");
        let end = start + source[start..].find("\n}").expect("end");
        let mut raw: Vec<&str> = source[start..end]
            .lines()
            .filter_map(|l| l.trim().split_once(':').map(|(f, _)| f))
            .filter(|f| !f.contains(' ') && !f.starts_with('#'))
            .collect();
        raw.sort();
        assert_eq!(raw, wire);
    }
}
