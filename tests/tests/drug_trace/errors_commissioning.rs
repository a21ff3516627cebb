//! Every error of every message: the registries, commissioning, packing and unpacking.

use super::*;

// ---- every error of every message ----

/// Expects `error` from `who` calling `message`: no event, no state change.
pub(crate) fn expect(
    w: &mut World,
    out: &mut Vec<(String, Value, u64)>,
    who: &str,
    message: &str,
    args: Value,
    error: &str,
) -> Reply {
    let root = w.sandbox.state_root();
    let r = w.call(who, DT, message, args);
    assert_eq!(r.error(), Some(error), "{who} {message}: {}", r.value);
    assert!(
        r.result.events.is_empty(),
        "{message}: an error emits nothing"
    );
    assert_eq!(
        w.sandbox.state_root(),
        root,
        "{message}: an error changes nothing"
    );
    out.push(seen(&r));
    r
}

#[test]
fn every_error_of_the_registries() {
    on_both_engines(|w| {
        network(w, false);
        let mut out = Vec::new();
        let tp = |role: &str, gln: &str| json!({"partner": "x", "role": role, "gln": gln, "licence_ref": h32("L"), "authorized": true});
        let r = expect(
            w,
            &mut out,
            "mfr1",
            "register_trading_partner",
            tp("Wholesaler", &gln(9)),
            "Unauthorized",
        );
        assert_eq!(r.value["fields"], json!({"required_role": "NetworkAdmin"}));
        expect(
            w,
            &mut out,
            "admin",
            "register_trading_partner",
            tp("Regulator", &gln(9)),
            "InvalidRole",
        );
        let good = gln(9);
        let last = good.as_bytes()[12] - b'0';
        let bad_check = format!("{}{}", &good[..12], (last + 1) % 10);
        for bad in [bad_check.as_str(), "031234500009", "03123450000AB", ""] {
            expect(
                w,
                &mut out,
                "admin",
                "register_trading_partner",
                tp("Wholesaler", bad),
                "InvalidGln",
            );
        }
        expect(
            w,
            &mut out,
            "mfr1",
            "register_gtin",
            json!({"gtin": with_check("0031234567892"), "owner": "mfr1"}),
            "Unauthorized",
        );
        for bad in [
            "00312345678907",
            "0031234567890",
            "003123456789066",
            "0031234567890X",
        ] {
            expect(
                w,
                &mut out,
                "admin",
                "register_gtin",
                json!({"gtin": bad, "owner": "mfr1"}),
                "InvalidGtin",
            );
        }
        expect(
            w,
            &mut out,
            "admin",
            "register_gtin",
            json!({"gtin": GTIN, "owner": "mfr2"}),
            "DuplicateGtin",
        );

        // Prescriptions.
        let rx = |gtin: &str, fills: u8, until: u64| json!({"prescription": {"rx_hash": h32("RX"), "subject": h32("S1"), "gtin": gtin, "fills_allowed": fills, "valid_until": until}});
        let r = expect(
            w,
            &mut out,
            "phr1",
            "register_prescription",
            rx(GTIN, 1, JAN_1_2026),
            "Unauthorized",
        );
        assert_eq!(r.value["fields"], json!({"required_role": "Practitioner"}));
        expect(
            w,
            &mut out,
            "dr1",
            "register_prescription",
            rx("00312345678900", 1, JAN_1_2026),
            "InvalidGtin",
        );
        expect(
            w,
            &mut out,
            "dr1",
            "register_prescription",
            rx(GTIN, 0, JAN_1_2026),
            "InvalidPrescription",
        );
        expect(
            w,
            &mut out,
            "dr1",
            "register_prescription",
            rx(GTIN, 1, T0),
            "InvalidPrescription",
        );
        ok(w.call("dr1", DT, "register_prescription", rx(GTIN, 1, JAN_1_2026)));
        expect(
            w,
            &mut out,
            "dr1",
            "register_prescription",
            rx(GTIN, 2, JAN_1_2026),
            "DuplicatePrescription",
        );
        out
    });
}

