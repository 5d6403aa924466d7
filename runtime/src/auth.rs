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
//! assert_eq!(end["log.level"], "warn");
//! assert_eq!(end["source"]["ip"], "198.51.100.7");
//! # });
//! ```

use crate::context::Context;
use std::borrow::Cow;
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
/// assert_eq!(end["log.level"], "critical");
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
