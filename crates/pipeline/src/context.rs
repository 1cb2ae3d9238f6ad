//! What a verification is judged against, passed once instead of as separate arguments: the
//! OpenPubkey trust roots, the Sigstore trust, the policy (one policy for both schemes) and the
//! time; in the browser, also where the Sigstore verifier runs.

use opk_verify::{Policy, TrustRoots, UnixTime};

use crate::sigstore_trust::LazySigstoreTrust;

/// Trust, policy and time for one verification.
#[derive(Debug, Clone, Copy)]
pub struct VerifyContext<'a> {
    /// OpenID provider keys for OpenPubkey attestations.
    pub trust: &'a TrustRoots,
    /// The Sigstore trusted root (and keys) for Sigstore bundles, parsed when the first one
    /// needs it.
    pub sigstore: &'a LazySigstoreTrust,
    /// The policy every verified attestation must meet, whichever scheme signed it.
    pub policy: &'a Policy,
    /// Now (tokens' ages, integrated times in the future).
    pub now: UnixTime,
    /// Where Sigstore signatures are verified: [`Linked`](crate::sigstore_module::Linked), or
    /// the web app's second module.
    #[cfg(target_arch = "wasm32")]
    pub sigstore_verifier: &'a dyn crate::sigstore_module::SigstoreVerifier,
}
