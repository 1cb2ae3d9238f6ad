//! The Sigstore bundle verification pipeline (`shared/spec/sigstore.md` §3.2), in order:
//! parse; the signer's material (a Fulcio leaf and its profile, or a key the caller trusts);
//! the signature over the artifact or the DSSE envelope; every transparency-log entry (its log,
//! body, SET, inclusion proof and checkpoint); every RFC 3161 timestamp; at least one verified
//! time; the certificate path to a trusted authority at *each* verified time, and the SCTs;
//! the identity policy. Nothing is returned before all of them pass.

use sha2::{Digest as _, Sha256};

use super::artifact::Artifact;
use super::bundle::{Bundle, BundleVersion, Content, Material};
use super::cert::{Cert, CODE_SIGNING};
use super::chain::{self, ParsedAuthority};
use super::identity::{self, Identity};
use super::keys::{HashAlg, PublicKey, Scheme};
use super::rekor::{self, Expected, VerifiedEntry};
use super::sct;
use super::signatures::{Accepted, SignatureCheck, Signatures};
use super::time::{Millis, Window};
use super::trusted_root::TrustedRoot;
use super::tsa::Timestamp;
use crate::dsse::{pae, IN_TOTO_PAYLOAD_TYPE};
use crate::intoto::Statement;
use crate::policy::Policy;
use crate::report::Checklist;
use crate::{b64, hex, Rejected, UnixTime, Verified, VerifyError};

/// A key the caller trusts for keyed (managed-key) bundles.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    /// Its name, shown in results (a file name).
    pub label: String,
    /// The key.
    pub key: PublicKey,
    /// Its DER SubjectPublicKeyInfo.
    pub spki: Vec<u8>,
    /// When it is valid, if limited.
    pub valid_for: Option<Window>,
}

/// Who signed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Signer {
    /// A Fulcio certificate's identity.
    Certificate {
        /// The identity.
        identity: Identity,
        /// The authority that issued it (trusted root entry).
        authority: String,
    },
    /// A key the caller supplied.
    Key {
        /// Its label.
        label: String,
    },
}

/// What vouches for a bundle's signing time.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeWitness {
    /// A transparency log's signed entry timestamp (its integrated time).
    TransparencyLog,
    /// An RFC 3161 timestamp authority.
    TimestampAuthority,
    /// Both a log's signed entry timestamp and a timestamp authority.
    Both,
}

/// A verified bundle.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BundleOutcome {
    /// The bundle version.
    pub version: String,
    /// Who signed.
    pub signer: Signer,
    /// The verified signing times (RFC 3339), earliest first.
    pub signed_at: Vec<String>,
    /// The log entries that verified: `(log, index)`.
    pub log_entries: Vec<(String, u64)>,
    /// How many RFC 3161 timestamps verified.
    pub timestamps: usize,
    /// What vouches for `signed_at`.
    pub time_witness: TimeWitness,
    /// The DSSE statement, for DSSE bundles.
    pub statement: Option<Statement>,
    /// The trusted root used, as labelled.
    pub trusted_root: String,
    /// The checklist.
    pub checks: Vec<crate::Check>,
}

/// What every stage of a Sigstore verification reads: the trust, the policy, the time and how
/// signatures are checked (here, or accepted from another implementation).
#[derive(Clone, Copy)]
pub(super) struct Context<'a> {
    pub trust: &'a SigstoreTrust,
    pub policy: &'a Policy,
    pub now: UnixTime,
    pub sigs: &'a Signatures<'a>,
}

impl<'a> Context<'a> {
    pub(super) fn new(
        trust: &'a SigstoreTrust,
        policy: &'a Policy,
        now: UnixTime,
        sigs: &'a Signatures<'a>,
    ) -> Self {
        Self {
            trust,
            policy,
            now,
            sigs,
        }
    }
}

/// Trust for Sigstore: a trusted root and, for keyed bundles, keys.
#[derive(Debug, Clone)]
pub struct SigstoreTrust {
    /// The trusted root.
    pub root: TrustedRoot,
    /// Keys for managed-key bundles.
    pub keys: Vec<TrustedKey>,
}

