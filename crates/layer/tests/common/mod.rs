//! What the layer lister's test binaries share: a counting allocator (the heap's peak while a
//! layer is listed), the lock that keeps a binary's tests from allocating beside a
//! measurement, and listing bytes in chunks of a given size.
// Each test binary uses its own part of this module.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use opk_layer::{LayerError, LayerLister, Listing};

struct Counting;
/// Bytes allocated now.
pub static NOW: AtomicUsize = AtomicUsize::new(0);
/// The most allocated at once since it was last reset.
pub static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let n = NOW.fetch_add(l.size(), Ordering::SeqCst) + l.size();
        PEAK.fetch_max(n, Ordering::SeqCst);
        System.alloc(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        NOW.fetch_sub(l.size(), Ordering::SeqCst);
        System.dealloc(p, l)
    }
}

#[global_allocator]
static A: Counting = Counting;

/// The heap counters are global: a binary's tests run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Held for the whole of each test.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Starts measuring: the peak from here, above what is allocated now.
pub fn measure_from_here() -> usize {
    let base = NOW.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    base
}

/// The peak heap growth since [`measure_from_here`] returned `base`.
pub fn peak_since(base: usize) -> usize {
    PEAK.load(Ordering::SeqCst) - base
}

/// Lists `layer` (of `media_type`) fed in 64 KiB chunks, as a registry stream arrives: its
/// entries and the peak heap growth while listing.
pub fn list_measured(media_type: &str, layer: &[u8]) -> (Vec<opk_layer::Entry>, usize) {
    let base = measure_from_here();
    let mut l = LayerLister::new(media_type, None).expect("a media type the lister reads");
    for c in layer.chunks(64 * 1024) {
        l.push(c).expect("the layer lists");
    }
    let entries = l.finish().expect("the layer lists").entries;
    (entries, peak_since(base))
}

/// Lists `bytes` of a layer of `media_type` fed in `chunk`-byte pieces, keeping `capture`.
pub fn list(
    media_type: &str,
    bytes: &[u8],
    chunk: usize,
    capture: Option<(&str, usize)>,
) -> Result<Listing, LayerError> {
    let mut l = LayerLister::new(media_type, capture.map(|(p, n)| (p.to_owned(), n)))?;
    for c in bytes.chunks(chunk) {
        l.push(c)?;
    }
    l.finish()
}
