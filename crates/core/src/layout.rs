//! Graph layout: where the viewer draws each node, group and edge label.
//!
//! [`two_column`] puts firms on the left and providers on the right,
//! providers grouped under their parent, and orders both columns by the
//! barycentric heuristic (Sugiyama et al.) to reduce edge crossings. It is
//! deterministic: the same graph gives the same picture.
//!
//! Labels never overlap: every node has its own row, columns are far
//! enough apart for their labels, and edge labels (the verdicts of claims
//! with no finding) are placed at the first free spot along their edge.

use crate::view::graph::{Graph, Side};
use serde::{Deserialize, Serialize};

/// A point in layout coordinates (pixels at zoom 1).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Point {
    /// Horizontal position.
    pub x: f64,
    /// Vertical position.
    pub y: f64,
}

/// An axis-aligned box.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl Rect {
    /// Whether two boxes overlap (touching does not count).
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.width
            && o.x < self.x + self.width
            && self.y < o.y + o.height
            && o.y < self.y + self.height
    }
}

/// Sizes used by the layout; the viewer's CSS must agree with them.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Height of one node row.
    pub row: f64,
    /// Extra space between provider groups.
    pub group_gap: f64,
    /// Horizontal distance between the two columns' anchor points.
    pub column_gap: f64,
    /// Average width of one label character at the label font size.
    pub char_width: f64,
    /// Height of a label's box.
    pub label_height: f64,
    /// Margin around everything.
    pub margin: f64,
    /// Barycentric sweeps.
    pub sweeps: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            row: 26.0,
            group_gap: 14.0,
            column_gap: 420.0,
            char_width: 7.4,
            label_height: 16.0,
            margin: 16.0,
            sweeps: 12,
        }
    }
}

/// A laid-out provider group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupBox {
    /// Index into [`Graph::groups`].
    pub group: usize,
    /// The box around the members (and the header, if any).
    pub rect: Rect,
    /// Where the header label sits, when the group's root is not itself a
    /// member (otherwise the root's own node heads the group).
    pub header: Option<Point>,
}

/// Where things go.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Layout {
    /// Anchor point (the dot) of each node, by node index.
    pub nodes: Vec<Point>,
    /// Label box of each node, by node index.
    pub labels: Vec<Rect>,
    /// Provider groups.
    pub groups: Vec<GroupBox>,
    /// Label box of each edge that carries a label (claim-only edges), by
    /// edge index.
    pub edge_labels: Vec<Option<Rect>>,
    /// Vertical offset of each edge's middle, by edge index, so that
    /// parallel edges (one firm, one provider, several categories) fan out
    /// instead of drawing over each other.
    pub edge_offsets: Vec<f64>,
    /// Whether edges are drawn as S-curves between columns (two-column
    /// layout) or as near-straight lines (force layout).
    pub curved: bool,
    /// Total width.
    pub width: f64,
    /// Total height.
    pub height: f64,
}

/// The longest label drawn whole, in characters; a longer name is cut
/// with an ellipsis in the picture (the node's accessible name, its
/// tooltip and the panel keep it whole), so one long name cannot widen
/// the graph past any screen.
pub const MAX_LABEL_CHARS: usize = 40;

/// `text` as a graph label: whole, or cut to [`MAX_LABEL_CHARS`] with an
/// ellipsis.
pub fn shown_label(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().count() <= MAX_LABEL_CHARS {
        return std::borrow::Cow::Borrowed(text);
    }
    let cut: String = text.chars().take(MAX_LABEL_CHARS - 1).collect();
    std::borrow::Cow::Owned(format!("{}…", cut.trim_end()))
}

/// Advance widths of ASCII 32..=126 in bold 13 px DejaVu Sans, in tenths
/// of a pixel, as Chromium measures them. DejaVu is the widest common
/// sans-serif (Debian's default), and a selected label turns bold, so a
/// width from this table holds for any label in any state.
const BOLD_13PX: [u8; 95] = [
    45, 59, 68, 109, 90, 130, 113, 40, 59, 59, 68, 109, 49, 54, 49, 47, 90, 90, 90, 90, 90, 90, 90,
    90, 90, 90, 52, 52, 109, 109, 109, 75, 130, 101, 99, 95, 108, 89, 89, 107, 109, 48, 48, 101,
    83, 129, 109, 111, 95, 111, 100, 94, 89, 106, 101, 143, 100, 94, 94, 59, 47, 59, 109, 65, 65,
    88, 93, 77, 93, 88, 57, 93, 93, 45, 45, 86, 45, 135, 93, 89, 93, 93, 64, 77, 62, 93, 85, 120,
    84, 85, 76, 93, 47, 93, 109,
];

