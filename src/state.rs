//! Application state: one context of plain signals, and its URL form.
//!
//! Domain data (the analysis, the graph, the layout) lives in plain core
//! types behind `Arc`s; signals only say which of them is current.

use leptos::prelude::*;
use std::sync::Arc;
use whoserves_core::layout::{self, Layout};
use whoserves_core::view::{self as graph, param, Filters, Graph};
use whoserves_core::{Analysis, Diagnostic};

/// A shared, immutable value compared by identity, so memos over large
/// analyses never compare them field by field.
#[derive(Debug)]
pub struct Shared<T>(pub Arc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// A bundle that loaded without errors and is on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Current {
    /// Where it came from: a URL, or `file: NAME` for a local file.
    pub source: String,
    /// The `bundle` URL parameter that reloads it (`None` for local files).
    pub param: Option<String>,
    /// The analysis.
    pub analysis: Shared<Analysis>,
    /// The rule libraries it includes, as written, each with why it was not
    /// read (`None` when it was).
    pub libraries: Vec<(String, Option<String>)>,
    /// The bundle's own text, as loaded (without any live layer).
    pub text: Arc<String>,
    /// Where its includes resolve from.
    pub base: String,
    /// Whether the analysis includes the live layer.
    pub live: bool,
    /// Where the bundle comes from when this site did not publish it (it
    /// is not in the site's manifest): a host, or "your own disk".
    pub foreign: Option<String>,
    /// What the bundle's signature says.
    pub signature: whoserves_core::sign::Verification,
    /// The libraries it reads that no SHA-256 pins, so that its signature
    /// does not cover them.
    pub unpinned: Vec<String>,
    /// The layout the analysis worker made for the first view, if it made
    /// one (`src/worker.rs`).
    pub first_layout: Option<FirstLayout>,
}

/// A layout made with the analysis, for one view: used while the page
/// shows that view, instead of laying the graph out again.
#[derive(Debug, Clone, PartialEq)]
pub struct FirstLayout {
    /// The filters it was made for.
    pub filters: Filters,
    /// The layout choice it was made for.
    pub kind: LayoutKind,
    /// The layout.
    pub layout: Shared<Layout>,
}

/// What the loader is doing.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Status {
    /// Nothing.
    #[default]
    Idle,
    /// Working: the step in words.
    Busy(String),
    /// The last attempt failed; the previous bundle stays on screen.
    Failed {
        /// What was being loaded.
        source: String,
        /// A sentence for people.
        message: String,
        /// The bundle's diagnostics, when it got that far.
        diagnostics: Vec<Diagnostic>,
    },
    /// The reader stopped a load; the previous bundle stays on screen.
    Cancelled,
    /// A file opened from disk includes libraries on other sites: they
    /// are fetched only when the reader agrees.
    AskIncludes {
        /// The file's name.
        name: String,
        /// The file's text, waiting.
        text: Arc<String>,
        /// The other sites, by host.
        hosts: Vec<String>,
    },
}

/// What is selected.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Selection {
    /// Nothing.
    #[default]
    None,
    /// A firm or provider, by entity id.
    Node(String),
    /// An edge, by [`whoserves_core::view::Edge::key`].
    Edge(String),
}

/// The main view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// The graph.
    #[default]
    Graph,
    /// The table.
    Table,
    /// The charts.
    Charts,
}

impl View {
    /// URL name.
    pub fn as_str(self) -> &'static str {
        match self {
            View::Graph => "graph",
            View::Table => "table",
            View::Charts => "charts",
        }
    }
}

/// Which layout draws the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LayoutKind {
    /// Two columns for small graphs, force-directed above [`AUTO_FORCE_NODES`].
    #[default]
    Auto,
    /// Firms left, providers right, barycentric ordering.
    Columns,
    /// Force-directed, seeded.
    Force,
}

/// Above this many nodes, `Auto` picks the force-directed layout.
pub use whoserves_core::layout::AUTO_FORCE_NODES;

impl LayoutKind {
    /// URL name.
    pub fn as_str(self) -> &'static str {
        match self {
            LayoutKind::Auto => "auto",
            LayoutKind::Columns => "columns",
            LayoutKind::Force => "force",
        }
    }

    /// Whether the force-directed layout is asked for (`None`: chosen by
    /// the graph's size).
    pub fn force(self) -> Option<bool> {
        match self {
            LayoutKind::Force => Some(true),
            LayoutKind::Columns => Some(false),
            LayoutKind::Auto => None,
        }
    }

    /// Parses [`LayoutKind::as_str`].
    pub fn parse(s: &str) -> Self {
        match s {
            "columns" => LayoutKind::Columns,
            "force" => LayoutKind::Force,
            _ => LayoutKind::Auto,
        }
    }
}

/// The seed of the force-directed layout (fixed, so views are shareable).
pub use whoserves_core::layout::FORCE_SEED;

