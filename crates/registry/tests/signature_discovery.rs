//! Signature discovery against a real `docker-registry` on 127.0.0.1 (which has no referrers
//! API: the `sha256-<hex>` tag is used) and, through a front answering the referrers endpoint,
//! the OCI 1.1 API: Sigstore bundle referrers of the image and of its BuildKit attestation
//! manifests (github-builder), cosign `.sig`/`.att` tags, Notation referrers; a referrer naming
//! another subject is ignored with a note, a withheld one is an error, and the count is bounded.
//! The bundles come from the test Sigstore and verify under its root once found.
#![cfg(not(target_arch = "wasm32"))]

use opk_registry::{
    signatures, Client, Found, FoundSignature, Image, NativeTransport, Reference, RegistryError,
    Route, SignatureKind, SignedSubject,
};
use opk_testkit::hostile::{HostileProxy, Lie};
use opk_testkit::image::{self, Blob, Fixture, Signing};
use opk_testkit::referrers::{self as layouts, bundle_referrer, referrers_index, BUNDLE_V03};
use opk_testkit::registry::{Mode, Registry};
use opk_testkit::sigstore::{bundle, fulcio, root};
use opk_verify::limits::Limit;
use opk_verify::oci::Digest;
use opk_verify::sigstore::keys::HashAlg;
use opk_verify::sigstore::trusted_root::{RootSource, TrustedRoot};
use opk_verify::sigstore::{verify_bundle, Artifact, SigstoreTrust};
use opk_verify::{hex, UnixTime, VerifyError};
use serde_json::json;

const REPO: &str = "openpubkey/demo";
const TAG: &str = "main";
const AMD64: &str = "linux/amd64";
const AT: i64 = 1_796_601_600;

fn identity() -> fulcio::Identity {
    fulcio::Identity::demo()
}

fn client(proxy: &str) -> Client<NativeTransport> {
    Client::new(NativeTransport::default(), Route::parse(proxy).unwrap())
}

fn found(
    reg: &Registry,
    proxy: &str,
) -> (
    Client<NativeTransport>,
    Result<Vec<FoundSignature>, RegistryError>,
) {
    let c = client(proxy);
    let r = Reference::parse(&format!("{}/{REPO}:{TAG}", reg.addr)).unwrap();
    let result = pollster::block_on(async {
        let image = Image::fetch(&c, &r).await?;
        let target = image.image_for(AMD64)?;
        signatures(&c, &image, &target.digest).await
    });
    (c, result)
}

/// A registry with an image (`signing` decides its BuildKit attestations), and its amd64 image.
fn seeded(signing: Signing) -> (Registry, Fixture) {
    let reg = Registry::start(Mode::Plain);
    let f = image::build(&format!("{}/{REPO}", reg.addr), TAG, &[AMD64], signing);
    reg.push(REPO, TAG, &f);
    (reg, f)
}

fn tag_of(subject: &Blob) -> String {
    layouts::referrers_tag(subject)
}

fn push_referrers(reg: &Registry, subject: &Blob, referrers: &[(&Blob, &[&Blob], &str)]) -> Blob {
    reg.push_referrers(REPO, subject, referrers)
}

fn sbom_bundle(subject: &Blob) -> Vec<u8> {
    let st = image::statement(
        image::SPDX,
        "pkg:docker/openpubkey/demo@main?platform=linux%2Famd64",
        &subject.digest()["sha256:".len()..],
    );
    bundle::dsse(&st, &identity(), AT)
}

fn verify_found(c: &Client<NativeTransport>, reg: &Registry, sig: &FoundSignature, image: &str) {
    let r = Reference::parse(&format!("{}/{REPO}:{TAG}", reg.addr)).unwrap();
    let bytes = pollster::block_on(c.blob(
        &r,
        &sig.layers[0],
        opk_verify::limits::MAX_BUNDLE_BYTES,
        Limit::BundleBytes,
    ))
    .unwrap();
    let trust = SigstoreTrust {
        root: TrustedRoot::parse(
            &root::trusted_root(),
            RootSource::Dev {
                label: "test".into(),
            },
        )
        .unwrap(),
        keys: Vec::new(),
    };
    let policy = identity().policy_builder().build().unwrap();
    let digest = hex::decode(&image["sha256:".len()..]).unwrap();
    verify_bundle(
        &bytes,
        Artifact::Digest(HashAlg::Sha256, &digest),
        &trust,
        &policy,
        UnixTime(AT + 60),
    )
    .unwrap();
}

