//! WebCrypto (the browser's ES256 fast path) and `p256` (the core's reference) agree, in headless
//! Chromium: on every CIC signature of valid envelopes, and on each mutation of one — a flipped
//! bit in the signature, the message or the key, another key's signature, and the high-S twin
//! of a valid signature (which both must treat alike, whichever way). And an envelope verified
//! with the fast path gets exactly the reference's checklist.
#![cfg(target_arch = "wasm32")]

use opk_registry::webcrypto::{es256_prechecked, webcrypto_es256};
use opk_testkit::forge::{envelope, Client, TestOp, STATEMENT};
use opk_verify::jose::{es256, EcKey};
use opk_verify::prechecked::{es256_checks, Es256Check};
use opk_verify::{verify_envelope, verify_envelope_prechecked, Policy, UnixTime};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const NOW: UnixTime = UnixTime(1_795_000_000);
const SUBJECT: &str = "sha256:3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8";
/// The P-256 group order n.
const ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

fn reference(check: &Es256Check) -> bool {
    EcKey::from_coordinates(&check.key_xy[..32], &check.key_xy[32..])
        .is_ok_and(|k| es256::verify(&k, &check.message, &check.signature))
}

/// `n − s` (big-endian, 32 bytes).
fn negate_s(s: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(ORDER[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        out[i] = (d + 256 * borrow) as u8;
    }
    out
}

fn mutations(c: &Es256Check) -> Vec<(&'static str, Es256Check)> {
    let with = |f: &dyn Fn(&mut Es256Check)| {
        let mut m = c.clone();
        f(&mut m);
        m
    };
    let other = Client {
        sk: p256::ecdsa::SigningKey::from_slice(&[9u8; 32]).unwrap(),
    };
    let other_sig =
        opk_verify::b64::decode_url(&other.sign(std::str::from_utf8(&c.message).unwrap()), "sig")
            .unwrap();
    vec![
        ("valid", c.clone()),
        ("signature bit", with(&|m| m.signature[40] ^= 1)),
        ("message bit", with(&|m| m.message[0] ^= 1)),
        ("key x bit", with(&|m| m.key_xy[31] ^= 1)),
        (
            "another key's signature",
            with(&|m| m.signature = other_sig.clone()),
        ),
        (
            "high-S twin",
            with(&|m| {
                let s = negate_s(&m.signature[32..]);
                m.signature.truncate(32);
                m.signature.extend_from_slice(&s);
            }),
        ),
        ("short signature", with(&|m| m.signature.truncate(63))),
    ]
}

#[wasm_bindgen_test]
async fn webcrypto_and_p256_agree_on_valid_and_mutated_signatures() {
    let op = TestOp::new();
    for seed in 1u8..=4 {
        let client = Client {
            sk: p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap(),
        };
        let env = envelope(&op, &client, STATEMENT.as_bytes());
        let checks = es256_checks(&env);
        assert_eq!(checks.len(), 1);
        for (what, m) in mutations(&checks[0]) {
            let want = reference(&m);
            // A key off the curve cannot even be imported: WebCrypto gives no answer, and the
            // core decides.
            let got = webcrypto_es256(&m).await;
            assert!(
                got == Some(want) || (got.is_none() && !want),
                "{what}: WebCrypto {got:?}, p256 {want}"
            );
            if what == "valid" {
                assert!(want, "the valid signature verifies");
            }
        }
    }
}

#[wasm_bindgen_test]
async fn the_fast_path_gives_the_reference_verdict() {
    let op = TestOp::new();
    let env = envelope(&op, &Client::new(), STATEMENT.as_bytes());
    let policy = Policy::builder()
        .repository_owner_id("145685596")
        .build()
        .unwrap();
    let pre = es256_prechecked(&env).await;
    assert_eq!(pre.len(), 1, "WebCrypto accepted the CIC signature");
    let fast = verify_envelope_prechecked(&env, SUBJECT, &op.trust(), &policy, NOW, &pre).unwrap();
    let slow = verify_envelope(&env, SUBJECT, &op.trust(), &policy, NOW).unwrap();
    assert_eq!(fast.checks, slow.checks);
    assert_eq!(fast.statement, slow.statement);
}
