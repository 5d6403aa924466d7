//! Helpers shared by the integration tests: the ECS conformance check that
//! every test file can apply to the records it captured, and CloudWatch's
//! matching of filter patterns and Contributor Insights rules
//! ([`cloudwatch`]), and a Lambda Runtime API to run functions against
//! ([`lambda_api`]).

pub mod cloudwatch;
pub mod lambda_api;

use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The ECS reference data the repository carries (`reference/ecs`).
pub fn ecs_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../reference/ecs")
}

struct Ecs {
    /// Field name → ECS type (`keyword`, `long`, `date`, ...).
    fields: HashMap<String, String>,
    /// `event.kind` etc. → allowed values.
    allowed: HashMap<String, Vec<String>>,
}

fn ecs() -> &'static Ecs {
    static ECS: OnceLock<Ecs> = OnceLock::new();
    ECS.get_or_init(|| {
        let dir = ecs_dir();
        let csv = std::fs::read_to_string(dir.join("fields.csv"))
            .expect("reference/ecs/fields.csv is readable");
        let mut fields = HashMap::new();
        for line in csv.lines().skip(1) {
            // ECS_Version,Indexed,Field_Set,Field,Type,...: the first four
            // columns never contain commas.
            let cols: Vec<&str> = line.splitn(6, ',').collect();
            if cols.len() >= 5 {
                fields.insert(cols[3].to_string(), cols[4].to_string());
            }
        }
        let allowed: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("allowed_values.json"))
                .expect("allowed_values.json is readable"),
        )
        .expect("allowed_values.json is JSON");
        let allowed = allowed["allowed_values"]
            .as_object()
            .expect("allowed_values object")
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_array()
                        .unwrap()
                        .iter()
                        .map(|s| s.as_str().unwrap().to_string())
                        .collect(),
                )
            })
            .collect();
        Ecs { fields, allowed }
    })
}

/// Whether a JSON value fits an ECS type.
fn fits(ecs_type: &str, v: &Value) -> bool {
    match v {
        Value::Array(items) => items.iter().all(|i| fits(ecs_type, i)),
        Value::String(_) => {
            matches!(
                ecs_type,
                "keyword"
                    | "wildcard"
                    | "match_only_text"
                    | "text"
                    | "ip"
                    | "date"
                    | "constant_keyword"
            )
        }
        Value::Number(n) => match ecs_type {
            "long" | "unsigned_long" => n.is_i64() || n.is_u64(),
            "integer" | "short" | "byte" => n.is_i64(),
            "float" | "double" | "scaled_float" | "half_float" => true,
            _ => false,
        },
        Value::Bool(_) => ecs_type == "boolean",
        Value::Object(_) => matches!(ecs_type, "object" | "flattened" | "nested"),
        Value::Null => false,
    }
}

/// The reasons a record does not conform to ECS (empty when it does):
/// every leaf outside `seclog.*` (and the EMF `_aws` block) is an ECS field
/// with a fitting type, and `event.kind/category/type/outcome` hold allowed
/// values.
pub fn ecs_violations(record: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(record, String::new(), &mut out);
    for key in [
        "event.kind",
        "event.category",
        "event.type",
        "event.outcome",
    ] {
        let mut v = record;
        for part in key.split('.') {
            v = &v[part];
        }
        let values: Vec<&Value> = match v {
            Value::Null => continue,
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        for value in values {
            let ok = value
                .as_str()
                .is_some_and(|s| ecs().allowed[key].iter().any(|a| a == s));
            if !ok {
                out.push(format!("{key} = {value} is not an ECS allowed value"));
            }
        }
    }
    out
}

fn walk(v: &Value, path: String, out: &mut Vec<String>) {
    // A root key such as `"seclog.metrics.duration_ms"` (EMF wants metrics
    // at the root) is the same field as the nested path for Elasticsearch:
    // it belongs to seclog's own namespace. Only root keys can produce such
    // a path here, since the nested `seclog` object is skipped whole.
    if path == "seclog" || path.starts_with("seclog.") || path == "_aws" {
        return;
    }
    // AWS Lambda's log-level filter reads these two root keys, which seclog
    // adds when the function's log format is JSON; they are not ECS fields.
    if path == "level" || path == "timestamp" {
        return;
    }
    let ecs = ecs();
    if let Some(t) = ecs.fields.get(&path) {
        if !fits(t, v) {
            out.push(format!("{path} is ECS type {t} but holds {v}"));
        }
        if !matches!(t.as_str(), "object" | "flattened" | "nested") {
            return;
        }
    }
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(child, p, out);
            }
        }
        _ if path.is_empty() => out.push("a record must be a JSON object".into()),
        _ if !ecs.fields.contains_key(&path) => {
            // EMF metric members are top-level by the EMF specification.
            out.push(format!(
                "{path} is not an ECS field (fields ECS lacks belong under seclog.*)"
            ))
        }
        _ => {}
    }
}

