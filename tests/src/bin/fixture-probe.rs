//! A tiny program for the tests that need a real process: stdout, stderr,
//! environment variables read at start-up, a closed stdout.
//!
//! `fixture-probe [N]` runs an audited handler N times (default 1) and prints
//! the sum of its results on stderr as `result=<sum>`.

#[seclog::audit(who = user, source_ip = "203.0.113.5")]
fn handler(user: &str, n: u64) -> Result<u64, String> {
    if n == u64::MAX {
        return Err("overflow".into());
    }
    Ok(n * 2)
}

fn main() {
    let times: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1);
    let mut sum = 0;
    for i in 0..times {
        sum += handler("probe-user", i).unwrap_or(0);
    }
    eprintln!("result={sum}");
}
