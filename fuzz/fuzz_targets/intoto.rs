//! in-toto statements: never a panic; a parsed statement has subjects with valid sha256 digests.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = opk_verify::intoto::Statement::parse(data) {
        assert!(!s.subject.is_empty());
        for sub in &s.subject {
            if let Some(h) = &sub.sha256 {
                assert!(
                    h.len() == 64
                        && h.bytes()
                            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
                );
            }
        }
    }
});
