//! The command line, declared with clap: every command, flag and help text in one place.

use clap::{Args, Parser, Subcommand};

/// opk — verify OpenPubkey-signed container images and attestations, inspect images, and run
/// the CORS proxy the web app uses.
///
/// Exit status: 0 verified, 1 rejected (`error: <code>: <message>` on stderr), 2 usage error,
/// unreadable input or unreachable registry.
#[derive(Debug, Parser)]
#[command(name = "opk", version, propagate_version = true)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch an image and verify the OpenPubkey-signed attestations of one platform.
    Verify(VerifyImage),
    /// Show an image's structure: index, platforms, manifests, configs, layers, attestations.
    Inspect(Inspect),
    /// List an image's layers, or the files of one layer (streamed, digest-checked).
    Ls(Ls),
    /// Verify a DSSE envelope file offline, bound to an image manifest digest.
    VerifyEnvelope(VerifyEnvelope),
    /// Verify a PK token (any format) or an RS256/GQ-signed JWT file offline.
    VerifyToken(VerifyToken),
    /// Verify a Sigstore bundle (v0.1–v0.3) offline, about an artifact or a digest.
    VerifyBundle(VerifyBundle),
    /// Run a small CORS proxy for registries (GET, HEAD and OPTIONS to allow-listed hosts).
    Proxy(Proxy),
    /// OPK-sign an image's attestations (BuildKit's layout) and push the signed index.
    Sign(Sign),
    /// Run a local OpenID provider that behaves like GitHub Actions' token service (demos, tests).
    DevOp(DevOp),
}

/// Which keys are trusted.
#[derive(Debug, Clone, Default, Args)]
pub struct Trust {
    /// Allow this issuer instead of GitHub Actions (repeatable).
    #[arg(long = "issuer", value_name = "URL")]
    pub issuers: Vec<String>,
    /// Also trust this JWKS for the (first) issuer (repeatable). The bundled GitHub Actions key
    /// history is always trusted.
    #[arg(long = "jwks", value_name = "FILE")]
    pub jwks: Vec<String>,
}

/// Who must have signed.
#[derive(Debug, Clone, Default, Args)]
pub struct Identity {
    /// Require repository_owner_id (GitHub's numeric owner id).
    #[arg(long, value_name = "ID")]
    pub repo_owner_id: Option<String>,
    /// Require repository (OWNER/NAME).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repository: Option<String>,
    /// Require ref (e.g. refs/heads/main).
    #[arg(long = "ref", value_name = "REF")]
    pub git_ref: Option<String>,
    /// Require workflow_ref.
    #[arg(long, value_name = "REF")]
    pub workflow_ref: Option<String>,
    /// Accept any signer of an allowed issuer.
    #[arg(long)]
    pub any_identity_unsafe: bool,
}

