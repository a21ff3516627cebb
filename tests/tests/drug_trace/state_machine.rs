//! The package state machine: every forbidden transition.

use super::*;

// ---- the state machine ----

/// Puts a fresh package `serial` (its own lot) into `state` at PHR1 (or in transit PHR1 -> WHS1).
fn package_in(w: &mut World, serial: &str, state: &str) {
    let lot = format!("L{serial}");
    at_pharmacy(w, &[serial], &lot, EXP);
    let case = format!("K{serial}");
    let steps: Vec<&str> = match state {
        "Active/None" => vec![],
        "Active/Suspect" => vec!["quarantine"],
        "Active/Illegitimate" => vec!["quarantine", "illegitimate"],
        "Active/Recalled" => vec!["recall"],
        "InTransit/None" => vec!["ship"],
        "InTransit/Suspect" => vec!["ship", "quarantine"],
        "InTransit/Illegitimate" => vec!["ship", "quarantine", "illegitimate"],
        "InTransit/None+recalled lot" => vec!["ship", "recall"],
        "Dispensed/None" => vec!["dispense"],
        "Decommissioned/None" => vec!["decommission"],
        other => panic!("no state {other}"),
    };
    for step in steps {
        match step {
            "quarantine" => ok(quarantine(w, "phr1", json!([sg(serial)]), &case)),
            "illegitimate" => ok(resolve(w, "phr1", &case, "Illegitimate", Some("H9"))),
            "recall" => ok(recall(w, "mfr1", &lot, "Z")),
            "ship" => ok(ship(w, "phr1", json!([sg(serial)]), "whs1", "H")),
            "dispense" => ok(dispense(w, "phr1", serial, None)),
            "decommission" => ok(decommission(w, "phr1", serial, "inactive")),
            _ => unreachable!(),
        };
    }
}

#[test]
fn every_forbidden_package_transition_is_refused_and_every_allowed_one_taken() {
    type Expected = Result<(&'static str, &'static str), &'static str>;
    let messages = [
        "ship",
        "receive",
        "dispense",
        "decommission",
        "pack",
        "quarantine",
    ];
    let on_hold = "ItemOnHold";
    let invalid = "InvalidTransition";
    // (state, [expected result of each message in the order above])
    let table: Vec<(&str, [Expected; 6])> = vec![
        (
            "Active/None",
            [
                Ok(("InTransit", "None")),
                Err(invalid),
                Ok(("Dispensed", "None")),
                Ok(("Decommissioned", "None")),
                Ok(("Active", "None")),
                Ok(("Active", "Suspect")),
            ],
        ),
        (
            "Active/Suspect",
            [
                Err(on_hold),
                Err(invalid),
                Err(on_hold),
                Err(on_hold),
                Err(on_hold),
                Err(on_hold),
            ],
        ),
        (
            "Active/Illegitimate",
            [
                Err(on_hold),
                Err(invalid),
                Err(on_hold),
                Ok(("Decommissioned", "Illegitimate")),
                Err(on_hold),
                Err(on_hold),
            ],
        ),
        (
            "Active/Recalled",
            [
                // Shipped on (not back to the brand owner): the lot's reason.
                Err("RecalledLot"),
                Err(invalid),
                Err(on_hold),
                Ok(("Decommissioned", "Recalled")),
                Err(on_hold),
                Ok(("Active", "Suspect")),
            ],
        ),
        (
            "InTransit/None",
            [
                Err(invalid),
                Ok(("Active", "None")),
                Err(invalid),
                Err(invalid),
                Err(invalid),
                Ok(("InTransit", "Suspect")),
            ],
        ),
        (
            "InTransit/Suspect",
            [
                Err(invalid),
                Ok(("Active", "Suspect")),
                Err(invalid),
                Err(invalid),
                Err(invalid),
                Err(on_hold),
            ],
        ),
        (
            "InTransit/Illegitimate",
            [
                Err(invalid),
                Ok(("Active", "Illegitimate")),
                Err(invalid),
                Err(invalid),
                Err(invalid),
                Err(on_hold),
            ],
        ),
        (
            "InTransit/None+recalled lot",
            [
                Err(invalid),
                Ok(("Active", "Recalled")),
                Err(invalid),
                Err(invalid),
                Err(invalid),
                Ok(("InTransit", "Suspect")),
            ],
        ),
        ("Dispensed/None", [Err(invalid); 6]),
        ("Decommissioned/None", [Err(invalid); 6]),
    ];
    on_both_engines(|w| {
        network(w, false);
        let mut results = Vec::new();
        let mut n = 0;
        for (from, expected) in &table {
            for (message, want) in messages.iter().zip(expected) {
                n += 1;
                let serial = format!("T{n}");
                package_in(w, &serial, from);
                let before = state(w, &serial);
                let root = w.sandbox.state_root();
                let r = match *message {
                    "ship" => ship(w, "phr1", json!([sg(&serial)]), "whs1", "H"),
                    "receive" => receive(w, "whs1", json!([sg(&serial)])),
                    "dispense" => dispense(w, "phr1", &serial, None),
                    "decommission" => decommission(w, "phr1", &serial, "destroyed"),
                    "pack" => pack(w, "phr1", &sscc(1000 + n), json!([sg(&serial)])),
                    "quarantine" => quarantine(w, "phr1", json!([sg(&serial)]), &format!("Q{n}")),
                    _ => unreachable!(),
                };
                let after = state(w, &serial);
                match want {
                    Ok((status, hold)) => {
                        assert_eq!(r.outcome(), "success", "{from} --{message}: {}", r.value);
                        assert_eq!(
                            (after.0.as_str(), after.1.as_str()),
                            (*status, *hold),
                            "{from} --{message}"
                        );
                    }
                    Err(error) => {
                        assert_eq!(r.error(), Some(*error), "{from} --{message}: {}", r.value);
                        assert_eq!(after, before, "{from} --{message}: unchanged");
                        assert_eq!(w.sandbox.state_root(), root, "{from} --{message}");
                        assert!(r.result.events.is_empty());
                        if *error == invalid {
                            assert_eq!(
                                r.value["fields"]["from"],
                                json!(before.0),
                                "{from} --{message}"
                            );
                        }
                    }
                }
                results.push(seen(&r));
            }
        }
        results
    });
}

