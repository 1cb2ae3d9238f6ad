//! Instants with millisecond precision, as Sigstore's trusted roots (`validFor`), RFC 3161
//! timestamps and certificates give them, and RFC 3339 parsing. A window is a closed interval
//! (`start ≤ t ≤ end`, the start required): sigstore-conformance's `trust-root-*` cases.

use crate::UnixTime;

/// Milliseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Millis(pub i64);

impl Millis {
    /// Whole seconds as milliseconds.
    pub fn from_secs(secs: i64) -> Self {
        Self(secs.saturating_mul(1000))
    }
    /// The second this instant falls in.
    pub fn unix_time(self) -> UnixTime {
        UnixTime(self.0.div_euclid(1000))
    }
}

impl core::fmt::Display for Millis {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let ms = self.0.rem_euclid(1000);
        let base = self.unix_time().to_string();
        if ms == 0 {
            f.write_str(&base)
        } else {
            write!(f, "{}.{ms:03}Z", base.trim_end_matches('Z'))
        }
    }
}

/// A closed interval of instants; `end` absent means still valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The first instant inside.
    pub start: Millis,
    /// The last instant inside, if any.
    pub end: Option<Millis>,
}

impl Window {
    /// Whether `t` is inside (both ends included).
    pub fn contains(&self, t: Millis) -> bool {
        self.start <= t && self.end.is_none_or(|e| t <= e)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (civil-to-days).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// An instant from its calendar fields (UTC), checked; `None` for an impossible date.
pub fn from_fields(
    year: i64,
    month: i64,
    day: i64,
    h: i64,
    m: i64,
    s: i64,
    ms: i64,
) -> Option<Millis> {
    let ok = (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && (0..24).contains(&h)
        && (0..60).contains(&m)
        && (0..60).contains(&s)
        && (0..1000).contains(&ms);
    ok.then(|| {
        let secs = days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + s;
        Millis(secs * 1000 + ms)
    })
}

/// RFC 3339 (`2022-12-31T23:59:59.999Z`, `…+01:00`): fraction truncated to milliseconds.
pub fn parse_rfc3339(s: &str) -> Option<Millis> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let sep = |at: usize, c: &[u8]| b.get(at).is_some_and(|x| c.contains(x));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (h, m, sec) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let mut i = 19;
    let mut ms = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let digits = b
            .get(i..)?
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits == 0 {
            return None;
        }
        for k in 0..3 {
            ms = ms * 10 + if k < digits { num(i + k, 1)? } else { 0 };
        }
        i += digits;
    }
    let offset = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), ..] if b.len() == i + 6 && sep(i + 3, b":") => {
            let mins = num(i + 1, 2)? * 60 + num(i + 4, 2)?;
            if *sign == b'+' {
                mins
            } else {
                -mins
            }
        }
        _ => return None,
    };
    let t = from_fields(year, month, day, h, m, sec, ms)?;
    Some(Millis(t.0 - offset * 60_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(Millis(0)));
        assert_eq!(
            parse_rfc3339("2023-07-12T15:56:36Z"),
            Some(Millis::from_secs(1_689_177_396))
        );
        assert_eq!(
            parse_rfc3339("2022-12-31T23:59:59.999Z"),
            Some(Millis(1_672_531_199_999))
        );
        assert_eq!(
            parse_rfc3339("2022-12-31T23:59:59.9999999Z"),
            Some(Millis(1_672_531_199_999))
        );
        assert_eq!(
            parse_rfc3339("2023-01-01T01:00:00+01:00"),
            parse_rfc3339("2023-01-01T00:00:00Z")
        );
        for bad in [
            "2023-02-29T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-01-01T24:00:00Z",
            "2023-01-01 00:00:00Z",
            "2023-01-01T00:00:00",
            "2023-01-01T00:00:00.Z",
            "2023-01-01T00:00:00Zx",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        assert_eq!(
            Millis(1_672_531_199_999).to_string(),
            "2022-12-31T23:59:59.999Z"
        );
    }

    #[test]
    fn windows_are_closed() {
        let w = Window {
            start: Millis(10),
            end: Some(Millis(20)),
        };
        assert!(w.contains(Millis(10)) && w.contains(Millis(20)));
        assert!(!w.contains(Millis(9)) && !w.contains(Millis(21)));
        let open = Window {
            start: Millis(10),
            end: None,
        };
        assert!(open.contains(Millis(i64::MAX)));
    }
}
