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
    /// Verify a DSSE envelope file offline, bound to an image manifest digest.
    VerifyEnvelope(VerifyEnvelope),
    /// Verify a PK token (any format) or an RS256/GQ-signed JWT file offline.
    VerifyToken(VerifyToken),
    /// Run a small CORS proxy for registries (GET, HEAD and OPTIONS to allow-listed hosts).
    Proxy(Proxy),
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
    pub registry: Registry,
    /// Print one JSON object instead of the docker-verify lines.
    #[arg(long)]
    pub json: bool,
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

/// `opk verify-envelope FILE`.
#[derive(Debug, Clone, Args)]
pub struct VerifyEnvelope {
    /// The DSSE envelope (- for standard input).
    pub file: String,
    /// The platform image manifest digest the statement must name.
    #[arg(long, value_name = "sha256:HEX")]
    pub subject_digest: String,
    /// Also require this subject name (compared percent-decoded, e.g.
    /// pkg:docker/openpubkey/demo@main?platform=linux/amd64).
    #[arg(long, value_name = "PURL")]
    pub subject_name: Option<String>,
    #[command(flatten)]
    pub trust: Trust,
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
    /// Largest upstream body forwarded, in bytes.
    #[arg(long, default_value_t = 16 * 1024 * 1024, value_name = "BYTES")]
    pub max_body: usize,
    /// Upstream timeout per request, in seconds.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub timeout: u64,
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
