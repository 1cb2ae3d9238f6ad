//! The distribution client: one protocol implementation over any [`Transport`].
//!
//! - Every by-digest response is hashed and compared before it is returned (`digest_mismatch`);
//!   blobs are read to at most their descriptor's size.
//! - A tag is resolved with one `GET`, whose bytes are kept; that resolution is the one
//!   unverified step and is recorded as such.
//! - A manifest named by a descriptor is asked for by the descriptor's type alone (no CORS
//!   preflight in a browser), and with all four types if the registry refuses that.
//! - `401` runs the token flow (anonymous, or Basic-authenticated when credentials are given)
//!   once per repository, or retries with Basic for a Basic challenge.
//! - Every request is recorded in a fetch log (URL, status, bytes, proxied, digest check).

use std::cell::RefCell;

use opk_verify::limits::{self, Limit};
use opk_verify::oci::{Descriptor, Digest};
use opk_verify::VerifyError;

use crate::auth::{token_from_response, Challenge, Credentials};
use crate::referrers::Referrers;
use crate::route::{resolve, Route};
use crate::shared_listing::SharedListings;
use crate::transport::{Method, Request, Response, Transport, TransportError};
use crate::{Reference, RegistryError};

/// The `Accept` list for manifests: OCI index and manifest, Docker list and v2 (peers.md §4.4).
pub const ACCEPT_MANIFESTS: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

/// The `Accept` of cosign's `.sig`/`.att` tags (image manifests). Short enough (at most 128
/// bytes, no CORS-unsafe byte) that a browser sends the request without a preflight; so is
/// [`OCI_INDEX`] alone, the `Accept` of the referrers API and its `sha256-<hex>` tag. Discovery
/// looks where registries usually hold nothing, so each lookup should cost one round trip.
pub const ACCEPT_IMAGE_MANIFESTS: &str =
    "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

/// The `Accept` of a manifest fetched by a descriptor: the one type the descriptor names when
/// it is one of the four [`ACCEPT_MANIFESTS`] lists, else all four. One type is short enough
/// (at most 128 bytes, no CORS-unsafe byte) that a browser sends the request without a
/// preflight, so each manifest costs one round trip instead of two. The bytes are checked
/// against the digest either way.
fn accept_for(descriptor: Option<&Descriptor>) -> &str {
    descriptor
        .map(|d| d.media_type.as_str())
        .filter(|t| ACCEPT_MANIFESTS.split(", ").any(|known| known == *t))
        .unwrap_or(ACCEPT_MANIFESTS)
}

/// What a fetched object's digest check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DigestCheck {
    /// Fetched by digest; the bytes hash to it.
    Verified,
    /// Fetched by digest; the bytes do not hash to it.
    Failed,
    /// A tag resolved to a digest: what the registry (or proxy) said, unverifiable.
    Unverified,
    /// Nothing content-addressed (auth, listings, errors).
    NotApplicable,
}

/// One request, as shown in the fetch log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FetchRecord {
    /// `GET` or `HEAD`.
    pub method: &'static str,
    /// The registry URL.
    pub url: String,
    /// Whether it went through the proxy.
    pub via_proxy: bool,
    /// The HTTP status, if a response came.
    pub status: Option<u16>,
    /// Body bytes received.
    pub bytes: usize,
    /// The digest check.
    pub digest_check: DigestCheck,
    /// What became of the response, when it was not used as asked (an ignored referrers tag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A tag or digest resolved to a manifest digest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Resolved {
    /// The manifest digest.
    pub digest: Digest,
    /// The tag it came from, when the reference had no digest: an unverified step.
    pub from_tag: Option<String>,
}