/// Whether `c` takes a full em (CJK ideographs, Hangul, full-width forms).
fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFF00..=0xFF60)
}

/// Estimated width of a label: per character from [`BOLD_13PX`], scaled
/// by `o.char_width` (7.4 px, the table's average, at the default size).
/// Upper-case letters and `m`/`w` are wide and `i`/`l` narrow, so a count
/// of characters alone cuts names like "AMAZON" short.
pub fn label_width(text: &str, o: &Options) -> f64 {
    let tenths: u32 = text
        .chars()
        .map(|c| match c as u32 {
            32..=126 => u32::from(BOLD_13PX[c as usize - 32]),
            _ if is_wide(c) => 130,
            _ => 95,
        })
        .sum();
    f64::from(tenths) / 10.0 * (o.char_width / 7.4) + 4.0
}

/// The control points of an edge drawn as a cubic Bézier from `a` to `b`,
/// its middle pushed down by `offset`.
pub fn edge_curve(a: Point, b: Point, offset: f64) -> [Point; 4] {
    let dx = (b.x - a.x) * 0.5;
    [
        a,
        Point {
            x: a.x + dx,
            y: a.y + offset * 1.33,
        },
        Point {
            x: b.x - dx,
            y: b.y + offset * 1.33,
        },
        b,
    ]
}

impl Layout {
    /// The Bézier control points of edge `i` from node `a` to node `b`.
    pub fn edge_points(&self, i: usize, a: usize, b: usize) -> [Point; 4] {
        let off = self.edge_offsets.get(i).copied().unwrap_or(0.0);
        edge_points(self.nodes[a], self.nodes[b], off, self.curved)
    }
}

/// Control points of an edge: an S-curve between columns when `curved`,
/// else a straight line bowed sideways by `off` (for parallel edges).
pub fn edge_points(p: Point, q: Point, off: f64, curved: bool) -> [Point; 4] {
    if curved {
        return edge_curve(p, q, off);
    }
    // A straight line, bowed sideways by the offset for parallel edges.
    let (dx, dy) = (q.x - p.x, q.y - p.y);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (nx, ny) = (-dy / len * off * 1.33, dx / len * off * 1.33);
    [
        p,
        Point {
            x: p.x + dx / 3.0 + nx,
            y: p.y + dy / 3.0 + ny,
        },
        Point {
            x: p.x + 2.0 * dx / 3.0 + nx,
            y: p.y + 2.0 * dy / 3.0 + ny,
        },
        q,
    ]
}

/// Offsets that fan out parallel edges, `spacing` apart.
pub fn parallel_offsets(g: &Graph, spacing: f64) -> Vec<f64> {
    let mut seen: std::collections::BTreeMap<(usize, usize), Vec<usize>> = Default::default();
    for (i, e) in g.edges.iter().enumerate() {
        seen.entry((e.from, e.to)).or_default().push(i);
    }
    let mut out = vec![0.0; g.edges.len()];
    for list in seen.values() {
        let n = list.len() as f64;
        for (k, &i) in list.iter().enumerate() {
            out[i] = (k as f64 - (n - 1.0) / 2.0) * spacing;
        }
    }
    out
}

