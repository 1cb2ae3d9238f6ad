//! The one failure every split point of the page can have: its module did not load (offline, a
//! server that does not have it, or bytes that fail the integrity the page pins). The split
//! loader does not keep the failure, so the next call fetches the module again.

/// A module of the page did not load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModuleNotLoaded;

impl From<wasm_split_helpers::SplitLoaderError> for ModuleNotLoaded {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
        Self
    }
}
