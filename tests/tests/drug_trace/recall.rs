//! Recall of a lot.

use super::*;

// ---- recall ----

#[test]
fn a_recall_holds_stock_notifies_dispensed_and_holds_in_transit_on_receipt() {
    on_both_engines(|w| {
        network(w, false);
        at_pharmacy(w, &["R1", "R2"], "LR", EXP);
        ok(commission(w, &["R3", "R4"], "LR", EXP));
        ok(ship(w, "mfr1", json!([sg("R4")]), "whs1", "H1"));
        ok(dispense(w, "phr1", "R1", None));
        // R2 at PHR1, R3 at MFR1, R4 in transit to WHS1, R1 dispensed.
        let r = ok(recall(w, "mfr1", "LR", "Z-1"));
        assert_eq!(r.value, json!(0), "nothing left to process");
        assert_eq!(event_names(w, &r), ["LotRecalled", "RecallNotice"]);
        let ev = events(w, &r);
        assert_eq!(ev[0]["fields"]["held"], 2);
        assert_eq!(ev[1]["fields"]["dispensed"], json!(["R1"]));
        let recalled = json!({"Recalled": {"recall_id": id16("Z-1")}});
        assert_eq!(get_item(w, "R2")["hold"], recalled);
        assert_eq!(get_item(w, "R3")["hold"], recalled);
        assert_eq!(
            get_item(w, "R4")["hold"],
            "None",
            "in transit: held on receipt"
        );
        assert_eq!(get_item(w, "R1")["hold"], "None", "dispensed: notified");

        let rec = ok(receive(w, "whs1", json!([sg("R4")])));
        assert_eq!(event_names(w, &rec), ["Received", "ItemHeldOnReceipt"]);
        assert_eq!(events(w, &rec)[1]["fields"]["hold"], recalled);
        assert_eq!(
            state(w, "R4"),
            ("Active".to_string(), "Recalled".to_string())
        );
        let trace = q(w, "trace", json!({"gtin": GTIN, "serial": "R4"}));
        let steps: Vec<&str> = trace
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["epcis"]["biz_step"].as_str().unwrap())
            .collect();
        assert_eq!(steps, ["commissioning", "shipping", "receiving", "holding"]);

        let twice = recall(w, "reg", "LR", "Z-2");
        assert_eq!(twice.error(), Some("AlreadyRecalled"));
        // A Regulator may recall too; so may nobody else.
        ok(commission(w, &["R5"], "LR2", EXP));
        let other = recall(w, "mfr2", "LR2", "Z-3");
        assert_eq!(other.error(), Some("NotBrandOwner"));
        let by_regulator = ok(recall(w, "reg", "LR2", "Z-3"));
        assert_eq!(
            get_item(w, "R5")["hold"],
            json!({"Recalled": {"recall_id": id16("Z-3")}})
        );
        (
            seen(&r),
            seen(&rec),
            seen(&twice),
            seen(&other),
            seen(&by_regulator),
        )
    });
}

#[test]
fn a_large_lot_is_recalled_page_by_page() {
    // RECALL_PAGE is 200: a lot of 201 packages needs a second call. Until then the last package
    // carries no hold, but the lot's recall stops it anyway (`RecalledLot`).
    let gas = on_both_engines(|w| {
        network(w, false);
        let serials: Vec<String> = (0..201).map(|i| format!("G{i}")).collect();
        for chunk in serials.chunks(100) {
            let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
            ok(commission(w, &refs, "LG", EXP));
            let epcs: Vec<Value> = refs.iter().map(|s| sg(s)).collect();
            ok(ship(w, "mfr1", json!(epcs), "phr1", "H"));
            ok(receive(w, "phr1", json!(epcs)));
        }
        let r = ok(recall(w, "mfr1", "LG", "Z-9"));
        assert_eq!(r.value, json!(1), "one package left");
        assert_eq!(events(w, &r)[0]["fields"]["processed"], 200);
        assert_eq!(events(w, &r)[0]["fields"]["held"], 200);
        assert_eq!(state(w, "G199").1, "Recalled");
        assert_eq!(state(w, "G200").1, "None");
        let shipped = ship(w, "phr1", json!([sg("G200")]), "whs1", "H");
        assert_eq!(shipped.error(), Some("RecalledLot"));
        let dispensed = dispense(w, "phr1", "G200", None);
        assert_eq!(dispensed.error(), Some("RecalledLot"));
        let more = ok(dt(
            w,
            "mfr1",
            "continue_recall",
            json!({"gtin": GTIN, "lot": "LG"}),
        ));
        assert_eq!(more.value, json!(0));
        assert_eq!(event_names(w, &more), ["RecallContinued", "RecallNotice"]);
        assert_eq!(state(w, "G200").1, "Recalled");
        let done = dt(
            w,
            "mfr1",
            "continue_recall",
            json!({"gtin": GTIN, "lot": "LG"}),
        );
        assert_eq!(done.error(), Some("RecallComplete"));
        (
            r.result.gas_used,
            more.result.gas_used,
            seen(&shipped),
            seen(&dispensed),
        )
    });
    println!(
        "gas: recall_lot holding 200 packages {}, continue_recall of 1 {}",
        gas.0, gas.1
    );
}

#[test]
fn a_cleared_package_of_a_recalled_lot_stays_held_as_recalled() {
    on_both_engines(|w| {
        network(w, false);
        at_pharmacy(w, &["Q1", "Q2"], "LQ", EXP);
        ok(quarantine(w, "phr1", json!([sg("Q1")]), "K1"));
        ok(recall(w, "mfr1", "LQ", "Z-1"));
        // The recall does not replace the Suspect hold.
        assert_eq!(state(w, "Q1").1, "Suspect");
        let cleared = ok(resolve(w, "phr1", "K1", "Cleared", None));
        assert_eq!(event_names(w, &cleared), ["InvestigationResolved"]);
        assert_eq!(
            get_item(w, "Q1")["hold"],
            json!({"Recalled": {"recall_id": id16("Z-1")}})
        );
        let last = q(w, "trace", json!({"gtin": GTIN, "serial": "Q1"}))
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(last["epcis"]["biz_step"], "inspecting");
        assert_eq!(last["epcis"]["disposition"], "recalled");
        // A Regulator quarantines a recalled package it does not hold; that case stays open.
        ok(quarantine(w, "reg", json!([sg("Q2")]), "K2"));
        assert_eq!(
            q(w, "open_investigations", json!({"start": 0, "limit": 10}))
                .as_array()
                .unwrap()
                .len(),
            1
        );
        seen(&cleared)
    });
}
