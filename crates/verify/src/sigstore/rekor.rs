//! Rekor transparency-log entries. The log is chosen by its id from the trusted root. Rekor v1:
//! the signed entry timestamp (SET) over the JCS form of `{body, integratedTime, logID,
//! logIndex}` — the only source of an integrated time, and only once verified — and/or an
//! inclusion proof to a checkpoint the log signed. Rekor v2: an inclusion proof to a signed
//! checkpoint, and no time. Either way the entry's body must describe this bundle: its
//! artifact (or DSSE payload), its signature, its certificate or key (CVE-2022-36056 class).

use serde_json::value::RawValue;
use sha2::{Digest as _, Sha256};

use super::bundle::{Content, TlogEntry};
use super::checkpoint::SignedNote;
use super::keys::{HashAlg, PublicKey, Scheme};
use super::merkle;
use super::signatures::Signatures;
use super::time::Millis;
use super::trusted_root::LogInstance;
use crate::json::raw::{self, Unknown};
use crate::{b64, hex, VerifyError};

fn invalid(reason: &'static str) -> VerifyError {
    VerifyError::TlogEntryInvalid { reason }
}

fn mismatch(field: &'static str) -> VerifyError {
    VerifyError::TlogBodyMismatch { field }
}

/// What the entry must describe.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The bundle's content (signature, and the DSSE payload).
    pub content: &'a Content,
    /// The artifact's digest (message signatures): algorithm and bytes.
    pub artifact_digest: Option<(HashAlg, &'a [u8])>,
    /// The signer's certificate DER, or for a managed key its SPKI DER.
    pub signer_der: &'a [u8],
    /// Whether `signer_der` is a certificate (else a public key).
    pub signer_is_certificate: bool,
    /// The signer's key (for Rekor v2's `keyDetails` and digest algorithm).
    pub signer_key: &'a PublicKey,
}

/// What a verified entry establishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedEntry {
    /// The log's base URL.
    pub log: String,
    /// The entry's index.
    pub log_index: u64,
    /// The integrated time, when a verified SET established it (Rekor v1).
    pub integrated_time: Option<Millis>,
}

/// The Rekor v2 body kind/version.
const V2: (&str, &str) = ("hashedrekord", "0.0.2");

/// Verifies one entry: its log known, its body this bundle's, its SET (when present) and its
/// inclusion proof to a signed checkpoint (when present or required), `now` bounding
/// integrated times. `require_proof`: bundles from v0.2 on must carry one.
pub fn verify_entry(
    entry: &TlogEntry,
    logs: &[LogInstance],
    expected: &Expected<'_>,
    require_proof: bool,
    now: Millis,
    sigs: &Signatures<'_>,
) -> Result<VerifiedEntry, VerifyError> {
    let log = logs
        .iter()
        .find(|l| l.log_id == entry.log_id)
        .ok_or(invalid("the entry's log is not in the trusted root"))?;
    let body_kind = body_kind(&entry.body)?;
    if body_kind != (entry.kind.as_str(), entry.version.as_str()) {
        return Err(invalid(
            "kindVersion differs from the body's kind and apiVersion",
        ));
    }
    let v2 = body_kind == V2;
    if v2 {
        check_v2_body(&entry.body, expected)?;
    } else {
        check_v1_body(&entry.body, body_kind, expected)?;
    }
    let mut integrated_time = None;
    if let Some(set) = &entry.signed_entry_timestamp {
        if v2 {
            return Err(invalid("a Rekor v2 entry has no signed entry timestamp"));
        }
        verify_set(entry, log, set, sigs)?;
        let t = Millis::from_secs(entry.integrated_time);
        if t > now {
            return Err(VerifyError::OutsideValidity {
                what: "integrated time (in the future)",
                time: t.to_string(),
            });
        }
        if !log.valid_for.contains(t) {
            return Err(VerifyError::OutsideValidity {
                what: "transparency log key",
                time: t.to_string(),
            });
        }
        integrated_time = Some(t);
    }
    // A proof without a checkpoint proves nothing (its root is not signed): v0.1 bundles may
    // carry one, and it is ignored there (their SET is the evidence); from v0.2 on, refused.
    let proof = match &entry.inclusion_proof {
        Some(p) if p.checkpoint.is_none() && require_proof => {
            return Err(VerifyError::InclusionProofInvalid {
                reason: "the proof has no checkpoint",
            })
        }
        Some(p) if p.checkpoint.is_none() => None,
        other => other.as_ref(),
    };
    match proof {
        Some(proof) => {
            let checkpoint = proof.checkpoint.as_deref().unwrap_or_default();
            let note = SignedNote::parse(checkpoint)?;
            note.verify_signed_by(log, sigs)?;
            let cp = &note.checkpoint;
            if cp.root != proof.root_hash {
                return Err(VerifyError::CheckpointInvalid {
                    reason: "the checkpoint is for another root",
                });
            }
            if cp.size != proof.tree_size {
                return Err(VerifyError::CheckpointInvalid {
                    reason: "the checkpoint is for another tree size",
                });
            }
            let index = if v2 { entry.log_index } else { proof.log_index };
            merkle::verify_inclusion(
                &merkle::leaf_hash(&entry.body),
                index,
                cp.size,
                &proof.hashes,
                &cp.root,
            )?;
        }
        None if require_proof || v2 => {
            return Err(VerifyError::InclusionProofInvalid {
                reason: "the entry has no inclusion proof",
            })
        }
        None if integrated_time.is_none() => {
            return Err(invalid(
                "the entry has neither a SET nor an inclusion proof",
            ))
        }
        None => {}
    }
    Ok(VerifiedEntry {
        log: log.base_url.clone(),
        log_index: entry.log_index,
        integrated_time,
    })
}

