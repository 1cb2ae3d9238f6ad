//! Command-line parsing for `opk` (small and explicit; every flag is listed in [`USAGE`]).

/// The help text.
pub const USAGE: &str = "\
opk — verify OpenPubkey-signed attestations and PK tokens, offline

USAGE:
  opk verify-envelope FILE --subject-digest sha256:HEX [--subject-name PURL] [TRUST] [IDENTITY] [--json]
  opk verify-token FILE [TRUST] [IDENTITY] [--json]
  opk --version | --help

FILE is a DSSE envelope (verify-envelope), or a PK token in any format, or an RS256- or
GQ-signed JWT (verify-token). Use - for standard input.

--subject-name PURL requires the subject with that digest to have this name (compared
percent-decoded, e.g. pkg:docker/openpubkey/demo@main?platform=linux/amd64).

TRUST (the bundled GitHub Actions key history is always trusted):
  --issuer URL            allow this issuer instead of GitHub Actions (repeatable)
  --jwks FILE             also trust this JWKS for the (first) issuer (repeatable)

IDENTITY (verify-envelope needs at least one, or --any-identity-unsafe):
  --repo-owner-id ID      require repository_owner_id (GitHub's numeric owner id)
  --repository OWNER/NAME require repository
  --ref REF               require ref (e.g. refs/heads/main)
  --workflow-ref REF      require workflow_ref
  --any-identity-unsafe   accept any signer of an allowed issuer

OUTPUT:
  --json                  print one JSON object instead of the checklist

EXIT STATUS: 0 verified, 1 rejected, 2 usage or input error.";

/// What to verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A DSSE envelope.
    Envelope,
    /// A PK token or JWT.
    Token,
}

/// A parsed verify command.
#[derive(Debug, Clone, Default)]
pub struct Verify {
    pub kind: Option<Kind>,
    pub file: String,
    pub subject_digest: Option<String>,
    pub subject_name: Option<String>,
    pub issuers: Vec<String>,
    pub jwks: Vec<String>,
    pub rules: Vec<(&'static str, String)>,
    pub any_identity: bool,
    pub json: bool,
}

/// A parsed command line.
#[derive(Debug)]
pub enum Command {
    Help,
    Version,
    Verify(Verify),
}

/// Parses the arguments after the program name.
pub fn parse(argv: &[String]) -> Result<Command, String> {
    let mut it = argv.iter();
    let kind = match it.next().map(String::as_str) {
        None | Some("-h" | "--help" | "help") => return Ok(Command::Help),
        Some("-V" | "--version") => return Ok(Command::Version),
        Some("verify-envelope") => Kind::Envelope,
        Some("verify-token") => Kind::Token,
        Some(other) => return Err(format!("unknown command {other:?}")),
    };
    let mut v = Verify {
        kind: Some(kind),
        ..Verify::default()
    };
    let mut file = None;
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match arg.as_str() {
            "--json" => v.json = true,
            "--any-identity-unsafe" => v.any_identity = true,
            "--subject-digest" => v.subject_digest = Some(value(arg)?),
            "--subject-name" => v.subject_name = Some(value(arg)?),
            "--issuer" => v.issuers.push(value(arg)?),
            "--jwks" => v.jwks.push(value(arg)?),
            "--repo-owner-id" => v.rules.push(("repository_owner_id", value(arg)?)),
            "--repository" => v.rules.push(("repository", value(arg)?)),
            "--ref" => v.rules.push(("ref", value(arg)?)),
            "--workflow-ref" => v.rules.push(("workflow_ref", value(arg)?)),
            "-h" | "--help" => return Ok(Command::Help),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            path => {
                if file.replace(path.to_owned()).is_some() {
                    return Err("only one FILE may be given".into());
                }
            }
        }
    }
    v.file = file.ok_or("FILE is required")?;
    if kind == Kind::Envelope {
        if v.subject_digest.is_none() {
            return Err("verify-envelope needs --subject-digest sha256:HEX".into());
        }
        if v.rules.is_empty() && !v.any_identity {
            return Err(
                "verify-envelope needs an identity rule (--repo-owner-id, --repository, …) \
                        or --any-identity-unsafe"
                    .into(),
            );
        }
    }
    if kind == Kind::Token && v.rules.is_empty() {
        // verify-token checks a token's validity and shows its claims; identity is optional.
        v.any_identity = true;
    }
    Ok(Command::Verify(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn envelope_requires_digest_and_identity() {
        assert!(parse(&args("verify-envelope f"))
            .unwrap_err()
            .contains("--subject-digest"));
        assert!(parse(&args("verify-envelope f --subject-digest sha256:00"))
            .unwrap_err()
            .contains("identity"));
        let Command::Verify(v) = parse(&args(
            "verify-envelope f --subject-digest d --repo-owner-id 1 --json",
        ))
        .unwrap() else {
            panic!("not verify")
        };
        assert_eq!(v.rules, vec![("repository_owner_id", "1".to_string())]);
        assert!(v.json);
    }

    #[test]
    fn unknown_things_are_errors() {
        assert!(parse(&args("frobnicate")).is_err());
        assert!(parse(&args("verify-token f --nope")).is_err());
        assert!(parse(&args("verify-token a b")).is_err());
        assert!(parse(&args("verify-token f --jwks"))
            .unwrap_err()
            .contains("needs a value"));
    }
}
