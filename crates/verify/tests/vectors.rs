//! Every vector in tests/vectors verifies, or is rejected, as PROVENANCE.md says.

mod common;

use common::*;
use opk_verify::gq::{self, GqShape};
use opk_verify::pktoken::{Cic, PkToken};
use opk_verify::{verify_envelope, verify_jwt, verify_pk_token, Format, KeySource, VerifyError};

#[test]
fn go_reference_f0_provenance_envelope_verifies() {
    on_every_ring(|| {
        let v = verify_envelope(
            DSSE_PROVENANCE,
            SUBJECT,
            &trust_synthetic(),
            &demo_policy(),
            NOW,
        )
        .unwrap();
        assert_eq!(v.format, Format::F0);
        assert_eq!(
            v.statement.predicate_type,
            "https://slsa.dev/provenance/v0.2"
        );
        let t = &v.tokens[0];
        assert_eq!(t.op_scheme, "GQ");
        assert_eq!(t.key.kid, "SYNTHETIC0000TEST0000KEY0000NOT0000GITHUB");
        assert_eq!(
            t.key.source,
            KeySource::UserSupplied {
                label: "synthetic_op_jwks.json".into()
            }
        );
        assert_eq!(
            t.att.as_deref(),
            Some("05aefd807d05c0d2f6717036268c7f64f2a7d1af5d01c02506320a00113e9516")
        );
        assert_eq!(t.claims["repository_owner_id"], "145685596");
        let ids: Vec<&str> = v.checks.iter().map(|c| c.id).collect();
        for id in [
            "op.signature",
            "commitment",
            "cic.signature",
            "att",
            "subject",
            "provenance.revision",
            "provenance.source",
            "provenance.builder",
            "policy.repository_owner_id",
        ] {
            assert!(ids.contains(&id), "missing check {id} in {ids:?}");
        }
        assert!(v.checks.iter().all(|c| c.ok));
        let owner = v
            .checks
            .iter()
            .find(|c| c.id == "policy.repository_owner_id")
            .unwrap();
        assert_eq!(
            owner.message,
            "Verified repository owner 145685596 (openpubkey)"
        );
    });
}

#[test]
fn go_reference_f0_spdx_envelope_verifies() {
    on_every_ring(|| {
        let v =
            verify_envelope(DSSE_SPDX, SUBJECT, &trust_synthetic(), &demo_policy(), NOW).unwrap();
        assert_eq!(v.statement.predicate_type, "https://spdx.dev/Document");
        assert_eq!(
            v.tokens[0].att.as_deref(),
            Some("e8b2160bc1bce0577522fb2be0d2d8de79d3c29f7737817a8d2a27ceae11257a")
        );
    });
}

#[test]
fn go_reference_envelope_without_the_synthetic_key_is_key_not_found() {
    on_every_ring(|| {
        let err = verify_envelope(
            DSSE_PROVENANCE,
            SUBJECT,
            &opk_verify::TrustRoots::bundled().unwrap(),
            &demo_policy(),
            NOW,
        )
        .unwrap_err();
        assert_eq!(
            err.error,
            VerifyError::KeyNotFound {
                issuer: "https://token.actions.githubusercontent.com".into(),
                kid: "SYNTHETIC0000TEST0000KEY0000NOT0000GITHUB".into()
            }
        );
        assert!(!err.checks.last().unwrap().ok);
    });
}

#[test]
fn go_reference_pk_tokens_verify_standalone() {
    on_every_ring(|| {
        for env in [DSSE_PROVENANCE, DSSE_SPDX] {
            let v = verify_pk_token(&pk_token_of(env), &trust_synthetic(), &demo_policy(), NOW)
                .unwrap();
            assert_eq!(v.format, Some(Format::F0));
        }
    });
}

#[test]
fn synthetic_issued_id_tokens_verify_as_rs256() {
    on_every_ring(|| {
        let trust = trust_synthetic();
        let tokens: Vec<&str> = SYNTHETIC_IDTOKENS
            .lines()
            .filter(|l| l.starts_with("eyJ"))
            .collect();
        assert_eq!(tokens.len(), 2);
        for t in tokens {
            let v = verify_jwt(t, &trust, &demo_policy(), NOW).unwrap();
            assert_eq!(v.op_scheme, "RS256");
        }
    });
}