/// Panics with every violation of ECS and of the ECS logging specification
/// (but the order of members: see [`assert_ecs_lines`]) in any record.
pub fn assert_ecs(records: &[Value]) {
    let problems: Vec<String> = records
        .iter()
        .flat_map(|r| {
            ecs_violations(r)
                .into_iter()
                .chain(ecs_logging_value_violations(r))
                .map(move |p| format!("{p}\n  in {r}"))
        })
        .collect();
    assert!(
        problems.is_empty(),
        "records do not conform to ECS:\n{}",
        problems.join("\n")
    );
}

/// Runs `f` with `subscriber` as this thread's `tracing` subscriber.
///
/// `tracing` keeps process-wide caches (per call site, whether any
/// subscriber wants it; the most verbose level any subscriber wants) that
/// tests on other threads creating and dropping their own subscribers at
/// the same moment can leave stale, so a span or event of `f` could be
/// lost. Tests that watch `tracing` output therefore take turns, and the
/// caches are rebuilt once this subscriber is in place.
pub fn with_subscriber<S, R>(subscriber: S, f: impl FnOnce() -> R) -> R
where
    S: tracing::Subscriber + Send + Sync + 'static,
{
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    tracing::subscriber::with_default(subscriber, || {
        tracing::callsite::rebuild_interest_cache();
        f()
    })
}

/// An `io::Write` sink whose bytes a test reads back; clones share them.
#[derive(Clone, Default)]
pub struct SharedBuffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.lock().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl SharedBuffer {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
        self.0
            .lock()
            .expect("no write panicked while holding the buffer")
    }

    /// Every byte written so far.
    pub fn bytes(&self) -> Vec<u8> {
        self.lock().clone()
    }

    /// Everything written so far, as text.
    ///
    /// # Panics
    ///
    /// When the bytes are not UTF-8: records always are.
    pub fn text(&self) -> String {
        String::from_utf8(self.bytes()).expect("records are UTF-8")
    }

    /// Each record written so far, parsed.
    ///
    /// # Panics
    ///
    /// When nothing was written, the text does not end a line, or a line
    /// is not one JSON object.
    pub fn records(&self) -> Vec<Value> {
        let text = self.text();
        assert!(text.ends_with('\n'), "every record ends its line");
        text.lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect()
    }
}

/// How many cases a property test runs: `PROPTEST_CASES` when set, else
/// `default`.
pub fn proptest_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The rules of the ECS logging specification (`reference/ecs-logging/spec.json`)
/// that a record's line breaks (empty when it keeps them all): the fields
/// with an `index` open the line in that order, and the rules
/// [`ecs_logging_value_violations`] checks.
pub fn ecs_logging_violations(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let keys = match top_level_keys(line) {
        Ok(keys) => keys,
        Err(e) => return vec![format!("not one JSON object: {e}")],
    };
    let mut ordered: Vec<(u64, &str)> = ecs_logging_spec()
        .iter()
        .filter_map(|(name, rule)| Some((rule["index"].as_u64()?, name.as_str())))
        .collect();
    ordered.sort();
    for (index, name) in ordered {
        if keys.get(index as usize).map(String::as_str) != Some(name) {
            out.push(format!(
                "member {index} must be `{name}`; the line opens with {:?}",
                &keys[..keys.len().min(4)]
            ));
        }
    }
    let record: Value = serde_json::from_str(line).expect("parsed once already");
    out.extend(ecs_logging_value_violations(&record));
    out
}

