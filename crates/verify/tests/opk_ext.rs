//! OpenPubkey "Ext" envelopes (openpubkey/signed-attestation, spec sigstore.md §6), on the
//! upstream test's real parts: its PK token, PAE and the real rekor.sigstore.dev entry (index
//! 60852956) that logged them, assembled as `SignInTotoStatementExt` assembles them. The log
//! binding verifies under the bundled public-good root; the OP signature cannot (a mock OP,
//! whose key is not published), and the full verifier says so with the exact error. Each
//! tampered part fails with the code of the check it breaks, including the three the Go
//! verifier does not make: an envelope with no signature, the entry's signature, the
//! certificate's key (and the checkpoint, which it never reads).

use opk_verify::opk_ext::{verify_ext_envelope, verify_ext_logged, ExtEnvelope};
use opk_verify::sigstore::cert::Cert;
use opk_verify::sigstore::trusted_root::{RootSource, TrustedRoot};
use opk_verify::{b64, hex, Policy, TrustRoots, UnixTime, VerifyError};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const PUBLIC_GOOD: &[u8] =
    include_bytes!("../../../public/trust/sigstore/public-good.trusted_root.json");
const PAE: &[u8] = include_bytes!("vectors/signed-attestation_tl_test_pae.txt");
const PKT: &[u8] = include_bytes!("vectors/signed-attestation_tl_test_pktoken_from_cert_ski.json");
const ENTRY: &[u8] = include_bytes!("vectors/signed-attestation_tl_test_rekor_entry.json");
const NOW: UnixTime = UnixTime(1_796_601_600); // 2026-12-07
const INTEGRATED: i64 = 1_704_206_702;

fn root() -> TrustedRoot {
    TrustedRoot::parse(
        PUBLIC_GOOD,
        RootSource::Bundled {
            label: "public good".into(),
        },
    )
    .unwrap()
}

/// The body of the entry, as JSON.
fn body(entry: &Value) -> Value {
    let raw = b64::decode_dsse(entry["body"].as_str().unwrap(), "body").unwrap();
    serde_json::from_slice(&raw).unwrap()
}

/// The certificate the entry logged.
fn logged_cert(entry: &Value) -> Cert {
    let b = body(entry);
    let pem = b64::decode_dsse(
        b["spec"]["signature"]["publicKey"]["content"]
            .as_str()
            .unwrap(),
        "pem",
    )
    .unwrap();
    let (_, der) = opk_verify::sigstore::pem::decode(core::str::from_utf8(&pem).unwrap()).unwrap();
    Cert::parse(&der).unwrap()
}

