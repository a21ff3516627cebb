//! Every error of every message: configuration, registration, processing and custody.

use super::*;

// ---- every error of every message ----

/// Calls `message` expecting `error`, no event and no state change.
pub(crate) fn refused(
    w: &mut World,
    who: &str,
    message: &str,
    args: Value,
    error: &str,
) -> (String, Value, u64) {
    let root = w.sandbox.state_root();
    let r = bb(w, who, message, args);
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
    seen(&r)
}

pub(crate) fn role(required: &str) -> Value {
    json!({"required_role": required})
}

#[test]
fn errors_of_configuration_and_registration() {
    on_both_engines(|w| {
        network(w);
        let mut out = Vec::new();
        let config = ok(query(w, "get_config", Value::Null)).value;
        let r = bb(w, "ts1", "set_config", json!({"config": config}));
        err(&r, "Unauthorized");
        assert_eq!(r.value["fields"], role("NetworkAdmin"));
        out.push(refused(
            w,
            "ts1",
            "set_config",
            json!({"config": config}),
            "Unauthorized",
        ));

        let rule = json!({"class": "RedCells", "low_titer": false, "irradiated": false});
        out.push(refused(
            w,
            "ts1",
            "register_product_code",
            json!({"prefix": "E0336", "rule": rule}),
            "Unauthorized",
        ));
        for bad in ["", "e0336", "E03A6", "E0336v", "E0336V00X", "E0336V0A"] {
            out.push(refused(
                w,
                "admin",
                "register_product_code",
                json!({"prefix": bad, "rule": rule}),
                "InvalidProductCode",
            ));
        }

        let typing = json!({"recipient": {"subject": id32("S9"), "abo": "O", "rhd": "Pos", "rh_sensitive": false}});
        let r = bb(w, "be1", "register_recipient", typing.clone());
        assert_eq!(r.value["fields"], role("TransfusionService"));
        out.push(refused(
            w,
            "be1",
            "register_recipient",
            typing,
            "Unauthorized",
        ));

        let rbc = code(RBC);
        out.push(refused(
            w,
            "ts1",
            "register_unit",
            new_unit(&din(1), &rbc, "O", "Neg", EXPIRY),
            "Unauthorized",
        ));
        for bad in [
            "W12342500001",
            "W1234250000012",
            "O123425000001",
            "0123425000001",
            "w123425000001",
            "W12342500000A",
        ] {
            out.push(refused(
                w,
                "be1",
                "register_unit",
                new_unit(bad, &rbc, "O", "Neg", EXPIRY),
                "InvalidDin",
            ));
        }
        for bad in ["E0336V0", "E0336V000", "E0336v00", "e0336V00", "E0336V0A"] {
            out.push(refused(
                w,
                "be1",
                "register_unit",
                new_unit(&din(1), bad, "O", "Neg", EXPIRY),
                "InvalidProductCode",
            ));
        }
        out.push(refused(
            w,
            "be1",
            "register_unit",
            new_unit(&din(1), "E9999V00", "O", "Neg", EXPIRY),
            "UnknownProductCode",
        ));
        // Half-open: a unit whose expiry is now is already expired.
        out.push(refused(
            w,
            "be1",
            "register_unit",
            new_unit(&din(1), &rbc, "O", "Neg", T0),
            "UnitExpired",
        ));
        ok(bb(
            w,
            "be1",
            "register_unit",
            new_unit(&din(1), &rbc, "O", "Neg", EXPIRY),
        ));
        out.push(refused(
            w,
            "be1",
            "register_unit",
            new_unit(&din(1), &rbc, "O", "Neg", EXPIRY),
            "DuplicateUnit",
        ));
        // Every component of a donation has the donation's donor and blood groups.
        out.push(refused(
            w,
            "be1",
            "register_unit",
            new_unit(&din(1), &code(FFP), "A", "Neg", EXPIRY),
            "DonationMismatch",
        ));
        out.push(refused(
            w,
            "be1",
            "register_unit",
            new_unit(&din(1), &code(FFP), "O", "Pos", EXPIRY),
            "DonationMismatch",
        ));
        let mut other_donor = new_unit(&din(1), &code(FFP), "O", "Neg", EXPIRY);
        other_donor["unit"]["donor"] = json!(id32("ANOTHER"));
        out.push(refused(
            w,
            "be1",
            "register_unit",
            other_donor,
            "DonationMismatch",
        ));
        // Splits: 32 components under one DIN at most.
        let splits: Vec<String> = ('A'..='Z')
            .map(|d| format!("{RBC}V{d}0"))
            .chain((1..=6).map(|d| format!("{RBC}V{d}0")))
            .collect();
        for pc in &splits {
            ok(bb(
                w,
                "be1",
                "register_unit",
                new_unit(&din(9), pc, "B", "Pos", EXPIRY),
            ));
        }
        out.push(refused(
            w,
            "be1",
            "register_unit",
            new_unit(&din(9), &format!("{RBC}VAa"), "B", "Pos", EXPIRY),
            "TooManyComponents",
        ));
        assert_eq!(
            ok(query(w, "units_by_din", json!({"din": din(9)})))
                .value
                .as_array()
                .unwrap()
                .len(),
            32
        );
        out
    });
}

