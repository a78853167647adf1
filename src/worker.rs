//! Big bundles are analysed in a Web Worker, so the page stays responsive.
//!
//! The worker is this same wasm: the page's loader compiled it once and
//! hands the compiled module to the worker script (`worker-<hash>.js`,
//! written by `scripts/postbuild.py`), so it is neither downloaded nor
//! checked twice. There `main` finds no window and returns, and the script
//! passes each message to [`on_message`].
//!
//! One request: the bundle and its libraries, as the page read them, and
//! the view's filters and layout. The worker runs
//! [`whoserves_core::analyze_documents_with`], posting its progress, lays
//! out the first view, and answers with the analysis in
//! [`whoserves_core::transport`] parts (moved, not copied). The page
//! reads them back one chunk per task ([`analyse`]). Cancelling
//! terminates the worker; the next big bundle starts another.

use js_sys::{Array, Object, Reflect, Uint8Array};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use whoserves_core::include::{plan, Base, Include};
use whoserves_core::layout::{self, Layout};
use whoserves_core::transport::{self, Assembly};
use whoserves_core::view::{self, Filters};
use whoserves_core::{Analysis, Diagnostic, Document, Limits, Progress};

/// Bundles (with their libraries) of at least this many bytes are
/// analysed in the worker. Below it the analysis takes well under the
/// 50 ms of a long task, and a worker would only add its start-up.
pub const WORKER_BYTES: usize = 2 << 20;

