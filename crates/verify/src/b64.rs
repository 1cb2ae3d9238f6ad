//! Strict base64: JOSE segments are base64url without padding and with a canonical last symbol;
//! DSSE fields are standard base64 with padding (URL-safe padded accepted, like Go). Whitespace is
//! never tolerated: every signature is over the literal string, so lenience only admits malleation.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;

use crate::VerifyError;

/// Decodes a base64url segment with no padding (RFC 7515 §2). Length is bounded by the caller.
pub fn decode_url(s: &str, what: &'static str) -> Result<Vec<u8>, VerifyError> {
    URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| VerifyError::BadBase64 { what })
}

/// Encodes base64url without padding.
pub fn encode_url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Encodes standard base64 with padding (DSSE fields).
pub fn encode_std(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Encodes standard-alphabet base64 without padding (the May-2023 nonce form).
pub(crate) fn encode_std_no_pad(bytes: &[u8]) -> String {
    STANDARD_NO_PAD.encode(bytes)
}

/// Decodes a DSSE field: standard base64 with canonical padding, else URL-safe with padding.
pub fn decode_dsse(s: &str, what: &'static str) -> Result<Vec<u8>, VerifyError> {
    STANDARD
        .decode(s)
        .or_else(|_| URL_SAFE.decode(s))
        .map_err(|_| VerifyError::BadBase64 { what })
}

/// Decodes JWK key material: base64url, tolerating up to two trailing `=` (seen in real published
/// JWKs); the rest must still be canonical. Only used for trust-root input, never signed data.
pub(crate) fn decode_jwk_member(s: &str, what: &'static str) -> Result<Vec<u8>, VerifyError> {
    let trimmed = s
        .strip_suffix("==")
        .or_else(|| s.strip_suffix('='))
        .unwrap_or(s);
    decode_url(trimmed, what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_rejects_padding_plus_slash_whitespace_and_noncanonical_bits() {
        assert_eq!(decode_url("Zm9v", "t").unwrap(), b"foo");
        for bad in ["Zm8=", "Zm+v", "Zm/v", "Zm9 v", "Zm9v\n", "Zm9vYh", "Z"] {
            assert_eq!(
                decode_url(bad, "t"),
                Err(VerifyError::BadBase64 { what: "t" }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn dsse_accepts_both_alphabets_padded_but_no_whitespace() {
        assert_eq!(decode_dsse("+/8=", "p").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(decode_dsse("-_8=", "p").unwrap(), vec![0xfb, 0xff]);
        for bad in ["+/8", "+/8=\n", " +/8="] {
            assert!(decode_dsse(bad, "p").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn round_trip_is_canonical() {
        for len in 0..40usize {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 % 256) as u8).collect();
            assert_eq!(decode_url(&encode_url(&data), "t").unwrap(), data);
            assert_eq!(decode_dsse(&encode_std(&data), "t").unwrap(), data);
        }
    }

    #[test]
    fn jwk_members_tolerate_trailing_padding_only() {
        assert_eq!(decode_jwk_member("AQAB", "e").unwrap(), vec![1, 0, 1]);
        assert_eq!(decode_jwk_member("AQ==", "e").unwrap(), vec![1]);
        assert!(decode_jwk_member("AQ===", "e").is_err());
        assert!(decode_jwk_member("A+Q=", "e").is_err());
    }
}
