//! The unit state machine: every forbidden transition.

use super::*;

// ---- the state machine ----

/// The name of a status (`Quarantined{reason}` -> `Quarantined`).
pub(crate) fn state_name(status: &Value) -> String {
    match status {
        Value::String(s) => s.clone(),
        Value::Object(o) => o.keys().next().unwrap().clone(),
        other => panic!("not a status: {other}"),
    }
}

/// Drives a fresh AB RhD- plasma unit (its own DIN) held by `bc1` (blood centre and transfusion
/// service in one, so custody never gets in the way) into `state`. Expired units are made by
/// moving time past a short expiry and back.
fn unit_in(w: &mut World, n: u32, state: &str) -> Value {
    let (d, pc) = (din(n), code(FFP));
    let k = key(&d, &pc);
    let expiry = if state == "Expired" { T0 + DAY } else { EXPIRY };
    ok(bb(
        w,
        "bc1",
        "register_unit",
        new_unit(&d, &pc, "AB", "Neg", expiry),
    ));
    let steps: &[(&str, &str, Value)] = &[
        ("bc1", "start_testing", json!({"unit": k})),
        (
            "bc1",
            "release_from_testing",
            json!({"unit": k, "tests_hash": id32("T")}),
        ),
    ];
    let depth = match state {
        "Collected" => 0,
        "InTesting" => 1,
        _ => 2,
    };
    for (who, message, args) in &steps[..depth] {
        ok(bb(w, who, message, args.clone()));
    }
    let s1 = id32("S1");
    match state {
        "Collected" | "InTesting" | "Available" => {}
        "Reserved" => {
            ok(bb(w, "bc1", "reserve", json!({"unit": k, "recipient": s1})));
        }
        "Issued" | "Transfused" => {
            ok(issue(w, "bc1", &d, &pc, "S1", "dr1"));
            if state == "Transfused" {
                ok(bb(
                    w,
                    "dr1",
                    "start_transfusion",
                    json!({"unit": k, "recipient": s1}),
                ));
            }
        }
        "Quarantined" => {
            ok(bb(
                w,
                "bc1",
                "quarantine",
                json!({"unit": k, "reason": "VisualInspection"}),
            ));
        }
        "Discarded" => {
            ok(bb(
                w,
                "bc1",
                "discard",
                json!({"unit": k, "reason": "Damaged"}),
            ));
        }
        "Expired" => {
            let block = w.sandbox.block();
            w.sandbox.set_block(block.height, T0 + DAY);
            ok(bb(w, "anyone", "expire_unit", json!({"unit": k})));
            w.sandbox.set_block(block.height, T0);
        }
        other => panic!("no state {other}"),
    }
    assert_eq!(state_name(&status(w, &d, &pc)), state);
    k
}

/// The messages of the transition matrix, as (name, caller, arguments for unit `k`).
fn matrix_messages(k: &Value) -> Vec<(&'static str, &'static str, &'static str, Value)> {
    let s1 = id32("S1");
    vec![
        ("start_testing", "bc1", "start_testing", json!({"unit": k})),
        (
            "release_from_testing",
            "bc1",
            "release_from_testing",
            json!({"unit": k, "tests_hash": id32("T")}),
        ),
        (
            "reserve",
            "bc1",
            "reserve",
            json!({"unit": k, "recipient": s1}),
        ),
        (
            "release_reservation",
            "bc1",
            "release_reservation",
            json!({"unit": k}),
        ),
        (
            "record_crossmatch",
            "bc1",
            "record_crossmatch",
            json!({"unit": k, "recipient": s1, "method": "Electronic", "result": "Compatible", "sample_collected_at": T0}),
        ),
        (
            "issue",
            "bc1",
            "issue",
            json!({"unit": k, "recipient": s1, "practitioner": "dr1"}),
        ),
        (
            "emergency_release",
            "bc1",
            "emergency_release",
            json!({"unit": k, "recipient": s1, "physician": "dr1"}),
        ),
        (
            "start_transfusion",
            "dr1",
            "start_transfusion",
            json!({"unit": k, "recipient": s1}),
        ),
        (
            "return_unit(10 min)",
            "bc1",
            "return_unit",
            json!({"unit": k, "minutes_out": 10, "in_range": true}),
        ),
        (
            "return_unit(45 min)",
            "bc1",
            "return_unit",
            json!({"unit": k, "minutes_out": 45, "in_range": true}),
        ),
        (
            "quarantine",
            "bc1",
            "quarantine",
            json!({"unit": k, "reason": "Investigation"}),
        ),
        (
            "release_quarantine",
            "md1",
            "release_quarantine",
            json!({"unit": k, "reason_hash": id32("WHY")}),
        ),
        (
            "discard",
            "bc1",
            "discard",
            json!({"unit": k, "reason": "Other"}),
        ),
        (
            "record_temperature(excursion)",
            "bc1",
            "record_temperature",
            json!({"unit": k, "context": "Storage", "tenths_c": 0, "event_time": T0}),
        ),
        ("expire_unit", "anyone", "expire_unit", json!({"unit": k})),
        (
            "recall_donation",
            "reg1",
            "recall_donation",
            json!({"din": k["din"]}),
        ),
    ]
}

