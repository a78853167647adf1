//! `ranges`: named IP prefix sets.

use super::reporter::{seed, Loader, Refs, Roles};
use crate::diag::{Code, JsonPath};
use crate::limits::Limits;
use crate::model::*;
use crate::prefix::PrefixSet;
use crate::wire;
use serde_json::value::RawValue;
use std::sync::Arc;

impl<'t> Loader<'t> {
    pub(super) fn load_ranges(
        &mut self,
        raw: Option<&'t RawValue>,
        bundle: &mut Bundle,
        refs: &Refs,
        roles: &Roles,
        limits: &Limits,
    ) {
        let Some(raw) = raw else { return };
        let mut first = seed(self.base.ranges.iter().map(|r| r.id.as_str()));
        for (e, w) in self.section::<wire::RangeSet>(
            Some(raw),
            JsonPath::root().field("ranges"),
            (limits.max_ranges, self.base.ranges.len()),
            "range sets",
            &mut first,
        ) {
            let mut ok = self
                .entity_ref(&e, "provider", &w.provider, Role::Provider, roles)
                .is_some();
            let source = self.source_ref(&e, "source", &w.source, refs);
            let mut prefixes = Vec::with_capacity(w.prefixes.len());
            for (i, p) in w.prefixes.iter().enumerate() {
                match p.trim().parse::<ipnet::IpNet>() {
                    Ok(n) => prefixes.push(n),
                    Err(_) => {
                        let message = format!("invalid CIDR prefix \"{p}\"");
                        self.error(Code::Cidr, &e, &format!("prefixes[{i}]"), message);
                        ok = false;
                    }
                }
            }
            if self.prefixes + w.prefixes.len() > limits.max_prefixes {
                let message = format!(
                    "more than {} prefixes over all range sets and cidr conditions",
                    limits.max_prefixes
                );
                self.error(Code::Limit, &e, "prefixes", message);
                break;
            }
            self.prefixes += w.prefixes.len();
            if !(ok && source.is_some()) {
                self.left_out_ranges.insert(w.id.clone());
            }
            if let (true, Some(source)) = (ok, source) {
                bundle.ranges.push(RangeSet {
                    id: w.id,
                    provider: w.provider,
                    version: w.version,
                    source,
                    set: Arc::new(PrefixSet::new(prefixes)),
                });
            }
        }
    }
}
