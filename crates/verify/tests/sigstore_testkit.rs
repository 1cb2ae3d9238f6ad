//! The test Sigstore of `opk-testkit` (CA, CT log, Rekor, trusted root) against the core: its
//! bundles verify whole under its root, labelled a dev instance, with every component doing
//! its part — a root that does not hold the CA, the CT log's key or the log's key refuses them
//! with the error of that component, and the public-good root refuses them. (The core's own
//! checks are proven in headless Chromium by the conformance suite; this proves the forge.)

use opk_testkit::image::statement;
use opk_testkit::sigstore::{bundle, fulcio, root};
use opk_verify::sigstore::keys::HashAlg;
use opk_verify::sigstore::trusted_root::{RootSource, TrustedRoot, PUBLIC_GOOD_LABEL};
use opk_verify::sigstore::verify::Signer;
use opk_verify::sigstore::{
    load_trusted_root, message_digest, verify_bundle, Artifact, RootInput, SigstoreTrust,
};
use opk_verify::{hex, Policy, UnixTime, VerifyError};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// 2026-12-07T00:00:00Z, the signing time.
const AT: i64 = 1_796_601_600;
const NOW: UnixTime = UnixTime(AT + 3600);
const IMAGE: &str = "1f0d8b3c4e5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

fn identity() -> fulcio::Identity {
    fulcio::Identity::demo()
}

fn dev_root(bytes: &[u8]) -> SigstoreTrust {
    SigstoreTrust {
        root: TrustedRoot::parse(
            bytes,
            RootSource::Dev {
                label: "opk test Sigstore".into(),
            },
        )
        .unwrap(),
        keys: Vec::new(),
    }
}

fn policy() -> Policy {
    fulcio::Identity::demo_policy_builder().build().unwrap()
}

fn dsse_bundle() -> Vec<u8> {
    let st = statement(
        "https://spdx.dev/Document",
        "pkg:docker/openpubkey/demo@latest?platform=linux%2Famd64",
        IMAGE,
    );
    bundle::dsse(&st, &identity(), AT)
}

fn image_digest() -> Vec<u8> {
    hex::decode(IMAGE).unwrap()
}

fn verify_dsse(trust: &SigstoreTrust) -> Result<opk_verify::sigstore::BundleOutcome, VerifyError> {
    let d = image_digest();
    verify_bundle(
        &dsse_bundle(),
        Artifact::Digest(HashAlg::Sha256, &d),
        trust,
        &policy(),
        NOW,
    )
    .map(|v| v.into_inner())
    .map_err(|r| r.error)
}

fn other_key_spki() -> Value {
    let key = p256::ecdsa::SigningKey::from_slice(&[77u8; 32]).unwrap();
    Value::String(opk_verify::b64::encode_std(&opk_testkit::der::spki(&key)))
}

#[test]
fn a_dsse_bundle_verifies_under_the_dev_root() {
    let out = verify_dsse(&dev_root(&root::trusted_root())).unwrap();
    assert_eq!(out.trusted_root, "opk test Sigstore (dev instance)");
    assert_eq!(
        out.log_entries,
        vec![("https://rekor.opk.test".to_owned(), 4)]
    );
    assert_eq!(out.signed_at, vec!["2026-12-07T00:00:00Z".to_owned()]);
    assert_eq!(
        out.time_witness,
        opk_verify::sigstore::TimeWitness::TransparencyLog
    );
    let Signer::Certificate { identity, .. } = &out.signer else {
        panic!("{:?}", out.signer)
    };
    assert_eq!(
        identity.san,
        "https://github.com/openpubkey/demo/.github/workflows/docker-build.yaml@refs/heads/main"
    );
    assert_eq!(identity.claim("repository"), Some("openpubkey/demo"));
    assert_eq!(identity.claim("repository_owner_id"), Some("145685596"));
    let ids: Vec<&str> = out.checks.iter().map(|c| c.id).collect();
    for id in ["signature", "tlog", "certificate.chain"] {
        assert!(ids.iter().any(|i| i.starts_with(id)), "{id} in {ids:?}");
    }
    assert_eq!(
        out.statement.unwrap().predicate_type,
        "https://spdx.dev/Document"
    );
}

