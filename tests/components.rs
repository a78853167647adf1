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

/// The fixture on screen, as the loader would put it there.
fn fixture_current(analysis: whoserves_core::Analysis) -> Current {
    Current {
        source: "all-features.json".into(),
        param: None,
        analysis: Shared(Arc::new(analysis)),
        libraries: Vec::new(),
        text: Arc::new(FIXTURE.to_string()),
        base: "bundles/all-features.json".into(),
        live: false,
        foreign: None,
        signature: whoserves_core::sign::Verification::Unsigned,
        unpinned: Vec::new(),
        first_layout: None,
    }
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
        providers: vec![
            "<script>alert(1)</script> & \"co\"".into(),
            "\"q\" & <b>".into(),
        ],
        categories: vec!["<img src=x onerror=alert(1)>".into()],
        counts: vec![vec![1], vec![0]],
        totals: vec![1, 0],
    };
    let svg = matrix_svg(&m);
    // The long name is cut with an ellipsis to fit the label column; what
    // is kept is escaped.
    assert!(
        svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp;"),
        "{svg}"
    );
    assert!(svg.contains("&quot;q&quot; &amp; &lt;b&gt;"), "{svg}");
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
    state.current.set(Some(fixture_current(analysis)));
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

const LIVE_FIXTURE: &str = include_str!("fixtures/live/firms-live.json");

/// Replaces `window.fetch` with a spy that counts calls and fails them;
/// returns a reader of the count.
fn spy_on_fetch() -> impl Fn() -> u32 {
    let window = web_sys::window().unwrap();
    let spy = js_sys::Function::new_no_args(
        "window.__fetches = (window.__fetches || 0) + 1; return Promise.reject(new TypeError('blocked by the test'));",
    );
    js_sys::Reflect::set(&window, &"__fetches".into(), &0.into()).unwrap();
    js_sys::Reflect::set(&window, &"fetch".into(), &spy).unwrap();
    move || {
        js_sys::Reflect::get(&web_sys::window().unwrap(), &"__fetches".into())
            .unwrap()
            .as_f64()
            .unwrap_or(0.0) as u32
    }
}

fn click(el: &web_sys::HtmlElement, testid: &str) {
    let b: web_sys::HtmlElement = el
        .query_selector(&format!("[data-testid={testid}]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no {testid}"))
        .dyn_into()
        .unwrap();
    b.click();
}

#[wasm_bindgen_test]
async fn no_query_leaves_before_the_reader_agrees() {
    use whoserves_app::live::LiveCheck;
    let fetches = spy_on_fetch();
    let el = host();
    let state = AppState::new();
    let analysis = analyze(LIVE_FIXTURE, &Limits::default());
    let _h = leptos::mount::mount_to(el.clone(), move || {
        provide_context(state);
        view! { <LiveCheck /> }
    });
    state.current.set(Some(Current {
        source: "firms-live.json".into(),
        param: None,
        analysis: Shared(Arc::new(analysis)),
        libraries: Vec::new(),
        text: Arc::new(LIVE_FIXTURE.to_string()),
        base: "bundles/firms-live.json".into(),
        live: false,
        foreign: None,
        signature: whoserves_core::sign::Verification::Unsigned,
        unpinned: Vec::new(),
        first_layout: None,
    }));
    settle().await;
    click(&el, "live-open");
    settle().await;
    let consent = el
        .query_selector("[data-testid=live-consent]")
        .unwrap()
        .expect("the consent step shows");
    let text = consent.text_content().unwrap();
    assert!(
        text.contains("The resolver learns the names asked for"),
        "{text}"
    );
    assert!(text.contains("firm.test, www.firm.test"), "{text}");
    assert_eq!(fetches(), 0, "nothing is sent while the reader reads");
    // Declining sends nothing either.
    let not_now: web_sys::HtmlElement = consent
        .query_selector_all("button")
        .unwrap()
        .get(1)
        .unwrap()
        .dyn_into()
        .unwrap();
    not_now.click();
    settle().await;
    assert!(el
        .query_selector("[data-testid=live-consent]")
        .unwrap()
        .is_none());
    assert_eq!(fetches(), 0);
    // Agreeing sends the queries.
    click(&el, "live-open");
    settle().await;
    click(&el, "live-agree");
    settle().await;
    settle().await;
    assert!(fetches() > 0, "agreeing starts the check");
}

