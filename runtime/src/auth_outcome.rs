//! What an authentication attempt's outcome writes: the OWASP vocabulary
//! event of an authentication invocation's end record (see
//! [`auth`](crate::auth) for the table), the detector's count of a failed
//! login, and the records the detector's findings add after it.

use crate::config::Config;
use crate::context::{Context, Text};
use crate::emit;
use crate::format::RecordView;
use crate::monitor::{self, Findings};
use crate::record::{EventOutcome, Level, Phase};
use crate::state;
use std::fmt;

/// One argument of an event string.
#[derive(Clone, Copy)]
pub(crate) enum Arg<'a> {
    /// Text, its secrets' shapes replaced and encoded when written.
    Text(&'a str),
    /// A number.
    Number(u32),
}

impl fmt::Display for Arg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Text(t) => f.write_str(&crate::owasp::encode_scanned(t)),
            Arg::Number(n) => write!(f, "{n}"),
        }
    }
}

/// An event string: the name and up to two arguments; empty arguments at
/// the end are left out.
pub(crate) struct EventText<'a> {
    pub(crate) name: &'static str,
    pub(crate) args: [Option<Arg<'a>>; 2],
}

impl fmt::Display for EventText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)?;
        let empty = |a: &Option<Arg<'_>>| matches!(a, None | Some(Arg::Text("")));
        let n = self
            .args
            .iter()
            .rposition(|a| !empty(a))
            .map_or(0, |i| i + 1);
        for (i, arg) in self.args[..n].iter().enumerate() {
            f.write_str(if i == 0 { ":" } else { "," })?;
            if let Some(a) = arg {
                a.fmt(f)?;
            }
        }
        Ok(())
    }
}

/// The claimed identity of an attempt, as logged.
#[derive(Clone, Copy)]
pub(crate) enum Identity<'a> {
    /// `user.name` or `user.id`: the text itself.
    Clear(&'a str),
    /// `user.hash`: a keyed digest.
    Digest(&'a str),
}

impl<'a> Identity<'a> {
    pub(crate) fn text(self) -> &'a str {
        match self {
            Identity::Clear(t) | Identity::Digest(t) => t,
        }
    }
}

/// The identity an authentication attempt is about: the claimed user
/// (`user.name`, else `user.hash`), else the authenticated one (`user.id`).
fn attempt_identity(cx: &Context) -> Option<Identity<'_>> {
    cx.user_name()
        .map(Identity::Clear)
        .or_else(|| cx.user_hash().map(Identity::Digest))
        .or_else(|| cx.user_id().map(Identity::Clear))
}

/// The vocabulary event an authentication invocation ends with. When the
/// failure it reports crossed a detector threshold, the detector's records
/// are written as it is dropped, that is right after the end record that
/// carries it.
pub(crate) struct EndEvent<'a> {
    text: EventText<'a>,
    follow_up: Option<FollowUp<'a>>,
}

impl fmt::Display for EndEvent<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.text.fmt(f)
    }
}

impl Drop for EndEvent<'_> {
    fn drop(&mut self) {
        if let Some(f) = self.follow_up.take() {
            f.report(state::current());
        }
    }
}

/// What the detector found on a failure, to be written after the record
/// that reports the failure.
pub(crate) struct FollowUp<'a> {
    pub(crate) findings: Findings,
    pub(crate) user: Option<&'a str>,
    pub(crate) cx: &'a Context,
    pub(crate) settings: monitor::Settings,
}

/// Counts a failed attempt of `identity` from the context's source.
pub(crate) fn count_failure<'a>(
    identity: Option<Identity<'a>>,
    cx: &'a Context,
) -> Option<FollowUp<'a>> {
    let m = monitor::current();
    let source = cx.source();
    let findings = match identity {
        Some(Identity::Digest(d)) => m.failure_by_digest(d, source),
        Some(Identity::Clear(u)) => m.failure(Some(u), source),
        None => m.failure(None, source),
    };
    (findings.user_limit_reached || findings.ip_limit_reached).then(|| FollowUp {
        findings,
        user: identity.map(Identity::text),
        cx,
        settings: m.settings().clone(),
    })
}

