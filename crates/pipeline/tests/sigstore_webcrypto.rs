//! WebCrypto (the browser's fast path for Sigstore's ECDSA and RSA signatures) and the core
//! (`p256`, `p384`, `rsa`: the reference) agree, in headless Chromium, on every signature that
//! sigstore-conformance's 70 bundles make the pipeline check — the artifact's or envelope's,
//! the certificate chain's, SCTs, SETs, checkpoints, timestamps — and on three mutations of
//! each (a flipped bit in the signature, in the message, a truncated signature). And every
//! case has exactly the reference's outcome when WebCrypto checks first.
#![cfg(target_arch = "wasm32")]

#[path = "../../verify/tests/common/sigstore_case.rs"]
mod sigstore_case;
#[path = "../../verify/tests/sigstore_cases.rs"]
mod sigstore_cases;

use opk_pipeline::sigstore_module::Linked;
use opk_pipeline::webcrypto::{verify_bundle as webcrypto_verify_bundle, webcrypto_signature};
use opk_verify::sigstore::signatures::SignatureCheck;
use opk_verify::sigstore::{signature_checks, verify_bundle, Artifact};
use sigstore_cases::CASES;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// The check and its mutations, each with a name (each a check as the core makes it, so its
/// WebCrypto form is the mutated signature's).
fn variants(check: &SignatureCheck) -> Vec<(&'static str, SignatureCheck)> {
    let with = |message: Vec<u8>, signature: Vec<u8>| {
        SignatureCheck::new(check.key().clone(), check.scheme(), message, signature)
    };
    let mut out = vec![("as signed", check.clone())];
    let mut sig = check.signature().to_vec();
    if let Some(last) = sig.last_mut() {
        *last ^= 1;
    }
    out.push(("signature bit", with(check.message().to_vec(), sig)));
    let mut msg = check.message().to_vec();
    if let Some(first) = msg.first_mut() {
        *first ^= 0x80;
    }
    out.push(("message bit", with(msg, check.signature().to_vec())));
    let mut short = check.signature().to_vec();
    short.truncate(short.len() / 2);
    out.push(("truncated", with(check.message().to_vec(), short)));
    out
}

#[wasm_bindgen_test]
async fn webcrypto_agrees_with_the_core_on_every_signature_of_the_suite() {
    let mut compared = 0;
    let mut accepted = 0;
    let mut disagree = Vec::new();
    for case in CASES {
        let Ok((trust, policy)) = sigstore_case::setup(case) else {
            continue;
        };
        let artifact = Artifact::Bytes(sigstore_case::artifact(case));
        let checks = signature_checks(case.bundle, artifact, &trust, &policy, sigstore_case::NOW);
        for check in &checks {
            for (what, v) in variants(check) {
                let reference = v.verify();
                let fast = webcrypto_signature(&v).await;
                // WebCrypto may be unable to answer (an encoding the core refuses first); it
                // must never accept what the core refuses, nor refuse what it accepts.
                let agrees = match fast {
                    Some(f) => f == reference,
                    None => !reference,
                };
                if !agrees {
                    disagree.push(format!(
                        "{} {:?} {what}: core {reference}, WebCrypto {fast:?}",
                        case.name,
                        v.scheme()
                    ));
                }
                compared += 1;
                accepted += usize::from(fast == Some(true));
            }
        }
    }
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
    assert!(compared >= 600, "{compared} comparisons");
    assert!(accepted >= 150, "{accepted} accepted by WebCrypto");
}

#[wasm_bindgen_test]
async fn every_case_has_the_reference_outcome_with_webcrypto_first() {
    let mut differ = Vec::new();
    for case in CASES {
        let Ok((trust, policy)) = sigstore_case::setup(case) else {
            continue;
        };
        let artifact = Artifact::Bytes(sigstore_case::artifact(case));
        let now = sigstore_case::NOW;
        let code = |r: Result<_, opk_verify::Rejected>| r.map(|_| ()).map_err(|r| r.error);
        let reference = code(verify_bundle(case.bundle, artifact, &trust, &policy, now));
        // The verifier linked into this module is always loaded.
        let fast = webcrypto_verify_bundle(&Linked, case.bundle, artifact, &trust, &policy, now);
        let Ok(fast) = fast.await else {
            panic!(
                "{}: the verifier module did not load in a build that links it",
                case.name
            );
        };
        let fast = code(fast);
        if reference != fast {
            differ.push(format!("{}: {reference:?} vs {fast:?}", case.name));
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}
