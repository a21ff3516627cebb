//! Time placeholders in JSON arguments: one set of arguments for the sandbox, whose clock a test
//! sets, and for a live chain, whose clock it cannot.

use serde_json::{Value, json};

/// Replaces time placeholders — the strings `"${now}"`, `"${now+N}"` and `"${now-N}"` (N in
/// seconds) — anywhere in `value` by the number `now`, `now + N`, `now - N`, so one scenario
/// runs in the sandbox and on a live chain whose clock it cannot set.
pub fn substitute_time(value: &Value, now: u64) -> Value {
    match value {
        Value::String(s) => match placeholder(s, now) {
            Some(n) => json!(n),
            None => value.clone(),
        },
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| substitute_time(v, now)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute_time(v, now)))
                .collect(),
        ),
        _ => value.clone(),
    }
}

fn placeholder(s: &str, now: u64) -> Option<u64> {
    let inner = s.strip_prefix("${now")?.strip_suffix('}')?;
    if inner.is_empty() {
        return Some(now);
    }
    let (sign, digits) = inner.split_at(1);
    let n: u64 = digits.parse().ok()?;
    match sign {
        "+" => now.checked_add(n),
        "-" => now.checked_sub(n),
        _ => None,
    }
}
