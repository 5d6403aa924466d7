//! `#[audit]` on every kind of handler the SPEC names: free functions,
//! methods taking `self`, `&self` and `&mut self`, trait-impl methods,
//! `async fn` (spawned on a multi-thread runtime), generics with `where`
//! clauses, lifetimes, `impl Trait`, and returns of `()`, values, `Result`
//! and `Option`. Each test checks the records, and that the handler's result
//! is exactly what it would be without the attribute.

use seclog::testing::{capture, capture_future};
use seclog_tests::assert_ecs;
use serde::Serialize;
use serde_json::{json, Value};
use std::fmt::Display;

fn inputs(records: &[Value]) -> &Value {
    &records[0]["seclog"]["input"]
}

fn response(records: &[Value]) -> &Value {
    &records[records.len() - 1]["seclog"]["response"]
}

#[derive(Debug, Clone, Serialize, PartialEq)]
struct Account {
    owner: String,
    balance: i64,
}

impl Account {
    #[seclog::audit]
    fn into_owner(self) -> String {
        self.owner
    }

    #[seclog::audit]
    fn balance(&self, currency: &str) -> String {
        format!("{} {currency}", self.balance)
    }

    #[seclog::audit(who = self.owner)]
    fn deposit(&mut self, amount: i64) -> Result<i64, String> {
        if amount <= 0 {
            return Err("amount must be positive".into());
        }
        self.balance += amount;
        Ok(self.balance)
    }
}

#[test]
fn methods_taking_self_ref_self_and_mut_self() {
    let mut acct = Account {
        owner: "alice".into(),
        balance: 10,
    };

    let run = capture(|| acct.balance("EUR"));
    assert_eq!(run.output, "10 EUR");
    let records = run.records();
    assert_eq!(
        inputs(&records),
        &json!({"currency": "EUR"}),
        "self is not an input"
    );
    assert_eq!(response(&records), "10 EUR");

    let run = capture(|| acct.deposit(5));
    assert_eq!(run.output, Ok(15));
    assert_eq!(acct.balance, 15, "the &mut self body really ran");
    let records = run.records();
    assert_eq!(records[0]["user"]["id"], "alice", "`who` may use self");
    assert_eq!(response(&records), 15);

    let run = capture(|| acct.deposit(-1));
    assert_eq!(run.output, Err("amount must be positive".to_string()));
    assert_eq!(run.records()[1]["event"]["outcome"], "failure");

    let run = capture(|| acct.clone().into_owner());
    assert_eq!(run.output, "alice");
    assert_eq!(response(&run.records()), "alice");
    assert_ecs(&records);
}

trait Store {
    fn get(&self, key: &str) -> Option<String>;
}

struct MemoryStore;

impl Store for MemoryStore {
    #[seclog::audit(name = "store.get")]
    fn get(&self, key: &str) -> Option<String> {
        (key == "k").then(|| "v".to_string())
    }
}

#[test]
fn trait_impl_methods_and_option_returns() {
    let store: &dyn Store = &MemoryStore;
    let run = capture(|| (store.get("k"), store.get("missing")));
    assert_eq!(run.output, (Some("v".to_string()), None));
    let records = run.records();
    assert_eq!(records.len(), 4);
    assert_eq!(records[0]["event"]["action"], "store.get");
    assert_eq!(records[1]["seclog"]["response"], "v");
    assert_eq!(records[3]["seclog"]["response"], Value::Null);
    assert_eq!(
        records[3]["event"]["outcome"], "success",
        "None is not a failure"
    );
}

#[seclog::audit]
fn describe_pair<K, V>(key: K, value: V) -> String
where
    K: Serialize + Display,
    V: Serialize + Clone,
{
    let _ = value.clone();
    format!("{key}")
}

#[test]
fn generics_with_where_clauses() {
    let run = capture(|| describe_pair("id", vec![1, 2]));
    assert_eq!(run.output, "id");
    let records = run.records();
    assert_eq!(inputs(&records), &json!({"key": "id", "value": [1, 2]}));
}

#[seclog::audit]
fn longest<'a>(a: &'a str, b: &'a str) -> &'a str {
    if a.len() >= b.len() {
        a
    } else {
        b
    }
}

#[seclog::audit]
fn first_word(text: &str) -> &str {
    text.split(' ').next().unwrap_or_default()
}

