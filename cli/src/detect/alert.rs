//! A finding as an ECS alert record (one JSON line, `@timestamp`,
//! `log.level` and `message` first), and its one-line summary.

use super::*;

pub(crate) fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// The ECS version the alert records follow: the release the runtime's
/// records follow.
pub use seclog::record::ECS_VERSION;

/// One finding as an ECS alert record, on one line: `@timestamp` (the last
/// record's time), `log.level` and `message` first, as ECS logging asks,
/// then `event.kind: "alert"` with the finding's name as `event.action`,
/// first and last seen as `event.start`/`event.end`, the user and address,
/// the addresses and users involved as `related.ip`/`related.user`, and
/// the counts and transaction ids under `seclog.*`.
pub fn alert(f: &Finding) -> String {
    let head = serde_json::json!([record::format_time(f.last), f.kind.level(), message(f)]);
    let rest = alert_members(f).to_string();
    let mut line = String::with_capacity(rest.len() + 200);
    line.push_str("{\"@timestamp\":");
    line.push_str(&head[0].to_string());
    line.push_str(",\"log.level\":");
    line.push_str(&head[1].to_string());
    line.push_str(",\"message\":");
    line.push_str(&head[2].to_string());
    if rest.len() > 2 {
        line.push(',');
        line.push_str(&rest[1..]);
    } else {
        line.push('}');
    }
    line
}

/// The alert's members after the first three.
pub(crate) fn alert_members(f: &Finding) -> serde_json::Value {
    use serde_json::{json, Map, Value};
    let mut root = Map::new();
    root.insert("ecs.version".into(), ECS_VERSION.into());
    let (category, kind_type) = match f.kind {
        Kind::BruteForce | Kind::CredentialStuffing | Kind::LoginAfterAttack => (
            json!(["authentication", "intrusion_detection"]),
            json!(["info"]),
        ),
        Kind::AuthzFail => (json!(["intrusion_detection"]), json!(["denied"])),
        Kind::IncompleteInvocation | Kind::BudgetExceeded => (json!(["api"]), json!(["info"])),
    };
    let mut event = json!({
        "kind": "alert",
        "category": category,
        "type": kind_type,
        "action": f.kind.action(),
        "dataset": "seclog.detect",
        "start": record::format_time(f.first),
        "end": record::format_time(f.last),
    });
    if !f.reasons.is_empty() {
        event["reason"] = f.reasons.join("; ").into();
    }
    root.insert("event".into(), event);
    if let Some(u) = &f.user {
        root.insert("user".into(), json!({ f.user_field.member(): u }));
    }
    if let Some(s) = &f.source {
        let member = if s.parse::<std::net::IpAddr>().is_ok() {
            "ip"
        } else {
            "address"
        };
        root.insert("source".into(), json!({ member: s }));
    }
    let ips: Vec<&String> = f
        .sources
        .items
        .iter()
        .chain(&f.source)
        .filter(|s| s.parse::<std::net::IpAddr>().is_ok())
        .collect();
    let mut related = Map::new();
    if !ips.is_empty() {
        let mut ips: Vec<&String> = ips;
        ips.sort();
        ips.dedup();
        related.insert("ip".into(), json!(ips));
    }
    if !f.users.items.is_empty() {
        related.insert("user".into(), json!(f.users.items));
    }
    if !related.is_empty() {
        root.insert("related".into(), Value::Object(related));
    }
    let mut s = Map::new();
    s.insert("count".into(), f.count.into());
    s.insert("transactions".into(), json!(f.transactions.items));
    s.insert("transactions_total".into(), f.transactions.total.into());
    if f.raised > 0 {
        s.insert("raised".into(), f.raised.into());
    }
    match f.kind {
        Kind::BruteForce | Kind::LoginAfterAttack => {
            s.insert("sources".into(), json!(f.sources.items));
            s.insert("sources_total".into(), f.sources.total.into());
        }
        Kind::CredentialStuffing => {
            s.insert("distinct_users".into(), f.distinct_users.into());
            s.insert("users".into(), json!(f.users.items));
            s.insert("users_total".into(), f.users.total.into());
        }
        Kind::AuthzFail => {
            s.insert("resources".into(), json!(f.resources.items));
            s.insert("resources_total".into(), f.resources.total.into());
        }
        Kind::IncompleteInvocation => {}
        Kind::BudgetExceeded => {
            if let Some(d) = f.max_duration {
                s.insert("max_duration".into(), d.into());
            }
            if let Some(b) = f.budget_ms {
                s.insert("budget_ms".into(), b.into());
            }
        }
    }
    if let Some(a) = &f.action {
        s.insert("action".into(), a.clone().into());
    }
    root.insert("seclog".into(), Value::Object(s));
    Value::Object(root)
}

/// A one-line summary of the finding (text from records included as is:
/// escape it before printing it to a terminal).
pub fn message(f: &Finding) -> String {
    let user = f.user.as_deref().unwrap_or("an unknown user");
    let source = f.source.as_deref().unwrap_or("an unknown address");
    let action = f.action.as_deref().unwrap_or("?");
    match f.kind {
        Kind::BruteForce => format!(
            "brute force: {} failed logins for {user} from {} address(es)",
            f.count, f.sources.total
        ),
        Kind::CredentialStuffing => format!(
            "credential stuffing: {} failed logins for {} users from {source}",
            f.count, f.users.total
        ),
        Kind::LoginAfterAttack => format!(
            "likely compromised account: {user} logged in {} time(s) {}",
            f.count,
            f.reasons.join(", ")
        ),
        Kind::AuthzFail => format!(
            "{} authorization failure(s) for {user} from {source}",
            f.count
        ),
        Kind::IncompleteInvocation => {
            format!("{action} started and never ended (killed or timed out)")
        }
        Kind::BudgetExceeded => format!("{action} exceeded its budget {} time(s)", f.count),
    }
}
