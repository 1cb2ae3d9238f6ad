//! Finding the signatures a registry keeps for a platform image besides BuildKit's attestation
//! manifests (spec `sigstore.md` §1): referrers (the OCI 1.1 API, else the `sha256-<hex>` tag)
//! classified by artifact type — Sigstore bundles (GitHub artifact attestations, cosign v3),
//! cosign signatures and attestations written as referrers, Notation signatures — cosign v2's
//! `sha256-<hex>.sig` and `.att` tags, the referrers of each BuildKit attestation manifest
//! (Docker's github-builder signs those, not the image), and the referrers and cosign tags of
//! the index that lists the image (`cosign sign image@<index digest>`, GitHub's attestations of
//! a multi-platform image). Every referrer is fetched by digest and must name its subject;
//! listings, artifact types and annotations are routing data only.

use futures_util::future::{join_all, LocalBoxFuture};
use futures_util::FutureExt as _;
use opk_verify::limits::{self, Limit};
use opk_verify::oci::{Descriptor, Digest, Manifest, OCI_MANIFEST};

use crate::client::Client;
use crate::discover::{Found, Image, TopLevel};
use crate::referrers::ReferrersSource;
use crate::transport::Transport;
use crate::RegistryError;

/// Artifact types of Sigstore bundles (any version: `…bundle.v0.3+json`, `…bundle+json;version=0.2`).
pub const SIGSTORE_BUNDLE_PREFIX: &str = "application/vnd.dev.sigstore.bundle";
/// cosign's signature artifact type (`--registry-referrers-mode oci-1-1`).
pub const COSIGN_SIGNATURE_ARTIFACT: &str = "application/vnd.dev.cosign.artifact.sig.v1+json";
/// cosign's simple-signing payload layers.
pub const COSIGN_SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// cosign's attestation referrers' artifact type.
pub const IN_TOTO_ARTIFACT: &str = "application/vnd.in-toto+json";
/// cosign's DSSE attestation layers.
pub const DSSE_LAYER: &str = "application/vnd.dsse.envelope.v1+json";
/// Notation's signature artifact type.
pub const NOTATION_SIGNATURE: &str = "application/vnd.cncf.notary.signature";

/// What kind of signature a registry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SignatureKind {
    /// A Sigstore bundle (DSSE attestation or message signature).
    SigstoreBundle,
    /// A cosign simple-signing signature (`.sig` tag or referrer).
    CosignSignature,
    /// cosign DSSE attestations (`.att` tag or referrer).
    CosignAttestation,
    /// A Notation signature: recognised, never verified here.
    Notation,
}

impl SignatureKind {
    /// The kind an artifact type names, if it is a signature.
    pub fn of_artifact_type(t: &str) -> Option<Self> {
        if t.starts_with(SIGSTORE_BUNDLE_PREFIX) {
            Some(Self::SigstoreBundle)
        } else if t == COSIGN_SIGNATURE_ARTIFACT {
            Some(Self::CosignSignature)
        } else if t == IN_TOTO_ARTIFACT {
            Some(Self::CosignAttestation)
        } else if t == NOTATION_SIGNATURE {
            Some(Self::Notation)
        } else {
            None
        }
    }

    /// As the page and the CLI name it.
    pub fn describe(self) -> &'static str {
        match self {
            Self::SigstoreBundle => "Sigstore bundle",
            Self::CosignSignature => "cosign signature",
            Self::CosignAttestation => "cosign attestation",
            Self::Notation => "Notation signature",
        }
    }

    /// Whether a layer of a manifest of this kind holds its signature material.
    fn holds(self, layer: &Descriptor) -> bool {
        match self {
            Self::SigstoreBundle => layer.media_type.starts_with(SIGSTORE_BUNDLE_PREFIX),
            Self::CosignSignature => layer.media_type == COSIGN_SIMPLE_SIGNING,
            Self::CosignAttestation => layer.media_type == DSSE_LAYER,
            Self::Notation => true,
        }
    }
}

