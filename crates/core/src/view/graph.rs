//! The firm → provider graph the viewer draws, and the filters over it.
//!
//! [`build`] turns an [`Analysis`] into a [`Graph`]: one node per firm and
//! per provider, providers grouped under their top-level parent (AWS
//! services under Amazon), and one edge per finding (subject, provider,
//! category, relationship). Claims attach to the finding edges behind their
//! verdict; a claim with no finding behind it gets an edge of its own, of
//! kind [`EdgeKind::Claim`], so a reader sees what was claimed but not shown.
//!
//! [`Filters`](super::filter::Filters) narrow the graph, the claim list and the tables alike.

use super::filter::{Filters, VerdictFilter};
use crate::analysis::Analysis;
use crate::engine::Finding;
use crate::model::{Bundle, Relationship, Role};
use crate::verdict::Verdict;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Which column a node sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// A firm under examination (role `subject`).
    Firm,
    /// A provider.
    Provider,
}

/// A firm or provider in the graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// The entity id.
    pub id: String,
    /// Display label.
    pub label: String,
    /// Column.
    pub side: Side,
    /// Index into [`Graph::groups`] (providers only).
    pub group: Option<usize>,
    /// Country (the entity's own, else its nearest parent's).
    pub country: Option<String>,
}

/// A provider and the services under it, drawn as one block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// The top-level parent's entity id.
    pub id: String,
    /// Its display label.
    pub label: String,
    /// Node indices of the members, in display order.
    pub members: Vec<usize>,
}

/// What an edge stands for: a finding with its relationship, or claims
/// with no finding behind them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// A finding of this relationship.
    Finding(Relationship),
    /// Claims only: nothing in the bundle attributes this.
    Claim,
}

impl EdgeKind {
    /// `direct`, `account`, `incidental`, `weak`, or `claimed`: in URLs, CSS classes,
    /// the table and its CSV alike.
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Finding(r) => r.as_str(),
            EdgeKind::Claim => "claimed",
        }
    }

    /// The finding's relationship, if the edge is a finding.
    pub fn relationship(self) -> Option<Relationship> {
        match self {
            EdgeKind::Finding(r) => Some(r),
            EdgeKind::Claim => None,
        }
    }

    /// Whether the edge stands for claims only.
    pub fn is_claim(self) -> bool {
        self == EdgeKind::Claim
    }
}

/// A line from a firm to a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edge {
    /// Firm node index.
    pub from: usize,
    /// Provider node index.
    pub to: usize,
    /// Category id; `None` for a claim that names none.
    pub category: Option<String>,
    /// A finding's relationship, or claims only.
    pub kind: EdgeKind,
    /// Distinct observations behind the edge.
    pub evidence: usize,
    /// Finding indices (into [`Analysis::findings`]).
    pub findings: Vec<usize>,
    /// Claim indices (into the bundle's claims) that this edge speaks to.
    pub claims: Vec<usize>,
    /// The verdict of the edge's claims when they agree, else the first.
    pub verdict: Option<Verdict>,
}

impl Edge {
    /// A stable key for URLs: `firm>provider>category>relationship`.
    pub fn key(&self, g: &Graph) -> String {
        format!(
            "{}>{}>{}>{}",
            g.nodes[self.from].id,
            g.nodes[self.to].id,
            self.category.as_deref().unwrap_or("-"),
            self.kind.as_str()
        )
    }
}

/// The graph of one (filtered) analysis.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Graph {
    /// Firms first, then providers.
    pub nodes: Vec<Node>,
    /// Provider groups.
    pub groups: Vec<Group>,
    /// Edges, findings first, then claim-only edges.
    pub edges: Vec<Edge>,
    /// Node index by entity id, edge index by key: selections name nodes
    /// and edges by stable ids (they live in URLs), found here in O(1).
    #[serde(skip)]
    pub(crate) lookup: Lookup,
}

/// The id and key tables of a [`Graph`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Lookup {
    nodes: crate::hash::HashMap<String, usize>,
    edges: crate::hash::HashMap<String, usize>,
}

impl Graph {
    /// The index of the node for an entity id.
    pub fn node(&self, id: &str) -> Option<usize> {
        match self.lookup.nodes.get(id) {
            Some(&i) => Some(i),
            // A graph assembled by hand has no tables.
            None if self.lookup.nodes.is_empty() => self.nodes.iter().position(|n| n.id == id),
            None => None,
        }
    }

