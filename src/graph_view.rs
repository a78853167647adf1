//! The firm → provider graph, drawn as SVG from the core's layout.
//!
//! Pan by dragging, zoom with the wheel, pinch or the buttons; keyboard:
//! Tab between nodes, ↑/↓ within a column, ←/→ to a neighbour across,
//! Enter or Space selects, Esc clears, + / − / 0 zoom.

use crate::state::{AppState, Selection};
use leptos::prelude::*;
use std::collections::BTreeSet;
use wasm_bindgen::JsCast;
use whoserves_core::layout::Layout;
use whoserves_core::model::BUILTIN_CATEGORIES;
use whoserves_core::view::{Graph, Side};

use crate::edge_canvas::{self, CANVAS_EDGES};

/// The smallest scale the graph is fitted at: 13 px labels stay >= 12 px.
const MIN_SCALE: f64 = 0.92;

/// The CSS class suffix for a category: built-in ids, else `other`.
pub fn category_class(category: Option<&str>) -> &'static str {
    match category {
        Some(c) => BUILTIN_CATEGORIES
            .iter()
            .find(|b| **b == c)
            .copied()
            .unwrap_or("other"),
        None => "none",
    }
}

/// Nodes to keep bright: the hovered or selected node and its neighbours.
fn highlighted(g: &Graph, focus: Option<usize>) -> Option<BTreeSet<usize>> {
    let n = focus?;
    let mut set: BTreeSet<usize> = g.neighbours(n).into_iter().collect();
    set.insert(n);
    Some(set)
}

fn focus_node(i: usize) {
    focus_id(&format!("node-{i}"));
}

fn focus_id(id: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::SvgElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Makes element `{prefix}-{i}` its group's one tab stop (WAI-ARIA's
/// roving tabindex): the graph is two stops, its nodes and its edges, not
/// one per node and edge, so Tab gets past it to the claims list; the
/// arrow keys move within each group.
fn rove(prefix: &str, stop: StoredValue<usize>, i: usize) {
    let old = stop.get_value();
    if old == i {
        return;
    }
    let Some(d) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(el) = d.get_element_by_id(&format!("{prefix}-{old}")) {
        let _ = el.set_attribute("tabindex", "-1");
    }
    if let Some(el) = d.get_element_by_id(&format!("{prefix}-{i}")) {
        let _ = el.set_attribute("tabindex", "0");
    }
    stop.set_value(i);
}

/// Per edge, whether an observation of the live layer is behind it.
fn live_edges(g: &whoserves_core::view::Graph, a: Option<&whoserves_core::Analysis>) -> Vec<bool> {
    let Some(a) = a else {
        return vec![false; g.edges.len()];
    };
    g.edges
        .iter()
        .map(|e| {
            e.findings.iter().any(|&f| {
                a.findings[f].traces.iter().any(|t| {
                    matches!(&a.bundle.observations[t.observation].source,
                        whoserves_core::model::SourceRef::Id(id) if crate::live::is_live_source(id))
                })
            })
        })
        .collect()
}

/// The node index of the node element an event happened in, for nodes
/// drawn from markup ([`whoserves_core::view::nodes`]).
fn node_of(target: Option<web_sys::EventTarget>) -> Option<usize> {
    let el = target?.dyn_into::<web_sys::Element>().ok()?;
    let node = el.closest(".node").ok().flatten()?;
    whoserves_core::view::nodes::node_index(&node.id())
}

/// Adds or removes `class` on node element `i`.
fn node_class(i: usize, class: &str, on: bool) {
    let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&format!("node-{i}")))
    else {
        return;
    };
    let list = el.class_list();
    let _ = if on {
        list.add_1(class)
    } else {
        list.remove_1(class)
    };
}

/// Whether an edge between `from` and `to` is outside the bright set.
fn edge_dimmed(bright: Memo<Option<BTreeSet<usize>>>, from: usize, to: usize) -> bool {
    bright.with(|b| {
        b.as_ref()
            .is_some_and(|s| !(s.contains(&from) && s.contains(&to)))
    })
}

