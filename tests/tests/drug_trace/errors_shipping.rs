//! Every error of every message: shipping, receiving, quarantine and investigations.

use super::*;

#[test]
fn every_error_of_ship_and_receive() {
    on_both_engines(|w| {
        network(w, false);
        let mut out = Vec::new();
        ok(commission(w, &["S1", "S2", "S3"], "LS", EXP));
        ok(commission(w, &["S4"], "LS4", "250331"));
        let s = |epcs: Value, to: &str, hash: Option<&str>| json!({"epcs": epcs, "to": to, "ti_ts_hash": hash.map(h32), "event_time": null});
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            json!({"epcs": [sg("S1")], "to": "whs1", "ti_ts_hash": h32("H"), "event_time": T0 + 1}),
            "FutureTimestamp",
        );
        expect(
            w,
            &mut out,
            "stranger",
            "ship",
            s(json!([sg("S1")]), "whs1", Some("H")),
            "UnauthorizedTradingPartner",
        );
        for to in ["stranger", "reg", "dr1"] {
            expect(
                w,
                &mut out,
                "mfr1",
                "ship",
                s(json!([sg("S1")]), to, Some("H")),
                "UnauthorizedTradingPartner",
            );
        }
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([]), "whs1", Some("H")),
            "NoItems",
        );
        let many: Vec<Value> = (0..101).map(|i| sg(&format!("X{i}"))).collect();
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!(many), "whs1", Some("H")),
            "TooManyItems",
        );
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([sg("S1")]), "whs1", None),
            "MissingTransactionInformation",
        );
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([sg("NOPE")]), "whs1", Some("H")),
            "ItemNotFound",
        );
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([sc(SSCC1)]), "whs1", Some("H")),
            "ContainerNotFound",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "ship",
            s(json!([sg("S1")]), "whs2", Some("H")),
            "NotCustodian",
        );
        ok(pack(w, "mfr1", SSCC1, json!([sg("S3")])));
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([sg("S3")]), "whs1", Some("H")),
            "ItemInContainer",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "ship",
            s(json!([sc(SSCC1)]), "whs2", Some("H")),
            "NotCustodian",
        );
        w.sandbox.set_block(5, 1_743_465_600); // 2025-04-01: S4 (250331) has expired.
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([sg("S1"), sg("S4")]), "whs1", Some("H")),
            "ProductExpired",
        );
        ok(quarantine(w, "mfr1", json!([sg("S2")]), "C1"));
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([sg("S2")]), "whs1", Some("H")),
            "ItemOnHold",
        );
        ok(ship(w, "mfr1", json!([sg("S1")]), "whs1", "H"));
        let r = expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([sg("S1")]), "whs2", Some("H")),
            "InvalidTransition",
        );
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Item", "from": "InTransit", "attempted": "InTransit"})
        );
        // A deauthorized consignee, a deactivated one, a deactivated shipper.
        ok(commission(w, &["S5"], "LS", EXP));
        ok(register_partner(w, "whs2", "Wholesaler", &gln(4), false));
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([sg("S5")]), "whs2", Some("H")),
            "UnauthorizedTradingPartner",
        );
        set_active(w, "phr2", false);
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([sg("S5")]), "phr2", Some("H")),
            "UnauthorizedTradingPartner",
        );
        set_active(w, "mfr1", false);
        let r = expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([sg("S5")]), "phr1", Some("H")),
            "Unauthorized",
        );
        assert_eq!(r.value["fields"], json!({"required_role": "Manufacturer"}));
        set_active(w, "mfr1", true);

        // receive
        let rc = |epcs: Value| json!({"epcs": epcs, "event_time": null});
        expect(
            w,
            &mut out,
            "whs1",
            "receive",
            json!({"epcs": [sg("S1")], "event_time": 1_743_465_601u64}),
            "FutureTimestamp",
        );
        expect(
            w,
            &mut out,
            "stranger",
            "receive",
            rc(json!([sg("S1")])),
            "UnauthorizedTradingPartner",
        );
        expect(w, &mut out, "whs1", "receive", rc(json!([])), "NoItems");
        expect(
            w,
            &mut out,
            "whs1",
            "receive",
            rc(json!(many)),
            "TooManyItems",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "receive",
            rc(json!([sg("NOPE")])),
            "ItemNotFound",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "receive",
            rc(json!([sc(SSCC2)])),
            "ContainerNotFound",
        );
        expect(
            w,
            &mut out,
            "phr1",
            "receive",
            rc(json!([sg("S1")])),
            "NotConsignee",
        );
        let r = expect(
            w,
            &mut out,
            "whs1",
            "receive",
            rc(json!([sg("S5")])),
            "InvalidTransition",
        );
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Item", "from": "Active", "attempted": "Active"})
        );
        let r = expect(
            w,
            &mut out,
            "whs1",
            "receive",
            rc(json!([sc(SSCC1)])),
            "InvalidTransition",
        );
        assert_eq!(r.value["fields"]["entity"], "Container");
        ok(ship(w, "mfr1", json!([sc(SSCC1)]), "whs1", "H"));
        expect(
            w,
            &mut out,
            "whs1",
            "receive",
            rc(json!([sg("S3")])),
            "ItemInContainer",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "receive",
            rc(json!([sg("S1"), sg("S1")])),
            "InvalidTransition",
        );
        ok(receive(w, "whs1", json!([sg("S1"), sc(SSCC1)])));
        out
    });
}

