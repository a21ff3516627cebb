//! Flows: transfusion and hemovigilance, returns, recall with lookback, vein to vein.

use super::*;

// ---- flows ----

#[test]
fn emergency_release_of_o_negative_without_cosignature_and_of_others_with_one() {
    on_both_engines(|w| {
        network(w);
        let (rbc, ffp) = (code(RBC), code(FFP));
        let mut out = Vec::new();
        // O RhD- red cells to an unknown (unregistered) patient: no co-signature needed.
        stock(w, "ts1", &din(1), &rbc, "O", "Neg");
        let r = ok(bb(
            w,
            "ts1",
            "emergency_release",
            json!({"unit": key(&din(1), &rbc), "recipient": id32("UNKNOWN-7"), "physician": "dr1"}),
        ));
        assert_eq!(event_names(w, &r), ["BreakGlassAccess", "EmergencyRelease"]);
        let e = &events(w, &r)[1]["fields"];
        assert_eq!(e["from"], "Available");
        assert_eq!(e["to"], "Issued");
        assert_eq!(e["physician"], json!(addr(w, "dr1")));
        assert_eq!(e["cosigned_by"], Value::Null);
        assert_eq!(status(w, &din(1), &rbc), json!("Issued"));
        // The break-the-glass access is logged against the physician, via the blood bank, for
        // review.
        register_actor(w, "po", "NETWORK", json!(["PrivacyOfficer"]));
        let pending = ok(w.query("po", "consent", "pending_btg_reviews", Value::Null)).value;
        let entry = &pending.as_array().unwrap()[0];
        assert_eq!(entry["actor"], json!(addr(w, "dr1")));
        assert_eq!(entry["via"], json!(addr(w, BB)));
        assert_eq!(entry["purpose"], "ETREAT");
        assert_eq!(entry["data_class"], "Transfusion");
        assert_eq!(entry["review"], "Pending");
        out.push(seen(&r));

        // O RhD+ red cells to S2 (O RhD-): co-signed by the medical director, the RhD rule is
        // waived.
        stock(w, "ts1", &din(2), &rbc, "O", "Pos");
        let auth = ok(bb(
            w,
            "md1",
            "authorize_emergency_release",
            json!({"unit": key(&din(2), &rbc), "recipient": id32("S2")}),
        ));
        assert_eq!(event_names(w, &auth), ["EmergencyReleaseAuthorized"]);
        let r = ok(bb(
            w,
            "ts1",
            "emergency_release",
            json!({"unit": key(&din(2), &rbc), "recipient": id32("S2"), "physician": "dr1"}),
        ));
        assert_eq!(
            events(w, &r)[1]["fields"]["cosigned_by"],
            json!(addr(w, "md1"))
        );
        out.push(seen(&r));
        // The co-signature is used up.
        ok(bb(
            w,
            "ts1",
            "return_unit",
            json!({"unit": key(&din(2), &rbc), "minutes_out": 5, "in_range": true}),
        ));
        err(
            &bb(
                w,
                "ts1",
                "emergency_release",
                json!({"unit": key(&din(2), &rbc), "recipient": id32("S2"), "physician": "dr1"}),
            ),
            "MedicalDirectorCosignRequired",
        );

        // AB plasma is the universal plasma; O plasma needs a co-signature.
        stock(w, "ts1", &din(3), &ffp, "AB", "Pos");
        ok(bb(
            w,
            "ts1",
            "emergency_release",
            json!({"unit": key(&din(3), &ffp), "recipient": id32("S1"), "physician": "dr1"}),
        ));
        stock(w, "ts1", &din(4), &ffp, "O", "Neg");
        err(
            &bb(
                w,
                "ts1",
                "emergency_release",
                json!({"unit": key(&din(4), &ffp), "recipient": id32("UNKNOWN-8"), "physician": "dr1"}),
            ),
            "MedicalDirectorCosignRequired",
        );
        // The recipient history records emergency issues.
        let h = ok(query(
            w,
            "recipient_history",
            json!({"subject": id32("S2"), "start": 0, "limit": 10}),
        ))
        .value;
        assert_eq!(h.as_array().unwrap().len(), 1);
        assert_eq!(h[0]["emergency"], true);
        out
    });
}

