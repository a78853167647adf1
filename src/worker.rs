//! Big bundles are analysed in a Web Worker, so the page stays responsive.
//!
//! The worker is this same wasm: the page's loader compiled it once and
//! hands the compiled module to the worker script (`worker-<hash>.js`,
//! written by `scripts/postbuild.py`), so it is neither downloaded nor
//! checked twice. There `main` finds no window and returns, and the script
//! passes each message to [`on_message`].
//!
//! The conversation, for one bundle:
//! 1. `plan`: the page sends the bundle's bytes (moved, not copied) and the
//!    view on screen ([`start_with`]); the worker plans the includes and
//!    answers with the plan. When the plan leaves nothing to fetch
//!    ([`nothing_to_fetch`]) it goes straight on to step 3.
//! 2. `analyse`: the page sends the libraries it fetched.
//! 3. The worker runs [`whoserves_core::analyze_documents_with`], posting
//!    its progress; it sends the observations as soon as they are loaded,
//!    the head and findings after evaluating, then the first view's
//!    layout, all in [`whoserves_core::transport`] parts. The page reads
//!    each while the worker makes the next, a time slice at a time
//!    ([`analyse`]).
//!
//! Cancelling terminates the worker; the next big bundle starts another,
//! or takes the one [`prestart`] began while its body downloaded.

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

/// Bundles of at least this many bytes are analysed in the worker; smaller
/// ones on the page. At this size the page's analysis is a task of about
/// 150 ms, and the worker's start-up and hand-over delay the graph by
/// about as much (`docs/scale.md`): the worker pays off from here up.
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

/// What the worker keeps between the plan and the analysis.
#[derive(Default)]
struct Pending {
    /// The bundle as the page named and read it.
    main: Option<Document>,
    /// The view to lay out first: its filters and layout choice.
    filters: Filters,
    force: Option<bool>,
}

thread_local! {
    static PENDING: RefCell<Pending> = RefCell::new(Pending::default());
}

/// Whether a plan leaves nothing to fetch: then the worker analyses at
/// once, and the page, which sees the same plan, sends no libraries.
pub fn nothing_to_fetch(plan: &[Include]) -> bool {
    plan.iter().all(|i| i.skip.is_some())
}

/// Byte arrays for `chunks`, and the list of their buffers to move.
fn buffers(chunks: &[Vec<u8>]) -> (Array, Array) {
    let (list, transfer) = (Array::new(), Array::new());
    for c in chunks {
        let a = array_of(c);
        transfer.push(&a.buffer());
        list.push(&a);
    }
    (list, transfer)
}

/// Posts a message from the worker to the page.
fn post(pairs: &[(&str, JsValue)], transfer: Option<&Array>) {
    let Ok(scope) = js_sys::global().dyn_into::<web_sys::DedicatedWorkerGlobalScope>() else {
        return;
    };
    let msg = object(pairs);
    let _ = match transfer {
        Some(t) => scope.post_message_with_transfer(&msg, t),
        None => scope.post_message(&msg),
    };
}

