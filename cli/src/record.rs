//! The members of a seclog record the command reads, borrowed from the
//! line's text.
//!
//! Only these members are read; everything else (the inputs, the response,
//! the origin) is skipped without being built, and strings without escapes
//! are borrowed from the line rather than copied (see [`parse`]).
//! This is what lets the command read records many times faster than a
//! general JSON tool: see the README's "The `seclog` command" section.

use serde::Deserialize;
use std::borrow::Cow;

/// A text member: borrowed when it has no escapes, owned when it has.
pub type Text<'a> = Option<Cow<'a, str>>;

/// One record, as far as the command needs it.
///
/// ```
/// let line = r#"{"@timestamp":"2026-01-02T03:04:05.000006Z","log":{"level":"warn"},"message":"login failed","event":{"action":"login","outcome":"failure","duration":1500},"transaction":{"id":"ab"},"user":{"name":"alice"},"source":{"ip":"192.0.2.1"},"seclog":{"phase":"end","owasp":"authn_login_fail:alice"}}"#;
/// let r = seclog_cli::record::parse(line.as_bytes()).unwrap();
/// assert_eq!(r.event.action.as_deref(), Some("login"));
/// assert_eq!(r.who(), Some("alice"));
/// assert_eq!(r.time(), Some(1_767_323_045_000_006));
/// assert!(r.is_seclog());
/// ```
#[derive(Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Record<'a> {
    /// `@timestamp`.
    #[serde(rename = "@timestamp", borrow)]
    pub timestamp: Text<'a>,
    /// `message`.
    #[serde(borrow)]
    pub message: Text<'a>,
    /// `event.*`.
    #[serde(borrow)]
    pub event: Event<'a>,
    /// `transaction.id`.
    #[serde(borrow)]
    pub transaction: Id<'a>,
    /// `user.*`.
    #[serde(borrow)]
    pub user: User<'a>,
    /// `source.*`.
    #[serde(borrow)]
    pub source: Source<'a>,
    /// `error.*`.
    #[serde(borrow)]
    pub error: Error<'a>,
    /// `faas.*`.
    pub faas: Faas,
    /// `seclog.*`.
    #[serde(borrow)]
    pub seclog: Seclog<'a>,
    /// The root `type` of AWS Lambda's own JSON lines (`platform.start`).
    #[serde(rename = "type", borrow)]
    pub platform_type: Text<'a>,
}

/// `event.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Event<'a> {
    /// `event.action`.
    #[serde(borrow)]
    pub action: Text<'a>,
    /// `event.outcome`.
    #[serde(borrow)]
    pub outcome: Text<'a>,
    /// `event.kind`.
    #[serde(borrow)]
    pub kind: Text<'a>,
    /// `event.duration`, in nanoseconds.
    pub duration: Option<u64>,
}

/// An object whose member of interest is `id`.
#[derive(Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Id<'a> {
    /// `.id`.
    #[serde(borrow)]
    pub id: Text<'a>,
}

/// `user.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct User<'a> {
    /// `user.name`.
    #[serde(borrow)]
    pub name: Text<'a>,
    /// `user.hash`.
    #[serde(borrow)]
    pub hash: Text<'a>,
    /// `user.id`.
    #[serde(borrow)]
    pub id: Text<'a>,
}

/// `source.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Source<'a> {
    /// `source.ip`.
    #[serde(borrow)]
    pub ip: Text<'a>,
    /// `source.address`, when the source was not an IP address.
    #[serde(borrow)]
    pub address: Text<'a>,
}

/// `error.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Error<'a> {
    /// `error.message`.
    #[serde(borrow)]
    pub message: Text<'a>,
}

/// `faas.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Faas {
    /// `faas.coldstart`.
    pub coldstart: Option<bool>,
}

/// `seclog.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Seclog<'a> {
    /// `seclog.phase`: `start`, `end` or `event`.
    #[serde(borrow)]
    pub phase: Text<'a>,
    /// `seclog.owasp`: the OWASP Logging Vocabulary event.
    #[serde(borrow)]
    pub owasp: Text<'a>,
    /// `seclog.budget.*`.
    pub budget: Budget,
}