/// The SET: the log's signature over `{"body":…,"integratedTime":…,"logID":…,"logIndex":…}` in
/// RFC 8785 form (these keys are already in order; base64 and hex need no escaping).
fn verify_set(
    entry: &TlogEntry,
    log: &LogInstance,
    set: &[u8],
    sigs: &Signatures<'_>,
) -> Result<(), VerifyError> {
    let payload = format!(
        r#"{{"body":"{}","integratedTime":{},"logID":"{}","logIndex":{}}}"#,
        b64::encode_std(&entry.body),
        entry.integrated_time,
        hex::encode(&entry.log_id),
        entry.log_index
    );
    let scheme = match log.key {
        PublicKey::Ed25519(_) => Scheme::Ed25519,
        PublicKey::Rsa(_) => Scheme::RsaPkcs1(HashAlg::Sha256),
        _ => Scheme::Ecdsa(HashAlg::Sha256),
    };
    if sigs.verify(&log.key, scheme, payload.as_bytes(), set) {
        Ok(())
    } else {
        Err(VerifyError::SetInvalid)
    }
}

fn body_kind(body: &[u8]) -> Result<(&'static str, &'static str), VerifyError> {
    let m = raw::members(
        body,
        "log entry body",
        &["apiVersion", "kind", "spec"],
        Unknown::Skip,
    )
    .map_err(|_| invalid("the body is not a log entry"))?;
    let kind = m.str("kind").map_err(|_| invalid("the body has no kind"))?;
    let version = m
        .str("apiVersion")
        .map_err(|_| invalid("the body has no apiVersion"))?;
    Ok(match (&*kind, &*version) {
        ("hashedrekord", "0.0.1") => ("hashedrekord", "0.0.1"),
        ("dsse", "0.0.1") => ("dsse", "0.0.1"),
        ("intoto", "0.0.2") => ("intoto", "0.0.2"),
        ("hashedrekord", "0.0.2") => V2,
        _ => return Err(invalid("log entry kind not supported")),
    })
}

/// The member at `path` of a body as a string, or a mismatch naming `field`.
fn text_at(body: &RawValue, path: &[&str], field: &'static str) -> Result<String, VerifyError> {
    raw::pointer(body, path)
        .and_then(raw::string)
        .map(|s| s.into_owned())
        .ok_or(mismatch(field))
}

/// The DER inside a (base64 of a) PEM block, as Rekor v1 bodies carry certificates and keys.
fn pem_der(b64_pem: &str) -> Option<Vec<u8>> {
    let pem = b64::decode_dsse(b64_pem, "PEM").ok()?;
    let text = core::str::from_utf8(&pem).ok()?;
    let start = text.find("-----BEGIN ")?;
    let after = &text[start..];
    let body_start = after.find('\n')? + 1;
    let end = after.find("-----END ")?;
    let inner: String = after
        .get(body_start..end)?
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    b64::decode_dsse(&inner, "PEM body").ok()
}

