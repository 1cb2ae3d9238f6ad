//! OPK Explorer, the Leptos client-side-rendered web app.
//!
//! Everything runs in the page: fetching goes through `opk-registry`, verification through
//! `opk-verify`, and nothing a server says is trusted. This module only assembles the views.

// Unsafe only where the split macro generates its linkage (explorer_module.rs, layer_module.rs,
// offline_module.rs, sigstore_module.rs, tags_module.rs).
#![deny(unsafe_code)]

pub mod params;
pub mod sbom_rows;

// The page itself exists only in the browser (its transport is `fetch`).
#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod explorer_module;
#[cfg(target_arch = "wasm32")]
mod layer_module;
#[cfg(target_arch = "wasm32")]
mod module_not_loaded;
#[cfg(target_arch = "wasm32")]
mod offline_module;
#[cfg(target_arch = "wasm32")]
mod offline_verify;
#[cfg(target_arch = "wasm32")]
pub mod session;
#[cfg(target_arch = "wasm32")]
mod sigstore_module;
#[cfg(target_arch = "wasm32")]
mod tags_module;
#[cfg(target_arch = "wasm32")]
mod views;

#[cfg(target_arch = "wasm32")]
pub use app::App;

/// Mounts [`App`] into the page's `#app` element (falling back to `<body>`).
#[cfg(target_arch = "wasm32")]
pub fn mount() {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(el) => {
            let el: web_sys::HtmlElement = wasm_bindgen::JsCast::unchecked_into(el);
            leptos::mount::mount_to(el, App).forget();
        }
        None => leptos::mount::mount_to_body(App),
    }
}
