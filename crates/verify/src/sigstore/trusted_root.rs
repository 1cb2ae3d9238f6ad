//! Sigstore trusted roots (`application/vnd.dev.sigstore.trustedroot+json;version=0.1`, and the
//! `…trustedroot.v0.2+json` spelling): the transparency logs (Rekor v1 and v2), certificate
//! authorities (Fulcio), CT logs and timestamp authorities a verification may rely on, each with
//! its validity window. Parsed strictly; a window must have a start (TOB-SIGSTORE-5); a key's
//! bytes must parse. Where a root came from is kept with it and shown in every result.

use std::borrow::Cow;

use serde_json::value::RawValue;

use super::keys::PublicKey;
use super::time::{parse_rfc3339, Millis, Window};
use crate::json::raw::{self, Unknown};
use crate::{b64, limits, VerifyError};

/// The Sigstore public-good instance's trusted root, as bundled (`public/trust/sigstore/`,
/// with its provenance).
pub const PUBLIC_GOOD: &[u8] =
    include_bytes!("../../../../public/trust/sigstore/public-good.trusted_root.json");
/// The label results show for [`PUBLIC_GOOD`]: the instance and the day it was taken.
pub const PUBLIC_GOOD_LABEL: &str = "Sigstore public good (bundled, taken 2026-12-07)";
/// GitHub's own Sigstore instance's trusted root (private-repository artifact attestations,
/// GitHub release attestations): Fulcio and timestamp authorities, no transparency logs.
pub const GITHUB: &[u8] =
    include_bytes!("../../../../public/trust/sigstore/github.trusted_root.json");
/// The label results show for [`GITHUB`].
pub const GITHUB_LABEL: &str = "GitHub's Sigstore instance (bundled, taken 2026-12-07)";

/// The media types a trusted root may declare.
pub const MEDIA_TYPES: [&str; 2] = [
    "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    "application/vnd.dev.sigstore.trustedroot.v0.2+json",
];

/// A transparency log (Rekor) or certificate-transparency log.
#[derive(Debug, Clone)]
pub struct LogInstance {
    /// `baseUrl`.
    pub base_url: String,
    /// The log's key.
    pub key: PublicKey,
    /// The key's DER (SPKI or PKCS#1, as given).
    pub key_der: Vec<u8>,
    /// `publicKey.keyDetails`.
    pub key_details: String,
    /// When the key was valid.
    pub valid_for: Window,
    /// `logId.keyId`: SHA-256 of the SPKI (Rekor v1, CT) or the C2SP checkpoint key id (v2).
    pub log_id: Vec<u8>,
}

/// A certificate authority (Fulcio) or timestamp authority: its chain, leaf first (the last
/// certificate is the trust anchor).
#[derive(Debug, Clone)]
pub struct Authority {
    /// `uri`.
    pub uri: String,
    /// `subject.commonName` / `organization`, for display.
    pub name: String,
    /// DER certificates, issuer-last.
    pub chain: Vec<Vec<u8>>,
    /// When the authority was valid.
    pub valid_for: Window,
}

/// Where a trusted root came from: shown in every result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootSource {
    /// Bundled with OPK Explorer: a label naming it and the date it was taken.
    Bundled {
        /// e.g. `Sigstore public good (2026-12-07)`.
        label: String,
    },
    /// Supplied by the user (a file or URL): user-supplied trust.
    UserSupplied {
        /// Its file name or URL.
        label: String,
    },
    /// A local development instance (a test or demo): never trusted by default.
    Dev {
        /// Its name.
        label: String,
    },
}

/// A trusted root to load: the bundled public-good one, or a document the user supplied.
/// [`load`] parses it; a caller that only holds one (the page, until a Sigstore signature is
/// found) keeps the parsing, and the code it needs, out of its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootInput<'a> {
    /// [`TrustedRoot::public_good`].
    PublicGood,
    /// [`TrustedRoot::parse_user`]: the document, and the file name or URL it came from.
    UserSupplied {
        /// The document.
        bytes: &'a [u8],
        /// Its file name or URL.
        label: &'a str,
    },
}

