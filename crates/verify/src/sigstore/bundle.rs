//! Sigstore bundles (protobuf-specs JSON mapping), v0.1, v0.2 and v0.3 (both spellings of its
//! media type), parsed strictly: every member known (an unknown one is refused), no duplicate
//! keys, base64 standard with padding, 64-bit integers as JSON strings or numbers and never
//! negative, exactly one of `messageSignature` and `dsseEnvelope`, exactly one DSSE signature
//! (its bytes feed the signature, log and timestamp checks alike: TOB-SIGSTORE-9).

use std::borrow::Cow;

use serde_json::value::RawValue;

use super::keys::HashAlg;
use crate::json::raw::{self, Members, Unknown};
use crate::limits::{self, Limit};
use crate::{b64, VerifyError};

/// A bundle's format version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BundleVersion {
    /// `application/vnd.dev.sigstore.bundle+json;version=0.1`.
    V01,
    /// `…;version=0.2`.
    V02,
    /// `…;version=0.3` or `application/vnd.dev.sigstore.bundle.v0.3+json`.
    V03,
}

impl BundleVersion {
    /// The version a media type names; `None` for any other.
    pub fn of_media_type(m: &str) -> Option<Self> {
        match m {
            "application/vnd.dev.sigstore.bundle+json;version=0.1" => Some(Self::V01),
            "application/vnd.dev.sigstore.bundle+json;version=0.2" => Some(Self::V02),
            "application/vnd.dev.sigstore.bundle+json;version=0.3"
            | "application/vnd.dev.sigstore.bundle.v0.3+json" => Some(Self::V03),
            _ => None,
        }
    }
}

/// What identifies the signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Material {
    /// A certificate chain, leaf first (v0.1, v0.2); only the leaf is used, never the rest as
    /// anchors.
    Chain(Vec<Vec<u8>>),
    /// The leaf certificate alone (v0.3).
    Certificate(Vec<u8>),
    /// A key the verifier supplies (`publicKey.hint` names it).
    PublicKey {
        /// The hint, as given.
        hint: String,
    },
}

impl Material {
    /// The leaf certificate's DER, for certificate material.
    pub fn leaf(&self) -> Option<&[u8]> {
        match self {
            Self::Chain(c) => c.first().map(Vec::as_slice),
            Self::Certificate(c) => Some(c),
            Self::PublicKey { .. } => None,
        }
    }
}

/// A Merkle inclusion proof with its checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    /// The leaf's index in the (shard) tree.
    pub log_index: u64,
    /// The root hash the proof leads to.
    pub root_hash: [u8; 32],
    /// The tree size.
    pub tree_size: u64,
    /// The audit path, leaf to root.
    pub hashes: Vec<[u8; 32]>,
    /// The signed checkpoint text (v0.1 proofs may lack one; they are then ignored).
    pub checkpoint: Option<String>,
}

/// A transparency-log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogEntry {
    /// `logIndex` (Rekor v1: the global index the SET signs).
    pub log_index: u64,
    /// `logId.keyId`.
    pub log_id: Vec<u8>,
    /// `kindVersion.kind`.
    pub kind: String,
    /// `kindVersion.version`.
    pub version: String,
    /// `integratedTime` (0 when absent: Rekor v2), untrusted until its SET verifies.
    pub integrated_time: i64,
    /// `inclusionPromise.signedEntryTimestamp`.
    pub signed_entry_timestamp: Option<Vec<u8>>,
    /// `inclusionProof`.
    pub inclusion_proof: Option<InclusionProof>,
    /// `canonicalizedBody`, decoded.
    pub body: Vec<u8>,
}

/// What was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// A signature over an artifact, with the digest the signer recorded (a hint, checked).
    MessageSignature {
        /// `messageDigest`, if present.
        digest: Option<(HashAlg, Vec<u8>)>,
        /// The signature.
        signature: Vec<u8>,
    },
    /// A DSSE envelope with exactly one signature.
    Dsse {
        /// `payloadType`.
        payload_type: String,
        /// The decoded payload.
        payload: Vec<u8>,
        /// The one signature.
        signature: Vec<u8>,
    },
}

