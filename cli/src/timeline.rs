//! Every record touching one address, user or transaction, in time order.
//!
//! An invocation's start and end records become one line, at the start's
//! time, with the end's outcome and the duration; security events appear
//! inline on lines of their own. Lines are written as soon as everything
//! before them is complete, so a long timeline streams; an invocation
//! whose end never comes is written at the end of the input as
//! `incomplete`. At most [`MAX_WAITING`] lines wait for their end: past
//! that, the earliest is written as it stands.

use crate::record::{Phase, Record};
use crate::scan::Extract;
use std::collections::{HashMap, VecDeque};

/// Lines waiting for an invocation's end.
pub const MAX_WAITING: usize = 10_000;

/// What to follow.
#[derive(Debug, Clone)]
pub enum Filter {
    /// `source.ip` or `source.address` (an IP however it is written).
    Ip(String),
    /// `user.name`, `user.hash` or `user.id`.
    User(String),
    /// `transaction.id`.
    Transaction(String),
}

/// The timeline's extractor: a filter and whether to keep the lines.
#[derive(Debug)]
pub struct TimelineExtract {
    filter: Filter,
    ip: Option<std::net::IpAddr>,
    finder: Option<memchr::memmem::Finder<'static>>,
    keep_line: bool,
}

impl TimelineExtract {
    /// Follows `filter`; `keep_line` keeps each record's text (for JSON
    /// output).
    pub fn new(filter: Filter, keep_line: bool) -> TimelineExtract {
        let (needle, ip) = match &filter {
            Filter::Ip(a) => {
                let ip = a.trim().parse::<std::net::IpAddr>().ok();
                // An IP written another way (`2001:DB8::1`) has other text.
                (
                    if ip.is_some_and(|i| i.is_ipv6()) {
                        None
                    } else {
                        Some(a.clone())
                    },
                    ip,
                )
            }
            Filter::User(u) | Filter::Transaction(u) => (Some(u.clone()), None),
        };
        // Lines are searched for the text as JSON writes it: only text that
        // JSON writes unchanged can be searched for.
        let plain = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ')
        };
        let finder = needle
            .filter(|n| plain(n))
            .map(|n| memchr::memmem::Finder::new(n.as_bytes()).into_owned());
        TimelineExtract {
            filter,
            ip,
            finder,
            keep_line,
        }
    }

    fn matches(&self, r: &Record<'_>) -> bool {
        match &self.filter {
            Filter::Ip(a) => match (self.ip, r.source()) {
                (Some(ip), Some(s)) => s
                    .trim()
                    .parse::<std::net::IpAddr>()
                    .map_or(s == a, |s| s.to_canonical() == ip.to_canonical()),
                (None, Some(s)) => s == a,
                (_, None) => false,
            },
            Filter::User(u) => [&r.user.name, &r.user.hash, &r.user.id]
                .iter()
                .any(|f| f.as_deref() == Some(u.as_str())),
            Filter::Transaction(t) => r.transaction.id.as_deref() == Some(t.as_str()),
        }
    }
}

/// One record of the timeline.
#[derive(Debug, Clone)]
pub struct Item {
    /// The record's phase.
    pub phase: Phase,
    /// `event.action`.
    pub action: String,
    /// `transaction.id`.
    pub transaction: String,
    /// `event.outcome`.
    pub outcome: Option<String>,
    /// `event.duration`.
    pub duration: Option<u64>,
    /// The user.
    pub user: Option<String>,
    /// The address.
    pub source: Option<String>,
    /// `seclog.owasp`, else `error.message`, else `message`.
    pub detail: Option<String>,
    /// The record's JSON text, when kept.
    pub line: Option<String>,
}

impl Extract for TimelineExtract {
    type Item = Item;

