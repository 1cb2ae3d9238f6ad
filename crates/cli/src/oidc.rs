//! Getting ID tokens for a signature, and the issuer key that signed them.
//!
//! GitHub Actions (and `opk dev-op`, which behaves the same): `GET $ACTIONS_ID_TOKEN_REQUEST_URL`
//! with `audience=<commitment>` and `Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN`,
//! answered `{"count":…,"value":"<JWT>"}` (spec §3.3). The issuer's key is found by the token's
//! `kid` in the JWKS its discovery document names; issuers must be `https://`, or `http://` on
//! loopback. Every response is bounded in size and time. Other issuers: an interactive login
//! (`oidc_login`) with the commitment as the `nonce`.

use opk_registry::{Method, NativeTransport, Request, Transport as _, TransportError};
use opk_verify::jose::{Jwks, PublicKey, RsaKey};
use opk_verify::{b64, limits};
use serde_json::Value;

use crate::oidc_login::LoginClient;

/// The environment variables GitHub Actions sets for jobs with `id-token: write`.
pub const REQUEST_URL_ENV: &str = "ACTIONS_ID_TOKEN_REQUEST_URL";
/// See [`REQUEST_URL_ENV`].
pub const REQUEST_TOKEN_ENV: &str = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";

/// Where ID tokens come from.
#[derive(Debug)]
pub enum Provider {
    /// GitHub Actions' token endpoint (or `opk dev-op`'s copy of it).
    GithubActions {
        /// `ACTIONS_ID_TOKEN_REQUEST_URL`.
        url: String,
        /// `ACTIONS_ID_TOKEN_REQUEST_TOKEN` (never printed).
        token: String,
    },
    /// Interactive login to any OpenID provider; the commitment goes in the `nonce`.
    Login(Box<LoginClient>),
}

impl Provider {
    /// The provider named by `--oidc`: `github-actions`, or an issuer URL to log in to as
    /// `client_id` (with `client_secret` where the issuer wants one).
    pub fn from_arg(
        arg: &str,
        http: &NativeTransport,
        client_id: &str,
        client_secret: Option<String>,
    ) -> Result<Self, String> {
        if arg != "github-actions" {
            check_url(arg)?;
            return LoginClient::new(http, arg, client_id.to_owned(), client_secret)
                .map(|c| Self::Login(Box::new(c)));
        }
        let var = |name: &str| {
            std::env::var(name).map_err(|_| {
                format!(
                    "{name} is not set: run in a GitHub Actions job with `permissions: id-token: write`, \
                     or export the values `opk dev-op` prints"
                )
            })
        };
        Ok(Self::GithubActions {
            url: var(REQUEST_URL_ENV)?,
            token: var(REQUEST_TOKEN_ENV)?,
        })
    }

    /// An ID token carrying `commitment` (as `aud` from GitHub Actions, else as `nonce`).
    pub fn id_token(&self, http: &NativeTransport, commitment: &str) -> Result<String, String> {
        let (url, token) = match self {
            Self::GithubActions { url, token } => (url, token),
            Self::Login(client) => return client.id_token(http, commitment),
        };
        let sep = if url.contains('?') { '&' } else { '?' };
        let url = format!("{url}{sep}audience={commitment}");
        let body = get(
            http,
            &url,
            &[("authorization", format!("Bearer {token}"))],
            limits::MAX_TOKEN_RESPONSE_BYTES,
        )?;
        let v: Value = serde_json::from_slice(&body)
            .map_err(|e| format!("ID token response is not JSON: {e}"))?;
        v.get("value")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| "ID token response has no \"value\"".to_string())
    }
}

