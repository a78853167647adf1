//! The claims list, the unclaimed findings, the filter controls and the
//! table view. All read the same filtered graph as the picture.

use crate::panel::{grounds_mark, verdict_badge};
use crate::state::{AppState, Selection, View};
use leptos::prelude::*;
use std::collections::BTreeSet;
use whoserves_core::model::{format_date, Relationship};
use whoserves_core::view::{self as graph, country_of, Filters, VerdictFilter};
use whoserves_core::Verdict;

/// Claims shown under the current filters, with their verdicts.
/// A dated claim's verdict on the evidence of its date, beside the verdict
/// on all evidence in force and the date of the newest of it.
fn then_and_now(
    a: &whoserves_core::Analysis,
    subject: &str,
    t: &whoserves_core::analysis::Then,
    now: whoserves_core::Verdict,
) -> impl IntoView {
    let newest = a
        .bundle
        .observations
        .iter()
        .zip(&a.timeline.active)
        .filter(|(o, on)| **on && *o.subject == *subject)
        .map(|(o, _)| o.observed_at.date)
        .max();
    let now_label = match newest {
        Some(d) => format!("Now (newest evidence {}): ", format_date(d)),
        None => "Now (no evidence in force): ".to_string(),
    };
    view! {
        <p class="then-now" data-testid="then-now">
            <span data-testid="then" data-verdict=t.verdict.as_str()>
                {format!("At the claim's date ({}): ", format_date(t.as_of))}{verdict_badge(t.verdict)}
                <span class="note-small">{format!(" on evidence observed {} to {}", format_date(t.since), format_date(t.until))}</span>
            </span>
            " · "
            <span data-testid="now" data-verdict=now.as_str()>{now_label}{verdict_badge(now)}</span>
        </p>
    }
}

/// Copies claim `i`'s plain citation, linking to the edge that carries it.
fn copy_claim(state: AppState, i: usize) {
    let Some(a) = state.analysis.get_untracked() else {
        return;
    };
    let g = state.graph.get_untracked();
    let selection = g
        .edges
        .iter()
        .find(|e| e.claims.contains(&i))
        .map(|e| Selection::Edge(e.key(&g)))
        .unwrap_or_default();
    let link = state.link_to(selection.clone());
    let text = graph::cite_claim(&a, i, &link, graph::Style::Plain);
    // Selecting the claim's edge shows the citation, both forms, in the panel.
    state.selection.set(selection);
    leptos::task::spawn_local(async move {
        if let Some(w) = web_sys::window() {
            let _ =
                wasm_bindgen_futures::JsFuture::from(w.navigator().clipboard().write_text(&text))
                    .await;
        }
    });
}

/// How many unclaimed findings the list shows before "Show all".
pub const UNCLAIMED_SHOWN: usize = 100;