#[test]
fn errors_of_processing_and_custody() {
    on_both_engines(|w| {
        network(w);
        let mut out = Vec::new();
        let rbc = code(RBC);
        let u = |n| json!({"unit": key(&din(n), &code(RBC))});
        let missing = json!({"unit": key(&din(99), &code(RBC))});
        ok(bb(
            w,
            "be1",
            "register_unit",
            new_unit(&din(1), &rbc, "O", "Neg", EXPIRY),
        ));

        out.push(refused(w, "ts1", "start_testing", u(1), "Unauthorized"));
        out.push(refused(
            w,
            "be1",
            "start_testing",
            missing.clone(),
            "UnitNotFound",
        ));
        out.push(refused(w, "bc1", "start_testing", u(1), "NotCustodian"));
        let tested = |n| json!({"unit": key(&din(n), &code(RBC)), "tests_hash": id32("T")});
        let r = bb(w, "be1", "release_from_testing", tested(1));
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Unit", "from": "Collected", "attempted": "Available"})
        );
        out.push(refused(
            w,
            "be1",
            "release_from_testing",
            tested(1),
            "InvalidTransition",
        ));
        ok(bb(w, "be1", "start_testing", u(1)));
        let r = bb(w, "be1", "start_testing", u(1));
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Unit", "from": "InTesting", "attempted": "InTesting"})
        );
        out.push(refused(
            w,
            "be1",
            "start_testing",
            u(1),
            "InvalidTransition",
        ));
        out.push(refused(
            w,
            "ts1",
            "release_from_testing",
            tested(1),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "be1",
            "release_from_testing",
            json!({"unit": key(&din(99), &rbc), "tests_hash": id32("T")}),
            "UnitNotFound",
        ));
        out.push(refused(
            w,
            "bc1",
            "release_from_testing",
            tested(1),
            "NotCustodian",
        ));
        ok(bb(w, "be1", "release_from_testing", tested(1)));

        let to = |n, who: &str| json!({"unit": key(&din(n), &code(RBC)), "to": who});
        let r = bb(w, "dr1", "transfer_custody", to(1, "ts1"));
        assert_eq!(r.value["fields"], json!({"required_role": null}));
        out.push(refused(
            w,
            "dr1",
            "transfer_custody",
            to(1, "ts1"),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "be1",
            "transfer_custody",
            to(99, "ts1"),
            "UnitNotFound",
        ));
        out.push(refused(
            w,
            "ts1",
            "transfer_custody",
            to(1, "ts2"),
            "NotCustodian",
        ));
        out.push(refused(
            w,
            "be1",
            "transfer_custody",
            to(1, "dr1"),
            "InvalidCustodian",
        ));
        out.push(refused(
            w,
            "be1",
            "transfer_custody",
            to(1, "nobody"),
            "InvalidCustodian",
        ));
        ok(bb(w, "be1", "transfer_custody", to(1, "ts1")));
        ok(bb(
            w,
            "ts1",
            "reserve",
            json!({"unit": key(&din(1), &rbc), "recipient": id32("S1")}),
        ));
        let r = bb(w, "ts1", "transfer_custody", to(1, "ts2"));
        assert_eq!(r.value["fields"], json!({"status": "Reserved"}));
        out.push(refused(
            w,
            "ts1",
            "transfer_custody",
            to(1, "ts2"),
            "UnitNotAvailable",
        ));

        let reading = |n, t: u64| json!({"unit": key(&din(n), &code(RBC)), "context": "Storage", "tenths_c": 40, "event_time": t});
        out.push(refused(
            w,
            "dr1",
            "record_temperature",
            reading(1, T0),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "ts1",
            "record_temperature",
            reading(99, T0),
            "UnitNotFound",
        ));
        out.push(refused(
            w,
            "ts2",
            "record_temperature",
            reading(1, T0),
            "NotCustodian",
        ));
        out.push(refused(
            w,
            "ts1",
            "record_temperature",
            reading(1, T0 + 1),
            "FutureTimestamp",
        ));
        stock(w, "ts1", &din(2), &rbc, "O", "Neg");
        ok(bb(
            w,
            "ts1",
            "discard",
            json!({"unit": key(&din(2), &rbc), "reason": "Damaged"}),
        ));
        let r = bb(w, "ts1", "record_temperature", reading(2, T0));
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Unit", "from": "Discarded", "attempted": "Quarantined"})
        );
        out.push(refused(
            w,
            "ts1",
            "record_temperature",
            reading(2, T0),
            "InvalidTransition",
        ));
        out
    });
}