/// Moves keyboard focus from node `i` in the direction of `key`.
fn step(g: &Graph, l: &Layout, i: usize, key: &str) -> Option<usize> {
    let side = g.nodes[i].side;
    let column = |s: Side| {
        let mut v: Vec<usize> = (0..g.nodes.len())
            .filter(|&n| g.nodes[n].side == s)
            .collect();
        v.sort_by(|a, b| l.nodes[*a].y.total_cmp(&l.nodes[*b].y));
        v
    };
    match key {
        "ArrowUp" | "ArrowDown" => {
            let col = column(side);
            let at = col.iter().position(|&n| n == i)?;
            let next = if key == "ArrowUp" {
                at.checked_sub(1)?
            } else {
                at + 1
            };
            col.get(next).copied()
        }
        "ArrowLeft" | "ArrowRight" => {
            let want = if key == "ArrowLeft" {
                Side::Firm
            } else {
                Side::Provider
            };
            if want == side {
                return None;
            }
            let y = l.nodes[i].y;
            g.neighbours(i).into_iter().min_by(|a, b| {
                (l.nodes[*a].y - y)
                    .abs()
                    .total_cmp(&(l.nodes[*b].y - y).abs())
            })
        }
        _ => None,
    }
}

/// Below this many screen pixels per layout unit, labels are hidden.
const FAR_SCALE: f64 = 0.5;

/// Screen pixels per layout unit at zoom 1: the scale the SVG's viewBox
/// is fitted at (`preserveAspectRatio="xMinYMin meet"`).
fn fitted_scale(svg: &web_sys::Element, l: &Layout) -> f64 {
    let r = svg.get_bounding_client_rect();
    (r.width() / l.width.max(200.0)).min(r.height() / l.height.max(120.0))
}

/// Zooms by `factor` about the point `p` (layout coordinates).
fn zoom_about(state: AppState, factor: f64, p: (f64, f64)) {
    state.transform.update(|(tx, ty, k)| {
        let nk = (*k * factor).clamp(0.2, 8.0);
        let f = nk / *k;
        *tx = p.0 - (p.0 - *tx) * f;
        *ty = p.1 - (p.1 - *ty) * f;
        *k = nk;
    });
}

