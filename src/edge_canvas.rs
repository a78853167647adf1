//! The edges of large graphs, drawn on a canvas under the SVG nodes.
//!
//! Above [`CANVAS_EDGES`] edges, one SVG element per edge is what makes a
//! graph slow to appear and to pan (10,000 edges were 30,000 elements).
//! The canvas draws them instead, as Cytoscape.js and Sigma.js do:
//!
//! - **batched**: edges are grouped by their look (category, relationship,
//!   width, dimmed), and each group is one path stroked once;
//! - **culled**: an edge whose control points lie outside the visible part
//!   of the graph is not drawn;
//! - **level of detail**: zoomed out, curves become straight lines and
//!   dashes solid, which looks the same at that size.
//!
//! Nodes, group boxes and claim labels stay SVG, so they keep their
//! keyboard focus, names and hover. An edge is selected by clicking near
//! it ([`edge_at`]), or from a node's list in the evidence panel and from
//! the table view, which list the same edges for keyboard and screen
//! reader users. Small graphs, embeds of small graphs and exports keep one
//! SVG element per edge.

use std::collections::{BTreeMap, BTreeSet};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use whoserves_core::layout::{curve_at, Layout, Point};
use whoserves_core::view::Graph;

/// Above this many edges they are drawn on a canvas.
pub const CANVAS_EDGES: usize = 2_000;

/// Below this many screen pixels per layout unit, curves are drawn as
/// lines and dashes as solid lines.
const DETAIL_SCALE: f64 = 0.35;

/// How an edge looks: the key its batch is grouped by.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Look {
    dim: bool,
    category: &'static str,
    relationship: &'static str,
    /// Line width in tenths of a layout unit.
    width: u32,
}

/// What [`draw`] needs besides the graph and its layout.
pub struct View<'a> {
    /// The pan and zoom: translate x, y, then scale.
    pub transform: (f64, f64, f64),
    /// Screen pixels per layout unit at zoom 1 (the SVG's fitted scale).
    pub px_per_unit: f64,
    /// Nodes kept bright (the others' edges are dimmed), if any.
    pub bright: Option<&'a BTreeSet<usize>>,
    /// The selected edge.
    pub selected: Option<usize>,
}

/// The line width of an edge with `evidence` observations, as the SVG
/// path draws it.
pub fn edge_width(evidence: usize, claim: bool) -> f64 {
    if claim {
        7.0
    } else {
        1.5 + ((evidence as f64) + 1.0).log2().min(5.0) * 1.3
    }
}

/// A colour from the page's CSS custom property `name` on `el`.
fn css_var(el: &web_sys::Element, name: &str) -> String {
    web_sys::window()
        .and_then(|w| w.get_computed_style(el).ok().flatten())
        .map(|s| s.get_property_value(name).unwrap_or_default())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "#777".into())
}

fn dash(relationship: &str) -> &'static [f64] {
    match relationship {
        "account" => &[14.0, 3.0],
        "incidental" => &[9.0, 5.0],
        "weak" => &[2.0, 4.0],
        "claimed" => &[3.0, 2.0],
        _ => &[],
    }
}

