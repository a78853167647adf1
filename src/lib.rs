//! The whoserves viewer: a thin Leptos shell over `whoserves-core`.
//!
//! It fetches, holds state and renders. Every verdict comes from
//! [`whoserves_core::analyze`], the function the CLI calls too.

use leptos::prelude::*;
use serde::Deserialize;
use whoserves_core::{analyze_documents, includes, Analysis, Document, Limits, Verdict};

/// `public/bundles/index.json`: the shipped bundles and the default one.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    /// The file name of the bundle to load first.
    pub default: String,
    /// Every shipped bundle.
    pub bundles: Vec<ManifestEntry>,
}

/// One shipped bundle.
#[derive(Debug, Clone, Deserialize)]
pub struct ManifestEntry {
    /// File name under `bundles/`.
    pub file: String,
    /// Title for the picker.
    pub title: String,
}

async fn fetch_text(url: &str) -> Result<String, String> {
    let resp = gloo_net::http::Request::get(url)
        .send()
        .await
        .map_err(|e| format!("could not fetch {url}: {e}"))?;
    if !resp.ok() {
        return Err(format!("could not fetch {url}: HTTP {}", resp.status()));
    }
    resp.text()
        .await
        .map_err(|e| format!("could not read {url}: {e}"))
}

/// Resolves `reference` against `base` as a browser would.
fn resolve(reference: &str, base: &str) -> Result<String, String> {
    let base = web_sys::Url::new_with_base(base, &page_url())
        .map_err(|_| format!("cannot resolve {base}"))?
        .href();
    web_sys::Url::new_with_base(reference, &base)
        .map(|u| u.href())
        .map_err(|_| format!("cannot resolve {reference} against {base}"))
}

fn page_url() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

/// The `bundle` query parameter, if any.
fn bundle_param() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get("bundle")
}

/// Fetches a bundle and the rule libraries it includes, then analyses them
/// with the core.
async fn load_bundle(url: String) -> Result<(String, Analysis), String> {
    let text = fetch_text(&url).await?;
    let mut libraries = Vec::new();
    for inc in includes(&text) {
        let lib_url = resolve(&inc, &url)?;
        libraries.push(Document {
            name: inc,
            text: fetch_text(&lib_url).await?,
        });
    }
    let main = Document {
        name: url.clone(),
        text,
    };
    Ok((
        url,
        analyze_documents(&main, &libraries, &Limits::default()),
    ))
}

async fn load_default() -> Result<(String, Analysis), String> {
    if let Some(url) = bundle_param() {
        return load_bundle(url).await;
    }
    let manifest: Manifest = serde_json::from_str(&fetch_text("bundles/index.json").await?)
        .map_err(|e| format!("bundles/index.json: {e}"))?;
    load_bundle(format!("bundles/{}", manifest.default)).await
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let loaded = LocalResource::new(load_default);
    view! {
        <main class="app">
            <h1 class="brand">"whoserves"</h1>
            <Suspense fallback=|| view! { <p data-testid="loading">"Loading the bundle…"</p> }>
                {move || loaded.get().map(|r| match r {
                    Ok((url, analysis)) => view! { <Overview url analysis /> }.into_any(),
                    Err(e) => view! { <p class="error" data-testid="load-error">{e}</p> }.into_any(),
                })}
            </Suspense>
        </main>
    }
}

/// Title, banner, diagnostics count and verdict counts of one analysis.
#[component]
pub fn Overview(url: String, analysis: Analysis) -> impl IntoView {
    let report = analysis.report();
    let summary = report.summary;
    let no_raw_evidence =
        analysis.bundle.observations.is_empty() && !analysis.bundle.claims.is_empty();
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
    view! {
        <section data-testid="overview">
            <h2 data-testid="bundle-title">{report.title.clone()}</h2>
            <p class="source">"Loaded from "<code>{url}</code></p>
            {report.banner.clone().map(|b| view! { <p class="banner" data-testid="banner">{b}</p> })}
            <p data-testid="diagnostic-counts">
                {format!("{} error(s), {} warning(s)", report.errors, report.warnings)}
            </p>
            {no_raw_evidence.then(|| view! {
                <p class="note" data-testid="no-evidence-note">
                    "This bundle holds no observations: the report did not publish its raw evidence. "
                    "Every claim therefore shows “no evidence”, which means the bundle cannot tell, "
                    "not that the claim is false. Load an evidence file to check these claims."
                </p>
            })}
            <p>{format!("{} claims:", report.claims.len())}</p>
            <ul class="verdicts" data-testid="verdict-counts">{counts}</ul>
        </section>
    }
}