#[test]
fn every_error_of_quarantine_and_investigations() {
    on_both_engines(|w| {
        network(w, false);
        let mut out = Vec::new();
        at_pharmacy(w, &["I1", "I2", "I3", "I4"], "LI", EXP);
        let qa = |epcs: Value, case: &str| json!({"epcs": epcs, "case_id": id16(case), "event_time": null});
        expect(
            w,
            &mut out,
            "phr1",
            "quarantine",
            json!({"epcs": [sg("I1")], "case_id": id16("C1"), "event_time": T0 + 1}),
            "FutureTimestamp",
        );
        expect(
            w,
            &mut out,
            "stranger",
            "quarantine",
            qa(json!([sg("I1")]), "C1"),
            "UnauthorizedTradingPartner",
        );
        expect(
            w,
            &mut out,
            "phr1",
            "quarantine",
            qa(json!([]), "C1"),
            "NoItems",
        );
        let many: Vec<Value> = (0..101).map(|i| sg(&format!("X{i}"))).collect();
        expect(
            w,
            &mut out,
            "phr1",
            "quarantine",
            qa(json!(many), "C1"),
            "TooManyItems",
        );
        expect(
            w,
            &mut out,
            "phr1",
            "quarantine",
            qa(json!([sg("NOPE")]), "C1"),
            "ItemNotFound",
        );
        expect(
            w,
            &mut out,
            "phr1",
            "quarantine",
            qa(json!([sc(SSCC1)]), "C1"),
            "ContainerNotFound",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "quarantine",
            qa(json!([sg("I1")]), "C1"),
            "NotCustodian",
        );
        ok(pack(w, "phr1", SSCC1, json!([sg("I4")])));
        expect(
            w,
            &mut out,
            "whs1",
            "quarantine",
            qa(json!([sc(SSCC1)]), "C1"),
            "NotCustodian",
        );
        ok(unpack(w, "phr1", SSCC1, json!([sg("I4")])));
        let r = expect(
            w,
            &mut out,
            "phr1",
            "quarantine",
            qa(json!([sc(SSCC1)]), "C1"),
            "InvalidTransition",
        );
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Container", "from": "Unpacked", "attempted": "Suspect"})
        );
        ok(dispense(w, "phr1", "I3", None));
        let r = expect(
            w,
            &mut out,
            "phr1",
            "quarantine",
            qa(json!([sg("I3")]), "C1"),
            "InvalidTransition",
        );
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Item", "from": "Dispensed", "attempted": "Suspect"})
        );
        ok(quarantine(w, "phr1", json!([sg("I1")]), "C1"));
        expect(
            w,
            &mut out,
            "phr1",
            "quarantine",
            qa(json!([sg("I2")]), "C1"),
            "DuplicateCase",
        );
        expect(
            w,
            &mut out,
            "phr1",
            "quarantine",
            qa(json!([sg("I2"), sg("I1")]), "C2"),
            "ItemOnHold",
        );
        // A Regulator quarantines what it does not hold.
        ok(quarantine(w, "reg", json!([sg("I2")]), "C2"));

        // resolve_investigation
        let rs = |case: &str, res: &str, fda: Option<&str>| json!({"case_id": id16(case), "resolution": res, "fda_notice_hash": fda.map(h32)});
        expect(
            w,
            &mut out,
            "phr1",
            "resolve_investigation",
            rs("NOPE", "Cleared", None),
            "CaseNotFound",
        );
        let r = expect(
            w,
            &mut out,
            "whs1",
            "resolve_investigation",
            rs("C1", "Cleared", None),
            "Unauthorized",
        );
        assert_eq!(r.value["fields"], json!({"required_role": "Regulator"}));
        expect(
            w,
            &mut out,
            "phr1",
            "resolve_investigation",
            rs("C1", "Illegitimate", None),
            "FdaNoticeRequired",
        );
        // The opener must still be authorized.
        set_active(w, "phr1", false);
        expect(
            w,
            &mut out,
            "phr1",
            "resolve_investigation",
            rs("C1", "Cleared", None),
            "Unauthorized",
        );
        set_active(w, "phr1", true);
        // A Regulator resolves someone else's case.
        ok(w.call(
            "reg",
            DT,
            "resolve_investigation",
            rs("C1", "Cleared", None),
        ));
        assert_eq!(state(w, "I1").1, "None");
        for (res, fda) in [("Cleared", None), ("Illegitimate", Some("H9"))] {
            let r = expect(
                w,
                &mut out,
                "reg",
                "resolve_investigation",
                rs("C1", res, fda),
                "InvalidTransition",
            );
            assert_eq!(r.value["fields"]["entity"], "Investigation");
            assert_eq!(r.value["fields"]["from"], "Cleared");
        }
        ok(w.call(
            "reg",
            DT,
            "resolve_investigation",
            rs("C2", "Illegitimate", Some("H9")),
        ));
        let r = expect(
            w,
            &mut out,
            "reg",
            "resolve_investigation",
            rs("C2", "Cleared", None),
            "InvalidTransition",
        );
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Investigation", "from": "Illegitimate", "attempted": "Cleared"})
        );
        assert_eq!(
            q(w, "open_investigations", json!({"start": 0, "limit": 100})),
            json!([])
        );
        out
    });
}