#[test]
fn a_message_bundle_names_its_digest_and_nothing_else_names_one() {
    let artifact = b"an artifact the test Sigstore signs";
    let b = bundle::message(artifact, &identity(), AT);
    let named = Some((HashAlg::Sha256, Sha256::digest(artifact).to_vec()));
    assert_eq!(message_digest(&b), named);
    // The digest is read from the bundle, not computed: another bundle names another one.
    let other = bundle::message(b"another artifact", &identity(), AT);
    assert_ne!(message_digest(&other), named);
    assert_eq!(message_digest(&dsse_bundle()), None);
    assert_eq!(message_digest(b"{}"), None);
    assert_eq!(message_digest(b"not a bundle"), None);
}

#[test]
fn a_trusted_root_loads_as_its_input_names_it() {
    let bundled = load_trusted_root(RootInput::PublicGood).unwrap();
    assert_eq!(
        bundled.source,
        RootSource::Bundled {
            label: PUBLIC_GOOD_LABEL.into()
        }
    );
    // The test Sigstore's root names itself a dev instance; without the name it is the
    // user's own trust.
    let doc = root::trusted_root();
    let label = "http://127.0.0.1/root.json";
    let dev = load_trusted_root(RootInput::UserSupplied { bytes: &doc, label }).unwrap();
    assert_eq!(
        dev.source,
        RootSource::Dev {
            label: format!("opk test Sigstore, {label}")
        }
    );
    let mut plain: Value = serde_json::from_slice(&doc).unwrap();
    plain.as_object_mut().unwrap().remove("opkDevInstance");
    let plain = serde_json::to_vec(&plain).unwrap();
    let user = load_trusted_root(RootInput::UserSupplied {
        bytes: &plain,
        label,
    })
    .unwrap();
    assert_eq!(
        user.source,
        RootSource::UserSupplied {
            label: label.into()
        }
    );
    let err = load_trusted_root(RootInput::UserSupplied {
        bytes: br#"{"mediaType": "application/json"}"#,
        label,
    })
    .unwrap_err();
    assert_eq!(
        err,
        VerifyError::TrustedRootInvalid {
            reason: "unknown trusted root media type"
        }
    );
}

#[test]
fn a_message_bundle_verifies_its_artifact_and_no_other() {
    let artifact = b"an artifact the test Sigstore signs";
    let b = bundle::message(artifact, &identity(), AT);
    let trust = dev_root(&root::trusted_root());
    let ok = verify_bundle(&b, Artifact::Bytes(artifact), &trust, &policy(), NOW).unwrap();
    assert_eq!(ok.version, "V03");
    let digest = Sha256::digest(b"another artifact");
    let err = verify_bundle(
        &b,
        Artifact::Digest(HashAlg::Sha256, &digest),
        &trust,
        &policy(),
        NOW,
    )
    .unwrap_err();
    assert_eq!(
        err.error,
        VerifyError::DigestMismatch {
            expected: hex::encode(&Sha256::digest(artifact)),
            actual: hex::encode(&digest),
        }
    );
}

#[test]
fn each_component_of_the_root_is_load_bearing() {
    // Another CA in the CA's place (the public-good Fulcio root).
    let public_good = TrustedRoot::public_good().unwrap();
    let fulcio_root = public_good.certificate_authorities[0].chain.last().unwrap();
    let mut r: Value = serde_json::from_slice(&root::trusted_root()).unwrap();
    r["certificateAuthorities"][0]["certChain"]["certificates"][0]["rawBytes"] =
        Value::String(opk_verify::b64::encode_std(fulcio_root));
    assert_eq!(
        verify_dsse(&dev_root(r.to_string().as_bytes())).unwrap_err(),
        VerifyError::ChainInvalid {
            reason: "no certificate of the authority issued the signing certificate"
        }
    );
    // The CT log's key replaced (same log id): the SCT fails.
    let mut r: Value = serde_json::from_slice(&root::trusted_root()).unwrap();
    r["ctlogs"][0]["publicKey"]["rawBytes"] = other_key_spki();
    assert_eq!(
        verify_dsse(&dev_root(r.to_string().as_bytes())).unwrap_err(),
        VerifyError::SctInvalid {
            reason: "an SCT's signature does not verify"
        }
    );
    // The log's key replaced (same log id): the SET fails.
    let mut r: Value = serde_json::from_slice(&root::trusted_root()).unwrap();
    r["tlogs"][0]["publicKey"]["rawBytes"] = other_key_spki();
    assert_eq!(
        verify_dsse(&dev_root(r.to_string().as_bytes())).unwrap_err(),
        VerifyError::SetInvalid
    );
}

