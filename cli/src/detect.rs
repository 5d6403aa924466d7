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

/// The most transaction ids, users, addresses or resources one finding
/// lists; the counts go on.
pub const LIST_MAX: usize = 16;

/// The longest text kept from a record for a finding, in bytes (seclog's
/// own limit is 4 KiB; a username that long is itself a sign of attack).
const TEXT_MAX: usize = 256;

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// One user under brute force.
    BruteForce,
    /// One address trying many users.
    CredentialStuffing,
    /// A successful login of a user under attack: a likely compromised
    /// account.
    LoginAfterAttack,
    /// Authorization failures.
    AuthzFail,
    /// An invocation with a start record and no end.
    IncompleteInvocation,
    /// Invocations over their duration budget.
    BudgetExceeded,
}

impl Kind {
    /// The finding's `event.action`.
    pub fn action(self) -> &'static str {
        match self {
            Kind::BruteForce => "brute_force",
            Kind::CredentialStuffing => "credential_stuffing",
            Kind::LoginAfterAttack => "login_after_attack",
            Kind::AuthzFail => "authz_fail",
            Kind::IncompleteInvocation => "incomplete_invocation",
            Kind::BudgetExceeded => "budget_exceeded",
        }
    }

    /// The level of its alert record.
    pub fn level(self) -> &'static str {
        match self {
            Kind::CredentialStuffing | Kind::LoginAfterAttack | Kind::AuthzFail => "critical",
            Kind::BruteForce | Kind::IncompleteInvocation | Kind::BudgetExceeded => "warn",
        }
    }
}

/// Which ECS user field a finding's user goes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserField {
    /// `user.name`.
    Name,
    /// `user.hash`: the user was logged by keyed digest.
    Hash,
    /// `user.id`.
    Id,
}

impl UserField {
    /// The ECS member under `user`.
    pub fn member(self) -> &'static str {
        match self {
            UserField::Name => "name",
            UserField::Hash => "hash",
            UserField::Id => "id",
        }
    }
}

/// A list that keeps its first [`LIST_MAX`] distinct entries and counts
/// them all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capped {
    /// The first distinct entries.
    pub items: Vec<String>,
    /// Entries added, repeats included once only while they were listed.
    pub total: u64,
}

impl Capped {
    fn add(&mut self, s: Option<&str>) {
        let Some(s) = s else { return };
        if self.items.iter().any(|i| i == s) {
            return;
        }
        self.total += 1;
        if self.items.len() < LIST_MAX {
            self.items.push(s.to_string());
        }
    }
}

/// One finding.
#[derive(Debug, Clone)]
pub struct Finding {
    /// What it is.
    pub kind: Kind,
    /// The user it is about.
    pub user: Option<String>,
    /// Where that user is written in the records.
    pub user_field: UserField,
    /// The address it is about.
    pub source: Option<String>,
    /// The handler it is about (`event.action` of the records).
    pub action: Option<String>,
    /// The first record's time, microseconds since the epoch.
    pub first: i64,
    /// The last record's time.
    pub last: i64,
    /// Failures, successes, authorization failures, overruns or open
    /// invocations, by kind.
    pub count: u64,
    /// Most distinct users failing from the address within one window.
    pub distinct_users: u32,
    /// Times the detector raised it (once per window at most).
    pub raised: u32,
    /// Users involved.
    pub users: Capped,
    /// Addresses involved.
    pub sources: Capped,
    /// Resources refused (`authz_fail`).
    pub resources: Capped,
    /// Transactions involved.
    pub transactions: Capped,
    /// Why a login is suspect (`login_after_attack`).
    pub reasons: Vec<&'static str>,
    /// The longest duration seen, in nanoseconds (`budget_exceeded`).
    pub max_duration: Option<u64>,
    /// The budget, in milliseconds (`budget_exceeded`).
    pub budget_ms: Option<u64>,
}

impl Finding {
    fn new(kind: Kind, at: i64) -> Finding {
        Finding {
            kind,
            user: None,
            user_field: UserField::Name,
            source: None,
            action: None,
            first: at,
            last: at,
            count: 0,
            distinct_users: 0,
            raised: 0,
            users: Capped::default(),
            sources: Capped::default(),
            resources: Capped::default(),
            transactions: Capped::default(),
            reasons: Vec::new(),
            max_duration: None,
            budget_ms: None,
        }
    }

