//! Fetching and reading bundles. The only I/O in the app: everything it
//! gets is handed to `whoserves_core::analyze_documents`.

use crate::state::{AppState, Current, PickerEntry, Shared, Status};
use leptos::prelude::*;
use serde::Deserialize;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use whoserves_core::include::{plan, Base};
use whoserves_core::sign::Verification;
use whoserves_core::{analyze_documents, Document, Limits};

/// `bundles/index.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    /// File name of the default bundle.
    pub default: String,
    /// Every shipped bundle.
    pub bundles: Vec<ManifestEntry>,
    /// The public keys this site trusts to sign bundles (minisign).
    #[serde(default)]
    pub keys: Vec<whoserves_core::sign::TrustedKey>,
}

/// One shipped bundle.
#[derive(Debug, Clone, Deserialize)]
pub struct ManifestEntry {
    /// File name under `bundles/`.
    pub file: String,
    /// Title for the picker.
    pub title: String,
}

/// The text at `url`, or why a fetch failed in words a reader can act on.
pub async fn fetch_text(url: &str) -> Result<String, String> {
    fetch_final(url, &|_, _| true)
        .await
        .map(|(text, _, _)| text)
}

/// The text at `url` and the URL it finally came from, after redirects;
/// for a text the analysis worker will read ([`crate::worker::WORKER_BYTES`]),
/// also its bytes as they came, to hand over without another copy.
/// `progress` hears how much of the body has come.
async fn fetch_final(
    url: &str,
    progress: ReadProgress<'_>,
) -> Result<(String, String, Option<js_sys::Uint8Array>), String> {
    let early = EARLY.with(|e| e.borrow_mut().take_if(|(u, _)| u == url));
    let resp = match early {
        Some((_, promise)) => JsFuture::from(promise)
            .await
            .map(|r| gloo_net::http::Response::from(r.unchecked_into::<web_sys::Response>()))
            .map_err(|_| ()),
        None => gloo_net::http::Request::get(url)
            .send()
            .await
            .map_err(|_| ()),
    };
    let resp = resp.map_err(|()| {
        format!(
            "Could not fetch {url}. Either the server does not allow other sites to read it \
             (it sends no CORS header), or it cannot be reached. Download the file and open it \
             with “Open a file” instead."
        )
    })?;
    if !resp.ok() {
        return Err(format!(
            "Could not fetch {url}: the server answered HTTP {}.",
            resp.status()
        ));
    }
    let final_url = resp.url();
    // A big body will go to the analysis worker: start it meanwhile.
    let length = resp
        .headers()
        .get("content-length")
        .and_then(|l| l.parse::<usize>().ok());
    if length.is_some_and(|l| l >= crate::worker::WORKER_BYTES) {
        crate::worker::prestart();
    }
    // The exact bytes: a signature covers them, byte-order mark included.
    let unreadable = |e: wasm_bindgen::JsValue| format!("Could not read {url}: {e:?}");
    let resp = web_sys::Response::from(resp);
    let Some(body) = resp.body() else {
        return Ok((String::new(), final_url, None));
    };
    let (text, raw) = read_text(body, length, progress)
        .await
        .map_err(|e| match e {
            Read::Failed(e) => unreadable(e),
            Read::NotUtf8(at) => format!("{url} is not UTF-8 text (invalid byte at {at})."),
            Read::Cancelled => format!("Stopped reading {url}."),
            Read::TooBig(limit) => too_big(url, limit),
        })?;
    Ok((text, final_url, raw))
}

/// Moves the UTF-8 text at the start of `slice` onto `text`, keeping the
/// first bytes of a character the slice cuts off (unless it is the `last`
/// slice) for the next. `Err`: the offset in `slice` of an invalid byte.
pub fn take_utf8(slice: &mut Vec<u8>, text: &mut String, last: bool) -> Result<(), usize> {
    let valid = match std::str::from_utf8(slice) {
        Ok(s) => s.len(),
        // A cut character, not a bad byte: its rest is in the next slice.
        Err(e) if e.error_len().is_none() && !last => e.valid_up_to(),
        Err(e) => return Err(e.valid_up_to()),
    };
    text.push_str(std::str::from_utf8(&slice[..valid]).unwrap_or_default());
    slice.drain(..valid);
    Ok(())
}