/// A point at parameter `t` on a cubic Bézier.
pub fn curve_at(c: &[Point; 4], t: f64) -> Point {
    let u = 1.0 - t;
    let (a, b, cc, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    Point {
        x: a * c[0].x + b * c[1].x + cc * c[2].x + d * c[3].x,
        y: a * c[0].y + b * c[1].y + cc * c[2].y + d * c[3].y,
    }
}

/// Orders firms and providers to reduce crossings, then places them.
///
/// # Arguments
/// * `g`: the graph; `edge_label`: the text of each edge's label, if any.
///
/// # Returns
/// A [`Layout`] with one point and label box per node.
///
/// # Complexity
/// O(sweeps × (V log V + E log E)): each sweep reorders both columns and
/// counts the crossings ([`count_crossings`], inversions in O(E log E)).
pub fn two_column(g: &Graph, edge_label: &dyn Fn(usize) -> Option<String>, o: &Options) -> Layout {
    let firms: Vec<usize> = (0..g.nodes.len())
        .filter(|&i| g.nodes[i].side == Side::Firm)
        .collect();
    let mut firm_order = firms.clone();
    let mut group_order: Vec<usize> = (0..g.groups.len()).collect();
    let mut member_order: Vec<Vec<usize>> = g.groups.iter().map(|gr| gr.members.clone()).collect();
    let adj = g.adjacency();

    let mut pos = vec![0.0f64; g.nodes.len()];
    let place_providers =
        |group_order: &[usize], member_order: &[Vec<usize>], pos: &mut Vec<f64>| {
            let mut i = 0.0;
            for &gi in group_order {
                for &m in &member_order[gi] {
                    pos[m] = i;
                    i += 1.0;
                }
            }
        };
    let place_firms = |firm_order: &[usize], pos: &mut Vec<f64>| {
        for (i, &f) in firm_order.iter().enumerate() {
            pos[f] = i as f64;
        }
    };
    place_firms(&firm_order, &mut pos);
    place_providers(&group_order, &member_order, &mut pos);
    let bary = |n: usize, pos: &[f64]| -> Option<f64> {
        let nb = &adj[n];
        (!nb.is_empty()).then(|| nb.iter().map(|&m| pos[m]).sum::<f64>() / nb.len() as f64)
    };
    let mut best = (
        count_crossings(g, &pos),
        pos.clone(),
        firm_order.clone(),
        group_order.clone(),
        member_order.clone(),
    );
    for sweep in 0..o.sweeps {
        if sweep % 2 == 0 {
            // Providers by the mean position of their firms; groups stay whole.
            let key: Vec<f64> = (0..g.nodes.len())
                .map(|n| bary(n, &pos).unwrap_or(pos[n]))
                .collect();
            for members in member_order.iter_mut() {
                members.sort_by(|a, b| key[*a].total_cmp(&key[*b]));
            }
            let gkey: Vec<f64> = member_order
                .iter()
                .map(|ms| ms.iter().map(|m| key[*m]).sum::<f64>() / ms.len().max(1) as f64)
                .collect();
            group_order.sort_by(|a, b| gkey[*a].total_cmp(&gkey[*b]));
            place_providers(&group_order, &member_order, &mut pos);
        } else {
            let key: Vec<f64> = (0..g.nodes.len())
                .map(|n| bary(n, &pos).unwrap_or(pos[n]))
                .collect();
            firm_order.sort_by(|a, b| key[*a].total_cmp(&key[*b]));
            place_firms(&firm_order, &mut pos);
        }
        let c = count_crossings(g, &pos);
        if c < best.0 {
            best = (
                c,
                pos.clone(),
                firm_order.clone(),
                group_order.clone(),
                member_order.clone(),
            );
        }
    }
    let (_, _, firm_order, group_order, member_order) = best;

    // Geometry.
    let firm_label_w = firms
        .iter()
        .map(|&f| label_width(&shown_label(&g.nodes[f].label), o))
        .fold(60.0, f64::max);
    let provider_label_w = (0..g.nodes.len())
        .filter(|&n| g.nodes[n].side == Side::Provider)
        .map(|n| label_width(&shown_label(&g.nodes[n].label), o) + 14.0)
        .chain(
            g.groups
                .iter()
                .map(|gr| label_width(&shown_label(&gr.label), o)),
        )
        .fold(60.0, f64::max);
    let fx = o.margin + firm_label_w + 10.0;
    let px = fx + o.column_gap;
    let mut nodes = vec![Point::default(); g.nodes.len()];
    let mut labels = vec![Rect::default(); g.nodes.len()];
    let mut groups = Vec::new();
    let mut y = o.margin + o.row / 2.0;
    for &gi in &group_order {
        let gr = &g.groups[gi];
        let root_is_member = gr.members.iter().any(|&m| g.nodes[m].id == gr.id);
        let top = y - o.row / 2.0;
        let header = if root_is_member {
            None
        } else {
            let p = Point { x: px, y };
            y += o.row;
            Some(p)
        };
        // The root, when a member, comes first; the others are indented.
        let mut members = member_order[gi].clone();
        members.sort_by_key(|&m| g.nodes[m].id != gr.id);
        for m in members {
            let indent = if g.nodes[m].id == gr.id { 0.0 } else { 14.0 };
            nodes[m] = Point { x: px, y };
            labels[m] = Rect {
                x: px + 10.0 + indent,
                y: y - o.label_height / 2.0,
                width: label_width(&shown_label(&g.nodes[m].label), o),
                height: o.label_height,
            };
            y += o.row;
        }
        groups.push(GroupBox {
            group: gi,
            rect: Rect {
                x: px - 8.0,
                y: top + 2.0,
                width: provider_label_w + 20.0,
                height: y - top - 4.0,
            },
            header,
        });
        y += o.group_gap;
    }
    let provider_h = y - o.margin;
    let firm_h = firm_order.len() as f64 * o.row;
    let firm_top = o.margin + ((provider_h - firm_h).max(0.0)) / 2.0 + o.row / 2.0;
    for (i, &f) in firm_order.iter().enumerate() {
        let fy = firm_top + i as f64 * o.row;
        nodes[f] = Point { x: fx, y: fy };
        let w = label_width(&shown_label(&g.nodes[f].label), o);
        labels[f] = Rect {
            x: fx - 10.0 - w,
            y: fy - o.label_height / 2.0,
            width: w,
            height: o.label_height,
        };
    }
    let height = provider_h.max(firm_h) + 2.0 * o.margin;
    let width = px + provider_label_w + 30.0 + o.margin;

    let edge_offsets = parallel_offsets(g, 7.0);
    let edge_labels = place_edge_labels(g, &nodes, &labels, &edge_offsets, true, edge_label, o);
    Layout {
        nodes,
        labels,
        groups,
        edge_labels,
        edge_offsets,
        curved: true,
        width,
        height,
    }
}

/// Puts each edge label at the first spot along its edge that no node label
/// or earlier edge label occupies; a label with no free spot is left out
/// (the panel and the table still say it).
fn place_edge_labels(
    g: &Graph,
    nodes: &[Point],
    labels: &[Rect],
    offsets: &[f64],
    curved: bool,
    edge_label: &dyn Fn(usize) -> Option<String>,
    o: &Options,
) -> Vec<Option<Rect>> {
    let mut taken: Vec<Rect> = labels.to_vec();
    let mut out = vec![None; g.edges.len()];
    for (ei, e) in g.edges.iter().enumerate() {
        let Some(text) = edge_label(ei) else { continue };
        let curve = edge_points(nodes[e.from], nodes[e.to], offsets[ei], curved);
        let w = label_width(&text, o) * 0.85;
        let h = o.label_height * 0.9;
        let spot = [0.5, 0.38, 0.62, 0.27, 0.73, 0.18, 0.82]
            .iter()
            .map(|&t| {
                let p = curve_at(&curve, t);
                Rect {
                    x: p.x - w / 2.0,
                    y: p.y - h / 2.0,
                    width: w,
                    height: h,
                }
            })
            .find(|r| !taken.iter().any(|t| t.overlaps(r)));
        if let Some(r) = spot {
            taken.push(r);
            out[ei] = Some(r);
        }
    }
    out
}

/// Above this many nodes, the automatic choice is the force-directed layout.
pub const AUTO_FORCE_NODES: usize = 400;

/// The seed of the force-directed layout (fixed, so views are shareable).
pub const FORCE_SEED: u64 = 2020;

/// The layout the viewer draws `g` with, which exports reuse: two columns,
/// or force-directed when `force_directed` (`None`: force-directed above
/// [`AUTO_FORCE_NODES`] nodes), claim-only edges labelled with their verdict.
pub fn for_graph(g: &Graph, force_directed: Option<bool>) -> Layout {
    let labels = |i: usize| {
        let e = &g.edges[i];
        e.kind
            .is_claim()
            .then(|| e.verdict.map(|v| v.label().to_string()).unwrap_or_default())
    };
    let o = Options::default();
    if force_directed.unwrap_or(g.nodes.len() > AUTO_FORCE_NODES) {
        force(g, FORCE_SEED, &labels, &o)
    } else {
        two_column(g, &labels, &o)
    }
}

/// A force-directed layout (Fruchterman–Reingold) for larger bundles.
/// Deterministic: the same graph and `seed` give the same layout.
/// Repulsion only considers nodes in neighbouring grid cells, so each
/// iteration is roughly linear in the number of nodes.
///
/// # Complexity
/// O(iterations × (V + E)) for evenly spread nodes.
pub fn force(
    g: &Graph,
    seed: u64,
    edge_label: &dyn Fn(usize) -> Option<String>,
    o: &Options,
) -> Layout {
    let n = g.nodes.len();
    let side = (n.max(1) as f64).sqrt() * o.row * 3.2 + 200.0;
    let k = (side * side / n.max(1) as f64).sqrt();
    let mut state = seed ^ 0x9e37_79b9_7f4a_7c15;
    let mut rand = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut pos: Vec<Point> = (0..n)
        .map(|i| {
            // Firms start on the left half, providers on the right.
            let half = if g.nodes[i].side == Side::Firm {
                0.0
            } else {
                0.5
            };
            Point {
                x: (half + rand() * 0.5) * side,
                y: rand() * side,
            }
        })
        .collect();
    let iterations = if n <= 300 {
        300
    } else {
        (90_000 / n).clamp(40, 300)
    };
    let mut temp = side / 10.0;
    let cool = temp / iterations as f64;
    let edges: Vec<(usize, usize)> = g.edges.iter().map(|e| (e.from, e.to)).collect();
    let mut grid = Grid::new(n, side, k);
    // Two call sites, so that no optimiser (LLVM, or wasm-opt, which
    // inlines any function called once) folds `step` back into this one
    // long call: see [`Grid::step`].
    grid.step(&mut pos, &edges, temp);
    for _ in 1..iterations {
        temp = (temp - cool).max(0.5);
        grid.step(&mut pos, &edges, temp);
    }
    // Labels to the right of their dot; push overlapping ones down.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| {
        pos[*a]
            .y
            .total_cmp(&pos[*b].y)
            .then(pos[*a].x.total_cmp(&pos[*b].x))
    });
    let mut labels = vec![Rect::default(); n];
    let mut placed = PlacedLabels::default();
    for i in order {
        let w = label_width(&shown_label(&g.nodes[i].label), o);
        let mut r = Rect {
            x: pos[i].x + 9.0,
            y: pos[i].y - o.label_height / 2.0,
            width: w,
            height: o.label_height,
        };
        let mut guard = 0;
        while let Some(hit) = placed.first_overlap(&r) {
            r.y = hit.y + hit.height + 0.5;
            guard += 1;
            if guard > 200 {
                break;
            }
        }
        pos[i].y = r.y + o.label_height / 2.0;
        placed.push(r);
        labels[i] = r;
    }
    // Shift everything into the margin.
    let min_x = labels
        .iter()
        .map(|r| r.x - 20.0)
        .chain(pos.iter().map(|p| p.x - 10.0))
        .fold(f64::MAX, f64::min);
    let min_y = labels
        .iter()
        .map(|r| r.y)
        .chain(pos.iter().map(|p| p.y - 10.0))
        .fold(f64::MAX, f64::min);
    let (sx, sy) = (o.margin - min_x, o.margin - min_y);
    for p in pos.iter_mut() {
        p.x += sx;
        p.y += sy;
    }
    for r in labels.iter_mut() {
        r.x += sx;
        r.y += sy;
    }
    let width = labels.iter().map(|r| r.x + r.width).fold(0.0, f64::max) + o.margin;
    let height = labels.iter().map(|r| r.y + r.height).fold(0.0, f64::max) + o.margin;
    let edge_offsets = parallel_offsets(g, 7.0);
    let edge_labels = place_edge_labels(g, &pos, &labels, &edge_offsets, false, edge_label, o);
    Layout {
        nodes: pos,
        labels,
        groups: Vec::new(),
        edge_labels,
        edge_offsets,
        curved: false,
        width,
        height,
    }
}

