//! The Claims contract end to end (DOMAIN.md §4, §5 and acceptance scenarios 1-5), with the
//! AccessConsent contract it consults, on both engines: the fixtures' numbers line by line,
//! payment, replacement and void, every error of every message, every forbidden transition, and
//! property tests of the 835 balancing invariants and of accumulator reversal.

use carechain_runtime::EngineKind;
use carechain_tests::{Reply, World, on_both_engines};
use proptest::prelude::*;
use serde_json::{Value, json};

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

// ---- scenarios ----

/// Scenario 1: CLM-1001, 70553 ×1, charge 120000, PA-1, from 25000 / 25000.
fn scenario_1(w: &mut World) -> Vec<Seen> {
    let submitted = ok(w.call(
        "prv1",
        "claims",
        "submit_claim",
        claim(
            "CLM-1001",
            "Original",
            json!([line(1, "70553", 1, 120000, Some("PA-1"))]),
        ),
    ));
    assert_eq!(submitted.value, json!(1));
    assert_eq!(names(w, &submitted), ["ClaimSubmitted"]);
    let r = ok(adjudicate(w, "CLM-1001", &[true]));
    let line = priced(
        1,
        120000,
        100000,
        25000,
        0,
        15000,
        json!([
            adj("CO", 45, 20000),
            adj("PR", 1, 25000),
            adj("PR", 2, 15000)
        ]),
        1,
    );
    assert_eq!(line["benefit"], 60000);
    assert_eq!(line["patient_resp"], 40000);
    assert_eq!(r.value, complete(vec![line], None));
    assert_eq!(
        cas(&r.value["lines"][0]),
        "CAS*CO*45*200~CAS*PR*1*250**2*150~"
    );
    assert_eq!(names(w, &r), ["AccessGranted", "ClaimAdjudicated"]);
    assert_eq!(
        events(w, &r)[1],
        json!({ "name": "ClaimAdjudicated", "fields": {
            "provider": addr(w, "prv1"), "claim_id": "CLM-1001", "subject": s1(), "version": 1,
            "from": "Submitted", "to": "Adjudicated", "totals": r.value["totals"],
            "by": addr(w, "pay1"), "at": NOW } })
    );
    assert_eq!(status(w, "CLM-1001"), "Adjudicated");
    assert_eq!(accumulators(w, 2025), (50000, 65000));
    assert_eq!(auth_state(w, "PA-1"), (json!("Exhausted"), 1));
    vec![seen(&submitted), seen(&r)]
}

/// Scenario 2: CLM-1002, 99213, charge 15000: OOP met +2500.
fn scenario_2(w: &mut World) -> Vec<Seen> {
    let (ded, oop) = accumulators(w, 2025);
    let submitted = ok(w.call(
        "prv1",
        "claims",
        "submit_claim",
        claim(
            "CLM-1002",
            "Original",
            json!([line(1, "99213", 1, 15000, None)]),
        ),
    ));
    let r = ok(adjudicate(w, "CLM-1002", &[true]));
    let line = priced(
        1,
        15000,
        12000,
        0,
        2500,
        0,
        json!([adj("CO", 45, 3000), adj("PR", 3, 2500)]),
        0,
    );
    assert_eq!(
        (line["benefit"].clone(), line["patient_resp"].clone()),
        (json!(9500), json!(2500))
    );
    assert_eq!(r.value, complete(vec![line], None));
    assert_eq!(cas(&r.value["lines"][0]), "CAS*CO*45*30~CAS*PR*3*25~");
    assert_eq!(accumulators(w, 2025), (ded, oop + 2500));
    vec![seen(&submitted), seen(&r)]
}

/// Scenario 3: CLM-1003, three lines: no PA (CO-197), not medically necessary (CO-50), a visit
/// (OOP met +2500).
fn scenario_3(w: &mut World) -> Vec<Seen> {
    let (ded, oop) = accumulators(w, 2025);
    let submitted = ok(w.call(
        "prv1",
        "claims",
        "submit_claim",
        claim(
            "CLM-1003",
            "Original",
            json!([
                line(1, "70553", 1, 120000, None),
                line(2, "97110", 2, 16000, None),
                line(3, "99213", 1, 15000, None)
            ]),
        ),
    ));
    let r = ok(adjudicate(w, "CLM-1003", &[true, false, true]));
    let lines = vec![
        denied(1, "CO", 197, 120000),
        denied(2, "CO", 50, 16000),
        priced(
            3,
            15000,
            12000,
            0,
            2500,
            0,
            json!([adj("CO", 45, 3000), adj("PR", 3, 2500)]),
            0,
        ),
    ];
    let expected = complete(lines, None);
    assert_eq!(expected["totals"]["submitted"], 151000);
    assert_eq!(expected["totals"]["benefit"], 9500);
    assert_eq!(expected["totals"]["patient_resp"], 2500);
    assert_eq!(r.value, expected);
    assert_eq!(accumulators(w, 2025), (ded, oop + 2500));
    vec![seen(&submitted), seen(&r)]
}

#[test]
fn scenario_1_basic_adjudication() {
    on_both_engines(|w| {
        let mut log = setup(w);
        log.extend(scenario_1(w));
        log
    });
}

#[test]
fn scenario_2_copay_visit() {
    on_both_engines(|w| {
        let mut log = setup(w);
        log.extend(scenario_1(w));
        log.extend(scenario_2(w));
        assert_eq!(accumulators(w, 2025), (50000, 67500));
        log
    });
}

#[test]
fn scenario_3_multi_line_denials() {
    on_both_engines(|w| {
        let mut log = setup(w);
        log.extend(scenario_1(w));
        log.extend(scenario_2(w));
        assert_eq!(
            accumulators(w, 2025),
            (50000, 67500),
            "scenario 3 starts here"
        );
        log.extend(scenario_3(w));
        assert_eq!(accumulators(w, 2025), (50000, 70000));
        log
    });
}

#[test]
fn scenario_4_hpaymt_restriction_rejects_and_the_denial_stays_logged() {
    on_both_engines(|w| {
        let mut log = setup(w);
        log.extend(scenario_1(w));
        log.extend(scenario_2(w));
        log.extend(scenario_3(w));
        log.extend(deny_pay1(w));
        let submitted = ok(w.call(
            "prv1",
            "claims",
            "submit_claim",
            claim(
                "CLM-1004",
                "Original",
                json!([line(1, "97110", 1, 5000, None)]),
            ),
        ));
        let r = ok(adjudicate(w, "CLM-1004", &[true]));
        assert_eq!(r.value, rejected("ConsentDenied", 5000, 2025, None));
        let ev = events(w, &r);
        assert_eq!(names(w, &r), ["AccessDenied", "ClaimRejected"]);
        assert_eq!(ev[0]["fields"]["reason"], "DeniedByProvision");
        assert_eq!(ev[0]["fields"]["actor"], json!(addr(w, "pay1")));
        assert_eq!(ev[0]["fields"]["purpose"], "HPAYMT");
        assert_eq!(ev[0]["fields"]["data_class"], "Claim");
        assert_eq!(ev[0]["fields"]["action"], "Use");
        assert_eq!(
            ev[1],
            json!({ "name": "ClaimRejected", "fields": {
                "provider": addr(w, "prv1"), "claim_id": "CLM-1004", "subject": s1(),
                "version": 1, "from": "Submitted", "to": { "Rejected": "ConsentDenied" },
                "by": addr(w, "pay1"), "at": NOW } })
        );
        assert_eq!(
            status(w, "CLM-1004"),
            json!({ "Rejected": "ConsentDenied" })
        );
        assert_eq!(
            accumulators(w, 2025),
            (50000, 70000),
            "accumulators untouched"
        );
        // The consent log keeps the denial, made via the claims contract.
        let audit = ok(w.query(
            "s1",
            "consent",
            "access_log",
            json!({ "subject": s1(), "start": 0, "limit": 100 }),
        ));
        let last = audit.value.as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["decision"], json!({ "Deny": "DeniedByProvision" }));
        assert_eq!(last["via"], json!(addr(w, "claims")));
        assert_eq!(last["actor"], json!(addr(w, "pay1")));
        // A rejected claim may be resubmitted as frequency 1 (a new version): once the
        // restriction is revoked, it adjudicates.
        let revoked = ok(w.call(
            "s1",
            "consent",
            "revoke",
            json!({ "consent_id": padded("C9", 16) }),
        ));
        let again = ok(w.call(
            "prv1",
            "claims",
            "submit_claim",
            claim(
                "CLM-1004",
                "Original",
                json!([line(1, "97110", 1, 5000, None)]),
            ),
        ));
        assert_eq!(again.value, json!(2));
        let adjudicated = ok(adjudicate(w, "CLM-1004", &[true]));
        assert_eq!(adjudicated.value["outcome"], "Complete");
        assert_eq!(adjudicated.value["totals"]["benefit"], 4000);
        let v1 = ok(w.query(
            "pay1",
            "claims",
            "get_claim_version",
            json!({ "claim": key("CLM-1004"), "version": 1 }),
        ));
        assert_eq!(v1.value["status"], json!({ "Rejected": "ConsentDenied" }));
        log.extend(
            [submitted, r, revoked, again, adjudicated, v1]
                .iter()
                .map(seen),
        );
        log
    });
}