#[test]
fn gq_proof_over_real_2022_github_token_verifies_with_real_2022_jwks() {
    on_every_ring(|| {
        // The bundled history holds this key (78167F72) with its dated window.
        let v = verify_jwt(
            GQ_OVER_REAL_2022,
            &opk_verify::TrustRoots::bundled().unwrap(),
            &any_github(),
            NOW,
        )
        .unwrap();
        assert_eq!(v.op_scheme, "GQ");
        assert_eq!(v.key.kid, "78167F727DEC5D801DD1C8784C704A1C880EC0E1");
        assert_eq!(v.key.source, KeySource::Bundled);
        // And with the 2022 snapshot JWKS as the only trust.
        let mut t = opk_verify::TrustRoots::empty();
        let jwks = opk_verify::jose::Jwks::from_json(GH_JWKS_2022).unwrap();
        t.add_jwks(
            opk_verify::GITHUB_ACTIONS_ISSUER,
            &jwks,
            &KeySource::UserSupplied {
                label: "2022".into(),
            },
        )
        .unwrap();
        assert!(verify_jwt(GQ_OVER_REAL_2022, &t, &any_github(), NOW).is_ok());
    });
}

#[test]
fn real_github_id_tokens_verify_rs256_with_bundled_history() {
    on_every_ring(|| {
        let trust = opk_verify::TrustRoots::bundled().unwrap();
        for (tok, kid) in [
            (GH_TOKEN_2022, "78167F727DEC5D801DD1C8784C704A1C880EC0E1"),
            (GH_TOKEN_2023_10, "78167F727DEC5D801DD1C8784C704A1C880EC0E1"),
            (GH_TOKEN_2023_12, "1F2AB83404C08EC9EA0BB99DAED02186B091DBF4"),
        ] {
            let v = verify_jwt(tok, &trust, &any_github(), NOW)
                .unwrap_or_else(|e| panic!("{kid}: {e:?}"));
            assert_eq!(v.op_scheme, "RS256");
            assert_eq!(v.key.kid, kid);
            assert!(v
                .checks
                .iter()
                .any(|c| c.id == "time" && c.message.contains("inside the key's window")));
        }
        // The 2023-12 token also verifies with the crates.io 2025 snapshot.
        let mut t = opk_verify::TrustRoots::empty();
        let jwks = opk_verify::jose::Jwks::from_json(GH_JWKS_2025_05).unwrap();
        t.add_jwks(
            opk_verify::GITHUB_ACTIONS_ISSUER,
            &jwks,
            &KeySource::UserSupplied {
                label: "2025".into(),
            },
        )
        .unwrap();
        assert!(verify_jwt(GH_TOKEN_2023_12, &t, &any_github(), NOW).is_ok());
    });
}

#[test]
fn real_google_pk_tokens_verify() {
    on_every_ring(|| {
        for pkt in [GOOGLE_PKT_0529, GOOGLE_PKT_0531] {
            let v = verify_pk_token(pkt, &trust_google(), &any_google(), NOW).unwrap();
            assert_eq!(v.format, Some(Format::Compact2023));
            assert_eq!(v.op_scheme, "RS256");
            assert!(v
                .checks
                .iter()
                .any(|c| c.id == "commitment" && c.message.contains("nonce")));
        }
    });
}

#[test]
fn f1_token_commitment_att_and_cic_signature_check() {
    on_every_ring(|| {
        let pkt = PkToken::parse(F1_PKT).unwrap();
        assert_eq!(pkt.format, Format::F1);
        let cic = Cic::from_header(&pkt.cic.header).unwrap();
        assert!(cic.verify_signature(
            &pkt.cic.protected_b64,
            &pkt.payload_b64,
            &pkt.cic.signature_b64,
            &opk_verify::prechecked::Prechecked::none(),
        ));
        cic.check_att(F1_PAE).unwrap();
        let claims = opk_verify::pktoken::decode_claims(&pkt.payload_b64).unwrap();
        assert_eq!(claims["nonce"], cic.commitment());
        // Its mock OP key is not available, so full verification stops at the issuer.
        let err = verify_pk_token(F1_PKT, &trust_google(), &any_google(), NOW).unwrap_err();
        assert_eq!(
            err.error,
            VerifyError::IssuerNotAllowed {
                issuer: "me".into()
            }
        );
    });
}

/// The ISO/IEC 14888-2 GQ1 example: a field by name (hex-decoded), and its modulus.
fn iso_gq_vector() -> (
    impl Fn(&str) -> Vec<u8>,
    crypto_bigint::Odd<crypto_bigint::BoxedUint>,
) {
    let v: serde_json::Value = serde_json::from_slice(ISO_GQ).unwrap();
    let h = move |k: &str| hex_decode(v[k].as_str().unwrap());
    let n = crypto_bigint::BoxedUint::from_be_slice_vartime(&h("n"));
    let n = Option::<crypto_bigint::Odd<_>>::from(crypto_bigint::Odd::new(n)).unwrap();
    (h, n)
}

