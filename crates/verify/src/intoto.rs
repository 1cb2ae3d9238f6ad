//! in-toto Statements (v0.1 and v1): subjects, digests and the predicate, parsed strictly.

use serde_json::value::RawValue;

use crate::json;
use crate::json::raw::{self, Unknown};
use crate::limits::{self, Limit};
use crate::VerifyError;

/// in-toto Statement v0.1 (what BuildKit writes).
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";
/// in-toto Statement v1.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// SLSA provenance v0.2 predicate type.
pub const SLSA_PROVENANCE_V02: &str = "https://slsa.dev/provenance/v0.2";
/// SLSA provenance v1 predicate type (BuildKit's `version=v1`).
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";

/// One subject: a name and its digests.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Subject {
    /// The subject name (a purl for container images).
    pub name: String,
    /// The sha256 digest (64 lowercase hex), if present.
    pub sha256: Option<String>,
}

/// A statement's predicate as received: the JSON text (`null` when absent), checked strictly
/// but never built into a tree — a predicate can be megabytes (an SBOM, a `mode=max`
/// provenance). Fields are read from it where needed ([`Predicate::text_at`]).
#[derive(Clone)]
pub struct Predicate(Box<RawValue>);

impl Predicate {
    /// The JSON text, exactly as it was in the statement.
    pub fn json(&self) -> &str {
        self.0.get()
    }
    /// The string at `path` (object keys, outermost first), if every step is there and it is a
    /// string; nothing else of the predicate is built.
    pub fn text_at(&self, path: &[&str]) -> Option<std::borrow::Cow<'_, str>> {
        raw::pointer(&self.0, path).and_then(raw::string)
    }
    /// The first `max` elements of the array at `path`, in order, each as its own value (for
    /// views listing materials or dependencies); none if there is no array there.
    pub fn items_at(&self, path: &[&str], max: usize) -> Vec<Predicate> {
        let mut out = Vec::new();
        if let Some(list) = raw::pointer(&self.0, path) {
            raw::any_element(list, |e| {
                out.push(Predicate(e.to_owned()));
                out.len() >= max
            });
        }
        out
    }
    pub(crate) fn raw(&self) -> &RawValue {
        &self.0
    }
}

impl core::fmt::Debug for Predicate {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Predicate({} bytes)", self.json().len())
    }
}

impl PartialEq for Predicate {
    fn eq(&self, other: &Self) -> bool {
        self.json() == other.json()
    }
}

impl serde::Serialize for Predicate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// A parsed statement.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Statement {
    /// `_type`.
    #[serde(rename = "_type")]
    pub statement_type: String,
    /// `predicateType`.
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// The subjects (at least one).
    pub subject: Vec<Subject>,
    /// The predicate, as received (`null` when absent).
    pub predicate: Predicate,
}

impl Statement {
    /// Parses a statement without building it: known `_type`, non-empty subjects (counted as
    /// they are read) each with a digest set whose sha256 (if given) is 64 lowercase hex, a
    /// `predicateType` string; the predicate and any other member are checked strictly
    /// (duplicate keys at any depth) and kept as text. Memory stays near the statement's size.
    pub fn parse(bytes: &[u8]) -> Result<Self, VerifyError> {
        const WHAT: &str = "in-toto statement";
        const SUBJECT: &str = "in-toto subject";
        let m = raw::members(
            bytes,
            WHAT,
            &["_type", "predicateType", "subject", "predicate"],
            Unknown::Skip,
        )?;
        let statement_type = m.str("_type")?.into_owned();
        if statement_type != STATEMENT_V01 && statement_type != STATEMENT_V1 {
            return Err(VerifyError::UnsupportedFormat {
                reason: "unknown in-toto statement _type",
            });
        }
        let predicate_type = m.str("predicateType")?.into_owned();
        if predicate_type.is_empty() {
            return Err(VerifyError::InvalidField {
                what: WHAT,
                field: "predicateType",
            });
        }
        let subjects = m.array("subject", limits::MAX_SUBJECTS, Limit::Subjects)?;
        if subjects.is_empty() {
            return Err(VerifyError::MissingField {
                what: WHAT,
                field: "subject",
            });
        }
        let mut subject = Vec::with_capacity(subjects.len());
        for s in subjects {
            if !s.get().starts_with('{') {
                return Err(VerifyError::InvalidField {
                    what: WHAT,
                    field: "subject",
                });
            }
            let sm = raw::members_of(s, SUBJECT, &["name", "digest"], Unknown::Skip)?;
            let digest = sm.get("digest").ok_or(VerifyError::MissingField {
                what: SUBJECT,
                field: "digest",
            })?;
            let digest = raw::string_map(
                digest,
                SUBJECT,
                "digest",
                limits::MAX_DIGESTS_PER_SUBJECT,
                Limit::DigestsPerSubject,
            )?;
            if digest.is_empty() {
                return Err(VerifyError::MissingField {
                    what: SUBJECT,
                    field: "digest",
                });
            }
            let sha256 = digest.iter().find(|(k, _)| k == "sha256").map(|(_, v)| v);
            if sha256.is_some_and(|h| !crate::hex::is_lower_hex(h, 64)) {
                return Err(VerifyError::InvalidField {
                    what: "in-toto subject digest",
                    field: "sha256",
                });
            }
            subject.push(Subject {
                name: sm.opt_str("name")?.unwrap_or_default().into_owned(),
                sha256: sha256.map(|h| h.to_string()),
            });
        }
        let predicate = match m.get("predicate") {
            Some(raw) => {
                json::check(raw.get().as_bytes(), "in-toto predicate")?;
                raw.to_owned()
            }
            None => RawValue::from_string("null".to_owned())
                .map_err(|_| VerifyError::MalformedJson { what: WHAT })?,
        };
        Ok(Self {
            statement_type,
            predicate_type,
            subject,
            predicate: Predicate(predicate),
        })
    }

