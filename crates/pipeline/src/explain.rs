//! What a failure means to the person reading it, and what they can do about it: one sentence
//! each, chosen from the typed error (never from its code string) and naming the values the
//! error carries (the digest a forged attestation names, the issuer that is not trusted). The
//! page's verdict banner shows them above the code and the engine's message.

use opk_registry::RegistryError;
use opk_verify::policy::PolicyError;
use opk_verify::setup::SetupError;
use opk_verify::VerifyError;

/// A failure in the reader's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// What happened and what it means for trusting the image.
    pub meaning: String,
    /// What the reader can do.
    pub action: String,
}

impl Explanation {
    fn new(meaning: impl Into<String>, action: impl Into<String>) -> Self {
        Self {
            meaning: meaning.into(),
            action: action.into(),
        }
    }
}

const DO_NOT_USE: &str = "Do not use this image.";

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}

/// A failure of fetching, discovery or verification.
pub fn explain(e: &RegistryError) -> Explanation {
    match e {
        RegistryError::Reference(r) => Explanation::new(
            format!("This is not an image reference a registry can resolve ({r})."),
            "Write it as registry/repository:tag or registry/repository@sha256:<64 hex digits>.",
        ),
        RegistryError::InvalidProxy { reason, .. } => Explanation::new(
            format!("The CORS proxy setting is not usable: {reason}."),
            "Fix or clear the proxy setting.",
        ),
        RegistryError::Network { url, .. } => Explanation::new(
            format!("Nothing usable came back from {}: no answer, or an answer the client had to refuse.", host_of(url)),
            "Check the registry's name and that it is up; a browser can also only read registries that send CORS headers (or through a CORS proxy).",
        ),
        RegistryError::Http { status: 404, .. } => Explanation::new(
            "The registry has no such image: the repository, tag or digest does not exist there.",
            "Check the repository name and the tag.",
        ),
        RegistryError::Http { status: 401 | 403, .. } | RegistryError::Auth { .. } => {
            Explanation::new(
                "The registry refused access: the repository is private, or needs credentials this page does not send.",
                "Only public images can be read here; use the CLI with credentials for private ones.",
            )
        }
        RegistryError::Http { status, .. } => Explanation::new(
            format!("The registry answered HTTP {status}."),
            "Try again later; if it persists, the registry or the proxy is failing.",
        ),
        RegistryError::Protocol { reason, .. } => Explanation::new(
            format!("The registry broke the distribution protocol ({reason})."),
            "Nothing it sent was trusted; report it to the registry's operator.",
        ),
        RegistryError::AttestationNotFound { .. } => Explanation::new(
            "No signature or attestation was found for this image. It may be unsigned — or the registry or a proxy may be hiding them: this proves nothing either way.",
            "Ask the publisher how the image is signed; try again without a proxy.",
        ),
        RegistryError::AttestationWithheld { .. } | RegistryError::SignatureWithheld { .. } => {
            Explanation::new(
                "A signature is listed for this image but could not be fetched: the registry or a proxy is withholding it. This is not evidence that the image is unsigned.",
                "Try again without the proxy or from another network; until then, treat the image as unverified.",
            )
        }
        RegistryError::Unsigned { .. } => Explanation::new(
            "The image carries attestations, but none is signed: anyone could have written them.",
            "Treat its provenance as unverified, and ask the publisher to sign it.",
        ),
        RegistryError::VerifierNotLoaded { .. } => Explanation::new(
            "The page could not load the part of itself that checks Sigstore signatures, so nothing was decided about this image.",
            "Reload the page. If it persists, the server hosting OPK Explorer is not serving all of its files, or serves one changed (the page refuses a file whose digest is not the one it pins).",
        ),
        RegistryError::PlatformNotFound { platform, available } => Explanation::new(
            format!("The image has no {platform} variant."),
            format!("Choose one of: {available}."),
        ),
        RegistryError::Verify(v) => explain_verify(v),
        _ => Explanation::new(
            "A step of fetching or verifying failed.",
            "Read the message below, and the fetch log.",
        ),
    }
}

