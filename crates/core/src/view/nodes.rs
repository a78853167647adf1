//! The nodes of a big graph as one piece of SVG markup.
//!
//! The viewer builds a small graph's nodes as components, each with its
//! own handlers and reactive classes. At thousands of nodes that is the
//! slowest part of showing the graph (3,000 nodes were one task of
//! 300–800 ms), so a graph whose edges go on the canvas gets its nodes
//! from [`nodes_markup`] instead: the same elements, attributes and
//! accessible names, parsed by the browser in one step, with the events
//! handled once for all of them and the highlight changed only where it
//! changes (see `src/graph_view.rs`).
//!
//! Every text from the bundle (labels, ids) passes through
//! [`xml_escape`]; numbers are formatted here. Nothing else goes in.

use super::graph::{Graph, Side};
use super::svg::xml_escape;
use crate::layout::{shown_label, Layout};
use std::collections::BTreeSet;
use std::fmt::Write;

/// The accessible name of node `i`: its column, label and degree.
pub fn node_name(g: &Graph, i: usize, degree: usize) -> String {
    let kind = if g.nodes[i].side == Side::Firm {
        "Firm"
    } else {
        "Provider"
    };
    format!("{kind} {}, {degree} connection(s)", g.nodes[i].label)
}

/// How many edges meet each node.
pub fn degrees(g: &Graph) -> Vec<usize> {
    let mut d = vec![0usize; g.nodes.len()];
    for e in &g.edges {
        d[e.from] += 1;
        d[e.to] += 1;
    }
    d
}

/// What [`nodes_markup`] draws besides the graph and its layout.
#[derive(Debug, Clone, Copy, Default)]
pub struct NodeState<'a> {
    /// The node that Tab reaches (a roving tab stop).
    pub tab_stop: usize,
    /// Nodes kept bright while one is hovered or selected, if any.
    pub lit: Option<&'a BTreeSet<usize>>,
    /// The selected node.
    pub selected: Option<usize>,
}

/// The nodes of `g` laid out by `l`, as SVG `<g class="node">` elements,
/// each with the hit box, title, dot and label a small graph's node has.
/// A node in `lit` has the class `lit`; the selected one `selected`.
pub fn nodes_markup(g: &Graph, l: &Layout, s: NodeState) -> String {
    let degrees = degrees(g);
    let mut out = String::with_capacity(g.nodes.len() * 420);
    for (i, n) in g.nodes.iter().enumerate() {
        let (Some(p), Some(lb)) = (l.nodes.get(i), l.labels.get(i)) else {
            continue;
        };
        let firm = n.side == Side::Firm;
        let root = n.group.is_some_and(|gi| g.groups[gi].id == n.id);
        let _ = write!(
            out,
            "<g class=\"node {side}{root}{lit}{sel}\" id=\"node-{i}\" tabindex=\"{tab}\" role=\"button\" aria-label=\"{name}\" data-testid=\"node\" data-id=\"{id}\" data-side=\"{side}\">",
            side = if firm { "firm" } else { "provider" },
            root = if root { " root" } else { "" },
            lit = if s.lit.is_some_and(|b| b.contains(&i)) { " lit" } else { "" },
            sel = if s.selected == Some(i) { " selected" } else { "" },
            tab = if i == s.tab_stop { 0 } else { -1 },
            name = xml_escape(&node_name(g, i, degrees[i])),
            id = xml_escape(&n.id),
        );
        let _ = write!(
            out,
            "<rect class=\"node-hit\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"/><title>{}</title><circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{}\">{}</text></g>",
            lb.x.min(p.x) - 4.0,
            lb.y - 3.0,
            (lb.x + lb.width - p.x).abs().max(lb.width) + 16.0,
            lb.height + 6.0,
            xml_escape(&n.label),
            p.x,
            p.y,
            if firm { lb.x + lb.width } else { lb.x },
            p.y + 4.5,
            if firm { "end" } else { "start" },
            xml_escape(&shown_label(&n.label)),
        );
    }
    out
}

/// The node index in an element id `node-{i}` that [`nodes_markup`] wrote.
pub fn node_index(element_id: &str) -> Option<usize> {
    element_id.strip_prefix("node-")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keywords::Relationship;
    use crate::layout::for_graph;
    use crate::view::graph::{Edge, EdgeKind, Node};

    fn graph(firm_label: &str) -> Graph {
        let node = |id: &str, label: &str, side| Node {
            id: id.into(),
            label: label.into(),
            side,
            group: None,
            country: None,
        };
        Graph {
            nodes: vec![
                node("f\"1", firm_label, Side::Firm),
                node("p1", "Provider One", Side::Provider),
            ],
            edges: vec![Edge {
                from: 0,
                to: 1,
                category: Some("hosting".into()),
                kind: EdgeKind::Finding(Relationship::Direct),
                evidence: 1,
                findings: vec![],
                claims: vec![],
                verdict: None,
            }],
            groups: vec![],
            lookup: Default::default(),
        }
    }

    /// Hostile text from a bundle stays text: no element, attribute or
    /// entity it spells survives unescaped.
    #[test]
    fn escapes_every_text_from_the_bundle() {
        let g = graph("<script>alert(1)</script> & \"x\" onload='y'");
        let l = for_graph(&g, Some(false));
        let m = nodes_markup(&g, &l, NodeState::default());
        assert!(!m.contains("<script"), "{m}");
        assert!(!m.contains("onload='"), "{m}");
        assert!(m.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"));
        assert!(m.contains("data-id=\"f&quot;1\""));
        // Every element is one the markup means to write.
        let tags: BTreeSet<&str> = m
            .split('<')
            .skip(1)
            .map(|t| t.split([' ', '>', '/']).next().unwrap_or(""))
            .filter(|t| !t.is_empty())
            .collect();
        let expected: BTreeSet<&str> = ["g", "rect", "title", "circle", "text"].into();
        assert_eq!(tags, expected);
    }

    /// One element per node, with its name, side, tab stop and state, in
    /// node order.
    #[test]
    fn one_node_element_each_with_its_state() {
        let g = graph("Firm One");
        let l = for_graph(&g, Some(false));
        let lit: BTreeSet<usize> = [1].into();
        let m = nodes_markup(
            &g,
            &l,
            NodeState {
                tab_stop: 1,
                lit: Some(&lit),
                selected: Some(0),
            },
        );
        assert_eq!(m.matches("data-testid=\"node\"").count(), 2);
        let (first, second) = m.split_at(m.find("<g class=\"node provider").expect("provider"));
        assert!(first.starts_with("<g class=\"node firm selected\" id=\"node-0\" tabindex=\"-1\""));
        assert!(first.contains("aria-label=\"Firm Firm One, 1 connection(s)\""));
        assert!(second.starts_with("<g class=\"node provider lit\" id=\"node-1\" tabindex=\"0\""));
        assert!(second.contains("text-anchor=\"start\">Provider One</text>"));
        assert_eq!(node_index("node-1"), Some(1));
        assert_eq!(node_index("edge-1"), None);
    }
}
