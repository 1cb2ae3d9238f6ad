//! Images signed with Sigstore, verified whole against a real `docker-registry` on 127.0.0.1
//! (no referrers API: bundles are found through the `sha256-<hex>` tag), with the test
//! Sigstore's root as a dev root: a bundle alone, beside OpenPubkey attestations (one policy and
//! the required predicate types satisfied by either scheme), and the twins that must fail — a
//! bundle about another image, another signer, an untrusted root, a withheld bundle — each with
//! its error and state; cosign v2 `.sig`/`.att` tags verify, and a changed payload fails;
//! Notation signatures are listed, never counted.
#![cfg(not(target_arch = "wasm32"))]

use opk_pipeline::report::{verdict_lines, Line};
use opk_pipeline::signature_reports::NOTATION_NOT_VERIFIED;
use opk_pipeline::{
    verify_image, AttestationFailure, ImageVerdict, LazySigstoreTrust, Outcome, Scheme, State,
    VerifyContext,
};
use opk_registry::{Client, Found, NativeTransport, Reference, RegistryError, Route};
use opk_testkit::forge::TestOp;
use opk_testkit::hostile::{HostileProxy, Lie};
use opk_testkit::image::{self, Blob, Fixture, Signing};
use opk_testkit::referrers as layouts;
use opk_testkit::referrers_front::ReferrersFront;
use opk_testkit::registry::{Mode, Registry};
use opk_testkit::sigstore::{bundle, cosign_tag, fulcio, root};
use opk_verify::sigstore::SigstoreTrust;
use opk_verify::{Policy, UnixTime, VerifyError};

const REPO: &str = "openpubkey/demo";
const TAG: &str = "main";
const AMD64: &str = "linux/amd64";
/// The test Sigstore signs at 2026-12-07T00:00:00Z; verification an hour later (the OPK
/// fixtures' tokens date from 2023 and carry no age limit).
const AT: i64 = 1_796_601_600;
const NOW: UnixTime = UnixTime(AT + 3600);
const CYCLONEDX: &str = "https://cyclonedx.org/bom";
const SLSA_V1: &str = "https://slsa.dev/provenance/v1";

fn dev_root() -> SigstoreTrust {
    root::dev_trust()
}

fn policy(predicates: &[&str], owner: &str) -> Policy {
    let mut b = Policy::builder().repository_owner_id(owner);
    for p in predicates {
        b = b.require_predicate_type(*p);
    }
    b.build().unwrap()
}

fn seeded(signing: Signing) -> (Registry, Fixture) {
    let reg = Registry::start(Mode::Plain);
    let f = image::build(&format!("{}/{REPO}", reg.addr), TAG, &[AMD64], signing);
    reg.push(REPO, TAG, &f);
    (reg, f)
}

/// A bundle over an in-toto statement of `predicate` naming `subject_digest`.
fn bundle_about(predicate: &str, subject_digest: &str, identity: &fulcio::Identity) -> Vec<u8> {
    let st = image::statement(
        predicate,
        "pkg:docker/openpubkey/demo@main?platform=linux%2Famd64",
        &subject_digest["sha256:".len()..],
    );
    bundle::dsse(&st, identity, AT)
}

/// Adds a bundle referrer to the amd64 image.
fn with_bundle(reg: &Registry, image: &Blob, bundle: Vec<u8>) -> Blob {
    reg.push_bundle_referrer(REPO, image, bundle)
}

/// An image with no BuildKit attestations and one Sigstore bundle: a CycloneDX statement about
/// the amd64 image, signed by the demo identity, as a referrer of that image. Returns the
/// registry, the image and the bundle's manifest.
fn seeded_with_sbom_bundle() -> (Registry, Fixture, Blob) {
    let (reg, f) = seeded(Signing::NoAttestations);
    let amd = &f.platform(AMD64).manifest;
    let bundle = bundle_about(CYCLONEDX, &amd.digest(), &fulcio::Identity::demo());
    let manifest = with_bundle(&reg, amd, bundle);
    (reg, f, manifest)
}

