//! The ES256 fast path's contract, natively: the triples listed are exactly the ones verified,
//! prechecked triples are taken only byte for byte, and anything else is verified by `p256`.
//! (That WebCrypto and `p256` agree is checked in the browser: opk-registry's browser tests.)

mod common;

use common::forge::*;
use common::*;
use opk_verify::jose::{es256, EcKey};
use opk_verify::prechecked::{es256_checks, Es256Check, Es256Prechecked};
use opk_verify::{verify_envelope, verify_envelope_prechecked, VerifyError};

fn policy() -> opk_verify::Policy {
    demo_policy()
}

/// An envelope whose CIC signature is `sig_of(signing input)` instead of the client's own.
fn envelope_with_cic_sig(
    op: &TestOp,
    client: &Client,
    resign: impl Fn(&Parts) -> String,
) -> Vec<u8> {
    let pae = opk_verify::dsse::pae(
        opk_verify::dsse::IN_TOTO_PAYLOAD_TYPE.as_bytes(),
        STATEMENT.as_bytes(),
    );
    use sha2::Digest as _;
    let att = opk_verify::hex::encode(&sha2::Sha256::digest(&pae));
    let mut parts = build(op, client, Some(&att), GqKind::Original, |_| {});
    parts.cic_sig = resign(&parts);
    envelope_with(STATEMENT.as_bytes(), &[parts.f0_json()])
}

fn key_of(check: &Es256Check) -> EcKey {
    EcKey::from_coordinates(&check.key_xy[..32], &check.key_xy[32..]).unwrap()
}

#[test]
fn the_listed_checks_are_the_cic_signatures() {
    let (op, client) = (TestOp::new(), Client::new());
    let env = envelope(&op, &client, STATEMENT.as_bytes());
    let checks = es256_checks(&env);
    assert_eq!(checks.len(), 1);
    assert!(es256::verify(
        &key_of(&checks[0]),
        &checks[0].message,
        &checks[0].signature
    ));
    // Garbage lists nothing (verification reports it).
    assert!(es256_checks(b"{not json").is_empty());
}

#[test]
fn prechecked_verification_matches_the_reference_both_ways() {
    let (op, client) = (TestOp::new(), Client::new());
    let good = envelope(&op, &client, STATEMENT.as_bytes());
    let accepted = Es256Prechecked::accepted(es256_checks(&good));
    let reference = verify_envelope(&good, SUBJECT, &op.trust(), &policy(), NOW).unwrap();
    let fast =
        verify_envelope_prechecked(&good, SUBJECT, &op.trust(), &policy(), NOW, &accepted).unwrap();
    assert_eq!(fast.statement, reference.statement);
    assert_eq!(fast.checks, reference.checks);

    // A bad CIC signature: the good envelope's accepted triple does not vouch for it, and
    // with nothing prechecked it fails the same way.
    let other = Client {
        sk: p256::ecdsa::SigningKey::from_slice(&[9u8; 32]).unwrap(),
    };
    let bad = envelope_with_cic_sig(&op, &client, |p| {
        other.sign(&format!("{}.{}", p.cic_protected, p.payload))
    });
    for pre in [&accepted, &Es256Prechecked::none()] {
        let r = verify_envelope_prechecked(&bad, SUBJECT, &op.trust(), &policy(), NOW, pre);
        assert_eq!(r.unwrap_err().error, VerifyError::CicSignatureInvalid);
    }
}

#[test]
fn only_the_exact_triple_is_taken_on_trust() {
    let (op, client) = (TestOp::new(), Client::new());
    let other = Client {
        sk: p256::ecdsa::SigningKey::from_slice(&[9u8; 32]).unwrap(),
    };
    let bad = envelope_with_cic_sig(&op, &client, |p| {
        other.sign(&format!("{}.{}", p.cic_protected, p.payload))
    });
    let listed = es256_checks(&bad);
    assert_eq!(listed.len(), 1);
    assert!(!es256::verify(
        &key_of(&listed[0]),
        &listed[0].message,
        &listed[0].signature
    ));
    // Each component changed by one bit: not the triple, so p256 decides (and rejects).
    let mutate = |f: &dyn Fn(&mut Es256Check)| {
        let mut c = listed[0].clone();
        f(&mut c);
        Es256Prechecked::accepted(vec![c])
    };
    for pre in [
        mutate(&|c| c.key_xy[5] ^= 1),
        mutate(&|c| c.message[3] ^= 1),
        mutate(&|c| c.signature[7] ^= 1),
    ] {
        let r = verify_envelope_prechecked(&bad, SUBJECT, &op.trust(), &policy(), NOW, &pre);
        assert_eq!(r.unwrap_err().error, VerifyError::CicSignatureInvalid);
    }
    // The exact triple is taken on the other implementation's word: that is the contract, which
    // is why callers pass only what that implementation accepted.
    let pre = Es256Prechecked::accepted(listed);
    assert!(verify_envelope_prechecked(&bad, SUBJECT, &op.trust(), &policy(), NOW, &pre).is_ok());
}
