//! The fast path's contract, natively: the ES256 and RS256 triples listed are exactly the ones
//! verified, prechecked triples are taken only byte for byte, and anything else is verified by
//! `p256` or `rsa`. (That WebCrypto agrees with them is checked in the browser: opk-registry's
//! browser tests.)

mod common;

use common::forge::*;
use common::*;
use opk_verify::jose::{es256, rs256, EcKey, RsaKey};
use opk_verify::prechecked::{checks, Checks, Es256Check, Prechecked, Rs256Check};
use opk_verify::{
    verify_envelope, verify_envelope_prechecked, verify_token, verify_token_prechecked, TrustRoots,
    VerifyError,
};

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
    let listed = checks(&env, &op.trust()).es256;
    assert_eq!(listed.len(), 1);
    assert!(es256::verify(
        &key_of(&listed[0]),
        &listed[0].message,
        &listed[0].signature
    ));
    // Garbage lists nothing (verification reports it).
    assert_eq!(checks(b"{not json", &op.trust()), Checks::default());
}

#[test]
fn prechecked_verification_matches_the_reference_both_ways() {
    let (op, client) = (TestOp::new(), Client::new());
    let good = envelope(&op, &client, STATEMENT.as_bytes());
    let accepted = Prechecked::accepted_unsafe(checks(&good, &op.trust()));
    assert_eq!(accepted.len(), 1);
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
    for pre in [&accepted, &Prechecked::none()] {
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
    let listed = checks(&bad, &op.trust()).es256;
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
        Prechecked::accepted_unsafe(Checks {
            es256: vec![c],
            rs256: Vec::new(),
        })
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
    let pre = Prechecked::accepted_unsafe(Checks {
        es256: listed,
        rs256: Vec::new(),
    });
    assert!(verify_envelope_prechecked(&bad, SUBJECT, &op.trust(), &policy(), NOW, &pre).is_ok());
}

fn rsa_reference(check: &Rs256Check) -> bool {
    let e = RsaKey::EXPONENT.to_be_bytes();
    RsaKey::from_be_bytes(&check.modulus, &e)
        .is_ok_and(|k| rs256::verify(&k, &check.message, &check.signature))
}

/// The 2023-10 GitHub token's header and payload with the 2022 token's signature: the same key
/// (`kid` 78167F…), the right length, the wrong message.
fn jwt_with_foreign_signature() -> String {
    let good = GH_TOKEN_2023_10.trim();
    let other = GH_TOKEN_2022.trim();
    let (signed, _) = good.rsplit_once('.').unwrap();
    let (_, sig) = other.rsplit_once('.').unwrap();
    format!("{signed}.{sig}")
}

#[test]
fn the_listed_rs256_checks_are_the_op_signatures() {
    let bundled = TrustRoots::bundled().unwrap();
    for jwt in [GH_TOKEN_2022, GH_TOKEN_2023_10, GH_TOKEN_2023_12] {
        let listed = checks(jwt.as_bytes(), &bundled);
        assert_eq!(listed.rs256.len(), 1);
        assert!(rsa_reference(&listed.rs256[0]));
        // A JWT has no CIC.
        assert!(listed.es256.is_empty());
    }
    // A PK token: its RS256 OP signature and its ES256 CIC signature.
    for pkt in [GOOGLE_PKT_0529, GOOGLE_PKT_0531] {
        let listed = checks(pkt, &trust_google());
        assert_eq!(listed.rs256.len(), 1);
        assert!(rsa_reference(&listed.rs256[0]));
        let cic = listed.es256;
        assert_eq!(cic.len(), 1);
        assert!(es256::verify(
            &key_of(&cic[0]),
            &cic[0].message,
            &cic[0].signature
        ));
        // Its issuer's key is not trusted: no RS256 check to ask about.
        assert!(checks(pkt, &bundled).rs256.is_empty());
    }
    // A GQ-signed envelope has no RS256 signature; garbage has nothing.
    let (op, client) = (TestOp::new(), Client::new());
    let env = envelope(&op, &client, STATEMENT.as_bytes());
    assert!(checks(&env, &op.trust()).rs256.is_empty());
    assert_eq!(checks(b"a.b.c", &bundled), Checks::default());
}

#[test]
fn rs256_prechecked_verification_matches_the_reference_both_ways() {
    let bundled = TrustRoots::bundled().unwrap();
    let policy = any_github();
    for jwt in [GH_TOKEN_2022, GH_TOKEN_2023_10, GH_TOKEN_2023_12] {
        let accepted = Prechecked::accepted_unsafe(checks(jwt.as_bytes(), &bundled));
        assert_eq!(accepted.len(), 1);
        let reference = verify_token(jwt.as_bytes(), &bundled, &policy, NOW).unwrap();
        let fast =
            verify_token_prechecked(jwt.as_bytes(), &bundled, &policy, NOW, &accepted).unwrap();
        assert_eq!(*fast, *reference);
    }
    for pkt in [GOOGLE_PKT_0529, GOOGLE_PKT_0531] {
        let trust = trust_google();
        let accepted = Prechecked::accepted_unsafe(checks(pkt, &trust));
        assert_eq!(accepted.len(), 2);
        let reference = verify_token(pkt, &trust, &any_google(), NOW).unwrap();
        let fast = verify_token_prechecked(pkt, &trust, &any_google(), NOW, &accepted).unwrap();
        assert_eq!(*fast, *reference);
    }
    // A foreign signature: the good token's accepted triple does not vouch for it, and with
    // nothing prechecked it fails the same way.
    let good = Prechecked::accepted_unsafe(checks(GH_TOKEN_2023_10.as_bytes(), &bundled));
    let bad = jwt_with_foreign_signature();
    for pre in [&good, &Prechecked::none()] {
        let r = verify_token_prechecked(bad.as_bytes(), &bundled, &policy, NOW, pre);
        assert_eq!(
            r.unwrap_err().error,
            VerifyError::OpSignatureInvalid { scheme: "RS256" }
        );
    }
}

#[test]
fn only_the_exact_rs256_triple_is_taken_on_trust() {
    let bundled = TrustRoots::bundled().unwrap();
    let policy = any_github();
    let bad = jwt_with_foreign_signature();
    let listed = checks(bad.as_bytes(), &bundled).rs256;
    assert_eq!(listed.len(), 1);
    assert!(!rsa_reference(&listed[0]));
    // Each component changed by one bit: not the triple, so `rsa` decides (and rejects).
    let mutate = |f: &dyn Fn(&mut Rs256Check)| {
        let mut c = listed[0].clone();
        f(&mut c);
        Prechecked::accepted_unsafe(Checks {
            es256: Vec::new(),
            rs256: vec![c],
        })
    };
    for pre in [
        mutate(&|c| c.modulus[5] ^= 1),
        mutate(&|c| c.message[3] ^= 1),
        mutate(&|c| c.signature[7] ^= 1),
    ] {
        let r = verify_token_prechecked(bad.as_bytes(), &bundled, &policy, NOW, &pre);
        assert_eq!(
            r.unwrap_err().error,
            VerifyError::OpSignatureInvalid { scheme: "RS256" }
        );
    }
    // An ES256 triple with the same bytes does not count for RS256 either.
    let pre = Prechecked::accepted_unsafe(Checks {
        es256: vec![Es256Check {
            key_xy: [0; 64],
            message: listed[0].message.clone(),
            signature: listed[0].signature.clone(),
        }],
        rs256: Vec::new(),
    });
    let r = verify_token_prechecked(bad.as_bytes(), &bundled, &policy, NOW, &pre);
    assert_eq!(
        r.unwrap_err().error,
        VerifyError::OpSignatureInvalid { scheme: "RS256" }
    );
    // The exact triple is taken on the other implementation's word (the contract).
    let pre = Prechecked::accepted_unsafe(Checks {
        es256: Vec::new(),
        rs256: listed,
    });
    assert!(verify_token_prechecked(bad.as_bytes(), &bundled, &policy, NOW, &pre).is_ok());
}

/// An envelope whose PK token (typ-routed, like F2) carries the OP's plain RS256 signature, from
/// an issuer other than GitHub Actions (whose tokens must carry a GQ proof), with trust and a
/// policy for that issuer.
/// `flip` flips one bit of the RSA signature.
fn rs256_envelope(
    op: &TestOp,
    client: &Client,
    flip: bool,
) -> (Vec<u8>, TrustRoots, opk_verify::Policy) {
    const ISSUER: &str = "https://issuer.example";
    let pae = opk_verify::dsse::pae(
        opk_verify::dsse::IN_TOTO_PAYLOAD_TYPE.as_bytes(),
        STATEMENT.as_bytes(),
    );
    use sha2::Digest as _;
    let att = opk_verify::hex::encode(&sha2::Sha256::digest(&pae));
    let cic_json = client.cic_header(Some(&att), true);
    let mut claims = github_claims(&commitment(&cic_json));
    claims["iss"] = ISSUER.into();
    let (op_protected, payload, mut rsa_sig) = op.issue(&claims);
    if flip {
        rsa_sig[10] ^= 1;
    }
    let cic_protected = opk_verify::b64::encode_url(cic_json.as_bytes());
    let cic_sig = client.sign(&format!("{cic_protected}.{payload}"));
    let parts = Parts {
        payload,
        op_protected,
        op_sig: opk_verify::b64::encode_url(&rsa_sig),
        cic_protected,
        cic_sig,
        sig_type: false,
    };
    let mut trust = TrustRoots::bundled().unwrap();
    let jwks = opk_verify::jose::Jwks::from_json(&op.jwks()).unwrap();
    let source = opk_verify::KeySource::UserSupplied {
        label: "test".into(),
    };
    trust.add_jwks(ISSUER, &jwks, &source).unwrap();
    let policy = opk_verify::Policy::builder()
        .issuer(ISSUER)
        .repository_owner_id("145685596")
        .build()
        .unwrap();
    let env = envelope_with(STATEMENT.as_bytes(), &[parts.typed_json()]);
    (env, trust, policy)
}

#[test]
fn an_rs256_pk_token_in_an_envelope_is_listed_and_verified_both_ways() {
    let (op, client) = (TestOp::new(), Client::new());
    let (env, trust, policy) = rs256_envelope(&op, &client, false);
    let listed = checks(&env, &trust);
    assert_eq!((listed.es256.len(), listed.rs256.len()), (1, 1));
    assert!(rsa_reference(&listed.rs256[0]));
    let reference = verify_envelope(&env, SUBJECT, &trust, &policy, NOW).unwrap();
    assert_eq!(reference.tokens[0].op_scheme, "RS256");
    let accepted = Prechecked::accepted_unsafe(listed);
    let fast = verify_envelope_prechecked(&env, SUBJECT, &trust, &policy, NOW, &accepted).unwrap();
    assert_eq!(*fast, *reference);
    // A flipped bit in the OP signature: the good triple does not vouch for it, and with nothing
    // prechecked it fails the same way.
    let (bad, _, _) = rs256_envelope(&op, &client, true);
    for pre in [&accepted, &Prechecked::none()] {
        let r = verify_envelope_prechecked(&bad, SUBJECT, &trust, &policy, NOW, pre);
        assert_eq!(
            r.unwrap_err().error,
            VerifyError::OpSignatureInvalid { scheme: "RS256" }
        );
    }
}
