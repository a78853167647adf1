//! The providers × categories matrix behind the charts.

use super::graph::Graph;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Distinct firms per provider group and category, from finding edges
/// (claims without findings are not counted): the data of the
/// providers × categories chart.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Matrix {
    /// Provider group labels (rows), by number of firms served, descending.
    pub providers: Vec<String>,
    /// Category ids (columns), in first-seen order of the built-in list.
    pub categories: Vec<String>,
    /// `counts[row][column]`: distinct firms.
    pub counts: Vec<Vec<usize>>,
    /// Distinct firms per row, over all categories.
    pub totals: Vec<usize>,
}

/// Builds the [`Matrix`] of a graph.
pub fn provider_category_matrix(g: &Graph) -> Matrix {
    let mut cells: BTreeMap<(usize, String), BTreeSet<usize>> = BTreeMap::new();
    let mut rows: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    let mut cats: BTreeSet<String> = BTreeSet::new();
    for e in g.edges.iter().filter(|e| !e.kind.is_claim()) {
        let Some(group) = g.nodes[e.to].group else {
            continue;
        };
        let cat = e.category.clone().unwrap_or_else(|| "other".into());
        cells
            .entry((group, cat.clone()))
            .or_default()
            .insert(e.from);
        rows.entry(group).or_default().insert(e.from);
        cats.insert(cat);
    }
    let order = crate::model::BUILTIN_CATEGORIES;
    let mut categories: Vec<String> = cats.into_iter().collect();
    categories.sort_by_key(|c| {
        (
            order.iter().position(|o| o == c).unwrap_or(order.len()),
            c.clone(),
        )
    });
    let mut groups: Vec<(usize, usize)> = rows.iter().map(|(g, f)| (*g, f.len())).collect();
    groups.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(g.groups[a.0].label.cmp(&g.groups[b.0].label))
    });
    Matrix {
        providers: groups
            .iter()
            .map(|(gi, _)| g.groups[*gi].label.clone())
            .collect(),
        counts: groups
            .iter()
            .map(|(gi, _)| {
                categories
                    .iter()
                    .map(|c| cells.get(&(*gi, c.clone())).map_or(0, |s| s.len()))
                    .collect()
            })
            .collect(),
        totals: groups.iter().map(|(_, n)| *n).collect(),
        categories,
    }
}
