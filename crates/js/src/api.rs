//! The exported functions. Inputs are plain JS values, outputs plain JSON objects (maps become
//! objects), errors are thrown as `{code, message}`.

use opk_pipeline::sigstore_module::Linked;
use opk_pipeline::{report, webcrypto};
use opk_registry::{BrowserTransport, Client, Reference, Route};
use opk_verify::sigstore::keys::HashAlg;
use opk_verify::sigstore::{Artifact, BundleOutcome};
use opk_verify::{EnvelopeOutcome, ExpectedSubject, Rejected, TokenOutcome, UnixTime, Verified};
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::options::{fetch_options, policy, ApiError, PolicyOptions};

fn to_js(v: &Value) -> JsValue {
    let s = serde_wasm_bindgen::Serializer::json_compatible();
    serde::Serialize::serialize(v, &s).unwrap_or(JsValue::NULL)
}

fn from_js(v: JsValue) -> Result<Value, ApiError> {
    if v.is_undefined() || v.is_null() {
        return Ok(Value::Null);
    }
    serde_wasm_bindgen::from_value(v).map_err(|e| ApiError::options(e.to_string()))
}

fn throw(e: ApiError) -> JsValue {
    to_js(&e.to_json())
}

fn now(at: Option<i64>) -> UnixTime {
    UnixTime(at.unwrap_or((js_sys::Date::now() / 1000.0) as i64))
}

/// An envelope request: the policy object's parsed policy and the subject it names.
struct EnvelopeRequest {
    policy: PolicyOptions,
    subject: ExpectedSubject,
}

fn envelope_request(policy_js: JsValue) -> Result<EnvelopeRequest, JsValue> {
    let p = policy(&from_js(policy_js).map_err(throw)?, false, true).map_err(throw)?;
    let digest = p
        .subject_digest
        .clone()
        .ok_or_else(|| throw(ApiError::options("policy.subjectDigest is required")))?;
    let mut subject = ExpectedSubject::digest(digest);
    if let Some(name) = &p.subject_name {
        subject = subject.with_name(name.clone());
    }
    Ok(EnvelopeRequest { policy: p, subject })
}

fn envelope_report(result: Result<Verified<EnvelopeOutcome>, Rejected>) -> JsValue {
    to_js(&match result {
        Ok(ok) => report::envelope_json(&ok),
        Err(r) => report::rejected_json(&r),
    })
}

fn token_request(policy_js: JsValue) -> Result<PolicyOptions, JsValue> {
    policy(&from_js(policy_js).map_err(throw)?, false, false).map_err(throw)
}

fn token_report(result: Result<Verified<TokenOutcome>, Rejected>) -> JsValue {
    to_js(&match result {
        Ok(ok) => report::token_json(&ok),
        Err(r) => report::rejected_json(&r),
    })
}

/// Verifies a DSSE envelope (bytes) against `policy.subjectDigest` (and `subjectName`), all in
/// wasm. Returns `opk verify-envelope --json`'s object; a rejection is a result, not an
/// exception.
#[wasm_bindgen(js_name = verifyEnvelope)]
pub fn verify_envelope(bytes: &[u8], policy_js: JsValue) -> Result<JsValue, JsValue> {
    let EnvelopeRequest { policy: p, subject } = envelope_request(policy_js)?;
    let now = now(p.now);
    Ok(envelope_report(opk_verify::verify_envelope(
        bytes, subject, &p.trust, &p.policy, now,
    )))
}

/// [`verify_envelope`] as a Promise, with the WebCrypto fast path: the ES256 and RS256
/// signatures WebCrypto accepts are not verified again in wasm; the rest are (the same report).
#[wasm_bindgen(js_name = verifyEnvelopeAsync)]
pub async fn verify_envelope_async(bytes: Vec<u8>, policy_js: JsValue) -> Result<JsValue, JsValue> {
    let EnvelopeRequest { policy: p, subject } = envelope_request(policy_js)?;
    let now = now(p.now);
    Ok(envelope_report(
        webcrypto::verify_envelope(&bytes, subject, &p.trust, &p.policy, now).await,
    ))
}

/// The artifact a bundle request names: `policy.subjectDigest` (`sha256:HEX`), the digest a DSSE
/// bundle's statement must name or a message signature must be over.
fn bundle_request(policy_js: JsValue) -> Result<(PolicyOptions, Vec<u8>), JsValue> {
    let p = policy(&from_js(policy_js).map_err(throw)?, false, true).map_err(throw)?;
    let digest = p
        .subject_digest
        .as_deref()
        .and_then(|d| d.strip_prefix("sha256:"))
        .filter(|h| h.len() == 64)
        .and_then(opk_verify::hex::decode)
        .ok_or_else(|| {
            throw(ApiError::options(
                "policy.subjectDigest (sha256:HEX) is required: the artifact's digest",
            ))
        })?;
    Ok((p, digest))
}

fn bundle_report(result: Result<Verified<BundleOutcome>, Rejected>) -> JsValue {
    to_js(&match result {
        Ok(ok) => report::verified_bundle_json(&ok),
        Err(r) => report::rejected_json(&r),
    })
}

