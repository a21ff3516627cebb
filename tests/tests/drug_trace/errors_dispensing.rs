//! Every error of every message: verification, recall, dispensing, decommissioning and the
//! queries; an unanswering directory; a full, hash-chained history.

use super::*;

#[test]
fn every_error_of_verification() {
    on_both_engines(|w| {
        network(w, false);
        let mut out = Vec::new();
        let rq = |p: Value| json!({"product_identifier": p});
        expect(
            w,
            &mut out,
            "whs1",
            "request_verification",
            rq(pi_of("00312345678900", "V1", "L", EXP)),
            "InvalidGtin",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "request_verification",
            rq(pi("V-1", "L", EXP)),
            "InvalidSerial",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "request_verification",
            rq(pi("V1", "", EXP)),
            "InvalidLot",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "request_verification",
            rq(pi("V1", "L", "270132")),
            "InvalidExpiry",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "request_verification",
            rq(pi_of(&with_check("0031234567899"), "V1", "L", EXP)),
            "GtinNotRegistered",
        );
        expect(
            w,
            &mut out,
            "stranger",
            "request_verification",
            rq(pi("V1", "L", EXP)),
            "UnauthorizedTradingPartner",
        );
        ok(w.call("whs1", DT, "request_verification", rq(pi("V1", "L", EXP))));
        let rp = |id: u32, res: &str| json!({"req_id": id, "result": res});
        expect(
            w,
            &mut out,
            "mfr1",
            "respond_verification",
            rp(7, "Verified"),
            "RequestNotFound",
        );
        expect(
            w,
            &mut out,
            "mfr2",
            "respond_verification",
            rp(0, "Verified"),
            "NotBrandOwner",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "respond_verification",
            rp(0, "Verified"),
            "NotBrandOwner",
        );
        set_active(w, "mfr1", false);
        let r = expect(
            w,
            &mut out,
            "mfr1",
            "respond_verification",
            rp(0, "Verified"),
            "Unauthorized",
        );
        assert_eq!(r.value["fields"], json!({"required_role": "Manufacturer"}));
        set_active(w, "mfr1", true);
        ok(w.call("mfr1", DT, "respond_verification", rp(0, "Verified")));
        let r = expect(
            w,
            &mut out,
            "mfr1",
            "respond_verification",
            rp(0, "NotVerified"),
            "InvalidTransition",
        );
        assert_eq!(
            r.value["fields"],
            json!({"entity": "VerificationRequest", "from": "Responded", "attempted": "Responded"})
        );
        out
    });
}

#[test]
fn every_error_of_recall() {
    on_both_engines(|w| {
        network(w, false);
        let mut out = Vec::new();
        ok(commission(w, &["Z1"], "LZ", EXP));
        let rl =
            |lot: &str| json!({"gtin": GTIN, "lot": lot, "recall_id": id16("Z"), "class": "I"});
        expect(w, &mut out, "mfr1", "recall_lot", rl("NOPE"), "LotNotFound");
        for who in ["mfr2", "whs1", "stranger"] {
            expect(w, &mut out, who, "recall_lot", rl("LZ"), "NotBrandOwner");
        }
        let cr = |lot: &str| json!({"gtin": GTIN, "lot": lot});
        expect(
            w,
            &mut out,
            "mfr1",
            "continue_recall",
            cr("NOPE"),
            "LotNotFound",
        );
        expect(
            w,
            &mut out,
            "mfr2",
            "continue_recall",
            cr("LZ"),
            "NotBrandOwner",
        );
        expect(
            w,
            &mut out,
            "mfr1",
            "continue_recall",
            cr("LZ"),
            "NotRecalled",
        );
        set_active(w, "mfr1", false);
        let r = expect(w, &mut out, "mfr1", "recall_lot", rl("LZ"), "Unauthorized");
        assert_eq!(r.value["fields"], json!({"required_role": "Manufacturer"}));
        set_active(w, "mfr1", true);
        ok(w.call("mfr1", DT, "recall_lot", rl("LZ")));
        expect(
            w,
            &mut out,
            "mfr1",
            "recall_lot",
            rl("LZ"),
            "AlreadyRecalled",
        );
        expect(
            w,
            &mut out,
            "reg",
            "continue_recall",
            cr("LZ"),
            "RecallComplete",
        );
        let lot = q(w, "get_lot", json!({"gtin": GTIN, "lot": "LZ"}));
        assert_eq!(lot["recall"]["class"], "I");
        assert_eq!(lot["recall"]["processed"], 1);
        out
    });
}

