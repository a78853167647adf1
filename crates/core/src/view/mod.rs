//! What the viewer shows, computed in the core so the CLI, the tests and
//! the browser agree: the firm → provider [`graph`], the [`filter`]s and
//! as-of date over it, the [`table`] rows with their CSV, the [`findings`]
//! export (one row per observation behind an edge), the
//! providers × categories [`matrix`] and the [`chart`]s drawn from it.

pub mod chart;
pub mod cite;
pub mod embed;
pub mod filter;
pub mod findings;
pub mod ftm;
pub mod gexf;
pub mod graph;
pub mod matrix;
pub mod nodes;
pub mod svg;
pub mod table;

pub use cite::{cite_claim, cite_edge, Style};
pub use filter::{as_of, listing_in_force, param, Filters, VerdictFilter};
pub use findings::{finding_rows, findings_csv, findings_json, FindingRow};
pub use ftm::graph_ftm;
pub use gexf::graph_gexf;
pub use graph::{
    build, country_of, edge_findings, entity_matches, finding_matches, root_of, Edge, EdgeKind,
    Graph, Group, Node, Side, SEARCHED,
};
pub use matrix::{provider_category_matrix, Matrix};
pub use svg::{credit, graph_svg};
pub use table::{csv_cell, rows, to_csv, Row};
