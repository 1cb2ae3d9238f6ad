//! [`Verified<T>`]: a value only this crate can construct, returned only after every check ran.

/// Proof that verification succeeded; holds the verified outcome.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(transparent)]
pub struct Verified<T>(T);

impl<T> Verified<T> {
    pub(crate) fn new(value: T) -> Self {
        Self(value)
    }
    /// The verified outcome.
    pub fn get(&self) -> &T {
        &self.0
    }
    /// Unwraps the outcome.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> core::ops::Deref for Verified<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
