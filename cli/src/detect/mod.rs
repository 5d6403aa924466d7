//! The detector replayed over records on their own timestamps, and the
//! findings it leads to.
//!
//! Authentication failures and successes go through the runtime's own
//! detector ([`seclog::monitor::Monitor`], on event time): the same rules,
//! thresholds and windows as in the functions that wrote the records, only
//! now over every process's records at once. What the command adds is
//! bookkeeping: which user and address a flag was for, when the attack
//! started and ended, which transactions took part.
//!
//! | finding | raised when |
//! |---|---|
//! | `brute_force` | one user reached `user_max_failures` failures within `user_window` |
//! | `credential_stuffing` | failures for `ip_max_users` distinct users came from one address within `ip_window` |
//! | `login_after_attack` | a user logged in while flagged, from a flagged address, or after `user_max_failures` failures or more: the likely compromised accounts |
//! | `authz_fail` | `seclog.owasp` events `authz_fail:<user>,<resource>`, per user and address |
//! | `incomplete_invocation` | a start record with no end record by the end of the input (killed, timed out), per `transaction.id` and action |
//! | `budget_exceeded` | end records with `seclog.budget.exceeded`, per action |
//!
//! Memory is bounded by the detector's `max_keys`: at most that many users
//! and addresses are tracked (by the runtime's detector, and here for the
//! evidence of attacks not yet flagged), invocations waiting for their end,
//! and findings; each finding keeps at most [`LIST_MAX`] transaction ids,
//! users, addresses and resources, and counts the rest.

use crate::record::{self, Phase, Record};
use crate::scan::Extract;
use seclog::monitor::{Monitor, Settings};
use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::hash::BuildHasher;
use std::time::{Duration, SystemTime};

mod alert;
mod finding;
pub use alert::*;
pub use finding::*;

/// Takes from each record what [`Detector`] needs.
#[derive(Debug, Default)]
pub struct DetectExtract {
    keys: RandomState,
}

impl Extract for DetectExtract {
    type Item = Item;

    fn size(&self, item: &Item) -> usize {
        std::mem::size_of::<Item>() + item.texts.buf.capacity()
    }

    fn extract(&self, r: &Record<'_>, _time: i64, _line: &[u8]) -> Option<Item> {
        let phase = r.phase()?;
        let mut auth = None;
        let mut user: Option<std::borrow::Cow<'_, str>> = r.who().map(Into::into);
        if let Some(event) = r.seclog.owasp.as_deref() {
            if let Some((name, args)) = seclog::owasp::split(event) {
                let arg = |i: usize| {
                    args.get(i)
                        .and_then(|a| seclog::owasp::decode(a))
                        .filter(|a| !a.is_empty())
                };
                auth = match name {
                    "authn_login_fail" => Some(Auth::Fail),
                    "authn_login_success" | "authn_login_successafterfail" => Some(Auth::Success),
                    "authz_fail" => Some(Auth::Authz {
                        resource: arg(1).map(|s| clip(&s).into()),
                    }),
                    _ => None,
                };
                if auth.is_some() {
                    // The vocabulary event names the user the detector
                    // counted; an event without one counts no user.
                    user = arg(0).map(Into::into);
                }
            }
        }
        let over_budget = r.seclog.budget.exceeded == Some(true);
        if phase == Phase::Event && auth.is_none() {
            return None;
        }
        let key = match (r.transaction.id.as_deref(), r.event.action.as_deref()) {
            (Some(t), Some(a)) => Some(self.keys.hash_one((t, a))),
            _ => None,
        };
        if phase == Phase::End && auth.is_none() && !over_budget {
            // Most records: only the pairing is needed, and nothing is
            // copied for it.
            return Some(Item {
                phase,
                key,
                texts: Texts::default(),
                user_field: UserField::Name,
                auth: None,
                over_budget,
                budget_ms: None,
                duration: None,
            });
        }
        let user_field = match user.as_deref() {
            Some(u) if r.user.name.as_deref() == Some(u) => UserField::Name,
            Some(u) if r.user.hash.as_deref() == Some(u) => UserField::Hash,
            Some(u) if r.user.id.as_deref() == Some(u) => UserField::Id,
            _ => UserField::Name,
        };
        Some(Item {
            phase,
            key,
            texts: Texts::new([
                r.event.action.as_deref(),
                r.transaction.id.as_deref(),
                user.as_deref(),
                r.source(),
            ]),
            user_field,
            auth,
            over_budget,
            budget_ms: r.seclog.budget.ms,
            duration: r.event.duration,
        })
    }
}

