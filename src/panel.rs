//! The evidence trail: what is behind the selected edge or node.
//!
//! For an edge: the claims (verdict, status, source with quote) and every
//! finding with its rule (explanation, references, matcher) and observation
//! (kind, target, value with the matched part marked, date, method,
//! provenance in words, source). For a node: listings and edges.

use crate::cite::CiteButtons;
use crate::state::{AppState, Selection};
use leptos::prelude::*;
use whoserves_core::engine::Trace;
use whoserves_core::model::{format_date, Bundle, Provenance, SourceRef};
use whoserves_core::text::{isolate, isolate_names};
use whoserves_core::verdict::{Grounds, Verdict};
use whoserves_core::view::{self as graph, EdgeKind, Graph, Side};
use whoserves_core::Analysis;

/// `url` if it is http(s), else `None`: data never becomes another kind of link.
pub fn safe_href(url: &str) -> Option<String> {
    whoserves_core::load::check_url(url)
        .ok()
        .map(|()| url.trim().to_string())
}

/// A link if the URL is http(s), else plain text. The reader always sees
/// where it goes: a link that shows its own address shows it as the
/// browser parsed it (host in punycode, controls percent-encoded), and any
/// other text is followed by the real host.
pub fn link(url: &str, text: String) -> AnyView {
    match safe_href(url) {
        Some(h) => {
            let parsed = web_sys::Url::new(&h).ok();
            let host = parsed.as_ref().map(|u| u.host()).unwrap_or_default();
            let href = parsed.as_ref().map(|u| u.href()).unwrap_or(h.clone());
            if text.trim() == h {
                // A link that shows its own address needs no printed copy of it.
                view! { <a href=href.clone() class="url" target="_blank" rel="noopener noreferrer">{href.clone()}</a> }.into_any()
            } else {
                view! {
                    <a href=href target="_blank" rel="noopener noreferrer">{text}</a>
                    " "<span class="link-host" data-testid="link-host">{format!("[{host}]")}</span>
                }
                .into_any()
            }
        }
        None => view! { <span>{text}</span> }.into_any(),
    }
}

/// A claim's reason for display: every name it can quote (the firm, the
/// provider, and the providers of the findings it weighs) isolated, and
/// any other bidi control dropped (`text::isolate_names`).
pub fn reason_text(a: &Analysis, ci: usize) -> String {
    let b = &a.bundle;
    let (c, v) = (&b.claims[ci], &a.verdicts[ci]);
    let mut names = vec![b.entity_name(&c.subject), b.entity_name(&c.provider)];
    for &f in v
        .findings
        .iter()
        .chain(v.contradicting.iter())
        .chain(v.parent_findings.iter())
    {
        names.push(b.entity_name(&a.findings[f].provider));
    }
    isolate_names(&v.reason, &names)
}

/// A source reference, rendered as its title (linked when it has a URL).
pub fn source_view(b: &Bundle, s: &SourceRef) -> AnyView {
    match s {
        SourceRef::Url(u) => link(u, u.clone()),
        SourceRef::Id(id) => match b.source(id) {
            Some(src) => {
                let mut text = src.title.clone();
                if let Some(p) = &src.publisher {
                    text.push_str(&format!(" ({p}"));
                    if let Some(d) = &src.date {
                        text.push_str(&format!(", {d}"));
                    }
                    text.push(')');
                }
                match &src.url {
                    Some(u) => link(u, text),
                    None => view! { <span>{text}</span> }.into_any(),
                }
            }
            None => view! { <span>{id.clone()}</span> }.into_any(),
        },
    }
}

/// Provenance in words; colour is never the only carrier.
pub fn provenance_text(p: Provenance) -> &'static str {
    match p {
        Provenance::Observed => "observed first-hand",
        Provenance::Reported => "reported (taken from a publication, not re-observed)",
        Provenance::Derived => "derived (computed from other observations)",
        Provenance::Archived => {
            "archived (read from a web archive's capture, dated by the capture)"
        }
        Provenance::Synthetic => "synthetic (made up for illustration; not evidence)",
    }
}

/// A verdict badge.
pub fn verdict_badge(v: whoserves_core::Verdict) -> impl IntoView {
    view! { <span class=format!("badge verdict-{}", v.as_str()) data-testid="verdict-badge">{v.label()}</span> }
}

/// The mark of a verdict that stands on no first-hand observation:
/// `synthetic` (made-up data) or `reported` (taken from a publication).
pub fn grounds_mark(g: Grounds) -> impl IntoView {
    g.mark().map(|m| {
        let title = match g {
            Grounds::Synthetic => "This verdict rests only on synthetic (made-up) observations.",
            _ => "This verdict rests only on observations taken from a publication, not re-observed.",
        };
        view! { " "<span class=format!("badge grounds-{m}") data-testid="grounds-mark" title=title>{m}</span> }
    })
}

