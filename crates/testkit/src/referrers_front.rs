//! A registry front that implements the OCI 1.1 referrers API in front of a registry without
//! one (Debian's docker-registry 2.8): `GET /v2/<name>/referrers/<digest>` answers 200 with an
//! OCI image index of the subject's referrers — read from the `sha256-<hex>` tag the fallback
//! keeps, an empty index when there is none — and with `?artifactType=<type>` only those of
//! that type, saying so in `OCI-Filters-Applied: artifactType` (distribution-spec v1.1,
//! "Listing Referrers"). Everything else is forwarded as is. CORS on every answer, so the page
//! can use it as its registry.

use opk_serve::{Body, Request, Response, Server};
use serde_json::{json, Value};

use crate::image::OCI_INDEX;
use crate::upstream::forward;

/// A running front.
pub struct ReferrersFront {
    /// `127.0.0.1:<port>`: a registry host, as references name it.
    pub addr: String,
    _server: Server,
}

impl ReferrersFront {
    /// Starts on a free loopback port, in front of the registry at `upstream` (`host:port`).
    pub fn start(upstream: &str) -> Self {
        let agent = crate::upstream::agent();
        let upstream = upstream.to_owned();
        let server = Server::start(move |req| handle(&agent, &upstream, req));
        Self {
            addr: server.addr.clone(),
            _server: server,
        }
    }
}

/// `headers` (the registry's) with its CORS headers replaced by the front's.
fn cors(mut headers: Vec<(String, String)>) -> Vec<(String, String)> {
    headers.retain(|(k, _)| !k.to_ascii_lowercase().starts_with("access-control-"));
    headers.push(("Access-Control-Allow-Origin".into(), "*".into()));
    headers.push((
        "Access-Control-Expose-Headers".into(),
        "Docker-Content-Digest, WWW-Authenticate, Link, OCI-Filters-Applied".into(),
    ));
    headers
}

fn handle(agent: &ureq::Agent, upstream: &str, req: &Request) -> Response {
    if req.method == "OPTIONS" {
        let mut headers = cors(Vec::new());
        headers.push((
            "Access-Control-Allow-Methods".into(),
            "GET, HEAD, OPTIONS".into(),
        ));
        headers.push((
            "Access-Control-Allow-Headers".into(),
            "Authorization, Accept, Range".into(),
        ));
        return Response {
            status: 204,
            headers,
            body: Body::Bytes(Vec::new()),
        };
    }
    let (path, query) = req.target.split_once('?').unwrap_or((&req.target, ""));
    if req.method == "GET" {
        if let Some((name, digest)) = referrers_path(path) {
            return referrers(agent, upstream, name, digest, query, req);
        }
    }
    let headers = req.headers.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    match forward(
        agent,
        &format!("http://{upstream}{}", req.target),
        req.method == "HEAD",
        headers,
    ) {
        Some((status, headers, body)) => Response {
            status,
            headers: cors(headers),
            body: Body::Bytes(body),
        },
        None => Response {
            status: 502,
            headers: cors(Vec::new()),
            body: Body::Bytes(b"registry unreachable".to_vec()),
        },
    }
}

/// `/v2/<name>/referrers/sha256:<hex>` → `(name, hex)`.
fn referrers_path(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("/v2/")?;
    let (name, digest) = rest.rsplit_once("/referrers/")?;
    let hex = digest.strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some((name, hex))
}

fn referrers(
    agent: &ureq::Agent,
    upstream: &str,
    name: &str,
    hex: &str,
    query: &str,
    req: &Request,
) -> Response {
    let filter = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("artifactType="))
        .map(|t| {
            percent_encoding::percent_decode_str(t)
                .decode_utf8_lossy()
                .into_owned()
        });
    let auth = req.header("authorization").map(|v| ("authorization", v));
    let listed = forward(
        agent,
        &format!("http://{upstream}/v2/{name}/manifests/sha256-{hex}"),
        false,
        auth.into_iter().chain([("accept", OCI_INDEX)]),
    );
    let mut manifests: Vec<Value> = match listed {
        Some((200, _, body)) => serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v["manifests"].as_array().cloned())
            .unwrap_or_default(),
        Some((404, _, _)) => Vec::new(),
        Some((status, headers, body)) => {
            return Response {
                status,
                headers: cors(headers),
                body: Body::Bytes(body),
            }
        }
        None => {
            return Response {
                status: 502,
                headers: cors(Vec::new()),
                body: Body::Bytes(b"registry unreachable".to_vec()),
            }
        }
    };
    let mut headers = vec![("Content-Type".to_owned(), OCI_INDEX.to_owned())];
    if let Some(t) = &filter {
        manifests.retain(|m| m["artifactType"].as_str() == Some(t.as_str()));
        headers.push(("OCI-Filters-Applied".into(), "artifactType".into()));
    }
    let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests});
    Response {
        status: 200,
        headers: cors(headers),
        body: Body::Bytes(index.to_string().into_bytes()),
    }
}
