//! A standalone SVG of the graph: what "Export SVG" downloads, the PNG is
//! rendered from, and `whoserves export --format svg` prints.
//!
//! Standalone means nothing outside the file: styles are inline (one
//! `<style>` element, the light palette), the fonts too (the shells pass
//! `public/fonts/svg-fonts.css`: DejaVu Sans, regular and bold, as WOFF2
//! in `data:` URLs, the font the layout's label widths are measured in;
//! a generic stack follows for characters outside its subset), and the source credit, the date and the bundle's banner are
//! drawn in the image, so a copy that travels alone still says where its
//! data came from. `<title>` and `<desc>` carry the accessible name and a
//! one-sentence summary. The output is deterministic: the same graph and
//! layout give the same bytes, so tests compare it.

use super::graph::{Graph, Side};
use crate::analysis::Analysis;
use crate::layout::{label_width, Layout, Options};
use crate::model::BUILTIN_CATEGORIES;

/// The one-line source credit: "Data: <title>, <publisher>, <date>".
/// The publisher is `meta.publisher`, or the authors when the bundle names
/// none; parts the bundle lacks are left out.
pub fn credit(a: &Analysis) -> String {
    let m = &a.bundle.meta;
    let mut parts = vec![m.title.clone()];
    if let Some(p) = &m.publisher {
        parts.push(p.clone());
    } else if !m.authors.is_empty() {
        parts.push(m.authors.join(", "));
    }
    if let Some(p) = &m.published {
        parts.push(p.clone());
    }
    format!("Data: {}", parts.join(", "))
}

/// Escapes text for XML content and attribute values, and drops the
/// control characters XML 1.0 forbids.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The light palette: a category's stroke colour.
fn category_colour(c: Option<&str>) -> &'static str {
    match c {
        Some("hosting") => "#1f63b4",
        Some("cdn") => "#c0392b",
        Some("dns") => "#217a3c",
        Some("email") => "#7b3fb0",
        Some("tls-ca") => "#8a5a00",
        Some("registrar") => "#b0307a",
        Some("analytics") => "#5f6b00",
        Some("authentication") => "#00758a",
        _ => "#5e5e5e",
    }
}

/// A relationship's dash pattern (none for direct).
fn dash(rel: &str) -> Option<&'static str> {
    match rel {
        "account" => Some("14 3"),
        "incidental" => Some("9 5"),
        "weak" => Some("2 4"),
        "claimed" => Some("3 2"),
        _ => None,
    }
}

fn edge_width(evidence: usize) -> f64 {
    1.5 + ((evidence as f64) + 1.0).log2().min(5.0) * 1.3
}