/// The graph view.
#[component]
pub fn GraphView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    // Layout units per screen pixel (the SVG scales its viewBox to fit).
    let units_per_px = move || {
        let Some(svg) = svg_ref.get() else { return 1.0 };
        let r = svg.get_bounding_client_rect();
        let l = state.layout.get();
        if r.width() <= 0.0 || r.height() <= 0.0 {
            return 1.0;
        }
        (l.width / r.width()).max(l.height / r.height())
    };
    let to_layout = move |cx: f64, cy: f64| {
        let Some(svg) = svg_ref.get() else {
            return (0.0, 0.0);
        };
        let r = svg.get_bounding_client_rect();
        let s = units_per_px();
        ((cx - r.left()) * s, (cy - r.top()) * s)
    };
    let centre = move || {
        let l = state.layout.get_untracked();
        (l.width / 2.0, l.height / 2.0)
    };

    // Pointer tracking for pan and pinch.
    let pointers = StoredValue::new(Vec::<(i32, f64, f64)>::new());
    // The scale is read once per gesture, not on every move: measuring the
    // SVG on each frame forces the browser to lay it out again.
    let gesture_scale = StoredValue::new(1.0f64);
    // Big graphs draw their edges on a canvas (edge_canvas), and move as
    // pictures during a gesture.
    let on_canvas = Memo::new(move |_| state.graph.with(|g| g.edges.len() > CANVAS_EDGES));
    let panning = RwSignal::new(false);
    // A one-finger drag of a big graph moves the SVG as a picture too: its
    // transform attribute stays at the view the drag started from (with the
    // scale then), and a CSS transform carries it the rest of the way, so
    // the browser moves thousands of nodes without painting them again.
    let frozen = RwSignal::new(None::<((f64, f64, f64), f64)>);
    // Where the last press started: a click that moved is a drag.
    let down_at = StoredValue::new((0.0f64, 0.0f64));
    let on_pointerdown = move |ev: web_sys::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        down_at.set_value((ev.client_x() as f64, ev.client_y() as f64));
        gesture_scale.set_value(units_per_px());
        pointers.update_value(|p| {
            p.push((ev.pointer_id(), ev.client_x() as f64, ev.client_y() as f64))
        });
    };
    let on_pointermove = move |ev: web_sys::PointerEvent| {
        let id = ev.pointer_id();
        let (x, y) = (ev.client_x() as f64, ev.client_y() as f64);
        let ps = pointers.get_value();
        let Some(idx) = ps.iter().position(|p| p.0 == id) else {
            return;
        };
        let s = gesture_scale.get_value();
        if !panning.get_untracked() {
            panning.set(true);
            // No hover highlight while the picture moves under the pointer:
            // each node it crossed would restyle every node and redraw
            // every edge.
            state.hover.set(None);
        }
        if ps.len() == 1 {
            if frozen.get_untracked().is_none() && on_canvas.get_untracked() {
                let t = state.transform.get_untracked();
                frozen.set(Some((t, 1.0 / s.max(1e-9))));
            }
            let (_, px, py) = ps[0];
            state.transform.update(|(tx, ty, _)| {
                *tx += (x - px) * s;
                *ty += (y - py) * s;
            });
        } else if ps.len() == 2 {
            // A pinch measures the SVG, so the picture goes back in place.
            if frozen.get_untracked().is_some() {
                frozen.set(None);
            }
            let other = ps[1 - idx];
            let before = ((ps[idx].1 - other.1).powi(2) + (ps[idx].2 - other.2).powi(2)).sqrt();
            let after = ((x - other.1).powi(2) + (y - other.2).powi(2)).sqrt();
            if before > 0.0 {
                let mid = to_layout((x + other.1) / 2.0, (y + other.2) / 2.0);
                zoom_about(state, after / before, mid);
            }
        }
        pointers.update_value(|p| p[idx] = (id, x, y));
    };
    let on_pointerup = move |ev: web_sys::PointerEvent| {
        let id = ev.pointer_id();
        pointers.update_value(|p| p.retain(|q| q.0 != id));
        if pointers.with_value(|p| p.is_empty()) && panning.get_untracked() {
            frozen.set(None);
            panning.set(false);
        }
    };
    // A wheel zoom is a gesture too, until 200 ms after its last step.
    let wheel_gen = StoredValue::new(0u32);
    // Where the SVG stood when a wheel gesture froze it (left, top, layout
    // units per pixel): the pointer is read against that, not against the
    // moving picture.
    let wheel_origin = StoredValue::new(None::<(f64, f64, f64)>);
    let on_wheel = move |ev: web_sys::WheelEvent| {
        ev.prevent_default();
        wheel_gen.update_value(|g| *g = g.wrapping_add(1));
        let mine = wheel_gen.get_value();
        if !panning.get_untracked() {
            panning.set(true);
            state.hover.set(None);
        }
        if on_canvas.get_untracked()
            && frozen.get_untracked().is_none()
            && pointers.with_value(|p| p.is_empty())
        {
            if let Some(svg) = svg_ref.get_untracked() {
                let r = svg.get_bounding_client_rect();
                let s = units_per_px();
                wheel_origin.set_value(Some((r.left(), r.top(), s)));
                frozen.set(Some((state.transform.get_untracked(), 1.0 / s.max(1e-9))));
            }
        }
        set_timeout(
            move || {
                if wheel_gen.get_value() == mine && pointers.with_value(|p| p.is_empty()) {
                    wheel_origin.set_value(None);
                    frozen.set(None);
                    panning.set(false);
                }
            },
            std::time::Duration::from_millis(200),
        );
        let factor = if ev.delta_y() < 0.0 { 1.15 } else { 1.0 / 1.15 };
        let (cx, cy) = (ev.client_x() as f64, ev.client_y() as f64);
        let at = match wheel_origin
            .get_value()
            .filter(|_| frozen.get_untracked().is_some())
        {
            Some((left, top, s)) => ((cx - left) * s, (cy - top) * s),
            None => to_layout(cx, cy),
        };
        zoom_about(state, factor, at);
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
        "+" | "=" => zoom_about(state, 1.25, centre()),
        "-" | "_" => zoom_about(state, 0.8, centre()),
        "0" => state.transform.set((0.0, 0.0, 1.0)),
        "Escape" => state.selection.set(Selection::None),
        _ => {}
    };

    let selected_node = Memo::new(move |_| match state.selection.get() {
        Selection::Node(id) => state.graph.get().node(&id),
        _ => None,
    });
    let focus_index = Memo::new(move |_| state.hover.get().or_else(|| selected_node.get()));
    let bright = Memo::new(move |_| highlighted(&state.graph.get(), focus_index.get()));
    let selected_edge = Memo::new(move |_| match state.selection.get() {
        Selection::Edge(k) => state.graph.get().edge_by_key(&k),
        _ => None,
    });

    // Canvas edges: redrawn at the next frame whenever the graph, the
    // view or the highlight changes; one draw per frame however many
    // changes came in it.
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let draw_pending = StoredValue::new(false);
    let mark_pending = StoredValue::new(false);
    // Zoomed out until labels would be unreadable: they are hidden.
    let far = RwSignal::new(false);
    // `far` for a view at `px` screen pixels per layout unit.
    let set_far = move |px: f64| {
        let is_far = px < FAR_SCALE;
        if far.get_untracked() != is_far {
            far.set(is_far);
        }
    };
    // The view and scale the canvas was last drawn at, and whether what it
    // shows (graph, layout, highlight, selection) changed since.
    let drawn_at = StoredValue::new(None::<((f64, f64, f64), f64)>);
    let dirty = StoredValue::new(true);
    let draw_edges = move || {
        draw_pending.set_value(false);
        let (Some(canvas), Some(svg)) = (canvas_ref.get_untracked(), svg_ref.get_untracked())
        else {
            return;
        };
        let transform = state.transform.get_untracked();
        // While a gesture moves the picture, the last drawing moves with it
        // (a CSS transform of the canvas: the compositor's work, not ours),
        // and the gesture's end draws it again. Redrawing thousands of
        // strokes each frame held big graphs to a few frames a second.
        if panning.get_untracked() && !dirty.get_value() {
            if let Some((t0, ppu0)) = drawn_at.get_value() {
                let r = transform.2 / t0.2;
                let dx = ppu0 * (transform.0 - r * t0.0);
                let dy = ppu0 * (transform.1 - r * t0.1);
                let css: &web_sys::HtmlElement = &canvas;
                let _ = css.style().set_property(
                    "transform",
                    &format!("translate({dx:.1}px, {dy:.1}px) scale({r:.5})"),
                );
                return;
            }
        }
        let css: &web_sys::HtmlElement = &canvas;
        let _ = css.style().remove_property("transform");
        dirty.set_value(false);
        let g = state.graph.get_untracked();
        let l = state.layout.get_untracked();
        let px_per_unit = fitted_scale(&svg, &l);
        drawn_at.set_value(Some((transform, px_per_unit)));
        let b = bright.get_untracked();
        edge_canvas::draw(
            &canvas,
            &g,
            &l,
            &edge_canvas::View {
                transform,
                px_per_unit,
                bright: b.as_ref(),
                selected: selected_edge.get_untracked(),
            },
        );
        set_far(px_per_unit * transform.2);
        if mark_pending.get_value() {
            mark_pending.set_value(false);
            request_animation_frame(|| crate::load::mark("whoserves:graph-drawn"));
        }
    };
    Effect::new(move |_| {
        state.graph.track();
        state.layout.track();
        bright.track();
        selected_edge.track();
        dirty.set_value(true);
    });
    Effect::new(move |_| {
        let large = on_canvas.get();
        state.graph.track();
        state.layout.track();
        state.transform.track();
        bright.track();
        selected_edge.track();
        // The gesture's end: drawn afresh at the view it ended at.
        panning.track();
        if !large {
            far.set(false);
            return;
        }
        if !draw_pending.get_value() {
            draw_pending.set_value(true);
            request_animation_frame(draw_edges);
        }
    });
    // A click (not a drag) near a canvas edge selects it.
    let on_click = move |ev: web_sys::MouseEvent| {
        if !on_canvas.get_untracked() {
            return;
        }
        let (x, y) = (ev.client_x() as f64, ev.client_y() as f64);
        let (dx, dy) = down_at.get_value();
        if (x - dx).abs() + (y - dy).abs() > 4.0 {
            return;
        }
        let on_node = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest(".node").ok().flatten())
            .is_some();
        if on_node {
            return;
        }
        let (vx, vy) = to_layout(x, y);
        let (tx, ty, k) = state.transform.get_untracked();
        let p = ((vx - tx) / k, (vy - ty) / k);
        let tolerance = 6.0 * units_per_px() / k;
        let g = state.graph.get_untracked();
        let l = state.layout.get_untracked();
        if let Some(i) = edge_canvas::edge_at(&g, &l, p, tolerance) {
            state.selection.set(Selection::Edge(g.edges[i].key(&g)));
        }
    };

    // The one node and the one edge that Tab reaches (see `rove`).
    let node_stop = StoredValue::new(0usize);
    let edge_stop = StoredValue::new(0usize);

    // Big graphs' nodes come as markup (whoserves_core::view::nodes): their
    // events are handled here, once for all of them, as each small-graph
    // node handles its own; the highlight and the selection change the
    // classes of the nodes whose state changes, not of every node.
    let select_node = move |i: usize| {
        if let Some(id) = state
            .graph
            .with_untracked(|g| g.nodes.get(i).map(|n| n.id.clone()))
        {
            state.selection.set(Selection::Node(id));
        }
    };
    let on_nodes_click = move |ev: web_sys::MouseEvent| {
        if let Some(i) = node_of(ev.target()) {
            select_node(i);
        }
    };
    let on_nodes_key = move |ev: web_sys::KeyboardEvent| {
        let Some(i) = node_of(ev.target()) else {
            return;
        };
        let key = ev.key();
        match key.as_str() {
            "Enter" | " " => {
                ev.prevent_default();
                select_node(i);
            }
            "ArrowUp" | "ArrowDown" | "ArrowLeft" | "ArrowRight" => {
                ev.prevent_default();
                let next = state.graph.with_untracked(|g| {
                    state
                        .layout
                        .with_untracked(|l| (i < g.nodes.len()).then(|| step(g, l, i, &key)))
                        .flatten()
                });
                if let Some(next) = next {
                    focus_node(next);
                }
            }
            _ => {}
        }
    };
    let on_nodes_over = move |ev: web_sys::MouseEvent| {
        if let Some(i) = node_of(ev.target()) {
            if !panning.get_untracked() && state.hover.get_untracked() != Some(i) {
                state.hover.set(Some(i));
            }
        }
    };
    let on_nodes_out = move |ev: web_sys::MouseEvent| {
        let from = node_of(ev.target());
        if from.is_some() && from != node_of(ev.related_target()) {
            state.hover.set(None);
        }
    };
    let on_nodes_focus = move |ev: web_sys::FocusEvent| {
        if let Some(i) = node_of(ev.target()) {
            rove("node", node_stop, i);
            state.hover.set(Some(i));
        }
    };
    let on_nodes_blur = move |_: web_sys::FocusEvent| state.hover.set(None);
    let lit_shown = StoredValue::new(BTreeSet::<usize>::new());
    Effect::new(move |_| {
        // The markup may have been built again: it was built with the
        // state then, so only changes since are applied.
        state.graph.track();
        state.layout.track();
        if !on_canvas.get() {
            lit_shown.set_value(BTreeSet::new());
            return;
        }
        let want = bright.get().unwrap_or_default();
        lit_shown.with_value(|have| {
            for &i in have.difference(&want) {
                node_class(i, "lit", false);
            }
            for &i in want.difference(have) {
                node_class(i, "lit", true);
            }
        });
        lit_shown.set_value(want);
    });
    let selected_shown = StoredValue::new(None::<usize>);
    Effect::new(move |_| {
        state.graph.track();
        state.layout.track();
        if !on_canvas.get() {
            selected_shown.set_value(None);
            return;
        }
        let want = selected_node.get();
        let have = selected_shown.get_value();
        if let Some(i) = have.filter(|_| have != want) {
            node_class(i, "selected", false);
        }
        if let Some(i) = want {
            node_class(i, "selected", true);
        }
        selected_shown.set_value(want);
    });
    let drawing = move || {
        let g = state.graph.get();
        let l = state.layout.get();
        if node_stop.get_value() >= g.nodes.len() {
            node_stop.set_value(0);
        }
        if edge_stop.get_value() >= g.edges.len() {
            edge_stop.set_value(0);
        }
        let (ns, es, n_edges) = (node_stop.get_value(), edge_stop.get_value(), g.edges.len());
        let live = live_edges(&g, state.analysis.get_untracked().as_deref());
        // Large graphs draw their edges on the canvas (edge_canvas).
        let on_canvas = g.edges.len() > CANVAS_EDGES;
        if g.nodes.is_empty() {
            // Before any bundle is on screen there is nothing to filter.
            let why = if state.current.with(Option::is_none) {
                "No bundle loaded."
            } else {
                "Nothing matches the filters."
            };
            return view! {
                <text x="20" y="40" class="empty" data-testid="graph-empty">{why}</text>
            }
            .into_any();
        }
        let groups = l
            .groups
            .iter()
            .map(|gb| {
                let gr = &g.groups[gb.group];
                let header = gb.header.map(|p| {
                    view! { <text class="group-label" x=p.x + 10.0 y=p.y + 4.5>{whoserves_core::layout::shown_label(&gr.label).into_owned()}</text> }
                });
                view! {
                    <g class="group" data-testid="group" data-id=gr.id.clone()>
                        <rect class="group-box" x=gb.rect.x y=gb.rect.y width=gb.rect.width height=gb.rect.height rx="6" />
                        {header}
                    </g>
                }
            })
            .collect_view();
        let edges = g
            .edges
            .iter()
            .enumerate()
            .filter(|_| !on_canvas)
            .map(|(i, e)| {
                let c = l.edge_points(i, e.from, e.to);
                let d = format!(
                    "M{:.1} {:.1} C{:.1} {:.1} {:.1} {:.1} {:.1} {:.1}",
                    c[0].x, c[0].y, c[1].x, c[1].y, c[2].x, c[2].y, c[3].x, c[3].y
                );
                let rel = e.kind.as_str();
                let is_live = live.get(i).copied().unwrap_or(false);
                let class = format!(
                    "edge cat-{} rel-{rel}{}",
                    category_class(e.category.as_deref()),
                    if is_live { " live" } else { "" }
                );
                let key = e.key(&g);
                let (from, to) = (e.from, e.to);
                let width = edge_canvas::edge_width(e.evidence, e.kind.is_claim());
                let label = format!(
                    "{} to {}: {} {}, {} observation(s){}",
                    g.nodes[from].label,
                    g.nodes[to].label,
                    e.category.as_deref().unwrap_or("any service"),
                    rel,
                    e.evidence,
                    e.verdict.map(|v| format!(", claim {}", v.label())).unwrap_or_default()
                ) + if is_live { ", from the live check" } else { "" };
                let dim = move || edge_dimmed(bright, from, to);
                let sel_key = key.clone();
                let key_key = key.clone();
                let on_key = move |ev: web_sys::KeyboardEvent| {
                    let next = match ev.key().as_str() {
                        "Enter" | " " => {
                            ev.prevent_default();
                            state.selection.set(Selection::Edge(key_key.clone()));
                            None
                        }
                        "ArrowRight" | "ArrowDown" => Some((i + 1) % n_edges),
                        "ArrowLeft" | "ArrowUp" => Some((i + n_edges - 1) % n_edges),
                        "Home" => Some(0),
                        "End" => Some(n_edges - 1),
                        _ => None,
                    };
                    if let Some(j) = next {
                        ev.prevent_default();
                        focus_id(&format!("edge-{j}"));
                    }
                };
                view! {
                    <g class="edge-g" class:dim=dim class:selected=move || selected_edge.get() == Some(i)
                        role="button" id=format!("edge-{i}") tabindex=if i == es { "0" } else { "-1" } aria-label=label
                        on:focus=move |_| rove("edge", edge_stop, i)
                        data-testid="edge" data-key=key.clone() data-category=e.category.clone().unwrap_or_default()
                        data-relationship=rel data-evidence=e.evidence.to_string() data-live=is_live.to_string()
                        on:click=move |_| state.selection.set(Selection::Edge(sel_key.clone()))
                        on:keydown=on_key>
                        <path class="edge-hit" d=d.clone() />
                        <path class=class d=d stroke-width=width.to_string() />
                    </g>
                }
            })
            .collect_view();
        let edge_labels = g
            .edges
            .iter()
            .zip(&l.edge_labels)
            .filter_map(|(e, r)| {
                let r = (*r)?;
                let text = e.verdict.map(|v| v.label()).unwrap_or("claimed");
                let (from, to) = (e.from, e.to);
                let dim = move || edge_dimmed(bright, from, to);
                Some(view! {
                    <text class="edge-label" class:dim=dim x=r.x + r.width / 2.0 y=r.y + r.height / 2.0 + 4.0 text-anchor="middle">{text}</text>
                })
            })
            .collect_view();
        let degrees = whoserves_core::view::nodes::degrees(&g);
        let nodes = if on_canvas {
            // Labels too small to read are hidden before the nodes are
            // built, so the browser never lays out thousands of them for
            // the first frame (the canvas's draw decides again).
            if let Some(svg) = svg_ref.get_untracked() {
                let s = fitted_scale(&svg, &l);
                if s > 0.0 {
                    set_far(s * state.transform.get_untracked().2);
                }
            }
            let lit = bright.get_untracked();
            let selected = selected_node.get_untracked();
            let markup = whoserves_core::view::nodes::nodes_markup(
                &g,
                &l,
                whoserves_core::view::nodes::NodeState {
                    tab_stop: ns,
                    lit: lit.as_ref(),
                    selected,
                },
            );
            view! {
                <g class="nodes" class:dimming=move || bright.with(|b| b.is_some()) inner_html=markup
                    on:click=on_nodes_click on:keydown=on_nodes_key
                    on:mouseover=on_nodes_over on:mouseout=on_nodes_out
                    on:focusin=on_nodes_focus on:focusout=on_nodes_blur></g>
            }
            .into_any()
        } else {
            g
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let p = l.nodes[i];
                let lb = l.labels[i];
                let is_firm = n.side == Side::Firm;
                let root = n.group.is_some_and(|gi| g.groups[gi].id == n.id);
                let aria = whoserves_core::view::nodes::node_name(&g, i, degrees[i]);
                let id = n.id.clone();
                let gg = g.clone();
                let ll = l.clone();
                let on_key = move |ev: web_sys::KeyboardEvent| {
                    let key = ev.key();
                    match key.as_str() {
                        "Enter" | " " => {
                            ev.prevent_default();
                            state.selection.set(Selection::Node(gg.nodes[i].id.clone()));
                        }
                        "ArrowUp" | "ArrowDown" | "ArrowLeft" | "ArrowRight" => {
                            ev.prevent_default();
                            if let Some(next) = step(&gg, &ll, i, &key) {
                                focus_node(next);
                            }
                        }
                        _ => {}
                    }
                };
                let dim = move || bright.with(|b| b.as_ref().is_some_and(|s| !s.contains(&i)));
                let selected = {
                    let id = id.clone();
                    move || state.selection.with(|s| matches!(s, Selection::Node(x) if *x == id))
                };
                let click_id = id.clone();
                view! {
                    <g class="node" class:firm=is_firm class:provider=!is_firm class:root=root
                        class:dim=dim class:selected=selected
                        id=format!("node-{i}") tabindex=if i == ns { "0" } else { "-1" } role="button" aria-label=aria
                        data-testid="node" data-id=id.clone() data-side=if is_firm { "firm" } else { "provider" }
                        on:click=move |_| state.selection.set(Selection::Node(click_id.clone()))
                        on:keydown=on_key
                        on:mouseenter=move |_| if !panning.get_untracked() { state.hover.set(Some(i)) }
                        on:mouseleave=move |_| state.hover.set(None)
                        on:focus=move |_| { rove("node", node_stop, i); state.hover.set(Some(i)) }
                        on:blur=move |_| state.hover.set(None)>
                        <rect class="node-hit" x=lb.x.min(p.x) - 4.0 y=lb.y - 3.0
                            width=(lb.x + lb.width - p.x).abs().max(lb.width) + 16.0 height=lb.height + 6.0 />
                        <title>{n.label.clone()}</title>
                        <circle cx=p.x cy=p.y r="5" />
                        <text x=if is_firm { lb.x + lb.width } else { lb.x } y=p.y + 4.5
                            text-anchor=if is_firm { "end" } else { "start" }>{whoserves_core::layout::shown_label(&n.label).into_owned()}</text>
                    </g>
                }
            })
            .collect_view()
            .into_any()
        };
        crate::load::mark("whoserves:graph-built");
        // The graph is seen at the first frame painted after its DOM is
        // built; with canvas edges, after the canvas is drawn.
        if on_canvas {
            mark_pending.set_value(true);
        } else {
            request_animation_frame(|| crate::load::mark("whoserves:graph-drawn"));
        }
        view! { <g>{groups}{edges}{edge_labels}{nodes}</g> }.into_any()
    };

    // Never shrink labels below about 12 px: narrow screens scroll sideways
    // (or zoom) instead.
    // (Not for canvas graphs: thousands of nodes fit the box only with
    // their labels hidden, and a minimum width would add a screen of empty
    // space beside them.)
    let min_width = move || {
        if on_canvas.get() {
            String::new()
        } else {
            format!("{:.0}px", state.layout.get().width * MIN_SCALE)
        }
    };
    let view_box = move || {
        let l = state.layout.get();
        format!("0 0 {:.0} {:.0}", l.width.max(200.0), l.height.max(120.0))
    };
    let transform = move || {
        let (x, y, k) = match frozen.get() {
            Some((t, _)) => t,
            None => state.transform.get(),
        };
        format!("translate({x:.1} {y:.1}) scale({k:.3})")
    };
    // The CSS part of a frozen drag: from the view the attribute shows to
    // the current one, in screen pixels.
    let picture = move || {
        let ((x0, y0, k0), ppu) = frozen.get()?;
        let (x, y, k) = state.transform.get();
        let r = k / k0;
        Some(format!(
            "translate({:.1}px, {:.1}px) scale({r:.5})",
            ppu * (x - r * x0),
            ppu * (y - r * y0)
        ))
    };
    view! {
        <div class="graph-wrap" on:keydown=on_keydown>
            <div class="zoom-controls" role="group" aria-label="Zoom">
                <button data-testid="zoom-in" aria-label="Zoom in" on:click=move |_| zoom_about(state, 1.25, centre())>"+"</button>
                <button data-testid="zoom-out" aria-label="Zoom out" on:click=move |_| zoom_about(state, 0.8, centre())>"−"</button>
                <button data-testid="zoom-fit" aria-label="Fit to screen" on:click=move |_| state.transform.set((0.0, 0.0, 1.0))>"Fit"</button>
            </div>
            <div class="graph-stage" style:min-width=min_width>
            <canvas node_ref=canvas_ref class="edge-canvas" data-testid="edge-canvas" aria-hidden="true"
                class:active=move || on_canvas.get()
                data-edges=move || on_canvas.get().then(|| state.graph.with(|g| g.edges.len().to_string()))></canvas>
            <svg node_ref=svg_ref class="graph" data-testid="graph" viewBox=view_box preserveAspectRatio="xMinYMin meet"
                style:min-width=min_width
                style:transform=picture
                class:panning=move || panning.get()
                class:large=move || on_canvas.get()
                class:far=move || far.get()
                role="group"
                aria-label=move || if on_canvas.get() {
                    "Graph of firms and the providers that serve them. Its edges are drawn as an image: select a node to list its edges, or use the table view, which lists the same edges."
                } else {
                    "Graph of firms and the providers that serve them. The table view lists the same edges."
                }
                on:click=on_click
                data-transform=move || { let (x, y, k) = state.transform.get(); format!("{x:.1},{y:.1},{k:.3}") }
                on:pointerdown=on_pointerdown on:pointermove=on_pointermove on:pointerup=on_pointerup
                on:pointercancel=on_pointerup on:pointerleave=on_pointerup on:wheel=on_wheel>
                <defs>
                    <pattern id="hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">
                        <rect width="6" height="6" class="hatch-bg" />
                        <line x1="0" y1="0" x2="0" y2="6" class="hatch-line" stroke-width="3" />
                    </pattern>
                </defs>
                <g transform=transform>{drawing}</g>
            </svg>
            </div>
            <Legend />
        </div>
    }
}

