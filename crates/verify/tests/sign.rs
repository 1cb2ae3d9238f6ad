//! The writing side (`opk_verify::sign`) against the reading side: tokens and envelopes it
//! builds verify in both formats, every mutation of them is rejected, and its F0 output has the
//! Go reference's layout field by field (compared with the Go-produced vectors).

mod common;

use common::forge::{github_claims, TestOp};
use common::*;
use opk_verify::sign::{self, EphemeralKey, SignFormat};
use opk_verify::{verify_envelope, Format, VerifyError};
use serde_json::Value;

const IMAGE_HEX: &str = "3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8";

fn counter_fill() -> impl FnMut(&mut [u8]) {
    let mut n = 0u8;
    move |b: &mut [u8]| {
        for x in b.iter_mut() {
            n = n.wrapping_mul(31).wrapping_add(7);
            *x = n;
        }
    }
}

fn statement() -> Vec<u8> {
    sign::statement(
        "https://spdx.dev/Document",
        &[(
            "pkg:docker/openpubkey/demo@main?platform=linux%2Famd64".to_owned(),
            IMAGE_HEX.to_owned(),
        )],
        br#"{"spdxVersion":"SPDX-2.3","packages":[]}"#,
    )
    .unwrap()
}

/// Signs `stmt` like `opk sign`: ephemeral key, CIC with att, ID token for the commitment, GQ.
fn signed_envelope(format: SignFormat, stmt: &[u8]) -> Vec<u8> {
    let op = TestOp::new();
    let eph = EphemeralKey::from_secret(&[9u8; 32]).unwrap();
    let cic = sign::cic_header(&eph, &sign::att_for(stmt), &[5u8; 32], format);
    let (h, p, s) = op.issue(&github_claims(&sign::commitment(&cic)));
    let id_token = format!("{h}.{p}.{}", opk_verify::b64::encode_url(&s));
    let token =
        sign::pk_token(format, &id_token, &op.key, &eph, &cic, &mut counter_fill()).unwrap();
    sign::dsse_envelope(stmt, &[token])
}

#[test]
fn signed_envelopes_verify_in_both_formats() {
    let stmt = statement();
    for (format, want) in [(SignFormat::F0, Format::F0), (SignFormat::F3, Format::F3)] {
        let env = signed_envelope(format, &stmt);
        let v = verify_envelope(&env, IMAGE_HEX, &TestOp::new().trust(), &demo_policy(), NOW)
            .unwrap_or_else(|e| panic!("{format:?}: {e:?}"));
        assert_eq!(v.format, want);
        assert_eq!(v.statement.predicate_type, "https://spdx.dev/Document");
    }
}

#[test]
fn single_bit_flips_of_a_signed_envelope_are_rejected() {
    // Every byte of the F3 envelope that carries meaning, one flip each (stride keeps it quick).
    let env = signed_envelope(SignFormat::F3, &statement());
    let trust = TestOp::new().trust();
    for i in (0..env.len()).step_by(97) {
        let mut m = env.clone();
        m[i] ^= 0x01;
        assert!(
            verify_envelope(&m, IMAGE_HEX, &trust, &demo_policy(), NOW).is_err(),
            "flip at {i} accepted"
        );
    }
}

#[test]
fn an_id_token_for_another_commitment_is_refused_at_signing() {
    let op = TestOp::new();
    let eph = EphemeralKey::from_secret(&[9u8; 32]).unwrap();
    let cic = sign::cic_header(&eph, &sign::att_for(b"x"), &[5u8; 32], SignFormat::F0);
    let (h, p, s) = op.issue(&github_claims("some-other-audience"));
    let id_token = format!("{h}.{p}.{}", opk_verify::b64::encode_url(&s));
    let r = sign::pk_token(
        SignFormat::F0,
        &id_token,
        &op.key,
        &eph,
        &cic,
        &mut counter_fill(),
    );
    assert_eq!(
        r.unwrap_err(),
        VerifyError::CommitmentMismatch { claim: "aud" }
    );
    // A bad RSA signature cannot be turned into a GQ proof.
    let mut bad = s.clone();
    bad[10] ^= 1;
    let (h, p, _) = op.issue(&github_claims(&sign::commitment(&cic)));
    let id_token = format!("{h}.{p}.{}", opk_verify::b64::encode_url(&bad));
    let r = sign::pk_token(
        SignFormat::F0,
        &id_token,
        &op.key,
        &eph,
        &cic,
        &mut counter_fill(),
    );
    assert_eq!(r.unwrap_err().code(), "op_signature_invalid");
    assert!(EphemeralKey::from_secret(&[0u8; 32]).is_err());
}