/// One entry of the bundle picker.
#[derive(Debug, Clone, PartialEq)]
pub struct PickerEntry {
    /// URL relative to the page.
    pub url: String,
    /// Title.
    pub title: String,
}

/// All state, provided as context.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The bundle on screen.
    pub current: RwSignal<Option<Current>>,
    /// Loader status.
    pub status: RwSignal<Status>,
    /// Shipped bundles.
    pub picker: RwSignal<Vec<PickerEntry>>,
    /// Filters.
    pub filters: RwSignal<Filters>,
    /// Selection.
    pub selection: RwSignal<Selection>,
    /// Hovered node index.
    pub hover: RwSignal<Option<usize>>,
    /// Main view.
    pub view: RwSignal<View>,
    /// Pan x, pan y, zoom.
    pub transform: RwSignal<(f64, f64, f64)>,
    /// Layout choice.
    pub layout_kind: RwSignal<LayoutKind>,
    /// The analysis with the as-of filter applied.
    pub analysis: Memo<Option<Shared<Analysis>>>,
    /// The filtered graph.
    pub graph: Memo<Shared<Graph>>,
    /// Its layout.
    pub layout: Memo<Shared<Layout>>,
    /// The live DNS check and its layer.
    pub live: crate::live::Live,
    /// The local file a followed link was made from (`file=`), if any.
    pub linked_file: RwSignal<Option<String>>,
    /// Embed mode and its id (`embed=1`, `embed-id`), fixed at start.
    pub embed: RwSignal<Option<String>>,
    /// Narrow screens: whether the filter drawer is open.
    pub filters_open: RwSignal<bool>,
    /// The number of the latest load started; an older load that
    /// finishes later is dropped.
    pub load_generation: StoredValue<u64>,
    /// The public keys whose signatures the viewer trusts: the manifest's,
    /// and any `key=` of the link.
    pub trusted_keys: RwSignal<Vec<whoserves_core::sign::TrustedKey>>,
    /// Whether the load in progress can be cancelled (it runs in the
    /// analysis worker).
    pub cancellable: RwSignal<bool>,
}

impl Current {
    /// The file name, when the bundle is a file the reader opened from disk.
    pub fn local_file(&self) -> Option<String> {
        match &self.param {
            None => self.source.strip_prefix("file: ").map(str::to_string),
            Some(_) => None,
        }
    }
}

impl AppState {
    /// Starts a load: returns its generation, which supersedes every
    /// earlier one.
    pub fn begin_load(&self) -> u64 {
        self.load_generation.update_value(|g| *g += 1);
        // An earlier load's worker has nothing left to do; only the load
        // that starts a worker offers to cancel.
        crate::worker::cancel();
        self.cancellable.set(false);
        self.load_generation.get_value()
    }

    /// Whether `generation` is still the latest load.
    pub fn is_latest(&self, generation: u64) -> bool {
        self.load_generation.get_value() == generation
    }

    /// The state of the page as a URL query, with `selection` instead of
    /// the current one: what a link to that view carries.
    pub fn query_with(&self, selection: Selection) -> String {
        self.url_state(selection, self.embed.get_untracked())
            .to_query()
    }

    /// The page's state as a [`UrlState`], with `selection` and `embed`.
    pub fn url_state(&self, selection: Selection, embed: Option<String>) -> UrlState {
        let (bundle, file) = self.current.with_untracked(|c| match c {
            Some(c) => (c.param.clone(), c.local_file()),
            None => (None, None),
        });
        UrlState {
            bundle,
            filters: self.filters.get_untracked(),
            selection,
            view: self.view.get_untracked(),
            layout: self.layout_kind.get_untracked(),
            file,
            embed,
        }
    }

    /// An absolute link to the page with `selection`.
    pub fn link_to(&self, selection: Selection) -> String {
        page_url(&self.query_with(selection))
    }

