//! A blob streamed, not held: each chunk goes to the caller as it arrives (a layer listed while
//! it downloads), at most the descriptor's size is read, and the SHA-256 of everything passed
//! on is checked against the digest at the end. Until then nothing streamed is verified: the
//! caller shows it as such, and a mismatch at the end fails the whole stream.

use sha2::{Digest as _, Sha256};

use opk_verify::limits::Limit;
use opk_verify::oci::Descriptor;
use opk_verify::VerifyError;

use crate::client::{expect_ok, transport_error, Client, DigestCheck, FetchRecord};
use crate::transport::{BodySink, Method, Request, Transport, TransportError};
use crate::{Reference, RegistryError};

impl<T: Transport> Client<T> {
    /// Streams the blob `d` of `r`'s repository into `sink` (which returns `false` to cancel:
    /// [`RegistryError::Cancelled`]). Fails with a digest mismatch when the registry sends
    /// more than `d.size` bytes (stopped there), fewer, or other bytes.
    pub async fn blob_stream(
        &self,
        r: &Reference,
        d: &Descriptor,
        sink: &mut BodySink<'_>,
    ) -> Result<(), RegistryError> {
        let url = format!("{}/v2/{}/blobs/{}", r.base_url(), r.repository(), d.digest);
        let first = self.stream_once(r, &url, d, sink).await;
        let streamed = match first {
            Err(RegistryError::Http { status: 401, .. }) => {
                // The token flow runs once, on a bodiless request; then the stream again.
                let head = self
                    .send(r, Method::Head, &url, "*/*", 0, Limit::ManifestBytes)
                    .await?;
                expect_ok(&url, &head)?;
                self.stream_once(r, &url, d, sink).await?
            }
            other => other?,
        };
        let (count, sha256) = streamed;
        let actual = opk_verify::hex::encode(&sha256);
        if count != d.size || actual != d.digest.hex() {
            self.mark(&url, DigestCheck::Failed);
            return Err(RegistryError::Verify(VerifyError::DigestMismatch {
                expected: format!("{} ({} bytes)", d.digest, d.size),
                actual: format!("sha256:{actual} ({count} bytes)"),
            }));
        }
        self.mark(&url, DigestCheck::Verified);
        Ok(())
    }

    /// One streaming `GET` with the cached authorization: the bytes passed on and their hash.
    async fn stream_once(
        &self,
        r: &Reference,
        url: &str,
        d: &Descriptor,
        sink: &mut BodySink<'_>,
    ) -> Result<(u64, Vec<u8>), RegistryError> {
        let key = r.repository_key();
        let mut headers = vec![("Accept".to_owned(), "*/*".to_owned())];
        if let Some((_, a)) = self.auth.borrow().iter().find(|(k, _)| *k == key) {
            headers.push(("Authorization".to_owned(), a.clone()));
        }
        let req = Request {
            method: Method::Get,
            url: self.route.apply(url),
            headers,
            body: Vec::new(),
            max_body: 0,
        };
        let at = {
            let mut log = self.log.borrow_mut();
            log.push(FetchRecord {
                method: "GET",
                url: url.to_owned(),
                via_proxy: self.route.is_proxied(),
                status: None,
                bytes: 0,
                digest_check: DigestCheck::NotApplicable,
                note: Some("streamed".into()),
            });
            log.len() - 1
        };
        let mut hasher = Sha256::new();
        let mut count = 0u64;
        let mut over = false;
        let mut pass = |chunk: &[u8]| {
            let room = d.size.saturating_sub(count);
            let take = chunk.len().min(usize::try_from(room).unwrap_or(usize::MAX));
            hasher.update(&chunk[..take]);
            count += take as u64;
            if take < chunk.len() {
                over = true;
                return false;
            }
            sink(chunk)
        };
        self.progress.sent();
        let result = self.transport.send_streaming(&req, &mut pass).await;
        self.progress.done();
        if let Some(record) = self.log.borrow_mut().get_mut(at) {
            record.status = result.as_ref().ok().map(|resp| resp.status);
            record.bytes = usize::try_from(count).unwrap_or(usize::MAX);
        }
        let resp = match result {
            Ok(resp) => resp,
            Err(TransportError::Cancelled) if over => {
                return Err(RegistryError::Verify(VerifyError::DigestMismatch {
                    expected: format!("{} ({} bytes)", d.digest, d.size),
                    actual: format!("more than {} bytes", d.size),
                }))
            }
            // A streamed body has no transport bound (counted above): no `BodyTooLarge` here.
            Err(e) => return Err(transport_error(e, &req.url, Limit::ManifestBytes)),
        };
        expect_ok(url, &resp)?;
        Ok((count, hasher.finalize().to_vec()))
    }
}
