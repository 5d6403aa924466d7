//! The invocation whose body is running on this thread: what security
//! events correlate with, and what a nested invocation joins. The only
//! `unsafe` of the invocation lives here.
//!
//! An invocation is made current by [`Invocation::scope`] (or
//! [`Begun::scope`](super::Begun::scope)) for exactly as long as the
//! closure runs, unwinding included: the guard that clears it again lives
//! inside `scope`, where no caller can leak it, and the invocation is
//! borrowed for the whole call, so it can neither move nor drop while the
//! thread points at it.

use super::Invocation;
use crate::context::Context;
use std::cell::Cell;
use std::ptr::NonNull;

thread_local! {
    /// The invocation whose body is running on this thread, if any.
    static CURRENT: Cell<Option<NonNull<Invocation>>> = const { Cell::new(None) };
}

/// Runs `f` with the current invocation, if any.
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&Invocation>) -> R) -> R {
    let ptr = CURRENT.try_with(|c| c.get()).ok().flatten();
    // SAFETY: `CURRENT` only holds a pointer while an `Entered` guard for
    // that invocation is alive, and the invocation is neither moved nor
    // dropped while the guard lives (it borrows it). Only `scope` makes a
    // guard, and keeps it to itself until its closure has returned or
    // unwound: no caller can leak it.
    let inv = ptr.map(|p| unsafe { p.as_ref() });
    f(inv)
}

/// Runs `f` with the 4 W's of the invocation running on this thread, if
/// any, so security events correlate with it.
pub(crate) fn with_current_context<R>(f: impl FnOnce(Option<&Context>) -> R) -> R {
    with_current(|inv| f(inv.and_then(|i| i.cx.as_ref())))
}

impl Invocation {
    /// Runs `f` as this invocation's body on this thread: security events
    /// in it correlate with the invocation and `tracing` events nest in its
    /// span. The invocation is current exactly while `f` runs, also when
    /// it unwinds.
    ///
    /// An invocation whose level is off has no context, so nothing could
    /// correlate with it: it is not made current (what runs in its body
    /// still correlates with an invocation around it), and entering it
    /// costs nothing.
    #[inline]
    pub fn scope<R>(&self, f: impl FnOnce() -> R) -> R {
        let _entered = self.enter();
        f()
    }

    /// Makes the invocation current until the guard drops. Private to
    /// `scope`, so the guard can never be leaked (`mem::forget`).
    #[inline]
    fn enter(&self) -> Entered<'_> {
        if self.cx.is_none() {
            return Entered {
                _span: None,
                prev: None,
                current: false,
                _inv: self,
            };
        }
        let prev = CURRENT
            .try_with(|c| c.replace(Some(NonNull::from(self))))
            .ok()
            .flatten();
        let span = self.span.as_ref().map(tracing::Span::enter);
        Entered {
            _span: span,
            prev,
            current: true,
            _inv: self,
        }
    }
}

/// The guard of `Invocation::enter`: restores the invocation that was
/// current before.
struct Entered<'a> {
    _span: Option<tracing::span::Entered<'a>>,
    prev: Option<NonNull<Invocation>>,
    /// The invocation was made current (and `prev` is to be restored).
    current: bool,
    _inv: &'a Invocation,
}

impl Drop for Entered<'_> {
    #[inline]
    fn drop(&mut self) {
        if self.current {
            let _ = CURRENT.try_with(|c| c.set(self.prev));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handler::{HandlerMeta, MetaCache};
    use crate::record::{Emit, Level};
    use crate::redact::Mask;

    static META: HandlerMeta = HandlerMeta {
        name: "scoped",
        level: Level::Info,
        category: "api",
        category_explicit: false,
        budget_ns: None,
        budget_text: "",
        emit: Emit::Both,
        function: "tests::scoped",
        file: "current.rs",
        line: 1,
        auth: None,
        mask: Mask::NONE,
        cache: MetaCache::new(),
    };

    fn is_current() -> bool {
        with_current_context(|cx| cx.is_some())
    }

    #[test]
    fn an_invocation_is_current_only_while_its_scope_runs_even_when_it_panics() {
        crate::testing::capture(|| {
            let inv = Invocation::begin(&META, |_| {}, |_| {}, || false);
            assert!(!is_current());
            assert!(inv.scope(is_current));
            assert!(!is_current(), "left after the closure returned");
            let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                inv.scope(|| panic!("the body panics"))
            }));
            assert!(unwound.is_err());
            assert!(!is_current(), "left after the closure unwound");
            drop(inv);
            assert!(!is_current());
            let begun = Invocation::begin_sync(&META, |_| {}, |_| {}, || false);
            assert!(begun.scope(is_current), "a synchronous handler's body too");
            assert!(!is_current());
        });
    }

    #[test]
    fn scopes_nest_and_restore_the_invocation_around_them() {
        crate::testing::capture(|| {
            let outer = Invocation::begin(&META, |_| {}, |_| {}, || false);
            let outer_id = |cx: Option<&Context>| {
                cx.and_then(|c| c.get(crate::context::Text::TransactionId))
                    .map(str::to_owned)
            };
            outer.scope(|| {
                let before = with_current_context(outer_id);
                let inner = Invocation::begin(&META, |_| {}, |_| {}, || false);
                inner.scope(|| {
                    assert_eq!(with_current_context(outer_id), before, "one transaction")
                });
                assert!(with_current(|c| c.is_some_and(|c| std::ptr::eq(c, &outer))));
            });
        });
    }
}