/// Text wrapped at about `max` pixels (13 px labels), at spaces.
fn wrap(text: &str, max: f64) -> Vec<String> {
    let o = Options::default();
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && label_width(&candidate, &o) > max {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

const STYLE: &str = "text{font-family:'WS DejaVu Sans',system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',Arial,sans-serif;fill:#1a1a1a}\
.title{font-size:17px;font-weight:700}.label{font-size:13px}.root{font-weight:700}.small{font-size:12px;fill:#333333}\
.banner{font-size:12px;font-weight:700;fill:#5c4400}.group-box{fill:#f5f6f8;stroke:#c9ced6}.edge{fill:none}\
.edge-label{font-size:11px;paint-order:stroke;stroke:#ffffff;stroke-width:3px}";

/// The graph `g`, laid out by `l`, as a standalone SVG document, with
/// `title` at the top and the credit of `a` (and its banner) at the foot.
/// `fonts` is CSS put before the styles: the `@font-face` rules of
/// `public/fonts/svg-fonts.css`, or nothing for the generic stack alone.
/// Only `data:` URLs belong in it, so the file stays standalone.
pub fn graph_svg(a: &Analysis, g: &Graph, l: &Layout, title: &str, fonts: &str) -> String {
    let pad = 16.0;
    let head = 34.0;
    let width = l.width.max(320.0) + 2.0 * pad;
    let mut foot_lines: Vec<(String, &str)> = Vec::new();
    // The legend: categories present, then relationships present.
    let mut cats: Vec<&str> = g
        .edges
        .iter()
        .filter_map(|e| e.category.as_deref())
        .collect();
    cats.sort_by_key(|c| BUILTIN_CATEGORIES.iter().position(|b| b == c).unwrap_or(99));
    cats.dedup();
    let mut rels: Vec<&str> = g.edges.iter().map(|e| e.kind.as_str()).collect();
    rels.sort_unstable();
    rels.dedup();
    if let Some(b) = &a.bundle.meta.banner {
        for line in wrap(b, width - 2.0 * pad) {
            foot_lines.push((line, "banner"));
        }
    }
    for line in wrap(&credit(a), width - 2.0 * pad) {
        foot_lines.push((line, "small"));
    }
    let mut s = String::new();
    s.push_str(&format!(
        "<g transform=\"translate({pad:.0} {head:.0})\">\n"
    ));
    for gb in &l.groups {
        let r = gb.rect;
        s.push_str(&format!(
            "<rect class=\"group-box\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"6\"/>\n",
            r.x, r.y, r.width, r.height
        ));
        if let Some(p) = gb.header {
            s.push_str(&format!(
                "<text class=\"label root\" x=\"{:.1}\" y=\"{:.1}\">{}</text>\n",
                p.x + 10.0,
                p.y + 4.5,
                xml_escape(&crate::layout::shown_label(&g.groups[gb.group].label))
            ));
        }
    }
    for (i, e) in g.edges.iter().enumerate() {
        let c = l.edge_points(i, e.from, e.to);
        let rel = e.kind.as_str();
        let w = if e.kind.is_claim() {
            4.0
        } else {
            edge_width(e.evidence)
        };
        let colour = if e.kind.is_claim() {
            "#767676"
        } else {
            category_colour(e.category.as_deref())
        };
        let dash = dash(rel)
            .map(|d| format!(" stroke-dasharray=\"{d}\""))
            .unwrap_or_default();
        s.push_str(&format!(
            "<path class=\"edge\" d=\"M{:.1} {:.1} C{:.1} {:.1} {:.1} {:.1} {:.1} {:.1}\" stroke=\"{colour}\" stroke-width=\"{w:.1}\"{dash}><title>{}</title></path>\n",
            c[0].x, c[0].y, c[1].x, c[1].y, c[2].x, c[2].y, c[3].x, c[3].y,
            xml_escape(&format!(
                "{} to {}: {} {}, {} observation(s)",
                g.nodes[e.from].label,
                g.nodes[e.to].label,
                e.category.as_deref().unwrap_or("any service"),
                rel,
                e.evidence
            ))
        ));
    }
    for (e, r) in g.edges.iter().zip(&l.edge_labels) {
        if let Some(r) = r {
            let text = e.verdict.map(|v| v.label()).unwrap_or("claimed");
            s.push_str(&format!(
                "<text class=\"edge-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{text}</text>\n",
                r.x + r.width / 2.0,
                r.y + r.height / 2.0 + 4.0
            ));
        }
    }
    for (i, n) in g.nodes.iter().enumerate() {
        let p = l.nodes[i];
        let lb = l.labels[i];
        let firm = n.side == Side::Firm;
        let root = n.group.is_some_and(|gi| g.groups[gi].id == n.id);
        let fill = if firm { "#1a1a1a" } else { "#ffffff" };
        s.push_str(&format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"{fill}\" stroke=\"#1a1a1a\" stroke-width=\"2\"/>\n",
            p.x, p.y
        ));
        let (x, anchor) = if firm {
            (lb.x + lb.width, "end")
        } else {
            (lb.x, "start")
        };
        s.push_str(&format!(
            "<text class=\"label{}\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>\n",
            if root { " root" } else { "" },
            p.y + 4.5,
            xml_escape(&crate::layout::shown_label(&n.label))
        ));
    }
    s.push_str("</g>\n");
    // Legend, then banner and credit.
    let mut y = head + l.height.max(80.0) + 20.0;
    let mut x = pad;
    let mut items: Vec<(String, &str, Option<&str>)> = cats
        .iter()
        .map(|c| {
            let label = a
                .bundle
                .category(c)
                .map(|k| k.label.clone())
                .unwrap_or_else(|| c.to_string());
            (label, category_colour(Some(c)), None)
        })
        .collect();
    items.push(("|".into(), "", None));
    items.extend(rels.iter().map(|r| (r.to_string(), "#1a1a1a", dash(r))));
    for (label, colour, d) in items {
        if label == "|" {
            x = pad;
            y += 20.0;
            continue;
        }
        let w = label_width(&label, &Options::default()) + 40.0;
        if x + w > width - pad && x > pad {
            x = pad;
            y += 20.0;
        }
        let dash = d
            .map(|d| format!(" stroke-dasharray=\"{d}\""))
            .unwrap_or_default();
        s.push_str(&format!(
            "<line x1=\"{x:.0}\" y1=\"{:.0}\" x2=\"{:.0}\" y2=\"{:.0}\" stroke=\"{colour}\" stroke-width=\"3\"{dash}/>",
            y - 4.0,
            x + 24.0,
            y - 4.0
        ));
        s.push_str(&format!(
            "<text class=\"small\" x=\"{:.0}\" y=\"{y:.0}\">{}</text>\n",
            x + 30.0,
            xml_escape(&label)
        ));
        x += w;
    }
    y += 8.0;
    for (line, class) in foot_lines {
        y += 17.0;
        s.push_str(&format!(
            "<text class=\"{class}\" x=\"{pad:.0}\" y=\"{y:.0}\">{}</text>\n",
            xml_escape(&line)
        ));
    }
    let height = y + 14.0;
    let mut doc = String::new();
    let n_firms = g.nodes.iter().filter(|n| n.side == Side::Firm).count();
    let desc = format!(
        "{} firm(s), {} provider(s) and {} connection(s) by service category. {}",
        n_firms,
        g.nodes.len() - n_firms,
        g.edges.len(),
        credit(a)
    );
    doc.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-labelledby=\"t d\">\n"
    ));
    doc.push_str(&format!("<title id=\"t\">{}</title>\n", xml_escape(title)));
    doc.push_str(&format!("<desc id=\"d\">{}</desc>\n", xml_escape(&desc)));
    // CSS has no `<`, and `]]>` cannot appear in the fonts' base64, but
    // the rules come from a file: escape them as the rest of the text is.
    let fonts = fonts.trim().replace('<', "\\3c ");
    doc.push_str(&format!("<style>{fonts}{STYLE}</style>\n"));
    doc.push_str(&format!(
        "<rect x=\"0\" y=\"0\" width=\"{width:.0}\" height=\"{height:.0}\" fill=\"#ffffff\"/>\n"
    ));
    doc.push_str(&format!(
        "<text class=\"title\" x=\"{pad:.0}\" y=\"24\">{}</text>\n",
        xml_escape(title)
    ));
    doc.push_str(&s);
    doc.push_str("</svg>\n");
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::two_column;
    use crate::view::{build, Filters};
    use crate::{analyze, Limits};

    const FIXTURE: &str = include_str!("../../../../tests/fixtures/verdicts/all-features.json");

    fn svg() -> String {
        let a = analyze(FIXTURE, &Limits::default());
        let g = build(&a, &Filters::default());
        let l = two_column(&g, &|_| None, &Options::default());
        graph_svg(&a, &g, &l, "Alpha & friends <test>", FONTS)
    }

    const FONTS: &str = include_str!("../../../../public/fonts/svg-fonts.css");

    #[test]
    fn the_svg_is_standalone_sourced_and_deterministic() {
        let s = svg();
        assert_eq!(s, svg(), "deterministic");
        assert!(s.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(s.contains("<title id=\"t\">Alpha &amp; friends &lt;test&gt;</title>"));
        assert!(s.contains("<desc id=\"d\">"));
        assert!(s.contains("Data: Fixture: every matcher kind and every verdict, whoserves test suite, 2026-11-23"), "{s}");
        assert!(s.contains("Synthetic test data: fictional firms and providers."));
        // Nothing outside the file: the fonts are inline.
        assert!(!s.contains("href"), "no links or external resources");
        assert_eq!(s.matches("url(").count(), 2, "the two fonts");
        assert_eq!(s.matches("url(data:font/woff2;base64,").count(), 2);
        assert!(s.contains("font-family:'WS DejaVu Sans',"));
    }

    #[test]
    fn the_credit_names_the_publisher_or_else_the_authors() {
        let with = FIXTURE.replacen(
            "\"authors\": [\"whoserves test suite\"],",
            "\"authors\": [\"whoserves test suite\"], \"publisher\": \"The Example Desk\",",
            1,
        );
        assert_ne!(with, FIXTURE, "the fixture names its authors on one line");
        let a = analyze(&with, &Limits::default());
        assert_eq!(
            credit(&a),
            "Data: Fixture: every matcher kind and every verdict, The Example Desk, 2026-11-23"
        );
        let a = analyze(FIXTURE, &Limits::default());
        assert!(credit(&a).contains(", whoserves test suite, "));
    }

    #[test]
    fn escaping_drops_controls_and_quotes_markup() {
        assert_eq!(
            xml_escape("a<b>&\"'\u{1b}\n"),
            "a&lt;b&gt;&amp;&quot;&apos; "
        );
    }
}
