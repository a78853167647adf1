//! The viewer's two charts as SVG strings: providers × categories (a
//! heat map of distinct firms) and firms per provider (horizontal bars),
//! both from the [`Matrix`] of the graph on screen.
//!
//! They are drawn here, with the text width estimate the layout uses,
//! rather than by a charting library: the pictures are a grid of cells and
//! a column of bars, and writing them directly keeps the page's first
//! load small. Every text and attribute from the data goes through
//! [`xml_escape`], so the strings are safe to insert as HTML. Styling is
//! by presentation attributes only (`fill`, `font-size`, …), never a
//! `style` attribute or element, so the page's `style-src 'self'` holds.
//! The output is deterministic.

use super::matrix::Matrix;
use super::svg::xml_escape;
use crate::layout::{label_width, Options};
use std::fmt::Write;

const INK: &str = "#1a1a1a";
const GRID: &str = "#c9ced6";
const BAR: &str = "#1f63b4";
const EMPTY: &str = "#f3f4f6";
/// The charts' text size, in pixels.
const FONT_PX: f64 = 16.0;
const FONT: &str = "font-family=\"system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',Arial,sans-serif\" font-size=\"16\"";

/// Estimated width of `text` at the charts' size: the layout's bold label
/// widths, scaled from 13 px (an overestimate for regular text, so labels
/// fit).
pub fn text_width(text: &str) -> f64 {
    (label_width(text, &Options::default()) * FONT_PX / 13.0).ceil()
}

/// `text` cut to fit `max` pixels, with an ellipsis when cut.
pub fn fit(text: &str, max: f64) -> String {
    if text_width(text) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        if text_width(&format!("{out}…")) > max {
            out.pop();
            break;
        }
    }
    format!("{}…", out.trim_end())
}

/// A cell's colour by its share of the maximum: light to dark blue.
fn shade(n: usize, max: usize) -> String {
    if n == 0 || max == 0 {
        return EMPTY.into();
    }
    let t = n as f64 / max as f64;
    let lerp = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t) as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        lerp(0xd6, 0x1f),
        lerp(0xe6, 0x63),
        lerp(0xf7, 0xb4)
    )
}

fn open(out: &mut String, w: f64, h: f64) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\">"
    );
    let _ = write!(
        out,
        "<rect x=\"0\" y=\"0\" width=\"{w:.0}\" height=\"{h:.0}\" fill=\"#ffffff\"/>"
    );
}

fn text(out: &mut String, x: f64, y: f64, anchor: &str, fill: &str, s: &str) {
    let _ = write!(
        out,
        "<text x=\"{x:.0}\" y=\"{y:.0}\" text-anchor=\"{anchor}\" fill=\"{fill}\" {FONT}>{}</text>",
        xml_escape(s)
    );
}

/// The providers × categories grid. The label column is as wide as the
/// longest provider name (up to 300 px, then names are cut with an
/// ellipsis; the table view has them whole), the totals column as wide as
/// its heading, and the band of rotated category headings as tall as the
/// longest one, so nothing is clipped.
pub fn matrix_svg(m: &Matrix) -> String {
    let longest = m
        .providers
        .iter()
        .map(|p| text_width(p))
        .fold(0.0, f64::max);
    let left = (longest + 20.0).clamp(120.0, 300.0);
    let tallest = m
        .categories
        .iter()
        .map(|c| text_width(c))
        .fold(0.0, f64::max);
    let top = (tallest + 20.0).max(96.0);
    let (cell_w, cell_h) = (58.0, 26.0);
    let cols = m.categories.len() as f64;
    let totals_x = left + cell_w * cols;
    let totals_w = text_width("firms") + 28.0;
    let w = (totals_x + totals_w).max(320.0);
    let h = (top + cell_h * m.providers.len() as f64 + 16.0).max(140.0);
    let max = m.counts.iter().flatten().copied().max().unwrap_or(0);
    let mut out = String::new();
    open(&mut out, w, h);
    for (ci, c) in m.categories.iter().enumerate() {
        // Read bottom to top, its baseline just right of the column's middle.
        let x = left + ci as f64 * cell_w + cell_w / 2.0 + 5.0;
        let _ = write!(
            out,
            "<text transform=\"translate({x:.0} {:.0}) rotate(-90)\" fill=\"{INK}\" {FONT}>{}</text>",
            top - 8.0,
            xml_escape(c)
        );
    }
    text(&mut out, totals_x + 10.0, top - 8.0, "start", INK, "firms");
    for (ri, p) in m.providers.iter().enumerate() {
        let y = top + ri as f64 * cell_h;
        text(&mut out, 8.0, y + 18.0, "start", INK, &fit(p, left - 16.0));
        for (ci, n) in m.counts[ri].iter().enumerate() {
            let x = left + ci as f64 * cell_w;
            let _ = write!(
                out,
                "<rect x=\"{x:.0}\" y=\"{y:.0}\" width=\"{:.0}\" height=\"{:.0}\" fill=\"{}\" stroke=\"{GRID}\"/>",
                cell_w - 2.0,
                cell_h - 2.0,
                shade(*n, max)
            );
            if *n > 0 {
                let fill = if *n as f64 > max as f64 * 0.55 {
                    "#ffffff"
                } else {
                    INK
                };
                text(
                    &mut out,
                    x + (cell_w - 2.0) / 2.0,
                    y + 18.0,
                    "middle",
                    fill,
                    &n.to_string(),
                );
            }
        }
        text(
            &mut out,
            totals_x + 16.0,
            y + 18.0,
            "start",
            INK,
            &m.totals[ri].to_string(),
        );
    }
    out.push_str("</svg>");
    out
}

