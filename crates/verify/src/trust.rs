//! Trust roots: OP keys by issuer and `kid`, each with where it came from and, when known, the
//! dated window in which it may have signed. The bundled GitHub Actions key history
//! (`public/trust/github-actions.json`, compiled from public JWKS snapshots) is embedded; callers
//! add JWKS on top, labelled as their own trust. Nothing is ever fetched at verify time (P14).

use crate::jose::{Jwk, Jwks, PublicKey, RsaKey};
use crate::json::{self, Fields};
use crate::time::UnixTime;
use crate::VerifyError;

/// The GitHub Actions OIDC issuer.
pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// The embedded GitHub Actions key history.
pub const BUNDLED_GITHUB_HISTORY: &[u8] =
    include_bytes!("../../../public/trust/github-actions.json");

/// The member `opk dev-op` adds to the JWKS it writes and serves, naming its issuer URL. A JWKS
/// carrying it is a development issuer's: trusted only because the user passed it, and labelled
/// [`KeySource::DevIssuer`] in every verdict.
pub const DEV_ISSUER_MEMBER: &str = "opk_dev_issuer";

/// A JWKS as a user supplies it (file, paste, URL): its keys and, for `opk dev-op`'s JWKS, the
/// issuer it names.
#[derive(Debug, Clone)]
pub struct JwksFile {
    /// The usable keys.
    pub jwks: Jwks,
    /// The issuer named by [`DEV_ISSUER_MEMBER`], if present.
    pub dev_issuer: Option<String>,
}

impl JwksFile {
    /// Parses a JWKS (bounded as [`Jwks::from_json`]); a [`DEV_ISSUER_MEMBER`] must be an
    /// `http://` or `https://` URL string.
    pub fn parse(bytes: &[u8]) -> Result<Self, VerifyError> {
        let jwks = Jwks::from_json(bytes)?;
        let map = json::parse_object(bytes, "JWKS")?;
        let dev_issuer = match map.get(DEV_ISSUER_MEMBER) {
            None => None,
            Some(serde_json::Value::String(s))
                if s.starts_with("https://") || s.starts_with("http://") =>
            {
                Some(s.clone())
            }
            Some(_) => {
                return Err(VerifyError::InvalidField {
                    what: "JWKS",
                    field: DEV_ISSUER_MEMBER,
                })
            }
        };
        Ok(Self { jwks, dev_issuer })
    }
}

/// Where a trusted key came from; shown with every verdict.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KeySource {
    /// The key history bundled with this build.
    Bundled,
    /// A JWKS the user supplied (file, pasted text or URL), named by `label`.
    UserSupplied {
        /// The file name or URL.
        label: String,
    },
    /// The local development issuer (`opk dev-op`); never trusted by default.
    DevIssuer {
        /// The file name or URL.
        label: String,
    },
}

impl KeySource {
    /// A short human description.
    pub fn describe(&self) -> String {
        match self {
            Self::Bundled => "bundled GitHub Actions key history".to_string(),
            Self::UserSupplied { label } => format!("user-supplied JWKS {label}"),
            Self::DevIssuer { label } => format!("dev issuer JWKS {label}"),
        }
    }
}

/// The inclusive window in which a key may have signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct KeyWindow {
    /// Earliest accepted `iat`.
    pub not_before: UnixTime,
    /// Latest accepted `iat`.
    pub not_after: UnixTime,
}

/// One trusted OP key.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    /// The issuer it signs for.
    pub issuer: String,
    /// Its key id.
    pub kid: String,
    /// The validated key.
    pub key: PublicKey,
    /// Where it came from.
    pub source: KeySource,
    /// When it may have signed, if known.
    pub window: Option<KeyWindow>,
}

/// A set of trusted OP keys.
#[derive(Debug, Clone, Default)]
pub struct TrustRoots {
    keys: Vec<TrustedKey>,
}

impl TrustRoots {
    /// No keys at all.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The bundled GitHub Actions key history.
    pub fn bundled() -> Result<Self, VerifyError> {
        let mut roots = Self::empty();
        roots.add_history(BUNDLED_GITHUB_HISTORY, &KeySource::Bundled)?;
        Ok(roots)
    }

