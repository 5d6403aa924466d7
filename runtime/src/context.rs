//! Where the 4 W's come from.
//!
//! *When* is measured by seclog; *What* is the handler (its name, category,
//! outcome). *Who* and *Where* come, per invocation, from three places, each
//! overriding the one before:
//!
//! 1. the process: `service.name` (`SECLOG_SERVICE`, else
//!    `AWS_LAMBDA_FUNCTION_NAME`, else the executable's name), and on AWS
//!    Lambda `faas.name`, `faas.version`, `cloud.provider`, `cloud.region`;
//! 2. the arguments: any argument whose type implements [`Describe`]
//!    (request types of the integrations, `#[derive(AuthEvent)]` types);
//! 3. the attribute: `who = ...`, `source_ip = ...`, `user_agent = ...`.
//!
//! All of it is attacker-influenced text: each value is bounded to the
//! string limit and escaped when written.

use std::fmt::{self, Write as _};
use std::net::IpAddr;

/// A type that knows some of an invocation's 4 W's.
///
/// `#[audit]` calls [`Describe::describe`] on every argument whose type
/// implements it, logged or skipped, before the body runs.
///
/// ```
/// use seclog::context::{Context, Describe};
///
/// struct Request { caller: String, ip: std::net::IpAddr }
///
/// impl Describe for Request {
///     fn describe(&self, cx: &mut Context) {
///         cx.set_user_id(&self.caller);
///         cx.set_source(&self.ip);
///     }
/// }
///
/// #[seclog::audit(skip(req))]
/// fn handle(req: Request) {}
///
/// let run = seclog::testing::capture(|| {
///     handle(Request { caller: "u-42".into(), ip: "203.0.113.9".parse().unwrap() })
/// });
/// let start = &run.records()[0];
/// assert_eq!(start["user"]["id"], "u-42");
/// assert_eq!(start["source"]["ip"], "203.0.113.9");
/// ```
pub trait Describe {
    /// Adds what this value knows to `cx`.
    fn describe(&self, cx: &mut Context);
}

impl<T: Describe + ?Sized> Describe for &T {
    fn describe(&self, cx: &mut Context) {
        (**self).describe(cx)
    }
}

impl<T: Describe + ?Sized> Describe for &mut T {
    fn describe(&self, cx: &mut Context) {
        (**self).describe(cx)
    }
}

impl<T: Describe + ?Sized> Describe for Box<T> {
    fn describe(&self, cx: &mut Context) {
        (**self).describe(cx)
    }
}

/// What the value knows, when there is one (an optional extractor's).
impl<T: Describe> Describe for Option<T> {
    fn describe(&self, cx: &mut Context) {
        if let Some(v) = self {
            v.describe(cx)
        }
    }
}

/// A text field of the context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub(crate) enum Text {
    UserId,
    UserName,
    UserHash,
    Source,
    UserAgent,
    UrlPath,
    HttpMethod,
    TraceId,
    RequestId,
    FaasId,
    FaasName,
    FaasVersion,
    TriggerType,
    Action,
    TransactionId,
}

const TEXTS: usize = Text::TransactionId as usize + 1;

/// The per-invocation 4 W's. Handed to [`Describe::describe`]; reused
/// across invocations so it allocates nothing in steady state.
pub struct Context {
    text: String,
    spans: [Option<(u32, u32)>; TEXTS],
    source_is_ip: bool,
    /// `transaction.id` is an id seclog made ([`Context::set_new_transaction_id`]):
    /// hex digits, no data, nothing to scan.
    own_transaction: bool,
    coldstart: Option<bool>,
    limit: usize,
    /// Whether a value was cut to the limit (and marked where it was cut).
    cut: bool,
    /// The inputs, already written as JSON, for `emit = "end"`.
    pub(crate) inputs: Vec<u8>,
    pub(crate) inputs_truncated: bool,
    /// The members of the start record that the end record repeats (the
    /// 4 W's this context describes), as written; empty until then.
    pub(crate) header: Vec<u8>,
    pub(crate) memory_limit_bytes: Option<u64>,
    pub(crate) deadline_ms: Option<u64>,
    auth_kind: Option<&'static str>,
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Context");
        for (i, name) in [
            "user.id",
            "user.name",
            "user.hash",
            "source",
            "user_agent",
            "url.path",
            "http.request.method",
            "trace.id",
        ]
        .iter()
        .enumerate()
        {
            if let Some(v) = self.get_index(i) {
                d.field(name, &v);
            }
        }
        d.finish_non_exhaustive()
    }
}

