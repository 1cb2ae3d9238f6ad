//! Every check tested both ways: a valid token/envelope passes, and one mutation of each input
//! fails with the right error variant (security.md §5 P0 items included).

mod common;

use common::forge::*;
use common::*;
use opk_verify::b64::encode_url as b64;
use opk_verify::{verify_envelope, verify_pk_token, Format, VerifyError};
use serde_json::json;

fn policy() -> opk_verify::Policy {
    demo_policy()
}

fn err_of(r: Result<impl std::fmt::Debug, opk_verify::Rejected>) -> VerifyError {
    r.unwrap_err().error
}

fn flip_b64_char(s: &str, at: usize) -> String {
    let mut c: Vec<char> = s.chars().collect();
    c[at] = if c[at] == 'A' { 'B' } else { 'A' };
    c.into_iter().collect()
}

/// `verify_token` routes a compact JWT to the JWT verifier and everything else (JSON or compact
/// PK tokens) to the PK token verifier; a mutated token fails on either route.
#[test]
fn verify_token_routes_jwts_and_pk_tokens() {
    on_every_ring(|| {
        let (op, client) = (TestOp::new(), Client::new());
        let trust = op.trust();
        let (h, p, sig) = op.issue(&github_claims("aud"));
        let jwt = format!("{h}.{p}.{}", b64(&sig));
        let v = opk_verify::verify_token(format!("{jwt}\n").as_bytes(), &trust, &policy(), NOW)
            .unwrap();
        assert_eq!((v.format, v.op_scheme), (None, "RS256"));
        let f0 = build(&op, &client, None, GqKind::Original, |_| {});
        let v = opk_verify::verify_token(&f0.f0_json(), &trust, &policy(), NOW).unwrap();
        assert_eq!(v.format, Some(Format::F0));
        let f2 = build(&op, &client, None, GqKind::F2, |_| {});
        let v = opk_verify::verify_token(&f2.compact(), &trust, &policy(), NOW).unwrap();
        assert_eq!(v.format, Some(Format::F2));
        let bad_jwt = format!("{h}.{}.{}", flip_b64_char(&p, 5), b64(&sig));
        assert!(opk_verify::verify_token(bad_jwt.as_bytes(), &trust, &policy(), NOW).is_err());
        let mut bad_pk = f0.clone();
        bad_pk.payload = flip_b64_char(&bad_pk.payload, 5);
        assert!(opk_verify::verify_token(&bad_pk.f0_json(), &trust, &policy(), NOW).is_err());
    });
}

#[test]
fn all_formats_verify_and_are_detected() {
    on_every_ring(|| {
        let (op, client) = (TestOp::new(), Client::new());
        let trust = op.trust();
        let f0 = build(&op, &client, None, GqKind::Original, |_| {});
        let v = verify_pk_token(&f0.f0_json(), &trust, &policy(), NOW).unwrap();
        assert_eq!(v.format, Some(Format::F0));
        let f2 = build(&op, &client, None, GqKind::F2, |_| {});
        assert_eq!(
            verify_pk_token(&f2.typed_json(), &trust, &policy(), NOW)
                .unwrap()
                .format,
            Some(Format::F2)
        );
        assert_eq!(
            verify_pk_token(&f2.compact(), &trust, &policy(), NOW)
                .unwrap()
                .format,
            Some(Format::F2)
        );
        let f3 = build(&op, &client, None, GqKind::F3, |_| {});
        assert_eq!(
            verify_pk_token(&f3.typed_json(), &trust, &policy(), NOW)
                .unwrap()
                .format,
            Some(Format::F3)
        );
        assert_eq!(
            verify_pk_token(&f3.compact(), &trust, &policy(), NOW)
                .unwrap()
                .format,
            Some(Format::F3)
        );
    });
}

#[test]
fn payload_mutation_breaks_the_op_signature() {
    on_every_ring(|| {
        let (op, client) = (TestOp::new(), Client::new());
        for kind in [GqKind::Original, GqKind::F2, GqKind::F3] {
            let mut p = build(&op, &client, None, kind, |_| {});
            let other = build(&op, &client, None, kind, |c| {
                c["repository_owner_id"] = json!("666")
            });
            p.payload = other.payload; // a validly-encoded, different payload
            let bytes = if kind == GqKind::Original {
                p.f0_json()
            } else {
                p.typed_json()
            };
            assert_eq!(
                err_of(verify_pk_token(&bytes, &op.trust(), &policy(), NOW)),
                VerifyError::OpSignatureInvalid { scheme: "GQ" }
            );
        }
    });
}

