//! Sigstore verification, pure like the rest of the core: bundles (v0.1–v0.3), Fulcio
//! certificate chains, embedded SCTs, Rekor v1 and v2 log entries with their inclusion proofs
//! and checkpoints, RFC 3161 timestamps and dated trusted roots (`shared/spec/sigstore.md`).
//! Bytes, the trusted root, the policy and the time are arguments.

pub mod artifact;
pub mod bundle;
pub mod cert;
pub mod chain;
pub mod checkpoint;
pub mod cosign_tag;
pub mod der_raw;
pub mod identity;
pub mod keys;
pub mod merkle;
pub mod pem;
pub mod rekor;
pub mod sct;
pub mod signatures;
pub mod signed_manifest;
pub mod time;
pub mod trusted_root;
pub mod tsa;
pub mod verify;

pub use artifact::{Artifact, ArtifactDigests, ArtifactHasher};
pub use bundle::message_digest;
pub use cosign_tag::{cosign_signature_checks, verify_cosign_layer, CosignLayer};
pub use signed_manifest::{verify_signed_manifest, SignedManifest};
pub use trusted_root::{load as load_trusted_root, RootInput};
pub use verify::{
    signature_checks, verify_bundle, verify_bundle_accepting, BundleOutcome, Signer, SigstoreTrust,
    TimeWitness, TrustedKey,
};