/// A big body is read a slice at a time: a character cut by a slice's end
/// is completed by the next slice, and a bad byte is found where it is.
#[wasm_bindgen_test]
fn text_read_in_slices_keeps_cut_characters_whole() {
    use whoserves_app::load::take_utf8;
    let whole = "Hikvision → 海康威视 ✓".as_bytes();
    for cut in 1..whole.len() {
        let (mut text, mut slice) = (String::new(), Vec::new());
        slice.extend_from_slice(&whole[..cut]);
        take_utf8(&mut slice, &mut text, false).unwrap();
        slice.extend_from_slice(&whole[cut..]);
        take_utf8(&mut slice, &mut text, true).unwrap();
        assert_eq!(text.as_bytes(), whole, "cut at {cut}");
        assert!(slice.is_empty());
    }
    // A cut character at the very end is an error, at its first byte.
    let (mut text, mut slice) = (String::new(), "ab海".as_bytes()[..4].to_vec());
    assert_eq!(take_utf8(&mut slice, &mut text, true), Err(2));
    // So is a bad byte inside a slice, even one that is not the last.
    let (mut text, mut slice) = (String::new(), b"ok\xffok".to_vec());
    assert_eq!(take_utf8(&mut slice, &mut text, false), Err(2));
}

/// A stream of `chunks`, as a response body or a file gives one.
fn stream_of(chunks: &[&[u8]]) -> web_sys::ReadableStream {
    let list = js_sys::Array::new();
    for c in chunks {
        list.push(&js_sys::Uint8Array::from(*c));
    }
    let make = js_sys::Function::new_with_args(
        "chunks",
        "return new ReadableStream({ start(c) { for (const x of chunks) c.enqueue(x); c.close(); } });",
    );
    make.call1(&wasm_bindgen::JsValue::NULL, &list)
        .unwrap()
        .unchecked_into()
}

/// A body read chunk by chunk keeps a character its chunks cut whole,
/// names a bad byte by its place in the whole body, and hands a big body's
/// bytes on exactly as they came, whether or not its length was told.
#[wasm_bindgen_test]
async fn a_body_is_read_chunk_by_chunk() {
    use whoserves_app::load::{read_text, Read};
    let all = |_: usize, _: Option<usize>| true;
    let whole = "{\"name\": \"海康威视\"}".as_bytes();
    let (text, raw) = read_text(stream_of(&[&whole[..11], &whole[11..]]), None, &all)
        .await
        .unwrap();
    assert_eq!(text.as_bytes(), whole);
    assert!(raw.is_none(), "a small body stays on the page");
    match read_text(stream_of(&[b"abc", b"d\xffe"]), Some(6), &all).await {
        Err(Read::NotUtf8(at)) => assert_eq!(at, 4),
        other => panic!("{other:?}"),
    }
    // 3 MB in chunks of 64 KB, each line cut somewhere.
    let big: Vec<u8> = "é line of text\n".repeat(200_000).into_bytes();
    let chunks: Vec<&[u8]> = big.chunks(65_536).collect();
    for expected in [None, Some(big.len()), Some(1_000)] {
        let (text, raw) = read_text(stream_of(&chunks), expected, &all).await.unwrap();
        assert_eq!(text.as_bytes(), &big[..], "{expected:?}");
        assert_eq!(
            raw.expect("a big body's bytes").to_vec(),
            big,
            "{expected:?}"
        );
    }
    // Past the loader's limit the rest is not read into memory.
    let mib = vec![b'a'; 1 << 20];
    let many: Vec<&[u8]> = std::iter::repeat_n(&mib[..], 33).collect();
    match read_text(stream_of(&many), None, &all).await {
        Err(Read::TooBig(limit)) => assert_eq!(limit, whoserves_core::Limits::default().max_bytes),
        other => panic!("{:?}", other.map(|(t, _)| t.len())),
    }
    // A newer load stops the reading.
    let stop = |_: usize, _: Option<usize>| false;
    assert!(matches!(
        read_text(stream_of(&chunks), None, &stop).await,
        Err(Read::Cancelled)
    ));
}

/// An empty graph says why: no bundle yet, or filters that match nothing.
#[wasm_bindgen_test]
async fn an_empty_graph_says_why() {
    use whoserves_app::graph_view::GraphView;
    let el = host();
    let state = AppState::new();
    let _h = leptos::mount::mount_to(el.clone(), move || {
        provide_context(state);
        view! { <GraphView /> }
    });
    settle().await;
    let empty = |el: &web_sys::HtmlElement| {
        el.query_selector("[data-testid=graph-empty]")
            .unwrap()
            .and_then(|e| e.text_content())
    };
    assert_eq!(empty(&el).as_deref(), Some("No bundle loaded."));
    state
        .current
        .set(Some(fixture_current(analyze(FIXTURE, &Limits::default()))));
    settle().await;
    assert_eq!(empty(&el), None, "the bundle's graph is drawn");
    state.filters.update(|f| f.search = "zzz-nowhere".into());
    settle().await;
    assert_eq!(empty(&el).as_deref(), Some("Nothing matches the filters."));
}
