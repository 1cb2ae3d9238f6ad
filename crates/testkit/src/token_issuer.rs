//! A test token issuer for distribution's token auth: an RSA key and a self-signed certificate
//! made by `openssl` (the registry trusts the certificate via `rootcertbundle`), and an HTTP
//! endpoint answering `GET /token?service=…&scope=…` with an RS256 JWT whose `x5c` header carries
//! the certificate. Basic credentials are optional; wrong ones get 401.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use opk_verify::b64;
use serde_json::json;

/// The `service` the registry expects.
pub const SERVICE: &str = "opk-test-registry";
/// The `iss` the registry expects.
pub const ISSUER: &str = "opk-test-issuer";
/// The Basic credentials the issuer accepts (anonymous requests are accepted too).
pub const USER: (&str, &str) = ("opk", "opk-test-password");

/// A running token issuer.
pub struct TokenIssuer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// The PEM certificate the registry trusts.
    pub cert_path: PathBuf,
    key_path: PathBuf,
    cert_der_b64: String,
    server: Arc<tiny_http::Server>,
    /// Token requests served so far.
    pub served: Arc<AtomicUsize>,
}

fn openssl(args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl (installed by scripts/setup)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

impl TokenIssuer {
    /// Makes a key and certificate in `dir` and starts serving on a free loopback port.
    pub fn start(dir: &Path) -> Self {
        let key_path = dir.join("token-key.pem");
        let cert_path = dir.join("token.pem");
        let (k, c) = (
            key_path.to_str().expect("utf-8"),
            cert_path.to_str().expect("utf-8"),
        );
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            k,
            "-out",
            c,
            "-subj",
            "/CN=opk-test-token-issuer",
            "-days",
            "2",
            "-sha256",
        ]);
        let der = openssl(&["x509", "-in", c, "-outform", "DER"]);
        let cert_der_b64 = b64::encode_std(&der);
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind token issuer"));
        let port = server.server_addr().to_ip().expect("ip").port();
        let served = Arc::new(AtomicUsize::new(0));
        let issuer = Self {
            url: format!("http://127.0.0.1:{port}"),
            cert_path: cert_path.clone(),
            key_path: key_path.clone(),
            cert_der_b64,
            server: Arc::clone(&server),
            served: Arc::clone(&served),
        };
        let signer = Self {
            url: issuer.url.clone(),
            cert_path,
            key_path,
            cert_der_b64: issuer.cert_der_b64.clone(),
            server: Arc::clone(&server),
            served: Arc::clone(&served),
        };
        std::thread::spawn(move || {
            for req in signer.server.incoming_requests() {
                let url = req.url().to_owned();
                let scope = url
                    .split(['?', '&'])
                    .find_map(|p| p.strip_prefix("scope="))
                    .map(|s| {
                        s.replace("%3A", ":")
                            .replace("%2F", "/")
                            .replace("%2C", ",")
                    })
                    .unwrap_or_default();
                let basic = req
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("Authorization"))
                    .map(|h| h.value.as_str().to_owned());
                let good = format!(
                    "Basic {}",
                    b64::encode_std(format!("{}:{}", USER.0, USER.1).as_bytes())
                );
                let resp = if !url.starts_with("/token") {
                    tiny_http::Response::from_string("not found").with_status_code(404)
                } else if basic.as_ref().is_some_and(|b| *b != good) {
                    tiny_http::Response::from_string(r#"{"errors":[{"code":"UNAUTHORIZED"}]}"#)
                        .with_status_code(401)
                } else {
                    signer.served.fetch_add(1, Ordering::Relaxed);
                    let t = signer.token(&scope);
                    tiny_http::Response::from_string(
                        json!({"token": t, "access_token": t, "expires_in": 300}).to_string(),
                    )
                };
                let _ = req.respond(resp);
            }
        });
        issuer
    }

    /// A token for `scope` (`repository:<name>:<actions>`; empty for none).
    pub fn token(&self, scope: &str) -> String {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        let access: Vec<serde_json::Value> = scope
            .split(' ')
            .filter_map(|s| {
                let mut it = s.splitn(3, ':');
                let (kind, name, actions) = (it.next()?, it.next()?, it.next()?);
                Some(json!({"type": kind, "name": name, "actions": actions.split(',').collect::<Vec<_>>()}))
            })
            .collect();
        let header = b64::encode_url(
            json!({"alg": "RS256", "typ": "JWT", "x5c": [self.cert_der_b64]})
                .to_string()
                .as_bytes(),
        );
        let claims = b64::encode_url(
            json!({"iss": ISSUER, "sub": "", "aud": SERVICE, "exp": now + 300, "nbf": now - 10,
                   "iat": now, "jti": format!("{now}-{}", self.served.load(Ordering::Relaxed)),
                   "access": access})
            .to_string()
            .as_bytes(),
        );
        let input = format!("{header}.{claims}");
        let sig = sign(&self.key_path, input.as_bytes());
        format!("{input}.{}", b64::encode_url(&sig))
    }
}

fn sign(key: &Path, msg: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut child = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(key)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("openssl");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(msg)
        .expect("write");
    let out = child.wait_with_output().expect("openssl dgst");
    assert!(out.status.success());
    out.stdout
}

impl Drop for TokenIssuer {
    fn drop(&mut self) {
        self.server.unblock();
    }
}
