//! The writing side of the formats the verifier reads: CIC headers, commitments, PK tokens (F0
//! as Docker's BuildKit fork wrote them, F3 as openpubkey v0.25+ writes them), DSSE envelopes and
//! in-toto statements. Pure: the ephemeral key and all randomness come in as arguments, and
//! nothing here fetches a token or a key.
//!
//! Byte layout follows the Go reference (spec §2–§3, §7.2–§7.3): CIC header keys sorted
//! (`alg`, `att`, `rz`, [`typ`], `upk`), b64url without padding, F0 JSON with `sig_type` routing
//! and the CIC entry first, F3 JSON with the OP entry first and a sorted GQ256 header.

use p256::ecdsa::signature::Signer as _;
use serde_json::{json, Map, Value};
use sha2::Digest as _;

use crate::dsse::{pae, IN_TOTO_PAYLOAD_TYPE};
use crate::jose::RsaKey;
use crate::pktoken::Format;
use crate::{b64, gq, hex, VerifyError};

/// An ephemeral P-256 signing key (never serialised by this crate).
pub struct EphemeralKey(p256::ecdsa::SigningKey);

impl std::fmt::Debug for EphemeralKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EphemeralKey(<secret>)")
    }
}

impl EphemeralKey {
    /// The key with scalar `secret` (32 uniformly random bytes from the caller's CSPRNG).
    pub fn from_secret(secret: &[u8; 32]) -> Result<Self, VerifyError> {
        p256::ecdsa::SigningKey::from_slice(secret)
            .map(Self)
            .map_err(|_| VerifyError::InvalidField {
                what: "ephemeral key",
                field: "secret",
            })
    }

    /// The public key as the CIC's `upk` JWK (`alg`, `crv`, `kty`, `x`, `y`: sorted).
    pub fn upk(&self) -> Value {
        let point = self.0.verifying_key().to_sec1_point(false);
        let bytes = point.as_bytes();
        json!({"alg": "ES256", "crv": "P-256", "kty": "EC",
               "x": b64::encode_url(bytes.get(1..33).unwrap_or_default()),
               "y": b64::encode_url(bytes.get(33..65).unwrap_or_default())})
    }

    /// ES256 (RFC 6979, raw `r‖s`) over `input`, b64url.
    fn sign(&self, input: &str) -> String {
        let sig: p256::ecdsa::Signature = self.0.sign(input.as_bytes());
        b64::encode_url(&sig.to_bytes())
    }
}

/// Which PK token format to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignFormat {
    /// Docker's BuildKit fork (`docker verify`): original RS256 header, `sig_type` routing.
    F0,
    /// openpubkey v0.25+: GQ256 header (`jkt`, `kid`), `typ` routing, GQ over `GQHDR.P`.
    F3,
}

impl From<SignFormat> for Format {
    fn from(f: SignFormat) -> Self {
        match f {
            SignFormat::F0 => Format::F0,
            SignFormat::F3 => Format::F3,
        }
    }
}

/// `hex(SHA-256(PAE(application/vnd.in-toto+json, statement)))`: the CIC `att` claim.
pub fn att_for(statement: &[u8]) -> String {
    hex::encode(&sha2::Sha256::digest(pae(
        IN_TOTO_PAYLOAD_TYPE.as_bytes(),
        statement,
    )))
}

/// The CIC protected header JSON (sorted keys, as jwx writes them); `rz` is 32 random bytes.
pub fn cic_header(key: &EphemeralKey, att: &str, rz: &[u8; 32], format: SignFormat) -> String {
    let mut h = Map::new();
    h.insert("alg".into(), "ES256".into());
    h.insert("att".into(), att.into());
    h.insert("rz".into(), hex::encode(rz).into());
    if format == SignFormat::F3 {
        h.insert("typ".into(), "CIC".into());
    }
    h.insert("upk".into(), key.upk());
    // serde_json's Map is a BTreeMap here: keys come out sorted at every level.
    Value::Object(h).to_string()
}

/// The commitment: b64url(SHA3-256(CIC header bytes)), sent as `aud` (GitHub Actions) or `nonce`.
pub fn commitment(cic_header: &str) -> String {
    b64::encode_url(&opk_monty::sha3_256(cic_header.as_bytes()))
}

/// RFC 7638 SHA-256 thumbprint of the OP's RSA JWK (e = 65537), b64url: F3's `jkt`.
pub fn rsa_thumbprint(key: &RsaKey) -> String {
    let jwk = format!(
        r#"{{"e":"AQAB","kty":"RSA","n":"{}"}}"#,
        b64::encode_url(key.modulus_bytes())
    );
    b64::encode_url(&sha2::Sha256::digest(jwk.as_bytes()))
}

