//! Image references: never a panic; a parsed reference prints to a form that parses to itself.
#![no_main]
use libfuzzer_sys::fuzz_target;
use opk_registry::Reference;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(r) = Reference::parse(s) {
        let again = Reference::parse(&r.to_string()).expect("a printed reference parses");
        assert_eq!(again, r);
        let _ = r.purl("linux/amd64");
    }
});