/// Verifies a Sigstore bundle about `artifact` under `trust` and `policy`; `now` only bounds
/// integrated times (every validity is checked at a verified signing time).
pub fn verify_bundle(
    bytes: &[u8],
    artifact: Artifact<'_>,
    trust: &SigstoreTrust,
    policy: &Policy,
    now: UnixTime,
) -> Result<Verified<BundleOutcome>, Rejected> {
    verify_bundle_accepting(bytes, artifact, trust, policy, now, &Accepted::default())
}

/// [`verify_bundle`], taking the signatures in `accepted` as verified (see
/// [`super::signatures`]: only exact signatures another implementation accepted; every other
/// one is verified here). The same outcome whenever that implementation is right.
pub fn verify_bundle_accepting(
    bytes: &[u8],
    artifact: Artifact<'_>,
    trust: &SigstoreTrust,
    policy: &Policy,
    now: UnixTime,
    accepted: &Accepted,
) -> Result<Verified<BundleOutcome>, Rejected> {
    let sigs = Signatures::accepting(accepted);
    crate::verify::run(
        |ck| {
            let cx = Context::new(trust, policy, now, &sigs);
            pipeline(bytes, artifact, &cx, ck)
        },
        |o, checks| o.checks = checks,
    )
}

/// The signatures verifying `bytes` will check that another implementation may check first
/// (see [`super::signatures`]). Runs the pipeline answering "valid" to every signature, so
/// every one is reached; its verdict is discarded.
pub fn signature_checks(
    bytes: &[u8],
    artifact: Artifact<'_>,
    trust: &SigstoreTrust,
    policy: &Policy,
    now: UnixTime,
) -> Vec<SignatureCheck> {
    let sigs = Signatures::record();
    let mut ck = Checklist::default();
    let cx = Context::new(trust, policy, now, &sigs);
    let _discarded = pipeline(bytes, artifact, &cx, &mut ck);
    sigs.recorded()
}

/// The leaf or the key, with what the log entries must name.
enum Signing {
    Leaf(Box<Cert>),
    Key(Box<TrustedKey>),
}

impl Signing {
    fn key(&self) -> &PublicKey {
        match self {
            Self::Leaf(c) => &c.key,
            Self::Key(k) => &k.key,
        }
    }
}

/// The schemes a signing key's bundle signatures may use: ECDSA with its curve's digest (P-256
/// SHA-256, P-384 SHA-384) — for P-384 also SHA-256, as earlier clients signed and sigstore-go
/// still accepts for bundles up to v0.3 — RSA PKCS#1 v1.5 with SHA-256, Ed25519.
fn schemes_for(key: &PublicKey) -> &'static [Scheme] {
    match key {
        PublicKey::P256(_) => &[Scheme::Ecdsa(HashAlg::Sha256)],
        PublicKey::P384(_) => &[
            Scheme::Ecdsa(HashAlg::Sha384),
            Scheme::Ecdsa(HashAlg::Sha256),
        ],
        PublicKey::Rsa(_) => &[Scheme::RsaPkcs1(HashAlg::Sha256)],
        PublicKey::Ed25519(_) => &[Scheme::Ed25519],
    }
}

pub(super) fn pipeline(
    bytes: &[u8],
    artifact: Artifact<'_>,
    cx: &Context<'_>,
    ck: &mut Checklist,
) -> Result<BundleOutcome, VerifyError> {
    let bundle = ck.step("bundle.parse", Bundle::parse(bytes), |b| {
        format!("Parsed Sigstore bundle {:?}", b.version)
    })?;
    let timestamped = bundle.content.signature().to_vec();
    verify_parsed(&bundle, &timestamped, artifact, cx, ck)
}

