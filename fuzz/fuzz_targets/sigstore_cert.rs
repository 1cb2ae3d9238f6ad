//! X.509 certificates as a bundle offers them: parsing, the leaf profile, SANs, the Fulcio
//! identity extensions, embedded SCTs (and the precertificate rebuilt for them), and the chain
//! to each public-good Fulcio authority (at its start, and now). Never a panic. (Genuine Fulcio
//! leaves seed the corpus and do chain at their own time: nothing here asserts refusal; the
//! bundle target does, end to end.)
#![no_main]
mod common;
use libfuzzer_sys::fuzz_target;
use opk_verify::sigstore::cert::{Cert, CODE_SIGNING};
use opk_verify::sigstore::chain::{verify_at, ParsedAuthority};
use opk_verify::sigstore::signatures::Signatures;
use opk_verify::sigstore::{identity, sct};

fuzz_target!(|data: &[u8]| {
    let Ok(cert) = Cert::parse(data) else { return };
    let _ = cert.check_leaf(CODE_SIGNING, false);
    let _ = cert.basic_constraints();
    let _ = cert.subject_alt_names();
    let _ = identity::of(&cert);
    let _ = sct::embedded(&cert);
    let _ = sct::precertificate_tbs(&cert);
    let root = common::public_good();
    for authority in &root.certificate_authorities {
        let Ok(parsed) = ParsedAuthority::parse(authority) else {
            continue;
        };
        if let Some(issuer) = parsed.certs.first() {
            let _ = sct::verify(&cert, issuer, &root.ctlogs, &Signatures::native());
        }
        let now = opk_verify::sigstore::time::Millis::from_secs(common::SIGSTORE_NOW.0);
        for t in [authority.valid_for.start, now] {
            let _ = verify_at(&cert, &parsed, t, CODE_SIGNING, &Signatures::native());
        }
    }
});