impl Identity {
    /// The claim rules given.
    pub fn rules(&self) -> Vec<(&'static str, String)> {
        [
            ("repository_owner_id", &self.repo_owner_id),
            ("repository", &self.repository),
            ("ref", &self.git_ref),
            ("workflow_ref", &self.workflow_ref),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
        .collect()
    }
}

/// How registries are reached.
#[derive(Debug, Clone, Default, Args)]
pub struct Registry {
    /// Send every registry request through this proxy: a URL prefix (`opk proxy`'s form) or a
    /// template with {url}, or {host} and {path}.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Basic-auth user for the registry's token endpoint; the password is read from the
    /// OPK_REGISTRY_PASSWORD environment variable (never send private credentials through a
    /// shared proxy).
    #[arg(long, value_name = "USER")]
    pub username: Option<String>,
}

/// `opk verify IMAGE`.
#[derive(Debug, Clone, Args)]
pub struct VerifyImage {
    /// The image: [registry/]repo[:tag][@sha256:…].
    pub image: String,
    /// The platform whose attestations are verified.
    #[arg(long, default_value = "linux/amd64", value_name = "OS/ARCH")]
    pub platform: String,
    /// Required predicate type (repeatable; default: SLSA provenance v0.2, as docker verify).
    #[arg(long = "predicate", value_name = "TYPE")]
    pub predicates: Vec<String>,
    #[command(flatten)]
    pub trust: Trust,
    #[command(flatten)]
    pub identity: Identity,
    #[command(flatten)]
    pub sigstore: ImageSigstore,
    #[command(flatten)]
    pub registry: Registry,
    /// Print one JSON object instead of the docker-verify lines.
    #[arg(long)]
    pub json: bool,
}

/// Sigstore trust and certificate identity for the Sigstore bundles an image carries.
#[derive(Debug, Clone, Args)]
pub struct ImageSigstore {
    /// Verify Sigstore bundles against this trusted root (user-supplied trust) instead of a
    /// bundled one.
    #[arg(long, value_name = "FILE", conflicts_with = "instance")]
    pub trusted_root: Option<String>,
    /// Which bundled trusted root verifies Sigstore bundles.
    #[arg(long, value_enum, default_value = "public-good")]
    pub instance: Instance,
    /// Require a Sigstore signing certificate's subject alternative name to be exactly this.
    #[arg(long, value_name = "SAN", conflicts_with = "cert_identity_prefix")]
    pub cert_identity: Option<String>,
    /// Require it to start with this (ending with @ or /).
    #[arg(long, value_name = "PREFIX")]
    pub cert_identity_prefix: Option<String>,
    /// Also allow Sigstore certificates from this OIDC issuer (beside --issuer, or GitHub
    /// Actions).
    #[arg(long = "cert-oidc-issuer", value_name = "URL")]
    pub cert_oidc_issuers: Vec<String>,
}

/// `opk inspect IMAGE`.
#[derive(Debug, Clone, Args)]
pub struct Inspect {
    /// The image: [registry/]repo[:tag][@sha256:…].
    pub image: String,
    #[command(flatten)]
    pub registry: Registry,
    /// Print one JSON object (with every object's raw JSON) instead of a summary.
    #[arg(long)]
    pub json: bool,
}

/// `opk ls IMAGE [LAYER-DIGEST]`.
#[derive(Debug, Clone, Args)]
pub struct Ls {
    /// The image: [registry/]repo[:tag][@sha256:…].
    pub image: String,
    /// A layer of the platform image (sha256:…): list its files instead of the layers.
    #[arg(value_name = "LAYER-DIGEST")]
    pub layer: Option<String>,
    /// The platform (os/arch[/variant]); default linux/amd64 when present, else the first.
    #[arg(long)]
    pub platform: Option<String>,
    #[command(flatten)]
    pub registry: Registry,
}

/// `opk verify-envelope FILE`.
#[derive(Debug, Clone, Args)]
pub struct VerifyEnvelope {
    /// The DSSE envelope (- for standard input).
    pub file: String,
    /// The platform image manifest digest the statement must name.
    #[arg(long, value_name = "sha256:HEX", value_parser = subject_digest)]
    pub subject_digest: String,
    /// Also require this subject name (compared percent-decoded, e.g.
    /// pkg:docker/openpubkey/demo@main?platform=linux/amd64).
    #[arg(long, value_name = "PURL", value_parser = subject_name)]
    pub subject_name: Option<String>,
    #[command(flatten)]
    pub trust: Trust,
    /// For an OpenPubkey Ext envelope (its signature carries a Rekor entry): the Sigstore
    /// trusted root whose logs are trusted (user-supplied trust) instead of the bundled
    /// public-good root.
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<String>,
    #[command(flatten)]
    pub identity: Identity,
    /// Print one JSON object instead of the checklist.
    #[arg(long)]
    pub json: bool,
}

/// `opk verify-token FILE`.
#[derive(Debug, Clone, Args)]
pub struct VerifyToken {
    /// The PK token or JWT (- for standard input).
    pub file: String,
    #[command(flatten)]
    pub trust: Trust,
    #[command(flatten)]
    pub identity: Identity,
    /// Print one JSON object instead of the checklist.
    #[arg(long)]
    pub json: bool,
}

/// `opk verify-bundle BUNDLE`.
#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["artifact", "digest", "subject_digest"])))]
pub struct VerifyBundle {
    /// The Sigstore bundle (- for standard input).
    pub file: String,
    /// The artifact (- for standard input): the signed file (message signature), or the
    /// statement's subject (DSSE: named by its sha256 or sha512). Read to its end; files over
    /// 64 MiB are hashed as they are read, not held.
    #[arg(long, value_name = "FILE")]
    pub artifact: Option<String>,
    /// The artifact's digest instead of its bytes: sha256:HEX (or sha384:, sha512:). For a
    /// DSSE bundle, the digest its statement's subject must name (an image's manifest digest).
    #[arg(long, value_name = "ALG:HEX", value_parser = bundle_digest)]
    pub digest: Option<String>,
    /// The digest a DSSE bundle's statement must name as its subject (an image's manifest
    /// digest), as `verify-envelope` spells it: --digest restricted to sha256.
    #[arg(long, value_name = "sha256:HEX", value_parser = subject_digest)]
    pub subject_digest: Option<String>,
    /// Verify against this trusted root (user-supplied trust) instead of a bundled one.
    #[arg(long, value_name = "FILE", conflicts_with = "instance")]
    pub trusted_root: Option<String>,
    /// Which bundled trusted root: the Sigstore public-good instance, or GitHub's (private
    /// repositories' artifact attestations; it has no transparency log).
    #[arg(long, value_enum, default_value = "public-good")]
    pub instance: Instance,
    /// The bundle is signed by this key (a PEM public key): it is the identity.
    #[arg(long, value_name = "PEM")]
    pub key: Option<String>,
    /// Require the signing certificate's subject alternative name to be exactly this.
    #[arg(long, value_name = "SAN", conflicts_with = "cert_identity_prefix")]
    pub cert_identity: Option<String>,
    /// Require it to start with this (ending with @ or /, e.g.
    /// https://github.com/ORG/REPO/.github/workflows/build.yml@).
    #[arg(long, value_name = "PREFIX")]
    pub cert_identity_prefix: Option<String>,
    /// Require this OIDC issuer (default: GitHub Actions).
    #[arg(long, value_name = "URL")]
    pub cert_oidc_issuer: Option<String>,
    #[command(flatten)]
    pub identity: Identity,
    /// Print one JSON object instead of the checklist.
    #[arg(long)]
    pub json: bool,
}

/// A Sigstore instance whose trusted root is bundled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Instance {
    /// Sigstore's public-good instance (rekor.sigstore.dev, fulcio.sigstore.dev).
    PublicGood,
    /// GitHub's instance (fulcio.githubapp.com, timestamp.githubapp.com).
    Github,
}

