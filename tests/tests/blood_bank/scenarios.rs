//! The acceptance scenarios 13 and 14 of DOMAIN.md §6.

use super::*;

// ---- acceptance scenarios ----

#[test]
fn scenario_13_red_cell_abo_rhd_and_plasma() {
    on_both_engines(|w| {
        network(w);
        let rbc = code(RBC);
        let ffp = code(FFP);
        let mut out = Vec::new();

        // S1 = A RhD+; O RhD- red cells with a valid Compatible crossmatch: issued.
        stock(w, "ts1", &din(1), &rbc, "O", "Neg");
        let xm = ok(crossmatch(
            w,
            "ts1",
            &din(1),
            &rbc,
            "S1",
            "Compatible",
            T0 - HOUR,
        ));
        assert_eq!(event_names(w, &xm), ["CrossmatchRecorded"]);
        assert_eq!(status(w, &din(1), &rbc), json!("Reserved"));
        let issued = ok(issue(w, "ts1", &din(1), &rbc, "S1", "dr1"));
        assert_eq!(issued.value, json!([]));
        assert_eq!(event_names(w, &issued), ["AccessGranted", "UnitIssued"]);
        let e = &events(w, &issued)[1]["fields"];
        assert_eq!(e["from"], "Reserved");
        assert_eq!(e["to"], "Issued");
        assert_eq!(e["recipient"], json!(id32("S1")));
        assert_eq!(e["practitioner"], json!(addr(w, "dr1")));
        assert_eq!(e["by"], json!(addr(w, "ts1")));
        assert_eq!(e["at"], json!(T0));
        assert_eq!(status(w, &din(1), &rbc), json!("Issued"));
        out.push(seen(&issued));

        // S2 = O RhD-: A RhD+ red cells are refused on ABO first (ABO is checked before RhD
        // and before the crossmatch).
        stock(w, "ts1", &din(2), &rbc, "A", "Pos");
        let root = w.sandbox.state_root();
        let r = issue(w, "ts1", &din(2), &rbc, "S2", "dr1");
        err(&r, "AboIncompatible");
        assert_eq!(w.sandbox.state_root(), root);
        out.push(seen(&r));

        // O RhD+ red cells to S2: RhD.
        stock(w, "ts1", &din(3), &rbc, "O", "Pos");
        let r = issue(w, "ts1", &din(3), &rbc, "S2", "dr1");
        err(&r, "RhdIncompatible");
        out.push(seen(&r));

        // AB plasma to S2: issued, no crossmatch.
        stock(w, "ts1", &din(4), &ffp, "AB", "Pos");
        let r = ok(issue(w, "ts1", &din(4), &ffp, "S2", "dr1"));
        assert_eq!(event_names(w, &r), ["AccessGranted", "UnitIssued"]);
        assert_eq!(events(w, &r)[1]["fields"]["from"], "Available");
        out.push(seen(&r));

        // O plasma to S1 (A): the reverse rule refuses it.
        stock(w, "ts1", &din(5), &ffp, "O", "Neg");
        let r = issue(w, "ts1", &din(5), &ffp, "S1", "dr1");
        err(&r, "AboIncompatible");
        assert_eq!(status(w, &din(5), &ffp), json!("Available"));
        out.push(seen(&r));
        out
    });
}

#[test]
fn scenario_14_cold_chain() {
    on_both_engines(|w| {
        network(w);
        let rbc = code(RBC);
        let ffp = code(FFP);
        let mut out = Vec::new();

        // 9.0 °C in storage: out of 1.0-6.0, the unit is quarantined; the call succeeds.
        stock(w, "ts1", &din(1), &rbc, "O", "Neg");
        let r = ok(temperature(w, "ts1", &din(1), &rbc, "Storage", 90));
        assert_eq!(r.value, json!({"Quarantined": {"reason": "TempExcursion"}}));
        assert_eq!(event_names(w, &r), ["ColdChainExcursion"]);
        let e = &events(w, &r)[0]["fields"];
        assert_eq!(e["from"], "Available");
        assert_eq!(e["to"], json!({"Quarantined": {"reason": "TempExcursion"}}));
        assert_eq!(e["tenths_c"], 90);
        out.push(seen(&r));
        let r = issue(w, "ts1", &din(1), &rbc, "S1", "dr1");
        err(&r, "UnitNotAvailable");
        assert_eq!(
            r.value["fields"],
            json!({"status": {"Quarantined": {"reason": "TempExcursion"}}})
        );
        out.push(seen(&r));

        // 9.0 °C in transport: inside 1.0-10.0, the unit stays Available.
        stock(w, "ts1", &din(2), &rbc, "O", "Neg");
        let r = ok(temperature(w, "ts1", &din(2), &rbc, "Transport", 90));
        assert_eq!(r.value, json!("Available"));
        assert_eq!(event_names(w, &r), ["TemperatureRecorded"]);
        assert_eq!(status(w, &din(2), &rbc), json!("Available"));
        out.push(seen(&r));

        // Plasma at -15.0 °C: not frozen enough (<= -18.0), quarantined.
        stock(w, "ts1", &din(3), &ffp, "AB", "Neg");
        let r = ok(temperature(w, "ts1", &din(3), &ffp, "Storage", -150));
        assert_eq!(r.value, json!({"Quarantined": {"reason": "TempExcursion"}}));
        assert_eq!(event_names(w, &r), ["ColdChainExcursion"]);
        out.push(seen(&r));
        out
    });
}