#[test]
fn scenario_5_coverage_inactive_rejects_without_touching_accumulators() {
    on_both_engines(|w| {
        let mut log = setup(w);
        w.sandbox.set_block(2, JAN_1_2026 + 3600);
        let submitted = ok(w.call(
            "prv1",
            "claims",
            "submit_claim",
            claim_with(
                "CLM-1005",
                "Original",
                "pay1",
                JAN_1_2026,
                json!([line(1, "99213", 1, 15000, None)]),
            ),
        ));
        let r = ok(adjudicate(w, "CLM-1005", &[true]));
        assert_eq!(r.value, rejected("CoverageInactive", 15000, 2026, None));
        assert_eq!(names(w, &r), ["AccessGranted", "ClaimRejected"]);
        assert_eq!(
            status(w, "CLM-1005"),
            json!({ "Rejected": "CoverageInactive" })
        );
        assert_eq!(accumulators(w, 2025), (25000, 25000));
        assert_eq!(accumulators(w, 2026), (0, 0));
        log.extend([submitted, r].iter().map(seen));
        log
    });
}

// ---- payment, replacement, void ----

#[test]
fn payment_then_replacement_of_a_paid_claim_then_void() {
    on_both_engines(|w| {
        let mut log = setup(w);
        log.extend(scenario_1(w));
        log.extend(scenario_2(w));
        log.extend(scenario_3(w));
        let trace = padded("TRN*1*EFT0001", 32);
        let paid = ok(w.call(
            "pay1",
            "claims",
            "record_payment",
            json!({ "claim": key("CLM-1001"), "amount": 60000, "trace_hash": trace }),
        ));
        assert_eq!(
            events(w, &paid),
            [json!({ "name": "ClaimPaid", "fields": {
                "provider": addr(w, "prv1"), "claim_id": "CLM-1001", "subject": s1(), "version": 1,
                "from": "Adjudicated", "to": "Paid", "amount": 60000, "trace_hash": trace,
                "by": addr(w, "pay1"), "at": NOW } })]
        );
        assert_eq!(status(w, "CLM-1001"), "Paid");

        // Replacement (7): the MRI charge corrected to 90000.
        let replacement = ok(w.call(
            "prv1",
            "claims",
            "submit_claim",
            claim(
                "CLM-1001",
                "Replacement",
                json!([line(1, "70553", 1, 90000, Some("PA-1"))]),
            ),
        ));
        assert_eq!(replacement.value, json!(2));
        assert_eq!(status(w, "CLM-1001"), "Submitted");
        assert_eq!(
            accumulators(w, 2025),
            (50000, 70000),
            "nothing moves before adjudication"
        );
        let r = ok(adjudicate(w, "CLM-1001", &[true]));
        // Reversal of v1 (25000 / 40000) then v2: ded 25000, coins 20% of 65000 = 13000.
        let v2 = priced(
            1,
            90000,
            90000,
            25000,
            0,
            13000,
            json!([adj("PR", 1, 25000), adj("PR", 2, 13000)]),
            1,
        );
        assert_eq!(v2["benefit"], 52000);
        assert_eq!(r.value, complete(vec![v2], Some(-8000)));
        assert_eq!(
            names(w, &r),
            ["AccessGranted", "ClaimReplaced", "ClaimAdjudicated"]
        );
        assert_eq!(
            events(w, &r)[1],
            json!({ "name": "ClaimReplaced", "fields": {
                "provider": addr(w, "prv1"), "claim_id": "CLM-1001", "subject": s1(), "version": 1,
                "replaced_by": 2, "from": "Paid", "to": "Replaced", "payment_delta": -8000,
                "by": addr(w, "pay1"), "at": NOW } })
        );
        assert_eq!(accumulators(w, 2025), (50000, 68000));
        assert_eq!(auth_state(w, "PA-1"), (json!("Exhausted"), 1));
        let v1 = ok(w.query(
            "prv1",
            "claims",
            "get_claim_version",
            json!({ "claim": key("CLM-1001"), "version": 1 }),
        ));
        assert_eq!(v1.value["status"], "Replaced");
        assert_eq!(
            v1.value["payment"]["amount"], 60000,
            "the old payment stays on record"
        );

        let paid2 = ok(w.call(
            "pay1",
            "claims",
            "record_payment",
            json!({ "claim": key("CLM-1001"), "amount": 52000, "trace_hash": padded("TRN*1*EFT0002", 32) }),
        ));
        // Void (8): reverses v2 and gives PA-1's unit back.
        let void = ok(w.call(
            "prv1",
            "claims",
            "submit_claim",
            claim(
                "CLM-1001",
                "Void",
                json!([line(1, "70553", 1, 90000, Some("PA-1"))]),
            ),
        ));
        assert_eq!(void.value, json!(2), "the voided version");
        assert_eq!(
            events(w, &void),
            [json!({ "name": "ClaimVoided", "fields": {
                "provider": addr(w, "prv1"), "claim_id": "CLM-1001", "subject": s1(), "version": 2,
                "from": "Paid", "to": "Voided", "payment_delta": -52000,
                "doc_hash": padded("837 CLM-1001 Void", 32),
                "by": addr(w, "prv1"), "at": NOW } })]
        );
        assert_eq!(status(w, "CLM-1001"), "Voided");
        assert_eq!(
            accumulators(w, 2025),
            (25000, 30000),
            "only CLM-1002 and CLM-1003 remain"
        );
        assert_eq!(auth_state(w, "PA-1"), (json!("Approved"), 0));
        let versions = ok(w.query(
            "prv1",
            "claims",
            "claim_versions",
            json!({ "claim": key("CLM-1001") }),
        ));
        assert_eq!(versions.value, json!(2));
        log.extend(
            [paid, replacement, r, v1, paid2, void, versions]
                .iter()
                .map(seen),
        );
        log
    });
}

#[test]
fn replacement_of_an_unpaid_claim_carries_no_payment_delta_and_void_restores() {
    on_both_engines(|w| {
        let mut log = setup(w);
        log.extend(scenario_2(w));
        let before = accumulators(w, 2025);
        let r7 = ok(w.call(
            "prv1",
            "claims",
            "submit_claim",
            claim(
                "CLM-1002",
                "Replacement",
                json!([line(1, "99213", 1, 11000, None)]),
            ),
        ));
        let r = ok(adjudicate(w, "CLM-1002", &[true]));
        let v2 = priced(1, 11000, 11000, 0, 2500, 0, json!([adj("PR", 3, 2500)]), 0);
        assert_eq!(r.value, complete(vec![v2], None));
        assert_eq!(events(w, &r)[1]["fields"]["payment_delta"], Value::Null);
        assert_eq!(events(w, &r)[1]["fields"]["from"], "Adjudicated");
        let r8 = ok(w.call(
            "prv1",
            "claims",
            "submit_claim",
            claim(
                "CLM-1002",
                "Void",
                json!([line(1, "99213", 1, 11000, None)]),
            ),
        ));
        assert_eq!(events(w, &r8)[0]["fields"]["payment_delta"], Value::Null);
        assert_eq!(accumulators(w, 2025), (25000, 25000));
        assert_eq!(before, (25000, 27500));
        log.extend([r7, r, r8].iter().map(seen));
        log
    });
}

#[test]
fn a_rejected_replacement_still_replaces_and_recoups_the_original() {
    on_both_engines(|w| {
        let mut log = setup(w);
        log.extend(scenario_2(w));
        let paid = ok(w.call(
            "pay1",
            "claims",
            "record_payment",
            json!({ "claim": key("CLM-1002"), "amount": 9500, "trace_hash": padded("TRN", 32) }),
        ));
        log.extend(deny_pay1(w));
        let r7 = ok(w.call(
            "prv1",
            "claims",
            "submit_claim",
            claim(
                "CLM-1002",
                "Replacement",
                json!([line(1, "99213", 1, 15000, None)]),
            ),
        ));
        let r = ok(adjudicate(w, "CLM-1002", &[true]));
        assert_eq!(r.value, rejected("ConsentDenied", 15000, 2025, Some(-9500)));
        assert_eq!(
            names(w, &r),
            ["AccessDenied", "ClaimReplaced", "ClaimRejected"]
        );
        assert_eq!(accumulators(w, 2025), (25000, 25000));
        // The provider may then resubmit as an original.
        let again = ok(w.call(
            "prv1",
            "claims",
            "submit_claim",
            claim(
                "CLM-1002",
                "Original",
                json!([line(1, "99213", 1, 15000, None)]),
            ),
        ));
        assert_eq!(again.value, json!(3));
        log.extend([paid, r7, r, again].iter().map(seen));
        log
    });
}

