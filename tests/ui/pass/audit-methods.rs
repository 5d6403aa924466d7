//! Methods: `self`, `&self`, `&mut self`, `Self` in the return type, trait
//! impls, and bodies that name `self` in closures.

use serde::Serialize;

#[derive(Serialize, Clone)]
struct Account {
    owner: String,
    balance: u64,
}

impl Account {
    #[seclog::audit]
    fn open(owner: &str) -> Self {
        Account {
            owner: owner.to_string(),
            balance: 0,
        }
    }

    #[seclog::audit]
    fn reopened(owner: &str) -> Option<Self> {
        if owner.is_empty() {
            None
        } else {
            Some(Self::open(owner))
        }
    }

    #[seclog::audit]
    fn owner(&self) -> &str {
        &self.owner
    }

    #[seclog::audit]
    fn balance_mut(&mut self) -> &mut u64 {
        &mut self.balance
    }

    #[seclog::audit]
    fn deposit(&mut self, amount: u64) -> Result<u64, String> {
        let add = |a: u64| {
            self.balance
                .checked_add(a)
                .ok_or_else(|| "overflow".to_string())
        };
        self.balance = add(amount)?;
        Ok(self.balance)
    }

    #[seclog::audit]
    fn describe(&self) -> String {
        let line = || format!("{} has {}", self.owner, self.balance);
        line()
    }

    #[seclog::audit]
    fn close(self) -> u64 {
        let Account { balance, .. } = self;
        balance
    }

    #[seclog::audit]
    fn renamed(mut self: Box<Self>, owner: String) -> Box<Self> {
        self.owner = owner;
        self
    }
}

trait Store {
    fn get(&self, key: &str) -> Option<String>;
    fn put(&mut self, key: String, value: String) -> bool;
    fn into_len(self) -> usize;
}

struct Memory(Vec<(String, String)>);

impl Store for Memory {
    #[seclog::audit(skip_response)]
    fn get(&self, key: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    #[seclog::audit(skip(value))]
    fn put(&mut self, key: String, value: String) -> bool {
        let fresh = !self.0.iter().any(|(k, _)| *k == key);
        self.0.push((key, value));
        fresh
    }

    #[seclog::audit]
    fn into_len(self) -> usize {
        self.0.len()
    }
}

fn main() {
    let run = seclog::testing::capture(run);
    let records = run.records();
    assert_eq!(records.len(), 24, "a start and an end record per call");
    // A nested audited call shares its caller's transaction.
    assert_eq!(records[3]["event"]["action"], "open");
    assert_eq!(records[3]["transaction"], records[2]["transaction"]);
    // The receiver is never an input; the other arguments are.
    assert_eq!(records[6]["event"]["action"], "owner");
    assert_eq!(records[6]["seclog"]["input"], serde_json::json!({}));
    assert_eq!(
        records[10]["seclog"]["input"],
        serde_json::json!({"amount": 10})
    );
}

fn run() {
    let mut account = Account::open("alice");
    assert_eq!(
        Account::reopened("bob").map(|a| a.owner),
        Some("bob".to_string())
    );
    assert_eq!(account.owner(), "alice");
    *account.balance_mut() += 5;
    assert_eq!(account.deposit(10), Ok(15));
    assert_eq!(account.describe(), "alice has 15");
    let boxed = Box::new(account.clone()).renamed("carol".into());
    assert_eq!(boxed.owner, "carol");
    assert_eq!(account.close(), 15);

    let mut store = Memory(Vec::new());
    assert!(store.put("k".into(), "v".into()));
    assert_eq!(store.get("k"), Some("v".to_string()));
    assert_eq!(store.into_len(), 1);
}
