//! The browser's WebCrypto as a fast path for ES256 and RS256 (about ten times faster than
//! `p256` and `rsa` in WebAssembly): each CIC signature and RS256 OP signature a verification
//! will check is verified by `crypto.subtle.verify` first, and only those it accepts are handed
//! to the core as prechecked (see `opk_verify::prechecked`); for Sigstore bundles, every ECDSA
//! (P-256, P-384) and RSA PKCS#1 v1.5 signature the pipeline checks — the artifact's, the
//! certificate chain's, SCTs, SETs, checkpoints, timestamps (`opk_verify::sigstore::signatures`). A signature WebCrypto rejects, or
//! cannot check (no `crypto.subtle` outside a secure context, an import error), is verified by
//! the core itself, which stays the reference. The browser tests check both agree on valid and
//! mutated input.

use js_sys::{Array, Object, Reflect, Uint8Array};
use opk_verify::jose::RsaKey;
use opk_verify::prechecked::{checks, Checks, Es256Check, Prechecked, Rs256Check};
use opk_verify::sigstore::signatures::{Accepted, KeyMaterial, SignatureCheck};
use opk_verify::sigstore::{Artifact, BundleOutcome, SigstoreTrust};
use opk_verify::{
    b64, EnvelopeOutcome, ExpectedSubject, Policy, Rejected, TokenOutcome, TrustRoots, UnixTime,
    Verified,
};
use wasm_bindgen::{JsCast as _, JsValue};

use crate::sigstore_module::{SigstoreModuleNotLoaded, SigstoreVerifier};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, EcKeyImportParams, EcdsaParams, JsonWebKey, SubtleCrypto};

/// WebCrypto's name for RS256's signature scheme.
const RSASSA_PKCS1_V1_5: &str = "RSASSA-PKCS1-v1_5";

/// `crypto.subtle` of this global scope (window or worker), if there is one.
fn subtle() -> Option<SubtleCrypto> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto")).ok()?;
    let subtle = Reflect::get(&crypto, &JsValue::from_str("subtle")).ok()?;
    subtle.dyn_into::<SubtleCrypto>().ok()
}

fn verify_usage() -> Array {
    Array::of1(&JsValue::from_str("verify"))
}

/// WebCrypto's verdict on one ES256 triple; `None` if it could not be asked.
pub async fn webcrypto_es256(check: &Es256Check) -> Option<bool> {
    let subtle = subtle()?;
    let mut point = Vec::with_capacity(65);
    point.push(0x04);
    point.extend_from_slice(&check.key_xy);
    let params = EcKeyImportParams::new("ECDSA");
    params.set_named_curve("P-256");
    let import = subtle
        .import_key_with_object(
            "raw",
            &Uint8Array::from(point.as_slice()),
            &params,
            false,
            &verify_usage(),
        )
        .ok()?;
    let key: CryptoKey = JsFuture::from(import).await.ok()?.dyn_into().ok()?;
    let alg = EcdsaParams::new_with_str("ECDSA", "SHA-256");
    let verify = subtle
        .verify_with_object_and_u8_array_and_u8_array(&alg, &key, &check.signature, &check.message)
        .ok()?;
    JsFuture::from(verify).await.ok()?.as_bool()
}

/// WebCrypto's verdict on one RS256 triple (RSASSA-PKCS1-v1_5 with SHA-256, exponent
/// [`RsaKey::EXPONENT`]); `None` if it could not be asked.
pub async fn webcrypto_rs256(check: &Rs256Check) -> Option<bool> {
    let subtle = subtle()?;
    let jwk = JsonWebKey::new("RSA");
    jwk.set_n(&b64::encode_url(&check.modulus));
    jwk.set_e(&b64::encode_url(&RsaKey::EXPONENT.to_be_bytes()[1..]));
    jwk.set_alg("RS256");
    // web-sys's `RsaHashedImportParams` has no `name` member: the algorithm is a plain object.
    let params = Object::new();
    Reflect::set(&params, &"name".into(), &RSASSA_PKCS1_V1_5.into()).ok()?;
    Reflect::set(&params, &"hash".into(), &"SHA-256".into()).ok()?;
    let import = subtle
        .import_key_with_object("jwk", &jwk, &params, false, &verify_usage())
        .ok()?;
    let key: CryptoKey = JsFuture::from(import).await.ok()?.dyn_into().ok()?;
    let verify = subtle
        .verify_with_str_and_u8_array_and_u8_array(
            RSASSA_PKCS1_V1_5,
            &key,
            &check.signature,
            &check.message,
        )
        .ok()?;
    JsFuture::from(verify).await.ok()?.as_bool()
}

/// The signatures verifying `input` (a DSSE envelope, a PK token or a compact JWT) under
/// `trust` will check that WebCrypto accepts: CIC signatures (ES256) and RS256 OP signatures.
pub async fn prechecked(input: &[u8], trust: &TrustRoots) -> Prechecked {
    let listed = checks(input, trust);
    let mut accepted = Checks::default();
    for check in listed.es256 {
        if webcrypto_es256(&check).await == Some(true) {
            accepted.es256.push(check);
        }
    }
    for check in listed.rs256 {
        if webcrypto_rs256(&check).await == Some(true) {
            accepted.rs256.push(check);
        }
    }
    Prechecked::accepted_unsafe(accepted)
}

