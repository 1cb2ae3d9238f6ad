//! `opk proxy`: a small CORS proxy for registries that need not be trusted — the page checks
//! every digest and signature itself. `GET|HEAD /<host>/<path>` is forwarded to
//! `https://<host>/<path>` (`http://` for loopback hosts) when `<host>` is allow-listed.
//!
//! - Only GET, HEAD and OPTIONS; OPTIONS (CORS preflight) is answered here, never forwarded.
//! - Forwards only `Accept`, `Authorization`, `Range` and `If-None-Match`; returns only the
//!   distribution headers a client needs, exposed to scripts (peers.md §4.4); no cookies.
//! - Follows redirects itself (≤ 5, each target allow-listed; `Authorization` is dropped when
//!   the origin — scheme, host or port — changes), so blob CDNs need no CORS.
//! - Bounded: upstream timeout, body cap, a fixed pool of worker threads. Stores nothing.
//! - Serves only its origins (`proxy_origins.rs`): with `--allow-origin`, exactly those; without,
//!   any, and then only public upstream hosts.

use std::io::Read as _;
use std::process::ExitCode;
use std::time::Duration;

use opk_registry::redirect;
use opk_serve::{Body, Request, Response, Server};
use opk_verify::limits::MAX_REDIRECTS;

use crate::args::Proxy;
use crate::proxy_origins::{Origins, Verdict};

/// Public registries, their token services and blob CDNs, allowed when no `--allow` is given.
pub const DEFAULT_ALLOW: &[&str] = &[
    "registry-1.docker.io",
    "auth.docker.io",
    "production.cloudflare.docker.com",
    "ghcr.io",
    "pkg-containers.githubusercontent.com",
    "quay.io",
    "cdn01.quay.io",
    "cdn02.quay.io",
    "cdn03.quay.io",
    "gcr.io",
    "public.ecr.aws",
    "mcr.microsoft.com",
];

const FORWARDED_REQUEST_HEADERS: &[&str] = &["accept", "authorization", "range", "if-none-match"];
const RETURNED_HEADERS: &[&str] = &[
    "content-type",
    "docker-content-digest",
    "www-authenticate",
    "link",
    "oci-subject",
    "oci-filters-applied",
    "docker-distribution-api-version",
    "ratelimit-limit",
    "ratelimit-remaining",
    "docker-ratelimit-source",
    "retry-after",
    "content-range",
    "etag",
];
const EXPOSED: &str = "Docker-Content-Digest, WWW-Authenticate, Link, OCI-Subject, OCI-Filters-Applied, Docker-Distribution-Api-Version, RateLimit-Limit, RateLimit-Remaining, Docker-RateLimit-Source, Retry-After, Content-Range, ETag";

struct Config {
    allow: Vec<String>,
    origins: Origins,
    max_body: usize,
    max_layer: u64,
    agent: ureq::Agent,
}

/// Runs the proxy until the process is stopped.
pub fn run(p: &Proxy) -> ExitCode {
    let allow: Vec<String> = if p.allow.is_empty() {
        DEFAULT_ALLOW.iter().map(|h| (*h).to_owned()).collect()
    } else {
        p.allow.iter().map(|h| h.to_ascii_lowercase()).collect()
    };
    let origins = match Origins::new(&p.allow_origin, &p.allow) {
        Ok(o) => o,
        Err(e) => return crate::input_error(&e),
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(p.timeout)))
        .user_agent(concat!("opk-proxy/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let config = Config {
        allow: allow.clone(),
        origins: origins.clone(),
        max_body: p.max_body,
        max_layer: p.max_layer,
        agent,
    };
    // One thread per connection (opk-serve): a browser's idle preconnected sockets cannot
    // starve the requests of a page.
    let server = match Server::bind(&p.listen, move |req| handle(&config, req)) {
        Ok(s) => s,
        Err(e) => return crate::input_error(&format!("cannot listen on {}: {e}", p.listen)),
    };
    let addr = server.addr.clone();
    // The first line is for scripts (tests read it); a closed stdout must not stop the proxy.
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "opk proxy listening on http://{addr}");
        let _ = writeln!(out, "allowed upstream hosts: {}", allow.join(", "));
        let _ = match &origins {
            Origins::Any => writeln!(out, "allowed origins: any (public upstream hosts only)"),
            Origins::Listed(l) => writeln!(out, "allowed origins: {}", l.join(", ")),
        };
        let _ = out.flush();
    }
    server.wait();
    ExitCode::SUCCESS
}

