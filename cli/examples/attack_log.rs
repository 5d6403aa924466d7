//! Writes a large log with planted attacks, by running audited handlers:
//! every line is a real record written by `#[seclog::audit]` to standard
//! output, as in a Lambda function.
//!
//! ```sh
//! cargo run --release -p seclog-cli --example attack_log -- 100000 > attack.log
//! ```
//!
//! `attack_log INVOCATIONS [SEED]` makes about INVOCATIONS invocations of
//! three handlers (a login, an invoice read, a search) by 20,000 ordinary
//! users, each from an address of their own, who mistype a password now
//! and then. Planted among them, spread over the run:
//!
//! - brute force on `admin` from 203.0.113.7 (one failure in every 2,000
//!   invocations);
//! - credential stuffing from 198.51.100.66: 300 users, one failure each;
//! - a compromised account: `carol.finance` fails 20 times from 192.0.2.99,
//!   then logs in from there;
//! - authorization failures of `mallory` from 203.0.113.50;
//! - a handler over its budget now and then.
//!
//! The records carry the real time they were written at.

#[derive(seclog::Redact, seclog::AuthEvent)]
#[auth(login)]
struct Login {
    #[auth(user)]
    username: String,
    #[redact]
    password: String,
    #[auth(source_ip)]
    ip: String,
    #[auth(user_agent)]
    agent: Option<String>,
}

#[derive(serde::Serialize)]
struct Session {
    token_ttl: u32,
    roles: Vec<&'static str>,
}

#[seclog::audit(budget = "50ms")]
fn login(req: Login) -> Result<Session, &'static str> {
    if seclog::monitor::is_flagged_ip(&req.ip) {
        return Err("too many failed logins from this address");
    }
    if req.password == "correct horse battery staple" {
        Ok(Session {
            token_ttl: 3600,
            roles: vec!["reader", "billing"],
        })
    } else {
        Err("bad credentials")
    }
}

#[derive(serde::Serialize)]
struct Invoice {
    id: u64,
    amount_cents: u64,
    currency: &'static str,
    lines: Vec<Line>,
}

#[derive(serde::Serialize)]
struct Line {
    sku: String,
    quantity: u32,
}

#[seclog::audit(who = user, source_ip = ip, budget = "1ms")]
fn get_invoice(user: &str, ip: &str, id: u64, slow: bool) -> Result<Invoice, &'static str> {
    if user == "mallory" {
        seclog::security_event!(authz_fail, resource = format!("/invoices/{id}"));
        return Err("forbidden");
    }
    if slow {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    Ok(Invoice {
        id,
        amount_cents: id % 100_000,
        currency: "EUR",
        lines: (0..(id % 4) as u32 + 1)
            .map(|q| Line {
                sku: format!("SKU-{:06}", id % 999_983 + u64::from(q)),
                quantity: q + 1,
            })
            .collect(),
    })
}

#[derive(serde::Serialize)]
struct Query {
    text: String,
    page: u32,
}

#[seclog::audit(who = user, source_ip = ip)]
fn search(user: &str, ip: &str, query: Query) -> Vec<String> {
    (0..3)
        .map(|i| format!("{} result {i}", query.text))
        .collect()
}

/// xorshift64*: deterministic, and no dependency for it.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const USERS: u64 = 20_000;
const PASSWORD: &str = "correct horse battery staple";

fn home(n: u64) -> String {
    format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255)
}

fn attempt(user: &str, password: &str, ip: &str) {
    let _ = login(Login {
        username: user.into(),
        password: password.into(),
        ip: ip.into(),
        agent: Some("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36".into()),
    });
}

fn main() {
    let mut args = std::env::args().skip(1);
    let invocations: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or_else(|| {
        eprintln!("usage: attack_log INVOCATIONS [SEED]");
        std::process::exit(2)
    });
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(7);
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let stuffing_every = (invocations / 300).max(1);
    let mut stuffed = 0;
    let mut carol = 0;
    for i in 0..invocations {
        if i % 2_000 == 1_000 {
            attempt("admin", &format!("guess{i}"), "203.0.113.7");
            continue;
        }
        if i % stuffing_every == 7 && stuffed < 300 {
            attempt(
                &format!("victim{stuffed}@example.com"),
                "Summer2024!",
                "198.51.100.66",
            );
            stuffed += 1;
            continue;
        }
        if i >= invocations / 2 && carol <= 20 && i % 97 == 0 {
            let password = if carol == 20 { PASSWORD } else { "carol123" };
            attempt("carol.finance", password, "192.0.2.99");
            carol += 1;
            continue;
        }
        if i % 5_003 == 0 {
            let _ = get_invoice("mallory", "203.0.113.50", i, false);
            continue;
        }
        let n = rng.below(USERS);
        let user = format!("user{n}@example.com");
        let ip = home(n);
        match rng.below(10) {
            0..=2 => {
                if rng.below(50) == 0 {
                    attempt(&user, "typo", &ip);
                }
                attempt(&user, PASSWORD, &ip);
            }
            3..=6 => {
                let slow = rng.below(20_000) == 0;
                let _ = get_invoice(&user, &ip, rng.below(1_000_000), slow);
            }
            _ => {
                let text = format!("invoices from {}", 2000 + rng.below(26));
                let _ = search(
                    &user,
                    &ip,
                    Query {
                        text,
                        page: rng.below(5) as u32,
                    },
                );
            }
        }
    }
}