/// The side panel.
#[component]
pub fn Panel() -> impl IntoView {
    let state = expect_context::<AppState>();
    // The file a followed link was made from, while another bundle is shown.
    let elsewhere = move || {
        let linked = state.linked_file.get()?;
        let shown = state
            .current
            .with(|c| c.as_ref().and_then(|c| c.local_file()));
        (shown.as_deref() != Some(linked.as_str())).then_some(linked)
    };
    let body = move || {
        let Some(a) = state.analysis.get() else {
            return view! { <p>"No bundle loaded."</p> }.into_any();
        };
        let g = state.graph.get();
        match state.selection.get() {
            Selection::None => view! {
                <p class="hint" data-testid="panel-hint">"Select an edge to see the evidence behind it, or a firm or provider to see its listings and connections."</p>
            }
            .into_any(),
            Selection::Edge(key) => match (g.edge_by_key(&key), elsewhere()) {
                (Some(i), _) => edge_panel(&a, &g, i).into_any(),
                (None, Some(name)) => missing_file(&name).into_any(),
                (None, None) => view! { <p data-testid="panel-missing">"The selected edge is hidden by the filters."</p> }.into_any(),
            },
            Selection::Node(id) => match (a.bundle.entity(&id), elsewhere()) {
                (None, Some(name)) => missing_file(&name).into_any(),
                _ => node_panel(&a, &g, &id).into_any(),
            },
        }
    };
    // Focus follows the evidence: into the panel when it opens, back to
    // where it was when it closes.
    let before = StoredValue::new_local(None::<web_sys::Element>);
    Effect::new(move |was_open: Option<bool>| {
        let open = !matches!(state.selection.get(), Selection::None);
        let doc = web_sys::window().and_then(|w| w.document());
        if open && was_open == Some(false) {
            before.set_value(doc.as_ref().and_then(|d| d.active_element()));
            request_animation_frame(move || {
                if let Some(h) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.query_selector("[data-testid=panel] h3").ok().flatten())
                {
                    call_focus(&h);
                }
            });
        } else if !open && was_open == Some(true) {
            if let Some(el) = before.get_value().filter(|e| e.is_connected()) {
                call_focus(&el);
            }
        }
        open
    });
    view! {
        <aside class="panel" class:has-selection=move || !matches!(state.selection.get(), Selection::None) data-testid="panel" aria-live="polite"
            on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Escape" { state.selection.set(Selection::None) }>
            <div class="panel-head">
                <h2>"Evidence"</h2>
                <button class="link-button" data-testid="clear-selection" on:click=move |_| state.selection.set(Selection::None)>"Clear"</button>
            </div>
            {body}
        </aside>
    }
}