#[test]
fn an_exact_duplicate_is_denied_co_18_in_full() {
    on_both_engines(|w| {
        let mut log = setup(w);
        log.extend(scenario_1(w));
        log.extend(scenario_2(w));
        log.extend(scenario_3(w));
        let before = accumulators(w, 2025);
        // The same lines as CLM-1003 in another order, under another claim id.
        let dup = ok(w.call(
            "prv1",
            "claims",
            "submit_claim",
            claim(
                "CLM-2003",
                "Original",
                json!([
                    line(1, "99213", 1, 15000, None),
                    line(2, "70553", 1, 120000, Some("PA-1")),
                    line(3, "97110", 2, 16000, None)
                ]),
            ),
        ));
        let r = ok(adjudicate(w, "CLM-2003", &[true, true, true]));
        assert_eq!(
            r.value,
            complete(
                vec![
                    denied(1, "CO", 18, 15000),
                    denied(2, "CO", 18, 120000),
                    denied(3, "CO", 18, 16000)
                ],
                None
            )
        );
        assert_eq!(accumulators(w, 2025), before);
        assert_eq!(
            auth_state(w, "PA-1"),
            (json!("Exhausted"), 1),
            "a duplicate uses no auth"
        );
        // Another provider's identical claim is not a duplicate of PRV1's.
        let other = ok(w.call(
            "prv2",
            "claims",
            "submit_claim",
            claim(
                "CLM-1003",
                "Original",
                json!([line(1, "99213", 1, 15000, None)]),
            ),
        ));
        let r2 = ok(w.call(
            "pay1",
            "claims",
            "adjudicate",
            json!({ "claim": { "provider": "prv2", "claim_id": "CLM-1003" },
                    "line_determinations": determinations(&[true]) }),
        ));
        assert_eq!(r2.value["totals"]["benefit"], 9500);
        log.extend([dup, r, other, r2].iter().map(seen));
        log
    });
}

// ---- line rules ----

#[test]
fn prior_authorisation_must_match_and_is_used_only_by_priced_lines() {
    on_both_engines(|w| {
        let mut log = setup(w);
        for (id, provider, code, units, status) in [
            ("PA-PRV2", "prv2", "70553", 1, "Approved"),
            ("PA-DENIED", "prv1", "70553", 1, "Denied"),
            ("PA-99213", "prv1", "99213", 1, "Approved"),
            ("PA-3", "prv1", "70553", 3, "Approved"),
        ] {
            let r = w.call(
                "pay1",
                "claims",
                "record_prior_auth",
                prior_auth(id, provider, code, units, status),
            );
            log.push(seen(&ok(r)));
        }
        let submitted = ok(w.call(
            "prv1",
            "claims",
            "submit_claim",
            claim(
                "CLM-3001",
                "Original",
                json!([
                    line(1, "70553", 1, 100000, Some("PA-PRV2")), // another provider's
                    line(2, "70553", 1, 100000, Some("PA-DENIED")), // denied
                    line(3, "70553", 1, 100000, Some("PA-99213")), // another code
                    line(4, "70553", 2, 200000, Some("PA-1")),    // 1 unit approved, 2 billed
                    line(5, "70553", 1, 100000, Some("PA-UNKNOWN")),
                    line(6, "70553", 1, 100000, Some("PA-3")), // not necessary: keeps its unit
                    line(7, "70553", 2, 200000, Some("PA-3")), // uses 2 of 3
                    line(8, "70553", 1, 100000, Some("PA-3"))  // uses the last: Exhausted
                ]),
            ),
        ));
        let r = ok(adjudicate(
            w,
            "CLM-3001",
            &[true, true, true, true, true, false, true, true],
        ));
        let lines = r.value["lines"].as_array().unwrap();
        for (i, l) in lines.iter().take(5).enumerate() {
            assert_eq!(
                *l,
                denied(i as u32 + 1, "CO", 197, l["submitted"].as_i64().unwrap())
            );
        }
        assert_eq!(lines[5], denied(6, "CO", 50, 100000));
        // Line 7: ded 25000 (the rest of it), coins 20% of 175000 = 35000.
        assert_eq!(
            lines[6],
            priced(
                7,
                200000,
                200000,
                25000,
                0,
                35000,
                json!([adj("PR", 1, 25000), adj("PR", 2, 35000)]),
                2
            )
        );
        assert_eq!(
            lines[7],
            priced(
                8,
                100000,
                100000,
                0,
                0,
                20000,
                json!([adj("PR", 2, 20000)]),
                1
            )
        );
        assert_eq!(auth_state(w, "PA-3"), (json!("Exhausted"), 3));
        assert_eq!(auth_state(w, "PA-1"), (json!("Approved"), 0));
        let auths = ok(w.query(
            "s1",
            "claims",
            "prior_auths",
            json!({ "subject": s1(), "start": 0, "limit": 100 }),
        ));
        assert_eq!(auths.value.as_array().unwrap().len(), 5);
        log.extend([submitted, r, auths].iter().map(seen));
        log
    });
}

#[test]
fn a_code_without_fee_or_benefit_is_not_covered_co_204() {
    on_both_engines(|w| {
        let mut log = setup(w);
        let submitted = ok(w.call(
            "prv1",
            "claims",
            "submit_claim",
            claim(
                "CLM-4001",
                "Original",
                json!([line(1, "J1100", 1, 4000, None)]),
            ),
        ));
        let r = ok(adjudicate(w, "CLM-4001", &[true]));
        assert_eq!(r.value, complete(vec![denied(1, "CO", 204, 4000)], None));
        log.extend([submitted, r].iter().map(seen));
        log
    });
}

#[test]
fn the_oop_maximum_cuts_coinsurance_then_copay_then_deductible() {
    on_both_engines(|w| {
        let mut log = setup(w);
        // 1000 of room left: 20% coinsurance of 100000 is cut to 1000.
        let r = w.call(
            "pay1",
            "claims",
            "set_accumulators",
            json!({ "coverage_id": "COV1", "plan_year": 2025, "deductible_met": 50000, "oop_met": 299000 }),
        );
        log.push(seen(&ok(r)));
        let s = ok(w.call(
            "prv1",
            "claims",
            "submit_claim",
            claim(
                "CLM-5001",
                "Original",
                json!([line(1, "70553", 1, 100000, Some("PA-1"))]),
            ),
        ));
        let r = ok(adjudicate(w, "CLM-5001", &[true]));
        assert_eq!(
            r.value,
            complete(
                vec![priced(
                    1,
                    100000,
                    100000,
                    0,
                    0,
                    1000,
                    json!([adj("PR", 2, 1000)]),
                    1
                )],
                None
            )
        );
        assert_eq!(accumulators(w, 2025), (50000, 300000));
        log.extend([s, r].iter().map(seen));

        // A plan whose OOP maximum equals its deductible; 1000 of room: the copay is cut to
        // 1000, then the next line's deductible to 0.
        let mut small = plan();
        small["oop_max"] = json!(50000);
        let set = ok(w.call(
            "pay1",
            "claims",
            "set_plan",
            json!({ "coverage_id": "COV1", "plan": small }),
        ));
        let acc = ok(w.call(
            "pay1",
            "claims",
            "set_accumulators",
            json!({ "coverage_id": "COV1", "plan_year": 2025, "deductible_met": 45000, "oop_met": 49000 }),
        ));
        let s = ok(w.call(
            "prv1",
            "claims",
            "submit_claim",
            claim(
                "CLM-5002",
                "Original",
                json!([
                    line(1, "99213", 1, 15000, None),
                    line(2, "97110", 1, 5000, None)
                ]),
            ),
        ));
        let r = ok(adjudicate(w, "CLM-5002", &[true, true]));
        assert_eq!(
            r.value,
            complete(
                vec![
                    priced(
                        1,
                        15000,
                        12000,
                        0,
                        1000,
                        0,
                        json!([adj("CO", 45, 3000), adj("PR", 3, 1000)]),
                        0
                    ),
                    priced(2, 5000, 5000, 0, 0, 0, json!([]), 0)
                ],
                None
            )
        );
        assert_eq!(accumulators(w, 2025), (45000, 50000));
        log.extend([set, acc, s, r].iter().map(seen));
        log
    });
}