/// Colour and line-style legend.
#[component]
pub fn Legend() -> impl IntoView {
    let state = expect_context::<AppState>();
    let categories = move || {
        let a = state.analysis.get();
        let g = state.graph.get();
        let present: BTreeSet<&str> = g
            .edges
            .iter()
            .filter_map(|e| e.category.as_deref())
            .collect();
        present
            .into_iter()
            .map(|c| {
                let label = a
                    .as_ref()
                    .and_then(|a| a.bundle.category(c).map(|x| x.label.clone()))
                    .unwrap_or_else(|| c.to_string());
                view! {
                    <li>
                        <svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" class=format!("edge cat-{}", category_class(Some(c))) stroke-width="3" /></svg>
                        {label}
                    </li>
                }
            })
            .collect_view()
    };
    // Only the line styles the graph draws; an embed says each in a word.
    let compact = state.embed.get_untracked().is_some();
    let styles = move || {
        let g = state.graph.get();
        let present: BTreeSet<&str> = g.edges.iter().map(|e| e.kind.as_str()).collect();
        [
            ("direct", "direct: the provider serves the firm's domain", "direct"),
            ("account", "account: the firm holds an account (free or paid)", "account"),
            ("incidental", "incidental: a public resource is loaded", "incidental"),
            ("weak", "weak: e.g. a verification token", "weak"),
            ("claimed", "claimed, but no finding", "claimed only"),
        ]
        .into_iter()
        .filter(|(rel, ..)| present.contains(rel))
        .map(|(rel, long, short)| {
            view! {
                <li data-testid="legend-style" data-rel=rel>
                    <svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" class=format!("edge legend-line rel-{rel}") stroke-width=if rel == "claimed" { "7" } else { "3" } /></svg>
                    {if compact { short } else { long }}
                </li>
            }
        })
        .collect_view()
    };
    let width_note = if compact {
        "width: observations"
    } else {
        "Line width grows with the number of observations."
    };
    view! {
        <div class="legend" data-testid="legend">
            <ul class="legend-categories" aria-label="Service categories">{categories}</ul>
            <ul class="legend-styles" aria-label="Line styles">{styles}<li>{width_note}</li>
                {move || state.current.with(|c| c.as_ref().is_some_and(|c| c.live)).then(|| view! {
                    <li data-testid="legend-live"><svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" class="edge legend-line rel-direct live" stroke-width="3" /></svg>
                    "glow: from the live check"</li>
                })}
            </ul>
        </div>
    }
}
