//! Citations: one paragraph that says what an edge or a claim rests on,
//! in plain text or Markdown, for a researcher to paste into their notes
//! or an article.
//!
//! A citation names what was observed, when, by which method and from
//! which source, the rule that read it and that rule's reference, the
//! bundle (with its banner, so synthetic data never passes as observed),
//! and a link to the exact view. Data strings are escaped for Markdown
//! and values go in code spans, so a value cannot inject formatting.

use super::findings::source_of;
use super::graph::Graph;
use crate::analysis::Analysis;
use crate::engine::Trace;

/// Plain text or Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// One paragraph of plain text.
    Plain,
    /// One paragraph of Markdown, with links.
    Markdown,
}

/// At most this many observations are named; the rest are counted.
pub const MAX_CITED: usize = 8;

/// Escapes Markdown's inline punctuation in a data string.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.push(' ');
            continue;
        }
        if "\\`*_{}[]<>()#+-.!|~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A value in a Markdown code span, fenced with more backticks than it holds.
fn md_code(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// `s` with its first letter upper-case, to start a sentence.
fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Plain text on one line: control characters become spaces.
fn plain(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

struct Writer {
    style: Style,
}

impl Writer {
    fn text(&self, s: &str) -> String {
        match self.style {
            Style::Plain => plain(s),
            Style::Markdown => md_escape(s),
        }
    }
    fn strong(&self, s: &str) -> String {
        match self.style {
            Style::Plain => plain(s),
            Style::Markdown => format!("**{}**", md_escape(s)),
        }
    }
    fn code(&self, s: &str) -> String {
        match self.style {
            Style::Plain => format!("\"{}\"", plain(s)),
            Style::Markdown => md_code(s),
        }
    }
    /// `title` linked to `url` (an http(s) URL, or nothing).
    fn link(&self, title: &str, url: &str) -> String {
        let safe = crate::load::check_url(url).is_ok();
        match (self.style, safe) {
            (Style::Markdown, true) => format!(
                "[{}](<{}>)",
                md_escape(title),
                url.replace(['<', '>', ' '], "")
            ),
            (Style::Plain, true) if title != url => format!("{} <{}>", plain(title), plain(url)),
            (_, _) => self.text(title),
        }
    }
}

/// One observation and its rule, as a clause.
fn clause(a: &Analysis, t: &Trace, w: &Writer) -> String {
    let b = &a.bundle;
    let o = &b.observations[t.observation];
    let r = &b.rules[t.rule];
    let what = match &o.key {
        Some(k) => format!("{} {} of {}", o.kind.as_str(), w.text(k), w.text(&o.target)),
        None => format!("{} of {}", o.kind.as_str(), w.text(&o.target)),
    };
    let method = o
        .method
        .as_deref()
        .map(|m| format!(" by {}", w.code(m)))
        .unwrap_or_default();
    let (title, url) = source_of(b, &o.source);
    let refs: Vec<String> = r.references.iter().map(|u| w.link(u, u)).collect();
    let refs = if refs.is_empty() {
        String::new()
    } else {
        format!(" ({})", refs.join(", "))
    };
    format!(
        "{what} recorded as {} on {}{method} (source: {}; {}), read by rule {}{refs}",
        w.code(&o.value),
        w.text(&o.observed_at.text),
        w.link(&title, &url),
        o.provenance.as_str(),
        w.code(&r.id),
    )
}

/// The observations of `traces`, one clause each, the rest counted.
fn clauses(a: &Analysis, traces: &[&Trace], w: &Writer) -> String {
    let mut parts: Vec<String> = traces
        .iter()
        .take(MAX_CITED)
        .map(|t| clause(a, t, w))
        .collect();
    if traces.len() > MAX_CITED {
        parts.push(format!(
            "and {} more (see the findings export)",
            traces.len() - MAX_CITED
        ));
    }
    parts.join("; ")
}

/// The bundle, its banner and the link.
fn tail(a: &Analysis, link: &str, w: &Writer) -> String {
    let m = &a.bundle.meta;
    let mut by = Vec::new();
    if !m.authors.is_empty() {
        by.push(w.text(&m.authors.join(", ")));
    }
    if let Some(p) = &m.published {
        by.push(w.text(p));
    }
    let by = if by.is_empty() {
        String::new()
    } else {
        format!(" ({})", by.join(", "))
    };
    let banner = m
        .banner
        .as_deref()
        .map(|b| format!(" {}", w.strong(b.trim_end_matches('.')).to_string() + "."))
        .unwrap_or_default();
    format!(
        " Evidence bundle: {}{by}.{banner} View: {}",
        w.text(&m.title),
        w.link(link, link)
    )
}

/// The citation of edge `edge` of `g`, linking to `link` (the page URL
/// that selects it).
pub fn cite_edge(a: &Analysis, g: &Graph, edge: usize, link: &str, style: Style) -> String {
    let w = Writer { style };
    let e = &g.edges[edge];
    let firm = &g.nodes[e.from].label;
    let provider = &g.nodes[e.to].label;
    let category = e.category.as_deref().unwrap_or("a service");
    let traces: Vec<&Trace> = e
        .findings
        .iter()
        .flat_map(|&fi| a.findings[fi].traces.iter())
        .collect();
    let verdict = match e.verdict {
        Some(v) => format!("the report's claim is {}", v.label()),
        None => "no claim in the bundle names it".to_string(),
    };
    let head = format!(
        "{} → {}, {} ({}; {verdict}).",
        w.strong(firm),
        w.strong(provider),
        w.text(category),
        e.kind.as_str(),
    );
    let body = if traces.is_empty() {
        " No observation shows it.".to_string()
    } else {
        let n = e.evidence;
        format!(
            " {} observation{}: {}.",
            n,
            if n == 1 { "" } else { "s" },
            clauses(a, &traces, &w)
        )
    };
    format!("{head}{body}{}", tail(a, link, &w))
}

/// The citation of claim `claim`, linking to `link`.
pub fn cite_claim(a: &Analysis, claim: usize, link: &str, style: Style) -> String {
    let w = Writer { style };
    let b = &a.bundle;
    let c = &b.claims[claim];
    let v = &a.verdicts[claim];
    let (title, url) = source_of(b, &c.source);
    let quote = c
        .quote
        .as_deref()
        .map(|q| format!(": “{}”", w.text(q)))
        .unwrap_or_default();
    let category = c.category.as_deref().unwrap_or("a service");
    let mark = v
        .grounds
        .mark()
        .map(|m| format!(" ({m})"))
        .unwrap_or_default();
    let head = format!(
        "Claim {} ({}{quote}) that {} uses {} for {}: {}{mark}. {}",
        w.code(&c.id),
        w.link(&title, &url),
        w.strong(b.entity_name(&c.subject)),
        w.strong(b.entity_name(&c.provider)),
        w.text(category),
        w.strong(v.verdict.label()),
        w.text(&capitalise(&v.reason)),
    );
    let head = if head.ends_with('.') {
        head
    } else {
        format!("{head}.")
    };
    let rests: std::collections::BTreeSet<usize> = v.rests_on.iter().copied().collect();
    let traces: Vec<&Trace> = v
        .findings
        .iter()
        .chain(v.contradicting.iter())
        .flat_map(|&fi| a.findings[fi].traces.iter())
        .filter(|t| rests.contains(&t.observation))
        .collect();
    let body = if traces.is_empty() {
        String::new()
    } else {
        format!(" It rests on: {}.", clauses(a, &traces, &w))
    };
    format!("{head}{body}{}", tail(a, link, &w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::{build, Filters};
    use crate::{analyze, Limits};

    const FIXTURE: &str = include_str!("../../../../tests/fixtures/verdicts/all-features.json");

    #[test]
    fn an_edge_citation_names_observation_method_rule_reference_and_link() {
        let a = analyze(FIXTURE, &Limits::default());
        let g = build(&a, &Filters::default());
        let i = g
            .edges
            .iter()
            .position(|e| {
                g.nodes[e.from].id == "alpha"
                    && g.nodes[e.to].id == "bluemail"
                    && e.category.as_deref() == Some("email")
            })
            .unwrap();
        let link = "https://site.example/?sel=e:alpha%3Ebluemail%3Eemail%3Edirect";
        let plain = cite_edge(&a, &g, i, link, Style::Plain);
        assert!(plain.contains("dns.mx of alpha.example recorded as \"10 alpha-example.mail.bluemail.example.\" on 2020-05-01 by \"dig +short MX alpha.example\""), "{plain}");
        assert!(plain.contains("read by rule \"mx-bluemail\""), "{plain}");
        assert!(plain.contains("https://example.com/docs"), "{plain}");
        assert!(plain.ends_with(&format!("View: {link}")), "{plain}");
        assert!(!plain.contains('\n'));
        let md = cite_edge(&a, &g, i, link, Style::Markdown);
        assert!(
            md.contains("`10 alpha-example.mail.bluemail.example.`"),
            "{md}"
        );
        assert!(
            md.contains(&format!("[{}](<{link}>)", md_escape(link))),
            "{md}"
        );
    }

    #[test]
    fn markdown_cannot_be_injected_from_data() {
        assert_eq!(md_escape("[x](javascript:y)"), "\\[x\\]\\(javascript:y\\)");
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_code("`x"), "`` `x ``");
        let w = Writer {
            style: Style::Markdown,
        };
        assert_eq!(w.link("t", "javascript:alert(1)"), "t");
    }

    #[test]
    fn a_claim_citation_carries_the_verdict_the_quote_and_the_banner() {
        let a = analyze(FIXTURE, &Limits::default());
        let i = a
            .bundle
            .claims
            .iter()
            .position(|c| c.id == "alpha-bluemail-email")
            .unwrap();
        let plain = cite_claim(&a, i, "https://site.example/?sel=x", Style::Plain);
        assert!(
            plain.starts_with("Claim \"alpha-bluemail-email\""),
            "{plain}"
        );
        assert!(
            plain.contains("“Alpha's email is hosted by Bluemail.”"),
            "{plain}"
        );
        assert!(plain.contains(": supported (synthetic)."), "{plain}");
        assert!(
            plain.contains("It rests on: dns.mx of alpha.example"),
            "{plain}"
        );
        assert!(
            plain.contains(" Synthetic test data: fictional firms and providers. View: "),
            "{plain}"
        );
    }
}
