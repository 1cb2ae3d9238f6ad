//! Every size and count cap, each checked before the work it bounds (security.md §4).

use core::fmt;

/// Largest DSSE envelope accepted (an attestation layer; cosign allows 128 MiB, too much for a tab).
pub const MAX_ENVELOPE_BYTES: usize = 16 * 1024 * 1024;
/// Largest PK token (JSON or compact) accepted; real ones are about 8 KiB.
pub const MAX_PK_TOKEN_BYTES: usize = 64 * 1024;
/// Largest JWKS document accepted.
pub const MAX_JWKS_BYTES: usize = 64 * 1024;
/// Most keys in one JWKS.
pub const MAX_JWKS_KEYS: usize = 32;
/// Most signatures in a PK token (OP, CIC, COS).
pub const MAX_PK_TOKEN_SIGNATURES: usize = 3;
/// Most `:`-separated segments in a compact PK token.
pub const MAX_COMPACT_SEGMENTS: usize = 7;
/// Most signatures in a DSSE envelope.
pub const MAX_DSSE_SIGNATURES: usize = 16;
/// Most subjects in an in-toto statement.
pub const MAX_SUBJECTS: usize = 1024;
/// Most digests per subject.
pub const MAX_DIGESTS_PER_SUBJECT: usize = 32;
/// Largest manifest or index (containers/image and distribution cap them at 4 MiB).
pub const MAX_MANIFEST_BYTES: usize = 4 * 1024 * 1024;
/// Most descriptors in an index or layers in a manifest.
pub const MAX_DESCRIPTORS: usize = 1000;
/// Most attestation manifests for one image.
pub const MAX_ATTESTATION_MANIFESTS: usize = 100;
/// RSA modulus bounds in bits (RS256 floor 2048; 4096 keeps every modexp cheap).
pub const RSA_MIN_BITS: u32 = 2048;
/// See [`RSA_MIN_BITS`].
pub const RSA_MAX_BITS: u32 = 4096;

/// Largest token-endpoint response (ggcr `maxTokenBodySize`).
pub const MAX_TOKEN_RESPONSE_BYTES: usize = 64 * 1024;
/// Most referrers-API pages followed through `Link` headers.
pub const MAX_REFERRERS_PAGES: usize = 10;
/// Most HTTP redirects followed for one request.
pub const MAX_REDIRECTS: usize = 5;
/// Most layers (statements) in one attestation manifest.
pub const MAX_ATTESTATION_LAYERS: usize = 100;

/// Largest in-toto statement a signer reads (`opk sign --provenance/--sbom`): its base64 must fit
/// a [`MAX_ENVELOPE_BYTES`] envelope beside the signature.
pub const MAX_STATEMENT_BYTES: usize = 12 * 1024 * 1024 - 64 * 1024;
/// Largest claims file (`opk dev-op --claims`): the claims become an ID token inside a PK token.
pub const MAX_CLAIMS_BYTES: usize = 64 * 1024;
/// Largest key file (`opk dev-op --key`: a private RSA JWK).
pub const MAX_KEY_FILE_BYTES: usize = 64 * 1024;

/// Most keys of the JSON objects open at one moment while a large document (an envelope, a
/// statement) is checked: what its duplicate-key check holds (a hash each). A million-key object
/// is refused here instead of costing 17 times its size as a tree.
pub const MAX_OPEN_OBJECT_MEMBERS: usize = 100_000;

/// Most annotations in one manifest or index, over all its descriptors: they are kept (as
/// strings), so their number bounds the memory a 4 MiB document of tiny annotations costs
/// (BuildKit writes two or three per entry).
pub const MAX_ANNOTATIONS: usize = 4096;

/// Largest Sigstore trusted root (the public-good one is 7 KiB).
pub const MAX_TRUSTED_ROOT_BYTES: usize = 1024 * 1024;
/// Most entries in each list of a trusted root (logs, authorities).
pub const MAX_ROOT_ENTRIES: usize = 64;
/// Most certificates in a chain (a trusted root's, a bundle's, a timestamp's).
pub const MAX_CHAIN_CERTIFICATES: usize = 10;
/// Largest Sigstore bundle (its DSSE envelope inside is bounded by the envelope limit).
pub const MAX_BUNDLE_BYTES: usize = MAX_ENVELOPE_BYTES + 1024 * 1024;
/// Most transparency-log entries and most timestamps in a bundle (sigstore-go's bound).
pub const MAX_BUNDLE_ENTRIES: usize = 32;
/// Most hashes in a Merkle inclusion proof (a tree of 2^64 leaves needs 64).
pub const MAX_PROOF_HASHES: usize = 64;
/// Largest checkpoint (signed note) text.
pub const MAX_CHECKPOINT_BYTES: usize = 16 * 1024;
/// Signatures (Sigstore bundles, cosign signatures and attestations, Notation signatures) kept
/// per subject: beyond it, a registry listing more is refused rather than fetched.
pub const MAX_SIGNATURES: usize = 32;
/// Most tags in one page of a repository's tag list (the page asks for 100 at a time; a
/// registry answering with more is refused, not read).
pub const MAX_TAGS_PER_PAGE: usize = 1000;

