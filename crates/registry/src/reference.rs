//! Image references, `[registry/]repository[:tag][@sha256:hex]`, parsed as docker's
//! `distribution/reference` does: the first path component is a registry only if it contains `.`
//! or `:` or is `localhost`; Docker Hub names get `docker.io` and, for one-component names,
//! `library/`. Registries on localhost or 127.0.0.0/8 (and `[::1]`) are reached over plain HTTP,
//! as docker does for them; all others over HTTPS.

use core::fmt;

use opk_verify::oci::Digest;

/// Docker Hub's name in references.
pub const DOCKER_HUB: &str = "docker.io";
/// Docker Hub's API host.
pub const DOCKER_HUB_API: &str = "registry-1.docker.io";
/// Longest repository name accepted (distribution's `NameTotalLengthMax`).
const MAX_NAME: usize = 255;
/// Longest tag accepted.
const MAX_TAG: usize = 128;

/// Why a reference was rejected. Stable codes from [`ReferenceError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReferenceError {
    /// Not a reference at all, or a part of it is malformed.
    #[error("malformed image reference {input:?}: {reason}")]
    Malformed {
        /// The input.
        input: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A digest with an algorithm or form other than `sha256:<64 lowercase hex>`.
    #[error("unsupported digest in {input:?}: only sha256:<64 lowercase hex> is accepted")]
    UnsupportedDigest {
        /// The input.
        input: String,
    },
}

impl ReferenceError {
    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "malformed_reference",
            Self::UnsupportedDigest { .. } => "unsupported_digest",
        }
    }
}

/// How a registry is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP: loopback registries only.
    Http,
    /// HTTPS: every other registry.
    Https,
}

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

impl Reference {
    /// Parses a reference.
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let bad = |reason| ReferenceError::Malformed {
            input: input.to_owned(),
            reason,
        };
        if input.is_empty() {
            return Err(bad("empty"));
        }
        if input.len() > 512 || input.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("too long or contains whitespace"));
        }
        let (rest, digest) = match input.split_once('@') {
            Some((rest, d)) => {
                let digest = Digest::parse(d).map_err(|_| ReferenceError::UnsupportedDigest {
                    input: input.to_owned(),
                })?;
                (rest, Some(digest))
            }
            None => (input, None),
        };
        // A tag follows the last ':' that comes after the last '/'.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest.get(last_slash..).and_then(|tail| tail.rfind(':')) {
            Some(i) => {
                let at = last_slash + i;
                (
                    rest.get(..at).unwrap_or_default(),
                    Some(rest.get(at + 1..).unwrap_or_default()),
                )
            }
            None => (rest, None),
        };
        if let Some(t) = tag {
            let mut chars = t.chars();
            let first_ok = chars
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            if !first_ok
                || t.len() > MAX_TAG
                || !t
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
            {
                return Err(bad("invalid tag"));
            }
        }
        let (registry, path) = match name.split_once('/') {
            Some((first, path))
                if first.contains('.')
                    || first.contains(':')
                    || first == "localhost"
                    || first.chars().any(|c| c.is_ascii_uppercase()) =>
            {
                (first.to_owned(), path.to_owned())
            }
            _ => (DOCKER_HUB.to_owned(), name.to_owned()),
        };
        if !valid_registry(&registry) {
            return Err(bad("invalid registry host"));
        }
        let registry = if registry == "index.docker.io" {
            DOCKER_HUB.to_owned()
        } else {
            registry
        };
        let repository = if registry == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        if repository.is_empty()
            || repository.len() > MAX_NAME
            || !repository.split('/').all(valid_component)
        {
            return Err(bad(
                "invalid repository name (lowercase letters, digits and . _ __ - separators)",
            ));
        }
        Ok(Self {
            registry,
            repository,
            tag: tag.map(str::to_owned),
            digest,
        })
    }

    /// The registry as named (`docker.io`, `ghcr.io`, `127.0.0.1:5000`).
    pub fn registry(&self) -> &str {
        &self.registry
    }
    /// The host the distribution API is served from (`registry-1.docker.io` for Docker Hub).
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_API
        } else {
            &self.registry
        }
    }
    /// HTTP for loopback registries, HTTPS otherwise.
    pub fn scheme(&self) -> Scheme {
        if is_loopback_host(&self.registry) {
            Scheme::Http
        } else {
            Scheme::Https
        }
    }
    /// `http://host[:port]` or `https://host[:port]` of the API.
    pub fn base_url(&self) -> String {
        let scheme = match self.scheme() {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        format!("{scheme}://{}", self.api_host())
    }
    /// The repository path (`library/alpine`).
    pub fn repository(&self) -> &str {
        &self.repository
    }
    /// `api-host/repository`: what a client keeps per repository by (tokens, whether the
    /// registry has the referrers API, checked content under `…@digest`).
    pub fn repository_key(&self) -> String {
        format!("{}/{}", self.api_host(), self.repository)
    }
    /// The tag, if one was given.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }
    /// The digest, if one was given.
    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }
    /// What to ask the registry for: the digest if given (verifiable), else the tag, else
    /// `latest` (a tag: its resolution to a digest is the one unverified step).
    pub fn manifest_reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".to_owned(),
        }
    }
}

