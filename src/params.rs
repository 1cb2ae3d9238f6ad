//! What the page was asked to do, as it travels in the URL: image, platform and policy
//! (`?image=…&platform=…&owner_id=…&repo=…&workflow=…&ref=…&predicate=…&jwks=URL&proxy=URL`), so a
//! shared link reproduces the verdict; and the equivalent `opk verify` command line.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// The page's request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    /// The image reference.
    pub image: String,
    /// The platform to verify (`os/arch[/variant]`); empty: linux/amd64 when present, else the
    /// first platform.
    pub platform: String,
    /// Required `repository_owner_id`.
    pub owner_id: String,
    /// Required `repository` (OWNER/NAME).
    pub repo: String,
    /// Required `workflow_ref`.
    pub workflow: String,
    /// Required `ref`.
    pub git_ref: String,
    /// Required predicate types (empty: SLSA provenance v0.2, as docker verify).
    pub predicates: Vec<String>,
    /// Issuer key sets to load (user-supplied trust, shown as such).
    pub jwks: Vec<String>,
    /// A CORS proxy for this request (else the saved setting).
    pub proxy: String,
    /// Sigstore: the signing certificate's subject alternative name, exactly.
    pub cert_identity: String,
    /// Sigstore: … or its prefix (ending with `@` or `/`).
    pub cert_identity_prefix: String,
    /// Sigstore: OIDC issuers whose certificates are also allowed.
    pub cert_oidc_issuers: Vec<String>,
    /// Sigstore: a trusted root to load (user-supplied trust) instead of the bundled one.
    pub trusted_root: String,
    /// A repository (`registry/name`) whose tags to list instead of exploring an image.
    pub tags: String,
    /// An object of the image to show (index, manifest, config, layer, attestation).
    pub digest: String,
    /// With `digest` a layer: a file in it to show.
    pub path: String,
    /// Identity rules the link gives with an empty value (`owner_id=`), as their policy claim
    /// names: refused, never read as "no rule" (an unset variable in a script that writes links
    /// must not drop a rule).
    pub empty_rules: Vec<&'static str>,
}

/// Everything but unreserved characters and those references and URLs are made of, kept
/// readable in the address bar.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/')
    .remove(b':')
    .remove(b'@');

