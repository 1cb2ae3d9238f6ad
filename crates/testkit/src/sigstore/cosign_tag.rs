//! cosign v2's tag signatures from the test Sigstore, as `cosign sign` and `cosign attest`
//! (v2, without `--new-bundle-format`) write them under `sha256-<hex>.sig` and `.att`: one
//! layer per signature, its material in annotations (signature, PEM leaf, chain, Rekor bundle).
//! Deterministic: the ephemeral key derives from what is signed.

use std::collections::BTreeMap;

use p256::ecdsa::SigningKey;
use serde_json::json;
use sha2::{Digest as _, Sha256};

use super::fulcio::{self, Identity};
use super::rekor;
use crate::der;
use opk_verify::b64::encode_std as b64;
use opk_verify::dsse::{pae, IN_TOTO_PAYLOAD_TYPE};
use opk_verify::sigstore::cosign_tag::{
    CERTIFICATE, DSSE_MEDIA_TYPE, REKOR_BUNDLE, SIGNATURE, SIMPLE_SIGNING_MEDIA_TYPE,
    SIMPLE_SIGNING_TYPE,
};

/// The annotation holding the chain (intermediates and root), which verifiers must not use.
pub const CHAIN: &str = "dev.sigstore.cosign/chain";

/// One signature layer: its media type, bytes and annotations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// The descriptor's `mediaType`.
    pub media_type: &'static str,
    /// The blob.
    pub bytes: Vec<u8>,
    /// The descriptor's annotations.
    pub annotations: BTreeMap<String, String>,
}

fn ephemeral(what: &[u8], at: i64) -> SigningKey {
    let mut h = Sha256::new();
    h.update(b"opk-test-sigstore cosign v2 key");
    h.update(at.to_be_bytes());
    h.update(what);
    SigningKey::from_slice(&h.finalize()).unwrap()
}

fn pem(cert: &[u8]) -> String {
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        b64(cert)
    )
}

/// cosign's simple-signing document naming `image_hex` (and, unenforced, `reference`).
pub fn simple_signing(image_hex: &str, reference: &str) -> Vec<u8> {
    json!({
        "critical": {
            "identity": {"docker-reference": reference},
            "image": {"docker-manifest-digest": format!("sha256:{image_hex}")},
            "type": SIMPLE_SIGNING_TYPE
        },
        "optional": null
    })
    .to_string()
    .into_bytes()
}

/// A `.sig` layer: `payload` (a simple-signing document) signed by `identity` at `at`, logged
/// as `hashedrekord`.
pub fn signature(payload: &[u8], identity: &Identity, at: i64) -> Layer {
    let key = ephemeral(payload, at);
    let cert = fulcio::issue(identity, key.verifying_key(), at);
    let sig = der::sign(&key, payload);
    let body = rekor::hashedrekord(&Sha256::digest(payload), &sig, &cert);
    let logged = rekor::log(&body, at);
    Layer {
        media_type: SIMPLE_SIGNING_MEDIA_TYPE,
        bytes: payload.to_vec(),
        annotations: annotations(b64(&sig), &cert, logged.cosign_annotation()),
    }
}

/// An `.att` layer: a DSSE envelope over `statement` signed by `identity` at `at`, logged as
/// `intoto` 0.0.2.
pub fn attestation(statement: &[u8], identity: &Identity, at: i64) -> Layer {
    let key = ephemeral(statement, at);
    let cert = fulcio::issue(identity, key.verifying_key(), at);
    let sig = der::sign(&key, &pae(IN_TOTO_PAYLOAD_TYPE.as_bytes(), statement));
    let envelope = json!({
        "payloadType": IN_TOTO_PAYLOAD_TYPE,
        "payload": b64(statement),
        "signatures": [{"keyid": "", "sig": b64(&sig)}]
    })
    .to_string()
    .into_bytes();
    let body = rekor::intoto(&envelope, IN_TOTO_PAYLOAD_TYPE, statement, &sig, &cert);
    let logged = rekor::log(&body, at);
    let mut annotations = annotations(String::new(), &cert, logged.cosign_annotation());
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(statement) {
        if let Some(t) = v["predicateType"].as_str() {
            annotations.insert("predicateType".into(), t.into());
        }
    }
    Layer {
        media_type: DSSE_MEDIA_TYPE,
        bytes: envelope,
        annotations,
    }
}

fn annotations(sig: String, cert: &[u8], rekor_bundle: String) -> BTreeMap<String, String> {
    BTreeMap::from([
        (SIGNATURE.to_owned(), sig),
        (CERTIFICATE.to_owned(), pem(cert)),
        (CHAIN.to_owned(), pem(&fulcio::ca_certificate())),
        (REKOR_BUNDLE.to_owned(), rekor_bundle),
    ])
}
