//! Per-action statistics and the most failing addresses and users, in
//! bounded memory.
//!
//! Durations go into a log-linear histogram per action (HDR-style: 32
//! sub-buckets per power of two, 2,048 counters, 16 KiB): a percentile is
//! reported as its bucket's midpoint, within 1.6% of the exact value, for
//! any number of invocations. At most [`MAX_ACTIONS`] actions are tracked;
//! the others are summed under `(other actions)`. The top failing
//! addresses and users are counted with the Space-Saving algorithm over
//! [`TOP_CAPACITY`] counters: every address or user that failed more often
//! than 1/[`TOP_CAPACITY`] of all failures is listed, and each count is
//! exact or over by at most the error shown beside it.

use crate::record::{Phase, Record};
use crate::scan::Extract;
use std::collections::HashMap;

/// Actions tracked apart.
pub const MAX_ACTIONS: usize = 256;
/// Counters of the top-failing tables.
pub const TOP_CAPACITY: usize = 1024;
const SUB_BITS: u32 = 5;
const SUB: usize = 1 << SUB_BITS;
const BUCKETS: usize = 64 * SUB;

/// A log-linear histogram of durations in nanoseconds.
#[derive(Clone)]
pub struct Histogram {
    counts: Box<[u64; BUCKETS]>,
    total: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: Box::new([0; BUCKETS]),
            total: 0,
        }
    }
}

impl std::fmt::Debug for Histogram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Histogram")
            .field("total", &self.total)
            .finish()
    }
}

fn bucket(v: u64) -> usize {
    if v < SUB as u64 {
        return v as usize;
    }
    let exp = 63 - v.leading_zeros();
    let sub = (v >> (exp - SUB_BITS)) as usize & (SUB - 1);
    ((exp - SUB_BITS + 1) as usize) * SUB + sub
}

fn bucket_range(i: usize) -> (u64, u64) {
    if i < SUB {
        return (i as u64, i as u64);
    }
    let exp = (i / SUB) as u32 + SUB_BITS - 1;
    let sub = (i % SUB) as u64;
    let lo = (1u64 << exp) | (sub << (exp - SUB_BITS));
    let hi = lo + ((1u64 << (exp - SUB_BITS)) - 1);
    (lo, hi)
}

impl Histogram {
    /// Counts one value.
    pub fn add(&mut self, v: u64) {
        self.counts[bucket(v)] += 1;
        self.total += 1;
    }

    /// Values counted.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The `q` quantile (0 to 1), as its bucket's midpoint.
    ///
    /// ```
    /// let mut h = seclog_cli::summary::Histogram::default();
    /// for v in 1..=1000u64 { h.add(v * 1_000); }
    /// let p50 = h.quantile(0.5).unwrap() as f64;
    /// assert!((p50 - 500_000.0).abs() / 500_000.0 < 0.016, "{p50}");
    /// ```
    pub fn quantile(&self, q: f64) -> Option<u64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let (lo, hi) = bucket_range(i);
                return Some(lo + (hi - lo) / 2);
            }
        }
        None
    }

    fn merge(&mut self, o: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(o.counts.iter()) {
            *a += b;
        }
        self.total += o.total;
    }
}

/// The Space-Saving top-k counter.
#[derive(Debug, Default)]
pub struct Top {
    counts: HashMap<Box<str>, (u64, u64)>,
}

impl Top {
    /// Counts one occurrence of `key`.
    pub fn add(&mut self, key: &str) {
        if let Some((c, _)) = self.counts.get_mut(key) {
            *c += 1;
            return;
        }
        if self.counts.len() < TOP_CAPACITY {
            self.counts.insert(key.into(), (1, 0));
            return;
        }
        // Replace the least counted: the newcomer inherits its count as
        // the possible over-count.
        let Some((min_key, &(min, _))) = self.counts.iter().min_by_key(|(_, (c, _))| *c) else {
            return;
        };
        let min_key = min_key.clone();
        self.counts.remove(&min_key);
        self.counts.insert(key.into(), (min + 1, min));
    }

    /// The `n` most counted, with their counts and possible over-counts.
    pub fn top(&self, n: usize) -> Vec<(&str, u64, u64)> {
        let mut v: Vec<(&str, u64, u64)> = self
            .counts
            .iter()
            .map(|(k, &(c, e))| (k.as_ref(), c, e))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v.truncate(n);
        v
    }
}

/// One action's figures.
#[derive(Debug, Default)]
pub struct Action {
    /// End records.
    pub invocations: u64,
    /// End records with `event.outcome: failure`.
    pub failures: u64,
    /// End records over their budget.
    pub over_budget: u64,
    /// End records of a cold start (`faas.coldstart`).
    pub cold_starts: u64,
    /// Durations.
    pub durations: Histogram,
}