/// The pipeline after parsing: `bundle` verified about `artifact`; its RFC 3161 timestamps
/// must cover `timestamped` (a bundle's signature; for cosign v2 tags, see
/// [`super::cosign_tag`]).
pub(super) fn verify_parsed(
    bundle: &Bundle,
    timestamped: &[u8],
    artifact: Artifact<'_>,
    cx: &Context<'_>,
    ck: &mut Checklist,
) -> Result<BundleOutcome, VerifyError> {
    let Context {
        trust,
        policy,
        now,
        sigs,
    } = *cx;
    if bundle.version >= BundleVersion::V03 && matches!(bundle.material, Material::Chain(_)) {
        return Err(ck.fail(
            "bundle.material",
            VerifyError::UnsupportedFormat {
                reason: "a v0.3 bundle carries its certificate alone, not a chain",
            },
        ));
    }
    let signing = ck.step(
        "signer",
        signer(&bundle.material, trust, policy),
        |s| match s {
            Signing::Leaf(_) => "Parsed the signing certificate (code signing, not a CA)".into(),
            Signing::Key(k) => format!("Signed by the key {} (user-supplied trust)", k.label),
        },
    )?;
    // The signature over what was signed, and what it is about.
    let (artifact_digest, statement) = ck.step(
        "signature",
        content_signature(&bundle.content, artifact, signing.key(), sigs),
        |_| match bundle.content {
            Content::Dsse { .. } => "Verified the DSSE signature over the envelope (PAE)".into(),
            Content::MessageSignature { .. } => "Verified the signature over the artifact".into(),
        },
    )?;
    let (signer_der, is_cert) = match &signing {
        Signing::Leaf(c) => (c.der.as_slice(), true),
        Signing::Key(k) => (k.spki.as_slice(), false),
    };
    let expected = Expected {
        content: &bundle.content,
        artifact_digest: artifact_digest.as_ref().map(|(a, d)| (*a, d.as_slice())),
        signer_der,
        signer_is_certificate: is_cert,
        signer_key: signing.key(),
    };
    let now_ms = Millis::from_secs(now.0);
    let mut entries: Vec<VerifiedEntry> = Vec::new();
    for entry in &bundle.tlog_entries {
        let require_proof = bundle.version >= BundleVersion::V02;
        if bundle.version == BundleVersion::V01 && entry.signed_entry_timestamp.is_none() {
            return Err(ck.fail(
                "tlog",
                VerifyError::TlogEntryInvalid {
                    reason: "a v0.1 bundle's entry needs a signed entry timestamp",
                },
            ));
        }
        let v = ck.step(
            "tlog",
            rekor::verify_entry(
                entry,
                &trust.root.tlogs,
                &expected,
                require_proof,
                now_ms,
                sigs,
            ),
            |v| {
                format!(
                    "Verified transparency log entry {} in {}",
                    v.log_index, v.log
                )
            },
        )?;
        if entries
            .iter()
            .any(|e| e.log == v.log && e.log_index == v.log_index)
        {
            return Err(ck.fail(
                "tlog",
                VerifyError::TlogEntryInvalid {
                    reason: "the same log entry twice",
                },
            ));
        }
        entries.push(v);
    }
    if !trust.root.tlogs.is_empty() && entries.is_empty() {
        return Err(ck.fail(
            "tlog",
            VerifyError::TlogEntryInvalid {
                reason: "no transparency log entry (the trusted root has logs)",
            },
        ));
    }
    let mut times: Vec<Millis> = entries.iter().filter_map(|e| e.integrated_time).collect();
    let logged = !times.is_empty();
    let mut timestamps = 0;
    for ts in &bundle.timestamps {
        let t = ck.step(
            "timestamp",
            Timestamp::parse(ts)
                .and_then(|t| t.verify(timestamped, &trust.root.timestamp_authorities, sigs)),
            |t| format!("Verified RFC 3161 timestamp {t}"),
        )?;
        times.push(t);
        timestamps += 1;
    }
    times.sort();
    times.dedup();
    if times.is_empty() {
        return Err(ck.fail(
            "time",
            VerifyError::NoVerifiedTime {
                reason: "neither a verified signed entry timestamp nor an RFC 3161 timestamp",
            },
        ));
    }
    let time_witness = match (logged, timestamps > 0) {
        (true, true) => TimeWitness::Both,
        (true, false) => TimeWitness::TransparencyLog,
        _ => TimeWitness::TimestampAuthority,
    };
    let signer = match &signing {
        Signing::Leaf(leaf) => {
            let authority = ck.step(
                "certificate.chain",
                chain_at_every_time(leaf, &trust.root, &times, sigs),
                |a| format!("Verified the certificate chain to {a} at every verified time"),
            )?;
            let identity = ck.step("certificate.identity", identity::of(leaf), |i| {
                format!("Certificate identity {} issued by {}", i.san, i.issuer)
            })?;
            ck.step("policy", check_policy(&identity, policy), |()| {
                "Verified the signer against the policy".into()
            })?;
            Signer::Certificate {
                identity,
                authority,
            }
        }
        Signing::Key(k) => {
            if let Some(w) = k.valid_for {
                if let Some(t) = times.iter().find(|t| !w.contains(**t)) {
                    return Err(ck.fail(
                        "key.validity",
                        VerifyError::OutsideValidity {
                            what: "signing key",
                            time: t.to_string(),
                        },
                    ));
                }
            }
            Signer::Key {
                label: k.label.clone(),
            }
        }
    };
    Ok(BundleOutcome {
        version: format!("{:?}", bundle.version),
        signer,
        signed_at: times.iter().map(Millis::to_string).collect(),
        log_entries: entries.into_iter().map(|e| (e.log, e.log_index)).collect(),
        timestamps,
        time_witness,
        statement,
        trusted_root: trust.root.label(),
        checks: Vec::new(),
    })
}