/// Writes `Display` output into a String up to a byte limit on a character
/// boundary, counting the bytes past it.
struct Bounded<'a> {
    out: &'a mut String,
    room: usize,
    cut: usize,
}

impl fmt::Write for Bounded<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if s.len() <= self.room {
            self.out.push_str(s);
            self.room -= s.len();
        } else {
            let kept = crate::json::floor_char_boundary(s, self.room);
            self.out.push_str(&s[..kept]);
            self.room = 0;
            self.cut += s.len() - kept;
        }
        Ok(())
    }
}

impl Context {
    pub(crate) fn new(limit: usize) -> Self {
        Context {
            text: String::new(),
            spans: [None; TEXTS],
            source_is_ip: false,
            own_transaction: false,
            coldstart: None,
            limit,
            cut: false,
            inputs: Vec::new(),
            inputs_truncated: false,
            header: Vec::new(),
            memory_limit_bytes: None,
            deadline_ms: None,
            auth_kind: None,
        }
    }

    pub(crate) fn reset(&mut self, limit: usize) {
        self.text.clear();
        self.spans = [None; TEXTS];
        self.source_is_ip = false;
        self.own_transaction = false;
        self.coldstart = None;
        self.limit = limit;
        self.cut = false;
        self.inputs.clear();
        self.inputs_truncated = false;
        self.header.clear();
        self.memory_limit_bytes = None;
        self.deadline_ms = None;
        self.auth_kind = None;
    }

    pub(crate) fn set(&mut self, field: Text, value: &dyn fmt::Display) {
        let start = self.text.len();
        let limit = self.kept_limit();
        let mut bounded = Bounded {
            out: &mut self.text,
            room: limit,
            cut: 0,
        };
        let _ = write!(bounded, "{value}");
        let cut = bounded.cut;
        if cut > 0 {
            // Marked as every cut string is, the marker within the limit.
            let total = self.text.len() - start + cut;
            let marker = "…[truncated  bytes]".len() + total.to_string().len();
            let kept =
                crate::json::floor_char_boundary(&self.text[start..], limit.saturating_sub(marker));
            self.text.truncate(start + kept);
            let _ = write!(self.text, "…[truncated {} bytes]", total - kept);
            self.cut = true;
        }
        self.spans[field as usize] = Some((start as u32, self.text.len() as u32));
    }

    /// Whether a value was cut to the string limit, or left out.
    pub(crate) fn has_cut(&self) -> bool {
        self.cut
    }

    /// Records that a value was left out (its `Display` panicked).
    pub(crate) fn mark_cut(&mut self) {
        self.cut = true
    }

    /// How much of a value is kept: the string limit and as much again as
    /// the writer scans past it for secrets' shapes, so that the writer,
    /// which scans before it cuts, makes the cut at the limit (a secret
    /// that begins before it is replaced whole). A value longer than that
    /// is cut and marked here; its count is then of what was kept.
    fn kept_limit(&self) -> usize {
        self.limit.saturating_add(crate::json::SCAN_PAST_CUT)
    }

    pub(crate) fn set_str(&mut self, field: Text, value: &str) {
        if value.len() > self.kept_limit() {
            // Cut and marked as `set` does.
            return self.set(field, &value);
        }
        let start = self.text.len();
        self.text.push_str(value);
        self.spans[field as usize] = Some((start as u32, self.text.len() as u32));
    }

    /// Sets `transaction.id` to a new id of seclog's own.
    pub(crate) fn set_new_transaction_id(&mut self) {
        self.set_str(Text::TransactionId, crate::id::new_id().as_str());
        self.own_transaction = true;
    }