/// Why a body could not be read as text.
#[derive(Debug)]
pub enum Read {
    /// The browser could not give it.
    Failed(wasm_bindgen::JsValue),
    /// It is not UTF-8: the first invalid byte's offset.
    NotUtf8(usize),
    /// A newer load began while it was read.
    Cancelled,
    /// It is longer than the loader's limit, in bytes.
    TooBig(usize),
}

thread_local! {
    /// A fetch begun early ([`prefetch`]), by URL.
    static EARLY: std::cell::RefCell<Option<(String, js_sys::Promise)>> =
        const { std::cell::RefCell::new(None) };
}

/// Starts fetching a link's bundle now, while the manifest (which the
/// signature check and the foreign notice need) is on its way;
/// [`fetch_final`] takes the response. Nothing starts for a URL
/// [`check_bundle_param`] refuses.
pub fn prefetch(url: &str) {
    if check_bundle_param(url).is_err() {
        return;
    }
    if let Some(w) = web_sys::window() {
        let promise = w.fetch_with_str(url);
        EARLY.with(|e| *e.borrow_mut() = Some((url.to_string(), promise)));
    }
}

/// How long reading a body may run before letting the page run, in
/// milliseconds: well under the 50 ms of a long task.
const READ_SLICE_MS: f64 = 12.0;

/// Where reading a body reports: the bytes read so far and the expected
/// total, if known; answers whether the text is still wanted.
pub type ReadProgress<'a> = &'a dyn Fn(usize, Option<usize>) -> bool;

/// The text of a body `stream` (a response's or a file's), read a chunk
/// at a time: each chunk is copied into the wasm and checked to be UTF-8,
/// and after a slice of time the page runs before the next is asked for.
/// The browser hands over only what is asked for, so a big body arriving
/// all at once never becomes one long task of the browser's own (as
/// `arrayBuffer()` did, up to 90 ms for 30 MB). `expected` sizes the
/// buffers. For a text the analysis worker will read, also the bytes as
/// they came, outside the wasm, to hand over without another copy.
pub async fn read_text(
    stream: web_sys::ReadableStream,
    expected: Option<usize>,
    progress: ReadProgress<'_>,
) -> Result<(String, Option<js_sys::Uint8Array>), Read> {
    let reader: web_sys::ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    // A length header is only a hint (a compressed body's is smaller, a
    // hostile one may be anything): past the loader's limit it is ignored.
    let limit = Limits::default().max_bytes;
    let expected = expected.filter(|&n| n <= limit);
    let mut raw = js_sys::Uint8Array::new_with_length(expected.unwrap_or(0) as u32);
    let mut len = 0usize;
    let mut text = String::with_capacity(expected.unwrap_or(0));
    // The bytes of a character cut by a chunk's end wait for the next.
    let mut slice: Vec<u8> = Vec::new();
    // Only the page's own work counts towards a slice, not the waits for
    // the network in between.
    let mut worked = 0.0;
    let stop = |why: Read| {
        let _ = reader.cancel();
        Err(why)
    };
    if !progress(0, expected) {
        return stop(Read::Cancelled);
    }
    loop {
        let step = match JsFuture::from(reader.read()).await {
            Ok(step) => step,
            Err(e) => return stop(Read::Failed(e)),
        };
        let began = now();
        if js_sys::Reflect::get(&step, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true)
        {
            break;
        }
        let chunk: js_sys::Uint8Array = match js_sys::Reflect::get(&step, &"value".into()) {
            Ok(c) => c.unchecked_into(),
            Err(e) => return stop(Read::Failed(e)),
        };
        let n = chunk.length() as usize;
        // Past the loader's limit the text would be refused anyway: the
        // rest is not read into memory.
        if len + n > limit {
            return stop(Read::TooBig(limit));
        }
        let carried = slice.len();
        slice.resize(carried + n, 0);
        chunk.copy_to(&mut slice[carried..]);
        if let Err(at) = take_utf8(&mut slice, &mut text, false) {
            return stop(Read::NotUtf8(len - carried + at));
        }
        // The bytes as they came, for the worker: grown by doubling when
        // the length was not known (or was the compressed one).
        if len + n > raw.length() as usize {
            let grown =
                js_sys::Uint8Array::new_with_length(((len + n) * 2).clamp(1 << 16, limit) as u32);
            grown.set(&raw.subarray(0, len as u32), 0);
            raw = grown;
        }
        raw.set(&chunk, len as u32);
        len += n;
        worked += now() - began;
        if worked > READ_SLICE_MS {
            if !progress(len, expected) {
                return stop(Read::Cancelled);
            }
            next_frame().await;
            worked = 0.0;
        }
    }
    take_utf8(&mut slice, &mut text, true).map_err(|at| Read::NotUtf8(len - slice.len() + at))?;
    if len > 1 << 20 {
        next_frame().await;
    }
    let raw = (len >= crate::worker::WORKER_BYTES).then(|| raw.subarray(0, len as u32));
    Ok((text, raw))
}