/// A distribution client. Within one client's lifetime a tag resolves once and content fetched
/// (and checked) by digest is not fetched again, nor twice at once: a verification sees one
/// consistent image.
#[derive(Debug)]
pub struct Client<T> {
    pub(crate) transport: T,
    pub(crate) route: Route,
    credentials: Option<Credentials>,
    pub(crate) auth: RefCell<Vec<(String, String)>>,
    pub(crate) log: RefCell<Vec<FetchRecord>>,
    /// Tag resolutions of this client's lifetime: every later step sees the same index.
    resolved: RefCell<Vec<(String, Resolved)>>,
    /// Content already fetched and checked, by `registry/repository@digest`.
    content: RefCell<Vec<(String, Vec<u8>)>>,
    /// Repositories (`registry/repository`) whose registry has answered the referrers API,
    /// and whether it has one (`false`: it answered 404), so later subjects ask only that way.
    pub(crate) referrers_api: RefCell<Vec<(String, bool)>>,
    /// Referrers listings already read or being read (like tag resolutions, read once per
    /// client: one verification sees one consistent set of signatures, and two lookups asking
    /// at once share one request).
    pub(crate) listings: SharedListings<Result<Referrers, RegistryError>>,
    /// Tags read or being read (cosign's `.sig`/`.att`), by URL: like listings, read once per
    /// client, two lookups asking at once sharing one request (every platform asks for the
    /// index's).
    tags: SharedListings<Result<TagContent, RegistryError>>,
    /// Fetches by digest that are out: an ask for the same content meanwhile waits for that
    /// one (every platform asks for the index's signatures at once). Not kept once answered:
    /// the checked bytes are in `content`.
    in_flight: SharedListings<Result<Vec<u8>, RegistryError>>,
    pub(crate) progress: crate::progress::RequestProgress,
}

/// What a tag named: the digest of the bytes received and the bytes, or nothing (404).
pub type TagContent = Option<(Digest, Vec<u8>)>;

impl<T: Transport> Client<T> {
    /// A client sending through `transport` along `route`.
    pub fn new(transport: T, route: Route) -> Self {
        Self {
            transport,
            route,
            credentials: None,
            auth: RefCell::new(Vec::new()),
            log: RefCell::new(Vec::new()),
            resolved: RefCell::new(Vec::new()),
            content: RefCell::new(Vec::new()),
            referrers_api: RefCell::new(Vec::new()),
            listings: SharedListings::default(),
            tags: SharedListings::default(),
            in_flight: SharedListings::default(),
            progress: Default::default(),
        }
    }

    /// Calls `hook(answered, sent)` on every request sent and every one answered (a page's
    /// live region: "12 of 18 requests").
    pub fn on_progress(&self, hook: impl Fn(usize, usize) + 'static) {
        self.progress.set(Box::new(hook));
    }

    pub(crate) fn content_key(r: &Reference, digest: &Digest) -> String {
        format!("{}@{digest}", r.repository_key())
    }

    /// Content fetched and checked earlier, if it matches `descriptor`'s digest and size.
    /// Remembered bytes are only ever bytes whose SHA-256 is their key's digest (hashed on
    /// arrival), so a hit compares the descriptor's claims instead of hashing them again —
    /// for a 10,000-package SBOM envelope that is megabytes of hashing saved per lookup.
    fn cached(
        &self,
        r: &Reference,
        digest: &Digest,
        descriptor: Option<&Descriptor>,
    ) -> Option<Vec<u8>> {
        let key = Self::content_key(r, digest);
        let content = self.content.borrow();
        let bytes = content.iter().find(|(k, _)| *k == key).map(|(_, b)| b)?;
        match descriptor {
            Some(d) if d.digest != *digest || usize::try_from(d.size) != Ok(bytes.len()) => None,
            _ => Some(bytes.clone()),
        }
    }

    /// Keeps `bytes`, whose SHA-256 the caller has checked to be `digest`.
    fn remember(&self, r: &Reference, digest: &Digest, bytes: &[u8]) {
        self.content
            .borrow_mut()
            .push((Self::content_key(r, digest), bytes.to_vec()));
    }

