//! The Claims contract end to end (DOMAIN.md §4, §5 and acceptance scenarios 1-5), with the
//! AccessConsent contract it consults, on both engines: the fixtures' numbers line by line,
//! payment, replacement and void, every error of every message, every forbidden transition, and
//! property tests of the 835 balancing invariants and of accumulator reversal.

use carechain_runtime::EngineKind;
use carechain_tests::{Reply, World, on_both_engines};
use proptest::prelude::*;
use serde_json::{Value, json};

mod scenarios;
use scenarios::{scenario_1, scenario_2, scenario_3};
mod errors;
mod line_rules;
mod properties;
mod replacement;
mod transitions;

// ---- fixtures (DOMAIN.md §6) ----

const JAN_1_2025: u64 = 1_735_689_600;
const MAR_10_2025: u64 = 1_741_564_800;
const JUL_1_2025: u64 = 1_751_328_000;
const JAN_1_2026: u64 = 1_767_225_600;
/// Block time of the fixture: the day after the service date of scenarios 1-4.
const NOW: u64 = MAR_10_2025 + 86_400;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `text` as bytes, zero-padded to `len`, in hex (ids and hashes of the fixtures).
fn padded(text: &str, len: usize) -> String {
    let mut b = text.as_bytes().to_vec();
    b.resize(len, 0);
    format!("0x{}", hex(&b))
}

/// Subject S1 (pseudonymous).
fn s1() -> String {
    padded("S1", 32)
}

fn addr(w: &World, name: &str) -> String {
    format!("0x{}", hex(&w.address(name).0))
}

/// (outcome, value, gas): what both engines must agree on.
type Seen = (String, Value, u64);

fn seen(r: &Reply) -> Seen {
    (r.outcome(), r.value.clone(), r.result.gas_used)
}

#[track_caller]
fn ok(r: Reply) -> Reply {
    assert_eq!(r.outcome(), "success", "{}", r.value);
    r
}

#[track_caller]
fn fails(r: &Reply, error: &str) {
    assert_eq!(r.error(), Some(error), "{}", r.value);
    assert!(r.result.events.is_empty(), "a failed call emits nothing");
}

/// The events of a call, decoded by the metadata of the contract that emitted each.
fn events(w: &World, r: &Reply) -> Vec<Value> {
    r.result
        .events
        .iter()
        .map(|e| {
            let name = if e.contract == w.address("consent") {
                "consent"
            } else {
                "claims"
            };
            let topics: Vec<[u8; 32]> = e.topics.iter().map(|t| t.0).collect();
            w.metadata_of(name)
                .decode_event(&topics, &e.data)
                .expect("event decodes")
        })
        .collect()
}

