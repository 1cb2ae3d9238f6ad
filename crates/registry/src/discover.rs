//! Finding what an image is made of and where its attestations are: the top-level object
//! (index or single manifest), its platform images, BuildKit attestation manifests in the index
//! (matched by the unsigned `vnd.docker.reference.digest` hint, so the signed statement's
//! subject decides), and referrers as a fallback. Every object is fetched by digest and checked.

use opk_verify::limits::{self, Limit};
use opk_verify::oci::{Descriptor, Digest, Index, Manifest, Platform};

use crate::client::{Client, Resolved};
use crate::transport::Transport;
use crate::{Reference, RegistryError};

/// The top-level object a reference names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopLevel {
    /// An image index or Docker manifest list.
    Index(Index),
    /// A single image manifest.
    Manifest(Box<Manifest>),
}

/// A fetched, digest-checked top-level object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// What was asked for.
    pub reference: Reference,
    /// How it resolved (the tag step, if any, is unverified).
    pub resolved: Resolved,
    /// The exact bytes (hash to `resolved.digest`).
    pub bytes: Vec<u8>,
    /// Parsed.
    pub top: TopLevel,
}

impl Image {
    /// Resolves `reference` and fetches its top-level object by digest.
    pub async fn fetch<T: Transport>(
        client: &Client<T>,
        reference: &Reference,
    ) -> Result<Self, RegistryError> {
        let resolved = client.resolve(reference).await?;
        let bytes = client.manifest(reference, &resolved.digest, None).await?;
        let top = parse_top_level(&bytes)?;
        Ok(Self {
            reference: reference.clone(),
            resolved,
            bytes,
            top,
        })
    }

    /// The platform images: index entries that are not attestation manifests, or the single
    /// manifest itself (platform unknown until its config is read).
    pub fn images(&self) -> Vec<(Option<Platform>, Descriptor)> {
        match &self.top {
            TopLevel::Index(index) => index
                .images()
                .map(|d| (d.platform.clone(), d.clone()))
                .collect(),
            TopLevel::Manifest(m) => vec![(
                None,
                Descriptor {
                    media_type: m.media_type.clone().unwrap_or_default(),
                    digest: self.resolved.digest.clone(),
                    size: u64::try_from(self.bytes.len()).unwrap_or(u64::MAX),
                    annotations: Default::default(),
                    platform: None,
                    artifact_type: m.artifact_type.clone(),
                },
            )],
        }
    }

    /// The image manifest for `platform` (`os/arch[/variant]`). A single-manifest image
    /// stands for whatever platform is asked (its config says which; the CLI shows it).
    pub fn image_for(&self, platform: &str) -> Result<Descriptor, RegistryError> {
        match &self.top {
            TopLevel::Index(index) => {
                index
                    .image_for(platform)
                    .cloned()
                    .ok_or_else(|| RegistryError::PlatformNotFound {
                        platform: platform.to_owned(),
                        available: index
                            .images()
                            .filter_map(|d| d.platform.as_ref().map(ToString::to_string))
                            .collect::<Vec<_>>()
                            .join(", "),
                    })
            }
            TopLevel::Manifest(_) => Ok(self.images().remove(0).1),
        }
    }
}

/// Where an attestation manifest was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Found {
    /// A BuildKit attestation manifest in the image index.
    Index,
    /// The OCI 1.1 referrers API.
    ReferrersApi,
    /// The `sha256-<hex>` referrers tag (registries without the API).
    ReferrersTag,
    /// cosign v2's `sha256-<hex>.sig` / `.att` tags.
    CosignTag,
}

impl Found {
    /// Where, as the page and the CLI say it.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Index => "the image index",
            Self::ReferrersApi => "the referrers API",
            Self::ReferrersTag => "the referrers tag",
            Self::CosignTag => "a cosign tag",
        }
    }
}

/// One attestation manifest of an image, fetched and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationManifest {
    /// Its descriptor.
    pub descriptor: Descriptor,
    /// Where it was listed.
    pub found: Found,
    /// Its attestation layers: (descriptor, signed as DSSE).
    pub layers: Vec<(Descriptor, bool)>,
}

/// Finds and fetches the attestation manifests of `image_digest`: BuildKit's in the index
/// first, referrers only when the index names none. A listed manifest that cannot be fetched
/// is [`RegistryError::AttestationWithheld`]; none at all is
/// [`RegistryError::AttestationNotFound`].
pub async fn attestations<T: Transport>(
    client: &Client<T>,
    image: &Image,
    image_digest: &Digest,
) -> Result<Vec<AttestationManifest>, RegistryError> {
    let r = &image.reference;
    let mut listed: Vec<(Descriptor, Found)> = match &image.top {
        TopLevel::Index(index) => index
            .attestations_for(image_digest)?
            .into_iter()
            .map(|d| (d.clone(), Found::Index))
            .collect(),
        TopLevel::Manifest(_) => Vec::new(),
    };
    if listed.is_empty() {
        let referrers = client.referrers(r, image_digest).await?;
        let found = match referrers.source {
            crate::referrers::ReferrersSource::Api => Found::ReferrersApi,
            crate::referrers::ReferrersSource::Tag => Found::ReferrersTag,
        };
        listed = referrers
            .descriptors
            .into_iter()
            .filter(|d| d.media_type == opk_verify::oci::OCI_MANIFEST)
            // Signatures listed by artifact type are `signature_discovery`'s to fetch.
            .filter(|d| {
                d.artifact_type.as_deref().is_none_or(|t| {
                    crate::signature_discovery::SignatureKind::of_artifact_type(t).is_none()
                })
            })
            .map(|d| (d, found))
            .collect();
        limits::check(
            listed.len(),
            limits::MAX_ATTESTATION_MANIFESTS,
            Limit::AttestationManifests,
        )?;
    }
    let mut out = Vec::new();
    for (d, found) in listed {
        let bytes = match client.manifest(r, &d.digest, Some(&d)).await {
            Ok(b) => b,
            Err(e @ (RegistryError::Http { .. } | RegistryError::Network { .. })) => {
                return Err(RegistryError::AttestationWithheld {
                    image: image_digest.to_string(),
                    digest: d.digest.to_string(),
                    reason: e.to_string(),
                })
            }
            Err(e) => return Err(e),
        };
        let manifest = Manifest::parse(&bytes)?;
        limits::check(
            manifest.layers.len(),
            limits::MAX_ATTESTATION_LAYERS,
            Limit::AttestationLayers,
        )?;
        let layers: Vec<(Descriptor, bool)> = manifest
            .attestation_layers()
            .map(|(l, signed)| (l.clone(), signed))
            .collect();
        if found != Found::Index && layers.is_empty() {
            continue; // another kind of referrer (a signature, an SBOM of another tool)
        }
        out.push(AttestationManifest {
            descriptor: d,
            found,
            layers,
        });
    }
    if out.is_empty() {
        return Err(RegistryError::AttestationNotFound {
            image: image_digest.to_string(),
        });
    }
    Ok(out)
}

/// An index if it has `manifests` (or says it is one), else an image manifest.
pub fn parse_top_level(bytes: &[u8]) -> Result<TopLevel, RegistryError> {
    if opk_verify::oci::has_manifests_member(bytes) {
        Ok(TopLevel::Index(Index::parse(bytes)?))
    } else {
        Ok(TopLevel::Manifest(Box::new(Manifest::parse(bytes)?)))
    }
}