fn get(o: &JsValue, key: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

fn bytes_of(v: &JsValue) -> Vec<u8> {
    v.dyn_ref::<Uint8Array>()
        .map(|a| a.to_vec())
        .unwrap_or_default()
}

fn text_of(v: &JsValue) -> String {
    String::from_utf8(bytes_of(v)).unwrap_or_default()
}

fn array_of(bytes: &[u8]) -> Uint8Array {
    let a = Uint8Array::new_with_length(bytes.len() as u32);
    a.copy_from(bytes);
    a
}

// ---- The worker's side ----

thread_local! {
    /// The bundle's text, kept between the plan and the analysis.
    static TEXT: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Handles one request in the worker (called by the worker script):
/// `plan` keeps the bundle's text and plans its includes; `analyse`
/// analyses it with the libraries the page fetched.
pub fn on_message(data: JsValue) {
    let Ok(scope) = js_sys::global().dyn_into::<web_sys::DedicatedWorkerGlobalScope>() else {
        return;
    };
    let id = get(&data, "id");
    let post = |pairs: &[(&str, JsValue)], transfer: Option<&Array>| {
        let mut all = vec![("id", id.clone())];
        all.extend(pairs.iter().cloned());
        let msg = object(&all);
        let _ = match transfer {
            Some(t) => scope.post_message_with_transfer(&msg, t),
            None => scope.post_message(&msg),
        };
    };
    if get(&data, "kind").as_string().as_deref() == Some("plan") {
        let text = text_of(&get(&data, "text"));
        let from = get(&data, "base").as_string().unwrap_or_default();
        let base = if get(&data, "site").as_bool() == Some(true) {
            Base::Site(from)
        } else {
            Base::Url(from)
        };
        let planned = serde_json::to_string(&plan(&text, &base)).unwrap_or_default();
        TEXT.with(|t| *t.borrow_mut() = text);
        return post(
            &[("kind", "planned".into()), ("plan", planned.into())],
            None,
        );
    }
    let main = Document {
        name: get(&data, "name").as_string().unwrap_or_default(),
        text: TEXT.with(|t| std::mem::take(&mut *t.borrow_mut())),
    };
    let libraries: Vec<Result<Document, Diagnostic>> = Array::from(&get(&data, "libraries"))
        .iter()
        .map(|l| match get(&l, "error").as_string() {
            Some(json) => Err(serde_json::from_str(&json).unwrap_or_else(|e| {
                Diagnostic::error(whoserves_core::Code::Include, "include", e.to_string())
            })),
            None => Ok(Document {
                name: get(&l, "name").as_string().unwrap_or_default(),
                text: text_of(&get(&l, "text")),
            }),
        })
        .collect();
    let mut report = |p: Progress| {
        let (step, done, of) = match p {
            Progress::Read {
                bytes,
                observations,
            } => ("read", bytes, observations),
            Progress::Evaluated { done, of } => ("evaluated", done, of),
        };
        post(
            &[
                ("kind", "progress".into()),
                ("step", step.into()),
                ("done", (done as f64).into()),
                ("of", (of as f64).into()),
            ],
            None,
        );
    };
    let analysis =
        whoserves_core::analyze_documents_with(&main, &libraries, &Limits::default(), &mut report);
    if analysis.has_errors() {
        let json = serde_json::to_string(&analysis.diagnostics).unwrap_or_default();
        return post(
            &[("kind", "failed".into()), ("diagnostics", json.into())],
            None,
        );
    }
    post(
        &[("kind", "progress".into()), ("step", "layout".into())],
        None,
    );
    let then = analysis.then();
    // The first view's layout, for the filters and layout the page shows.
    let query: Vec<(String, String)> = Array::from(&get(&data, "filters"))
        .iter()
        .map(|p| {
            let p = Array::from(&p);
            (
                p.get(0).as_string().unwrap_or_default(),
                p.get(1).as_string().unwrap_or_default(),
            )
        })
        .collect();
    let filters = Filters::from_query(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let force = get(&data, "force").as_bool();
    let layout = if filters.as_of.is_none() {
        let g = view::build(&analysis, &filters);
        transport::encode_layout(&layout::for_graph(&g, force)).ok()
    } else {
        None
    };
    match transport::encode(&main.text, &analysis, Some(then)) {
        Ok(parts) => {
            let transfer = Array::new();
            let head = array_of(&parts.head);
            transfer.push(&head.buffer());
            let chunks = Array::new();
            for c in &parts.chunks {
                let a = array_of(c);
                transfer.push(&a.buffer());
                chunks.push(&a);
            }
            let layout = match layout {
                Some(l) => {
                    let a = array_of(&l);
                    transfer.push(&a.buffer());
                    a.into()
                }
                None => JsValue::NULL,
            };
            post(
                &[
                    ("kind", "done".into()),
                    ("head", head.into()),
                    ("chunks", chunks.into()),
                    ("layout", layout),
                ],
                Some(&transfer),
            );
        }
        Err(e) => post(&[("kind", "error".into()), ("message", e.into())], None),
    }
}

// ---- The page's side ----

/// `1234567` as `1,234,567`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What the page hears from the worker while it works.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The texts are read: bytes, observations.
    Read(usize, usize),
    /// Observations evaluated, of all.
    Evaluated(usize, usize),
    /// Laying out the first view.
    Layout,
    /// The page is reading the result back: items, of all.
    Receiving(usize, usize),
}

impl Step {
    /// The step in words, for the progress line.
    pub fn describe(&self) -> String {
        let n = thousands;
        match self {
            Step::Read(bytes, obs) => format!(
                "Read {:.1} MB: {} observations. Running the rules…",
                *bytes as f64 / 1_048_576.0,
                n(*obs)
            ),
            Step::Evaluated(done, of) => format!(
                "Running the rules: {} of {} observations ({}%)…",
                n(*done),
                n(*of),
                done * 100 / (*of).max(1)
            ),
            Step::Layout => "Judging the claims and laying out the graph…".into(),
            Step::Receiving(done, of) => {
                format!("Receiving the analysis: {} of {} items…", n(*done), n(*of))
            }
        }
    }
}

/// Why the worker gave no analysis.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The bundle has errors: these.
    Failed(Vec<Diagnostic>),
    /// The reader cancelled.
    Cancelled,
    /// No worker could run here (or it broke): analyse on the page.
    Unavailable(String),
}

/// Where a worker's progress goes, once a request sets it.
type StepSlot = Rc<RefCell<Option<Rc<dyn Fn(Step)>>>>;

/// The worker of the load in progress.
struct Running {
    worker: web_sys::Worker,
    /// Settles the request waiting for an answer, with the answer or
    /// `null` (cancelled).
    resolve: Rc<RefCell<Option<js_sys::Function>>>,
    /// Where the worker's progress goes.
    step: StepSlot,
    // Kept alive while the worker may call them.
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    static RUNNING: RefCell<Option<Running>> = const { RefCell::new(None) };
}

/// Whether a worker is at work.
pub fn busy() -> bool {
    RUNNING.with(|r| r.borrow().is_some())
}

/// Stops the worker; the request it was on ends as [`Outcome::Cancelled`].
pub fn cancel() {
    if let Some(r) = RUNNING.with(|r| r.borrow_mut().take()) {
        r.worker.terminate();
        if let Some(resolve) = r.resolve.borrow_mut().take() {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
        }
    }
}

/// Starts a worker (ending any other), handing it the page's compiled module.
fn start() -> Result<(), Outcome> {
    cancel();
    let w = web_sys::window().ok_or_else(|| Outcome::Unavailable("no window".into()))?;
    let url = get(&w, "whoservesWorker")
        .as_string()
        .ok_or_else(|| Outcome::Unavailable("no worker script".into()))?;
    let module = get(&w, "whoservesModule");
    if module.is_undefined() {
        return Err(Outcome::Unavailable("no compiled module".into()));
    }
    let opts = web_sys::WorkerOptions::new();
    opts.set_type(web_sys::WorkerType::Module);
    let worker = web_sys::Worker::new_with_options(&url, &opts)
        .map_err(|e| Outcome::Unavailable(format!("{e:?}")))?;
    let resolve: Rc<RefCell<Option<js_sys::Function>>> = Rc::default();
    let step: StepSlot = Rc::default();
    let on_message = {
        let (resolve, step) = (resolve.clone(), step.clone());
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let data = ev.data();
            let num = |k: &str| get(&data, k).as_f64().unwrap_or(0.0) as usize;
            if get(&data, "kind").as_string().as_deref() == Some("progress") {
                let s = match get(&data, "step").as_string().as_deref() {
                    Some("read") => Step::Read(num("done"), num("of")),
                    Some("evaluated") => Step::Evaluated(num("done"), num("of")),
                    _ => Step::Layout,
                };
                let f = step.borrow().clone();
                if let Some(f) = f {
                    f(s);
                }
            } else if let Some(r) = resolve.borrow_mut().take() {
                let _ = r.call1(&JsValue::NULL, &data);
            }
        })
    };
    let on_error = {
        let resolve = resolve.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_ev: web_sys::Event| {
            if let Some(r) = resolve.borrow_mut().take() {
                let message = "the worker failed to start or stopped".into();
                let _ = r.call1(
                    &JsValue::NULL,
                    &object(&[("kind", "error".into()), ("message", message)]),
                );
            }
        })
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    worker
        .post_message(&object(&[("module", module)]))
        .map_err(|e| Outcome::Unavailable(format!("{e:?}")))?;
    RUNNING.with(|r| {
        *r.borrow_mut() = Some(Running {
            worker,
            resolve,
            step,
            _on_message: on_message,
            _on_error: on_error,
        })
    });
    Ok(())
}

