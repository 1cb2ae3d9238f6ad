//! The algorithm allow-list: RS256, ES256 and GQ256. There is no value for `none` or HMAC, so no
//! code path can reach them (the class of CVE-2025-3757 in openpubkey's own verifier).

use crate::VerifyError;

/// An allowed JOSE signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3), RSA 2048–4096 bits, e = 65537.
    Rs256,
    /// ECDSA P-256 with SHA-256, 64-byte `r‖s` signatures (RFC 7518 §3.4).
    Es256,
    /// Guillou–Quisquater proof of an RS256 signature (openpubkey F2/F3).
    Gq256,
}

impl Alg {
    /// Parses an `alg` value, case-sensitively; anything else is [`VerifyError::UnsupportedAlg`].
    pub fn parse(alg: Option<&str>, what: &'static str) -> Result<Self, VerifyError> {
        match alg {
            Some("RS256") => Ok(Self::Rs256),
            Some("ES256") => Ok(Self::Es256),
            Some("GQ256") => Ok(Self::Gq256),
            other => Err(VerifyError::UnsupportedAlg {
                what,
                alg: other.unwrap_or_default().to_string(),
            }),
        }
    }

    /// The registered name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
            Self::Gq256 => "GQ256",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_three_names_pass() {
        assert_eq!(Alg::parse(Some("RS256"), "h"), Ok(Alg::Rs256));
        assert_eq!(Alg::parse(Some("ES256"), "h"), Ok(Alg::Es256));
        assert_eq!(Alg::parse(Some("GQ256"), "h"), Ok(Alg::Gq256));
        for bad in [
            "none", "None", "NONE", "nOnE", "HS256", "PS256", "RS512", "ES384", "", "rs256",
        ] {
            assert_eq!(
                Alg::parse(Some(bad), "h"),
                Err(VerifyError::UnsupportedAlg {
                    what: "h",
                    alg: bad.into()
                })
            );
        }
        assert!(Alg::parse(None, "h").is_err());
    }
}