/// `opk proxy`.
#[derive(Debug, Clone, Args)]
pub struct Proxy {
    /// Address to listen on (port 0 picks a free port; the URL is printed).
    #[arg(long, default_value = "127.0.0.1:8787", value_name = "ADDR")]
    pub listen: String,
    /// Allow this upstream host[:port] (repeatable). Without any, the built-in list of public
    /// registries, their token services and blob CDNs is used.
    #[arg(long = "allow", value_name = "HOST")]
    pub allow: Vec<String>,
    /// Serve pages of this origin, scheme://host[:port] (repeatable): only they may read
    /// through the proxy, and only their Private Network Access preflights are answered.
    /// Required when an --allow host is loopback or private; without any, every origin is
    /// served (public upstream hosts only).
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origin: Vec<String>,
    /// Largest upstream body forwarded, in bytes (manifests, tags, referrers, tokens: read
    /// whole, then sent).
    #[arg(long, default_value_t = 16 * 1024 * 1024, value_name = "BYTES")]
    pub max_body: usize,
    /// Largest blob streamed, in bytes: blobs (`/v2/…/blobs/…`, image layers) are passed on
    /// as they arrive, never held; one announced larger is refused, and the stream stops at
    /// this many bytes (the client's digest check then fails).
    #[arg(long, default_value_t = 4 * 1024 * 1024 * 1024, value_name = "BYTES")]
    pub max_layer: u64,
    /// Upstream timeout per request, in seconds.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub timeout: u64,
}

/// The PK token format `opk sign` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SignFormatArg {
    /// Docker's BuildKit fork, what `docker verify` understands.
    F0,
    /// openpubkey v0.25+ (GQ256 header with jkt).
    F3,
}

