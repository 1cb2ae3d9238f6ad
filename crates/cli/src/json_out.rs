//! The JSON shapes shared by every command's `--json` (and, later, the JS API).

use opk_verify::{EnvelopeOutcome, KeyInfo};
use serde_json::{json, Value};

/// `{code, message}`.
pub fn error(code: &str, message: &dyn std::fmt::Display) -> Value {
    json!({"code": code, "message": message.to_string()})
}

/// The key that verified.
pub fn key(k: &KeyInfo) -> Value {
    json!({"kid": k.kid, "issuer": k.issuer, "source": k.source.describe(), "window": k.window})
}

/// A verified envelope.
pub fn envelope(ok: &EnvelopeOutcome) -> Value {
    let token = ok.tokens.first();
    json!({
        "verified": true,
        "format": ok.format.to_string(),
        "checks": ok.checks,
        "claims": token.map(|t| Value::Object(t.claims.clone())),
        "key": token.map(|t| key(&t.key)),
        "predicateType": ok.statement.predicate_type,
        "subject": ok.statement.subject,
    })
}