/// The force-directed layout's grid of cells and its buffers, kept from
/// one iteration to the next.
struct Grid {
    side: f64,
    /// The ideal distance between nodes.
    k: f64,
    cell: f64,
    /// Cells per side of the dense grid.
    per_side: i64,
    /// Where each cell's members start in `members` (a counting sort).
    starts: Vec<usize>,
    members: Vec<usize>,
    node_slot: Vec<usize>,
    /// Per cell, the sum of its nodes' positions.
    centres: Vec<Point>,
    disp: Vec<Point>,
}

impl Grid {
    /// Above this many nodes, a neighbouring cell's repulsion is taken
    /// from its centre: dense graphs crowd 20-30 nodes into a cell, and
    /// the exact sum cost 3 million pairs per iteration at 5,000 nodes.
    /// Own cells, and every cell of a sparse layout, stay exact.
    const CROWDED: usize = 8;

    fn new(n: usize, side: f64, k: f64) -> Grid {
        let cell = 2.0 * k;
        // Positions stay within [-side, 2 side], so the cells form a dense
        // grid of at most (3 side / cell + 3)² slots: nodes are bucketed
        // by a counting sort (in index order within a cell, as a map of
        // lists would keep them), with no hashing in the inner loop.
        let per_side = (3.0 * side / cell).ceil() as i64 + 3;
        let slots = (per_side * per_side) as usize;
        Grid {
            side,
            k,
            cell,
            per_side,
            starts: vec![0; slots + 1],
            members: vec![0; n],
            node_slot: vec![0; n],
            centres: vec![Point::default(); slots],
            disp: vec![Point::default(); n],
        }
    }

