//! Interactive login to an OpenID provider for the nonce flavour (`opk sign --oidc URL`): the
//! authorization-code flow with PKCE (S256) and a loopback redirect (RFC 8252). The commitment
//! is sent as the `nonce`; the user opens the printed URL once per statement signed.

use std::time::{Duration, Instant};

use getrandom::rand_core::TryRng as _;
use getrandom::SysRng;
use opk_registry::{Method, NativeTransport, Request, Transport as _};
use opk_verify::{b64, limits};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::Value;
use sha2::Digest as _;
use tiny_http::{Header, Response, Server};

use crate::oidc;

/// How long one login may take.
const LOGIN_TIMEOUT: Duration = Duration::from_secs(300);

/// A client of one issuer, listening on loopback for its redirects.
pub struct LoginClient {
    client_id: String,
    client_secret: Option<String>,
    authorization_endpoint: String,
    token_endpoint: String,
    listener: Server,
    redirect_uri: String,
}

impl std::fmt::Debug for LoginClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LoginClient({})", self.authorization_endpoint)
    }
}

fn enc(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

fn random_b64() -> Result<String, String> {
    let mut b = [0u8; 32];
    SysRng
        .try_fill_bytes(&mut b)
        .map_err(|e| format!("random bytes: {e}"))?;
    Ok(b64::encode_url(&b))
}

impl LoginClient {
    /// Reads `issuer`'s discovery document and starts the loopback listener.
    pub fn new(
        http: &NativeTransport,
        issuer: &str,
        client_id: String,
        client_secret: Option<String>,
    ) -> Result<Self, String> {
        let discovery = oidc::discovery(http, issuer)?;
        let endpoint = |k: &str| -> Result<String, String> {
            let url = discovery
                .get(k)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{issuer}: the discovery document has no {k}"))?;
            oidc::check_url(url)?;
            Ok(url.to_owned())
        };
        let listener = Server::http("127.0.0.1:0")
            .map_err(|e| format!("listening for the login redirect: {e}"))?;
        let port = listener
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or("the redirect listener has no port")?;
        Ok(Self {
            client_id,
            client_secret,
            authorization_endpoint: endpoint("authorization_endpoint")?,
            token_endpoint: endpoint("token_endpoint")?,
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}/callback"),
        })
    }

    /// Logs in with `nonce` and returns the ID token.
    pub fn id_token(&self, http: &NativeTransport, nonce: &str) -> Result<String, String> {
        let verifier = random_b64()?;
        let challenge = b64::encode_url(&sha2::Sha256::digest(verifier.as_bytes()));
        let state = random_b64()?;
        let sep = if self.authorization_endpoint.contains('?') {
            '&'
        } else {
            '?'
        };
        let url = format!(
            "{}{sep}response_type=code&client_id={}&redirect_uri={}&scope=openid&state={state}&nonce={}&code_challenge={challenge}&code_challenge_method=S256",
            self.authorization_endpoint,
            enc(&self.client_id),
            enc(&self.redirect_uri),
            enc(nonce)
        );
        eprintln!("opk sign: open this URL to sign in: {url}");
        let code = self.wait_for_code(&state)?;
        let mut form = format!(
            "grant_type=authorization_code&code={}&redirect_uri={}&client_id={}&code_verifier={verifier}",
            enc(&code),
            enc(&self.redirect_uri),
            enc(&self.client_id)
        );
        if let Some(secret) = &self.client_secret {
            form.push_str(&format!("&client_secret={}", enc(secret)));
        }
        let req = Request {
            method: Method::Post,
            url: self.token_endpoint.clone(),
            headers: vec![
                (
                    "content-type".into(),
                    "application/x-www-form-urlencoded".into(),
                ),
                ("accept".into(), "application/json".into()),
            ],
            body: form.into_bytes(),
            max_body: limits::MAX_TOKEN_RESPONSE_BYTES,
        };
        let resp = pollster::block_on(http.send(&req))
            .map_err(|e| format!("{}: {e:?}", self.token_endpoint))?;
        if resp.status != 200 {
            return Err(format!(
                "{}: HTTP {}: {}",
                self.token_endpoint,
                resp.status,
                String::from_utf8_lossy(&resp.body)
                    .chars()
                    .take(200)
                    .collect::<String>()
            ));
        }
        let v: Value = serde_json::from_slice(&resp.body)
            .map_err(|e| format!("{}: not JSON: {e}", self.token_endpoint))?;
        v.get("id_token")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("{}: no id_token in the response", self.token_endpoint))
    }

    /// Waits for the redirect carrying `state`; other requests get a 400.
    fn wait_for_code(&self, state: &str) -> Result<String, String> {
        let deadline = Instant::now() + LOGIN_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let req = match self.listener.recv_timeout(left) {
                Ok(Some(r)) => r,
                Ok(None) => return Err("no login within 5 minutes".into()),
                Err(e) => return Err(format!("login redirect listener: {e}")),
            };
            let url = req.url().to_owned();
            let (path, query) = url.split_once('?').unwrap_or((&url, ""));
            let param = |k: &str| crate::form::param(query, k);
            if path != "/callback" || param("state").as_deref() != Some(state) {
                let _ =
                    req.respond(Response::from_string("unexpected request").with_status_code(400));
                continue;
            }
            if let Some(error) = param("error") {
                let _ = req.respond(Response::from_string("login failed").with_status_code(400));
                return Err(format!("the issuer refused the login: {error}"));
            }
            let Some(code) = param("code") else {
                let _ = req.respond(Response::from_string("no code").with_status_code(400));
                return Err("the login redirect carried no code".into());
            };
            let mut page = Response::from_string(
                "<!doctype html><title>opk sign</title><p>Signed in for opk sign. You can close this tab.",
            );
            if let Ok(h) = Header::from_bytes("content-type", "text/html; charset=utf-8") {
                page.add_header(h);
            }
            let _ = req.respond(page);
            return Ok(code);
        }
    }
}