#[test]
fn the_public_good_root_refuses_the_test_sigstore() {
    let trust = SigstoreTrust {
        root: TrustedRoot::public_good().unwrap(),
        keys: Vec::new(),
    };
    assert_eq!(
        verify_dsse(&trust).unwrap_err(),
        VerifyError::TlogEntryInvalid {
            reason: "the entry's log is not in the trusted root"
        }
    );
}

#[test]
fn a_bundle_signed_after_now_is_refused() {
    let d = image_digest();
    let err = verify_bundle(
        &dsse_bundle(),
        Artifact::Digest(HashAlg::Sha256, &d),
        &dev_root(&root::trusted_root()),
        &policy(),
        UnixTime(AT - 1),
    )
    .unwrap_err();
    assert_eq!(
        err.error,
        VerifyError::OutsideValidity {
            what: "integrated time (in the future)",
            time: "2026-12-07T00:00:00Z".into(),
        }
    );
}

#[test]
fn a_signed_attestation_manifest_covers_exactly_its_statements() {
    use opk_testkit::image::{build, Signing};
    use opk_verify::sigstore::signatures::Accepted;
    use opk_verify::sigstore::verify_signed_manifest;
    let f = build(
        "registry.test/openpubkey/demo",
        "main",
        &["linux/amd64"],
        Signing::Unsigned,
    );
    let p = f.platform("linux/amd64");
    let att = p.attestation.as_ref().unwrap();
    let image = &p.manifest.digest()["sha256:".len()..];
    let bundle = bundle::dsse(
        &bundle::cosign_sign_statement(&att.digest()["sha256:".len()..]),
        &identity(),
        AT,
    );
    let layers: Vec<&[u8]> = p
        .attestation_layers
        .iter()
        .map(|l| l.bytes.as_slice())
        .collect();
    let trust = dev_root(&root::trusted_root());
    let run = |manifest: &[u8], layers: &[&[u8]], image: &str| {
        verify_signed_manifest(
            &bundle,
            manifest,
            layers,
            image,
            &trust,
            &policy(),
            NOW,
            &Accepted::default(),
        )
    };
    let ok = run(&att.bytes, &layers, image).unwrap();
    assert_eq!(ok.manifest, att.digest());
    assert_eq!(ok.statements.len(), 2);
    // Statements about another image.
    let other = "1f0d8b3c4e5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
    assert_eq!(
        run(&att.bytes, &layers, other).unwrap_err().error,
        VerifyError::SubjectMismatch {
            expected: format!("sha256:{other}"),
            found: format!("sha256:{image}"),
        }
    );
    // A layer left out.
    assert_eq!(
        run(&att.bytes, &layers[..1], image).unwrap_err().error,
        VerifyError::UnsupportedFormat {
            reason: "the signed manifest's in-toto layers and the layers given differ in number"
        }
    );
    // A layer's bytes changed.
    let mut changed = layers[1].to_vec();
    changed[10] ^= 1;
    let err = run(&att.bytes, &[layers[0], &changed], image)
        .unwrap_err()
        .error;
    assert_eq!(err.code(), "digest_mismatch", "{err:?}");
    // Another manifest than the signed one (the bundle names the original).
    let mut manifest = att.bytes.clone();
    manifest.push(b' ');
    assert_eq!(
        run(&manifest, &layers, image).unwrap_err().error.code(),
        "subject_mismatch"
    );
}