#[test]
fn transfusion_with_a_reaction_is_reported_for_hemovigilance() {
    on_both_engines(|w| {
        network(w);
        let rbc = code(RBC);
        stock(w, "ts1", &din(1), &rbc, "O", "Neg");
        ok(crossmatch(
            w,
            "ts1",
            &din(1),
            &rbc,
            "S1",
            "Compatible",
            T0 - HOUR,
        ));
        ok(issue(w, "ts1", &din(1), &rbc, "S1", "dr1"));
        w.sandbox.set_block(2, T0 + 600);
        let start = ok(bb(
            w,
            "dr1",
            "start_transfusion",
            json!({"unit": key(&din(1), &rbc), "recipient": id32("S1")}),
        ));
        assert_eq!(event_names(w, &start), ["TransfusionStarted"]);
        assert_eq!(status(w, &din(1), &rbc), json!("Transfused"));
        w.sandbox.set_block(3, T0 + 3 * HOUR);
        let end = ok(bb(
            w,
            "dr1",
            "end_transfusion",
            json!({"unit": key(&din(1), &rbc), "reaction": "TACO"}),
        ));
        assert_eq!(event_names(w, &end), ["TransfusionReaction"]);
        let e = &events(w, &end)[0]["fields"];
        assert_eq!(e["reaction"], "TACO");
        assert_eq!(e["recipient"], json!(id32("S1")));
        assert_eq!(e["started_at"], json!(T0 + 600));
        assert_eq!(e["from"], "InProgress");
        assert_eq!(e["to"], "Completed");
        let h = ok(query(
            w,
            "recipient_history",
            json!({"subject": id32("S1"), "start": 0, "limit": 10}),
        ))
        .value;
        assert_eq!(
            h,
            json!([{"din": din(1), "product_code": rbc, "class": "RedCells", "abo": "O", "rhd": "Neg",
                    "issued_at": T0, "emergency": false,
                    "transfusion": {"din": din(1), "product_code": rbc, "recipient": id32("S1"),
                                    "practitioner": addr(w, "dr1"), "started_at": T0 + 600,
                                    "ended_at": T0 + 3 * HOUR, "reaction_code": "TACO"}}])
        );
        // Without a reaction: TransfusionEnded.
        let ffp = code(FFP);
        stock(w, "ts1", &din(2), &ffp, "A", "Pos");
        ok(issue(w, "ts1", &din(2), &ffp, "S1", "dr1"));
        ok(bb(
            w,
            "dr1",
            "start_transfusion",
            json!({"unit": key(&din(2), &ffp), "recipient": id32("S1")}),
        ));
        let plain = ok(bb(
            w,
            "dr1",
            "end_transfusion",
            json!({"unit": key(&din(2), &ffp), "reaction": null}),
        ));
        assert_eq!(event_names(w, &plain), ["TransfusionEnded"]);
        // Paging.
        let page = ok(query(
            w,
            "recipient_history",
            json!({"subject": id32("S1"), "start": 1, "limit": 1}),
        ))
        .value;
        assert_eq!(page[0]["din"], json!(din(2)));
        (seen(&start), seen(&end), seen(&plain))
    });
}

#[test]
fn a_return_within_thirty_minutes_goes_back_to_stock_and_a_late_one_is_discarded() {
    on_both_engines(|w| {
        network(w);
        let ffp = code(FFP);
        let mut out = Vec::new();
        let ret = |n, m: u32, in_range: bool| json!({"unit": key(&din(n), &code(FFP)), "minutes_out": m, "in_range": in_range});
        for (n, minutes, in_range, to) in [
            (1, 30, true, json!("Available")),
            (
                2,
                31,
                true,
                json!({"Discarded": {"reason": "ReturnNotAcceptable"}}),
            ),
            (
                3,
                5,
                false,
                json!({"Discarded": {"reason": "ReturnNotAcceptable"}}),
            ),
        ] {
            stock(w, "ts1", &din(n), &ffp, "AB", "Pos");
            ok(issue(w, "ts1", &din(n), &ffp, "S1", "dr1"));
            let r = ok(bb(w, "ts1", "return_unit", ret(n, minutes, in_range)));
            assert_eq!(r.value, to);
            assert_eq!(event_names(w, &r), ["UnitReturned"]);
            let e = &events(w, &r)[0]["fields"];
            assert_eq!(e["from"], "Issued");
            assert_eq!(e["to"], to);
            assert_eq!(status(w, &din(n), &ffp), to);
            out.push(seen(&r));
        }
        // A returned unit is in stock again, reservation dropped, and can be issued again.
        let u = ok(query(w, "get_unit", json!({"unit": key(&din(1), &ffp)}))).value;
        assert_eq!(u["reserved_for"], Value::Null);
        ok(issue(w, "ts1", &din(1), &ffp, "S2", "dr1"));
        // The window is configurable.
        let mut config = ok(query(w, "get_config", Value::Null)).value;
        assert_eq!(config["return_window_minutes"], 30);
        config["return_window_minutes"] = json!(60);
        let r = ok(bb(w, "admin", "set_config", json!({"config": config})));
        assert_eq!(event_names(w, &r), ["ConfigChanged"]);
        stock(w, "ts1", &din(4), &ffp, "AB", "Pos");
        ok(issue(w, "ts1", &din(4), &ffp, "S1", "dr1"));
        assert_eq!(
            ok(bb(w, "ts1", "return_unit", ret(4, 45, true))).value,
            json!("Available")
        );
        out
    });
}