    /// Creates the state and its derived memos.
    pub fn new() -> Self {
        let current: RwSignal<Option<Current>> = RwSignal::new(None);
        let filters = RwSignal::new(Filters::default());
        let as_of = Memo::new(move |_| filters.with(|f| f.as_of));
        let analysis = Memo::new(move |_| {
            let cur = current.get()?;
            Some(match as_of.get() {
                Some(d) => Shared(Arc::new(cur.analysis.as_of(Some(d)))),
                None => cur.analysis.clone(),
            })
        });
        let graph = Memo::new(move |_| {
            let g = match analysis.get() {
                Some(a) => filters.with(|f| graph::build(&a, f)),
                None => Graph::default(),
            };
            Shared(Arc::new(g))
        });
        let layout_kind = RwSignal::new(LayoutKind::Auto);
        let layout = Memo::new(move |_| {
            let g = graph.get();
            let kind = layout_kind.get();
            let first = current.with(|c| c.as_ref().and_then(|c| c.first_layout.clone()));
            if let Some(f) = first {
                if f.kind == kind && filters.with(|x| *x == f.filters) {
                    return f.layout;
                }
            }
            let force = kind.force();
            crate::load::mark("whoserves:layout-start");
            let l = layout::for_graph(&g, force);
            crate::load::mark("whoserves:layout-end");
            Shared(Arc::new(l))
        });
        AppState {
            current,
            status: RwSignal::new(Status::Idle),
            picker: RwSignal::new(Vec::new()),
            filters,
            selection: RwSignal::new(Selection::None),
            hover: RwSignal::new(None),
            view: RwSignal::new(View::Graph),
            transform: RwSignal::new((0.0, 0.0, 1.0)),
            layout_kind,
            analysis,
            graph,
            layout,
            live: crate::live::Live::new(),
            linked_file: RwSignal::new(None),
            embed: RwSignal::new(None),
            filters_open: RwSignal::new(false),
            load_generation: StoredValue::new(0),
            trusted_keys: RwSignal::new(Vec::new()),
            cancellable: RwSignal::new(false),
        }
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

/// This page's address (origin and path) with `query`.
pub fn page_url(query: &str) -> String {
    let loc = web_sys::window().map(|w| w.location());
    let origin = loc
        .as_ref()
        .and_then(|l| l.origin().ok())
        .unwrap_or_default();
    let path = loc
        .as_ref()
        .and_then(|l| l.pathname().ok())
        .unwrap_or_default();
    format!("{origin}{path}{query}")
}

/// The id an embed posts its height under when the link names none.
pub const DEFAULT_EMBED_ID: &str = "whoserves";

/// The state kept in the URL.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UrlState {
    /// `bundle`: the bundle URL.
    pub bundle: Option<String>,
    /// Filters.
    pub filters: Filters,
    /// `sel`: `n:ID` or `e:KEY`.
    pub selection: Selection,
    /// `view`.
    pub view: View,
    /// `layout`.
    pub layout: LayoutKind,
    /// `file`: the name of the local file on screen when the link was made.
    pub file: Option<String>,
    /// `embed=1` (and `embed-id`): the chrome-less embed, with its id.
    pub embed: Option<String>,
}

impl UrlState {
    /// Parses a query string (with or without the leading `?`).
    pub fn parse(search: &str) -> Self {
        let pairs: Vec<(String, String)> = web_sys::UrlSearchParams::new_with_str(search)
            .ok()
            .map(|p| {
                let mut out = Vec::new();
                for k in param::ALL {
                    if let Some(v) = p.get(k) {
                        out.push((k.to_string(), v));
                    }
                }
                out
            })
            .unwrap_or_default();
        let get = |k: &str| pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone());
        use param::{BUNDLE, EMBED, EMBED_ID, FILE, LAYOUT, SELECTION, VIEW};
        let filters = Filters::from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let selection = match get(SELECTION) {
            Some(s) if s.starts_with("n:") => Selection::Node(s[2..].to_string()),
            Some(s) if s.starts_with("e:") => Selection::Edge(s[2..].to_string()),
            _ => Selection::None,
        };
        let view = match get(VIEW).as_deref() {
            Some("table") => View::Table,
            Some("charts") => View::Charts,
            _ => View::Graph,
        };
        UrlState {
            bundle: get(BUNDLE),
            filters,
            selection,
            view,
            layout: LayoutKind::parse(get(LAYOUT).as_deref().unwrap_or("")),
            file: get(FILE).filter(|_| get(BUNDLE).is_none()),
            embed: (get(EMBED).as_deref() == Some("1")).then(|| {
                get(EMBED_ID)
                    .filter(|i| !i.is_empty() && i.len() <= 64)
                    .unwrap_or_else(|| DEFAULT_EMBED_ID.to_string())
            }),
        }
    }

    /// The query string, starting with `?` (or empty).
    pub fn to_query(&self) -> String {
        let Ok(p) = web_sys::UrlSearchParams::new() else {
            return String::new();
        };
        if let Some(b) = &self.bundle {
            p.append(param::BUNDLE, b);
        }
        for (k, v) in self.filters.to_query() {
            p.append(k, &v);
        }
        match &self.selection {
            Selection::Node(id) => p.append(param::SELECTION, &format!("n:{id}")),
            Selection::Edge(key) => p.append(param::SELECTION, &format!("e:{key}")),
            Selection::None => {}
        }
        if self.view != View::Graph {
            p.append(param::VIEW, self.view.as_str());
        }
        if self.layout != LayoutKind::Auto {
            p.append(param::LAYOUT, self.layout.as_str());
        }
        if let (None, Some(f)) = (&self.bundle, &self.file) {
            p.append(param::FILE, f);
        }
        if let Some(id) = &self.embed {
            p.append(param::EMBED, "1");
            if id != DEFAULT_EMBED_ID {
                p.append(param::EMBED_ID, id);
            }
        }
        let s: String = p.to_string().into();
        if s.is_empty() {
            s
        } else {
            format!("?{s}")
        }
    }
}
