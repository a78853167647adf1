//! The charts view: providers × categories, and firms per provider. The
//! data and the pictures come from the core (`view::provider_category_matrix`,
//! `view::chart`), which escapes every text and attribute it writes, so
//! the SVG strings are safe to insert as HTML.

use crate::state::AppState;
use leptos::prelude::*;
pub use whoserves_core::view::chart::{firms_svg as firms_per_provider_svg, matrix_svg};
use whoserves_core::view::provider_category_matrix;

/// Both charts, with short descriptions and a data-table pointer.
#[component]
pub fn Charts() -> impl IntoView {
    let state = expect_context::<AppState>();
    let matrix = Memo::new(move |_| provider_category_matrix(&state.graph.get()));
    view! {
        <section class="charts" data-testid="charts">
            <figure>
                <figcaption>"Providers × categories: how many distinct firms each provider has a finding for in each category, of any relationship (direct, account, incidental or weak; claims without a finding are not counted). Tick a relationship filter, e.g. \u{201c}direct\u{201d}, to count only those. The table view lists every edge."</figcaption>
                <div class="chart" tabindex="0" role="img" aria-label="Chart: distinct firms per provider and category; the table view lists the same edges" data-testid="chart-matrix" inner_html=move || matrix_svg(&matrix.get())></div>
            </figure>
            <figure>
                <figcaption>"Firms per provider: distinct firms each provider (with its services) has a finding for, under the same rule."</figcaption>
                <div class="chart" tabindex="0" role="img" aria-label="Chart: distinct firms per provider; the table view lists the same edges" data-testid="chart-firms" inner_html=move || firms_per_provider_svg(&matrix.get())></div>
            </figure>
        </section>
    }
}
