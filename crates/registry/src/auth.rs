//! Registry authentication: the `WWW-Authenticate` challenge (RFC 7235 auth-params), the
//! anonymous or Basic-authenticated Bearer token flow of the distribution token spec, and plain
//! Basic. Credentials are only ever sent where they were given for; tokens live in memory.

use base64::Engine as _;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Query-component escaping: unreserved characters stay, `:` and `/` too (scopes contain both).
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b':')
    .remove(b'/');

/// Username and password (or token) for Basic authentication.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name.
    pub username: String,
    /// The password or access token.
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl Credentials {
    /// The `Authorization: Basic …` value.
    pub fn basic_header(&self) -> String {
        let raw = format!("{}:{}", self.username, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }
}

/// A parsed challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    /// `Bearer realm=…, service=…, scope=…`.
    Bearer {
        /// The token endpoint.
        realm: String,
        /// The `service` parameter, if any.
        service: Option<String>,
        /// The `scope` parameter, if any.
        scope: Option<String>,
    },
    /// `Basic realm=…`.
    Basic,
}

impl Challenge {
    /// Parses the first challenge of a `WWW-Authenticate` value; `None` if it is neither Bearer
    /// (with a realm) nor Basic.
    pub fn parse(header: &str) -> Option<Self> {
        let header = header.trim();
        let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
        if scheme.eq_ignore_ascii_case("basic") {
            return Some(Self::Basic);
        }
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let params = auth_params(rest)?;
        let get = |k: &str| {
            params
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.clone())
        };
        let realm = get("realm")?;
        if !(realm.starts_with("https://") || realm.starts_with("http://")) {
            return None;
        }
        Some(Self::Bearer {
            realm,
            service: get("service"),
            scope: get("scope"),
        })
    }

    /// The token request URL for a Bearer challenge, asking for `fallback_scope` when the
    /// challenge names none.
    pub fn token_url(&self, fallback_scope: &str) -> Option<String> {
        let Self::Bearer {
            realm,
            service,
            scope,
        } = self
        else {
            return None;
        };
        let mut url = realm.clone();
        let mut sep = if url.contains('?') { '&' } else { '?' };
        if let Some(s) = service {
            url.push_str(&format!("{sep}service={}", utf8_percent_encode(s, QUERY)));
            sep = '&';
        }
        let scope = scope.as_deref().unwrap_or(fallback_scope);
        url.push_str(&format!("{sep}scope={}", utf8_percent_encode(scope, QUERY)));
        Some(url)
    }
}

/// `name=value` or `name="quoted \" value"`, comma-separated; `None` when malformed.
fn auth_params(s: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ' ' || *c == ',') {
            chars.next();
        }
        if chars.peek().is_none() {
            return Some(out);
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' {
                break;
            }
            if !(c.is_ascii_alphanumeric() || "-_.".contains(c)) {
                return None;
            }
            name.push(c);
            chars.next();
        }
        if chars.next() != Some('=') || name.is_empty() {
            return None;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => value.push(chars.next()?),
                    c => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' || c == ' ' {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        if out.len() >= 16 {
            return None;
        }
        out.push((name, value));
    }
}

/// The token from a token-endpoint response (`token`, else `access_token`).
pub(crate) fn token_from_response(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let t = v
        .get("token")
        .and_then(|t| t.as_str())
        .filter(|t| !t.is_empty())
        .or_else(|| v.get("access_token").and_then(|t| t.as_str()))?;
    // A token goes into a header: visible ASCII only.
    (!t.is_empty() && t.bytes().all(|b| b.is_ascii_graphic())).then(|| t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_challenge() {
        let c = Challenge::parse(r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#).unwrap();
        assert_eq!(
            c.token_url("x").unwrap(),
            "https://auth.docker.io/token?service=registry.docker.io&scope=repository:library/alpine:pull"
        );
    }

    #[test]
    fn challenge_without_scope_uses_the_fallback() {
        let c =
            Challenge::parse(r#"Bearer realm="https://ghcr.io/token", service=ghcr.io"#).unwrap();
        assert_eq!(
            c.token_url("repository:o/r:pull").unwrap(),
            "https://ghcr.io/token?service=ghcr.io&scope=repository:o/r:pull"
        );
    }

    #[test]
    fn quoted_escapes_and_basic() {
        let c = Challenge::parse(r#"Bearer realm="https://a/t?x=1",service="s \"q\"""#).unwrap();
        assert_eq!(
            c.token_url("sc").unwrap(),
            "https://a/t?x=1&service=s%20%22q%22&scope=sc"
        );
        assert_eq!(
            Challenge::parse(r#"Basic realm="r""#),
            Some(Challenge::Basic)
        );
    }

    #[test]
    fn malformed_challenges_are_none() {
        for h in [
            "Bearer",
            r#"Bearer service="s""#,
            r#"Bearer realm="ftp://x""#,
            r#"Bearer realm="unterminated"#,
            "Negotiate abc",
            r#"Bearer re alm="x""#,
        ] {
            assert_eq!(Challenge::parse(h), None, "{h}");
        }
    }

    #[test]
    fn token_responses() {
        assert_eq!(
            token_from_response(br#"{"token":"abc"}"#).as_deref(),
            Some("abc")
        );
        assert_eq!(
            token_from_response(br#"{"access_token":"xyz"}"#).as_deref(),
            Some("xyz")
        );
        assert_eq!(token_from_response(br#"{"token":"a\nb"}"#), None);
        assert_eq!(token_from_response(b"not json"), None);
    }

    #[test]
    fn credentials_are_redacted_in_debug() {
        let c = Credentials {
            username: "u".into(),
            password: "secret".into(),
        };
        assert!(!format!("{c:?}").contains("secret"));
        assert_eq!(c.basic_header(), "Basic dTpzZWNyZXQ=");
    }
}
