//! The invocation engine: one audited call of a handler, from the start
//! record (the 4 W's and the inputs) to the end record (outcome, timing,
//! response or error), with the level checks that keep a filtered-out
//! handler a few instructions.

mod current;
mod future;
mod pool;

pub(crate) use current::with_current_context;
pub use future::Audited;

use crate::config::Config;
use crate::context::{Context, Text};
use crate::emit;
use crate::format::{self, ErrorView, RecordView, Timing};
use crate::handler::HandlerMeta;
use crate::record::{Emit, EventOutcome, Level, Phase};
use crate::redact::{Object, Out};
use crate::state;
use current::with_current;
use pool::{return_context, take_context};
use std::fmt;
use std::mem::ManuallyDrop;
use std::time::{Duration, Instant, SystemTime};

/// One audited call of a handler.
pub struct Invocation {
    meta: &'static HandlerMeta,
    /// The configuration records are written with; read when first needed
    /// when the handler's level is off (a failure may still be recorded).
    config: Option<Config>,
    /// Whether the handler's own level is enabled; when not, only a failure
    /// or panic is recorded, without inputs or who.
    active: bool,
    start_wall: SystemTime,
    start: Option<Instant>,
    /// The body's duration, read from the clock once, when it ended.
    took: Option<Duration>,
    cx: Option<Context>,
    /// The span the body runs in; none when the level is off.
    span: Option<tracing::Span>,
    done: bool,
}

// `Invocation` holds no thread-bound state: the pointer in `CURRENT` is
// thread-local and cleared before the invocation can move.
const _: () = {
    fn assert_send_sync<T: Send + Sync>() {}
    let _ = assert_send_sync::<Invocation>;
};

