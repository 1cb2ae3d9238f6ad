//! Who an OpenPubkey envelope *claims* signed it, read without verifying anything: for a page
//! that has no identity rule yet, to offer "require this signer" as one click. Never a verdict:
//! the result is only ever a suggestion, and a verification with the chosen rule decides.

use serde_json::Value;

use crate::dsse::Envelope;
use crate::pktoken::{decode_claims, PkToken};

/// The identity claims of the first PK token in an envelope, unverified.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimedSigner {
    /// `repository_owner_id`.
    pub repository_owner_id: String,
    /// `repository` (OWNER/NAME).
    pub repository: String,
    /// `workflow_ref`.
    pub workflow_ref: String,
    /// `iss`.
    pub issuer: String,
}

/// The signer an OpenPubkey DSSE envelope names, if any of its signatures is a PK token whose
/// payload names a repository owner id. Nothing is verified.
pub fn claimed_signer_unverified(envelope: &[u8]) -> Option<ClaimedSigner> {
    let env = Envelope::parse(envelope).ok()?;
    env.signatures.iter().find_map(|s| {
        let token = PkToken::parse(&s.sig).ok()?;
        let claims = decode_claims(&token.payload_b64).ok()?;
        let text = |k: &str| match claims.get(k) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let signer = ClaimedSigner {
            repository_owner_id: text("repository_owner_id"),
            repository: text("repository"),
            workflow_ref: text("workflow_ref"),
            issuer: text("iss"),
        };
        (!signer.repository_owner_id.is_empty()).then_some(signer)
    })
}