#[test]
fn recall_quarantines_every_live_component_and_lists_transfused_recipients() {
    on_both_engines(|w| {
        network(w);
        let d = din(1);
        let (rbc, ffp, plt, cryo) = (code(RBC), code(FFP), code(PLT), code(CRYO));
        // One whole-blood donation (O RhD-) split into red cells, plasma, platelets and cryo.
        stock(w, "ts1", &d, &rbc, "O", "Neg");
        ok(crossmatch(w, "ts1", &d, &rbc, "S1", "Compatible", T0));
        ok(issue(w, "ts1", &d, &rbc, "S1", "dr1"));
        ok(bb(
            w,
            "dr1",
            "start_transfusion",
            json!({"unit": key(&d, &rbc), "recipient": id32("S1")}),
        ));
        stock(w, "ts1", &d, &ffp, "O", "Neg");
        stock(w, "ts1", &d, &plt, "O", "Neg");
        ok(issue(w, "ts1", &d, &plt, "S2", "dr1"));
        ok(bb(
            w,
            "be1",
            "register_unit",
            new_unit(&d, &cryo, "O", "Neg", EXPIRY),
        ));
        ok(bb(
            w,
            "be1",
            "start_testing",
            json!({"unit": key(&d, &cryo)}),
        ));

        w.sandbox.set_block(2, T0 + DAY);
        let r = ok(bb(w, "reg1", "recall_donation", json!({"din": d})));
        assert_eq!(event_names(w, &r), ["LookbackNotice"]);
        let e = &events(w, &r)[0]["fields"];
        assert_eq!(
            e["quarantined"],
            json!([
                {"product_code": ffp, "from": "Available", "recipient": null},
                {"product_code": plt, "from": "Issued", "recipient": id32("S2")},
                {"product_code": cryo, "from": "InTesting", "recipient": null},
            ])
        );
        assert_eq!(
            e["transfused"],
            json!([{"product_code": rbc, "recipient": id32("S1"), "transfused_at": T0}])
        );
        assert_eq!(e["by"], json!(addr(w, "reg1")));
        assert_eq!(e["at"], json!(T0 + DAY));
        let lookback = json!({"Quarantined": {"reason": "Lookback"}});
        for pc in [&ffp, &plt, &cryo] {
            assert_eq!(status(w, &d, pc), lookback);
        }
        assert_eq!(status(w, &d, &rbc), json!("Transfused"));
        // The plasma may be released by the medical director; the cryo never passed testing.
        let released = ok(bb(
            w,
            "md1",
            "release_quarantine",
            json!({"unit": key(&d, &ffp), "reason_hash": id32("NEG-RETEST")}),
        ));
        assert_eq!(event_names(w, &released), ["QuarantineReleased"]);
        let r2 = bb(
            w,
            "md1",
            "release_quarantine",
            json!({"unit": key(&d, &cryo), "reason_hash": id32("X")}),
        );
        err(&r2, "InvalidTransition");
        assert_eq!(
            r2.value["fields"],
            json!({"entity": "Unit", "from": "Quarantined", "attempted": "Available"})
        );
        ok(bb(
            w,
            "be1",
            "discard",
            json!({"unit": key(&d, &cryo), "reason": "Lookback"}),
        ));
        // A blood establishment may recall too; a recall of a settled donation changes nothing
        // but is still recorded.
        let again = ok(bb(w, "be1", "recall_donation", json!({"din": d})));
        let e = &events(w, &again)[0]["fields"];
        assert_eq!(e["quarantined"].as_array().unwrap().len(), 2); // plasma, platelets
        (seen(&r), seen(&released), seen(&again))
    });
}

