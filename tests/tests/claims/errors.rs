//! Every error, message by message.

use super::*;

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