type Reply = Response;

fn reply(
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    head_len: Option<usize>,
) -> Reply {
    Response {
        status,
        headers,
        body: match head_len {
            Some(len) => Body::Head(u64::try_from(len).unwrap_or(u64::MAX)),
            None => Body::Bytes(body),
        },
    }
}

/// The CORS headers of a served request: `allow_origin` is what `Origins::verdict` chose.
fn cors(allow_origin: Option<&str>) -> Vec<(String, String)> {
    let mut h = vec![
        ("Access-Control-Expose-Headers".into(), EXPOSED.into()),
        ("Vary".into(), "Origin".into()),
    ];
    if let Some(o) = allow_origin {
        h.push(("Access-Control-Allow-Origin".into(), o.into()));
    }
    h
}

fn error(status: u16, origin: Option<&str>, message: &str) -> Reply {
    let mut h = cors(origin);
    h.push(("Content-Type".into(), "application/json".into()));
    let body = serde_json::json!({"error": message})
        .to_string()
        .into_bytes();
    reply(status, h, body, None)
}

fn is_loopback(host: &str) -> bool {
    let h = host.strip_prefix('[').map_or_else(
        || host.split(':').next().unwrap_or_default(),
        |v6| v6.split(']').next().unwrap_or_default(),
    );
    h == "localhost" || h == "::1" || h.starts_with("127.")
}