impl Invocation {
    /// Starts an invocation: gathers the 4 W's (`describe`), and writes the
    /// start record with the inputs (`inputs`), or keeps the inputs for the
    /// end record when `emit = "end"`.
    #[inline]
    pub fn begin(
        meta: &'static HandlerMeta,
        describe: impl FnOnce(&mut Context),
        inputs: impl FnMut(&mut Object<'_>),
        is_auth_attempt: impl FnOnce() -> bool,
    ) -> Invocation {
        // A level that is off costs a thread-local and an atomic load.
        if !state::enabled(meta.level) {
            // An authentication attempt is still described, so its end
            // reaches the vocabulary mapping and the detector (which count
            // failures whatever the level); `is_auth_attempt` is a constant
            // for each handler, so other handlers pay nothing for this.
            if meta.auth.is_some() || is_auth_attempt() {
                return Self::begin_active(meta, state::current(), describe, inputs, false);
            }
            return Self::idle(meta);
        }
        Self::begin_active(meta, state::current(), describe, inputs, true)
    }

    /// [`begin`](Self::begin) for a synchronous handler: an empty handle
    /// when the handler's level is off and it is no authentication action, so the
    /// caller runs the body with nothing around it but the look at its
    /// outcome (and, if that is a failure, [`idle`](Self::idle) to record
    /// it). It repeats `begin`'s test rather than wrapping it: building the
    /// invocation in place is what keeps the filtered-out path short (a
    /// returned `Option<Invocation>` moved into the handle cost about 80
    /// instructions more per call).
    #[inline]
    pub fn begin_sync(
        meta: &'static HandlerMeta,
        describe: impl FnOnce(&mut Context),
        inputs: impl FnMut(&mut Object<'_>),
        is_auth_attempt: impl FnOnce() -> bool,
    ) -> Begun {
        if state::enabled(meta.level) {
            return Begun::new(Self::begin_active(
                meta,
                state::current(),
                describe,
                inputs,
                true,
            ));
        }
        if meta.auth.is_some() || is_auth_attempt() {
            return Begun::new(Self::begin_active(
                meta,
                state::current(),
                describe,
                inputs,
                false,
            ));
        }
        Begun(ManuallyDrop::new(None))
    }

    /// An invocation whose level is off: it records a failure or a panic,
    /// without inputs or who.
    #[inline]
    pub fn idle(meta: &'static HandlerMeta) -> Invocation {
        Invocation {
            meta,
            config: None,
            active: false,
            start_wall: SystemTime::UNIX_EPOCH,
            start: None,
            took: None,
            cx: None,
            span: None,
            done: false,
        }
    }

    #[inline(never)]
    fn begin_active(
        meta: &'static HandlerMeta,
        config: Config,
        describe: impl FnOnce(&mut Context),
        mut inputs: impl FnMut(&mut Object<'_>),
        active: bool,
    ) -> Invocation {
        let mut cx = take_context(config.0.limits.max_string_bytes);
        // `who = ...` and `Describe` run user code (a `Display`); if it
        // panics, what it was writing is left out, the records are marked,
        // and the handler runs as if nothing happened.
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| describe(&mut cx))).is_err() {
            crate::stats::format_panic();
            cx.mark_cut();
        }
        // A nested invocation belongs to the same transaction as its caller,
        // and to the same request: it has the caller's who and where unless
        // its own arguments said otherwise.
        let outer = with_current(|c| {
            c.and_then(|c| c.cx.as_ref()).and_then(|c| {
                cx.inherit(c);
                c.get(Text::TransactionId).map(|t| {
                    let mut s = [0u8; 128];
                    // Cut on a character boundary, so a long id stays valid text.
                    let n = crate::json::floor_char_boundary(t, 128);
                    s[..n].copy_from_slice(&t.as_bytes()[..n]);
                    (s, n)
                })
            })
        });
        match (outer, cx.get(Text::RequestId).is_some()) {
            (Some((buf, n)), _) => {
                let t = std::str::from_utf8(&buf[..n]).unwrap_or_default();
                cx.set_str(Text::TransactionId, t);
            }
            (None, true) => {
                cx.alias(Text::TransactionId, Text::RequestId);
            }
            (None, false) => cx.set_new_transaction_id(),
        }
        let span = tracing::span!(
            target: "seclog",
            tracing::Level::INFO,
            "invocation",
            // Scanned as the records' is.
            transaction.id = cx.transaction_id().unwrap_or_default().as_ref(),
            event.action = meta.name,
        );
        let start_wall = SystemTime::now().max(SystemTime::UNIX_EPOCH);
        let mut inv = Invocation {
            meta,
            config: Some(config),
            active,
            start_wall,
            start: None,
            took: None,
            cx: None,
            span: Some(span),
            done: false,
        };
        match meta.emit {
            Emit::Both => {
                let mut payload = |obj: &mut Object<'_>| {
                    obj.field_with("input", |out| {
                        let mut o = out.object();
                        inputs(&mut o);
                    })
                };
                // The start record keeps what its end record repeats.
                let mut header = std::mem::take(&mut cx.header);
                let mut view = inv.view(&cx, meta.level, Phase::Start);
                view.types = "start";
                // The start record is dated when the invocation started.
                view.at = Some(start_wall);
                view.payload = Some(&mut payload);
                view.header_out = Some(&mut header);
                let _entered = inv.span.as_ref().map(tracing::Span::enter);
                emit::emit(config, &mut view);
                cx.header = header;
            }
            Emit::End if active => {
                let mask = meta.mask.child_mask("input");
                let truncated = format::render(config, &mut cx.inputs, mask, &mut |out| {
                    let mut o = out.object();
                    inputs(&mut o);
                });
                cx.inputs_truncated = truncated;
            }
            Emit::End => {}
        }
        inv.cx = Some(cx);
        // Timing starts after the start record is out: the duration is the
        // handler's, not seclog's.
        inv.start = Some(Instant::now());
        inv
    }

    fn view<'a>(&'a self, cx: &'a Context, level: Level, phase: Phase) -> RecordView<'a> {
        let action = cx.action().unwrap_or(self.meta.name);
        let mut view = RecordView::new(level, phase, action);
        view.category = self.meta.category;
        if cx.auth_kind().is_some() && !self.meta.category_explicit {
            view.category = "authentication";
        }
        view.meta = Some(self.meta);
        view.cx = Some(cx);
        view.transaction = cx.get(Text::TransactionId);
        view
    }