/// Evidence of failures not yet flagged, per user or address: the latest
/// few, in a table of at most `cap` keys (the least recently seen evicted),
/// keyed by a keyed 64-bit fingerprint so that attacker-chosen text is not
/// kept for the keys.
struct Recent {
    /// Whether entries are distinct by their other side (an address's
    /// users), repeats counted in place.
    distinct: bool,
    keys: RandomState,
    map: HashMap<u64, (u64, VecDeque<Evidence>)>,
    order: BTreeMap<u64, u64>,
    stamp: u64,
    cap: usize,
    width: usize,
}

#[derive(Debug, Clone)]
struct Evidence {
    at: i64,
    /// Failures it stands for (repeats of one user from one address).
    count: u64,
    /// The other side: the address for a user, the user for an address.
    other: Option<Box<str>>,
    transaction: Option<Box<str>>,
}

impl Recent {
    fn new(cap: usize, width: usize, distinct: bool) -> Recent {
        Recent {
            distinct,
            keys: RandomState::new(),
            map: HashMap::new(),
            order: BTreeMap::new(),
            stamp: 0,
            cap: cap.max(1),
            width: width.max(1),
        }
    }

    fn push(&mut self, key: &str, e: Evidence) {
        let k = self.keys.hash_one(key);
        self.stamp += 1;
        let stamp = self.stamp;
        if let Some((old, ring)) = self.map.get_mut(&k) {
            self.order.remove(old);
            *old = stamp;
            if self.distinct {
                if let Some(i) = ring.iter().position(|x| x.other == e.other) {
                    if let Some(mut same) = ring.remove(i) {
                        same.at = e.at;
                        same.count += 1;
                        same.transaction = e.transaction;
                        ring.push_back(same);
                        self.order.insert(stamp, k);
                        return;
                    }
                }
            }
            if ring.len() == self.width {
                ring.pop_front();
            }
            ring.push_back(e);
        } else {
            if self.map.len() >= self.cap {
                if let Some((_, evicted)) = self.order.pop_first() {
                    self.map.remove(&evicted);
                }
            }
            self.map.insert(k, (stamp, VecDeque::from([e])));
        }
        self.order.insert(stamp, k);
    }

    fn take(&mut self, key: &str) -> VecDeque<Evidence> {
        let k = self.keys.hash_one(key);
        match self.map.remove(&k) {
            Some((stamp, ring)) => {
                self.order.remove(&stamp);
                ring
            }
            None => VecDeque::new(),
        }
    }

    fn clear(&mut self, key: &str) {
        let k = self.keys.hash_one(key);
        if let Some((stamp, _)) = self.map.remove(&k) {
            self.order.remove(&stamp);
        }
    }
}

/// An invocation whose start was seen and whose end was not (yet).
#[derive(Debug)]
struct Open {
    transaction: Box<str>,
    action: Box<str>,
    at: i64,
    depth: u32,
    user: Option<Box<str>>,
    user_field: UserField,
    source: Option<Box<str>>,
}

/// Counts of what the detector could not keep.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Dropped {
    /// Findings past the cap.
    pub findings: u64,
    /// Invocations not watched for their end: too many were open at once.
    pub open_invocations: u64,
    /// Addresses to block past the cap.
    pub addresses: u64,
}

/// What the detector found.
#[derive(Debug)]
pub struct Report {
    /// The findings, by kind, then first seen.
    pub findings: Vec<Finding>,
    /// The addresses to block (IP addresses or not), sorted as
    /// [`address_order`] sorts them.
    pub blocklist: Vec<(String, Blocked)>,
    /// What was dropped at the caps.
    pub dropped: Dropped,
}

