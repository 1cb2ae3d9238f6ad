//! Signing one in-toto statement as Docker's BuildKit fork does (spec §2.2): a fresh ephemeral
//! P-256 key per statement (held in memory only, dropped after use), a CIC whose `att` is the
//! hex SHA-256 of the statement's PAE, an ID token whose audience is the commitment, a GQ proof
//! replacing the issuer's RSA signature, and a DSSE envelope with keyid `OPK`. Every envelope
//! is verified with opk-verify before it is returned.

use getrandom::rand_core::TryRng as _;
use getrandom::SysRng;
use opk_registry::NativeTransport;
use opk_verify::jose::RsaKey;
use opk_verify::sign::{self, EphemeralKey, SignFormat};
use opk_verify::{verify_envelope, ExpectedSubject, JwksFile, Policy, TrustRoots, UnixTime};

use crate::oidc::{self, Provider};

/// The issuer that signed, as found at signing time, with the trust and policy every new
/// envelope is checked against (built once per issuer key).
#[derive(Debug, Clone)]
pub struct Issuer {
    /// `iss`.
    pub url: String,
    /// Whether its JWKS is an `opk dev-op` one.
    pub dev: bool,
    trust: TrustRoots,
    policy: Policy,
}

/// Signs statements with one provider, caching the issuer key by `kid`.
pub struct Signer {
    provider: Provider,
    format: SignFormat,
    http: NativeTransport,
    keys: Vec<(String, Issuer, RsaKey)>,
}

fn random<const N: usize>() -> Result<[u8; N], String> {
    let mut b = [0u8; N];
    SysRng
        .try_fill_bytes(&mut b)
        .map_err(|e| format!("random bytes: {e}"))?;
    Ok(b)
}

impl Signer {
    /// A signer writing `format`.
    pub fn new(provider: Provider, format: SignFormat) -> Self {
        Self {
            provider,
            format,
            http: NativeTransport::default(),
            keys: Vec::new(),
        }
    }

    /// The DSSE envelope over `statement`, verified for `subject_hex` (and `purl`) at `now`.
    pub fn sign(
        &mut self,
        statement: &[u8],
        subject_hex: &str,
        purl: &str,
        now: UnixTime,
    ) -> Result<(Vec<u8>, Issuer), String> {
        let ephemeral = loop {
            // A 32-byte string is a valid P-256 scalar except with probability ~2^-32.
            if let Ok(k) = EphemeralKey::from_secret(&random::<32>()?) {
                break k;
            }
        };
        let att = sign::att_for(statement);
        let cic = sign::cic_header(&ephemeral, &att, &random::<32>()?, self.format);
        let commitment = sign::commitment(&cic);
        let id_token = self.provider.id_token(&self.http, &commitment)?;
        let (issuer, op_key) = self.issuer_key(&id_token)?;
        let mut rng_error = None;
        let mut fill = |buf: &mut [u8]| {
            if let Err(e) = SysRng.try_fill_bytes(buf) {
                rng_error = Some(e.to_string());
            }
        };
        let token = sign::pk_token(self.format, &id_token, &op_key, &ephemeral, &cic, &mut fill)
            .map_err(|e| format!("{}: {e}", e.code()))?;
        if let Some(e) = rng_error {
            return Err(format!("random bytes: {e}"));
        }
        drop(ephemeral);
        let envelope = sign::dsse_envelope(statement, &[token]);
        self_check(&envelope, &issuer, subject_hex, purl, now)?;
        Ok((envelope, issuer))
    }

    fn issuer_key(&mut self, id_token: &str) -> Result<(Issuer, RsaKey), String> {
        let header = id_token.split('.').next().unwrap_or_default().to_owned();
        if let Some((_, i, k)) = self.keys.iter().find(|(h, _, _)| *h == header) {
            return Ok((i.clone(), k.clone()));
        }
        let (url, jwks, key) = oidc::issuer_key(&self.http, id_token)?;
        let file = JwksFile::parse(&jwks).map_err(|e| format!("{}: {e}", e.code()))?;
        let mut trust = TrustRoots::empty();
        trust
            .add_jwks_file(&file, &url, "issuer JWKS fetched at signing")
            .map_err(|e| format!("{}: {e}", e.code()))?;
        // Any identity: the signer is whoever the issuer says; the check is the binding.
        let policy = Policy::builder()
            .issuer(url.clone())
            .any_identity_unsafe()
            .build()
            .map_err(|e| e.to_string())?;
        let issuer = Issuer {
            url,
            dev: file.dev_issuer.is_some(),
            trust,
            policy,
        };
        self.keys.push((header, issuer.clone(), key.clone()));
        Ok((issuer, key))
    }
}

/// Verifies a fresh envelope with the issuer's published keys, bound to the subject.
fn self_check(
    envelope: &[u8],
    issuer: &Issuer,
    subject_hex: &str,
    purl: &str,
    now: UnixTime,
) -> Result<(), String> {
    let subject = ExpectedSubject::digest(subject_hex).with_name(purl);
    verify_envelope(envelope, subject, &issuer.trust, &issuer.policy, now)
        .map(drop)
        .map_err(|r| {
            format!(
                "the new envelope does not verify ({}: {}); nothing was pushed",
                r.error.code(),
                r.error
            )
        })
}