/// Sends `request` to the running worker and waits for its answer;
/// `step` hears its progress meanwhile.
async fn ask(
    request: &JsValue,
    transfer: &Array,
    step: Option<Rc<dyn Fn(Step)>>,
) -> Result<JsValue, Outcome> {
    let mut slot: Option<js_sys::Function> = None;
    let promise = js_sys::Promise::new(&mut |resolve, _| slot = Some(resolve));
    let sent = RUNNING.with(|r| {
        let r = r.borrow();
        let r = r.as_ref()?;
        *r.resolve.borrow_mut() = slot.take();
        *r.step.borrow_mut() = step;
        Some(r.worker.post_message_with_transfer(request, transfer))
    });
    match sent {
        None => return Err(Outcome::Cancelled),
        Some(Err(e)) => return Err(Outcome::Unavailable(format!("{e:?}"))),
        Some(Ok(())) => {}
    }
    let answer = JsFuture::from(promise).await.unwrap_or(JsValue::NULL);
    if answer.is_null() {
        return Err(Outcome::Cancelled);
    }
    match get(&answer, "kind").as_string().as_deref() {
        Some("error") => Err(Outcome::Unavailable(
            get(&answer, "message").as_string().unwrap_or_default(),
        )),
        _ => Ok(answer),
    }
}

