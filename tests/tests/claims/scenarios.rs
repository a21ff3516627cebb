//! The acceptance scenarios of DOMAIN.md §6 (1-5): adjudication, copay, denials, consent and coverage.

use super::*;

// ---- scenarios ----

/// Scenario 1: CLM-1001, 70553 ×1, charge 120000, PA-1, from 25000 / 25000.
pub(crate) fn scenario_1(w: &mut World) -> Vec<Seen> {
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
pub(crate) fn scenario_2(w: &mut World) -> Vec<Seen> {
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
pub(crate) fn scenario_3(w: &mut World) -> Vec<Seen> {
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
