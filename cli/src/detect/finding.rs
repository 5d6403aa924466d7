//! What the detector reports: the kinds of finding, a finding with its
//! evidence (bounded lists of users, addresses and transactions), and the
//! record items it is made from.

use super::*;

/// The most transaction ids, users, addresses or resources one finding
/// lists; the counts go on.
pub const LIST_MAX: usize = 16;

/// The longest text kept from a record for a finding, in bytes (seclog's
/// own limit is 4 KiB; a username that long is itself a sign of attack).
pub(crate) const TEXT_MAX: usize = 256;

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
    pub(crate) fn add(&mut self, s: Option<&str>) {
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
    pub(crate) fn new(kind: Kind, at: i64) -> Finding {
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

    pub(crate) fn seen(&mut self, at: i64) {
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
    pub(crate) buf: String,
    /// End of each text in `buf`, or `u32::MAX` when absent.
    ends: [u32; 4],
}

impl Texts {
    pub(crate) fn new(parts: [Option<&str>; 4]) -> Texts {
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

    pub(crate) fn get(&self, i: usize) -> Option<&str> {
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
pub(crate) fn clip(s: &str) -> &str {
    if s.len() <= TEXT_MAX {
        return s;
    }
    let mut end = TEXT_MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