#[test]
fn every_error_of_commission() {
    on_both_engines(|w| {
        network(w, false);
        let mut out = Vec::new();
        let c = |items: Vec<Value>| json!({"items": items, "event_time": null});
        expect(
            w,
            &mut out,
            "mfr1",
            "commission",
            json!({"items": [pi("A1", "L1", EXP)], "event_time": T0 + 1}),
            "FutureTimestamp",
        );
        expect(w, &mut out, "mfr1", "commission", c(vec![]), "NoItems");
        let many: Vec<Value> = (0..101).map(|i| pi(&format!("S{i}"), "L1", EXP)).collect();
        expect(w, &mut out, "mfr1", "commission", c(many), "TooManyItems");
        expect(
            w,
            &mut out,
            "mfr1",
            "commission",
            c(vec![pi_of("00312345678907", "A1", "L1", EXP)]),
            "InvalidGtin",
        );
        for bad in ["", "A-1", "ABCDEFGHIJKLMNOPQRSTU", "A 1"] {
            expect(
                w,
                &mut out,
                "mfr1",
                "commission",
                c(vec![pi(bad, "L1", EXP)]),
                "InvalidSerial",
            );
        }
        for bad in ["", "L 1", "L#1", "ABCDEFGHIJKLMNOPQRSTU"] {
            expect(
                w,
                &mut out,
                "mfr1",
                "commission",
                c(vec![pi("A1", bad, EXP)]),
                "InvalidLot",
            );
        }
        for bad in ["271301", "270230", "270431", "2701", "27013A", "2701311"] {
            expect(
                w,
                &mut out,
                "mfr1",
                "commission",
                c(vec![pi("A1", "L1", bad)]),
                "InvalidExpiry",
            );
        }
        let unregistered = with_check("0031234567899");
        expect(
            w,
            &mut out,
            "mfr1",
            "commission",
            c(vec![pi_of(&unregistered, "A1", "L1", EXP)]),
            "GtinNotRegistered",
        );
        expect(
            w,
            &mut out,
            "mfr2",
            "commission",
            c(vec![pi("A1", "L1", EXP)]),
            "NotBrandOwner",
        );
        // A batch is all or nothing: one foreign GTIN refuses it.
        expect(
            w,
            &mut out,
            "mfr1",
            "commission",
            c(vec![pi("A1", "L1", EXP), pi_of(&gtin2(), "A1", "L1", EXP)]),
            "NotBrandOwner",
        );
        expect(
            w,
            &mut out,
            "mfr1",
            "commission",
            c(vec![pi("A1", "L1", EXP), pi("A1", "L1", EXP)]),
            "DuplicateSerial",
        );
        expect(
            w,
            &mut out,
            "mfr1",
            "commission",
            c(vec![pi("A1", "L1", "250309")]),
            "ProductExpired",
        );
        ok(commission(w, &["A1"], "L1", EXP));
        expect(
            w,
            &mut out,
            "mfr1",
            "commission",
            c(vec![pi("A2", "L1", "270228")]),
            "ExpiryMismatch",
        );
        ok(recall(w, "mfr1", "L1", "Z-1"));
        expect(
            w,
            &mut out,
            "mfr1",
            "commission",
            c(vec![pi("A2", "L1", EXP)]),
            "RecalledLot",
        );
        // The brand owner must still be an authorized Manufacturer.
        ok(register_partner(w, "mfr1", "Manufacturer", &gln(1), false));
        expect(
            w,
            &mut out,
            "mfr1",
            "commission",
            c(vec![pi("A3", "L3", EXP)]),
            "UnauthorizedTradingPartner",
        );
        ok(register_partner(w, "mfr1", "Wholesaler", &gln(1), true));
        let r = expect(
            w,
            &mut out,
            "mfr1",
            "commission",
            c(vec![pi("A3", "L3", EXP)]),
            "Unauthorized",
        );
        assert_eq!(r.value["fields"], json!({"required_role": "Manufacturer"}));
        ok(register_partner(w, "mfr1", "Manufacturer", &gln(1), true));
        set_active(w, "mfr1", false);
        let r = expect(
            w,
            &mut out,
            "mfr1",
            "commission",
            c(vec![pi("A3", "L3", EXP)]),
            "Unauthorized",
        );
        assert_eq!(r.value["fields"], json!({"required_role": "Manufacturer"}));
        out
    });
}

