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

/// The response header naming a registry instance (its temporary directory's name).
const INSTANCE_HEADER: &str = "X-Opk-Test-Registry";

/// Appended to `http.headers`, after [`INSTANCE_HEADER`].
const CORS_HEADERS: &str = "    Access-Control-Allow-Origin: ['*']
    Access-Control-Allow-Methods: ['HEAD', 'GET', 'OPTIONS']
    Access-Control-Allow-Headers: ['Authorization', 'Accept', 'Range']
    Access-Control-Expose-Headers: ['Docker-Content-Digest', 'WWW-Authenticate', 'Link']
";

impl Registry {
    /// Starts `docker-registry` on a free port and waits (≤ 15 s) until `/v2/` answers.
    ///
    /// A free port is only free until someone binds it: another test may take it between
    /// [`free_port`] and the registry's bind. Then the registry exits, and a few other
    /// attempts are made on other ports.
    pub fn start(mode: Mode) -> Self {
        const ATTEMPTS: usize = 5;
        let mut logs = Vec::new();
        for _ in 0..ATTEMPTS {
            match Self::launch(mode, free_port()) {
                Ok(reg) => return reg,
                Err(log) if log.contains("address already in use") => logs.push(log),
                Err(log) => panic!("docker-registry exited: {log}"),
            }
        }
        panic!("docker-registry found no free port in {ATTEMPTS} attempts: {logs:?}")
    }

    /// Starts `docker-registry` on 127.0.0.1:`port` (panics with its log if it cannot listen).
    pub fn start_at(mode: Mode, port: u16) -> Self {
        Self::launch(mode, port).unwrap_or_else(|log| panic!("docker-registry exited: {log}"))
    }