/// A named limit, reported by [`crate::VerifyError::LimitExceeded`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// [`MAX_ENVELOPE_BYTES`].
    EnvelopeBytes,
    /// [`MAX_PK_TOKEN_BYTES`].
    PkTokenBytes,
    /// [`MAX_JWKS_BYTES`].
    JwksBytes,
    /// [`MAX_JWKS_KEYS`].
    JwksKeys,
    /// [`MAX_PK_TOKEN_SIGNATURES`].
    PkTokenSignatures,
    /// [`MAX_COMPACT_SEGMENTS`].
    CompactSegments,
    /// [`MAX_DSSE_SIGNATURES`].
    DsseSignatures,
    /// [`MAX_SUBJECTS`].
    Subjects,
    /// [`MAX_DIGESTS_PER_SUBJECT`].
    DigestsPerSubject,
    /// [`MAX_MANIFEST_BYTES`].
    ManifestBytes,
    /// [`MAX_DESCRIPTORS`].
    Descriptors,
    /// [`MAX_ATTESTATION_MANIFESTS`].
    AttestationManifests,
    /// [`MAX_TOKEN_RESPONSE_BYTES`].
    TokenResponseBytes,
    /// [`MAX_REFERRERS_PAGES`].
    ReferrersPages,
    /// [`MAX_REDIRECTS`].
    Redirects,
    /// [`MAX_ATTESTATION_LAYERS`].
    AttestationLayers,
    /// [`MAX_STATEMENT_BYTES`].
    StatementBytes,
    /// [`MAX_CLAIMS_BYTES`].
    ClaimsBytes,
    /// [`MAX_KEY_FILE_BYTES`].
    KeyFileBytes,
    /// [`MAX_OPEN_OBJECT_MEMBERS`].
    OpenObjectMembers,
    /// [`MAX_ANNOTATIONS`].
    Annotations,
    /// [`MAX_TRUSTED_ROOT_BYTES`].
    TrustedRootBytes,
    /// [`MAX_ROOT_ENTRIES`].
    RootEntries,
    /// [`MAX_CHAIN_CERTIFICATES`].
    ChainCertificates,
    /// [`MAX_BUNDLE_BYTES`].
    BundleBytes,
    /// [`MAX_BUNDLE_ENTRIES`].
    BundleEntries,
    /// [`MAX_PROOF_HASHES`].
    ProofHashes,
    /// [`MAX_CHECKPOINT_BYTES`].
    CheckpointBytes,
    /// [`MAX_SIGNATURES`].
    Signatures,
    /// [`MAX_TAGS_PER_PAGE`].
    TagsPerPage,
}

impl Limit {
    /// The bound itself: the most bytes, items or steps allowed.
    pub fn max(self) -> usize {
        self.describe().1
    }

    fn describe(self) -> (&'static str, usize) {
        match self {
            Self::EnvelopeBytes => ("DSSE envelope bytes", MAX_ENVELOPE_BYTES),
            Self::PkTokenBytes => ("PK token bytes", MAX_PK_TOKEN_BYTES),
            Self::JwksBytes => ("JWKS bytes", MAX_JWKS_BYTES),
            Self::JwksKeys => ("keys per JWKS", MAX_JWKS_KEYS),
            Self::PkTokenSignatures => ("PK token signatures", MAX_PK_TOKEN_SIGNATURES),
            Self::CompactSegments => ("compact PK token segments", MAX_COMPACT_SEGMENTS),
            Self::DsseSignatures => ("DSSE signatures", MAX_DSSE_SIGNATURES),
            Self::Subjects => ("statement subjects", MAX_SUBJECTS),
            Self::DigestsPerSubject => ("digests per subject", MAX_DIGESTS_PER_SUBJECT),
            Self::ManifestBytes => ("manifest bytes", MAX_MANIFEST_BYTES),
            Self::Descriptors => ("descriptors per manifest or index", MAX_DESCRIPTORS),
            Self::AttestationManifests => {
                ("attestation manifests per image", MAX_ATTESTATION_MANIFESTS)
            }
            Self::TokenResponseBytes => ("token response bytes", MAX_TOKEN_RESPONSE_BYTES),
            Self::ReferrersPages => ("referrers pages", MAX_REFERRERS_PAGES),
            Self::Redirects => ("redirects", MAX_REDIRECTS),
            Self::AttestationLayers => ("layers per attestation manifest", MAX_ATTESTATION_LAYERS),
            Self::StatementBytes => ("in-toto statement bytes", MAX_STATEMENT_BYTES),
            Self::ClaimsBytes => ("claims file bytes", MAX_CLAIMS_BYTES),
            Self::KeyFileBytes => ("key file bytes", MAX_KEY_FILE_BYTES),
            Self::OpenObjectMembers => ("keys of open JSON objects", MAX_OPEN_OBJECT_MEMBERS),
            Self::Annotations => ("annotations per manifest or index", MAX_ANNOTATIONS),
            Self::TrustedRootBytes => ("trusted root bytes", MAX_TRUSTED_ROOT_BYTES),
            Self::RootEntries => ("entries per trusted root list", MAX_ROOT_ENTRIES),
            Self::ChainCertificates => ("certificates per chain", MAX_CHAIN_CERTIFICATES),
            Self::BundleBytes => ("Sigstore bundle bytes", MAX_BUNDLE_BYTES),
            Self::BundleEntries => ("log entries or timestamps per bundle", MAX_BUNDLE_ENTRIES),
            Self::ProofHashes => ("inclusion proof hashes", MAX_PROOF_HASHES),
            Self::CheckpointBytes => ("checkpoint bytes", MAX_CHECKPOINT_BYTES),
            Self::Signatures => ("signatures per subject", MAX_SIGNATURES),
            Self::TagsPerPage => ("tags per tag-list page", MAX_TAGS_PER_PAGE),
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, max) = self.describe();
        write!(f, "{what} (max {max})")
    }
}

/// Fails with [`crate::VerifyError::LimitExceeded`] when `len > max`.
pub fn check(len: usize, max: usize, limit: Limit) -> Result<(), crate::VerifyError> {
    if len > max {
        Err(crate::VerifyError::LimitExceeded { limit })
    } else {
        Ok(())
    }
}
