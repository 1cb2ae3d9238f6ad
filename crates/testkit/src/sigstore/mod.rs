//! A test Sigstore, deterministic and offline: a Fulcio-like CA issuing short-lived
//! code-signing certificates that carry GitHub workflow claims ([`fulcio`]), a CT log whose SCTs
//! the certificates embed ([`ct`]), a Rekor v1-style log with signed entry timestamps, inclusion
//! proofs in a many-leaf tree and signed checkpoints ([`rekor`]), an RFC 3161 timestamp
//! authority ([`tsa`]), bundles v0.3 in both content kinds ([`bundle`]) and the trusted root
//! naming all of them ([`root`]). Every key is fixed, so
//! the root is the same in every run; it is trusted only where a test or the demo passes it,
//! and the core labels it a dev instance.

pub mod bundle;
pub mod cosign_tag;
pub mod ct;
pub mod fulcio;
pub mod rekor;
pub mod root;
pub mod tsa;
