//! The human summary of a record (`message`) and the durations in it,
//! built on the stack without `fmt` where the text is the same.

use super::view::RecordView;
use crate::record::{EventOutcome, Phase};
use std::fmt;
use std::time::Duration;

/// A human summary of the record.
pub(super) struct Summary<'a, 'b>(pub(super) &'a RecordView<'b>);

impl fmt::Display for Summary<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        if let Some(m) = v.message {
            return m.fmt(f);
        }
        match v.phase {
            Phase::Start => write!(f, "{} started", v.action),
            Phase::Event => match v.owasp {
                Some(o) => o.fmt(f),
                None => f.write_str(v.action),
            },
            Phase::End => {
                let d = v.timing.map(|t| t.duration).unwrap_or_default();
                if v.cancelled {
                    write!(f, "{} was cancelled after {}", v.action, HumanDuration(d))?;
                } else if v.error.as_ref().is_some_and(|e| e.kind == "panic") {
                    write!(f, "{} panicked after {}", v.action, HumanDuration(d))?;
                } else if v.outcome == Some(EventOutcome::Failure) {
                    write!(f, "{} failed in {}", v.action, HumanDuration(d))?;
                } else {
                    write!(f, "{} succeeded in {}", v.action, HumanDuration(d))?;
                }
                if v.budget_exceeded == Some(true) {
                    if let Some(m) = v.meta {
                        write!(f, ", over its {} budget", m.budget_text)?;
                    }
                }
                Ok(())
            }
        }
    }
}

impl Summary<'_, '_> {
    /// Appends the summary without `fmt`, as `Display` writes it; `false`
    /// when it takes `Display` (a message or an OWASP event given as one, a
    /// duration at an exact half).
    pub(super) fn push_to(&self, out: &mut ShortText) -> bool {
        let v = self.0;
        if v.message.is_some() {
            return false;
        }
        match v.phase {
            Phase::Start => {
                out.push(v.action);
                out.push(" started");
            }
            Phase::Event => match v.owasp {
                Some(_) => return false,
                None => out.push(v.action),
            },
            Phase::End => {
                out.push(v.action);
                out.push(if v.cancelled {
                    " was cancelled after "
                } else if v.error.as_ref().is_some_and(|e| e.kind == "panic") {
                    " panicked after "
                } else if v.outcome == Some(EventOutcome::Failure) {
                    " failed in "
                } else {
                    " succeeded in "
                });
                if !HumanDuration(v.timing.map(|t| t.duration).unwrap_or_default()).push_to(out) {
                    return false;
                }
                if v.budget_exceeded == Some(true) {
                    if let Some(m) = v.meta {
                        out.push(", over its ");
                        out.push(m.budget_text);
                        out.push(" budget");
                    }
                }
            }
        }
        true
    }
}

/// `1.234 ms`, `2.5 s`, `850 µs`.
pub(crate) struct HumanDuration(pub(crate) Duration);

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = ShortText::new();
        if self.push_to(&mut text) {
            return f.write_str(text.as_str());
        }
        let ns = self.0.as_nanos();
        match ns {
            1_000..=999_999 => write!(f, "{:.1} µs", ns as f64 / 1e3),
            1_000_000..=999_999_999 => write!(f, "{:.3} ms", ns as f64 / 1e6),
            _ => write!(f, "{:.3} s", ns as f64 / 1e9),
        }
    }
}

impl HumanDuration {
    /// Appends the text, without `fmt`: `ns / unit` to one or three decimals
    /// (the digits of `ns / step`), rounded as floating-point formatting
    /// rounds `ns as f64 / unit`, which is by integers except at an exact
    /// half, where the binary value decides: then this says `false` and
    /// leaves it to [`Display`](fmt::Display).
    fn push_to(&self, out: &mut ShortText) -> bool {
        let ns = self.0.as_nanos();
        let Ok(small) = u64::try_from(ns) else {
            return false;
        };
        let (step, scale, suffix) = match small {
            0..=999 => {
                out.push(itoa::Buffer::new().format(small));
                out.push(" ns");
                return true;
            }
            1_000..=999_999 => (100, 10, " µs"),
            1_000_000..=999_999_999 => (1_000, 1_000, " ms"),
            _ => (1_000_000, 1_000, " s"),
        };
        let (steps, rest) = (small / step, small % step);
        if rest * 2 == step {
            return false;
        }
        let steps = if rest * 2 > step { steps + 1 } else { steps };
        out.push(itoa::Buffer::new().format(steps / scale));
        out.push(".");
        // The decimals with their leading zeros: `scale + decimals` without
        // its leading one.
        let mut decimals = itoa::Buffer::new();
        out.push(&decimals.format(steps % scale + scale)[1..]);
        out.push(suffix);
        true
    }
}

