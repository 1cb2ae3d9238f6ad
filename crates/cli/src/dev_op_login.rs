//! `opk dev-op`'s interactive login, for the nonce flavour: an OAuth 2.0 authorization-code flow
//! with PKCE (S256) that approves at once. `GET /authorize` redirects to the client's loopback
//! `redirect_uri` with a one-time code; `POST /oauth/token` exchanges it (checking client,
//! redirect and verifier) for an ID token whose `nonce` is the one the client sent.

use std::collections::HashMap;

use getrandom::rand_core::TryRng as _;
use getrandom::SysRng;
use opk_verify::{b64, hex};
use serde_json::json;
use sha2::Digest as _;
use tiny_http::Header;

use crate::dev_op::{json_response, Answer};
use crate::form::param as query_param;

/// At most this many logins wait for their code exchange.
const MAX_PENDING: usize = 64;

/// A login waiting for its code exchange.
#[derive(Debug, Clone)]
pub struct Login {
    /// The client.
    pub client_id: String,
    /// Where the code went.
    redirect_uri: String,
    /// The nonce to put in the ID token (the CIC commitment).
    pub nonce: String,
    /// `b64url(SHA-256(code_verifier))`.
    challenge: String,
}

/// Pending logins by code.
#[derive(Debug, Default)]
pub struct Logins(HashMap<String, Login>);

fn loopback_redirect(uri: &str) -> bool {
    uri.strip_prefix("http://")
        .map(|rest| rest.split(['/', '?']).next().unwrap_or_default())
        .is_some_and(opk_registry::is_loopback_host)
}

impl Logins {
    /// `GET /authorize?response_type=code&client_id&redirect_uri&state&nonce&code_challenge…`.
    pub fn authorize(&mut self, query: &str) -> Answer {
        let p = |k: &str| query_param(query, k).unwrap_or_default();
        let (redirect_uri, state) = (p("redirect_uri"), p("state"));
        let bad = |why: &str| {
            json_response(
                400,
                json!({"error": "invalid_request", "error_description": why}).to_string(),
            )
        };
        if !loopback_redirect(&redirect_uri) {
            return bad("redirect_uri must be http on loopback");
        }
        if p("response_type") != "code" || p("client_id").is_empty() {
            return bad("response_type=code and client_id are required");
        }
        if p("code_challenge_method") != "S256" || p("code_challenge").len() != 43 {
            return bad("PKCE with S256 is required");
        }
        if p("nonce").is_empty() {
            return bad("nonce is required");
        }
        if self.0.len() >= MAX_PENDING {
            return bad("too many pending logins");
        }
        let mut secret = [0u8; 32];
        if SysRng.try_fill_bytes(&mut secret).is_err() {
            return json_response(500, json!({"error": "server_error"}).to_string());
        }
        let code = hex::encode(&secret);
        self.0.insert(
            code.clone(),
            Login {
                client_id: p("client_id"),
                redirect_uri: redirect_uri.clone(),
                nonce: p("nonce"),
                challenge: p("code_challenge"),
            },
        );
        let sep = if redirect_uri.contains('?') { '&' } else { '?' };
        let location = format!(
            "{redirect_uri}{sep}code={code}&state={}",
            percent_encoding::utf8_percent_encode(&state, percent_encoding::NON_ALPHANUMERIC)
        );
        let mut r = json_response(302, String::new());
        if let Ok(h) = Header::from_bytes("location", location.as_bytes()) {
            r.add_header(h);
        }
        r
    }

    /// `POST /oauth/token` (form): the login for a valid, unused code.
    pub fn exchange(&mut self, form: &[u8]) -> Result<Login, &'static str> {
        let form = std::str::from_utf8(form).map_err(|_| "invalid_request")?;
        let p = |k: &str| query_param(form, k).unwrap_or_default();
        if p("grant_type") != "authorization_code" {
            return Err("unsupported_grant_type");
        }
        let login = self.0.remove(&p("code")).ok_or("invalid_grant")?;
        let verifier = p("code_verifier");
        let challenge = b64::encode_url(&sha2::Sha256::digest(verifier.as_bytes()));
        if login.client_id != p("client_id")
            || login.redirect_uri != p("redirect_uri")
            || challenge != login.challenge
        {
            return Err("invalid_grant");
        }
        Ok(login)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location(r: &Answer) -> String {
        r.headers()
            .iter()
            .find(|h| h.field.equiv("location"))
            .map(|h| h.value.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn codes_are_single_use_and_bound_to_client_redirect_and_verifier() {
        let verifier = "v".repeat(43);
        let challenge = b64::encode_url(&sha2::Sha256::digest(verifier.as_bytes()));
        let mut logins = Logins::default();
        let q = format!(
            "response_type=code&client_id=opk&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&state=s1&nonce=N&code_challenge={challenge}&code_challenge_method=S256"
        );
        let r = logins.authorize(&q);
        assert_eq!(r.status_code().0, 302);
        let loc = location(&r);
        assert!(loc.starts_with("http://127.0.0.1:9/cb?code="), "{loc}");
        assert!(loc.ends_with("&state=s1"), "{loc}");
        let code = query_param(loc.split_once('?').unwrap().1, "code").unwrap();
        let form = |code: &str, verifier: &str, client: &str| {
            format!("grant_type=authorization_code&code={code}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&client_id={client}&code_verifier={verifier}")
        };
        assert_eq!(
            logins
                .exchange(form(&code, "wrong", "opk").as_bytes())
                .unwrap_err(),
            "invalid_grant"
        );
        // A failed exchange spends the code.
        assert!(logins
            .exchange(form(&code, &verifier, "opk").as_bytes())
            .is_err());
        let r = logins.authorize(&q);
        let code = query_param(location(&r).split_once('?').unwrap().1, "code").unwrap();
        assert_eq!(
            logins
                .exchange(form(&code, &verifier, "other").as_bytes())
                .unwrap_err(),
            "invalid_grant"
        );
        let r = logins.authorize(&q);
        let code = query_param(location(&r).split_once('?').unwrap().1, "code").unwrap();
        assert_eq!(
            logins
                .exchange(form(&code, &verifier, "opk").as_bytes())
                .unwrap()
                .nonce,
            "N"
        );
        assert!(logins
            .exchange(form(&code, &verifier, "opk").as_bytes())
            .is_err());
        for bad in [
            q.replace("127.0.0.1", "evil.example"),
            q.replace("S256", "plain"),
            q.replace("&nonce=N", ""),
        ] {
            assert_eq!(logins.authorize(&bad).status_code().0, 400, "{bad}");
        }
    }
}
