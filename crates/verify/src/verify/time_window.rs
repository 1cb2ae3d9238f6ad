//! The time stage: a token's `iat` inside its key's dated window (when known), not in the
//! future of the verification time (beyond a clock skew), not older than the policy allows.

use serde_json::{Map, Value};

use super::Context;
use crate::report::Checklist;
use crate::time::UnixTime;
use crate::trust::KeyWindow;
use crate::VerifyError;

/// Tokens may be issued at most this far in the future of `now` (clock skew).
const FUTURE_SKEW_SECS: i64 = 300;

/// Checks the `iat` of `claims` against `window` (the key's) and the context's time and policy.
pub(super) fn check(
    claims: &Map<String, Value>,
    window: Option<KeyWindow>,
    cx: &Context<'_>,
    ck: &mut Checklist,
) -> Result<(), VerifyError> {
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .unwrap_or_default();
    let time = (|| {
        if let Some(w) = window {
            if iat < w.not_before.0 || iat > w.not_after.0 {
                return Err(VerifyError::TimeWindow {
                    iat,
                    reason: "outside the signing key's known window",
                });
            }
        }
        if iat > cx.now.0.saturating_add(FUTURE_SKEW_SECS) {
            return Err(VerifyError::TimeWindow {
                iat,
                reason: "issued in the future",
            });
        }
        if let Some(max) = cx.policy.max_age_secs {
            if cx.now.0.saturating_sub(iat) > max {
                return Err(VerifyError::TimeWindow {
                    iat,
                    reason: "older than the policy's maximum age",
                });
            }
        }
        Ok(())
    })();
    ck.step("time", time, |()| match window {
        Some(w) => format!(
            "Verified token issued at {} inside the key's window {} – {}",
            UnixTime(iat),
            w.not_before,
            w.not_after
        ),
        None => format!(
            "Token issued at {} (key has no dated window)",
            UnixTime(iat)
        ),
    })?;
    Ok(())
}