    fn cell_of(&self, p: &Point) -> (i64, i64) {
        let c = |v: f64| ((v + self.side) / self.cell).floor() as i64 + 1;
        (c(p.x), c(p.y))
    }

    fn slot(&self, (cx, cy): (i64, i64)) -> Option<usize> {
        ((0..self.per_side).contains(&cx) && (0..self.per_side).contains(&cy))
            .then(|| (cx * self.per_side + cy) as usize)
    }

    /// One iteration: repulsion between nearby nodes, attraction along
    /// `edges`, gravity, then every node moves at most `temp`.
    ///
    /// Never inlined, on purpose: a browser first runs wasm with its
    /// baseline compiler and uses the optimised code from the next call
    /// on, so a layout that is one long call runs unoptimised throughout
    /// (4× slower at 2,000 nodes), where one call per iteration is
    /// optimised after the first few.
    #[inline(never)]
    fn step(&mut self, pos: &mut [Point], edges: &[(usize, usize)], temp: f64) {
        let (k, side) = (self.k, self.side);
        self.disp.iter_mut().for_each(|d| *d = Point::default());
        self.starts.iter_mut().for_each(|s| *s = 0);
        for (i, p) in pos.iter().enumerate() {
            let s = self.slot(self.cell_of(p)).unwrap_or(0);
            self.node_slot[i] = s;
            self.starts[s + 1] += 1;
        }
        for c in 0..self.starts.len() - 1 {
            self.starts[c + 1] += self.starts[c];
        }
        let mut fill = self.starts.clone();
        for (i, &s) in self.node_slot.iter().enumerate() {
            self.members[fill[s]] = i;
            fill[s] += 1;
        }
        // A crowded neighbouring cell repels as one body at its centre.
        self.centres.iter_mut().for_each(|c| *c = Point::default());
        for (i, &s) in self.node_slot.iter().enumerate() {
            self.centres[s].x += pos[i].x;
            self.centres[s].y += pos[i].y;
        }
        for (i, p) in pos.iter().enumerate() {
            let (cx, cy) = self.cell_of(p);
            let mut d_i = Point::default();
            for dx in -1..=1 {
                for dy in -1..=1 {
                    let Some(s) = self.slot((cx + dx, cy + dy)) else {
                        continue;
                    };
                    let count = self.starts[s + 1] - self.starts[s];
                    if count > Self::CROWDED && (dx, dy) != (0, 0) {
                        let m = count as f64;
                        let c = self.centres[s];
                        let (vx, vy) = (p.x - c.x / m, p.y - c.y / m);
                        let d = (vx * vx + vy * vy).sqrt().max(0.01);
                        let f = m * k * k / d;
                        d_i.x += vx / d * f;
                        d_i.y += vy / d * f;
                        continue;
                    }
                    for &j in &self.members[self.starts[s]..self.starts[s + 1]] {
                        if i == j {
                            continue;
                        }
                        let (vx, vy) = (p.x - pos[j].x, p.y - pos[j].y);
                        let d = (vx * vx + vy * vy).sqrt().max(0.01);
                        let f = k * k / d;
                        d_i.x += vx / d * f;
                        d_i.y += vy / d * f;
                    }
                }
            }
            self.disp[i] = d_i;
        }
        let disp = &mut self.disp;
        for &(a, b) in edges {
            let (vx, vy) = (pos[a].x - pos[b].x, pos[a].y - pos[b].y);
            let d = (vx * vx + vy * vy).sqrt().max(0.01);
            let f = d * d / k;
            disp[a].x -= vx / d * f;
            disp[a].y -= vy / d * f;
            disp[b].x += vx / d * f;
            disp[b].y += vy / d * f;
        }
        // Gravity towards the centre keeps loose components from drifting
        // to the edges.
        let c = side / 2.0;
        for (p, dp) in pos.iter().zip(disp.iter_mut()) {
            dp.x -= (p.x - c) * 0.08 * k / side * 10.0;
            dp.y -= (p.y - c) * 0.08 * k / side * 10.0;
        }
        for (p, dp) in pos.iter_mut().zip(disp.iter()) {
            let len = (dp.x * dp.x + dp.y * dp.y).sqrt().max(0.01);
            let step = len.min(temp);
            p.x = (p.x + dp.x / len * step).clamp(-side, 2.0 * side);
            p.y = (p.y + dp.y / len * step).clamp(-side, 2.0 * side);
        }
    }
}

