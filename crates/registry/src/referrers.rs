//! A subject's referrers (spec `sigstore.md` §1.1–1.2): the OCI 1.1 referrers API, else the
//! `sha256-<hex>` tag schema. A listing is routing data, not content: every entry is fetched by
//! digest and must name its subject.
//!
//! Until a repository's registry has answered the API once, a lookup asks the API and the tag
//! side by side. A registry without the API (Debian's docker-registry, GHCR) then costs one round
//! trip per subject instead of two in a row; one with it costs one more request (usually a 404),
//! whose answer is not used and is noted so in the fetch log. What the registry answered is kept
//! per repository for the client's lifetime, so later lookups ask only the one that answers.

use futures_util::future::join;
use opk_verify::limits::{self, Limit};
use opk_verify::oci::{Descriptor, Digest, Index, OCI_INDEX};

use crate::client::{expect_ok, next_link, Client};
use crate::route::resolve;
use crate::transport::{Method, Transport};
use crate::{Reference, RegistryError};

/// Where a referrers listing came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferrersSource {
    /// The OCI 1.1 referrers API.
    Api,
    /// The `sha256-<hex>` tag schema (registries without the API).
    Tag,
}

/// The referrers of a subject, as listed: routing data only (each is fetched by digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referrers {
    /// Where the listing came from.
    pub source: ReferrersSource,
    /// The referring manifests' descriptors.
    pub descriptors: Vec<Descriptor>,
}

impl<T: Transport> Client<T> {
    /// The referrers of `digest`: the referrers API, or the `sha256-<hex>` tag when the registry
    /// has no such API (404, remembered for the repository). Read once per client: two lookups
    /// asking at once share one listing.
    pub async fn referrers(
        &self,
        r: &Reference,
        digest: &Digest,
    ) -> Result<Referrers, RegistryError> {
        let key = Self::content_key(r, digest);
        self.listings
            .get_or_fetch(&key, || self.list_referrers(r, digest))
            .await
    }

    async fn list_referrers(
        &self,
        r: &Reference,
        digest: &Digest,
    ) -> Result<Referrers, RegistryError> {
        let repo = r.repository_key();
        let known = self
            .referrers_api
            .borrow()
            .iter()
            .find(|(k, _)| *k == repo)
            .map(|(_, has)| *has);
        let api = match known {
            Some(false) => return self.referrers_tag(r, digest).await,
            Some(true) => self.referrers_by_api(r, digest).await?,
            None => {
                let (api, tag) = join(
                    self.referrers_by_api(r, digest),
                    self.referrers_tag(r, digest),
                )
                .await;
                match api? {
                    Some(listing) => {
                        self.note(&tag_url(r, digest), "not used: the referrers API answered");
                        Some(listing)
                    }
                    None => return tag,
                }
            }
        };
        match api {
            Some(listing) => Ok(listing),
            // It answered before and not now: the tag schema, as for any registry without it.
            None => self.referrers_tag(r, digest).await,
        }
    }

    /// The listing from the referrers API, every page; `None` when the registry has no such API
    /// (404 to the first page, or a network error for it). Either answer is kept for the
    /// repository.
    async fn referrers_by_api(
        &self,
        r: &Reference,
        digest: &Digest,
    ) -> Result<Option<Referrers>, RegistryError> {
        let mut url = format!("{}/v2/{}/referrers/{digest}", r.base_url(), r.repository());
        let mut out = Vec::new();
        for page in 0.. {
            limits::check(page + 1, limits::MAX_REFERRERS_PAGES, Limit::ReferrersPages)?;
            let sent = self.get_index(r, &url).await;
            let resp = match sent {
                // A registry without the API may answer its path with a 404 that carries no
                // CORS headers, which a browser reports as a network error: the registry was
                // reachable a request ago, so this is taken as "no API" too, and noted.
                Err(RegistryError::Network { .. }) if page == 0 => {
                    self.note(
                        &url,
                        "no referrers API answered (a network error, or a 404 without CORS headers): the sha256- tag is used",
                    );
                    self.know_referrers_api(r, false);
                    return Ok(None);
                }
                sent => sent?,
            };
            if resp.status == 404 && page == 0 {
                self.know_referrers_api(r, false);
                return Ok(None);
            }
            expect_ok(&url, &resp)?;
            if page == 0 {
                self.know_referrers_api(r, true);
            }
            let index = Index::parse(&resp.body)?;
            out.extend(index.manifests);
            limits::check(out.len(), limits::MAX_DESCRIPTORS, Limit::Descriptors)?;
            match resp.header("link").and_then(next_link) {
                Some(next) => url = resolve(&url, &next),
                None => break,
            }
        }
        Ok(Some(Referrers {
            source: ReferrersSource::Api,
            descriptors: out,
        }))
    }