/// Draws the edges of `g` on `canvas`, sized to its box at the device's
/// pixel ratio. Returns how many edges were drawn (the others were
/// outside the view).
pub fn draw(canvas: &HtmlCanvasElement, g: &Graph, l: &Layout, v: &View) -> usize {
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return 0;
    };
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let (cw, ch) = (canvas.client_width() as f64, canvas.client_height() as f64);
    let (pw, ph) = ((cw * dpr).round() as u32, (ch * dpr).round() as u32);
    if canvas.width() != pw || canvas.height() != ph {
        canvas.set_width(pw);
        canvas.set_height(ph);
    }
    ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0).ok();
    ctx.clear_rect(0.0, 0.0, pw as f64, ph as f64);
    let (tx, ty, k) = v.transform;
    let s = v.px_per_unit * dpr;
    ctx.set_transform(s * k, 0.0, 0.0, s * k, s * tx, s * ty)
        .ok();
    // The visible part, in layout units, with a margin for line widths.
    let margin = 10.0;
    let x0 = (0.0 / s - tx) / k - margin;
    let y0 = (0.0 / s - ty) / k - margin;
    let x1 = (pw as f64 / s - tx) / k + margin;
    let y1 = (ph as f64 / s - ty) / k + margin;
    let detailed = v.px_per_unit * k >= DETAIL_SCALE;

    let mut batches: BTreeMap<Look, Vec<[Point; 4]>> = BTreeMap::new();
    let mut drawn = 0;
    for (i, e) in g.edges.iter().enumerate() {
        let c = l.edge_points(i, e.from, e.to);
        let (lo_x, hi_x, lo_y, hi_y) = bounds(&c);
        if hi_x < x0 || lo_x > x1 || hi_y < y0 || lo_y > y1 {
            continue;
        }
        drawn += 1;
        let dim = v
            .bright
            .is_some_and(|b| !(b.contains(&e.from) && b.contains(&e.to)));
        let look = Look {
            dim,
            category: crate::graph_view::category_class(e.category.as_deref()),
            relationship: e.kind.as_str(),
            width: (edge_width(e.evidence, e.kind.is_claim()) * 10.0).round() as u32,
        };
        batches.entry(look).or_default().push(c);
    }
    let el: &web_sys::Element = canvas.as_ref();
    let mut colours: BTreeMap<&'static str, String> = BTreeMap::new();
    let no_dash = js_sys::Array::new();
    for (look, curves) in &batches {
        let colour = colours
            .entry(if look.relationship == "claimed" {
                "claimed"
            } else {
                look.category
            })
            .or_insert_with_key(|c| css_var(el, &format!("--c-{c}")));
        ctx.set_stroke_style_str(colour);
        ctx.set_global_alpha(if look.dim { 0.18 } else { 0.85 });
        ctx.set_line_width(look.width as f64 / 10.0);
        if detailed {
            let d: js_sys::Array = dash(look.relationship)
                .iter()
                .map(|x| JsValue::from_f64(*x))
                .collect();
            ctx.set_line_dash(&d).ok();
        } else {
            ctx.set_line_dash(&no_dash).ok();
        }
        ctx.begin_path();
        for c in curves {
            ctx.move_to(c[0].x, c[0].y);
            if detailed {
                ctx.bezier_curve_to(c[1].x, c[1].y, c[2].x, c[2].y, c[3].x, c[3].y);
            } else {
                ctx.line_to(c[3].x, c[3].y);
            }
        }
        ctx.stroke();
    }
    // The selected edge on top, with a halo in the accent colour.
    if let Some(i) = v.selected.filter(|&i| i < g.edges.len()) {
        let e = &g.edges[i];
        let c = l.edge_points(i, e.from, e.to);
        ctx.set_global_alpha(1.0);
        ctx.set_line_dash(&no_dash).ok();
        for (colour, width) in [
            (
                css_var(el, "--accent"),
                edge_width(e.evidence, e.kind.is_claim()) + 5.0,
            ),
            (
                css_var(
                    el,
                    &format!(
                        "--c-{}",
                        crate::graph_view::category_class(e.category.as_deref())
                    ),
                ),
                edge_width(e.evidence, e.kind.is_claim()),
            ),
        ] {
            ctx.set_stroke_style_str(&colour);
            ctx.set_line_width(width);
            ctx.begin_path();
            ctx.move_to(c[0].x, c[0].y);
            ctx.bezier_curve_to(c[1].x, c[1].y, c[2].x, c[2].y, c[3].x, c[3].y);
            ctx.stroke();
        }
    }
    ctx.set_global_alpha(1.0);
    drawn
}

/// The edge nearest the layout point `p`, if one passes within
/// `tolerance` layout units of it.
pub fn edge_at(g: &Graph, l: &Layout, p: (f64, f64), tolerance: f64) -> Option<usize> {
    let mut best: Option<(f64, usize)> = None;
    for (i, e) in g.edges.iter().enumerate() {
        let c = l.edge_points(i, e.from, e.to);
        let (lo_x, hi_x, lo_y, hi_y) = bounds(&c);
        if p.0 < lo_x - tolerance
            || p.0 > hi_x + tolerance
            || p.1 < lo_y - tolerance
            || p.1 > hi_y + tolerance
        {
            continue;
        }
        // The curve as 16 segments.
        let mut prev = c[0];
        for step in 1..=16 {
            let q = curve_at(&c, step as f64 / 16.0);
            let d = segment_distance(p, prev, q);
            if d <= tolerance && best.is_none_or(|(b, _)| d < b) {
                best = Some((d, i));
            }
            prev = q;
        }
    }
    best.map(|(_, i)| i)
}

/// The box around a curve's control points (which holds the curve):
/// `(min x, max x, min y, max y)`.
fn bounds(c: &[Point; 4]) -> (f64, f64, f64, f64) {
    c.iter().fold(
        (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
        |(x0, x1, y0, y1), p| (x0.min(p.x), x1.max(p.x), y0.min(p.y), y1.max(p.y)),
    )
}

/// The distance from `p` to the segment `a`–`b`.
fn segment_distance(p: (f64, f64), a: Point, b: Point) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.x) * dx + (p.1 - a.y) * dy) / len2).clamp(0.0, 1.0)
    };
    let (x, y) = (a.x + t * dx, a.y + t * dy);
    ((p.0 - x).powi(2) + (p.1 - y).powi(2)).sqrt()
}
