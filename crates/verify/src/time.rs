//! Time as a value. opk-verify never reads a clock: callers pass `now` (the CLI from the system
//! clock, the page from `Date.now()`), so results are reproducible and wasm32 never panics.

/// Seconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct UnixTime(pub i64);

impl UnixTime {
    /// The seconds value.
    pub fn secs(self) -> i64 {
        self.0
    }
}

impl core::fmt::Display for UnixTime {
    /// RFC 3339 UTC, e.g. `2023-10-24T10:05:00Z` (proleptic Gregorian, civil-from-days).
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_rfc3339() {
        assert_eq!(UnixTime(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(UnixTime(1_698_141_900).to_string(), "2023-10-24T10:05:00Z");
        assert_eq!(UnixTime(951_782_400).to_string(), "2000-02-29T00:00:00Z");
    }
}
