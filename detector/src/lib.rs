//! `seclog-detector`: seclog's detector as an AWS Lambda function behind a
//! CloudWatch Logs subscription filter, so detection spans every execution
//! environment of a fleet.
//!
//! Each process of an audited function counts the failures it sees itself:
//! an attacker who spreads 50 guesses over 20 execution environments never
//! reaches the per-process limit. CloudWatch Logs is where every record of
//! every environment meets; a subscription filter (`seclog cloudwatch
//! template --detector-arn ...`) streams the login outcomes to this
//! function, which counts them in one detector for the whole fleet:
//!
//! 1. every log event of every stream of the payload
//!    (`{"awslogs":{"data": base64 of gzip}}`) is decoded by the `seclog`
//!    command's reader ([`seclog_cli::input::read_documents`]) and read as
//!    a record ([`seclog_cli::record`], [`seclog_cli::detect::DetectExtract`]);
//! 2. the records are counted in time order, on their own timestamps, by
//!    the runtime's detector ([`seclog::monitor::Monitor`] on event time),
//!    whose state is kept across invocations in the process (bounded by
//!    its `max_keys`), with the same thresholds and windows as in the
//!    functions (`SECLOG_MONITOR_*`);
//! 3. each finding is written to standard output as the ECS alert record
//!    of `seclog detect --format json` ([`seclog_cli::detect::alert`]),
//!    with its OWASP vocabulary event in `seclog.owasp`
//!    (`authn_login_fail_max:<user>,<max>` for brute force), where the
//!    template's `SecurityAlerts` metric filter and alarm pick it up.
//!
//! | finding | raised when, over the whole fleet |
//! |---|---|
//! | `brute_force` | one user reached `user_max_failures` failures within `user_window` |
//! | `credential_stuffing` | failures for `ip_max_users` distinct users came from one address within `ip_window` |
//! | `login_after_attack` | a user logged in while flagged, from a flagged address, or after as many failures as the limit |
//!
//! Run it with reserved concurrency 1, so that one detector sees the whole
//! stream (two concurrent environments would each see half of it again);
//! the README says how, what a cold start loses and what it costs.

use seclog::monitor::{Monitor, Settings};
use seclog_cli::detect::{self, Auth, Capped, DetectExtract, Finding, Item, Kind, UserField};
use seclog_cli::input::{self, Line};
use seclog_cli::record;
use seclog_cli::scan::Extract;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::time::{Duration, SystemTime};

/// Why an invocation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DetectError {
    /// The payload is not a CloudWatch Logs document; says what was wrong
    /// and where.
    Payload(String),
    /// The alerts could not be written to standard output.
    Write(String),
}

impl fmt::Display for DetectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DetectError::Payload(e) => {
                write!(f, "not a CloudWatch Logs subscription payload: {e}")
            }
            DetectError::Write(e) => write!(f, "the alerts could not be written: {e}"),
        }
    }
}

impl std::error::Error for DetectError {}

impl From<DetectError> for lambda_runtime::Diagnostic {
    fn from(e: DetectError) -> Self {
        lambda_runtime::Diagnostic {
            error_type: "seclog_detector::DetectError".into(),
            error_message: e.to_string(),
        }
    }
}

/// What one payload held and led to.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize)]
pub struct Batch {
    /// Log events in the payload.
    pub events: u64,
    /// Events that were seclog records of a login outcome, counted.
    pub counted: u64,
    /// Events that were not records (Lambda's own lines, other text, JSON
    /// that is not a seclog record, records without a timestamp).
    pub skipped: u64,
    /// The alert records, one JSON object each (no newline), in time
    /// order.
    #[serde(skip)]
    pub alerts: Vec<String>,
}

/// The most recent failures kept per user and per address, as evidence
/// for the alert that a later failure raises: at most `cap` keys, the
/// least recently seen evicted beyond it, each with at most `width`
/// failures.
struct Evidence {
    map: HashMap<Box<str>, (u64, VecDeque<Seen>)>,
    order: BTreeMap<u64, Box<str>>,
    stamp: u64,
    cap: usize,
    width: usize,
}

