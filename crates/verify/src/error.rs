//! [`VerifyError`]: every way verification can fail, each with a stable snake_case code.
//!
//! Variants are named for the failure and carry typed context, never free text, so tests can
//! assert the exact variant and callers (CLI, web page, JS API) can show `code: message`.

use crate::limits::Limit;

/// Why an input was rejected. Stable codes come from [`VerifyError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The bytes are not one well-formed JSON value (syntax, trailing data, bad UTF-8, depth).
    #[error("malformed JSON in {what}")]
    MalformedJson {
        /// Which object was being parsed.
        what: &'static str,
    },
    /// A JSON object repeats a key; accepting it would let two parsers see different values.
    #[error("duplicate JSON key {key:?} in {what}")]
    DuplicateKey {
        /// Which object was being parsed.
        what: &'static str,
        /// The repeated key.
        key: String,
    },
    /// A field has the wrong JSON type or an invalid value.
    #[error("invalid field {field:?} in {what}")]
    InvalidField {
        /// Which object was being parsed.
        what: &'static str,
        /// The offending field.
        field: &'static str,
    },
    /// An object has a member its format does not define (a typo or a bit flip in a member name
    /// must not turn a required check into a skipped one).
    #[error("unknown member {member:?} in {what}")]
    UnknownMember {
        /// Which object was being parsed.
        what: &'static str,
        /// The member name.
        member: String,
    },
    /// A required field is absent.
    #[error("missing field {field:?} in {what}")]
    MissingField {
        /// Which object was being parsed.
        what: &'static str,
        /// The absent field.
        field: &'static str,
    },
    /// Base64 that is not in the strict form required at that place.
    #[error("bad base64 in {what}")]
    BadBase64 {
        /// Which value was being decoded.
        what: &'static str,
    },
    /// A JWS that is not `header.payload.signature` with non-empty parts.
    #[error("malformed JWS: {reason}")]
    MalformedJws {
        /// What is wrong with its shape.
        reason: &'static str,
    },
    /// An algorithm outside the allow-list (`none`, HMAC, PS256, …) or not valid at that place.
    #[error("unsupported algorithm {alg:?} in {what}")]
    UnsupportedAlg {
        /// Where the algorithm was named.
        what: &'static str,
        /// The algorithm as given (empty when missing or not a string).
        alg: String,
    },
    /// A JOSE header carries `crit` (or `b64`), which this verifier does not implement.
    #[error("unsupported critical header parameter in {what}")]
    UnsupportedCritical {
        /// Which header.
        what: &'static str,
    },
    /// The token or envelope is not in any format this verifier knows.
    #[error("unsupported format: {reason}")]
    UnsupportedFormat {
        /// Why it was not recognised.
        reason: &'static str,
    },
    /// No trusted key of the issuer has the token's `kid`.
    #[error("no trusted key {kid:?} for issuer {issuer:?}")]
    KeyNotFound {
        /// The issuer whose keys were searched.
        issuer: String,
        /// The key id the token names.
        kid: String,
    },
    /// Two trusted keys share a `kid` but differ.
    #[error("ambiguous key id {kid:?}: several different keys share it")]
    AmbiguousKey {
        /// The shared key id.
        kid: String,
    },
    /// A key is too small, too large, has a forbidden exponent, or is not a valid curve point.
    #[error("weak or invalid key: {reason}")]
    WeakKey {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The JOSE header's algorithm does not match the key's type, curve or `alg`.
    #[error("algorithm {alg:?} does not match the key")]
    KeyAlgMismatch {
        /// The header's algorithm.
        alg: String,
    },
    /// The OpenID provider's signature (RS256 or its GQ proof) does not verify.
    #[error("OIDC provider signature invalid ({scheme})")]
    OpSignatureInvalid {
        /// `RS256` or `GQ`.
        scheme: &'static str,
    },
    /// The CIC signature by the ephemeral key `upk` does not verify.
    #[error("client-instance (CIC) signature invalid")]
    CicSignatureInvalid,
    /// The ID token's `aud`/`nonce` is not the SHA3-256 commitment to the CIC header.
    #[error("commitment mismatch: {claim} is not the SHA3-256 hash of the CIC header")]
    CommitmentMismatch {
        /// The claim that should hold the commitment (`aud` or `nonce`).
        claim: &'static str,
    },
    /// The CIC `att` claim is absent or is not the SHA-256 of the DSSE PAE.
    #[error("att mismatch: {reason}")]
    AttMismatch {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// No statement subject carries the expected digest.
    #[error("attestation does not refer to digest {expected}: it names {found}")]
    SubjectMismatch {
        /// The digest that was required.
        expected: String,
        /// What it names instead (at most three digests, as `sha256:<hex>`), for the reader.
        found: String,
    },
    /// The subject with the expected digest does not carry the expected name (purl/tag).
    #[error("attestation does not refer to {expected}")]
    SubjectNameMismatch {
        /// The (unescaped) name that was required.
        expected: String,
    },
    /// Fetched bytes do not hash to the digest (or have another size than) the descriptor says.
    #[error("digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        /// The descriptor's digest (and size).
        expected: String,
        /// What the bytes hash to (and their size).
        actual: String,
    },
    /// The token's issuer is not in the policy's allow-list.
    #[error("issuer {issuer:?} is not allowed by the policy")]
    IssuerNotAllowed {
        /// The issuer found.
        issuer: String,
    },
    /// An identity or provenance rule of the policy does not hold.
    #[error("policy violation: {rule}: expected {expected:?}, got {actual:?}")]
    PolicyViolation {
        /// Which rule.
        rule: &'static str,
        /// What the policy requires.
        expected: String,
        /// What the verified data says.
        actual: String,
    },
    /// A predicate type the policy requires has no verified attestation.
    #[error("missing required attestation {predicate_type}")]
    MissingAttestation {
        /// The missing predicate type.
        predicate_type: String,
    },
    /// The token was issued outside its key's known window, or is older than the policy allows.
    #[error("token time {iat} outside the accepted window: {reason}")]
    TimeWindow {
        /// The token's `iat`.
        iat: i64,
        /// Which window.
        reason: &'static str,
    },
    /// A size or count limit was exceeded before any expensive work was done.
    #[error("limit exceeded: {limit}")]
    LimitExceeded {
        /// Which limit.
        limit: Limit,
    },
    /// A Sigstore trusted root is malformed.
    #[error("trusted root invalid: {reason}")]
    TrustedRootInvalid {
        /// Why.
        reason: &'static str,
    },
    /// A Sigstore bundle's media type names a version this verifier does not know.
    #[error("unsupported Sigstore bundle media type {media_type:?}")]
    BundleVersion {
        /// The media type, as given (truncated to 100 characters).
        media_type: String,
    },
    /// A certificate is malformed or breaks its profile (key usage, extended key usage, CA
    /// flag, an unhandled critical extension).
    #[error("certificate invalid: {reason}")]
    CertificateInvalid {
        /// Why.
        reason: &'static str,
    },
    /// No path from the signing certificate to a trusted authority valid at a verified time.
    #[error("certificate chain invalid: {reason}")]
    ChainInvalid {
        /// Why the last candidate failed.
        reason: &'static str,
    },
    /// A signed certificate timestamp is missing, from no trusted CT log, or does not verify.
    #[error("signed certificate timestamp invalid: {reason}")]
    SctInvalid {
        /// Why.
        reason: &'static str,
    },
    /// A transparency-log entry is unusable: unknown log, malformed body, kind mismatch.
    #[error("transparency log entry invalid: {reason}")]
    TlogEntryInvalid {
        /// Why.
        reason: &'static str,
    },
    /// A Rekor signed entry timestamp does not verify.
    #[error("signed entry timestamp (SET) invalid")]
    SetInvalid,
    /// A Merkle inclusion proof does not lead to the checkpoint's root.
    #[error("inclusion proof invalid: {reason}")]
    InclusionProofInvalid {
        /// Why.
        reason: &'static str,
    },
    /// A log checkpoint (signed note) is malformed or not signed by the log.
    #[error("checkpoint invalid: {reason}")]
    CheckpointInvalid {
        /// Why.
        reason: &'static str,
    },
    /// A transparency-log entry's body describes another artifact, signature or key.
    #[error("transparency log entry does not match what was signed: {field}")]
    TlogBodyMismatch {
        /// Which field differs.
        field: &'static str,
    },
    /// An RFC 3161 timestamp is malformed, from no trusted authority, or does not verify.
    #[error("timestamp invalid: {reason}")]
    TimestampInvalid {
        /// Why.
        reason: &'static str,
    },
    /// No verified time (transparency-log SET or RFC 3161 timestamp) establishes when the
    /// signature was made.
    #[error("no verified signing time: {reason}")]
    NoVerifiedTime {
        /// What was missing.
        reason: &'static str,
    },
    /// A verified time is outside a validity window (certificate, CA, log key, TSA).
    #[error("{what} not valid at {time}")]
    OutsideValidity {
        /// Whose window.
        what: &'static str,
        /// The verified time (RFC 3339).
        time: String,
    },
    /// The bundle's signature over the artifact or DSSE envelope does not verify.
    #[error("signature invalid: {what}")]
    SignatureInvalid {
        /// Which signature.
        what: &'static str,
    },
    /// An OpenPubkey Ext envelope's logged certificate is not bound to its PK token: another
    /// token in its SubjectKeyId, or another key than the token's ephemeral key.
    #[error("the logged certificate does not bind this PK token: {field}")]
    ExtCertificateMismatch {
        /// What differs.
        field: &'static str,
    },
}