#[test]
fn coinsurance_rounds_half_up_to_the_cent() {
    on_both_engines(|w| {
        let mut log = setup(w);
        let mut p = plan();
        p["fee_schedule"] = json!([{ "proc_code": "97110", "unit_fee": 1_000_000 }]);
        p["benefits"] = json!([{ "proc_code": "97110",
            "benefit": { "deductible_applies": false, "copay": 0, "coinsurance_bps": 1000 } }]);
        log.push(seen(&ok(w.call(
            "pay1",
            "claims",
            "set_plan",
            json!({ "coverage_id": "COV1", "plan": p }),
        ))));
        // 10% of 12345 = 1234.5 -> 1235; of 12344 = 1234.4 -> 1234; of 12346 = 1234.6 -> 1235.
        let s = ok(w.call(
            "prv1",
            "claims",
            "submit_claim",
            claim(
                "CLM-6001",
                "Original",
                json!([
                    line(1, "97110", 1, 12345, None),
                    line(2, "97110", 1, 12344, None),
                    line(3, "97110", 1, 12346, None)
                ]),
            ),
        ));
        let r = ok(adjudicate(w, "CLM-6001", &[true, true, true]));
        let coins: Vec<i64> = r.value["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["coinsurance"].as_i64().unwrap())
            .collect();
        assert_eq!(coins, [1235, 1234, 1235]);
        log.extend([s, r].iter().map(seen));
        log
    });
}

#[test]
fn accumulators_are_per_calendar_plan_year() {
    on_both_engines(|w| {
        let mut log = setup(w);
        let mut two_years = coverage("COV1", "Active");
        two_years["coverage"]["period"]["end"] = json!(JAN_1_2026 + 365 * 86_400);
        log.push(seen(&ok(w.call(
            "pay1",
            "claims",
            "upsert_coverage",
            two_years,
        ))));
        w.sandbox.set_block(2, JAN_1_2026 + 86_400);
        for (id, date) in [("CLM-DEC31", JAN_1_2026 - 1), ("CLM-JAN1", JAN_1_2026)] {
            let s = ok(w.call(
                "prv1",
                "claims",
                "submit_claim",
                claim_with(
                    id,
                    "Original",
                    "pay1",
                    date,
                    json!([line(1, "97110", 1, 5000, None)]),
                ),
            ));
            let r = ok(adjudicate(w, id, &[true]));
            log.extend([s, r].iter().map(seen));
        }
        assert_eq!(accumulators(w, 2025), (30000, 30000));
        assert_eq!(accumulators(w, 2026), (5000, 5000));
        for (t, year) in [
            (0u64, 1970u32),
            (JAN_1_2025, 2025),
            (JUL_1_2025, 2025),
            (JAN_1_2026 - 1, 2025),
            (JAN_1_2026, 2026),
            (951_782_400, 2000),   // 2000-02-29
            (4_107_542_399, 2100), // 2100-02-28T23:59:59
        ] {
            let r = ok(w.query("pay1", "claims", "plan_year", json!({ "service_date": t })));
            assert_eq!(r.value, json!(year), "{t}");
        }
        log
    });
}

#[test]
fn queries_page_a_subjects_claims_and_return_older_versions() {
    on_both_engines(|w| {
        let mut log = setup(w);
        log.extend(scenario_1(w));
        log.extend(scenario_2(w));
        log.extend(scenario_3(w));
        let page = ok(w.query(
            "pay1",
            "claims",
            "claims_by_subject",
            json!({ "subject": s1(), "start": 1, "limit": 2 }),
        ));
        let ids: Vec<&str> = page
            .value
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["claim_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["CLM-1002", "CLM-1003"]);
        let capped = ok(w.query(
            "pay1",
            "claims",
            "claims_by_subject",
            json!({ "subject": s1(), "start": 0, "limit": 1000 }),
        ));
        assert_eq!(capped.value.as_array().unwrap().len(), 3);
        let response = ok(w.query(
            "pay1",
            "claims",
            "get_response",
            json!({ "claim": key("CLM-1002") }),
        ));
        assert_eq!(response.value["totals"]["benefit"], 9500);
        let c = ok(w.query(
            "pay1",
            "claims",
            "get_claim",
            json!({ "claim": key("CLM-1001") }),
        ));
        assert_eq!(c.value["frequency"], "Original");
        assert_eq!(c.value["lines"][0]["prior_auth"], "PA-1");
        let none = ok(w.query(
            "pay1",
            "claims",
            "claims_by_subject",
            json!({ "subject": padded("S2", 32), "start": 0, "limit": 5 }),
        ));
        assert_eq!(none.value, json!([]));
        let cov = ok(w.query(
            "pay1",
            "claims",
            "get_coverage",
            json!({ "coverage_id": "COV1" }),
        ));
        assert_eq!(cov.value["payer"], json!(addr(w, "pay1")));
        let consent = ok(w.query("pay1", "claims", "consent_contract", Value::Null));
        assert_eq!(consent.value, json!(addr(w, "consent")));
        log.extend(
            [page, capped, response, c, none, cov, consent]
                .iter()
                .map(seen),
        );
        log
    });
}

#[test]
fn frequency_is_encoded_as_its_x12_code() {
    on_both_engines(|w| {
        let log = setup(w);
        let meta = w.metadata_of("claims").clone();
        let m = meta.message("submit_claim").unwrap().clone();
        let resolve = |name: &str| Some(w.address(name).0);
        for (freq, code) in [("Original", 1u8), ("Replacement", 7), ("Void", 8)] {
            let input = meta
                .encode_call(
                    &m,
                    &claim("X", freq, json!([line(1, "99213", 1, 1, None)])),
                    &resolve,
                )
                .unwrap();
            // selector, claim_id (compact len + "X"), payer, coverage_id, subject, date: then it.
            let at = 4 + 2 + 32 + 5 + 32 + 8;
            assert_eq!(input[at], code, "{freq}");
        }
        log
    });
}

// ---- errors, message by message ----

#[test]
fn coverage_errors() {
    on_both_engines(|w| {
        let mut log = setup(w);
        let root = w.sandbox.state_root();
        let mut check = |w: &mut World, from: &str, message: &str, args: Value, error: &str| {
            let r = w.call(from, "claims", message, args);
            fails(&r, error);
            log.push(seen(&r));
            r
        };
        // upsert_coverage
        let r = check(
            w,
            "prv1",
            "upsert_coverage",
            coverage("COV2", "Active"),
            "Unauthorized",
        );
        assert_eq!(r.value["fields"], json!({ "required_role": "Payer" }));
        check(
            w,
            "pay2",
            "upsert_coverage",
            coverage("COV1", "Active"),
            "NotCoveragePayer",
        );
        check(
            w,
            "pay1",
            "upsert_coverage",
            coverage("", "Active"),
            "InvalidCode",
        );
        check(
            w,
            "pay1",
            "upsert_coverage",
            coverage(&"C".repeat(51), "Active"),
            "InvalidCode",
        );
        let mut bad = coverage("COV2", "Active");
        bad["coverage"]["period"]["end"] = json!(JAN_1_2025);
        check(w, "pay1", "upsert_coverage", bad, "InvalidPeriod");
        for (path, value, error) in [
            ("/deductible", json!(-1), "InvalidAmount"),
            ("/oop_max", json!(49999), "InvalidAmount"),
            ("/fee_schedule/0/unit_fee", json!(-1), "InvalidAmount"),
            ("/benefits/0/benefit/copay", json!(-1), "InvalidAmount"),
            (
                "/benefits/0/benefit/coinsurance_bps",
                json!(10001),
                "InvalidAmount",
            ),
            ("/fee_schedule/1/proc_code", json!("70553"), "InvalidPlan"),
            (
                "/prior_auth_required",
                json!(["70553", "70553"]),
                "InvalidPlan",
            ),
            ("/benefits/0/proc_code", json!("7055"), "InvalidCode"),
            ("/prior_auth_required", json!(["70553x"]), "InvalidCode"),
            ("/fee_schedule/0/proc_code", json!("a0553"), "InvalidCode"),
        ] {
            let mut p = plan();
            *p.pointer_mut(path).unwrap() = value.clone();
            let mut c = coverage("COV2", "Active");
            c["coverage"]["plan"] = p.clone();
            check(w, "pay1", "upsert_coverage", c, error);
            check(
                w,
                "pay1",
                "set_plan",
                json!({ "coverage_id": "COV1", "plan": p }),
                error,
            );
        }
        let mut many = plan();
        many["prior_auth_required"] = (0..129).map(|i| json!(format!("{i:05}"))).collect();
        check(
            w,
            "pay1",
            "set_plan",
            json!({ "coverage_id": "COV1", "plan": many }),
            "InvalidPlan",
        );
        // set_plan, cancel_coverage, set_accumulators: role, existence, ownership.
        for (message, args) in [
            ("set_plan", json!({ "coverage_id": "COV1", "plan": plan() })),
            ("cancel_coverage", json!({ "coverage_id": "COV1" })),
            (
                "set_accumulators",
                json!({ "coverage_id": "COV1", "plan_year": 2025, "deductible_met": 0, "oop_met": 0 }),
            ),
        ] {
            check(w, "prv1", message, args.clone(), "Unauthorized");
            check(w, "pay2", message, args.clone(), "NotCoveragePayer");
            let mut missing = args.clone();
            missing["coverage_id"] = json!("COV9");
            check(w, "pay1", message, missing, "CoverageNotFound");
        }
        for (ded, oop) in [(-1, 0), (50001, 60000), (30000, 29999), (0, 300001)] {
            check(
                w,
                "pay1",
                "set_accumulators",
                json!({ "coverage_id": "COV1", "plan_year": 2025, "deductible_met": ded, "oop_met": oop }),
                "InvalidAmount",
            );
        }
        let q = w.query(
            "pay1",
            "claims",
            "accumulators",
            json!({ "coverage_id": "COV9", "plan_year": 2025 }),
        );
        assert_eq!(q.error(), Some("CoverageNotFound"));
        let q2 = w.query(
            "pay1",
            "claims",
            "get_coverage",
            json!({ "coverage_id": "COV9" }),
        );
        assert_eq!(q2.error(), Some("CoverageNotFound"));
        assert_eq!(w.sandbox.state_root(), root, "errors change nothing");
        log.extend([q, q2].iter().map(seen));
        log
    });
}

#[test]
fn coverage_transitions() {
    on_both_engines(|w| {
        let mut log = setup(w);
        let transition = |from: &str, attempted: &str| json!({ "entity": "Coverage", "from": from, "attempted": attempted });
        // Created in Draft, then activated, updated in place, then cancelled.
        for status in ["Draft", "Draft", "Active", "Active"] {
            let r = ok(w.call(
                "pay1",
                "claims",
                "upsert_coverage",
                coverage("COV2", status),
            ));
            log.push(seen(&r));
        }
        let r = w.call(
            "pay1",
            "claims",
            "upsert_coverage",
            coverage("COV2", "Draft"),
        );
        fails(&r, "InvalidTransition");
        assert_eq!(r.value["fields"], transition("Active", "Draft"));
        log.push(seen(&r));
        let cancelled = ok(w.call(
            "pay1",
            "claims",
            "cancel_coverage",
            json!({ "coverage_id": "COV2" }),
        ));
        assert_eq!(
            events(w, &cancelled),
            [json!({ "name": "CoverageUpdated", "fields": {
                "coverage_id": "COV2", "beneficiary": s1(), "from": "Active", "to": "Cancelled",
                "by": addr(w, "pay1"), "at": NOW } })]
        );
        log.push(seen(&cancelled));
        for status in ["Active", "Draft", "Cancelled", "EnteredInError"] {
            let r = w.call(
                "pay1",
                "claims",
                "upsert_coverage",
                coverage("COV2", status),
            );
            fails(&r, "InvalidTransition");
            assert_eq!(r.value["fields"], transition("Cancelled", status));
            log.push(seen(&r));
        }
        let r = w.call(
            "pay1",
            "claims",
            "cancel_coverage",
            json!({ "coverage_id": "COV2" }),
        );
        assert_eq!(r.value["fields"], transition("Cancelled", "Cancelled"));
        log.push(seen(&r));
        // Draft -> EnteredInError, then terminal.
        log.push(seen(&ok(w.call(
            "pay1",
            "claims",
            "upsert_coverage",
            coverage("COV3", "Draft"),
        ))));
        log.push(seen(&ok(w.call(
            "pay1",
            "claims",
            "upsert_coverage",
            coverage("COV3", "EnteredInError"),
        ))));
        let r = w.call(
            "pay1",
            "claims",
            "cancel_coverage",
            json!({ "coverage_id": "COV3" }),
        );
        fails(&r, "InvalidTransition");
        assert_eq!(r.value["fields"], transition("EnteredInError", "Cancelled"));
        let r2 = w.call(
            "pay1",
            "claims",
            "upsert_coverage",
            coverage("COV3", "Active"),
        );
        assert_eq!(r2.value["fields"], transition("EnteredInError", "Active"));
        log.extend([r, r2].iter().map(seen));
        log
    });
}

#[test]
fn prior_auth_errors() {
    on_both_engines(|w| {
        let mut log = setup(w);
        let root = w.sandbox.state_root();
        let cases = [
            (
                "prv1",
                prior_auth("PA-9", "prv1", "70553", 1, "Approved"),
                "Unauthorized",
            ),
            (
                "pay1",
                prior_auth(&"P".repeat(51), "prv1", "70553", 1, "Approved"),
                "InvalidCode",
            ),
            (
                "pay1",
                prior_auth("PA 9", "prv1", "70553", 1, "Approved"),
                "InvalidCode",
            ),
            (
                "pay1",
                prior_auth("PA-9", "prv1", "7o553", 1, "Approved"),
                "InvalidCode",
            ),
        ];
        for (from, args, error) in cases {
            let r = w.call(from, "claims", "record_prior_auth", args);
            fails(&r, error);
            log.push(seen(&r));
        }
        let mut bad = prior_auth("PA-9", "prv1", "70553", 1, "Approved");
        bad["auth"]["period"]["end"] = json!(JAN_1_2025 - 1);
        let r = w.call("pay1", "claims", "record_prior_auth", bad);
        fails(&r, "InvalidPeriod");
        log.push(seen(&r));
        assert_eq!(w.sandbox.state_root(), root);
        // Re-recording keeps the units used and reports the status change.
        log.extend(scenario_1(w));
        let r = ok(w.call(
            "pay1",
            "claims",
            "record_prior_auth",
            prior_auth("PA-1", "prv1", "70553", 2, "Approved"),
        ));
        assert_eq!(events(w, &r)[0]["fields"]["from"], "Exhausted");
        assert_eq!(events(w, &r)[0]["fields"]["to"], "Approved");
        assert_eq!(auth_state(w, "PA-1"), (json!("Approved"), 1));
        log.push(seen(&r));
        log
    });
}

#[test]
fn submit_claim_errors() {
    on_both_engines(|w| {
        let mut log = setup(w);
        log.extend(scenario_2(w));
        let root = w.sandbox.state_root();
        let one = || json!([line(1, "99213", 1, 15000, None)]);
        let mut cases = vec![
            ("pay1", claim("CLM-9", "Original", one()), "Unauthorized"),
            (
                "prv1",
                claim("CLM-1002", "Original", one()),
                "DuplicateClaimId",
            ),
            (
                "prv1",
                claim("CLM-9", "Replacement", one()),
                "OriginalNotFound",
            ),
            ("prv1", claim("CLM-9", "Void", one()), "OriginalNotFound"),
            ("prv1", claim("", "Original", one()), "InvalidCode"),
            (
                "prv1",
                claim(&"9".repeat(39), "Original", one()),
                "InvalidCode",
            ),
            (
                "prv1",
                claim("CLM-9", "Original", json!([line(1, "9921", 1, 1, None)])),
                "InvalidCode",
            ),
            (
                "prv1",
                claim(
                    "CLM-9",
                    "Original",
                    json!([line(1, "99213", 1, 1, Some(""))]),
                ),
                "InvalidCode",
            ),
            (
                "prv1",
                claim("CLM-9", "Original", json!([])),
                "InvalidClaim",
            ),
            (
                "prv1",
                claim("CLM-9", "Original", json!([line(2, "99213", 1, 1, None)])),
                "InvalidClaim",
            ),
            (
                "prv1",
                claim(
                    "CLM-9",
                    "Original",
                    json!([line(1, "99213", 1, 1, None), line(1, "99213", 1, 1, None)]),
                ),
                "InvalidClaim",
            ),
            (
                "prv1",
                claim(
                    "CLM-9",
                    "Original",
                    (1..=51).map(|i| line(i, "99213", 1, 1, None)).collect(),
                ),
                "InvalidClaim",
            ),
            (
                "prv1",
                claim("CLM-9", "Original", json!([line(1, "99213", 0, 1, None)])),
                "InvalidAmount",
            ),
            (
                "prv1",
                claim("CLM-9", "Original", json!([line(1, "99213", 1, 0, None)])),
                "InvalidAmount",
            ),
            (
                "prv1",
                claim("CLM-9", "Original", json!([line(1, "99213", 1, -5, None)])),
                "InvalidAmount",
            ),
            (
                "prv1",
                claim_with("CLM-9", "Original", "pay1", NOW + 1, one()),
                "FutureTimestamp",
            ),
            (
                "prv1",
                claim(
                    "CLM-9",
                    "Original",
                    json!([
                        line(1, "99213", 1, i64::MAX, None),
                        line(2, "99213", 1, 1, None)
                    ]),
                ),
                "ArithmeticOverflow",
            ),
            // A replacement or void must keep the original's payer and subject.
            (
                "prv1",
                claim_with("CLM-1002", "Replacement", "pay2", MAR_10_2025, one()),
                "InvalidClaim",
            ),
            (
                "prv1",
                claim_with("CLM-1002", "Void", "pay2", MAR_10_2025, one()),
                "InvalidClaim",
            ),
        ];
        let mut other_subject = claim("CLM-1002", "Replacement", one());
        other_subject["claim"]["subject"] = json!(padded("S2", 32));
        cases.push(("prv1", other_subject, "InvalidClaim"));
        for (from, args, error) in cases {
            let r = w.call(from, "claims", "submit_claim", args);
            fails(&r, error);
            log.push(seen(&r));
        }
        let r = w.call(
            "pay1",
            "claims",
            "submit_claim",
            claim("CLM-9", "Original", one()),
        );
        assert_eq!(r.value["fields"], json!({ "required_role": "Provider" }));
        assert_eq!(w.sandbox.state_root(), root, "errors change nothing");
        log
    });
}

#[test]
fn adjudicate_errors() {
    on_both_engines(|w| {
        let mut log = setup(w);
        let s = ok(w.call(
            "prv1",
            "claims",
            "submit_claim",
            claim(
                "CLM-1002",
                "Original",
                json!([
                    line(1, "99213", 1, 15000, None),
                    line(2, "97110", 1, 5000, None)
                ]),
            ),
        ));
        log.push(seen(&s));
        let root = w.sandbox.state_root();
        let args = |id: &str, dets: Value| json!({ "claim": key(id), "line_determinations": dets });
        let two = determinations(&[true, true]);
        for (from, a, error) in [
            ("prv1", args("CLM-1002", two.clone()), "Unauthorized"),
            ("pay1", args("CLM-9", two.clone()), "ClaimNotFound"),
            ("pay2", args("CLM-1002", two.clone()), "NotClaimPayer"),
            (
                "pay1",
                args("CLM-1002", determinations(&[true])),
                "LineCountMismatch",
            ),
            (
                "pay1",
                args("CLM-1002", determinations(&[true, true, true])),
                "LineCountMismatch",
            ),
            (
                "pay1",
                args(
                    "CLM-1002",
                    json!([{ "no": 1, "medically_necessary": true }, { "no": 3, "medically_necessary": true }]),
                ),
                "LineCountMismatch",
            ),
            (
                "pay1",
                args(
                    "CLM-1002",
                    json!([{ "no": 1, "medically_necessary": true }, { "no": 1, "medically_necessary": true }]),
                ),
                "LineCountMismatch",
            ),
        ] {
            let r = w.call(from, "claims", "adjudicate", a);
            fails(&r, error);
            log.push(seen(&r));
        }
        // Determinations may come in any order.
        let r = w.call(
            "pay1",
            "claims",
            "adjudicate",
            args("CLM-1002", json!([{ "no": 2, "medically_necessary": false }, { "no": 1, "medically_necessary": true }])),
        );
        assert_eq!(r.value["lines"][1], denied(2, "CO", 50, 5000));
        log.push(seen(&r));
        assert_ne!(w.sandbox.state_root(), root);

        // An overflowing fee × units reverts as ArithmeticOverflow, with the consent log entry.
        let mut huge = plan();
        huge["fee_schedule"][2]["unit_fee"] = json!(i64::MAX / 2);
        log.push(seen(&ok(w.call(
            "pay1",
            "claims",
            "set_plan",
            json!({ "coverage_id": "COV1", "plan": huge }),
        ))));
        log.push(seen(&ok(w.call(
            "prv1",
            "claims",
            "submit_claim",
            claim(
                "CLM-OVF",
                "Original",
                json!([line(1, "97110", 3, 100, None)]),
            ),
        ))));
        let root = w.sandbox.state_root();
        let r = adjudicate(w, "CLM-OVF", &[true]);
        fails(&r, "ArithmeticOverflow");
        assert_eq!(
            w.sandbox.state_root(),
            root,
            "the consent log entry rolls back too"
        );
        log.push(seen(&r));

        // Without trust in AccessConsent the consent check cannot be made.
        log.push(seen(&ok(w.call(
            "admin",
            "consent",
            "set_trusted_contract",
            json!({ "contract": "claims", "trusted": false }),
        ))));
        let r = adjudicate(w, "CLM-OVF", &[true]);
        fails(&r, "ConsentUnavailable");
        log.push(seen(&r));
        // An inactive payer is unauthorised.
        log.push(seen(&ok(w.call(
            "admin",
            "consent",
            "set_actor_active",
            json!({ "actor": "pay1", "active": false }),
        ))));
        let r = adjudicate(w, "CLM-OVF", &[true]);
        fails(&r, "Unauthorized");
        log.push(seen(&r));
        log
    });
}

#[test]
fn record_payment_errors() {
    on_both_engines(|w| {
        let mut log = setup(w);
        log.extend(scenario_2(w));
        let root = w.sandbox.state_root();
        let pay = |id: &str, amount: i64| json!({ "claim": key(id), "amount": amount, "trace_hash": padded("TRN", 32) });
        for (from, args, error) in [
            ("prv1", pay("CLM-1002", 9500), "Unauthorized"),
            ("pay1", pay("CLM-9", 9500), "ClaimNotFound"),
            ("pay2", pay("CLM-1002", 9500), "NotClaimPayer"),
            ("pay1", pay("CLM-1002", 9499), "PaymentMismatch"),
            ("pay1", pay("CLM-1002", 0), "PaymentMismatch"),
        ] {
            let r = w.call(from, "claims", "record_payment", args);
            fails(&r, error);
            log.push(seen(&r));
        }
        assert_eq!(w.sandbox.state_root(), root);
        log
    });
}

#[test]
fn deployed_against_a_missing_consent_contract_every_role_check_fails_typed() {
    on_both_engines(|w| {
        w.sandbox.set_block(1, NOW);
        let d = ok(w.deploy("claims", "admin", "new", json!({ "consent": "nobody" })));
        let r = w.call(
            "pay1",
            "claims",
            "upsert_coverage",
            coverage("COV1", "Active"),
        );
        fails(&r, "ConsentUnavailable");
        vec![seen(&d), seen(&r)]
    });
}

#[test]
fn query_errors() {
    on_both_engines(|w| {
        let mut log = setup(w);
        log.extend(scenario_2(w));
        let mut replies = Vec::new();
        for (message, args, error) in [
            (
                "get_claim",
                json!({ "claim": key("CLM-9") }),
                "ClaimNotFound",
            ),
            (
                "get_response",
                json!({ "claim": key("CLM-9") }),
                "ClaimNotFound",
            ),
            (
                "get_claim_version",
                json!({ "claim": key("CLM-1002"), "version": 2 }),
                "ClaimNotFound",
            ),
            (
                "get_claim_version",
                json!({ "claim": key("CLM-1002"), "version": 0 }),
                "ClaimNotFound",
            ),
            (
                "plan_year",
                json!({ "service_date": u64::MAX }),
                "ArithmeticOverflow",
            ),
        ] {
            let r = w.query("pay1", "claims", message, args);
            assert_eq!(r.error(), Some(error), "{message}: {}", r.value);
            replies.push(seen(&r));
        }
        let none = ok(w.query(
            "pay1",
            "claims",
            "claim_versions",
            json!({ "claim": key("CLM-9") }),
        ));
        assert_eq!(none.value, json!(0));
        let absent = ok(w.query(
            "pay1",
            "claims",
            "get_prior_auth",
            json!({ "payer": "pay2", "auth_id": "PA-1" }),
        ));
        assert_eq!(absent.value, Value::Null, "auths are per payer");
        log.extend(replies);
        log.extend([none, absent].iter().map(seen));
        log
    });
}

// ---- forbidden claim transitions ----

#[test]
fn every_forbidden_claim_transition_is_refused() {
    on_both_engines(|w| {
        let mut log = setup(w);
        let one = || json!([line(1, "99213", 1, 15000, None)]);
        let submit = |w: &mut World, id: &str, frequency: &str| {
            w.call(
                "prv1",
                "claims",
                "submit_claim",
                claim(id, frequency, one()),
            )
        };
        let pay = |w: &mut World, id: &str| {
            w.call(
                "pay1",
                "claims",
                "record_payment",
                json!({ "claim": key(id), "amount": 9500, "trace_hash": padded("TRN", 32) }),
            )
        };
        let expect = |r: &Reply, from: &str, attempted: &str| {
            fails(r, "InvalidTransition");
            assert_eq!(
                r.value["fields"],
                json!({ "entity": "Claim", "from": from, "attempted": attempted })
            );
        };
        // Submitted: not payable, not replaceable, not voidable, and adjudicated once only.
        log.push(seen(&ok(submit(w, "SUB", "Original"))));
        let r = pay(w, "SUB");
        expect(&r, "Submitted", "Paid");
        let r2 = submit(w, "SUB", "Replacement");
        expect(&r2, "Submitted", "Replaced");
        let r3 = submit(w, "SUB", "Void");
        expect(&r3, "Submitted", "Voided");
        log.extend([r, r2, r3].iter().map(seen));
        // Adjudicated: not adjudicated again.
        log.push(seen(&ok(adjudicate(w, "SUB", &[true]))));
        let r = adjudicate(w, "SUB", &[true]);
        expect(&r, "Adjudicated", "Adjudicated");
        log.push(seen(&r));
        // Paid: not paid again, not adjudicated.
        log.push(seen(&ok(pay(w, "SUB"))));
        let r = pay(w, "SUB");
        expect(&r, "Paid", "Paid");
        let r2 = adjudicate(w, "SUB", &[true]);
        expect(&r2, "Paid", "Adjudicated");
        log.extend([r, r2].iter().map(seen));
        // Voided (terminal): nothing.
        log.push(seen(&ok(submit(w, "SUB", "Void"))));
        let r = pay(w, "SUB");
        expect(&r, "Voided", "Paid");
        let r2 = adjudicate(w, "SUB", &[true]);
        expect(&r2, "Voided", "Adjudicated");
        let r3 = submit(w, "SUB", "Replacement");
        expect(&r3, "Voided", "Replaced");
        let r4 = submit(w, "SUB", "Void");
        expect(&r4, "Voided", "Voided");
        let r5 = submit(w, "SUB", "Original");
        fails(&r5, "DuplicateClaimId");
        log.extend([r, r2, r3, r4, r5].iter().map(seen));
        // Rejected (terminal): not payable, adjudicable, replaceable or voidable.
        log.push(seen(&ok(w.call(
            "pay1",
            "claims",
            "cancel_coverage",
            json!({ "coverage_id": "COV1" }),
        ))));
        log.push(seen(&ok(submit(w, "REJ", "Original"))));
        let rejected = ok(adjudicate(w, "REJ", &[true]));
        assert_eq!(rejected.value["error"], "CoverageInactive");
        let r = pay(w, "REJ");
        expect(&r, "Rejected", "Paid");
        let r2 = adjudicate(w, "REJ", &[true]);
        expect(&r2, "Rejected", "Adjudicated");
        let r3 = submit(w, "REJ", "Replacement");
        expect(&r3, "Rejected", "Replaced");
        let r4 = submit(w, "REJ", "Void");
        expect(&r4, "Rejected", "Voided");
        log.extend([rejected, r, r2, r3, r4].iter().map(seen));
        // Replaced (terminal): only the latest version can be acted on, and a replaced version
        // is never the latest; it stays readable.
        log
    });
}

#[test]
fn every_coverage_failure_rejects_coverage_inactive() {
    on_both_engines(|w| {
        let mut log = setup(w);
        let mut other_subject = coverage("COV-S2", "Active");
        other_subject["coverage"]["beneficiary"] = json!(padded("S2", 32));
        log.push(seen(&ok(w.call(
            "pay1",
            "claims",
            "upsert_coverage",
            other_subject,
        ))));
        log.push(seen(&ok(w.call(
            "pay1",
            "claims",
            "upsert_coverage",
            coverage("COV-DRAFT", "Draft"),
        ))));
        log.push(seen(&ok(w.call(
            "pay2",
            "claims",
            "upsert_coverage",
            coverage("COV-PAY2", "Active"),
        ))));
        let cases = [
            ("NO-COV", "COV9", "pay1", MAR_10_2025),
            ("SUBJECT", "COV-S2", "pay1", MAR_10_2025),
            ("DRAFT", "COV-DRAFT", "pay1", MAR_10_2025),
            ("BEFORE", "COV1", "pay1", JAN_1_2025 - 1),
            // COV1 is PAY1's: billed to PAY2, it does not apply.
            ("PAYER", "COV1", "pay2", MAR_10_2025),
            // and PAY2's coverage does not apply to a claim billed to PAY1.
            ("PAYER2", "COV-PAY2", "pay1", MAR_10_2025),
        ];
        for (id, coverage_id, payer, date) in cases {
            let mut c = claim_with(
                id,
                "Original",
                payer,
                date,
                json!([line(1, "99213", 1, 15000, None)]),
            );
            c["claim"]["coverage_id"] = json!(coverage_id);
            log.push(seen(&ok(w.call("prv1", "claims", "submit_claim", c))));
            let r = ok(w.call(
                payer,
                "claims",
                "adjudicate",
                json!({ "claim": key(id), "line_determinations": determinations(&[true]) }),
            ));
            assert_eq!(r.value["error"], "CoverageInactive", "{id}");
            log.push(seen(&r));
        }
        assert_eq!(accumulators(w, 2025), (25000, 25000));
        log
    });
}

// ---- properties ----

const CODES: [&str; 4] = ["70553", "99213", "97110", "J1100"];

#[derive(Clone, Debug)]
struct CodeRule {
    fee: Option<i64>,
    benefit: Option<(bool, i64, u16)>,
    needs_auth: bool,
}

#[derive(Clone, Debug)]
struct PlanCase {
    deductible: i64,
    oop_max: i64,
    rules: Vec<CodeRule>,
}

#[derive(Clone, Debug)]
struct LineCase {
    code: usize,
    units: u32,
    charge: i64,
    with_auth: bool,
    necessary: bool,
}

fn plan_strategy() -> impl Strategy<Value = PlanCase> {
    let rule = (
        prop::option::weighted(0.9, 0i64..=200_000),
        prop::option::weighted(0.9, (any::<bool>(), 0i64..=5_000, 0u16..=10_000)),
        any::<bool>(),
    )
        .prop_map(|(fee, benefit, needs_auth)| CodeRule {
            fee,
            benefit,
            needs_auth,
        });
    (
        0i64..=200_000,
        0i64..=400_000,
        prop::collection::vec(rule, 4),
    )
        .prop_map(|(deductible, extra, rules)| PlanCase {
            deductible,
            oop_max: deductible + extra,
            rules,
        })
}

fn lines_strategy() -> impl Strategy<Value = Vec<LineCase>> {
    prop::collection::vec(
        (
            0usize..4,
            1u32..=4,
            1i64..=400_000,
            any::<bool>(),
            prop::bool::weighted(0.8),
        )
            .prop_map(|(code, units, charge, with_auth, necessary)| LineCase {
                code,
                units,
                charge,
                with_auth,
                necessary,
            }),
        1..=5,
    )
}

fn plan_json(p: &PlanCase) -> Value {
    let mut fees = Vec::new();
    let mut benefits = Vec::new();
    let mut auth = Vec::new();
    for (code, r) in CODES.iter().zip(&p.rules) {
        if let Some(fee) = r.fee {
            fees.push(json!({ "proc_code": code, "unit_fee": fee }));
        }
        if let Some((applies, copay, bps)) = r.benefit {
            benefits.push(json!({ "proc_code": code, "benefit": {
                "deductible_applies": applies, "copay": copay, "coinsurance_bps": bps } }));
        }
        if r.needs_auth {
            auth.push(json!(code));
        }
    }
    json!({ "deductible": p.deductible, "oop_max": p.oop_max, "fee_schedule": fees,
            "benefits": benefits, "prior_auth_required": auth })
}

fn lines_json(lines: &[LineCase]) -> Value {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            line(
                i as u32 + 1,
                CODES[l.code],
                l.units,
                l.charge,
                l.with_auth.then_some("PA-P"),
            )
        })
        .collect()
}