/// Sorts IPv4 addresses numerically, then IPv6 ones, then any other
/// address text.
pub fn address_order(a: &str, b: &str) -> std::cmp::Ordering {
    use std::net::IpAddr;
    let key = |s: &str| match s.parse::<IpAddr>().map(|i| i.to_canonical()) {
        Ok(IpAddr::V4(v4)) => (0u8, u128::from(u32::from(v4)), String::new()),
        Ok(IpAddr::V6(v6)) => (1, u128::from(v6), String::new()),
        Err(_) => (2, 0, s.to_string()),
    };
    key(a).cmp(&key(b))
}

/// An address to block, and why.
#[derive(Debug, Clone)]
pub struct Blocked {
    /// The findings it took part in.
    pub reasons: Vec<Kind>,
    /// Its failed logins counted in those findings.
    pub failures: u64,
    /// The users it tried.
    pub users: Capped,
    /// Its first failure counted.
    pub first: i64,
    /// Its last failure counted.
    pub last: i64,
}

/// The detector over a stream of [`Item`]s in time order.
pub struct Detector {
    blocked: HashMap<Box<str>, Blocked>,
    monitor: Monitor,
    settings: Settings,
    findings: Vec<Finding>,
    index: HashMap<(Kind, Box<str>), usize>,
    user_evidence: Recent,
    ip_evidence: Recent,
    open: HashMap<u64, Open>,
    /// Ends seen before their start (input out of order past the window).
    early_ends: HashMap<u64, u32>,
    cap: usize,
    /// What was dropped at the caps.
    pub dropped: Dropped,
}

impl Detector {
    /// A detector with `settings` (the runtime's, checked the same way).
    pub fn new(settings: Settings) -> Result<Detector, seclog::ConfigError> {
        let monitor = Monitor::new(settings.clone())?;
        let cap = settings.max_keys;
        Ok(Detector {
            monitor,
            findings: Vec::new(),
            blocked: HashMap::new(),
            index: HashMap::new(),
            user_evidence: Recent::new(cap, settings.user_max_failures as usize, false),
            ip_evidence: Recent::new(cap, settings.ip_max_users as usize, true),
            open: HashMap::new(),
            early_ends: HashMap::new(),
            cap,
            settings,
            dropped: Dropped::default(),
        })
    }

    fn finding(&mut self, kind: Kind, key: &str, at: i64) -> Option<&mut Finding> {
        let k = (kind, Box::<str>::from(key));
        let i = match self.index.get(&k) {
            Some(&i) => i,
            None => {
                if self.findings.len() >= self.cap {
                    self.dropped.findings += 1;
                    return None;
                }
                self.findings.push(Finding::new(kind, at));
                self.index.insert(k, self.findings.len() - 1);
                self.findings.len() - 1
            }
        };
        let f = &mut self.findings[i];
        f.seen(at);
        Some(f)
    }

    fn existing(&mut self, kind: Kind, key: &str) -> Option<&mut Finding> {
        let i = *self.index.get(&(kind, Box::<str>::from(key)))?;
        self.findings.get_mut(i)
    }

    /// Counts a failure from `source` that took part in a finding of `kind`.
    fn block(&mut self, kind: Kind, source: Option<&str>, user: Option<&str>, at: i64, n: u64) {
        let Some(s) = source else { return };
        if !self.blocked.contains_key(s) && self.blocked.len() >= self.cap {
            self.dropped.addresses += 1;
            return;
        }
        let b = self.blocked.entry(s.into()).or_insert_with(|| Blocked {
            reasons: Vec::new(),
            failures: 0,
            users: Capped::default(),
            first: at,
            last: at,
        });
        if !b.reasons.contains(&kind) {
            b.reasons.push(kind);
            b.reasons.sort();
        }
        b.failures += n;
        b.users.add(user);
        b.first = b.first.min(at);
        b.last = b.last.max(at);
    }