fn decode(s: &str) -> String {
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

fn encode(s: &str) -> String {
    utf8_percent_encode(s, QUERY_VALUE).to_string()
}

impl Params {
    /// Parses a query string (with or without the leading `?`).
    pub fn from_query(query: &str) -> Self {
        let mut p = Self::default();
        for pair in query.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = decode(v);
            let claim = match k {
                "owner_id" => Some("repository_owner_id"),
                "repo" => Some("repository"),
                "workflow" => Some("workflow_ref"),
                "ref" => Some("ref"),
                "cert_identity" => Some("certificate identity"),
                "cert_identity_prefix" => Some("certificate identity prefix"),
                _ => None,
            };
            if let Some(claim) = claim.filter(|_| v.trim().is_empty()) {
                p.empty_rules.push(claim);
            }
            match k {
                "image" => p.image = v,
                "tags" => p.tags = v,
                "digest" => p.digest = v,
                "path" => p.path = v,
                "platform" => p.platform = v,
                "owner_id" => p.owner_id = v,
                "repo" => p.repo = v,
                "workflow" => p.workflow = v,
                "ref" => p.git_ref = v,
                "predicate" if !v.is_empty() => p.predicates.push(v),
                "jwks" if !v.is_empty() => p.jwks.push(v),
                "proxy" => p.proxy = v,
                "cert_identity" => p.cert_identity = v,
                "cert_identity_prefix" => p.cert_identity_prefix = v,
                "cert_oidc_issuer" if !v.is_empty() => p.cert_oidc_issuers.push(v),
                "trusted_root" => p.trusted_root = v,
                _ => {}
            }
        }
        p
    }

    /// The query string (`?…`) that reproduces this request.
    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        let mut put = |k: &str, v: &str| {
            if !v.is_empty() {
                parts.push(format!("{k}={}", encode(v)));
            }
        };
        put("image", &self.image);
        put("tags", &self.tags);
        put("digest", &self.digest);
        put("path", &self.path);
        put("platform", &self.platform);
        put("owner_id", &self.owner_id);
        put("repo", &self.repo);
        put("workflow", &self.workflow);
        put("ref", &self.git_ref);
        for p in &self.predicates {
            put("predicate", p);
        }
        for j in &self.jwks {
            put("jwks", j);
        }
        put("proxy", &self.proxy);
        put("cert_identity", &self.cert_identity);
        put("cert_identity_prefix", &self.cert_identity_prefix);
        for i in &self.cert_oidc_issuers {
            put("cert_oidc_issuer", i);
        }
        put("trusted_root", &self.trusted_root);
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    /// Identity rules as (claim, value).
    pub fn rules(&self) -> Vec<(String, String)> {
        [
            ("repository_owner_id", &self.owner_id),
            ("repository", &self.repo),
            ("workflow_ref", &self.workflow),
            ("ref", &self.git_ref),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
        .collect()
    }

    /// Whether the request names any identity rule (OpenPubkey claims or a certificate
    /// identity): then the link carries a policy and the form can stay folded.
    pub fn has_identity_rule(&self) -> bool {
        !self.rules().is_empty()
            || !self.cert_identity.trim().is_empty()
            || !self.cert_identity_prefix.trim().is_empty()
    }

    /// The query of the policy alone (no image, no platform): what a verdict depends on
    /// besides the image, to tell when an edit makes a shown verdict stale.
    pub fn policy_query(&self) -> String {
        let mut p = self.clone();
        p.image.clear();
        p.tags.clear();
        p.digest.clear();
        p.path.clear();
        p.platform.clear();
        p.to_query()
    }

    /// The policy in words, for "verified against": each rule, the required predicate types,
    /// the Sigstore identity rules.
    pub fn policy_summary(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .rules()
            .into_iter()
            .map(|(k, v)| format!("{} = {v}", k.replace('_', " ")))
            .collect();
        if !self.cert_identity.is_empty() {
            out.push(format!("certificate identity = {}", self.cert_identity));
        }
        if !self.cert_identity_prefix.is_empty() {
            out.push(format!(
                "certificate identity starts with {}",
                self.cert_identity_prefix
            ));
        }
        for i in &self.cert_oidc_issuers {
            out.push(format!("certificate issuer {i}"));
        }
        if self.predicates.is_empty() {
            out.push("requires https://slsa.dev/provenance/v0.2".to_owned());
        } else {
            out.push(format!("requires {}", self.predicates.join(", ")));
        }
        out
    }

    /// The equivalent command line, for the image as given or, once resolved, `pinned` (the
    /// same repository at the digest this page verified, so the CLI checks the same bytes
    /// even if the tag moves). Key sets and a trusted root become files: [`Self::cli_files`].
    pub fn cli_command(&self, platform: &str, pinned: Option<&str>) -> String {
        let mut cmd = format!("opk verify {}", shell_word(pinned.unwrap_or(&self.image)));
        if !platform.is_empty() && platform != "linux/amd64" {
            cmd.push_str(&format!(" --platform {platform}"));
        }
        for (flag, v) in [
            ("--repo-owner-id", &self.owner_id),
            ("--repository", &self.repo),
            ("--workflow-ref", &self.workflow),
            ("--ref", &self.git_ref),
        ] {
            if !v.is_empty() {
                cmd.push_str(&format!(" {flag} {}", shell_word(v)));
            }
        }
        for p in &self.predicates {
            cmd.push_str(&format!(" --predicate {}", shell_word(p)));
        }
        for (i, _) in self.jwks.iter().enumerate() {
            cmd.push_str(&format!(" --jwks jwks-{}.json", i + 1));
        }
        if !self.proxy.is_empty() {
            cmd.push_str(&format!(" --proxy {}", shell_word(&self.proxy)));
        }
        for (flag, v) in [
            ("--cert-identity", &self.cert_identity),
            ("--cert-identity-prefix", &self.cert_identity_prefix),
        ] {
            if !v.is_empty() {
                cmd.push_str(&format!(" {flag} {}", shell_word(v)));
            }
        }
        for i in &self.cert_oidc_issuers {
            cmd.push_str(&format!(" --cert-oidc-issuer {}", shell_word(i)));
        }
        if !self.trusted_root.is_empty() {
            cmd.push_str(" --trusted-root trusted-root.json");
        }
        cmd
    }
}

impl Params {
    /// True when the link names Sigstore trust or identity (a trusted root, a certificate
    /// identity or issuer): it asks for Sigstore signatures, so the page loads their verifier
    /// (its second module) as the verification starts rather than when a bundle arrives.
    pub fn names_sigstore(&self) -> bool {
        !self.trusted_root.is_empty()
            || !self.cert_identity.is_empty()
            || !self.cert_identity_prefix.is_empty()
            || !self.cert_oidc_issuers.is_empty()
    }

    /// The files [`Self::cli_command`] names, and the URL each is to be saved from.
    pub fn cli_files(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .jwks
            .iter()
            .enumerate()
            .map(|(i, url)| (format!("jwks-{}.json", i + 1), url.clone()))
            .collect();
        if !self.trusted_root.is_empty() {
            out.push(("trusted-root.json".into(), self.trusted_root.clone()));
        }
        out
    }
}

fn shell_word(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/:@._-%=+,".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_names_sigstore_by_its_trusted_root_or_certificate_rules() {
        let opk = "?image=r/x:1&owner_id=1&jwks=http://127.0.0.1:1/jwks";
        assert!(!Params::from_query(opk).names_sigstore());
        for extra in [
            "&trusted_root=http://127.0.0.1:1/trusted_root.json",
            "&cert_identity=https://github.com/o/r/.github/workflows/w.yml@refs/heads/main",
            "&cert_identity_prefix=https://github.com/o/",
            "&cert_oidc_issuer=https://token.actions.githubusercontent.com",
        ] {
            assert!(
                Params::from_query(&format!("{opk}{extra}")).names_sigstore(),
                "{extra}"
            );
        }
    }

    #[test]
    fn a_deep_link_round_trips() {
        let q = "?image=127.0.0.1:5000/openpubkey/demo@sha256:ab&platform=linux/arm64&owner_id=145685596\
                 &repo=openpubkey/demo&predicate=https://spdx.dev/Document&jwks=http://127.0.0.1:8790/.well-known/jwks";
        let p = Params::from_query(q);
        assert_eq!(p.image, "127.0.0.1:5000/openpubkey/demo@sha256:ab");
        assert_eq!(p.platform, "linux/arm64");
        assert_eq!(p.predicates, ["https://spdx.dev/Document"]);
        assert_eq!(p.jwks, ["http://127.0.0.1:8790/.well-known/jwks"]);
        assert_eq!(Params::from_query(&p.to_query()), p);
        assert_eq!(
            p.rules(),
            [
                ("repository_owner_id".to_string(), "145685596".to_string()),
                ("repository".to_string(), "openpubkey/demo".to_string())
            ]
        );
        assert_eq!(
            p.cli_command("linux/arm64", None),
            "opk verify 127.0.0.1:5000/openpubkey/demo@sha256:ab --platform linux/arm64 \
             --repo-owner-id 145685596 --repository openpubkey/demo --predicate https://spdx.dev/Document \
             --jwks jwks-1.json"
        );
        // Sigstore rules and root.
        let s = Params::from_query(
            "?image=x&owner_id=1&cert_identity_prefix=https://github.com/o/r/&cert_oidc_issuer=https://i.test\
             &trusted_root=http://127.0.0.1:9/root.json",
        );
        assert_eq!(s.cert_identity_prefix, "https://github.com/o/r/");
        assert_eq!(s.cert_oidc_issuers, ["https://i.test"]);
        assert_eq!(Params::from_query(&s.to_query()), s);
        assert_eq!(
            s.cli_command("linux/amd64", None),
            "opk verify x --repo-owner-id 1 --cert-identity-prefix https://github.com/o/r/ \
             --cert-oidc-issuer https://i.test --trusted-root trusted-root.json"
        );
        assert_eq!(
            Params::from_query("?image=x&cert_identity=").empty_rules,
            ["certificate identity"]
        );
        // A rule given empty in the link is remembered as such, not read as no rule.
        let empty = Params::from_query("?image=x&owner_id=&repo=%20&ref=refs/heads/main");
        assert_eq!(empty.empty_rules, ["repository_owner_id", "repository"]);
        assert!(Params::from_query(q).empty_rules.is_empty());
        let odd = Params {
            image: "a b&c=d".into(),
            ..Params::default()
        };
        assert_eq!(Params::from_query(&odd.to_query()), odd);
        assert_eq!(odd.cli_command("", None), "opk verify 'a b&c=d'");
    }

    #[test]
    fn the_command_is_pinned_and_names_where_its_files_come_from() {
        let p = Params::from_query(
            "?image=r.test/o/a:1&owner_id=1&jwks=http://k.test/jwks&trusted_root=http://t.test/root.json",
        );
        assert_eq!(
            p.cli_command("linux/amd64", Some("r.test/o/a@sha256:ab")),
            "opk verify r.test/o/a@sha256:ab --repo-owner-id 1 --jwks jwks-1.json --trusted-root trusted-root.json"
        );
        assert_eq!(
            p.cli_files(),
            [
                ("jwks-1.json".to_string(), "http://k.test/jwks".to_string()),
                (
                    "trusted-root.json".to_string(),
                    "http://t.test/root.json".to_string()
                )
            ]
        );
    }

    #[test]
    fn an_object_link_round_trips_and_is_not_policy() {
        let p = Params::from_query(
            "?image=r.test/o/a:1&owner_id=1&digest=sha256:ab&path=etc/os-release",
        );
        assert_eq!(
            (p.digest.as_str(), p.path.as_str()),
            ("sha256:ab", "etc/os-release")
        );
        assert_eq!(Params::from_query(&p.to_query()), p);
        assert_eq!(
            p.policy_query(),
            Params::from_query("?owner_id=1").policy_query()
        );
    }

    #[test]
    fn a_tags_view_round_trips_and_the_policy_ignores_image_and_tags() {
        let p = Params::from_query("?tags=r.test/o/a&owner_id=1");
        assert_eq!(p.tags, "r.test/o/a");
        assert_eq!(Params::from_query(&p.to_query()), p);
        let q = Params::from_query("?image=r.test/o/b:2&platform=linux/arm64&owner_id=1");
        assert_eq!(p.policy_query(), q.policy_query());
        assert!(q.has_identity_rule());
        assert!(!Params::from_query("?image=x&predicate=p").has_identity_rule());
        assert!(Params::from_query("?image=x&cert_identity=s").has_identity_rule());
        assert_eq!(
            q.policy_summary(),
            [
                "repository owner id = 1",
                "requires https://slsa.dev/provenance/v0.2"
            ]
        );
    }
}