    /// Uses Basic credentials for the token endpoint or a Basic challenge. Never send private
    /// credentials through a shared proxy.
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The route in use.
    pub fn route(&self) -> &Route {
        &self.route
    }

    /// Every request so far.
    pub fn fetch_log(&self) -> Vec<FetchRecord> {
        self.log.borrow().clone()
    }

    /// Resolves `r` to a manifest digest: its digest if pinned (no request), else one `GET` on
    /// the tag. The digest is the SHA-256 of the bytes received (never the registry's
    /// `Docker-Content-Digest`), and those bytes are kept, so fetching the top-level object by
    /// that digest costs no second request. The tag step itself is unverified: a tag is a
    /// mutable name, and only what it points to is checked from here on.
    pub async fn resolve(&self, r: &Reference) -> Result<Resolved, RegistryError> {
        if let Some(d) = r.digest() {
            return Ok(Resolved {
                digest: d.clone(),
                from_tag: None,
            });
        }
        let tag = r.manifest_reference();
        let url = format!("{}/v2/{}/manifests/{tag}", r.base_url(), r.repository());
        if let Some((_, done)) = self.resolved.borrow().iter().find(|(u, _)| *u == url) {
            return Ok(done.clone());
        }
        let get = self
            .send(
                r,
                Method::Get,
                &url,
                ACCEPT_MANIFESTS,
                limits::MAX_MANIFEST_BYTES,
                Limit::ManifestBytes,
            )
            .await?;
        expect_ok(&url, &get)?;
        let digest = Digest::of(&get.body);
        self.mark(&url, DigestCheck::Unverified);
        self.remember(r, &digest, &get.body);
        let done = Resolved {
            digest,
            from_tag: Some(tag),
        };
        self.resolved.borrow_mut().push((url, done.clone()));
        Ok(done)
    }

    /// Fetches the manifest or index `digest` and checks the bytes hash to it (and, when a
    /// descriptor is given, that the size matches too, before anything is read beyond it).
    pub async fn manifest(
        &self,
        r: &Reference,
        digest: &Digest,
        descriptor: Option<&Descriptor>,
    ) -> Result<Vec<u8>, RegistryError> {
        let max = match descriptor {
            Some(d) => {
                let size = usize::try_from(d.size).unwrap_or(usize::MAX);
                limits::check(size, limits::MAX_MANIFEST_BYTES, Limit::ManifestBytes)?;
                size
            }
            None => limits::MAX_MANIFEST_BYTES,
        };
        if let Some(bytes) = self.cached(r, digest, descriptor) {
            return Ok(bytes);
        }
        let url = format!("{}/v2/{}/manifests/{digest}", r.base_url(), r.repository());
        let url = url.as_str();
        let get = |accept| async move {
            self.send(r, Method::Get, url, accept, max, Limit::ManifestBytes)
                .await
                .map_err(|e| oversize_as_mismatch(e, descriptor, Limit::ManifestBytes))
        };
        let fetch = || async {
            let accept = accept_for(descriptor);
            let mut resp = get(accept).await?;
            if accept != ACCEPT_MANIFESTS && matches!(resp.status, 400 | 404 | 406) {
                // Stored under another type than its parent names (GHCR answers 404 to an
                // `Accept` without the stored type): asked again with all four.
                resp = get(ACCEPT_MANIFESTS).await?;
            }
            expect_ok(url, &resp)?;
            self.check_digest(url, &resp.body, digest, descriptor)?;
            self.remember(r, digest, &resp.body);
            Ok(resp.body)
        };
        self.in_flight
            .while_in_flight(&Self::in_flight_key(r, digest, descriptor), fetch)
            .await
    }

