//! Authentication events: the kinds of `#[derive(AuthEvent)]` and
//! `#[audit(auth = "...")]`, and their OWASP Logging Vocabulary events.

use crate::context::Context;
use crate::record::{EventOutcome, Level};
use std::fmt;

/// A request type that is an authentication attempt. Derive it with
/// `#[derive(seclog::AuthEvent)]`; the derive also implements
/// [`Describe`](crate::context::Describe) so the attempt's claimed user,
/// source address and user agent reach the records.
pub trait AuthEvent {
    /// The kind of attempt: `login`, `logout`, `password_change`,
    /// `token_create`, `token_revoke`, `mfa` or `signup`.
    const KIND: &'static str;
}

impl<T: AuthEvent + ?Sized> AuthEvent for &T {
    const KIND: &'static str = T::KIND;
}

/// The vocabulary event an authentication invocation ends with.
pub(crate) struct EndEvent {
    name: &'static str,
}

impl fmt::Display for EndEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// The vocabulary event for an authentication invocation of `kind` that
/// ended with `outcome`; may raise `level` to the vocabulary's level.
pub(crate) fn end_event(kind: &'static str, outcome: EventOutcome, cx: &Context, level: &mut Level) -> Option<EndEvent> {
    let _ = (kind, outcome, cx, level);
    None
}
