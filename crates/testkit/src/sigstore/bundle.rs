//! Bundles v0.3 from the test Sigstore, as cosign v3 and GitHub's attest action write them: an
//! ephemeral P-256 key, a Fulcio leaf for the identity, the signature (over the DSSE PAE of an
//! in-toto statement, or over an artifact), and the Rekor entry (`dsse` or `hashedrekord`) with
//! its SET and inclusion proof. Deterministic: the ephemeral key derives from what is signed.

use p256::ecdsa::SigningKey;
use serde_json::json;
use sha2::{Digest as _, Sha256};

use super::fulcio::{self, Identity};
use super::{rekor, tsa};
use crate::der;
use opk_verify::b64::encode_std as b64;
use opk_verify::dsse::{pae, IN_TOTO_PAYLOAD_TYPE};

/// The bundle v0.3 media type.
pub const MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

fn ephemeral(what: &[u8], at: i64) -> SigningKey {
    let mut h = Sha256::new();
    h.update(b"opk-test-sigstore ephemeral key");
    h.update(at.to_be_bytes());
    h.update(what);
    SigningKey::from_slice(&h.finalize()).unwrap()
}

/// Where a bundle's signing time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// The log's signed entry timestamp (Rekor v1's inclusion promise).
    LogPromise,
    /// An RFC 3161 timestamp from the test authority at the given Unix second, the log entry
    /// carrying only its inclusion proof (as cosign v3 writes bundles for Rekor v2).
    Authority(i64),
}

/// A DSSE bundle over an in-toto `statement`, signed by `identity` at `at` (Unix seconds; the
/// log integrates it at the same second).
pub fn dsse(statement: &[u8], identity: &Identity, at: i64) -> Vec<u8> {
    dsse_timed(statement, identity, at, Timing::LogPromise)
}

/// A DSSE bundle over `statement`, signed by `identity` at `at`, its time given by `timing`.
pub fn dsse_timed(statement: &[u8], identity: &Identity, at: i64, timing: Timing) -> Vec<u8> {
    let key = ephemeral(statement, at);
    let cert = fulcio::issue(identity, key.verifying_key(), at);
    let sig = der::sign(&key, &pae(IN_TOTO_PAYLOAD_TYPE.as_bytes(), statement));
    let envelope = json!({
        "payload": b64(statement),
        "payloadType": IN_TOTO_PAYLOAD_TYPE,
        "signatures": [{"sig": b64(&sig), "keyid": ""}]
    });
    let body = rekor::dsse(envelope.to_string().as_bytes(), statement, &sig, &cert);
    let mut entry = rekor::log(&body, at).bundle_entry("dsse");
    let mut material = json!({
        "certificate": {"rawBytes": b64(&cert)},
        "tlogEntries": []
    });
    if let Timing::Authority(stamped_at) = timing {
        let entry = entry.as_object_mut().expect("an entry is an object");
        entry.remove("inclusionPromise");
        entry.remove("integratedTime");
        material["timestampVerificationData"] = json!({
            "rfc3161Timestamps": [{"signedTimestamp": b64(&tsa::timestamp(&sig, stamped_at))}]
        });
    }
    material["tlogEntries"] = json!([entry]);
    json!({
        "mediaType": MEDIA_TYPE,
        "verificationMaterial": material,
        "dsseEnvelope": envelope
    })
    .to_string()
    .into_bytes()
}

/// A message-signature bundle over `artifact`, signed by `identity` at `at`.
pub fn message(artifact: &[u8], identity: &Identity, at: i64) -> Vec<u8> {
    let key = ephemeral(artifact, at);
    let cert = fulcio::issue(identity, key.verifying_key(), at);
    let digest = Sha256::digest(artifact);
    let sig = der::sign(&key, artifact);
    let body = rekor::hashedrekord(&digest, &sig, &cert);
    let entry = rekor::log(&body, at).bundle_entry("hashedrekord");
    json!({
        "mediaType": MEDIA_TYPE,
        "verificationMaterial": {
            "certificate": {"rawBytes": b64(&cert)},
            "tlogEntries": [entry]
        },
        "messageSignature": {
            "messageDigest": {"algorithm": "SHA2_256", "digest": b64(&digest)},
            "signature": b64(&sig)
        }
    })
    .to_string()
    .into_bytes()
}

/// cosign v3's image-signature statement (in-toto v1, predicate
/// `https://sigstore.dev/cosign/sign/v1`) naming `digest_hex`: what `cosign sign` signs, and
/// what Docker's github-builder signs for each attestation manifest.
pub fn cosign_sign_statement(digest_hex: &str) -> Vec<u8> {
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"digest": {"sha256": digest_hex}}],
        "predicateType": "https://sigstore.dev/cosign/sign/v1",
        "predicate": {}
    })
    .to_string()
    .into_bytes()
}
