//! OCI content addressing: [`Digest`] (sha256 only, strict), descriptors, image manifests and
//! indexes parsed strictly with limits, blob verification over the exact bytes, and discovery of
//! the BuildKit attestation manifests that describe a platform image.
//!
//! Annotations and media types are unsigned hints for *finding* attestations; the decision is
//! always made on the signed statement (security.md §4.3).

use core::fmt;
use std::collections::BTreeMap;

use std::borrow::Cow;

use serde_json::value::RawValue;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::json;
use crate::json::raw::{Members, Unknown};
use crate::limits::{self, Limit};
use crate::VerifyError;

/// OCI image index media type.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI image manifest media type.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// Docker manifest list media type.
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Docker image manifest media type.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Annotation naming an attestation manifest's kind.
pub const REFERENCE_TYPE: &str = "vnd.docker.reference.type";
/// Annotation naming the image an attestation manifest describes.
pub const REFERENCE_DIGEST: &str = "vnd.docker.reference.digest";
/// The older spelling of [`REFERENCE_DIGEST`].
pub const REFERENCE_DIGEST_COM: &str = "com.docker.reference.digest";

/// A `sha256:<64 lowercase hex>` digest. Other algorithms, upper case and wrong lengths are
/// refused, never silently accepted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest(String);

impl Digest {
    /// Parses `sha256:<64 lowercase hex>`.
    pub fn parse(s: &str) -> Result<Self, VerifyError> {
        match s.strip_prefix("sha256:") {
            Some(hex) if crate::hex::is_lower_hex(hex, 64) => Ok(Self(s.to_owned())),
            _ => Err(VerifyError::InvalidField {
                what: "OCI digest",
                field: "digest",
            }),
        }
    }
    /// The sha256 digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(format!(
            "sha256:{}",
            crate::hex::encode(&Sha256::digest(bytes))
        ))
    }
    /// The 64 hex digits.
    pub fn hex(&self) -> &str {
        self.0.get(7..).unwrap_or_default()
    }
    /// The whole `sha256:…` string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A platform (`os/architecture[/variant]`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Platform {
    /// e.g. `linux`.
    pub os: String,
    /// e.g. `amd64`.
    pub architecture: String,
    /// e.g. `v8`.
    pub variant: Option<String>,
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// A content descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    /// `mediaType`.
    pub media_type: String,
    /// `digest`.
    pub digest: Digest,
    /// `size` in bytes.
    pub size: u64,
    /// `annotations` (string values only).
    pub annotations: BTreeMap<String, String>,
    /// `platform`, in index entries.
    pub platform: Option<Platform>,
    /// `artifactType` (referrers listings copy it from the referring manifest: routing data,
    /// never authenticated).
    pub artifact_type: Option<String>,
}

impl Descriptor {
    /// Parses one descriptor object (strict, as inside an index or manifest).
    pub fn from_value(v: &Value) -> Result<Self, VerifyError> {
        let text = serde_json::to_string(v).map_err(|_| VerifyError::MalformedJson {
            what: "OCI descriptor",
        })?;
        let raw =
            serde_json::from_str::<&RawValue>(&text).map_err(|_| VerifyError::MalformedJson {
                what: "OCI descriptor",
            })?;
        Self::from_raw(raw, &core::cell::Cell::new(limits::MAX_ANNOTATIONS))
    }

