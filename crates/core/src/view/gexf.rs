//! GEXF 1.3: the graph for Gephi, Gephi Lite and Sigma.js.
//!
//! Nodes are the firms and providers (id = entity id), with their side,
//! country and provider group as attributes; edges carry category,
//! relationship, evidence count and verdict. The bundle's credit and
//! banner go into `<meta><description>`. Deterministic, like the SVG.

use super::graph::{Graph, Side};
use super::svg::{credit, xml_escape};
use crate::analysis::Analysis;

/// The graph `g` of `a` as a GEXF 1.3 document.
pub fn graph_gexf(a: &Analysis, g: &Graph) -> String {
    let m = &a.bundle.meta;
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str("<gexf xmlns=\"http://gexf.net/1.3\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd\" version=\"1.3\">\n");
    let date = m
        .published
        .as_deref()
        .filter(|d| crate::date::parse_date(d).is_ok())
        .map(|d| format!(" lastmodifieddate=\"{d}\""))
        .unwrap_or_default();
    let mut description = credit(a);
    if let Some(b) = &m.banner {
        description.push_str(". ");
        description.push_str(b);
    }
    s.push_str(&format!(
        "  <meta{date}>\n    <creator>whoserves</creator>\n    <description>{}</description>\n  </meta>\n",
        xml_escape(&description)
    ));
    s.push_str("  <graph mode=\"static\" defaultedgetype=\"directed\">\n");
    s.push_str("    <attributes class=\"node\">\n      <attribute id=\"side\" title=\"side\" type=\"string\"/>\n      <attribute id=\"country\" title=\"country\" type=\"string\"/>\n      <attribute id=\"group\" title=\"provider group\" type=\"string\"/>\n    </attributes>\n");
    s.push_str("    <attributes class=\"edge\">\n      <attribute id=\"category\" title=\"category\" type=\"string\"/>\n      <attribute id=\"relationship\" title=\"relationship\" type=\"string\"/>\n      <attribute id=\"evidence\" title=\"observations\" type=\"integer\"/>\n      <attribute id=\"verdict\" title=\"verdict\" type=\"string\"/>\n    </attributes>\n");
    s.push_str("    <nodes>\n");
    for n in &g.nodes {
        let side = if n.side == Side::Firm {
            "firm"
        } else {
            "provider"
        };
        let group = n.group.map(|gi| g.groups[gi].label.as_str()).unwrap_or("");
        s.push_str(&format!(
            "      <node id=\"{}\" label=\"{}\">\n        <attvalues>\n          <attvalue for=\"side\" value=\"{side}\"/>\n          <attvalue for=\"country\" value=\"{}\"/>\n          <attvalue for=\"group\" value=\"{}\"/>\n        </attvalues>\n      </node>\n",
            xml_escape(&n.id),
            xml_escape(&n.label),
            xml_escape(n.country.as_deref().unwrap_or("")),
            xml_escape(group)
        ));
    }
    s.push_str("    </nodes>\n    <edges>\n");
    for (i, e) in g.edges.iter().enumerate() {
        let verdict = e
            .verdict
            .map(|v| v.label().to_string())
            .unwrap_or_else(|| "unclaimed".into());
        s.push_str(&format!(
            "      <edge id=\"{i}\" source=\"{}\" target=\"{}\" label=\"{}\" weight=\"{}\">\n        <attvalues>\n          <attvalue for=\"category\" value=\"{}\"/>\n          <attvalue for=\"relationship\" value=\"{}\"/>\n          <attvalue for=\"evidence\" value=\"{}\"/>\n          <attvalue for=\"verdict\" value=\"{}\"/>\n        </attvalues>\n      </edge>\n",
            xml_escape(&g.nodes[e.from].id),
            xml_escape(&g.nodes[e.to].id),
            xml_escape(e.category.as_deref().unwrap_or("-")),
            e.evidence.max(1),
            xml_escape(e.category.as_deref().unwrap_or("-")),
            e.kind.as_str(),
            e.evidence,
            xml_escape(&verdict)
        ));
    }
    s.push_str("    </edges>\n  </graph>\n</gexf>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::{build, Filters};
    use crate::{analyze, Limits};

    #[test]
    fn one_node_per_entity_and_one_edge_per_edge() {
        let a = analyze(
            include_str!("../../../../tests/fixtures/verdicts/all-features.json"),
            &Limits::default(),
        );
        let g = build(&a, &Filters::default());
        let x = graph_gexf(&a, &g);
        assert_eq!(x.matches("<node id=").count(), g.nodes.len());
        assert_eq!(x.matches("<edge id=").count(), g.edges.len());
        assert!(x.contains("<gexf xmlns=\"http://gexf.net/1.3\""));
        assert!(x.contains("Synthetic test data"));
        assert_eq!(x, graph_gexf(&a, &g), "deterministic");
    }
}
