//! Log checkpoints as C2SP signed notes: the note — origin, tree size, root hash, extension
//! lines — then a blank line and signature lines `— <name> <base64(key hint ‖ signature)>`.
//! A checkpoint is accepted only with a line whose name is the log's host and whose key hint is
//! the log id's first four bytes, and whose signature verifies under the log's key (ECDSA
//! P-256/SHA-256 for Rekor v1, Ed25519 for Rekor v2). Lines of unknown keys (witness
//! cosignatures) are ignored, in any order; a matching line that fails is a rejection.

use super::keys::{HashAlg, PublicKey, Scheme};
use super::signatures::Signatures;
use super::trusted_root::LogInstance;
use crate::{b64, limits, VerifyError};

/// The note's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin line.
    pub origin: String,
    /// The tree size.
    pub size: u64,
    /// The root hash.
    pub root: [u8; 32],
}

/// A signature line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    name: String,
    hint: [u8; 4],
    signature: Vec<u8>,
}

/// A parsed signed note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNote {
    /// The signed text: the note up to and including its last newline.
    text: String,
    /// Its checkpoint.
    pub checkpoint: Checkpoint,
    lines: Vec<Line>,
}

fn invalid(reason: &'static str) -> VerifyError {
    VerifyError::CheckpointInvalid { reason }
}

/// The host of a log's base URL (`https://rekor.sigstore.dev` → `rekor.sigstore.dev`).
pub fn host_of(base_url: &str) -> &str {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    rest.split('/').next().unwrap_or_default()
}

impl SignedNote {
    /// Parses a checkpoint envelope.
    pub fn parse(envelope: &str) -> Result<Self, VerifyError> {
        limits::check(
            envelope.len(),
            limits::MAX_CHECKPOINT_BYTES,
            limits::Limit::CheckpointBytes,
        )?;
        let (note, sigs) = envelope
            .split_once("\n\n")
            .ok_or(invalid("no blank line before the signatures"))?;
        let text = format!("{note}\n");
        let mut body = note.split('\n');
        let origin = body
            .next()
            .filter(|o| !o.is_empty())
            .ok_or(invalid("no origin"))?;
        let size = body
            .next()
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or(invalid("no tree size"))?;
        let root = body
            .next()
            .and_then(|r| b64::decode_dsse(r, "checkpoint root hash").ok())
            .and_then(|r| <[u8; 32]>::try_from(r).ok())
            .ok_or(invalid("no root hash"))?;
        if !sigs.ends_with('\n') {
            return Err(invalid("signature lines do not end with a newline"));
        }
        let lines = sigs
            .trim_end_matches('\n')
            .split('\n')
            .map(|line| {
                let rest = line
                    .strip_prefix("\u{2014} ")
                    .ok_or(invalid("signature line without the em dash"))?;
                let (name, sig) = rest
                    .split_once(' ')
                    .ok_or(invalid("signature line without a signature"))?;
                if name.is_empty() || name.contains('+') {
                    return Err(invalid("signature line name invalid"));
                }
                let blob = b64::decode_dsse(sig, "checkpoint signature")
                    .map_err(|_| invalid("signature not base64"))?;
                if blob.len() < 5 {
                    return Err(invalid("signature too short"));
                }
                let (hint, signature) = blob.split_at(4);
                Ok(Line {
                    name: name.to_owned(),
                    hint: hint.try_into().map_err(|_| invalid("key hint"))?,
                    signature: signature.to_vec(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if lines.is_empty() {
            return Err(invalid("no signature lines"));
        }
        Ok(Self {
            text,
            checkpoint: Checkpoint {
                origin: origin.to_owned(),
                size,
                root,
            },
            lines,
        })
    }

    /// Checks that `log` signed this note: a line named after the log's host with the log's
    /// key hint verifies (and none such fails). For a Rekor v2 (Ed25519) log, the origin must
    /// also be the log's host.
    pub fn verify_signed_by(
        &self,
        log: &LogInstance,
        sigs: &Signatures<'_>,
    ) -> Result<(), VerifyError> {
        let host = host_of(&log.base_url);
        let hint = log.log_id.get(..4).ok_or(invalid("log id too short"))?;
        let ed25519 = matches!(log.key, PublicKey::Ed25519(_));
        if ed25519 && self.checkpoint.origin != host {
            return Err(invalid("origin is not the log's host"));
        }
        let mut matched = false;
        for line in self
            .lines
            .iter()
            .filter(|l| l.name == host && l.hint == hint)
        {
            let scheme = if ed25519 {
                Scheme::Ed25519
            } else {
                Scheme::Ecdsa(HashAlg::Sha256)
            };
            if !sigs.verify(&log.key, scheme, self.text.as_bytes(), &line.signature) {
                return Err(invalid("the log's signature does not verify"));
            }
            matched = true;
        }
        if matched {
            Ok(())
        } else {
            Err(invalid("no signature by the log"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing() {
        let root = b64::encode_std(&[7u8; 32]);
        let sig = b64::encode_std(&[1, 2, 3, 4, 9, 9]);
        let ok = format!("rekor.sigstore.dev - 123\n42\n{root}\nTimestamp: 1\n\n\u{2014} rekor.sigstore.dev {sig}\n");
        let n = SignedNote::parse(&ok).unwrap();
        assert_eq!(n.checkpoint.size, 42);
        assert_eq!(n.checkpoint.origin, "rekor.sigstore.dev - 123");
        assert_eq!(
            n.text,
            format!("rekor.sigstore.dev - 123\n42\n{root}\nTimestamp: 1\n")
        );
        for bad in [
            format!("o\n42\n{root}\n\u{2014} n {sig}\n"),
            format!("o\n42\n{root}\n\n\u{2014} n {sig}"),
            format!("o\nx\n{root}\n\n\u{2014} n {sig}\n"),
            format!("o\n42\nAAAA\n\n\u{2014} n {sig}\n"),
            format!("\n42\n{root}\n\n\u{2014} n {sig}\n"),
            format!("o\n42\n{root}\n\n- n {sig}\n"),
            format!("o\n42\n{root}\n\n\u{2014} n AQIDBA==\n"),
            format!("o\n42\n{root}\n\n"),
        ] {
            assert!(SignedNote::parse(&bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            host_of("https://log2025-1.rekor.sigstore.dev"),
            "log2025-1.rekor.sigstore.dev"
        );
        assert_eq!(
            host_of("https://ctfe.sigstore.dev/2022"),
            "ctfe.sigstore.dev"
        );
    }
}