/// Labels already placed, in a grid of cells, so finding the first one a
/// new label overlaps looks at its neighbours, not at every label placed
/// (5,000 nodes: 3.5 s in a browser tab before, quadratic).
#[derive(Default)]
struct PlacedLabels {
    rects: Vec<Rect>,
    cells: crate::hash::HashMap<(i64, i64), Vec<usize>>,
}

impl PlacedLabels {
    const CELL: f64 = 128.0;

    fn cells_of(r: &Rect) -> impl Iterator<Item = (i64, i64)> {
        let c = |v: f64| (v / Self::CELL).floor() as i64;
        let (x0, x1, y0, y1) = (c(r.x), c(r.x + r.width), c(r.y), c(r.y + r.height));
        (x0..=x1).flat_map(move |x| (y0..=y1).map(move |y| (x, y)))
    }

    /// The first placed label (in placement order) that `r` overlaps.
    fn first_overlap(&self, r: &Rect) -> Option<Rect> {
        Self::cells_of(r)
            .filter_map(|cell| self.cells.get(&cell))
            .flatten()
            .copied()
            .filter(|&i| self.rects[i].overlaps(r))
            .min()
            .map(|i| self.rects[i])
    }

    fn push(&mut self, r: Rect) {
        let i = self.rects.len();
        for cell in Self::cells_of(&r) {
            self.cells.entry(cell).or_default().push(i);
        }
        self.rects.push(r);
    }
}