#[component]
pub fn ClaimsList() -> impl IntoView {
    let state = expect_context::<AppState>();
    // Each dated claim's verdict on the evidence of its own date.
    let then = Memo::new(move |_| {
        state
            .analysis
            .get()
            .map(|a| crate::state::Shared(std::sync::Arc::new(a.then())))
    });
    let items = move || {
        let Some(a) = state.analysis.get() else {
            return ().into_any();
        };
        let then = then.get();
        let g = state.graph.get();
        // A claim is listed when an edge of the filtered graph carries it.
        let shown: BTreeSet<usize> = g
            .edges
            .iter()
            .flat_map(|e| e.claims.iter().copied())
            .collect();
        let rows = a
            .bundle
            .claims
            .iter()
            .enumerate()
            .filter(|(i, _)| shown.contains(i))
            .map(|(i, c)| {
                let v = &a.verdicts[i];
                let key = g
                    .edges
                    .iter()
                    .find(|e| e.claims.contains(&i))
                    .map(|e| e.key(&g))
                    .unwrap_or_default();
                // Each name in its own <bdi>: an override inside one cannot
                // reorder the rest of the row.
                let (from, to) = (
                    a.bundle.entity_name(&c.subject).to_string(),
                    a.bundle.entity_name(&c.provider).to_string(),
                );
                let cat = c.category.as_deref().map(|x| format!(" ({x})")).unwrap_or_default();
                let title = view! { <bdi>{from}</bdi>" → "<bdi>{to}</bdi>{cat} };
                let then_now = then
                    .as_ref()
                    .and_then(|t| t.get(i).cloned().flatten())
                    .map(|t| then_and_now(&a, &c.subject, &t, v.verdict));
                view! {
                    <li class="claim-row" data-testid="claim" data-id=c.id.clone() data-verdict=v.verdict.as_str()>
                        <button class="link-button" on:click=move |_| state.selection.set(Selection::Edge(key.clone()))>{title}</button>
                        " "{verdict_badge(v.verdict)}{grounds_mark(v.grounds)}
                        {(c.status != whoserves_core::model::ClaimStatus::Asserted).then(|| view! { <span class="status">{format!("claim {}", c.status)}</span> })}
                        <p class="reason">{crate::panel::reason_text(&a, i)}</p>
                        {then_now}
                        <button type="button" class="link-button cite-claim" data-testid="claim-cite"
                            aria-label=format!("Copy citation of claim {}", c.id)
                            on:click=move |_| copy_claim(state, i)>"Copy citation"</button>
                    </li>
                }
            })
            .collect_view();
        let n = shown.len();
        view! {
            <p class="count">{format!("{n} of {} claims shown", a.bundle.claims.len())}</p>
            <ul class="plain">{rows}</ul>
        }
        .into_any()
    };
    // A big bundle has one unclaimed finding per edge: the list shows the
    // first UNCLAIMED_SHOWN and builds the rest only when asked.
    let unclaimed_limit = RwSignal::new(UNCLAIMED_SHOWN);
    let unclaimed = move || {
        let Some(a) = state.analysis.get() else {
            return ().into_any();
        };
        let g = state.graph.get();
        let limit = unclaimed_limit.get();
        let total = g
            .edges
            .iter()
            .filter(|e| e.claims.is_empty() && !e.findings.is_empty())
            .count();
        let rows = g
            .edges
            .iter()
            .filter(|e| e.claims.is_empty() && !e.findings.is_empty())
            .take(limit)
            .map(|e| {
                let key = e.key(&g);
                let rules: BTreeSet<String> = e
                    .findings
                    .iter()
                    .flat_map(|&f| {
                        a.findings[f]
                            .traces
                            .iter()
                            .map(|t| a.bundle.rules[t.rule].id.clone())
                    })
                    .collect();
                // Names and rule ids each isolated: an override in one
                // cannot reorder the row.
                let (from, to) = (g.nodes[e.from].label.clone(), g.nodes[e.to].label.clone());
                let text = format!(
                    " ({}, {}): {} observation(s) via {}",
                    e.category.as_deref().unwrap_or("-"),
                    e.kind.as_str(),
                    e.evidence,
                    rules
                        .iter()
                        .map(|r| whoserves_core::text::isolate(r))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                view! { <li data-testid="unclaimed"><button class="link-button" on:click=move |_| state.selection.set(Selection::Edge(key.clone()))><bdi>{from}</bdi>" → "<bdi>{to}</bdi>{text}</button></li> }
            })
            .collect_view();
        let more = (total > limit).then(|| {
            view! {
                <button class="link-button" data-testid="unclaimed-more"
                    on:click=move |_| unclaimed_limit.set(usize::MAX)>
                    {format!("Show all {total} unclaimed findings ({} more)", total - limit)}
                </button>
            }
        });
        view! { <ul class="plain">{rows}</ul>{more} }.into_any()
    };
    view! {
        <section class="claims" data-testid="claims">
            <h2>"Claims"</h2>
            {items}
            <h3>"Unclaimed findings"</h3>
            <p class="note-small">"What the evidence shows that no claim mentions."</p>
            {unclaimed}
        </section>
    }
}

fn toggle<T: Ord + Clone>(set: &mut BTreeSet<T>, v: T) {
    if !set.remove(&v) {
        set.insert(v);
    }
}

/// The most firms the firm filter lists as boxes.
const FIRM_BOXES: usize = 100;

/// Checkbox group helper.
fn checks<T: Ord + Clone + Send + Sync + 'static>(
    name: &'static str,
    options: Vec<(T, String)>,
    get: impl Fn(&Filters) -> &BTreeSet<T> + Copy + Send + Sync + 'static,
    set: impl Fn(&mut Filters) -> &mut BTreeSet<T> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    // A group with nothing to tick is left out.
    let empty = options.is_empty();
    let boxes = options
        .into_iter()
        .map(|(value, label)| {
            let v1 = value.clone();
            let checked = move || state.filters.with(|f| get(f).contains(&v1));
            view! {
                <label class="check">
                    <input type="checkbox" data-testid=format!("filter-{name}") value=label.clone() prop:checked=checked
                        on:change=move |_| state.filters.update(|f| toggle(set(f), value.clone())) />
                    {label.clone()}
                </label>
            }
        })
        .collect_view();
    (!empty).then(|| view! { <fieldset><legend>{name}</legend>{boxes}</fieldset> })
}

