//! Every error of transfusion, return, quarantine, discard, expiry and recall; an unanswering
//! consent contract; an expired unit.

use super::*;

#[test]
fn errors_of_transfusion_and_return() {
    on_both_engines(|w| {
        network(w);
        let mut out = Vec::new();
        let ffp = code(FFP);
        let tx = |n, s: &str| json!({"unit": key(&din(n), &code(FFP)), "recipient": id32(s)});
        let end = |n| json!({"unit": key(&din(n), &code(FFP)), "reaction": null});
        stock(w, "ts1", &din(1), &ffp, "AB", "Pos");
        out.push(refused(
            w,
            "ts1",
            "start_transfusion",
            tx(1, "S1"),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "dr1",
            "start_transfusion",
            tx(99, "S1"),
            "UnitNotFound",
        ));
        out.push(refused(
            w,
            "dr1",
            "start_transfusion",
            tx(1, "S1"),
            "InvalidTransition",
        ));
        out.push(refused(
            w,
            "dr1",
            "end_transfusion",
            end(1),
            "InvalidTransition",
        ));
        let r = bb(w, "dr1", "end_transfusion", end(1));
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Transfusion", "from": "NotStarted", "attempted": "Completed"})
        );
        ok(issue(w, "ts1", &din(1), &ffp, "S1", "dr1"));
        // Bedside check: the unit was issued to S1.
        out.push(refused(
            w,
            "dr1",
            "start_transfusion",
            tx(1, "S2"),
            "RecipientMismatch",
        ));
        ok(bb(w, "dr1", "start_transfusion", tx(1, "S1")));
        out.push(refused(w, "ts1", "end_transfusion", end(1), "Unauthorized"));
        out.push(refused(
            w,
            "dr1",
            "end_transfusion",
            end(99),
            "UnitNotFound",
        ));
        ok(bb(w, "dr1", "end_transfusion", end(1)));
        let r = bb(w, "dr1", "end_transfusion", end(1));
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Transfusion", "from": "Completed", "attempted": "Completed"})
        );
        out.push(refused(
            w,
            "dr1",
            "end_transfusion",
            end(1),
            "InvalidTransition",
        ));

        let ret = |n, m: u32| json!({"unit": key(&din(n), &code(FFP)), "minutes_out": m, "in_range": true});
        stock(w, "ts1", &din(2), &ffp, "AB", "Pos");
        out.push(refused(w, "dr1", "return_unit", ret(2, 10), "Unauthorized"));
        out.push(refused(
            w,
            "ts1",
            "return_unit",
            ret(99, 10),
            "UnitNotFound",
        ));
        out.push(refused(w, "ts2", "return_unit", ret(2, 10), "NotCustodian"));
        let r = bb(w, "ts1", "return_unit", ret(2, 10));
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Unit", "from": "Available", "attempted": "Available"})
        );
        out.push(refused(
            w,
            "ts1",
            "return_unit",
            ret(2, 10),
            "InvalidTransition",
        ));
        out.push(refused(
            w,
            "ts1",
            "return_unit",
            ret(2, 31),
            "InvalidTransition",
        ));
        out
    });
}