    /// A `GET` of `url` for an OCI image index (a listing page or the referrers tag), bounded
    /// like a manifest.
    async fn get_index(
        &self,
        r: &Reference,
        url: &str,
    ) -> Result<crate::transport::Response, RegistryError> {
        self.send(
            r,
            Method::Get,
            url,
            OCI_INDEX,
            limits::MAX_MANIFEST_BYTES,
            Limit::ManifestBytes,
        )
        .await
    }

    fn know_referrers_api(&self, r: &Reference, has: bool) {
        let repo = r.repository_key();
        let mut known = self.referrers_api.borrow_mut();
        known.retain(|(k, _)| *k != repo);
        known.push((repo, has));
    }

    /// The `sha256-<hex>` tag schema. What the tag names is accepted only if it is an OCI image
    /// index other than the subject itself: a registry without the API that resolves the tag as
    /// the digest (GitLab's, oras-go#1396) would otherwise list a multi-platform subject's own
    /// images as its referrers. Anything else is ignored, with a note in the fetch log.
    async fn referrers_tag(
        &self,
        r: &Reference,
        digest: &Digest,
    ) -> Result<Referrers, RegistryError> {
        let url = tag_url(r, digest);
        let none = Referrers {
            source: ReferrersSource::Tag,
            descriptors: Vec::new(),
        };
        let resp = self.get_index(r, &url).await?;
        if resp.status == 404 {
            return Ok(none);
        }
        expect_ok(&url, &resp)?;
        if Digest::of(&resp.body) == *digest {
            self.note(
                &url,
                "ignored: the registry answered the referrers tag with the subject itself",
            );
            return Ok(none);
        }
        let is_index = crate::discover::parse_top_level(&resp.body)
            .ok()
            .and_then(|top| match top {
                crate::discover::TopLevel::Index(i) => Some(i),
                crate::discover::TopLevel::Manifest(_) => None,
            })
            .filter(|i| {
                let header = resp
                    .header("content-type")
                    .map(|c| c.split(';').next().unwrap_or_default().trim());
                i.media_type.as_deref().or(header) == Some(OCI_INDEX)
            });
        match is_index {
            Some(index) => Ok(Referrers {
                source: ReferrersSource::Tag,
                descriptors: index.manifests,
            }),
            None => {
                self.note(
                    &url,
                    "ignored: the referrers tag does not name an OCI image index",
                );
                Ok(none)
            }
        }
    }
}

/// The URL of `digest`'s referrers tag in `r`'s repository.
fn tag_url(r: &Reference, digest: &Digest) -> String {
    format!(
        "{}/v2/{}/manifests/sha256-{}",
        r.base_url(),
        r.repository(),
        digest.hex()
    )
}

