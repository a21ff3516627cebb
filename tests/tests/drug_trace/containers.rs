//! Containers: packing, unpacking, nesting and custody.

use super::*;

// ---- containers ----

#[test]
fn aggregation_ships_and_receives_whole_pallets() {
    on_both_engines(|w| {
        network(w, false);
        ok(commission(w, &["C1", "C2", "C3"], "LC", EXP));
        let case = ok(pack(w, "mfr1", SSCC1, json!([sg("C1"), sg("C2")])));
        assert_eq!(
            events(w, &case)[0]["fields"]["epcis"],
            json!({"event_type": "AggregationEvent", "action": "ADD", "biz_step": "packing", "disposition": "container_closed"})
        );
        let pallet = ok(pack(w, "mfr1", SSCC2, json!([sc(SSCC1), sg("C3")])));
        let contents = q(w, "get_container", json!({"sscc": SSCC2}));
        assert_eq!(contents["container"]["level"], 2);
        assert_eq!(contents["container"]["item_count"], 3);
        assert_eq!(contents["containers"].as_array().unwrap().len(), 1);
        assert_eq!(contents["items"].as_array().unwrap().len(), 3);
        assert_eq!(get_item(w, "C1")["parent"], json!(SSCC1));

        // A loose child cannot ship on its own.
        let loose = ship(w, "mfr1", json!([sg("C1")]), "whs1", "H1");
        assert_eq!(loose.error(), Some("ItemInContainer"));
        let inner = ship(w, "mfr1", json!([sc(SSCC1)]), "whs1", "H1");
        assert_eq!(inner.error(), Some("ItemInContainer"));

        let shipped = ok(ship(w, "mfr1", json!([sc(SSCC2)]), "whs1", "H1"));
        assert_eq!(events(w, &shipped)[0]["fields"]["item_count"], 3);
        for s in ["C1", "C2", "C3"] {
            assert_eq!(state(w, s).0, "InTransit");
        }
        assert_eq!(
            q(w, "get_container", json!({"sscc": SSCC1}))["container"]["status"]["InTransit"]["tx_id"],
            0
        );
        // The consignee cannot receive a nested case alone, another partner not at all.
        let nested = receive(w, "whs1", json!([sc(SSCC1)]));
        assert_eq!(nested.error(), Some("ItemInContainer"));
        let other = receive(w, "whs2", json!([sc(SSCC2)]));
        assert_eq!(other.error(), Some("NotConsignee"));
        let received = ok(receive(w, "whs1", json!([sc(SSCC2)])));
        let c1 = get_item(w, "C1");
        assert_eq!(c1["status"], "Active");
        assert_eq!(c1["location"], json!(gln(3)));
        assert_eq!(
            c1["custodian"],
            json!(format!("0x{}", hex(&w.address("whs1").0)))
        );
        let case_now = q(w, "get_container", json!({"sscc": SSCC1}))["container"].clone();
        assert_eq!(case_now["status"], "Active");
        assert_eq!(case_now["custodian"], c1["custodian"]);

        // Unpack the pallet, then the case; an emptied container is Unpacked for good.
        let u1 = ok(unpack(w, "whs1", SSCC2, json!([sc(SSCC1), sg("C3")])));
        assert_eq!(events(w, &u1)[0]["fields"]["to"], "Unpacked");
        let u2 = ok(unpack(w, "whs1", SSCC1, json!([sg("C1")])));
        assert_eq!(events(w, &u2)[0]["fields"]["to"], "Active");
        assert_eq!(
            q(w, "get_container", json!({"sscc": SSCC1}))["container"]["item_count"],
            1
        );
        let trace = q(w, "trace", json!({"gtin": GTIN, "serial": "C1"}));
        let last = trace.as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["epcis"]["biz_step"], "unpacking");
        assert_eq!(last["epcis"]["action"], "DELETE");
        assert_eq!(
            last["parent"],
            json!(SSCC1),
            "the container the package left"
        );
        assert_eq!(get_item(w, "C1")["parent"], Value::Null);
        let reuse = pack(w, "whs1", SSCC2, json!([sg("C1")]));
        assert_eq!(reuse.error(), Some("DuplicateSscc"));
        (
            seen(&case),
            seen(&pallet),
            seen(&shipped),
            seen(&received),
            seen(&u1),
            seen(&u2),
            seen(&reuse),
        )
    });
}

#[test]
fn a_pallet_whose_nested_case_holds_one_held_item_cannot_ship() {
    on_both_engines(|w| {
        network(w, false);
        ok(commission(w, &["P1", "P2", "P3"], "LP", EXP));
        ok(pack(w, "mfr1", SSCC1, json!([sg("P1"), sg("P2")])));
        ok(pack(w, "mfr1", SSCC2, json!([sc(SSCC1), sg("P3")])));
        ok(quarantine(w, "mfr1", json!([sg("P2")]), "K7"));
        let root = w.sandbox.state_root();
        let r = ship(w, "mfr1", json!([sc(SSCC2)]), "whs1", "H1");
        assert_eq!(r.error(), Some("ItemOnHold"));
        assert_eq!(
            r.value["fields"],
            json!({"hold": {"Suspect": {"case_id": id16("K7")}}})
        );
        assert_eq!(w.sandbox.state_root(), root, "nothing shipped at all");
        for s in ["P1", "P3"] {
            assert_eq!(state(w, s).0, "Active");
        }
        // Unpacking is allowed with held children; the held package stays held.
        ok(unpack(w, "mfr1", SSCC2, json!([sc(SSCC1)])));
        ok(unpack(w, "mfr1", SSCC1, json!([sg("P2")])));
        assert_eq!(state(w, "P2").1, "Suspect");
        // The rest of the pallet now ships.
        let rest = ok(ship(w, "mfr1", json!([sc(SSCC2), sc(SSCC1)]), "whs1", "H1"));
        assert_eq!(events(w, &rest)[0]["fields"]["item_count"], 2);
        (seen(&r), seen(&rest))
    });
}

#[test]
fn containers_nest_at_most_three_deep_and_hold_at_most_max_items() {
    on_both_engines(|w| {
        network(w, false);
        ok(commission(w, &["N1"], "LN", EXP));
        ok(pack(w, "mfr1", &sscc(11), json!([sg("N1")])));
        ok(pack(w, "mfr1", &sscc(12), json!([sc(&sscc(11))])));
        let three = ok(pack(w, "mfr1", &sscc(13), json!([sc(&sscc(12))])));
        assert_eq!(
            q(w, "get_container", json!({"sscc": sscc(13)}))["container"]["level"],
            3
        );
        let four = pack(w, "mfr1", &sscc(14), json!([sc(&sscc(13))]));
        assert_eq!(four.error(), Some("NestingTooDeep"));

        let hundred: Vec<String> = (0..100).map(|i| format!("M{i}")).collect();
        let refs: Vec<&str> = hundred.iter().map(String::as_str).collect();
        ok(commission(w, &refs, "LM", EXP));
        ok(commission(w, &["M100"], "LM", EXP));
        let children: Vec<Value> = refs.iter().map(|s| sg(s)).collect();
        let full = ok(pack(w, "mfr1", &sscc(20), json!(children)));
        let over = pack(w, "mfr1", &sscc(21), json!([sc(&sscc(20)), sg("M100")]));
        assert_eq!(over.error(), Some("TooManyItems"));
        (seen(&three), seen(&four), seen(&full), seen(&over))
    });
}
