//! opk-registry against a real `docker-registry` on 127.0.0.1 (started and stopped here):
//! directly with CORS headers, through a hostile proxy, and with token auth. Fixtures are
//! BuildKit-shaped 2-platform images signed by the test OP (opk-testkit).
#![cfg(not(target_arch = "wasm32"))]

use opk_pipeline::{
    verify_image, AttestationFailure, ImageVerdict, LazySigstoreTrust, Outcome, VerifyContext,
};
use opk_registry::{
    Client, Credentials, DigestCheck, NativeTransport, Reference, RegistryError, Route,
};
use opk_testkit::forge::TestOp;
use opk_testkit::hostile::{HostileProxy, Lie};
use opk_testkit::image::{self, attestation_entry, image_entry, Blob, Fixture, Signing};
use opk_testkit::registry::{Mode, Registry};
use opk_testkit::token_issuer;
use opk_verify::limits::Limit;
use opk_verify::{Policy, UnixTime, VerifyError};

const REPO: &str = "openpubkey/demo";
const TAG: &str = "main";
const AMD64: &str = "linux/amd64";
const ARM64: &str = "linux/arm64";
/// Requests that find no other signature for one platform on docker-registry 2.8: the image's
/// referrers API (404) and `sha256-` tag, cosign's `.sig` and `.att` tags, the attestation
/// manifest's `sha256-` tag.
const DISCOVERY: usize = 5;
/// Requests that find no signature of the image index, once per client (every platform asks;
/// the client reads each tag once): its `sha256-` tag and cosign's `.sig` and `.att` tags (the
/// referrers API is known absent by then).
const INDEX_DISCOVERY: usize = 3;
const NOW: UnixTime = UnixTime(1_795_000_000);

fn fixture(reg: &Registry, signing: Signing) -> Fixture {
    image::build(
        &format!("{}/{REPO}", reg.addr),
        TAG,
        &[AMD64, ARM64],
        signing,
    )
}

fn seeded(mode: Mode, signing: Signing) -> (Registry, Fixture) {
    let reg = Registry::start(mode);
    let f = fixture(&reg, signing);
    reg.push(REPO, TAG, &f);
    (reg, f)
}

fn policy() -> Policy {
    Policy::builder()
        .repository_owner_id("145685596")
        .require_predicate_type(image::SLSA_V02)
        .build()
        .unwrap()
}

fn client(proxy: &str) -> Client<NativeTransport> {
    Client::new(NativeTransport::default(), Route::parse(proxy).unwrap())
}

fn verify_with(
    c: &Client<NativeTransport>,
    reference: &str,
    platform: &str,
) -> Result<ImageVerdict, RegistryError> {
    let r = Reference::parse(reference).unwrap();
    pollster::block_on(verify_image(
        c,
        &r,
        platform,
        &VerifyContext {
            trust: &TestOp::new().trust(),
            sigstore: &LazySigstoreTrust::public_good(),
            policy: &policy(),
            now: NOW,
        },
    ))
}

fn verify(
    reg: &Registry,
    proxy: &str,
    reference: &str,
    platform: &str,
) -> Result<ImageVerdict, RegistryError> {
    let _ = reg;
    verify_with(&client(proxy), reference, platform)
}

fn tag_ref(reg: &Registry) -> String {
    format!("{}/{REPO}:{TAG}", reg.addr)
}

/// The verdict's error code, whether it failed early or per attestation.
fn code(r: &Result<ImageVerdict, RegistryError>) -> &'static str {
    match r {
        Ok(v) => v.error.as_ref().map_or("ok", RegistryError::code),
        Err(e) => e.code(),
    }
}