    /// Starts `docker-registry` on 127.0.0.1:`port` and waits (≤ 15 s) until it answers
    /// `/v2/` itself: every response carries a header naming this instance, so a process
    /// that already held the port is not taken for it. `Err` holds the log of a registry
    /// that exited before answering.
    fn launch(mode: Mode, port: u16) -> Result<Self, String> {
        let dir = TempDir::new("registry");
        let addr = format!("127.0.0.1:{port}");
        let instance = dir
            .path()
            .file_name()
            .and_then(|n| n.to_str())
            .expect("temp dir name")
            .to_owned();
        let issuer = (mode == Mode::Token).then(|| TokenIssuer::start(dir.path()));
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {addr}\n  headers:\n    {INSTANCE_HEADER}: ['{instance}']\n",
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
                let ours = r
                    .headers()
                    .get(INSTANCE_HEADER)
                    .is_some_and(|v| v.as_bytes() == instance.as_bytes());
                if ours && (r.status() == 200 || r.status() == 401) {
                    return Ok(reg);
                }
            }
            if let Ok(Some(status)) = reg.child.try_wait() {
                return Err(format!("{status}: {}", reg.log()));
            }
            assert!(
                Instant::now() < deadline,
                "docker-registry did not start: {}",
                reg.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A request to this registry failed: the error and the registry's log.
    fn failed(&self, what: &str, e: impl std::fmt::Display) -> String {
        format!("{what} on {}: {e}; registry log: {}", self.addr, self.log())
    }

    /// `GET /v2/<repo>/<kind>/<reference>` (kind `manifests` or `blobs`): the body of a 200.
    pub fn fetch(&self, repo: &str, kind: &str, reference: &str) -> Vec<u8> {
        let url = format!("http://{}/v2/{repo}/{kind}/{reference}", self.addr);
        let mut resp = self
            .agent
            .get(&url)
            .header("accept", manifest_accept())
            .call()
            .unwrap_or_else(|e| panic!("{}", self.failed("registry GET", e)));
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
        let r = post
            .send_empty()
            .unwrap_or_else(|e| panic!("{}", self.failed("start upload", e)));
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
        let r = put
            .send(&blob.bytes[..])
            .unwrap_or_else(|e| panic!("{}", self.failed("finish upload", e)));
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
        let mut r = put
            .send(&manifest.bytes[..])
            .unwrap_or_else(|e| panic!("{}", self.failed("put manifest", e)));
        let mut body = String::new();
        let _ = r.body_mut().as_reader().read_to_string(&mut body);
        assert_eq!(r.status(), 201, "manifest put {reference}: {body}");
    }

    /// Pushes referrer manifests of `subject` (each with its layers, and the empty config) and
    /// the `sha256-<hex>` tag listing them (`(manifest, layers, artifact type)`): the layout
    /// a registry without the referrers API holds. Returns the listing.
    pub fn push_referrers(
        &self,
        repo: &str,
        subject: &Blob,
        referrers: &[(&Blob, &[&Blob], &str)],
    ) -> Blob {
        self.push_blob(repo, &crate::referrers::empty_config());
        for (m, layers, _) in referrers {
            for l in *layers {
                self.push_blob(repo, l);
            }
            self.push_manifest(repo, &m.digest(), m);
        }
        let listing: Vec<(&Blob, &str)> = referrers.iter().map(|(m, _, t)| (*m, *t)).collect();
        let index = crate::referrers::referrers_index(&listing);
        self.push_manifest(repo, &crate::referrers::referrers_tag(subject), &index);
        index
    }

    /// Pushes `bundle` as the one Sigstore bundle v0.3 referrer of `subject` (through the
    /// `sha256-<hex>` tag, as [`Self::push_referrers`]). Returns the referrer manifest.
    pub fn push_bundle_referrer(&self, repo: &str, subject: &Blob, bundle: Vec<u8>) -> Blob {
        let (m, layer) = crate::referrers::bundle_referrer(bundle, subject);
        self.push_referrers(
            repo,
            subject,
            &[(&m, &[&layer], crate::referrers::BUNDLE_V03)],
        );
        m
    }

    /// Pushes cosign v2's signature manifest holding `layers` (its config and blobs too) under
    /// the tag `sha256-<hex>.<suffix>` of `subject` (`sig` or `att`). Returns the manifest.
    pub fn push_cosign_tag(
        &self,
        repo: &str,
        subject: &Blob,
        suffix: &str,
        layers: &[crate::sigstore::cosign_tag::Layer],
    ) -> Blob {
        self.push_blob(repo, &crate::referrers::cosign_config());
        let blobs: Vec<(Blob, serde_json::Value)> = layers
            .iter()
            .map(|l| {
                let blob = Blob::new(l.media_type, l.bytes.clone());
                self.push_blob(repo, &blob);
                (blob, serde_json::json!(l.annotations))
            })
            .collect();
        let refs: Vec<(&Blob, serde_json::Value)> =
            blobs.iter().map(|(b, a)| (b, a.clone())).collect();
        let manifest = crate::referrers::cosign_tag_manifest(&refs);
        let tag = format!("{}.{suffix}", crate::referrers::referrers_tag(subject));
        self.push_manifest(repo, &tag, &manifest);
        manifest
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_held_by_another_registry_is_not_taken_for_ours() {
        let first = Registry::start(Mode::Plain);
        let port: u16 = first.addr.rsplit(':').next().unwrap().parse().unwrap();
        let log = match Registry::launch(Mode::Plain, port) {
            Ok(second) => panic!("took the registry on {} for ours", second.addr),
            Err(log) => log,
        };
        assert!(log.contains("address already in use"), "{log}");
        // The first one still serves, and answers as itself.
        let r = first
            .agent
            .get(&format!("http://{}/v2/", first.addr))
            .call()
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers().get(INSTANCE_HEADER).is_some());
    }

    #[test]
    fn token_mode_answers_as_itself_too() {
        let reg = Registry::start(Mode::Token);
        let r = reg
            .agent
            .get(&format!("http://{}/v2/", reg.addr))
            .call()
            .unwrap();
        assert_eq!(r.status(), 401);
        assert!(r.headers().get(INSTANCE_HEADER).is_some());
    }
}
