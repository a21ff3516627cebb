//! Line rules: prior authorisation, fees, the out-of-pocket maximum, rounding, plan years,
//! queries and frequency codes.

use super::*;

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
