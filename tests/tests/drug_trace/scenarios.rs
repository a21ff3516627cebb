//! The acceptance scenarios 9-12 of DOMAIN.md §6.

use super::*;

// ---- acceptance scenarios ----

#[test]
fn scenario_9_duplicate_serial_and_brand_owner() {
    on_both_engines(|w| {
        network(w, false);
        let first = ok(commission(w, &["A1"], "L1", "270131"));
        assert_eq!(event_names(w, &first), ["Commissioned"]);
        let ev = &events(w, &first)[0]["fields"];
        assert_eq!(
            ev["epcis"],
            json!({"event_type": "ObjectEvent", "action": "ADD", "biz_step": "commissioning", "disposition": "active"})
        );
        let item = get_item(w, "A1");
        // 2027-01-31 ends at 2027-02-01 00:00:00Z.
        assert_eq!(item["expiry_end"], json!(1_801_440_000u64));
        assert_eq!(item["status"], "Active");
        assert_eq!(item["hold"], "None");

        let root = w.sandbox.state_root();
        let dup = commission(w, &["A1"], "L1", "270131");
        assert_eq!(dup.error(), Some("DuplicateSerial"));
        assert!(dup.result.events.is_empty(), "no event");
        assert_eq!(w.sandbox.state_root(), root);
        let lot = q(w, "get_lot", json!({"gtin": GTIN, "lot": "L1"}));
        assert_eq!(lot["items"], 1, "item count 1");
        let listed = q(
            w,
            "items_by_lot",
            json!({"gtin": GTIN, "lot": "L1", "start": 0, "limit": 10}),
        );
        assert_eq!(listed.as_array().unwrap().len(), 1);

        let whs = dt(
            w,
            "whs1",
            "commission",
            json!({"items": [pi("A9", "L1", "270131")], "event_time": null}),
        );
        assert_eq!(whs.error(), Some("NotBrandOwner"));
        assert!(whs.result.events.is_empty());
        (seen(&first), seen(&dup), seen(&whs))
    });
}

