//! Authentication events: the kinds of `#[derive(AuthEvent)]` and
//! `#[audit(auth = "...")]`, and their OWASP Logging Vocabulary events.
//!
//! An audited handler that takes an [`AuthEvent`] argument (or is marked
//! `#[audit(auth = "KIND")]`) writes `event.category: ["authentication"]`
//! and, on its end record, the vocabulary event of its outcome in
//! `seclog.owasp`, at (at least) the vocabulary's level:
//!
//! | kind | success | failure |
//! |---|---|---|
//! | `login` | `authn_login_success:<user>` (info), or `authn_login_successafterfail:<user>,<retries>` (info) after failures within the detector's window | `authn_login_fail:<user>` (warn), counted by the [detector](crate::monitor) |
//! | `mfa` | as `login` (a second factor is part of logging in) | as `login`, counted by the detector |
//! | `logout` | `session_expired:<user>,logout` (info) | none |
//! | `password_change` | `authn_password_change:<user>` (info) | `authn_password_change_fail:<user>` (critical) |
//! | `token_create` | `authn_token_created:<user>` (info) | none |
//! | `token_revoke` | `authn_token_revoked:<user>` (info) | none |
//! | `signup` | `user_created:<actor>,<user>` (warn) | none |
//!
//! `<user>` is the attempt's claimed identity: `user.name`, else
//! `user.hash` (the digest, never the clear value), else `user.id`.
//! `<actor>` of a signup is `user.id` when the handler knows one (an admin
//! creating an account), else the new user. Arguments seclog cannot know
//! (a token's entitlements or id) are left out from the end of the event.
//! A cancelled invocation writes no event. Every argument is
//! [percent-encoded](crate::owasp).
//!
//! The outcome is the invocation's: `Err` is a failure, a response whose
//! [`Outcome`](crate::Outcome) says so (an HTTP status >= 400) is a
//! failure, and anything else is a success.
//!
//! ```
//! #[derive(serde::Serialize, seclog::AuthEvent)]
//! #[auth(login)]
//! struct Login {
//!     #[auth(user)]
//!     username: String,
//!     #[serde(skip)]
//!     password: String,
//!     #[auth(source_ip)]
//!     ip: std::net::IpAddr,
//! }
//!
//! #[seclog::audit]
//! fn login(req: Login) -> Result<(), &'static str> {
//!     if req.password == "correct horse" { Ok(()) } else { Err("bad credentials") }
//! }
//!
//! # seclog::monitor::Monitor::new(Default::default()).unwrap().scope(|| {
//! let ip = "198.51.100.7".parse().unwrap();
//! let run = seclog::testing::capture(|| login(Login { username: "alice".into(), password: "guess".into(), ip }));
//! let end = &run.records()[1];
//! assert_eq!(end["event"]["category"][0], "authentication");
//! assert_eq!(end["seclog"]["owasp"], "authn_login_fail:alice");
//! assert_eq!(end["log"]["level"], "warn");
//! assert_eq!(end["source"]["ip"], "198.51.100.7");
//! # });
//! ```

use crate::config::Config;
use crate::context::{Context, Text};
use crate::format::RecordView;
use crate::monitor::{self, Findings};
use crate::record::{EventOutcome, Level, Phase};
use crate::state;
use std::borrow::Cow;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::rc::Rc;
use std::sync::Arc;

/// A request type that is an authentication attempt. Derive it with
/// `#[derive(seclog::AuthEvent)]`; the derive also implements
/// [`Describe`](crate::context::Describe) so the attempt's claimed user,
/// source address and user agent reach the records.
///
/// The derive takes the kind on the type, `#[auth(KIND)]` (`login`,
/// `logout`, `password_change`, `token_create`, `token_revoke`, `mfa`,
/// `signup`), and marks at most one field for each role:
///
/// | field attribute | record field | field type |
/// |---|---|---|
/// | `#[auth(user)]` | `user.name`, or `user.hash` when the field is redacted | anything `Display`, or an `Option` of it |
/// | `#[auth(source_ip)]` | `source.ip` (or `source.address` when not an IP) | text or an IP address ([`SourceAddress`]) |
/// | `#[auth(user_agent)]` | `user_agent.original` | anything `Display`, or an `Option` of it |
///
/// With `#[derive(seclog::Redact)]` on the same type, a user field marked
/// `#[redact(hash)]` gives `user.hash`, the keyed digest of the value (the
/// same digest `seclog.input` shows for it), and the clear value appears
/// nowhere. A user field redacted any other way (`#[redact]`,
/// `#[redact(keep_last = N)]`, ...) is treated the same way: the claimed
/// identity never appears in the clear, but its digest still lets the
/// [detector](crate::monitor) count failures per user and lets one user's
/// attempts be correlated. Only `#[redact(serialize)]` leaves it clear.
///
/// ```
/// #[derive(seclog::Redact, seclog::AuthEvent)]
/// #[auth(password_change)]
/// struct ChangePassword {
///     #[auth(user)]
///     #[redact(hash)]
///     email: String,
///     #[redact]
///     old_password: String,
///     #[redact]
///     new_password: String,
/// }
///
/// #[seclog::audit]
/// fn change_password(req: ChangePassword) -> Result<(), String> {
///     Err("the old password does not match".into())
/// }
///
/// let req = ChangePassword { email: "alice@example.com".into(), old_password: "a".into(), new_password: "b".into() };
/// // The key comes from `SECLOG_HASH_KEY` or the builder.
/// let config = seclog::builder().hash_key("at least sixteen random bytes").build().unwrap();
/// let run = seclog::testing::capture_with(config, || change_password(req));
/// let end = &run.records()[1];
/// let digest = end["user"]["hash"].as_str().unwrap();
/// assert_eq!(end["seclog"]["owasp"], format!("authn_password_change_fail:{digest}"));
/// assert_eq!(end["log"]["level"], "critical");
/// assert!(!run.lines.iter().any(|l| l.contains("alice@example.com")));
/// ```
pub trait AuthEvent {
    /// The kind of attempt: `login`, `logout`, `password_change`,
    /// `token_create`, `token_revoke`, `mfa` or `signup`.
    const KIND: &'static str;
}

