//! The invocation whose body is running on this thread: what security
//! events correlate with, and what a nested invocation joins. The only
//! `unsafe` of the invocation lives here.

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
    // dropped while the guard lives (it borrows it).
    let inv = ptr.map(|p| unsafe { p.as_ref() });
    f(inv)
}

/// Runs `f` with the 4 W's of the invocation running on this thread, if
/// any, so security events correlate with it.
pub(crate) fn with_current_context<R>(f: impl FnOnce(Option<&Context>) -> R) -> R {
    with_current(|inv| f(inv.and_then(|i| i.cx.as_ref())))
}

impl Invocation {
    /// Marks the body as running on this thread until the guard drops, so
    /// security events correlate and `tracing` events nest in the span.
    ///
    /// An invocation whose level is off has no context, so nothing could
    /// correlate with it: it is not made current (what runs in its body
    /// still correlates with an invocation around it), and entering it
    /// costs nothing.
    #[inline]
    pub fn enter(&self) -> Entered<'_> {
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

/// The guard of [`Invocation::enter`].
pub struct Entered<'a> {
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