/// Focuses an HTML or SVG element.
fn call_focus(el: &web_sys::Element) {
    use wasm_bindgen::JsCast;
    if let Some(f) = js_sys::Reflect::get(el, &"focus".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    {
        let _ = f.call0(el);
    }
}

/// Says that the selection belongs to a file on the link's sender's disk.
fn missing_file(name: &str) -> impl IntoView {
    view! {
        <div data-testid="panel-missing-file" role="note">
            <p>{format!(
                "This link selects something in {name}, a file the person who made the link opened from their own disk. The file never left their browser, so this site does not have it."
            )}</p>
            <p>"Open the same file with \u{201c}Open a file\u{201d} (or drop it on the page) to see the selection. Until then the view shows this site's bundle."</p>
        </div>
    }
}

fn edge_panel(a: &Analysis, g: &Graph, i: usize) -> impl IntoView {
    let b = &a.bundle;
    let e = &g.edges[i];
    let state = expect_context::<AppState>();
    let link = state.link_to(Selection::Edge(e.key(g)));
    let cite_plain = graph::cite_edge(a, g, i, &link, graph::Style::Plain);
    let cite_md = graph::cite_edge(a, g, i, &link, graph::Style::Markdown);
    // Each name in its own <bdi>: an override inside one cannot reorder the rest.
    let (from, to) = (g.nodes[e.from].label.clone(), g.nodes[e.to].label.clone());
    let title = view! { <bdi>{from}</bdi>" → "<bdi>{to}</bdi> };
    let cat = e
        .category
        .as_deref()
        .map(|c| {
            b.category(c)
                .map(|x| x.label.clone())
                .unwrap_or_else(|| c.to_string())
        })
        .unwrap_or_else(|| "any service".into());
    let rel = match e.kind {
        EdgeKind::Claim => "claimed, no finding",
        k => k.as_str(),
    };
    let claims = e
        .claims
        .iter()
        .map(|&ci| {
            let c = &b.claims[ci];
            let v = &a.verdicts[ci];
            let rests_on: Vec<&str> = v
                .rests_on
                .iter()
                .take(20)
                .map(|&o| b.observations[o].id.as_str())
                .collect();
            let more = v.rests_on.len().saturating_sub(rests_on.len());
            let negative = matches!(v.verdict, Verdict::NotFound | Verdict::Contradicted);
            let plain = graph::cite_claim(a, ci, &link, graph::Style::Plain);
            let markdown = graph::cite_claim(a, ci, &link, graph::Style::Markdown);
            view! {
                <li class="claim" data-testid="panel-claim">
                    {verdict_badge(v.verdict)}
                    {grounds_mark(v.grounds)}
                    <span class="status">{format!("claim {}", c.status)}</span>
                    <p class="reason">{reason_text(a, ci)}</p>
                    {(negative && !rests_on.is_empty()).then(|| view! {
                        <p class="note-small" data-testid="rests-on">{format!(
                            "Rests on observations {}{}",
                            rests_on.join(", "),
                            if more > 0 { format!(" and {more} more") } else { String::new() }
                        )}</p>
                    })}
                    {c.quote.clone().map(|q| view! { <blockquote>{q}</blockquote> })}
                    {c.note.clone().map(|n| view! { <p class="note-small">{format!("Note: {n}")}</p> })}
                    <p class="src">"Source: "{source_view(b, &c.source)}
                        {c.as_of.map(|d| format!(", as of {}", format_date(d)))}</p>
                    <CiteButtons plain=plain markdown=markdown what="claim" />
                </li>
            }
        })
        .collect_view();
    let findings = graph::edge_findings(a, e)
        .into_iter()
        .flat_map(|f| f.traces.iter().map(move |t| (f, t)))
        .map(|(f, t)| trace_view(a, b.ancestors(&f.provider), t))
        .collect_view();
    view! {
        <section data-testid="edge-panel">
            <h3 tabindex="-1">{title}</h3>
            <p class="meta">{format!("{cat} · {rel} · {} observation(s)", e.evidence)}</p>
            <div data-testid="edge-cite"><CiteButtons plain=cite_plain markdown=cite_md what="edge" /></div>
            {(!e.claims.is_empty()).then(|| view! { <h4>"Claims"</h4><ul class="plain">{claims}</ul> })}
            {e.claims.is_empty().then(|| view! { <p class="note-small">"No claim speaks of this finding: it is unclaimed."</p> })}
            {(!e.findings.is_empty()).then(|| view! { <h4>"Findings"</h4> })}
            <ol class="traces">{findings}</ol>
        </section>
    }
}

fn trace_view(a: &Analysis, parents: Vec<String>, t: &Trace) -> impl IntoView {
    let b = &a.bundle;
    // Traces carry indices: no search by id.
    let rule = b.rules.get(t.rule);
    let obs = b.observations.get(t.observation);
    let matcher = rule.map(|r| r.describe_matcher()).unwrap_or_default();
    let rule_view = rule.map(|r| {
        let refs = r
            .references
            .iter()
            .map(|u| view! { <li>{link(u, u.clone())}</li> })
            .collect_view();
        let window = match (r.valid_from, r.valid_to) {
            (None, None) => None,
            (f, to) => Some(format!(
                "Applies from {} to {}.",
                f.map(format_date).unwrap_or_else(|| "the start".into()),
                to.map(format_date).unwrap_or_else(|| "now".into())
            )),
        };
        view! {
            <div class="rule" data-testid="trace-rule">
                <p><strong>"Rule "</strong><code>{r.id.clone()}</code>{format!(" ({}, {})", r.category, r.relationship)}</p>
                <p>{r.explanation.clone()}</p>
                <p class="matcher">"Matcher: "<code data-testid="trace-matcher">{matcher.clone()}</code></p>
                {window.map(|w| view! { <p class="note-small">{w}</p> })}
                {(!r.references.is_empty()).then(|| view! { <ul class="refs">{refs}</ul> })}
            </div>
        }
    });
    let obs_view = obs.map(|o| {
        let text = o.normalized().text.clone();
        let (s, e) = (t.span.start.min(text.len()), t.span.end.min(text.len()));
        let (before, hit, after) = match (text.get(..s), text.get(s..e), text.get(e..)) {
            (Some(x), Some(y), Some(z)) => (x.to_string(), y.to_string(), z.to_string()),
            _ => (text.clone(), String::new(), String::new()),
        };
        let key = o.key.clone().map(|k| format!("{k}: "));
        let same = o.value == text;
        let synthetic = matches!(o.provenance, Provenance::Synthetic | Provenance::Reported);
        view! {
            <div class="observation" data-testid="trace-observation">
                <p><strong>"Observation "</strong><code>{o.id.clone()}</code>{format!(" · {} of {}", o.kind, o.target)}</p>
                <dl class="values">
                    <dt>"As recorded"</dt>
                    <dd><code class="value" data-testid="trace-recorded">{o.key.clone().map(|k| format!("{k}: "))}{o.value.clone()}</code></dd>
                    <dt>{if same { "As the rules read it (unchanged)" } else { "As the rules read it" }}</dt>
                    <dd><code class="value" data-testid="trace-value">{key}{before}<mark>{hit}</mark>{after}</code></dd>
                </dl>
                <p class="meta">{format!("Observed {}", o.observed_at.text)}
                    {o.method.clone().map(|m| view! { " with "<code>{m}</code> })}</p>
                <p class=if synthetic { "provenance warn" } else { "provenance" } data-testid="trace-provenance">
                    {format!("Provenance: {}", provenance_text(o.provenance))}</p>
                <p class="src">"Source: "{source_view(b, &o.source)}</p>
                {t.range.and_then(|r| b.ranges.get(r)).map(|r| {
                    let prefixes: Vec<String> = t.prefixes.iter().map(|p| p.to_string()).collect();
                    view! {
                        <p class="note-small">{format!("Range set {}{}; covering prefixes: {}",
                            r.id,
                            r.version.as_ref().map(|v| format!(" (version {v})")).unwrap_or_default(),
                            prefixes.join(", "))}</p>
                    }
                })}
            </div>
        }
    });
    let chain = (!parents.is_empty()).then(|| {
        let names: Vec<String> = parents.iter().map(|p| isolate(b.entity_name(p))).collect();
        view! { <p class="note-small">{format!("Counts for: {}", names.join(" → "))}</p> }
    });
    view! { <li class="trace" data-testid="trace">{rule_view}{obs_view}{chain}</li> }
}

fn node_panel(a: &Analysis, g: &Graph, id: &str) -> impl IntoView {
    let b = &a.bundle;
    let state = expect_context::<AppState>();
    let Some(e) = b.entity(id) else {
        return view! { <p>"Unknown entity."</p> }.into_any();
    };
    let as_of = state.filters.with_untracked(|f| f.as_of);
    let listings = e
        .listings
        .iter()
        .filter(|l| graph::listing_in_force(l.date, as_of))
        .map(|l| {
            view! {
                <li data-testid="listing">
                    <strong>{l.list.clone()}</strong>{format!(", {}", format_date(l.date))}
                    {l.citation.clone().map(|c| format!(", {c}"))}
                    {l.reason.clone().map(|r| view! { <p class="reason">{r}</p> })}
                    <p class="src">"Source: "{source_view(b, &l.source)}</p>
                </li>
            }
        })
        .collect_view();
    let node = g.node(id);
    let edges = node
        .map(|n| g.edges_of(n))
        .unwrap_or_default()
        .into_iter()
        .map(|ei| {
            let ed = &g.edges[ei];
            let other = if ed.from == node.unwrap_or(usize::MAX) { ed.to } else { ed.from };
            let key = ed.key(g);
            let name = g.nodes[other].label.clone();
            let text = format!(
                " · {} · {}",
                ed.category.as_deref().unwrap_or("any service"),
                ed.kind.as_str()
            );
            view! {
                <li><button class="link-button" data-testid="panel-edge" on:click=move |_| state.selection.set(Selection::Edge(key.clone()))><bdi>{name}</bdi>{text}</button></li>
            }
        })
        .collect_view();
    let chain: Vec<String> = b
        .ancestors(id)
        .iter()
        .map(|p| isolate(b.entity_name(p)))
        .collect();
    let side = node.map(|n| g.nodes[n].side);
    view! {
        <section data-testid="node-panel">
            <h3 tabindex="-1">{e.name.clone()}</h3>
            <p class="meta">
                {if side == Some(Side::Firm) || e.role == whoserves_core::model::Role::Subject { "Firm" } else { "Provider" }}
                {graph::country_of(b, id).map(|c| format!(" · country {c}"))}
                {(!chain.is_empty()).then(|| format!(" · part of {}", chain.join(" → ")))}
            </p>
            {(!e.aliases.is_empty()).then(|| view! { <p>{format!("Also known as: {}", e.aliases.join(", "))}</p> })}
            {(!e.domains.is_empty()).then(|| view! { <p>{format!("Domains: {}", e.domains.join(", "))}</p> })}
            {(!e.sources.is_empty()).then(|| {
                let srcs = e.sources.iter().map(|s| view! { <li>{source_view(b, s)}</li> }).collect_view();
                view! { <p class="src">"Sources for these facts:"</p><ul class="refs" data-testid="entity-sources">{srcs}</ul> }
            })}
            {(!e.listings.is_empty()).then(|| view! { <h4>"Listings"</h4><ul class="plain">{listings}</ul> })}
            <h4>"Connections"</h4>
            <ul class="plain">{edges}</ul>
        </section>
    }
    .into_any()
}
