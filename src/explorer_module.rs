//! The platform explorer (`crate::views::explorer`: summary, config, layers with their file
//! lists, attestation manifests and SBOM tables) as a module of the page: fetched as a run
//! starts, beside the registry's first requests, not with the page — a verdict does not need
//! it, and it is drawn after the verdict is painted. [`explorer_builder`] is a split point of
//! `wasm_split_helpers` (web/split-app.mjs cuts the build there); it hands back the function
//! that builds the view, whose code is the module's, so the page calls it as it renders (in the
//! component's reactive owner, synchronously). The module is this build's own code sharing the
//! page's memory and reactive runtime.

// The split macro declares the module's function as a wasm import and export (`extern "C"`,
// `#[no_mangle]`): generated linkage, the only unsafe code in this crate.
#![allow(unsafe_code)]

use leptos::prelude::*;

use crate::module_not_loaded::ModuleNotLoaded;
use opk_registry::Reference;

use crate::session::PlatformView;
use crate::views::explorer::{Config, PlatformExplorer};

/// What the page shows in the explorer's place when the module does not load: the verdict
/// above it stands.
pub const NOT_LOADED: &str =
    "explorer_not_loaded: the image explorer (a module of this page) did not load; verify again or reload the page";

/// Builds one platform's explorer: the image's reference, the proxy, the platform, its config.
pub type ExplorerBuilder = fn(Reference, String, PlatformView, Config) -> AnyView;

/// The explorer's builder, from the explorer module, which this loads first.
#[wasm_split_helpers::wasm_split(explorer, fallible)]
pub fn explorer_builder() -> Result<ExplorerBuilder, ModuleNotLoaded> {
    Ok(build)
}

fn build(reference: Reference, proxy: String, platform: PlatformView, config: Config) -> AnyView {
    view! { <PlatformExplorer reference=reference proxy=proxy platform=platform config=config/> }
        .into_any()
}
