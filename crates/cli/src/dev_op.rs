//! `opk dev-op`: a local OpenID provider on loopback for demos and tests. It behaves like GitHub
//! Actions' token service, so `opk sign --oidc github-actions` runs the same code path against it:
//!
//! - `GET /.well-known/openid-configuration` and `GET /.well-known/jwks` (the JWKS carries
//!   [`opk_verify::DEV_ISSUER_MEMBER`], so verifiers label what it signs "dev issuer");
//! - `GET /token?api-version=2.0&audience=<aud>` with `Authorization: Bearer <request token>`
//!   answers `{"count":1,"value":"<RS256 ID token>"}` with GitHub-shaped claims (from
//!   `--claims` where given; `aud` is always the requested audience);
//! - an authorization-code login with PKCE for the nonce flavour (`opk sign --oidc URL`), which
//!   approves at once (see `dev_op_login`).
//!
//! Its keys are trusted nowhere by default: only where its JWKS file is passed explicitly.

use std::io::Write as _;
use std::process::ExitCode;

use getrandom::rand_core::TryRng as _;
use getrandom::SysRng;
use opk_verify::hex;
use opk_verify::limits::Limit;
use serde_json::{json, Map, Value};
use tiny_http::{Header, Method, Request, Response, Server};

use crate::args::DevOp;
use crate::dev_op_login::Logins;
use crate::input_error;
use crate::issuer_key::IssuerKey;

/// Seconds an ID token is valid, and how far back `nbf` reaches, as in GitHub's tokens.
const LIFETIME_SECS: i64 = 300;
const NBF_BACKDATE_SECS: i64 = 600;

/// Runs the issuer until killed.
pub fn run(args: &DevOp) -> ExitCode {
    match serve(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => input_error(&e),
    }
}

fn serve(args: &DevOp) -> Result<(), String> {
    let addr: std::net::SocketAddr = args
        .listen
        .parse()
        .map_err(|e| format!("--listen {}: {e}", args.listen))?;
    if !addr.ip().is_loopback() {
        return Err(format!(
            "--listen {addr}: the dev issuer listens on loopback only"
        ));
    }
    let key = match &args.key {
        Some(path) => IssuerKey::load_or_create(path)?,
        None => IssuerKey::generate()?,
    };
    let overrides = match &args.claims {
        Some(path) => {
            let bytes = crate::input::read_limited(path, Limit::ClaimsBytes)?;
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Object(m)) => m,
                _ => return Err(format!("{path}: the claims file must be one JSON object")),
            }
        }
        None => Map::new(),
    };
    let server = Server::http(addr).map_err(|e| format!("listening on {addr}: {e}"))?;
    let bound = server
        .server_addr()
        .to_ip()
        .ok_or("the listener has no IP address")?;
    let issuer = format!("http://{bound}");
    let jwks = key.jwks(&issuer).to_string();
    let jwks_path = match &args.jwks_out {
        Some(p) => std::path::PathBuf::from(p),
        None => std::env::temp_dir().join(format!("opk-dev-op-{}.jwks.json", bound.port())),
    };
    std::fs::write(&jwks_path, &jwks)
        .map_err(|e| format!("writing {}: {e}", jwks_path.display()))?;
    let mut secret = [0u8; 32];
    SysRng
        .try_fill_bytes(&mut secret)
        .map_err(|e| format!("random request token: {e}"))?;
    let request_token = hex::encode(&secret);
    let sample = claims(&issuer, "", 0, &overrides);
    let env = |k: &str| {
        sample
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut out = std::io::stdout().lock();
    let lines = [
        format!("# opk dev-op: dev issuer {issuer} (trusted only where its JWKS is passed)"),
        format!("export ACTIONS_ID_TOKEN_REQUEST_URL='{issuer}/token?api-version=2.0'"),
        format!("export ACTIONS_ID_TOKEN_REQUEST_TOKEN='{request_token}'"),
        "export GITHUB_SERVER_URL='https://github.com'".to_owned(),
        format!("export GITHUB_REPOSITORY='{}'", env("repository")),
        format!(
            "export GITHUB_REPOSITORY_OWNER_ID='{}'",
            env("repository_owner_id")
        ),
        format!("export GITHUB_SHA='{}'", env("sha")),
        format!("export GITHUB_RUN_ID='{}'", env("run_id")),
        format!("export GITHUB_REF='{}'", env("ref")),
        format!("export OPK_DEV_JWKS='{}'", jwks_path.display()),
        "# ready".to_owned(),
    ];
    for l in lines {
        // The caller may stop reading; the server keeps running.
        let _ = writeln!(out, "{l}");
    }
    let _ = out.flush();
    drop(out);
    let discovery = json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/.well-known/jwks"),
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/oauth/token"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "code_challenge_methods_supported": ["S256"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid"],
        "claims_supported": sample.keys().collect::<Vec<_>>(),
    })
    .to_string();
    let mut state = Issuer {
        url: issuer,
        discovery,
        jwks,
        request_token,
        key,
        overrides,
        logins: Logins::default(),
    };
    for mut req in server.incoming_requests() {
        let resp = state.answer(&mut req);
        let _ = req.respond(resp);
    }
    Ok(())
}

/// Everything the issuer serves from.
pub(crate) struct Issuer {
    pub(crate) url: String,
    discovery: String,
    jwks: String,
    request_token: String,
    key: IssuerKey,
    overrides: Map<String, Value>,
    logins: Logins,
}

