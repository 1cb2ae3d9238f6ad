//! cosign v2's signatures kept under tags (`sha256-<hex>.sig` and `.att`, `sigstore.md` §1.3):
//! each layer of the tag's manifest is one signature, its material in the layer's annotations —
//! the signature, the Fulcio leaf (PEM), the Rekor "bundle" (the SET's payload and the SET) and
//! an RFC 3161 timestamp. They are read into a v0.1-shaped [`Bundle`] (a SET required for each
//! entry, no inclusion proof) and verified by the same pipeline as bundles. The `chain`
//! annotation is never read: the path is built to the trusted root's authority alone.
//!
//! `.sig` layers (simple signing): the signature is over the layer's bytes, which must say
//! `critical.type` = `cosign container image signature` and name the image in
//! `critical.image.docker-manifest-digest`; `docker-reference` is shown, not enforced (cosign's
//! rule). `.att` layers: the layer is a DSSE envelope whose in-toto statement must name the
//! image; its timestamp covers the layer's bytes (cosign's `VerifyRFC3161Timestamp`).

use std::collections::BTreeMap;

use serde_json::value::RawValue;

use super::artifact::Artifact;
use super::bundle::{Bundle, BundleVersion, Content, Material, TlogEntry};
use super::keys::HashAlg;
use super::signatures::{Accepted, SignatureCheck, Signatures};
use super::verify::{verify_parsed, BundleOutcome, Context, SigstoreTrust};
use crate::dsse::Envelope;
use crate::json::raw::{self, Unknown};
use crate::limits::{self, Limit};
use crate::report::Checklist;
use crate::{b64, hex, Policy, Rejected, UnixTime, Verified, VerifyError};

/// The media type of a `.sig` layer (a simple-signing document).
pub const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// The media type of a `.att` layer (a DSSE envelope).
pub const DSSE_MEDIA_TYPE: &str = "application/vnd.dsse.envelope.v1+json";
/// The annotation holding the base64 signature (empty on `.att` layers).
pub const SIGNATURE: &str = "dev.cosignproject.cosign/signature";
/// The annotation holding the PEM leaf certificate.
pub const CERTIFICATE: &str = "dev.sigstore.cosign/certificate";
/// The annotation holding the Rekor bundle (SET and its payload).
pub const REKOR_BUNDLE: &str = "dev.sigstore.cosign/bundle";
/// The annotation holding an RFC 3161 timestamp.
pub const RFC3161_TIMESTAMP: &str = "dev.sigstore.cosign/rfc3161timestamp";
/// What a `.sig` layer's `critical.type` must say.
pub const SIMPLE_SIGNING_TYPE: &str = "cosign container image signature";

const WHAT: &str = "cosign signature annotations";

/// One layer of a cosign tag's manifest: its media type and annotations (from the manifest)
/// and its bytes (fetched by digest).
#[derive(Debug, Clone, Copy)]
pub struct CosignLayer<'a> {
    /// The layer descriptor's `mediaType`.
    pub media_type: &'a str,
    /// The layer descriptor's annotations.
    pub annotations: &'a BTreeMap<String, String>,
    /// The layer's bytes.
    pub bytes: &'a [u8],
}

/// Verifies one cosign v2 signature layer as a signature on the image `image_sha256` (64
/// lowercase hex), under `trust` and `policy`; `accepted` as in
/// [`super::verify_bundle_accepting`].
pub fn verify_cosign_layer(
    layer: CosignLayer<'_>,
    image_sha256: &str,
    trust: &SigstoreTrust,
    policy: &Policy,
    now: UnixTime,
    accepted: &Accepted,
) -> Result<Verified<BundleOutcome>, Rejected> {
    let sigs = Signatures::accepting(accepted);
    crate::verify::run(
        |ck| {
            let cx = Context::new(trust, policy, now, &sigs);
            pipeline(layer, image_sha256, &cx, ck)
        },
        |o, checks| o.checks = checks,
    )
}

/// The signatures verifying `layer` will check (see [`super::signature_checks`]).
pub fn cosign_signature_checks(
    layer: CosignLayer<'_>,
    image_sha256: &str,
    trust: &SigstoreTrust,
    policy: &Policy,
    now: UnixTime,
) -> Vec<SignatureCheck> {
    let sigs = Signatures::record();
    let mut ck = Checklist::default();
    let cx = Context::new(trust, policy, now, &sigs);
    let _discarded = pipeline(layer, image_sha256, &cx, &mut ck);
    sigs.recorded()
}