/// The expected result of `message` on a unit in `from`: `Ok(status after)` or `Err(error)`.
/// Written from DOMAIN.md's machine and the contract's documented choices, independently of
/// the contract's code.
fn expected(from: &str, message: &str) -> Result<&'static str, &'static str> {
    const IT: &str = "InvalidTransition";
    const NA: &str = "UnitNotAvailable";
    let terminal = matches!(from, "Transfused" | "Discarded" | "Expired");
    let in_stock = matches!(from, "Available" | "Reserved");
    match message {
        "start_testing" => {
            if from == "Collected" {
                Ok("InTesting")
            } else {
                Err(IT)
            }
        }
        "release_from_testing" => {
            if from == "InTesting" {
                Ok("Available")
            } else {
                Err(IT)
            }
        }
        "reserve" => match from {
            "Available" => Ok("Reserved"),
            "Reserved" => Err(IT),
            _ => Err(NA),
        },
        "release_reservation" => {
            if from == "Reserved" {
                Ok("Available")
            } else {
                Err(IT)
            }
        }
        "record_crossmatch" => {
            if in_stock {
                Ok("Reserved")
            } else {
                Err(NA)
            }
        }
        "issue" | "emergency_release" => {
            if in_stock {
                Ok("Issued")
            } else {
                Err(NA)
            }
        }
        "start_transfusion" => {
            if from == "Issued" {
                Ok("Transfused")
            } else {
                Err(IT)
            }
        }
        "return_unit(10 min)" => {
            if from == "Issued" {
                Ok("Available")
            } else {
                Err(IT)
            }
        }
        "return_unit(45 min)" => {
            if from == "Issued" {
                Ok("Discarded")
            } else {
                Err(IT)
            }
        }
        "quarantine" => match from {
            "Available" | "Reserved" | "Issued" => Ok("Quarantined"),
            _ => Err(IT),
        },
        "release_quarantine" => {
            if from == "Quarantined" {
                Ok("Available")
            } else {
                Err(IT)
            }
        }
        "discard" => match from {
            "InTesting" | "Available" | "Quarantined" => Ok("Discarded"),
            _ => Err(IT),
        },
        "record_temperature(excursion)" => match from {
            "Collected" | "InTesting" | "Available" | "Reserved" | "Issued" => Ok("Quarantined"),
            _ if terminal => Err(IT),
            same => Ok(leak(same)),
        },
        "expire_unit" => {
            if terminal {
                Err(IT)
            } else {
                Err("NotYetExpired")
            }
        }
        "recall_donation" => {
            if terminal {
                Ok(leak(from))
            } else {
                Ok("Quarantined")
            }
        }
        other => panic!("no message {other}"),
    }
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

const STATES: [&str; 9] = [
    "Collected",
    "InTesting",
    "Available",
    "Reserved",
    "Issued",
    "Quarantined",
    "Transfused",
    "Discarded",
    "Expired",
];

#[test]
fn every_forbidden_transition_is_refused_and_every_allowed_one_taken() {
    on_both_engines(|w| {
        network(w);
        let mut results = Vec::new();
        let mut n = 1;
        let names: Vec<&str> = matrix_messages(&json!(null)).iter().map(|m| m.0).collect();
        for from in STATES {
            for name in &names {
                let k = unit_in(w, n, from);
                n += 1;
                let (_, who, message, args) = matrix_messages(&k)
                    .into_iter()
                    .find(|m| m.0 == *name)
                    .unwrap();
                let root = w.sandbox.state_root();
                let r = bb(w, who, message, args);
                let after = ok(query(w, "get_unit", json!({"unit": k}))).value["status"].clone();
                match expected(from, name) {
                    Ok(to) => {
                        assert_eq!(
                            r.outcome(),
                            "success",
                            "{from} --{name}--> {to}: {}",
                            r.value
                        );
                        assert_eq!(state_name(&after), to, "{from} --{name}");
                        assert_eq!(
                            r.result
                                .events
                                .iter()
                                .filter(|e| e.contract == w.address(BB))
                                .count(),
                            1,
                            "{from} --{name}: one primary event"
                        );
                    }
                    Err(error) => {
                        assert_eq!(r.error(), Some(error), "{from} --{name}: {}", r.value);
                        assert_eq!(state_name(&after), from);
                        assert_eq!(w.sandbox.state_root(), root, "a refusal changes nothing");
                        if error == "InvalidTransition" {
                            assert_eq!(r.value["fields"]["entity"], "Unit");
                            assert_eq!(r.value["fields"]["from"], json!(from));
                        }
                        if error == "UnitNotAvailable" {
                            assert_eq!(state_name(&r.value["fields"]["status"]), from);
                        }
                    }
                }
                results.push((from, *name, seen(&r)));
            }
        }
        results
    });
}
