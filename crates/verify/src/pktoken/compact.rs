//! The compact PK token: `P:OPPH:OPSIG:CICPH:CICSIG[:COSPH:COSSIG]` (May-2023 early form and the
//! 2024 compact form). Colons are counted before splitting; refreshed-token suffixes (which
//! contain `.`) are not supported.

use super::{Entry, Format, OpScheme, PkToken, Serialization};
use crate::jose::Header;
use crate::limits::{self, Limit};
use crate::VerifyError;

pub(super) fn parse(bytes: &[u8]) -> Result<PkToken, VerifyError> {
    let text = core::str::from_utf8(bytes).map_err(|_| VerifyError::UnsupportedFormat {
        reason: "PK token is neither JSON nor compact",
    })?;
    // White space around the token (a file's final newline, a pasted space) is not part of it.
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let segments = text.bytes().filter(|b| *b == b':').count() + 1;
    limits::check(
        segments,
        limits::MAX_COMPACT_SEGMENTS,
        Limit::CompactSegments,
    )?;
    if segments != 5 && segments != 7 {
        return Err(VerifyError::UnsupportedFormat {
            reason: "compact PK token needs 5 or 7 segments",
        });
    }
    if text.contains('.') {
        return Err(VerifyError::UnsupportedFormat {
            reason: "refreshed compact PK tokens are not supported",
        });
    }
    let parts: Vec<&str> = text.split(':').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(VerifyError::UnsupportedFormat {
            reason: "empty compact segment",
        });
    }
    let entry = |h: usize, s: usize| -> Result<Entry, VerifyError> {
        let protected_b64 = parts.get(h).copied().unwrap_or_default().to_owned();
        let header = Header::decode(&protected_b64, "PK token protected header")?;
        Ok(Entry {
            protected_b64,
            header,
            signature_b64: parts.get(s).copied().unwrap_or_default().to_owned(),
        })
    };
    let op = entry(1, 2)?;
    let cic = entry(3, 4)?;
    let cos = if segments == 7 {
        Some(entry(5, 6)?)
    } else {
        None
    };
    if cic.header.typ().is_some_and(|t| t != "CIC") {
        return Err(VerifyError::UnsupportedFormat {
            reason: "third compact entry is not a CIC",
        });
    }
    let (op_scheme, format) = match op.header.alg() {
        Some("GQ256") => (OpScheme::Gq256, Format::F3),
        _ if cic.header.typ() == Some("CIC") => (OpScheme::Rs256, Format::F2),
        _ => (OpScheme::CompactRs256Labelled, Format::Compact2023),
    };
    Ok(PkToken {
        payload_b64: parts.first().copied().unwrap_or_default().to_owned(),
        op,
        op_scheme,
        cic,
        cos,
        serialization: Serialization::Compact,
        format,
    })
}