impl FollowUp<'_> {
    /// Writes `authn_login_fail_max` and the credential-stuffing alert.
    pub(crate) fn report(self, config: Config) {
        let cx = self.cx;
        if self.findings.user_limit_reached {
            let text = EventText {
                name: "authn_login_fail_max",
                args: [
                    self.user.map(Arg::Text),
                    Some(Arg::Number(self.settings.user_max_failures)),
                ],
            };
            let mut view = RecordView::new(Level::Warn, Phase::Event, "authn_login_fail_max");
            view.category = "authentication";
            view.outcome = Some(EventOutcome::Failure);
            view.cx = Some(cx);
            view.transaction = cx.get(Text::TransactionId);
            view.owasp = Some(&text);
            emit::emit(config, &mut view);
        }
        if self.findings.ip_limit_reached {
            let users = self.findings.ip_distinct_users;
            let window = humantime::format_duration(self.settings.ip_window);
            let source = cx.source().unwrap_or("one address");
            let message = format_args!(
                "{users} distinct users failed to authenticate from {source} within {window}: credential stuffing or password spraying"
            );
            let mut payload = |obj: &mut crate::redact::Object<'_>| {
                obj.field_with("monitor", |out| {
                    let mut o = out.object();
                    o.field_with("distinct_users", |out| out.u64(users.into()));
                    o.field_with("window_seconds", |out| {
                        out.u64(self.settings.ip_window.as_secs())
                    });
                })
            };
            let mut view = RecordView::new(Level::Critical, Phase::Event, "credential_stuffing");
            view.kind = "alert";
            view.category = "intrusion_detection";
            view.outcome = Some(EventOutcome::Failure);
            view.cx = Some(cx);
            view.transaction = cx.get(Text::TransactionId);
            view.message = Some(&message);
            view.payload = Some(&mut payload);
            emit::emit(config, &mut view);
        }
    }
}

/// The vocabulary event for an authentication invocation of `kind` that
/// ended with `outcome`; raises `level` to the vocabulary's level. Failed
/// logins are counted by the detector, and a successful login after
/// recent failures becomes `authn_login_successafterfail`.
pub(crate) fn end_event<'a>(
    kind: &'static str,
    outcome: EventOutcome,
    cx: &'a Context,
    level: &mut Level,
) -> Option<EndEvent<'a>> {
    let who = attempt_identity(cx);
    let user = who.map(|i| Arg::Text(i.text()));
    let success = match outcome {
        EventOutcome::Success => true,
        EventOutcome::Failure => false,
        EventOutcome::Unknown => return None,
    };
    let mut follow_up = None;
    let (name, args, vocab_level) = match (kind, success) {
        ("login" | "mfa", true) => {
            let retries = monitor::current().success(who.map(Identity::text));
            if retries > 0 {
                (
                    "authn_login_successafterfail",
                    [user, Some(Arg::Number(retries))],
                    Level::Info,
                )
            } else {
                ("authn_login_success", [user, None], Level::Info)
            }
        }
        ("login" | "mfa", false) => {
            follow_up = count_failure(who, cx);
            ("authn_login_fail", [user, None], Level::Warn)
        }
        ("logout", true) => (
            "session_expired",
            [user, Some(Arg::Text("logout"))],
            Level::Info,
        ),
        ("password_change", true) => ("authn_password_change", [user, None], Level::Info),
        ("password_change", false) => ("authn_password_change_fail", [user, None], Level::Critical),
        ("token_create", true) => ("authn_token_created", [user, None], Level::Info),
        ("token_revoke", true) => ("authn_token_revoked", [user, None], Level::Info),
        ("signup", true) => {
            let actor = cx.user_id().map(Arg::Text).or(user);
            ("user_created", [actor, user], Level::Warn)
        }
        _ => return None,
    };
    *level = (*level).max(vocab_level);
    Some(EndEvent {
        text: EventText { name, args },
        follow_up,
    })
}
