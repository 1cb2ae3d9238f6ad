//! The browser transport: `fetch` through gloo-net. CORS applies: registries without CORS
//! headers are reached through a proxy ([`crate::Route`]); a refused request surfaces as a
//! network error, the only thing `fetch` reports.
//!
//! Bodies: an announced `Content-Length` over the bound fails before the body is read, and the
//! read body is checked again. A body that lies about its length is read in full before it is
//! refused (a streaming byte budget is hardening work, see the issue tracker).

use gloo_net::http::{Method as HttpMethod, RequestBuilder};

use crate::transport::{Method, Request, Response, Transport, TransportError, MAX_ERROR_BODY};

/// Requests from a browser page via `fetch`.
#[derive(Debug, Clone, Copy, Default)]
pub struct BrowserTransport;

impl Transport for BrowserTransport {
    async fn send(&self, req: &Request) -> Result<Response, TransportError> {
        let method = match req.method {
            Method::Get => HttpMethod::GET,
            Method::Head => HttpMethod::HEAD,
            Method::Post => HttpMethod::POST,
            Method::Put => HttpMethod::PUT,
        };
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
        let resp = request
            .send()
            .await
            .map_err(|e| TransportError::Network(e.to_string()))?;
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
        if ok && req.method == Method::Get && announced.is_some_and(|n| n > req.max_body) {
            return Err(TransportError::BodyTooLarge);
        }
        let body = if req.method == Method::Head {
            Vec::new()
        } else {
            resp.binary()
                .await
                .map_err(|e| TransportError::Network(e.to_string()))?
        };
        let body = if ok {
            if body.len() > req.max_body {
                return Err(TransportError::BodyTooLarge);
            }
            body
        } else {
            body.into_iter().take(MAX_ERROR_BODY).collect()
        };
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}
