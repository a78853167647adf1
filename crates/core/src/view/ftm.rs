//! FollowTheMoney entities, one JSON object per line, for OpenSanctions
//! and Aleph: a `Company` per firm and provider, a `Sanction` per listing,
//! and an `UnknownLink` per edge with its evidence in its properties.
//!
//! Property names are FollowTheMoney's (schema version 3): `name`,
//! `alias`, `country`, `website`, `sourceUrl`, `publisher`, `notes` on
//! things (a synthetic bundle's banner in `notes`); `entity`, `program`, `programId`, `listingDate`, `reason` on
//! sanctions; `subject`, `object`, `role`, `status`, `startDate`,
//! `endDate`, `summary` (with the banner), `description`, `recordId` on
//! links, each checked against FtM's schema files by the tests. Every value
//! is a list of strings, as FtM's JSON form has it. Ids are prefixed with
//! `whoserves-` so they do not collide with other datasets' ids.

use super::findings::source_of;
use super::graph::Graph;
use crate::analysis::Analysis;
use crate::model::{format_date, Bundle, SourceRef};
use serde_json::{json, Map, Value};

fn id_of(entity: &str) -> String {
    format!("whoserves-{entity}")
}

fn urls(b: &Bundle, sources: &[&SourceRef]) -> Vec<String> {
    let mut out: Vec<String> = sources
        .iter()
        .map(|s| source_of(b, s).1)
        .filter(|u| !u.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Adds `key: values` when there are values.
fn put(props: &mut Map<String, Value>, key: &str, values: Vec<String>) {
    if !values.is_empty() {
        props.insert(key.to_string(), json!(values));
    }
}

/// The entities of graph `g` as FtM JSON lines.
pub fn graph_ftm(a: &Analysis, g: &Graph) -> String {
    let b = &a.bundle;
    // FtM's `publisher` is the publishing source: the bundle's publisher,
    // or its title when it names none.
    let publisher = vec![b
        .meta
        .publisher
        .clone()
        .unwrap_or_else(|| b.meta.title.clone())];
    let notes: Vec<String> = b.meta.banner.iter().cloned().collect();
    let mut lines = Vec::new();
    for n in &g.nodes {
        let mut props = Map::new();
        put(&mut props, "name", vec![n.label.clone()]);
        if let Some(e) = b.entity(&n.id) {
            put(&mut props, "alias", e.aliases.clone());
            put(
                &mut props,
                "website",
                e.domains.iter().map(|d| format!("https://{d}/")).collect(),
            );
            put(
                &mut props,
                "sourceUrl",
                urls(b, &e.sources.iter().collect::<Vec<_>>()),
            );
            if let Some(p) = &e.parent {
                put(&mut props, "parent", vec![id_of(p)]);
            }
        }
        if let Some(c) = &n.country {
            put(&mut props, "country", vec![c.to_lowercase()]);
        }
        put(&mut props, "publisher", publisher.clone());
        put(&mut props, "notes", notes.clone());
        lines.push(json!({"id": id_of(&n.id), "schema": "Company", "properties": props}));
        let Some(e) = b.entity(&n.id) else { continue };
        for (i, l) in e.listings.iter().enumerate() {
            let mut props = Map::new();
            put(&mut props, "entity", vec![id_of(&e.id)]);
            put(&mut props, "program", vec![l.list.clone()]);
            put(
                &mut props,
                "programId",
                l.citation.iter().cloned().collect(),
            );
            put(&mut props, "listingDate", vec![format_date(l.date)]);
            put(&mut props, "startDate", vec![format_date(l.date)]);
            put(&mut props, "reason", l.reason.iter().cloned().collect());
            put(&mut props, "sourceUrl", urls(b, &[&l.source]));
            put(&mut props, "publisher", publisher.clone());
            put(&mut props, "summary", notes.clone());
            lines.push(json!({
                "id": format!("{}-sanction-{i}", id_of(&e.id)),
                "schema": "Sanction",
                "properties": props,
            }));
        }
    }
    for e in &g.edges {
        let mut props = Map::new();
        put(&mut props, "subject", vec![id_of(&g.nodes[e.from].id)]);
        put(&mut props, "object", vec![id_of(&g.nodes[e.to].id)]);
        put(
            &mut props,
            "role",
            vec![format!(
                "{} provider ({})",
                e.category.as_deref().unwrap_or("service"),
                e.kind.as_str()
            )],
        );
        put(
            &mut props,
            "status",
            vec![e
                .verdict
                .map(|v| format!("claim {}", v.label()))
                .unwrap_or_else(|| "unclaimed".into())],
        );
        let traces: Vec<_> = e
            .findings
            .iter()
            .flat_map(|&f| a.findings[f].traces.iter())
            .collect();
        let mut dates: Vec<String> = traces
            .iter()
            .map(|t| format_date(b.observations[t.observation].observed_at.date))
            .collect();
        dates.sort();
        if let (Some(first), Some(last)) = (dates.first(), dates.last()) {
            put(&mut props, "startDate", vec![first.clone()]);
            put(&mut props, "endDate", vec![last.clone()]);
        }
        let description: Vec<String> = traces
            .iter()
            .map(|t| {
                let o = &b.observations[t.observation];
                format!(
                    "{} {} of {} recorded {:?} on {} ({}), read by rule {}",
                    o.id,
                    o.kind.as_str(),
                    o.target,
                    o.value,
                    o.observed_at.text,
                    o.provenance.as_str(),
                    b.rules[t.rule].id
                )
            })
            .collect();
        put(&mut props, "description", description);
        let mut sources: Vec<&SourceRef> = traces
            .iter()
            .map(|t| &b.observations[t.observation].source)
            .collect();
        sources.extend(e.claims.iter().map(|&c| &b.claims[c].source));
        put(&mut props, "sourceUrl", urls(b, &sources));
        // UnknownLink is an Interval, which has no `notes`: the banner goes
        // into its summary.
        let mut summary = vec![format!("{} observation(s)", e.evidence)];
        summary.extend(notes.iter().cloned());
        put(&mut props, "summary", summary);
        put(&mut props, "recordId", vec![e.key(g)]);
        put(&mut props, "publisher", publisher.clone());
        lines.push(json!({
            "id": format!("whoserves-link-{}", e.key(g).replace('>', "-")),
            "schema": "UnknownLink",
            "properties": props,
        }));
    }
    let mut out = String::new();
    for l in lines {
        out.push_str(&l.to_string());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::{build, Filters};
    use crate::{analyze, Limits};

    #[test]
    fn companies_links_and_the_schema_property_names() {
        let a = analyze(
            include_str!("../../../../tests/fixtures/verdicts/all-features.json"),
            &Limits::default(),
        );
        let g = build(&a, &Filters::default());
        let text = graph_ftm(&a, &g);
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let count = |s: &str| lines.iter().filter(|l| l["schema"] == s).count();
        assert_eq!(count("Company"), g.nodes.len());
        assert_eq!(count("UnknownLink"), g.edges.len());
        // Each schema's own property names, from FtM's schema files.
        let allowed: std::collections::HashMap<&str, Vec<&str>> =
            include_str!("../../../../tests/fixtures/ftm/properties.txt")
                .lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| l.split_once(": "))
                .map(|(s, props)| (s, props.split(' ').collect()))
                .collect();
        assert_eq!(
            allowed.len(),
            4,
            "Company, Organization, Sanction, UnknownLink"
        );
        for l in &lines {
            let schema = l["schema"].as_str().unwrap();
            let props = &allowed[schema];
            for (k, v) in l["properties"].as_object().unwrap() {
                assert!(props.contains(&k.as_str()), "{schema} has no property {k}");
                assert!(v.as_array().unwrap().iter().all(Value::is_string), "{k}");
            }
        }
        // The banner reaches every entity: notes on companies, the summary
        // on sanctions and links (intervals, which have no notes).
        let banner = a.bundle.meta.banner.clone().unwrap();
        for l in &lines {
            let p = &l["properties"];
            let field = if l["schema"] == "Company" {
                "notes"
            } else {
                "summary"
            };
            assert!(
                p[field].as_array().unwrap().iter().any(|v| v == &banner),
                "{l}"
            );
        }
        // Every link's ends are entities in the file.
        let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
        for l in lines.iter().filter(|l| l["schema"] == "UnknownLink") {
            assert!(ids.contains(&l["properties"]["subject"][0].as_str().unwrap()));
            assert!(ids.contains(&l["properties"]["object"][0].as_str().unwrap()));
        }
    }
}