#[test]
fn every_error_of_dispense() {
    on_both_engines(|w| {
        network(w, true);
        let mut out = Vec::new();
        at_pharmacy(w, &["D1", "D2", "D3", "D4", "D5"], "LD", EXP);
        at_pharmacy(w, &["E1"], "LE", "250331");
        ok(register_rx(w, "RX1", GTIN, 2, T0 + 86_400));
        ok(register_rx(w, "RX2", &gtin2(), 1, JAN_1_2026));
        let d = |serial: &str, rx: Option<&str>| json!({"gtin": GTIN, "serial": serial, "rx_hash": rx.map(h32), "event_time": null});
        expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            json!({"gtin": GTIN, "serial": "D1", "rx_hash": h32("RX1"), "event_time": T0 + 1}),
            "FutureTimestamp",
        );
        let r = expect(
            w,
            &mut out,
            "whs1",
            "dispense",
            d("D1", Some("RX1")),
            "Unauthorized",
        );
        assert_eq!(r.value["fields"], json!({"required_role": "Dispenser"}));
        expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            d("NOPE", Some("RX1")),
            "ItemNotFound",
        );
        expect(
            w,
            &mut out,
            "phr2",
            "dispense",
            d("D1", Some("RX1")),
            "NotCustodian",
        );
        let missing = expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            d("D1", None),
            "PrescriptionInvalid",
        );
        assert_eq!(missing.value["fields"], json!({"reason": "Missing"}));
        let nf = expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            d("D1", Some("RX9")),
            "PrescriptionInvalid",
        );
        assert_eq!(nf.value["fields"], json!({"reason": "NotFound"}));
        let wrong = expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            d("D1", Some("RX2")),
            "PrescriptionInvalid",
        );
        assert_eq!(wrong.value["fields"], json!({"reason": "WrongProduct"}));
        ok(pack(w, "phr1", SSCC1, json!([sg("D2")])));
        expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            d("D2", Some("RX1")),
            "ItemInContainer",
        );
        ok(quarantine(w, "phr1", json!([sg("D3")]), "C1"));
        expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            d("D3", Some("RX1")),
            "ItemOnHold",
        );
        ok(dispense(w, "phr1", "D1", Some("RX1")));
        let r = expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            d("D1", Some("RX1")),
            "InvalidTransition",
        );
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Item", "from": "Dispensed", "attempted": "Dispensed"})
        );
        w.sandbox.set_block(9, T0 + 86_400);
        let exp = expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            d("D4", Some("RX1")),
            "PrescriptionInvalid",
        );
        assert_eq!(exp.value["fields"], json!({"reason": "Expired"}));
        w.sandbox.set_block(10, 1_743_465_600); // 2025-04-01: E1 (250331) has expired.
        expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            d("E1", Some("RX2")),
            "ProductExpired",
        );
        // A recalled lot whose packages were held: the hold answers first.
        ok(recall(w, "mfr1", "LD", "Z-1"));
        let r = expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            d("D5", Some("RX1")),
            "ItemOnHold",
        );
        assert_eq!(
            r.value["fields"],
            json!({"hold": {"Recalled": {"recall_id": id16("Z-1")}}})
        );
        out
    });
}

#[test]
fn every_error_of_decommission_and_the_queries() {
    on_both_engines(|w| {
        network(w, false);
        let mut out = Vec::new();
        at_pharmacy(w, &["X1", "X2", "X3", "X4"], "LX", EXP);
        let d = |serial: &str| json!({"gtin": GTIN, "serial": serial, "reason": "inactive", "event_time": null});
        expect(
            w,
            &mut out,
            "phr1",
            "decommission",
            json!({"gtin": GTIN, "serial": "X1", "reason": "inactive", "event_time": T0 + 1}),
            "FutureTimestamp",
        );
        expect(
            w,
            &mut out,
            "stranger",
            "decommission",
            d("X1"),
            "UnauthorizedTradingPartner",
        );
        expect(
            w,
            &mut out,
            "phr1",
            "decommission",
            d("NOPE"),
            "ItemNotFound",
        );
        expect(w, &mut out, "phr2", "decommission", d("X1"), "NotCustodian");
        ok(pack(w, "phr1", SSCC1, json!([sg("X2")])));
        expect(
            w,
            &mut out,
            "phr1",
            "decommission",
            d("X2"),
            "ItemInContainer",
        );
        ok(quarantine(w, "phr1", json!([sg("X3")]), "C1"));
        let r = expect(w, &mut out, "phr1", "decommission", d("X3"), "ItemOnHold");
        assert_eq!(
            r.value["fields"],
            json!({"hold": {"Suspect": {"case_id": id16("C1")}}})
        );
        ok(decommission(w, "phr1", "X1", "inactive"));
        let r = expect(
            w,
            &mut out,
            "phr1",
            "decommission",
            d("X1"),
            "InvalidTransition",
        );
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Item", "from": "Decommissioned", "attempted": "Decommissioned"})
        );

        // Queries.
        let errors = [
            ("get_item", key("NOPE"), "ItemNotFound"),
            ("trace", key("NOPE"), "ItemNotFound"),
            ("get_container", json!({"sscc": SSCC2}), "ContainerNotFound"),
            (
                "get_lot",
                json!({"gtin": GTIN, "lot": "NOPE"}),
                "LotNotFound",
            ),
            (
                "items_by_lot",
                json!({"gtin": GTIN, "lot": "NOPE", "start": 0, "limit": 5}),
                "LotNotFound",
            ),
            (
                "get_investigation",
                json!({"case_id": id16("NOPE")}),
                "CaseNotFound",
            ),
            ("get_verification", json!({"req_id": 0}), "RequestNotFound"),
            ("get_transfer", json!({"tx_id": 99}), "TransferNotFound"),
        ];
        for (message, args, error) in errors {
            let r = w.query("reg", DT, message, args);
            assert_eq!(r.error(), Some(error), "{message}");
            out.push(seen(&r));
        }
        let page = q(
            w,
            "items_by_lot",
            json!({"gtin": GTIN, "lot": "LX", "start": 1, "limit": 2}),
        );
        let serials: Vec<&str> = page
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["serial"].as_str().unwrap())
            .collect();
        assert_eq!(serials, ["X2", "X3"]);
        assert_eq!(
            q(w, "gtin_owner", json!({"gtin": GTIN})),
            json!(format!("0x{}", hex(&w.address("mfr1").0)))
        );
        assert_eq!(
            q(w, "get_trading_partner", json!({"partner": "phr1"}))["role"],
            "Dispenser"
        );
        assert_eq!(q(w, "config", Value::Null)["require_rx"], false);
        out
    });
}

