//! What became of each attestation and signature, typed — which scheme signed it, whether it
//! verified — and the state of a whole verdict. Every front end renders these; none derives a
//! verdict from error-code strings.

use opk_registry::RegistryError;
use opk_verify::sigstore::{BundleOutcome, SignedManifest};
use opk_verify::{EnvelopeOutcome, Rejected, Verified};

/// The scheme that signed an attestation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Scheme {
    /// OpenPubkey: a PK token (GQ-signed ID token) and an ephemeral key in a DSSE envelope.
    OpenPubkey,
    /// A Sigstore bundle: a Fulcio certificate (or a given key), transparency log, timestamps.
    Sigstore,
    /// cosign v2's `.sig`/`.att` tags.
    Cosign,
    /// Notation.
    Notation,
}

impl Scheme {
    /// As the page and the CLI name it.
    pub fn describe(self) -> &'static str {
        match self {
            Self::OpenPubkey => "OpenPubkey",
            Self::Sigstore => "Sigstore",
            Self::Cosign => "cosign v2",
            Self::Notation => "Notation",
        }
    }
}

/// Why one attestation did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttestationFailure {
    /// Its blob could not be fetched or failed its digest check.
    Fetch(RegistryError),
    /// opk-verify rejected it (with the checks that ran).
    Rejected(Rejected),
}

impl AttestationFailure {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Fetch(e) => e.code(),
            Self::Rejected(r) => r.error.code(),
        }
    }
}

impl std::fmt::Display for AttestationFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Fetch(e) => e.fmt(f),
            Self::Rejected(r) => r.error.fmt(f),
        }
    }
}

/// What became of one attestation or signature.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// An unsigned in-toto statement: listed, not verified.
    Unsigned,
    /// An OpenPubkey-signed envelope that verified.
    OpenPubkey(Verified<EnvelopeOutcome>),
    /// A Sigstore bundle that verified.
    Sigstore(Verified<BundleOutcome>),
    /// A Sigstore bundle on a BuildKit attestation manifest (github-builder) that verified,
    /// with the statements of that manifest it covers.
    SignedManifest(Verified<SignedManifest>),
    /// A signature this tool recognises but does not verify: never counted either way.
    NotVerified(&'static str),
    /// A signature the page could not check: the module holding its verifier (fetched on first
    /// use) did not load. Nothing was decided, and the verdict is `not_verified`.
    VerifierNotLoaded,
    /// A signed attestation that did not verify.
    Failed(AttestationFailure),
}

/// The state of one attestation, as every front end shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttestationState {
    /// Verified.
    Verified,
    /// Signed, and it did not verify (or could not be fetched).
    Rejected,
    /// Unsigned.
    Unsigned,
    /// Recognised, not verified here.
    NotVerified,
}

impl Outcome {
    /// Its state.
    pub fn state(&self) -> AttestationState {
        match self {
            Self::Unsigned => AttestationState::Unsigned,
            Self::OpenPubkey(_) | Self::Sigstore(_) | Self::SignedManifest(_) => {
                AttestationState::Verified
            }
            Self::NotVerified(_) | Self::VerifierNotLoaded => AttestationState::NotVerified,
            Self::Failed(_) => AttestationState::Rejected,
        }
    }

    /// The predicate types of the verified in-toto statements (what satisfies a policy's
    /// required predicate types).
    pub fn verified_predicates(&self) -> Vec<&str> {
        match self {
            Self::OpenPubkey(v) => vec![v.statement.predicate_type.as_str()],
            Self::Sigstore(v) => v
                .statement
                .iter()
                .map(|s| s.predicate_type.as_str())
                .collect(),
            Self::SignedManifest(v) => v
                .statements
                .iter()
                .map(|s| s.predicate_type.as_str())
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The state of a whole verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Every signed attestation verified and every required predicate type is present.
    Verified,
    /// Something signed does not verify (tampered, forged, wrong signer, policy…).
    Invalid,
    /// Only unsigned (or unverifiable) attestations exist.
    Unsigned,
    /// Attestations or signatures are listed but withheld, or none were found: not evidence of
    /// anything, since a registry or proxy can hide content.
    Withheld,
    /// The registry could not be reached.
    Unreachable,
    /// The image (repository, tag, digest) or the platform asked for does not exist there.
    NotFound,
    /// Not verified because of the configuration, not the image: no identity rule, an empty
    /// rule, an issuer key set or trusted root that could not be loaded. The image may be fine.
    NotVerified,
}

impl State {
    /// The state an attestation's or signature's failure puts the verdict in: one listed but
    /// missing (404) is withheld, never "not found" — the image is there.
    pub fn of_attestation_error(e: &RegistryError) -> Self {
        match e {
            RegistryError::Http { status: 404, .. } => Self::Withheld,
            _ => Self::of_error(e),
        }
    }

    /// The state an error of reaching the image puts a verdict in (`verify_image`'s `Err`):
    /// a 404 there means the image or platform does not exist.
    pub fn of_error(e: &RegistryError) -> Self {
        match e {
            _ if e.is_unreachable() => Self::Unreachable,
            RegistryError::Http { status: 404, .. } | RegistryError::PlatformNotFound { .. } => {
                Self::NotFound
            }
            RegistryError::Unsigned { .. } => Self::Unsigned,
            RegistryError::VerifierNotLoaded { .. } => Self::NotVerified,
            RegistryError::AttestationNotFound { .. }
            | RegistryError::AttestationWithheld { .. }
            | RegistryError::SignatureWithheld { .. } => Self::Withheld,
            _ => Self::Invalid,
        }
    }

    /// Its stable name (`verified`, `invalid`, `unsigned`, `withheld`, `unreachable`,
    /// `not_found`, `not_verified`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Invalid => "invalid",
            Self::Unsigned => "unsigned",
            Self::Withheld => "withheld",
            Self::Unreachable => "unreachable",
            Self::NotFound => "not_found",
            Self::NotVerified => "not_verified",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> RegistryError {
        RegistryError::Http {
            url: "http://r.test/v2/x/manifests/y".into(),
            status,
            detail: String::new(),
        }
    }

    #[test]
    fn a_missing_image_is_not_found_but_a_missing_attestation_is_withheld() {
        assert_eq!(State::of_error(&http(404)), State::NotFound);
        assert_eq!(State::of_attestation_error(&http(404)), State::Withheld);
        let platform = RegistryError::PlatformNotFound {
            platform: "linux/s390x".into(),
            available: "linux/amd64".into(),
        };
        assert_eq!(State::of_error(&platform), State::NotFound);
        assert_eq!(State::of_error(&http(500)), State::Invalid);
        assert_eq!(State::NotFound.as_str(), "not_found");
    }
}
