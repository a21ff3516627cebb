//! FHIR R4 renderings of what a node returns: the accounting of disclosures as `AuditEvent`
//! resources in a `Bundle` (HIPAA 45 CFR 164.528), following the R4 `AuditEvent` structure and
//! its code systems (<https://hl7.org/fhir/R4/auditevent.html>).

use carechain_rpc_api::{DisclosureView, Hex32};
use serde_json::{Value, json};

/// The identifier system of a consortium member key (who read).
pub const MEMBER_KEY_SYSTEM: &str = "urn:carechain:member-key";
/// The identifier system of a node key (who served and recorded the read).
pub const NODE_KEY_SYSTEM: &str = "urn:carechain:node-key";
/// The identifier system of a pseudonymous subject.
pub const SUBJECT_SYSTEM: &str = "urn:carechain:subject";
/// The identifier system of a contract address.
pub const CONTRACT_SYSTEM: &str = "urn:carechain:contract";

/// `2026-12-03T19:57:12.345Z` for Unix milliseconds (proleptic Gregorian, UTC).
pub fn instant(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms % 1000
    )
}

fn coding(system: &str, code: &str, display: &str) -> Value {
    json!({"system": system, "code": code, "display": display})
}

fn identifier(system: &str, value: &Hex32) -> Value {
    json!({"identifier": {"system": system, "value": value.to_string()}})
}

/// One entry of a node's disclosure log (`node` is the node's key) as a FHIR R4 `AuditEvent`.
pub fn audit_event(entry: &DisclosureView, node: &Hex32) -> Value {
    let outcome = match entry.outcome.as_str() {
        "disclosed" => ("0", "disclosed"),
        "refused" => (
            "4",
            "refused by the contract's read rules: nothing disclosed",
        ),
        _ => ("8", "the read failed: nothing disclosed"),
    };
    let purpose: Vec<Value> = entry
        .purpose
        .iter()
        .map(|p| {
            json!({"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
                "code": p,
            }]})
        })
        .collect();
    let mut agent = json!({
        "who": identifier(MEMBER_KEY_SYSTEM, &entry.reader),
        "name": entry.org,
        "requestor": true,
    });
    if !purpose.is_empty() {
        agent["purposeOfUse"] = json!(purpose);
    }
    let mut entities: Vec<Value> = entry
        .subjects
        .iter()
        .map(|s| {
            json!({
                "what": identifier(SUBJECT_SYSTEM, s),
                "type": coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person"),
                "role": coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient"),
            })
        })
        .collect();
    entities.push(json!({
        "what": identifier(CONTRACT_SYSTEM, &entry.contract),
        "type": coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"),
        "role": coding("http://terminology.hl7.org/CodeSystem/object-role", "24", "Query"),
        "name": entry.message,
        "detail": [
            {"type": "args-blake2b-256", "valueString": entry.args_hash.to_string()},
            {"type": "result-blake2b-256", "valueString": entry.result_hash.to_string()},
            {"type": "log-entry-blake2b-256", "valueString": entry.hash.to_string()},
            {"type": "log-previous-blake2b-256", "valueString": entry.prev.to_string()},
        ],
    }));
    let mut event = json!({
        "resourceType": "AuditEvent",
        "id": format!("{}-{}", &node.to_string()[..16], entry.seq),
        "type": coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation"),
        "subtype": [coding("http://hl7.org/fhir/restful-interaction", "read", "read")],
        "action": "R",
        "recorded": instant(entry.at_ms),
        "outcome": outcome.0,
        "outcomeDesc": outcome.1,
        "agent": [agent],
        "source": {
            "observer": identifier(NODE_KEY_SYSTEM, node),
            "type": [coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server")],
        },
        "entity": entities,
    });
    if !purpose.is_empty() {
        event["purposeOfEvent"] = json!(purpose);
    }
    if entry.btg {
        event["meta"] = json!({"security": [coding(
            "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "BTG",
            "break the glass",
        )]});
    }
    event
}

/// A `Bundle` (type `collection`, so without `total`: R4's bdl-1) of `AuditEvent`s: each
/// `(node key, entry)`.
pub fn audit_bundle<'a>(
    entries: impl IntoIterator<Item = (&'a Hex32, &'a DisclosureView)>,
) -> Value {
    let entries: Vec<Value> = entries
        .into_iter()
        .map(|(node, e)| json!({"resource": audit_event(e, node)}))
        .collect();
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "entry": entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_utc_with_milliseconds() {
        assert_eq!(instant(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(instant(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(instant(1_796_325_432_001), "2026-12-03T19:17:12.001Z");
        assert_eq!(instant(4_107_542_399_999), "2100-02-28T23:59:59.999Z");
    }
}
