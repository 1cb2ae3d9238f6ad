//! A real registry for tests: Debian's `docker-registry` (CNCF distribution 2.8) on
//! 127.0.0.1, in a temporary directory, stopped (killed and reaped) on drop. Fixtures are
//! pushed through the registry API (`POST` + `PUT` uploads, `PUT` manifests).

use std::io::Read as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::image::{Blob, Fixture};
use crate::token_issuer::TokenIssuer;

/// A directory under the system temp dir, removed on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A fresh, empty directory.
    pub fn new(label: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "opk-{label}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        Self(p)
    }
    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A free loopback port (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// How the registry is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Anonymous, with CORS headers on every response.
    Cors,
    /// Anonymous, without CORS headers (a browser needs a proxy).
    Plain,
    /// Token auth backed by a [`TokenIssuer`] started with it.
    Token,
}

/// A running registry.
pub struct Registry {
    child: Child,
    dir: TempDir,
    /// `127.0.0.1:<port>`.
    pub addr: String,
    /// The token issuer, in [`Mode::Token`].
    pub issuer: Option<TokenIssuer>,
    agent: ureq::Agent,
}

const CORS_HEADERS: &str = "
  headers:
    Access-Control-Allow-Origin: ['*']
    Access-Control-Allow-Methods: ['HEAD', 'GET', 'OPTIONS']
    Access-Control-Allow-Headers: ['Authorization', 'Accept', 'Range']
    Access-Control-Expose-Headers: ['Docker-Content-Digest', 'WWW-Authenticate', 'Link']
";

impl Registry {
    /// Starts `docker-registry` on a free port and waits (≤ 15 s) until `/v2/` answers.
    pub fn start(mode: Mode) -> Self {
        Self::start_at(mode, free_port())
    }

    /// Starts `docker-registry` on 127.0.0.1:`port` (panics with its log if it cannot listen).
    pub fn start_at(mode: Mode, port: u16) -> Self {
        let dir = TempDir::new("registry");
        let addr = format!("127.0.0.1:{port}");
        let issuer = (mode == Mode::Token).then(|| TokenIssuer::start(dir.path()));
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {addr}\n",
            dir.path().join("data").display()
        );
        if mode == Mode::Cors {
            config.push_str(CORS_HEADERS);
        }
        if let Some(i) = &issuer {
            config.push_str(&format!(
                "auth:\n  token:\n    realm: {}/token\n    service: {}\n    issuer: {}\n    rootcertbundle: {}\n",
                i.url,
                crate::token_issuer::SERVICE,
                crate::token_issuer::ISSUER,
                i.cert_path.display()
            ));
        }
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).expect("write registry config");
        let log = std::fs::File::create(dir.path().join("registry.log")).expect("log file");
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("docker-registry (installed by scripts/setup) must be on PATH");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        let mut reg = Self {
            child,
            dir,
            addr,
            issuer,
            agent,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(r) = reg.agent.get(&format!("http://{}/v2/", reg.addr)).call() {
                if r.status() == 200 || r.status() == 401 {
                    break;
                }
            }
            if let Ok(Some(status)) = reg.child.try_wait() {
                panic!("docker-registry exited ({status}): {}", reg.log());
            }
            assert!(
                Instant::now() < deadline,
                "docker-registry did not start: {}",
                reg.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        reg
    }

    /// `GET /v2/<repo>/<kind>/<reference>` (kind `manifests` or `blobs`): the body of a 200.
    pub fn fetch(&self, repo: &str, kind: &str, reference: &str) -> Vec<u8> {
        let url = format!("http://{}/v2/{repo}/{kind}/{reference}", self.addr);
        let mut resp = self
            .agent
            .get(&url)
            .header("accept", manifest_accept())
            .call()
            .expect("registry GET");
        assert_eq!(resp.status(), 200, "GET {url}");
        resp.body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()
            .expect("registry body")
    }

    /// The registry's own log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    fn authorization(&self, repo: &str) -> Option<String> {
        self.issuer.as_ref().map(|i| {
            format!(
                "Bearer {}",
                i.token(&format!("repository:{repo}:pull,push"))
            )
        })
    }

    /// Uploads a blob (monolithic: `POST` then `PUT ?digest=`).
    pub fn push_blob(&self, repo: &str, blob: &Blob) {
        let auth = self.authorization(repo);
        let mut post = self
            .agent
            .post(&format!("http://{}/v2/{repo}/blobs/uploads/", self.addr));
        if let Some(a) = &auth {
            post = post.header("Authorization", a);
        }
        let r = post.send_empty().expect("start upload");
        assert_eq!(r.status(), 202, "blob upload start");
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .expect("upload location")
            .to_owned();
        let url = if location.starts_with("http") {
            location
        } else {
            format!("http://{}{location}", self.addr)
        };
        let sep = if url.contains('?') { '&' } else { '?' };
        let mut put = self
            .agent
            .put(&format!("{url}{sep}digest={}", blob.digest()))
            .header("Content-Type", "application/octet-stream");
        if let Some(a) = &auth {
            put = put.header("Authorization", a);
        }
        let r = put.send(&blob.bytes[..]).expect("finish upload");
        assert_eq!(r.status(), 201, "blob upload");
    }

    /// Puts a manifest or index under `reference` (a tag or its digest).
    pub fn push_manifest(&self, repo: &str, reference: &str, manifest: &Blob) {
        let mut put = self
            .agent
            .put(&format!(
                "http://{}/v2/{repo}/manifests/{reference}",
                self.addr
            ))
            .header("Content-Type", &manifest.media_type);
        if let Some(a) = self.authorization(repo) {
            put = put.header("Authorization", &a);
        }
        let mut r = put.send(&manifest.bytes[..]).expect("put manifest");
        let mut body = String::new();
        let _ = r.body_mut().as_reader().read_to_string(&mut body);
        assert_eq!(r.status(), 201, "manifest put {reference}: {body}");
    }

    /// Pushes a whole fixture and tags its index `tag`.
    pub fn push(&self, repo: &str, tag: &str, fixture: &Fixture) {
        for b in &fixture.blobs {
            self.push_blob(repo, b);
        }
        for m in fixture.manifests() {
            self.push_manifest(repo, &m.digest(), m);
        }
        self.push_manifest(repo, tag, &fixture.index);
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn manifest_accept() -> &'static str {
    "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, \
     application/vnd.docker.distribution.manifest.v2+json"
}
