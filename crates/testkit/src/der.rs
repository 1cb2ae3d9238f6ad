//! A minimal DER writer for forging test certificates, SCT extensions and CMS structures:
//! tag-length-value, SEQUENCE/SET, OIDs from dotted text, INTEGERs, strings and X.509 times.
//! Test input only (panics on malformed OIDs).

use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};

/// `tag` `length` `content`.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

/// A SEQUENCE of `parts`.
pub fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// A SET of `parts` (in the order given: callers pass them sorted).
pub fn set(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x31, &parts.concat())
}

/// An OBJECT IDENTIFIER from its dotted form.
pub fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').map(|a| a.parse().unwrap()).collect();
    let mut body = Vec::new();
    for arc in std::iter::once(arcs[0] * 40 + arcs[1]).chain(arcs[2..].iter().copied()) {
        let mut chunk = vec![(arc & 0x7f) as u8];
        let mut rest = arc >> 7;
        while rest > 0 {
            chunk.push(0x80 | (rest & 0x7f) as u8);
            rest >>= 7;
        }
        chunk.reverse();
        body.extend_from_slice(&chunk);
    }
    tlv(0x06, &body)
}

/// A non-negative INTEGER from big-endian bytes (leading zeros dropped, a sign byte added).
pub fn uint(be: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = be.iter().copied().skip_while(|b| *b == 0).collect();
    let mut body = if trimmed.is_empty() { vec![0] } else { trimmed };
    if body[0] & 0x80 != 0 {
        body.insert(0, 0);
    }
    tlv(0x02, &body)
}

/// A UTF8String.
pub fn utf8(s: &str) -> Vec<u8> {
    tlv(0x0c, s.as_bytes())
}

/// An OCTET STRING.
pub fn octets(bytes: &[u8]) -> Vec<u8> {
    tlv(0x04, bytes)
}

/// A BIT STRING with no unused bits.
pub fn bits(bytes: &[u8]) -> Vec<u8> {
    let mut body = vec![0];
    body.extend_from_slice(bytes);
    tlv(0x03, &body)
}

/// BOOLEAN TRUE.
pub const TRUE: [u8; 3] = [0x01, 0x01, 0xff];

/// `[n]` EXPLICIT (constructed, context-specific).
pub fn explicit(n: u8, content: &[u8]) -> Vec<u8> {
    tlv(0xa0 | n, content)
}

/// `(year, month, day, hour, minute, second)` of a Unix time (UTC, proleptic Gregorian).
pub fn civil(unix: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400) as u32;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, secs / 3600, secs / 60 % 60, secs % 60)
}

/// An X.509 `Time`: UTCTime before 2050, GeneralizedTime from then on (RFC 5280 §4.1.2.5).
pub fn time(unix: i64) -> Vec<u8> {
    let (y, mo, d, h, mi, s) = civil(unix);
    if (1950..2050).contains(&y) {
        let text = format!("{:02}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z", y % 100);
        tlv(0x17, text.as_bytes())
    } else {
        generalized_time(unix)
    }
}

/// A GeneralizedTime (whole seconds, `Z`).
pub fn generalized_time(unix: i64) -> Vec<u8> {
    let (y, mo, d, h, mi, s) = civil(unix);
    let text = format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z");
    tlv(0x18, text.as_bytes())
}

/// A Name of one `CN` and, if given, one `O`.
pub fn name(common_name: &str, organization: Option<&str>) -> Vec<u8> {
    let mut rdns = Vec::new();
    if let Some(o) = organization {
        rdns.push(set(&[seq(&[oid("2.5.4.10"), utf8(o)])]));
    }
    rdns.push(set(&[seq(&[oid("2.5.4.3"), utf8(common_name)])]));
    seq(&rdns)
}

/// One X.509 extension.
pub fn extension(id: &str, critical: bool, value: &[u8]) -> Vec<u8> {
    let mut parts = vec![oid(id)];
    if critical {
        parts.push(TRUE.to_vec());
    }
    parts.push(octets(value));
    seq(&parts)
}

/// The AlgorithmIdentifier of ecdsa-with-SHA256.
pub fn ecdsa_sha256() -> Vec<u8> {
    seq(&[oid("1.2.840.10045.4.3.2")])
}

/// The P-256 key's SubjectPublicKeyInfo.
pub fn spki(key: &SigningKey) -> Vec<u8> {
    let point = key.verifying_key().to_sec1_point(false);
    seq(&[
        seq(&[oid("1.2.840.10045.2.1"), oid("1.2.840.10045.3.1.7")]),
        bits(point.as_bytes()),
    ])
}

/// A DER ECDSA P-256/SHA-256 signature over `msg`.
pub fn sign(key: &SigningKey, msg: &[u8]) -> Vec<u8> {
    let sig: Signature = key.sign(msg);
    sig.to_der().as_bytes().to_vec()
}

/// A certificate: `tbs` signed by `issuer` with ECDSA P-256/SHA-256.
pub fn certificate(tbs: Vec<u8>, issuer: &SigningKey) -> Vec<u8> {
    let sig = sign(issuer, &tbs);
    seq(&[tbs, ecdsa_sha256(), bits(&sig)])
}

/// A self-signed root CA certificate for `key`: serial 1, `subject` as issuer and subject,
/// valid `validity` (Unix seconds), key usage keyCertSign and cRLSign, basic constraints CA —
/// both critical.
pub fn self_signed_ca(key: &SigningKey, subject: Vec<u8>, validity: (i64, i64)) -> Vec<u8> {
    let tbs = seq(&[
        explicit(0, &uint(&[2])),
        uint(&[1]),
        ecdsa_sha256(),
        subject.clone(),
        seq(&[time(validity.0), time(validity.1)]),
        subject,
        spki(key),
        explicit(
            3,
            &seq(&[
                extension("2.5.29.15", true, &[0x03, 0x02, 0x01, 0x06]),
                extension("2.5.29.19", true, &seq(&[TRUE.to_vec()])),
            ]),
        ),
    ]);
    certificate(tbs, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_encode_as_der() {
        assert_eq!(oid("2.5.29.15"), [0x06, 0x03, 0x55, 0x1d, 0x0f]);
        assert_eq!(
            oid("1.2.840.10045.4.3.2"),
            [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]
        );
    }

    #[test]
    fn times_are_utc_or_generalized() {
        assert_eq!(time(0), tlv(0x17, b"700101000000Z"));
        assert_eq!(time(1_698_142_000), tlv(0x17, b"231024100640Z"));
        assert_eq!(time(2_556_144_000), tlv(0x18, b"20510101000000Z"));
    }

    #[test]
    fn integers_keep_their_sign_byte() {
        assert_eq!(uint(&[0, 0, 5]), [0x02, 0x01, 0x05]);
        assert_eq!(uint(&[0x80]), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(uint(&[]), [0x02, 0x01, 0x00]);
    }
}