/// Loads the trusted root `input` names.
pub fn load(input: RootInput<'_>) -> Result<TrustedRoot, VerifyError> {
    match input {
        RootInput::PublicGood => TrustedRoot::public_good(),
        RootInput::UserSupplied { bytes, label } => TrustedRoot::parse_user(bytes, label),
    }
}

/// A parsed trusted root.
#[derive(Debug, Clone)]
pub struct TrustedRoot {
    /// Rekor logs.
    pub tlogs: Vec<LogInstance>,
    /// Fulcio certificate authorities.
    pub certificate_authorities: Vec<Authority>,
    /// Certificate-transparency logs.
    pub ctlogs: Vec<LogInstance>,
    /// RFC 3161 timestamp authorities.
    pub timestamp_authorities: Vec<Authority>,
    /// Where it came from.
    pub source: RootSource,
}

const WHAT: &str = "trusted root";

fn root_error(reason: &'static str) -> VerifyError {
    VerifyError::TrustedRootInvalid { reason }
}

impl TrustedRoot {
    /// The bundled public-good root.
    pub fn public_good() -> Result<Self, VerifyError> {
        Self::parse(
            PUBLIC_GOOD,
            RootSource::Bundled {
                label: PUBLIC_GOOD_LABEL.into(),
            },
        )
    }

    /// What results say about this root: its label, marked when it is the user's own trust
    /// or a development instance.
    pub fn label(&self) -> String {
        match &self.source {
            RootSource::Bundled { label } => label.clone(),
            RootSource::UserSupplied { label } => format!("{label} (user-supplied trust)"),
            RootSource::Dev { label } => format!("{label} (dev instance)"),
        }
    }

    /// The bundled root of GitHub's instance.
    pub fn github() -> Result<Self, VerifyError> {
        Self::parse(
            GITHUB,
            RootSource::Bundled {
                label: GITHUB_LABEL.into(),
            },
        )
    }

    /// Parses a trusted root the user supplied (a file or URL named `label`): user-supplied
    /// trust — or, when the document names itself a development instance (a string member
    /// `opkDevInstance`, as the demo's and the tests' local Sigstore writes), a dev instance.
    pub fn parse_user(bytes: &[u8], label: &str) -> Result<Self, VerifyError> {
        let dev = raw::members(bytes, WHAT, &["opkDevInstance"], Unknown::Skip)
            .ok()
            .and_then(|m| m.opt_str("opkDevInstance").ok().flatten())
            .map(|name| name.into_owned());
        let source = match dev {
            Some(name) => RootSource::Dev {
                label: format!("{name}, {label}"),
            },
            None => RootSource::UserSupplied {
                label: label.to_owned(),
            },
        };
        Self::parse(bytes, source)
    }

    /// Parses a trusted root JSON document (at most [`limits::MAX_TRUSTED_ROOT_BYTES`]).
    pub fn parse(bytes: &[u8], source: RootSource) -> Result<Self, VerifyError> {
        limits::check(
            bytes.len(),
            limits::MAX_TRUSTED_ROOT_BYTES,
            limits::Limit::TrustedRootBytes,
        )?;
        crate::json::check(bytes, WHAT)?;
        let m = raw::members(
            bytes,
            WHAT,
            &[
                "mediaType",
                "tlogs",
                "certificateAuthorities",
                "ctlogs",
                "timestampAuthorities",
                "opkDevInstance",
            ],
            Unknown::Skip,
        )?;
        let media = m.str("mediaType")?;
        if !MEDIA_TYPES.contains(&&*media) {
            return Err(root_error("unknown trusted root media type"));
        }
        let list = |name: &'static str| -> Result<Vec<&RawValue>, VerifyError> {
            match m.get(name) {
                None => Ok(Vec::new()),
                Some(_) => m.array(name, limits::MAX_ROOT_ENTRIES, limits::Limit::RootEntries),
            }
        };
        Ok(Self {
            tlogs: list("tlogs")?
                .into_iter()
                .map(log)
                .collect::<Result<_, _>>()?,
            certificate_authorities: list("certificateAuthorities")?
                .into_iter()
                .map(authority)
                .collect::<Result<_, _>>()?,
            ctlogs: list("ctlogs")?
                .into_iter()
                .map(log)
                .collect::<Result<_, _>>()?,
            timestamp_authorities: list("timestampAuthorities")?
                .into_iter()
                .map(authority)
                .collect::<Result<_, _>>()?,
            source,
        })
    }
}