/// The issuer, the JWKS it publishes, and the RSA key that signed `id_token` (by `kid`).
pub fn issuer_key(
    http: &NativeTransport,
    id_token: &str,
) -> Result<(String, Vec<u8>, RsaKey), String> {
    let mut parts = id_token.split('.');
    let (Some(h), Some(p)) = (parts.next(), parts.next()) else {
        return Err("the ID token is not a compact JWS".into());
    };
    let header = decode_json(h, "ID token header")?;
    let claims = decode_json(p, "ID token payload")?;
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err("the ID token is not RS256-signed".into());
    }
    let kid = header
        .get("kid")
        .and_then(Value::as_str)
        .ok_or("the ID token header has no kid")?;
    let iss = claims
        .get("iss")
        .and_then(Value::as_str)
        .ok_or("the ID token has no iss")?
        .to_owned();
    check_url(&iss)?;
    let discovery = discovery(http, &iss)?;
    let jwks_uri = discovery
        .get("jwks_uri")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{iss}: the discovery document has no jwks_uri"))?;
    check_url(jwks_uri)?;
    let jwks_bytes = get(http, jwks_uri, &[], limits::MAX_JWKS_BYTES)?;
    let jwks = Jwks::from_json(&jwks_bytes).map_err(|e| format!("{jwks_uri}: {e}"))?;
    let key = match jwks.find(kid).map(|k| &k.key) {
        Some(PublicKey::Rsa(k)) => k.clone(),
        Some(_) => return Err(format!("{jwks_uri}: key {kid} is not RSA")),
        None => return Err(format!("{jwks_uri}: no key {kid}")),
    };
    Ok((iss, jwks_bytes, key))
}

/// `issuer`'s discovery document, which must name `issuer` itself.
pub fn discovery(http: &NativeTransport, issuer: &str) -> Result<Value, String> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let doc: Value = serde_json::from_slice(&get(http, &url, &[], limits::MAX_JWKS_BYTES)?)
        .map_err(|e| format!("{url}: not JSON: {e}"))?;
    if doc.get("issuer").and_then(Value::as_str) != Some(issuer) {
        return Err(format!("{url}: issuer is not {issuer}"));
    }
    Ok(doc)
}

fn decode_json(segment: &str, what: &str) -> Result<Value, String> {
    let bytes = b64::decode_url(segment, "ID token").map_err(|e| format!("{what}: {e}"))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{what}: {e}"))
}

/// Issuer URLs are `https://`, or `http://` on loopback (a dev issuer).
pub fn check_url(url: &str) -> Result<(), String> {
    if url.starts_with("https://") {
        return Ok(());
    }
    let authority = url
        .strip_prefix("http://")
        .map(|rest| rest.split(['/', '?']).next().unwrap_or_default())
        .unwrap_or_default();
    if opk_registry::is_loopback_host(authority) {
        Ok(())
    } else {
        Err(format!(
            "{url}: issuer URLs must be https (http only on loopback)"
        ))
    }
}

fn get(
    http: &NativeTransport,
    url: &str,
    headers: &[(&str, String)],
    max_body: usize,
) -> Result<Vec<u8>, String> {
    let req = Request {
        method: Method::Get,
        url: url.to_owned(),
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
        body: Vec::new(),
        max_body,
    };
    let resp = pollster::block_on(http.send(&req)).map_err(|e| match e {
        TransportError::Network(m) => format!("{url}: {m}"),
        TransportError::BodyTooLarge => format!("{url}: response over {max_body} bytes"),
        TransportError::TooManyRedirects => format!("{url}: too many redirects"),
        TransportError::Cancelled => format!("{url}: cancelled"),
    })?;
    if resp.status != 200 {
        return Err(format!(
            "{url}: HTTP {}: {}",
            resp.status,
            String::from_utf8_lossy(&resp.body)
                .chars()
                .take(200)
                .collect::<String>()
        ));
    }
    Ok(resp.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_are_https_or_loopback() {
        for ok in [
            "https://token.actions.githubusercontent.com",
            "http://127.0.0.1:8790",
            "http://localhost:1/x",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com",
            "http://127.example.com",
            "ftp://127.0.0.1",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }
}