/// Handles one request in the worker (called by the worker script):
/// `plan` keeps the bundle's text and the view, and plans the includes;
/// `analyse` analyses the text with the libraries the page fetched.
pub fn on_message(data: JsValue) {
    if get(&data, "kind").as_string().as_deref() == Some("plan") {
        let text = text_of(&get(&data, "text"));
        let from = get(&data, "base").as_string().unwrap_or_default();
        let base = if get(&data, "site").as_bool() == Some(true) {
            Base::Site(from)
        } else {
            Base::Url(from)
        };
        let planned = plan(&text, &base);
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
        PENDING.with(|p| {
            *p.borrow_mut() = Pending {
                main: Some(Document {
                    name: get(&data, "name").as_string().unwrap_or_default(),
                    text,
                }),
                filters: Filters::from_query(query.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
                force: get(&data, "force").as_bool(),
            }
        });
        let json = serde_json::to_string(&planned).unwrap_or_default();
        post(&[("kind", "planned".into()), ("plan", json.into())], None);
        if nothing_to_fetch(&planned) {
            answer(&[]);
        }
        return;
    }
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
    answer(&libraries);
}

/// Analyses the kept text with `libraries` and answers: the analysis in
/// transport parts first, so the page reads them while the worker lays
/// out the first view, then that layout.
fn answer(libraries: &[Result<Document, Diagnostic>]) {
    let Pending {
        main,
        filters,
        force,
    } = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
    let Some(main) = main else {
        return post(
            &[("kind", "error".into()), ("message", "no bundle".into())],
            None,
        );
    };
    let mut report = |p: Progress<'_>| {
        let (step, done, of) = match p {
            Progress::Read { bytes, bundle } => {
                // The observations go now: the page reads them while the
                // rules run here.
                if !bundle.observations.is_empty() {
                    if let Ok(chunks) = transport::encode_observations(&bundle.observations) {
                        let (list, transfer) = buffers(&chunks);
                        post(
                            &[
                                ("kind", "observations".into()),
                                ("total", (bundle.observations.len() as f64).into()),
                                ("chunks", list.into()),
                            ],
                            Some(&transfer),
                        );
                    }
                }
                ("read", bytes, bundle.observations.len())
            }
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
        whoserves_core::analyze_documents_with(&main, libraries, &Limits::default(), &mut report);
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
    match transport::encode(&main.text, &analysis, Some(then)) {
        Ok(parts) => {
            let (chunks, transfer) = buffers(&parts.chunks);
            let head = array_of(&parts.head);
            transfer.push(&head.buffer());
            post(
                &[
                    ("kind", "done".into()),
                    ("head", head.into()),
                    ("chunks", chunks.into()),
                ],
                Some(&transfer),
            );
        }
        Err(e) => return post(&[("kind", "error".into()), ("message", e.into())], None),
    }
    // The first view's layout, for the filters and layout the page shows.
    let layout = filters
        .as_of
        .is_none()
        .then(|| {
            transport::encode_layout(&layout::for_graph(&view::build(&analysis, &filters), force))
                .ok()
        })
        .flatten();
    match layout {
        Some(l) => {
            let a = array_of(&l);
            let transfer = Array::of1(&a.buffer());
            post(
                &[("kind", "layout".into()), ("layout", a.into())],
                Some(&transfer),
            );
        }
        None => post(
            &[("kind", "layout".into()), ("layout", JsValue::NULL)],
            None,
        ),
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
    /// The page is reading the result back: observations and findings read.
    Receiving(usize),
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
            Step::Receiving(done) => format!(
                "Receiving the analysis: {} observations and findings read…",
                n(*done)
            ),
        }
    }
}

/// How long the page reads the worker's answer before letting other work
/// run, in milliseconds: well under the 50 ms of a long task.
const SLICE_MS: f64 = 16.0;

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
    /// Which worker this is: each one started has its own number.
    id: u32,
    worker: web_sys::Worker,
    /// Settles the request waiting for an answer, with the answer or
    /// `null` (cancelled).
    resolve: Rc<RefCell<Option<js_sys::Function>>>,
    /// Answers that came while nothing waited, oldest first.
    inbox: Rc<RefCell<std::collections::VecDeque<JsValue>>>,
    /// Where the worker's progress goes.
    step: StepSlot,
    // Kept alive while the worker may call them.
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    static RUNNING: RefCell<Option<Running>> = const { RefCell::new(None) };
    /// A worker started ahead, while a big body downloads ([`prestart`]).
    static SPARE: RefCell<Option<Running>> = const { RefCell::new(None) };
    static STARTED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Starts a worker now, for the big bundle whose body is on its way: it
/// instantiates the module while the bytes arrive. [`start_with`] takes it.
pub fn prestart() {
    if SPARE.with(|s| s.borrow().is_some()) {
        return;
    }
    if let Ok(r) = spawn() {
        SPARE.with(|s| *s.borrow_mut() = Some(r));
    }
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

/// Starts a worker (ending any other, taking a spare if there is one).
fn start() -> Result<(), Outcome> {
    cancel();
    let r = match SPARE.with(|s| s.borrow_mut().take()) {
        Some(r) => r,
        None => spawn()?,
    };
    RUNNING.with(|slot| *slot.borrow_mut() = Some(r));
    Ok(())
}

/// A new worker, handed the page's compiled module.
fn spawn() -> Result<Running, Outcome> {
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
    let inbox: Rc<RefCell<std::collections::VecDeque<JsValue>>> = Rc::default();
    let step: StepSlot = Rc::default();
    let on_message = {
        let (resolve, step, inbox) = (resolve.clone(), step.clone(), inbox.clone());
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
            } else {
                inbox.borrow_mut().push_back(data);
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
    Ok(Running {
        id: STARTED.with(|n| {
            n.set(n.get() + 1);
            n.get()
        }),
        worker,
        resolve,
        inbox,
        step,
        _on_message: on_message,
        _on_error: on_error,
    })
}

/// Sends `request` to the running worker.
fn send(request: &JsValue, transfer: &Array) -> Result<(), Outcome> {
    RUNNING.with(|r| match r.borrow().as_ref() {
        None => Err(Outcome::Cancelled),
        Some(r) => r
            .worker
            .post_message_with_transfer(request, transfer)
            .map_err(|e| Outcome::Unavailable(format!("{e:?}"))),
    })
}

/// The running worker's next answer; `step` hears its progress meanwhile.
async fn next(step: Option<Rc<dyn Fn(Step)>>) -> Result<JsValue, Outcome> {
    let mut slot: Option<js_sys::Function> = None;
    let promise = js_sys::Promise::new(&mut |resolve, _| slot = Some(resolve));
    let waiting = RUNNING.with(|r| {
        let r = r.borrow();
        let r = r.as_ref()?;
        *r.step.borrow_mut() = step;
        let early = r.inbox.borrow_mut().pop_front();
        if early.is_none() {
            *r.resolve.borrow_mut() = slot.take();
        }
        Some(early)
    });
    let answer = match waiting {
        None => return Err(Outcome::Cancelled),
        Some(Some(early)) => early,
        Some(None) => JsFuture::from(promise).await.unwrap_or(JsValue::NULL),
    };
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

/// The view the worker lays out first, and the bundle's name.
pub struct FirstView<'a> {
    /// The bundle's name, for diagnostics.
    pub name: &'a str,
    /// The filters on screen.
    pub filters: &'a Filters,
    /// The layout choice ([`crate::state::LayoutKind::force`]).
    pub force: Option<bool>,
}

/// Starts a worker with the bundle's `text` and plans its includes there
/// (planning reads every observation's kind, a long task for a big
/// bundle). The worker keeps the text for [`analyse`], and starts on it
/// at once when the plan leaves nothing to fetch ([`nothing_to_fetch`]).
/// `raw`, when given, is the text's bytes outside the wasm: they are
/// handed over, not copied. `step` hears the worker's progress.
pub async fn start_with(
    text: &str,
    raw: Option<Uint8Array>,
    base: &Base,
    view: &FirstView<'_>,
    step: Rc<dyn Fn(Step)>,
) -> Result<Vec<Include>, Outcome> {
    start()?;
    let (from, site) = match base {
        Base::Site(s) => (s.as_str(), true),
        Base::Url(s) | Base::Dir(s) => (s.as_str(), false),
    };
    let bytes = raw.unwrap_or_else(|| array_of(text.as_bytes()));
    let transfer = Array::of1(&bytes.buffer());
    let pairs = Array::new();
    for (k, v) in view.filters.to_query() {
        pairs.push(&Array::of2(&k.into(), &v.into()));
    }
    let request = object(&[
        ("kind", "plan".into()),
        ("text", bytes.into()),
        ("base", from.into()),
        ("site", site.into()),
        ("name", view.name.into()),
        ("filters", pairs.into()),
        (
            "force",
            view.force.map_or(JsValue::UNDEFINED, JsValue::from),
        ),
    ]);
    send(&request, &transfer)?;
    let answer = next(Some(step)).await?;
    let json = get(&answer, "plan").as_string().unwrap_or_default();
    serde_json::from_str(&json).map_err(|e| Outcome::Unavailable(format!("plan: {e}")))
}

/// Analyses the text [`start_with`] gave the worker, with the `libraries`
/// its `plan` named, and reads the result back without a long task
/// (`still_wanted` is asked between slices). Also gives the first view's
/// layout.
pub async fn analyse(
    name: &str,
    plan: &[Include],
    libraries: &[Result<Document, Diagnostic>],
    step: Rc<dyn Fn(Step)>,
    still_wanted: impl Fn() -> bool,
) -> Result<(Analysis, Option<Layout>), Outcome> {
    // However it ends, this worker's work is over then (unless a later
    // load has started another meanwhile: that one stays).
    struct Done(Option<u32>);
    impl Drop for Done {
        fn drop(&mut self) {
            let ours = |r: &mut Option<Running>| r.as_ref().map(|r| r.id) == self.0;
            if let Some(r) = RUNNING.with(|r| {
                let mut r = r.borrow_mut();
                if ours(&mut r) {
                    r.take()
                } else {
                    None
                }
            }) {
                r.worker.terminate();
            }
        }
    }
    let _done = Done(RUNNING.with(|r| r.borrow().as_ref().map(|r| r.id)));
    if !nothing_to_fetch(plan) {
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
        let request = object(&[("kind", "analyse".into()), ("libraries", libs.into())]);
        send(&request, &transfer)?;
    }
    // Chunks are read until a slice of time is used, then the page runs.
    let now = crate::load::now;
    let unavailable = |e: String| Outcome::Unavailable(e);
    // A slice of time is used: the page runs for a frame.
    let breathe = |read: usize| {
        let step = step.clone();
        let still_wanted = &still_wanted;
        async move {
            step(Step::Receiving(read));
            crate::load::next_frame().await;
            if still_wanted() {
                Ok(())
            } else {
                Err(Outcome::Cancelled)
            }
        }
    };
    let mut asm = Assembly::default();
    let mut since = now();
    let mut answer = next(Some(step.clone())).await?;
    loop {
        if !still_wanted() {
            return Err(Outcome::Cancelled);
        }
        let observations = match get(&answer, "kind").as_string().as_deref() {
            Some("observations") => true,
            Some("done") => false,
            Some("failed") => {
                let json = get(&answer, "diagnostics").as_string().unwrap_or_default();
                return Err(Outcome::Failed(
                    serde_json::from_str(&json).unwrap_or_default(),
                ));
            }
            other => return Err(Outcome::Unavailable(format!("unexpected answer {other:?}"))),
        };
        let total = |asm: &Assembly| asm.read();
        if let Some(n) = get(&answer, "total").as_f64() {
            // A hostile or broken count cannot reserve more than the
            // loader would ever hold.
            asm.expect_observations((n as usize).min(Limits::default().max_observations));
        }
        if !observations {
            asm.head(&bytes_of(&get(&answer, "head")))
                .map_err(unavailable)?;
            // The head of a big bundle (its timeline, verdicts and
            // diagnostics) can be a slice's work of its own.
            if now() - since > SLICE_MS {
                breathe(total(&asm)).await?;
                since = now();
            }
        }
        for c in Array::from(&get(&answer, "chunks")).iter() {
            let c = bytes_of(&c);
            if observations {
                asm.observations(&c)
            } else {
                asm.findings(&c)
            }
            .map_err(unavailable)?;
            if now() - since > SLICE_MS {
                breathe(total(&asm)).await?;
                since = now();
            }
        }
        if !observations {
            break;
        }
        answer = next(Some(step.clone())).await?;
    }
    // Putting it together loads the skeleton again (the rules compiled on
    // this side too): a slice of its own.
    if now() - since > SLICE_MS / 2.0 {
        breathe(asm.read()).await?;
    }
    let analysis = asm
        .finish(name, libraries, &Limits::default())
        .map_err(unavailable)?;
    crate::load::mark("whoserves:worker-assembled");
    // The worker laid out the first view meanwhile.
    let answer = next(Some(step)).await?;
    if !still_wanted() {
        return Err(Outcome::Cancelled);
    }
    let layout = get(&answer, "layout");
    let layout = (!layout.is_null())
        .then(|| transport::decode_layout(&bytes_of(&layout)).ok())
        .flatten();
    Ok((analysis, layout))
}