/// One failure, as evidence.
#[derive(Debug, Clone)]
struct Seen {
    at: i64,
    /// The address for a user, the user for an address.
    other: Option<Box<str>>,
    transaction: Option<Box<str>>,
}

impl Evidence {
    fn new(cap: usize, width: usize) -> Evidence {
        Evidence {
            map: HashMap::new(),
            order: BTreeMap::new(),
            stamp: 0,
            cap: cap.max(1),
            width: width.max(1),
        }
    }

    fn push(&mut self, key: &str, seen: Seen) {
        self.stamp += 1;
        let stamp = self.stamp;
        if let Some((old, ring)) = self.map.get_mut(key) {
            self.order.remove(old);
            *old = stamp;
            if ring.len() == self.width {
                ring.pop_front();
            }
            ring.push_back(seen);
        } else {
            if self.map.len() >= self.cap {
                if let Some((_, evicted)) = self.order.pop_first() {
                    self.map.remove(&evicted);
                }
            }
            self.map.insert(key.into(), (stamp, VecDeque::from([seen])));
        }
        self.order.insert(stamp, key.into());
    }

    /// The failures of `key` within `window` before `at`, taking them out.
    fn take(&mut self, key: &str, at: i64, window: Duration) -> Vec<Seen> {
        let window = i64::try_from(window.as_micros()).unwrap_or(i64::MAX);
        match self.map.remove(key) {
            Some((stamp, ring)) => {
                self.order.remove(&stamp);
                ring.into_iter().filter(|s| at - s.at < window).collect()
            }
            None => Vec::new(),
        }
    }
}

/// The fleet's detector: one per execution environment, kept across its
/// invocations.
pub struct FleetDetector {
    extract: DetectExtract,
    monitor: Monitor,
    settings: Settings,
    users: Evidence,
    addresses: Evidence,
}

impl fmt::Debug for FleetDetector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FleetDetector")
            .field("monitor", &self.monitor)
            .finish()
    }
}

impl FleetDetector {
    /// A detector with `settings` (checked as the runtime checks them).
    ///
    /// ```
    /// let d = seclog_detector::FleetDetector::new(Default::default()).unwrap();
    /// assert_eq!(d.settings().user_max_failures, 5);
    /// ```
    pub fn new(settings: Settings) -> Result<FleetDetector, seclog::ConfigError> {
        Ok(FleetDetector {
            extract: DetectExtract::default(),
            monitor: Monitor::new(settings.clone())?,
            users: Evidence::new(settings.max_keys, settings.user_max_failures as usize),
            addresses: Evidence::new(settings.max_keys, settings.ip_max_users as usize),
            settings,
        })
    }

    /// A detector with the `SECLOG_MONITOR_*` settings of the environment,
    /// as the audited functions read them.
    pub fn from_env() -> Result<FleetDetector, seclog::ConfigError> {
        FleetDetector::new(Settings::default().from_env()?)
    }

    /// The thresholds and windows.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Counts every record of `payload` (a subscription event, or any
    /// CloudWatch Logs document the `seclog` command reads) and returns
    /// the alerts they raised.
    ///
    /// ```
    /// let mut d = seclog_detector::FleetDetector::new(Default::default()).unwrap();
    /// let batch = d.process(br#"{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","timestamp":0,"message":"START RequestId: 1"}]}"#).unwrap();
    /// assert_eq!((batch.events, batch.counted, batch.skipped), (1, 0, 1));
    /// assert!(d.process(b"[1, 2]").is_err());
    /// ```
    pub fn process(&mut self, payload: &[u8]) -> Result<Batch, DetectError> {
        let mut batch = Batch::default();
        let mut items: Vec<(i64, Item)> = Vec::new();
        let extract = &self.extract;
        input::read_documents(payload, &mut |message| {
            batch.events += 1;
            let item = match input::classify(message.as_bytes()) {
                Line::Json(json) => record::parse(json).ok().and_then(|r| {
                    let time = r.time()?;
                    extract
                        .extract(&r, time, json)
                        .filter(|i| matches!(i.auth, Some(Auth::Fail | Auth::Success)))
                        .map(|i| (time, i))
                }),
                _ => None,
            };
            match item {
                Some(item) => items.push(item),
                None => batch.skipped += 1,
            }
            true
        })
        .map_err(DetectError::Payload)?;
        // The streams of one payload interleave: the detector counts in
        // time order.
        items.sort_by_key(|(t, _)| *t);
        batch.counted = items.len() as u64;
        for (time, item) in items {
            self.feed(time, &item, &mut batch.alerts);
        }
        Ok(batch)
    }