fn handle(config: &Config, req: &Request) -> Reply {
    let get = |name: &str| req.header(name).map(str::to_owned);
    // From here on `origin` is what Access-Control-Allow-Origin says (if anything): a request
    // carrying an origin that is not served is refused before any upstream request.
    let origin = match config.origins.verdict(get("origin").as_deref()) {
        Verdict::Serve(allow) => allow,
        Verdict::Refuse => {
            let body = serde_json::json!({"error": "this proxy does not serve that origin"});
            let h = vec![
                ("Vary".into(), "Origin".into()),
                ("Content-Type".into(), "application/json".into()),
            ];
            return reply(403, h, body.to_string().into_bytes(), None);
        }
    };
    let private_network = config
        .origins
        .allows_private_network(get("origin").as_deref())
        && get("access-control-request-private-network").as_deref() == Some("true");
    let origin = origin.as_deref();
    let head = match req.method.as_str() {
        "OPTIONS" => {
            let mut h = cors(origin);
            if private_network {
                h.push(("Access-Control-Allow-Private-Network".into(), "true".into()));
            }
            h.extend([
                (
                    "Access-Control-Allow-Methods".into(),
                    "GET, HEAD, OPTIONS".into(),
                ),
                (
                    "Access-Control-Allow-Headers".into(),
                    "Authorization, Accept, Range, Cache-Control, If-None-Match".into(),
                ),
                ("Access-Control-Max-Age".into(), "86400".into()),
            ]);
            return reply(204, h, Vec::new(), None);
        }
        "GET" => false,
        "HEAD" => true,
        _ => return error(405, origin, "only GET, HEAD and OPTIONS are proxied"),
    };
    let path = req.target.trim_start_matches('/');
    if path.is_empty() {
        let mut h = cors(origin);
        h.push(("Content-Type".into(), "text/plain".into()));
        return reply(
            200,
            h,
            b"opk proxy: GET /<registry-host>/v2/...\n".to_vec(),
            None,
        );
    }
    let (host, rest) = path.split_once('/').unwrap_or((path, ""));
    let host = host.to_ascii_lowercase();
    if !config.allow.contains(&host) {
        return error(
            403,
            origin,
            &format!("upstream host {host:?} is not allowed by this proxy"),
        );
    }
    let scheme = if is_loopback(&host) { "http" } else { "https" };
    let mut url = format!("{scheme}://{host}/{rest}");
    let mut headers: Vec<(String, String)> = FORWARDED_REQUEST_HEADERS
        .iter()
        .filter_map(|n| get(n).map(|v| ((*n).to_owned(), v)))
        .collect();
    for _ in 0..=MAX_REDIRECTS {
        let mut builder = if head {
            config.agent.head(&url)
        } else {
            config.agent.get(&url)
        };
        for (k, v) in &headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let mut up = match builder.call() {
            Ok(r) => r,
            Err(e) => return error(502, origin, &format!("upstream {url}: {e}")),
        };
        let status = up.status().as_u16();
        if matches!(status, 301 | 302 | 303 | 307 | 308) {
            let Some(location) = up.headers().get("location").and_then(|v| v.to_str().ok()) else {
                return error(502, origin, "upstream redirect without Location");
            };
            let Some(next) = redirect::resolve(&url, location) else {
                return error(502, origin, "upstream redirect to an unusable Location");
            };
            let next_host = authority(&next).to_ascii_lowercase();
            if !config.allow.contains(&next_host) {
                return error(
                    502,
                    origin,
                    &format!("upstream redirected to {next_host:?}, which is not allowed"),
                );
            }
            // Credentials stay with their origin (scheme, host and port), as in browsers.
            if !redirect::same_origin(&url, &next) {
                headers.retain(|(k, _)| k != "authorization");
            }
            url = next;
            continue;
        }
        let mut out = cors(origin);
        for (k, v) in up.headers() {
            let name = k.as_str();
            if RETURNED_HEADERS.contains(&name) {
                out.push((name.to_owned(), v.to_str().unwrap_or_default().to_owned()));
            }
        }
        if head {
            let len = up
                .headers()
                .get("content-length")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok());
            return reply(status, out, Vec::new(), len.or(Some(0)));
        }
        // A blob (an image layer can be gigabytes) is streamed: never held here.
        if (200..300).contains(&status) && is_blob(&url) {
            let announced = up
                .headers()
                .get("content-length")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if announced.is_some_and(|n| n > config.max_layer) {
                return error(
                    502,
                    origin,
                    &format!(
                        "upstream blob exceeds {} bytes (--max-layer)",
                        config.max_layer
                    ),
                );
            }
            let reader = up.into_body().into_reader().take(config.max_layer);
            return Response {
                status,
                headers: out,
                body: Body::Stream(Box::new(reader)),
            };
        }
        let mut body = Vec::new();
        let limit = u64::try_from(config.max_body).unwrap_or(u64::MAX) + 1;
        if let Err(e) = up.body_mut().as_reader().take(limit).read_to_end(&mut body) {
            return error(502, origin, &format!("upstream body: {e}"));
        }
        if body.len() > config.max_body {
            return error(
                502,
                origin,
                &format!("upstream body exceeds {} bytes", config.max_body),
            );
        }
        return reply(status, out, body, None);
    }
    error(502, origin, &format!("more than {MAX_REDIRECTS} redirects"))
}

/// Whether `url` names a blob (`/v2/<name>/blobs/<digest>`).
fn is_blob(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.split('?').next().unwrap_or_default();
    path.split_once('/')
        .is_some_and(|(_, p)| p.starts_with("v2/") && p.rsplit('/').nth(1) == Some("blobs"))
}

fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(authority("https://ghcr.io:443/v2/x"), "ghcr.io:443");
        assert!(
            is_loopback("127.0.0.1:5000") && is_loopback("[::1]:80") && !is_loopback("ghcr.io")
        );
    }
}