#[test]
fn container_investigation_and_verification_transitions() {
    on_both_engines(|w| {
        network(w, false);
        let mut results = Vec::new();
        // Containers: Active -> InTransit -> Active -> Unpacked (terminal).
        ok(commission(w, &["B1", "B2"], "LB", EXP));
        ok(pack(w, "mfr1", SSCC1, json!([sg("B1"), sg("B2")])));
        let refused = |w: &mut World, r: Reply, from: &str| {
            assert_eq!(r.error(), Some("InvalidTransition"), "{}", r.value);
            assert_eq!(r.value["fields"]["entity"], "Container");
            assert_eq!(r.value["fields"]["from"], from);
            let _ = w;
            seen(&r)
        };
        let r = receive(w, "whs1", json!([sc(SSCC1)]));
        results.push(refused(w, r, "Active"));
        ok(ship(w, "mfr1", json!([sc(SSCC1)]), "whs1", "H"));
        let r = ship(w, "mfr1", json!([sc(SSCC1)]), "whs2", "H");
        results.push(refused(w, r, "InTransit"));
        let r = unpack(w, "mfr1", SSCC1, json!([sg("B1")]));
        results.push(refused(w, r, "InTransit"));
        ok(receive(w, "whs1", json!([sc(SSCC1)])));
        ok(unpack(w, "whs1", SSCC1, json!([sg("B1"), sg("B2")])));
        let contents = q(w, "get_container", json!({"sscc": SSCC1}));
        assert_eq!(contents["container"]["status"], "Unpacked");
        assert_eq!(contents["items"], json!([]));
        let r = ship(w, "whs1", json!([sc(SSCC1)]), "phr1", "H");
        results.push(refused(w, r, "Unpacked"));
        let r = receive(w, "whs1", json!([sc(SSCC1)]));
        results.push(refused(w, r, "Unpacked"));
        let r = unpack(w, "whs1", SSCC1, json!([sg("B1")]));
        results.push(refused(w, r, "Unpacked"));
        results
    });
}