/// The order of the top-level keys of a JSON object as written.
fn key_order(json: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut in_str = false;
    let mut esc = false;
    let mut start = None;
    let bytes = json.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if in_str {
            if esc {
                esc = false;
            } else if b == b'\\' {
                esc = true;
            } else if b == b'"' {
                in_str = false;
                if depth == 1 {
                    if let Some(s) = start.take() {
                        if bytes.get(i + 1) == Some(&b':') {
                            out.push(json[s..i].to_owned());
                        }
                    }
                }
            }
            continue;
        }
        match b {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth -= 1,
            b'"' => {
                in_str = true;
                start = Some(i + 1);
            }
            _ => {}
        }
    }
    out
}

fn decode(s: &str) -> String {
    String::from_utf8(opk_verify::b64::decode_url(s, "test").unwrap()).unwrap()
}

/// The F0 layout of one envelope, as comparable facts: key orders, routing, lengths.
fn f0_layout(env: &[u8]) -> Vec<String> {
    let text = std::str::from_utf8(env).unwrap();
    let v: Value = serde_json::from_str(text).unwrap();
    let sig = &v["signatures"][0];
    let token_bytes = opk_verify::b64::decode_dsse(sig["sig"].as_str().unwrap(), "t").unwrap();
    let token_text = String::from_utf8(token_bytes).unwrap();
    let token: Value = serde_json::from_str(&token_text).unwrap();
    let sigs = token["signatures"].as_array().unwrap();
    let cic = decode(sigs[0]["protected"].as_str().unwrap());
    let cic_v: Value = serde_json::from_str(&cic).unwrap();
    let upk = serde_json::to_string(&cic_v["upk"]).unwrap();
    let op_header = decode(sigs[1]["protected"].as_str().unwrap());
    vec![
        format!("envelope keys {:?}", key_order(text)),
        format!(
            "signature keys {:?} keyid {}",
            key_order(&sig.to_string()),
            sig["keyid"]
        ),
        format!("signatures {}", v["signatures"].as_array().unwrap().len()),
        format!("token keys {:?}", key_order(&token_text)),
        format!("entries {}", sigs.len()),
        format!(
            "entry0 keys {:?} {}",
            key_order(&serde_json::to_string(&sigs[0]).unwrap()),
            sigs[0]["header"]
        ),
        format!(
            "entry1 keys {:?} {}",
            key_order(&serde_json::to_string(&sigs[1]).unwrap()),
            sigs[1]["header"]
        ),
        format!("cic keys {:?}", key_order(&cic)),
        format!("upk keys {:?}", key_order(&upk)),
        format!(
            "att len {} rz len {}",
            cic_v["att"].as_str().unwrap().len(),
            cic_v["rz"].as_str().unwrap().len()
        ),
        format!(
            "cic sig len {}",
            sigs[0]["signature"].as_str().unwrap().len()
        ),
        format!(
            "gq sig len {}",
            sigs[1]["signature"].as_str().unwrap().len()
        ),
        format!(
            "op header alg {}",
            serde_json::from_str::<Value>(&op_header).unwrap()["alg"]
        ),
        format!(
            "payload is the ID token's: {}",
            token["payload"].as_str().unwrap().len() > 100
        ),
        format!(
            "payload padding {}",
            v["payload"].as_str().unwrap().ends_with('=')
                || !v["payload"].as_str().unwrap().contains('=')
        ),
    ]
}

#[test]
fn f0_output_has_the_go_reference_layout_field_by_field() {
    let ours = f0_layout(&signed_envelope(SignFormat::F0, &statement()));
    for go in [DSSE_PROVENANCE, DSSE_SPDX] {
        assert_eq!(ours, f0_layout(go));
    }
}
