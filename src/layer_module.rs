//! The layer lister (gzip, zstd and tar readers of `opk-layer`) as the page's third module:
//! fetched the first time a layer is listed, not with the page. [`start`] is a split point of
//! `wasm_split_helpers` (web/split-app.mjs cuts the build there); it builds the lister in that
//! module and hands it back as a [`LayerFeed`], whose calls run the module's code. The module is
//! this build's own code sharing the page's memory, so listings and errors are `opk-layer`'s
//! own types.

// The split macro declares the module's function as a wasm import and export (`extern "C"`,
// `#[no_mangle]`): generated linkage, the only unsafe code in this crate.
#![allow(unsafe_code)]

use opk_layer::{LayerError, LayerLister, Listing};

/// A layer being listed, fed chunk by chunk.
pub trait LayerFeed {
    /// Feeds the layer's next compressed bytes.
    fn push(&mut self, chunk: &[u8]) -> Result<(), LayerError>;
    /// After the last chunk: the entries and the file asked for.
    fn finish(self: Box<Self>) -> Result<Listing, LayerError>;
}

impl LayerFeed for LayerLister {
    fn push(&mut self, chunk: &[u8]) -> Result<(), LayerError> {
        LayerLister::push(self, chunk)
    }

    fn finish(self: Box<Self>) -> Result<Listing, LayerError> {
        LayerLister::finish(*self)
    }
}

/// Why a listing could not start.
#[derive(Debug)]
pub enum StartError {
    /// The module holding the lister did not load.
    NotLoaded,
    /// The layer cannot be listed (a media type it does not read).
    Layer(LayerError),
}

impl From<wasm_split_helpers::SplitLoaderError> for StartError {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
        Self::NotLoaded
    }
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotLoaded => f.write_str(
                "layer_browser_not_loaded: the layer browser (a module of this page) did not load; reload the page",
            ),
            Self::Layer(e) => write!(f, "{}: {e}", e.code()),
        }
    }
}

/// A lister for a layer of `media_type` (keeping the file `capture` names, if small enough),
/// built in the layer module, which this loads first.
#[wasm_split_helpers::wasm_split(layer, fallible)]
pub fn start(
    media_type: &str,
    capture: Option<(String, usize)>,
) -> Result<Box<dyn LayerFeed>, StartError> {
    match LayerLister::new(media_type, capture) {
        Ok(lister) => Ok(Box::new(lister)),
        Err(e) => Err(StartError::Layer(e)),
    }
}