#[test]
fn every_error_of_pack_and_unpack() {
    on_both_engines(|w| {
        network(w, false);
        let mut out = Vec::new();
        ok(commission(w, &["K1", "K2", "K3", "K4"], "LK", EXP));
        let p = |sscc: &str, children: Value| json!({"sscc": sscc, "children": children, "event_time": null});
        expect(
            w,
            &mut out,
            "mfr1",
            "pack",
            json!({"sscc": SSCC1, "children": [sg("K1")], "event_time": T0 + 1}),
            "FutureTimestamp",
        );
        for bad in [
            "003123450000000012",
            "00312345000000001",
            "A03123450000000011",
        ] {
            expect(
                w,
                &mut out,
                "mfr1",
                "pack",
                p(bad, json!([sg("K1")])),
                "InvalidSscc",
            );
        }
        expect(
            w,
            &mut out,
            "stranger",
            "pack",
            p(SSCC1, json!([sg("K1")])),
            "UnauthorizedTradingPartner",
        );
        expect(w, &mut out, "mfr1", "pack", p(SSCC1, json!([])), "NoItems");
        expect(
            w,
            &mut out,
            "mfr1",
            "pack",
            p(SSCC1, json!([sg("NOPE")])),
            "ItemNotFound",
        );
        expect(
            w,
            &mut out,
            "mfr1",
            "pack",
            p(SSCC1, json!([sc(SSCC2)])),
            "ContainerNotFound",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "pack",
            p(SSCC1, json!([sg("K1")])),
            "NotCustodian",
        );
        ok(pack(w, "mfr1", SSCC1, json!([sg("K1")])));
        expect(
            w,
            &mut out,
            "mfr1",
            "pack",
            p(SSCC1, json!([sg("K2")])),
            "DuplicateSscc",
        );
        let r = expect(
            w,
            &mut out,
            "mfr1",
            "pack",
            p(SSCC2, json!([sg("K1")])),
            "AlreadyAggregated",
        );
        assert_eq!(r.value["fields"], json!({"parent": SSCC1}));
        expect(
            w,
            &mut out,
            "mfr1",
            "pack",
            p(SSCC2, json!([sg("K2"), sg("K2")])),
            "AlreadyAggregated",
        );
        ok(quarantine(w, "mfr1", json!([sg("K2")]), "C1"));
        expect(
            w,
            &mut out,
            "mfr1",
            "pack",
            p(SSCC2, json!([sg("K2")])),
            "ItemOnHold",
        );
        ok(quarantine(w, "mfr1", json!([sg("K1")]), "C2"));
        expect(
            w,
            &mut out,
            "mfr1",
            "pack",
            p(SSCC2, json!([sc(SSCC1)])),
            "ItemOnHold",
        );
        ok(ship(w, "mfr1", json!([sg("K3")]), "whs1", "H"));
        let r = expect(
            w,
            &mut out,
            "mfr1",
            "pack",
            p(SSCC2, json!([sg("K3")])),
            "InvalidTransition",
        );
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Item", "from": "InTransit", "attempted": "Active"})
        );
        // MFR1 moves: new stock is commissioned at its new GLN.
        ok(register_partner(w, "mfr1", "Manufacturer", &gln(99), true));
        ok(commission(w, &["K5"], "LK", EXP));
        expect(
            w,
            &mut out,
            "mfr1",
            "pack",
            p(SSCC2, json!([sg("K4"), sg("K5")])),
            "LocationMismatch",
        );

        // unpack
        let u = |sscc: &str, children: Value| json!({"sscc": sscc, "children": children, "event_time": null});
        expect(
            w,
            &mut out,
            "mfr1",
            "unpack",
            json!({"sscc": SSCC1, "children": [sg("K1")], "event_time": T0 + 1}),
            "FutureTimestamp",
        );
        expect(
            w,
            &mut out,
            "stranger",
            "unpack",
            u(SSCC1, json!([sg("K1")])),
            "UnauthorizedTradingPartner",
        );
        expect(
            w,
            &mut out,
            "mfr1",
            "unpack",
            u(SSCC2, json!([sg("K1")])),
            "ContainerNotFound",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "unpack",
            u(SSCC1, json!([sg("K1")])),
            "NotCustodian",
        );
        expect(
            w,
            &mut out,
            "mfr1",
            "unpack",
            u(SSCC1, json!([])),
            "NoItems",
        );
        expect(
            w,
            &mut out,
            "mfr1",
            "unpack",
            u(SSCC1, json!([sg("K4")])),
            "NotAChild",
        );
        expect(
            w,
            &mut out,
            "mfr1",
            "unpack",
            u(SSCC1, json!([sg("K1"), sg("K1")])),
            "NotAChild",
        );
        ok(pack(w, "mfr1", SSCC2, json!([sg("K4")])));
        ok(pack(w, "mfr1", &sscc(3), json!([sc(SSCC2)])));
        expect(
            w,
            &mut out,
            "mfr1",
            "unpack",
            u(SSCC2, json!([sg("K4")])),
            "ItemInContainer",
        );
        ok(ship(w, "mfr1", json!([sc(&sscc(3))]), "whs1", "H"));
        let r = expect(
            w,
            &mut out,
            "mfr1",
            "unpack",
            u(&sscc(3), json!([sc(SSCC2)])),
            "InvalidTransition",
        );
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Container", "from": "InTransit", "attempted": "Unpacked"})
        );
        ok(unpack(w, "mfr1", SSCC1, json!([sg("K1")])));
        let r = expect(
            w,
            &mut out,
            "mfr1",
            "unpack",
            u(SSCC1, json!([sg("K1")])),
            "InvalidTransition",
        );
        assert_eq!(r.value["fields"]["from"], "Unpacked");
        let r = expect(
            w,
            &mut out,
            "mfr1",
            "pack",
            p(&sscc(4), json!([sc(SSCC1)])),
            "InvalidTransition",
        );
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Container", "from": "Unpacked", "attempted": "Active"})
        );
        out
    });
}