/// Short text built on the stack, such as a record's summary; once a push
/// would not fit, it stays unfinished and says so.
pub(crate) struct ShortText {
    buf: [u8; 200],
    len: usize,
    fits: bool,
}

impl ShortText {
    pub(crate) fn new() -> Self {
        ShortText {
            buf: [0; 200],
            len: 0,
            fits: true,
        }
    }

    pub(crate) fn push(&mut self, s: &str) {
        match self.buf.get_mut(self.len..self.len + s.len()) {
            Some(slot) if self.fits => {
                slot.copy_from_slice(s.as_bytes());
                self.len += s.len();
            }
            _ => self.fits = false,
        }
    }

    /// The text, if everything pushed fitted.
    pub(crate) fn finished(&self) -> Option<&str> {
        self.fits.then(|| self.as_str())
    }

    fn as_str(&self) -> &str {
        // Only whole `&str`s are pushed: always UTF-8.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::view::{ErrorView, Timing};
    use crate::handler::{HandlerMeta, MetaCache};
    use crate::record::Level;
    use crate::redact::Mask;
    use std::time::SystemTime;

    #[test]
    fn summaries_built_without_fmt_read_as_display_writes_them() {
        static META: HandlerMeta = HandlerMeta {
            name: "transfer",
            level: Level::Info,
            category: "api",
            category_explicit: false,
            budget_ns: Some(250_000_000),
            budget_text: "250ms",
            emit: crate::record::Emit::Both,
            function: "app::transfer",
            file: "src/main.rs",
            line: 1,
            auth: None,
            mask: Mask::NONE,
            cache: MetaCache::new(),
        };
        for phase in [Phase::Start, Phase::End, Phase::Event] {
            for (cancelled, panic, outcome, over) in [
                (false, false, Some(EventOutcome::Success), None),
                (false, false, Some(EventOutcome::Failure), Some(true)),
                (false, true, Some(EventOutcome::Failure), Some(false)),
                (true, false, Some(EventOutcome::Unknown), Some(true)),
            ] {
                for ns in [0, 916, 1_950, 1_949, 1_050, 2_500_000, 3_000_000_001] {
                    let mut v = RecordView::new(Level::Info, phase, "transfer");
                    v.meta = Some(&META);
                    v.cancelled = cancelled;
                    v.outcome = outcome;
                    v.budget_exceeded = over;
                    v.error = panic.then_some(ErrorView {
                        kind: "panic",
                        message: None,
                    });
                    v.timing = Some(Timing {
                        start: SystemTime::UNIX_EPOCH,
                        duration: Duration::from_nanos(ns),
                    });
                    let mut text = ShortText::new();
                    if Summary(&v).push_to(&mut text) {
                        assert_eq!(text.finished(), Some(Summary(&v).to_string().as_str()));
                    } else {
                        assert_eq!(ns % 100, 50, "only an exact half takes Display");
                    }
                }
            }
        }
    }

    #[test]
    fn durations_read_as_floating_point_formatting_writes_them() {
        let by_float = |ns: u128| {
            if ns < 1_000 {
                format!("{ns} ns")
            } else if ns < 1_000_000 {
                format!("{:.1} µs", ns as f64 / 1e3)
            } else if ns < 1_000_000_000 {
                format!("{:.3} ms", ns as f64 / 1e6)
            } else {
                format!("{:.3} s", ns as f64 / 1e9)
            }
        };
        let mut samples: Vec<u128> = (0..3_000).collect();
        for base in [1_000u128, 1_000_000, 1_000_000_000, 60_000_000_000] {
            for k in [1, 2, 3, 7, 9, 10, 99, 999] {
                let n = base * k;
                samples.extend([
                    n - 1,
                    n,
                    n + 1,
                    n + base / 20,
                    n + base / 2,
                    n + base / 2000,
                    n + base * 3 / 2000,
                ]);
            }
        }
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            samples.push(u128::from(x % 5_000_000_000));
            samples.push(u128::from(x % 2_000_000) / 50 * 50);
        }
        for ns in samples {
            let d = Duration::from_nanos(ns as u64);
            assert_eq!(HumanDuration(d).to_string(), by_float(ns), "{ns} ns");
        }
    }
}