/// DOMAIN.md §4 step 4, transcribed independently: the expected lines, updating `acc`
/// (deductible met, OOP met) and `auth_left`.
fn model(
    p: &PlanCase,
    auth_code: usize,
    auth_left: &mut u32,
    acc: &mut (i64, i64),
    lines: &[LineCase],
) -> Vec<Value> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let no = i as u32 + 1;
        let rule = &p.rules[l.code];
        let auth_ok = l.with_auth && l.code == auth_code && l.units <= *auth_left;
        if rule.needs_auth && !auth_ok {
            out.push(denied(no, "CO", 197, l.charge));
            continue;
        }
        if !l.necessary {
            out.push(denied(no, "CO", 50, l.charge));
            continue;
        }
        let (Some(fee), Some((applies, copay, bps))) = (rule.fee, rule.benefit) else {
            out.push(denied(no, "CO", 204, l.charge));
            continue;
        };
        let allowed = l.charge.min(fee * i64::from(l.units));
        let mut ded = if applies {
            allowed.min((p.deductible - acc.0).max(0))
        } else {
            0
        };
        let mut cop = copay.min(allowed - ded);
        let mut coins = ((allowed - ded - cop) * i64::from(bps) + 5000) / 10000;
        let room = (p.oop_max - acc.1).max(0);
        let mut excess = (ded + cop + coins - room).max(0);
        for part in [&mut coins, &mut cop, &mut ded] {
            let cut = (*part).min(excess);
            *part -= cut;
            excess -= cut;
        }
        acc.0 += ded;
        acc.1 += ded + cop + coins;
        let mut adjustments = Vec::new();
        for (group, carc, amount) in [
            ("CO", 45, l.charge - allowed),
            ("PR", 1, ded),
            ("PR", 2, coins),
            ("PR", 3, cop),
        ] {
            if amount != 0 {
                adjustments.push(adj(group, carc, amount));
            }
        }
        let used = if rule.needs_auth {
            *auth_left -= l.units;
            l.units
        } else {
            0
        };
        out.push(priced(
            no,
            l.charge,
            allowed,
            ded,
            cop,
            coins,
            Value::Array(adjustments),
            used,
        ));
    }
    out
}