    /// Parses one descriptor read in place from a larger document (nothing else of it is
    /// built): known members typed, others skipped strictly; its annotations count against the
    /// document's `annotations` budget.
    pub(crate) fn from_raw(
        raw: &RawValue,
        annotations_left: &core::cell::Cell<usize>,
    ) -> Result<Self, VerifyError> {
        const WHAT: &str = "OCI descriptor";
        if !raw.get().starts_with('{') {
            return Err(VerifyError::InvalidField {
                what: WHAT,
                field: "descriptor",
            });
        }
        let m = json::raw::members_of(
            raw,
            WHAT,
            &[
                "mediaType",
                "digest",
                "size",
                "annotations",
                "platform",
                "artifactType",
            ],
            Unknown::Skip,
        )?;
        let size = m.get("size").ok_or(VerifyError::MissingField {
            what: WHAT,
            field: "size",
        })?;
        let size =
            serde_json::from_str::<u64>(size.get()).map_err(|_| VerifyError::InvalidField {
                what: WHAT,
                field: "size",
            })?;
        let mut annotations = BTreeMap::new();
        if let Some(a) = m.get("annotations") {
            let pairs = json::raw::string_map(
                a,
                WHAT,
                "annotations",
                annotations_left.get(),
                Limit::Annotations,
            )?;
            annotations_left.set(annotations_left.get() - pairs.len());
            for (k, v) in pairs {
                annotations.insert(k.into_owned(), v.into_owned());
            }
        }
        let platform = match m.get("platform") {
            None => None,
            Some(p) if !p.get().starts_with('{') => {
                return Err(VerifyError::InvalidField {
                    what: WHAT,
                    field: "platform",
                })
            }
            Some(p) => {
                let pm = json::raw::members_of(
                    p,
                    "OCI platform",
                    &["os", "architecture", "variant"],
                    Unknown::Skip,
                )?;
                Some(Platform {
                    os: pm.str("os")?.into_owned(),
                    architecture: pm.str("architecture")?.into_owned(),
                    variant: pm.opt_str("variant")?.map(Cow::into_owned),
                })
            }
        };
        let media_type = m.str("mediaType")?;
        if !valid_media_type(&media_type) {
            return Err(VerifyError::InvalidField {
                what: WHAT,
                field: "mediaType",
            });
        }
        let artifact_type = artifact_type(&m, WHAT)?;
        Ok(Self {
            media_type: media_type.into_owned(),
            digest: Digest::parse(&m.str("digest")?)?,
            size,
            annotations,
            platform,
            artifact_type,
        })
    }

    /// Checks fetched bytes against this descriptor: size first, then digest.
    pub fn verify(&self, bytes: &[u8]) -> Result<(), VerifyError> {
        let actual = Digest::of(bytes);
        let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if len != self.size || actual != self.digest {
            return Err(VerifyError::DigestMismatch {
                expected: format!("{} ({} bytes)", self.digest, self.size),
                actual: format!("{actual} ({len} bytes)"),
            });
        }
        Ok(())
    }

    /// True for a BuildKit attestation manifest entry.
    pub fn is_attestation_manifest(&self) -> bool {
        self.annotations.get(REFERENCE_TYPE).map(String::as_str) == Some("attestation-manifest")
    }

    /// The image digest an attestation manifest entry says it describes (an unsigned hint).
    pub fn attests(&self) -> Option<&str> {
        self.annotations
            .get(REFERENCE_DIGEST)
            .or_else(|| self.annotations.get(REFERENCE_DIGEST_COM))
            .map(String::as_str)
    }
}

/// RFC 6838 `type/subtype` with the image-spec's restricted-name characters.
fn valid_media_type(m: &str) -> bool {
    let name = |p: &str| {
        let b = p.as_bytes();
        !b.is_empty()
            && b.len() <= 127
            && b.first().is_some_and(u8::is_ascii_alphanumeric)
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(c))
    };
    m.split_once('/').is_some_and(|(t, st)| name(t) && name(st))
}

/// The `artifactType` member of `m`, if any, checked by [`valid_artifact_type`].
fn artifact_type(m: &Members<'_>, what: &'static str) -> Result<Option<String>, VerifyError> {
    let t = m.opt_str("artifactType")?.map(Cow::into_owned);
    if t.as_deref().is_some_and(|t| !valid_artifact_type(t)) {
        return Err(VerifyError::InvalidField {
            what,
            field: "artifactType",
        });
    }
    Ok(t)
}

/// An `artifactType`: a media type, optionally with parameters (older Sigstore bundles are
/// typed `application/vnd.dev.sigstore.bundle+json;version=0.2`) of visible ASCII.
fn valid_artifact_type(t: &str) -> bool {
    let (base, params) = t.split_once(';').unwrap_or((t, ""));
    valid_media_type(base) && params.len() <= 127 && params.bytes().all(|c| c.is_ascii_graphic())
}

fn descriptors(
    m: &Members<'_>,
    what: &'static str,
    field: &'static str,
    annotations_left: &core::cell::Cell<usize>,
) -> Result<Vec<Descriptor>, VerifyError> {
    m.array(field, limits::MAX_DESCRIPTORS, Limit::Descriptors)?
        .into_iter()
        .map(|d| Descriptor::from_raw(d, annotations_left))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| match e {
            VerifyError::InvalidField {
                field: "descriptor",
                ..
            } => VerifyError::InvalidField { what, field },
            other => other,
        })
}

