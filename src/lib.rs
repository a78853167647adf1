//! The whoserves viewer: a thin Leptos shell over `whoserves-core`.
//!
//! It fetches, holds state and renders. Every finding, verdict, graph and
//! layout comes from the core, through the same `analyze_documents` the CLI
//! calls.

pub mod charts;
pub mod cite;
pub mod edge_canvas;
pub mod embed;
pub mod export;
pub mod graph_view;
pub mod lists;
pub mod live;
pub mod load;
pub mod panel;
pub mod state;
pub mod worker;

use leptos::prelude::*;
use leptos::task::spawn_local;
use state::{AppState, Current, LayoutKind, Selection, Status, UrlState, View};
use whoserves_core::Verdict;

/// Offers `text` as a file download. Nothing is sent anywhere.
pub fn download(name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else {
        return;
    };
    export::download_blob(name, &blob);
}

fn location_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Applies the URL's filters, selection and view; returns its bundle.
fn apply_url(state: AppState, u: &UrlState) {
    state.filters.set(u.filters.clone());
    state.selection.set(u.selection.clone());
    state.view.set(u.view);
    state.layout_kind.set(u.layout);
    state.linked_file.set(u.file.clone());
    state.embed.set(u.embed.clone());
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);

    // Start: the URL's view, then the manifest, then the bundle.
    let initial = UrlState::parse(&location_search());
    apply_url(state, &initial);
    // A key= in the link: a public key the reader is asked to trust, shown
    // as such beside the signature it verifies.
    if let Some(k) = web_sys::UrlSearchParams::new_with_str(&location_search())
        .ok()
        .and_then(|p| p.get(whoserves_core::view::param::KEY))
        .filter(|k| whoserves_core::sign::is_public_key(k))
    {
        let short: String = k.chars().take(12).collect();
        state.trusted_keys.update(|keys| {
            keys.push(whoserves_core::sign::TrustedKey {
                name: format!("the key {short}… named in this link (not one this site lists)"),
                key: k,
            })
        });
    }
    spawn_local(async move {
        // A file the reader opens while the manifest is on its way was
        // started later, so it wins: the link's bundle is not loaded over it.
        let first = state.begin_load();
        // A link's bundle is fetched alongside the manifest.
        if let Some(url) = &initial.bundle {
            load::prefetch(url);
        }
        let default = load::load_manifest(state).await;
        if !state.is_latest(first) {
            return;
        }
        if let Some(url) = initial.bundle.clone().or(default.clone()) {
            let g = state.begin_load();
            load::load_url_as(state, g, url).await;
            // The reader opened something else meanwhile: that stays.
            if !state.is_latest(g) {
                return;
            }
        }
        // A deep link that fails must not leave the page empty: show the
        // default bundle under the error.
        if state.current.with_untracked(|c| c.is_none()) {
            if let (Some(d), Some(_)) = (default, initial.bundle.as_ref()) {
                let failure = state.status.get_untracked();
                let g = state.begin_load();
                load::load_url_as(state, g, d).await;
                if matches!(failure, Status::Failed { .. }) && state.is_latest(g) {
                    state.status.set(failure);
                }
            }
        }
    });

    // Keep the URL in step: selections push history entries, the rest replaces.
    let last_selection = StoredValue::new(initial.selection.clone());
    let restoring = StoredValue::new(false);
    Effect::new(move |_| {
        let u = UrlState {
            bundle: state
                .current
                .with(|c| c.as_ref().and_then(|c| c.param.clone())),
            filters: state.filters.get(),
            selection: state.selection.get(),
            view: state.view.get(),
            layout: state.layout_kind.get(),
            file: state
                .current
                .with(|c| c.as_ref().and_then(|c| c.local_file())),
            embed: state.embed.get_untracked(),
        };
        if state.current.with_untracked(|c| c.is_none()) || restoring.get_value() {
            return;
        }
        let Some(history) = web_sys::window().and_then(|w| w.history().ok()) else {
            return;
        };
        let path = web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .unwrap_or_default();
        let url = format!("{path}{}", u.to_query());
        // An embed never adds history entries: they would be the
        // article's, and Back would step through the graph's selections.
        if u.selection != last_selection.get_value() && u.embed.is_none() {
            last_selection.set_value(u.selection.clone());
            let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        } else {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    });
    let _popstate = window_event_listener(leptos::ev::popstate, move |_| {
        let u = UrlState::parse(&location_search());
        restoring.set_value(true);
        last_selection.set_value(u.selection.clone());
        apply_url(state, &u);
        restoring.set_value(false);
        let current = state
            .current
            .with_untracked(|c| c.as_ref().and_then(|c| c.param.clone()));
        if let Some(b) = u.bundle.filter(|b| Some(b) != current.as_ref()) {
            spawn_local(load::load_url(state, b));
        }
    });

    // Embed mode: the chrome-less view for an iframe, nothing else.
    if let Some(id) = initial.embed.clone() {
        return view! { <embed::EmbedApp id=id /> }.into_any();
    }

    // On a narrow screen the evidence opens as a sheet over the graph:
    // a selection made further down (a claim, a table row) brings the
    // graph back into view under it.
    Effect::new(move |prev: Option<Selection>| {
        let sel = state.selection.get();
        let narrow = web_sys::window()
            .and_then(|w| w.match_media("(max-width: 70rem)").ok().flatten())
            .is_some_and(|m| m.matches());
        if prev.is_some_and(|p| p != sel) && sel != Selection::None && narrow {
            if let Some(main) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("main"))
            {
                main.scroll_into_view_with_bool(true);
            }
        }
        sel
    });

    // Drag and drop anywhere in the window.
    let dragging = RwSignal::new(false);
    let _over = window_event_listener(leptos::ev::dragover, move |ev| {
        ev.prevent_default();
        dragging.set(true);
    });
    let _leave = window_event_listener(leptos::ev::dragleave, move |_| dragging.set(false));
    let _drop = window_event_listener(leptos::ev::drop, move |ev| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(f) = load::first_file(ev.data_transfer().and_then(|d| d.files())) {
            spawn_local(load::load_file(state, f));
        }
    });

    view! {
        <div class="app" class:dragging=move || dragging.get()>
            <a class="skip-link" href="#main" data-testid="skip-link">"Skip to the graph"</a>
            <Header />
            <section class="intro" aria-label="The bundle">
                <Status />
                <Overview />
            </section>
            <live::LiveCheck />
            <div class="workspace">
                <lists::FilterBar />
                <main class="main" id="main" tabindex="-1">
                    <div class="view-bar">
                    <button type="button" class="filters-toggle" data-testid="filters-open" aria-controls="filters"
                        aria-expanded=move || state.filters_open.get().to_string()
                        on:click=move |_| state.filters_open.update(|o| *o = !*o)>
                        {move || {
                            let n = state.filters.with(|f| f.active_count());
                            if n == 0 { "Filters".to_string() } else { format!("Filters ({n})") }
                        }}
                    </button>
                    <div class="tabs" role="tablist" aria-label="View">
                        <button role="tab" data-testid="tab-graph" aria-selected=move || (state.view.get() == View::Graph).to_string()
                            on:click=move |_| state.view.set(View::Graph)>"Graph"</button>
                        <button role="tab" data-testid="tab-table" aria-selected=move || (state.view.get() == View::Table).to_string()
                            on:click=move |_| state.view.set(View::Table)>"Table"</button>
                        <button role="tab" data-testid="tab-charts" aria-selected=move || (state.view.get() == View::Charts).to_string()
                            on:click=move |_| state.view.set(View::Charts)>"Charts"</button>
                    </div>
                        <label class="layout-pick">"Layout "
                            <select data-testid="layout" on:change=move |ev| state.layout_kind.set(LayoutKind::parse(&event_target_value(&ev)))
                                prop:value=move || state.layout_kind.get().as_str()>
                                <option value="auto">"Automatic"</option>
                                <option value="columns">"Two columns"</option>
                                <option value="force">"Force-directed"</option>
                            </select>
                        </label>
                        <export::ExportMenu />
                        <embed::EmbedDialog />
                    </div>
                    {move || match state.view.get() {
                        View::Graph => view! { <graph_view::GraphView /> }.into_any(),
                        View::Table => view! { <lists::TableView /> }.into_any(),
                        View::Charts => view! { <charts::Charts /> }.into_any(),
                    }}
                    <lists::ClaimsList />
                </main>
                <panel::Panel />
            </div>
            <p class="print-only" data-testid="print-url">{move || {
                // Re-render when the view changes; the link reads the rest.
                state.filters.track();
                state.view.track();
                state.current.track();
                format!("Printed from {} (whoserves viewer).", state.link_to(state.selection.get()))
            }}</p>
            <div class="drop-hint" aria-hidden="true">"Drop an evidence file to open it. It stays in your browser."</div>
        </div>
    }
    .into_any()
}

