//! `async fn` handlers stay `Send` when their body is, so they can be
//! spawned; generic and method forms too.

use serde::Serialize;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

fn assert_send<T: Send>(_: &T) {}

#[seclog::audit]
async fn fetch(id: u32) -> Result<String, String> {
    let name = lookup(id).await?;
    Ok(name)
}

async fn lookup(id: u32) -> Result<String, String> {
    if id == 0 {
        Err("no such user".into())
    } else {
        Ok(format!("user-{id}"))
    }
}

#[seclog::audit(budget = "1s")]
async fn echo<T>(value: T) -> T
where
    T: Serialize + Send,
{
    value
}

#[seclog::audit]
async fn first<'a>(names: &'a [String]) -> Option<&'a String> {
    names.first()
}

struct Service {
    calls: u32,
}

impl Service {
    #[seclog::audit]
    async fn call(&mut self, n: u32) -> u32 {
        self.calls += n;
        self.calls
    }

    #[seclog::audit(emit = "end")]
    async fn calls(&self) -> u32 {
        let read = || self.calls;
        read()
    }
}

/// Polls a future that never waits to completion.
fn block_on<F: Future>(fut: F) -> F::Output {
    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    let waker = Waker::from(Arc::new(Noop));
    let mut cx = Context::from_waker(&waker);
    let mut fut = std::pin::pin!(fut);
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

fn main() {
    let run = seclog::testing::capture(run);
    let records = run.records();
    assert_eq!(records.len(), 11, "`emit = \"end\"` writes one record");
    assert_eq!(records[3]["event"]["outcome"], "failure");
    assert_eq!(records[3]["error"]["message"], "no such user");
}

fn run() {
    let f = fetch(7);
    assert_send(&f);
    assert_eq!(block_on(f), Ok("user-7".to_string()));
    assert_eq!(block_on(fetch(0)), Err("no such user".to_string()));

    let e = echo(vec![1u8, 2]);
    assert_send(&e);
    assert_eq!(block_on(e), vec![1, 2]);

    let names = vec!["alice".to_string()];
    let n = first(&names);
    assert_send(&n);
    assert_eq!(block_on(n), Some(&names[0]));

    let mut service = Service { calls: 0 };
    let c = service.call(2);
    assert_send(&c);
    assert_eq!(block_on(c), 2);
    assert_eq!(block_on(service.calls()), 2);
}
