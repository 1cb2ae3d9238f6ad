//! The same client in headless Chromium, over `fetch` (BrowserTransport), against real
//! registries started by `scripts/browser-registry-tests` (addresses baked in at build time):
//! directly to a CORS registry, through `opk proxy` to one without CORS, and through a proxy
//! that withholds an attestation, flips a byte of an envelope or swaps a manifest.
#![cfg(target_arch = "wasm32")]

use opk_pipeline::sigstore_module::Linked;
use opk_pipeline::{verify_image, AttestationFailure, LazySigstoreTrust, Outcome, VerifyContext};
use opk_registry::{BrowserTransport, Client, Reference, RegistryError, Route};
use opk_testkit::forge::TestOp;
use opk_verify::{Policy, UnixTime, VerifyError};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const NOW: UnixTime = UnixTime(1_795_000_000);

/// An address `scripts/browser-registry-tests` baked into this build.
macro_rules! fixture {
    ($name:literal) => {
        option_env!($name)
            .unwrap_or_else(|| panic!("{} is set by scripts/browser-registry-tests", $name))
    };
}

fn policy() -> Policy {
    Policy::builder()
        .repository_owner_id("145685596")
        .require_predicate_type("https://slsa.dev/provenance/v0.2")
        .build()
        .unwrap()
}

async fn verify(
    registry: &str,
    repo: &str,
    proxy: &str,
) -> Result<opk_pipeline::ImageVerdict, RegistryError> {
    let client = Client::new(BrowserTransport, Route::parse(proxy).unwrap());
    let r = Reference::parse(&format!("{registry}/openpubkey/{repo}:main")).unwrap();
    verify_image(
        &client,
        &r,
        "linux/amd64",
        &VerifyContext {
            trust: &TestOp::new().trust(),
            // The bundled root, parsed when a signature first needs it (through `Linked`).
            sigstore: &LazySigstoreTrust::public_good(),
            policy: &policy(),
            now: NOW,
            sigstore_verifier: &Linked,
        },
    )
    .await
}

fn code(r: &Result<opk_pipeline::ImageVerdict, RegistryError>) -> &'static str {
    match r {
        Ok(v) => v.error.as_ref().map_or("ok", RegistryError::code),
        Err(e) => e.code(),
    }
}

#[wasm_bindgen_test]
async fn signed_image_verifies_directly_from_a_cors_registry() {
    let reg = fixture!("OPK_TEST_REGISTRY");
    let r = verify(reg, "demo", "").await;
    assert_eq!(code(&r), "ok", "{r:?}");
    assert_eq!(r.unwrap().attestations.len(), 2);
}

#[wasm_bindgen_test]
async fn tampered_and_unsigned_images_fail_in_the_browser() {
    let reg = fixture!("OPK_TEST_REGISTRY");
    assert_eq!(code(&verify(reg, "tampered", "").await), "att_mismatch");
    assert_eq!(code(&verify(reg, "unsigned", "").await), "unsigned");
}

#[wasm_bindgen_test]
async fn a_registry_without_cors_is_refused_directly_and_works_through_opk_proxy() {
    let plain = fixture!("OPK_TEST_PLAIN_REGISTRY");
    let proxy = fixture!("OPK_TEST_PROXY");
    assert_eq!(code(&verify(plain, "demo", "").await), "network_error");
    let r = verify(plain, "demo", proxy).await;
    assert_eq!(code(&r), "ok", "{r:?}");
}

#[wasm_bindgen_test]
async fn a_withheld_attestation_is_missing_not_unsigned_in_the_browser() {
    let plain = fixture!("OPK_TEST_PLAIN_REGISTRY");
    let hostile = fixture!("OPK_TEST_HOSTILE_PROXY");
    let r = verify(plain, "demo", hostile).await;
    assert!(
        matches!(r, Err(RegistryError::AttestationWithheld { .. })),
        "{r:?}"
    );
}

/// An endless body (no Content-Length) is read as a stream and cut off at the manifest limit:
/// bounded memory, a named limit, in the browser too.
#[wasm_bindgen_test]
async fn an_endless_body_is_cut_off_at_the_limit_in_the_browser() {
    let plain = fixture!("OPK_TEST_PLAIN_REGISTRY");
    let endless = fixture!("OPK_TEST_ENDLESS_PROXY");
    let r = verify(plain, "demo", endless).await;
    assert!(
        matches!(
            r,
            Err(RegistryError::Verify(
                opk_verify::VerifyError::LimitExceeded {
                    limit: opk_verify::limits::Limit::ManifestBytes
                }
            ))
        ),
        "{r:?}"
    );
}

/// Content a proxy changed fails its digest check in the browser: a flipped byte in the
/// provenance envelope (a blob, checked against its descriptor) and the arm64 attestation
/// manifest served for the amd64 one's digest.
#[wasm_bindgen_test]
async fn content_changed_by_a_proxy_fails_its_digest_check_in_the_browser() {
    let plain = fixture!("OPK_TEST_PLAIN_REGISTRY");
    let flipping = fixture!("OPK_TEST_FLIPPING_PROXY");
    let swapping = fixture!("OPK_TEST_SWAPPING_PROXY");
    let r = verify(plain, "demo", flipping).await;
    assert_eq!(code(&r), "digest_mismatch", "{r:?}");
    let v = r.unwrap();
    assert!(
        matches!(
            &v.attestations[0].outcome,
            Outcome::Failed(AttestationFailure::Fetch(RegistryError::Verify(
                VerifyError::DigestMismatch { .. }
            )))
        ),
        "{:?}",
        v.attestations
    );
    let r = verify(plain, "demo", swapping).await;
    assert_eq!(code(&r), "digest_mismatch", "{r:?}");
}

#[wasm_bindgen_test]
async fn the_two_searches_share_one_referrers_listing_in_the_browser() {
    // No BuildKit attestations: the attestation search and the signature search both list the
    // image's referrers, truly at once here (fetch is asynchronous), and share one request.
    let reg = fixture!("OPK_TEST_REGISTRY");
    let client = Client::new(BrowserTransport, Route::parse("").unwrap());
    let r = Reference::parse(&format!("{reg}/openpubkey/sigstore:main")).unwrap();
    let policy = opk_testkit::sigstore::fulcio::Identity::demo_policy_builder()
        .require_predicate_type("https://cyclonedx.org/bom")
        .build()
        .unwrap();
    let cx = VerifyContext {
        trust: &TestOp::new().trust(),
        sigstore: &LazySigstoreTrust::parsed(opk_testkit::sigstore::root::dev_trust()),
        policy: &policy,
        now: NOW,
        sigstore_verifier: &Linked,
    };
    let v = verify_image(&client, &r, "linux/amd64", &cx).await.unwrap();
    assert!(v.verified(), "{:?}", v.error);
    let log = client.fetch_log();
    let count = |suffix: &str| log.iter().filter(|rec| rec.url.ends_with(suffix)).count();
    let digest = v.image_digest.to_string();
    let tag = format!("/manifests/sha256-{}", &digest["sha256:".len()..]);
    // docker-registry has no referrers API: one 404 from it, one read of the tag.
    assert_eq!(count(&format!("/referrers/{digest}")), 1, "{log:#?}");
    assert_eq!(count(&tag), 1, "{log:#?}");
}