impl VerifyError {
    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MalformedJson { .. } => "malformed_json",
            Self::DuplicateKey { .. } => "duplicate_key",
            Self::InvalidField { .. } => "invalid_field",
            Self::UnknownMember { .. } => "unknown_member",
            Self::MissingField { .. } => "missing_field",
            Self::BadBase64 { .. } => "bad_base64",
            Self::MalformedJws { .. } => "malformed_jws",
            Self::UnsupportedAlg { .. } => "unsupported_alg",
            Self::UnsupportedCritical { .. } => "unsupported_critical",
            Self::UnsupportedFormat { .. } => "unsupported_format",
            Self::KeyNotFound { .. } => "key_not_found",
            Self::AmbiguousKey { .. } => "ambiguous_key",
            Self::WeakKey { .. } => "weak_key",
            Self::KeyAlgMismatch { .. } => "key_alg_mismatch",
            Self::OpSignatureInvalid { .. } => "op_signature_invalid",
            Self::CicSignatureInvalid => "cic_signature_invalid",
            Self::CommitmentMismatch { .. } => "commitment_mismatch",
            Self::AttMismatch { .. } => "att_mismatch",
            Self::SubjectMismatch { .. } => "subject_mismatch",
            Self::SubjectNameMismatch { .. } => "subject_name_mismatch",
            Self::DigestMismatch { .. } => "digest_mismatch",
            Self::IssuerNotAllowed { .. } => "issuer_not_allowed",
            Self::PolicyViolation { .. } => "policy_violation",
            Self::MissingAttestation { .. } => "missing_attestation",
            Self::TimeWindow { .. } => "time_window",
            Self::LimitExceeded { .. } => "limit_exceeded",
            Self::TrustedRootInvalid { .. } => "trusted_root_invalid",
            Self::BundleVersion { .. } => "unsupported_bundle_version",
            Self::CertificateInvalid { .. } => "certificate_invalid",
            Self::ChainInvalid { .. } => "certificate_chain_invalid",
            Self::SctInvalid { .. } => "sct_invalid",
            Self::TlogEntryInvalid { .. } => "tlog_entry_invalid",
            Self::SetInvalid => "set_invalid",
            Self::InclusionProofInvalid { .. } => "inclusion_proof_invalid",
            Self::CheckpointInvalid { .. } => "checkpoint_invalid",
            Self::TlogBodyMismatch { .. } => "tlog_body_mismatch",
            Self::TimestampInvalid { .. } => "timestamp_invalid",
            Self::NoVerifiedTime { .. } => "no_verified_time",
            Self::OutsideValidity { .. } => "outside_validity",
            Self::SignatureInvalid { .. } => "signature_invalid",
            Self::ExtCertificateMismatch { .. } => "ext_certificate_mismatch",
        }
    }
}
