//! The export buttons: SVG, PNG at 1× and 2× (rendered from that SVG in
//! the browser), GEXF and FollowTheMoney, all of the current view with
//! the filters applied, from the same core code as `whoserves export`.

use crate::state::AppState;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use whoserves_core::model::format_date;
use whoserves_core::view;

/// The title drawn on an exported image: the bundle's title, with the
/// as-of date when one is set.
fn image_title(state: AppState) -> String {
    let title = state
        .analysis
        .get_untracked()
        .map(|a| a.bundle.meta.title.clone())
        .unwrap_or_default();
    match state.filters.with_untracked(|f| f.as_of) {
        Some(d) => format!("{title} (as of {})", format_date(d)),
        None => title,
    }
}

thread_local! {
    /// `fonts/svg-fonts.css`, once fetched: the first export asks for it,
    /// so the page's first load does not carry it.
    static FONTS: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// The `@font-face` rules an exported SVG carries inline (the same file
/// the CLI builds in). Without them, when the file cannot be read, the
/// image names a generic font stack instead.
async fn svg_fonts() -> String {
    if let Some(f) = FONTS.with(|f| f.borrow().clone()) {
        return f;
    }
    let css = crate::load::fetch_text("fonts/svg-fonts.css")
        .await
        .unwrap_or_default();
    if !css.is_empty() {
        FONTS.with(|f| *f.borrow_mut() = Some(css.clone()));
    }
    css
}

/// The standalone SVG of the current graph and layout, with its fonts.
pub async fn current_svg(state: AppState) -> Option<String> {
    // Read the view before waiting, so the image is of what was on screen.
    let a = state.analysis.get_untracked()?;
    let g = state.graph.get_untracked();
    let l = state.layout.get_untracked();
    let title = image_title(state);
    let fonts = svg_fonts().await;
    Some(view::graph_svg(&a, &g, &l, &title, &fonts))
}

/// Waits for an image to load.
async fn loaded(img: &web_sys::HtmlImageElement) -> Result<(), String> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        img.set_onload(Some(&resolve));
        img.set_onerror(Some(&reject));
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|_| "the browser could not draw the SVG".to_string())
}

/// Renders `svg` to a PNG at `scale` times its size; returns the PNG blob.
pub async fn svg_to_png(svg: &str, scale: f64) -> Result<web_sys::Blob, String> {
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    // A data: URL, which the page's img-src allows (no blob: images).
    let url = format!(
        "data:image/svg+xml;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(svg))
    );
    let img = web_sys::HtmlImageElement::new().map_err(|_| "no image element")?;
    let wait = loaded(&img);
    img.set_src(&url);
    wait.await?;
    let (w, h) = (img.natural_width() as f64, img.natural_height() as f64);
    let canvas: web_sys::HtmlCanvasElement = doc
        .create_element("canvas")
        .map_err(|_| "no canvas")?
        .dyn_into()
        .map_err(|_| "no canvas")?;
    canvas.set_width((w * scale).round() as u32);
    canvas.set_height((h * scale).round() as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .ok_or("no 2d context")?
        .dyn_into()
        .map_err(|_| "no 2d context")?;
    ctx.scale(scale, scale).map_err(|_| "cannot scale")?;
    ctx.draw_image_with_html_image_element_and_dw_and_dh(&img, 0.0, 0.0, w, h)
        .map_err(|_| "cannot draw")?;
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = canvas.to_blob_with_type(&resolve, "image/png");
    });
    let value = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| "no PNG")?;
    value
        .dyn_into::<web_sys::Blob>()
        .map_err(|_| "no PNG".into())
}

/// Downloads a blob under `name`.
pub fn download_blob(name: &str, blob: &web_sys::Blob) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    if let Some(a) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// The export buttons of the current view.
#[component]
pub fn ExportMenu() -> impl IntoView {
    let state = expect_context::<AppState>();
    let status = RwSignal::new(String::new());
    let svg = move |_| {
        spawn_local(async move {
            if let Some(s) = current_svg(state).await {
                crate::download("whoserves-graph.svg", "image/svg+xml", &s);
            }
        });
    };
    let png = move |scale: f64| {
        status.set("Drawing the PNG…".into());
        spawn_local(async move {
            let Some(s) = current_svg(state).await else {
                return status.set(String::new());
            };
            match svg_to_png(&s, scale).await {
                Ok(blob) => {
                    let name = if scale > 1.0 {
                        "whoserves-graph@2x.png"
                    } else {
                        "whoserves-graph.png"
                    };
                    download_blob(name, &blob);
                    status.set(String::new());
                }
                Err(e) => status.set(format!("No PNG: {e}.")),
            }
        });
    };
    let gexf = move |_| {
        if let Some(a) = state.analysis.get_untracked() {
            let text = view::graph_gexf(&a, &state.graph.get_untracked());
            crate::download("whoserves-graph.gexf", "application/gexf+xml", &text);
        }
    };
    let ftm = move |_| {
        if let Some(a) = state.analysis.get_untracked() {
            let text = view::graph_ftm(&a, &state.graph.get_untracked());
            crate::download("whoserves-ftm.jsonl", "application/x-ndjson", &text);
        }
    };
    view! {
        <details class="export-menu" data-testid="export-menu">
            <summary>"Export"</summary>
            <div class="export-items" role="group" aria-label="Export the graph under the current filters">
                <button type="button" data-testid="export-svg" on:click=svg title="A standalone image with the source credit">"SVG"</button>
                <button type="button" data-testid="export-png" on:click=move |_| png(1.0)>"PNG"</button>
                <button type="button" data-testid="export-png2" on:click=move |_| png(2.0)>"PNG 2×"</button>
                <button type="button" data-testid="export-gexf" on:click=gexf title="GEXF 1.3 for Gephi, Gephi Lite and Sigma.js">"GEXF"</button>
                <button type="button" data-testid="export-ftm" on:click=ftm title="FollowTheMoney entities (JSON lines) for Aleph and OpenSanctions">"FollowTheMoney"</button>
                <span class="note-small" role="status">{move || status.get()}</span>
            </div>
        </details>
    }
}
