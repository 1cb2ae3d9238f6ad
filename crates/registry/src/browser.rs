//! The browser transport: `fetch` through gloo-net. CORS applies: registries without CORS
//! headers are reached through a proxy ([`crate::Route`]); a refused request surfaces as a
//! network error, the only thing `fetch` reports.
//!
//! Bodies: an announced `Content-Length` over the bound fails before the body is read; the body
//! is then read as a stream with a byte budget and the read is cancelled as soon as it goes over,
//! so a missing or lying `Content-Length` or an endless body costs at most the budget.
//!
//! Early requests: the page's first script (web/index.html) may already have sent, while the
//! wasm was downloading, the GETs its deep link will need first (the image's top-level object,
//! the issuer key sets, a trusted root), each with only an `Accept` header. A request that is
//! exactly one of those (method, URL and `Accept`) takes its response instead of sending it
//! again — once; it is read, bounded and checked like any other. If that early request failed,
//! this one is sent as usual.

use gloo_net::http::{Method as HttpMethod, RequestBuilder};

use crate::transport::{
    BodySink, Method, Request, Response, Transport, TransportError, MAX_ERROR_BODY,
};

/// Requests from a browser page via `fetch`.
#[derive(Debug, Clone, Copy, Default)]
pub struct BrowserTransport;

impl Transport for BrowserTransport {
    async fn send(&self, req: &Request) -> Result<Response, TransportError> {
        self.fetch(req, None).await
    }

    async fn send_streaming(
        &self,
        req: &Request,
        sink: &mut BodySink<'_>,
    ) -> Result<Response, TransportError> {
        self.fetch(req, Some(sink)).await
    }
}

impl BrowserTransport {
    /// One `fetch`; a 2xx body goes to `sink` when there is one, else is read within bounds.
    async fn fetch(
        &self,
        req: &Request,
        sink: Option<&mut BodySink<'_>>,
    ) -> Result<Response, TransportError> {
        let method = match req.method {
            Method::Get => HttpMethod::GET,
            Method::Head => HttpMethod::HEAD,
            Method::Post => HttpMethod::POST,
            Method::Put => HttpMethod::PUT,
        };
        let early = match early_request(req) {
            Some(promise) => wasm_bindgen_futures::JsFuture::from(promise)
                .await
                .ok()
                .and_then(|r| wasm_bindgen::JsCast::dyn_into::<web_sys::Response>(r).ok()),
            None => None,
        };
        let resp = match early {
            Some(raw) => gloo_net::http::Response::from(raw),
            None => Self::send_now(req, method).await?,
        };
        let headers: Vec<(String, String)> = resp
            .headers()
            .entries()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        let status = resp.status();
        let ok = (200..300).contains(&status);
        let announced = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse::<usize>().ok());
        let body = match sink {
            Some(sink) if ok && req.method == Method::Get => {
                stream_to(resp.body(), sink).await?;
                Vec::new()
            }
            _ if ok && req.method == Method::Get && announced.is_some_and(|n| n > req.max_body) => {
                return Err(TransportError::BodyTooLarge);
            }
            _ if req.method == Method::Head => Vec::new(),
            _ if ok => read_bounded(resp.body(), req.max_body)
                .await?
                .ok_or(TransportError::BodyTooLarge)?,
            // An error body is only a message: read what fits, then stop.
            _ => read_bounded(resp.body(), MAX_ERROR_BODY)
                .await
                .ok()
                .flatten()
                .unwrap_or_default(),
        };
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

impl BrowserTransport {
    async fn send_now(
        req: &Request,
        method: HttpMethod,
    ) -> Result<gloo_net::http::Response, TransportError> {
        let mut builder = RequestBuilder::new(&req.url).method(method);
        for (k, v) in &req.headers {
            builder = builder.header(k, v);
        }
        let request = if req.body.is_empty() {
            builder.build()
        } else {
            builder.body(js_sys::Uint8Array::from(&req.body[..]))
        }
        .map_err(|e| TransportError::Network(e.to_string()))?;
        request
            .send()
            .await
            .map_err(|e| TransportError::Network(e.to_string()))
    }
}

/// The response promise of the early request that is exactly `req` (a GET with no body whose
/// only header is `Accept`), taken out of the page's `opkEarly` map (key `GET <url>\n<accept>`).
fn early_request(req: &Request) -> Option<js_sys::Promise> {
    use wasm_bindgen::JsCast as _;
    if req.method != Method::Get || !req.body.is_empty() {
        return None;
    }
    let [(name, accept)] = req.headers.as_slice() else {
        return None;
    };
    if !name.eq_ignore_ascii_case("accept") {
        return None;
    }
    let early = js_sys::Reflect::get(&js_sys::global(), &"opkEarly".into()).ok()?;
    let early: js_sys::Map = early.dyn_into().ok()?;
    let key = wasm_bindgen::JsValue::from_str(&format!("GET {}\n{accept}", req.url));
    let promise = early.get(&key).dyn_into::<js_sys::Promise>().ok()?;
    early.delete(&key);
    Some(promise)
}

/// Passes `stream`'s chunks to `sink` as they arrive (one reused buffer), to the stream's end
/// or until `sink` says stop (then the stream is cancelled).
async fn stream_to(
    stream: Option<web_sys::ReadableStream>,
    sink: &mut BodySink<'_>,
) -> Result<(), TransportError> {
    use wasm_bindgen::JsCast as _;
    let Some(stream) = stream else {
        return Ok(());
    };
    let net = |e: wasm_bindgen::JsValue| TransportError::Network(format!("{e:?}"));
    let reader: web_sys::ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut buf = Vec::new();
    loop {
        let chunk = wasm_bindgen_futures::JsFuture::from(reader.read())
            .await
            .map_err(net)?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .map_err(net)?
            .as_bool()
            .unwrap_or(true);
        if done {
            return Ok(());
        }
        let value: js_sys::Uint8Array = js_sys::Reflect::get(&chunk, &"value".into())
            .map_err(net)?
            .unchecked_into();
        buf.resize(value.length() as usize, 0);
        value.copy_to(&mut buf);
        if !sink(&buf) {
            let _ = reader.cancel();
            return Err(TransportError::Cancelled);
        }
    }
}

/// Reads `stream` to its end, or `None` (the stream cancelled) once more than `max` bytes came.
async fn read_bounded(
    stream: Option<web_sys::ReadableStream>,
    max: usize,
) -> Result<Option<Vec<u8>>, TransportError> {
    let mut out = Vec::new();
    let read = stream_to(stream, &mut |chunk| {
        if out.len() + chunk.len() > max {
            return false;
        }
        out.extend_from_slice(chunk);
        true
    })
    .await;
    match read {
        Ok(()) => Ok(Some(out)),
        Err(TransportError::Cancelled) => Ok(None),
        Err(e) => Err(e),
    }
}