impl Reference {
    /// The name as docker shows it: Docker Hub without `docker.io/` and `library/`.
    pub fn familiar_name(&self) -> String {
        if self.registry == DOCKER_HUB {
            self.repository
                .strip_prefix("library/")
                .unwrap_or(&self.repository)
                .to_owned()
        } else {
            format!("{}/{}", self.registry, self.repository)
        }
    }

    /// The package URL BuildKit writes as the statement subject name for this tag and platform
    /// (`pkg:docker/<familiar name>@<tag>?platform=<os>%2F<arch>`); `None` for a reference
    /// pinned by digest, where only the digest binds (as in `docker verify`).
    pub fn purl(&self, platform: &str) -> Option<String> {
        if self.digest.is_some() {
            return None;
        }
        let tag = self.tag.as_deref().unwrap_or("latest");
        Some(format!(
            "pkg:docker/{}@{tag}?platform={}",
            self.familiar_name(),
            platform.replace('/', "%2F")
        ))
    }
}

/// Whether `authority` (`host`, `host:port`, `[v6]:port`) is this machine: `localhost`, `::1` or
/// 127.0.0.0/8 written as four decimal octets. Look-alikes (`127.example.com`) are remote.
pub fn is_loopback_host(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    let loopback_v4 = host.strip_prefix("127.").is_some_and(|rest| {
        let parts: Vec<&str> = rest.split('.').collect();
        parts.len() == 3 && parts.iter().all(|p| p.parse::<u8>().is_ok())
    });
    host == "localhost" || host == "::1" || loopback_v4
}

impl fmt::Display for Reference {
    /// The fully qualified form: `docker.io/library/alpine:3.19@sha256:…`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

fn valid_registry(host: &str) -> bool {
    let (name, port) = match host.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((addr, rest)) => {
                if addr.is_empty() || !addr.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
                    return false;
                }
                return rest.is_empty() || rest.strip_prefix(':').is_some_and(valid_port);
            }
            None => return false,
        },
        None => match host.split_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (host, None),
        },
    };
    let labels_ok = !name.is_empty()
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
    labels_ok && port.is_none_or(valid_port)
}

