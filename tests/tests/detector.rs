//! The brute-force detector: per-user limits once per window, one alert
//! per credential-stuffing burst, sliding windows on an injected clock,
//! bounded memory, and the answers of `seclog::monitor`.

use seclog::monitor::{self, ManualClock, Monitor, Settings, Tracked};
use serde_json::Value;
use std::time::Duration;

#[derive(serde::Serialize, seclog::AuthEvent)]
#[auth(login)]
struct Login {
    #[auth(user)]
    user: String,
    #[auth(source_ip)]
    ip: String,
}

#[seclog::audit]
fn login(req: Login) -> Result<(), &'static str> {
    if monitor::is_flagged_ip(&req.ip) {
        return Err("refused: address flagged");
    }
    Err("bad credentials")
}

fn fail(user: &str, ip: &str) -> Vec<Value> {
    seclog::testing::capture(|| {
        login(Login {
            user: user.into(),
            ip: ip.into(),
        })
    })
    .records()
}

fn with_action<'a>(records: &'a [Value], action: &str) -> Vec<&'a Value> {
    records
        .iter()
        .filter(|r| r["event"]["action"] == action)
        .collect()
}

fn detector(settings: Settings) -> (Monitor, ManualClock) {
    let clock = ManualClock::new();
    (Monitor::with_clock(settings, clock.clone()).unwrap(), clock)
}

fn one_minute(max: u32) -> Settings {
    Settings::default()
        .user_max_failures(max)
        .user_window(Duration::from_secs(60))
}

#[test]
fn exactly_one_fail_max_per_user_per_window() {
    let (m, clock) = detector(one_minute(3));
    let records: Vec<Value> = m.scope(|| {
        (0..10)
            .flat_map(|_| {
                clock.advance(Duration::from_secs(1));
                fail("alice", "192.0.2.1")
            })
            .collect()
    });
    let max = with_action(&records, "authn_login_fail_max");
    assert_eq!(max.len(), 1, "ten failures in one window: one event");
    let event = max[0];
    assert_eq!(event["seclog"]["owasp"], "authn_login_fail_max:alice,3");
    assert_eq!(event["log.level"], "warn");
    assert_eq!(event["event"]["category"][0], "authentication");
    assert_eq!(event["source"]["ip"], "192.0.2.1");
    // Written right after the third failure's end record, in its transaction.
    let i = records
        .iter()
        .position(|r| r["event"]["action"] == "authn_login_fail_max")
        .unwrap();
    let third_end = &records[i - 1];
    assert_eq!(third_end["seclog"]["phase"], "end");
    assert_eq!(third_end["seclog"]["owasp"], "authn_login_fail:alice");
    assert_eq!(event["transaction"]["id"], third_end["transaction"]["id"]);
    assert_eq!(
        with_action(&records, "login")
            .iter()
            .filter(|r| r["seclog"]["phase"] == "end")
            .count(),
        10
    );
    seclog_tests::assert_ecs(&records);
    // Another user is counted apart.
    let other = m.scope(|| fail("bob", "192.0.2.1"));
    assert!(with_action(&other, "authn_login_fail_max").is_empty());
}

#[test]
fn the_next_window_writes_the_event_again() {
    let (m, clock) = detector(one_minute(3));
    let count = |records: Vec<Value>| with_action(&records, "authn_login_fail_max").len();
    m.scope(|| {
        let first: usize = (0..3).map(|_| count(fail("carol", "192.0.2.2"))).sum();
        assert_eq!(first, 1);
        clock.advance(Duration::from_secs(61));
        assert!(
            !monitor::is_flagged_user("carol"),
            "the flag lasts one window"
        );
        let second: Vec<usize> = (0..3).map(|_| count(fail("carol", "192.0.2.2"))).collect();
        assert_eq!(
            second,
            [0, 0, 1],
            "old failures slid out: three new ones are needed"
        );
    });
}

#[test]
fn the_window_slides_rather_than_resetting() {
    // Failures at 0 s, 50 s, 70 s and 75 s with a 60 s window: at 70 s the
    // last minute holds two (50, 70), at 75 s three (50, 70, 75). Fixed
    // minutes ([0, 60), [60, 120)) would never hold three.
    let (m, clock) = detector(one_minute(3));
    let mut reached = Vec::new();
    for step in [0, 50, 20, 5] {
        clock.advance(Duration::from_secs(step));
        reached.push(m.failure(Some("dave"), None).user_limit_reached);
    }
    assert_eq!(reached, [false, false, false, true]);
    assert_eq!(
        m.failure(Some("dave"), None).user_failures,
        5,
        "no pause of a whole window since the first"
    );
    clock.advance(Duration::from_secs(60));
    assert_eq!(
        m.failure(Some("dave"), None).user_failures,
        1,
        "a window without failures starts afresh"
    );
}