fn signer(
    material: &Material,
    trust: &SigstoreTrust,
    policy: &Policy,
) -> Result<Signing, VerifyError> {
    match material {
        Material::PublicKey { hint } => {
            if !policy.key_only() {
                return Err(VerifyError::UnsupportedFormat {
                    reason: "a keyed bundle needs a policy trusting a supplied key",
                });
            }
            let hinted = |k: &&TrustedKey| {
                hint.is_empty()
                    || b64::decode_dsse(hint, "key hint").ok().as_deref()
                        == Some(Sha256::digest(&k.spki).as_slice())
                    || *hint == k.label
            };
            let found: Vec<&TrustedKey> = trust.keys.iter().filter(hinted).collect();
            match found.as_slice() {
                [k] => Ok(Signing::Key(Box::new((*k).clone()))),
                [] if trust.keys.len() == 1 => Ok(Signing::Key(Box::new(trust.keys[0].clone()))),
                [] => Err(VerifyError::KeyNotFound {
                    kid: hint.clone(),
                    issuer: "supplied keys".into(),
                }),
                _ => Err(VerifyError::AmbiguousKey { kid: hint.clone() }),
            }
        }
        _ => {
            if policy.key_only() {
                return Err(VerifyError::UnsupportedFormat {
                    reason: "the policy trusts a supplied key, and this bundle is signed by a certificate",
                });
            }
            let der = material.leaf().ok_or(VerifyError::CertificateInvalid {
                reason: "no signing certificate",
            })?;
            // Only the leaf is used; a root offered with it is refused outright, never an anchor
            // (signers must not include roots: protobuf-specs; conformance bundle-with-root-cert).
            if let Material::Chain(chain) = material {
                for extra in chain.iter().skip(1) {
                    let c = Cert::parse(extra)?;
                    if c.issuer == c.subject {
                        return Err(VerifyError::CertificateInvalid {
                            reason: "the bundle's chain includes a root certificate",
                        });
                    }
                }
            }
            let leaf = Cert::parse(der)?;
            leaf.check_leaf(CODE_SIGNING, false)?;
            Ok(Signing::Leaf(Box::new(leaf)))
        }
    }
}

/// What a verified signature is about: the artifact's digest (message signatures) or the
/// statement (DSSE).
type Signed = (Option<(HashAlg, Vec<u8>)>, Option<Statement>);

