//! The core's vectors on wasm32, in headless Chromium: the same bytes (include_bytes!) and the
//! same API as natively, so the browser build verifies exactly what the CLI verifies.
#![cfg(target_arch = "wasm32")]

mod common;

use common::forge::*;
use common::*;
use opk_verify::{verify_envelope, verify_jwt, verify_pk_token, Format, TrustRoots, VerifyError};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn go_reference_f0_envelopes_verify() {
    for env in [DSSE_PROVENANCE, DSSE_SPDX] {
        let v = verify_envelope(env, SUBJECT, &trust_synthetic(), &demo_policy(), NOW).unwrap();
        assert_eq!(v.format, Format::F0);
    }
}

#[wasm_bindgen_test]
fn real_github_tokens_and_gq_proof_verify() {
    let trust = TrustRoots::bundled().unwrap();
    for t in [
        GH_TOKEN_2022,
        GH_TOKEN_2023_10,
        GH_TOKEN_2023_12,
        GQ_OVER_REAL_2022,
    ] {
        assert!(verify_jwt(t, &trust, &any_github(), NOW).is_ok());
    }
}

#[wasm_bindgen_test]
fn real_google_pk_tokens_verify() {
    for pkt in [GOOGLE_PKT_0529, GOOGLE_PKT_0531] {
        assert_eq!(
            verify_pk_token(pkt, &trust_google(), &any_google(), NOW)
                .unwrap()
                .format,
            Some(Format::Compact2023)
        );
    }
}

#[wasm_bindgen_test]
fn signing_and_mutations_behave_the_same_on_wasm32() {
    let (op, client) = (TestOp::new(), Client::new());
    for kind in [GqKind::Original, GqKind::F2, GqKind::F3] {
        let p = build(&op, &client, None, kind, |_| {});
        let bytes = if kind == GqKind::Original {
            p.f0_json()
        } else {
            p.typed_json()
        };
        assert!(verify_pk_token(&bytes, &op.trust(), &demo_policy(), NOW).is_ok());
        let mut m = p.clone();
        m.cic_sig = p.op_sig[..86].to_string();
        let bytes = if kind == GqKind::Original {
            m.f0_json()
        } else {
            m.typed_json()
        };
        assert_eq!(
            verify_pk_token(&bytes, &op.trust(), &demo_policy(), NOW)
                .unwrap_err()
                .error,
            VerifyError::CicSignatureInvalid
        );
    }
    let env = envelope(&op, &client, STATEMENT.as_bytes());
    assert!(verify_envelope(&env, SUBJECT, &op.trust(), &demo_policy(), NOW).is_ok());
}