impl Content {
    /// The signature bytes (what logs and timestamps must cover).
    pub fn signature(&self) -> &[u8] {
        match self {
            Self::MessageSignature { signature, .. } | Self::Dsse { signature, .. } => signature,
        }
    }
}

/// A parsed, unverified bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// The version.
    pub version: BundleVersion,
    /// The signer's material.
    pub material: Material,
    /// Log entries (at most [`limits::MAX_BUNDLE_ENTRIES`]).
    pub tlog_entries: Vec<TlogEntry>,
    /// RFC 3161 `TimeStampResp`s, DER (at most [`limits::MAX_BUNDLE_ENTRIES`]).
    pub timestamps: Vec<Vec<u8>>,
    /// What was signed.
    pub content: Content,
}

const WHAT: &str = "Sigstore bundle";

fn b64_member(
    m: &Members<'_>,
    name: &'static str,
    what: &'static str,
) -> Result<Vec<u8>, VerifyError> {
    b64::decode_dsse(&m.str(name)?, what)
}

fn opt_object<'a>(
    m: &Members<'a>,
    name: &'static str,
    known: &[&'static str],
) -> Result<Option<Members<'a>>, VerifyError> {
    m.get(name).map(|raw| object(raw, known)).transpose()
}

fn object<'a>(raw: &'a RawValue, known: &[&'static str]) -> Result<Members<'a>, VerifyError> {
    if !raw.get().starts_with('{') {
        return Err(VerifyError::MalformedJson { what: WHAT });
    }
    raw::members_of(raw, WHAT, known, Unknown::Refuse)
}

/// A proto3 JSON 64-bit integer: a string or a number, never negative.
fn uint(m: &Members<'_>, name: &'static str) -> Result<Option<u64>, VerifyError> {
    let Some(raw) = m.get(name) else {
        return Ok(None);
    };
    let text: Cow<'_, str> = match raw::string(raw) {
        Some(s) => s,
        None => Cow::Borrowed(raw.get()),
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VerifyError::InvalidField {
            what: WHAT,
            field: name,
        });
    }
    text.parse::<u64>()
        .map(Some)
        .map_err(|_| VerifyError::InvalidField {
            what: WHAT,
            field: name,
        })
}

fn hash32(text: &str, what: &'static str) -> Result<[u8; 32], VerifyError> {
    <[u8; 32]>::try_from(b64::decode_dsse(text, what)?).map_err(|_| VerifyError::InvalidField {
        what: WHAT,
        field: what,
    })
}

/// The digest a message-signature bundle records (`messageDigest`): `None` for a DSSE bundle, a
/// message signature without one, or bytes that are not a bundle (whose verification says why).
/// A hint for binding, never a verification: the verifier checks the digest against the
/// artifact.
pub fn message_digest(bytes: &[u8]) -> Option<(HashAlg, Vec<u8>)> {
    match Bundle::parse(bytes).ok()?.content {
        Content::MessageSignature { digest, .. } => digest,
        Content::Dsse { .. } => None,
    }
}

