//! Compact JWS (RFC 7515 §7.1): exactly three base64url parts (only the payload may be empty), split only after the
//! dots are counted. The signing input is kept as the exact received text, never re-encoded.

use serde_json::{Map, Value};

use crate::jose::{es256, rs256, Alg, Jwks, PublicKey};
use crate::json::{self, Fields};
use crate::{b64, VerifyError};

/// A compact JWS, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompactJws<'a> {
    /// The protected header segment as received.
    pub header_b64: &'a str,
    /// The payload segment as received.
    pub payload_b64: &'a str,
    /// The signature segment as received.
    pub signature_b64: &'a str,
}

impl<'a> CompactJws<'a> {
    /// Splits `header.payload.signature`.
    pub fn parse(s: &'a str) -> Result<Self, VerifyError> {
        if s.bytes().filter(|b| *b == b'.').count() != 2 {
            return Err(VerifyError::MalformedJws {
                reason: "expected exactly three parts",
            });
        }
        let mut parts = s.split('.');
        let (Some(h), Some(p), Some(sig)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(VerifyError::MalformedJws {
                reason: "expected exactly three parts",
            });
        };
        if h.is_empty() {
            return Err(VerifyError::MalformedJws {
                reason: "empty header",
            });
        }
        if sig.is_empty() {
            return Err(VerifyError::MalformedJws {
                reason: "empty signature",
            });
        }
        Ok(Self {
            header_b64: h,
            payload_b64: p,
            signature_b64: sig,
        })
    }

    /// `header "." payload`, the bytes RS256 signs.
    pub fn signing_input(&self) -> String {
        signing_input(self.header_b64, self.payload_b64)
    }
}

/// Verifies a compact JWS signed with RS256 or ES256 by a key of `jwks` and returns its payload.
///
/// The key is the one whose `kid` the header names (or the only key when the header has no
/// `kid`); its type and `alg` must match the header's `alg`. Header-supplied keys (`jwk`, `jku`,
/// `x5c`, `x5u`) are ignored. GQ256 is refused here: a GQ proof only means something inside a PK
/// token, see [`crate::verify_jwt`].
pub fn verify_compact(token: &str, jwks: &Jwks) -> Result<Vec<u8>, VerifyError> {
    let jws = CompactJws::parse(token)?;
    let header = Header::decode(jws.header_b64, "JWS header")?;
    let alg = Alg::parse(header.alg(), "JWS header")?;
    if alg == Alg::Gq256 {
        return Err(VerifyError::UnsupportedAlg {
            what: "JWS header",
            alg: "GQ256".into(),
        });
    }
    let jwk = match header.kid() {
        Some(kid) => jwks.find(kid),
        None if jwks.keys().len() == 1 => jwks.keys().first(),
        None => None,
    }
    .ok_or_else(|| VerifyError::KeyNotFound {
        issuer: String::new(),
        kid: header.kid().unwrap_or_default().to_owned(),
    })?;
    if jwk.alg.as_deref().is_some_and(|a| a != alg.as_str()) {
        return Err(VerifyError::KeyAlgMismatch {
            alg: alg.as_str().into(),
        });
    }
    let sig = b64::decode_url(jws.signature_b64, "JWS signature")?;
    let input = jws.signing_input();
    let ok = match (alg, &jwk.key) {
        (Alg::Rs256, PublicKey::Rsa(k)) => rs256::verify(k, input.as_bytes(), &sig),
        (Alg::Es256, PublicKey::Ec(k)) => es256::verify(k, input.as_bytes(), &sig),
        _ => {
            return Err(VerifyError::KeyAlgMismatch {
                alg: alg.as_str().into(),
            })
        }
    };
    if !ok {
        return Err(VerifyError::OpSignatureInvalid {
            scheme: alg.as_str(),
        });
    }
    b64::decode_url(jws.payload_b64, "JWS payload")
}

/// `a "." b` as bytes.
pub fn signing_input(a: &str, b: &str) -> String {
    let mut s = String::with_capacity(a.len() + b.len() + 1);
    s.push_str(a);
    s.push('.');
    s.push_str(b);
    s
}

/// A decoded protected header: raw bytes (what commitments hash) and the parsed object.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The decoded header bytes exactly as signed.
    pub raw: Vec<u8>,
    /// The parsed object (duplicate keys already rejected).
    pub map: Map<String, Value>,
}

impl Header {
    /// Decodes and parses a protected header segment. `crit` and `b64` are refused: this verifier
    /// implements no extensions, so it must not accept a header that demands one.
    pub fn decode(segment: &str, what: &'static str) -> Result<Self, VerifyError> {
        let raw = b64::decode_url(segment, what)?;
        let map = json::parse_object(&raw, what)?;
        if map.contains_key("crit") || map.contains_key("b64") {
            return Err(VerifyError::UnsupportedCritical { what });
        }
        Ok(Self { raw, map })
    }

    pub(crate) fn fields(&self, what: &'static str) -> Fields<'_> {
        Fields::new(&self.map, what)
    }

    /// The `alg` value if it is a string.
    pub fn alg(&self) -> Option<&str> {
        self.map.get("alg").and_then(Value::as_str)
    }
    /// The `kid` value if it is a string.
    pub fn kid(&self) -> Option<&str> {
        self.map.get("kid").and_then(Value::as_str)
    }
    /// The `typ` value if it is a string.
    pub fn typ(&self) -> Option<&str> {
        self.map.get("typ").and_then(Value::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_is_checked_before_splitting() {
        assert!(CompactJws::parse("a.b.c").is_ok());
        for (bad, reason) in [
            ("a.b", "expected exactly three parts"),
            ("a.b.c.d", "expected exactly three parts"),
            ("a.b.", "empty signature"),
            (".b.c", "empty header"),
        ] {
            assert_eq!(
                CompactJws::parse(bad),
                Err(VerifyError::MalformedJws { reason })
            );
        }
    }

    #[test]
    fn crit_and_b64_are_refused() {
        let seg = b64::encode_url(br#"{"alg":"RS256","crit":["exp"]}"#);
        assert_eq!(
            Header::decode(&seg, "h"),
            Err(VerifyError::UnsupportedCritical { what: "h" })
        );
        let seg = b64::encode_url(br#"{"alg":"RS256","b64":false}"#);
        assert_eq!(
            Header::decode(&seg, "h"),
            Err(VerifyError::UnsupportedCritical { what: "h" })
        );
    }
}