fn window(raw_window: Option<&RawValue>) -> Result<Window, VerifyError> {
    let w = raw_window.ok_or(root_error("validFor missing"))?;
    let m = raw::members_of(w, WHAT, &["start", "end"], Unknown::Skip)?;
    let start = m
        .opt_str("start")?
        .ok_or(root_error("validFor without a start"))?;
    let start = parse_rfc3339(&start).ok_or(root_error("validFor.start is not RFC 3339"))?;
    let end = match m.opt_str("end")? {
        None => None,
        Some(e) => Some(parse_rfc3339(&e).ok_or(root_error("validFor.end is not RFC 3339"))?),
    };
    if end.is_some_and(|e: Millis| e < start) {
        return Err(root_error("validFor ends before it starts"));
    }
    Ok(Window { start, end })
}

fn bytes_of(value: Option<Cow<'_, str>>, what: &'static str) -> Result<Vec<u8>, VerifyError> {
    let text = value.ok_or(root_error("missing key bytes"))?;
    b64::decode_dsse(&text, what)
}

fn log(entry: &RawValue) -> Result<LogInstance, VerifyError> {
    let m = raw::members_of(
        entry,
        WHAT,
        &["baseUrl", "hashAlgorithm", "publicKey", "logId"],
        Unknown::Skip,
    )?;
    if m.opt_str("hashAlgorithm")?.is_some_and(|h| h != "SHA2_256") {
        return Err(root_error("log hash algorithm other than SHA2_256"));
    }
    let pk = m
        .get("publicKey")
        .ok_or(root_error("log without publicKey"))?;
    let pkm = raw::members_of(
        pk,
        WHAT,
        &["rawBytes", "keyDetails", "validFor"],
        Unknown::Skip,
    )?;
    let key_der = bytes_of(pkm.opt_str("rawBytes")?, "trusted root public key")?;
    let key_details = pkm.opt_str("keyDetails")?.unwrap_or_default().into_owned();
    let key = if key_details == "PKCS1_RSA_PKCS1V5" {
        PublicKey::from_pkcs1_der(&key_der)?
    } else {
        PublicKey::from_spki_der(&key_der)?
    };
    let log_id = m.get("logId").ok_or(root_error("log without logId"))?;
    let log_id = raw::members_of(log_id, WHAT, &["keyId"], Unknown::Skip)?;
    Ok(LogInstance {
        base_url: m.str("baseUrl")?.into_owned(),
        key,
        key_der,
        key_details,
        valid_for: window(pkm.get("validFor"))?,
        log_id: bytes_of(log_id.opt_str("keyId")?, "trusted root log id")?,
    })
}

fn authority(entry: &RawValue) -> Result<Authority, VerifyError> {
    let m = raw::members_of(
        entry,
        WHAT,
        &["subject", "uri", "certChain", "validFor"],
        Unknown::Skip,
    )?;
    let name = match m.get("subject") {
        Some(s) => {
            let sm = raw::members_of(s, WHAT, &["organization", "commonName"], Unknown::Skip)?;
            [sm.opt_str("organization")?, sm.opt_str("commonName")?]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" / ")
        }
        None => String::new(),
    };
    let chain = m
        .get("certChain")
        .ok_or(root_error("authority without certChain"))?;
    let chain = raw::members_of(chain, WHAT, &["certificates"], Unknown::Skip)?;
    let certs = chain.array(
        "certificates",
        limits::MAX_CHAIN_CERTIFICATES,
        limits::Limit::ChainCertificates,
    )?;
    let chain = certs
        .into_iter()
        .map(|c| {
            let cm = raw::members_of(c, WHAT, &["rawBytes"], Unknown::Skip)?;
            bytes_of(cm.opt_str("rawBytes")?, "trusted root certificate")
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Authority {
        uri: m.opt_str("uri")?.unwrap_or_default().into_owned(),
        name,
        chain,
        valid_for: window(m.get("validFor"))?,
    })
}
