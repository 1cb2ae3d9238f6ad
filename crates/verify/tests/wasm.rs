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
        // 64 bytes (canonical base64url) that are not this CIC's signature.
        m.cic_sig = format!("{}A", &p.op_sig[..85]);
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

/// In the browser GQ's rounds run two at a time, one per SIMD lane: a changed challenge part or
/// response, a zero response or one equal to `n`, in the first or second lane of a pair or in
/// the last pair, is rejected.
#[wasm_bindgen_test]
fn gq_mutations_in_either_lane_are_rejected_on_wasm32() {
    let (op, client) = (TestOp::new(), Client::new());
    let p = build(&op, &client, None, GqKind::Original, |_| {});
    let raw = opk_verify::b64::decode_url(&p.op_sig, "gq").unwrap();
    let verify = |proof: &[u8]| {
        let mut m = p.clone();
        m.op_sig = opk_verify::b64::encode_url(proof);
        verify_pk_token(&m.f0_json(), &op.trust(), &demo_policy(), NOW)
    };
    assert!(verify(&raw).is_ok());
    for round in [0, 1, 14, 15] {
        let s_i = 32 + round * 256..32 + (round + 1) * 256;
        let mut challenge = raw.clone();
        challenge[round * 2] ^= 1;
        let mut response = raw.clone();
        response[s_i.start + 100] ^= 1;
        let mut zero = raw.clone();
        zero[s_i.clone()].fill(0);
        let mut modulus = raw.clone();
        modulus[s_i].copy_from_slice(op.key.modulus_bytes());
        for bad in [challenge, response, zero, modulus] {
            assert_eq!(
                verify(&bad).unwrap_err().error,
                VerifyError::OpSignatureInvalid { scheme: "GQ" },
                "round {round}"
            );
        }
    }
}
