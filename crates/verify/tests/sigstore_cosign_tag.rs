//! cosign v2 tag signatures (`.sig` simple signing, `.att` DSSE) from the test Sigstore, both
//! ways: each verifies about its image under the dev root and the policy, and each mutation of
//! what binds it — the layer's bytes, the signature, the certificate, the Rekor bundle, the
//! payload's image, its type, the statement's subject, the media type — fails with its error.

use std::collections::BTreeMap;

use opk_testkit::image::statement;
use opk_testkit::sigstore::cosign_tag::{self, Layer};
use opk_testkit::sigstore::{fulcio, root};
use opk_verify::sigstore::cosign_tag::{CERTIFICATE, REKOR_BUNDLE, SIGNATURE};
use opk_verify::sigstore::verify::Signer;
use opk_verify::sigstore::{verify_cosign_layer, BundleOutcome, CosignLayer, SigstoreTrust};
use opk_verify::{b64, Policy, UnixTime, VerifyError};
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// 2026-12-07T00:00:00Z, the signing time.
const AT: i64 = 1_796_601_600;
const NOW: UnixTime = UnixTime(AT + 3600);
const IMAGE: &str = "1f0d8b3c4e5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
const OTHER: &str = "2f0d8b3c4e5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

fn trust() -> SigstoreTrust {
    root::dev_trust()
}

fn policy() -> Policy {
    fulcio::Identity::demo_policy_builder().build().unwrap()
}

fn sig_layer() -> Layer {
    let payload = cosign_tag::simple_signing(IMAGE, "127.0.0.1:5000/sigstore/cosign-v2");
    cosign_tag::signature(&payload, &fulcio::Identity::demo(), AT)
}

fn att_layer() -> Layer {
    let st = statement(
        "https://slsa.dev/provenance/v1",
        "pkg:docker/sigstore/cosign-v2@latest",
        IMAGE,
    );
    cosign_tag::attestation(&st, &fulcio::Identity::demo(), AT)
}

fn verify_as(layer: &Layer, image: &str, policy: &Policy) -> Result<BundleOutcome, VerifyError> {
    verify_cosign_layer(
        CosignLayer {
            media_type: layer.media_type,
            annotations: &layer.annotations,
            bytes: &layer.bytes,
        },
        image,
        &trust(),
        policy,
        NOW,
        &Default::default(),
    )
    .map(|v| v.into_inner())
    .map_err(|r| r.error)
}

fn verify(layer: &Layer) -> Result<BundleOutcome, VerifyError> {
    verify_as(layer, IMAGE, &policy())
}

fn with_annotation(layer: &Layer, key: &str, value: Option<String>) -> Layer {
    let mut l = layer.clone();
    match value {
        Some(v) => l.annotations.insert(key.into(), v),
        None => l.annotations.remove(key),
    };
    l
}

/// The Rekor bundle annotation with `edit` applied to its JSON.
fn with_rekor_bundle(layer: &Layer, edit: impl FnOnce(&mut Value)) -> Layer {
    let mut v: Value = serde_json::from_str(&layer.annotations[REKOR_BUNDLE]).unwrap();
    edit(&mut v);
    with_annotation(layer, REKOR_BUNDLE, Some(v.to_string()))
}

#[test]
fn a_simple_signing_signature_verifies_about_its_image() {
    let out = verify(&sig_layer()).unwrap();
    assert_eq!(out.version, "cosign v2 signature");
    assert_eq!(out.log_entries.len(), 1);
    assert_eq!(out.signed_at, vec!["2026-12-07T00:00:00Z".to_owned()]);
    assert!(out.statement.is_none());
    let Signer::Certificate { identity, .. } = &out.signer else {
        panic!("signed by a certificate");
    };
    assert_eq!(identity.san, fulcio::Identity::demo().san);
    assert!(out.trusted_root.contains("dev"), "{}", out.trusted_root);
    let ids: Vec<&str> = out.checks.iter().map(|c| c.id).collect();
    assert!(ids.contains(&"cosign.payload"), "{ids:?}");
}

#[test]
fn an_attestation_verifies_about_its_image_with_its_statement() {
    let out = verify(&att_layer()).unwrap();
    assert_eq!(out.version, "cosign v2 attestation");
    assert_eq!(
        out.statement.unwrap().predicate_type,
        "https://slsa.dev/provenance/v1"
    );
}

#[test]
fn a_signature_about_another_image_is_refused() {
    assert_eq!(
        verify_as(&sig_layer(), OTHER, &policy()).unwrap_err(),
        VerifyError::SubjectMismatch {
            expected: format!("sha256:{OTHER}"),
            found: format!("sha256:{IMAGE}"),
        }
    );
    assert_eq!(
        verify_as(&att_layer(), OTHER, &policy()).unwrap_err(),
        VerifyError::SubjectMismatch {
            expected: OTHER.into(),
            found: format!("sha256:{IMAGE}"),
        }
    );
}

