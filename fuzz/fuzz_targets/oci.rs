//! OCI indexes, manifests and digests: never a panic; parsed digests are canonical.
#![no_main]
use libfuzzer_sys::fuzz_target;
use opk_verify::oci::{Digest, Index, Manifest};

fuzz_target!(|data: &[u8]| {
    let _ = Index::parse(data);
    if let Ok(m) = Manifest::parse(data) {
        let _ = m.attestation_layers().count();
    }
    let _ = opk_registry::parse_top_level(data);
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(d) = Digest::parse(s) {
            assert_eq!(d.as_str(), s);
        }
    }
});
