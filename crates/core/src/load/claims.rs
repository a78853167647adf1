//! `claims`: the report's statements under examination.

use super::reporter::{seed, Loader, Refs, Roles};
use crate::date::parse_date;
use crate::diag::{Code, JsonPath};
use crate::limits::Limits;
use crate::model::*;
use crate::wire;
use serde_json::value::RawValue;

impl<'t> Loader<'t> {
    pub(super) fn load_claims(
        &mut self,
        raw: Option<&'t RawValue>,
        bundle: &mut Bundle,
        refs: &Refs,
        roles: &Roles,
        limits: &Limits,
    ) {
        let Some(raw) = raw else { return };
        let mut first = seed(self.base.claims.iter().map(|c| c.id.as_str()));
        for (e, w) in self.section::<wire::Claim>(
            Some(raw),
            JsonPath::root().field("claims"),
            (limits.max_claims, self.base.claims.len()),
            "claims",
            &mut first,
        ) {
            let mut ok = self
                .entity_ref(&e, "subject", &w.subject, Role::Subject, roles)
                .is_some();
            ok &= self
                .entity_ref(&e, "provider", &w.provider, Role::Provider, roles)
                .is_some();
            if let Some(c) = &w.category {
                ok &= self.category_ref(&e, "category", c, refs);
            }
            let source = self.source_ref(&e, "source", &w.source, refs);
            let as_of = match w.as_of.as_deref().map(parse_date) {
                Some(Ok(d)) => Some(d),
                Some(Err(m)) => {
                    self.error(Code::Date, &e, "as_of", m);
                    ok = false;
                    None
                }
                None => None,
            };
            let status = ClaimStatus::parse(&w.status);
            match status {
                None => {
                    self.error(
                        Code::Keyword,
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
                        Code::StatusNote,
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