    fn extract(&self, r: &Record<'_>, _time: i64, line: &[u8]) -> Option<Item> {
        if !self.matches(r) {
            return None;
        }
        let phase = r.phase()?;
        let detail = r
            .seclog
            .owasp
            .as_deref()
            .or(r.error.message.as_deref())
            .or(r.message.as_deref());
        Some(Item {
            phase,
            action: r.event.action.as_deref().unwrap_or("").to_string(),
            transaction: r.transaction.id.as_deref().unwrap_or("").to_string(),
            outcome: r.event.outcome.as_deref().map(str::to_string),
            duration: r.event.duration,
            user: r.who().map(str::to_string),
            source: r.source().map(str::to_string),
            detail: detail.map(str::to_string),
            line: self
                .keep_line
                .then(|| String::from_utf8_lossy(line).into_owned()),
        })
    }

    fn prefilter(&self) -> Option<&memchr::memmem::Finder<'_>> {
        self.finder.as_ref()
    }

    fn size(&self, i: &Item) -> usize {
        let text = |s: &Option<String>| s.as_ref().map_or(0, String::capacity);
        std::mem::size_of::<Item>()
            + i.action.capacity()
            + i.transaction.capacity()
            + text(&i.outcome)
            + text(&i.user)
            + text(&i.source)
            + text(&i.detail)
            + text(&i.line)
    }
}

/// One line of the timeline.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The first record's time.
    pub time: i64,
    /// The invocation's start (or only) record, or the security event.
    pub item: Item,
    /// Whether the line is complete: its end was seen, or it needs none.
    pub complete: bool,
}

/// Pairs starts and ends into lines, in order.
#[derive(Debug, Default)]
pub struct Pairing {
    waiting: VecDeque<Option<Entry>>,
    /// Index (from `base`) of the open invocation of each transaction and
    /// action.
    open: HashMap<(String, String), usize>,
    base: usize,
}

impl Pairing {
    /// Adds one record; returns the lines now ready, in order.
    pub fn feed(&mut self, time: i64, item: Item) -> Vec<Entry> {
        match item.phase {
            Phase::Start => {
                let key = (item.transaction.clone(), item.action.clone());
                let at = self.base + self.waiting.len();
                self.waiting.push_back(Some(Entry {
                    time,
                    item,
                    complete: false,
                }));
                self.open.insert(key, at);
            }
            Phase::End => {
                let key = (item.transaction.clone(), item.action.clone());
                let slot = self
                    .open
                    .remove(&key)
                    .and_then(|i| i.checked_sub(self.base))
                    .and_then(|i| self.waiting.get_mut(i))
                    .and_then(Option::as_mut);
                match slot {
                    Some(e) => {
                        e.item.outcome = item.outcome;
                        e.item.duration = item.duration;
                        if item.detail.is_some() {
                            e.item.detail = item.detail;
                        }
                        e.item.user = e.item.user.take().or(item.user);
                        e.item.source = e.item.source.take().or(item.source);
                        e.complete = true;
                    }
                    None => self.waiting.push_back(Some(Entry {
                        time,
                        item,
                        complete: true,
                    })),
                }
            }
            Phase::Event => self.waiting.push_back(Some(Entry {
                time,
                item,
                complete: true,
            })),
        }
        self.ready(false)
    }

    /// The lines left at the end of the input, incomplete ones included.
    pub fn finish(&mut self) -> Vec<Entry> {
        self.ready(true)
    }

    fn ready(&mut self, all: bool) -> Vec<Entry> {
        let mut out = Vec::new();
        while let Some(front) = self.waiting.front() {
            let done = front.as_ref().map_or(true, |e| e.complete);
            if !(done || all || self.waiting.len() > MAX_WAITING) {
                break;
            }
            if let Some(Some(e)) = self.waiting.pop_front() {
                let key = (e.item.transaction.clone(), e.item.action.clone());
                if !e.complete && self.open.get(&key) == Some(&self.base) {
                    self.open.remove(&key);
                }
                out.push(e);
            }
            self.base += 1;
        }
        out
    }
}
