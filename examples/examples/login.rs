//! A login handler under attack, and the records seclog writes for it.
//!
//! ```sh
//! cargo run -p seclog-examples --example login
//! SECLOG_FORMAT=pretty cargo run -p seclog-examples --example login
//! ```
//!
//! 1. A normal user mistypes a password once, then logs in:
//!    `authn_login_fail:alice`, then `authn_login_successafterfail:alice,1`.
//! 2. A brute-force burst against one account: each failure is
//!    `authn_login_fail:bob`; the third within the window also writes
//!    `authn_login_fail_max:bob,3`, and the handler refuses the rest early.
//! 3. A credential-stuffing burst: one address tries many accounts once
//!    each; the fifth distinct user raises one `event.kind: alert` record,
//!    and the handler refuses that address from then on.
//!
//! Passwords are `#[redact]`ed: they appear in no record.

use seclog::monitor::{self, Settings};
use seclog::{EventOutcome, Outcome};

/// The login form, as the handler receives it.
#[derive(seclog::Redact, seclog::AuthEvent)]
#[auth(login)]
struct LoginRequest {
    /// The claimed identity: `user.name` and the vocabulary argument.
    #[auth(user)]
    username: String,
    /// Never logged.
    #[redact]
    password: String,
    /// `source.ip`, and the detector's per-address count.
    #[auth(source_ip)]
    ip: String,
    #[auth(user_agent)]
    user_agent: String,
}

/// The HTTP answer: 4xx is a failed login.
#[derive(serde::Serialize)]
struct LoginResponse {
    status: u16,
}

impl Outcome for LoginResponse {
    fn outcome(&self) -> EventOutcome {
        if self.status < 400 {
            EventOutcome::Success
        } else {
            EventOutcome::Failure
        }
    }

    fn status_code(&self) -> Option<u16> {
        Some(self.status)
    }
}

/// Checks a password; refuses early what the detector has flagged.
#[seclog::audit(name = "login")]
fn login(req: LoginRequest) -> LoginResponse {
    if monitor::is_flagged_ip(&req.ip) || monitor::is_flagged_user(&req.username) {
        return LoginResponse { status: 429 };
    }
    let known = [
        ("alice", "correct horse battery staple"),
        ("bob", "hunter2"),
    ];
    let ok = known
        .iter()
        .any(|(u, p)| *u == req.username && *p == req.password);
    LoginResponse {
        status: if ok { 200 } else { 401 },
    }
}

fn attempt(username: &str, password: &str, ip: &str) -> u16 {
    login(LoginRequest {
        username: username.into(),
        password: password.into(),
        ip: ip.into(),
        user_agent: "Mozilla/5.0".into(),
    })
    .status
}

fn main() -> Result<(), seclog::ConfigError> {
    seclog::init()?;
    // Small thresholds so the bursts below cross them; the defaults are 5
    // failures per user and 10 users per address in 15 minutes.
    monitor::configure(
        Settings::default()
            .from_env()?
            .user_max_failures(3)
            .ip_max_users(5),
    )?;

    println!("# a normal user: one typo, then the right password");
    attempt("alice", "correct horse battery stapel", "198.51.100.20");
    attempt("alice", "correct horse battery staple", "198.51.100.20");

    println!("# brute force: one account, many passwords");
    for password in ["123456", "password", "qwerty", "letmein", "hunter1"] {
        attempt("bob", password, "203.0.113.7");
    }

    println!("# credential stuffing: one address, many accounts");
    for user in ["carol", "dave", "erin", "frank", "grace", "heidi", "ivan"] {
        attempt(user, "Summer2024!", "192.0.2.66");
    }

    println!(
        "# flagged now: user bob = {}, address 192.0.2.66 = {}, user alice = {}",
        monitor::is_flagged_user("bob"),
        monitor::is_flagged_ip("192.0.2.66"),
        monitor::is_flagged_user("alice"),
    );
    Ok(())
}
