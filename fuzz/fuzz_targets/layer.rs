//! Layer listing: arbitrary bytes under each media type the lister reads (gzip, zstd, plain
//! tar), fed in chunks whose size the input chooses. Never a panic, and never more entries
//! than the lister's bound.
#![no_main]
use libfuzzer_sys::fuzz_target;
use opk_layer::{tar::MAX_ENTRIES, LayerLister};

const MEDIA_TYPES: [&str; 3] = [
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.oci.image.layer.v1.tar",
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let media_type = MEDIA_TYPES[usize::from(first) % MEDIA_TYPES.len()];
    let chunk = usize::from(first / 3).max(1) * 7;
    let Ok(mut lister) = LayerLister::new(media_type, Some(("etc/passwd".into(), 1024))) else {
        return;
    };
    for c in rest.chunks(chunk) {
        if lister.push(c).is_err() {
            return;
        }
    }
    if let Ok(listing) = lister.finish() {
        assert!(listing.entries.len() <= MAX_ENTRIES);
    }
});