/// The signature of the bundle whose text came from `url`: its detached
/// minisign signature `url.minisig`, checked against the trusted keys.
/// Nothing is fetched when no key is trusted: no signature could count.
async fn check_signature(state: AppState, text: &str, url: &str) -> Verification {
    let keys = state.trusted_keys.get_untracked();
    if keys.is_empty() || url.is_empty() {
        return Verification::Unsigned;
    }
    let sig = fetch_text(&format!("{url}.minisig")).await.ok();
    whoserves_core::sign::verify(text.as_bytes(), sig.as_deref(), &keys)
}

/// Checks a `bundle=` value: a path on this site or an absolute http(s)
/// URL. Anything else is refused, naming its scheme.
pub fn check_bundle_param(url: &str) -> Result<(), String> {
    let page = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    match web_sys::Url::new_with_base(url, &page) {
        Ok(u) if matches!(u.protocol().as_str(), "http:" | "https:") => Ok(()),
        Ok(u) => Err(format!(
            "This link asks to load a bundle from a {} URL, which this site refuses: only a path on this site or an http(s) address can be loaded. Nothing was fetched.",
            u.protocol()
        )),
        Err(_) => Err("This link's bundle address is not a valid URL. Nothing was fetched.".into()),
    }
}

/// The absolute URL of `base` (relative to the page): where the core
/// resolves a bundle's includes from.
pub fn absolute(base: &str) -> String {
    let page = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    web_sys::Url::new_with_base(base, &page)
        .map(|u| u.href())
        .unwrap_or_else(|_| base.to_string())
}

/// Why a body longer than the loader's limit was not read to its end.
fn too_big(what: &str, limit: usize) -> String {
    format!(
        "{what} is more than the limit of {limit} bytes ({:.0} MB), so it was not read to its end. Split it by subject (docs/scale.md).",
        limit as f64 / 1_048_576.0
    )
}

/// Reading progress for load `generation` of `what`, on the progress line
/// once a megabyte has come; it stops the reading when a newer load began.
fn read_progress(
    state: AppState,
    generation: u64,
    what: &str,
) -> impl Fn(usize, Option<usize>) -> bool {
    let what = what.to_string();
    move |read, of| {
        if !state.is_latest(generation) {
            return false;
        }
        if read >= 1 << 20 {
            let mb = |n: usize| n as f64 / 1_048_576.0;
            state.status.set(Status::Busy(match of {
                Some(of) if of >= read => {
                    format!("Reading {what}: {:.1} of {:.1} MB…", mb(read), mb(of))
                }
                _ => format!("Reading {what}: {:.1} MB…", mb(read)),
            }));
        }
        true
    }
}

