//! PK tokens: an OIDC ID-token payload with the OP's signature (RS256 or a GQ proof of it), the
//! client-instance (CIC) signature by the ephemeral key, and optionally a cosigner's.
//!
//! Parsing only assigns roles and detects the format; nothing here is trusted until
//! [`crate::verify_pk_token`] has checked it. Role assignment (spec §3.1, §7.2, P2):
//! * F0/F1 route by the *unprotected* `sig_type` (`cic`, `oidc_gq`, `oidc`, `cos`). It is not
//!   integrity-protected, so it only routes: every entry must have one, each role appears once,
//!   unknown values are refused, and the signatures themselves decide validity.
//! * F2/F3 route by the protected `typ` (`JWT`/absent → OP, `CIC`, `COS`).
//! * Compact forms are positional: `P:OPPH:OPSIG:CICPH:CICSIG[:COSPH:COSSIG]`.
//!
//! F2 and F3 are the same JSON; they differ only in what the GQ proof's message covers (F2: the
//! original `kid.payload`; F3: the GQ header and payload). The verifier tries F3 first and falls
//! back to F2; an F2 result never trusts anything from the GQ header beyond `kid` (see
//! [`crate::verify`] and spec P10).

pub mod cic;
mod compact;

use core::fmt;

use serde_json::Value;

use crate::jose::Header;
use crate::json::{self, Fields};
use crate::limits::{self, Limit};
use crate::VerifyError;

pub use cic::Cic;

/// The wire format of a PK token, part of every verification result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Format {
    /// DockerCon 2023: `sig_type` routing, CIC first, RS256-labelled OP header with a GQ proof.
    F0,
    /// openpubkey v0.1–v0.2: `sig_type` routing, OP first, optional unprotected `jkt`.
    F1,
    /// GQ256 header whose proof covers `kid.payload` only (Jan 2024 – v0.24).
    F2,
    /// GQ256 header whose proof also covers the GQ header (v0.25+, 2026).
    F3,
    /// The May-2023 compact form with a plain RS256 OP signature (openpubkey's first commit).
    Compact2023,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::F0 => "F0",
            Self::F1 => "F1",
            Self::F2 => "F2",
            Self::F3 => "F3",
            Self::Compact2023 => "Compact2023",
        })
    }
}

/// How the OP entry claims to be signed; confirmed or refuted by verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpScheme {
    /// A plain RS256 signature over `OPPH.P` (`sig_type` `oidc`, or RS256 in a typ-routed form).
    Rs256,
    /// An F0/F1 GQ proof over `OPPH.P` with the original RS256 header.
    GqOriginalHeader,
    /// A GQ256 header (`kid` = original header): F2 or F3, told apart by verification.
    Gq256,
    /// Compact RS256-labelled entry: RS256 if the signature has the modulus length, else an F0
    /// GQ proof.
    CompactRs256Labelled,
}

/// One signature entry, with its protected header decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The protected header segment as received.
    pub protected_b64: String,
    /// The decoded protected header.
    pub header: Header,
    /// The signature segment as received.
    pub signature_b64: String,
}

impl Entry {
    /// A compact JWT's header and signature as an entry (the header decoded as "JWT header").
    pub fn of_jwt(jws: &crate::jose::CompactJws<'_>) -> Result<Self, VerifyError> {
        Ok(Self {
            protected_b64: jws.header_b64.to_owned(),
            header: Header::decode(jws.header_b64, "JWT header")?,
            signature_b64: jws.signature_b64.to_owned(),
        })
    }
}

/// The serialization the token arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serialization {
    /// JWS JSON serialization.
    Json,
    /// `:`-joined compact form.
    Compact,
}

/// A parsed, unverified PK token.
#[derive(Debug, Clone, PartialEq)]
pub struct PkToken {
    /// The shared payload segment as received.
    pub payload_b64: String,
    /// The OpenID provider's entry.
    pub op: Entry,
    /// How the OP entry claims to be signed.
    pub op_scheme: OpScheme,
    /// The client-instance entry.
    pub cic: Entry,
    /// The cosigner entry, if any (parsed, never trusted: no cosigner is configured).
    pub cos: Option<Entry>,
    /// The serialization.
    pub serialization: Serialization,
    /// Format as far as parsing can tell (F2 vs F3 is settled by verification).
    pub format: Format,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Op(OpScheme),
    Cic,
    Cos,
}

