//! Embed mode (`?embed=1`): the chrome-less view a reporter puts in an
//! article's iframe, and the "Embed" dialog that gives them the snippet.
//!
//! The embed draws the title, the current view (graph, table or charts,
//! per `view=`) with a compact legend, a one-line source credit and an
//! "Open in full viewer" link carrying the same state. Selecting an edge
//! opens its evidence in an overlay that fits the frame. Whenever its
//! height changes, the page posts it to the parent in Datawrapper's shape
//! (see `whoserves_core::view::embed`).

use crate::state::{AppState, Selection, View};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use whoserves_core::view::{self, embed as snippet};

/// Posts the content's height to the parent whenever it changes, smaller
/// as well as larger. The body's own box is measured: the root element's
/// scroll height never drops below the frame's, so a frame sized to its
/// content could grow but never shrink back.
fn post_heights(id: String) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(root) = window.document().and_then(|d| d.document_element()) else {
        return;
    };
    let last = std::cell::Cell::new(0i32);
    let send = move || {
        let Some(w) = web_sys::window() else { return };
        let Some(body) = w.document().and_then(|d| d.body()) else {
            return;
        };
        let h = body.get_bounding_client_rect().height().ceil() as i32;
        if h == last.get() {
            return;
        }
        last.set(h);
        let inner = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&inner, &JsValue::from_str(&id), &JsValue::from(h));
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&msg, &JsValue::from_str(snippet::HEIGHT_KEY), &inner);
        // Unframed, the parent is the page itself: the message is harmless.
        if let Ok(Some(parent)) = w.parent() {
            let _ = parent.post_message(&msg, "*");
        }
    };
    let callback = Closure::<dyn FnMut()>::new(send);
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        observer.observe(&root);
        if let Some(body) = window.document().and_then(|d| d.body()) {
            observer.observe(&body);
        }
        // The observer lives as long as the page.
        std::mem::forget(observer);
    }
    callback.forget();
}

/// The chrome-less embed.
#[component]
pub fn EmbedApp(
    /// The id the height messages carry.
    id: String,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    post_heights(id);
    let title = move || {
        state
            .analysis
            .get()
            .map(|a| a.bundle.meta.title.clone())
            .unwrap_or_default()
    };
    // A bundle this site did not publish says so in the embed as in the
    // full viewer, with its signature, and its banner is quoted as its own.
    let foreign = move || {
        state
            .current
            .with(|c| c.as_ref().and_then(|c| c.foreign.clone()))
    };
    let provenance = move || {
        state.current.get().and_then(|cur| {
            cur.foreign.clone().map(|from| {
                view! { {crate::foreign_notice(from)}{crate::signature_line(&cur)} }
            })
        })
    };
    let banner = move || {
        state
            .analysis
            .get()
            .and_then(|a| a.bundle.meta.banner.clone())
            .map(|b| crate::banner_view(b, foreign().is_some()))
    };
    let credit = move || {
        state
            .analysis
            .get()
            .map(|a| view::credit(&a))
            .unwrap_or_default()
    };
    // The same view, without embed=1, in a new tab.
    let full = move || {
        state.filters.track();
        state.view.track();
        state.current.track();
        let q = state.url_state(state.selection.get(), None).to_query();
        crate::state::page_url(&q)
    };
    let open = move || !matches!(state.selection.get(), Selection::None);
    view! {
        <main class="embed" data-testid="embed">
            <crate::Status />
            {provenance}
            <h1 class="embed-title" data-testid="bundle-title">{title}</h1>
            {banner}
            <div class="embed-view">
                {move || match state.view.get() {
                    View::Graph => view! { <crate::graph_view::GraphView /> }.into_any(),
                    View::Table => view! { <crate::lists::TableView /> }.into_any(),
                    View::Charts => view! { <crate::charts::Charts /> }.into_any(),
                }}
            </div>
            <p class="credit" data-testid="embed-credit">
                {credit}" · "
                <a data-testid="open-full" href=full target="_blank" rel="noopener">"Open in full viewer"</a>
            </p>
            <Show when=open>
                <div class="overlay" data-testid="embed-overlay">
                    <crate::panel::Panel />
                </div>
            </Show>
        </main>
    }
}

