//! Following a redirect as browsers do (pure: URLs in, URLs out): the `Location` resolved
//! against the request's URL, and the origin — scheme, host and port — that decides whether
//! credentials go along. A registry whose blobs redirect to a store on another port of the same
//! host must not hand that store its token (the store may refuse two auth mechanisms, and the
//! token was not meant for it).

/// `location` resolved against `base` (absolute, scheme-relative `//host/…`, absolute-path
/// `/…` or a relative path); `None` if `base` is not an absolute http(s) URL.
pub fn resolve(base: &str, location: &str) -> Option<String> {
    let (scheme, rest) = base.split_once("://")?;
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let lower = location.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Some(location.to_owned());
    }
    if let Some(net) = location.strip_prefix("//") {
        return Some(format!("{scheme}://{net}"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if location.starts_with('/') {
        return Some(format!("{scheme}://{authority}{location}"));
    }
    let path = rest[authority.len()..]
        .split(['?', '#'])
        .next()
        .unwrap_or("/");
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    Some(format!("{scheme}://{authority}{dir}/{location}"))
}

/// The origin of an absolute http(s) URL: scheme, lowercase host, and the port (the scheme's
/// default when absent); `None` for anything else.
pub fn origin(url: &str) -> Option<(String, String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (h, after) = v6.split_once(']')?;
            (h, after.strip_prefix(':'))
        }
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    let port = match port {
        Some(p) => p.parse().ok()?,
        None => default,
    };
    (!host.is_empty()).then(|| (scheme, host.to_ascii_lowercase(), port))
}

/// Whether two URLs have the same origin (both must be absolute http(s) URLs).
pub fn same_origin(a: &str, b: &str) -> bool {
    matches!((origin(a), origin(b)), (Some(x), Some(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_resolve_against_the_request() {
        let base = "https://reg.example:5000/v2/o/a/blobs/sha256:ab?x=1";
        assert_eq!(
            resolve(base, "https://cdn.example/b?sig=1").as_deref(),
            Some("https://cdn.example/b?sig=1")
        );
        assert_eq!(
            resolve(base, "//cdn.example/b").as_deref(),
            Some("https://cdn.example/b")
        );
        assert_eq!(
            resolve(base, "/v2/o/a/blobs/x").as_deref(),
            Some("https://reg.example:5000/v2/o/a/blobs/x")
        );
        assert_eq!(
            resolve(base, "other").as_deref(),
            Some("https://reg.example:5000/v2/o/a/blobs/other")
        );
        assert_eq!(resolve("ftp://x/y", "/z"), None);
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let reg = "http://registry.example:5000/v2/x/blobs/d";
        assert!(same_origin(reg, "http://REGISTRY.example:5000/other"));
        assert!(!same_origin(reg, "http://registry.example:9000/store/d"));
        assert!(!same_origin(reg, "https://registry.example:5000/v2"));
        assert!(!same_origin(reg, "http://cdn.example:5000/v2"));
        assert!(same_origin(
            "https://ghcr.io/v2",
            "https://ghcr.io:443/token"
        ));
        assert!(same_origin("http://[::1]:5000/a", "http://[::1]:5000/b"));
        assert!(!same_origin("http://[::1]:5000/a", "http://[::1]:5001/b"));
        assert!(!same_origin("http://127.0.0.1:5000/a", "mailto:x"));
        assert_eq!(
            origin("https://user@Host.example/x"),
            Some(("https".into(), "host.example".into(), 443))
        );
    }
}