#[test]
fn errors_of_quarantine_discard_expiry_and_recall() {
    on_both_engines(|w| {
        network(w);
        let mut out = Vec::new();
        let rbc = code(RBC);
        let q = |n| json!({"unit": key(&din(n), &code(RBC)), "reason": "VisualInspection"});
        let rq = |n| json!({"unit": key(&din(n), &code(RBC)), "reason_hash": id32("WHY")});
        let d = |n| json!({"unit": key(&din(n), &code(RBC)), "reason": "Damaged"});
        let u = |n| json!({"unit": key(&din(n), &code(RBC))});
        stock(w, "ts1", &din(1), &rbc, "O", "Neg");
        ok(bb(
            w,
            "be1",
            "register_unit",
            new_unit(&din(2), &rbc, "O", "Neg", EXPIRY),
        ));

        let r = bb(w, "dr1", "quarantine", q(1));
        assert_eq!(r.value["fields"], json!({"required_role": null}));
        out.push(refused(w, "dr1", "quarantine", q(1), "Unauthorized"));
        out.push(refused(w, "ts1", "quarantine", q(99), "UnitNotFound"));
        out.push(refused(w, "ts2", "quarantine", q(1), "NotCustodian"));
        out.push(refused(w, "be1", "quarantine", q(2), "InvalidTransition"));

        out.push(refused(
            w,
            "ts1",
            "release_quarantine",
            rq(1),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "md1",
            "release_quarantine",
            rq(99),
            "UnitNotFound",
        ));
        out.push(refused(
            w,
            "md1",
            "release_quarantine",
            rq(1),
            "InvalidTransition",
        ));

        out.push(refused(w, "dr1", "discard", d(1), "Unauthorized"));
        out.push(refused(w, "ts1", "discard", d(99), "UnitNotFound"));
        out.push(refused(w, "ts2", "discard", d(1), "NotCustodian"));
        ok(bb(
            w,
            "ts1",
            "reserve",
            json!({"unit": key(&din(1), &rbc), "recipient": id32("S1")}),
        ));
        let r = bb(w, "ts1", "discard", d(1));
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Unit", "from": "Reserved", "attempted": "Discarded"})
        );
        out.push(refused(w, "ts1", "discard", d(1), "InvalidTransition"));

        out.push(refused(w, "anyone", "expire_unit", u(99), "UnitNotFound"));
        out.push(refused(w, "anyone", "expire_unit", u(1), "NotYetExpired"));
        ok(bb(w, "ts1", "release_reservation", u(1)));
        ok(bb(w, "ts1", "discard", d(1)));
        out.push(refused(
            w,
            "anyone",
            "expire_unit",
            u(1),
            "InvalidTransition",
        ));

        out.push(refused(
            w,
            "ts1",
            "recall_donation",
            json!({"din": din(2)}),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "reg1",
            "recall_donation",
            json!({"din": din(99)}),
            "UnitNotFound",
        ));

        // Queries.
        err(&query(w, "get_unit", u(99)), "UnitNotFound");
        err(
            &query(w, "vein_to_vein", json!({"din": din(99)})),
            "UnitNotFound",
        );
        let c = |n, s: &str| json!({"unit": key(&din(n), &code(RBC)), "recipient": id32(s)});
        err(&query(w, "compatibility", c(99, "S1")), "UnitNotFound");
        err(&query(w, "compatibility", c(1, "S1")), "UnitNotAvailable");
        stock(w, "ts1", &din(3), &rbc, "O", "Neg");
        err(&query(w, "compatibility", c(3, "S9")), "RecipientNotFound");
        out
    });
}

#[test]
fn the_consent_contract_must_answer() {
    on_both_engines(|w| {
        // A blood bank pointed at an account that is no contract cannot check any role.
        w.sandbox.set_block(1, T0);
        ok(w.deploy(BB, "admin", "new", json!({"consent": "nobody"})));
        let rule = json!({"class": "RedCells", "low_titer": false, "irradiated": false});
        let r = bb(
            w,
            "admin",
            "register_product_code",
            json!({"prefix": RBC, "rule": rule}),
        );
        err(&r, "ConsentUnavailable");
        assert_eq!(
            ok(query(w, "consent_contract", Value::Null)).value,
            json!(addr(w, "nobody"))
        );
        // Expiring needs no role.
        err(
            &bb(
                w,
                "x",
                "expire_unit",
                json!({"unit": key(&din(1), &code(RBC))}),
            ),
            "UnitNotFound",
        );
        seen(&r)
    });
}