    /// The first subject whose sha256 equals `hex` (any subject, not only the first; V23).
    pub fn subject_with_sha256(&self, hex: &str) -> Option<&Subject> {
        self.subject
            .iter()
            .find(|s| s.sha256.as_deref() == Some(hex))
    }

    /// The sha256 digests its subjects name, for an error message: at most three, as
    /// `sha256:<hex>`, then how many more; "no sha256 digest" when none has one.
    pub fn named_digests(&self) -> String {
        named_digests(self.subject.iter().filter_map(|s| s.sha256.as_deref()))
    }
}

/// At most three digests as `sha256:<hex>`, then how many more (for error messages).
pub fn named_digests<'a>(hexes: impl Iterator<Item = &'a str>) -> String {
    let all: Vec<&str> = hexes.collect();
    if all.is_empty() {
        return "no sha256 digest".to_owned();
    }
    let mut out: Vec<String> = all.iter().take(3).map(|h| format!("sha256:{h}")).collect();
    if all.len() > 3 {
        out.push(format!("and {} more", all.len() - 3));
    }
    out.join(", ")
}

/// What the statement must name: the platform manifest digest the caller computed, and on
/// request the subject name (BuildKit writes a purl such as
/// `pkg:docker/openpubkey/demo@main?platform=linux%2Famd64`; names are compared unescaped, as
/// docker verify does for tag references).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedSubject {
    /// `sha256:<hex>` or `<hex>`, validated when used.
    pub sha256: String,
    /// The required subject name, if any.
    pub name: Option<String>,
}

impl ExpectedSubject {
    /// Requires only the digest.
    pub fn digest(sha256: impl Into<String>) -> Self {
        Self {
            sha256: sha256.into(),
            name: None,
        }
    }
    /// Also requires the subject carrying the digest to have this name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

impl From<&str> for ExpectedSubject {
    fn from(sha256: &str) -> Self {
        Self::digest(sha256)
    }
}

impl From<&String> for ExpectedSubject {
    fn from(sha256: &String) -> Self {
        Self::digest(sha256.as_str())
    }
}

/// Percent-decodes a purl (BuildKit escapes the `/` of the platform qualifier as `%2F`) to its
/// exact bytes; `None` for an invalid escape (a `%` not followed by two hex digits). Nothing is
/// decoded lossily, so two different names never compare equal.
pub fn unescape_purl(name: &str) -> Option<Vec<u8>> {
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let digit = |c: u8| char::from(c).to_digit(16);
            let (hi, lo) = (digit(*hex.first()?)?, digit(*hex.get(1)?)?);
            out.push(u8::try_from(hi * 16 + lo).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purl_unescape() {
        assert_eq!(
            unescape_purl("pkg:docker/openpubkey/demo@main?platform=linux%2Famd64").unwrap(),
            b"pkg:docker/openpubkey/demo@main?platform=linux/amd64"
        );
        // Invalid escapes are refused, not passed through or replaced.
        for bad in ["a%zz", "a%2", "a%", "%+1", "a%-1"] {
            assert_eq!(unescape_purl(bad), None, "{bad}");
        }
        // Bytes that are not UTF-8 stay distinct: %FF and %FE were both U+FFFD before.
        assert_ne!(unescape_purl("v1%FF"), unescape_purl("v1%FE"));
        assert_eq!(unescape_purl("v1%ff"), unescape_purl("v1%FF"));
    }

    #[test]
    fn statement_rules() {
        let ok = br#"{"_type":"https://in-toto.io/Statement/v1","predicateType":"p","subject":[{"name":"a","digest":{"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}}]}"#;
        assert!(Statement::parse(ok).is_ok());
        let upper = String::from_utf8_lossy(ok).replace("\"sha256\":\"0", "\"sha256\":\"A");
        assert_eq!(
            Statement::parse(upper.as_bytes()),
            Err(VerifyError::InvalidField {
                what: "in-toto subject digest",
                field: "sha256"
            })
        );
        let bad_type = String::from_utf8_lossy(ok).replace("Statement/v1", "Statement/v2");
        assert!(matches!(
            Statement::parse(bad_type.as_bytes()),
            Err(VerifyError::UnsupportedFormat { .. })
        ));
        let empty =
            br#"{"_type":"https://in-toto.io/Statement/v1","predicateType":"p","subject":[]}"#;
        assert_eq!(
            Statement::parse(empty),
            Err(VerifyError::MissingField {
                what: "in-toto statement",
                field: "subject"
            })
        );
    }
}