/// `seclog.budget.*`.
#[derive(Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Budget {
    /// `seclog.budget.exceeded`.
    pub exceeded: Option<bool>,
    /// `seclog.budget.ms`.
    pub ms: Option<u64>,
}

/// A record's phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The start record, written before the handler's body runs.
    Start,
    /// The end record: outcome, duration, response.
    End,
    /// A security event (`security_event!`, the detector's own events).
    Event,
}

impl<'a> Record<'a> {
    /// Whether this is a record seclog wrote: it has a time and a phase.
    pub fn is_seclog(&self) -> bool {
        self.timestamp.is_some() && self.seclog.phase.is_some()
    }

    /// The phase, when it is one seclog writes.
    pub fn phase(&self) -> Option<Phase> {
        match self.seclog.phase.as_deref()? {
            "start" => Some(Phase::Start),
            "end" => Some(Phase::End),
            "event" => Some(Phase::Event),
            _ => None,
        }
    }

    /// `@timestamp` in microseconds since the Unix epoch.
    pub fn time(&self) -> Option<i64> {
        parse_time(self.timestamp.as_deref()?)
    }

    /// The user as the record names it: `user.name`, else `user.hash`,
    /// else `user.id` (the order the OWASP events use).
    pub fn who(&self) -> Option<&str> {
        self.user
            .name
            .as_deref()
            .or(self.user.hash.as_deref())
            .or(self.user.id.as_deref())
    }

    /// `source.ip`, else `source.address`.
    pub fn source(&self) -> Option<&str> {
        self.source.ip.as_deref().or(self.source.address.as_deref())
    }
}

/// Parses the members the command reads from one JSON line.
///
/// Records as seclog writes them take a fast path ([`crate::fast`]): the
/// members read are found by their keys' bytes and the others skipped by
/// their structure. Anything that path does not handle exactly (an escape
/// in a key or in a text read, a number with a fraction, a repeated key,
/// a member of an unexpected type) goes through `serde_json`, which
/// decides.
pub fn parse(line: &[u8]) -> serde_json::Result<Record<'_>> {
    match crate::fast::record(line) {
        Some(r) => Ok(r),
        None => parse_with_serde(line),
    }
}

/// [`parse`] through `serde_json` only.
pub fn parse_with_serde(line: &[u8]) -> serde_json::Result<Record<'_>> {
    serde_json::from_slice(line)
}

/// Microseconds since the Unix epoch of an RFC 3339 time
/// (`2026-01-02T03:04:05.123456Z`, any number of fraction digits, `Z` or a
/// `±HH:MM` offset); `None` when it is not one.
///
/// ```
/// use seclog_cli::record::parse_time;
/// assert_eq!(parse_time("1970-01-01T00:00:01Z"), Some(1_000_000));
/// assert_eq!(parse_time("1970-01-01T01:00:00.5+01:00"), Some(500_000));
/// assert_eq!(parse_time("2026-02-30T00:00:00Z"), None);
/// assert_eq!(parse_time("yesterday"), None);
/// ```
pub fn parse_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let mut n = 0i64;
        for &c in b.get(r)? {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + i64::from(c - b'0');
        }
        Some(n)
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut micros = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let mut scale = 100_000;
        let start = i;
        while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            micros += i64::from(c - b'0') * scale;
            scale /= 10;
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digits = [*h1, *h2, *m1, *m2];
            if !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let d = |c: u8| i64::from(c - b'0');
            let secs = (d(*h1) * 10 + d(*h2)) * 3600 + (d(*m1) * 10 + d(*m2)) * 60;
            if *sign == b'+' {
                secs
            } else {
                -secs
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + min * 60 + sec - offset;
    Some(secs * 1_000_000 + micros)
}

/// `micros` since the epoch as `2026-01-02T03:04:05.123456Z`.
///
/// ```
/// assert_eq!(seclog_cli::record::format_time(1_000_001), "1970-01-01T00:00:01.000001Z");
/// ```
pub fn format_time(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{frac:06}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_over_centuries() {
        for micros in [
            0,
            951_782_400_123_456,
            4_107_542_399_999_999,
            1_767_323_045_000_006,
        ] {
            assert_eq!(parse_time(&format_time(micros)), Some(micros));
        }
    }
}
