//! Payment, replacement and void of a claim, and exact duplicates.

use super::*;

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

/// Issue 22 item 2: a replacement rejected at the front end (consent, coverage) leaves the
/// original standing, as a 277CA rejection does: nothing is reversed or recouped, and the
/// original can still be voided or replaced.
#[test]
fn a_rejected_replacement_leaves_the_original_standing() {
    on_both_engines(|w| {
        let mut log = setup(w);
        log.extend(scenario_2(w));
        let paid = ok(w.call(
            "pay1",
            "claims",
            "record_payment",
            json!({ "claim": key("CLM-1002"), "amount": 9500, "trace_hash": padded("TRN", 32) }),
        ));
        let before = accumulators(w, 2025);
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
        assert_eq!(r.value, rejected("ConsentDenied", 15000, 2025, None));
        assert_eq!(names(w, &r), ["AccessDenied", "ClaimRejected"]);
        assert_eq!(accumulators(w, 2025), before, "nothing was reversed");
        let v1 = ok(w.query(
            "pay1",
            "claims",
            "get_claim_version",
            json!({ "claim": key("CLM-1002"), "version": 1 }),
        ));
        assert_eq!(v1.value["status"], "Paid");
        // The paid original stands: a new original under its id is still a duplicate id...
        let again = w.call(
            "prv1",
            "claims",
            "submit_claim",
            claim(
                "CLM-1002",
                "Original",
                json!([line(1, "99213", 1, 15000, None)]),
            ),
        );
        assert_eq!(again.error(), Some("DuplicateClaimId"));
        // ...and a void acts on it, recouping what was paid.
        let void = ok(w.call(
            "prv1",
            "claims",
            "submit_claim",
            claim(
                "CLM-1002",
                "Void",
                json!([line(1, "99213", 1, 15000, None)]),
            ),
        ));
        assert_eq!(void.value, json!(1), "the standing version is voided");
        let voided = events(w, &void);
        assert_eq!(voided[0]["name"], "ClaimVoided");
        assert_eq!(voided[0]["fields"]["payment_delta"], json!(-9500));
        log.extend([paid, r7, r, again, void].iter().map(seen));
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