/// The filter controls.
#[component]
pub fn FilterBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let controls = move || {
        let cur = state.current.get()?;
        let a = &cur.analysis;
        let b = &a.bundle;
        let used: BTreeSet<String> = a
            .findings
            .iter()
            .map(|f| f.category.clone())
            .chain(b.claims.iter().filter_map(|c| c.category.clone()))
            .collect();
        let cats: Vec<(String, String)> = b
            .categories
            .iter()
            .filter(|c| used.contains(&c.id))
            .map(|c| (c.id.clone(), c.label.clone()))
            .collect();
        let rels: Vec<(Relationship, String)> = Relationship::ALL
            .iter()
            .map(|r| (*r, r.as_str().to_string()))
            .collect();
        let mut verdicts: Vec<(VerdictFilter, String)> = Verdict::ALL
            .iter()
            .map(|v| (VerdictFilter::Verdict(*v), v.label().to_string()))
            .collect();
        verdicts.push((VerdictFilter::Unclaimed, "unclaimed".into()));
        let providers: BTreeSet<&str> = a
            .findings
            .iter()
            .map(|f| f.provider.as_str())
            .chain(b.claims.iter().map(|c| c.provider.as_str()))
            .collect();
        let countries: Vec<(String, String)> = providers
            .into_iter()
            .map(|p| country_of(b, p).unwrap_or_else(|| "unknown".into()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|c| (c.clone(), c))
            .collect();
        // Firms, by name: narrow the view to a story's firms.
        let firms = whoserves_core::view::filter::firm_choices(b);
        Some(view! {
            // Up to a story's worth of firms; for more, search (or `firm=`).
            {(2..=FIRM_BOXES).contains(&firms.len()).then(|| checks("firm", firms, |f| &f.firms, |f| &mut f.firms))}
            {checks("category", cats, |f| &f.categories, |f| &mut f.categories)}
            {checks("relationship", rels, |f| &f.relationships, |f| &mut f.relationships)}
            {checks("verdict", verdicts, |f| &f.verdicts, |f| &mut f.verdicts)}
            {checks("provider country", countries, |f| &f.countries, |f| &mut f.countries)}
        })
    };
    let search_line = move || {
        let q = state.filters.with(|f| f.search.trim().to_string());
        if q.is_empty() {
            return format!("Search looks through {}.", graph::SEARCHED);
        }
        let n = state.graph.with(|g| g.edges.len());
        format!(
            "Searched {} for \u{201c}{q}\u{201d}: {n} edge{} match.",
            graph::SEARCHED,
            if n == 1 { "" } else { "s" }
        )
    };
    let as_of_value = move || {
        state
            .filters
            .with(|f| f.as_of.map(format_date).unwrap_or_default())
    };
    view! {
        <section class="filters" class:open=move || state.filters_open.get() id="filters" data-testid="filters" aria-label="Filters">
            <div class="drawer-head">
                <h2>"Filters"</h2>
                <button type="button" data-testid="filters-close" on:click=move |_| state.filters_open.set(false)>
                    {move || format!("Show {} edge{}", state.graph.with(|g| g.edges.len()), if state.graph.with(|g| g.edges.len()) == 1 { "" } else { "s" })}
                </button>
            </div>
            <label class="search">"Search "
                <input type="search" data-testid="filter-search" placeholder="names, domains, values, rule ids"
                    aria-describedby="search-scope"
                    prop:value=move || state.filters.with(|f| f.search.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); state.filters.update(|f| f.search = v) } />
            </label>
            <p class="note-small search-scope" id="search-scope" data-testid="search-scope" aria-live="polite">{search_line}</p>
            <label class="asof">"As of "
                <input type="date" data-testid="filter-asof" prop:value=as_of_value
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        state.filters.update(|f| f.as_of = whoserves_core::date::parse_date(&v).ok())
                    } />
            </label>
            {controls}
            <button data-testid="filter-reset" on:click=move |_| state.filters.set(Filters::default())>"Reset filters"</button>
        </section>
    }
}