/// The envelope `SignInTotoStatementExt` writes, from the vector's parts.
fn envelope() -> Value {
    let entry: Value = serde_json::from_slice(ENTRY).unwrap();
    let prefix = b"DSSEv1 28 application/vnd.in-toto+json 123 ";
    assert!(PAE.starts_with(prefix));
    let payload = &PAE[prefix.len()..];
    assert_eq!(payload.len(), 123);
    let sig = body(&entry)["spec"]["signature"]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    let keyid = hex::encode(&Sha256::digest(&logged_cert(&entry).spki));
    json!({
        "payloadType": "application/vnd.in-toto+json",
        "payload": b64::encode_std(payload),
        "signatures": [{
            "keyid": keyid,
            "sig": sig,
            "extension": {"kind": "OPK", "ext": {"pkt": b64::encode_std(PKT), "tl": entry}}
        }]
    })
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

fn logged(v: &Value) -> Result<opk_verify::opk_ext::ExtLog, VerifyError> {
    verify_ext_logged(&bytes(v), &root(), NOW)
        .map(|ok| ok.get().log.clone())
        .map_err(|r| r.error)
}

fn edited(f: impl FnOnce(&mut Value)) -> Value {
    let mut v = envelope();
    f(&mut v);
    v
}

fn tl(v: &mut Value) -> &mut Value {
    &mut v["signatures"][0]["extension"]["ext"]["tl"]
}

/// Replaces the entry's body by `f` of it (re-encoded: the SET no longer covers it).
fn edit_body(v: &mut Value, f: impl FnOnce(&mut Value)) {
    let mut b = body(tl(v));
    f(&mut b);
    tl(v)["body"] = json!(b64::encode_std(&serde_json::to_vec(&b).unwrap()));
}

/// Flips one bit of a base64 field.
fn flip_b64(field: &mut Value, at: usize) {
    let mut raw = b64::decode_dsse(field.as_str().unwrap(), "t").unwrap();
    raw[at] ^= 1;
    *field = json!(b64::encode_std(&raw));
}

#[test]
fn the_vector_parses_as_its_parts() {
    let env = ExtEnvelope::parse(&bytes(&envelope())).unwrap();
    assert_eq!(env.pae(), PAE);
    assert_eq!(env.pkt, PKT);
    assert_eq!(env.tl.log_index, 60_852_956);
    assert_eq!(env.tl.integrated_time, INTEGRATED);
}

#[test]
fn the_real_rekor_entry_verifies_under_the_public_good_root() {
    let ok = verify_ext_logged(&bytes(&envelope()), &root(), NOW).unwrap();
    let log = &ok.get().log;
    assert_eq!(log.log, "https://rekor.sigstore.dev");
    assert_eq!(log.log_index, 60_852_956);
    assert_eq!(log.integrated_time, UnixTime(INTEGRATED));
    let ids: Vec<&str> = ok.get().checks.iter().map(|c| c.id).collect();
    assert_eq!(
        ids,
        [
            "dsse.parse",
            "dsse.payload_type",
            "pktoken.parse",
            "cic.header",
            "att",
            "ext.signature",
            "ext.keyid",
            "ext.certificate",
            "tlog",
            "ext.time"
        ]
    );
    assert!(ok.get().checks.iter().all(|c| c.ok));
}

/// The full verifier: the mock OP ("me") is refused before any key is looked up, and with a
/// policy that allows it, its token names no key (its OP header has no `kid`) — never
/// "verified".
#[test]
fn the_mock_op_is_not_trusted() {
    let env = bytes(&envelope());
    let subject = "0".repeat(64);
    let github = Policy::builder().repository_owner_id("1").build().unwrap();
    let r = verify_ext_envelope(
        &env,
        subject.as_str(),
        &TrustRoots::bundled().unwrap(),
        &root(),
        &github,
        NOW,
    );
    assert!(matches!(
        r.unwrap_err().error,
        VerifyError::IssuerNotAllowed { issuer } if issuer == "me"
    ));
    let me = Policy::builder()
        .issuer("me")
        .any_identity_unsafe()
        .build()
        .unwrap();
    let r = verify_ext_envelope(
        &env,
        subject.as_str(),
        &TrustRoots::bundled().unwrap(),
        &root(),
        &me,
        NOW,
    );
    assert_eq!(
        r.unwrap_err().error,
        VerifyError::MissingField {
            what: "OP header",
            field: "kid"
        }
    );
}

#[test]
fn the_envelope_shape_is_strict() {
    let cases: Vec<(Value, VerifyError)> = vec![
        (
            edited(|v| v["signatures"] = json!([])),
            VerifyError::UnsupportedFormat {
                reason: "an OpenPubkey Ext envelope has exactly one signature",
            },
        ),
        (
            edited(|v| {
                let one = v["signatures"][0].clone();
                v["signatures"] = json!([one.clone(), one]);
            }),
            VerifyError::UnsupportedFormat {
                reason: "an OpenPubkey Ext envelope has exactly one signature",
            },
        ),
        (
            edited(|v| v["signatures"][0]["extension"]["kind"] = json!("X")),
            VerifyError::UnsupportedFormat {
                reason: "the signature's extension kind is not OPK",
            },
        ),
        (
            edited(|v| {
                v["signatures"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("extension");
            }),
            VerifyError::MissingField {
                what: "OpenPubkey Ext envelope",
                field: "extension",
            },
        ),
        (
            edited(|v| tl(v)["attestation"] = json!({})),
            VerifyError::UnknownMember {
                what: "OpenPubkey Ext log entry",
                member: "attestation".into(),
            },
        ),
        (
            edited(|v| {
                tl(v)["verification"]
                    .as_object_mut()
                    .unwrap()
                    .remove("inclusionProof");
            }),
            VerifyError::MissingField {
                what: "OpenPubkey Ext log entry",
                field: "inclusionProof",
            },
        ),
        (
            edited(|v| {
                tl(v)["verification"]
                    .as_object_mut()
                    .unwrap()
                    .remove("signedEntryTimestamp");
            }),
            VerifyError::MissingField {
                what: "OpenPubkey Ext log entry",
                field: "signedEntryTimestamp",
            },
        ),
        (
            edited(|v| tl(v)["logIndex"] = json!(-1)),
            VerifyError::InvalidField {
                what: "OpenPubkey Ext log entry",
                field: "logIndex",
            },
        ),
        (
            edited(|v| {
                let id = tl(v)["logID"].as_str().unwrap().to_uppercase();
                tl(v)["logID"] = json!(id);
            }),
            VerifyError::InvalidField {
                what: "OpenPubkey Ext log entry",
                field: "logID",
            },
        ),
    ];
    for (v, want) in cases {
        assert_eq!(logged(&v).unwrap_err(), want);
    }
}

#[test]
fn each_binding_fails_with_its_own_error() {
    let other_payload = br#"{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","subject":null,"predicate":"tset"}"#;
    let cases: Vec<(&str, Value, VerifyError)> = vec![
        (
            "another statement",
            edited(|v| v["payload"] = json!(b64::encode_std(other_payload))),
            VerifyError::AttMismatch {
                reason: "att does not match the SHA-256 of the DSSE PAE",
            },
        ),
        (
            "the envelope signature",
            edited(|v| flip_b64(&mut v["signatures"][0]["sig"], 40)),
            VerifyError::SignatureInvalid {
                what: "the envelope signature by the PK token's ephemeral key",
            },
        ),
        (
            "keyid",
            edited(|v| v["signatures"][0]["keyid"] = json!("0".repeat(64))),
            VerifyError::InvalidField {
                what: "OpenPubkey Ext signature",
                field: "keyid (not the SHA-256 of the ephemeral key)",
            },
        ),
        (
            // The same token, re-serialised: not the bytes the certificate carries.
            "the PK token's bytes",
            edited(|v| {
                let mut pkt = PKT.to_vec();
                pkt.push(b'\n');
                v["signatures"][0]["extension"]["ext"]["pkt"] = json!(b64::encode_std(&pkt));
            }),
            VerifyError::ExtCertificateMismatch {
                field: "its SubjectKeyId is not this PK token",
            },
        ),
        (
            "the logged certificate's key",
            edited(|v| {
                let cert = logged_cert(tl(v));
                // Another P-256 point (the public-good Rekor key's) in place of the
                // ephemeral key; the self-signed certificate's own signature is not a check.
                let rekor = &root().tlogs[0].key_der;
                let point = &cert.spki[cert.spki.len() - 65..];
                let other = &rekor[rekor.len() - 65..];
                let mut der = cert.der.clone();
                let at = der.windows(65).position(|w| w == point).unwrap();
                der[at..at + 65].copy_from_slice(other);
                let pem = format!(
                    "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
                    b64::encode_std(&der)
                );
                edit_body(v, |b| {
                    b["spec"]["signature"]["publicKey"]["content"] =
                        json!(b64::encode_std(pem.as_bytes()))
                });
            }),
            VerifyError::ExtCertificateMismatch {
                field: "its key is not the PK token's ephemeral key",
            },
        ),
        (
            "the entry's signature (the Go verifier never compares it)",
            edited(|v| {
                edit_body(v, |b| {
                    flip_b64(&mut b["spec"]["signature"]["content"], 40);
                })
            }),
            VerifyError::TlogBodyMismatch {
                field: "signature.content",
            },
        ),
        (
            "the entry's digest",
            edited(|v| {
                edit_body(v, |b| {
                    b["spec"]["data"]["hash"]["value"] = json!("0".repeat(64));
                })
            }),
            VerifyError::TlogBodyMismatch {
                field: "data.hash.value",
            },
        ),
        (
            "the entry's kind",
            edited(|v| edit_body(v, |b| b["apiVersion"] = json!("0.0.2"))),
            VerifyError::TlogEntryInvalid {
                reason: "an Ext envelope's entry is hashedrekord 0.0.1",
            },
        ),
        (
            "the SET",
            edited(|v| flip_b64(&mut tl(v)["verification"]["signedEntryTimestamp"], 20)),
            VerifyError::SetInvalid,
        ),
        (
            "the integrated time",
            edited(|v| tl(v)["integratedTime"] = json!(INTEGRATED + 1)),
            VerifyError::SetInvalid,
        ),
        (
            "the log",
            edited(|v| tl(v)["logID"] = json!("ab".repeat(32))),
            VerifyError::TlogEntryInvalid {
                reason: "the entry's log is not in the trusted root",
            },
        ),
        (
            "a proof hash",
            edited(|v| {
                let h = tl(v)["verification"]["inclusionProof"]["hashes"][1]
                    .as_str()
                    .unwrap()
                    .to_owned();
                let flipped = format!("{}{}", if &h[..1] == "0" { "1" } else { "0" }, &h[1..]);
                tl(v)["verification"]["inclusionProof"]["hashes"][1] = json!(flipped);
            }),
            VerifyError::InclusionProofInvalid {
                reason: "the path does not lead to the root",
            },
        ),
        (
            "the root hash (the Go verifier trusts it unsigned)",
            edited(|v| tl(v)["verification"]["inclusionProof"]["rootHash"] = json!("0".repeat(64))),
            VerifyError::CheckpointInvalid {
                reason: "the checkpoint is for another root",
            },
        ),
        (
            "the checkpoint's signature",
            edited(|v| {
                let cp = tl(v)["verification"]["inclusionProof"]["checkpoint"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                let (note, sig_line) = cp.trim_end().rsplit_once(' ').unwrap();
                let mut sig = b64::decode_dsse(sig_line, "sig").unwrap();
                sig[10] ^= 1;
                tl(v)["verification"]["inclusionProof"]["checkpoint"] =
                    json!(format!("{note} {}\n", b64::encode_std(&sig)));
            }),
            VerifyError::CheckpointInvalid {
                reason: "the log's signature does not verify",
            },
        ),
    ];
    for (what, v, want) in cases {
        assert_eq!(logged(&v).unwrap_err(), want, "{what}");
    }
}

#[test]
fn times_are_checked() {
    // Before the entry was integrated, it cannot have been.
    let r = verify_ext_logged(&bytes(&envelope()), &root(), UnixTime(INTEGRATED - 1));
    assert_eq!(r.unwrap_err().error.code(), "outside_validity");
    // A root whose Rekor key starts after the entry: refused for the log's window.
    let late = String::from_utf8(PUBLIC_GOOD.to_vec())
        .unwrap()
        .replace("2021-01-12T11:53:27Z", "2024-06-01T00:00:00Z");
    let late = TrustedRoot::parse(
        late.as_bytes(),
        RootSource::Bundled {
            label: "late".into(),
        },
    )
    .unwrap();
    let r = verify_ext_logged(&bytes(&envelope()), &late, NOW);
    assert_eq!(
        r.unwrap_err().error,
        VerifyError::OutsideValidity {
            what: "transparency log key",
            time: "2024-01-02T14:45:02Z".into()
        }
    );
}

mod forged {
    //! The whole verifier on envelopes forged as the Go producer writes them: the test OP's
    //! GitHub-shaped token, logged in the test Rekor, under that log's (dev) trusted root.

    use super::{bytes, flip_b64, root, tl};
    use opk_testkit::ext_forge;
    use opk_testkit::forge::{Client, TestOp, STATEMENT};
    use opk_verify::opk_ext::verify_ext_envelope;
    use opk_verify::sigstore::trusted_root::{RootSource, TrustedRoot};
    use opk_verify::{Policy, UnixTime, VerifyError};
    use serde_json::{json, Value};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const SUBJECT: &str = "3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8";
    const FORGED_NOW: UnixTime = UnixTime(1_698_142_000);

    fn dev_root() -> TrustedRoot {
        TrustedRoot::parse(
            &ext_forge::trusted_root(),
            RootSource::Dev {
                label: "test log".into(),
            },
        )
        .unwrap()
    }

    fn verify(
        env: &[u8],
        subject: &str,
        policy: &Policy,
    ) -> Result<opk_verify::opk_ext::ExtOutcome, VerifyError> {
        let op = TestOp::new();
        verify_ext_envelope(env, subject, &op.trust(), &dev_root(), policy, FORGED_NOW)
            .map(|ok| ok.get().clone())
            .map_err(|r| r.error)
    }

    fn owner() -> Policy {
        Policy::builder()
            .repository_owner_id("145685596")
            .build()
            .unwrap()
    }

    fn forged() -> Vec<u8> {
        ext_forge::envelope(&TestOp::new(), &Client::new(), STATEMENT.as_bytes())
    }

    #[test]
    fn a_forged_ext_envelope_verifies_whole() {
        let out = verify(&forged(), SUBJECT, &owner()).unwrap();
        assert_eq!(out.token.claims["repository"], "openpubkey/demo");
        assert_eq!(out.log.log, ext_forge::LOG_URL);
        assert_eq!(
            out.log.integrated_time,
            UnixTime(ext_forge::INTEGRATED_TIME)
        );
        assert_eq!(out.statement.predicate_type, "https://spdx.dev/Document");
        let ids: Vec<&str> = out.checks.iter().map(|c| c.id).collect();
        for id in [
            "op.signature",
            "commitment",
            "cic.signature",
            "policy.repository_owner_id",
            "att",
            "ext.signature",
            "ext.certificate",
            "tlog",
            "ext.time",
            "subject",
        ] {
            assert!(ids.contains(&id), "{id} not in {ids:?}");
        }
        assert!(out.checks.iter().all(|c| c.ok));
    }

    #[test]
    fn identity_subject_and_log_trust_still_apply() {
        let env = forged();
        let wrong_owner = Policy::builder().repository_owner_id("1").build().unwrap();
        assert_eq!(
            verify(&env, SUBJECT, &wrong_owner).unwrap_err().code(),
            "policy_violation"
        );
        assert_eq!(
            verify(&env, &"0".repeat(64), &owner()).unwrap_err(),
            VerifyError::SubjectMismatch {
                expected: format!("sha256:{}", "0".repeat(64)),
                found: format!("sha256:{SUBJECT}"),
            }
        );
        // The public-good root does not know the test log.
        let op = TestOp::new();
        let r = verify_ext_envelope(&env, SUBJECT, &op.trust(), &root(), &owner(), FORGED_NOW);
        assert_eq!(
            r.unwrap_err().error,
            VerifyError::TlogEntryInvalid {
                reason: "the entry's log is not in the trusted root"
            }
        );
    }

    /// The same checks as on the real vector hold on a forged one (a sample of them: the
    /// signature, the logged certificate, the SET).
    #[test]
    fn forged_parts_fail_as_the_vectors_do() {
        let env: Value = serde_json::from_slice(&forged()).unwrap();
        let mut v = env.clone();
        flip_b64(&mut v["signatures"][0]["sig"], 40);
        assert_eq!(
            verify(&bytes(&v), SUBJECT, &owner()).unwrap_err().code(),
            "signature_invalid"
        );
        let mut v = env.clone();
        flip_b64(&mut tl(&mut v)["verification"]["signedEntryTimestamp"], 20);
        assert_eq!(
            verify(&bytes(&v), SUBJECT, &owner()).unwrap_err(),
            VerifyError::SetInvalid
        );
        let mut v = env;
        v["signatures"][0]["keyid"] = json!("");
        assert_eq!(
            verify(&bytes(&v), SUBJECT, &owner()).unwrap_err().code(),
            "invalid_field"
        );
    }
}