/// What the summary takes from a record.
#[derive(Debug)]
pub struct Item {
    action: Box<str>,
    failed: bool,
    over_budget: bool,
    cold: bool,
    duration: Option<u64>,
    user: Option<Box<str>>,
    source: Option<Box<str>>,
}

/// Takes end records.
#[derive(Debug, Default)]
pub struct SummaryExtract;

impl Extract for SummaryExtract {
    type Item = Item;
    fn extract(&self, r: &Record<'_>, _time: i64, _line: &[u8]) -> Option<Item> {
        if r.phase()? != Phase::End {
            return None;
        }
        let failed = r.event.outcome.as_deref() == Some("failure");
        Some(Item {
            action: r.event.action.as_deref().unwrap_or("(no action)").into(),
            failed,
            over_budget: r.seclog.budget.exceeded == Some(true),
            cold: r.faas.coldstart == Some(true),
            duration: r.event.duration,
            user: failed.then(|| r.who().map(Into::into)).flatten(),
            source: failed.then(|| r.source().map(Into::into)).flatten(),
        })
    }
}

/// The summary being built.
#[derive(Debug, Default)]
pub struct Summary {
    /// Per action, at most [`MAX_ACTIONS`].
    pub actions: HashMap<Box<str>, Action>,
    /// The actions past [`MAX_ACTIONS`], summed.
    pub other: Action,
    /// Failing addresses.
    pub addresses: Top,
    /// Failing users.
    pub users: Top,
    /// The first and last record time.
    pub span: Option<(i64, i64)>,
}

impl Summary {
    /// Counts one end record.
    pub fn feed(&mut self, time: i64, item: Item) {
        self.span = Some(match self.span {
            None => (time, time),
            Some((a, b)) => (a.min(time), b.max(time)),
        });
        let full = self.actions.len() >= MAX_ACTIONS;
        let a = match self.actions.get_mut(&item.action) {
            Some(a) => a,
            None if full => &mut self.other,
            None => self.actions.entry(item.action).or_default(),
        };
        a.invocations += 1;
        a.failures += u64::from(item.failed);
        a.over_budget += u64::from(item.over_budget);
        a.cold_starts += u64::from(item.cold);
        if let Some(d) = item.duration {
            a.durations.add(d);
        }
        if let Some(s) = &item.source {
            self.addresses.add(s);
        }
        if let Some(u) = &item.user {
            self.users.add(u);
        }
    }

    /// Every action's figures, by name, then `(other actions)` when any.
    pub fn rows(&self) -> Vec<(String, &Action)> {
        let mut v: Vec<(String, &Action)> = self
            .actions
            .iter()
            .map(|(k, a)| (k.to_string(), a))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        if self.other.invocations > 0 {
            v.push(("(other actions)".into(), &self.other));
        }
        v
    }

    /// All actions together.
    pub fn total(&self) -> Action {
        let mut t = Action::default();
        for a in self.actions.values().chain(std::iter::once(&self.other)) {
            t.invocations += a.invocations;
            t.failures += a.failures;
            t.over_budget += a.over_budget;
            t.cold_starts += a.cold_starts;
            t.durations.merge(&a.durations);
        }
        t
    }
}

/// A duration in nanoseconds, short (`850 µs`, `1.2 s`).
///
/// ```
/// use seclog_cli::summary::human_duration;
/// assert_eq!(human_duration(1_500), "1.5 µs");
/// assert_eq!(human_duration(2_000_000_000), "2.00 s");
/// ```
pub fn human_duration(ns: u64) -> String {
    let f = ns as f64;
    if ns < 1_000 {
        format!("{ns} ns")
    } else if ns < 1_000_000 {
        format!("{:.1} µs", f / 1e3)
    } else if ns < 1_000_000_000 {
        format!("{:.1} ms", f / 1e6)
    } else {
        format!("{:.2} s", f / 1e9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bucket_holds_its_values() {
        for v in [
            0u64,
            1,
            31,
            32,
            33,
            63,
            64,
            1000,
            123_456_789,
            u64::MAX / 3,
            u64::MAX,
        ] {
            let (lo, hi) = bucket_range(bucket(v));
            assert!(lo <= v && v <= hi, "{v}: {lo}..={hi}");
            assert!(hi - lo <= lo / 32 + 1, "{v}: {lo}..={hi} is too wide");
        }
    }

    #[test]
    fn space_saving_keeps_the_heavy_hitters() {
        let mut top = Top::default();
        for i in 0..20_000u32 {
            top.add(&format!("noise{i}"));
            if i % 10 == 0 {
                top.add("198.51.100.7");
            }
        }
        let best = top.top(1);
        assert_eq!(best[0].0, "198.51.100.7");
        assert!(best[0].1 >= 2_000 && best[0].1 - best[0].2 <= 2_000);
    }
}
