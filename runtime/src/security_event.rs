//! The runtime of `security_event!`: a vocabulary event built argument by
//! argument, correlated with the invocation running on this thread, and
//! counted by the detector; and the `user.hash` of `#[derive(AuthEvent)]`.

use crate::auth_outcome::{self, Identity};
use crate::config::Config;
use crate::context::{Context, Text};
use crate::format::RecordView;
use crate::invocation::with_current_context;
use crate::owasp::push_encoded;
use crate::record::{EventOutcome, Level, Phase};
use crate::state;
use std::cell::RefCell;
use std::fmt::{self, Write as _};

thread_local! {
    /// Scratch text for digests, reused across calls.
    static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Sets `user.hash` to the keyed digest of `value`'s text (the digest
/// `#[redact(hash)]` gives the same text), never the text itself.
pub fn set_user_hash(cx: &mut Context, value: &dyn fmt::Display) {
    let key = &state::current().0.hash_key;
    let digest = SCRATCH
        .try_with(|s| {
            s.try_borrow_mut().ok().map(|mut s| {
                s.clear();
                let _ = write!(s, "{value}");
                let d = key.digest(s.as_bytes());
                // Do not keep the clear value around.
                s.clear();
                d
            })
        })
        .ok()
        .flatten()
        .unwrap_or_else(|| key.digest(value.to_string().as_bytes()));
    cx.set_user_hash(&digest);
}

/// A vocabulary event being built by `security_event!`: the name, then
/// each argument in the vocabulary's order.
pub struct Event {
    name: &'static str,
    level: Level,
    category: &'static str,
    types: &'static str,
    outcome: Option<EventOutcome>,
    text: String,
    /// Length of `text` up to its last non-empty argument: empty arguments
    /// at the end are left out.
    keep: usize,
    args: usize,
    /// The user argument as given (not encoded), for the detector, and
    /// whether it is a digest.
    user: Option<(String, bool)>,
}

impl Event {
    /// Starts the event `name`, written at `level` with these ECS values.
    pub fn new(
        name: &'static str,
        level: Level,
        category: &'static str,
        types: &'static str,
        outcome: Option<EventOutcome>,
    ) -> Event {
        let mut text = String::with_capacity(64);
        text.push_str(name);
        Event {
            name,
            level,
            category,
            types,
            outcome,
            keep: text.len(),
            text,
            args: 0,
            user: None,
        }
    }

    fn begin_arg(&mut self) -> usize {
        self.text.push(if self.args == 0 { ':' } else { ',' });
        self.args += 1;
        self.text.len()
    }

    fn end_arg(&mut self, start: usize) {
        if self.text.len() > start {
            self.keep = self.text.len();
        }
    }

    /// An argument given as text (or `None` for an absent `Option`).
    pub fn text(&mut self, value: Option<&dyn fmt::Display>) {
        let start = self.begin_arg();
        if let Some(v) = value {
            push_encoded(&mut self.text, v);
        }
        self.end_arg(start);
    }

    /// The `userid` argument: the value given, else the current
    /// invocation's user (`user.id`, else `user.name`, else `user.hash`).
    pub fn user(&mut self, value: Option<&dyn fmt::Display>) {
        let user = match value {
            Some(v) => Some((v.to_string(), false)),
            None => with_current_context(|cx| {
                let cx = cx?;
                cx.user_id()
                    .or(cx.user_name())
                    .map(|u| (u.to_string(), false))
                    .or_else(|| cx.user_hash().map(|h| (h.to_string(), true)))
            }),
        };
        let start = self.begin_arg();
        if let Some((u, _)) = &user {
            push_encoded(&mut self.text, u);
        }
        self.end_arg(start);
        self.user = user;
    }

    /// An `ip` argument: the value given, else the invocation's source.
    pub fn ip(&mut self, value: Option<&dyn fmt::Display>) {
        self.arg_or_context(value, Text::Source)
    }

    /// A `useragent` argument: the value given, else the invocation's
    /// `user_agent.original`.
    pub fn user_agent(&mut self, value: Option<&dyn fmt::Display>) {
        self.arg_or_context(value, Text::UserAgent)
    }

    fn arg_or_context(&mut self, value: Option<&dyn fmt::Display>, field: Text) {
        match value {
            Some(v) => self.text(Some(v)),
            None => {
                let start = self.begin_arg();
                let text = &mut self.text;
                with_current_context(|cx| {
                    if let Some(v) = cx.and_then(|cx| cx.get(field)) {
                        push_encoded(text, &v);
                    }
                });
                self.end_arg(start);
            }
        }
    }

    /// The `userid|ip` argument: the user given, else the address given,
    /// else the invocation's user, else its source address.
    pub fn user_or_ip(&mut self, user: Option<&dyn fmt::Display>, ip: Option<&dyn fmt::Display>) {
        match (user, ip) {
            (Some(u), _) => self.user(Some(u)),
            (None, Some(ip)) => self.text(Some(ip)),
            (None, None) => {
                let known = with_current_context(|cx| {
                    cx.is_some_and(|cx| {
                        cx.user_id().or(cx.user_name()).or(cx.user_hash()).is_some()
                    })
                });
                if known {
                    self.user(None)
                } else {
                    self.ip(None)
                }
            }
        }
    }

    /// A parenthesised list argument, `(a,b,c)`, each item encoded.
    pub fn list<I>(&mut self, items: I)
    where
        I: IntoIterator,
        I::Item: fmt::Display,
    {
        let start = self.begin_arg();
        self.text.push('(');
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.text.push(',');
            }
            push_encoded(&mut self.text, &item);
        }
        self.text.push(')');
        self.end_arg(start);
    }

    /// The `check:result` argument of `upload_validation`; the event is
    /// `critical` unless the result is `passed`.
    pub fn check_result(
        &mut self,
        check: Option<&dyn fmt::Display>,
        result: Option<&dyn fmt::Display>,
    ) {
        let start = self.begin_arg();
        if let Some(c) = check {
            push_encoded(&mut self.text, c);
        }
        self.text.push(':');
        let result_start = self.text.len();
        if let Some(r) = result {
            push_encoded(&mut self.text, r);
        }
        if !self.text[result_start..]
            .trim()
            .eq_ignore_ascii_case("passed")
        {
            self.level = self.level.max(Level::Critical);
        }
        self.end_arg(start);
    }

    /// Writes the event, correlated with the invocation running on this
    /// thread (its `transaction.id` and 4 W's), or with a fresh
    /// `transaction.id` outside one. `authn_login_fail` is counted by the
    /// detector and `authn_login_success` resets its count.
    pub fn emit(mut self) {
        self.text.truncate(self.keep);
        let config = state::current();
        with_current_context(|cx| match cx {
            Some(cx) => self.emit_in(config, cx),
            None => {
                let mut fresh = Context::new(config.0.limits.max_string_bytes);
                fresh.set_new_transaction_id();
                self.emit_in(config, &fresh)
            }
        })
    }

    fn emit_in(&self, config: Config, cx: &Context) {
        let text: &str = &self.text;
        let mut view = RecordView::new(self.level, Phase::Event, self.name);
        view.category = self.category;
        view.types = self.types;
        view.outcome = self.outcome;
        view.cx = Some(cx);
        view.transaction = cx.get(Text::TransactionId);
        view.owasp = Some(&text);
        crate::emit::emit(config, &mut view);
        let identity = self.user.as_ref().map(|(u, digest)| {
            if *digest {
                Identity::Digest(u)
            } else {
                Identity::Clear(u)
            }
        });
        match self.name {
            "authn_login_fail" => {
                if let Some(follow_up) = auth_outcome::count_failure(identity, cx) {
                    follow_up.report(config);
                }
            }
            "authn_login_success" => {
                crate::monitor::current().success(identity.map(Identity::text));
            }
            _ => {}
        }
    }
}
