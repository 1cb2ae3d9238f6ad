//! Signed-note checkpoints (Rekor v1 and v2): parsing, and signature checks against every
//! public-good log. Never a panic. (Genuine checkpoints seed the corpus and do verify: nothing
//! here asserts refusal; the bundle target does, end to end.)
#![no_main]
mod common;
use libfuzzer_sys::fuzz_target;
use opk_verify::sigstore::checkpoint::SignedNote;
use opk_verify::sigstore::signatures::Signatures;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(note) = SignedNote::parse(text) else {
        return;
    };
    for log in &common::public_good().tlogs {
        let _ = note.verify_signed_by(log, &Signatures::native());
    }
});