    /// `transaction.id` as logged: scanned for secrets' shapes (it may be
    /// the platform's request id, or one the handler took from its
    /// request) unless seclog made it.
    pub(crate) fn transaction_id(&self) -> Option<std::borrow::Cow<'_, str>> {
        let id = self.get(Text::TransactionId)?;
        Some(if self.own_transaction {
            std::borrow::Cow::Borrowed(id)
        } else {
            crate::redact_text(id)
        })
    }

    /// Whether `transaction.id` is an id seclog made.
    pub(crate) fn transaction_is_own(&self) -> bool {
        self.own_transaction
    }

    /// Makes `field` read the same stored text as `from`, without copying.
    pub(crate) fn alias(&mut self, field: Text, from: Text) {
        self.spans[field as usize] = self.spans[from as usize];
    }

    pub(crate) fn get(&self, field: Text) -> Option<&str> {
        self.get_index(field as usize)
    }

    fn get_index(&self, i: usize) -> Option<&str> {
        self.spans[i].and_then(|(a, b)| self.text.get(a as usize..b as usize))
    }

    pub(crate) fn source_is_ip(&self) -> bool {
        self.source_is_ip
    }

    pub(crate) fn coldstart(&self) -> Option<bool> {
        self.coldstart
    }

    /// `user.id`: the authenticated user (for example an authorizer's `sub`).
    pub fn set_user_id(&mut self, id: &dyn fmt::Display) {
        self.set(Text::UserId, id)
    }

    /// `user.name`: the claimed identity (for example a login's username).
    pub fn set_user_name(&mut self, name: &dyn fmt::Display) {
        self.set(Text::UserName, name)
    }

    /// `user.hash`: a keyed digest standing for the user.
    pub fn set_user_hash(&mut self, hash: &dyn fmt::Display) {
        self.set(Text::UserHash, hash)
    }

    /// The requester's address: `source.ip` when it parses as an IP
    /// address, else `source.address`.
    pub fn set_source(&mut self, address: &dyn fmt::Display) {
        self.set(Text::Source, address);
        self.source_is_ip = self
            .get(Text::Source)
            .is_some_and(|s| s.parse::<IpAddr>().is_ok());
    }

    /// `user_agent.original`.
    pub fn set_user_agent(&mut self, ua: &dyn fmt::Display) {
        self.set(Text::UserAgent, ua)
    }

    /// `url.path`.
    pub fn set_url_path(&mut self, path: &dyn fmt::Display) {
        self.set(Text::UrlPath, path)
    }

    /// `http.request.method`.
    pub fn set_http_method(&mut self, method: &dyn fmt::Display) {
        self.set(Text::HttpMethod, method)
    }

    /// `trace.id` (for example the X-Ray trace id).
    pub fn set_trace_id(&mut self, id: &dyn fmt::Display) {
        self.set(Text::TraceId, id)
    }

    /// `faas.execution`: the platform's request id. It also becomes the
    /// invocation's `transaction.id`.
    pub fn set_request_id(&mut self, id: &dyn fmt::Display) {
        self.set(Text::RequestId, id)
    }

    /// `faas.id`: the function's unique id (on AWS, its ARN).
    pub fn set_faas_id(&mut self, id: &dyn fmt::Display) {
        self.set(Text::FaasId, id)
    }

    /// `faas.name`.
    pub fn set_faas_name(&mut self, name: &dyn fmt::Display) {
        self.set(Text::FaasName, name)
    }

    /// `faas.version`.
    pub fn set_faas_version(&mut self, version: &dyn fmt::Display) {
        self.set(Text::FaasVersion, version)
    }

    /// `faas.trigger.type` (ECS values: `http`, `pubsub`, `datasource`,
    /// `timer`, `other`).
    pub fn set_trigger_type(&mut self, trigger: &'static str) {
        self.set_str(Text::TriggerType, trigger)
    }

    /// `event.action`, in place of the handler's name: what a request
    /// names itself, such as the matched route of
    /// `integrations::axum::AuditLayer` (feature `axum`)
    /// (`GET /invoices/{id}`). Like every text here it is bounded; keep it
    /// to a small set of values, as dashboards and metrics group by it.
    ///
    /// ```
    /// use seclog::context::{Context, Describe};
    ///
    /// struct Operation(&'static str);
    ///
    /// impl Describe for Operation {
    ///     fn describe(&self, cx: &mut Context) {
    ///         cx.set_action(&self.0);
    ///     }
    /// }
    ///
    /// #[seclog::audit(skip(op))]
    /// fn graphql(op: Operation) {}
    ///
    /// let run = seclog::testing::capture(|| graphql(Operation("createInvoice")));
    /// assert_eq!(run.records()[1]["event"]["action"], "createInvoice");
    /// ```
    pub fn set_action(&mut self, action: &dyn fmt::Display) {
        self.set(Text::Action, action);
        // The action names the records and their summary quotes it, which
        // seclog writes as words of its own; taken from a request (an
        // operation's name), it is data: a secret's shape in it is
        // replaced here, once.
        let redacted = match self.get(Text::Action).map(crate::redact_text) {
            Some(std::borrow::Cow::Owned(text)) => text,
            _ => return,
        };
        self.set_str(Text::Action, &redacted);
    }

    /// The action set with [`set_action`](Self::set_action), if any.
    pub(crate) fn action(&self) -> Option<&str> {
        self.get(Text::Action)
    }

    /// Takes from `outer`, the context of the invocation this one runs
    /// inside, every who and where this one did not find itself: both are
    /// part of the same request. The action, the transaction (set apart)
    /// and the authentication kind stay this invocation's own.
    pub(crate) fn inherit(&mut self, outer: &Context) {
        for i in 0..TEXTS {
            if i == Text::Action as usize || i == Text::TransactionId as usize {
                continue;
            }
            if self.spans[i].is_some() {
                // The request's path an argument gave (a `Uri`, which knows
                // no route) yields to the outer context's, where a route
                // redacted its sensitive parameters.
                let redacted = (i == Text::UrlPath as usize)
                    .then(|| outer.get_index(i))
                    .flatten()
                    .filter(|outer| {
                        self.get_index(i)
                            .is_some_and(|own| is_redaction_of(outer, own))
                    });
                if let Some(value) = redacted {
                    let start = self.text.len();
                    self.text.push_str(value);
                    self.spans[i] = Some((start as u32, self.text.len() as u32));
                }
                continue;
            }
            if let Some(value) = outer.get_index(i) {
                // Already bounded and marked by the outer context.
                let start = self.text.len();
                self.text.push_str(value);
                self.spans[i] = Some((start as u32, self.text.len() as u32));
                if i == Text::Source as usize {
                    self.source_is_ip = outer.source_is_ip;
                }
                self.cut |= outer.cut;
            }
        }
        if self.coldstart.is_none() {
            self.coldstart = outer.coldstart;
        }
    }

    /// `faas.coldstart`.
    pub fn set_coldstart(&mut self, cold: bool) {
        self.coldstart = Some(cold)
    }

    /// `seclog.memory.limit_bytes`.
    pub fn set_memory_limit_bytes(&mut self, bytes: u64) {
        self.memory_limit_bytes = Some(bytes)
    }

    /// The invocation's deadline, in milliseconds since the Unix epoch; the
    /// end record then carries `seclog.time_left_ms`.
    pub fn set_deadline_ms(&mut self, deadline: u64) {
        self.deadline_ms = Some(deadline)
    }

    /// Marks the invocation as an authentication attempt of `kind` (done
    /// by `#[derive(AuthEvent)]` types; see [`AuthEvent`](crate::AuthEvent)).
    pub fn set_auth_kind(&mut self, kind: &'static str) {
        self.auth_kind = Some(kind)
    }

    /// The authentication kind, if the invocation is an attempt.
    pub fn auth_kind(&self) -> Option<&'static str> {
        self.auth_kind
    }

    /// The claimed user (`user.name`) recorded so far, if any.
    pub fn user_name(&self) -> Option<&str> {
        self.get(Text::UserName)
    }

    /// The user digest (`user.hash`) recorded so far, if any.
    pub fn user_hash(&self) -> Option<&str> {
        self.get(Text::UserHash)
    }

    /// The user recorded so far (`user.id`), if any.
    pub fn user_id(&self) -> Option<&str> {
        self.get(Text::UserId)
    }

    /// The requester's address recorded so far, if any.
    pub fn source(&self) -> Option<&str> {
        self.get(Text::Source)
    }
}