fn pipeline(
    layer: CosignLayer<'_>,
    image_sha256: &str,
    cx: &Context<'_>,
    ck: &mut Checklist,
) -> Result<BundleOutcome, VerifyError> {
    let image =
        hex::decode(image_sha256)
            .filter(|d| d.len() == 32)
            .ok_or(VerifyError::InvalidField {
                what: "image digest",
                field: "sha256",
            })?;
    let simple = ck.step("cosign.layer", layer_kind(layer.media_type), |simple| {
        if *simple {
            "Read a cosign v2 image signature (simple signing)".into()
        } else {
            "Read a cosign v2 attestation (DSSE)".into()
        }
    })?;
    let bundle = ck.step("bundle.parse", bundle_of(layer, simple), |_| {
        "Read the signature, certificate and log entry from the layer's annotations".into()
    })?;
    // A `.sig` signs the layer's bytes, which must name the image; an `.att` statement must.
    let (artifact, timestamped) = if simple {
        (Artifact::Bytes(layer.bytes), bundle.content.signature())
    } else {
        (Artifact::Digest(HashAlg::Sha256, &image), layer.bytes)
    };
    let mut outcome = verify_parsed(&bundle, timestamped, artifact, cx, ck)?;
    if simple {
        ck.step(
            "cosign.payload",
            simple_signing_names(layer.bytes, image_sha256),
            |()| format!("Verified the signed payload names sha256:{image_sha256}"),
        )?;
    }
    outcome.version = if simple {
        "cosign v2 signature".into()
    } else {
        "cosign v2 attestation".into()
    };
    Ok(outcome)
}

fn layer_kind(media_type: &str) -> Result<bool, VerifyError> {
    match media_type {
        SIMPLE_SIGNING_MEDIA_TYPE => Ok(true),
        DSSE_MEDIA_TYPE => Ok(false),
        _ => Err(VerifyError::UnsupportedFormat {
            reason: "a cosign layer is a simple-signing document or a DSSE envelope",
        }),
    }
}

/// The annotations (and for `.att` the envelope) as a v0.1-shaped bundle.
fn bundle_of(layer: CosignLayer<'_>, simple: bool) -> Result<Bundle, VerifyError> {
    let a = layer.annotations;
    let material = match a.get(CERTIFICATE) {
        Some(pem) => {
            let (_, der) = super::pem::decode(pem)
                .filter(|(label, _)| label == "CERTIFICATE")
                .ok_or(VerifyError::InvalidField {
                    what: WHAT,
                    field: CERTIFICATE,
                })?;
            Material::Certificate(der)
        }
        // Signed with a key: the policy must trust a supplied one.
        None => Material::PublicKey {
            hint: String::new(),
        },
    };
    let content = if simple {
        let sig = a.get(SIGNATURE).ok_or(VerifyError::MissingField {
            what: WHAT,
            field: SIGNATURE,
        })?;
        Content::MessageSignature {
            digest: None,
            signature: b64::decode_dsse(sig, "cosign signature")?,
        }
    } else {
        let env = Envelope::parse(layer.bytes)?;
        let [one] = env.signatures.as_slice() else {
            return Err(VerifyError::UnsupportedFormat {
                reason: "a cosign attestation's DSSE envelope must have exactly one signature",
            });
        };
        Content::Dsse {
            signature: one.sig.clone(),
            payload_type: env.payload_type,
            payload: env.payload,
        }
    };
    let tlog_entries = a
        .get(REKOR_BUNDLE)
        .map(|b| rekor_bundle(b))
        .transpose()?
        .into_iter()
        .collect();
    let timestamps = a
        .get(RFC3161_TIMESTAMP)
        .map(|t| {
            let m = raw::members(
                t.as_bytes(),
                WHAT,
                &["SignedRFC3161Timestamp"],
                Unknown::Refuse,
            )?;
            b64::decode_dsse(&m.str("SignedRFC3161Timestamp")?, "RFC 3161 timestamp")
        })
        .transpose()?
        .into_iter()
        .collect();
    Ok(Bundle {
        version: BundleVersion::V01,
        material,
        tlog_entries,
        timestamps,
        content,
    })
}