#[test]
fn scenario_10_happy_path_supply_chain() {
    on_both_engines(|w| {
        network(w, true);
        ok(commission(w, &["A2", "A3"], "L1", "270131"));
        w.sandbox.set_block(2, T0 + 3_600);
        let s1 = ok(ship(w, "mfr1", json!([sg("A2"), sg("A3")]), "whs1", "H1"));
        assert_eq!(s1.value, json!(0), "transfer 0");
        assert_eq!(event_names(w, &s1), ["Shipped"]);
        assert_eq!(
            state(w, "A2"),
            ("InTransit".to_string(), "None".to_string())
        );
        w.sandbox.set_block(3, T0 + 86_400);
        let r1 = ok(receive(w, "whs1", json!([sg("A2"), sg("A3")])));
        assert_eq!(event_names(w, &r1), ["Received"]);
        let item = get_item(w, "A2");
        assert_eq!(item["custodian"], item["owner"]);
        assert_eq!(item["location"], json!(gln(3)), "WHS1's GLN");
        w.sandbox.set_block(4, T0 + 2 * 86_400);
        let s2 = ok(ship(w, "whs1", json!([sg("A2"), sg("A3")]), "phr1", "H2"));
        w.sandbox.set_block(5, T0 + 3 * 86_400);
        let r2 = ok(receive(w, "phr1", json!([sg("A2"), sg("A3")])));

        ok(register_rx(w, "RX1", GTIN, 1, JAN_1_2026));
        w.sandbox.set_block(6, T0 + 4 * 86_400);
        let d = ok(dispense(w, "phr1", "A2", Some("RX1")));
        assert_eq!(event_names(w, &d), ["Dispensed"]);
        assert_eq!(events(w, &d)[0]["fields"]["fills_used"], json!(1));
        assert_eq!(get_item(w, "A2")["status"], "Dispensed");
        let rx = q(w, "get_prescription", json!({"rx_hash": h32("RX1")}));
        assert_eq!(rx["fills_used"], 1);

        let again = dispense(w, "phr1", "A3", Some("RX1"));
        assert_eq!(again.error(), Some("PrescriptionInvalid"));
        assert_eq!(again.value["fields"], json!({"reason": "FillsExhausted"}));

        let trace = q(w, "trace", json!({"gtin": GTIN, "serial": "A2"}));
        let trace = trace.as_array().unwrap();
        assert_eq!(trace.len(), 6);
        let steps: Vec<(&str, &str, &str)> = trace
            .iter()
            .map(|e| {
                (
                    e["epcis"]["biz_step"].as_str().unwrap(),
                    e["epcis"]["disposition"].as_str().unwrap(),
                    e["epcis"]["action"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            steps,
            [
                ("commissioning", "active", "ADD"),
                ("shipping", "in_transit", "OBSERVE"),
                ("receiving", "in_progress", "OBSERVE"),
                ("shipping", "in_transit", "OBSERVE"),
                ("receiving", "in_progress", "OBSERVE"),
                ("dispensing", "dispensed", "OBSERVE"),
            ]
        );
        let whs1 = format!("0x{}", hex(&w.address("whs1").0));
        let mfr1 = format!("0x{}", hex(&w.address("mfr1").0));
        let phr1 = format!("0x{}", hex(&w.address("phr1").0));
        // The DSCSA transaction information: who to whom, with which TI/TS.
        assert_eq!(
            trace[1]["transaction"],
            json!({"event_type": "TransactionEvent", "action": "ADD", "tx_id": 0,
                   "source": mfr1, "destination": whs1, "ti_ts_hash": h32("H1")})
        );
        assert_eq!(trace[4]["transaction"]["action"], "OBSERVE");
        assert_eq!(trace[4]["transaction"]["source"], json!(whs1));
        assert_eq!(trace[4]["transaction"]["destination"], json!(phr1));
        assert_eq!(trace[3]["transaction"]["ti_ts_hash"], json!(h32("H2")));
        let times: Vec<u64> = trace
            .iter()
            .map(|e| e["record_time"].as_u64().unwrap_or_else(|| panic!("{e}")))
            .collect();
        assert!(times.windows(2).all(|p| p[0] <= p[1]), "in order");
        let transfer = q(w, "get_transfer", json!({"tx_id": 1}));
        assert_eq!(transfer["from"], json!(whs1));
        assert_eq!(transfer["item_count"], 2);
        assert_eq!(transfer["change_of_ownership"], true);
        (
            seen(&s1),
            seen(&r1),
            seen(&s2),
            seen(&r2),
            seen(&d),
            seen(&again),
        )
    });
}

#[test]
fn scenario_11_expiry_passes() {
    on_both_engines(|w| {
        network(w, false);
        at_pharmacy(w, &["B1", "B2"], "L2", "250630");
        assert_eq!(get_item(w, "B1")["expiry_end"], json!(JULY_1_2025));
        w.sandbox.set_block(10, JULY_1_2025 - 1);
        let b1 = ok(dispense(w, "phr1", "B1", None));
        w.sandbox.set_block(11, JULY_1_2025);
        let b2 = dispense(w, "phr1", "B2", None);
        assert_eq!(b2.error(), Some("ProductExpired"));
        assert_eq!(get_item(w, "B2")["status"], "Active");
        // An expired package can still be decommissioned as expired.
        let gone = ok(decommission(w, "phr1", "B2", "expired"));
        assert_eq!(
            events(w, &gone)[0]["fields"]["epcis"],
            json!({"event_type": "ObjectEvent", "action": "DELETE", "biz_step": "decommissioning", "disposition": "expired"})
        );
        (seen(&b1), seen(&b2), seen(&gone))
    });
}

#[test]
fn scenario_12_suspect_then_illegitimate() {
    on_both_engines(|w| {
        network(w, false);
        at_pharmacy(w, &["F1"], "LF", EXP);
        w.sandbox.set_block(10, T0 + 86_400);
        let qr = ok(quarantine(w, "phr1", json!([sg("F1")]), "K1"));
        assert_eq!(event_names(w, &qr), ["Quarantined"]);
        assert_eq!(
            get_item(w, "F1")["hold"],
            json!({"Suspect": {"case_id": id16("K1")}})
        );
        assert_eq!(
            events(w, &qr)[0]["fields"]["epcis"],
            json!({"event_type": "ObjectEvent", "action": "OBSERVE", "biz_step": "holding", "disposition": "non_sellable_other"})
        );

        let req = ok(dt(
            w,
            "phr1",
            "request_verification",
            json!({"product_identifier": pi("F1", "LF", EXP)}),
        ));
        assert_eq!(req.value, json!(0));
        let request = q(w, "get_verification", json!({"req_id": 0}));
        assert_eq!(request["due_at"], json!(T0 + 2 * 86_400));
        assert_eq!(
            request["responder"],
            json!(format!("0x{}", hex(&w.address("mfr1").0)))
        );
        w.sandbox.set_block(11, T0 + 86_400 + 7_200);
        let resp = ok(dt(
            w,
            "mfr1",
            "respond_verification",
            json!({"req_id": 0, "result": "NotVerified"}),
        ));
        assert_eq!(resp.value, json!(false), "not late");

        let res = ok(resolve(w, "phr1", "K1", "Illegitimate", Some("H9")));
        assert_eq!(
            event_names(w, &res),
            ["InvestigationResolved", "IllegitimateProductNotice"]
        );
        assert_eq!(
            events(w, &res)[1]["fields"]["fda_notice_hash"],
            json!(h32("H9"))
        );
        assert_eq!(
            get_item(w, "F1")["hold"],
            json!({"Illegitimate": {"case_id": id16("K1")}})
        );
        assert_eq!(
            q(w, "get_investigation", json!({"case_id": id16("K1")}))["status"],
            "Illegitimate"
        );

        let shipped = ship(w, "phr1", json!([sg("F1")]), "whs1", "H3");
        assert_eq!(shipped.error(), Some("ItemOnHold"));
        assert_eq!(
            shipped.value["fields"],
            json!({"hold": {"Illegitimate": {"case_id": id16("K1")}}})
        );
        let gone = ok(decommission(w, "phr1", "F1", "destroyed"));
        assert_eq!(
            events(w, &gone)[0]["fields"]["epcis"],
            json!({"event_type": "ObjectEvent", "action": "DELETE", "biz_step": "destroying", "disposition": "destroyed"})
        );
        assert_eq!(
            get_item(w, "F1")["status"],
            json!({"Decommissioned": {"reason": "destroyed"}})
        );
        (
            seen(&qr),
            seen(&req),
            seen(&resp),
            seen(&res),
            seen(&shipped),
            seen(&gone),
        )
    });
}
