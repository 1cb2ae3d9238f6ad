//! The dev issuer's RSA-2048 signing key: generated from the operating system's CSPRNG, or
//! loaded from / saved to a private JWK file (RFC 7518 §6.3: `n`, `e`, `d`, `p`, `q`; mode 0600),
//! published as a JWKS, and used to sign RS256 ID tokens (PKCS#1 v1.5 with blinding).

use getrandom::rand_core::UnwrapErr;
use getrandom::SysRng;
use opk_verify::b64;
use opk_verify::limits::Limit;
use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _};
use rsa::traits::{PrivateKeyParts as _, PublicKeyParts as _};
use rsa::{BoxedUint, PrivateKey};
use serde_json::{json, Value};
use sha2::Digest as _;

/// A dev issuer key.
pub struct IssuerKey {
    key: PrivateKey,
    /// Its key id: the RFC 7638 thumbprint, so a new key never reuses an old id.
    pub kid: String,
}

impl std::fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IssuerKey({})", self.kid)
    }
}

impl IssuerKey {
    /// A fresh RSA-2048 key (e = 65537).
    pub fn generate() -> Result<Self, String> {
        let key =
            PrivateKey::new(&mut SysRng, 2048).map_err(|e| format!("RSA key generation: {e}"))?;
        Ok(Self::from_key(key))
    }

    fn from_key(key: PrivateKey) -> Self {
        let jwk = format!(
            r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
            b64::encode_url(&key.e_bytes()),
            b64::encode_url(&key.n_bytes())
        );
        let kid = b64::encode_url(&sha2::Sha256::digest(jwk.as_bytes()));
        Self { key, kid }
    }

    /// Loads the private JWK at `path`, or generates a key and saves it there when the file does
    /// not exist.
    pub fn load_or_create(path: &str) -> Result<Self, String> {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate()?;
                write_private(path, key.private_jwk().to_string().as_bytes())
                    .map_err(|e| format!("writing {path}: {e}"))?;
                Ok(key)
            }
            _ => {
                let bytes = crate::input::read_limited(path, Limit::KeyFileBytes)?;
                Self::from_private_jwk(&bytes).map_err(|e| format!("{path}: {e}"))
            }
        }
    }

    /// Parses a private RSA JWK (two primes).
    pub fn from_private_jwk(bytes: &[u8]) -> Result<Self, String> {
        let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
        if v["kty"] != "RSA" {
            return Err("not an RSA JWK".into());
        }
        let int = |name: &str| -> Result<BoxedUint, String> {
            let s = v[name]
                .as_str()
                .ok_or_else(|| format!("private JWK without {name}"))?;
            let bytes = b64::decode_url(s, "private JWK").map_err(|e| format!("{name}: {e}"))?;
            let bits = u32::try_from(bytes.len() * 8).map_err(|_| format!("{name} too large"))?;
            BoxedUint::from_be_slice(&bytes, bits.max(64)).map_err(|e| format!("{name}: {e}"))
        };
        let key = PrivateKey::from_components(
            int("n")?,
            int("e")?,
            int("d")?,
            vec![int("p")?, int("q")?],
        )
        .map_err(|e| format!("invalid RSA key: {e}"))?;
        if key.size() != 256 || key.e_bytes().as_ref() != [1, 0, 1] {
            return Err("the dev issuer key must be RSA-2048 with e = 65537".into());
        }
        Ok(Self::from_key(key))
    }

    /// The private JWK (for `--key` files only; never served).
    pub fn private_jwk(&self) -> Value {
        let primes = self.key.primes();
        let prime = |i: usize| {
            primes
                .get(i)
                .map(|p| b64::encode_url(&p.to_be_bytes_trimmed_vartime()))
                .unwrap_or_default()
        };
        json!({"kty": "RSA", "kid": self.kid,
               "n": b64::encode_url(&self.key.n_bytes()), "e": b64::encode_url(&self.key.e_bytes()),
               "d": b64::encode_url(&self.key.d().to_be_bytes_trimmed_vartime()),
               "p": prime(0), "q": prime(1)})
    }

    /// The public JWKS, marked as the dev issuer `issuer`'s (see [`opk_verify::DEV_ISSUER_MEMBER`]).
    pub fn jwks(&self, issuer: &str) -> Value {
        json!({"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid,
                         "n": b64::encode_url(&self.key.n_bytes()),
                         "e": b64::encode_url(&self.key.e_bytes())}],
               opk_verify::DEV_ISSUER_MEMBER: issuer})
    }

    /// A compact RS256 JWT over `claims` (header `alg`, `kid`, `typ` as GitHub writes them).
    pub fn sign_jwt(&self, claims: &Value) -> Result<String, String> {
        let header = json!({"alg": "RS256", "kid": self.kid, "typ": "JWT"});
        let input = format!(
            "{}.{}",
            b64::encode_url(header.to_string().as_bytes()),
            b64::encode_url(claims.to_string().as_bytes())
        );
        let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(self.key.clone());
        let sig = signer
            .try_sign_with_rng(&mut UnwrapErr(SysRng), input.as_bytes())
            .map_err(|e| format!("RS256 signing: {e}"))?;
        Ok(format!("{input}.{}", b64::encode_url(&sig.to_vec())))
    }
}

#[cfg(unix)]
fn write_private(path: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?
        .write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use opk_verify::jose::{jws, Jwks};

    const KEY: &[u8] = include_bytes!("../../testkit/keys/dev_op_rsa2048.jwk.json");

    #[test]
    fn a_saved_key_loads_signs_rs256_and_publishes_its_jwks() {
        let key = IssuerKey::from_private_jwk(KEY).unwrap();
        let again = IssuerKey::from_private_jwk(key.private_jwk().to_string().as_bytes()).unwrap();
        assert_eq!(key.kid, again.kid);
        let jwks_json = key.jwks("http://127.0.0.1:1").to_string();
        assert!(!jwks_json.contains("\"d\""), "the JWKS is public");
        let jwks = Jwks::from_json(jwks_json.as_bytes()).unwrap();
        let jwt = key
            .sign_jwt(&json!({"iss": "http://127.0.0.1:1", "n": 1}))
            .unwrap();
        let payload = jws::verify_compact(&jwt, &jwks).unwrap();
        assert_eq!(payload, br#"{"iss":"http://127.0.0.1:1","n":1}"#);
        let mut forged = jwt.clone();
        forged.replace_range(forged.len() - 3.., "AAA");
        assert!(jws::verify_compact(&forged, &jwks).is_err());
    }

    #[test]
    fn bad_key_files_are_refused() {
        let v: Value = serde_json::from_slice(KEY).unwrap();
        for (field, value) in [
            ("kty", json!("EC")),
            ("d", json!("AQAB")),
            ("p", Value::Null),
        ] {
            let mut bad = v.clone();
            bad[field] = value;
            assert!(
                IssuerKey::from_private_jwk(bad.to_string().as_bytes()).is_err(),
                "{field}"
            );
        }
        assert!(IssuerKey::from_private_jwk(b"not json").is_err());
    }
}
