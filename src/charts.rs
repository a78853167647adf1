//! Charts drawn with plotters' SVG backend: providers × categories, and
//! firms per provider. The data comes from the core
//! (`graph::provider_category_matrix`); plotters escapes every text and
//! attribute it writes, so the SVG string is safe to insert as HTML.

use crate::state::AppState;
use leptos::prelude::*;
use plotters::prelude::*;
use whoserves_core::view::{provider_category_matrix, Matrix};

const INK: RGBColor = RGBColor(0x1a, 0x1a, 0x1a);
const GRID: RGBColor = RGBColor(0xc9, 0xce, 0xd6);
const BAR: RGBColor = RGBColor(0x1f, 0x63, 0xb4);

/// Cell colour by share of the maximum: light to dark blue, text stays legible.
fn shade(n: usize, max: usize) -> RGBColor {
    if n == 0 || max == 0 {
        return RGBColor(0xf3, 0xf4, 0xf6);
    }
    let t = n as f64 / max as f64;
    let lerp = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t) as u8;
    RGBColor(lerp(0xd6, 0x1f), lerp(0xe6, 0x63), lerp(0xf7, 0xb4))
}

/// Estimated width of `text` at 16 px: the charts' label size.
fn text_width(text: &str) -> i32 {
    let o = whoserves_core::layout::Options::default();
    (whoserves_core::layout::label_width(text, &o) * 16.0 / 13.0).ceil() as i32
}

/// `text` cut to fit `max` pixels at 16 px, with an ellipsis when cut.
fn fit(text: &str, max: i32) -> String {
    if text_width(text) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if text_width(&format!("{out}{c}…")) > max {
            break;
        }
        out.push(c);
    }
    format!("{}…", out.trim_end())
}

/// The providers × categories grid as an SVG string. The label column is
/// as wide as the longest provider name (up to 300 px, then names are
/// cut with an ellipsis; the table view has them whole), and the totals
/// column as wide as its heading, so nothing is clipped.
pub fn matrix_svg(m: &Matrix) -> String {
    let longest = m.providers.iter().map(|p| text_width(p)).max().unwrap_or(0);
    let left = (longest + 20).clamp(120, 300);
    let (top, cell_w, cell_h) = (96i32, 58i32, 26i32);
    let totals_w = text_width("firms") + 28;
    let w = (left + cell_w * m.categories.len() as i32 + totals_w).max(320) as u32;
    let h = (top + cell_h * m.providers.len() as i32 + 16).max(140) as u32;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let font = ("sans-serif", 16).into_font().color(&INK);
        let max = m.counts.iter().flatten().copied().max().unwrap_or(0);
        for (ci, c) in m.categories.iter().enumerate() {
            let x = left + ci as i32 * cell_w + cell_w / 2;
            let style = font.clone().transform(FontTransform::Rotate270);
            let _ = root.draw(&Text::new(c.clone(), (x - 6, top - 8), style));
        }
        let _ = root.draw(&Text::new(
            "firms",
            (left + cell_w * m.categories.len() as i32 + 10, top - 12),
            font.clone(),
        ));
        for (ri, p) in m.providers.iter().enumerate() {
            let y = top + ri as i32 * cell_h;
            let _ = root.draw(&Text::new(fit(p, left - 16), (8, y + 7), font.clone()));
            for (ci, n) in m.counts[ri].iter().enumerate() {
                let x = left + ci as i32 * cell_w;
                let fill = shade(*n, max);
                let _ = root.draw(&Rectangle::new(
                    [(x, y), (x + cell_w - 2, y + cell_h - 2)],
                    fill.filled(),
                ));
                let _ = root.draw(&Rectangle::new(
                    [(x, y), (x + cell_w - 2, y + cell_h - 2)],
                    GRID,
                ));
                if *n > 0 {
                    let color = if *n as f64 > max as f64 * 0.55 {
                        WHITE
                    } else {
                        INK
                    };
                    let _ = root.draw(&Text::new(
                        n.to_string(),
                        (x + cell_w / 2 - 4, y + 7),
                        font.clone().color(&color),
                    ));
                }
            }
            let _ = root.draw(&Text::new(
                m.totals[ri].to_string(),
                (left + cell_w * m.categories.len() as i32 + 16, y + 7),
                font.clone(),
            ));
        }
        let _ = root.present();
    }
    out
}

/// Firms per provider group as a horizontal bar chart (SVG string).
pub fn firms_per_provider_svg(m: &Matrix) -> String {
    let rows = m.providers.len().max(1);
    let h = (40 + rows * 26) as u32;
    let max = m.totals.iter().copied().max().unwrap_or(1).max(1);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (640, h)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(24)
            .y_label_area_size(180)
            .build_cartesian_2d(0u32..(max as u32 + 1), (0..rows).into_segmented());
        if let Ok(mut chart) = chart {
            let labels = m.providers.clone();
            let _ = chart
                .configure_mesh()
                .disable_y_mesh()
                .x_desc("firms served (distinct)")
                .axis_desc_style(("sans-serif", 16))
                .label_style(("sans-serif", 16).into_font().color(&INK))
                .y_labels(rows)
                .y_label_formatter(&|v| match v {
                    // Largest on top: row 0 is drawn at the top of the axis.
                    SegmentValue::CenterOf(i) => {
                        labels.get(rows - 1 - *i).cloned().unwrap_or_default()
                    }
                    _ => String::new(),
                })
                .x_labels(max + 2)
                .draw();
            let _ = chart.draw_series(m.totals.iter().enumerate().map(|(k, n)| {
                let i = rows - 1 - k;
                let mut bar = Rectangle::new(
                    [
                        (0, SegmentValue::Exact(i)),
                        (*n as u32, SegmentValue::Exact(i + 1)),
                    ],
                    BAR.filled(),
                );
                bar.set_margin(4, 4, 0, 0);
                bar
            }));
        }
        let _ = root.present();
    }
    out
}

/// Both charts, with short descriptions and a data-table pointer.
#[component]
pub fn Charts() -> impl IntoView {
    let state = expect_context::<AppState>();
    let matrix = Memo::new(move |_| provider_category_matrix(&state.graph.get()));
    view! {
        <section class="charts" data-testid="charts">
            <figure>
                <figcaption>"Providers × categories: how many distinct firms each provider has a finding for in each category, of any relationship (direct, account, incidental or weak; claims without a finding are not counted). Tick a relationship filter, e.g. \u{201c}direct\u{201d}, to count only those. The table view lists every edge."</figcaption>
                <div class="chart" tabindex="0" role="img" aria-label="Chart: distinct firms per provider and category; the table view lists the same edges" data-testid="chart-matrix" inner_html=move || matrix_svg(&matrix.get())></div>
            </figure>
            <figure>
                <figcaption>"Firms per provider: distinct firms each provider (with its services) has a finding for, under the same rule."</figcaption>
                <div class="chart" tabindex="0" role="img" aria-label="Chart: distinct firms per provider; the table view lists the same edges" data-testid="chart-firms" inner_html=move || firms_per_provider_svg(&matrix.get())></div>
            </figure>
        </section>
    }
}