impl Bundle {
    /// Parses a bundle.
    pub fn parse(bytes: &[u8]) -> Result<Self, VerifyError> {
        limits::check(bytes.len(), limits::MAX_BUNDLE_BYTES, Limit::BundleBytes)?;
        let m = raw::members(
            bytes,
            WHAT,
            &[
                "mediaType",
                "verificationMaterial",
                "messageSignature",
                "dsseEnvelope",
            ],
            Unknown::Refuse,
        )?;
        let media_type = m.str("mediaType")?;
        let version = BundleVersion::of_media_type(&media_type).ok_or_else(|| {
            VerifyError::BundleVersion {
                media_type: media_type.chars().take(100).collect(),
            }
        })?;
        let vm = m
            .get("verificationMaterial")
            .ok_or(VerifyError::MissingField {
                what: WHAT,
                field: "verificationMaterial",
            })?;
        let vm = object(
            vm,
            &[
                "publicKey",
                "x509CertificateChain",
                "certificate",
                "tlogEntries",
                "timestampVerificationData",
            ],
        )?;
        let material = material(&vm)?;
        let tlog_entries = match vm.get("tlogEntries") {
            None => Vec::new(),
            Some(_) => vm
                .array(
                    "tlogEntries",
                    limits::MAX_BUNDLE_ENTRIES,
                    Limit::BundleEntries,
                )?
                .into_iter()
                .map(tlog_entry)
                .collect::<Result<_, _>>()?,
        };
        let timestamps = match opt_object(&vm, "timestampVerificationData", &["rfc3161Timestamps"])?
        {
            None => Vec::new(),
            Some(t) if t.get("rfc3161Timestamps").is_none() => Vec::new(),
            Some(t) => t
                .array(
                    "rfc3161Timestamps",
                    limits::MAX_BUNDLE_ENTRIES,
                    Limit::BundleEntries,
                )?
                .into_iter()
                .map(|ts| {
                    b64_member(
                        &object(ts, &["signedTimestamp"])?,
                        "signedTimestamp",
                        "RFC 3161 timestamp",
                    )
                })
                .collect::<Result<_, _>>()?,
        };
        let content = match (m.get("messageSignature"), m.get("dsseEnvelope")) {
            (Some(ms), None) => message_signature(ms)?,
            (None, Some(env)) => dsse(env)?,
            _ => {
                return Err(VerifyError::UnsupportedFormat {
                    reason: "a bundle holds exactly one of messageSignature and dsseEnvelope",
                })
            }
        };
        Ok(Self {
            version,
            material,
            tlog_entries,
            timestamps,
            content,
        })
    }
}

fn material(vm: &Members<'_>) -> Result<Material, VerifyError> {
    let chain = opt_object(vm, "x509CertificateChain", &["certificates"])?;
    let cert = opt_object(vm, "certificate", &["rawBytes"])?;
    let key = opt_object(vm, "publicKey", &["hint"])?;
    match (chain, cert, key) {
        (Some(chain), None, None) => {
            let certs = chain
                .array(
                    "certificates",
                    limits::MAX_CHAIN_CERTIFICATES,
                    Limit::ChainCertificates,
                )?
                .into_iter()
                .map(|c| b64_member(&object(c, &["rawBytes"])?, "rawBytes", "certificate"))
                .collect::<Result<Vec<_>, _>>()?;
            if certs.is_empty() {
                return Err(VerifyError::CertificateInvalid {
                    reason: "empty certificate chain",
                });
            }
            Ok(Material::Chain(certs))
        }
        (None, Some(cert), None) => Ok(Material::Certificate(b64_member(
            &cert,
            "rawBytes",
            "certificate",
        )?)),
        (None, None, Some(key)) => Ok(Material::PublicKey {
            hint: key.opt_str("hint")?.unwrap_or_default().into_owned(),
        }),
        _ => Err(VerifyError::UnsupportedFormat {
            reason: "verification material needs exactly one of a chain, a certificate or a key",
        }),
    }
}