/// `opk sign IMAGE`.
#[derive(Debug, Clone, Args)]
pub struct Sign {
    /// The image, with a tag: [registry/]repo:tag[@sha256:…]. The statements name it as
    /// pkg:docker/NAME@TAG and the signed index is pushed to the tag.
    pub image: String,
    /// SLSA provenance v0.2 predicate (JSON) for every platform. Default: the unsigned
    /// provenance BuildKit attached, else a minimal one describing this GitHub Actions run.
    #[arg(long, value_name = "FILE")]
    pub provenance: Option<String>,
    /// SPDX document (JSON) for every platform. Default: the unsigned SBOM BuildKit attached.
    #[arg(long, value_name = "FILE")]
    pub sbom: Option<String>,
    /// PK token format.
    #[arg(long, value_enum, default_value = "f0")]
    pub format: SignFormatArg,
    /// Where ID tokens come from: github-actions (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN, as set
    /// in a job with `id-token: write`, or by `opk dev-op`; the commitment is the audience), or
    /// an issuer URL to log in to in a browser, once per statement (the commitment is the nonce).
    #[arg(
        long,
        default_value = "github-actions",
        value_name = "github-actions|URL"
    )]
    pub oidc: String,
    /// OAuth client id for `--oidc URL` (a client secret, if the issuer needs one, is read from
    /// OPK_OIDC_CLIENT_SECRET).
    #[arg(long, default_value = "opk", value_name = "ID")]
    pub client_id: String,
    /// Read and write the image in this OCI image layout directory instead of a registry.
    #[arg(long, value_name = "DIR")]
    pub oci_layout: Option<String>,
    /// Sign again an image whose attestations are already signed (replacing them).
    #[arg(long)]
    pub replace: bool,
    #[command(flatten)]
    pub registry: Registry,
}

/// `opk dev-op`.
#[derive(Debug, Clone, Args)]
pub struct DevOp {
    /// Loopback address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8790", value_name = "ADDR")]
    pub listen: String,
    /// Private JWK file of the issuer key: loaded, or created (mode 0600) when missing. Default:
    /// a new key in memory.
    #[arg(long, value_name = "FILE")]
    pub key: Option<String>,
    /// JSON object of claims overriding the GitHub-shaped defaults (`aud` is always the
    /// requested audience).
    #[arg(long, value_name = "FILE")]
    pub claims: Option<String>,
    /// Where to write the public JWKS (default: in the temporary directory; the path is printed).
    #[arg(long, value_name = "FILE")]
    pub jwks_out: Option<String>,
}

/// `--subject-digest`: `sha256:` and 64 lowercase hex digits (or the digits alone), checked as a
/// usage error before anything is read.
fn subject_digest(s: &str) -> Result<String, String> {
    let hex = s.strip_prefix("sha256:").unwrap_or(s);
    if hex.len() == 64 && opk_verify::hex::is_lower_hex(hex, 64) {
        Ok(s.to_owned())
    } else {
        Err("expected sha256: and 64 lowercase hex digits".into())
    }
}

/// `--digest`: `sha256:`, `sha384:` or `sha512:` and lowercase hex of that length.
fn bundle_digest(s: &str) -> Result<String, String> {
    let ok = match s.split_once(':') {
        Some(("sha256", h)) => opk_verify::hex::is_lower_hex(h, 64),
        Some(("sha384", h)) => opk_verify::hex::is_lower_hex(h, 96),
        Some(("sha512", h)) => opk_verify::hex::is_lower_hex(h, 128),
        _ => false,
    };
    if ok {
        Ok(s.to_owned())
    } else {
        Err("expected sha256:, sha384: or sha512: and lowercase hex of that length".into())
    }
}

/// `--subject-name`: every `%` must start a two-hex-digit escape.
fn subject_name(s: &str) -> Result<String, String> {
    match opk_verify::intoto::unescape_purl(s) {
        Some(_) => Ok(s.to_owned()),
        None => Err("an invalid percent-escape (a % not followed by two hex digits)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn flags_parse() {
        let cli = Cli::try_parse_from([
            "opk",
            "verify",
            "ghcr.io/o/a:1",
            "--repo-owner-id",
            "1",
            "--predicate",
            "p",
            "--jwks",
            "a",
            "--jwks",
            "b",
            "--proxy",
            "http://127.0.0.1:8787",
            "--json",
        ])
        .unwrap();
        let Command::Verify(v) = cli.command else {
            panic!("verify")
        };
        assert_eq!(v.platform, "linux/amd64");
        assert_eq!(
            v.identity.rules(),
            vec![("repository_owner_id", "1".to_string())]
        );
        assert_eq!(v.trust.jwks, ["a", "b"]);
        assert!(v.json);
        assert!(Cli::try_parse_from(["opk", "verify-envelope", "f"]).is_err());
        assert!(Cli::try_parse_from(["opk", "frobnicate"]).is_err());
    }
}