    fn seen(&mut self, at: i64) {
        self.first = self.first.min(at);
        self.last = self.last.max(at);
    }
}

/// What a record means to the detector.
#[derive(Debug, Clone)]
pub enum Auth {
    /// `authn_login_fail:<user>`.
    Fail,
    /// `authn_login_success` or `authn_login_successafterfail`.
    Success,
    /// `authz_fail:<user>,<resource>`.
    Authz {
        /// The resource refused.
        resource: Option<Box<str>>,
    },
}

/// The members of one record the detector uses.
#[derive(Debug, Clone)]
pub struct Item {
    /// The record's phase.
    pub phase: Phase,
    /// A fingerprint of the record's `transaction.id` and `event.action`,
    /// which pairs an invocation's start and end.
    pub key: Option<u64>,
    /// `event.action`, `transaction.id`, the user (the vocabulary event's,
    /// else the record's) and `source.ip` or `source.address`, in one
    /// allocation.
    pub texts: Texts,
    /// Where the user is written.
    pub user_field: UserField,
    /// The authentication or authorization event.
    pub auth: Option<Auth>,
    /// `seclog.budget.exceeded`.
    pub over_budget: bool,
    /// `seclog.budget.ms`.
    pub budget_ms: Option<u64>,
    /// `event.duration`.
    pub duration: Option<u64>,
}

/// Up to four texts in one allocation: a record's action, transaction,
/// user and source.
#[derive(Debug, Clone, Default)]
pub struct Texts {
    buf: String,
    /// End of each text in `buf`, or `u32::MAX` when absent.
    ends: [u32; 4],
}

impl Texts {
    fn new(parts: [Option<&str>; 4]) -> Texts {
        let len = parts.iter().flatten().map(|p| p.len().min(TEXT_MAX)).sum();
        let mut t = Texts {
            buf: String::with_capacity(len),
            ends: [u32::MAX; 4],
        };
        for (i, p) in parts.iter().enumerate() {
            if let Some(p) = p {
                t.buf.push_str(clip(p));
                t.ends[i] = t.buf.len() as u32;
            }
        }
        t
    }

    fn get(&self, i: usize) -> Option<&str> {
        let end = self.ends[i];
        if end == u32::MAX {
            return None;
        }
        let start = self.ends[..i]
            .iter()
            .rev()
            .find(|&&e| e != u32::MAX)
            .map_or(0, |&e| e as usize);
        self.buf.get(start..end as usize)
    }
}

impl Item {
    /// `event.action`.
    pub fn action(&self) -> Option<&str> {
        self.texts.get(0)
    }
    /// `transaction.id`.
    pub fn transaction(&self) -> Option<&str> {
        self.texts.get(1)
    }
    /// The user.
    pub fn user(&self) -> Option<&str> {
        self.texts.get(2)
    }
    /// `source.ip` or `source.address`.
    pub fn source(&self) -> Option<&str> {
        self.texts.get(3)
    }
}

