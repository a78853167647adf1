//! Entry point of the whoserves viewer: install the panic hook and mount.
//! In the analysis worker (`src/worker.rs`) there is no window: nothing
//! mounts, and the worker script calls [`whoserves_worker_message`].

use wasm_bindgen::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    if web_sys::window().is_none() {
        return;
    }
    leptos::mount::mount_to_body(whoserves_app::App);
}

/// One request to the analysis worker (called by the worker script).
#[wasm_bindgen]
pub fn whoserves_worker_message(data: JsValue) {
    whoserves_app::worker::on_message(data);
}