#[test]
fn a_bundle_referrer_is_found_by_the_referrers_tag_and_verifies() {
    let (reg, f) = seeded(Signing::NoAttestations);
    let amd = &f.platform(AMD64).manifest;
    let (m, layer) = bundle_referrer(sbom_bundle(amd), amd);
    push_referrers(&reg, amd, &[(&m, &[&layer], BUNDLE_V03)]);
    let (c, result) = found(&reg, "");
    let sigs = result.unwrap();
    assert_eq!(sigs.len(), 1, "{sigs:?}");
    let s = &sigs[0];
    assert_eq!(
        (s.kind, s.found, &s.subject),
        (
            SignatureKind::SigstoreBundle,
            Found::ReferrersTag,
            &SignedSubject::Image
        )
    );
    assert_eq!(s.manifest.digest.as_str(), m.digest());
    assert_eq!(s.layers.len(), 1);
    verify_found(&c, &reg, s, &amd.digest());
}

#[test]
fn the_referrers_api_is_used_when_the_registry_answers_it() {
    let (reg, f) = seeded(Signing::NoAttestations);
    let amd = &f.platform(AMD64).manifest;
    let (m, layer) = bundle_referrer(sbom_bundle(amd), amd);
    let listing = push_referrers(&reg, amd, &[(&m, &[&layer], BUNDLE_V03)]);
    reg.push_manifest(REPO, &tag_of(amd), &Fixture::index_with(&[])); // the tag lists nothing
    let front = HostileProxy::start(vec![Lie::Answer {
        path_suffix: format!("/referrers/{}", amd.digest()),
        status: 200,
        headers: vec![("Content-Type".into(), image::OCI_INDEX.into())],
        body: listing.bytes,
    }]);
    let (c, result) = found(&reg, &front.url);
    let sigs = result.unwrap();
    assert_eq!(sigs.len(), 1, "{sigs:?}");
    assert_eq!(sigs[0].found, Found::ReferrersApi);
    verify_found(&c, &reg, &sigs[0], &amd.digest());
}

#[test]
fn github_builder_bundles_on_the_attestation_manifest_are_found() {
    // Docker's github-builder signs the BuildKit attestation manifest, not the image.
    let (reg, f) = seeded(Signing::Unsigned);
    let p = f.platform(AMD64);
    let att = p.attestation.as_ref().unwrap();
    let (m, layer) = bundle_referrer(sbom_bundle(&p.manifest), att);
    push_referrers(&reg, att, &[(&m, &[&layer], BUNDLE_V03)]);
    let (_, result) = found(&reg, "");
    let sigs = result.unwrap();
    assert_eq!(sigs.len(), 1, "{sigs:?}");
    assert_eq!(
        sigs[0].subject,
        SignedSubject::AttestationManifest(Digest::parse(&att.digest()).unwrap())
    );
    assert_eq!(sigs[0].found, Found::ReferrersTag);
}

#[test]
fn cosign_tags_and_notation_referrers_are_recognised() {
    let (reg, f) = seeded(Signing::NoAttestations);
    let amd = &f.platform(AMD64).manifest;
    let payload = Blob::new(
        layouts::SIMPLE_SIGNING,
        json!({"critical": {"identity": {"docker-reference": "x"},
               "image": {"docker-manifest-digest": amd.digest()},
               "type": "cosign container image signature"}, "optional": null})
        .to_string()
        .into_bytes(),
    );
    let envelope = Blob::new(layouts::DSSE_LAYER, b"{}".to_vec());
    let sig = layouts::cosign_tag_manifest(&[(
        &payload,
        json!({"dev.cosignproject.cosign/signature": "c2ln"}),
    )]);
    let att = layouts::cosign_tag_manifest(&[(&envelope, json!({}))]);
    reg.push_blob(REPO, &layouts::cosign_config());
    for b in [&payload, &envelope] {
        reg.push_blob(REPO, b);
    }
    reg.push_manifest(REPO, &format!("{}.sig", tag_of(amd)), &sig);
    reg.push_manifest(REPO, &format!("{}.att", tag_of(amd)), &att);
    let notation_env = Blob::new("application/jose+json", b"{}".to_vec());
    let notation = layouts::referrer(layouts::NOTATION, &[&notation_env], amd);
    push_referrers(
        &reg,
        amd,
        &[(&notation, &[&notation_env], layouts::NOTATION)],
    );
    let (c, result) = found(&reg, "");
    let sigs = result.unwrap();
    let kinds: Vec<(SignatureKind, Found, usize)> = sigs
        .iter()
        .map(|s| (s.kind, s.found, s.layers.len()))
        .collect();
    assert_eq!(
        kinds,
        [
            (SignatureKind::Notation, Found::ReferrersTag, 1),
            (SignatureKind::CosignSignature, Found::CosignTag, 1),
            (SignatureKind::CosignAttestation, Found::CosignTag, 1),
        ]
    );
    assert_eq!(
        sigs[1].tag.as_deref(),
        Some(format!("{}.sig", tag_of(amd)).as_str())
    );
    assert_eq!(
        sigs[1].layers[0]
            .annotations
            .get("dev.cosignproject.cosign/signature")
            .map(String::as_str),
        Some("c2ln")
    );
    // The cosign tags are unverified steps in the fetch log.
    let log = c.fetch_log();
    let at_sig = log.iter().find(|r| r.url.ends_with(".sig")).unwrap();
    assert_eq!(at_sig.digest_check, opk_registry::DigestCheck::Unverified);
}