fn payload_of(content: &Content) -> Option<(&str, &[u8])> {
    match content {
        Content::Dsse {
            payload_type,
            payload,
            ..
        } => Some((payload_type, payload)),
        Content::MessageSignature { .. } => None,
    }
}

fn check_v1_body(
    body: &[u8],
    kind: (&str, &str),
    expected: &Expected<'_>,
) -> Result<(), VerifyError> {
    let text = core::str::from_utf8(body).map_err(|_| invalid("the body is not UTF-8"))?;
    let raw: &RawValue = serde_json::from_str(text).map_err(|_| invalid("the body is not JSON"))?;
    crate::json::check(body, "log entry body")?;
    let signer = |b64_pem: &str| pem_der(b64_pem).as_deref() == Some(expected.signer_der);
    let sig = expected.content.signature();
    match kind {
        ("hashedrekord", _) => {
            let (alg, digest) = expected.artifact_digest.ok_or(mismatch(
                "data.hash (a message signature's entry for a DSSE bundle)",
            ))?;
            let want_alg = match alg {
                HashAlg::Sha256 => "sha256",
                HashAlg::Sha384 => "sha384",
                HashAlg::Sha512 => "sha512",
            };
            if text_at(
                raw,
                &["spec", "data", "hash", "algorithm"],
                "data.hash.algorithm",
            )? != want_alg
            {
                return Err(mismatch("data.hash.algorithm"));
            }
            if text_at(raw, &["spec", "data", "hash", "value"], "data.hash.value")?
                != hex::encode(digest)
            {
                return Err(mismatch("data.hash.value"));
            }
            let content = text_at(raw, &["spec", "signature", "content"], "signature.content")?;
            if b64::decode_dsse(&content, "signature").ok().as_deref() != Some(sig) {
                return Err(mismatch("signature.content"));
            }
            let key = text_at(
                raw,
                &["spec", "signature", "publicKey", "content"],
                "signature.publicKey",
            )?;
            if !signer(&key) {
                return Err(mismatch("signature.publicKey"));
            }
        }
        ("dsse", _) => {
            let (_, payload) = payload_of(expected.content)
                .ok_or(mismatch("a DSSE entry for a message signature"))?;
            if text_at(
                raw,
                &["spec", "payloadHash", "algorithm"],
                "payloadHash.algorithm",
            )? != "sha256"
            {
                return Err(mismatch("payloadHash.algorithm"));
            }
            if text_at(raw, &["spec", "payloadHash", "value"], "payloadHash.value")?
                != hex::encode(&Sha256::digest(payload))
            {
                return Err(mismatch("payloadHash.value"));
            }
            let sigs = raw::pointer(raw, &["spec", "signatures"]).ok_or(mismatch("signatures"))?;
            let list = raw::elements(
                sigs,
                "log entry body",
                "signatures",
                16,
                crate::limits::Limit::DsseSignatures,
            )
            .map_err(|_| mismatch("signatures"))?;
            let [one] = list.as_slice() else {
                return Err(mismatch("signatures"));
            };
            let s = text_at(one, &["signature"], "signatures[0].signature")?;
            if b64::decode_dsse(&s, "signature").ok().as_deref() != Some(sig) {
                return Err(mismatch("signatures[0].signature"));
            }
            if !signer(&text_at(one, &["verifier"], "signatures[0].verifier")?) {
                return Err(mismatch("signatures[0].verifier"));
            }
        }
        _ => {
            // intoto 0.0.2: the envelope's signature is base64 of the base64 of the signature.
            let (payload_type, payload) = payload_of(expected.content)
                .ok_or(mismatch("an in-toto entry for a message signature"))?;
            let env = raw::pointer(raw, &["spec", "content", "envelope"])
                .ok_or(mismatch("content.envelope"))?;
            if text_at(env, &["payloadType"], "envelope.payloadType")? != payload_type {
                return Err(mismatch("envelope.payloadType"));
            }
            if text_at(
                raw,
                &["spec", "content", "payloadHash", "algorithm"],
                "payloadHash.algorithm",
            )? != "sha256"
            {
                return Err(mismatch("payloadHash.algorithm"));
            }
            if text_at(
                raw,
                &["spec", "content", "payloadHash", "value"],
                "payloadHash.value",
            )? != hex::encode(&Sha256::digest(payload))
            {
                return Err(mismatch("payloadHash.value"));
            }
            let sigs = raw::pointer(env, &["signatures"]).ok_or(mismatch("envelope.signatures"))?;
            let list = raw::elements(
                sigs,
                "log entry body",
                "signatures",
                16,
                crate::limits::Limit::DsseSignatures,
            )
            .map_err(|_| mismatch("envelope.signatures"))?;
            let [one] = list.as_slice() else {
                return Err(mismatch("envelope.signatures"));
            };
            let double = text_at(one, &["sig"], "envelope.signatures[0].sig")?;
            let single = b64::decode_dsse(&double, "sig")
                .map_err(|_| mismatch("envelope.signatures[0].sig"))?;
            let single = core::str::from_utf8(&single)
                .map_err(|_| mismatch("envelope.signatures[0].sig"))?;
            if b64::decode_dsse(single, "sig").ok().as_deref() != Some(sig) {
                return Err(mismatch("envelope.signatures[0].sig"));
            }
            if !signer(&text_at(
                one,
                &["publicKey"],
                "envelope.signatures[0].publicKey",
            )?) {
                return Err(mismatch("envelope.signatures[0].publicKey"));
            }
        }
    }
    Ok(())
}