    /// Fetches the blob `d`, reading at most `d.size` bytes, refusing descriptors over `max`
    /// bytes before any request (`limit`), and checking size and digest.
    pub async fn blob(
        &self,
        r: &Reference,
        d: &Descriptor,
        max: usize,
        limit: Limit,
    ) -> Result<Vec<u8>, RegistryError> {
        let size = usize::try_from(d.size).unwrap_or(usize::MAX);
        limits::check(size, max, limit)?;
        if let Some(bytes) = self.cached(r, &d.digest, Some(d)) {
            return Ok(bytes);
        }
        let url = format!("{}/v2/{}/blobs/{}", r.base_url(), r.repository(), d.digest);
        let fetch = || async {
            let resp = self
                .send(r, Method::Get, &url, "*/*", size, limit)
                .await
                .map_err(|e| oversize_as_mismatch(e, Some(d), limit))?;
            expect_ok(&url, &resp)?;
            self.check_digest(&url, &resp.body, &d.digest, Some(d))?;
            self.remember(r, &d.digest, &resp.body);
            Ok(resp.body)
        };
        self.in_flight
            .while_in_flight(&Self::in_flight_key(r, &d.digest, Some(d)), fetch)
            .await
    }

    /// What a fetch by digest is shared under while it is out: the content and the size it
    /// was asked with (a descriptor claiming another size is its own fetch, and its own error).
    fn in_flight_key(r: &Reference, digest: &Digest, d: Option<&Descriptor>) -> String {
        let size = d.map_or_else(|| "any".to_owned(), |d| d.size.to_string());
        format!("{}#{size}", Self::content_key(r, digest))
    }

    /// The manifest a tag of `r`'s repository names (cosign's `sha256-<hex>.sig`): `None` when
    /// the registry has no such tag. The tag step is unverified (a mutable name); the digest
    /// returned is that of the bytes received, and only signed content inside binds anything.
    pub async fn manifest_at_tag(
        &self,
        r: &Reference,
        tag: &str,
    ) -> Result<TagContent, RegistryError> {
        let url = format!("{}/v2/{}/manifests/{tag}", r.base_url(), r.repository());
        self.tags
            .get_or_fetch(&url, || self.read_tag(r, &url))
            .await
    }

    async fn read_tag(&self, r: &Reference, url: &str) -> Result<TagContent, RegistryError> {
        let resp = self
            .send(
                r,
                Method::Get,
                url,
                ACCEPT_IMAGE_MANIFESTS,
                limits::MAX_MANIFEST_BYTES,
                Limit::ManifestBytes,
            )
            .await?;
        if resp.status == 404 {
            return Ok(None);
        }
        expect_ok(url, &resp)?;
        let digest = Digest::of(&resp.body);
        self.mark(url, DigestCheck::Unverified);
        self.remember(r, &digest, &resp.body);
        Ok(Some((digest, resp.body)))
    }

    /// Adds `note` to the fetch-log record of the manifest `digest` of `r`'s repository.
    pub(crate) fn note_manifest(&self, r: &Reference, digest: &Digest, note: &str) {
        let url = format!("{}/v2/{}/manifests/{digest}", r.base_url(), r.repository());
        self.note(&url, note);
    }

    /// Adds `note` to the latest fetch-log record of `url`.
    pub(crate) fn note(&self, url: &str, note: &str) {
        if let Some(record) = self
            .log
            .borrow_mut()
            .iter_mut()
            .rev()
            .find(|f| f.url == url)
        {
            record.note = Some(note.to_owned());
        }
    }