/// [`opk_verify::verify_envelope`] with WebCrypto first: the same outcome, and the ES256 and
/// RS256 signatures WebCrypto accepts are not verified again in wasm.
pub async fn verify_envelope(
    bytes: &[u8],
    subject: impl Into<ExpectedSubject>,
    trust: &TrustRoots,
    policy: &Policy,
    now: UnixTime,
) -> Result<Verified<EnvelopeOutcome>, Rejected> {
    let accepted = prechecked(bytes, trust).await;
    opk_verify::verify_envelope_prechecked(bytes, subject, trust, policy, now, &accepted)
}

/// [`opk_verify::verify_token`] (a PK token or a compact JWT) with WebCrypto first, as
/// [`verify_envelope`].
pub async fn verify_token(
    bytes: &[u8],
    trust: &TrustRoots,
    policy: &Policy,
    now: UnixTime,
) -> Result<Verified<TokenOutcome>, Rejected> {
    let accepted = prechecked(bytes, trust).await;
    opk_verify::verify_token_prechecked(bytes, trust, policy, now, &accepted)
}

/// WebCrypto's verdict on one Sigstore signature check (ECDSA P-256/P-384 or RSA PKCS#1 v1.5,
/// with the check's digest); `None` if it could not be asked or the signature's encoding is
/// one the core refuses.
pub async fn webcrypto_signature(check: &SignatureCheck) -> Option<bool> {
    let subtle = subtle()?;
    let signature = check.webcrypto_signature()?;
    let hash = check.hash_name();
    let (key, alg): (CryptoKey, Object) = match check.key() {
        KeyMaterial::P256(point) | KeyMaterial::P384(point) => {
            let curve = if matches!(check.key(), KeyMaterial::P256(_)) {
                "P-256"
            } else {
                "P-384"
            };
            let params = EcKeyImportParams::new("ECDSA");
            params.set_named_curve(curve);
            let import = subtle
                .import_key_with_object(
                    "raw",
                    &Uint8Array::from(point.as_slice()),
                    &params,
                    false,
                    &verify_usage(),
                )
                .ok()?;
            let key = JsFuture::from(import).await.ok()?.dyn_into().ok()?;
            (key, EcdsaParams::new_with_str("ECDSA", hash).into())
        }
        KeyMaterial::Rsa(modulus) => {
            let jwk = JsonWebKey::new("RSA");
            jwk.set_n(&b64::encode_url(modulus));
            jwk.set_e(&b64::encode_url(&RsaKey::EXPONENT.to_be_bytes()[1..]));
            let params = Object::new();
            Reflect::set(&params, &"name".into(), &RSASSA_PKCS1_V1_5.into()).ok()?;
            Reflect::set(&params, &"hash".into(), &hash.into()).ok()?;
            let import = subtle
                .import_key_with_object("jwk", &jwk, &params, false, &verify_usage())
                .ok()?;
            let key = JsFuture::from(import).await.ok()?.dyn_into().ok()?;
            let alg = Object::new();
            Reflect::set(&alg, &"name".into(), &RSASSA_PKCS1_V1_5.into()).ok()?;
            (key, alg)
        }
    };
    let verify = subtle
        .verify_with_object_and_u8_array_and_u8_array(&alg, &key, signature, check.message())
        .ok()?;
    JsFuture::from(verify).await.ok()?.as_bool()
}

/// The signatures verifying a Sigstore bundle will check that WebCrypto accepts.
pub async fn sigstore_accepted(checks: Vec<SignatureCheck>) -> Accepted {
    let mut accepted = Vec::with_capacity(checks.len());
    for check in checks {
        if webcrypto_signature(&check).await == Some(true) {
            accepted.push(check);
        }
    }
    Accepted::new_unsafe(accepted)
}

/// [`opk_verify::sigstore::verify_bundle`] with WebCrypto first: the same outcome, and the
/// ECDSA and RSA signatures WebCrypto accepts are not verified again in wasm. The outer error:
/// the verifier's module did not load, so nothing was decided.
pub async fn verify_bundle(
    verifier: &dyn SigstoreVerifier,
    bytes: &[u8],
    artifact: Artifact<'_>,
    trust: &SigstoreTrust,
    policy: &Policy,
    now: UnixTime,
) -> Result<Result<Verified<BundleOutcome>, Rejected>, SigstoreModuleNotLoaded> {
    verifier.loaded().await?;
    let checks = verifier
        .signature_checks(bytes, artifact, trust, policy, now)
        .await;
    let accepted = sigstore_accepted(checks).await;
    Ok(verifier
        .verify_bundle_accepting(bytes, artifact, trust, policy, now, &accepted)
        .await)
}