pub(crate) type Answer = Response<std::io::Cursor<Vec<u8>>>;

impl Issuer {
    fn answer(&mut self, req: &mut Request) -> Answer {
        let url = req.url().to_owned();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        match (req.method(), path) {
            // Public documents: readable by any page (the web app loads the JWKS when told to).
            (Method::Get, "/.well-known/openid-configuration") => {
                cors(json_response(200, self.discovery.clone()))
            }
            (Method::Get, "/.well-known/jwks") => cors(json_response(200, self.jwks.clone())),
            (Method::Get, "/token") => self.github_token(req, query),
            (Method::Get, "/authorize") => self.logins.authorize(query),
            (Method::Post, "/oauth/token") => {
                let mut body = Vec::new();
                let read = std::io::Read::read_to_end(
                    &mut std::io::Read::take(req.as_reader(), 64 * 1024),
                    &mut body,
                );
                if read.is_err() {
                    return json_response(400, json!({"error": "invalid_request"}).to_string());
                }
                match self.logins.exchange(&body) {
                    Ok(login) => {
                        let mut c = claims(&self.url, &login.client_id, now(), &self.overrides);
                        c.insert("aud".into(), login.client_id.clone().into());
                        c.insert("nonce".into(), login.nonce.clone().into());
                        self.issue(c, "id_token", &login.nonce)
                    }
                    Err(e) => json_response(400, json!({"error": e}).to_string()),
                }
            }
            (Method::Get | Method::Post, _) => {
                json_response(404, json!({"message": "Not Found"}).to_string())
            }
            _ => json_response(405, json!({"message": "GET or POST only"}).to_string()),
        }
    }

    /// GitHub Actions' endpoint: `GET /token?…&audience=…` with the request token.
    fn github_token(&self, req: &Request, query: &str) -> Answer {
        let want = format!("Bearer {}", self.request_token);
        let authorized = req
            .headers()
            .iter()
            .any(|h| h.field.equiv("authorization") && h.value.as_str() == want);
        if !authorized {
            return json_response(401, json!({"message": "Bad credentials"}).to_string());
        }
        let audience = crate::form::param(query, "audience").unwrap_or_default();
        let c = claims(&self.url, &audience, now(), &self.overrides);
        self.issue(c, "value", &audience)
    }

    fn issue(&self, claims: Map<String, Value>, member: &str, commitment: &str) -> Answer {
        match self.key.sign_jwt(&Value::Object(claims)) {
            Ok(jwt) => {
                eprintln!("opk dev-op: issued an ID token for {commitment}");
                let body = if member == "value" {
                    json!({"count": 1, "value": jwt})
                } else {
                    json!({"access_token": "dev-op", "token_type": "Bearer", "expires_in": LIFETIME_SECS, "id_token": jwt})
                };
                json_response(200, body.to_string())
            }
            Err(e) => json_response(500, json!({"message": e}).to_string()),
        }
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(0))
        .unwrap_or(0)
}

/// GitHub-shaped claims (keys sorted), for `audience` at `now`, with `overrides` applied
/// (`aud` always stays the requested audience; an empty one means the default, as GitHub does).
fn claims(
    issuer: &str,
    audience: &str,
    now: i64,
    overrides: &Map<String, Value>,
) -> Map<String, Value> {
    let mut c = json!({
        "jti": format!("dev-{now}"),
        "sub": "repo:openpubkey/demo:ref:refs/heads/main",
        "aud": "https://github.com/openpubkey",
        "ref": "refs/heads/main",
        "sha": "6b29027d7ddae1c2dcdcfb88ab402473af5d20c8",
        "repository": "openpubkey/demo",
        "repository_owner": "openpubkey",
        "repository_owner_id": "145685596",
        "run_id": "6628353581",
        "run_number": "1",
        "run_attempt": "1",
        "repository_visibility": "public",
        "repository_id": "705530399",
        "actor_id": "1",
        "actor": "opk-dev",
        "workflow": "docker-build",
        "head_ref": "",
        "base_ref": "",
        "event_name": "push",
        "ref_protected": "true",
        "ref_type": "branch",
        "workflow_ref": "openpubkey/demo/.github/workflows/docker-build.yaml@refs/heads/main",
        "workflow_sha": "6b29027d7ddae1c2dcdcfb88ab402473af5d20c8",
        "job_workflow_ref": "openpubkey/demo/.github/workflows/docker-build.yaml@refs/heads/main",
        "job_workflow_sha": "6b29027d7ddae1c2dcdcfb88ab402473af5d20c8",
        "runner_environment": "github-hosted",
        "iss": issuer,
        "nbf": now - NBF_BACKDATE_SECS,
        "exp": now + LIFETIME_SECS,
        "iat": now,
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    for (k, v) in overrides {
        c.insert(k.clone(), v.clone());
    }
    if !audience.is_empty() {
        c.insert("aud".into(), audience.into());
    }
    c
}

pub(crate) fn json_response(status: u16, body: String) -> Answer {
    let mut r = Response::from_data(body.into_bytes()).with_status_code(status);
    if let Ok(h) = Header::from_bytes("content-type", "application/json") {
        r.add_header(h);
    }
    r
}

fn cors(mut r: Answer) -> Answer {
    if let Ok(h) = Header::from_bytes("access-control-allow-origin", "*") {
        r.add_header(h);
    }
    r
}