#[test]
fn the_payloads_type_and_digest_key_are_checked() {
    // Signed payloads that are not cosign's image signature: each signed and logged properly.
    let id = fulcio::Identity::demo();
    let other_type = br#"{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"sha256:IMG"},"type":"atomic container signature"}}"#;
    let twice = br#"{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"sha256:IMG","Docker-manifest-digest":"sha256:IMG"},"type":"cosign container image signature"}}"#;
    let upper = br#"{"critical":{"identity":{"docker-reference":"r"},"image":{"Docker-manifest-digest":"sha256:IMG"},"type":"cosign container image signature"}}"#;
    let sign = |p: &[u8]| {
        let text = String::from_utf8(p.to_vec()).unwrap().replace("IMG", IMAGE);
        cosign_tag::signature(text.as_bytes(), &id, AT)
    };
    assert_eq!(
        verify(&sign(other_type)).unwrap_err(),
        VerifyError::InvalidField {
            what: "simple-signing payload",
            field: "critical.type"
        }
    );
    assert_eq!(
        verify(&sign(twice)).unwrap_err(),
        VerifyError::DuplicateKey {
            what: "simple-signing payload",
            key: "docker-manifest-digest".into()
        }
    );
    // The specification's spelling, as Go reads it.
    verify(&sign(upper)).unwrap();
}

#[test]
fn changed_bytes_or_signature_are_refused() {
    let mut l = sig_layer();
    l.bytes = cosign_tag::simple_signing(IMAGE, "127.0.0.1:5000/sigstore/other");
    assert_eq!(
        verify(&l).unwrap_err(),
        VerifyError::SignatureInvalid {
            what: "the signature over the artifact"
        }
    );
    let mut sig = b64::decode_dsse(&sig_layer().annotations[SIGNATURE], "sig").unwrap();
    let last = sig.len() - 1;
    sig[last] ^= 1;
    let l = with_annotation(&sig_layer(), SIGNATURE, Some(b64::encode_std(&sig)));
    assert!(matches!(
        verify(&l).unwrap_err(),
        VerifyError::SignatureInvalid { .. }
    ));
    let mut a = att_layer();
    let mut env: Value = serde_json::from_slice(&a.bytes).unwrap();
    let other = statement("https://slsa.dev/provenance/v1", "pkg:docker/x", OTHER);
    env["payload"] = b64::encode_std(&other).into();
    a.bytes = env.to_string().into_bytes();
    assert_eq!(
        verify(&a).unwrap_err(),
        VerifyError::SignatureInvalid {
            what: "the DSSE signature"
        }
    );
}

#[test]
fn the_log_entry_must_be_there_signed_and_about_this_signature() {
    for layer in [sig_layer(), att_layer()] {
        assert_eq!(
            verify(&with_annotation(&layer, REKOR_BUNDLE, None)).unwrap_err(),
            VerifyError::TlogEntryInvalid {
                reason: "no transparency log entry (the trusted root has logs)"
            }
        );
        // The SET signs the payload: a later integrated time breaks it.
        let later = with_rekor_bundle(&layer, |v| {
            v["Payload"]["integratedTime"] = (AT + 1).into();
        });
        assert_eq!(verify(&later).unwrap_err(), VerifyError::SetInvalid);
        let unknown = with_rekor_bundle(&layer, |v| v["Extra"] = 1.into());
        assert_eq!(
            verify(&unknown).unwrap_err(),
            VerifyError::UnknownMember {
                what: "cosign signature annotations",
                member: "Extra".into()
            }
        );
    }
    // Another signature's entry (the .att's for the .sig) names another body.
    let swapped = with_annotation(
        &sig_layer(),
        REKOR_BUNDLE,
        Some(att_layer().annotations[REKOR_BUNDLE].clone()),
    );
    assert!(matches!(
        verify(&swapped).unwrap_err(),
        VerifyError::TlogBodyMismatch { .. }
    ));
}

#[test]
fn the_certificate_is_the_signers_and_the_policys() {
    let other = with_annotation(
        &sig_layer(),
        CERTIFICATE,
        Some(att_layer().annotations[CERTIFICATE].clone()),
    );
    assert!(matches!(
        verify(&other).unwrap_err(),
        VerifyError::SignatureInvalid { .. }
    ));
    let strict = Policy::builder()
        .issuer(fulcio::Identity::demo().issuer)
        .certificate_identity(
            "https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main",
        )
        .repository_owner_id("145685596")
        .build()
        .unwrap();
    assert!(matches!(
        verify_as(&sig_layer(), IMAGE, &strict).unwrap_err(),
        VerifyError::PolicyViolation {
            rule: "certificate identity",
            ..
        }
    ));
    // No certificate: a keyed signature, which needs a policy trusting a supplied key.
    assert_eq!(
        verify(&with_annotation(&sig_layer(), CERTIFICATE, None)).unwrap_err(),
        VerifyError::UnsupportedFormat {
            reason: "a keyed bundle needs a policy trusting a supplied key"
        }
    );
}

#[test]
fn other_media_types_and_envelopes_are_refused() {
    let mut l = sig_layer();
    l.media_type = "application/vnd.oci.image.layer.v1.tar";
    assert_eq!(
        verify(&l).unwrap_err(),
        VerifyError::UnsupportedFormat {
            reason: "a cosign layer is a simple-signing document or a DSSE envelope"
        }
    );
    let mut a = att_layer();
    let mut env: Value = serde_json::from_slice(&a.bytes).unwrap();
    let one = env["signatures"][0].clone();
    env["signatures"] = Value::Array(vec![one.clone(), one]);
    a.bytes = env.to_string().into_bytes();
    assert_eq!(
        verify(&a).unwrap_err(),
        VerifyError::UnsupportedFormat {
            reason: "a cosign attestation's DSSE envelope must have exactly one signature"
        }
    );
    let none: BTreeMap<String, String> = BTreeMap::new();
    let bare = Layer {
        annotations: none,
        ..sig_layer()
    };
    assert_eq!(
        verify(&bare).unwrap_err(),
        VerifyError::MissingField {
            what: "cosign signature annotations",
            field: SIGNATURE
        }
    );
}