#[test]
fn lifetimes_and_references() {
    let (a, b) = (String::from("short"), String::from("much longer"));
    let run = capture(|| longest(&a, &b));
    assert_eq!(run.output, "much longer");
    assert_eq!(response(&run.records()), "much longer");

    let run = capture(|| first_word("hello world"));
    assert_eq!(run.output, "hello");
}

#[seclog::audit]
fn total(items: impl IntoIterator<Item = u32> + Serialize + Clone) -> impl Serialize {
    items.into_iter().sum::<u32>()
}

#[seclog::audit(skip(items), skip_response)]
fn evens(items: Vec<u32>) -> impl Iterator<Item = u32> {
    items.into_iter().filter(|x| x % 2 == 0)
}

#[test]
fn impl_trait_in_arguments_and_return() {
    let run = capture(|| serde_json::to_value(total(vec![1, 2, 3])).unwrap());
    assert_eq!(run.output, json!(6));
    let records = run.records();
    assert_eq!(inputs(&records)["items"], json!([1, 2, 3]));
    assert_eq!(response(&records), 6);

    let run = capture(|| evens(vec![1, 2, 3, 4]).collect::<Vec<_>>());
    assert_eq!(run.output, vec![2, 4]);
    assert!(run.records()[1]["seclog"].get("response").is_none());
}

/// An error the body never names: `?` converts into it.
#[derive(Debug, PartialEq)]
struct BadCount(std::num::ParseIntError);

impl From<std::num::ParseIntError> for BadCount {
    fn from(e: std::num::ParseIntError) -> Self {
        BadCount(e)
    }
}

impl Display for BadCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "bad count: {}", self.0)
    }
}

#[seclog::audit]
fn count(text: &str) -> Result<Option<(u8, impl Display + Serialize)>, BadCount> {
    let n: u8 = text.parse()?;
    Ok((n > 0).then(|| (n, format!("{n} items"))))
}

#[seclog::audit]
async fn count_async(text: String) -> Result<Vec<impl Display + Serialize>, BadCount> {
    let n: u8 = text.parse()?;
    tokio::task::yield_now().await;
    Ok((1..=u16::from(n)).map(|i| i * 2).collect())
}

#[test]
fn impl_trait_inside_a_result_whose_error_only_the_signature_names() {
    let shown = |r: Result<Option<(u8, String)>, BadCount>| r;
    let run = capture(|| count("3").map(|o| o.map(|(n, text)| (n, text.to_string()))));
    let records = run.records();
    assert_eq!(shown(run.output), Ok(Some((3, "3 items".to_string()))));
    assert_ecs(&records);
    assert_eq!(response(&records), &json!([3, "3 items"]));
    assert_eq!(records[1]["event"]["outcome"], "success");

    let run = capture(|| count("0").map(|o| o.map(|(n, text)| (n, text.to_string()))));
    assert_eq!(response(&run.records()), &Value::Null);
    assert_eq!(shown(run.output), Ok(None));

    let run = capture(|| count("three").map(|o| o.map(|(n, text)| (n, text.to_string()))));
    let parse_error = "three".parse::<u8>().unwrap_err();
    let records = run.records();
    assert_eq!(shown(run.output), Err(BadCount(parse_error.clone())));
    assert_ecs(&records);
    assert_eq!(records[1]["event"]["outcome"], "failure");
    assert_eq!(
        records[1]["error"]["message"],
        format!("bad count: {parse_error}")
    );
    assert!(records[1]["seclog"].get("response").is_none());

    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    fn texts<T: Display>(r: Result<Vec<T>, BadCount>) -> Result<Vec<String>, BadCount> {
        r.map(|v| v.iter().map(T::to_string).collect())
    }
    let run = rt.block_on(capture_future(count_async("3".into())));
    let records = run.records();
    assert_eq!(
        texts(run.output),
        Ok(vec!["2".to_string(), "4".into(), "6".into()])
    );
    assert_ecs(&records);
    assert_eq!(response(&records), &json!([2, 4, 6]));
    assert_eq!(records[1]["event"]["outcome"], "success");

    let run = rt.block_on(capture_future(count_async("-1".into())));
    let records = run.records();
    let parse_error = "-1".parse::<u8>().unwrap_err();
    assert_eq!(texts(run.output), Err(BadCount(parse_error.clone())));
    assert_eq!(records[1]["event"]["outcome"], "failure");
    assert_eq!(
        records[1]["error"]["message"],
        format!("bad count: {parse_error}")
    );
}