    /// Feeds one record's item, at `time` (microseconds since the epoch).
    pub fn feed(&mut self, time: i64, item: Item) {
        let at = SystemTime::UNIX_EPOCH + Duration::from_micros(u64::try_from(time).unwrap_or(0));
        match &item.auth {
            Some(Auth::Fail) => self.failure(time, at, &item),
            Some(Auth::Success) => self.success(time, at, &item),
            Some(Auth::Authz { resource }) => {
                let key = format!(
                    "{}\u{0}{}",
                    item.user().unwrap_or(""),
                    item.source().unwrap_or("")
                );
                let resource = resource.clone();
                if let Some(f) = self.finding(Kind::AuthzFail, &key, time) {
                    f.user = item.user().map(str::to_string);
                    f.user_field = item.user_field;
                    f.source = item.source().map(str::to_string);
                    f.count += 1;
                    f.resources.add(resource.as_deref());
                    f.transactions.add(item.transaction());
                }
            }
            None => {}
        }
        match item.phase {
            Phase::Start => self.start(time, &item),
            Phase::End => self.end(time, &item),
            Phase::Event => {}
        }
    }

    fn failure(&mut self, time: i64, at: SystemTime, item: &Item) {
        let user = item.user();
        let source = item.source();
        let found = self.monitor.failure_at(at, user, source);
        let tx: Option<Box<str>> = item.transaction().map(Into::into);
        if let Some(u) = user {
            if found.user_limit_reached {
                let evidence = self.user_evidence.take(u);
                let window = micros(self.settings.user_window);
                for e in evidence.iter().filter(|e| time - e.at < window) {
                    self.block(Kind::BruteForce, e.other.as_deref(), Some(u), e.at, e.count);
                }
                self.block(Kind::BruteForce, source, Some(u), time, 1);
                let f = self.finding(Kind::BruteForce, u, time);
                if let Some(f) = f {
                    f.user = Some(u.to_string());
                    f.user_field = item.user_field;
                    f.raised += 1;
                    for e in evidence.iter().filter(|e| time - e.at < window) {
                        f.seen(e.at);
                        f.count += 1;
                        f.sources.add(e.other.as_deref());
                        f.transactions.add(e.transaction.as_deref());
                    }
                    f.count += 1;
                    f.sources.add(source);
                    f.transactions.add(tx.as_deref());
                }
            } else if self.monitor.is_flagged_user_at(u, at)
                && self.existing(Kind::BruteForce, u).is_some()
            {
                self.block(Kind::BruteForce, source, Some(u), time, 1);
                if let Some(f) = self.finding(Kind::BruteForce, u, time) {
                    f.count += 1;
                    f.sources.add(source);
                    f.transactions.add(tx.as_deref());
                }
            } else {
                self.user_evidence.push(
                    u,
                    Evidence {
                        at: time,
                        count: 1,
                        other: item.source().map(Into::into),
                        transaction: tx.clone(),
                    },
                );
            }
        }
        let (Some(s), Some(u)) = (source, user) else {
            return;
        };
        if found.ip_limit_reached {
            let evidence = self.ip_evidence.take(s);
            let window = micros(self.settings.ip_window);
            for e in evidence.iter().filter(|e| time - e.at < window) {
                self.block(
                    Kind::CredentialStuffing,
                    Some(s),
                    e.other.as_deref(),
                    e.at,
                    e.count,
                );
            }
            self.block(Kind::CredentialStuffing, Some(s), Some(u), time, 1);
            if let Some(f) = self.finding(Kind::CredentialStuffing, s, time) {
                f.source = Some(s.to_string());
                f.raised += 1;
                f.distinct_users = f.distinct_users.max(found.ip_distinct_users);
                for e in evidence.iter().filter(|e| time - e.at < window) {
                    f.seen(e.at);
                    f.count += e.count;
                    f.users.add(e.other.as_deref());
                    f.transactions.add(e.transaction.as_deref());
                }
                f.count += 1;
                f.users.add(Some(u));
                f.transactions.add(tx.as_deref());
            }
        } else if self.monitor.is_flagged_ip_at(s, at)
            && self.existing(Kind::CredentialStuffing, s).is_some()
        {
            self.block(Kind::CredentialStuffing, Some(s), Some(u), time, 1);
            if let Some(f) = self.finding(Kind::CredentialStuffing, s, time) {
                f.count += 1;
                f.distinct_users = f.distinct_users.max(found.ip_distinct_users);
                f.users.add(Some(u));
                f.transactions.add(tx.as_deref());
            }
        } else {
            self.ip_evidence.push(
                s,
                Evidence {
                    at: time,
                    count: 1,
                    other: item.user().map(Into::into),
                    transaction: tx,
                },
            );
        }
    }