/// The "Embed" dialog of the full viewer: the snippet for the current
/// view, a plain link, and copy buttons.
#[component]
pub fn EmbedDialog() -> impl IntoView {
    let state = expect_context::<AppState>();
    let status = RwSignal::new(String::new());
    // The embed's id comes from the view it shows, so two embeds of
    // different views on one page never share one.
    let embed = move || {
        state.filters.track();
        state.view.track();
        state.current.track();
        let selection = state.selection.get();
        let view_query = state.url_state(selection.clone(), None).to_query();
        let id = snippet::id_for(&view_query);
        let q = state.url_state(selection, Some(id.clone())).to_query();
        (crate::state::page_url(&q), id)
    };
    let code = move || {
        let title = state
            .analysis
            .get()
            .map(|a| a.bundle.meta.title.clone())
            .unwrap_or_default();
        let (url, id) = embed();
        snippet::snippet(
            &url,
            &title,
            snippet::label(state.view.get().as_str()),
            &id,
            "whoserves-graph.png",
        )
    };
    // A file opened from disk has no address another site could load.
    let local = move || {
        state
            .current
            .with(|c| c.as_ref().and_then(|c| c.local_file()))
            .map(|name| {
                view! {
                    <p class="note" data-testid="embed-local">{format!(
                        "{name} is a file from your disk: an embed of it loads nowhere else. Publish the file at an http(s) address, open it from there with a bundle= link, and take the snippet then."
                    )}</p>
                }
            })
    };
    let link = move || state.link_to(state.selection.get());
    let copy = move |text: String, what: &'static str| {
        leptos::task::spawn_local(async move {
            let ok = match web_sys::window() {
                Some(w) => wasm_bindgen_futures::JsFuture::from(
                    w.navigator().clipboard().write_text(&text),
                )
                .await
                .is_ok(),
                None => false,
            };
            status.set(if ok {
                format!("{what} copied.")
            } else {
                "Not copied: select the text and copy it.".into()
            });
        })
    };
    let png = move |_| {
        leptos::task::spawn_local(async move {
            let Some(s) = crate::export::current_svg(state).await else {
                return;
            };
            if let Ok(blob) = crate::export::svg_to_png(&s, 2.0).await {
                crate::export::download_blob("whoserves-graph.png", &blob);
            }
        });
    };
    view! {
        <details class="embed-dialog" data-testid="embed-dialog">
            <summary>"Embed"</summary>
            <div class="embed-body">
                {local}
                <p class="note-small">"Paste this into your article's HTML. The frame resizes to its content (it speaks Datawrapper's resize messages, so an existing Datawrapper resizer works too); without scripts it keeps a fixed height of 600 px and scrolls inside. For readers without JavaScript, download the PNG below, upload it beside the article and keep its file name in the snippet."</p>
                <label class="embed-label">"Embed code"
                    <textarea readonly rows="8" data-testid="embed-code" prop:value=code></textarea>
                </label>
                <div class="cite">
                    <button type="button" data-testid="copy-embed" on:click=move |_| copy(code(), "Embed code")>"Copy embed code"</button>
                    <button type="button" data-testid="copy-link" on:click=move |_| copy(link(), "Link")>"Copy link"</button>
                    <button type="button" data-testid="embed-png" on:click=png>"Download PNG (2×)"</button>
                    <span class="note-small" role="status" data-testid="embed-status">{move || status.get()}</span>
                </div>
                <p class="note-small">"Link: "<a data-testid="embed-link" href=link>{link}</a></p>
            </div>
        </details>
    }
}