/// The notice above a bundle this site did not publish, naming where it
/// comes from (the full viewer and the embed show the same words).
pub(crate) fn foreign_notice(from: String) -> impl IntoView {
    view! {
        <p class="foreign" data-testid="foreign-notice" role="note">
            <strong>"This site did not publish this bundle."</strong>
            {format!(" It comes from {from}. Its title, description and notices below are its author's words, not this site's; its verdicts are computed here from its own evidence and rules.")}
        </p>
    }
}

/// A bundle's banner: the site's own notice for the bundles it publishes,
/// and quoted as the bundle's own words for any other.
pub(crate) fn banner_view(text: String, foreign: bool) -> AnyView {
    if foreign {
        view! { <blockquote class="bundle-banner" data-testid="banner">"The bundle's own notice: "{text}</blockquote> }.into_any()
    } else {
        view! { <p class="banner" data-testid="banner" role="note">{text}</p> }.into_any()
    }
}

/// What the bundle's signature says, in words and never by colour alone.
pub(crate) fn signature_line(cur: &Current) -> impl IntoView {
    let v = &cur.signature;
    use whoserves_core::sign::Verification as V;
    let class = match v {
        V::SignedBy(_) => "sig signed",
        V::Tampered(_) => "sig tampered",
        V::Unsigned | V::UnknownKey | V::Unreadable => "sig unsigned",
    };
    let state = match v {
        V::SignedBy(_) => "signed",
        V::Tampered(_) => "tampered",
        V::UnknownKey => "unknown-key",
        V::Unsigned => "unsigned",
        V::Unreadable => "unreadable",
    };
    let mut text = v.describe();
    if let Some(first) = text.get(..1) {
        text = first.to_uppercase() + &text[1..];
    }
    // A signature covers the libraries only through the hashes that pin them.
    let unpinned = (matches!(v, V::SignedBy(_)) && !cur.unpinned.is_empty()).then(|| {
        view! {
            <span data-testid="signature-unpinned">{format!(
                " The rule libraries {} are not pinned by SHA-256, so the signature does not cover them.",
                cur.unpinned
                    .iter()
                    .map(|r| whoserves_core::text::isolate(r))
                    .collect::<Vec<_>>()
                    .join(", ")
            )}</span>
        }
    });
    view! { <p class=class data-testid="signature" data-state=state>{text}"."{unpinned}</p> }
}