#[test]
fn op_header_mutations() {
    on_every_ring(|| {
        let (op, client) = (TestOp::new(), Client::new());
        let p = build(&op, &client, None, GqKind::Original, |_| {});
        let hdr = |h: serde_json::Value| b64(h.to_string().as_bytes());
        // Same kid, different header bytes: the GQ identity changes.
        let mut m = p.clone();
        m.op_protected =
            b64(format!(r#"{{"kid":"{TEST_KID}","alg":"RS256","typ":"JWT"}}"#).as_bytes());
        assert_ne!(m.op_protected, p.op_protected);
        assert_eq!(
            err_of(verify_pk_token(&m.f0_json(), &op.trust(), &policy(), NOW)),
            VerifyError::OpSignatureInvalid { scheme: "GQ" }
        );
        // Unknown kid.
        m.op_protected = hdr(json!({"typ":"JWT","alg":"RS256","kid":"OTHER"}));
        assert!(matches!(
            err_of(verify_pk_token(&m.f0_json(), &op.trust(), &policy(), NOW)),
            VerifyError::KeyNotFound { .. }
        ));
        // alg outside the allow-list, including none and HMAC (CVE-2025-3757 class).
        for alg in ["none", "HS256", "PS256", "ES256", ""] {
            m.op_protected = hdr(json!({"typ":"JWT","alg":alg,"kid":TEST_KID}));
            assert!(
                matches!(
                    err_of(verify_pk_token(&m.f0_json(), &op.trust(), &policy(), NOW)),
                    VerifyError::UnsupportedAlg { .. }
                ),
                "{alg}"
            );
        }
        m.op_protected = hdr(json!({"typ":"JWT","alg":"RS256","kid":TEST_KID,"crit":["x"]}));
        assert!(matches!(
            err_of(verify_pk_token(&m.f0_json(), &op.trust(), &policy(), NOW)),
            VerifyError::UnsupportedCritical { .. }
        ));
    });
}

#[test]
fn gq_signature_mutations() {
    on_every_ring(|| {
        let (op, client) = (TestOp::new(), Client::new());
        let p = build(&op, &client, None, GqKind::Original, |_| {});
        for at in [0, 20, 43, 100, 5000, 5503] {
            let mut m = p.clone();
            m.op_sig = flip_b64_char(&p.op_sig, at);
            assert_eq!(
                err_of(verify_pk_token(&m.f0_json(), &op.trust(), &policy(), NOW)),
                VerifyError::OpSignatureInvalid { scheme: "GQ" },
                "flip at {at}"
            );
        }
        // Truncated proof, and S_1 = 0.
        let mut m = p.clone();
        m.op_sig = p.op_sig[..5500].to_string();
        assert!(verify_pk_token(&m.f0_json(), &op.trust(), &policy(), NOW).is_err());
        let mut raw = opk_verify::b64::decode_url(&p.op_sig, "t").unwrap();
        raw[32..32 + 256].fill(0);
        m.op_sig = b64(&raw);
        assert_eq!(
            err_of(verify_pk_token(&m.f0_json(), &op.trust(), &policy(), NOW)),
            VerifyError::OpSignatureInvalid { scheme: "GQ" }
        );
        // S_1 = n (not reduced).
        raw[32..32 + 256].copy_from_slice(op.key.modulus_bytes());
        m.op_sig = b64(&raw);
        assert_eq!(
            err_of(verify_pk_token(&m.f0_json(), &op.trust(), &policy(), NOW)),
            VerifyError::OpSignatureInvalid { scheme: "GQ" }
        );
    });
}

#[test]
fn cic_header_mutations_break_the_commitment() {
    on_every_ring(|| {
        let (op, client) = (TestOp::new(), Client::new());
        let att = "05aefd807d05c0d2f6717036268c7f64f2a7d1af5d01c02506320a00113e9516";
        let p = build(&op, &client, Some(att), GqKind::Original, |_| {});
        let original =
            String::from_utf8(opk_verify::b64::decode_url(&p.cic_protected, "t").unwrap()).unwrap();
        for (from, to) in [
            (&att[..8], "15aefd80"),
            ("a359793b", "b359793b"),
            ("\"x\":\"", "\"x\":\"A"),
        ] {
            let mut m = p.clone();
            let changed = original.replacen(from, to, 1);
            assert_ne!(changed, original);
            m.cic_protected = b64(changed.as_bytes());
            let e = err_of(verify_pk_token(&m.f0_json(), &op.trust(), &policy(), NOW));
            assert!(
                matches!(
                    e,
                    VerifyError::CommitmentMismatch { claim: "aud" }
                        | VerifyError::BadBase64 { .. }
                        | VerifyError::WeakKey { .. }
                ),
                "{from}: {e:?}"
            );
        }
        // The same header re-ordered (same JSON, other bytes) also fails: we hash raw bytes (P9).
        let mut m = p.clone();
        let v: serde_json::Value = serde_json::from_str(&original).unwrap();
        m.cic_protected = b64(serde_json::to_string_pretty(&v).unwrap().as_bytes());
        assert_eq!(
            err_of(verify_pk_token(&m.f0_json(), &op.trust(), &policy(), NOW)),
            VerifyError::CommitmentMismatch { claim: "aud" }
        );
    });
}

#[test]
fn aud_mutation_is_a_commitment_mismatch() {
    on_every_ring(|| {
        let (op, client) = (TestOp::new(), Client::new());
        let p = build(&op, &client, None, GqKind::Original, |c| {
            c["aud"] = json!("not-the-commitment")
        });
        assert_eq!(
            err_of(verify_pk_token(&p.f0_json(), &op.trust(), &policy(), NOW)),
            VerifyError::CommitmentMismatch { claim: "aud" }
        );
        let p = build(&op, &client, None, GqKind::Original, |c| {
            c["aud"] = json!(["x"])
        });
        assert_eq!(
            err_of(verify_pk_token(&p.f0_json(), &op.trust(), &policy(), NOW)),
            VerifyError::CommitmentMismatch { claim: "aud" }
        );
    });
}

#[test]
fn cic_signature_and_upk_mutations() {
    on_every_ring(|| {
        let (op, client) = (TestOp::new(), Client::new());
        let p = build(&op, &client, None, GqKind::Original, |_| {});
        let mut m = p.clone();
        m.cic_sig = flip_b64_char(&p.cic_sig, 10);
        assert_eq!(
            err_of(verify_pk_token(&m.f0_json(), &op.trust(), &policy(), NOW)),
            VerifyError::CicSignatureInvalid
        );
        // A CIC signature by another key over the right input.
        let other = Client {
            sk: p256::ecdsa::SigningKey::from_slice(&[9u8; 32]).unwrap(),
        };
        m.cic_sig = other.sign(&format!("{}.{}", p.cic_protected, p.payload));
        assert_eq!(
            err_of(verify_pk_token(&m.f0_json(), &op.trust(), &policy(), NOW)),
            VerifyError::CicSignatureInvalid
        );
    });
}

#[test]
fn f2_header_is_never_trusted_and_tampering_fails() {
    on_every_ring(|| {
        let (op, client) = (TestOp::new(), Client::new());
        let p = build(&op, &client, None, GqKind::F2, |_| {});
        let hdr =
            String::from_utf8(opk_verify::b64::decode_url(&p.op_protected, "t").unwrap()).unwrap();
        // Adding a member F2 never has: neither F3 (header covered) nor F2 (shape) accepts it.
        let mut m = p.clone();
        m.op_protected = b64(hdr.replacen("{", r#"{"extra":"x","#, 1).as_bytes());
        assert_eq!(
            err_of(verify_pk_token(
                &m.typed_json(),
                &op.trust(),
                &policy(),
                NOW
            )),
            VerifyError::OpSignatureInvalid { scheme: "GQ" }
        );
        // Adding a jkt (uncovered in F2) still verifies as F2, and jkt is not used for anything.
        m.op_protected = b64(hdr.replacen("{", r#"{"jkt":"attacker","#, 1).as_bytes());
        assert_eq!(
            verify_pk_token(&m.typed_json(), &op.trust(), &policy(), NOW)
                .unwrap()
                .format,
            Some(Format::F2)
        );
        // F3 covers its header: the same tweak fails.
        let p3 = build(&op, &client, None, GqKind::F3, |_| {});
        let hdr3 =
            String::from_utf8(opk_verify::b64::decode_url(&p3.op_protected, "t").unwrap()).unwrap();
        let mut m3 = p3.clone();
        m3.op_protected = b64(hdr3.replacen("{", r#"{"jkt":"attacker","#, 1).as_bytes());
        assert_eq!(
            err_of(verify_pk_token(
                &m3.typed_json(),
                &op.trust(),
                &policy(),
                NOW
            )),
            VerifyError::OpSignatureInvalid { scheme: "GQ" }
        );
        // The original header inside kid must be RS256.
        let bad_orig = b64(json!({"alg":"none","kid":TEST_KID}).to_string().as_bytes());
        m3.op_protected = b64(json!({"alg":"GQ256","kid":bad_orig,"typ":"JWT"})
            .to_string()
            .as_bytes());
        assert!(matches!(
            err_of(verify_pk_token(
                &m3.typed_json(),
                &op.trust(),
                &policy(),
                NOW
            )),
            VerifyError::UnsupportedAlg { .. }
        ));
    });
}

#[test]
fn role_routing_rules() {
    on_every_ring(|| {
        let (op, client) = (TestOp::new(), Client::new());
        let p = build(&op, &client, None, GqKind::Original, |_| {});
        let json = String::from_utf8(p.f0_json()).unwrap();
        let cases = [
            (
                json.replace(r#""sig_type":"cic""#, r#""sig_type":"oidc_gq""#),
                "duplicate signature role",
            ),
            (
                json.replace(r#""sig_type":"cic""#, r#""sig_type":"weird""#),
                "unknown sig_type",
            ),
            (
                json.replacen(r#","header":{"sig_type":"cic"}"#, "", 1),
                "signature without sig_type",
            ),
        ];
        for (bytes, reason) in cases {
            assert_eq!(
                err_of(verify_pk_token(
                    bytes.as_bytes(),
                    &op.trust(),
                    &policy(),
                    NOW
                )),
                VerifyError::UnsupportedFormat { reason }
            );
        }
        // Raw RSA (sig_type oidc) is refused for GitHub: it would publish a bearer token (P2).
        let (h, pl, sig) = op.issue(&github_claims("x"));
        let raw = format!(
            r#"{{"payload":"{pl}","signatures":[{{"protected":"{}","header":{{"sig_type":"cic"}},"signature":"{}"}},{{"protected":"{h}","header":{{"sig_type":"oidc"}},"signature":"{}"}}]}}"#,
            p.cic_protected,
            p.cic_sig,
            b64(&sig)
        );
        assert!(matches!(
            err_of(verify_pk_token(raw.as_bytes(), &op.trust(), &policy(), NOW)),
            VerifyError::UnsupportedFormat { .. }
        ));
        // The same in compact form, where the RS256 label cannot say which it is: the signature's
        // length (the modulus length) makes it raw RSA, which GitHub tokens may not carry.
        let compact = format!("{pl}:{h}:{}:{}:{}", b64(&sig), p.cic_protected, p.cic_sig);
        assert_eq!(
            err_of(verify_pk_token(
                compact.as_bytes(),
                &op.trust(),
                &policy(),
                NOW
            )),
            VerifyError::UnsupportedFormat {
                reason: "GitHub PK tokens must carry a GQ proof, not the RSA signature"
            }
        );
        // Duplicate JSON keys anywhere are rejected.
        let dup = json.replacen(r#"{"payload":"#, r#"{"payload":"x","payload":"#, 1);
        assert!(matches!(
            err_of(verify_pk_token(dup.as_bytes(), &op.trust(), &policy(), NOW)),
            VerifyError::DuplicateKey { .. }
        ));
    });
}

#[test]
fn issuer_policy_and_time_rules() {
    on_every_ring(|| {
        let (op, client) = (TestOp::new(), Client::new());
        let p = build(&op, &client, None, GqKind::Original, |c| {
            c["iss"] = json!("https://evil.example")
        });
        assert_eq!(
            err_of(verify_pk_token(&p.f0_json(), &op.trust(), &policy(), NOW)),
            VerifyError::IssuerNotAllowed {
                issuer: "https://evil.example".into()
            }
        );
        let p = build(&op, &client, None, GqKind::Original, |_| {});
        let wrong_owner = opk_verify::Policy::builder()
            .repository_owner_id("1")
            .build()
            .unwrap();
        assert_eq!(
            err_of(verify_pk_token(
                &p.f0_json(),
                &op.trust(),
                &wrong_owner,
                NOW
            )),
            VerifyError::PolicyViolation {
                rule: "repository_owner_id",
                expected: "1".into(),
                actual: "145685596".into()
            }
        );
        let wrong_repo = opk_verify::Policy::builder()
            .repository("victim/app")
            .build()
            .unwrap();
        assert!(matches!(
            err_of(verify_pk_token(&p.f0_json(), &op.trust(), &wrong_repo, NOW)),
            VerifyError::PolicyViolation {
                rule: "repository",
                ..
            }
        ));
        let max_age = opk_verify::Policy::builder()
            .repository_owner_id("145685596")
            .max_age_secs(86_400)
            .build()
            .unwrap();
        assert!(matches!(
            err_of(verify_pk_token(&p.f0_json(), &op.trust(), &max_age, NOW)),
            VerifyError::TimeWindow { .. }
        ));
        // Issued in the future relative to `now`.
        assert!(matches!(
            err_of(verify_pk_token(
                &p.f0_json(),
                &op.trust(),
                &policy(),
                opk_verify::UnixTime(1_600_000_000)
            )),
            VerifyError::TimeWindow {
                reason: "issued in the future",
                ..
            }
        ));
        // iat as a float or string is a type error.
        let p = build(&op, &client, None, GqKind::Original, |c| {
            c["iat"] = json!("1698141900")
        });
        assert!(matches!(
            err_of(verify_pk_token(&p.f0_json(), &op.trust(), &policy(), NOW)),
            VerifyError::InvalidField { field: "iat", .. }
        ));
    });
}

#[test]
fn envelope_checks_both_ways() {
    on_every_ring(|| {
        let (op, client) = (TestOp::new(), Client::new());
        let env = envelope(&op, &client, STATEMENT.as_bytes());
        let v = verify_envelope(&env, SUBJECT, &op.trust(), &policy(), NOW).unwrap();
        assert_eq!(v.statement.predicate_type, "https://spdx.dev/Document");

        // DSSE payload changed (validly encoded): att no longer matches the PAE.
        let other = STATEMENT.replace("\"predicate\":{}", "\"predicate\":{\"x\":1}");
        let text = String::from_utf8(env.clone()).unwrap();
        let swapped = text.replace(
            &opk_verify::b64::encode_std(STATEMENT.as_bytes()),
            &opk_verify::b64::encode_std(other.as_bytes()),
        );
        assert_eq!(
            err_of(verify_envelope(
                swapped.as_bytes(),
                SUBJECT,
                &op.trust(),
                &policy(),
                NOW
            )),
            VerifyError::AttMismatch {
                reason: "att does not match the SHA-256 of the DSSE PAE"
            }
        );
        // payloadType changed.
        let pt = text.replace("application/vnd.in-toto+json", "application/json");
        assert!(matches!(
            err_of(verify_envelope(
                pt.as_bytes(),
                SUBJECT,
                &op.trust(),
                &policy(),
                NOW
            )),
            VerifyError::UnsupportedFormat { .. }
        ));
        // Wrong subject.
        let zero = format!("sha256:{}", "0".repeat(64));
        assert_eq!(
            err_of(verify_envelope(&env, &zero, &op.trust(), &policy(), NOW)),
            VerifyError::SubjectMismatch {
                expected: zero.clone(),
                found: SUBJECT.to_owned(),
            }
        );
        // A token without att.
        let p = build(&op, &client, None, GqKind::Original, |_| {});
        let no_att = envelope_with(STATEMENT.as_bytes(), &[p.f0_json()]);
        assert_eq!(
            err_of(verify_envelope(
                &no_att,
                SUBJECT,
                &op.trust(),
                &policy(),
                NOW
            )),
            VerifyError::AttMismatch {
                reason: "att claim missing from CIC"
            }
        );
    });
}

#[test]
fn forged_first_signature_cannot_lend_its_claims() {
    on_every_ring(|| {
        // docker verify's P1: [forged token claiming the victim, valid token] passed and printed the
        // forged claims. Here every signature must verify, so the envelope is rejected.
        let (op, client) = (TestOp::new(), Client::new());
        let pae = opk_verify::dsse::pae(b"application/vnd.in-toto+json", STATEMENT.as_bytes());
        let att = opk_verify::hex::encode(&<sha2::Sha256 as sha2::Digest>::digest(&pae));
        let valid = build(&op, &client, Some(&att), GqKind::Original, |_| {});
        let mut forged = valid.clone();
        forged.payload = build(&op, &client, Some(&att), GqKind::Original, |c| {
            c["repository_owner_id"] = json!("999")
        })
        .payload;
        let env = envelope_with(STATEMENT.as_bytes(), &[forged.f0_json(), valid.f0_json()]);
        let victim = opk_verify::Policy::builder()
            .repository_owner_id("999")
            .build()
            .unwrap();
        assert_eq!(
            err_of(verify_envelope(&env, SUBJECT, &op.trust(), &victim, NOW)),
            VerifyError::OpSignatureInvalid { scheme: "GQ" }
        );
        // Two valid signatures pass, and the policy is applied to each.
        let env = envelope_with(STATEMENT.as_bytes(), &[valid.f0_json(), valid.f0_json()]);
        assert_eq!(
            verify_envelope(&env, SUBJECT, &op.trust(), &policy(), NOW)
                .unwrap()
                .tokens
                .len(),
            2
        );
    });
}

#[test]
fn go_reference_envelope_mutations() {
    on_every_ring(|| {
        let trust = trust_synthetic();
        let text = String::from_utf8(DSSE_PROVENANCE.to_vec()).unwrap();
        // keyid other than OPK.
        let k = text.replace(r#""keyid":"OPK""#, r#""keyid":"other""#);
        assert!(matches!(
            err_of(verify_envelope(
                k.as_bytes(),
                SUBJECT,
                &trust,
                &demo_policy(),
                NOW
            )),
            VerifyError::UnsupportedFormat { .. }
        ));
        // A flipped character in the DSSE payload base64.
        let i = text.find("\"payload\":\"").unwrap() + 40;
        let mut b = text.clone().into_bytes();
        b[i] = if b[i] == b'A' { b'B' } else { b'A' };
        assert!(verify_envelope(&b, SUBJECT, &trust, &demo_policy(), NOW).is_err());
        // Over the size limit, before parsing.
        let big = vec![b' '; opk_verify::limits::MAX_ENVELOPE_BYTES + 1];
        assert!(matches!(
            err_of(verify_envelope(&big, SUBJECT, &trust, &demo_policy(), NOW)),
            VerifyError::LimitExceeded { .. }
        ));
    });
}

#[test]
fn cve_2025_3757_unlisted_alg_never_skips_signature_verification() {
    on_every_ring(|| {
        // openpubkey < 0.10 had `switch alg` without a default: an unlisted alg skipped the OP
        // signature check. Every shape of unlisted alg, in every routing, must be unsupported_alg.
        let (op, client) = (TestOp::new(), Client::new());
        let algs = [
            json!("none"),
            json!("None"),
            json!("NONE"),
            json!("nOnE"),
            json!("HS256"),
            json!("ES384"),
            json!("PS256"),
            json!("RS512"),
            json!("GQ512"),
            json!(""),
            json!(null),
            json!(["RS256"]),
        ];
        for kind in [GqKind::Original, GqKind::F3] {
            let p = build(&op, &client, None, kind, |_| {});
            let mut hdr: serde_json::Value =
                serde_json::from_slice(&opk_verify::b64::decode_url(&p.op_protected, "t").unwrap())
                    .unwrap();
            for alg in algs.iter().cloned().map(Some).chain([None]) {
                match &alg {
                    Some(a) => hdr["alg"] = a.clone(),
                    None => {
                        hdr.as_object_mut().unwrap().remove("alg");
                    }
                }
                let mut m = p.clone();
                m.op_protected = b64(hdr.to_string().as_bytes());
                let bytes = if kind == GqKind::Original {
                    m.f0_json()
                } else {
                    m.typed_json()
                };
                let e = err_of(verify_pk_token(&bytes, &op.trust(), &policy(), NOW));
                assert!(
                    matches!(e, VerifyError::UnsupportedAlg { .. }),
                    "{alg:?}: {e:?}"
                );
            }
        }
        // The same for a plain JWT: a valid RS256 token with its alg switched.
        let (h, p, sig) = op.issue(&github_claims("x"));
        let mut hdr: serde_json::Value =
            serde_json::from_slice(&opk_verify::b64::decode_url(&h, "t").unwrap()).unwrap();
        for alg in algs {
            hdr["alg"] = alg.clone();
            let token = format!("{}.{p}.{}", b64(hdr.to_string().as_bytes()), b64(&sig));
            let e = opk_verify::verify_jwt(&token, &op.trust(), &policy(), NOW)
                .unwrap_err()
                .error;
            assert!(
                matches!(e, VerifyError::UnsupportedAlg { .. }),
                "{alg:?}: {e:?}"
            );
        }
    });
}

#[test]
fn commitment_hashes_raw_cic_bytes_even_with_go_escapes() {
    on_every_ring(|| {
        // P9: F0 hashes the decoded header bytes; F1+ Go verifiers re-marshal (HTML-escaping <>&,
        // escaping U+2028). We always hash what was signed, so both spellings verify when the
        // commitment was made over them, and neither is silently re-encoded into the other.
        let (op, client) = (TestOp::new(), Client::new());
        let base = client.cic_header(None, false);
        let mut respelled_checked = 0;
        for extra in [
            r#""note":"<a&b>","#,
            r#""note":"\u003ca\u0026b\u003e","#,
            "\"note\":\"\u{2028}é\",",
            r#""note":"\u2028","#,
        ] {
            let cic = base.replacen("\"rz\"", &format!("{extra}\"rz\""), 1);
            let p = build_with_cic(&op, &client, &cic, GqKind::Original, |_| {});
            assert!(
                verify_pk_token(&p.f0_json(), &op.trust(), &policy(), NOW).is_ok(),
                "{extra}"
            );
            // The same JSON value spelled differently (another escape form) is another commitment.
            let respelled =
                serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&cic).unwrap())
                    .unwrap();
            if respelled != cic {
                respelled_checked += 1;
                let mut m = p.clone();
                m.cic_protected = b64(respelled.as_bytes());
                assert_eq!(
                    err_of(verify_pk_token(&m.f0_json(), &op.trust(), &policy(), NOW)),
                    VerifyError::CommitmentMismatch { claim: "aud" },
                    "{extra}"
                );
            }
        }
        assert_eq!(respelled_checked, 2);
    });
}

#[test]
fn remaining_p0_checklist_items() {
    on_every_ring(|| {
        let (op, client) = (TestOp::new(), Client::new());
        // P0-3: the trusted key under the OP kid is an EC key: RS256/GQ cannot use it.
        let p = build(&op, &client, None, GqKind::Original, |_| {});
        let mut ec_trust = opk_verify::TrustRoots::empty();
        let ec = opk_verify::jose::Jwks::from_json(
            br#"{"keys":[{"kty":"EC","crv":"P-256","kid":"TEST-OP-KEY-1","x":"Z805D3eqNZywjCI19lInBJOp7YMrCrzAH3CVTAOQ0jg","y":"DHgr1U4mkSWkT0Qzr_FDLOlOErynOqZ6yAzqEmCN33Q"}]}"#,
        )
        .unwrap();
        ec_trust
            .add_jwks(
                TEST_ISSUER,
                &ec,
                &opk_verify::KeySource::UserSupplied { label: "ec".into() },
            )
            .unwrap();
        assert_eq!(
            err_of(verify_pk_token(&p.f0_json(), &ec_trust, &policy(), NOW)),
            VerifyError::KeyAlgMismatch {
                alg: "RS256".into()
            }
        );
        // P0-9: upk.alg differs from the CIC alg; upk carries a private member.
        for (from, to, want) in [
            (
                r#""upk":{"alg":"ES256""#,
                r#""upk":{"alg":"RS256""#,
                VerifyError::KeyAlgMismatch {
                    alg: "ES256".into(),
                },
            ),
            (
                r#""upk":{"alg":"ES256""#,
                r#""upk":{"d":"AAAA","alg":"ES256""#,
                VerifyError::WeakKey {
                    reason: "upk contains private key material",
                },
            ),
            (
                r#"{"alg":"ES256","rz""#,
                r#"{"alg":"ES384","rz""#,
                VerifyError::UnsupportedAlg {
                    what: "CIC header",
                    alg: "ES384".into(),
                },
            ),
        ] {
            let cic = client.cic_header(None, false).replacen(from, to, 1);
            assert_ne!(cic, client.cic_header(None, false));
            let p = build_with_cic(&op, &client, &cic, GqKind::Original, |_| {});
            assert_eq!(
                err_of(verify_pk_token(&p.f0_json(), &op.trust(), &policy(), NOW)),
                want,
                "{to}"
            );
        }
        // P0-7: a GitLab-style GQ-commitment token (commitment in the GQ header's `cic`, aud prefixed
        // OPENPUBKEY-PKTOKEN:) is not a mode we enable: the uncovered `cic` is never trusted.
        let cic_json = client.cic_header(None, true);
        let mut p = build_with_cic(&op, &client, &cic_json, GqKind::F2, |c| {
            c["aud"] = json!("OPENPUBKEY-PKTOKEN:someclient");
        });
        let hdr =
            String::from_utf8(opk_verify::b64::decode_url(&p.op_protected, "t").unwrap()).unwrap();
        p.op_protected = b64(hdr
            .replacen("{", &format!(r#"{{"cic":"{}","#, commitment(&cic_json)), 1)
            .as_bytes());
        assert_eq!(
            err_of(verify_pk_token(
                &p.typed_json(),
                &op.trust(),
                &policy(),
                NOW
            )),
            VerifyError::CommitmentMismatch { claim: "aud" }
        );
        // P0-14: a required predicate type without a verified attestation.
        let need = opk_verify::Policy::builder()
            .repository_owner_id("145685596")
            .require_predicate_type("https://slsa.dev/provenance/v0.2")
            .build()
            .unwrap();
        assert_eq!(
            opk_verify::check_required_predicates(&need, &["https://spdx.dev/Document"]),
            Err(VerifyError::MissingAttestation {
                predicate_type: "https://slsa.dev/provenance/v0.2".into()
            })
        );
        assert_eq!(
            opk_verify::check_required_predicates(&need, &["https://slsa.dev/provenance/v0.2"]),
            Ok(())
        );
        assert_eq!(
            opk_verify::check_required_predicates(&need, &[]),
            Err(VerifyError::MissingAttestation {
                predicate_type: "https://slsa.dev/provenance/v0.2".into()
            })
        );
    });
}

/// Subject names are compared as exact bytes after percent-decoding: the name BuildKit writes
/// matches its unescaped form, two names differing only in a non-UTF-8 escape never compare
/// equal (both were U+FFFD under lossy decoding), a statement name with an invalid escape
/// matches nothing, and an expected name with one is refused.
#[test]
fn subject_names_compare_exactly() {
    on_every_ring(|| {
        let op = TestOp::new();
        let client = Client::new();
        let named = |name: &str| STATEMENT.replace("demo@main?platform=linux%2Famd64", name);
        let check = |statement: &str, expected: &str| {
            let env = envelope(&op, &client, statement.as_bytes());
            let subject = opk_verify::ExpectedSubject::digest(SUBJECT).with_name(expected);
            verify_envelope(&env, subject, &op.trust(), &policy(), NOW)
        };
        let buildkit = named("demo@main?platform=linux%2Famd64");
        assert!(check(
            &buildkit,
            "pkg:docker/openpubkey/demo@main?platform=linux/amd64"
        )
        .is_ok());
        assert!(check(
            &buildkit,
            "pkg:docker/openpubkey/demo@main?platform=linux%2famd64"
        )
        .is_ok());
        let ff = named("demo@v1%FF?platform=linux%2Famd64");
        assert!(check(
            &ff,
            "pkg:docker/openpubkey/demo@v1%FF?platform=linux%2Famd64"
        )
        .is_ok());
        assert!(matches!(
            err_of(check(
                &ff,
                "pkg:docker/openpubkey/demo@v1%FE?platform=linux%2Famd64"
            )),
            VerifyError::SubjectNameMismatch { .. }
        ));
        let invalid = named("demo@v1%G1?platform=linux%2Famd64");
        assert!(matches!(
            err_of(check(
                &invalid,
                "pkg:docker/openpubkey/demo@v1%G1?platform=linux%2Famd64"
            )),
            VerifyError::InvalidField {
                what: "expected subject name",
                ..
            }
        ));
        assert!(matches!(
            err_of(check(
                &invalid,
                "pkg:docker/openpubkey/demo@v1G1?platform=linux%2Famd64"
            )),
            VerifyError::SubjectNameMismatch { .. }
        ));
    });
}

/// SLSA provenance is cross-checked against the signer's token in both versions BuildKit
/// writes — v0.2, and v1 (`version=v1`) — both ways: a provenance naming the token's commit,
/// repository and run verifies; another repository, commit or run, or (v1) a build whose own
/// GitHub source is another repository or commit, is a policy violation naming the field; the
/// `…_unsafe` opt-out skips them.
#[test]
fn provenance_is_cross_checked_in_both_slsa_versions() {
    on_every_ring(|| {
        let op = TestOp::new();
        let client = Client::new();
        let sha = "6b29027d7ddae1c2dcdcfb88ab402473af5d20c8";
        let repo = "https://github.com/openpubkey/demo";
        let run = "https://github.com/openpubkey/demo/actions/runs/6628353581";
        let statement = |predicate_type: &str, predicate: serde_json::Value| {
            json!({
                "_type": "https://in-toto.io/Statement/v1",
                "predicateType": predicate_type,
                "subject": [{"name": "x", "digest": {"sha256": SUBJECT.trim_start_matches("sha256:")}}],
                "predicate": predicate,
            })
            .to_string()
        };
        let v02 = |source: &str, revision: &str, builder: &str| {
            statement(
                "https://slsa.dev/provenance/v0.2",
                json!({"builder": {"id": builder}, "metadata": {
                    "https://mobyproject.org/buildkit@v1#metadata": {"vcs": {"source": source, "revision": revision}}}}),
            )
        };
        let v1 = |source: &str, revision: &str, builder: &str, config: serde_json::Value| {
            let uri = config["uri"].clone();
            statement(
                "https://slsa.dev/provenance/v1",
                json!({
                    "buildDefinition": {
                        "buildType": "https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md",
                        "externalParameters": {"configSource": config},
                        "resolvedDependencies": [
                            {"uri": "pkg:docker/alpine@3", "digest": {"sha256": "00"}},
                            {"uri": uri, "digest": {"sha1": revision}}
                        ]
                    },
                    "runDetails": {"builder": {"id": builder}, "metadata": {
                        "buildkit_metadata": {"vcs": {"source": source, "revision": revision}}}}
                }),
            )
        };
        let verify = |statement: &str, attempt: Option<&str>| {
            let env = envelope_with_claims(&op, &client, statement.as_bytes(), |c| {
                if let Some(a) = attempt {
                    c["run_attempt"] = json!(a);
                }
            });
            verify_envelope(&env, SUBJECT, &op.trust(), &policy(), NOW)
        };
        let violated = |r: Result<_, opk_verify::Rejected>| match err_of(r) {
            VerifyError::PolicyViolation { rule, .. } => rule,
            other => panic!("expected a policy violation, got {other:?}"),
        };
        let git = json!({"uri": format!("{repo}.git#refs/heads/main"), "digest": {"sha1": sha}, "path": "Dockerfile"});

        // v0.2, both ways.
        assert!(verify(&v02(repo, sha, run), None).is_ok());
        assert_eq!(
            violated(verify(&v02("https://github.com/evil/demo", sha, run), None)),
            "provenance vcs.source"
        );
        assert_eq!(
            violated(verify(&v02(repo, &"0".repeat(40), run), None)),
            "provenance vcs.revision"
        );
        assert_eq!(
            violated(verify(&v02(repo, sha, &format!("{run}0")), None)),
            "provenance builder.id"
        );
        assert_eq!(
            violated(verify(&v02(repo, sha, ""), None)),
            "provenance builder.id"
        );

        // v1, both ways.
        let ok = v1(repo, sha, run, git.clone());
        let v = verify(&ok, None).unwrap();
        let ids: Vec<&str> = v.checks.iter().map(|c| c.id).collect();
        for id in [
            "provenance.revision",
            "provenance.source",
            "provenance.builder",
            "provenance.config_source",
            "provenance.config_digest",
        ] {
            assert!(ids.contains(&id), "{id} missing from {ids:?}");
        }
        let attempt = format!("{run}/attempts/2");
        assert!(verify(&v1(repo, sha, &attempt, git.clone()), Some("2")).is_ok());
        assert_eq!(
            violated(verify(&v1(repo, sha, &attempt, git.clone()), Some("1"))),
            "provenance builder.id"
        );
        assert_eq!(
            violated(verify(&v1(repo, sha, &attempt, git.clone()), None)),
            "provenance builder.id"
        );
        assert_eq!(
            violated(verify(
                &v1("https://github.com/evil/demo", sha, run, git.clone()),
                None
            )),
            "provenance vcs.source"
        );
        assert_eq!(
            violated(verify(&v1(repo, &"0".repeat(40), run, git.clone()), None)),
            "provenance vcs.revision"
        );
        let other_repo =
            json!({"uri": "https://github.com/evil/demo.git#main", "digest": {"sha1": sha}});
        assert_eq!(
            violated(verify(&v1(repo, sha, run, other_repo), None)),
            "provenance configSource.uri"
        );
        let other_commit =
            json!({"uri": format!("{repo}.git"), "digest": {"sha1": "1".repeat(40)}});
        assert_eq!(
            violated(verify(&v1(repo, sha, run, other_commit), None)),
            "provenance configSource.digest.sha1"
        );
        // The dependency entry of the build's source must be at the token's commit too.
        let mut dep = serde_json::from_str::<serde_json::Value>(&ok).unwrap();
        dep["predicate"]["buildDefinition"]["resolvedDependencies"][1]["digest"]["sha1"] =
            json!("2".repeat(40));
        assert_eq!(
            violated(verify(&dep.to_string(), None)),
            "provenance resolvedDependencies digest.sha1"
        );
        // A token without `sha` and a provenance without a revision do not "agree": an absent
        // value satisfies no check.
        let no_sha = envelope_with_claims(&op, &client, v02(repo, "", run).as_bytes(), |c| {
            c.as_object_mut().unwrap().remove("sha");
        });
        assert_eq!(
            violated(verify_envelope(
                &no_sha,
                SUBJECT,
                &op.trust(),
                &policy(),
                NOW
            )),
            "provenance vcs.revision"
        );
        // A local context (no configSource URI) has only the vcs and builder checks.
        assert!(verify(&v1(repo, sha, run, json!({"path": "Dockerfile"})), None).is_ok());

        // The opt-out skips the cross-checks, for both versions.
        let unsafe_policy = opk_verify::Policy::builder()
            .repository_owner_id("145685596")
            .skip_provenance_cross_checks_unsafe()
            .build()
            .unwrap();
        for s in [
            v02("https://github.com/evil/demo", sha, run),
            v1("https://github.com/evil/demo", sha, run, git.clone()),
        ] {
            let env = envelope(&op, &client, s.as_bytes());
            assert!(verify_envelope(&env, SUBJECT, &op.trust(), &unsafe_policy, NOW).is_ok());
        }
    });
}