/// Verifies a Sigstore bundle (bytes) about `policy.subjectDigest` under `policy.trustedRoot`
/// (else the bundled public-good root) and the policy, all in wasm. Returns
/// `opk verify-bundle --json`'s object.
#[wasm_bindgen(js_name = verifyBundle)]
pub fn verify_bundle(bytes: &[u8], policy_js: JsValue) -> Result<JsValue, JsValue> {
    let (p, digest) = bundle_request(policy_js)?;
    let artifact = Artifact::Digest(HashAlg::Sha256, &digest);
    Ok(bundle_report(opk_verify::sigstore::verify_bundle(
        bytes,
        artifact,
        &p.sigstore,
        &p.policy,
        now(p.now),
    )))
}

/// [`verify_bundle`] as a Promise, with WebCrypto checking the ECDSA and RSA signatures first
/// (the same report).
#[wasm_bindgen(js_name = verifyBundleAsync)]
pub async fn verify_bundle_async(bytes: Vec<u8>, policy_js: JsValue) -> Result<JsValue, JsValue> {
    let (p, digest) = bundle_request(policy_js)?;
    let artifact = Artifact::Digest(HashAlg::Sha256, &digest);
    // The package links the verifier into its one module: it is always loaded.
    let (trust, policy) = (&p.sigstore, &p.policy);
    match webcrypto::verify_bundle(&Linked, &bytes, artifact, trust, policy, now(p.now)).await {
        Ok(outcome) => Ok(bundle_report(outcome)),
        Err(e) => Err(to_js(&report::error_json("verifier_not_loaded", &e))),
    }
}

/// Verifies a PK token (any format, JSON or compact) or an RS256/GQ JWT, given as text, all in
/// wasm. Returns `opk verify-token --json`'s object.
#[wasm_bindgen(js_name = verifyToken)]
pub fn verify_token(text: &str, policy_js: JsValue) -> Result<JsValue, JsValue> {
    let p = token_request(policy_js)?;
    let now = now(p.now);
    Ok(token_report(opk_verify::verify_token(
        text.as_bytes(),
        &p.trust,
        &p.policy,
        now,
    )))
}

/// [`verify_token`] as a Promise, with the WebCrypto fast path (as [`verify_envelope_async`]).
#[wasm_bindgen(js_name = verifyTokenAsync)]
pub async fn verify_token_async(text: String, policy_js: JsValue) -> Result<JsValue, JsValue> {
    let p = token_request(policy_js)?;
    let now = now(p.now);
    Ok(token_report(
        webcrypto::verify_token(text.as_bytes(), &p.trust, &p.policy, now).await,
    ))
}

fn client(proxy: &str) -> Result<Client<BrowserTransport>, ApiError> {
    let route = Route::parse(proxy).map_err(|e| ApiError {
        code: e.code().into(),
        message: e.to_string(),
    })?;
    Ok(Client::new(BrowserTransport, route))
}

fn reference(image: &str) -> Result<Reference, ApiError> {
    Reference::parse(image).map_err(|e| ApiError {
        code: e.code().into(),
        message: e.to_string(),
    })
}

/// Fetches `image` and verifies one platform's attestations. Resolves to `opk verify --json`'s
/// object (also when verification fails); rejects with `{code, message}` only for bad options.
#[wasm_bindgen(js_name = verifyImage)]
pub async fn verify_image(
    image: String,
    policy_js: JsValue,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let p = policy(&from_js(policy_js).map_err(throw)?, true, true).map_err(throw)?;
    let o = fetch_options(&from_js(options).map_err(throw)?).map_err(throw)?;
    let r = reference(&image).map_err(throw)?;
    let c = client(&o.proxy).map_err(throw)?;
    let sigstore = opk_pipeline::LazySigstoreTrust::parsed(p.sigstore);
    let cx = opk_pipeline::VerifyContext {
        trust: &p.trust,
        sigstore: &sigstore,
        policy: &p.policy,
        now: now(p.now),
        sigstore_verifier: &Linked,
    };
    let result = opk_pipeline::verify_image(&c, &r, &o.platform, &cx).await;
    let fetches = c.fetch_log();
    Ok(to_js(&match result {
        Ok(v) => report::verdict_json(&image, &r, &v, &fetches),
        Err(e) => report::failure_json(&image, &o.platform, &e, &fetches),
    }))
}

/// Fetches `image` and describes it: `opk inspect --json`'s object.
#[wasm_bindgen(js_name = inspectImage)]
pub async fn inspect_image(image: String, options: JsValue) -> Result<JsValue, JsValue> {
    let o = fetch_options(&from_js(options).map_err(throw)?).map_err(throw)?;
    let r = reference(&image).map_err(throw)?;
    let c = client(&o.proxy).map_err(throw)?;
    match opk_pipeline::inspect_image(&c, &r).await {
        Ok(mut doc) => {
            doc["fetches"] = serde_json::to_value(c.fetch_log()).unwrap_or(Value::Null);
            Ok(to_js(&doc))
        }
        Err(e) => Err(to_js(&report::error_json(e.code(), &e))),
    }
}