/// The 835 balancing invariants, checked on a response as a remittance reader would.
fn assert_balanced(response: &Value) {
    for l in response["lines"].as_array().unwrap() {
        let get = |f: &str| l[f].as_i64().unwrap();
        let adjustments = l["adjustments"].as_array().unwrap();
        let co: i64 = adjustments
            .iter()
            .filter(|a| a["group"] == "CO")
            .map(|a| a["amount"].as_i64().unwrap())
            .sum();
        assert_eq!(
            get("submitted"),
            get("eligible") + co,
            "charge = allowed + ΣCO: {l}"
        );
        assert_eq!(
            get("eligible"),
            get("benefit") + get("patient_resp"),
            "allowed = payer + patient: {l}"
        );
        assert_eq!(
            get("patient_resp"),
            get("deductible") + get("copay") + get("coinsurance"),
            "{l}"
        );
        for f in [
            "eligible",
            "deductible",
            "copay",
            "coinsurance",
            "benefit",
            "patient_resp",
        ] {
            assert!(get(f) >= 0, "{f} negative: {l}");
        }
        if adjustments
            .iter()
            .any(|a| a["group"] == "CO" && a["carc"] != 45)
        {
            assert_eq!(
                (get("eligible"), get("benefit"), get("patient_resp")),
                (0, 0, 0),
                "denied: {l}"
            );
        }
    }
}