fn verify(
    reg: &Registry,
    proxy: &str,
    policy: &Policy,
    sigstore: &SigstoreTrust,
) -> Result<ImageVerdict, RegistryError> {
    verify_at(&reg.addr, proxy, policy, sigstore)
}

/// [`verify`] of the image at the registry host `host` (a front, or the registry).
fn verify_at(
    host: &str,
    proxy: &str,
    policy: &Policy,
    sigstore: &SigstoreTrust,
) -> Result<ImageVerdict, RegistryError> {
    verify_lazy(
        host,
        proxy,
        policy,
        &LazySigstoreTrust::parsed(sigstore.clone()),
    )
}

/// [`verify_at`] with the trusted root parsed when a signature first needs it.
fn verify_lazy(
    host: &str,
    proxy: &str,
    policy: &Policy,
    sigstore: &LazySigstoreTrust,
) -> Result<ImageVerdict, RegistryError> {
    let c = Client::new(NativeTransport::default(), Route::parse(proxy).unwrap());
    let r = Reference::parse(&format!("{host}/{REPO}:{TAG}")).unwrap();
    let trust = TestOp::new().trust();
    let cx = VerifyContext {
        trust: &trust,
        sigstore,
        policy,
        now: NOW,
    };
    pollster::block_on(verify_image(&c, &r, AMD64, &cx))
}

fn lines(reg: &Registry, v: &ImageVerdict) -> Vec<String> {
    let r = Reference::parse(&format!("{}/{REPO}:{TAG}", reg.addr)).unwrap();
    verdict_lines(&r, v).iter().map(Line::render).collect()
}

#[test]
fn a_sigstore_attestation_alone_verifies_the_image() {
    let (reg, _, _) = seeded_with_sbom_bundle();
    let v = verify(&reg, "", &policy(&[CYCLONEDX], "145685596"), &dev_root()).unwrap();
    assert_eq!(v.state(), State::Verified, "{:?}", v.error);
    assert_eq!(v.attestations.len(), 1);
    let a = &v.attestations[0];
    assert_eq!(
        (a.scheme, a.found),
        (Some(Scheme::Sigstore), Found::ReferrersTag)
    );
    let Outcome::Sigstore(ok) = &a.outcome else {
        panic!("{:?}", a.outcome)
    };
    assert_eq!(ok.trusted_root, "opk test Sigstore (dev instance)");
    let text = lines(&reg, &v);
    assert!(
        text.contains(&format!(
            "Verifying {CYCLONEDX} attestation (Sigstore signature, found in the referrers tag)"
        )),
        "{text:#?}"
    );
    assert!(
        text.contains(
            &"  ✓ Verified under the trusted root opk test Sigstore (dev instance)".to_owned()
        ),
        "{text:#?}"
    );
    assert_eq!(
        text.last().unwrap(),
        "Verified all required attestations are present"
    );
}

#[test]
fn a_root_given_as_bytes_is_parsed_by_the_bundle_and_one_that_does_not_parse_fails_it() {
    let (reg, _, _) = seeded_with_sbom_bundle();
    let policy = policy(&[CYCLONEDX], "145685596");
    // The test Sigstore's root as a link gives it: its bytes, parsed by the first signature.
    let label = "http://127.0.0.1/root.json";
    let lazy = LazySigstoreTrust::user_supplied(root::trusted_root(), label.into());
    assert!(lazy.get().is_none());
    let v = verify_lazy(&reg.addr, "", &policy, &lazy).unwrap();
    assert_eq!(v.state(), State::Verified, "{:?}", v.error);
    let Outcome::Sigstore(ok) = &v.attestations[0].outcome else {
        panic!("{:?}", v.attestations[0].outcome)
    };
    assert_eq!(
        ok.trusted_root,
        format!("opk test Sigstore, {label} (dev instance)")
    );
    assert!(lazy.get().is_some());
    // Bytes that are not a trusted root: the bundle fails with the parser's error.
    let bad = LazySigstoreTrust::user_supplied(b"{}".to_vec(), label.into());
    let v = verify_lazy(&reg.addr, "", &policy, &bad).unwrap();
    let error = VerifyError::MissingField {
        what: "trusted root",
        field: "mediaType",
    };
    let Outcome::Failed(AttestationFailure::Rejected(r)) = &v.attestations[0].outcome else {
        panic!("{:?}", v.attestations[0].outcome)
    };
    assert_eq!(r.error, error);
    assert_eq!(v.error, Some(RegistryError::Verify(error)));
    assert_eq!(v.state(), State::Invalid);
}