#[test]
fn vein_to_vein_traces_donor_components_recipients_and_transfusions() {
    on_both_engines(|w| {
        network(w);
        let d = din(7);
        let (rbc, ffp) = (code(RBC), code(FFP));
        stock(w, "ts1", &d, &rbc, "A", "Pos");
        stock(w, "ts1", &d, &ffp, "A", "Pos");
        ok(crossmatch(w, "ts1", &d, &rbc, "S1", "Compatible", T0));
        ok(issue(w, "ts1", &d, &rbc, "S1", "dr1"));
        ok(bb(
            w,
            "dr1",
            "start_transfusion",
            json!({"unit": key(&d, &rbc), "recipient": id32("S1")}),
        ));
        ok(bb(
            w,
            "dr1",
            "end_transfusion",
            json!({"unit": key(&d, &rbc), "reaction": null}),
        ));
        let v = ok(query(w, "vein_to_vein", json!({"din": d}))).value;
        assert_eq!(v["din"], json!(d));
        assert_eq!(v["donor"], json!(id32("D000007")));
        let c = v["components"].as_array().unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0]["unit"]["product_code"], json!(rbc));
        assert_eq!(c[0]["unit"]["status"], "Transfused");
        assert_eq!(c[0]["recipient"], json!(id32("S1")));
        assert_eq!(c[0]["transfusion"]["recipient"], json!(id32("S1")));
        assert_eq!(c[0]["transfusion"]["ended_at"], json!(T0));
        assert_eq!(c[1]["unit"]["status"], "Available");
        assert_eq!(c[1]["recipient"], Value::Null);
        assert_eq!(c[1]["transfusion"], Value::Null);
        // The unit records its custody and history hashes, never a name.
        assert_eq!(c[1]["unit"]["location"], json!(addr(w, "ts1")));
        assert_eq!(c[1]["unit"]["tests_hash"], json!(id32("TESTS")));
        v
    });
}

#[test]
fn platelet_policy_warns_rejects_and_looks_for_rhd_negative_stock_here_only() {
    on_both_engines(|w| {
        network(w);
        let (plt, plt_lt) = (code(PLT), code(PLT_LT));
        let mut out = Vec::new();
        let compat = |w: &World, d: &str, pc: &str, s: &str| {
            ok(query(
                w,
                "compatibility",
                json!({"unit": key(d, pc), "recipient": id32(s)}),
            ))
            .value
        };
        // A RhD+ to S1 (A RhD+): identical.
        stock(w, "ts1", &din(1), &plt, "A", "Pos");
        assert_eq!(
            compat(w, &din(1), &plt, "S1"),
            json!({"compatibility": "Allowed", "crossmatch": "NotRequired"})
        );
        // O RhD+ low-titer to S1 (A): minor mismatch, warned.
        stock(w, "ts1", &din(2), &plt_lt, "O", "Pos");
        let r = ok(issue(w, "ts1", &din(2), &plt_lt, "S1", "dr1"));
        assert_eq!(r.value, json!(["AboMinorMismatch"]));
        assert_eq!(
            events(w, &r)[1]["fields"]["warnings"],
            json!(["AboMinorMismatch"])
        );
        out.push(seen(&r));
        // A RhD+ to S3 (O RhD-, rh_sensitive) with no RhD- platelets at ts1: major mismatch and
        // RhIG, both warned.
        let r = ok(issue(w, "ts1", &din(1), &plt, "S3", "dr1"));
        assert_eq!(r.value, json!(["AboMajorMismatch", "RhIgRecommended"]));
        out.push(seen(&r));
        // RhD- platelets at another location do not count; at this one they do.
        stock(w, "ts2", &din(3), &plt, "B", "Neg");
        stock(w, "ts1", &din(4), &plt_lt, "O", "Pos");
        assert_eq!(
            compat(w, &din(4), &plt_lt, "S3")["compatibility"],
            json!({"AllowedWithWarning": ["RhIgRecommended"]})
        );
        // Not rh_sensitive S2 (O RhD-): only the warning, whatever the stock.
        stock(w, "ts1", &din(5), &plt, "AB", "Neg");
        assert_eq!(
            compat(w, &din(4), &plt_lt, "S3")["compatibility"],
            json!({"Rejected": "RhdNegativeAvailable"})
        );
        assert_eq!(
            compat(w, &din(4), &plt_lt, "S2")["compatibility"],
            json!({"AllowedWithWarning": ["RhIgRecommended"]})
        );
        // Once that RhD- unit is reserved it is no longer Available.
        ok(bb(
            w,
            "ts1",
            "reserve",
            json!({"unit": key(&din(5), &plt), "recipient": id32("S1")}),
        ));
        assert_eq!(
            compat(w, &din(4), &plt_lt, "S3")["compatibility"],
            json!({"AllowedWithWarning": ["RhIgRecommended"]})
        );
        // The policy is configurable: reject every major mismatch.
        let mut config = ok(query(w, "get_config", Value::Null)).value;
        assert_eq!(
            config["platelet_policy"],
            json!({"abo_major_mismatch": "Warn", "abo_minor_mismatch_low_titer": "Warn",
                   "abo_minor_mismatch": "Reject", "rhd_pos_to_neg": "Warn",
                   "rhd_negative_available": "Reject"})
        );
        config["platelet_policy"]["abo_major_mismatch"] = json!("Reject");
        ok(bb(w, "admin", "set_config", json!({"config": config})));
        stock(w, "ts1", &din(6), &plt, "A", "Neg");
        assert_eq!(
            compat(w, &din(6), &plt, "S2")["compatibility"],
            json!({"Rejected": "AboIncompatible"})
        );
        out
    });
}