/// Distinct firms per provider group as horizontal bars, the most served
/// on top, with an axis of whole numbers.
pub fn firms_svg(m: &Matrix) -> String {
    let rows = m.providers.len().max(1) as f64;
    let (w, row_h, top) = (640.0, 26.0, 10.0);
    let left = 190.0;
    let right = w - 16.0;
    let bottom = top + rows * row_h;
    let h = bottom + 50.0;
    let max = m.totals.iter().copied().max().unwrap_or(1).max(1);
    // Ticks at whole numbers, at most about ten of them.
    let step = max.div_ceil(10).max(1);
    let span = max.div_ceil(step) * step;
    let x_of = |n: usize| left + (right - left) * n as f64 / span as f64;
    let mut out = String::new();
    open(&mut out, w, h);
    let mut t = 0;
    while t <= span {
        let x = x_of(t);
        let _ = write!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{top:.0}\" x2=\"{x:.1}\" y2=\"{bottom:.0}\" stroke=\"{GRID}\" stroke-width=\"1\"/>"
        );
        text(&mut out, x, bottom + 18.0, "middle", INK, &t.to_string());
        t += step;
    }
    let _ = write!(
        out,
        "<line x1=\"{left:.0}\" y1=\"{bottom:.0}\" x2=\"{right:.0}\" y2=\"{bottom:.0}\" stroke=\"{INK}\" stroke-width=\"1\"/>"
    );
    text(
        &mut out,
        (left + right) / 2.0,
        bottom + 42.0,
        "middle",
        INK,
        "firms served (distinct)",
    );
    for (k, (p, n)) in m.providers.iter().zip(&m.totals).enumerate() {
        let y = top + k as f64 * row_h;
        text(
            &mut out,
            left - 10.0,
            y + 18.0,
            "end",
            INK,
            &fit(p, left - 20.0),
        );
        let _ = write!(
            out,
            "<rect x=\"{left:.0}\" y=\"{:.0}\" width=\"{:.1}\" height=\"{:.0}\" fill=\"{BAR}\"/>",
            y + 4.0,
            x_of(*n) - left,
            row_h - 8.0
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix() -> Matrix {
        Matrix {
            providers: vec![
                "<script>alert(1)</script> & \"co\"".into(),
                "\"q\" & <b>".into(),
                "A provider whose name is far too long to fit in the label column of the chart"
                    .into(),
            ],
            categories: vec![
                "<img src=x onerror=alert(1)>".into(),
                "authentication".into(),
            ],
            counts: vec![vec![1, 2], vec![0, 1], vec![3, 0]],
            totals: vec![2, 1, 3],
        }
    }

    #[test]
    fn text_from_data_is_escaped() {
        // The matrix's label column holds the whole first name; the bars'
        // narrower one cuts it. What is kept is escaped either way.
        assert!(matrix_svg(&matrix()).contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp;"));
        for svg in [matrix_svg(&matrix()), firms_svg(&matrix())] {
            assert!(svg.contains("&lt;script&gt;alert(1)"), "{svg}");
            assert!(svg.contains("&quot;q&quot; &amp; &lt;b&gt;"), "{svg}");
            assert!(!svg.contains("<script") && !svg.contains("<img"), "{svg}");
            assert!(
                !svg.contains("style"),
                "no style attribute or element: {svg}"
            );
        }
        assert_eq!(
            matrix_svg(&matrix()),
            matrix_svg(&matrix()),
            "deterministic"
        );
        assert_eq!(firms_svg(&matrix()), firms_svg(&matrix()), "deterministic");
    }

    #[test]
    fn nothing_is_clipped() {
        let m = matrix();
        let svg = matrix_svg(&m);
        // The heading band is as tall as the longest category: each
        // rotated heading's baseline starts below its whole length.
        let longest = text_width("<img src=x onerror=alert(1)>");
        let y = longest + 20.0 - 8.0;
        assert_eq!(
            svg.matches(&format!(" {y:.0}) rotate(-90)")).count(),
            2,
            "{svg}"
        );
        assert!(y >= longest, "{y} < {longest}");
        // A long name is cut with an ellipsis to the label column.
        assert!(svg.contains("A provider whose"));
        assert!(svg.contains('…'));
        assert!(!svg.contains("label column of the chart"));
        // The picture is wide enough for every column and the totals.
        let w: f64 = svg
            .split("width=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            w >= 300.0 + 2.0 * 58.0 + text_width("firms") + 28.0 - 1.0,
            "{w}"
        );
    }

    #[test]
    fn bars_are_as_long_as_their_counts() {
        let svg = firms_svg(&matrix());
        let widths: Vec<f64> = svg
            .split("fill=\"#1f63b4\"")
            .filter_map(|part| {
                let w = part.rsplit("width=\"").next()?;
                w.split('"').next()?.parse().ok()
            })
            .collect();
        // Three bars, for 2, 1 and 3 firms.
        assert_eq!(widths.len(), 3, "{svg}");
        // Widths are written to a tenth of a pixel.
        assert!((widths[0] / widths[1] - 2.0).abs() < 1e-2, "{widths:?}");
        assert!((widths[2] / widths[1] - 3.0).abs() < 1e-2, "{widths:?}");
        assert!(svg.contains(">firms served (distinct)<"));
    }
}
