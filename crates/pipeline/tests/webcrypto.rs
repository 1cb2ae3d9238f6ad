//! WebCrypto (the browser's ES256 and RS256 fast path) and `p256` and `rsa` (the core's
//! reference) agree, in headless Chromium: on every CIC signature of valid envelopes and on the
//! RS256 OP signatures of real GitHub ID tokens and Google PK tokens, and on each mutation of
//! one — a flipped bit in the signature, the message or the key, another key's or message's
//! signature, a short signature, the high-S twin of an ES256 signature and an RS256 signature
//! not below the modulus (which both must treat alike, whichever way). And a verification with
//! the fast path gets exactly the reference's outcome.
#![cfg(target_arch = "wasm32")]

use opk_pipeline::webcrypto::{prechecked, webcrypto_es256, webcrypto_rs256};
use opk_testkit::forge::{envelope, Client, TestOp, STATEMENT};
use opk_verify::jose::{es256, rs256, EcKey, Jwks, RsaKey};
use opk_verify::prechecked::{checks, Es256Check, Rs256Check};
use opk_verify::{
    verify_envelope, verify_envelope_prechecked, verify_token, verify_token_prechecked, KeySource,
    Policy, TrustRoots, UnixTime,
};
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
        let listed = checks(&env, &op.trust()).es256;
        assert_eq!(listed.len(), 1);
        for (what, m) in mutations(&listed[0]) {
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
    let pre = prechecked(&env, &op.trust()).await;
    assert_eq!(pre.len(), 1, "WebCrypto accepted the CIC signature");
    let fast = verify_envelope_prechecked(&env, SUBJECT, &op.trust(), &policy, NOW, &pre).unwrap();
    let slow = verify_envelope(&env, SUBJECT, &op.trust(), &policy, NOW).unwrap();
    assert_eq!(fast.checks, slow.checks);
    assert_eq!(fast.statement, slow.statement);
}

/// Real RS256-signed inputs (opk-verify's test vectors): GitHub Actions ID tokens, verified
/// with the bundled key history, and Google PK tokens with Google's key.
const GH_TOKENS: [&str; 3] = [
    include_str!("../../verify/tests/vectors/github_idtoken_2022-08_stepsecurity.jwt"),
    include_str!("../../verify/tests/vectors/github_idtoken_2023-10_qoomon.jwt"),
    include_str!("../../verify/tests/vectors/github_idtoken_2023-12_csas-ops.jwt"),
];
const GOOGLE_PKTS: [&[u8]; 2] = [
    include_bytes!("../../verify/tests/vectors/google_pktoken_2023-05-29_openpubkey_initial_commit_ca_test.compact"),
    include_bytes!("../../verify/tests/vectors/google_pktoken_2023-05-31_openpubkey_initial_commit_signer_test.compact"),
];
const GOOGLE_JWKS: &[u8] =
    include_bytes!("../../verify/tests/vectors/google_jwk_6083dd59_from_sui.json");
const GOOGLE_ISSUER: &str = "https://accounts.google.com";

fn trust_google() -> TrustRoots {
    let mut t = TrustRoots::bundled().unwrap();
    let jwks = Jwks::from_json(GOOGLE_JWKS).unwrap();
    let source = KeySource::UserSupplied {
        label: "google".into(),
    };
    t.add_jwks(GOOGLE_ISSUER, &jwks, &source).unwrap();
    t
}

fn rsa_reference(check: &Rs256Check) -> bool {
    RsaKey::from_be_bytes(&check.modulus, &RsaKey::EXPONENT.to_be_bytes())
        .is_ok_and(|k| rs256::verify(&k, &check.message, &check.signature))
}

/// Every RS256 OP signature of the vectors.
fn rs256_vector_checks() -> Vec<Rs256Check> {
    let bundled = TrustRoots::bundled().unwrap();
    let mut all: Vec<Rs256Check> = GH_TOKENS
        .iter()
        .flat_map(|t| checks(t.as_bytes(), &bundled).rs256)
        .collect();
    for pkt in GOOGLE_PKTS {
        all.extend(checks(pkt, &trust_google()).rs256);
    }
    assert_eq!(all.len(), 5);
    all
}

fn rs256_mutations(c: &Rs256Check, other: &Rs256Check) -> Vec<(&'static str, Rs256Check)> {
    let with = |f: &dyn Fn(&mut Rs256Check)| {
        let mut m = c.clone();
        f(&mut m);
        m
    };
    vec![
        ("valid", c.clone()),
        ("signature bit", with(&|m| m.signature[100] ^= 1)),
        (
            "signature low bit",
            with(&|m| *m.signature.last_mut().unwrap() ^= 1),
        ),
        ("message bit", with(&|m| m.message[0] ^= 1)),
        ("message byte added", with(&|m| m.message.push(b'.'))),
        ("modulus bit", with(&|m| m.modulus[200] ^= 2)),
        (
            "another message's signature",
            with(&|m| {
                if other.signature.len() == m.signature.len() {
                    m.signature = other.signature.clone();
                } else {
                    m.message = other.message.clone();
                }
            }),
        ),
        ("short signature", with(&|m| m.signature.truncate(255))),
        (
            "signature with a zero byte in front",
            with(&|m| m.signature.insert(0, 0)),
        ),
        (
            "signature equal to the modulus",
            with(&|m| m.signature = m.modulus.clone()),
        ),
        (
            "signature above the modulus",
            with(&|m| m.signature = vec![0xff; m.modulus.len()]),
        ),
    ]
}

#[wasm_bindgen_test]
async fn webcrypto_and_rsa_agree_on_valid_and_mutated_signatures() {
    let vectors = rs256_vector_checks();
    for (i, c) in vectors.iter().enumerate() {
        let other = &vectors[(i + 1) % vectors.len()];
        for (what, m) in rs256_mutations(c, other) {
            let want = rsa_reference(&m);
            // A modulus WebCrypto will not import gives no answer, and the core decides.
            let got = webcrypto_rs256(&m).await;
            assert!(
                got == Some(want) || (got.is_none() && !want),
                "vector {i}, {what}: WebCrypto {got:?}, rsa {want}"
            );
            if what == "valid" {
                assert!(want, "vector {i}: the valid signature verifies");
                assert_eq!(got, Some(true), "vector {i}: WebCrypto accepts it");
            }
        }
    }
}

#[wasm_bindgen_test]
async fn the_rs256_fast_path_gives_the_reference_verdict() {
    let bundled = TrustRoots::bundled().unwrap();
    let any = Policy::builder().any_identity_unsafe().build().unwrap();
    for jwt in GH_TOKENS {
        let pre = prechecked(jwt.as_bytes(), &bundled).await;
        assert_eq!(pre.len(), 1, "WebCrypto accepted the OP signature");
        let fast = verify_token_prechecked(jwt.as_bytes(), &bundled, &any, NOW, &pre).unwrap();
        let slow = verify_token(jwt.as_bytes(), &bundled, &any, NOW).unwrap();
        assert_eq!(*fast, *slow);
    }
    let google = Policy::builder()
        .issuer(GOOGLE_ISSUER)
        .any_identity_unsafe()
        .build()
        .unwrap();
    for pkt in GOOGLE_PKTS {
        let trust = trust_google();
        let pre = prechecked(pkt, &trust).await;
        assert_eq!(pre.len(), 2, "WebCrypto accepted the OP and CIC signatures");
        let fast = verify_token_prechecked(pkt, &trust, &google, NOW, &pre).unwrap();
        let slow = verify_token(pkt, &trust, &google, NOW).unwrap();
        assert_eq!(*fast, *slow);
    }
}