#[test]
fn opk_provenance_and_a_sigstore_sbom_satisfy_one_policy_together() {
    let (reg, f) = seeded(Signing::Signed);
    let amd = &f.platform(AMD64).manifest;
    with_bundle(
        &reg,
        amd,
        bundle_about(CYCLONEDX, &amd.digest(), &fulcio::Identity::demo()),
    );
    let both = policy(&[image::SLSA_V02, CYCLONEDX], "145685596");
    let v = verify(&reg, "", &both, &dev_root()).unwrap();
    assert_eq!(v.state(), State::Verified, "{:?}", v.error);
    let schemes: Vec<Option<Scheme>> = v.attestations.iter().map(|a| a.scheme).collect();
    assert_eq!(
        schemes,
        [
            Some(Scheme::OpenPubkey),
            Some(Scheme::OpenPubkey),
            Some(Scheme::Sigstore)
        ]
    );
    // Without the bundle the SBOM requirement is missing.
    let (reg, _) = seeded(Signing::Signed);
    let v = verify(&reg, "", &both, &dev_root()).unwrap();
    assert_eq!(
        v.error,
        Some(RegistryError::Verify(VerifyError::MissingAttestation {
            predicate_type: CYCLONEDX.into()
        }))
    );
    assert_eq!(v.state(), State::Invalid);
}

#[test]
fn a_bundle_about_another_image_fails_as_forged() {
    let (reg, f) = seeded(Signing::NoAttestations);
    let amd = &f.platform(AMD64).manifest;
    let other = "sha256:1f0d8b3c4e5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
    with_bundle(
        &reg,
        amd,
        bundle_about(CYCLONEDX, other, &fulcio::Identity::demo()),
    );
    let v = verify(&reg, "", &policy(&[CYCLONEDX], "145685596"), &dev_root()).unwrap();
    assert_eq!(
        v.error,
        Some(RegistryError::Verify(VerifyError::SubjectMismatch {
            expected: amd.digest()["sha256:".len()..].to_owned(),
            found: other.to_owned(),
        }))
    );
    assert_eq!(v.state(), State::Invalid);
}

#[test]
fn another_signer_or_an_untrusted_root_fails() {
    let (reg, _, _) = seeded_with_sbom_bundle();
    // The policy names another owner: the certificate's owner id extension does not match.
    let v = verify(&reg, "", &policy(&[CYCLONEDX], "1"), &dev_root()).unwrap();
    assert_eq!(
        v.error,
        Some(RegistryError::Verify(VerifyError::PolicyViolation {
            rule: "repository_owner_id",
            expected: "1".into(),
            actual: "145685596".into(),
        }))
    );
    // The public-good root does not hold the test Sigstore's log.
    let public_good = root::public_good_trust();
    let v = verify(&reg, "", &policy(&[CYCLONEDX], "145685596"), &public_good).unwrap();
    assert_eq!(
        v.error,
        Some(RegistryError::Verify(VerifyError::TlogEntryInvalid {
            reason: "the entry's log is not in the trusted root"
        }))
    );
}

