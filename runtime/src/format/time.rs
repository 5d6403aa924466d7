//! Timestamps: RFC 3339 with microseconds, as `humantime` writes them, the
//! calendar worked out once a second rather than once a record.

use std::cell::Cell;
use std::time::{Duration, SystemTime};

thread_local! {
    /// The second last written, and its text `YYYY-MM-DDTHH:MM:SS`: the
    /// calendar is worked out once a second, not once a record.
    static SECOND: Cell<(u64, [u8; 19])> = const { Cell::new((u64::MAX, [0; 19])) };
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ` as fixed-size text, or `None` outside
/// the calendar's range (from before 1970, after 9999).
#[inline]
pub(super) fn rfc3339(t: SystemTime) -> Option<[u8; 27]> {
    let since = t.duration_since(SystemTime::UNIX_EPOCH).ok()?;
    let second = second_text(since.as_secs())?;
    let mut text = [0u8; 27];
    text[..19].copy_from_slice(&second);
    // The microseconds, two digits at a time.
    let micros = since.subsec_micros();
    let (high, rest) = (micros / 10_000, micros % 10_000);
    let (mid, low) = (rest / 100, rest % 100);
    text[19] = b'.';
    text[20..22].copy_from_slice(&TWO_DIGITS[high as usize]);
    text[22..24].copy_from_slice(&TWO_DIGITS[mid as usize]);
    text[24..26].copy_from_slice(&TWO_DIGITS[low as usize]);
    text[26] = b'Z';
    Some(text)
}

/// `00` to `99`.
static TWO_DIGITS: [[u8; 2]; 100] = {
    let mut t = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        t[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    t
};

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
pub(super) fn write_rfc3339(buf: &mut Vec<u8>, t: SystemTime) {
    match rfc3339(t) {
        Some(text) => buf.extend_from_slice(&text),
        None => {
            use std::io::Write;
            // Out of `humantime`'s range: it says so, as it always did.
            let _ = write!(buf, "{}", humantime::format_rfc3339_micros(t));
        }
    }
}

/// The text of the second `secs` seconds after the epoch, from `humantime`
/// (`None` past its range, the year 9999).
fn second_text(secs: u64) -> Option<[u8; 19]> {
    if secs >= 253_402_300_800 {
        return None;
    }
    let (last, text) = SECOND.try_with(Cell::get).unwrap_or((u64::MAX, [0; 19]));
    if last == secs {
        return Some(text);
    }
    let mut full = [0u8; 20];
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
    std::io::Write::write_fmt(
        &mut &mut full[..],
        format_args!("{}", humantime::format_rfc3339_seconds(t)),
    )
    .ok()?;
    let mut text = [0u8; 19];
    text.copy_from_slice(&full[..19]);
    let _ = SECOND.try_with(|s| s.set((secs, text)));
    Some(text)
}

/// Current time, clamped to the epoch for clocks set before 1970.
pub(super) fn now() -> SystemTime {
    SystemTime::now().max(SystemTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_as_humantime_writes_them() {
        let mut t = SystemTime::UNIX_EPOCH;
        for step in [
            1,
            999,
            1_000,
            999_999,
            1_000_000,
            59_999_999,
            86_399_999_999,
            31_622_400_000_001,
        ] {
            for _ in 0..50 {
                t += Duration::from_micros(step) + Duration::from_nanos(step % 1_000);
                let mut ours = Vec::new();
                write_rfc3339(&mut ours, t);
                assert_eq!(
                    String::from_utf8(ours).unwrap(),
                    humantime::format_rfc3339_micros(t).to_string()
                );
            }
        }
    }
}
