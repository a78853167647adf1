//! `observations`: one raw fact each, normalised for matching.

use super::reporter::{seed, Loader, Refs, Roles};
use crate::date::parse_timestamp;
use crate::diag::{Code, JsonPath};
use crate::limits::Limits;
use crate::model::*;
use crate::normalize::{normalize_host, normalize_on};
use crate::wire;
use serde_json::value::RawValue;


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
        let elems = self.section::<wire::Observation>(
            Some(raw),
            JsonPath::root().field("observations"),
            (limits.max_observations, self.base.observations.len()),
            "observations",
            &mut first,
        );
        bundle.observations.reserve(elems.len());
        for (e, w) in elems {
            let mut ok = self.entity_ref(&e, "subject", &w.subject, Role::Subject, roles);
            let kind = Kind::parse(&w.kind);
            if kind.is_none() {
                self.error(
                    Code::Keyword, &e,
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
                    Code::Keyword, &e,
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
                    self.error(Code::Date, &e, "observed_at", m);
                    None
                }
            };
            let source = self.source_ref(&e, "source", &w.source, refs);
            let target = normalize_host(&w.target);
            let norm = match kind {
                Some(Kind::HttpHeader) if w.key.as_deref().is_none_or(|k| k.trim().is_empty()) => {
                    self.error(
                        Code::Value, &e,
                        "key",
                        "an http.header observation needs the header name in \"key\"",
                    );
                    None
                }
                Some(k) if k != Kind::HttpHeader && w.key.is_some() => {
                    self.error(
                        Code::Value, &e,
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
                Some(k) => match normalize_on(k, w.key.as_deref(), &w.value, Some(&target)) {
                    Ok(n) => Some(n),
                    Err(m) => {
                        self.error(Code::Value, &e, "value", m);
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
                target,
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
}