/// Rekor v2 `keyDetails` and digest algorithm of a signing key.
fn v2_key(key: &PublicKey) -> Option<(&'static str, HashAlg, &'static str)> {
    match key {
        PublicKey::P256(_) => Some(("PKIX_ECDSA_P256_SHA_256", HashAlg::Sha256, "SHA2_256")),
        PublicKey::P384(_) => Some(("PKIX_ECDSA_P384_SHA_384", HashAlg::Sha384, "SHA2_384")),
        PublicKey::Rsa(k) => {
            let details = match k.modulus_bits() {
                2048 => "PKIX_RSA_PKCS1V15_2048_SHA256",
                3072 => "PKIX_RSA_PKCS1V15_3072_SHA256",
                4096 => "PKIX_RSA_PKCS1V15_4096_SHA256",
                _ => return None,
            };
            Some((details, HashAlg::Sha256, "SHA2_256"))
        }
        PublicKey::Ed25519(_) => None,
    }
}

/// Rekor v2: the entry's body must be exactly the one this bundle makes (RFC 8785 form).
fn check_v2_body(body: &[u8], expected: &Expected<'_>) -> Result<(), VerifyError> {
    let (details, hash, hash_name) =
        v2_key(expected.signer_key).ok_or(mismatch("verifier.keyDetails (key type)"))?;
    let digest = match expected.content {
        Content::Dsse {
            payload_type,
            payload,
            ..
        } => hash.digest(&crate::dsse::pae(payload_type.as_bytes(), payload)),
        Content::MessageSignature { .. } => {
            let (alg, d) = expected.artifact_digest.ok_or(mismatch("data.digest"))?;
            if alg != hash {
                return Err(mismatch("data.algorithm"));
            }
            d.to_vec()
        }
    };
    let verifier = if expected.signer_is_certificate {
        format!(
            r#""x509Certificate":{{"rawBytes":"{}"}}"#,
            b64::encode_std(expected.signer_der)
        )
    } else {
        format!(
            r#""publicKey":{{"rawBytes":"{}"}}"#,
            b64::encode_std(expected.signer_der)
        )
    };
    let want = format!(
        r#"{{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{{"hashedRekordV002":{{"data":{{"algorithm":"{hash_name}","digest":"{}"}},"signature":{{"content":"{}","verifier":{{"keyDetails":"{details}",{verifier}}}}}}}}}}}"#,
        b64::encode_std(&digest),
        b64::encode_std(expected.content.signature()),
    );
    if body == want.as_bytes() {
        Ok(())
    } else {
        Err(mismatch("the Rekor v2 entry is not this bundle's"))
    }
}