#[test]
fn signed_image_verifies_directly_for_both_platforms_by_tag_and_by_digest() {
    let (reg, f) = seeded(Mode::Cors, Signing::Signed);
    for platform in [AMD64, ARM64] {
        let c = client("");
        let v = verify_with(&c, &tag_ref(&reg), platform).unwrap();
        assert!(v.verified(), "{:?}", v.error);
        assert_eq!(
            v.image_digest.as_str(),
            f.platform(platform).manifest.digest()
        );
        assert_eq!(v.attestations.len(), 2);
        let types: Vec<String> = v
            .attestations
            .iter()
            .map(|a| match &a.outcome {
                Outcome::OpenPubkey(v) => v.statement.predicate_type.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(types, [image::SLSA_V02, image::SPDX]);
        assert_eq!(v.resolved.from_tag.as_deref(), Some(TAG));
        assert_eq!(
            v.purl.as_deref(),
            Some(
                format!(
                    "pkg:docker/{}/{REPO}@{TAG}?platform={}",
                    reg.addr,
                    platform.replace('/', "%2F")
                )
                .as_str()
            )
        );
        // One unverified step (the tag), every other object checked against its digest.
        let log = c.fetch_log();
        assert_eq!(log[0].method, "GET");
        assert!(log[0].url.ends_with(&format!("/manifests/{TAG}")));
        assert_eq!(log[0].digest_check, DigestCheck::Unverified);
        assert!(
            log[1..]
                .iter()
                .filter(|r| r.status == Some(200))
                .all(|r| r.digest_check == DigestCheck::Verified),
            "{log:#?}"
        );
        assert_eq!(
            log.len(),
            4 + DISCOVERY + INDEX_DISCOVERY,
            "the index by tag (hashed here), attestation manifest, 2 envelopes, and the \
             search for other signatures (none): {log:#?}"
        );
    }
    let pinned = format!("{}/{REPO}@{}", reg.addr, f.index.digest());
    let v = verify(&reg, "", &pinned, AMD64).unwrap();
    assert!(v.verified());
    assert_eq!(v.resolved.from_tag, None);
    assert_eq!(v.purl, None);
}

/// One client resolves a tag once and fetches each digest once: verifying a second platform
/// adds only that platform's own objects, and both verdicts saw the same index.
#[test]
fn one_client_resolves_once_and_fetches_each_digest_once() {
    let (reg, f) = seeded(Mode::Cors, Signing::Signed);
    let c = client("");
    let amd = verify_with(&c, &tag_ref(&reg), AMD64).unwrap();
    assert_eq!(c.fetch_log().len(), 4 + DISCOVERY + INDEX_DISCOVERY);
    let again = verify_with(&c, &tag_ref(&reg), AMD64).unwrap();
    assert_eq!(again, amd);
    assert_eq!(
        c.fetch_log().len(),
        4 + DISCOVERY + INDEX_DISCOVERY,
        "everything came from the client's checked content and listings"
    );
    let arm = verify_with(&c, &tag_ref(&reg), ARM64).unwrap();
    assert!(arm.verified());
    assert_eq!(arm.resolved, amd.resolved);
    let log = c.fetch_log();
    assert_eq!(
        log.len(),
        7 + 2 * DISCOVERY - 1 + INDEX_DISCOVERY,
        "+ arm64 attestation manifest and its 2 envelopes, and its search for signatures \
         (without the referrers API, known absent; the index's were read once): {log:#?}"
    );
    let by_tag = |log: &[opk_registry::FetchRecord]| {
        log.iter()
            .filter(|r| r.url.ends_with(&format!("/manifests/{TAG}")))
            .count()
    };
    assert_eq!(by_tag(&log), 1);
    // Checked content answers only a descriptor that agrees with it: the same digest with
    // another size is fetched again (and fails), never served from the cache.
    let r = Reference::parse(&tag_ref(&reg)).unwrap();
    let envelope = &f.platform(AMD64).attestation_layers[0];
    let exact: opk_verify::oci::Descriptor =
        opk_verify::oci::Descriptor::from_value(&envelope.descriptor()).unwrap();
    let fetch = |d: &opk_verify::oci::Descriptor| {
        pollster::block_on(c.blob(&r, d, 1 << 20, Limit::EnvelopeBytes))
    };
    let before = c.fetch_log().len();
    assert_eq!(fetch(&exact).unwrap(), envelope.bytes);
    assert_eq!(
        c.fetch_log().len(),
        before,
        "served from the checked content"
    );
    let mut shorter = exact.clone();
    shorter.size -= 1;
    assert!(matches!(
        fetch(&shorter),
        Err(RegistryError::Verify(VerifyError::DigestMismatch { .. }))
    ));
    assert_eq!(c.fetch_log().len(), before + 1, "fetched again");
    // A new client resolves the tag again (a tag may move between runs).
    let fresh = client("");
    verify_with(&fresh, &tag_ref(&reg), ARM64).unwrap();
    assert_eq!(by_tag(&fresh.fetch_log()), 1);
}

#[test]
fn unsigned_tampered_forged_and_absent_attestations_fail_distinctly() {
    let reg = Registry::start(Mode::Cors);
    let cases = [
        ("unsigned", Signing::Unsigned, "unsigned"),
        ("tampered", Signing::Tampered, "att_mismatch"),
        ("forged", Signing::ForgedSubject, "subject_mismatch"),
        ("bare", Signing::NoAttestations, "missing_attestation"),
    ];
    for (repo, signing, want) in cases {
        let name = format!("{}/openpubkey/{repo}", reg.addr);
        let f = image::build(&name, TAG, &[AMD64, ARM64], signing);
        reg.push(&format!("openpubkey/{repo}"), TAG, &f);
        let r = verify(&reg, "", &format!("{name}:{TAG}"), AMD64);
        assert_eq!(code(&r), want, "{repo}: {r:?}");
    }
    let r = verify(
        &reg,
        "",
        &format!("{}/openpubkey/bare:{TAG}", reg.addr),
        AMD64,
    );
    assert!(matches!(r, Err(RegistryError::AttestationNotFound { .. })));
    let r = verify(
        &reg,
        "",
        &format!("{}/openpubkey/nothing:{TAG}", reg.addr),
        AMD64,
    );
    assert_eq!(code(&r), "not_found");
    let r = verify(
        &reg,
        "",
        &tag_ref(&reg).replace("demo", "unsigned"),
        "linux/s390x",
    );
    assert_eq!(code(&r), "platform_not_found");
}

#[test]
fn subject_name_binds_the_tag() {
    // Signed for `other:main`, retagged as `demo:main`: the digest matches, the name does not.
    let reg = Registry::start(Mode::Cors);
    let f = image::build(
        &format!("{}/openpubkey/other", reg.addr),
        TAG,
        &[AMD64],
        Signing::Signed,
    );
    reg.push(REPO, TAG, &f);
    let r = verify(&reg, "", &tag_ref(&reg), AMD64);
    assert_eq!(code(&r), "subject_name_mismatch");
    // Pinned by digest, only the digest binds (as in docker verify).
    let pinned = format!("{}/{REPO}@{}", reg.addr, f.index.digest());
    assert_eq!(code(&verify(&reg, "", &pinned, AMD64)), "ok");
}

#[test]
fn hostile_proxy_lies_are_caught_each_with_its_own_error() {
    let (reg, f) = seeded(Mode::Plain, Signing::Signed);
    let amd = f.platform(AMD64);
    let arm = f.platform(ARM64);
    let att_amd = amd.attestation.as_ref().unwrap();
    let att_arm = arm.attestation.as_ref().unwrap();

    // Control: an honest forwarder.
    let honest = HostileProxy::start(vec![]);
    assert_eq!(
        code(&verify(&reg, &honest.url, &tag_ref(&reg), AMD64)),
        "ok"
    );

    // A flipped byte in the provenance envelope.
    let p = HostileProxy::start(vec![Lie::FlipBlobByte(amd.attestation_layers[0].digest())]);
    let r = verify(&reg, &p.url, &tag_ref(&reg), AMD64);
    assert_eq!(code(&r), "digest_mismatch");
    let v = r.unwrap();
    assert!(matches!(
        &v.attestations[0].outcome,
        Outcome::Failed(AttestationFailure::Fetch(RegistryError::Verify(
            VerifyError::DigestMismatch { .. }
        )))
    ));

    // Another manifest served for the attestation manifest's digest.
    let p = HostileProxy::start(vec![Lie::manifest(&att_amd.digest(), att_arm)]);
    assert_eq!(
        code(&verify(&reg, &p.url, &tag_ref(&reg), AMD64)),
        "digest_mismatch"
    );

    // The unverifiable tag step: an index pointing amd64 at arm64's (validly signed) attestation.
    let swapped = Fixture::index_with(&[
        image_entry(&amd.manifest, AMD64),
        image_entry(&arm.manifest, ARM64),
        attestation_entry(att_arm, &amd.manifest.digest()),
    ]);
    let p = HostileProxy::start(Lie::rewrite_tag(TAG, &swapped));
    let r = verify(&reg, &p.url, &tag_ref(&reg), AMD64);
    assert_eq!(code(&r), "subject_mismatch", "{r:?}");

    // The attestation manifest withheld: missing, never "unsigned".
    let p = HostileProxy::start(vec![Lie::hide(&att_amd.digest())]);
    let r = verify(&reg, &p.url, &tag_ref(&reg), AMD64);
    assert_eq!(code(&r), "missing_attestation");
    let e = r.unwrap_err();
    assert!(matches!(e, RegistryError::AttestationWithheld { .. }));
    assert!(e
        .to_string()
        .contains("not evidence that the image is unsigned"));

    // The attestation entry dropped from a rewritten index: not found (may be withheld).
    let stripped = Fixture::index_with(&[
        image_entry(&amd.manifest, AMD64),
        image_entry(&arm.manifest, ARM64),
    ]);
    let p = HostileProxy::start(Lie::rewrite_tag(TAG, &stripped));
    let e = verify(&reg, &p.url, &tag_ref(&reg), AMD64).unwrap_err();
    assert!(matches!(e, RegistryError::AttestationNotFound { .. }));
    assert!(e.to_string().contains("withholding"));

    // Pinning the index by digest defeats the tag lie.
    let pinned = format!("{}/{REPO}@{}", reg.addr, f.index.digest());
    let p = HostileProxy::start(Lie::rewrite_tag(TAG, &swapped));
    assert_eq!(code(&verify(&reg, &p.url, &pinned, AMD64)), "ok");
}

#[test]
fn token_auth_runs_the_bearer_flow_for_real() {
    let (reg, _f) = seeded(Mode::Token, Signing::Signed);
    let issuer = reg.issuer.as_ref().unwrap();
    let before = issuer.served.load(std::sync::atomic::Ordering::Relaxed);
    let c = client("");
    let v = verify_with(&c, &tag_ref(&reg), AMD64).unwrap();
    assert!(v.verified(), "{:?}", v.error);
    let after = issuer.served.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(after - before, 1, "one token, cached for the repository");
    let statuses: Vec<Option<u16>> = c.fetch_log().iter().map(|r| r.status).collect();
    assert_eq!(
        &statuses[..3],
        &[Some(401), Some(200), Some(200)],
        "challenge, token, retry"
    );

    // Basic credentials go to the token endpoint: right ones work, wrong ones fail clearly.
    let good = client("").with_credentials(Credentials {
        username: token_issuer::USER.0.into(),
        password: token_issuer::USER.1.into(),
    });
    assert_eq!(code(&verify_with(&good, &tag_ref(&reg), AMD64)), "ok");
    let bad = client("").with_credentials(Credentials {
        username: "opk".into(),
        password: "wrong".into(),
    });
    assert_eq!(
        code(&verify_with(&bad, &tag_ref(&reg), AMD64)),
        "auth_failed"
    );

    // Through a forwarding proxy, the token request is routed too.
    let p = HostileProxy::start(vec![]);
    let c = client(&p.url);
    assert_eq!(code(&verify_with(&c, &tag_ref(&reg), AMD64)), "ok");
    assert!(c.fetch_log().iter().all(|r| r.via_proxy));
}

#[test]
fn referrers_fallback_tag_finds_attestations_outside_the_index() {
    // distribution 2.8 has no referrers API (404), so the `sha256-<hex>` tag schema is used.
    let reg = Registry::start(Mode::Cors);
    let signed = fixture(&reg, Signing::Signed);
    let bare = fixture(&reg, Signing::NoAttestations);
    reg.push(REPO, TAG, &bare);
    let amd = signed.platform(AMD64);
    for b in &signed.blobs {
        reg.push_blob(REPO, b);
    }
    let att = amd.attestation.as_ref().unwrap();
    reg.push_manifest(REPO, &att.digest(), att);
    let listing = Fixture::index_with(&[att.descriptor()]);
    let hex = &amd.manifest.digest()["sha256:".len()..];
    reg.push_manifest(REPO, &format!("sha256-{hex}"), &listing);
    let c = client("");
    let v = verify_with(&c, &tag_ref(&reg), AMD64).unwrap();
    assert!(v.verified(), "{:?}", v.error);
    assert_eq!(v.attestations[0].found, opk_registry::Found::ReferrersTag);
    // arm64 has neither: not found.
    assert_eq!(
        code(&verify(&reg, "", &tag_ref(&reg), ARM64)),
        "missing_attestation"
    );
}

#[test]
fn a_referrers_tag_naming_the_subject_or_no_oci_index_is_ignored_and_noted() {
    // A registry without the API that resolves `sha256-<hex>` as the digest itself (GitLab's,
    // oras-go#1396) answers with the subject: that is no listing. Nor is a Docker manifest list.
    // A front answers the tag with them whatever the request accepts, as such a registry does.
    let reg = Registry::start(Mode::Plain);
    let bare = fixture(&reg, Signing::NoAttestations);
    reg.push(REPO, TAG, &bare);
    let amd = bare.platform(AMD64);
    let tag = format!("sha256-{}", &amd.manifest.digest()["sha256:".len()..]);
    let docker_list = Blob::new(
        "application/vnd.docker.distribution.manifest.list.v2+json",
        serde_json::json!({"schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
            "manifests": [amd.manifest.descriptor()]})
        .to_string()
        .into_bytes(),
    );
    for (listing, note) in [
        (
            &amd.manifest,
            "ignored: the registry answered the referrers tag with the subject itself",
        ),
        (
            &docker_list,
            "ignored: the referrers tag does not name an OCI image index",
        ),
    ] {
        let front = HostileProxy::start(vec![Lie::manifest(&tag, listing)]);
        let c = client(&front.url);
        assert_eq!(
            code(&verify_with(&c, &tag_ref(&reg), AMD64)),
            "missing_attestation"
        );
        let log = c.fetch_log();
        let at_tag = log.iter().find(|f| f.url.ends_with(&tag)).unwrap();
        assert_eq!(at_tag.note.as_deref(), Some(note));
    }
}

fn limit_of(r: &Result<ImageVerdict, RegistryError>) -> Option<Limit> {
    let e = match r {
        Ok(v) => v.error.clone()?,
        Err(e) => e.clone(),
    };
    match e {
        RegistryError::Verify(VerifyError::LimitExceeded { limit }) => Some(limit),
        _ => None,
    }
}

#[test]
fn every_fetch_limit_fails_fast_with_limit_exceeded() {
    let (reg, f) = seeded(Mode::Plain, Signing::Signed);
    let amd = f.platform(AMD64);
    let att = amd.attestation.as_ref().unwrap();

    // An index over 4 MiB (the tag lie lets the proxy serve anything for the tag).
    let mut big = f.index.clone();
    big.bytes = format!(
        r#"{{"schemaVersion":2,"manifests":[],"pad":"{}"}}"#,
        "x".repeat(4 << 20)
    )
    .into_bytes();
    let p = HostileProxy::start(Lie::rewrite_tag(TAG, &big));
    assert_eq!(
        limit_of(&verify(&reg, &p.url, &tag_ref(&reg), AMD64)),
        Some(Limit::ManifestBytes)
    );

    // An endless body (chunked, no Content-Length) for the index by tag: cut off at 4 MiB.
    let p = HostileProxy::start(vec![Lie::Endless(format!("/manifests/{TAG}"))]);
    assert_eq!(
        limit_of(&verify(&reg, &p.url, &tag_ref(&reg), AMD64)),
        Some(Limit::ManifestBytes)
    );
    // An endless attestation blob: never more than its descriptor's size is read.
    let envelope = amd.attestation_layers[0].digest();
    let p = HostileProxy::start(vec![Lie::Endless(format!("/blobs/{envelope}"))]);
    let v = verify(&reg, &p.url, &tag_ref(&reg), AMD64).unwrap();
    assert_eq!(
        v.error.as_ref().map(RegistryError::code),
        Some("digest_mismatch"),
        "{:?}",
        v.error
    );

    // More than 100 attestation manifests for one image.
    let mut entries = vec![image_entry(&amd.manifest, AMD64)];
    for _ in 0..101 {
        entries.push(attestation_entry(att, &amd.manifest.digest()));
    }
    let p = HostileProxy::start(Lie::rewrite_tag(TAG, &Fixture::index_with(&entries)));
    assert_eq!(
        limit_of(&verify(&reg, &p.url, &tag_ref(&reg), AMD64)),
        Some(Limit::AttestationManifests)
    );

    // An attestation manifest with more than 100 layers, and one whose envelope claims 16 MiB + 1.
    let layer = amd.attestation_layers[0].descriptor();
    let many = Blob::new(
        image::OCI_MANIFEST,
        serde_json::json!({"schemaVersion": 2, "mediaType": image::OCI_MANIFEST,
        "config": layer, "layers": vec![layer.clone(); 101]})
        .to_string()
        .into_bytes(),
    );
    let mut huge_layer = layer.clone();
    huge_layer["size"] = serde_json::json!(16 * 1024 * 1024 + 1);
    let huge = Blob::new(
        image::OCI_MANIFEST,
        serde_json::json!({"schemaVersion": 2, "mediaType": image::OCI_MANIFEST,
        "config": layer, "layers": [huge_layer]})
        .to_string()
        .into_bytes(),
    );
    for (manifest, limit) in [
        (many, Limit::AttestationLayers),
        (huge, Limit::EnvelopeBytes),
    ] {
        let index = Fixture::index_with(&[
            image_entry(&amd.manifest, AMD64),
            attestation_entry(&manifest, &amd.manifest.digest()),
        ]);
        let mut lies = Lie::rewrite_tag(TAG, &index);
        lies.push(Lie::manifest(&manifest.digest(), &manifest));
        let p = HostileProxy::start(lies);
        assert_eq!(
            limit_of(&verify(&reg, &p.url, &tag_ref(&reg), AMD64)),
            Some(limit)
        );
    }

    // A body longer than its descriptor: only `size` bytes are read, then the digest fails.
    let p = HostileProxy::start(vec![Lie::Answer {
        path_suffix: format!("/blobs/{}", amd.attestation_layers[0].digest()),
        status: 200,
        headers: vec![],
        body: vec![b'x'; 8 << 20],
    }]);
    assert_eq!(
        code(&verify(&reg, &p.url, &tag_ref(&reg), AMD64)),
        "digest_mismatch"
    );

    // A redirect loop.
    let p = HostileProxy::start(vec![Lie::Answer {
        path_suffix: format!("/blobs/{}", amd.attestation_layers[0].digest()),
        status: 302,
        headers: vec![(
            "Location".into(),
            format!(
                "/{}/v2/{REPO}/blobs/{}",
                reg.addr,
                amd.attestation_layers[0].digest()
            ),
        )],
        body: vec![],
    }]);
    let r = verify(&reg, &p.url, &tag_ref(&reg), AMD64);
    assert_eq!(limit_of(&r), Some(Limit::Redirects), "{r:?}");

    // A token endpoint answering 64 KiB + 1.
    let challenge = format!(r#"Bearer realm="http://{}/token",service="s""#, reg.addr);
    let p = HostileProxy::start(vec![
        Lie::Answer {
            path_suffix: format!("/manifests/{TAG}"),
            status: 401,
            headers: vec![("WWW-Authenticate".into(), challenge)],
            body: vec![],
        },
        Lie::Answer {
            path_suffix: "/token".into(),
            status: 200,
            headers: vec![],
            body: vec![b' '; 64 * 1024 + 1],
        },
    ]);
    assert_eq!(
        limit_of(&verify(&reg, &p.url, &tag_ref(&reg), AMD64)),
        Some(Limit::TokenResponseBytes)
    );
}

#[test]
fn referrers_pagination_is_bounded() {
    let reg = Registry::start(Mode::Plain);
    let bare = fixture(&reg, Signing::NoAttestations);
    reg.push(REPO, TAG, &bare);
    let digest = bare.platform(AMD64).manifest.digest();
    let page = Fixture::index_with(&[]);
    let p = HostileProxy::start(vec![Lie::Answer {
        path_suffix: format!("/referrers/{digest}"),
        status: 200,
        headers: vec![
            ("Content-Type".into(), image::OCI_INDEX.into()),
            (
                "Link".into(),
                format!(r#"</v2/{REPO}/referrers/{digest}?n=1>; rel="next""#),
            ),
        ],
        body: page.bytes,
    }]);
    assert_eq!(
        limit_of(&verify(&reg, &p.url, &tag_ref(&reg), AMD64)),
        Some(Limit::ReferrersPages)
    );
}

#[test]
fn the_client_pushes_with_token_auth_and_the_pushed_image_verifies() {
    let reg = Registry::start(Mode::Token);
    let f = fixture(&reg, Signing::Signed);
    let c = client("");
    let r = Reference::parse(&tag_ref(&reg)).unwrap();
    pollster::block_on(async {
        for b in &f.blobs {
            let d = c.push_blob(&r, &b.bytes).await.unwrap();
            assert_eq!(d.as_str(), b.digest());
        }
        // Pushing again is a no-op (HEAD finds it).
        c.push_blob(&r, &f.blobs[0].bytes).await.unwrap();
        for m in f.manifests() {
            c.push_manifest(&r, &m.digest(), &m.media_type, &m.bytes)
                .await
                .unwrap();
        }
        c.push_manifest(&r, TAG, &f.index.media_type, &f.index.bytes)
            .await
            .unwrap();
    });
    assert_eq!(code(&verify(&reg, "", &tag_ref(&reg), AMD64)), "ok");
    // A manifest naming a blob the registry lacks is refused by the registry, clearly.
    let orphan = Blob::new(image::OCI_MANIFEST, serde_json::json!({"schemaVersion": 2, "mediaType": image::OCI_MANIFEST,
        "config": Blob::new("application/vnd.oci.image.config.v1+json", b"{}".to_vec()).descriptor(), "layers": []}).to_string().into_bytes());
    let e = pollster::block_on(c.push_manifest(&r, "orphan", &orphan.media_type, &orphan.bytes))
        .unwrap_err();
    assert_eq!(e.code(), "http_error", "{e}");
}