/// Lets the browser paint (so the progress text shows) before heavy work.
pub(crate) async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Loads the manifest into the picker; returns the default bundle's URL.
pub async fn load_manifest(state: AppState) -> Option<String> {
    match fetch_text("bundles/index.json").await {
        Ok(text) => match serde_json::from_str::<Manifest>(&text) {
            Ok(m) => {
                state
                    .trusted_keys
                    .update(|k| k.extend(m.keys.iter().cloned()));
                state.picker.set(
                    m.bundles
                        .iter()
                        .map(|b| PickerEntry {
                            url: format!("bundles/{}", b.file),
                            title: b.title.clone(),
                        })
                        .collect(),
                );
                Some(format!("bundles/{}", m.default))
            }
            Err(e) => {
                state.status.set(Status::Failed {
                    source: "bundles/index.json".into(),
                    message: format!("The list of bundles is not valid: {e}"),
                    diagnostics: vec![],
                });
                None
            }
        },
        Err(message) => {
            state.status.set(Status::Failed {
                source: "bundles/index.json".into(),
                message,
                diagnostics: vec![],
            });
            None
        }
    }
}

/// Analyses `text` with the libraries it includes (resolved against
/// `base`) and shows it, or reports why not, leaving the previous bundle.
/// A new bundle closes the live check of the previous one.
async fn analyse_and_show(
    state: AppState,
    generation: u64,
    source: String,
    param: Option<String>,
    base: String,
    (text, raw): (String, Option<js_sys::Uint8Array>),
    signature: Verification,
) {
    let live = &state.live;
    live.phase.set(crate::live::Phase::Closed);
    live.observations.set(Vec::new());
    live.lines.set(Vec::new());
    let text = Arc::new(text);
    analyse(
        state, generation, source, param, base, text, None, signature, raw,
    )
    .await;
}

/// Analyses the bundle on screen again, with its live layer when the
/// reader has it on, or without. The original text is kept either way.
pub async fn show_with_live(state: AppState, live: crate::live::Live) {
    let Some(cur) = state.current.get_untracked() else {
        return;
    };
    let merged = if live.on.get_untracked() {
        live.observations
            .with_untracked(|obs| crate::live::with_live(&cur.text, obs, &live.at.get_untracked()))
    } else {
        None
    };
    let generation = state.begin_load();
    analyse(
        state,
        generation,
        cur.source,
        cur.param,
        cur.base,
        cur.text,
        merged,
        cur.signature,
        None,
    )
    .await;
}

