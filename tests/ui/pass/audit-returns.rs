//! Return shapes: nothing, values, `Result` (with `?`, `io::Result`, an
//! alias named `Result`), `Option`, and `!`.

use std::io;

#[derive(Debug)]
enum AppError {
    Parse,
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("could not parse")
    }
}

type Result<T> = std::result::Result<T, AppError>;

#[seclog::audit]
fn nothing(flag: bool) {
    if flag {
        return;
    }
    let _ = flag;
}

#[seclog::audit]
fn unit(flag: bool) -> () {
    let _ = flag;
}

#[seclog::audit]
fn value(x: u32) -> u32 {
    if x > 10 {
        return 10;
    }
    x
}

#[seclog::audit]
fn parse(text: &str) -> std::result::Result<u32, std::num::ParseIntError> {
    let n: u32 = text.trim().parse()?;
    Ok(n * 2)
}

#[seclog::audit]
fn parse_alias(text: &str) -> Result<u32> {
    let n = text.parse::<u32>().map_err(|_| AppError::Parse)?;
    Ok(n)
}

#[seclog::audit]
fn read(path: &str) -> io::Result<usize> {
    if path.is_empty() {
        return Err(io::Error::new(io::ErrorKind::NotFound, "empty path"));
    }
    Ok(path.len())
}

#[seclog::audit]
fn boxed(text: &str) -> std::result::Result<u32, Box<dyn std::error::Error + Send + Sync>> {
    Ok(text.parse::<u32>()?)
}

#[seclog::audit]
fn find(names: &[&str], wanted: &str) -> Option<usize> {
    let i = names.iter().position(|n| *n == wanted)?;
    Some(i)
}

#[seclog::audit]
fn fail(reason: &str) -> ! {
    panic!("{reason}")
}

fn main() {
    // The panic of `fail` is expected; keep its message out of the output.
    std::panic::set_hook(Box::new(|_| {}));
    let run = seclog::testing::capture(run);
    let records = run.records();
    assert_eq!(records.len(), 30);
    let last = &records[29];
    assert_eq!(last["event"]["action"], "fail");
    assert_eq!(last["error"]["type"], "panic");
    assert_eq!(last["error"]["message"], "stop");
}

fn run() {
    nothing(true);
    nothing(false);
    unit(true);
    assert_eq!(value(3), 3);
    assert_eq!(value(30), 10);
    assert_eq!(parse(" 21 ").unwrap(), 42);
    assert!(parse("x").is_err());
    assert_eq!(parse_alias("7").unwrap(), 7);
    assert!(parse_alias("x").is_err());
    assert_eq!(read("abc").unwrap(), 3);
    assert!(read("").is_err());
    assert_eq!(boxed("4").unwrap(), 4);
    assert_eq!(find(&["a", "b"], "b"), Some(1));
    assert_eq!(find(&["a"], "z"), None);
    let panicked = std::panic::catch_unwind(|| fail("stop"));
    assert!(panicked.is_err());
}