fn property_setup(
    w: &mut World,
    p: &PlanCase,
    ded_met: i64,
    oop_met: i64,
    auth_code: usize,
    auth_units: u32,
) {
    setup(w);
    let mut c = coverage("COV1", "Active");
    c["coverage"]["plan"] = plan_json(p);
    ok(w.call("pay1", "claims", "upsert_coverage", c));
    ok(w.call(
        "pay1",
        "claims",
        "set_accumulators",
        json!({ "coverage_id": "COV1", "plan_year": 2025, "deductible_met": ded_met, "oop_met": oop_met }),
    ));
    ok(w.call(
        "pay1",
        "claims",
        "record_prior_auth",
        prior_auth("PA-P", "prv1", CODES[auth_code], auth_units, "Approved"),
    ));
}

/// One property case: a random plan, opening balances, prior auth, claim and replacement.
/// Every line balances and matches the specification transcribed independently ([`model`]);
/// accumulators never pass the deductible or the OOP maximum; a replacement then a void restore
/// the accumulators and the auth exactly. Returns what the engines must agree on.
fn property_case(
    w: &mut World,
    p: &PlanCase,
    met: (u32, u32),
    auth: (usize, u32),
    first: &[LineCase],
    second: &[LineCase],
    pay_first: bool,
) -> Vec<Seen> {
    let ded_met = p.deductible * i64::from(met.0) / 100;
    let oop_met = ded_met + (p.oop_max - ded_met) * i64::from(met.1) / 100;
    property_setup(w, p, ded_met, oop_met, auth.0, auth.1);
    let initial = accumulators(w, 2025);
    assert_eq!(initial, (ded_met, oop_met));
    let mut log = Vec::new();

    // The original.
    let s = ok(w.call(
        "prv1",
        "claims",
        "submit_claim",
        claim("CLM-P", "Original", lines_json(first)),
    ));
    let necessary: Vec<bool> = first.iter().map(|l| l.necessary).collect();
    let r = ok(adjudicate(w, "CLM-P", &necessary));
    assert_balanced(&r.value);
    let mut acc = initial;
    let mut left = auth.1;
    assert_eq!(
        r.value,
        complete(model(p, auth.0, &mut left, &mut acc, first), None)
    );
    let after = accumulators(w, 2025);
    assert_eq!(after, acc);
    assert!(
        after.0 <= p.deductible && after.1 <= p.oop_max,
        "{after:?} over {p:?}"
    );
    let old_benefit = r.value["totals"]["benefit"].as_i64().unwrap();
    log.extend([s, r].iter().map(seen));
    if pay_first {
        let paid = ok(w.call(
            "pay1",
            "claims",
            "record_payment",
            json!({ "claim": key("CLM-P"), "amount": old_benefit, "trace_hash": padded("TRN", 32) }),
        ));
        log.push(seen(&paid));
    }

    // Its replacement: adjudicated from the initial balances.
    let s = ok(w.call(
        "prv1",
        "claims",
        "submit_claim",
        claim("CLM-P", "Replacement", lines_json(second)),
    ));
    let necessary: Vec<bool> = second.iter().map(|l| l.necessary).collect();
    let r = ok(adjudicate(w, "CLM-P", &necessary));
    assert_balanced(&r.value);
    let mut acc = initial;
    let mut left = auth.1;
    let expected_lines = model(p, auth.0, &mut left, &mut acc, second);
    let new_benefit: i64 = expected_lines
        .iter()
        .map(|l| l["benefit"].as_i64().unwrap())
        .sum();
    let delta = pay_first.then_some(new_benefit - old_benefit);
    assert_eq!(r.value, complete(expected_lines, delta));
    let after = accumulators(w, 2025);
    assert_eq!(after, acc);
    assert!(
        after.0 <= p.deductible && after.1 <= p.oop_max,
        "{after:?} over {p:?}"
    );
    log.extend([s, r].iter().map(seen));

    // Its void: back to where we started.
    let v = ok(w.call(
        "prv1",
        "claims",
        "submit_claim",
        claim("CLM-P", "Void", lines_json(second)),
    ));
    assert_eq!(accumulators(w, 2025), initial);
    assert_eq!(auth_state(w, "PA-P").1, 0);
    log.push(seen(&v));
    log
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// [`property_case`] on wasmi.
    #[test]
    fn adjudication_balances_and_reversal_restores(
        p in plan_strategy(),
        met in (0u32..=100, 0u32..=100),
        auth in (0usize..4, 0u32..=6),
        first in lines_strategy(),
        second in lines_strategy(),
        pay_first in any::<bool>(),
    ) {
        let mut w = World::new(EngineKind::Wasmi);
        property_case(&mut w, &p, met, auth, &first, &second, pay_first);
    }

    /// The integer calendar: `plan_year` agrees with a year-by-year count of seconds.
    #[test]
    fn plan_year_is_the_calendar_year(t in 0u64..=7_258_118_400) {
        let mut year = 1970u32;
        let mut start = 0u64;
        loop {
            let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
            let next = start + if leap { 366 } else { 365 } * 86_400;
            if t < next {
                break;
            }
            start = next;
            year += 1;
        }
        let w = YEAR_WORLD.with(|w| w.query("x", "claims", "plan_year", json!({ "service_date": t })).value);
        prop_assert_eq!(w, json!(year));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// [`property_case`] on both engines: same results, same gas, same state root.
    #[test]
    fn adjudication_properties_agree_across_engines(
        p in plan_strategy(),
        met in (0u32..=100, 0u32..=100),
        auth in (0usize..4, 0u32..=6),
        first in lines_strategy(),
        second in lines_strategy(),
        pay_first in any::<bool>(),
    ) {
        on_both_engines(|w| property_case(w, &p, met, auth, &first, &second, pay_first));
    }
}

thread_local! {
    static YEAR_WORLD: World = {
        let mut w = World::new(EngineKind::Wasmi);
        ok(w.deploy("claims", "admin", "new", json!({ "consent": "nobody" })));
        w
    };
}
