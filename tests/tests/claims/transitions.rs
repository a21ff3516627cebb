//! Forbidden claim transitions and coverage failures.

use super::*;

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