    fn feed(&mut self, time: i64, item: &Item, alerts: &mut Vec<String>) {
        let at = SystemTime::UNIX_EPOCH + Duration::from_micros(u64::try_from(time).unwrap_or(0));
        match item.auth {
            Some(Auth::Fail) => self.failure(time, at, item, alerts),
            Some(Auth::Success) => self.success(time, at, item, alerts),
            _ => {}
        }
    }

    fn failure(&mut self, time: i64, at: SystemTime, item: &Item, alerts: &mut Vec<String>) {
        let (user, source) = (item.user(), item.source());
        let found = self.monitor.failure_at(at, user, source);
        let this = Seen {
            at: time,
            other: None,
            transaction: item.transaction().map(Box::from),
        };
        if let Some(u) = user {
            if found.user_limit_reached {
                let mut seen = self.users.take(u, time, self.settings.user_window);
                seen.push(Seen {
                    other: source.map(Box::from),
                    ..this.clone()
                });
                let mut f = finding(Kind::BruteForce, &seen, item);
                f.user = Some(u.to_string());
                f.user_field = item.user_field;
                f.sources = capped(seen.iter().map(|s| s.other.as_deref()));
                let owasp = format!(
                    "authn_login_fail_max:{},{}",
                    seclog::owasp::encode(u),
                    self.settings.user_max_failures
                );
                alerts.push(with_owasp(detect::alert(&f), &owasp));
            } else {
                self.users.push(
                    u,
                    Seen {
                        other: source.map(Box::from),
                        ..this.clone()
                    },
                );
            }
        }
        let (Some(s), Some(u)) = (source, user) else {
            return;
        };
        if found.ip_limit_reached {
            let mut seen = self.addresses.take(s, time, self.settings.ip_window);
            seen.push(Seen {
                other: Some(u.into()),
                ..this
            });
            let mut f = finding(Kind::CredentialStuffing, &seen, item);
            f.source = Some(s.to_string());
            f.distinct_users = found.ip_distinct_users;
            f.users = capped(seen.iter().map(|s| s.other.as_deref()));
            alerts.push(detect::alert(&f));
        } else {
            self.addresses.push(
                s,
                Seen {
                    other: Some(u.into()),
                    ..this
                },
            );
        }
    }

    fn success(&mut self, time: i64, at: SystemTime, item: &Item, alerts: &mut Vec<String>) {
        let Some(user) = item.user() else {
            return;
        };
        let source = item.source();
        let flagged_user = self.monitor.is_flagged_user_at(user, at);
        let flagged_ip = source.is_some_and(|s| self.monitor.is_flagged_ip_at(s, at));
        let retries = self.monitor.success_at(at, Some(user));
        self.users.take(user, time, Duration::ZERO);
        let many = retries >= self.settings.user_max_failures;
        if !(flagged_user || flagged_ip || many) {
            return;
        }
        let seen = [Seen {
            at: time,
            other: source.map(Box::from),
            transaction: item.transaction().map(Box::from),
        }];
        let mut f = finding(Kind::LoginAfterAttack, &seen, item);
        f.user = Some(user.to_string());
        f.user_field = item.user_field;
        f.source = source.map(str::to_string);
        f.sources = capped([source]);
        for (yes, reason) in [
            (flagged_user, "user under brute force"),
            (
                flagged_ip,
                "from an address flagged for credential stuffing",
            ),
            (many, "after as many failures as the limit"),
        ] {
            if yes {
                f.reasons.push(reason);
            }
        }
        let owasp = format!(
            "authn_login_successafterfail:{},{retries}",
            seclog::owasp::encode(user)
        );
        alerts.push(with_owasp(detect::alert(&f), &owasp));
    }
}

