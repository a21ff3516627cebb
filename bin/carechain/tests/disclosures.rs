//! The accounting of disclosures against a real node (issue 20, item 4): after the demo story,
//! a practitioner reads the patient's consent; the patient's portal fetches its accounting and
//! finds that read with who, what, when and why, as JSON and as FHIR R4 `AuditEvent`s; other
//! members see none of it; the log's head is anchored on chain, and an entry rewritten on disk
//! afterwards is caught against that anchor.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use carechain_rpc_api::auth::unix_ms;
use common::{RunningNode, carechain, init, json_lines, org_key, root, stderr};
use serde_json::Value;

const SUBJECT: &str = "0x2f5c08a279906f49e32e00f4c97d03e482c1fa438504fe5efd4f4d3b43716cd2";
const CONSENT_ID: &str = "0xce3d4fd513903a25241931ef8713e953";

fn key_hex(dir: &Path, name: &str) -> String {
    hex::encode(org_key(dir, name).verifying_key().to_bytes())
}

/// The subject's accounting as `who` sees it: the entries.
fn accounting(node: &RunningNode, who: &str) -> Vec<Value> {
    let out = carechain(node, &["disclosures", "--subject", SUBJECT, "--as", who]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    json_lines(&out)
        .into_iter()
        .map(|l| l["entry"].clone())
        .collect()
}

/// `disclosures --verify` as the regulator: the exit code and the report.
fn verify(node: &RunningNode) -> (Option<i32>, Value) {
    let out = carechain(
        node,
        &["disclosures", "--verify", "--as", "health-regulator"],
    );
    let report = json_lines(&out)
        .first()
        .map(|l| l["verify"].clone())
        .unwrap_or_else(|| panic!("no report: {}", stderr(&out)));
    (out.status.code(), report)
}

/// Checks a FHIR R4 AuditEvent for the elements R4 requires (type, recorded, agent with
/// requestor, source with observer) and the code systems each coded element is bound to.
fn assert_r4_audit_event(e: &Value) {
    assert_eq!(e["resourceType"], "AuditEvent");
    assert_eq!(
        e["type"]["system"],
        "http://terminology.hl7.org/CodeSystem/audit-event-type"
    );
    assert!(e["type"]["code"].is_string());
    for s in e["subtype"].as_array().unwrap() {
        assert_eq!(s["system"], "http://hl7.org/fhir/restful-interaction");
    }
    // AuditEventAction (required binding): C | R | U | D | E.
    assert!(["C", "R", "U", "D", "E"].contains(&e["action"].as_str().unwrap()));
    // recorded: an instant, with time zone.
    let recorded = e["recorded"].as_str().unwrap();
    assert!(
        recorded.len() == 24 && recorded.ends_with('Z') && &recorded[10..11] == "T",
        "{recorded}"
    );
    // AuditEventOutcome (required binding): 0 | 4 | 8 | 12.
    assert!(["0", "4", "8", "12"].contains(&e["outcome"].as_str().unwrap()));
    let agents = e["agent"].as_array().unwrap();
    assert!(!agents.is_empty(), "agent is 1..*");
    for a in agents {
        assert!(a["requestor"].is_boolean(), "agent.requestor is 1..1");
        assert!(a["who"]["identifier"]["value"].is_string());
    }
    assert!(
        e["source"]["observer"]["identifier"]["value"].is_string(),
        "source.observer is 1..1"
    );
    for t in e["source"]["type"].as_array().unwrap() {
        assert_eq!(
            t["system"],
            "http://terminology.hl7.org/CodeSystem/security-source-type"
        );
    }
    for p in e["purposeOfEvent"].as_array().into_iter().flatten() {
        assert_eq!(
            p["coding"][0]["system"],
            "http://terminology.hl7.org/CodeSystem/v3-ActReason"
        );
    }
    for entity in e["entity"].as_array().unwrap() {
        assert_eq!(
            entity["type"]["system"],
            "http://terminology.hl7.org/CodeSystem/audit-entity-type"
        );
        assert_eq!(
            entity["role"]["system"],
            "http://terminology.hl7.org/CodeSystem/object-role"
        );
    }
}

#[test]
fn a_patient_sees_who_read_its_records_and_a_rewritten_log_is_caught() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("chain");
    init(&dir);
    let args = ["--no-metrics", "--disclosure-anchor-ms", "200"];
    let node = RunningNode::start(&dir, &args);
    let story = root().join("scenarios/demo/story.json");
    let ran = Command::new(env!("CARGO_BIN_EXE_carechain"))
        .args([
            "scenario",
            story.to_str().unwrap(),
            "--node",
            &node.url,
            "--dir",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(ran.status.code(), Some(0), "{}", stderr(&ran));

    // Dr Okafor reads the patient's consent, for treatment.
    let before = unix_ms();
    let read = carechain(
        &node,
        &[
            "query",
            "consent",
            "get_consent",
            "--args",
            &format!(r#"{{"consent_id": "{CONSENT_ID}"}}"#),
            "--as",
            "dr-okafor",
            "--purpose",
            "TREAT",
        ],
    );
    assert_eq!(read.status.code(), Some(0), "{}", stderr(&read));
    let after = unix_ms();
    // The insurer tries to read the patient's blood typing and is refused: recorded as an
    // attempt.
    let refused = carechain(
        &node,
        &[
            "query",
            "blood-bank",
            "get_recipient",
            "--args",
            &format!(r#"{{"subject": "{SUBJECT}"}}"#),
            "--as",
            "acme-health-insurance",
        ],
    );
    assert_eq!(refused.status.code(), Some(5), "{}", stderr(&refused));

    // The patient's portal finds the read: who, what, when, why.
    let mine = accounting(&node, "patient-p1");
    let okafor = key_hex(&dir, "dr-okafor");
    let found: Vec<&Value> = mine
        .iter()
        .filter(|e| e["reader"] == okafor.as_str() && e["message"] == "get_consent")
        .collect();
    assert_eq!(found.len(), 1, "{mine:#?}");
    let entry = found[0];
    assert_eq!(entry["org"], "st-mary-hospital");
    assert_eq!(entry["purpose"], "TREAT");
    assert_eq!(entry["outcome"], "disclosed");
    assert_eq!(entry["btg"], false);
    assert_eq!(entry["subjects"][0], &SUBJECT[2..]);
    let at = entry["at_ms"].as_u64().unwrap();
    assert!(before <= at && at <= after, "{before} <= {at} <= {after}");
    let insurer = key_hex(&dir, "acme-health-insurance");
    assert!(
        mine.iter().any(|e| e["reader"] == insurer.as_str()
            && e["message"] == "get_recipient"
            && e["outcome"] == "refused"),
        "the refused attempt is recorded too: {mine:#?}"
    );
    // Every entry concerns the subject, and names no other: a patient does not learn whom else
    // a read concerned (the donor of a unit, other recipients).
    assert!(
        mine.iter()
            .all(|e| e["subjects"] == serde_json::json!([&SUBJECT[2..]])),
        "{mine:#?}"
    );
    // The regulator (the read policy's `disclosures` role) sees every entry about the subject.
    let all = accounting(&node, "health-regulator");
    assert!(all.len() >= mine.len(), "{} < {}", all.len(), mine.len());
    // A transaction may not call a query to read around the accounting: refused at admission.
    let sneaky = carechain(
        &node,
        &[
            "call",
            "claims",
            "claims_by_subject",
            "--args",
            &format!(r#"{{"subject": "{SUBJECT}", "start": 0, "limit": 20}}"#),
            "--key",
            "acme-health-insurance",
        ],
    );
    assert_ne!(sneaky.status.code(), Some(0), "{}", stderr(&sneaky));
    assert!(
        stderr(&sneaky).contains("read-only message"),
        "{}",
        stderr(&sneaky)
    );

    // Other members see none of it: the pharmacist (who read the consent too) and the insurer.
    assert!(accounting(&node, "pharmacist-lee").is_empty());
    assert!(accounting(&node, "acme-health-insurance").is_empty());

    // As FHIR R4 AuditEvents.
    let fhir = carechain(
        &node,
        &[
            "disclosures",
            "--subject",
            SUBJECT,
            "--as",
            "patient-p1",
            "--fhir",
        ],
    );
    assert_eq!(fhir.status.code(), Some(0), "{}", stderr(&fhir));
    let bundle = &json_lines(&fhir)[0];
    assert_eq!(bundle["resourceType"], "Bundle");
    assert!(
        bundle.get("total").is_none(),
        "bdl-1: no total on a collection"
    );
    assert_eq!(bundle["entry"].as_array().unwrap().len(), mine.len());
    for e in bundle["entry"].as_array().unwrap() {
        assert_r4_audit_event(&e["resource"]);
    }
    let event = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .find(|r| r["agent"][0]["who"]["identifier"]["value"] == okafor.as_str())
        .expect("Dr Okafor's read");
    assert_eq!(event["action"], "R");
    assert_eq!(event["outcome"], "0");
    assert_eq!(event["purposeOfEvent"][0]["coding"][0]["code"], "TREAT");

    // The head is anchored on chain (the node anchors every 200 ms while its log grows).
    let deadline = Instant::now() + Duration::from_secs(30);
    let report = loop {
        let (code, report) = verify(&node);
        assert_eq!(code, Some(0), "{report}");
        if report["anchored"]["entries"] == report["entries"] {
            break report;
        }
        assert!(Instant::now() < deadline, "never anchored: {report}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(report["ok"], true);
    let entries = report["entries"].as_u64().unwrap();
    assert!(entries >= mine.len() as u64);
    assert!(node.terminate().success());

    // The operator rewrites the last entry on disk (who read it) while the node is down.
    let store = carechain_storage::Store::open(&dir.join("data")).unwrap();
    store
        .tamper_disclosure(entries - 1, |d| d.org = "nobody".into())
        .unwrap();
    drop(store);
    let node = RunningNode::start(&dir, &args);
    let (code, report) = verify(&node);
    assert_eq!(code, Some(7), "{report}");
    assert_eq!(report["ok"], false);
    let error = report["error"].as_str().unwrap();
    assert!(
        error.contains("do not lead to the head anchored"),
        "{error}"
    );
    assert!(node.terminate().success());
}