/// Counts pairs of edges that cross, given each node's position in its column.
pub fn count_crossings(g: &Graph, pos: &[f64]) -> usize {
    // Two edges cross when their ends are in opposite orders on the two
    // sides: count pairs with from_a < from_b and to_a > to_b (strictly),
    // as inversions, with a Fenwick tree over the ranks of the `to` ends.
    let mut ends: Vec<(f64, f64)> = g.edges.iter().map(|e| (pos[e.from], pos[e.to])).collect();
    ends.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.total_cmp(&y.1)));
    let mut tos: Vec<f64> = ends.iter().map(|e| e.1).collect();
    tos.sort_by(f64::total_cmp);
    tos.dedup();
    let rank = |t: f64| tos.partition_point(|x| x.total_cmp(&t).is_lt());
    let mut tree = vec![0usize; tos.len() + 1];
    let (mut inserted, mut crossings) = (0usize, 0usize);
    let mut i = 0;
    while i < ends.len() {
        // Edges with the same `from` position never cross each other:
        // count the whole group against those before it, then insert it.
        let j = i + ends[i..].iter().take_while(|e| e.0 == ends[i].0).count();
        for e in &ends[i..j] {
            // Edges inserted so far whose `to` is strictly greater.
            let mut at = rank(e.1) + 1; // ranks <= this one, 1-based
            let mut not_greater = 0;
            while at > 0 {
                not_greater += tree[at];
                at &= at - 1;
            }
            crossings += inserted - not_greater;
        }
        for e in &ends[i..j] {
            let mut at = rank(e.1) + 1;
            while at < tree.len() {
                tree[at] += 1;
                at += at & at.wrapping_neg();
            }
            inserted += 1;
        }
        i = j;
    }
    crossings
}

/// Crossings of a finished layout (by y coordinate).
pub fn layout_crossings(g: &Graph, l: &Layout) -> usize {
    let pos: Vec<f64> = l.nodes.iter().map(|p| p.y).collect();
    count_crossings(g, &pos)
}

#[cfg(test)]
mod tests {