/// What indexes and manifests share, read in place (nothing built beyond the fields kept): the
/// size cap, strict JSON, `schemaVersion` 2, a `mediaType` (when present) from `allowed`, and a
/// well-formed `subject` descriptor (when present); other members are skipped strictly.
fn parse_top_level<'a>(
    bytes: &'a [u8],
    what: &'static str,
    allowed: [&str; 2],
    members: &[&'static str],
    annotations_left: &core::cell::Cell<usize>,
) -> Result<(Members<'a>, Option<String>, Option<Descriptor>), VerifyError> {
    limits::check(
        bytes.len(),
        limits::MAX_MANIFEST_BYTES,
        Limit::ManifestBytes,
    )?;
    let mut known = vec!["schemaVersion", "mediaType", "subject"];
    known.extend_from_slice(members);
    let m = json::raw::members(bytes, what, &known, Unknown::Skip)?;
    if m.get("schemaVersion")
        .and_then(|v| serde_json::from_str::<u64>(v.get()).ok())
        != Some(2)
    {
        return Err(VerifyError::InvalidField {
            what,
            field: "schemaVersion",
        });
    }
    let media_type = m.opt_str("mediaType")?.map(Cow::into_owned);
    if media_type.as_deref().is_some_and(|t| !allowed.contains(&t)) {
        return Err(VerifyError::InvalidField {
            what,
            field: "mediaType",
        });
    }
    let subject = m
        .get("subject")
        .map(|s| Descriptor::from_raw(s, annotations_left))
        .transpose()?;
    Ok((m, media_type, subject))
}

/// Whether `bytes` is an index rather than an image manifest: it has a `manifests` member (read
/// in place: nothing of the document is built). Either parser then checks it strictly.
pub fn has_manifests_member(bytes: &[u8]) -> bool {
    core::str::from_utf8(bytes)
        .ok()
        .and_then(|text| serde_json::from_str::<&RawValue>(text).ok())
        .is_some_and(|doc| json::raw::lookup(doc, "manifests").is_some())
}

/// An image index (OCI) or manifest list (Docker).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// `mediaType`, if present.
    pub media_type: Option<String>,
    /// The entries.
    pub manifests: Vec<Descriptor>,
}

impl Index {
    /// Parses an index, bounded in size and entries; `mediaType`, when present, must be an index.
    pub fn parse(bytes: &[u8]) -> Result<Self, VerifyError> {
        const WHAT: &str = "OCI index";
        let left = core::cell::Cell::new(limits::MAX_ANNOTATIONS);
        let (m, media_type, _subject) = parse_top_level(
            bytes,
            WHAT,
            [OCI_INDEX, DOCKER_MANIFEST_LIST],
            &["manifests"],
            &left,
        )?;
        Ok(Self {
            media_type,
            manifests: descriptors(&m, WHAT, "manifests", &left)?,
        })
    }

    /// Platform image manifests: entries with a platform that are not attestation manifests
    /// (so attestations never show up as an `unknown/unknown` platform).
    pub fn images(&self) -> impl Iterator<Item = &Descriptor> {
        self.manifests
            .iter()
            .filter(|d| !d.is_attestation_manifest() && d.platform.is_some())
    }

    /// The image manifest for `platform` (`os/arch[/variant]`).
    pub fn image_for(&self, platform: &str) -> Option<&Descriptor> {
        self.images().find(|d| {
            d.platform
                .as_ref()
                .is_some_and(|p| p.to_string() == platform)
        })
    }

    /// The attestation manifests whose annotation names `image` (capped).
    pub fn attestations_for(&self, image: &Digest) -> Result<Vec<&Descriptor>, VerifyError> {
        let found: Vec<&Descriptor> = self
            .manifests
            .iter()
            .filter(|d| d.is_attestation_manifest() && d.attests() == Some(image.as_str()))
            .collect();
        limits::check(
            found.len(),
            limits::MAX_ATTESTATION_MANIFESTS,
            Limit::AttestationManifests,
        )?;
        Ok(found)
    }
}

/// An image manifest (OCI or Docker v2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// `mediaType`, if present.
    pub media_type: Option<String>,
    /// The config descriptor.
    pub config: Descriptor,
    /// The layers.
    pub layers: Vec<Descriptor>,
    /// `artifactType`, for artifacts stored as manifests (signatures, attestations, SBOMs).
    pub artifact_type: Option<String>,
    /// `subject`: the manifest this one refers to (OCI 1.1 referrers). Unauthenticated unless
    /// the manifest itself was fetched by digest; only signed content binds anything.
    pub subject: Option<Box<Descriptor>>,
}

