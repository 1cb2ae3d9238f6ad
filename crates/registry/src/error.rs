//! Errors from fetching: each has a stable code, shared with opk-verify's codes where the cause
//! is the same (`digest_mismatch`, `limit_exceeded`, `missing_attestation`, …).

use opk_verify::VerifyError;

use crate::ReferenceError;

/// Why a fetch or a discovery step failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The image reference is malformed.
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    /// Content failed a check of the core (digest, size, limits, JSON, verification).
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// The proxy setting is not a usable URL or template.
    #[error("invalid proxy {proxy:?}: {reason}")]
    InvalidProxy {
        /// What was given.
        proxy: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The request did not complete (connection, TLS, timeout, CORS refusal in a browser).
    #[error("network error for {url}: {message}")]
    Network {
        /// The URL as sent (through the proxy when one is set).
        url: String,
        /// The transport's description.
        message: String,
    },
    /// The registry answered with an unexpected HTTP status.
    #[error("{url}: HTTP {status}{}", if detail.is_empty() { String::new() } else { format!(": {detail}") })]
    Http {
        /// The registry URL.
        url: String,
        /// The status code.
        status: u16,
        /// A short excerpt of the error body, if any.
        detail: String,
    },
    /// The registry asked for credentials and the token flow failed or was refused.
    #[error("authentication failed for {url}: {reason}")]
    Auth {
        /// The URL that asked for authentication.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The registry broke the distribution protocol (a missing header, a wrong media type).
    #[error("registry protocol error at {url}: {reason}")]
    Protocol {
        /// The URL.
        url: String,
        /// What was wrong.
        reason: String,
    },
    /// The index names no attestation manifest for this image. That is what an unsigned image
    /// looks like — and also what a registry or proxy that hides attestations looks like.
    #[error("no attestation found for image {image} (the image is unsigned, or the registry or proxy is withholding its attestations)")]
    AttestationNotFound {
        /// The platform image manifest digest.
        image: String,
    },
    /// The index lists an attestation manifest but it could not be fetched: withheld, never
    /// evidence that the image is unsigned.
    #[error("attestation manifest {digest} for image {image} is listed in the index but was withheld ({reason}); this is not evidence that the image is unsigned")]
    AttestationWithheld {
        /// The platform image manifest digest.
        image: String,
        /// The attestation manifest digest.
        digest: String,
        /// What the fetch returned.
        reason: String,
    },
    /// A signature listed for a subject (a referrer) could not be fetched: withheld, never
    /// evidence that the image is unsigned.
    #[error("signature manifest {digest} of {subject} is listed in {found} but was withheld ({reason}); this is not evidence that the image is unsigned")]
    SignatureWithheld {
        /// The subject's digest (the image, or its attestation manifest).
        subject: String,
        /// The signature manifest's digest.
        digest: String,
        /// Where it was listed.
        found: &'static str,
        /// What the fetch returned.
        reason: String,
    },
    /// A signature was found that the page could not check: the module holding its verifier
    /// (the web app fetches the Sigstore verifier on first use) did not load. Nothing was
    /// decided about the image.
    #[error("the signatures of image {image} were not checked: the Sigstore verifier (a second module of this page) did not load")]
    VerifierNotLoaded {
        /// The platform image manifest digest.
        image: String,
    },
    /// The attestation manifest holds only unsigned in-toto statements (no DSSE layer).
    #[error("the attestations of image {image} are not signed (only application/vnd.in-toto+json layers)")]
    Unsigned {
        /// The platform image manifest digest.
        image: String,
    },
    /// The caller stopped a streamed download.
    #[error("cancelled")]
    Cancelled,
    /// The index has no image for the requested platform.
    #[error("no image found for platform {platform} (available: {available})")]
    PlatformNotFound {
        /// The requested platform.
        platform: String,
        /// What the index has.
        available: String,
    },
}

impl RegistryError {
    /// The stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Reference(e) => e.code(),
            Self::Verify(e) => e.code(),
            Self::InvalidProxy { .. } => "invalid_proxy",
            Self::Network { .. } => "network_error",
            Self::Http { status: 404, .. } => "not_found",
            Self::Http { .. } => "http_error",
            Self::Auth { .. } => "auth_failed",
            Self::Protocol { .. } => "registry_protocol",
            Self::AttestationNotFound { .. } | Self::AttestationWithheld { .. } => {
                "missing_attestation"
            }
            Self::SignatureWithheld { .. } => "signature_withheld",
            Self::Unsigned { .. } => "unsigned",
            Self::VerifierNotLoaded { .. } => "verifier_not_loaded",
            Self::PlatformNotFound { .. } => "platform_not_found",
            Self::Cancelled => "cancelled",
        }
    }

    /// True when the cause is reaching the registry at all (the CLI exits 2, not 1).
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            Self::Network { .. } | Self::Auth { .. } | Self::InvalidProxy { .. }
        )
    }
}

impl From<opk_verify::limits::Limit> for RegistryError {
    fn from(limit: opk_verify::limits::Limit) -> Self {
        Self::Verify(VerifyError::LimitExceeded { limit })
    }
}