    /// Uploads `bytes` as a blob of `r`'s repository unless the registry has it already
    /// (`HEAD`), with a monolithic upload (`POST`, then `PUT ?digest=`).
    pub async fn push_blob(&self, r: &Reference, bytes: &[u8]) -> Result<Digest, RegistryError> {
        let digest = Digest::of(bytes);
        let base = format!("{}/v2/{}", r.base_url(), r.repository());
        let blob_url = format!("{base}/blobs/{digest}");
        let head = self
            .send(r, Method::Head, &blob_url, "*/*", 0, Limit::ManifestBytes)
            .await?;
        if head.status == 200 {
            return Ok(digest);
        }
        let start_url = format!("{base}/blobs/uploads/");
        let start = self
            .send_body(
                r,
                Method::Post,
                &start_url,
                "*/*",
                Some(("application/octet-stream", &[])),
                0,
                Limit::ManifestBytes,
            )
            .await?;
        if start.status != 202 {
            return Err(status_error(&start_url, &start));
        }
        let location = start
            .header("location")
            .ok_or_else(|| RegistryError::Protocol {
                url: start_url.clone(),
                reason: "upload started without a Location".into(),
            })?;
        let upload = resolve(&start_url, location);
        let sep = if upload.contains('?') { '&' } else { '?' };
        let put_url = format!("{upload}{sep}digest={digest}");
        let put = self
            .send_body(
                r,
                Method::Put,
                &put_url,
                "*/*",
                Some(("application/octet-stream", bytes)),
                0,
                Limit::ManifestBytes,
            )
            .await?;
        if put.status != 201 {
            return Err(status_error(&put_url, &put));
        }
        Ok(digest)
    }

    /// Puts a manifest or index under `reference` (a tag, or its own digest).
    pub async fn push_manifest(
        &self,
        r: &Reference,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Digest, RegistryError> {
        limits::check(
            bytes.len(),
            limits::MAX_MANIFEST_BYTES,
            Limit::ManifestBytes,
        )?;
        let url = format!(
            "{}/v2/{}/manifests/{reference}",
            r.base_url(),
            r.repository()
        );
        let put = self
            .send_body(
                r,
                Method::Put,
                &url,
                "*/*",
                Some((media_type, bytes)),
                0,
                Limit::ManifestBytes,
            )
            .await?;
        if put.status != 201 {
            return Err(status_error(&url, &put));
        }
        Ok(Digest::of(bytes))
    }

    fn check_digest(
        &self,
        url: &str,
        bytes: &[u8],
        digest: &Digest,
        descriptor: Option<&Descriptor>,
    ) -> Result<(), RegistryError> {
        let result = match descriptor {
            Some(d) => d.verify(bytes),
            None => {
                let actual = Digest::of(bytes);
                if &actual == digest {
                    Ok(())
                } else {
                    Err(VerifyError::DigestMismatch {
                        expected: digest.to_string(),
                        actual: actual.to_string(),
                    })
                }
            }
        };
        self.mark(
            url,
            if result.is_ok() {
                DigestCheck::Verified
            } else {
                DigestCheck::Failed
            },
        );
        result.map_err(RegistryError::from)
    }

    /// Records the digest check of the latest request for `url` (other requests may have been
    /// sent since: fetches run side by side).
    pub(crate) fn mark(&self, url: &str, check: DigestCheck) {
        if let Some(record) = self
            .log
            .borrow_mut()
            .iter_mut()
            .rev()
            .find(|r| r.url == url)
        {
            record.digest_check = check;
        }
    }

    /// Sends one request with the cached authorization for `r`'s repository, running the auth
    /// flow once on `401`.
    pub(crate) async fn send(
        &self,
        r: &Reference,
        method: Method,
        url: &str,
        accept: &str,
        max_body: usize,
        limit: Limit,
    ) -> Result<Response, RegistryError> {
        self.send_body(r, method, url, accept, None, max_body, limit)
            .await
    }

    /// [`Self::send`] with a request body (`content type`, bytes).
    #[allow(clippy::too_many_arguments)]
    async fn send_body(
        &self,
        r: &Reference,
        method: Method,
        url: &str,
        accept: &str,
        body: Option<(&str, &[u8])>,
        max_body: usize,
        limit: Limit,
    ) -> Result<Response, RegistryError> {
        let key = r.repository_key();
        let cached = self
            .auth
            .borrow()
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone());
        let resp = self
            .raw(
                method,
                url,
                accept,
                cached.as_deref(),
                body,
                max_body,
                limit,
            )
            .await?;
        if resp.status != 401 {
            return Ok(resp);
        }
        let challenge = resp
            .header("www-authenticate")
            .and_then(Challenge::parse)
            .ok_or_else(|| RegistryError::Auth {
                url: url.to_owned(),
                reason: "HTTP 401 without a usable WWW-Authenticate challenge".into(),
            })?;
        let header = match &challenge {
            Challenge::Basic => match &self.credentials {
                Some(c) => c.basic_header(),
                None => {
                    return Err(RegistryError::Auth {
                        url: url.to_owned(),
                        reason: "the registry asks for credentials (Basic) and none were given"
                            .into(),
                    })
                }
            },
            bearer => {
                let actions = if matches!(method, Method::Post | Method::Put) {
                    "pull,push"
                } else {
                    "pull"
                };
                let scope = format!("repository:{}:{actions}", r.repository());
                let token_url = bearer.token_url(&scope).unwrap_or_default();
                format!("Bearer {}", self.token(&token_url).await?)
            }
        };
        let retry = self
            .raw(method, url, accept, Some(&header), body, max_body, limit)
            .await?;
        if retry.status == 401 {
            return Err(RegistryError::Auth {
                url: url.to_owned(),
                reason: "the registry refused the credentials or token".into(),
            });
        }
        let mut auth = self.auth.borrow_mut();
        auth.retain(|(k, _)| *k != key);
        auth.push((key, header));
        Ok(retry)
    }

