//! Contexts reused across invocations, so steady state allocates nothing.

use crate::context::Context;
use std::cell::RefCell;

thread_local! {
    /// Contexts reused across invocations, so steady state allocates nothing.
    static POOL: RefCell<Vec<Context>> = const { RefCell::new(Vec::new()) };
}

/// A context for an invocation, reused when one is free.
pub(super) fn take_context(limit: usize) -> Context {
    let cx = POOL
        .try_with(|p| p.try_borrow_mut().ok().and_then(|mut p| p.pop()))
        .ok()
        .flatten();
    match cx {
        Some(mut cx) => {
            cx.reset(limit);
            cx
        }
        None => Context::new(limit),
    }
}

/// Gives a context back for a later invocation.
pub(super) fn return_context(cx: Context) {
    let _ = POOL.try_with(|p| {
        if let Ok(mut p) = p.try_borrow_mut() {
            if p.len() < 64 {
                p.push(cx);
            }
        }
    });
}