#[seclog::audit]
fn unit_return(flag: bool) {
    let _ = flag;
}

#[seclog::audit]
fn tuple_return(x: u8) -> (u8, String) {
    (x, x.to_string())
}

#[test]
fn unit_and_value_returns() {
    let records = capture(|| unit_return(true)).records();
    assert_eq!(records[1]["event"]["outcome"], "success");
    assert!(
        records[1]["seclog"].get("response").is_none(),
        "() has no response"
    );

    let run = capture(|| tuple_return(4));
    assert_eq!(run.output, (4, "4".to_string()));
    assert_eq!(response(&run.records()), &json!([4, "4"]));
}

fn parse_port(s: &str) -> std::io::Result<u16> {
    s.parse()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
}

#[seclog::audit]
fn connect(host: &str, port: &str) -> std::io::Result<String> {
    let p = parse_port(port)?;
    Ok(format!("{host}:{p}"))
}

#[test]
fn question_mark_and_result_aliases() {
    let run = capture(|| connect("db", "5432"));
    assert_eq!(run.output.unwrap(), "db:5432");
    let run = capture(|| connect("db", "x"));
    assert!(run.output.is_err());
    let records = run.records();
    assert_eq!(records[1]["event"]["outcome"], "failure");
    assert_eq!(records[1]["error"]["type"], "std::io::error::Error");
    assert_eq!(
        records[1]["error"]["message"],
        "invalid digit found in string"
    );
}

#[derive(Serialize)]
struct Point {
    x: i32,
    y: i32,
}

/// Destructuring patterns log each binding as its own input.
#[seclog::audit]
fn area((w, h): (u32, u32), Point { x, y }: Point) -> i64 {
    (w * h) as i64 + (x * y) as i64
}

#[test]
fn destructured_arguments_are_logged_by_binding() {
    let run = capture(|| area((2, 3), Point { x: 4, y: 5 }));
    assert_eq!(run.output, 26);
    assert_eq!(
        inputs(&run.records()),
        &json!({"w": 2, "h": 3, "x": 4, "y": 5})
    );
}

#[seclog::audit]
fn early_return(n: i32) -> i32 {
    if n < 0 {
        return 0;
    }
    n * 2
}

#[test]
fn early_return_is_the_response() {
    assert_eq!(capture(|| early_return(-5)).output, 0);
    let run = capture(|| early_return(4));
    assert_eq!(run.output, 8);
    assert_eq!(response(&run.records()), 8);
}

#[seclog::audit(who = user)]
async fn spawned_handler(user: String, n: u64) -> Result<u64, String> {
    tokio::task::yield_now().await;
    Ok(n + 1)
}

#[seclog::audit]
async fn generic_async<T: Serialize + Send + Sync + Clone>(value: T) -> T {
    tokio::task::yield_now().await;
    value.clone()
}

fn assert_send<T: Send>(t: T) -> T {
    t
}

#[test]
fn async_handlers_stay_send_and_can_be_spawned() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        // Spawned onto the pool: the future must be Send. The capture
        // covers the polls of the future it wraps, so capture inside the task.
        let task = tokio::spawn(assert_send(capture_future(spawned_handler(
            "frank".into(),
            41,
        ))));
        let run = task.await.unwrap();
        assert_eq!(run.output, Ok(42));
        let records = run.records();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0]["user"]["id"], "frank");
        assert_eq!(records[1]["seclog"]["response"], 42);
        assert_eq!(
            records[0]["transaction"]["id"],
            records[1]["transaction"]["id"]
        );

        let run = tokio::spawn(assert_send(capture_future(generic_async(vec!["a"]))))
            .await
            .unwrap();
        assert_eq!(run.output, vec!["a"]);
        assert_eq!(run.records()[1]["seclog"]["response"], json!(["a"]));
    });
}

#[seclog::audit]
fn takes_mut(mut counter: u32, r#type: &str) -> u32 {
    counter += r#type.len() as u32;
    counter
}

#[test]
fn mut_bindings_and_raw_identifiers() {
    let run = capture(|| takes_mut(1, "abc"));
    assert_eq!(run.output, 4);
    assert_eq!(
        inputs(&run.records()),
        &json!({"counter": 1, "type": "abc"})
    );
}