/// What the signature's manifest refers to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "digest", rename_all = "snake_case")]
pub enum SignedSubject {
    /// The platform image manifest itself.
    Image,
    /// One of its BuildKit attestation manifests (github-builder): the statement inside must
    /// still be bound to the platform image.
    AttestationManifest(Digest),
    /// The image index that lists the platform image (`cosign sign` and GitHub's artifact
    /// attestations name a multi-platform image by its index digest): the signature must name
    /// that digest, whose verified bytes list this platform image.
    Index(Digest),
}

/// One signature found for a platform image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundSignature {
    /// Its kind.
    pub kind: SignatureKind,
    /// Where it was listed.
    pub found: Found,
    /// What its manifest refers to.
    pub subject: SignedSubject,
    /// The manifest holding it (for a cosign tag, the tag it was read from is `tag`).
    pub manifest: Descriptor,
    /// The cosign tag, for [`Found::CosignTag`].
    pub tag: Option<String>,
    /// The layers holding its material, in manifest order.
    pub layers: Vec<Descriptor>,
}

/// Finds the signatures of the platform image `image_digest` of `image`: its referrers, its
/// cosign tags, the referrers of its BuildKit attestation manifests, and the signatures of the
/// index that lists it. A listed referrer that cannot be fetched is
/// [`RegistryError::SignatureWithheld`], never a missing signature.
pub async fn signatures<T: Transport>(
    client: &Client<T>,
    image: &Image,
    image_digest: &Digest,
) -> Result<Vec<FoundSignature>, RegistryError> {
    let mut out = Vec::new();
    for found in join_all(signature_lookups(client, image, image_digest)?).await {
        out.extend(found?);
    }
    Ok(out)
}

/// One lookup of [`signatures`]: what it found, or why it could not look.
pub type SignatureLookup<'a> = LocalBoxFuture<'a, Result<Vec<FoundSignature>, RegistryError>>;

/// The lookups [`signatures`] makes, each a future of its own, in discovery order: the
/// image's referrers, cosign's `.sig` and `.att` tags, the referrers of each attestation
/// manifest, then (for an image in an index) the index's referrers and cosign tags. Run side
/// by side (each costs a round trip, and in a browser a preflight too), they let a caller
/// verify what one lookup found while the others are still out.
pub fn signature_lookups<'a, T: Transport>(
    client: &'a Client<T>,
    image: &'a Image,
    image_digest: &'a Digest,
) -> Result<Vec<SignatureLookup<'a>>, RegistryError> {
    let attestation_manifests = match &image.top {
        TopLevel::Index(index) => index.attestations_for(image_digest)?,
        TopLevel::Manifest(_) => Vec::new(),
    };
    let mut lookups: Vec<SignatureLookup<'a>> =
        vec![
            referrer_signatures(client, image, image_digest.clone(), SignedSubject::Image)
                .boxed_local(),
        ];
    lookups.extend(cosign_tags(
        client,
        image,
        image_digest,
        SignedSubject::Image,
    ));
    for att in attestation_manifests {
        let on = SignedSubject::AttestationManifest(att.digest.clone());
        lookups.push(referrer_signatures(client, image, att.digest.clone(), on).boxed_local());
    }
    // The index's own signatures, where a multi-platform image is usually signed. Every
    // platform asks; the client reads each listing and tag once.
    if let TopLevel::Index(_) = &image.top {
        let index = &image.resolved.digest;
        let on = SignedSubject::Index(index.clone());
        lookups.push(referrer_signatures(client, image, index.clone(), on.clone()).boxed_local());
        lookups.extend(cosign_tags(client, image, index, on));
    }
    Ok(lookups)
}