#[test]
fn one_alert_for_a_credential_stuffing_burst() {
    let settings = Settings::default()
        .ip_max_users(10)
        .ip_window(Duration::from_secs(300));
    let (m, clock) = detector(settings);
    let records: Vec<Value> = m.scope(|| {
        (0..50)
            .flat_map(|i| {
                clock.advance(Duration::from_millis(200));
                fail(&format!("user{i}"), "203.0.113.66")
            })
            .collect()
    });
    let alerts: Vec<&Value> = records
        .iter()
        .filter(|r| r["event"]["kind"] == "alert")
        .collect();
    assert_eq!(alerts.len(), 1, "one alert for the burst");
    let alert = alerts[0];
    assert_eq!(alert["event"]["action"], "credential_stuffing");
    assert_eq!(alert["event"]["category"][0], "intrusion_detection");
    assert_eq!(alert["log.level"], "critical");
    assert_eq!(alert["source"]["ip"], "203.0.113.66");
    assert_eq!(
        alert["user"]["name"], "user9",
        "raised by the tenth distinct user"
    );
    assert_eq!(alert["seclog"]["monitor"]["distinct_users"], 10);
    assert_eq!(alert["seclog"]["monitor"]["window_seconds"], 300);
    assert!(alert["message"]
        .as_str()
        .unwrap()
        .contains("credential stuffing"));
    seclog_tests::assert_ecs(&records);
    assert!(
        with_action(&records, "authn_login_fail_max").is_empty(),
        "each user failed once"
    );
    // The handler refused the rest of the burst early.
    let refused = records
        .iter()
        .filter(|r| r["error"]["message"] == "refused: address flagged")
        .count();
    assert_eq!(refused, 40);
    assert!(m.is_flagged_ip("203.0.113.66"));
    assert!(!m.is_flagged_ip("203.0.113.67"));
    clock.advance(Duration::from_secs(301));
    assert!(!m.is_flagged_ip("203.0.113.66"));
}

#[test]
fn one_user_failing_many_times_from_one_address_is_not_stuffing() {
    let (m, _clock) = detector(Settings::default().ip_max_users(3).user_max_failures(64));
    for _ in 0..100 {
        let f = m.failure(Some("erin"), Some("198.51.100.5"));
        assert_eq!(f.ip_distinct_users, 1);
        assert!(!f.ip_limit_reached);
    }
}

#[test]
fn distinct_users_are_counted_within_the_address_window() {
    let (m, clock) = detector(
        Settings::default()
            .ip_max_users(3)
            .ip_window(Duration::from_secs(60)),
    );
    m.failure(Some("a"), Some("2001:db8::1"));
    m.failure(Some("b"), Some("2001:DB8:0::1"));
    clock.advance(Duration::from_secs(61));
    let f = m.failure(Some("c"), Some("2001:db8::1"));
    assert_eq!(
        (f.ip_distinct_users, f.ip_limit_reached),
        (1, false),
        "a and b slid out"
    );
    m.failure(Some("d"), Some("2001:db8::1"));
    let f = m.failure(Some("e"), Some("2001:db8::1"));
    assert_eq!((f.ip_distinct_users, f.ip_limit_reached), (3, true));
    assert!(
        m.is_flagged_ip("2001:0db8::1"),
        "one address however it is written"
    );
}

#[test]
fn a_million_distinct_addresses_stay_within_the_cap() {
    let cap = 10_000;
    let (m, clock) = detector(Settings::default().max_keys(cap));
    for i in 0..1_000_000u32 {
        let ip = std::net::Ipv4Addr::from(0x0a00_0000 + i).to_string();
        m.failure(Some(&ip), Some(&ip));
        if i % 100_000 == 0 {
            clock.advance(Duration::from_secs(1));
        }
    }
    assert_eq!(
        m.tracked(),
        Tracked {
            users: cap,
            ips: cap
        }
    );
    // The most recent are kept, the oldest evicted.
    let last = std::net::Ipv4Addr::from(0x0a00_0000 + 999_999u32).to_string();
    assert_eq!(m.failure(Some(&last), None).user_failures, 2);
    assert_eq!(m.failure(Some("10.0.0.0"), None).user_failures, 1);
}