/// Builds a PK token from an RS256 ID token (compact `H.P.S`) issued for `commitment(cic_header)`,
/// replacing the OP's RSA signature with a GQ proof under `op_key`. `fill` supplies the GQ
/// randomness. The ID token must carry the commitment as `aud` or `nonce`.
pub fn pk_token(
    format: SignFormat,
    id_token: &str,
    op_key: &RsaKey,
    ephemeral: &EphemeralKey,
    cic_header: &str,
    fill: &mut dyn FnMut(&mut [u8]),
) -> Result<Vec<u8>, VerifyError> {
    let malformed = || VerifyError::MalformedJws {
        reason: "ID token is not a compact JWS with three segments",
    };
    let mut parts = id_token.trim().split('.');
    let (h, p, s) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(s), None) => (h, p, s),
        _ => return Err(malformed()),
    };
    let claims: Value =
        crate::json::parse_object(&b64::decode_url(p, "ID token payload")?, "ID token claims")
            .map(Value::Object)?;
    let c = commitment(cic_header);
    let commits = ["aud", "nonce"]
        .iter()
        .any(|k| claims.get(*k).and_then(Value::as_str) == Some(c.as_str()));
    if !commits {
        return Err(VerifyError::CommitmentMismatch { claim: "aud" });
    }
    let rsa_sig = b64::decode_url(s, "ID token signature")?;
    let identity = format!("{h}.{p}");
    let (op_protected, message) = match format {
        SignFormat::F0 => (h.to_owned(), identity.clone()),
        SignFormat::F3 => {
            let gq_header = b64::encode_url(
                format!(
                    r#"{{"alg":"GQ256","jkt":"{}","kid":"{h}","typ":"JWT"}}"#,
                    rsa_thumbprint(op_key)
                )
                .as_bytes(),
            );
            let m = format!("{gq_header}.{p}");
            (gq_header, m)
        }
    };
    let proof = gq::sign(
        op_key,
        identity.as_bytes(),
        &rsa_sig,
        message.as_bytes(),
        fill,
    )
    .ok_or(VerifyError::OpSignatureInvalid { scheme: "RS256" })?;
    let op_sig = b64::encode_url(&proof);
    let cic_protected = b64::encode_url(cic_header.as_bytes());
    let cic_sig = ephemeral.sign(&format!("{cic_protected}.{p}"));
    let json = match format {
        SignFormat::F0 => format!(
            r#"{{"payload":"{p}","signatures":[{{"protected":"{cic_protected}","header":{{"sig_type":"cic"}},"signature":"{cic_sig}"}},{{"protected":"{op_protected}","header":{{"sig_type":"oidc_gq"}},"signature":"{op_sig}"}}]}}"#
        ),
        SignFormat::F3 => format!(
            r#"{{"payload":"{p}","signatures":[{{"protected":"{op_protected}","signature":"{op_sig}"}},{{"protected":"{cic_protected}","signature":"{cic_sig}"}}]}}"#
        ),
    };
    Ok(json.into_bytes())
}

/// A DSSE envelope (BuildKit's layout: `payloadType`, `payload`, `signatures` with keyid `OPK`).
pub fn dsse_envelope(statement: &[u8], pk_tokens: &[Vec<u8>]) -> Vec<u8> {
    let sigs: Vec<String> = pk_tokens
        .iter()
        .map(|t| format!(r#"{{"keyid":"OPK","sig":"{}"}}"#, b64::encode_std(t)))
        .collect();
    format!(
        r#"{{"payloadType":"{IN_TOTO_PAYLOAD_TYPE}","payload":"{}","signatures":[{}]}}"#,
        b64::encode_std(statement),
        sigs.join(",")
    )
    .into_bytes()
}

/// An in-toto v0.1 statement in BuildKit's field order over `subjects` (purl name, sha256 hex);
/// `predicate` is embedded as the exact JSON bytes given (checked to be one JSON object).
pub fn statement(
    predicate_type: &str,
    subjects: &[(String, String)],
    predicate: &[u8],
) -> Result<Vec<u8>, VerifyError> {
    crate::json::parse_object(predicate, "predicate")?;
    let subjects: Vec<String> = subjects
        .iter()
        .map(|(name, hex)| json!({"name": name, "digest": {"sha256": hex}}).to_string())
        .collect();
    let mut out = format!(
        r#"{{"_type":"https://in-toto.io/Statement/v0.1","predicateType":{},"subject":[{}],"predicate":"#,
        Value::from(predicate_type),
        subjects.join(",")
    )
    .into_bytes();
    out.extend_from_slice(predicate.trim_ascii());
    out.push(b'}');
    Ok(out)
}
