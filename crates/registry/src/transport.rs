//! The one seam between protocol code and the network: a request goes out, a bounded response
//! comes back. Natively it is `ureq` ([`crate::NativeTransport`]); in the browser it is `fetch`
//! through gloo-net ([`crate::BrowserTransport`]). Everything else in this crate is shared.

/// HTTP methods a registry client needs: reads, and the upload calls of a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`.
    Get,
    /// `HEAD`.
    Head,
    /// `POST` (start a blob upload).
    Post,
    /// `PUT` (finish an upload, put a manifest).
    Put,
}

impl Method {
    /// The method name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Head => "HEAD",
            Self::Post => "POST",
            Self::Put => "PUT",
        }
    }
}

/// Bodies of non-2xx responses are truncated to this many bytes.
pub const MAX_ERROR_BODY: usize = 64 * 1024;

/// One outgoing request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The absolute URL as sent (already routed through the proxy, if any).
    pub url: String,
    /// Headers (name, value).
    pub headers: Vec<(String, String)>,
    /// The request body (`POST`/`PUT`), empty otherwise.
    pub body: Vec<u8>,
    /// The most body bytes to read from a 2xx response; more is
    /// [`TransportError::BodyTooLarge`]. Other responses' bodies are read for their message
    /// only, truncated to [`MAX_ERROR_BODY`].
    pub max_body: usize,
}

/// One response, body read in full (bounded by [`Request::max_body`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers, names in lowercase.
    pub headers: Vec<(String, String)>,
    /// The body (empty for `HEAD`).
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request produced no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// Connection, TLS, timeout, CORS: the description.
    Network(String),
    /// The body (or its announced `Content-Length`) is over [`Request::max_body`].
    BodyTooLarge,
    /// More redirects than [`opk_verify::limits::MAX_REDIRECTS`].
    TooManyRedirects,
    /// The caller's sink asked to stop reading (a cancelled stream).
    Cancelled,
}

/// Where a streamed body goes, chunk by chunk; it returns `false` to stop reading.
pub type BodySink<'a> = dyn FnMut(&[u8]) -> bool + 'a;

/// Sends requests. Futures are not `Send`: the browser's are not, and the native one completes
/// at once (it blocks), so the CLI drives it with a one-line executor.
#[allow(async_fn_in_trait)]
pub trait Transport {
    /// Sends `req` and reads the response body within its bound.
    async fn send(&self, req: &Request) -> Result<Response, TransportError>;

    /// Sends `req`; a successful (2xx) response's body goes to `sink` as it arrives, chunk by
    /// chunk, and is not kept (the returned body is empty); other bodies are read as by
    /// [`Self::send`]. `sink` returns `false` to stop: [`TransportError::Cancelled`].
    /// `req.max_body` does not apply to a streamed body: the caller counts. This default reads
    /// the whole body first; the real transports override it.
    async fn send_streaming(
        &self,
        req: &Request,
        sink: &mut BodySink<'_>,
    ) -> Result<Response, TransportError> {
        let mut resp = self.send(req).await?;
        if (200..300).contains(&resp.status) {
            let body = std::mem::take(&mut resp.body);
            if !sink(&body) {
                return Err(TransportError::Cancelled);
            }
        }
        Ok(resp)
    }
}