/// Starts a worker with the bundle's `text` and plans its includes there
/// (planning reads every observation's kind, a long task for a big
/// bundle). The worker keeps the text for [`analyse`]. `raw`, when given,
/// is the text's bytes outside the wasm: they are handed over, not copied.
pub async fn start_with(
    text: &str,
    raw: Option<Uint8Array>,
    base: &Base,
) -> Result<Vec<Include>, Outcome> {
    start()?;
    let (from, site) = match base {
        Base::Site(s) => (s.as_str(), true),
        Base::Url(s) | Base::Dir(s) => (s.as_str(), false),
    };
    let bytes = raw.unwrap_or_else(|| array_of(text.as_bytes()));
    let transfer = Array::of1(&bytes.buffer());
    let request = object(&[
        ("kind", "plan".into()),
        ("text", bytes.into()),
        ("base", from.into()),
        ("site", site.into()),
    ]);
    let answer = ask(&request, &transfer, None).await?;
    let json = get(&answer, "plan").as_string().unwrap_or_default();
    serde_json::from_str(&json).map_err(|e| Outcome::Unavailable(format!("plan: {e}")))
}

/// Analyses the text [`start_with`] gave the worker, named `name`, with
/// its `libraries`, telling `step` how far it has got, and reads the
/// result back without a long task (`still_wanted` is asked between
/// chunks). Also gives the first view's layout, for `filters` and `force`.
pub async fn analyse(
    name: &str,
    libraries: &[Result<Document, Diagnostic>],
    filters: &Filters,
    force: Option<bool>,
    step: Rc<dyn Fn(Step)>,
    still_wanted: impl Fn() -> bool,
) -> Result<(Analysis, Option<Layout>), Outcome> {
    let transfer = Array::new();
    let libs = Array::new();
    for l in libraries {
        libs.push(&match l {
            Ok(d) => {
                let t = array_of(d.text.as_bytes());
                transfer.push(&t.buffer());
                object(&[("name", d.name.as_str().into()), ("text", t.into())])
            }
            Err(d) => object(&[("error", serde_json::to_string(d).unwrap_or_default().into())]),
        });
    }
    let pairs = Array::new();
    for (k, v) in filters.to_query() {
        pairs.push(&Array::of2(&k.into(), &v.into()));
    }
    let request = object(&[
        ("kind", "analyse".into()),
        ("name", name.into()),
        ("libraries", libs.into()),
        ("filters", pairs.into()),
        ("force", force.map_or(JsValue::UNDEFINED, JsValue::from)),
    ]);
    let answer = ask(&request, &transfer, Some(step.clone())).await;
    // Answered (or cancelled): this worker's work is over.
    if let Some(r) = RUNNING.with(|r| r.borrow_mut().take()) {
        r.worker.terminate();
    }
    let answer = answer?;
    if !still_wanted() {
        return Err(Outcome::Cancelled);
    }
    if get(&answer, "kind").as_string().as_deref() == Some("failed") {
        let json = get(&answer, "diagnostics").as_string().unwrap_or_default();
        return Err(Outcome::Failed(
            serde_json::from_str(&json).unwrap_or_default(),
        ));
    }
    crate::load::mark("whoserves:worker-answered");
    let unavailable = |e: String| Outcome::Unavailable(e);
    let mut asm = Assembly::new(&bytes_of(&get(&answer, "head"))).map_err(unavailable)?;
    for c in Array::from(&get(&answer, "chunks")).iter() {
        asm.add(&bytes_of(&c)).map_err(unavailable)?;
        let (done, of) = asm.progress();
        step(Step::Receiving(done, of));
        crate::load::next_frame().await;
        if !still_wanted() {
            return Err(Outcome::Cancelled);
        }
    }
    crate::load::mark("whoserves:worker-received");
    let layout = get(&answer, "layout");
    let layout = (!layout.is_null())
        .then(|| transport::decode_layout(&bytes_of(&layout)).ok())
        .flatten();
    let analysis = asm
        .finish(name, libraries, &Limits::default())
        .map_err(unavailable)?;
    crate::load::mark("whoserves:worker-assembled");
    Ok((analysis, layout))
}