/// Shows `text` (or `shown`, the text with a live layer), keeping `text`
/// as the bundle's own.
#[allow(clippy::too_many_arguments)]
async fn analyse(
    state: AppState,
    generation: u64,
    source: String,
    param: Option<String>,
    base: String,
    text: Arc<String>,
    shown: Option<String>,
    signature: Verification,
    raw: Option<js_sys::Uint8Array>,
) {
    let live = shown.is_some();
    // Copied only if the page analyses it: a worker gets its own copy.
    let shown_text: std::borrow::Cow<str> = match shown {
        Some(s) => s.into(),
        None => text.as_str().into(),
    };
    // The core plans where each included library is; this shell fetches.
    let mut libraries = Vec::new();
    let mut listed = Vec::new();
    let mut unpinned = Vec::new();
    // A file opened from disk has no address of its own: its includes
    // resolve as if it sat in the site's `bundles/` folder.
    let from = if param.is_none() {
        Base::Site(absolute(&base))
    } else {
        Base::Url(absolute(&base))
    };
    // A big bundle goes to the analysis worker now: even planning its
    // includes reads every observation.
    let mut planned = None;
    // The view the worker lays out first: the one on screen as it starts.
    let first_view = (
        state.filters.get_untracked(),
        state.layout_kind.get_untracked(),
    );
    if shown_text.len() >= crate::worker::WORKER_BYTES {
        state.status.set(Status::Busy(format!(
            "Reading {:.1} MB…",
            shown_text.len() as f64 / 1_048_576.0
        )));
        state.cancellable.set(true);
        // Reading the body ended a task's worth of work: the progress line
        // shows before the bytes go.
        next_frame().await;
        if !state.is_latest(generation) {
            return;
        }
        // The bytes as fetched are `text`'s, not a live layer's.
        let raw = raw.filter(|_| !live);
        let view = crate::worker::FirstView {
            name: &source,
            filters: &first_view.0,
            force: first_view.1.force(),
        };
        match crate::worker::start_with(&shown_text, raw, &from, &view, progress(state, generation))
            .await
        {
            Ok(p) => planned = Some(p),
            Err(crate::worker::Outcome::Cancelled) => return,
            Err(why) => unavailable(&why),
        }
        if !state.is_latest(generation) {
            return;
        }
    }
    let in_worker = planned.is_some();
    let planned = planned.unwrap_or_else(|| plan(&shown_text, &from));
    for inc in planned.clone() {
        listed.push((inc.reference.clone(), inc.skip.clone()));
        if inc.skip.is_some() {
            continue;
        }
        if inc.sha256.is_none() {
            unpinned.push(inc.reference.clone());
        }
        let fetched = match &inc.target {
            Ok(target) => {
                state.status.set(Status::Busy(format!(
                    "Fetching the rule library {}…",
                    inc.reference
                )));
                let fetched = fetch_text(target.as_str()).await;
                if !state.is_latest(generation) {
                    return;
                }
                fetched
                    .map_err(|m| inc.failed(&from, &m))
                    .and_then(|t| inc.check(&t).map(|()| t))
                    .map(|t| Document {
                        name: inc.reference.clone(),
                        text: t,
                    })
            }
            Err(d) => Err(d.clone()),
        };
        libraries.push(fetched);
    }
    state.status.set(Status::Busy(
        "Checking the bundle and running the rules…".into(),
    ));
    next_frame().await;
    if !state.is_latest(generation) {
        return;
    }
    let main = |text: std::borrow::Cow<str>| Document {
        name: source.clone(),
        text: text.into_owned(),
    };
    mark("whoserves:fetched");
    let has_errors = |diagnostics: Vec<whoserves_core::Diagnostic>| {
        state.cancellable.set(false);
        state.status.set(Status::Failed {
            source: source.clone(),
            message: format!(
                "{source} has errors, so it is not shown. Fix them and load it again; the view below is unchanged."
            ),
            diagnostics,
        });
    };
    let mut first_layout = None;
    let mut from_worker = None;
    if in_worker {
        match with_worker(state, generation, &source, &planned, &libraries, first_view).await {
            Ok((a, layout)) => {
                first_layout = layout;
                from_worker = Some(a);
            }
            Err(crate::worker::Outcome::Failed(d)) => return has_errors(d),
            Err(crate::worker::Outcome::Cancelled) => return,
            Err(why) => unavailable(&why),
        }
    }
    let analysis = match from_worker {
        Some(a) => a,
        None => analyze_documents(&main(shown_text), &libraries, &Limits::default()),
    };
    state.cancellable.set(false);
    if !state.is_latest(generation) {
        return;
    }
    if analysis.has_errors() {
        return has_errors(analysis.diagnostics);
    }
    let foreign = foreign_origin(state, param.as_deref(), &base);
    // Analysed: what follows is drawing it, a task of its own after the
    // worker's answer (the benchmark tells the two apart by this mark).
    mark("whoserves:analysed");
    if in_worker {
        next_frame().await;
        if !state.is_latest(generation) {
            return;
        }
    }
    state.current.set(Some(Current {
        source,
        param,
        analysis: Shared(Arc::new(analysis)),
        libraries: listed,
        text,
        base,
        live,
        foreign,
        signature,
        unpinned,
        first_layout,
    }));
    state.status.set(Status::Idle);
}

/// Says on the console why a big bundle is analysed on the page after all.
fn unavailable(why: &crate::worker::Outcome) {
    web_sys::console::warn_1(
        &format!("whoserves: analysing on the page, the worker could not: {why:?}").into(),
    );
}

/// Puts the worker's steps on the progress line, while load `generation`
/// is the latest.
fn progress(state: AppState, generation: u64) -> std::rc::Rc<dyn Fn(crate::worker::Step)> {
    std::rc::Rc::new(move |s: crate::worker::Step| {
        if state.is_latest(generation) {
            state.status.set(Status::Busy(s.describe()));
        }
    })
}

