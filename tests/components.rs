//! Component tests of the viewer, run in headless Chromium by
//! wasm-bindgen-test (`make test-wasm`).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use whoserves_app::charts::matrix_svg;
use whoserves_app::panel::{link, Panel};
use whoserves_app::state::{AppState, Current, Selection, Shared};
use whoserves_core::view::Matrix;
use whoserves_core::{analyze, Limits};

wasm_bindgen_test_configure!(run_in_browser);

const FIXTURE: &str = include_str!("fixtures/verdicts/all-features.json");

/// A fresh element in the document to mount into.
fn host() -> web_sys::HtmlElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&el).unwrap();
    el.dyn_into().unwrap()
}

async fn settle() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

#[wasm_bindgen_test]
fn chart_text_from_data_is_escaped() {
    let m = Matrix {
        providers: vec!["<script>alert(1)</script> & \"co\"".into()],
        categories: vec!["<img src=x onerror=alert(1)>".into()],
        counts: vec![vec![1]],
        totals: vec![1],
    };
    let svg = matrix_svg(&m);
    assert!(
        svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;"),
        "{svg}"
    );
    assert!(!svg.contains("<script>") && !svg.contains("<img"), "{svg}");
}

#[wasm_bindgen_test]
fn only_http_urls_become_links() {
    let el = host();
    let _h = leptos::mount::mount_to(el.clone(), || {
        view! {
            <div>{link("javascript:alert(1)", "bad".into())}{link("https://example.com/", "good".into())}</div>
        }
    });
    let anchors = el.query_selector_all("a").unwrap();
    assert_eq!(anchors.length(), 1);
    let a: web_sys::Element = anchors.get(0).unwrap().dyn_into().unwrap();
    assert_eq!(
        a.get_attribute("href").as_deref(),
        Some("https://example.com/")
    );
    assert!(el.text_content().unwrap().contains("bad"));
}

#[wasm_bindgen_test]
async fn the_panel_traces_a_selected_edge() {
    let el = host();
    let state = AppState::new();
    let analysis = analyze(FIXTURE, &Limits::default());
    let _h = leptos::mount::mount_to(el.clone(), move || {
        provide_context(state);
        view! { <Panel /> }
    });
    state.current.set(Some(Current {
        source: "all-features.json".into(),
        param: None,
        analysis: Shared(Arc::new(analysis)),
        libraries: Vec::new(),
    }));
    state
        .selection
        .set(Selection::Edge("alpha>bluemail>email>direct".into()));
    settle().await;
    let text = el.text_content().unwrap();
    assert!(text.contains("Alpha → Bluemail Corp."), "{text}");
    assert!(text.contains("Rule mx-bluemail"), "{text}");
    assert!(
        text.contains("synthetic (made up for illustration; not evidence)"),
        "{text}"
    );
    let mark = el
        .query_selector("[data-testid=trace] mark")
        .unwrap()
        .unwrap();
    assert_eq!(
        mark.text_content().as_deref(),
        Some("mail.bluemail.example")
    );
    // Clearing the selection returns to the hint.
    state.selection.set(Selection::None);
    settle().await;
    assert!(el
        .query_selector("[data-testid=panel-hint]")
        .unwrap()
        .is_some());
}