/// The rules of the ECS logging specification that a parsed record breaks
/// (all but the order of its members, which parsing forgets): every
/// required field is there with its type, and a field whose nesting is not
/// allowed is a top-level dotted key (`"log.level": "warn"`), never nested.
pub fn ecs_logging_value_violations(record: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (name, rule) in ecs_logging_spec() {
        let top = record.get(name.as_str());
        let nested = name
            .split('.')
            .try_fold(record, |v, part| v.get(part))
            .filter(|_| name.contains('.'));
        if rule["nesting_allowed"] == Value::Bool(false) && nested.is_some() {
            out.push(format!(
                "`{name}` must be a top-level dotted key, never nested"
            ));
        }
        let value = top.or(nested);
        let Some(value) = value else {
            if rule["required"] == Value::Bool(true) {
                out.push(format!("`{name}` is required"));
            }
            continue;
        };
        let fits = match rule["type"].as_str() {
            Some("string") => value.is_string(),
            Some("datetime") => value.as_str().is_some_and(is_rfc3339),
            Some("object") => value.is_object(),
            _ => true,
        };
        if !fits {
            out.push(format!("`{name}` is not a {}: {value}", rule["type"]));
        }
    }
    out
}

/// Panics with every violation of ECS (fields, types, allowed values) and
/// of the ECS logging specification, in any of `lines`; returns the parsed
/// records.
pub fn assert_ecs_lines<S: AsRef<str>>(lines: &[S]) -> Vec<Value> {
    let problems: Vec<String> = lines
        .iter()
        .flat_map(|line| {
            let line = line.as_ref();
            ecs_logging_violations(line)
                .into_iter()
                .chain(serde_json::from_str(line).map_or_else(
                    |e| vec![format!("not JSON: {e}")],
                    |record| ecs_violations(&record),
                ))
                .map(move |p| format!("{p}\n  in {line}"))
        })
        .collect();
    assert!(
        problems.is_empty(),
        "records break ECS or the ECS logging specification:\n{}",
        problems.join("\n")
    );
    lines
        .iter()
        .map(|l| serde_json::from_str(l.as_ref()).expect("checked above"))
        .collect()
}

fn ecs_logging_spec() -> &'static serde_json::Map<String, Value> {
    static SPEC: OnceLock<serde_json::Map<String, Value>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../reference/ecs-logging/spec.json");
        let text = std::fs::read_to_string(path).expect("reference/ecs-logging/spec.json");
        let spec: Value = serde_json::from_str(&text).expect("the spec is JSON");
        spec["fields"].as_object().expect("spec fields").clone()
    })
}

/// `2026-12-01T15:49:02.095837Z` and the like: date, `T`, time, zone.
fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && (text.ends_with('Z') || text[19..].contains(['+', '-']))
}

/// The keys of a JSON object's top level, in the order the text has them
/// (`serde_json::Value` sorts them).
fn top_level_keys(line: &str) -> Result<Vec<String>, serde_json::Error> {
    struct Keys;
    impl<'de> serde::de::Visitor<'de> for Keys {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Vec<String>, A::Error> {
            let mut keys = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                map.next_value::<serde::de::IgnoredAny>()?;
                keys.push(key);
            }
            Ok(keys)
        }
    }
    serde::Deserializer::deserialize_map(&mut serde_json::Deserializer::from_str(line), Keys)
}