    fn success(&mut self, time: i64, at: SystemTime, item: &Item) {
        let Some(user) = item.user() else {
            return;
        };
        let source = item.source();
        let flagged_user = self.monitor.is_flagged_user_at(user, at);
        let flagged_ip = source.is_some_and(|s| self.monitor.is_flagged_ip_at(s, at));
        let retries = self.monitor.success_at(at, Some(user));
        self.user_evidence.clear(user);
        let many = retries >= self.settings.user_max_failures;
        if !(flagged_user || flagged_ip || many) {
            return;
        }
        if let Some(f) = self.finding(Kind::LoginAfterAttack, user, time) {
            f.user = Some(user.to_string());
            f.user_field = item.user_field;
            f.count += 1;
            f.sources.add(source);
            f.transactions.add(item.transaction());
            for (yes, reason) in [
                (flagged_user, "user under brute force"),
                (
                    flagged_ip,
                    "from an address flagged for credential stuffing",
                ),
                (many, "after as many failures as the limit"),
            ] {
                if yes && !f.reasons.contains(&reason) {
                    f.reasons.push(reason);
                }
            }
        }
    }

    fn start(&mut self, time: i64, item: &Item) {
        let (Some(key), Some(tx), Some(action)) = (item.key, item.transaction(), item.action())
        else {
            return;
        };
        if let Some(n) = self.early_ends.get_mut(&key) {
            *n -= 1;
            if *n == 0 {
                self.early_ends.remove(&key);
            }
            return;
        }
        if let Some(o) = self.open.get_mut(&key) {
            // A nested audited call of the same action shares the
            // transaction.
            o.depth += 1;
            return;
        }
        if self.open.len() >= self.cap {
            self.dropped.open_invocations += 1;
            return;
        }
        self.open.insert(
            key,
            Open {
                transaction: tx.into(),
                action: action.into(),
                at: time,
                depth: 1,
                user: item.user().map(Into::into),
                user_field: item.user_field,
                source: item.source().map(Into::into),
            },
        );
    }

    fn end(&mut self, time: i64, item: &Item) {
        if item.over_budget {
            let action = item.action().unwrap_or("");
            if let Some(f) = self.finding(Kind::BudgetExceeded, action, time) {
                f.action = Some(action.to_string());
                f.count += 1;
                f.transactions.add(item.transaction());
                f.max_duration = f.max_duration.max(item.duration);
                f.budget_ms = f.budget_ms.or(item.budget_ms);
            }
        }
        let Some(key) = item.key else {
            return;
        };
        match self.open.get_mut(&key) {
            Some(o) if o.depth > 1 => o.depth -= 1,
            Some(_) => {
                self.open.remove(&key);
            }
            None if self.early_ends.len() < self.cap => {
                *self.early_ends.entry(key).or_insert(0) += 1;
            }
            None => {}
        }
    }

    /// The findings, once every record was fed: the invocations still open
    /// become `incomplete_invocation`.
    pub fn finish(mut self) -> Report {
        let mut open: Vec<_> = std::mem::take(&mut self.open).into_iter().collect();
        open.sort_by_key(|(_, o)| o.at);
        for (_, o) in open {
            let (tx, action) = (&o.transaction, &o.action);
            let key = format!("{tx}\u{0}{action}");
            if let Some(f) = self.finding(Kind::IncompleteInvocation, &key, o.at) {
                f.action = Some(action.to_string());
                f.user = o.user.as_deref().map(str::to_string);
                f.user_field = o.user_field;
                f.source = o.source.as_deref().map(str::to_string);
                f.count = u64::from(o.depth);
                f.transactions.add(Some(tx));
            }
        }
        let mut findings = self.findings;
        findings.sort_by_key(|f| (f.kind, f.first));
        let mut blocklist: Vec<(String, Blocked)> = self
            .blocked
            .into_iter()
            .map(|(k, v)| (k.into_string(), v))
            .collect();
        blocklist.sort_by(|a, b| address_order(&a.0, &b.0));
        Report {
            findings,
            blocklist,
            dropped: self.dropped,
        }
    }
}
