//! "Copy citation": one paragraph that cites an edge or a claim, in plain
//! text or Markdown (written by [`whoserves_core::view::cite`]), copied to
//! the clipboard and also shown, so it can be selected by hand.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;

/// Copies `text` to the clipboard; `Err` with a reason when the browser refuses.
async fn copy(text: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let promise = window.navigator().clipboard().write_text(text);
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|_| "the browser did not allow copying".to_string())
}

/// The two copy buttons, a status line and the citation's text.
#[component]
pub fn CiteButtons(
    /// The citation as plain text.
    plain: String,
    /// The citation as Markdown.
    markdown: String,
    /// What is cited, for the buttons' accessible names ("edge", "claim").
    what: &'static str,
) -> impl IntoView {
    let status = RwSignal::new(String::new());
    let run = move |text: String, label: &'static str| {
        spawn_local(async move {
            status.set(match copy(&text).await {
                Ok(()) => format!("{label} copied."),
                Err(e) => format!(
                    "Not copied: {e}. Select the text under \u{201c}Citation\u{201d} and copy it."
                ),
            });
        })
    };
    let p = plain.clone();
    let m = markdown.clone();
    view! {
        <div class="cite" data-testid="cite">
            <button type="button" data-testid="copy-citation" aria-label=format!("Copy citation of this {what}, as plain text")
                on:click=move |_| run(p.clone(), "Citation")>"Copy citation"</button>
            <button type="button" data-testid="copy-markdown" aria-label=format!("Copy as Markdown: the citation of this {what}")
                on:click=move |_| run(m.clone(), "Markdown citation")>"Copy as Markdown"</button>
            <span class="note-small" role="status" data-testid="cite-status">{move || status.get()}</span>
            <details class="citation">
                <summary>"Citation"</summary>
                <p data-testid="citation-text">{plain}</p>
                <pre data-testid="citation-markdown">{markdown}</pre>
            </details>
        </div>
    }
}