impl<T: AuthEvent + ?Sized> AuthEvent for &T {
    const KIND: &'static str = T::KIND;
}

/// A field type that can be an `#[auth(source_ip)]` field: text (`String`,
/// `&str`, `Cow<str>`, `Box<str>`, `Rc<str>`, `Arc<str>`), an IP address
/// (`IpAddr`, `Ipv4Addr`, `Ipv6Addr`), a socket address (its IP is used),
/// or an `Option` of one. Implement it for your own address type.
///
/// ```
/// use seclog::auth::SourceAddress;
/// use seclog::context::Context;
///
/// struct ClientAddr([u8; 4]);
///
/// impl SourceAddress for ClientAddr {
///     fn describe_source(&self, cx: &mut Context) {
///         cx.set_source(&std::net::Ipv4Addr::from(self.0));
///     }
/// }
///
/// #[derive(serde::Serialize, seclog::AuthEvent)]
/// #[auth(logout)]
/// struct Logout {
///     #[serde(skip)]
///     #[auth(source_ip)]
///     addr: ClientAddr,
/// }
///
/// #[seclog::audit]
/// fn logout(req: Logout) {}
///
/// let run = seclog::testing::capture(|| logout(Logout { addr: ClientAddr([192, 0, 2, 10]) }));
/// assert_eq!(run.records()[1]["source"]["ip"], "192.0.2.10");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an `#[auth(source_ip)]` field: it is neither text nor an IP address",
    label = "the requester's address must be text or an IP address",
    note = "use `String`, `&str`, `std::net::IpAddr` (or `Ipv4Addr`, `Ipv6Addr`, `SocketAddr`), or an `Option` of one; or implement `seclog::auth::SourceAddress` for `{Self}`"
)]
pub trait SourceAddress {
    /// Sets the requester's address on `cx` (see
    /// [`Context::set_source`]); sets nothing when there is none.
    fn describe_source(&self, cx: &mut Context);
}

macro_rules! source_as_display {
    ($($t:ty),*) => {$(
        impl SourceAddress for $t {
            fn describe_source(&self, cx: &mut Context) {
                cx.set_source(self)
            }
        }
    )*};
}
source_as_display!(
    String,
    IpAddr,
    Ipv4Addr,
    Ipv6Addr,
    Rc<str>,
    Arc<str>,
    Cow<'_, str>
);

impl SourceAddress for str {
    fn describe_source(&self, cx: &mut Context) {
        cx.set_source(&self)
    }
}

macro_rules! source_as_socket {
    ($($t:ty),*) => {$(
        impl SourceAddress for $t {
            fn describe_source(&self, cx: &mut Context) {
                cx.set_source(&self.ip())
            }
        }
    )*};
}
source_as_socket!(SocketAddr, SocketAddrV4, SocketAddrV6);

impl<T: SourceAddress + ?Sized> SourceAddress for &T {
    fn describe_source(&self, cx: &mut Context) {
        (**self).describe_source(cx)
    }
}

impl<T: SourceAddress + ?Sized> SourceAddress for Box<T> {
    fn describe_source(&self, cx: &mut Context) {
        (**self).describe_source(cx)
    }
}

impl<T: SourceAddress> SourceAddress for Option<T> {
    fn describe_source(&self, cx: &mut Context) {
        if let Some(v) = self {
            v.describe_source(cx)
        }
    }
}

// ---------------------------------------------------------------------------
// The vocabulary event of an authentication invocation's end record.
// ---------------------------------------------------------------------------

/// One argument of an event string.
#[derive(Clone, Copy)]
pub(crate) enum Arg<'a> {
    /// Text, encoded when written.
    Text(&'a str),
    /// A number.
    Number(u32),
}

impl fmt::Display for Arg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Text(t) => f.write_str(&crate::owasp::encode(t)),
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
            crate::emit::emit(config, &mut view);
        }
        if self.findings.ip_limit_reached {
            let users = self.findings.ip_distinct_users;
            let window = humantime::format_duration(self.settings.ip_window);
            let source = cx.source().unwrap_or("one address");
            let message = format_args!(
                "{users} distinct users failed to authenticate from {source} within {window}: credential stuffing or password spraying"
            );
            let mut payload = |obj: &mut crate::Object<'_>| {
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
            crate::emit::emit(config, &mut view);
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
