//! Structure-aware: fuzzed statements (any predicate bytes, subject names) signed validly with the
//! test OP key in F0 and F3 must verify; one flipped byte of the envelope must not.
#![no_main]
mod common;
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use opk_verify::sign::{self, EphemeralKey, SignFormat};

#[derive(Debug, Arbitrary)]
struct Input {
    predicate_type: String,
    name: String,
    predicate: Vec<u8>,
    secret: [u8; 32],
    rz: [u8; 32],
    f3: bool,
    flip_at: u16,
    flip_bit: u8,
}

const SUBJECT: &str = "3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8";

fuzz_target!(|input: Input| {
    let predicate =
        if serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&input.predicate)
            .is_ok()
        {
            input.predicate.clone()
        } else {
            serde_json::json!({ "fuzz": String::from_utf8_lossy(&input.predicate) })
                .to_string()
                .into_bytes()
        };
    let Ok(statement) = sign::statement(
        &input.predicate_type,
        &[(input.name.clone(), SUBJECT.into())],
        &predicate,
    ) else {
        return;
    };
    if opk_verify::intoto::Statement::parse(&statement).is_err() {
        return; // e.g. an empty predicate type: not a statement we would sign
    }
    let Ok(eph) = EphemeralKey::from_secret(&input.secret) else {
        return;
    };
    let format = if input.f3 {
        SignFormat::F3
    } else {
        SignFormat::F0
    };
    let cic = sign::cic_header(&eph, &sign::att_for(&statement), &input.rz, format);
    let op = common::op();
    let mut claims = opk_testkit::forge::github_claims(&sign::commitment(&cic));
    claims["iat"] = serde_json::json!(common::NOW.0 - 60);
    let (h, p, s) = op.issue(&claims);
    let id_token = format!("{h}.{p}.{}", opk_verify::b64::encode_url(&s));
    let mut fill = opk_testkit::forge::rng();
    let token = sign::pk_token(format, &id_token, &op.key, &eph, &cic, &mut fill).expect("signing");
    let envelope = sign::dsse_envelope(&statement, &[token]);
    let (trust, policy) = (common::trust(), common::policy());
    let ok = opk_verify::verify_envelope(&envelope, SUBJECT, trust, policy, common::NOW);
    assert!(
        ok.is_ok(),
        "a validly signed envelope failed: {:?}",
        ok.err().map(|r| r.error)
    );
    let mut flipped = envelope.clone();
    let at = usize::from(input.flip_at) % flipped.len();
    flipped[at] ^= 1 << (input.flip_bit % 8);
    assert!(
        opk_verify::verify_envelope(&flipped, SUBJECT, trust, policy, common::NOW).is_err(),
        "a flipped envelope verified (byte {at})"
    );
});