/// Who made the bundle, when, and under which licence, as it says.
fn meta_line(m: &whoserves_core::model::Meta) -> Option<impl IntoView> {
    let mut parts = Vec::new();
    if !m.authors.is_empty() {
        parts.push(format!("By {}", m.authors.join(", ")));
    }
    if let Some(p) = &m.publisher {
        parts.push(format!("publisher {p}"));
    }
    if let Some(p) = &m.published {
        parts.push(format!("published {p}"));
    }
    if let Some(l) = &m.license {
        parts.push(format!("licence {l}"));
    }
    (!parts.is_empty())
        .then(|| view! { <p class="meta-line" data-testid="bundle-meta">{parts.join(" · ")}</p> })
}

/// Title bar: bundle picker and file input.
#[component]
fn Header() -> impl IntoView {
    let state = expect_context::<AppState>();
    let on_pick = move |ev: web_sys::Event| {
        let url = event_target_value(&ev);
        if !url.is_empty() {
            state.selection.set(Selection::None);
            spawn_local(load::load_url(state, url));
        }
    };
    let on_file = move |ev: web_sys::Event| {
        if let Some(f) = load::first_file(load::input_files(&ev)) {
            spawn_local(load::load_file(state, f));
        }
        // Emptied, so choosing the same file again (edited, or after a
        // cancelled load) opens it again.
        if let Some(input) = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok())
        {
            input.set_value("");
        }
    };
    let selected = move || {
        state
            .current
            .with(|c| c.as_ref().and_then(|c| c.param.clone()).unwrap_or_default())
    };
    view! {
        <header class="top">
            <span class="brand">"whoserves"</span>
            <label>"Bundle "
                <select data-testid="picker" on:change=on_pick prop:value=selected>
                    <option value="">"Choose a bundle…"</option>
                    {move || state.picker.get().into_iter().map(|e| {
                        let sel = e.url.clone();
                        view! { <option value=e.url.clone() selected=move || selected() == sel>{e.title}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="file">"Open a file "
                <input type="file" accept=".json,application/json" data-testid="file-input" on:change=on_file />
            </label>
            <span class="privacy">"Files you open or drop stay in your browser; nothing is uploaded."</span>
        </header>
    }
}

/// Progress and load errors, with the bundle's diagnostics.
#[component]
pub(crate) fn Status() -> impl IntoView {
    let state = expect_context::<AppState>();
    // The progress line stays one element while its step changes, so its
    // Cancel button stays put under the reader's pointer.
    let busy = Memo::new(move |_| matches!(state.status.get(), Status::Busy(_)));
    let step = move || match state.status.get() {
        Status::Busy(step) => step,
        _ => String::new(),
    };
    let progress = view! {
        <Show when=move || busy.get()>
            <p class="progress" role="status" data-testid="progress"><span class="spinner" aria-hidden="true"></span>
                <Show when=move || state.cancellable.get()>
                    <button data-testid="cancel-load" on:click=move |_| load::cancel(state)>"Cancel"</button>
                </Show>
                <span data-testid="progress-step">{step}</span>
            </p>
        </Show>
    };
    let other = move || match state.status.get() {
        Status::Idle | Status::Busy(_) => ().into_any(),
        // The reader's own choice, not a failure: styled as a notice. It is
        // announced as an alert (a status region inserted with its text is
        // not read out reliably), and focus, which was on the Cancel button
        // that is gone, goes to Dismiss.
        Status::Cancelled => {
            let dismiss = NodeRef::<leptos::html::Button>::new();
            Effect::new(move |_| {
                if let Some(b) = dismiss.get() {
                    let _ = b.focus();
                }
            });
            view! {
                <section class="notice" role="alert" data-testid="load-cancelled">
                    <p>"Loading was cancelled; the view below is unchanged."</p>
                    <button node_ref=dismiss on:click=move |_| state.status.set(Status::Idle)>"Dismiss"</button>
                </section>
            }
            .into_any()
        }
        Status::Failed {
            source,
            message,
            diagnostics,
        } => {
            let items = diagnostics
                .iter()
                .map(|d| {
                    let pos = match (d.line, d.column) {
                        (Some(l), Some(c)) => format!("{l}:{c}"),
                        _ => String::new(),
                    };
                    let file = d.file.clone().unwrap_or_else(|| source.clone());
                    view! {
                        <li class=format!("diag {}", d.severity) data-testid="diagnostic">
                            <code>{format!("{file}:{pos}")}</code>" "
                            <strong>{d.severity.to_string()}</strong>" "
                            <code>{d.path.clone()}</code>" "{d.message.clone()}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="failure" role="alert" data-testid="load-error">
                    <p>{message}</p>
                    <ul class="diagnostics" data-testid="diagnostics">{items}</ul>
                    <button on:click=move |_| state.status.set(Status::Idle)>"Dismiss"</button>
                </section>
            }
            .into_any()
        }
        Status::AskIncludes { name, text, hosts } => {
            let n = name.clone();
            let agree = move |_| {
                let (n, t) = (n.clone(), text.clone());
                spawn_local(load::load_file_agreed(state, n, t));
            };
            let declined = format!(
                "{name} was not opened: it needs rule libraries from {} that you chose not to fetch. The view below is unchanged.",
                hosts.join(", ")
            );
            view! {
                <section class="failure ask" role="alertdialog" aria-labelledby="ask-title" data-testid="ask-includes">
                    <p id="ask-title"><strong>{format!("{name} includes rule libraries from other sites: {}.", hosts.join(", "))}</strong></p>
                    <p>"Fetching them tells those sites your address and that you opened a bundle that uses them. Your file itself is not sent anywhere."</p>
                    <button data-testid="ask-fetch" on:click=agree>"Fetch them and open the file"</button>" "
                    <button data-testid="ask-decline" on:click=move |_| state.status.set(Status::Failed {
                        source: format!("file: {name}"),
                        message: declined.clone(),
                        diagnostics: vec![],
                    })>"Don't fetch"</button>
                </section>
            }
            .into_any()
        }
    };
    view! { {progress}{other} }
}

/// Title, banner, warnings and verdict counts of the bundle on screen.
/// The counts follow the as-of date like every other view: they read
/// `state.analysis`, the analysis at that date.
#[component]
fn Overview() -> impl IntoView {
    let state = expect_context::<AppState>();
    // Narrow screens fold the description away, so the graph comes first.
    let about_open = RwSignal::new(false);
    move || {
        let (Some(cur), Some(a)) = (state.current.get(), state.analysis.get()) else {
            return view! { <p class="hint">"No bundle is loaded yet."</p> }.into_any();
        };
        let summary = a.summary();
        let counts = Verdict::ALL
            .iter()
            .map(|v| {
                let n = summary.get(*v);
                view! {
                    <li data-testid=format!("verdict-{}", v.as_str()) data-count=n.to_string()>
                        <span class="count">{n}</span>" "{v.label()}
                    </li>
                }
            })
            .collect_view();
        // Built when first opened: a big bundle can carry thousands.
        let warnings_open = RwSignal::new(false);
        let warnings = {
            let (a, source) = (a.clone(), cur.source.clone());
            move || {
                warnings_open.get().then(|| {
                    a.diagnostics
                        .iter()
                        .map(|d| view! { <li data-testid="warning"><code>{d.render(&source)}</code></li> })
                        .collect_view()
                })
            }
        };
        let on_toggle = move |ev: web_sys::Event| {
            let open = ev
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
                .is_some_and(|d| d.has_attribute("open"));
            if open && !warnings_open.get_untracked() {
                warnings_open.set(true);
            }
        };
        let errors = whoserves_core::diag::error_count(&a.diagnostics);
        let n_warnings = a.diagnostics.len() - errors;
        let b = &a.bundle;
        let no_raw_evidence = b.observations.is_empty() && !b.claims.is_empty();
        let marked = a
            .verdicts
            .iter()
            .filter(|v| v.grounds.mark().is_some())
            .count();
        let timeline = &a.timeline;
        let dated = timeline.as_of.map(|d| {
            format!(
                "As of {}: {} observation(s) in force, {} made later left out, {} superseded by a later reading.",
                whoserves_core::model::format_date(d),
                timeline.active.iter().filter(|x| **x).count(),
                timeline.later.len(),
                timeline.superseded.len()
            )
        });
        view! {
            <section class="overview" data-testid="overview">
                {cur.foreign.clone().map(foreign_notice)}
                <h1 data-testid="bundle-title">{b.meta.title.clone()}</h1>
                // A bundle from elsewhere shows who made it and its signature up
                // front; the site's own keep them with the rest under About.
                {cur.foreign.is_some().then(|| view! { {meta_line(&b.meta)}{signature_line(&cur)} })}
                {b.meta.banner.clone().map(|t| banner_view(t, cur.foreign.is_some()))}
                <button type="button" class="link-button about-toggle" data-testid="about-toggle"
                    aria-expanded=move || about_open.get().to_string() aria-controls="about"
                    on:click=move |_| about_open.update(|o| *o = !*o)>
                    {move || if about_open.get() { "Less about this bundle" } else { "About this bundle, its sources and libraries" }}
                </button>
                <div class="about" id="about" class:open=move || about_open.get()>
                    {cur.foreign.is_none().then(|| view! { {meta_line(&b.meta)}{signature_line(&cur)} })}
                    {b.meta.description.clone().map(|d| view! { <p class="description">{d}</p> })}
                    <p class="source">"Loaded from "<code data-testid="bundle-source">{cur.source.clone()}</code></p>
                    {libraries_line(&cur.libraries)}
                </div>
                {no_raw_evidence.then(|| view! {
                    <p class="note" data-testid="no-evidence-note">
                        "This bundle holds claims but no observations: the report did not publish its raw evidence. "
                        "Every claim therefore shows “no evidence”, which means the bundle cannot tell, "
                        "not that the claim is false. Load an evidence file to check these claims"
                        {live::can_check(b).then_some(", or check the DNS evidence live below")}"."
                    </p>
                })}
                {(marked > 0).then(|| view! {
                    <p class="note-small" data-testid="grounds-note">{format!(
                        "{marked} verdict(s) are marked synthetic or reported: they stand on no first-hand observation."
                    )}</p>
                })}
                {dated.map(|t| view! { <p class="note-small" data-testid="as-of-note">{t}</p> })}
                {(!a.diagnostics.is_empty()).then(|| view! {
                    <details class="warnings" data-testid="warnings" on:toggle=on_toggle><summary>{format!("{n_warnings} warning(s)")}</summary><ul>{warnings}</ul></details>
                })}
                <p data-testid="diagnostic-counts" class="sr-only">{format!("{errors} error(s), {n_warnings} warning(s)")}</p>
                <ul class="verdicts" data-testid="verdict-counts" aria-label=format!("{} claims by verdict", b.claims.len())>{counts}</ul>
            </section>
        }
        .into_any()
    }
}

/// The rule libraries a bundle includes: those read, and those not read
/// because the bundle has no observation they could use (so a reader sees
/// why the range libraries cost nothing).
fn libraries_line(libraries: &[(String, Option<String>)]) -> impl IntoView {
    let name = |r: &String| r.rsplit('/').next().unwrap_or(r).to_string();
    let read: Vec<String> = libraries
        .iter()
        .filter(|(_, skip)| skip.is_none())
        .map(|(r, _)| name(r))
        .collect();
    let skipped: Vec<String> = libraries
        .iter()
        .filter(|(_, skip)| skip.is_some())
        .map(|(r, _)| name(r))
        .collect();
    (!libraries.is_empty()).then(|| {
        let read_text = if read.is_empty() {
            "none".to_string()
        } else {
            read.join(", ")
        };
        view! {
            <p class="source" data-testid="libraries">
                "Rule libraries read: "{read_text}
                {(!skipped.is_empty()).then(|| view! {
                    <span data-testid="libraries-skipped">
                        {format!("; not fetched, as the bundle has no observation they could use: {}", skipped.join(", "))}
                    </span>
                })}
            </p>
        }
    })
}
