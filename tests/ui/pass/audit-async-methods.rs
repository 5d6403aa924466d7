//! `async fn` methods: trait impls, generic impls, borrows of `self` in the
//! result, `impl Trait` arguments, and options that read `self`.

use serde::Serialize;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

fn assert_send<T: Send>(_: &T) {}

trait Repository {
    async fn load(&self, id: u32) -> Option<String>;
    fn count(&self) -> usize;
}

struct Users {
    names: Vec<String>,
    owner: String,
}

impl Repository for Users {
    #[seclog::audit(who = &self.owner)]
    async fn load(&self, id: u32) -> Option<String> {
        self.names.get(id as usize).cloned()
    }

    #[seclog::audit(who = self.owner.as_str())]
    fn count(&self) -> usize {
        self.names.len()
    }
}

impl Users {
    #[seclog::audit]
    async fn first_name(&self) -> &str {
        &self.names[0]
    }

    #[seclog::audit]
    async fn slot(&mut self, i: usize) -> &mut String {
        &mut self.names[i]
    }

    #[seclog::audit]
    async fn add(&mut self, name: impl Into<String> + Serialize + Send) -> usize {
        self.names.push(name.into());
        if self.names.len() > 10 {
            return 10;
        }
        self.names.len()
    }
}

struct Cache<T> {
    items: Vec<T>,
}

impl<T> Cache<T>
where
    T: Serialize + Clone + Send + Sync,
{
    #[seclog::audit]
    async fn get(&self, i: usize) -> Option<T> {
        self.items.get(i).cloned()
    }

    #[seclog::audit]
    fn peek(&self) -> Option<&T> {
        self.items.first()
    }

    #[seclog::audit(skip(item), skip_response)]
    fn push(&mut self, item: T) -> &mut Self {
        self.items.push(item);
        self
    }
}

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
    assert_eq!(records.len(), 16);
    assert_eq!(records[0]["user"]["id"], "admin");
    assert_eq!(records[2]["user"]["id"], "admin");
}

fn run() {
    let mut users = Users {
        names: vec!["alice".into()],
        owner: "admin".into(),
    };
    let load = users.load(0);
    assert_send(&load);
    assert_eq!(block_on(load), Some("alice".to_string()));
    assert_eq!(users.count(), 1);
    assert_eq!(block_on(users.first_name()), "alice");
    block_on(users.slot(0)).push('!');
    assert_eq!(block_on(users.add("bob")), 2);
    assert_eq!(users.names, ["alice!", "bob"]);

    let mut cache = Cache { items: vec![1u8] };
    let get = cache.get(0);
    assert_send(&get);
    assert_eq!(block_on(get), Some(1));
    assert_eq!(cache.peek(), Some(&1));
    assert_eq!(cache.push(2).items.len(), 2);
}
