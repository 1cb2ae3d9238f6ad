//! Where requests go: straight to the registry, or through a CORS proxy that is not trusted.
//!
//! A proxy is given as a URL prefix — `http://127.0.0.1:8787` sends
//! `https://ghcr.io/v2/…` to `http://127.0.0.1:8787/ghcr.io/v2/…` (the form `opk proxy`
//! serves) — or as a template with `{url}` (the percent-encoded absolute URL) or `{host}` and
//! `{path}` (path and query). Token realms and `Link` URLs are routed the same way, so a browser
//! never talks to a host other than the proxy.

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

use crate::RegistryError;

/// How requests reach registries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Route {
    /// Straight to the registry.
    #[default]
    Direct,
    /// `<prefix>/<host><path>`.
    Prefix(String),
    /// A template with `{url}`, or `{host}` and `{path}`.
    Template(String),
}

impl Route {
    /// Parses a proxy setting: empty means direct.
    pub fn parse(proxy: &str) -> Result<Self, RegistryError> {
        let bad = |reason| RegistryError::InvalidProxy {
            proxy: proxy.to_owned(),
            reason,
        };
        let p = proxy.trim();
        if p.is_empty() {
            return Ok(Self::Direct);
        }
        if !(p.starts_with("http://") || p.starts_with("https://")) {
            return Err(bad("must start with http:// or https://"));
        }
        if p.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("contains whitespace"));
        }
        if p.contains('{') {
            let has_url = p.contains("{url}");
            let has_parts = p.contains("{host}") && p.contains("{path}");
            if has_url == has_parts {
                return Err(bad("a template needs {url}, or both {host} and {path}"));
            }
            return Ok(Self::Template(p.to_owned()));
        }
        Ok(Self::Prefix(p.trim_end_matches('/').to_owned()))
    }

    /// True when requests go through a proxy.
    pub fn is_proxied(&self) -> bool {
        !matches!(self, Self::Direct)
    }

    /// The URL to send for the absolute registry URL `url`.
    pub fn apply(&self, url: &str) -> String {
        let (host, path) = split_url(url);
        match self {
            Self::Direct => url.to_owned(),
            Self::Prefix(prefix) => format!("{prefix}/{host}{path}"),
            Self::Template(t) => t
                .replace(
                    "{url}",
                    &utf8_percent_encode(url, NON_ALPHANUMERIC).to_string(),
                )
                .replace("{host}", host)
                .replace("{path}", path),
        }
    }
}

/// Splits `scheme://host[:port]/path?query` into the authority and the rest (`/` at least).
pub(crate) fn split_url(url: &str) -> (&str, &str) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    match rest.find('/') {
        Some(i) => (
            rest.get(..i).unwrap_or_default(),
            rest.get(i..).unwrap_or("/"),
        ),
        None => (rest, "/"),
    }
}

/// Resolves a `Location` or `Link` target against the URL it came from.
pub(crate) fn resolve(base: &str, target: &str) -> String {
    if target.starts_with("http://") || target.starts_with("https://") {
        return target.to_owned();
    }
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let (host, path) = split_url(base);
    let origin = format!("{}{host}", base.get(..scheme_end).unwrap_or_default());
    if target.starts_with('/') {
        return format!("{origin}{target}");
    }
    let dir = path
        .split('?')
        .next()
        .and_then(|p| p.rfind('/').map(|i| p.get(..=i).unwrap_or("/")))
        .unwrap_or("/");
    format!("{origin}{dir}{target}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_prefix_and_templates() {
        let u = "https://ghcr.io/v2/org/app/manifests/1.2";
        assert_eq!(Route::parse("").unwrap().apply(u), u);
        assert_eq!(
            Route::parse("http://127.0.0.1:8787/").unwrap().apply(u),
            "http://127.0.0.1:8787/ghcr.io/v2/org/app/manifests/1.2"
        );
        assert_eq!(
            Route::parse("https://p.example/?url={url}")
                .unwrap()
                .apply(u),
            "https://p.example/?url=https%3A%2F%2Fghcr%2Eio%2Fv2%2Forg%2Fapp%2Fmanifests%2F1%2E2"
        );
        assert_eq!(
            Route::parse("https://p.example/r/{host}{path}")
                .unwrap()
                .apply("http://127.0.0.1:5000/v2/?a=b"),
            "https://p.example/r/127.0.0.1:5000/v2/?a=b"
        );
    }

    #[test]
    fn bad_proxies_are_refused() {
        for p in [
            "ftp://x",
            "127.0.0.1:8787",
            "https://p/{host}",
            "https://p/{url}{host}{path}",
            "https://p x",
        ] {
            assert_eq!(Route::parse(p).unwrap_err().code(), "invalid_proxy", "{p}");
        }
    }

    #[test]
    fn relative_targets_resolve() {
        let base = "http://r:5000/v2/a/referrers/sha256:x?n=1";
        assert_eq!(
            resolve(base, "/v2/a/referrers/sha256:x?last=2"),
            "http://r:5000/v2/a/referrers/sha256:x?last=2"
        );
        assert_eq!(resolve(base, "https://cdn/blob"), "https://cdn/blob");
        assert_eq!(resolve(base, "y?z"), "http://r:5000/v2/a/referrers/y?z");
    }
}