impl Manifest {
    /// Parses an image manifest, bounded in size and layers.
    pub fn parse(bytes: &[u8]) -> Result<Self, VerifyError> {
        const WHAT: &str = "OCI manifest";
        let left = core::cell::Cell::new(limits::MAX_ANNOTATIONS);
        let (m, media_type, subject) = parse_top_level(
            bytes,
            WHAT,
            [OCI_MANIFEST, DOCKER_MANIFEST],
            &["config", "layers", "artifactType"],
            &left,
        )?;
        let artifact_type = artifact_type(&m, WHAT)?;
        let config = m.get("config").ok_or(VerifyError::MissingField {
            what: WHAT,
            field: "config",
        })?;
        Ok(Self {
            media_type,
            config: Descriptor::from_raw(config, &left)?,
            layers: descriptors(&m, WHAT, "layers", &left)?,
            artifact_type,
            subject: subject.map(Box::new),
        })
    }

    /// Attestation layers: DSSE-wrapped in-toto (`application/vnd.in-toto.*+dsse`, signed) and
    /// plain in-toto (`application/vnd.in-toto+json`, unsigned), in manifest order.
    pub fn attestation_layers(&self) -> impl Iterator<Item = (&Descriptor, bool)> {
        self.layers.iter().filter_map(|d| {
            let m = d.media_type.as_str();
            if m.starts_with("application/vnd.in-toto.") && m.ends_with("+dsse") {
                Some((d, true))
            } else if m == "application/vnd.in-toto+json" {
                Some((d, false))
            } else {
                None
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8";

    #[test]
    fn digests_are_strict() {
        assert_eq!(Digest::parse(&format!("sha256:{H}")).unwrap().hex(), H);
        for bad in [
            format!("sha256:{}", H.to_uppercase()),
            format!("sha512:{H}"),
            format!("sha256:{}", &H[1..]),
            H.to_string(),
            format!("SHA256:{H}"),
        ] {
            assert!(Digest::parse(&bad).is_err(), "{bad}");
        }
        assert_eq!(
            Digest::of(b"").as_str(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    fn index() -> String {
        format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[
            {{"mediaType":"{OCI_MANIFEST}","digest":"sha256:{a}","size":10,"platform":{{"architecture":"amd64","os":"linux"}}}},
            {{"mediaType":"{OCI_MANIFEST}","digest":"sha256:{b}","size":10,"platform":{{"architecture":"arm64","os":"linux","variant":"v8"}}}},
            {{"mediaType":"{OCI_MANIFEST}","digest":"sha256:{c}","size":10,"platform":{{"architecture":"unknown","os":"unknown"}},
              "annotations":{{"vnd.docker.reference.digest":"sha256:{a}","vnd.docker.reference.type":"attestation-manifest"}}}},
            {{"mediaType":"{OCI_MANIFEST}","digest":"sha256:{d}","size":10,"platform":{{"architecture":"unknown","os":"unknown"}},
              "annotations":{{"com.docker.reference.digest":"sha256:{b}","vnd.docker.reference.type":"attestation-manifest"}}}}]}}"#,
            a = "a".repeat(64),
            b = "b".repeat(64),
            c = "c".repeat(64),
            d = "d".repeat(64)
        )
    }

    #[test]
    fn index_platforms_and_attestation_discovery() {
        let idx = Index::parse(index().as_bytes()).unwrap();
        let platforms: Vec<String> = idx
            .images()
            .map(|d| d.platform.as_ref().unwrap().to_string())
            .collect();
        assert_eq!(platforms, ["linux/amd64", "linux/arm64/v8"]);
        let amd = idx.image_for("linux/amd64").unwrap();
        let att = idx.attestations_for(&amd.digest).unwrap();
        assert_eq!(att.len(), 1);
        assert_eq!(att[0].digest.hex(), "c".repeat(64));
        let arm = idx.image_for("linux/arm64/v8").unwrap();
        assert_eq!(
            idx.attestations_for(&arm.digest).unwrap()[0].digest.hex(),
            "d".repeat(64)
        );
        assert!(idx.image_for("linux/s390x").is_none());
    }

    #[test]
    fn index_and_manifest_rules() {
        let bad_size = index().replacen("\"size\":10", "\"size\":-1", 1);
        assert_eq!(
            Index::parse(bad_size.as_bytes()),
            Err(VerifyError::InvalidField {
                what: "OCI descriptor",
                field: "size"
            })
        );
        let float = index().replacen("\"size\":10", "\"size\":1.5", 1);
        assert!(Index::parse(float.as_bytes()).is_err());
        let upper = index().replacen(&"a".repeat(64), &"A".repeat(64), 1);
        assert!(Index::parse(upper.as_bytes()).is_err());
        let wrong_type = index().replacen(OCI_INDEX, OCI_MANIFEST, 1);
        assert!(Index::parse(wrong_type.as_bytes()).is_err());
        let v1 = index().replacen("\"schemaVersion\":2", "\"schemaVersion\":1", 1);
        assert!(Index::parse(v1.as_bytes()).is_err());
        let big = vec![b' '; limits::MAX_MANIFEST_BYTES + 1];
        assert_eq!(
            Index::parse(&big),
            Err(VerifyError::LimitExceeded {
                limit: Limit::ManifestBytes
            })
        );
        let many = format!(
            r#"{{"schemaVersion":2,"manifests":[{}]}}"#,
            vec![format!(r#"{{"mediaType":"x","digest":"sha256:{H}","size":1}}"#); 1001].join(",")
        );
        assert_eq!(
            Index::parse(many.as_bytes()),
            Err(VerifyError::LimitExceeded {
                limit: Limit::Descriptors
            })
        );

        let m = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:{H}","size":2}},
            "layers":[{{"mediaType":"application/vnd.in-toto.provenance+dsse","digest":"sha256:{H}","size":3,"annotations":{{"in-toto.io/predicate-type":"https://slsa.dev/provenance/v0.2"}}}},
                      {{"mediaType":"application/vnd.in-toto+json","digest":"sha256:{H}","size":3}},
                      {{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:{H}","size":3}}]}}"#
        );
        let m = Manifest::parse(m.as_bytes()).unwrap();
        let kinds: Vec<bool> = m.attestation_layers().map(|(_, signed)| signed).collect();
        assert_eq!(kinds, [true, false]);
    }

    #[test]
    fn referrers_carry_artifact_type_and_subject() {
        let bundle = "application/vnd.dev.sigstore.bundle.v0.3+json";
        let m = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","artifactType":"{bundle}",
            "config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:{H}","size":2}},
            "layers":[{{"mediaType":"{bundle}","digest":"sha256:{H}","size":3}}],
            "subject":{{"mediaType":"{OCI_MANIFEST}","digest":"sha256:{H}","size":7}}}}"#
        );
        let m = Manifest::parse(m.as_bytes()).unwrap();
        assert_eq!(m.artifact_type.as_deref(), Some(bundle));
        assert_eq!(m.subject.unwrap().size, 7);
        let i = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[
            {{"mediaType":"{OCI_MANIFEST}","digest":"sha256:{H}","size":3,"artifactType":"application/vnd.dev.sigstore.bundle+json;version=0.2"}},
            {{"mediaType":"{OCI_MANIFEST}","digest":"sha256:{H}","size":3}}]}}"#
        );
        let i = Index::parse(i.as_bytes()).unwrap();
        assert_eq!(
            i.manifests[0].artifact_type.as_deref(),
            Some("application/vnd.dev.sigstore.bundle+json;version=0.2")
        );
        assert_eq!(i.manifests[1].artifact_type, None);
        for bad in ["", "bundle", "a/b; version=1", r"a/b;v=\u0001"] {
            let doc = format!(
                r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"{OCI_MANIFEST}","digest":"sha256:{H}","size":3,"artifactType":"{bad}"}}]}}"#
            );
            assert_eq!(
                Index::parse(doc.as_bytes()).unwrap_err(),
                VerifyError::InvalidField {
                    what: "OCI descriptor",
                    field: "artifactType"
                },
                "{bad}"
            );
        }
    }

    #[test]
    fn media_types() {
        for ok in [OCI_INDEX, "application/vnd.in-toto.provenance+dsse", "a/b"] {
            assert!(valid_media_type(ok), "{ok}");
        }
        for bad in ["", "invalid", "/b", "a/", "a/b/c", "a b/c", ".a/b"] {
            assert!(!valid_media_type(bad), "{bad}");
        }
    }

    #[test]
    fn blob_verification_checks_size_then_digest() {
        let d = Descriptor {
            media_type: "x".into(),
            digest: Digest::of(b"hello"),
            size: 5,
            annotations: BTreeMap::new(),
            platform: None,
            artifact_type: None,
        };
        assert_eq!(d.verify(b"hello"), Ok(()));
        assert!(matches!(
            d.verify(b"hellO"),
            Err(VerifyError::DigestMismatch { .. })
        ));
        assert!(matches!(
            d.verify(b"hello!"),
            Err(VerifyError::DigestMismatch { .. })
        ));
    }
}