#[test]
fn iso_14888_2_gq1_example_runs_through_the_injectable_core() {
    on_every_ring(|| {
        let (h, n) = iso_gq_vector();
        let shape = GqShape {
            t: 1,
            v_bytes: 10,
            n_bytes: 128,
        };
        let sha1_trunc = |w: &[u8], m: &[u8], k: usize| {
            use sha1::Digest;
            let mut d = sha1::Sha1::new();
            d.update(w);
            d.update(m);
            d.finalize()[..k].to_vec()
        };
        let m_ascii: serde_json::Value = serde_json::from_slice(ISO_GQ).unwrap();
        let msg = m_ascii["M_ascii"].as_str().unwrap().as_bytes();
        let sig = h("signature_R_concat_S");
        assert!(gq::verify_core(
            &n,
            &h("v"),
            shape,
            &h("G"),
            msg,
            &sig,
            sha1_trunc
        ));
        let mut bad = sig.clone();
        bad[0] ^= 1;
        assert!(!gq::verify_core(
            &n,
            &h("v"),
            shape,
            &h("G"),
            msg,
            &bad,
            sha1_trunc
        ));
        assert!(!gq::verify_core(
            &n,
            &h("v"),
            shape,
            &h("G"),
            b"other message",
            &sig,
            sha1_trunc
        ));
        // Signing with Q through the same core produces proofs the core accepts.
        let mut ctr = 0u8;
        let mut fill = |buf: &mut [u8]| {
            for b in buf.iter_mut() {
                ctr = ctr.wrapping_mul(31).wrapping_add(7);
                *b = ctr;
            }
            buf[0] &= 0x7f;
        };
        let proof = gq::sign_core(
            &n,
            &h("v"),
            shape,
            &h("Q_private"),
            msg,
            &mut fill,
            sha1_trunc,
        )
        .unwrap();
        assert!(gq::verify_core(
            &n,
            &h("v"),
            shape,
            &h("G"),
            msg,
            &proof,
            sha1_trunc
        ));
    });
}

/// Proofs of 2, 3 and 5 rounds over the ISO example's key and its 80-bit `v` (so each round's
/// exponent spans many windows): the core runs rounds two at a time and an odd last one alone,
/// and a change to any round's response or challenge part, a zero response or one not below `n`
/// is rejected.
#[test]
fn gq_rounds_in_pairs_and_an_odd_last_round_all_count() {
    on_every_ring(|| {
        let (h, n) = iso_gq_vector();
        // xorshift64: a different commitment in every round, so every witness differs.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut fill = |buf: &mut [u8]| {
            for b in buf.iter_mut() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *b = (state >> 32) as u8;
            }
            buf[0] &= 0x7f;
        };
        let (msg, e, g) = (b"rounds", h("v"), h("G"));
        for t in [2, 3, 5] {
            let shape = GqShape {
                t,
                v_bytes: 10,
                n_bytes: 128,
            };
            let proof = gq::sign_core(
                &n,
                &e,
                shape,
                &h("Q_private"),
                msg,
                &mut fill,
                gq::shake256_challenge,
            )
            .unwrap();
            let verify =
                |p: &[u8]| gq::verify_core(&n, &e, shape, &g, msg, p, gq::shake256_challenge);
            assert!(verify(&proof), "t = {t}");
            for round in 0..t {
                for at in [round * 10, t * 10 + round * 128 + 64] {
                    let mut bad = proof.clone();
                    bad[at] ^= 1;
                    assert!(!verify(&bad), "t = {t}, byte {at} of round {round} changed");
                }
                // A zero response, and the modulus itself (not below n), in either lane.
                let s_i = t * 10 + round * 128..t * 10 + (round + 1) * 128;
                for response in [vec![0; 128], h("n")] {
                    let mut bad = proof.clone();
                    bad[s_i.clone()].copy_from_slice(&response);
                    assert!(!verify(&bad), "t = {t}, round {round}: response replaced");
                }
            }
        }
    });
}

#[test]
fn the_claimed_signer_is_read_unverified_and_only_from_a_pk_token() {
    use opk_verify::claimed::claimed_signer_unverified;
    let s = claimed_signer_unverified(DSSE_PROVENANCE).unwrap();
    assert_eq!(s.repository_owner_id, "145685596");
    assert_eq!(s.repository, "openpubkey/demo");
    assert_eq!(s.issuer, "https://token.actions.githubusercontent.com");
    // Not an envelope; an envelope whose signature is no PK token.
    assert_eq!(claimed_signer_unverified(b"{}"), None);
    let mut env: serde_json::Value = serde_json::from_slice(DSSE_PROVENANCE).unwrap();
    env["signatures"][0]["sig"] = "AAAA".into();
    assert_eq!(claimed_signer_unverified(env.to_string().as_bytes()), None);
}