/// A finding of `kind` over the failures `seen` (the last is the record
/// that raised it).
fn finding(kind: Kind, seen: &[Seen], item: &Item) -> Finding {
    let first = seen.iter().map(|s| s.at).min().unwrap_or(0);
    let last = seen.iter().map(|s| s.at).max().unwrap_or(0);
    Finding {
        kind,
        user: None,
        user_field: UserField::Name,
        source: None,
        action: item.action().map(str::to_string),
        first,
        last,
        count: seen.len() as u64,
        distinct_users: 0,
        raised: 1,
        users: Capped::default(),
        sources: Capped::default(),
        resources: Capped::default(),
        transactions: capped(seen.iter().map(|s| s.transaction.as_deref())),
        reasons: Vec::new(),
        max_duration: None,
        budget_ms: None,
    }
}

/// The command's alert record with `seclog.owasp` set to `event`, first
/// in its `seclog` object. The record keeps its members' order (the ECS
/// logging specification's `@timestamp`, `log.level`, `message` first):
/// the member is written into the text, after the one `"seclog":{` that
/// is a key (inside a JSON string a quote is always escaped, so the
/// sequence cannot occur there).
fn with_owasp(alert: String, event: &str) -> String {
    const KEY: &str = r#""seclog":{"#;
    let Some(at) = alert.find(KEY).map(|i| i + KEY.len()) else {
        return alert;
    };
    let member = format!(r#""owasp":{},"#, serde_json::Value::from(event));
    let mut out = String::with_capacity(alert.len() + member.len());
    out.push_str(&alert[..at]);
    out.push_str(&member);
    out.push_str(&alert[at..]);
    out
}

/// The distinct values, the first [`detect::LIST_MAX`] listed.
fn capped<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> Capped {
    let mut c = Capped::default();
    for v in values.into_iter().flatten() {
        if c.items.iter().any(|i| i == v) {
            continue;
        }
        c.total += 1;
        if c.items.len() < detect::LIST_MAX {
            c.items.push(v.to_string());
        }
    }
    c
}

/// What an invocation returns (and its end record logs).
#[derive(Debug, serde::Serialize)]
pub struct Summary {
    /// Log events in the payload.
    pub events: u64,
    /// Login outcomes counted.
    pub counted: u64,
    /// Events that were not seclog records.
    pub skipped: u64,
    /// Alerts written.
    pub alerts: u64,
}

/// Writes each alert as one line, in one write.
fn write_alerts(alerts: &[String]) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for a in alerts {
        let mut line = Vec::with_capacity(a.len() + 1);
        line.extend_from_slice(a.as_bytes());
        line.push(b'\n');
        out.write_all(&line)?;
    }
    out.flush()
}

/// One invocation: the payload counted, the alerts written.
#[seclog::audit(name = "detect", skip(detector, event))]
async fn detect(
    detector: &std::sync::Mutex<FleetDetector>,
    event: lambda_runtime::LambdaEvent<serde_json::Value>,
) -> Result<Summary, DetectError> {
    let payload =
        serde_json::to_vec(&event.payload).map_err(|e| DetectError::Payload(e.to_string()))?;
    let batch = detector
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .process(&payload)?;
    // An alert that cannot be written is lost: the invocation fails, so
    // that Lambda retries the payload.
    write_alerts(&batch.alerts).map_err(|e| DetectError::Write(e.to_string()))?;
    Ok(Summary {
        events: batch.events,
        counted: batch.counted,
        skipped: batch.skipped,
        alerts: batch.alerts.len() as u64,
    })
}

/// The function: checks seclog's and the detector's configuration, then
/// serves invocations until the execution environment ends.
pub fn run() -> Result<(), lambda_runtime::Error> {
    seclog::init()?;
    let detector = std::sync::Mutex::new(FleetDetector::from_env()?);
    let detector = &detector;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(lambda_runtime::run(lambda_runtime::service_fn(
            move |event| detect(detector, event),
        )))
}