/// A check of the core that failed.
pub fn explain_verify(e: &VerifyError) -> Explanation {
    use VerifyError as V;
    match e {
        V::AttMismatch { .. } => Explanation::new(
            "The attestation was changed after it was signed: its content no longer matches its signature.",
            DO_NOT_USE,
        ),
        V::SubjectMismatch { expected, found } => Explanation::new(
            format!("The signature is about another image: it names {found}, not this image ({expected}). A signature copied from another image says nothing about this one."),
            DO_NOT_USE,
        ),
        V::SubjectNameMismatch { expected } => Explanation::new(
            format!("The attestation names another image than {expected}."),
            DO_NOT_USE,
        ),
        V::DigestMismatch { .. } => Explanation::new(
            "Content did not match its digest: it was changed on the way (registry, proxy or network).",
            "Do not use it; try again without a proxy.",
        ),
        V::OpSignatureInvalid { .. }
        | V::CicSignatureInvalid
        | V::CommitmentMismatch { .. }
        | V::SignatureInvalid { .. }
        | V::SetInvalid
        | V::ExtCertificateMismatch { .. } => Explanation::new(
            "A signature does not verify: the signed content was changed, or the signature is forged.",
            DO_NOT_USE,
        ),
        V::KeyNotFound { kid, issuer } => Explanation::new(
            format!("The key that signed ({kid}) is not one of {issuer}'s trusted keys."),
            "If the issuer rotated its keys after this page's bundled history, load its current key set (a JWKS URL, user-supplied trust); otherwise treat the signature as forged.",
        ),
        V::IssuerNotAllowed { issuer } => Explanation::new(
            format!("It was signed with an identity from {issuer}, an issuer the policy does not trust."),
            format!("If you trust {issuer}, add its key set (JWKS URL) — or, for Sigstore, its OIDC issuer — to the policy; otherwise do not use this image."),
        ),
        V::PolicyViolation { rule, expected, actual } => Explanation::new(
            format!("It was signed by another identity than the policy asks for: {rule} is {actual:?}, the policy requires {expected:?}."),
            format!("If {actual:?} is who you expect, change the policy; otherwise do not use this image."),
        ),
        V::MissingAttestation { predicate_type } => Explanation::new(
            format!("There is no verified attestation of type {predicate_type}, which the policy requires."),
            "Drop that requirement if you do not need it, or ask the publisher to attest it.",
        ),
        V::TimeWindow { .. } | V::OutsideValidity { .. } => Explanation::new(
            "The signature was made outside the time its key or certificate was valid.",
            DO_NOT_USE,
        ),
        V::TimestampInvalid { .. } | V::NoVerifiedTime { .. } => Explanation::new(
            "Nothing trusted proves when it was signed, so its short-lived certificate cannot be checked.",
            DO_NOT_USE,
        ),
        V::CertificateInvalid { .. } | V::ChainInvalid { .. } | V::SctInvalid { .. } => {
            Explanation::new(
                "The signing certificate was not issued by a trusted certificate authority, or is not one a signer may use.",
                "Do not use this image; if a private Sigstore instance signed it, load that instance's trusted root.",
            )
        }
        V::TlogEntryInvalid { .. }
        | V::InclusionProofInvalid { .. }
        | V::CheckpointInvalid { .. }
        | V::TlogBodyMismatch { .. } => Explanation::new(
            "The transparency-log evidence does not show that this signature was logged.",
            DO_NOT_USE,
        ),
        V::TrustedRootInvalid { reason } => Explanation::new(
            format!("The Sigstore trusted root is unusable ({reason})."),
            "Use the bundled root, or the instance's trusted_root.json.",
        ),
        V::LimitExceeded { limit } => Explanation::new(
            format!("An object exceeds a safety limit ({limit}); verification stopped there."),
            "Images this large are unusual: do not use it unless you know why it is.",
        ),
        V::KeyAlgMismatch { .. } | V::WeakKey { .. } | V::UnsupportedAlg { .. } => {
            Explanation::new(
                "It is signed with an algorithm or key this verifier does not accept.",
                DO_NOT_USE,
            )
        }
        V::AmbiguousKey { kid } => Explanation::new(
            format!("Several different trusted keys share the key id {kid}, so none can be chosen."),
            "Remove the duplicate key set from the policy.",
        ),
        _ => Explanation::new(
            "A signature or attestation is malformed, or in a form this verifier does not accept.",
            "Do not use this image; if a standard signer made it, report it with the fetch log.",
        ),
    }
}