#[test]
fn a_referrer_of_another_subject_is_ignored_with_a_note() {
    let (reg, f) = seeded(Signing::NoAttestations);
    let amd = &f.platform(AMD64).manifest;
    let other = Blob::new(image::OCI_MANIFEST, b"{\"another\":1}".to_vec());
    let (m, layer) = bundle_referrer(sbom_bundle(amd), &other);
    push_referrers(&reg, amd, &[(&m, &[&layer], BUNDLE_V03)]);
    let (c, result) = found(&reg, "");
    assert_eq!(result.unwrap(), Vec::new());
    let log = c.fetch_log();
    let at = log.iter().find(|r| r.url.ends_with(&m.digest())).unwrap();
    assert_eq!(
        at.note.as_deref(),
        Some("ignored: this referrer names another subject")
    );
}

#[test]
fn a_withheld_referrer_is_an_error_not_a_missing_signature() {
    let (reg, f) = seeded(Signing::NoAttestations);
    let amd = &f.platform(AMD64).manifest;
    let (m, layer) = bundle_referrer(sbom_bundle(amd), amd);
    push_referrers(&reg, amd, &[(&m, &[&layer], BUNDLE_V03)]);
    let proxy = HostileProxy::start(vec![Lie::hide(&m.digest())]);
    let (_, result) = found(&reg, &proxy.url);
    let e = result.unwrap_err();
    assert_eq!(e.code(), "signature_withheld", "{e:?}");
    assert!(e.to_string().contains(&format!(
        "signature manifest {} of {} is listed in the referrers tag but was withheld",
        m.digest(),
        amd.digest()
    )));
}

#[test]
fn signatures_per_subject_are_bounded() {
    let (reg, f) = seeded(Signing::NoAttestations);
    let amd = &f.platform(AMD64).manifest;
    let (m, layer) = bundle_referrer(sbom_bundle(amd), amd);
    push_referrers(&reg, amd, &[(&m, &[&layer], BUNDLE_V03)]);
    let many: Vec<(&Blob, &str)> = (0..=opk_verify::limits::MAX_SIGNATURES)
        .map(|_| (&m, BUNDLE_V03))
        .collect();
    reg.push_manifest(REPO, &tag_of(amd), &referrers_index(&many));
    let (c, result) = found(&reg, "");
    assert_eq!(
        result.unwrap_err(),
        RegistryError::Verify(VerifyError::LimitExceeded {
            limit: Limit::Signatures
        })
    );
    // Refused from the listing: no referrer was fetched.
    assert!(!c.fetch_log().iter().any(|r| r.url.ends_with(&m.digest())));
}

#[test]
fn signatures_on_the_index_are_found_as_the_index_s() {
    // A multi-platform image is usually signed by its index digest: its referrers and cosign
    // tags are looked up for every platform, and say they are the index's.
    let (reg, f) = seeded(Signing::NoAttestations);
    let st = image::statement(
        image::SPDX,
        "pkg:docker/openpubkey/demo@main",
        &f.index.digest()["sha256:".len()..],
    );
    let (m, layer) = bundle_referrer(bundle::dsse(&st, &identity(), AT), &f.index);
    push_referrers(&reg, &f.index, &[(&m, &[&layer], BUNDLE_V03)]);
    let payload = Blob::new(layouts::SIMPLE_SIGNING, b"{}".to_vec());
    reg.push_blob(REPO, &layouts::cosign_config());
    reg.push_blob(REPO, &payload);
    let sig = layouts::cosign_tag_manifest(&[(&payload, json!({}))]);
    reg.push_manifest(REPO, &format!("{}.sig", tag_of(&f.index)), &sig);
    let (c, result) = found(&reg, "");
    let sigs = result.unwrap();
    let index = Digest::parse(&f.index.digest()).unwrap();
    let seen: Vec<(SignatureKind, Found, &SignedSubject)> =
        sigs.iter().map(|s| (s.kind, s.found, &s.subject)).collect();
    assert_eq!(
        seen,
        [
            (
                SignatureKind::SigstoreBundle,
                Found::ReferrersTag,
                &SignedSubject::Index(index.clone())
            ),
            (
                SignatureKind::CosignSignature,
                Found::CosignTag,
                &SignedSubject::Index(index)
            ),
        ]
    );
    verify_found(&c, &reg, &sigs[0], &f.index.digest());
    // The index's cosign tag is an unverified step in the fetch log, like the image's.
    assert!(c
        .fetch_log()
        .iter()
        .any(|r| r.url.ends_with(&format!("{}.sig", tag_of(&f.index)))));
}