#[test]
fn a_withheld_bundle_is_withheld_never_unsigned() {
    let (reg, _, m) = seeded_with_sbom_bundle();
    let proxy = HostileProxy::start(vec![Lie::hide(&m.digest())]);
    let e = verify(
        &reg,
        &proxy.url,
        &policy(&[CYCLONEDX], "145685596"),
        &dev_root(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "signature_withheld", "{e:?}");
    assert_eq!(State::of_error(&e), State::Withheld);
}

#[test]
fn the_referrers_api_of_a_front_finds_the_bundle_and_filters_by_artifact_type() {
    let (reg, f, bundle_manifest) = seeded_with_sbom_bundle();
    let amd = &f.platform(AMD64).manifest;
    let front = ReferrersFront::start(&reg.addr);
    let v = verify_at(
        &front.addr,
        "",
        &policy(&[CYCLONEDX], "145685596"),
        &dev_root(),
    )
    .unwrap();
    assert_eq!(v.state(), State::Verified, "{:?}", v.error);
    let places: Vec<(Option<Scheme>, Found)> =
        v.attestations.iter().map(|a| (a.scheme, a.found)).collect();
    assert_eq!(places, [(Some(Scheme::Sigstore), Found::ReferrersApi)]);
    // The endpoint to the spec: an OCI index, filtered by artifactType when asked (and saying
    // so), empty for a subject without referrers.
    let get = |path: &str| {
        let mut resp = ureq::get(&format!("http://{}/v2/{REPO}/referrers/{path}", front.addr))
            .call()
            .unwrap();
        let filtered = resp
            .headers()
            .get("OCI-Filters-Applied")
            .map(|v| v.to_str().unwrap().to_owned());
        let ct = resp
            .headers()
            .get("Content-Type")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let body: serde_json::Value =
            serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap();
        let digests: Vec<String> = body["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["digest"].as_str().unwrap().to_owned())
            .collect();
        (ct, filtered, digests)
    };
    let index = "application/vnd.oci.image.index.v1+json".to_owned();
    assert_eq!(
        get(&amd.digest()),
        (index.clone(), None, vec![bundle_manifest.digest()])
    );
    assert_eq!(
        get(&format!(
            "{}?artifactType={}",
            amd.digest(),
            "application%2Fvnd.dev.sigstore.bundle.v0.3%2Bjson"
        )),
        (
            index.clone(),
            Some("artifactType".into()),
            vec![bundle_manifest.digest()]
        )
    );
    assert_eq!(
        get(&format!(
            "{}?artifactType=application%2Fexample",
            amd.digest()
        )),
        (index.clone(), Some("artifactType".into()), vec![])
    );
    assert_eq!(get(&f.index.digest()), (index, None, vec![]));
}

#[test]
fn notation_is_listed_and_never_counted() {
    let (reg, f) = seeded(Signing::NoAttestations);
    let amd = &f.platform(AMD64).manifest;
    let env = Blob::new("application/jose+json", b"{}".to_vec());
    let notation = layouts::referrer(layouts::NOTATION, &[&env], amd);
    reg.push_referrers(REPO, amd, &[(&notation, &[&env], layouts::NOTATION)]);
    let v = verify(&reg, "", &policy(&[], "145685596"), &dev_root()).unwrap();
    let outcomes: Vec<(Option<Scheme>, &Outcome)> = v
        .attestations
        .iter()
        .map(|a| (a.scheme, &a.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [(
            Some(Scheme::Notation),
            &Outcome::NotVerified(NOTATION_NOT_VERIFIED)
        )]
    );
    // Nothing verified: unsigned, not verified.
    assert_eq!(v.state(), State::Unsigned);
    let text = lines(&reg, &v);
    assert!(
        text.iter()
            .any(|l| l.starts_with("Skipping ") && l.ends_with(NOTATION_NOT_VERIFIED)),
        "{text:#?}"
    );
}

/// cosign v2's `.sig` (simple signing) and `.att` (SLSA provenance v1) of the amd64 image.
fn cosign_v2_layers(amd: &Blob, reg: &Registry) -> (cosign_tag::Layer, cosign_tag::Layer) {
    let hex = &amd.digest()["sha256:".len()..];
    let payload = cosign_tag::simple_signing(hex, &format!("{}/{REPO}", reg.addr));
    let sig = cosign_tag::signature(&payload, &fulcio::Identity::demo(), AT);
    let st = image::statement(SLSA_V1, "pkg:docker/openpubkey/demo@main", hex);
    let att = cosign_tag::attestation(&st, &fulcio::Identity::demo(), AT);
    (sig, att)
}

#[test]
fn cosign_v2_tags_verify_and_a_changed_payload_fails() {
    let (reg, f) = seeded(Signing::NoAttestations);
    let amd = &f.platform(AMD64).manifest;
    let (sig, att) = cosign_v2_layers(amd, &reg);
    reg.push_cosign_tag(REPO, amd, "sig", std::slice::from_ref(&sig));
    reg.push_cosign_tag(REPO, amd, "att", &[att]);
    let v = verify(&reg, "", &policy(&[SLSA_V1], "145685596"), &dev_root()).unwrap();
    assert_eq!(v.state(), State::Verified, "{:?}", v.error);
    let found: Vec<(Option<Scheme>, Found, &str)> = v
        .attestations
        .iter()
        .map(|a| match &a.outcome {
            Outcome::Sigstore(o) => (a.scheme, a.found, o.version.as_str()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                Some(Scheme::Cosign),
                Found::CosignTag,
                "cosign v2 signature"
            ),
            (
                Some(Scheme::Cosign),
                Found::CosignTag,
                "cosign v2 attestation"
            ),
        ]
    );
    let text = lines(&reg, &v);
    for heading in [
        "Verifying image signature (cosign v2 signature, found in a cosign tag)".to_owned(),
        format!("Verifying {SLSA_V1} attestation (cosign v2 signature, found in a cosign tag)"),
    ] {
        assert!(text.contains(&heading), "{text:#?}");
    }
    // The tampered twin: the signed payload changed after signing (its signature kept).
    let (reg, f) = seeded(Signing::NoAttestations);
    let amd = &f.platform(AMD64).manifest;
    let (mut sig, _) = cosign_v2_layers(amd, &reg);
    sig.bytes = cosign_tag::simple_signing(&amd.digest()["sha256:".len()..], "elsewhere/image");
    reg.push_cosign_tag(REPO, amd, "sig", &[sig]);
    let v = verify(&reg, "", &policy(&[], "145685596"), &dev_root()).unwrap();
    assert_eq!(
        v.error,
        Some(RegistryError::Verify(VerifyError::SignatureInvalid {
            what: "the signature over the artifact"
        }))
    );
    assert_eq!(v.state(), State::Invalid);
}

/// Docker's github-builder layout: BuildKit's unsigned attestation manifest, signed by cosign
/// (a bundle whose statement names the manifest) as a referrer of the manifest.
fn github_builder(reg: &Registry, f: &Fixture, signed_digest: &str) -> Blob {
    let att = f.platform(AMD64).attestation.as_ref().unwrap();
    let sign = bundle::dsse(
        &bundle::cosign_sign_statement(&signed_digest["sha256:".len()..]),
        &fulcio::Identity::demo(),
        AT,
    );
    reg.push_bundle_referrer(REPO, att, sign)
}

#[test]
fn a_github_builder_signature_covers_the_attestation_manifests_statements() {
    let (reg, f) = seeded(Signing::Unsigned);
    let att = f.platform(AMD64).attestation.clone().unwrap();
    let both = policy(&[image::SLSA_V02, image::SPDX], "145685596");
    // Unsigned until the manifest is signed.
    let v = verify(&reg, "", &both, &dev_root()).unwrap();
    assert_eq!(v.state(), State::Unsigned);
    github_builder(&reg, &f, &att.digest());
    let v = verify(&reg, "", &both, &dev_root()).unwrap();
    assert_eq!(v.state(), State::Verified, "{:?}", v.error);
    let signed: Vec<_> = v
        .attestations
        .iter()
        .filter_map(|a| match &a.outcome {
            Outcome::SignedManifest(ok) => Some(ok),
            _ => None,
        })
        .collect();
    assert_eq!(signed.len(), 1);
    assert_eq!(signed[0].manifest, att.digest());
    let types: Vec<&str> = signed[0]
        .statements
        .iter()
        .map(|s| s.predicate_type.as_str())
        .collect();
    assert_eq!(types, [image::SLSA_V02, image::SPDX]);
    let text = lines(&reg, &v);
    assert!(
        text.contains(&format!(
            "  ✓ Verified the signed manifest's attestations: {}, {}",
            image::SLSA_V02,
            image::SPDX
        )),
        "{text:#?}"
    );
}

#[test]
fn a_signature_on_another_manifest_or_a_changed_statement_fails() {
    let (reg, f) = seeded(Signing::Unsigned);
    let both = policy(&[image::SLSA_V02], "145685596");
    // The bundle names another manifest than the one it refers to.
    let other = "sha256:1f0d8b3c4e5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
    github_builder(&reg, &f, other);
    let att = f.platform(AMD64).attestation.clone().unwrap();
    let v = verify(&reg, "", &both, &dev_root()).unwrap();
    assert_eq!(
        v.error,
        Some(RegistryError::Verify(VerifyError::SubjectMismatch {
            expected: att.digest()["sha256:".len()..].to_owned(),
            found: other.to_owned(),
        }))
    );
    // Signed properly, but a proxy changes a statement: its digest no longer matches the
    // signed manifest's descriptor.
    let (reg, f) = seeded(Signing::Unsigned);
    let att = f.platform(AMD64).attestation.clone().unwrap();
    github_builder(&reg, &f, &att.digest());
    let statement = &f.platform(AMD64).attestation_layers[0];
    let proxy = HostileProxy::start(vec![Lie::FlipBlobByte(statement.digest())]);
    let v = verify(&reg, &proxy.url, &both, &dev_root()).unwrap();
    assert_eq!(v.state(), State::Invalid);
    assert_eq!(
        v.error.as_ref().map(RegistryError::code),
        Some("digest_mismatch")
    );
}

#[test]
fn signatures_on_the_index_verify_its_platform_images() {
    // `cosign sign image@<index digest>` and GitHub's artifact attestations of a
    // multi-platform image name the index: a bundle referrer and cosign's tags on the index.
    let (reg, f) = seeded(Signing::NoAttestations);
    with_bundle(
        &reg,
        &f.index,
        bundle_about(CYCLONEDX, &f.index.digest(), &fulcio::Identity::demo()),
    );
    let (sig, att) = cosign_v2_layers(&f.index, &reg);
    reg.push_cosign_tag(REPO, &f.index, "sig", &[sig]);
    reg.push_cosign_tag(REPO, &f.index, "att", &[att]);
    let v = verify(
        &reg,
        "",
        &policy(&[CYCLONEDX, SLSA_V1], "145685596"),
        &dev_root(),
    )
    .unwrap();
    assert_eq!(v.state(), State::Verified, "{:?}", v.error);
    let found: Vec<(Option<Scheme>, Found)> =
        v.attestations.iter().map(|a| (a.scheme, a.found)).collect();
    assert_eq!(
        found,
        [
            (Some(Scheme::Sigstore), Found::ReferrersTag),
            (Some(Scheme::Cosign), Found::CosignTag),
            (Some(Scheme::Cosign), Found::CosignTag),
        ]
    );
    assert!(
        v.attestations
            .iter()
            .all(|a| a.on_index && matches!(a.outcome, Outcome::Sigstore(_))),
        "{:?}",
        v.attestations
    );
    // The CLI's and the page's lines say what they sign.
    assert!(
        lines(&reg, &v)
            .iter()
            .any(|l| l
                .contains("(Sigstore signature of the image index, found in the referrers tag)")),
        "{:?}",
        lines(&reg, &v)
    );
}

#[test]
fn a_signature_on_the_index_must_name_the_index() {
    // Put on the index but about the platform image (or anything else): not the index's.
    let (reg, f) = seeded(Signing::NoAttestations);
    let amd = &f.platform(AMD64).manifest;
    with_bundle(
        &reg,
        &f.index,
        bundle_about(CYCLONEDX, &amd.digest(), &fulcio::Identity::demo()),
    );
    let v = verify(&reg, "", &policy(&[CYCLONEDX], "145685596"), &dev_root()).unwrap();
    assert_eq!(
        v.error,
        Some(RegistryError::Verify(VerifyError::SubjectMismatch {
            expected: f.index.digest()["sha256:".len()..].to_owned(),
            found: amd.digest(),
        }))
    );
    assert_eq!(v.state(), State::Invalid);
}