fn tlog_entry(raw: &RawValue) -> Result<TlogEntry, VerifyError> {
    let e = object(
        raw,
        &[
            "logIndex",
            "logId",
            "kindVersion",
            "integratedTime",
            "inclusionPromise",
            "inclusionProof",
            "canonicalizedBody",
        ],
    )?;
    let log_id = opt_object(&e, "logId", &["keyId"])?.ok_or(VerifyError::MissingField {
        what: WHAT,
        field: "logId",
    })?;
    let kv =
        opt_object(&e, "kindVersion", &["kind", "version"])?.ok_or(VerifyError::MissingField {
            what: WHAT,
            field: "kindVersion",
        })?;
    let promise = opt_object(&e, "inclusionPromise", &["signedEntryTimestamp"])?
        .map(|p| b64_member(&p, "signedEntryTimestamp", "signedEntryTimestamp"))
        .transpose()?;
    let proof = match opt_object(
        &e,
        "inclusionProof",
        &["logIndex", "rootHash", "treeSize", "hashes", "checkpoint"],
    )? {
        None => None,
        Some(p) => {
            let checkpoint = opt_object(&p, "checkpoint", &["envelope"])?
                .map(|c| c.str("envelope").map(|e| e.into_owned()))
                .transpose()?;
            let hashes = match p.get("hashes") {
                None => Vec::new(),
                Some(_) => p
                    .array("hashes", limits::MAX_PROOF_HASHES, Limit::ProofHashes)?
                    .into_iter()
                    .map(|h| {
                        let text = raw::string(h).ok_or(VerifyError::InvalidField {
                            what: WHAT,
                            field: "hashes",
                        })?;
                        hash32(&text, "inclusion proof hash")
                    })
                    .collect::<Result<_, _>>()?,
            };
            Some(InclusionProof {
                log_index: uint(&p, "logIndex")?.unwrap_or(0),
                root_hash: hash32(&p.str("rootHash")?, "rootHash")?,
                tree_size: uint(&p, "treeSize")?.ok_or(VerifyError::MissingField {
                    what: WHAT,
                    field: "treeSize",
                })?,
                hashes,
                checkpoint,
            })
        }
    };
    Ok(TlogEntry {
        log_index: uint(&e, "logIndex")?.ok_or(VerifyError::MissingField {
            what: WHAT,
            field: "logIndex",
        })?,
        log_id: b64_member(&log_id, "keyId", "logId")?,
        kind: kv.str("kind")?.into_owned(),
        version: kv.str("version")?.into_owned(),
        integrated_time: uint(&e, "integratedTime")?
            .map(|t| i64::try_from(t).unwrap_or(i64::MAX))
            .unwrap_or(0),
        signed_entry_timestamp: promise,
        inclusion_proof: proof,
        body: b64_member(&e, "canonicalizedBody", "canonicalizedBody")?,
    })
}

fn message_signature(raw: &RawValue) -> Result<Content, VerifyError> {
    let ms = object(raw, &["messageDigest", "signature"])?;
    let digest = match opt_object(&ms, "messageDigest", &["algorithm", "digest"])? {
        None => None,
        Some(d) => {
            let alg = match &*d.str("algorithm")? {
                "SHA2_256" => HashAlg::Sha256,
                "SHA2_384" => HashAlg::Sha384,
                "SHA2_512" => HashAlg::Sha512,
                _ => {
                    return Err(VerifyError::InvalidField {
                        what: WHAT,
                        field: "messageDigest.algorithm",
                    })
                }
            };
            Some((alg, b64_member(&d, "digest", "messageDigest")?))
        }
    };
    Ok(Content::MessageSignature {
        digest,
        signature: b64_member(&ms, "signature", "signature")?,
    })
}

fn dsse(raw: &RawValue) -> Result<Content, VerifyError> {
    let env = object(raw, &["payload", "payloadType", "signatures"])?;
    let sigs = env.array(
        "signatures",
        limits::MAX_DSSE_SIGNATURES,
        Limit::DsseSignatures,
    )?;
    let [sig] = sigs.as_slice() else {
        return Err(VerifyError::UnsupportedFormat {
            reason: "a bundle's DSSE envelope must have exactly one signature",
        });
    };
    let sig = object(sig, &["sig", "keyid"])?;
    Ok(Content::Dsse {
        payload_type: env.str("payloadType")?.into_owned(),
        payload: b64_member(&env, "payload", "DSSE payload")?,
        signature: b64_member(&sig, "sig", "DSSE signature")?,
    })
}
