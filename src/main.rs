//! Entry point of the whoserves viewer: install the panic hook and mount.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(whoserves_app::App);
}