    /// Ends the invocation with a returned value (`Ok` of a `Result`, the
    /// value itself otherwise): outcome and status from `seclog::Outcome`,
    /// and the response written by `response` unless the handler skips it.
    #[inline]
    pub fn finish_value(
        &mut self,
        outcome: (EventOutcome, Option<u16>),
        response: Option<&mut dyn FnMut(Out<'_>)>,
    ) {
        self.done = true;
        if !self.active && outcome.0 == EventOutcome::Success && !self.is_auth() {
            // The handler's level is off, and a success is not raised (an
            // authentication action still goes on to its vocabulary event).
            return;
        }
        self.end_with_value(outcome, response);
    }

    /// The rest of [`finish_value`](Self::finish_value), out of line so
    /// that a handler whose level is off inlines only the check above.
    #[inline(never)]
    fn end_with_value(
        &mut self,
        outcome: (EventOutcome, Option<u16>),
        response: Option<&mut dyn FnMut(Out<'_>)>,
    ) {
        self.stop_clock();
        let level = self.end_level(outcome.0);
        if !self.is_auth() && !enabled_for(self.config(), level) {
            return;
        }
        let mut payload;
        let mut payload_fn: Option<&mut dyn FnMut(&mut Object<'_>)> = None;
        if let Some(r) = response {
            payload = move |obj: &mut Object<'_>| obj.field_with("response", &mut *r);
            payload_fn = Some(&mut payload);
        }
        self.end(level, outcome.0, outcome.1, None, payload_fn, false);
    }

    /// Ends the invocation with an `Err`: a failure with `error.type`,
    /// `error.message` and, when the error is an HTTP response (its
    /// `seclog::Outcome` says, as axum's `StatusCode` does), its status.
    #[inline]
    pub fn finish_error(
        &mut self,
        kind: &'static str,
        message: Option<&dyn fmt::Display>,
        status: Option<u16>,
    ) {
        self.done = true;
        self.stop_clock();
        let level = self.end_level(EventOutcome::Failure);
        if !self.is_auth() && !enabled_for(self.config(), level) {
            return;
        }
        self.end(
            level,
            EventOutcome::Failure,
            status,
            Some(ErrorView { kind, message }),
            None,
            false,
        );
    }

    /// Records a panic (at `error`); the caller then resumes it unchanged.
    pub fn panicked(&mut self, payload: &(dyn std::any::Any + Send)) {
        self.done = true;
        self.stop_clock();
        if !enabled_for(self.config(), Level::Error) {
            return;
        }
        let message: &dyn fmt::Display = if let Some(s) = payload.downcast_ref::<&'static str>() {
            s
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s
        } else {
            &"Box<dyn Any>"
        };
        self.end(
            Level::Error,
            EventOutcome::Failure,
            None,
            Some(ErrorView {
                kind: "panic",
                message: Some(message),
            }),
            None,
            false,
        );
    }

    /// Whether this is an authentication invocation: its end must reach
    /// the vocabulary mapping (which raises the level and feeds the
    /// detector) even when the handler's own level is filtered out; the
    /// record itself is then filtered on the raised level.
    #[inline]
    fn is_auth(&self) -> bool {
        self.meta.auth.is_some() || self.cx.as_ref().is_some_and(|cx| cx.auth_kind().is_some())
    }

    #[inline]
    fn end_level(&self, outcome: EventOutcome) -> Level {
        let base = match outcome {
            EventOutcome::Success => self.meta.level,
            _ => self.meta.level.max(Level::Warn),
        };
        if self.over_budget() == Some(true) {
            base.max(Level::Warn)
        } else {
            base
        }
    }

    fn config(&self) -> Config {
        self.config.unwrap_or_else(state::current)
    }

    /// Reads the clock for the body's duration (once: the budget check and
    /// the end record share it).
    #[inline]
    fn stop_clock(&mut self) {
        self.took = self.start.map(|s| s.elapsed());
    }

    #[inline]
    fn elapsed(&self) -> Option<Duration> {
        self.took
    }

    #[inline]
    fn over_budget(&self) -> Option<bool> {
        let budget = self.meta.budget_ns?;
        let d = self.elapsed()?;
        Some(d.as_nanos() > budget as u128)
    }

    #[inline(never)]
    fn end(
        &mut self,
        level: Level,
        outcome: EventOutcome,
        status: Option<u16>,
        error: Option<ErrorView<'_>>,
        payload: Option<&mut (dyn FnMut(&mut Object<'_>) + '_)>,
        cancelled: bool,
    ) {
        if self.cx.is_none() {
            // The handler's level was off: only this failure is recorded,
            // with what is known without its arguments.
            let mut cx = take_context(self.config().0.limits.max_string_bytes);
            cx.set_new_transaction_id();
            self.cx = Some(cx);
        }
        // Shorten the closure's lifetime to the call (a coercion Option
        // cannot do by itself).
        let payload = payload.map(|p| {
            let p: &mut dyn FnMut(&mut Object<'_>) = p;
            p
        });
        self.emit_end(level, outcome, status, error, payload, cancelled);
    }

    fn emit_end<'a>(
        &'a self,
        level: Level,
        outcome: EventOutcome,
        status: Option<u16>,
        error: Option<ErrorView<'a>>,
        payload: Option<&'a mut (dyn FnMut(&mut Object<'_>) + 'a)>,
        cancelled: bool,
    ) {
        let Some(cx) = &self.cx else { return };
        let duration = self.elapsed();
        let mut level = level;
        let auth_event = cx
            .auth_kind()
            .or(self.meta.auth)
            .and_then(|kind| crate::auth_outcome::end_event(kind, outcome, cx, &mut level));
        let mut view = self.view(cx, level, Phase::End);
        if let Some(e) = &auth_event {
            view.owasp = Some(e);
        }
        view.types = "end";
        view.outcome = Some(outcome);
        view.status_code = status;
        view.error = error;
        view.cancelled = cancelled;
        view.budget_exceeded = self.over_budget();
        if let Some(d) = duration {
            view.timing = Some(Timing {
                start: self.start_wall,
                duration: d,
            });
        }
        if self.meta.emit == Emit::End && !cx.inputs.is_empty() {
            view.inputs_json = Some(&cx.inputs);
        }
        view.header_in = Some(&cx.header);
        view.payload = payload.map(|p| {
            let p: &mut dyn FnMut(&mut Object<'_>) = p;
            p
        });
        let _entered = self.span.as_ref().map(tracing::Span::enter);
        emit::emit(self.config(), &mut view);
    }
}

#[inline]
fn enabled_for(config: Config, level: Level) -> bool {
    config.enabled(level)
}

impl Drop for Invocation {
    #[inline]
    fn drop(&mut self) {
        // A finished invocation whose level was off holds nothing.
        if !self.done || self.cx.is_some() {
            self.drop_slowly();
        }
    }
}

impl Invocation {
    #[inline(never)]
    fn drop_slowly(&mut self) {
        if !self.done && (self.active || enabled_for(self.config(), Level::Warn)) {
            // Dropped before finishing: a cancelled future.
            self.done = true;
            self.stop_clock();
            let level = self.meta.level.max(Level::Warn);
            if enabled_for(self.config(), level) {
                self.end(level, EventOutcome::Unknown, None, None, None, true);
            }
        }
        if let Some(cx) = self.cx.take() {
            return_context(cx);
        }
    }
}

/// A token moved into a handler's body closure, so the closure is `FnOnce`
/// (and may return borrows of what it captures).
pub struct Once;

/// What [`Invocation::begin_sync`] returns: the invocation, or none when
/// the handler's level is off. Dropping none costs a look at it (the drop
/// of a whole invocation is out of line), so a filtered-out handler stays
/// a few instructions.
pub struct Begun(ManuallyDrop<Option<Invocation>>);

impl Begun {
    fn new(inv: Invocation) -> Begun {
        Begun(ManuallyDrop::new(Some(inv)))
    }

    /// Runs the handler's body `f`: inside the invocation when there is
    /// one ([`Invocation::scope`]), else as it is.
    #[inline]
    pub fn scope<R>(&self, f: impl FnOnce() -> R) -> R {
        match self.get() {
            Some(inv) => inv.scope(f),
            None => f(),
        }
    }

    /// The invocation, if there is one.
    #[inline]
    pub fn get(&self) -> Option<&Invocation> {
        self.0.as_ref()
    }

    /// The invocation, if there is one.
    #[inline]
    pub fn get_mut(&mut self) -> Option<&mut Invocation> {
        self.0.as_mut()
    }

    #[inline(never)]
    fn drop_slowly(&mut self) {
        // What is left behind is `None`, which owns nothing.
        drop(self.0.take());
    }
}

impl Drop for Begun {
    #[inline]
    fn drop(&mut self) {
        if self.0.is_some() {
            self.drop_slowly();
        }
    }
}
/// The type name of a value, for `error.type`.
#[inline]
pub fn type_name_of<T: ?Sized>(_: &T) -> &'static str {
    std::any::type_name::<T>()
}
