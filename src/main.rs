//! Browser entry point: mounts the OPK Explorer app into the page (built by Trunk from `web/index.html`).

#[cfg(target_arch = "wasm32")]
fn main() {
    opk_explorer::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("opk-explorer is a web app: build it with `trunk build` (scripts/build) or run scripts/serve");
    std::process::exit(2);
}