#[test]
fn security_event_login_failures_feed_the_detector() {
    let (m, _clock) = detector(one_minute(2));
    let run = m.scope(|| {
        seclog::testing::capture(|| {
            seclog::security_event!(authn_login_fail, user = "frank");
            seclog::security_event!(authn_login_fail, user = "frank");
            seclog::security_event!(authn_login_fail, user = "frank");
        })
    });
    let owasp: Vec<String> = run
        .records()
        .iter()
        .map(|r| r["seclog"]["owasp"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        owasp,
        [
            "authn_login_fail:frank",
            "authn_login_fail:frank",
            "authn_login_fail_max:frank,2",
            "authn_login_fail:frank"
        ]
    );
    assert!(m.is_flagged_user("frank"));
}

#[test]
fn a_success_resets_the_count_but_not_the_flag() {
    let (m, clock) = detector(one_minute(2));
    m.failure(Some("gina"), None);
    assert_eq!(m.success(Some("gina")), 1);
    assert!(
        !m.failure(Some("gina"), None).user_limit_reached,
        "the count started afresh"
    );
    assert!(m.failure(Some("gina"), None).user_limit_reached);
    assert_eq!(m.success(Some("gina")), 2);
    assert!(m.is_flagged_user("gina"), "a flag lasts its window");
    clock.advance(Duration::from_secs(60));
    assert!(!m.is_flagged_user("gina"));
}

#[test]
fn monitor_answers_for_the_current_detector() {
    let (m, _clock) = detector(one_minute(2).ip_max_users(2));
    m.scope(|| {
        assert!(!monitor::is_flagged_user("hank") && !monitor::is_flagged_ip("192.0.2.50"));
        fail("hank", "192.0.2.50");
        assert!(!monitor::is_flagged_user("hank"));
        fail("hank", "192.0.2.50");
        assert!(monitor::is_flagged_user("hank"));
        assert!(
            !monitor::is_flagged_ip("192.0.2.50"),
            "one user is not stuffing"
        );
        fail("ivy", "192.0.2.50");
        assert!(monitor::is_flagged_ip("192.0.2.50"));
        assert!(!monitor::is_flagged_user("ivy"));
    });
    assert!(
        m.is_flagged_user("hank"),
        "the scope counted into this detector"
    );
}

#[test]
fn a_disabled_detector_counts_nothing() {
    let (m, _clock) = detector(one_minute(1).enabled(false));
    let records = m.scope(|| fail("jack", "192.0.2.9"));
    assert!(with_action(&records, "authn_login_fail_max").is_empty());
    assert!(!m.is_flagged_user("jack"));
    assert_eq!(m.tracked(), Tracked { users: 0, ips: 0 });
}

#[test]
fn settings_out_of_range_are_errors_naming_the_setting() {
    let cases = [
        (
            Settings::default().user_max_failures(0),
            "user_max_failures = 0 is out of range: expected 1 to 64",
        ),
        (
            Settings::default().user_max_failures(65),
            "user_max_failures = 65 is out of range: expected 1 to 64",
        ),
        (
            Settings::default().ip_max_users(1),
            "ip_max_users = 1 is out of range: expected 2 to 64",
        ),
        (
            Settings::default().max_keys(0),
            "max_keys = 0 is out of range: expected 1 to 1000000",
        ),
        (
            Settings::default().ip_window(Duration::ZERO),
            "ip_window = 0 is out of range: expected 1 to 86400 seconds",
        ),
    ];
    for (settings, message) in cases {
        assert_eq!(Monitor::new(settings).unwrap_err().to_string(), message);
    }
}

#[test]
fn environment_variables_set_the_thresholds() {
    // The only test in this binary that touches these variables.
    let vars = [
        ("SECLOG_MONITOR_USER_MAX_FAILURES", "3"),
        ("SECLOG_MONITOR_USER_WINDOW", "90s"),
        ("SECLOG_MONITOR_IP_MAX_USERS", "25"),
        ("SECLOG_MONITOR_IP_WINDOW", "1h"),
        ("SECLOG_MONITOR_MAX_KEYS", "500"),
        ("SECLOG_MONITOR", "off"),
    ];
    for (k, v) in vars {
        std::env::set_var(k, v);
    }
    let settings = Settings::default().from_env();
    std::env::set_var("SECLOG_MONITOR_IP_MAX_USERS", "many");
    let bad = Settings::default().from_env().unwrap_err().to_string();
    for (k, _) in vars {
        std::env::remove_var(k);
    }
    let want = Settings::default()
        .user_max_failures(3)
        .user_window(Duration::from_secs(90))
        .ip_max_users(25)
        .ip_window(Duration::from_secs(3600))
        .max_keys(500)
        .enabled(false);
    assert_eq!(settings.unwrap(), want);
    assert_eq!(
        bad,
        r#"SECLOG_MONITOR_IP_MAX_USERS="many" is not valid: expected a whole number from 2 to 64"#
    );
}
