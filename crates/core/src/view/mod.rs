//! What the viewer shows, computed in the core so the CLI, the tests and
//! the browser agree: the firm → provider [`graph`], the [`filter`]s and
//! as-of date over it, the [`table`] rows with their CSV, and the
//! providers × categories [`matrix`] of the charts.

pub mod filter;
pub mod graph;
pub mod matrix;
pub mod table;

pub use filter::{as_of, listing_in_force, param, Filters, VerdictFilter};
pub use graph::{
    build, country_of, edge_findings, entity_matches, root_of, Edge, EdgeKind, Graph, Group, Node,
    Side,
};
pub use matrix::{provider_category_matrix, Matrix};
pub use table::{rows, to_csv, Row};