    async fn token(&self, token_url: &str) -> Result<String, RegistryError> {
        let basic = self.credentials.as_ref().map(Credentials::basic_header);
        let resp = self
            .raw(
                Method::Get,
                token_url,
                "application/json",
                basic.as_deref(),
                None,
                limits::MAX_TOKEN_RESPONSE_BYTES,
                Limit::TokenResponseBytes,
            )
            .await?;
        if resp.status != 200 {
            return Err(RegistryError::Auth {
                url: token_url.to_owned(),
                reason: format!("token endpoint answered HTTP {}", resp.status),
            });
        }
        token_from_response(&resp.body).ok_or_else(|| RegistryError::Auth {
            url: token_url.to_owned(),
            reason: "token endpoint sent no usable token".into(),
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn raw(
        &self,
        method: Method,
        url: &str,
        accept: &str,
        authorization: Option<&str>,
        body: Option<(&str, &[u8])>,
        max_body: usize,
        limit: Limit,
    ) -> Result<Response, RegistryError> {
        let mut headers = vec![("Accept".to_owned(), accept.to_owned())];
        if let Some(a) = authorization {
            headers.push(("Authorization".to_owned(), a.to_owned()));
        }
        if let Some((content_type, _)) = body {
            headers.push(("Content-Type".to_owned(), content_type.to_owned()));
        }
        let req = Request {
            method,
            url: self.route.apply(url),
            headers,
            body: body.map(|(_, b)| b.to_vec()).unwrap_or_default(),
            max_body,
        };
        // Logged when sent, so the log is in request order however many are in flight.
        let at = {
            let mut log = self.log.borrow_mut();
            log.push(FetchRecord {
                method: method.as_str(),
                url: url.to_owned(),
                via_proxy: self.route.is_proxied(),
                status: None,
                bytes: 0,
                digest_check: DigestCheck::NotApplicable,
                note: None,
            });
            log.len() - 1
        };
        self.progress.sent();
        let result = self.transport.send(&req).await;
        self.progress.done();
        if let (Ok(resp), Some(record)) = (&result, self.log.borrow_mut().get_mut(at)) {
            record.status = Some(resp.status);
            record.bytes = resp.body.len();
        }
        result.map_err(|e| transport_error(e, &req.url, limit))
    }
}

/// A transport's failure for the request to `url` (as sent), `limit` naming its body bound.
pub(crate) fn transport_error(e: TransportError, url: &str, limit: Limit) -> RegistryError {
    match e {
        TransportError::BodyTooLarge => RegistryError::from(limit),
        TransportError::TooManyRedirects => RegistryError::from(Limit::Redirects),
        TransportError::Network(message) => RegistryError::Network {
            url: url.to_owned(),
            message,
        },
        TransportError::Cancelled => RegistryError::Cancelled,
    }
}

/// A body longer than its descriptor says is a digest mismatch, not a limit.
fn oversize_as_mismatch(e: RegistryError, d: Option<&Descriptor>, body: Limit) -> RegistryError {
    match (e, d) {
        (RegistryError::Verify(VerifyError::LimitExceeded { limit }), Some(d)) if limit == body => {
            RegistryError::Verify(VerifyError::DigestMismatch {
                expected: format!("{} ({} bytes)", d.digest, d.size),
                actual: format!("more than {} bytes", d.size),
            })
        }
        (e, _) => e,
    }
}

pub(crate) fn expect_ok(url: &str, resp: &Response) -> Result<(), RegistryError> {
    if resp.status == 200 {
        return Ok(());
    }
    Err(status_error(url, resp))
}

fn status_error(url: &str, resp: &Response) -> RegistryError {
    let excerpt: String = String::from_utf8_lossy(&resp.body)
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    RegistryError::Http {
        url: url.to_owned(),
        status: resp.status,
        detail: excerpt,
    }
}

/// The target of `Link: <url>; rel="next"`.
pub(crate) fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        params
            .split(';')
            .any(|p| {
                let p = p.trim().replace(' ', "");
                p == "rel=\"next\"" || p == "rel=next"
            })
            .then(|| target.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use opk_verify::oci::OCI_INDEX;

    #[test]
    fn accept_list_is_the_four_types() {
        assert_eq!(ACCEPT_MANIFESTS.len(), 196);
    }

    #[test]
    fn discovery_accept_values_need_no_cors_preflight() {
        // Fetch's CORS-safelisted `accept`: at most 128 bytes, no CORS-unsafe byte.
        for v in [ACCEPT_IMAGE_MANIFESTS, OCI_INDEX] {
            assert!(v.len() <= 128, "{v}");
            assert!(!v
                .bytes()
                .any(|b| b"\"():<>?@[\\]{}\x7f".contains(&b) || (b < 0x20 && b != b'\t')));
        }
    }

    // Run natively: the block_on they need (pollster) is a native dev-dependency.
    #[cfg(not(target_arch = "wasm32"))]
    mod described {
        use super::*;
        use crate::scripted::{answer, Scripted};

        /// A manifest's bytes and a descriptor of type `media_type` for them.
        fn described(media_type: &str) -> (Vec<u8>, Descriptor) {
            let bytes = br#"{"schemaVersion":2}"#.to_vec();
            let d = Descriptor {
                media_type: media_type.into(),
                digest: Digest::of(&bytes),
                size: bytes.len() as u64,
                annotations: Default::default(),
                platform: None,
                artifact_type: None,
            };
            (bytes, d)
        }

        /// Fetches `d` from a registry answering `serve(accept)`; the result and the `Accept`s sent.
        fn fetch_described(
            d: &Descriptor,
            serve: impl Fn(&str) -> Result<Response, TransportError>,
        ) -> (Result<Vec<u8>, RegistryError>, Vec<String>) {
            let script = |req: &Request| serve(&req.headers[0].1);
            let c = Client::new(Scripted::new(script), Route::parse("").unwrap());
            let r = Reference::parse("127.0.0.1:5000/demo/app:1").unwrap();
            let got = pollster::block_on(c.manifest(&r, &d.digest, Some(d)));
            let accepts = c.transport.sent().into_iter().map(|(_, a)| a).collect();
            (got, accepts)
        }

        #[test]
        fn a_described_manifest_is_asked_for_by_its_type_alone() {
            for t in ACCEPT_MANIFESTS.split(", ") {
                let (bytes, d) = described(t);
                let (got, accepts) = fetch_described(&d, |_| answer(200, &bytes));
                assert_eq!(got.unwrap(), bytes);
                assert_eq!(accepts, [t]);
            }
        }

        #[test]
        fn a_registry_refusing_the_type_alone_is_asked_with_all_four() {
            for status in [400, 404, 406] {
                let (bytes, d) = described(OCI_INDEX);
                let (got, accepts) = fetch_described(&d, |accept| {
                    let status = if accept == ACCEPT_MANIFESTS {
                        200
                    } else {
                        status
                    };
                    answer(status, &bytes)
                });
                assert_eq!(got.unwrap(), bytes);
                assert_eq!(accepts, [OCI_INDEX, ACCEPT_MANIFESTS]);
            }
        }

        #[test]
        fn a_missing_manifest_is_not_found_after_both_asks() {
            let (_, d) = described(OCI_INDEX);
            let (got, accepts) = fetch_described(&d, |_| answer(404, b"{}"));
            assert!(
                matches!(got, Err(RegistryError::Http { status: 404, .. })),
                "{got:?}"
            );
            assert_eq!(accepts.len(), 2);
        }

        #[test]
        fn content_asked_for_twice_at_once_is_fetched_once() {
            use futures_util::future::join;
            let (bytes, d) = described(OCI_INDEX);
            let r = Reference::parse("127.0.0.1:5000/demo/app:1").unwrap();
            let client = || {
                let bytes = bytes.clone();
                let script = move |_: &Request| answer(200, &bytes);
                Client::new(Scripted::new(script), Route::parse("").unwrap())
            };
            let c = client();
            let (a, b) = pollster::block_on(join(
                c.manifest(&r, &d.digest, Some(&d)),
                c.manifest(&r, &d.digest, Some(&d)),
            ));
            assert_eq!((a.unwrap(), b.unwrap()), (bytes.clone(), bytes.clone()));
            assert_eq!(c.transport.sent().len(), 1, "{:?}", c.transport.sent());
            let c = client();
            let (a, b) = pollster::block_on(join(
                c.blob(&r, &d, 1024, Limit::ManifestBytes),
                c.blob(&r, &d, 1024, Limit::ManifestBytes),
            ));
            assert_eq!((a.unwrap(), b.unwrap()), (bytes.clone(), bytes.clone()));
            assert_eq!(c.transport.sent().len(), 1, "{:?}", c.transport.sent());
            // Asked with another size, the same digest is a fetch (and an error) of its own.
            let mut lying = d.clone();
            lying.size += 1;
            let (good, bad) = pollster::block_on(join(
                c.blob(&r, &d, 1024, Limit::ManifestBytes),
                c.blob(&r, &lying, 1024, Limit::ManifestBytes),
            ));
            assert_eq!(good.unwrap(), bytes);
            assert!(bad.is_err());
        }

        #[test]
        fn other_types_and_other_failures_ask_once_with_all_four() {
            let (bytes, d) = described("application/vnd.example+json");
            let (got, accepts) = fetch_described(&d, |_| answer(200, &bytes));
            assert_eq!(
                (got.unwrap(), accepts),
                (bytes, vec![ACCEPT_MANIFESTS.to_owned()])
            );
            // A server error is not a refused type: no second ask.
            let (_, d) = described(OCI_INDEX);
            let (got, accepts) = fetch_described(&d, |_| answer(500, b""));
            assert!(
                matches!(got, Err(RegistryError::Http { status: 500, .. })),
                "{got:?}"
            );
            assert_eq!(accepts, [OCI_INDEX]);
        }
    }

    #[test]
    fn link_next() {
        assert_eq!(
            next_link(r#"</v2/a/referrers/sha256:x?last=b>; rel="next""#).as_deref(),
            Some("/v2/a/referrers/sha256:x?last=b")
        );
        assert_eq!(next_link(r#"</x>; rel="prev""#), None);
    }
}