/// [`crate::worker::analyse`] for the load `generation`, with its steps on
/// the progress line (a Cancel button beside it); also the first view's
/// layout, for the filters and layout that were on screen when it began.
async fn with_worker(
    state: AppState,
    generation: u64,
    name: &str,
    planned: &[whoserves_core::include::Include],
    libraries: &[Result<Document, whoserves_core::Diagnostic>],
    (filters, kind): (whoserves_core::view::Filters, crate::state::LayoutKind),
) -> Result<(whoserves_core::Analysis, Option<crate::state::FirstLayout>), crate::worker::Outcome> {
    let result = crate::worker::analyse(
        name,
        planned,
        libraries,
        progress(state, generation),
        move || state.is_latest(generation),
    )
    .await;
    result.map(|(a, layout)| {
        let first = layout.map(|l| crate::state::FirstLayout {
            filters,
            kind,
            layout: Shared(Arc::new(l)),
        });
        (a, first)
    })
}

/// Stops the load in progress (the worker's analysis, or reading its
/// answer back); the bundle on screen stays.
pub fn cancel(state: AppState) {
    // A new generation ends the worker and withdraws the button.
    state.begin_load();
    state.status.set(Status::Cancelled);
}

/// Where a bundle comes from when the site's manifest does not list it:
/// the host it was fetched from (its final address, after redirects), or
/// the reader's own disk. `None` for the site's own bundles.
fn foreign_origin(state: AppState, param: Option<&str>, base: &str) -> Option<String> {
    let Some(param) = param else {
        return Some("your own disk".into());
    };
    let ours = state
        .picker
        .get_untracked()
        .iter()
        .any(|e| absolute(&e.url) == absolute(param) && absolute(base) == absolute(param));
    if ours {
        return None;
    }
    let host = web_sys::Url::new(&absolute(base))
        .map(|u| u.host())
        .unwrap_or_default();
    let page_host = web_sys::window()
        .and_then(|w| w.location().host().ok())
        .unwrap_or_default();
    Some(if host == page_host {
        format!("{host} (this site's server, but not among the bundles it publishes)")
    } else {
        host
    })
}

fn fail(state: AppState, source: String, message: String) {
    state.status.set(Status::Failed {
        source,
        message,
        diagnostics: vec![],
    });
}

/// Fetches and shows the bundle at `url`. When several loads overlap, the
/// last one started wins, whichever finishes last.
pub async fn load_url(state: AppState, url: String) {
    let generation = state.begin_load();
    load_url_as(state, generation, url).await
}

/// [`load_url`] as the load `generation` (from [`AppState::begin_load`]),
/// so the caller can tell afterwards whether a later load superseded it.
pub async fn load_url_as(state: AppState, generation: u64, url: String) {
    if let Err(message) = check_bundle_param(&url) {
        let shown: String = url.chars().take(80).collect();
        let more = if url.chars().count() > 80 { "…" } else { "" };
        return fail(state, format!("{shown}{more}"), message);
    }
    state.status.set(Status::Busy(format!("Fetching {url}…")));
    let fetched = fetch_final(&url, &read_progress(state, generation, &url)).await;
    if !state.is_latest(generation) {
        return;
    }
    match fetched {
        Ok((text, final_url, raw)) => {
            let signature = check_signature(state, &text, &final_url).await;
            if !state.is_latest(generation) {
                return;
            }
            if let Verification::Tampered(_) = signature {
                return fail(
                    state,
                    url,
                    format!(
                        "Not shown: {}. Whoever changed it is not who signed it; the view below is unchanged.",
                        signature.describe()
                    ),
                );
            }
            // After a redirect the page names where the text came from.
            let requested = absolute(&url);
            let source = if !final_url.is_empty() && final_url != requested {
                format!("{final_url} (redirected from {url})")
            } else {
                url.clone()
            };
            let base = if final_url.is_empty() {
                url.clone()
            } else {
                final_url
            };
            analyse_and_show(
                state,
                generation,
                source,
                Some(url),
                base,
                (text, raw),
                signature,
            )
            .await
        }
        Err(message) => fail(state, url, message),
    }
}

