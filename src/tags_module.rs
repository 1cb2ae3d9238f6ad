//! A repository's tags view (`crate::views::tags`) as a module of the page: fetched when a
//! link or a click asks for a repository's tags, not with the page. [`tags_builder`] is a split
//! point of `wasm_split_helpers` (web/split-app.mjs cuts the build there); it hands back the
//! function that builds the view, whose code is the module's, so the page calls it as it
//! renders (in the component's reactive owner, synchronously). The module is this build's own
//! code sharing the page's memory and reactive runtime.

// The split macro declares the module's function as a wasm import and export (`extern "C"`,
// `#[no_mangle]`): generated linkage, the only unsafe code in this crate.
#![allow(unsafe_code)]

use leptos::prelude::*;

use crate::module_not_loaded::ModuleNotLoaded;

use crate::params::Params;
use crate::views::tags::TagsView;

/// What the page shows in the tags view's place when the module does not load.
pub const NOT_LOADED: &str =
    "tags_view_not_loaded: the tags view (a module of this page) did not load; try again or reload the page";

/// Builds the tags view of a repository (`registry/name`) under the page's request.
pub type TagsBuilder = fn(String, Params) -> AnyView;

/// The tags view's builder, from the tags module, which this loads first.
#[wasm_split_helpers::wasm_split(tags, fallible)]
pub fn tags_builder() -> Result<TagsBuilder, ModuleNotLoaded> {
    Ok(build)
}

fn build(repository: String, params: Params) -> AnyView {
    view! { <TagsView repository=repository params=params/> }.into_any()
}