fn valid_port(p: &str) -> bool {
    !p.is_empty() && p.len() <= 5 && p.parse::<u16>().is_ok_and(|n| n > 0)
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if !b.first().is_some_and(|x| alnum(*x)) || !b.last().is_some_and(|x| alnum(*x)) {
        return false;
    }
    let mut i = 0;
    while let Some(&x) = b.get(i) {
        if alnum(x) {
            i += 1;
            continue;
        }
        let sep_len = match x {
            b'.' => 1,
            b'_' if b.get(i + 1) == Some(&b'_') => 2,
            b'_' => 1,
            b'-' => b
                .get(i..)
                .map_or(0, |r| r.iter().take_while(|y| **y == b'-').count()),
            _ => return false,
        };
        i += sep_len;
        if !b.get(i).is_some_and(|y| alnum(*y)) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_follow_buildkit() {
        let r = Reference::parse("openpubkey/demo:main").unwrap();
        assert_eq!(
            r.purl("linux/amd64").unwrap(),
            "pkg:docker/openpubkey/demo@main?platform=linux%2Famd64"
        );
        let r = Reference::parse("alpine").unwrap();
        assert_eq!(r.familiar_name(), "alpine");
        assert_eq!(
            r.purl("linux/arm64/v8").unwrap(),
            "pkg:docker/alpine@latest?platform=linux%2Farm64%2Fv8"
        );
        let r = Reference::parse("127.0.0.1:5000/o/app:1.2").unwrap();
        assert_eq!(
            r.purl("linux/amd64").unwrap(),
            "pkg:docker/127.0.0.1:5000/o/app@1.2?platform=linux%2Famd64"
        );
        let pinned = format!("o/app@sha256:{}", "a".repeat(64));
        assert_eq!(Reference::parse(&pinned).unwrap().purl("linux/amd64"), None);
    }

    const D: &str = "sha256:3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8";

    fn p(s: &str) -> Reference {
        Reference::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn docker_hub_defaults() {
        let r = p("alpine");
        assert_eq!(
            (r.registry(), r.repository(), r.tag()),
            ("docker.io", "library/alpine", None)
        );
        assert_eq!(r.base_url(), "https://registry-1.docker.io");
        assert_eq!(r.repository_key(), "registry-1.docker.io/library/alpine");
        assert_eq!(r.manifest_reference(), "latest");
        assert_eq!(r.to_string(), "docker.io/library/alpine");
        let r = p("openpubkey/demo:main");
        assert_eq!((r.repository(), r.tag()), ("openpubkey/demo", Some("main")));
        assert_eq!(p("docker.io/alpine:3.19").repository(), "library/alpine");
        assert_eq!(p("index.docker.io/library/alpine").registry(), "docker.io");
    }

    #[test]
    fn registries_ports_tags_and_digests() {
        let r = p(&format!("ghcr.io/org/app:1.2@{D}"));
        assert_eq!(
            (r.registry(), r.repository(), r.tag()),
            ("ghcr.io", "org/app", Some("1.2"))
        );
        assert_eq!(r.manifest_reference(), D);
        assert_eq!(r.base_url(), "https://ghcr.io");
        let r = p("127.0.0.1:5000/demo/signed:v1");
        assert_eq!(
            (r.registry(), r.repository(), r.tag()),
            ("127.0.0.1:5000", "demo/signed", Some("v1"))
        );
        assert_eq!(r.scheme(), Scheme::Http);
        assert_eq!(r.base_url(), "http://127.0.0.1:5000");
        assert_eq!(p("localhost:5000/a").scheme(), Scheme::Http);
        assert_eq!(p("localhost/a").scheme(), Scheme::Http);
        assert_eq!(p("[::1]:5000/a").scheme(), Scheme::Http);
        assert_eq!(p("127.1.2.3:80/a").scheme(), Scheme::Http);
        // Look-alikes of loopback are remote.
        assert_eq!(p("127.0.0.1.example.com/a").scheme(), Scheme::Https);
        assert_eq!(p("localhost.example.com/a").scheme(), Scheme::Https);
        // A port-like tag on a Hub name is a tag, not a registry.
        assert_eq!(p("demo:5000").tag(), Some("5000"));
        assert_eq!(p("a/b/c__d-e.f:tag_1.x-y").repository(), "a/b/c__d-e.f");
    }

    #[test]
    fn malformed_references_have_clear_errors() {
        for bad in [
            "",
            "upper/Case",
            "a//b",
            "a/b/",
            "/a",
            "a:",
            "a:-tag",
            "a:ta/g",
            "a b",
            "a/-b",
            "a/b-",
            "a/b..c",
            "a/b___c",
            "host:99999/a",
            "ho_st.io/a",
            "[::1/a",
            &"a".repeat(300),
        ] {
            let e = Reference::parse(bad).expect_err(bad);
            assert_eq!(e.code(), "malformed_reference", "{bad}: {e}");
        }
        for bad in [
            "a@sha512:00",
            "a@sha256:ABC",
            "a@sha256:00",
            &format!("a@{}", D.to_uppercase()),
        ] {
            assert_eq!(
                Reference::parse(bad).unwrap_err().code(),
                "unsupported_digest",
                "{bad}"
            );
        }
    }
}