#[test]
fn the_directory_must_answer() {
    on_both_engines(|w| {
        w.sandbox.set_block(1, T0);
        // Deployed against an address that is not the AccessConsent contract.
        ok(w.deploy(
            DT,
            "admin",
            "new",
            json!({"consent": "nobody", "require_rx": false}),
        ));
        let r = dt(
            w,
            "admin",
            "register_gtin",
            json!({"gtin": GTIN, "owner": "mfr1"}),
        );
        assert_eq!(r.error(), Some("DirectoryUnavailable"));
        seen(&r)
    });
}

#[test]
fn a_full_history_refuses_moves_but_keeps_room_to_end() {
    on_both_engines(|w| {
        network(w, false);
        ok(commission(w, &["T1"], "LT", EXP));
        // Commissioning is entry 1; each pack/unpack cycle adds 2. Packing needs fewer than
        // 64 - 8 = 56 entries.
        let mut n = 1;
        let mut i = 100;
        while n < 55 {
            ok(pack(w, "mfr1", &sscc(i), json!([sg("T1")])));
            ok(unpack(w, "mfr1", &sscc(i), json!([sg("T1")])));
            n += 2;
            i += 1;
        }
        assert_eq!(get_item(w, "T1")["events"], 55);
        ok(pack(w, "mfr1", &sscc(i), json!([sg("T1")])));
        ok(unpack(w, "mfr1", &sscc(i), json!([sg("T1")])));
        assert_eq!(get_item(w, "T1")["events"], 57);
        let root = w.sandbox.state_root();
        let full = pack(w, "mfr1", &sscc(i + 1), json!([sg("T1")]));
        assert_eq!(full.error(), Some("TraceFull"));
        let ship_full = ship(w, "mfr1", json!([sg("T1")]), "whs1", "H");
        assert_eq!(ship_full.error(), Some("TraceFull"));
        let q_full = quarantine(w, "mfr1", json!([sg("T1")]), "C1");
        assert_eq!(q_full.error(), Some("TraceFull"));
        assert_eq!(w.sandbox.state_root(), root);
        // The reserve still records a recall hold and the end of the package.
        ok(recall(w, "mfr1", "LT", "Z-1"));
        let end = ok(decommission(w, "mfr1", "T1", "destroyed"));
        let trace = q(w, "trace", json!({"gtin": GTIN, "serial": "T1"}));
        assert_eq!(trace.as_array().unwrap().len(), 59);
        (seen(&full), seen(&ship_full), seen(&q_full), seen(&end))
    });
}

#[test]
fn the_history_is_hash_chained() {
    on_both_engines(|w| {
        network(w, false);
        at_pharmacy(w, &["H1"], "LH", EXP);
        let item = get_item(w, "H1");
        assert_eq!(item["events"], 3);
        let first = item["last_event"].clone();
        ok(dispense(w, "phr1", "H1", None));
        let after = get_item(w, "H1")["last_event"].clone();
        assert_ne!(first, after);
        assert_ne!(after, json!(h32("")));
        after
    });
}
