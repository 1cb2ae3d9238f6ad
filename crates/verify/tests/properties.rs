//! Property tests (proptest): any single-bit flip anywhere in a valid envelope or PK token is
//! rejected, in both formats and on both GQ arithmetics (crypto-bigint's `U2048`, the CLI's,
//! and the exact-`f64` ring every browser runs); base64 decoding is canonical (what decodes
//! re-encodes to the same text) and encoding round-trips.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::OnceLock;

use opk_testkit::forge::{self, GqKind, TestOp};
use opk_verify::gq::{with_arithmetic, Arithmetic};
use opk_verify::{b64, verify_envelope, verify_pk_token, Policy, TrustRoots, UnixTime};
use proptest::prelude::*;

const NOW: UnixTime = UnixTime(1_698_142_000);
const SUBJECT: &str = "3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8";

struct Fixture {
    trust: TrustRoots,
    policy: Policy,
    envelope: Vec<u8>,
    f0: Vec<u8>,
    f3: Vec<u8>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let op = TestOp::new();
        let client = forge::Client::new();
        let statement = forge::STATEMENT.as_bytes();
        let envelope = forge::envelope(&op, &client, statement);
        let f0 = forge::build(&op, &client, None, GqKind::Original, |_| {}).f0_json();
        let f3 = forge::build(&op, &client, None, GqKind::F3, |_| {}).typed_json();
        Fixture {
            trust: op.trust(),
            policy: Policy::builder()
                .repository_owner_id("145685596")
                .build()
                .unwrap(),
            envelope,
            f0,
            f3,
        }
    })
}

fn flip(bytes: &[u8], bit: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[bit / 8] ^= 1 << (bit % 8);
    out
}

#[test]
fn the_unflipped_inputs_verify() {
    let f = fixture();
    for a in Arithmetic::ALL {
        with_arithmetic(a, || {
            assert!(verify_envelope(&f.envelope, SUBJECT, &f.trust, &f.policy, NOW).is_ok());
            assert!(verify_pk_token(&f.f0, &f.trust, &f.policy, NOW).is_ok());
            assert!(verify_pk_token(&f.f3, &f.trust, &f.policy, NOW).is_ok());
        });
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_bit_flip_in_an_envelope_is_rejected(bit in 0usize..usize::MAX) {
        let f = fixture();
        let bit = bit % (f.envelope.len() * 8);
        let flipped = flip(&f.envelope, bit);
        for a in Arithmetic::ALL {
            prop_assert!(
                with_arithmetic(a, || verify_envelope(&flipped, SUBJECT, &f.trust, &f.policy, NOW).is_err()),
                "bit {} (byte {:?}) flipped and the envelope still verified on {:?}", bit, f.envelope[bit / 8] as char, a
            );
        }
    }

    #[test]
    fn any_bit_flip_in_a_pk_token_is_rejected(bit in 0usize..usize::MAX, f3 in any::<bool>()) {
        let f = fixture();
        let token = if f3 { &f.f3 } else { &f.f0 };
        let bit = bit % (token.len() * 8);
        let flipped = flip(token, bit);
        for a in Arithmetic::ALL {
            prop_assert!(
                with_arithmetic(a, || verify_pk_token(&flipped, &f.trust, &f.policy, NOW).is_err()),
                "bit {} (byte {:?}) flipped and the PK token still verified on {:?}", bit, token[bit / 8] as char, a
            );
        }
    }

    #[test]
    fn base64url_round_trips_and_is_canonical(bytes in proptest::collection::vec(any::<u8>(), 0..96), text in "[A-Za-z0-9_=+/ -]{0,24}") {
        prop_assert_eq!(b64::decode_url(&b64::encode_url(&bytes), "p").unwrap(), bytes.clone());
        prop_assert_eq!(b64::decode_dsse(&b64::encode_std(&bytes), "p").unwrap(), bytes);
        if let Ok(decoded) = b64::decode_url(&text, "p") {
            prop_assert_eq!(b64::encode_url(&decoded), text.clone());
        }
        if let Ok(decoded) = b64::decode_dsse(&text, "p") {
            let std = b64::encode_std(&decoded);
            let url = std.replace('+', "-").replace('/', "_");
            prop_assert!(text == std || text == url, "{} decoded but is not canonical", text);
        }
    }
}

/// Every bit of the PK tokens and of the envelope's JSON structure (outside its two base64
/// blobs, whose bits the sampled property covers): slow, run with `--ignored`.
#[test]
#[ignore = "exhaustive: about a minute; the sampled properties run in CI"]
fn every_bit_flip_is_rejected_exhaustively() {
    let f = fixture();
    for token in [&f.f0, &f.f3] {
        for bit in 0..token.len() * 8 {
            assert!(
                verify_pk_token(&flip(token, bit), &f.trust, &f.policy, NOW).is_err(),
                "PK token bit {bit}"
            );
        }
    }
    let text = String::from_utf8(f.envelope.clone()).unwrap();
    let payload = text.find("\"payload\":\"").unwrap() + 11;
    let payload_end = payload + text[payload..].find('"').unwrap();
    let sig = text.find("\"sig\":\"").unwrap() + 7;
    let sig_end = sig + text[sig..].find('"').unwrap();
    for byte in (0..f.envelope.len())
        .filter(|b| !(payload..payload_end).contains(b) && !(sig..sig_end).contains(b))
    {
        for bit in 0..8 {
            assert!(
                verify_envelope(
                    &flip(&f.envelope, byte * 8 + bit),
                    SUBJECT,
                    &f.trust,
                    &f.policy,
                    NOW
                )
                .is_err(),
                "envelope byte {byte} ({:?}) bit {bit}",
                f.envelope[byte] as char
            );
        }
    }
}
