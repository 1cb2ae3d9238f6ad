//! A registry front that sends blobs to a storage service on another port, as registries backed
//! by an S3-compatible store do: `GET /v2/<repo>/blobs/<digest>` is answered `307` with a
//! "presigned" URL on `127.0.0.1:<store port>`, everything else is forwarded to the registry
//! with its `Authorization`. The store, like S3 with a presigned URL, refuses a request carrying
//! `Authorization` (400: two auth mechanisms) — so a client that keeps its registry token on a
//! redirect to another port (same host name, another origin) fails here, as it leaks the token.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::image::Blob;

/// A running front and its store.
pub struct RedirectFront {
    /// `127.0.0.1:<port>`: the registry address to use in references.
    pub addr: String,
    /// Requests the store refused because they carried `Authorization`.
    pub refused: Arc<AtomicUsize>,
    /// Blobs the store served.
    pub served: Arc<AtomicUsize>,
    servers: [Arc<tiny_http::Server>; 2],
}

impl RedirectFront {
    /// Fronts the registry at `registry` (`127.0.0.1:<port>`); the store serves `blobs`.
    pub fn start(registry: &str, blobs: Vec<Blob>) -> Self {
        let store = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind store"));
        let front = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind front"));
        let port = |s: &tiny_http::Server| s.server_addr().to_ip().expect("ip").port();
        let store_port = port(&store);
        let (refused, served) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        {
            let (s, refused, served) = (Arc::clone(&store), refused.clone(), served.clone());
            std::thread::spawn(move || {
                for req in s.incoming_requests() {
                    let resp = serve_blob(&req, &blobs, &refused, &served);
                    let _ = req.respond(resp);
                }
            });
        }
        {
            let (s, registry) = (Arc::clone(&front), registry.to_owned());
            std::thread::spawn(move || {
                let agent = crate::upstream::agent();
                for req in s.incoming_requests() {
                    let resp = forward(&agent, &registry, store_port, &req);
                    let _ = req.respond(resp);
                }
            });
        }
        Self {
            addr: format!("127.0.0.1:{}", port(&front)),
            refused,
            served,
            servers: [front, store],
        }
    }
}

impl Drop for RedirectFront {
    fn drop(&mut self) {
        for s in &self.servers {
            s.unblock();
        }
    }
}

fn response(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> tiny_http::ResponseBox {
    let mut r = tiny_http::Response::from_data(body).with_status_code(status);
    for (k, v) in headers {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            r.add_header(h);
        }
    }
    r.boxed()
}

fn serve_blob(
    req: &tiny_http::Request,
    blobs: &[Blob],
    refused: &AtomicUsize,
    served: &AtomicUsize,
) -> tiny_http::ResponseBox {
    if req.headers().iter().any(|h| h.field.equiv("Authorization")) {
        refused.fetch_add(1, Ordering::SeqCst);
        let body = b"<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>";
        return response(400, vec![], body.to_vec());
    }
    let path = req.url().split('?').next().unwrap_or_default();
    let digest = path.rsplit('/').next().unwrap_or_default();
    match blobs.iter().find(|b| b.digest() == digest) {
        Some(b) => {
            served.fetch_add(1, Ordering::SeqCst);
            let ct = ("Content-Type".into(), "application/octet-stream".into());
            response(200, vec![ct], b.bytes.clone())
        }
        None => response(404, vec![], b"NoSuchKey".to_vec()),
    }
}

fn forward(
    agent: &ureq::Agent,
    registry: &str,
    store_port: u16,
    req: &tiny_http::Request,
) -> tiny_http::ResponseBox {
    let url = req.url().to_owned();
    let bare = url.split('?').next().unwrap_or_default();
    if let Some((_, digest)) = bare.split_once("/blobs/") {
        if *req.method() == tiny_http::Method::Get && digest.starts_with("sha256:") {
            let location =
                format!("http://127.0.0.1:{store_port}/store/{digest}?X-Amz-Signature=presigned");
            return response(307, vec![("Location".into(), location)], Vec::new());
        }
    }
    let head = *req.method() == tiny_http::Method::Head;
    let target = format!("http://{registry}{url}");
    let sent = req
        .headers()
        .iter()
        .map(|h| (h.field.as_str().as_str(), h.value.as_str()));
    match crate::upstream::forward(agent, &target, head, sent) {
        Some((status, headers, body)) => response(status, headers, body),
        None => response(502, vec![], b"registry unreachable".to_vec()),
    }
}
