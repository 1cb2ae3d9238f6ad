//! The native transport: blocking `ureq` (rustls), bounded bodies, a global timeout, and
//! redirects followed here as browsers follow them (`redirect.rs`): at most
//! [`MAX_REDIRECTS`], and `Authorization` only to the same origin — scheme, host and port.

use std::time::Duration;

use opk_verify::limits::MAX_REDIRECTS;

use crate::redirect;
use crate::transport::{
    BodySink, Method, Request, Response, Transport, TransportError, MAX_ERROR_BODY,
};

/// Requests over the network from a native process.
#[derive(Debug, Clone)]
pub struct NativeTransport {
    agent: ureq::Agent,
}

impl NativeTransport {
    /// A transport whose every request completes or fails within `timeout`.
    pub fn new(timeout: Duration) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .user_agent(concat!("opk/", env!("CARGO_PKG_VERSION")))
            .build();
        Self {
            agent: config.into(),
        }
    }
}

impl Default for NativeTransport {
    fn default() -> Self {
        Self::new(Duration::from_secs(30))
    }
}

impl Transport for NativeTransport {
    async fn send(&self, req: &Request) -> Result<Response, TransportError> {
        self.follow(req, None)
    }

    async fn send_streaming(
        &self,
        req: &Request,
        sink: &mut BodySink<'_>,
    ) -> Result<Response, TransportError> {
        self.follow(req, Some(sink))
    }
}

impl NativeTransport {
    /// Sends `req`, following redirects; a 2xx body goes to `sink` when there is one.
    fn follow(
        &self,
        req: &Request,
        mut sink: Option<&mut BodySink<'_>>,
    ) -> Result<Response, TransportError> {
        let mut hop = req.clone();
        for _ in 0..=MAX_REDIRECTS {
            let resp = match sink {
                Some(ref mut s) => self.send_once(&hop, Some(&mut **s))?,
                None => self.send_once(&hop, None)?,
            };
            let Some(next) = redirect(&hop, &resp) else {
                return Ok(resp);
            };
            hop = next;
        }
        Err(TransportError::TooManyRedirects)
    }
}

/// The request a redirect asks for, if `resp` is one: the `Location` resolved against the
/// request's URL; `GET` after a 303 (and after a 301/302 of a `POST`, as browsers do), the same
/// method and body after a 307/308; `Authorization` dropped unless the origin stays the same.
fn redirect(req: &Request, resp: &Response) -> Option<Request> {
    if !matches!(resp.status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let url = redirect::resolve(&req.url, resp.header("location")?)?;
    let mut next = req.clone();
    if resp.status == 303 || (matches!(resp.status, 301 | 302) && req.method == Method::Post) {
        next.method = if req.method == Method::Head {
            Method::Head
        } else {
            Method::Get
        };
        next.body.clear();
    }
    if !redirect::same_origin(&req.url, &url) {
        next.headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("authorization"));
    }
    next.url = url;
    Some(next)
}

impl NativeTransport {
    /// One request, no redirect followed.
    fn send_once(
        &self,
        req: &Request,
        sink: Option<&mut BodySink<'_>>,
    ) -> Result<Response, TransportError> {
        let result = match req.method {
            Method::Get => with_headers(self.agent.get(&req.url), req).call(),
            Method::Head => with_headers(self.agent.head(&req.url), req).call(),
            Method::Post => with_headers(self.agent.post(&req.url), req).send(&req.body[..]),
            Method::Put => with_headers(self.agent.put(&req.url), req).send(&req.body[..]),
        };
        let mut resp = result.map_err(map_error)?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = if req.method == Method::Head {
            Vec::new()
        } else if !(200..300).contains(&status) {
            let mut buf = Vec::new();
            let reader = resp.body_mut().as_reader();
            // The message is best effort: a broken error body leaves it empty.
            let _ = std::io::Read::read_to_end(
                &mut std::io::Read::take(reader, MAX_ERROR_BODY as u64),
                &mut buf,
            );
            buf
        } else if let Some(sink) = sink {
            let mut reader = resp.body_mut().with_config().limit(u64::MAX).reader();
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = std::io::Read::read(&mut reader, &mut buf)
                    .map_err(|e| TransportError::Network(e.to_string()))?;
                if n == 0 {
                    break;
                }
                if !sink(&buf[..n]) {
                    return Err(TransportError::Cancelled);
                }
            }
            Vec::new()
        } else {
            resp.body_mut()
                .with_config()
                .limit(u64::try_from(req.max_body).unwrap_or(u64::MAX))
                .read_to_vec()
                .map_err(map_error)?
        };
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

fn with_headers<B>(mut b: ureq::RequestBuilder<B>, req: &Request) -> ureq::RequestBuilder<B> {
    for (k, v) in &req.headers {
        b = b.header(k.as_str(), v.as_str());
    }
    b
}

fn map_error(e: ureq::Error) -> TransportError {
    match e {
        ureq::Error::BodyExceedsLimit(_) => TransportError::BodyTooLarge,
        ureq::Error::TooManyRedirects => TransportError::TooManyRedirects,
        other => TransportError::Network(other.to_string()),
    }
}
