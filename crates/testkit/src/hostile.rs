//! A hostile proxy: forwards `/<host>/<path>` (the prefix form `opk proxy` serves) to
//! `http://<host>/<path>` like an honest one, except for one chosen lie. The client must catch
//! every lie with a distinct error and never call withheld content "unsigned".

use crate::image::Blob;
use opk_serve::{Body, Request, Response, Server};

/// One way this proxy lies.
#[derive(Debug, Clone)]
pub enum Lie {
    /// Flips one byte in the middle of the blob with this digest.
    FlipBlobByte(String),
    /// Answers any request whose path (without query) ends with `path_suffix` with this
    /// response instead of forwarding it.
    Answer {
        /// e.g. `/manifests/sha256:…` or `/token`.
        path_suffix: String,
        /// The status.
        status: u16,
        /// Extra headers.
        headers: Vec<(String, String)>,
        /// The body (not sent for `HEAD`).
        body: Vec<u8>,
    },
    /// Answers `GET`s whose path ends with this suffix with 200 and a body that never ends (no
    /// `Content-Length`, chunked).
    Endless(String),
}

/// An endless stream of bytes.
struct Endless;

impl std::io::Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        buf.fill(b'{');
        Ok(buf.len())
    }
}

impl Lie {
    /// 404 for the manifest `digest`: withheld.
    pub fn hide(digest: &str) -> Self {
        Self::Answer {
            path_suffix: format!("/manifests/{digest}"),
            status: 404,
            headers: vec![],
            body: br#"{"errors":[{"code":"MANIFEST_UNKNOWN"}]}"#.to_vec(),
        }
    }
    /// Serves `blob` as the manifest `reference` (a tag or a digest, not necessarily its own).
    pub fn manifest(reference: &str, blob: &Blob) -> Self {
        Self::Answer {
            path_suffix: format!("/manifests/{reference}"),
            status: 200,
            headers: vec![
                ("Content-Type".into(), blob.media_type.clone()),
                ("Docker-Content-Digest".into(), blob.digest()),
            ],
            body: blob.bytes.clone(),
        }
    }
    /// A consistent lie about the tag step: `tag` resolves to `index`, which is served by its
    /// own digest too.
    pub fn rewrite_tag(tag: &str, index: &Blob) -> Vec<Self> {
        vec![
            Self::manifest(tag, index),
            Self::manifest(&index.digest(), index),
        ]
    }
}

/// A running hostile proxy.
pub struct HostileProxy {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    _server: Server,
}

impl HostileProxy {
    /// Starts on a free loopback port.
    pub fn start(lies: Vec<Lie>) -> Self {
        let agent = crate::upstream::agent();
        let server = Server::start(move |req| handle(&agent, &lies, req));
        Self {
            url: format!("http://{}", server.addr),
            _server: server,
        }
    }
}

fn respond(status: u16, mut headers: Vec<(String, String)>, body: Vec<u8>) -> Response {
    // Browsers must be able to read its lies: CORS on every response.
    headers.retain(|(k, _)| {
        let k = k.to_ascii_lowercase();
        k != "access-control-allow-origin" && k != "access-control-expose-headers"
    });
    headers.push(("Access-Control-Allow-Origin".into(), "*".into()));
    headers.push((
        "Access-Control-Expose-Headers".into(),
        "Docker-Content-Digest, WWW-Authenticate, Link".into(),
    ));
    Response {
        status,
        headers,
        body: Body::Bytes(body),
    }
}

fn endless() -> Response {
    Response {
        status: 200,
        headers: vec![
            ("Access-Control-Allow-Origin".into(), "*".into()),
            (
                "Content-Type".into(),
                "application/vnd.oci.image.index.v1+json".into(),
            ),
        ],
        body: Body::Stream(Box::new(Endless)),
    }
}

fn handle(agent: &ureq::Agent, lies: &[Lie], req: &Request) -> Response {
    let head = req.method == "HEAD";
    if req.method == "OPTIONS" {
        return respond(
            204,
            vec![
                (
                    "Access-Control-Allow-Methods".into(),
                    "GET, HEAD, OPTIONS".into(),
                ),
                (
                    "Access-Control-Allow-Headers".into(),
                    "Authorization, Accept, Range".into(),
                ),
            ],
            Vec::new(),
        );
    }
    let path = req.target.trim_start_matches('/').to_owned();
    let (host, rest) = path.split_once('/').unwrap_or((&path, ""));
    let rest = format!("/{rest}");
    let bare = rest.split('?').next().unwrap_or_default();
    for lie in lies {
        if let Lie::Endless(suffix) = lie {
            if !head && bare.ends_with(suffix.as_str()) {
                return endless();
            }
        }
        if let Lie::Answer {
            path_suffix,
            status,
            headers,
            body,
        } = lie
        {
            if bare.ends_with(path_suffix.as_str()) {
                return respond(*status, headers.clone(), body.clone());
            }
        }
    }
    let url = format!("http://{host}{rest}");
    let sent = req.headers.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let Some((status, headers, mut body)) = crate::upstream::forward(agent, &url, head, sent)
    else {
        return respond(502, vec![], b"upstream unreachable".to_vec());
    };
    for lie in lies {
        if let Lie::FlipBlobByte(d) = lie {
            if bare.contains("/blobs/") && bare.ends_with(d.as_str()) && !body.is_empty() {
                let mid = body.len() / 2;
                body[mid] ^= 0x01;
            }
        }
    }
    respond(status, headers, body)
}