/// What a newtype pattern took out of an argument of type `W`
/// (`ConnectInfo(addr): ConnectInfo<SocketAddr>` gives `addr`), so a
/// [`Describe`] implementation for `Unwrapped<W, T>` can describe the
/// value as the wrapper would have been described. `#[audit]`'s expansion
/// names it (through `__private`).
#[doc(hidden)]
pub struct Unwrapped<'a, W: ?Sized, T: ?Sized> {
    /// The value taken out of the wrapper.
    pub value: &'a T,
    _wrapper: std::marker::PhantomData<fn() -> *const W>,
}

impl<'a, W: ?Sized, T: ?Sized> Unwrapped<'a, W, T> {
    /// `value`, taken out of a `W`.
    #[inline]
    pub fn new(value: &'a T) -> Self {
        Unwrapped {
            value,
            _wrapper: std::marker::PhantomData,
        }
    }
}

/// The wrapper of an [`Unwrapped`] that is the `payload` of a
/// `lambda_runtime::LambdaEvent` taken apart in an argument's pattern
/// (`LambdaEvent { payload, context }: LambdaEvent<T>`), where `#[audit]`
/// does not see the type: the payload is described as the whole event
/// describes it (feature `lambda`).
#[doc(hidden)]
pub enum LambdaPayload {}