// Run natively: the block_on they need (pollster) is a native dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::route::Route;
    use crate::scripted::{answer, Event, Scripted};
    use crate::transport::{Request, Response, TransportError};
    use pollster::block_on;

    const BUNDLE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

    fn reference() -> Reference {
        Reference::parse("127.0.0.1:5000/demo/app:1").unwrap()
    }

    /// An OCI index listing `n` referrers.
    fn listing(n: u8) -> Vec<u8> {
        let entries: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{}","size":10,"artifactType":"{BUNDLE}"}}"#,
                    Digest::of(&[i])
                )
            })
            .collect();
        format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{}]}}"#,
            entries.join(",")
        )
        .into_bytes()
    }

    fn client<F>(script: F) -> Client<Scripted<F>>
    where
        F: Fn(&Request) -> Result<Response, TransportError>,
    {
        Client::new(Scripted::new(script), Route::parse("").unwrap())
    }

    fn api(d: &Digest) -> String {
        format!("/referrers/{d}")
    }

    fn tag(d: &Digest) -> String {
        format!("/manifests/sha256-{}", d.hex())
    }

    /// Where `d`'s referrers were listed, and how many.
    fn listed<F>(c: &Client<Scripted<F>>, d: &Digest) -> (ReferrersSource, usize)
    where
        F: Fn(&Request) -> Result<Response, TransportError>,
    {
        let found = block_on(c.referrers(&reference(), d)).unwrap();
        (found.source, found.descriptors.len())
    }

    /// The URLs sent, without the registry's base.
    fn paths<F>(c: &Client<Scripted<F>>) -> Vec<String>
    where
        F: Fn(&Request) -> Result<Response, TransportError>,
    {
        let base = format!("{}/v2/demo/app", reference().base_url());
        c.transport
            .sent()
            .into_iter()
            .map(|(url, _)| url.trim_start_matches(&base).to_owned())
            .collect()
    }

    #[test]
    fn without_the_api_the_tag_is_asked_beside_it_then_alone() {
        let (a, b) = (Digest::of(b"a"), Digest::of(b"b"));
        let tag_a = tag(&a);
        let c = client(move |req| {
            if req.url.ends_with(&tag_a) {
                answer(200, &listing(1))
            } else {
                answer(404, b"")
            }
        });
        assert_eq!(listed(&c, &a), (ReferrersSource::Tag, 1));
        // Both were in flight before either was answered.
        let events = c.transport.events.borrow().clone();
        assert!(
            matches!(events[..2], [Event::Sent(..), Event::Sent(..)]),
            "{events:?}"
        );
        assert_eq!(paths(&c), [api(&a), tag(&a)]);
        // The registry has no API: the next subject asks the tag alone.
        assert_eq!(listed(&c, &b), (ReferrersSource::Tag, 0));
        assert_eq!(paths(&c)[2..], [tag(&b)]);
    }

    #[test]
    fn with_the_api_its_listing_is_used_the_tag_noted_then_not_asked() {
        let (a, b) = (Digest::of(b"a"), Digest::of(b"b"));
        let (api_a, tag_a) = (api(&a), tag(&a));
        let c = client(move |req| {
            if req.url.ends_with(&api_a) {
                answer(200, &listing(2))
            } else if req.url.ends_with(&tag_a) {
                answer(200, &listing(1))
            } else if req.url.contains("/referrers/") {
                answer(200, &listing(0))
            } else {
                answer(404, b"")
            }
        });
        assert_eq!(listed(&c, &a), (ReferrersSource::Api, 2));
        let log = c.fetch_log();
        let at_tag = log.iter().find(|r| r.url.ends_with(&tag(&a))).unwrap();
        assert_eq!(
            at_tag.note.as_deref(),
            Some("not used: the referrers API answered")
        );
        assert_eq!(listed(&c, &b), (ReferrersSource::Api, 0));
        assert_eq!(paths(&c)[2..], [api(&b)]);
    }

    #[test]
    fn a_network_error_from_the_api_counts_as_no_api() {
        // A 404 without CORS headers, as a browser reports it.
        let a = Digest::of(b"a");
        let c = client(|req| {
            if req.url.contains("/referrers/") {
                Err(TransportError::Network("blocked".into()))
            } else {
                answer(200, &listing(1))
            }
        });
        assert_eq!(listed(&c, &a), (ReferrersSource::Tag, 1));
        let log = c.fetch_log();
        let at_api = log.iter().find(|r| r.url.ends_with(&api(&a))).unwrap();
        assert!(at_api
            .note
            .as_deref()
            .unwrap()
            .starts_with("no referrers API answered"));
    }

    #[test]
    fn a_failing_api_is_an_error_not_a_fallback() {
        let a = Digest::of(b"a");
        let c = client(|req| {
            if req.url.contains("/referrers/") {
                answer(500, b"down")
            } else {
                answer(200, &listing(1))
            }
        });
        let err = block_on(c.referrers(&reference(), &a)).unwrap_err();
        assert!(
            matches!(err, RegistryError::Http { status: 500, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn an_api_that_stops_answering_falls_back_to_the_tag() {
        let (a, b) = (Digest::of(b"a"), Digest::of(b"b"));
        let api_a = api(&a);
        let c = client(move |req| {
            if req.url.ends_with(&api_a) {
                answer(200, &listing(1))
            } else if req.url.contains("/referrers/") {
                answer(404, b"")
            } else {
                answer(200, &listing(3))
            }
        });
        block_on(c.referrers(&reference(), &a)).unwrap();
        assert_eq!(listed(&c, &b), (ReferrersSource::Tag, 3));
        // Asked one after the other: the API was known to answer.
        let events = c.transport.events.borrow().clone();
        assert!(
            matches!(
                events[4..],
                [
                    Event::Sent(..),
                    Event::Answered(..),
                    Event::Sent(..),
                    Event::Answered(..)
                ]
            ),
            "{events:?}"
        );
        assert_eq!(paths(&c)[2..], [api(&b), tag(&b)]);
    }
}