    /// Adds a dated key history document (the format of `public/trust/github-actions.json`).
    pub fn add_history(&mut self, bytes: &[u8], source: &KeySource) -> Result<(), VerifyError> {
        const WHAT: &str = "key history";
        let map = json::parse_object(bytes, WHAT)?;
        let f = Fields::new(&map, WHAT);
        let issuer = f.str("issuer")?.to_owned();
        for entry in f.array("keys")? {
            let obj = entry.as_object().ok_or(VerifyError::InvalidField {
                what: WHAT,
                field: "keys",
            })?;
            let ef = Fields::new(obj, WHAT);
            let kid = ef.str("kid")?.to_owned();
            let jwk_obj = ef.opt_object("jwk")?.ok_or(VerifyError::MissingField {
                what: WHAT,
                field: "jwk",
            })?;
            let jwk = Jwk::from_object(jwk_obj)?.ok_or(VerifyError::WeakKey {
                reason: "history key is not a signature key",
            })?;
            let window = match ef.opt_object("window")? {
                None => None,
                Some(w) => {
                    let wf = Fields::new(w, WHAT);
                    let nb = wf
                        .opt_i64("not_before_unix")?
                        .ok_or(VerifyError::MissingField {
                            what: WHAT,
                            field: "not_before_unix",
                        })?;
                    let na = wf
                        .opt_i64("not_after_unix")?
                        .ok_or(VerifyError::MissingField {
                            what: WHAT,
                            field: "not_after_unix",
                        })?;
                    Some(KeyWindow {
                        not_before: UnixTime(nb),
                        not_after: UnixTime(na),
                    })
                }
            };
            self.insert(TrustedKey {
                issuer: issuer.clone(),
                kid,
                key: jwk.key,
                source: source.clone(),
                window,
            })?;
        }
        Ok(())
    }

    /// Adds every keyed entry of a JWKS as trusted for `issuer`, with no dated window.
    pub fn add_jwks(
        &mut self,
        issuer: &str,
        jwks: &Jwks,
        source: &KeySource,
    ) -> Result<(), VerifyError> {
        for jwk in jwks.keys() {
            let Some(kid) = jwk.kid.clone() else { continue };
            self.insert(TrustedKey {
                issuer: issuer.to_owned(),
                kid,
                key: jwk.key.clone(),
                source: source.clone(),
                window: None,
            })?;
        }
        Ok(())
    }

    /// Adds a user-supplied JWKS named `label`: a dev issuer's keys for its own issuer as
    /// [`KeySource::DevIssuer`], any other JWKS for `issuer` as [`KeySource::UserSupplied`].
    /// Returns the issuer the keys were added for.
    pub fn add_jwks_file(
        &mut self,
        file: &JwksFile,
        issuer: &str,
        label: &str,
    ) -> Result<String, VerifyError> {
        let label = label.to_owned();
        let (issuer, source) = match &file.dev_issuer {
            Some(dev) => (dev.clone(), KeySource::DevIssuer { label }),
            None => (issuer.to_owned(), KeySource::UserSupplied { label }),
        };
        self.add_jwks(&issuer, &file.jwks, &source)?;
        Ok(issuer)
    }

    fn insert(&mut self, key: TrustedKey) -> Result<(), VerifyError> {
        if let Some(prev) = self
            .keys
            .iter()
            .find(|k| k.issuer == key.issuer && k.kid == key.kid)
        {
            if same_key(&prev.key, &key.key) {
                return Ok(()); // the bundled entry (with its window) stays first
            }
            return Err(VerifyError::AmbiguousKey { kid: key.kid });
        }
        self.keys.push(key);
        Ok(())
    }

    /// The key of `issuer` with `kid`.
    pub fn find(&self, issuer: &str, kid: &str) -> Result<&TrustedKey, VerifyError> {
        self.keys
            .iter()
            .find(|k| k.issuer == issuer && k.kid == kid)
            .ok_or_else(|| VerifyError::KeyNotFound {
                issuer: issuer.to_owned(),
                kid: kid.to_owned(),
            })
    }

    /// All keys.
    pub fn keys(&self) -> &[TrustedKey] {
        &self.keys
    }
}

