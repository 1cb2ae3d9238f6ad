//! The ordered checklist every verification produces, for the CLI, the page and the JS API.
//! Ids are stable; messages are worded like `docker verify`'s (`Verified …`).

/// One check: a stable id, whether it passed, and a human line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Check {
    /// Stable identifier, e.g. `op.signature`.
    pub id: &'static str,
    /// Whether it passed.
    pub ok: bool,
    /// Human-readable line.
    pub message: String,
}

/// A rejection: the error and the checks that ran up to and including the failing one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct Rejected {
    /// Why.
    pub error: crate::VerifyError,
    /// What ran, the last one failed.
    pub checks: Vec<Check>,
}

/// Accumulates checks while a verification runs.
#[derive(Debug, Default)]
pub(crate) struct Checklist {
    pub(crate) checks: Vec<Check>,
}

impl Checklist {
    pub(crate) fn pass(&mut self, id: &'static str, message: String) {
        self.checks.push(Check {
            id,
            ok: true,
            message,
        });
    }
    /// Records `r` under `id`: its success line from `ok`, or the error as a failed line.
    pub(crate) fn step<T>(
        &mut self,
        id: &'static str,
        r: Result<T, crate::VerifyError>,
        ok: impl FnOnce(&T) -> String,
    ) -> Result<T, crate::VerifyError> {
        match &r {
            Ok(v) => self.pass(id, ok(v)),
            Err(e) => self.checks.push(Check {
                id,
                ok: false,
                message: e.to_string(),
            }),
        }
        r
    }
    /// Records a failed check `id` and hands its error back (for `return Err(ck.fail(…))`).
    pub(crate) fn fail(
        &mut self,
        id: &'static str,
        error: crate::VerifyError,
    ) -> crate::VerifyError {
        self.checks.push(Check {
            id,
            ok: false,
            message: error.to_string(),
        });
        error
    }
    pub(crate) fn reject(self, error: crate::VerifyError) -> Rejected {
        Rejected {
            error,
            checks: self.checks,
        }
    }
}