/// Whether `redacted` is `path` with some of its segments written
/// `[REDACTED]`, as a route's sensitive parameters are: the same segments,
/// each the same or `[REDACTED]` in place of one that is not empty, or a
/// last `[REDACTED]` in place of the rest of the path (a parameter that
/// takes it).
pub(crate) fn is_redaction_of(redacted: &str, path: &str) -> bool {
    const MARK: &str = "[REDACTED]";
    if redacted == path || !redacted.contains(MARK) {
        return false;
    }
    let mut theirs = redacted.split('/').peekable();
    let mut ours = path.split('/');
    while let Some(r) = theirs.next() {
        let Some(p) = ours.next() else {
            return false;
        };
        match (r == MARK && !p.is_empty(), theirs.peek().is_none()) {
            // The rest of the path.
            (true, true) => return true,
            (true, false) => {}
            (false, _) if r == p => {}
            (false, _) => return false,
        }
    }
    ours.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redacted_path_is_told_from_another_path() {
        for (redacted, path) in [
            ("/reset/[REDACTED]", "/reset/k9"),
            ("/users/42/reset/[REDACTED]", "/users/42/reset/k9"),
            ("/dl/[REDACTED]", "/dl/a/b/c"),
            ("/[REDACTED]/x/[REDACTED]", "/a/x/b"),
        ] {
            assert!(is_redaction_of(redacted, path), "{redacted} of {path}");
        }
        for (redacted, path) in [
            ("/reset/k9", "/reset/k9"),
            ("/reset/[REDACTED]", "/other/k9"),
            ("/reset/[REDACTED]", "/reset"),
            ("/reset/[REDACTED]/x", "/reset/k9/y"),
            ("/reset/[REDACTED]/x", "/reset/k9"),
            ("/users/42", "/users/43"),
            ("[REDACTED]", ""),
        ] {
            assert!(!is_redaction_of(redacted, path), "{redacted} of {path}");
        }
    }

    #[test]
    fn values_are_kept_past_the_limit_for_the_writer_to_scan_and_cut() {
        let mut cx = Context::new(30);
        let long = format!("ab{}", "€".repeat(40));
        cx.set_user_id(&long);
        assert_eq!(cx.user_id(), Some(long.as_str()), "the writer cuts at 30");
        assert!(!cx.has_cut());
    }

    #[test]
    fn values_are_bounded_on_char_boundaries() {
        let limit = 30 + crate::json::SCAN_PAST_CUT;
        let mut cx = Context::new(30);
        cx.set_user_id(&"ab€€");
        assert_eq!(cx.user_id(), Some("ab€€"));
        assert!(!cx.has_cut());
        let long = format!("ab{}", "€".repeat(limit / 3 + 10));
        cx.set_user_id(&long);
        let kept = cx.user_id().unwrap();
        let (prefix, marker) = kept.split_once('…').unwrap();
        assert!(long.starts_with(prefix) && kept.len() <= limit);
        assert_eq!(
            marker,
            format!("[truncated {} bytes]", long.len() - prefix.len())
        );
        assert!(cx.has_cut());
    }

    #[test]
    fn text_set_directly_is_bounded_as_displayed_text_is() {
        for value in ["", "req-1", "ab€€", "ab€€€€€€€€€€€€€€€€€€€€€€€€€€€€"]
        {
            let (mut direct, mut displayed) = (Context::new(30), Context::new(30));
            direct.set_str(Text::RequestId, value);
            displayed.set(Text::RequestId, &value);
            assert_eq!(direct.get(Text::RequestId), displayed.get(Text::RequestId));
            assert_eq!(direct.has_cut(), displayed.has_cut(), "{value}");
        }
    }

    #[test]
    fn source_ip_or_address() {
        let mut cx = Context::new(64);
        cx.set_source(&"2001:db8::1");
        assert!(cx.source_is_ip());
        cx.set_source(&"unix:/run/app.sock");
        assert!(!cx.source_is_ip());
        assert_eq!(cx.source(), Some("unix:/run/app.sock"));
    }
}