fn names(w: &World, r: &Reply) -> Vec<String> {
    events(w, r)
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

fn plan() -> Value {
    json!({
        "deductible": 50000, "oop_max": 300000,
        "fee_schedule": [
            { "proc_code": "70553", "unit_fee": 100000 },
            { "proc_code": "99213", "unit_fee": 12000 },
            { "proc_code": "97110", "unit_fee": 5000 } ],
        "benefits": [
            { "proc_code": "70553", "benefit": { "deductible_applies": true, "copay": 0, "coinsurance_bps": 2000 } },
            { "proc_code": "99213", "benefit": { "deductible_applies": false, "copay": 2500, "coinsurance_bps": 0 } },
            { "proc_code": "97110", "benefit": { "deductible_applies": true, "copay": 0, "coinsurance_bps": 2000 } } ],
        "prior_auth_required": ["70553"]
    })
}

fn coverage(id: &str, status: &str) -> Value {
    json!({ "coverage": {
        "coverage_id": id, "beneficiary": s1(), "status": status,
        "period": { "start": JAN_1_2025, "end": JAN_1_2026 }, "plan": plan() } })
}

fn prior_auth(id: &str, provider: &str, code: &str, units: u32, status: &str) -> Value {
    json!({ "auth": {
        "auth_id": id, "subject": s1(), "provider": provider, "proc_code": code,
        "units_approved": units, "period": { "start": JAN_1_2025, "end": JAN_1_2026 },
        "status": status } })
}

fn line(no: u32, code: &str, units: u32, charge: i64, auth: Option<&str>) -> Value {
    json!({ "no": no, "proc_code": code, "units": units, "charge": charge, "prior_auth": auth })
}

fn claim_with(id: &str, frequency: &str, payer: &str, service_date: u64, lines: Value) -> Value {
    json!({ "claim": {
        "claim_id": id, "payer": payer, "coverage_id": "COV1", "subject": s1(),
        "service_date": service_date, "frequency": frequency, "lines": lines,
        "doc_hash": padded(&format!("837 {id} {frequency}"), 32) } })
}

fn claim(id: &str, frequency: &str, lines: Value) -> Value {
    claim_with(id, frequency, "pay1", MAR_10_2025, lines)
}

fn key(id: &str) -> Value {
    json!({ "provider": "prv1", "claim_id": id })
}

fn determinations(necessary: &[bool]) -> Value {
    necessary
        .iter()
        .enumerate()
        .map(|(i, n)| json!({ "no": i + 1, "medically_necessary": n }))
        .collect()
}

fn adjudicate(w: &mut World, id: &str, necessary: &[bool]) -> Reply {
    w.call(
        "pay1",
        "claims",
        "adjudicate",
        json!({ "claim": key(id), "line_determinations": determinations(necessary) }),
    )
}

fn consent_doc(id: &str, provisions: Value) -> Value {
    json!({ "consent": {
        "consent_id": padded(id, 16), "subject": s1(), "scope": "PatientPrivacy",
        "period_start": JAN_1_2025, "period_end": null, "provisions": provisions,
        "doc_hash": padded(&format!("FHIR Consent {id}"), 32) } })
}

/// Creates and activates a consent of S1.
fn grant(w: &mut World, id: &str, provisions: Value) -> Vec<Seen> {
    let created = ok(w.call(
        "s1",
        "consent",
        "create_consent",
        consent_doc(id, provisions),
    ));
    let activated = ok(w.call(
        "s1",
        "consent",
        "activate",
        json!({ "consent_id": padded(id, 16) }),
    ));
    vec![seen(&created), seen(&activated)]
}

/// Consent C9: Deny HPAYMT to Actor(PAY1), data class Claim.
fn deny_pay1(w: &mut World) -> Vec<Seen> {
    grant(
        w,
        "C9",
        json!([{ "kind": "Deny", "actors": [{ "Actor": "pay1" }], "purposes": ["HPAYMT"],
                 "data_classes": ["Claim"], "actions": [], "period": null }]),
    )
}

fn accumulators(w: &World, year: u32) -> (i64, i64) {
    let r = ok(w.query(
        "pay1",
        "claims",
        "accumulators",
        json!({ "coverage_id": "COV1", "plan_year": year }),
    ));
    (
        r.value["deductible_met"].as_i64().unwrap(),
        r.value["oop_met"].as_i64().unwrap(),
    )
}

fn status(w: &World, id: &str) -> Value {
    ok(w.query("pay1", "claims", "get_claim", json!({ "claim": key(id) }))).value["status"].clone()
}

fn auth_state(w: &World, id: &str) -> (Value, u64) {
    let r = ok(w.query(
        "pay1",
        "claims",
        "get_prior_auth",
        json!({ "payer": "pay1", "auth_id": id }),
    ));
    (
        r.value["status"].clone(),
        r.value["units_used"].as_u64().unwrap(),
    )
}

/// The network of the fixtures: AccessConsent with PRV1, PRV2 (providers), PAY1, PAY2 (payers)
/// and S1 (patient, with baseline consent C0); Claims trusted by it; coverage COV1 with the
/// fixture plan; PA-1 (70553, 1 unit, PRV1); accumulators 25000 / 25000 for 2025.
fn setup(w: &mut World) -> Vec<Seen> {
    w.sandbox.set_block(1, NOW);
    let mut log = Vec::new();
    let r = w.deploy(
        "consent",
        "admin",
        "new",
        json!({ "admin_org": "NETWORK", "btg_overrides_deny": true }),
    );
    log.push(seen(&ok(r)));
    for (actor, org, role) in [
        ("prv1", "ORG-PRV1", "Provider"),
        ("prv2", "ORG-PRV2", "Provider"),
        ("pay1", "ORG-PAY1", "Payer"),
        ("pay2", "ORG-PAY2", "Payer"),
        ("s1", "PATIENTS", "Patient"),
    ] {
        let r = w.call(
            "admin",
            "consent",
            "register_actor",
            json!({ "actor": actor, "org": org, "roles": [role], "licence_ref": padded(org, 32) }),
        );
        log.push(seen(&ok(r)));
    }
    let r = w.call(
        "admin",
        "consent",
        "link_subject",
        json!({ "actor": "s1", "subject": s1() }),
    );
    log.push(seen(&ok(r)));
    let r = w.deploy("claims", "admin", "new", json!({ "consent": "consent" }));
    log.push(seen(&ok(r)));
    let r = w.call(
        "admin",
        "consent",
        "set_trusted_contract",
        json!({ "contract": "claims", "trusted": true }),
    );
    log.push(seen(&ok(r)));
    log.extend(grant(
        w,
        "C0",
        json!([{ "kind": "Permit",
                 "actors": [{ "Role": "Practitioner" }, { "Role": "Payer" }, { "Role": "TransfusionService" }],
                 "purposes": ["TREAT", "HPAYMT", "HOPERAT"], "data_classes": ["Any"],
                 "actions": [], "period": null }]),
    ));
    let r = w.call(
        "pay1",
        "claims",
        "upsert_coverage",
        coverage("COV1", "Active"),
    );
    log.push(seen(&ok(r)));
    let r = w.call(
        "pay1",
        "claims",
        "record_prior_auth",
        prior_auth("PA-1", "prv1", "70553", 1, "Approved"),
    );
    log.push(seen(&ok(r)));
    let r = w.call(
        "pay1",
        "claims",
        "set_accumulators",
        json!({ "coverage_id": "COV1", "plan_year": 2025, "deductible_met": 25000, "oop_met": 25000 }),
    );
    log.push(seen(&ok(r)));
    log
}

// ---- expected responses ----

fn adj(group: &str, carc: u16, amount: i64) -> Value {
    json!({ "group": group, "carc": carc, "amount": amount })
}

#[allow(clippy::too_many_arguments)]
fn priced(
    no: u32,
    submitted: i64,
    eligible: i64,
    deductible: i64,
    copay: i64,
    coinsurance: i64,
    adjustments: Value,
    auth_units_used: u32,
) -> Value {
    let patient = deductible + copay + coinsurance;
    json!({ "no": no, "submitted": submitted, "eligible": eligible, "deductible": deductible,
            "copay": copay, "coinsurance": coinsurance, "benefit": eligible - patient,
            "patient_resp": patient, "adjustments": adjustments, "auth_units_used": auth_units_used })
}

fn denied(no: u32, group: &str, carc: u16, charge: i64) -> Value {
    priced(no, charge, 0, 0, 0, 0, json!([adj(group, carc, charge)]), 0)
}

fn totals_of(lines: &[Value]) -> Value {
    let sum = |field: &str| -> i64 { lines.iter().map(|l| l[field].as_i64().unwrap()).sum() };
    json!({ "submitted": sum("submitted"), "eligible": sum("eligible"),
            "deductible": sum("deductible"), "copay": sum("copay"),
            "coinsurance": sum("coinsurance"), "benefit": sum("benefit"),
            "patient_resp": sum("patient_resp") })
}

fn complete(lines: Vec<Value>, payment_delta: Option<i64>) -> Value {
    json!({ "outcome": "Complete", "error": null, "plan_year": 2025, "totals": totals_of(&lines),
            "lines": lines, "payment_delta": payment_delta })
}

fn rejected(reason: &str, submitted: i64, plan_year: u32, payment_delta: Option<i64>) -> Value {
    json!({ "outcome": "Error", "error": reason, "plan_year": plan_year, "lines": [],
            "totals": { "submitted": submitted, "eligible": 0, "deductible": 0, "copay": 0,
                        "coinsurance": 0, "benefit": 0, "patient_resp": 0 },
            "payment_delta": payment_delta })
}

/// The 835 `CAS` segments of a line, as a remittance would carry them (amounts in dollars).
fn cas(line: &Value) -> String {
    let dollars = |cents: i64| {
        let s = format!("{}.{:02}", cents / 100, cents % 100);
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    let mut out = String::new();
    let mut group = "";
    for a in line["adjustments"].as_array().unwrap() {
        let g = a["group"].as_str().unwrap();
        let triple = format!("{}*{}", a["carc"], dollars(a["amount"].as_i64().unwrap()));
        if g == group {
            out = format!("{}**{triple}~", out.trim_end_matches('~'));
        } else {
            out.push_str(&format!("CAS*{g}*{triple}~"));
            group = g;
        }
    }
    out
}