/// Sortable columns of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Firm,
    Provider,
    Category,
    Relationship,
    Evidence,
    Verdict,
}

/// The table view: the accessible alternative to the graph.
#[component]
pub fn TableView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let sort = RwSignal::new((Column::Firm, true));
    let rows = Memo::new(move |_| {
        let g = state.graph.get();
        let mut rows = graph::rows(&g);
        let (col, asc) = sort.get();
        rows.sort_by(|a, b| {
            let o = match col {
                Column::Firm => a.firm.to_lowercase().cmp(&b.firm.to_lowercase()),
                Column::Provider => a.provider.to_lowercase().cmp(&b.provider.to_lowercase()),
                Column::Category => a.category.cmp(&b.category),
                Column::Relationship => a.relationship.cmp(&b.relationship),
                Column::Evidence => a.evidence.cmp(&b.evidence),
                Column::Verdict => a.verdict.cmp(&b.verdict),
            };
            if asc {
                o
            } else {
                o.reverse()
            }
        });
        rows
    });
    let header = move |col: Column, label: &'static str| {
        let aria = move || match sort.get() {
            (c, true) if c == col => "ascending",
            (c, false) if c == col => "descending",
            _ => "none",
        };
        view! {
            <th scope="col" aria-sort=aria>
                <button class="link-button" data-testid=format!("sort-{}", label.to_lowercase())
                    on:click=move |_| sort.update(|(c, asc)| { if *c == col { *asc = !*asc } else { *c = col; *asc = true } })>
                    {label}
                </button>
            </th>
        }
    };
    let banner = move || {
        state
            .analysis
            .get_untracked()
            .and_then(|a| a.bundle.meta.banner.clone())
    };
    let download = move |_| {
        let csv = graph::to_csv(&rows.get_untracked(), banner().as_deref());
        crate::download("whoserves-edges.csv", "text/csv", &csv);
    };
    let findings_csv = move |_| {
        let Some(a) = state.analysis.get_untracked() else {
            return;
        };
        let rows = graph::finding_rows(&a, &state.graph.get_untracked());
        crate::download(
            "whoserves-findings.csv",
            "text/csv",
            &graph::findings_csv(&rows),
        );
    };
    let findings_json = move |_| {
        let Some(a) = state.analysis.get_untracked() else {
            return;
        };
        let (as_of, search) = state
            .filters
            .with_untracked(|f| (f.as_of.map(format_date), f.search.clone()));
        let json =
            graph::findings_json(&a, &state.graph.get_untracked(), as_of.as_deref(), &search);
        crate::download("whoserves-findings.json", "application/json", &json);
    };
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Table of edges" data-testid="table">
            <div class="exports" role="group" aria-label="Export">
                <button data-testid="export-csv" on:click=download title="One row per edge">"Export CSV"</button>
                <button data-testid="export-findings-csv" on:click=findings_csv title="One row per observation behind each edge">"Findings CSV"</button>
                <button data-testid="export-findings-json" on:click=findings_json title="One row per observation behind each edge, with the bundle's title, banner and date">"Findings JSON"</button>
            </div>
            <table>
                <caption>"Every edge of the graph under the current filters."</caption>
                <thead><tr>
                    {header(Column::Firm, "Firm")}{header(Column::Provider, "Provider")}{header(Column::Category, "Category")}
                    {header(Column::Relationship, "Relationship")}{header(Column::Evidence, "Evidence")}{header(Column::Verdict, "Verdict")}
                </tr></thead>
                <tbody>
                    {move || {
                        let g = state.graph.get();
                        rows.get().into_iter().map(|r| {
                            let key = g.edges[r.edge].key(&g);
                            view! {
                                <tr data-testid="table-row">
                                    <td>{r.firm}</td><td>{r.provider}</td><td>{r.category}</td><td>{r.relationship}</td>
                                    <td class="num">{r.evidence}</td>
                                    <td><button class="link-button" on:click=move |_| { state.selection.set(Selection::Edge(key.clone())); state.view.set(View::Graph) }>{r.verdict}</button></td>
                                </tr>
                            }
                        }).collect_view()
                    }}
                </tbody>
            </table>
        </div>
    }
}