/// Reads and shows a local file. Nothing leaves the browser. Its includes
/// resolve as if it sat in the site's `bundles/` folder, so a bundle
/// written next to the shipped ones works unchanged.
pub async fn load_file(state: AppState, file: web_sys::File) {
    let generation = state.begin_load();
    let name = file.name();
    let source = format!("file: {name}");
    state.status.set(Status::Busy(format!("Reading {name}…")));
    let read = read_text(
        file.stream(),
        Some(file.size() as usize),
        &read_progress(state, generation, &name),
    )
    .await;
    if !state.is_latest(generation) {
        return;
    }
    let (text, raw) = match read {
        Ok(read) => read,
        Err(Read::NotUtf8(at)) => {
            return fail(
                state,
                source,
                format!("{name} is not UTF-8 text (invalid byte at {at})."),
            );
        }
        Err(Read::Failed(_)) => return fail(state, source, format!("Could not read {name}.")),
        Err(Read::Cancelled) => return,
        Err(Read::TooBig(limit)) => return fail(state, source, too_big(&name, limit)),
    };
    // A file from disk makes no request to another site unasked. A big
    // one is planned in the analysis worker: planning reads every
    // observation.
    let base = Base::Site(absolute(&format!("bundles/{name}")));
    let planned = match raw {
        Some(raw) => {
            state.status.set(Status::Busy(format!(
                "Reading {:.1} MB…",
                text.len() as f64 / 1_048_576.0
            )));
            state.cancellable.set(true);
            let filters = state.filters.get_untracked();
            let view = crate::worker::FirstView {
                name: &name,
                filters: &filters,
                force: None,
            };
            let planned = crate::worker::start_with(
                &text,
                Some(raw),
                &base,
                &view,
                progress(state, generation),
            )
            .await;
            // Planned: the file's analysis starts another worker (the
            // Cancel button stays, for the whole load).
            crate::worker::cancel();
            if !state.is_latest(generation) {
                return;
            }
            planned.ok()
        }
        None => None,
    };
    let planned = planned.unwrap_or_else(|| plan(&text, &base));
    let hosts = other_sites(planned);
    if !hosts.is_empty() {
        state.cancellable.set(false);
        state.status.set(Status::AskIncludes {
            name,
            text: Arc::new(text),
            hosts,
        });
        return;
    }
    show_file(state, generation, name, text).await;
}

/// The hosts, other than this site's, that a file opened from disk would
/// fetch libraries from, by its include plan.
fn other_sites(planned: Vec<whoserves_core::include::Include>) -> Vec<String> {
    let page = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let mut hosts: Vec<String> = planned
        .into_iter()
        .filter(|inc| inc.skip.is_none())
        .filter_map(|inc| inc.target.ok())
        .filter_map(|t| web_sys::Url::new(t.as_str()).ok())
        .filter(|u| u.origin() != page)
        .map(|u| u.host())
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

/// Goes on with a file whose libraries on other sites the reader agreed to fetch.
pub async fn load_file_agreed(state: AppState, name: String, text: Arc<String>) {
    let generation = state.begin_load();
    show_file(state, generation, name, text.as_ref().clone()).await;
}

/// Shows a file's text; its includes resolve from the site's `bundles/`.
async fn show_file(state: AppState, generation: u64, name: String, text: String) {
    let source = format!("file: {name}");
    analyse_and_show(
        state,
        generation,
        source,
        None,
        format!("bundles/{name}"),
        (text, None),
        Verification::Unsigned,
    )
    .await;
}

/// The first file of a drop or file-input event.
pub fn first_file(files: Option<web_sys::FileList>) -> Option<web_sys::File> {
    files.and_then(|f| f.get(0))
}

/// The page's clock (`performance.now()`), in milliseconds; 0 without one.
pub(crate) fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Sets a `performance.mark` for the benchmark.
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// Reads the files of an `<input type=file>` change event.
pub fn input_files(ev: &web_sys::Event) -> Option<web_sys::FileList> {
    ev.target()?
        .dyn_into::<web_sys::HtmlInputElement>()
        .ok()?
        .files()
}