#[test]
fn an_expired_unit_refuses_every_call_and_only_expire_unit_records_it() {
    on_both_engines(|w| {
        network(w);
        let mut out = Vec::new();
        let ffp = code(FFP);
        let soon = T0 + DAY;
        // One unit per non-terminal status, all expiring at `soon`.
        let at_be = |w: &mut World, n: u32| {
            ok(bb(
                w,
                "be1",
                "register_unit",
                new_unit(&din(n), &ffp, "AB", "Neg", soon),
            ));
        };
        at_be(w, 1); // Collected
        at_be(w, 2);
        ok(bb(
            w,
            "be1",
            "start_testing",
            json!({"unit": key(&din(2), &ffp)}),
        )); // InTesting
        let at_ts = |w: &mut World, n: u32| {
            released(w, "be1", &din(n), &code(FFP), "AB", "Neg", soon);
            ok(bb(
                w,
                "be1",
                "transfer_custody",
                json!({"unit": key(&din(n), &code(FFP)), "to": "ts1"}),
            ));
        };
        at_ts(w, 3); // Available
        at_ts(w, 4);
        ok(bb(
            w,
            "ts1",
            "reserve",
            json!({"unit": key(&din(4), &ffp), "recipient": id32("S1")}),
        )); // Reserved
        at_ts(w, 5);
        ok(issue(w, "ts1", &din(5), &ffp, "S1", "dr1")); // Issued
        at_ts(w, 6);
        ok(bb(
            w,
            "ts1",
            "quarantine",
            json!({"unit": key(&din(6), &ffp), "reason": "Investigation"}),
        )); // Quarantined
        at_ts(w, 7);
        ok(issue(w, "ts1", &din(7), &ffp, "S2", "dr1"));
        ok(bb(
            w,
            "dr1",
            "start_transfusion",
            json!({"unit": key(&din(7), &ffp), "recipient": id32("S2")}),
        )); // Transfused

        // One second before expiry everything still works (half-open).
        w.sandbox.set_block(2, soon - 1);
        assert_eq!(
            ok(query(
                w,
                "compatibility",
                json!({"unit": key(&din(3), &ffp), "recipient": id32("S1")})
            ))
            .value,
            json!({"compatibility": "Allowed", "crossmatch": "NotRequired"})
        );
        out.push(refused(
            w,
            "anyone",
            "expire_unit",
            json!({"unit": key(&din(3), &ffp)}),
            "NotYetExpired",
        ));

        w.sandbox.set_block(3, soon);
        let u = |n| key(&din(n), &code(FFP));
        let s = id32("S1");
        let calls: Vec<(&str, &str, Value)> = vec![
            ("be1", "start_testing", json!({"unit": u(1)})),
            (
                "be1",
                "release_from_testing",
                json!({"unit": u(2), "tests_hash": id32("T")}),
            ),
            (
                "ts1",
                "transfer_custody",
                json!({"unit": u(3), "to": "ts2"}),
            ),
            (
                "ts1",
                "record_temperature",
                json!({"unit": u(3), "context": "Storage", "tenths_c": -200, "event_time": soon}),
            ),
            ("ts1", "reserve", json!({"unit": u(3), "recipient": s})),
            ("ts1", "release_reservation", json!({"unit": u(4)})),
            (
                "ts1",
                "record_crossmatch",
                json!({"unit": u(3), "recipient": s, "method": "Electronic", "result": "Compatible", "sample_collected_at": soon}),
            ),
            (
                "ts1",
                "issue",
                json!({"unit": u(4), "recipient": s, "practitioner": "dr1"}),
            ),
            (
                "md1",
                "authorize_emergency_release",
                json!({"unit": u(3), "recipient": s}),
            ),
            (
                "ts1",
                "emergency_release",
                json!({"unit": u(3), "recipient": s, "physician": "dr1"}),
            ),
            (
                "dr1",
                "start_transfusion",
                json!({"unit": u(5), "recipient": s}),
            ),
            (
                "ts1",
                "return_unit",
                json!({"unit": u(5), "minutes_out": 5, "in_range": true}),
            ),
            (
                "ts1",
                "quarantine",
                json!({"unit": u(3), "reason": "Investigation"}),
            ),
            (
                "md1",
                "quarantine",
                json!({"unit": u(3), "reason": "Investigation"}),
            ),
            (
                "md1",
                "release_quarantine",
                json!({"unit": u(6), "reason_hash": id32("WHY")}),
            ),
            ("ts1", "discard", json!({"unit": u(6), "reason": "Other"})),
        ];
        for (who, message, args) in calls {
            out.push(refused(w, who, message, args, "UnitExpired"));
        }
        err(
            &query(w, "compatibility", json!({"unit": u(3), "recipient": s})),
            "UnitExpired",
        );
        // A transfusion started before expiry can still be ended and its reaction reported.
        let r = ok(bb(
            w,
            "dr1",
            "end_transfusion",
            json!({"unit": u(7), "reaction": "FNHTR"}),
        ));
        assert_eq!(event_names(w, &r), ["TransfusionReaction"]);

        // expire_unit records Expired from every non-terminal status.
        for (n, from) in [
            (1, json!("Collected")),
            (2, json!("InTesting")),
            (3, json!("Available")),
            (4, json!("Reserved")),
            (5, json!("Issued")),
            (6, json!({"Quarantined": {"reason": "Investigation"}})),
        ] {
            let r = ok(bb(w, "anyone", "expire_unit", json!({"unit": u(n)})));
            let e = &events(w, &r)[0];
            assert_eq!(e["name"], "UnitStatusChanged");
            assert_eq!(e["fields"]["from"], from);
            assert_eq!(e["fields"]["to"], "Expired");
            assert_eq!(e["fields"]["by"], json!(addr(w, "anyone")));
            out.push(seen(&r));
        }
        out.push(refused(
            w,
            "anyone",
            "expire_unit",
            json!({"unit": u(7)}),
            "InvalidTransition",
        ));
        // Expired units left the stock index.
        assert_eq!(
            ok(query(w, "available", json!({"location": "ts1", "class": "Plasma", "abo": "AB", "rhd": "Neg", "start": 0, "limit": 50}))).value,
            json!([])
        );
        out
    });
}