/// `s` cut to [`TEXT_MAX`] bytes, on a character boundary.
fn clip(s: &str) -> &str {
    if s.len() <= TEXT_MAX {
        return s;
    }
    let mut end = TEXT_MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

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

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// The ECS version the alert records follow: the release the runtime's
/// records follow.
pub use seclog::record::ECS_VERSION;

/// One finding as an ECS alert record, on one line: `@timestamp` (the last
/// record's time), `log.level` and `message` first, as ECS logging asks,
/// then `event.kind: "alert"` with the finding's name as `event.action`,
/// first and last seen as `event.start`/`event.end`, the user and address,
/// the addresses and users involved as `related.ip`/`related.user`, and
/// the counts and transaction ids under `seclog.*`.
pub fn alert(f: &Finding) -> String {
    let head = serde_json::json!([record::format_time(f.last), f.kind.level(), message(f)]);
    let rest = alert_members(f).to_string();
    let mut line = String::with_capacity(rest.len() + 200);
    line.push_str("{\"@timestamp\":");
    line.push_str(&head[0].to_string());
    line.push_str(",\"log.level\":");
    line.push_str(&head[1].to_string());
    line.push_str(",\"message\":");
    line.push_str(&head[2].to_string());
    if rest.len() > 2 {
        line.push(',');
        line.push_str(&rest[1..]);
    } else {
        line.push('}');
    }
    line
}

/// The alert's members after the first three.
fn alert_members(f: &Finding) -> serde_json::Value {
    use serde_json::{json, Map, Value};
    let mut root = Map::new();
    root.insert("ecs.version".into(), ECS_VERSION.into());
    let (category, kind_type) = match f.kind {
        Kind::BruteForce | Kind::CredentialStuffing | Kind::LoginAfterAttack => (
            json!(["authentication", "intrusion_detection"]),
            json!(["info"]),
        ),
        Kind::AuthzFail => (json!(["intrusion_detection"]), json!(["denied"])),
        Kind::IncompleteInvocation | Kind::BudgetExceeded => (json!(["api"]), json!(["info"])),
    };
    let mut event = json!({
        "kind": "alert",
        "category": category,
        "type": kind_type,
        "action": f.kind.action(),
        "dataset": "seclog.detect",
        "start": record::format_time(f.first),
        "end": record::format_time(f.last),
    });
    if !f.reasons.is_empty() {
        event["reason"] = f.reasons.join("; ").into();
    }
    root.insert("event".into(), event);
    if let Some(u) = &f.user {
        root.insert("user".into(), json!({ f.user_field.member(): u }));
    }
    if let Some(s) = &f.source {
        let member = if s.parse::<std::net::IpAddr>().is_ok() {
            "ip"
        } else {
            "address"
        };
        root.insert("source".into(), json!({ member: s }));
    }
    let ips: Vec<&String> = f
        .sources
        .items
        .iter()
        .chain(&f.source)
        .filter(|s| s.parse::<std::net::IpAddr>().is_ok())
        .collect();
    let mut related = Map::new();
    if !ips.is_empty() {
        let mut ips: Vec<&String> = ips;
        ips.sort();
        ips.dedup();
        related.insert("ip".into(), json!(ips));
    }
    if !f.users.items.is_empty() {
        related.insert("user".into(), json!(f.users.items));
    }
    if !related.is_empty() {
        root.insert("related".into(), Value::Object(related));
    }
    let mut s = Map::new();
    s.insert("count".into(), f.count.into());
    s.insert("transactions".into(), json!(f.transactions.items));
    s.insert("transactions_total".into(), f.transactions.total.into());
    if f.raised > 0 {
        s.insert("raised".into(), f.raised.into());
    }
    match f.kind {
        Kind::BruteForce | Kind::LoginAfterAttack => {
            s.insert("sources".into(), json!(f.sources.items));
            s.insert("sources_total".into(), f.sources.total.into());
        }
        Kind::CredentialStuffing => {
            s.insert("distinct_users".into(), f.distinct_users.into());
            s.insert("users".into(), json!(f.users.items));
            s.insert("users_total".into(), f.users.total.into());
        }
        Kind::AuthzFail => {
            s.insert("resources".into(), json!(f.resources.items));
            s.insert("resources_total".into(), f.resources.total.into());
        }
        Kind::IncompleteInvocation => {}
        Kind::BudgetExceeded => {
            if let Some(d) = f.max_duration {
                s.insert("max_duration".into(), d.into());
            }
            if let Some(b) = f.budget_ms {
                s.insert("budget_ms".into(), b.into());
            }
        }
    }
    if let Some(a) = &f.action {
        s.insert("action".into(), a.clone().into());
    }
    root.insert("seclog".into(), Value::Object(s));
    Value::Object(root)
}

/// A one-line summary of the finding (text from records included as is:
/// escape it before printing it to a terminal).
pub fn message(f: &Finding) -> String {
    let user = f.user.as_deref().unwrap_or("an unknown user");
    let source = f.source.as_deref().unwrap_or("an unknown address");
    let action = f.action.as_deref().unwrap_or("?");
    match f.kind {
        Kind::BruteForce => format!(
            "brute force: {} failed logins for {user} from {} address(es)",
            f.count, f.sources.total
        ),
        Kind::CredentialStuffing => format!(
            "credential stuffing: {} failed logins for {} users from {source}",
            f.count, f.users.total
        ),
        Kind::LoginAfterAttack => format!(
            "likely compromised account: {user} logged in {} time(s) {}",
            f.count,
            f.reasons.join(", ")
        ),
        Kind::AuthzFail => format!(
            "{} authorization failure(s) for {user} from {source}",
            f.count
        ),
        Kind::IncompleteInvocation => {
            format!("{action} started and never ended (killed or timed out)")
        }
        Kind::BudgetExceeded => format!("{action} exceeded its budget {} time(s)", f.count),
    }
}