/// cosign's Rekor bundle: `{"SignedEntryTimestamp", "Payload": {"body", "integratedTime",
/// "logIndex", "logID"}}` — the SET and exactly the payload it signs.
fn rekor_bundle(text: &str) -> Result<TlogEntry, VerifyError> {
    let m = raw::members(
        text.as_bytes(),
        WHAT,
        &["SignedEntryTimestamp", "Payload"],
        Unknown::Refuse,
    )?;
    let set = b64::decode_dsse(&m.str("SignedEntryTimestamp")?, "SignedEntryTimestamp")?;
    let payload = m.get("Payload").ok_or(VerifyError::MissingField {
        what: WHAT,
        field: "Payload",
    })?;
    if !payload.get().starts_with('{') {
        return Err(VerifyError::InvalidField {
            what: WHAT,
            field: "Payload",
        });
    }
    let p = raw::members_of(
        payload,
        WHAT,
        &["body", "integratedTime", "logIndex", "logID"],
        Unknown::Refuse,
    )?;
    let body = b64::decode_dsse(&p.str("body")?, "log entry body")?;
    limits::check(body.len(), limits::MAX_BUNDLE_BYTES, Limit::BundleBytes)?;
    let number = |name: &'static str| -> Result<u64, VerifyError> {
        let raw = p.get(name).ok_or(VerifyError::MissingField {
            what: WHAT,
            field: name,
        })?;
        let text = raw.get();
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VerifyError::InvalidField {
                what: WHAT,
                field: name,
            });
        }
        text.parse().map_err(|_| VerifyError::InvalidField {
            what: WHAT,
            field: name,
        })
    };
    let integrated_time =
        i64::try_from(number("integratedTime")?).map_err(|_| VerifyError::InvalidField {
            what: WHAT,
            field: "integratedTime",
        })?;
    let log_index = number("logIndex")?;
    let log_id = hex::decode(&p.str("logID")?).ok_or(VerifyError::InvalidField {
        what: WHAT,
        field: "logID",
    })?;
    // The kind the body declares (the log-entry check compares the two, and the body itself).
    let kind_of = |field: &'static str| -> Result<String, VerifyError> {
        let text = core::str::from_utf8(&body).map_err(|_| VerifyError::MalformedJson {
            what: "log entry body",
        })?;
        let raw: &RawValue =
            serde_json::from_str(text).map_err(|_| VerifyError::MalformedJson {
                what: "log entry body",
            })?;
        raw::pointer(raw, &[field])
            .and_then(raw::string)
            .map(|s| s.into_owned())
            .ok_or(VerifyError::MissingField {
                what: "log entry body",
                field,
            })
    };
    Ok(TlogEntry {
        log_index,
        log_id,
        kind: kind_of("kind")?,
        version: kind_of("apiVersion")?,
        integrated_time,
        signed_entry_timestamp: Some(set),
        inclusion_proof: None,
        body,
    })
}

/// A simple-signing document names the image: `critical.type` is cosign's, and
/// `critical.image.docker-manifest-digest` (key matched ASCII-case-insensitively, as Go
/// decodes it; two spellings are refused) is `sha256:<image>`.
fn simple_signing_names(bytes: &[u8], image_sha256: &str) -> Result<(), VerifyError> {
    const DOC: &str = "simple-signing payload";
    let doc = crate::json::parse_object(bytes, DOC)?;
    let field = |map: &serde_json::Map<String, serde_json::Value>, name: &'static str| {
        let mut found = map.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name));
        match (found.next(), found.next()) {
            (Some((_, v)), None) => Ok(v.clone()),
            (Some(_), Some(_)) => Err(VerifyError::DuplicateKey {
                what: DOC,
                key: name.into(),
            }),
            (None, _) => Err(VerifyError::MissingField {
                what: DOC,
                field: name,
            }),
        }
    };
    let object = |v: serde_json::Value, name: &'static str| match v {
        serde_json::Value::Object(m) => Ok(m),
        _ => Err(VerifyError::InvalidField {
            what: DOC,
            field: name,
        }),
    };
    let critical = object(field(&doc, "critical")?, "critical")?;
    if field(&critical, "type")?.as_str() != Some(SIMPLE_SIGNING_TYPE) {
        return Err(VerifyError::InvalidField {
            what: DOC,
            field: "critical.type",
        });
    }
    let image = object(field(&critical, "image")?, "critical.image")?;
    let named = field(&image, "docker-manifest-digest")?;
    if named.as_str() != Some(format!("sha256:{image_sha256}").as_str()) {
        return Err(VerifyError::SubjectMismatch {
            expected: format!("sha256:{image_sha256}"),
            found: match named.as_str() {
                Some(d) => d.chars().take(80).collect(),
                None => "no digest string".to_owned(),
            },
        });
    }
    Ok(())
}