    /// The edge with this [`Edge::key`]. Links made before the claim-only
    /// sentinel became `claimed` end in `>claim`; they still resolve.
    pub fn edge_by_key(&self, key: &str) -> Option<usize> {
        let key = match key.strip_suffix(">claim") {
            Some(head) => format!("{head}>claimed"),
            None => key.to_string(),
        };
        match self.lookup.edges.get(&key) {
            Some(&i) => Some(i),
            None if self.lookup.edges.is_empty() => {
                self.edges.iter().position(|e| e.key(self) == key)
            }
            None => None,
        }
    }

    /// Edge indices touching a node.
    pub fn edges_of(&self, node: usize) -> Vec<usize> {
        (0..self.edges.len())
            .filter(|&i| self.edges[i].from == node || self.edges[i].to == node)
            .collect()
    }

    /// The neighbours of every node, in one pass over the edges.
    pub fn adjacency(&self) -> Vec<Vec<usize>> {
        let mut adj = vec![Vec::new(); self.nodes.len()];
        for e in &self.edges {
            adj[e.from].push(e.to);
            adj[e.to].push(e.from);
        }
        for list in &mut adj {
            list.sort_unstable();
            list.dedup();
        }
        adj
    }

    /// Node indices adjacent to a node.
    pub fn neighbours(&self, node: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .edges_of(node)
            .into_iter()
            .map(|i| {
                let e = &self.edges[i];
                if e.from == node {
                    e.to
                } else {
                    e.from
                }
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The country of an entity, or of its nearest parent that has one.
pub fn country_of(bundle: &Bundle, id: &str) -> Option<String> {
    std::iter::once(id.to_string())
        .chain(bundle.ancestors(id))
        .find_map(|e| bundle.entity(&e).and_then(|e| e.country.clone()))
}

/// The top-level parent of an entity (itself if it has none).
pub fn root_of(bundle: &Bundle, id: &str) -> String {
    bundle
        .ancestors(id)
        .last()
        .cloned()
        .unwrap_or_else(|| id.to_string())
}

/// Whether `needle` (lower-case) occurs in the entity's names or domains.
pub fn entity_matches(bundle: &Bundle, id: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    let Some(e) = bundle.entity(id) else {
        return id.to_lowercase().contains(needle);
    };
    std::iter::once(&e.id)
        .chain(std::iter::once(&e.name))
        .chain(e.short_name.iter())
        .chain(e.aliases.iter())
        .chain(e.domains.iter())
        .any(|s| s.to_lowercase().contains(needle))
}

/// What the search box looks through, for the line under it and the docs.
pub const SEARCHED: &str = "firm and provider names, aliases and domains, observation values and targets, rule ids and claim ids";

/// Whether `needle` (lower-case, not empty) occurs in what is behind
/// finding `fi`: the id of a rule it matched, or the value (as written or
/// normalised), target or header name of an observation it rests on.
pub fn finding_matches(a: &Analysis, fi: usize, needle: &str) -> bool {
    let b = &a.bundle;
    a.findings[fi].traces.iter().any(|t| {
        let o = &b.observations[t.observation];
        [
            b.rules[t.rule].id.as_str(),
            o.value.as_str(),
            o.normalized().text.as_str(),
            o.target.as_str(),
            o.key.as_deref().unwrap_or(""),
        ]
        .iter()
        .any(|s| s.to_lowercase().contains(needle))
    })
}

/// Builds the graph of `a` (already taken [`as_of`] a date, if one is set)
/// under `filters`.
///
/// Complexity: O(findings × claims) to attach claims, plus sorting.
pub fn build(a: &Analysis, filters: &Filters) -> Graph {
    let b = &a.bundle;
    let needle = filters.search.trim().to_lowercase();
    let country_ok = |provider: &str| {
        filters.countries.is_empty()
            || filters
                .countries
                .contains(country_of(b, provider).as_deref().unwrap_or("unknown"))
    };
    let search_ok = |subject: &str, provider: &str| {
        entity_matches(b, subject, &needle)
            || entity_matches(b, provider, &needle)
            || b.ancestors(provider)
                .iter()
                .any(|p| entity_matches(b, p, &needle))
    };
    let category_ok = |c: Option<&str>| {
        filters.categories.is_empty() || c.is_some_and(|c| filters.categories.contains(c))
    };
    // A firm kept by the firm filter keeps its subsidiaries too.
    let firm_ok = |subject: &str| {
        filters.firms.is_empty()
            || filters.firms.contains(subject)
            || b.ancestors(subject)
                .iter()
                .any(|p| filters.firms.contains(p))
    };

    // Claims per finding, from the verdicts.
    let mut claims_of: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (ci, v) in a.verdicts.iter().enumerate() {
        for &fi in v.findings.iter() {
            claims_of.entry(fi).or_default().push(ci);
        }
    }
    let verdict_ok = |claims: &[usize]| {
        if filters.verdicts.is_empty() {
            return true;
        }
        if claims.is_empty() {
            return filters.verdicts.contains(&VerdictFilter::Unclaimed);
        }
        claims.iter().any(|&c| {
            filters
                .verdicts
                .contains(&VerdictFilter::Verdict(a.verdicts[c].verdict))
        })
    };

    struct Draft {
        subject: String,
        provider: String,
        category: Option<String>,
        kind: EdgeKind,
        evidence: usize,
        findings: Vec<usize>,
        claims: Vec<usize>,
    }
    let mut drafts: Vec<Draft> = Vec::new();
    for (fi, f) in a.findings.iter().enumerate() {
        let claims = claims_of.get(&fi).cloned().unwrap_or_default();
        let keep = category_ok(Some(&f.category))
            && (filters.relationships.is_empty()
                || filters.relationships.contains(&f.relationship))
            && verdict_ok(&claims)
            && country_ok(&f.provider)
            && firm_ok(&f.subject)
            && (search_ok(&f.subject, &f.provider)
                || claims
                    .iter()
                    .any(|&c| b.claims[c].id.to_lowercase().contains(&needle))
                || finding_matches(a, fi, &needle));
        if keep {
            drafts.push(Draft {
                subject: f.subject.clone(),
                provider: f.provider.clone(),
                category: Some(f.category.clone()),
                kind: EdgeKind::Finding(f.relationship),
                evidence: f.evidence_count(),
                findings: vec![fi],
                claims,
            });
        }
    }
    // Claims with nothing behind them get edges of their own.
    for (ci, (claim, v)) in b.claims.iter().zip(&a.verdicts).enumerate() {
        if !v.findings.is_empty() {
            continue;
        }
        let keep = category_ok(claim.category.as_deref())
            && filters.relationships.is_empty()
            && verdict_ok(&[ci])
            && country_ok(&claim.provider)
            && firm_ok(&claim.subject)
            && (search_ok(&claim.subject, &claim.provider)
                || claim.id.to_lowercase().contains(&needle));
        if !keep {
            continue;
        }
        match drafts.iter_mut().find(|d| {
            d.kind.is_claim()
                && d.subject == claim.subject
                && d.provider == claim.provider
                && d.category == claim.category
        }) {
            Some(d) => d.claims.push(ci),
            None => drafts.push(Draft {
                subject: claim.subject.clone(),
                provider: claim.provider.clone(),
                category: claim.category.clone(),
                kind: EdgeKind::Claim,
                evidence: 0,
                findings: Vec::new(),
                claims: vec![ci],
            }),
        }
    }

    // Nodes: every firm in an edge, plus firms matching the search when no
    // edge filter hides them; providers in edges.
    let mut firms: BTreeSet<&str> = drafts.iter().map(|d| d.subject.as_str()).collect();
    let no_edge_filter = filters.categories.is_empty()
        && filters.relationships.is_empty()
        && filters.verdicts.is_empty()
        && filters.countries.is_empty();
    if no_edge_filter {
        for e in b.entities.iter().filter(|e| e.role == Role::Subject) {
            if entity_matches(b, &e.id, &needle) && firm_ok(&e.id) {
                firms.insert(&e.id);
            }
        }
    }
    let providers: BTreeSet<&str> = drafts.iter().map(|d| d.provider.as_str()).collect();

    let mut g = Graph::default();
    let mut firm_list: Vec<&str> = firms.into_iter().collect();
    firm_list.sort_by_key(|id| b.entity_name(id).to_lowercase());
    for id in firm_list {
        g.nodes.push(Node {
            id: id.to_string(),
            label: b.entity_name(id).to_string(),
            side: Side::Firm,
            group: None,
            country: country_of(b, id),
        });
    }
    // Providers grouped under their root, groups and members by label.
    let mut by_root: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for p in providers {
        by_root.entry(root_of(b, p)).or_default().push(p);
    }
    let mut roots: Vec<(String, Vec<&str>)> = by_root.into_iter().collect();
    roots.sort_by_key(|(r, _)| b.entity_name(r).to_lowercase());
    for (root, mut members) in roots {
        members.sort_by_key(|m| (*m != root, b.entity_name(m).to_lowercase()));
        let gi = g.groups.len();
        let mut idx = Vec::new();
        for m in members {
            idx.push(g.nodes.len());
            g.nodes.push(Node {
                id: m.to_string(),
                label: b.entity_name(m).to_string(),
                side: Side::Provider,
                group: Some(gi),
                country: country_of(b, m),
            });
        }
        g.groups.push(Group {
            label: b.entity_name(&root).to_string(),
            id: root,
            members: idx,
        });
    }
    let index: std::collections::HashMap<&str, usize> = g
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    for d in drafts {
        let (Some(&from), Some(&to)) = (
            index.get(d.subject.as_str()),
            index.get(d.provider.as_str()),
        ) else {
            continue;
        };
        let verdict = d.claims.first().map(|&c| a.verdicts[c].verdict);
        g.edges.push(Edge {
            from,
            to,
            category: d.category,
            kind: d.kind,
            evidence: d.evidence,
            findings: d.findings,
            claims: d.claims,
            verdict,
        });
    }
    g.lookup = Lookup {
        nodes: g
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.clone(), i))
            .collect(),
        edges: (0..g.edges.len())
            .map(|i| (g.edges[i].key(&g), i))
            .collect(),
    };
    g
}

/// Findings of an edge, for the evidence panel.
pub fn edge_findings<'a>(a: &'a Analysis, e: &Edge) -> Vec<&'a Finding> {
    e.findings.iter().map(|&i| &a.findings[i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::filter::as_of;
    use crate::view::matrix::provider_category_matrix;
    use crate::view::table::{to_csv, Row};
    use crate::{analyze, Limits};

    const FIXTURE: &str = include_str!("../../../../tests/fixtures/verdicts/all-features.json");

    #[test]
    fn claims_attach_to_their_findings_and_stand_alone_otherwise() {
        let a = analyze(FIXTURE, &Limits::default());
        let g = build(&a, &Filters::default());
        // One edge per finding, plus one per claim without findings.
        let claim_only = a.verdicts.iter().filter(|v| v.findings.is_empty()).count();
        assert_eq!(g.edges.len(), a.findings.len() + claim_only);
        let nimbus_cdn = g
            .edges
            .iter()
            .find(|e| g.nodes[e.to].id == "nimbus-cdn")
            .unwrap();
        assert_eq!(nimbus_cdn.verdict, Some(Verdict::Supported));
        // Providers are grouped under their root: Nimbus Edge under Nimbus.
        let group = &g.groups[g.nodes[nimbus_cdn.to].group.unwrap()];
        assert_eq!(group.id, "nimbus");
        // Delta has no evidence: a claim-only edge.
        let delta = g
            .edges
            .iter()
            .find(|e| g.nodes[e.from].id == "delta")
            .unwrap();
        assert!(delta.kind.is_claim());
        assert_eq!(delta.verdict, Some(Verdict::NoEvidence));
    }

    #[test]
    fn filters_narrow_the_graph() {
        let a = analyze(FIXTURE, &Limits::default());
        let all = build(&a, &Filters::default());
        let email = build(
            &a,
            &Filters {
                categories: ["email".to_string()].into(),
                ..Filters::default()
            },
        );
        assert!(email.edges.len() < all.edges.len());
        assert!(email
            .edges
            .iter()
            .all(|e| e.category.as_deref() == Some("email")));
        let unclaimed = build(
            &a,
            &Filters {
                verdicts: [VerdictFilter::Unclaimed].into(),
                ..Filters::default()
            },
        );
        assert_eq!(unclaimed.edges.len(), a.unclaimed.len());
        let search = build(
            &a,
            &Filters {
                search: "BETA".into(),
                ..Filters::default()
            },
        );
        assert!(search
            .nodes
            .iter()
            .filter(|n| n.side == Side::Firm)
            .all(|n| n.id == "beta"));
    }

    #[test]
    fn search_reaches_observation_values_and_rule_ids() {
        let a = analyze(FIXTURE, &Limits::default());
        let edges = |q: &str| {
            let g = build(
                &a,
                &Filters {
                    search: q.into(),
                    ..Filters::default()
                },
            );
            g.edges
                .iter()
                .map(|e| (g.nodes[e.from].id.clone(), g.nodes[e.to].id.clone()))
                .collect::<Vec<_>>()
        };
        // Only in a raw value: the SPF record's include.
        assert!(edges("spf.bluemail").contains(&("alpha".into(), "bluemail".into())));
        // A rule id finds every edge the rule matched and nothing else.
        let by_rule = edges("MX-BLUEMAIL");
        assert!(!by_rule.is_empty());
        assert!(by_rule.iter().all(|(_, p)| p == "bluemail"), "{by_rule:?}");
        // Nothing matches a word that is nowhere.
        assert!(edges("zzz-nowhere").is_empty());
    }

    #[test]
    fn as_of_hides_later_observations() {
        let a = analyze(FIXTURE, &Limits::default());
        let early = as_of(&a, crate::date::parse_date("2019-12-31").unwrap());
        let b = &early.bundle;
        assert!((0..b.observations.len())
            .filter(|&i| early.timeline.is_active(i))
            .all(|i| b.observations[i].observed_at.date.year() <= 2019));
        assert!(!early.timeline.later.is_empty());
        assert!(early.findings.len() < a.findings.len());
    }

    #[test]
    fn filters_round_trip_through_the_query() {
        let f = Filters {
            categories: ["cdn".to_string(), "email".to_string()].into(),
            relationships: [Relationship::Direct].into(),
            verdicts: [
                VerdictFilter::Verdict(Verdict::NotFound),
                VerdictFilter::Unclaimed,
            ]
            .into(),
            countries: ["US".to_string()].into(),
            firms: ["hikvision".to_string(), "dahua".to_string()].into(),
            as_of: crate::date::parse_date("2020-05-21").ok(),
            search: "hik vision".into(),
        };
        let q = f.to_query();
        let back = Filters::from_query(q.iter().map(|(k, v)| (*k, v.as_str())));
        assert_eq!(back, f);
    }

    #[test]
    fn the_firm_filter_keeps_a_storys_firms_and_nothing_else() {
        let a = analyze(FIXTURE, &Limits::default());
        let all = build(&a, &Filters::default());
        let firms: Vec<String> = all
            .nodes
            .iter()
            .filter(|n| n.side == Side::Firm)
            .map(|n| n.id.clone())
            .collect();
        assert!(firms.len() >= 2, "{firms:?}");
        let keep = firms[0].clone();
        let g = build(
            &a,
            &Filters {
                firms: [keep.clone()].into(),
                ..Filters::default()
            },
        );
        let shown: Vec<&str> = g
            .nodes
            .iter()
            .filter(|n| n.side == Side::Firm)
            .map(|n| n.id.as_str())
            .collect();
        assert_eq!(shown, vec![keep.as_str()]);
        assert!(!g.edges.is_empty());
        assert!(g.edges.iter().all(|e| g.nodes[e.from].id == keep));
        // Its edges are exactly the ones it has in the whole graph.
        let before = all
            .edges
            .iter()
            .filter(|e| all.nodes[e.from].id == keep)
            .count();
        assert_eq!(g.edges.len(), before);
    }

    #[test]
    fn matrix_counts_distinct_firms() {
        let a = analyze(FIXTURE, &Limits::default());
        let m = provider_category_matrix(&build(&a, &Filters::default()));
        let row = m.providers.iter().position(|p| p == "Nimbus").unwrap();
        let col = |c: &str| m.categories.iter().position(|x| x == c).unwrap();
        // Alpha reaches Nimbus for hosting and (through Nimbus Edge) CDN.
        assert_eq!(m.counts[row][col("hosting")], 1);
        assert_eq!(m.counts[row][col("cdn")], 1);
        assert_eq!(m.totals[row], 1);
        assert_eq!(m.categories[0], "hosting");
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let rows = vec![Row {
            firm: "A, \"B\"".into(),
            provider: "=cmd()".into(),
            category: "-".into(),
            relationship: "direct".into(),
            evidence: 2,
            verdict: "supported".into(),
            edge: 0,
        }];
        assert_eq!(
            to_csv(&rows, Some("Synthetic, made up")),
            "firm,provider,category,relationship,evidence,verdict,note\r\n\"A, \"\"B\"\"\",'=cmd(),-,direct,2,supported,\"Synthetic, made up\"\r\n"
        );
    }
}