impl PkToken {
    /// Parses a PK token in JSON or compact form (detected by the first non-space byte).
    pub fn parse(bytes: &[u8]) -> Result<Self, VerifyError> {
        limits::check(bytes.len(), limits::MAX_PK_TOKEN_BYTES, Limit::PkTokenBytes)?;
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Self::parse_json(bytes),
            Some(_) => compact::parse(bytes),
            None => Err(VerifyError::UnsupportedFormat {
                reason: "empty PK token",
            }),
        }
    }

    fn parse_json(bytes: &[u8]) -> Result<Self, VerifyError> {
        const WHAT: &str = "PK token";
        let map = json::parse_object(bytes, WHAT)?;
        if map.keys().any(|k| k != "payload" && k != "signatures") {
            return Err(VerifyError::UnsupportedFormat {
                reason: "unknown member in PK token",
            });
        }
        let f = Fields::new(&map, WHAT);
        let payload_b64 = f.str("payload")?.to_owned();
        let sigs = f.array("signatures")?;
        limits::check(
            sigs.len(),
            limits::MAX_PK_TOKEN_SIGNATURES,
            Limit::PkTokenSignatures,
        )?;
        let uses_sig_type = sigs
            .iter()
            .any(|s| s.get("header").is_some_and(|h| h.get("sig_type").is_some()));

        let mut op: Option<(Entry, OpScheme)> = None;
        let mut cic: Option<Entry> = None;
        let mut cos: Option<Entry> = None;
        let mut first_role_is_op = false;
        let mut has_jkt = false;
        for (i, sig) in sigs.iter().enumerate() {
            let obj = sig.as_object().ok_or(VerifyError::InvalidField {
                what: WHAT,
                field: "signatures",
            })?;
            const SIG: &str = "PK token signature";
            if obj
                .keys()
                .any(|k| !matches!(k.as_str(), "protected" | "header" | "signature"))
            {
                return Err(VerifyError::UnsupportedFormat {
                    reason: "unknown member in PK token signature",
                });
            }
            let sf = Fields::new(obj, SIG);
            let protected_b64 = sf.str("protected")?.to_owned();
            let signature_b64 = sf.str("signature")?.to_owned();
            let header = Header::decode(&protected_b64, "PK token protected header")?;
            let unprotected = sf.opt_object("header")?;
            let role = if uses_sig_type {
                let st = unprotected
                    .map(|u| Fields::new(u, "PK token unprotected header"))
                    .map(|u| u.opt_str("sig_type"))
                    .transpose()?
                    .flatten()
                    .ok_or(VerifyError::UnsupportedFormat {
                        reason: "signature without sig_type",
                    })?;
                if unprotected.is_some_and(|u| u.contains_key("jkt")) {
                    has_jkt = true;
                }
                match st {
                    "cic" => Role::Cic,
                    "oidc_gq" => Role::Op(OpScheme::GqOriginalHeader),
                    "oidc" => Role::Op(OpScheme::Rs256),
                    "cos" => Role::Cos,
                    _ => {
                        return Err(VerifyError::UnsupportedFormat {
                            reason: "unknown sig_type",
                        })
                    }
                }
            } else {
                if unprotected.is_some_and(|u| !u.is_empty()) {
                    return Err(VerifyError::UnsupportedFormat {
                        reason: "unprotected header without sig_type",
                    });
                }
                match header.typ() {
                    None | Some("JWT") => match header.alg() {
                        Some("GQ256") => Role::Op(OpScheme::Gq256),
                        _ => Role::Op(OpScheme::Rs256),
                    },
                    Some(t) if t.eq_ignore_ascii_case("at+jwt") => Role::Op(OpScheme::Rs256),
                    Some("CIC") => Role::Cic,
                    Some("COS") => Role::Cos,
                    Some(_) => {
                        return Err(VerifyError::UnsupportedFormat {
                            reason: "unknown signature typ",
                        })
                    }
                }
            };
            if i == 0 {
                first_role_is_op = matches!(role, Role::Op(_));
            }
            let entry = Entry {
                protected_b64,
                header,
                signature_b64,
            };
            let duplicate = match role {
                Role::Op(s) => op.replace((entry, s)).is_some(),
                Role::Cic => cic.replace(entry).is_some(),
                Role::Cos => cos.replace(entry).is_some(),
            };
            if duplicate {
                return Err(VerifyError::UnsupportedFormat {
                    reason: "duplicate signature role",
                });
            }
        }
        let (op, op_scheme) = op.ok_or(VerifyError::UnsupportedFormat {
            reason: "no OP signature",
        })?;
        let cic = cic.ok_or(VerifyError::UnsupportedFormat {
            reason: "no CIC signature",
        })?;
        let format = match (uses_sig_type, op_scheme) {
            (true, _) if has_jkt || first_role_is_op => Format::F1,
            (true, _) => Format::F0,
            (false, OpScheme::Gq256) => Format::F3,
            (false, _) => Format::F2,
        };
        Ok(Self {
            payload_b64,
            op,
            op_scheme,
            cic,
            cos,
            serialization: Serialization::Json,
            format,
        })
    }
}

/// The claims of a payload segment, parsed strictly.
pub fn decode_claims(payload_b64: &str) -> Result<serde_json::Map<String, Value>, VerifyError> {
    let raw = crate::b64::decode_url(payload_b64, "ID token payload")?;
    json::parse_object(&raw, "ID token payload")
}