/// The digest the key's scheme signs for a message, and whether `digest` (from the bundle)
/// agrees with the artifact.
fn content_signature(
    content: &Content,
    artifact: Artifact<'_>,
    key: &PublicKey,
    sigs: &Signatures<'_>,
) -> Result<Signed, VerifyError> {
    let schemes = schemes_for(key);
    match content {
        Content::MessageSignature { digest, signature } => {
            // The digest the log and the bundle name: SHA-256 unless the bundle says otherwise.
            let alg = digest.as_ref().map_or(HashAlg::Sha256, |(a, _)| *a);
            let Some(artifact_digest) = artifact.digest(alg) else {
                return Err(VerifyError::DigestMismatch {
                    expected: format!("a {} digest (the bundle's)", alg.name()),
                    actual: "a digest with another algorithm".into(),
                });
            };
            if let Some((_, d)) = digest {
                if *d != artifact_digest {
                    return Err(VerifyError::DigestMismatch {
                        expected: hex::encode(d),
                        actual: hex::encode(&artifact_digest),
                    });
                }
            }
            let bytes = match artifact {
                Artifact::Bytes(b) => Some(b),
                Artifact::Digest(..) | Artifact::Hashed(_) => None,
            };
            if bytes.is_none() && schemes == [Scheme::Ed25519] {
                return Err(VerifyError::UnsupportedFormat {
                    reason: "an Ed25519 message signature signs the artifact's bytes, not a digest",
                });
            }
            let ok = schemes.iter().any(|s| match (bytes, *s) {
                (Some(b), s) => sigs.verify(key, s, b, signature),
                (None, Scheme::Ed25519) => false,
                // Only a digest: the scheme must use the digest's algorithm.
                (None, Scheme::Ecdsa(h) | Scheme::RsaPkcs1(h) | Scheme::RsaPss(h)) if h != alg => {
                    false
                }
                (None, s) => sigs.verify_digest(key, s, &artifact_digest, signature),
            });
            if !ok {
                return Err(VerifyError::SignatureInvalid {
                    what: "the signature over the artifact",
                });
            }
            Ok((Some((alg, artifact_digest)), None))
        }
        Content::Dsse {
            payload_type,
            payload,
            signature,
        } => {
            if payload_type != IN_TOTO_PAYLOAD_TYPE {
                return Err(VerifyError::UnsupportedFormat {
                    reason: "DSSE payload type is not in-toto",
                });
            }
            let signed = pae(payload_type.as_bytes(), payload);
            if !schemes
                .iter()
                .any(|s| sigs.verify(key, *s, &signed, signature))
            {
                return Err(VerifyError::SignatureInvalid {
                    what: "the DSSE signature",
                });
            }
            let statement = Statement::parse(payload)?;
            // The subject names the artifact with sha256, or sha512 (npm provenance).
            let named = |alg: HashAlg, d: &[u8]| {
                let h = hex::encode(d);
                match alg {
                    HashAlg::Sha256 => statement.subject_with_sha256(&h).is_some(),
                    a => subject_digest_named(payload, a.name(), &h),
                }
            };
            let (name, want) = match artifact {
                Artifact::Digest(a, d) => (hex::encode(d), named(a, d)),
                whole => {
                    let sha256 = whole.digest(HashAlg::Sha256).unwrap_or_default();
                    let sha512 = whole.digest(HashAlg::Sha512).unwrap_or_default();
                    let want = named(HashAlg::Sha256, &sha256) || named(HashAlg::Sha512, &sha512);
                    (hex::encode(&sha256), want)
                }
            };
            if !want {
                return Err(VerifyError::SubjectMismatch {
                    expected: name,
                    found: statement.named_digests(),
                });
            }
            Ok((None, Some(statement)))
        }
    }
}

/// Whether a statement's subjects name `hex` under digest algorithm `alg` (read in place).
fn subject_digest_named(statement: &[u8], alg: &str, hex: &str) -> bool {
    let Ok(text) = core::str::from_utf8(statement) else {
        return false;
    };
    let Ok(raw) = serde_json::from_str::<&serde_json::value::RawValue>(text) else {
        return false;
    };
    crate::json::raw::pointer(raw, &["subject"]).is_some_and(|subjects| {
        crate::json::raw::any_element(subjects, |s| {
            crate::json::raw::pointer(s, &["digest", alg])
                .and_then(crate::json::raw::string)
                .is_some_and(|d| d == hex)
        })
    })
}