fn same_key(a: &PublicKey, b: &PublicKey) -> bool {
    match (a, b) {
        (PublicKey::Rsa(x), PublicKey::Rsa(y)) => x.modulus_bytes() == y.modulus_bytes(),
        (PublicKey::Ec(x), PublicKey::Ec(y)) => x.coordinates() == y.coordinates(),
        _ => false,
    }
}

/// The RSA key inside a trusted key, or the right error.
pub(crate) fn rsa_of(key: &TrustedKey) -> Result<&RsaKey, VerifyError> {
    match &key.key {
        PublicKey::Rsa(k) => Ok(k),
        PublicKey::Ec(_) => Err(VerifyError::KeyAlgMismatch {
            alg: "RS256".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwks_with(extra: &str) -> Vec<u8> {
        let roots = TrustRoots::bundled().unwrap();
        let PublicKey::Rsa(k) = &roots.keys()[0].key else {
            panic!("bundled keys are RSA")
        };
        let n = crate::b64::encode_url(k.modulus_bytes());
        format!(r#"{{"keys":[{{"kty":"RSA","kid":"dev-1","n":"{n}","e":"AQAB"}}]{extra}}}"#)
            .into_bytes()
    }

    #[test]
    fn a_dev_jwks_is_labelled_and_names_its_issuer() {
        let dev =
            JwksFile::parse(&jwks_with(r#","opk_dev_issuer":"http://127.0.0.1:9999""#)).unwrap();
        assert_eq!(dev.dev_issuer.as_deref(), Some("http://127.0.0.1:9999"));
        let mut roots = TrustRoots::empty();
        let issuer = roots
            .add_jwks_file(&dev, GITHUB_ACTIONS_ISSUER, "dev.json")
            .unwrap();
        assert_eq!(issuer, "http://127.0.0.1:9999");
        let k = roots.find("http://127.0.0.1:9999", "dev-1").unwrap();
        assert_eq!(
            k.source,
            KeySource::DevIssuer {
                label: "dev.json".into()
            }
        );
        assert!(k.source.describe().starts_with("dev issuer"));
        assert!(roots.find(GITHUB_ACTIONS_ISSUER, "dev-1").is_err());

        let plain = JwksFile::parse(&jwks_with("")).unwrap();
        assert_eq!(plain.dev_issuer, None);
        let mut roots = TrustRoots::empty();
        roots
            .add_jwks_file(&plain, GITHUB_ACTIONS_ISSUER, "mine.json")
            .unwrap();
        assert_eq!(
            roots.find(GITHUB_ACTIONS_ISSUER, "dev-1").unwrap().source,
            KeySource::UserSupplied {
                label: "mine.json".into()
            }
        );
        for bad in [r#","opk_dev_issuer":5"#, r#","opk_dev_issuer":"file:///x""#] {
            assert_eq!(
                JwksFile::parse(&jwks_with(bad)).unwrap_err(),
                VerifyError::InvalidField {
                    what: "JWKS",
                    field: DEV_ISSUER_MEMBER
                }
            );
        }
    }

    #[test]
    fn bundled_history_loads_with_windows() {
        let roots = TrustRoots::bundled().unwrap();
        assert_eq!(roots.keys().len(), 8);
        let k = roots
            .find(
                GITHUB_ACTIONS_ISSUER,
                "78167F727DEC5D801DD1C8784C704A1C880EC0E1",
            )
            .unwrap();
        assert_eq!(k.source, KeySource::Bundled);
        assert_eq!(k.window.unwrap().not_before, UnixTime(1641408442));
        assert!(roots
            .find(
                GITHUB_ACTIONS_ISSUER,
                "cc413527-173f-5a05-976e-9c52b1d7b431"
            )
            .unwrap()
            .window
            .is_none());
        assert_eq!(
            roots
                .find(
                    "https://accounts.google.com",
                    "78167F727DEC5D801DD1C8784C704A1C880EC0E1"
                )
                .unwrap_err(),
            VerifyError::KeyNotFound {
                issuer: "https://accounts.google.com".into(),
                kid: "78167F727DEC5D801DD1C8784C704A1C880EC0E1".into()
            }
        );
    }
}
