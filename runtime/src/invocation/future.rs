//! The future of an audited `async fn`: each poll of the body runs inside
//! the invocation; a panic or a drop before completion is recorded.

use super::Invocation;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

pin_project_lite::pin_project! {
    /// The future of an audited `async fn`: polls the body inside the
    /// invocation, records panics and cancellation.
    pub struct Audited<Fut, Fin> {
        #[pin]
        fut: Fut,
        inv: Invocation,
        fin: Option<Fin>,
    }
}

impl<Fut, Fin> Audited<Fut, Fin>
where
    Fut: Future,
    Fin: FnOnce(&mut Invocation, &Fut::Output),
{
    /// Wraps the body's future.
    #[inline]
    pub fn new(inv: Invocation, fut: Fut, fin: Fin) -> Self {
        Audited {
            fut,
            inv,
            fin: Some(fin),
        }
    }
}

impl<Fut, Fin> Future for Audited<Fut, Fin>
where
    Fut: Future,
    Fin: FnOnce(&mut Invocation, &Fut::Output),
{
    type Output = Fut::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Fut::Output> {
        let this = self.project();
        let fut = this.fut;
        let polled = this
            .inv
            .scope(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fut.poll(cx))));
        match polled {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(out)) => {
                if let Some(fin) = this.fin.take() {
                    fin(this.inv, &out);
                }
                Poll::Ready(out)
            }
            Err(payload) => {
                this.inv.panicked(&*payload);
                std::panic::resume_unwind(payload)
            }
        }
    }
}