/// The leaf chains to some trusted authority at every verified time; its SCTs verify (when the
/// root has CT logs). Returns the authority's name.
fn chain_at_every_time(
    leaf: &Cert,
    root: &TrustedRoot,
    times: &[Millis],
    sigs: &Signatures<'_>,
) -> Result<String, VerifyError> {
    let authorities: Vec<ParsedAuthority<'_>> = root
        .certificate_authorities
        .iter()
        .filter(|a| !a.chain.is_empty())
        .map(ParsedAuthority::parse)
        .collect::<Result<_, _>>()?;
    let mut name = String::new();
    let mut sct_issuer: Option<Cert> = None;
    for t in times {
        let mut last = VerifyError::ChainInvalid {
            reason: "no trusted certificate authority",
        };
        let mut ok = false;
        for a in &authorities {
            match chain::verify_at(leaf, a, *t, CODE_SIGNING, sigs) {
                Ok(issuer) => {
                    name = a.authority.uri.clone();
                    sct_issuer.get_or_insert_with(|| issuer.clone());
                    ok = true;
                    break;
                }
                Err(e) => last = e,
            }
        }
        if !ok {
            return Err(last);
        }
    }
    if !root.ctlogs.is_empty() {
        let issuer = sct_issuer.ok_or(VerifyError::ChainInvalid {
            reason: "no issuer for the SCTs",
        })?;
        sct::verify(leaf, &issuer, &root.ctlogs, sigs)?;
    }
    Ok(name)
}

/// The identity policy: the issuer allowed; the SAN rule; each claim rule against the
/// certificate's extensions.
fn check_policy(identity: &Identity, policy: &Policy) -> Result<(), VerifyError> {
    if !policy.issuers().contains(&identity.issuer) {
        return Err(VerifyError::IssuerNotAllowed {
            issuer: identity.issuer.clone(),
        });
    }
    if let Some(rule) = policy.certificate_identity() {
        if !rule.matches(&identity.san) {
            return Err(VerifyError::PolicyViolation {
                rule: "certificate identity",
                expected: match rule {
                    crate::policy::SanRule::Exact(e) => e.clone(),
                    crate::policy::SanRule::Prefix(p) => format!("{p}…"),
                },
                actual: identity.san.clone(),
            });
        }
    }
    for r in policy.rules() {
        let actual = identity.claim(r.claim).unwrap_or_default();
        if actual.is_empty() || actual != r.expected {
            return Err(VerifyError::PolicyViolation {
                rule: r.claim,
                expected: r.expected.clone(),
                actual: actual.to_owned(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::{Signer as _, SigningKey};

    use super::super::artifact::ArtifactHasher;
    use super::*;

    /// Ed25519 signs the message itself: with only a digest (given, or hashed from a large
    /// file) the signature cannot be checked, and the error says so rather than "invalid".
    #[test]
    fn ed25519_message_signatures_need_the_bytes() {
        let signer = SigningKey::from_bytes(&[7; 32]);
        let key = PublicKey::Ed25519(signer.verifying_key());
        let artifact = b"the artifact";
        let content = Content::MessageSignature {
            digest: None,
            signature: signer.sign(artifact).to_bytes().to_vec(),
        };
        assert!(content_signature(
            &content,
            Artifact::Bytes(artifact),
            &key,
            &Signatures::native()
        )
        .is_ok());
        assert_eq!(
            content_signature(
                &content,
                Artifact::Bytes(b"another"),
                &key,
                &Signatures::native()
            )
            .unwrap_err(),
            VerifyError::SignatureInvalid {
                what: "the signature over the artifact"
            }
        );
        let mut hasher = ArtifactHasher::new();
        hasher.update(artifact);
        let digests = hasher.finish();
        let sha256 = HashAlg::Sha256.digest(artifact);
        for only_digest in [
            Artifact::Hashed(&digests),
            Artifact::Digest(HashAlg::Sha256, &sha256),
        ] {
            assert_eq!(
                content_signature(&content, only_digest, &key, &Signatures::native()).unwrap_err(),
                VerifyError::UnsupportedFormat {
                    reason: "an Ed25519 message signature signs the artifact's bytes, not a digest"
                }
            );
        }
    }
}