#[test]
fn custody_transfer_moves_stock_between_locations() {
    on_both_engines(|w| {
        network(w);
        let rbc = code(RBC);
        let avail = |w: &World, at: &str| {
            ok(query(w, "available", json!({"location": at, "class": "RedCells", "abo": "O", "rhd": "Neg", "start": 0, "limit": 10})))
                .value
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["din"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        for n in 1..=3 {
            released(w, "be1", &din(n), &rbc, "O", "Neg", EXPIRY);
        }
        assert_eq!(avail(w, "be1"), [din(1), din(2), din(3)]);
        let r = ok(bb(
            w,
            "be1",
            "transfer_custody",
            json!({"unit": key(&din(1), &rbc), "to": "ts1"}),
        ));
        assert_eq!(event_names(w, &r), ["CustodyTransferred"]);
        let e = &events(w, &r)[0]["fields"];
        assert_eq!(e["from"], json!(addr(w, "be1")));
        assert_eq!(e["to"], json!(addr(w, "ts1")));
        assert_eq!(e["status"], "Available");
        assert_eq!(avail(w, "be1"), [din(3), din(2)]);
        assert_eq!(avail(w, "ts1"), [din(1)]);
        // Only the custodian acts on a unit: be1 no longer can.
        err(
            &bb(
                w,
                "be1",
                "discard",
                json!({"unit": key(&din(1), &rbc), "reason": "Other"}),
            ),
            "NotCustodian",
        );
        ok(bb(
            w,
            "ts1",
            "discard",
            json!({"unit": key(&din(1), &rbc), "reason": "Other"}),
        ));
        assert_eq!(avail(w, "ts1"), Vec::<String>::new());
        // Paging.
        let page = ok(query(w, "available", json!({"location": "be1", "class": "RedCells", "abo": "O", "rhd": "Neg", "start": 1, "limit": 1}))).value;
        assert_eq!(page[0]["din"], json!(din(2)));
        seen(&r)
    });
}

#[test]
fn temperature_readings_chain_into_the_log_hash() {
    on_both_engines(|w| {
        network(w);
        let rbc = code(RBC);
        stock(w, "ts1", &din(1), &rbc, "O", "Neg");
        let before = ok(query(w, "get_unit", json!({"unit": key(&din(1), &rbc)}))).value;
        assert_eq!(
            before["temp_log_hash"],
            json!(format!("0x{}", "00".repeat(32)))
        );
        // Limits are inclusive: 1.0 and 6.0 °C in storage, 10.0 °C in transport are in range.
        let mut hashes = Vec::new();
        for (context, tenths) in [("Storage", 10), ("Storage", 60), ("Transport", 100)] {
            let r = ok(temperature(w, "ts1", &din(1), &rbc, context, tenths));
            assert_eq!(r.value, json!("Available"), "{context} {tenths}");
            hashes.push(events(w, &r)[0]["fields"]["temp_log_hash"].clone());
        }
        hashes.dedup();
        assert_eq!(hashes.len(), 3, "each reading changes the chain");
        // An earlier reading may be logged late (event_time <= now).
        w.sandbox.set_block(2, T0 + HOUR);
        let late = ok(bb(
            w,
            "ts1",
            "record_temperature",
            json!({"unit": key(&din(1), &rbc), "context": "Storage", "tenths_c": 9, "event_time": T0}),
        ));
        assert_eq!(
            late.value,
            json!({"Quarantined": {"reason": "TempExcursion"}})
        );
        // Platelets: 20.0-24.0 °C; a quarantined unit logs further excursions without a move.
        let plt = code(PLT);
        stock(w, "ts1", &din(2), &plt, "O", "Neg");
        assert_eq!(
            ok(temperature(w, "ts1", &din(2), &plt, "Storage", 240)).value,
            json!("Available")
        );
        let r = ok(temperature(w, "ts1", &din(2), &plt, "Transport", 199));
        assert_eq!(r.value, json!({"Quarantined": {"reason": "TempExcursion"}}));
        let r = ok(temperature(w, "ts1", &din(2), &plt, "Storage", 300));
        assert_eq!(event_names(w, &r), ["ColdChainExcursion"]);
        assert_eq!(
            events(w, &r)[0]["fields"]["from"],
            events(w, &r)[0]["fields"]["to"]
        );
        // Frozen plasma at exactly -18.0 °C is in range.
        let ffp = code(FFP);
        stock(w, "ts1", &din(3), &ffp, "AB", "Neg");
        assert_eq!(
            ok(temperature(w, "ts1", &din(3), &ffp, "Transport", -180)).value,
            json!("Available")
        );
        seen(&late)
    });
}

#[test]
fn crossmatch_is_valid_for_seventy_two_hours_and_configurable() {
    on_both_engines(|w| {
        network(w);
        let rbc = code(RBC);
        stock(w, "ts1", &din(1), &rbc, "O", "Neg");
        ok(crossmatch(w, "ts1", &din(1), &rbc, "S1", "Compatible", T0));
        let x = ok(query(
            w,
            "get_crossmatch",
            json!({"unit": key(&din(1), &rbc), "recipient": id32("S1")}),
        ))
        .value;
        assert_eq!(x["valid_until"], json!(T0 + 72 * HOUR));
        assert_eq!(x["method"], "AHG");
        let c = |w: &World| {
            ok(query(
                w,
                "compatibility",
                json!({"unit": key(&din(1), &rbc), "recipient": id32("S1")}),
            ))
            .value["crossmatch"]
                .clone()
        };
        w.sandbox.set_block(2, T0 + 72 * HOUR - 1);
        assert_eq!(c(w), json!("Valid"));
        w.sandbox.set_block(3, T0 + 72 * HOUR);
        assert_eq!(c(w), json!("Expired"));
        // A new sample renews it; a shorter configured validity applies to new crossmatches.
        let mut config = ok(query(w, "get_config", Value::Null)).value;
        config["crossmatch_validity_secs"] = json!(24 * HOUR);
        ok(bb(w, "admin", "set_config", json!({"config": config})));
        let now = T0 + 72 * HOUR;
        ok(crossmatch(
            w,
            "ts1",
            &din(1),
            &rbc,
            "S1",
            "Compatible",
            now - HOUR,
        ));
        let x = ok(query(
            w,
            "get_crossmatch",
            json!({"unit": key(&din(1), &rbc), "recipient": id32("S1")}),
        ))
        .value;
        assert_eq!(x["valid_until"], json!(now + 23 * HOUR));
        let r = ok(issue(w, "ts1", &din(1), &rbc, "S1", "dr1"));
        seen(&r)
    });
}

#[test]
fn no_personal_health_information_is_in_the_metadata_types() {
    // Subjects are pseudonymous ids; the only text fields are ISBT 128 codes.
    let meta = carechain_tests::metadata(BB);
    let mut strings = Vec::new();
    for (name, def) in &meta.types {
        if let carechain_metadata::TypeDef::Struct { fields, .. } = def {
            for f in fields {
                if f.ty == carechain_metadata::Ty::String {
                    strings.push(format!("{name}.{}", f.name.clone().unwrap_or_default()));
                }
            }
        }
    }
    strings.sort();
    assert_eq!(strings, ["Din.", "ProductCode."]);
}
