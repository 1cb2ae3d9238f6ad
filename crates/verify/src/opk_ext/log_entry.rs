//! Rekor's own JSON for a log entry (`LogEntryAnon`, Rekor's openapi.yaml), as an Ext envelope
//! embeds it: `body` (base64), `integratedTime`, `logID` (hex), `logIndex`, and
//! `verification: {signedEntryTimestamp (base64), inclusionProof: {checkpoint, hashes (hex),
//! logIndex, rootHash (hex), treeSize}}` — read into the same entry a Sigstore bundle carries,
//! so the same Rekor checks run. Both the SET and the proof are required (cosign's offline
//! check needs both).

use serde_json::value::RawValue;

use super::envelope::object;
use crate::json::raw::{self, Members};
use crate::limits::{self, Limit};
use crate::sigstore::bundle::{InclusionProof, TlogEntry};
use crate::{b64, hex, VerifyError};

const WHAT: &str = "OpenPubkey Ext log entry";

fn missing(field: &'static str) -> VerifyError {
    VerifyError::MissingField { what: WHAT, field }
}

fn invalid(field: &'static str) -> VerifyError {
    VerifyError::InvalidField { what: WHAT, field }
}

/// A JSON number of decimal digits only (Rekor writes integers; Go re-marshals them so).
fn uint(m: &Members<'_>, name: &'static str) -> Result<u64, VerifyError> {
    let raw = m.get(name).ok_or(missing(name))?;
    let text = raw.get();
    if text.is_empty() || text.len() > 19 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(name));
    }
    text.parse().map_err(|_| invalid(name))
}

/// 32 bytes as 64 lowercase hex digits.
fn hex32(text: &str, field: &'static str) -> Result<[u8; 32], VerifyError> {
    if !hex::is_lower_hex(text, 64) {
        return Err(invalid(field));
    }
    hex::decode(text)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or(invalid(field))
}

/// Reads `tl`.
pub(super) fn parse(raw: &RawValue) -> Result<TlogEntry, VerifyError> {
    let e = object(
        raw,
        WHAT,
        &[
            "body",
            "integratedTime",
            "logID",
            "logIndex",
            "verification",
        ],
    )?;
    let verification = object(
        e.get("verification").ok_or(missing("verification"))?,
        WHAT,
        &["inclusionProof", "signedEntryTimestamp"],
    )?;
    let set = b64::decode_dsse(
        &verification.str("signedEntryTimestamp")?,
        "signedEntryTimestamp",
    )?;
    let p = object(
        verification
            .get("inclusionProof")
            .ok_or(missing("inclusionProof"))?,
        WHAT,
        &["checkpoint", "hashes", "logIndex", "rootHash", "treeSize"],
    )?;
    let hashes = p
        .array("hashes", limits::MAX_PROOF_HASHES, Limit::ProofHashes)?
        .into_iter()
        .map(|h| hex32(&raw::string(h).ok_or(invalid("hashes"))?, "hashes"))
        .collect::<Result<Vec<_>, _>>()?;
    let proof = InclusionProof {
        log_index: uint(&p, "logIndex")?,
        root_hash: hex32(&p.str("rootHash")?, "rootHash")?,
        tree_size: uint(&p, "treeSize")?,
        hashes,
        checkpoint: Some(p.str("checkpoint")?.into_owned()),
    };
    let log_id = e.str("logID")?;
    if !hex::is_lower_hex(&log_id, 64) {
        return Err(invalid("logID"));
    }
    Ok(TlogEntry {
        log_index: uint(&e, "logIndex")?,
        log_id: hex::decode(&log_id).ok_or(invalid("logID"))?,
        // The Ext producer logs hashedrekord 0.0.1 only; the body must say so (checked
        // against the body when the entry is verified).
        kind: "hashedrekord".into(),
        version: "0.0.1".into(),
        integrated_time: i64::try_from(uint(&e, "integratedTime")?)
            .map_err(|_| invalid("integratedTime"))?,
        signed_entry_timestamp: Some(set),
        inclusion_proof: Some(proof),
        body: b64::decode_dsse(&e.str("body")?, "log entry body")?,
    })
}