    #[test]
    fn placed_labels_find_the_first_overlap_as_a_scan_would() {
        let mut seed = 7u64;
        let mut rand = move |m: f64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64 * m
        };
        let mut placed = PlacedLabels::default();
        let mut all: Vec<Rect> = Vec::new();
        for _ in 0..600 {
            let r = Rect {
                x: rand(2000.0) - 300.0,
                y: rand(1500.0) - 200.0,
                width: 10.0 + rand(300.0),
                height: 18.0,
            };
            let scan = all.iter().find(|p| p.overlaps(&r)).copied();
            assert_eq!(placed.first_overlap(&r), scan);
            placed.push(r);
            all.push(r);
        }
    }

    #[test]
    fn label_widths_hold_bold_names() {
        // Chromium's widths of these names in bold 13 px DejaVu Sans.
        let o = Options::default();
        for (name, bold_px) in [
            ("Amazon", 58.0),
            ("Microsoft 365 (Exchange Online)", 239.3),
            ("GoDaddy", 66.0),
        ] {
            assert!(
                label_width(name, &o) >= bold_px,
                "{name}: {}",
                label_width(name, &o)
            );
            assert!(
                label_width(name, &o) <= bold_px + 8.0,
                "{name}: {}",
                label_width(name, &o)
            );
        }
        assert!(label_width("海康威视", &o) >= 52.0);
    }

    use super::*;
    use crate::view::{build, Filters};
    use crate::{analyze, Limits};

    fn demo_graph() -> Graph {
        let a = analyze(
            include_str!("../../../tests/fixtures/verdicts/all-features.json"),
            &Limits::default(),
        );
        build(&a, &Filters::default())
    }

    #[test]
    fn no_two_labels_overlap() {
        let g = demo_graph();
        let l = two_column(
            &g,
            &|i| {
                g.edges[i]
                    .kind
                    .is_claim()
                    .then(|| "no evidence".to_string())
            },
            &Options::default(),
        );
        let mut boxes: Vec<Rect> = l.labels.clone();
        boxes.extend(l.edge_labels.iter().flatten().copied());
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
            }
        }
    }

    #[test]
    fn barycentric_ordering_does_not_add_crossings() {
        let g = demo_graph();
        let initial: Vec<f64> = {
            let mut pos = vec![0.0; g.nodes.len()];
            let (mut f, mut p) = (0.0, 0.0);
            for (i, n) in g.nodes.iter().enumerate() {
                if n.side == Side::Firm {
                    pos[i] = f;
                    f += 1.0;
                } else {
                    pos[i] = p;
                    p += 1.0;
                }
            }
            pos
        };
        let l = two_column(&g, &|_| None, &Options::default());
        assert!(layout_crossings(&g, &l) <= count_crossings(&g, &initial));
    }

    #[test]
    fn deterministic() {
        let g = demo_graph();
        let a = two_column(&g, &|_| None, &Options::default());
        let b = two_column(&g, &|_| None, &Options::default());
        assert_eq!(a, b);
    }

    #[test]
    fn force_layout_is_deterministic_per_seed_and_labels_do_not_overlap() {
        let g = demo_graph();
        let a = force(&g, 7, &|_| None, &Options::default());
        assert_eq!(a, force(&g, 7, &|_| None, &Options::default()));
        assert_ne!(a, force(&g, 8, &|_| None, &Options::default()));
        for (i, x) in a.labels.iter().enumerate() {
            for y in &a.labels[i + 1..] {
                assert!(!x.overlaps(y), "{x:?} overlaps {y:?}");
            }
        }
        assert!(a
            .nodes
            .iter()
            .all(|p| p.x >= 0.0 && p.y >= 0.0 && p.x <= a.width && p.y <= a.height));
    }

    #[test]
    fn members_stay_inside_their_group_box() {
        let g = demo_graph();
        let l = two_column(&g, &|_| None, &Options::default());
        for gb in &l.groups {
            for &m in &g.groups[gb.group].members {
                let p = l.nodes[m];
                assert!(
                    p.y > gb.rect.y && p.y < gb.rect.y + gb.rect.height,
                    "{}",
                    g.nodes[m].id
                );
            }
        }
    }

    #[test]
    fn crossing_count_agrees_with_brute_force() {
        use crate::view::{Edge, EdgeKind};
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for _ in 0..50 {
            let nodes = 12;
            let edges: Vec<Edge> = (0..30)
                .map(|_| Edge {
                    from: next(6) as usize,
                    to: 6 + next(6) as usize,
                    category: None,
                    kind: EdgeKind::Claim,
                    evidence: 0,
                    findings: vec![],
                    claims: vec![],
                    verdict: None,
                })
                .collect();
            let g = Graph {
                edges,
                ..Graph::default()
            };
            // Positions with ties, as columns have.
            let pos: Vec<f64> = (0..nodes).map(|_| next(4) as f64).collect();
            let mut brute = 0;
            for (i, a) in g.edges.iter().enumerate() {
                for b in &g.edges[i + 1..] {
                    if (pos[a.from] - pos[b.from]) * (pos[a.to] - pos[b.to]) < 0.0 {
                        brute += 1;
                    }
                }
            }
            assert_eq!(count_crossings(&g, &pos), brute);
        }
    }
}
