//! Browser entry point: mounts the OPK Explorer app into the page (built by Trunk from `web/index.html`).

fn main() {
    opk_explorer::mount();
}