/// A policy or trust that could not be set up: the verification did not run.
pub fn explain_setup(e: &SetupError) -> Explanation {
    match e {
        SetupError::Policy(PolicyError::NoIdentity) => Explanation::new(
            "Not verified: no identity rule. Without one, a signature by anyone on GitHub would pass.",
            "Enter the repository owner id (and repository) you expect the image to come from.",
        ),
        SetupError::Policy(PolicyError::EmptyValue { what }) => Explanation::new(
            format!("Not verified: the policy's {what} is given but empty (an unset variable must not drop a rule)."),
            format!("Fill in {what}, or remove it."),
        ),
        SetupError::Policy(PolicyError::NoIssuer) => Explanation::new(
            "Not verified: the policy trusts no issuer.",
            "Add an issuer's key set, or use the bundled GitHub Actions keys.",
        ),
        SetupError::UnknownRule(rule) => Explanation::new(
            format!("Not verified: {rule:?} is not a rule this verifier knows."),
            "Use repository owner id, repository, ref or workflow ref.",
        ),
        SetupError::Jwks { label, .. } => Explanation::new(
            format!("Not verified: the issuer key set {label} is unusable."),
            "Check that the URL serves the issuer's JWKS.",
        ),
        _ => Explanation::new(
            "Not verified: the policy could not be set up.",
            "Check the policy fields.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forged_subject_names_both_digests() {
        let e = RegistryError::Verify(VerifyError::SubjectMismatch {
            expected: "sha256:aa".into(),
            found: "sha256:bb".into(),
        });
        let x = explain(&e);
        assert!(
            x.meaning
                .contains("it names sha256:bb, not this image (sha256:aa)"),
            "{x:?}"
        );
        assert_eq!(x.action, DO_NOT_USE);
    }

    #[test]
    fn an_untrusted_issuer_says_how_to_trust_it() {
        let e = RegistryError::Verify(VerifyError::IssuerNotAllowed {
            issuer: "https://op.example".into(),
        });
        let x = explain(&e);
        assert!(x.meaning.contains("https://op.example"), "{x:?}");
        assert!(x.action.contains("add its key set (JWKS URL)"), "{x:?}");
    }

    #[test]
    fn withheld_is_never_read_as_unsigned() {
        let withheld = explain(&RegistryError::SignatureWithheld {
            subject: "sha256:aa".into(),
            digest: "sha256:bb".into(),
            found: "the referrers API",
            reason: "HTTP 404".into(),
        });
        assert!(withheld
            .meaning
            .contains("not evidence that the image is unsigned"));
        let unsigned = explain(&RegistryError::Unsigned {
            image: "sha256:aa".into(),
        });
        assert!(unsigned.meaning.contains("none is signed"));
        assert_ne!(withheld, unsigned);
    }

    #[test]
    fn a_verifier_that_did_not_load_is_the_page_not_the_image() {
        let x = explain(&RegistryError::VerifierNotLoaded {
            image: "sha256:aa".into(),
        });
        assert!(x.meaning.contains("nothing was decided"), "{x:?}");
        assert!(x.action.starts_with("Reload the page."), "{x:?}");
        let unsigned = explain(&RegistryError::Unsigned {
            image: "sha256:aa".into(),
        });
        assert_ne!(x, unsigned);
    }

    #[test]
    fn tampering_and_policy_failures_differ() {
        let tampered = explain(&RegistryError::Verify(VerifyError::AttMismatch {
            reason: "x",
        }));
        assert!(tampered.meaning.contains("changed after it was signed"));
        let other = explain(&RegistryError::Verify(VerifyError::PolicyViolation {
            rule: "repository_owner_id",
            expected: "1".into(),
            actual: "2".into(),
        }));
        assert!(
            other.meaning.contains("repository_owner_id is \"2\""),
            "{other:?}"
        );
        assert!(other.action.contains("change the policy"));
    }

    #[test]
    fn a_missing_identity_rule_is_configuration_not_a_fault_of_the_image() {
        let x = explain_setup(&SetupError::Policy(PolicyError::NoIdentity));
        assert!(x.meaning.starts_with("Not verified: no identity rule"));
        let empty = explain_setup(&SetupError::Policy(PolicyError::EmptyValue {
            what: "repository",
        }));
        assert!(empty.action.contains("Fill in repository"));
    }

    #[test]
    fn network_failures_name_the_host_only() {
        let x = explain(&RegistryError::Network {
            url: "http://127.0.0.1:1/v2/x/manifests/y".into(),
            message: "TypeError".into(),
        });
        assert!(x.meaning.contains("from 127.0.0.1:1:"), "{x:?}");
    }
}