/// The lookups of cosign's `.sig` and `.att` tags of `digest`, signed as `subject`.
fn cosign_tags<'a, T: Transport>(
    client: &'a Client<T>,
    image: &'a Image,
    digest: &'a Digest,
    subject: SignedSubject,
) -> [SignatureLookup<'a>; 2] {
    [
        ("sig", SignatureKind::CosignSignature),
        ("att", SignatureKind::CosignAttestation),
    ]
    .map(|(suffix, kind)| {
        let subject = subject.clone();
        async move {
            Ok(cosign_tag(client, image, digest, subject, suffix, kind)
                .await?
                .into_iter()
                .collect())
        }
        .boxed_local()
    })
}

/// cosign's `sha256-<hex>.<suffix>` tag of the image, if the registry has it.
async fn cosign_tag<T: Transport>(
    client: &Client<T>,
    image: &Image,
    digest: &Digest,
    subject: SignedSubject,
    suffix: &str,
    kind: SignatureKind,
) -> Result<Option<FoundSignature>, RegistryError> {
    let tag = format!("sha256-{}.{suffix}", digest.hex());
    let Some((digest, bytes)) = client.manifest_at_tag(&image.reference, &tag).await? else {
        return Ok(None);
    };
    let m = Manifest::parse(&bytes)?;
    Ok(Some(FoundSignature {
        kind,
        found: Found::CosignTag,
        subject,
        manifest: Descriptor {
            media_type: m.media_type.clone().unwrap_or_else(|| OCI_MANIFEST.into()),
            digest,
            size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            annotations: Default::default(),
            platform: None,
            artifact_type: m.artifact_type.clone(),
        },
        tag: Some(tag),
        layers: m.layers.into_iter().filter(|l| kind.holds(l)).collect(),
    }))
}

/// The signature referrers of `subject` (the image, one of its attestation manifests, or its
/// index).
async fn referrer_signatures<T: Transport>(
    client: &Client<T>,
    image: &Image,
    subject: Digest,
    signed: SignedSubject,
) -> Result<Vec<FoundSignature>, RegistryError> {
    let r = &image.reference;
    let listing = client.referrers(r, &subject).await?;
    let found = match listing.source {
        ReferrersSource::Api => Found::ReferrersApi,
        ReferrersSource::Tag => Found::ReferrersTag,
    };
    // A listed artifact type that names no signature is another kind of referrer (BuildKit
    // attestations, SBOMs of other tools); an entry without one is classified by its manifest.
    let candidates: Vec<Descriptor> = listing
        .descriptors
        .into_iter()
        .filter(|d| d.media_type == OCI_MANIFEST)
        .filter(|d| {
            d.artifact_type
                .as_deref()
                .is_none_or(|t| SignatureKind::of_artifact_type(t).is_some())
        })
        .collect();
    limits::check(candidates.len(), limits::MAX_SIGNATURES, Limit::Signatures)?;
    let mut out = Vec::new();
    for d in candidates {
        let bytes = match client.manifest(r, &d.digest, Some(&d)).await {
            Ok(b) => b,
            Err(e @ (RegistryError::Http { .. } | RegistryError::Network { .. })) => {
                return Err(RegistryError::SignatureWithheld {
                    subject: subject.to_string(),
                    digest: d.digest.to_string(),
                    found: found.describe(),
                    reason: e.to_string(),
                })
            }
            Err(e) => return Err(e),
        };
        let m = Manifest::parse(&bytes)?;
        // The manifest, fetched by digest, decides its kind: the listing only routes.
        let Some(kind) = m
            .artifact_type
            .as_deref()
            .or(Some(m.config.media_type.as_str()))
            .and_then(SignatureKind::of_artifact_type)
        else {
            continue;
        };
        if m.subject.as_ref().map(|s| &s.digest) != Some(&subject) {
            client.note_manifest(r, &d.digest, "ignored: this referrer names another subject");
            continue;
        }
        out.push(FoundSignature {
            kind,
            found,
            subject: signed.clone(),
            manifest: d,
            tag: None,
            layers: m.layers.into_iter().filter(|l| kind.holds(l)).collect(),
        });
    }
    Ok(out)
}
