//! BloodBank (contracts/blood-bank) against DOMAIN.md §3, §5 and acceptance scenarios 13 and 14,
//! on both engines: every scenario, every error of each message, every forbidden transition,
//! emergency release, transfusion and hemovigilance, returns, recall with lookback, vein to vein;
//! and property tests of the ABO/RhD tables and of the state machine.

use std::cell::RefCell;

use carechain_runtime::EngineKind;
use carechain_tests::{Reply, World, on_both_engines};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use serde_json::{Value, json};

/// 2025-03-10 00:00:00Z (DOMAIN.md fixtures).
const T0: u64 = 1_741_564_800;
const HOUR: u64 = 3_600;
const DAY: u64 = 86_400;
/// Default expiry of test units: 35 days after T0 (a red-cell shelf life).
const EXPIRY: u64 = T0 + 35 * DAY;
const BB: &str = "blood-bank";

// Illustrative product-code prefixes (E-codes): the real ones come from the ICCBBA database.
const RBC: &str = "E0336"; // red blood cells
const WB: &str = "E0001"; // whole blood
const LTOWB: &str = "E0003"; // whole blood, low-titer
const FFP: &str = "E0701"; // plasma
const PLT: &str = "E3081"; // apheresis platelets
const PLT_LT: &str = "E3082"; // apheresis platelets, low-titer
const CRYO: &str = "E5165"; // cryoprecipitated AHF

/// A 32-byte id from a short label: `S1` -> 0x5331000…
fn id32(label: &str) -> String {
    let mut bytes = [0u8; 32];
    bytes[..label.len()].copy_from_slice(label.as_bytes());
    format!("0x{}", hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn addr(w: &World, name: &str) -> String {
    format!("0x{}", hex(&w.address(name).0))
}

/// A DIN of facility W1234, year 25, sequence `seq`.
fn din(seq: u32) -> String {
    format!("W123425{seq:06}")
}

/// A full product code: prefix, volunteer donation (`V`), not divided (`00`).
fn code(prefix: &str) -> String {
    format!("{prefix}V00")
}

fn key(din: &str, product_code: &str) -> Value {
    json!({"din": din, "product_code": product_code})
}

/// What both engines must agree on.
fn seen(r: &Reply) -> (String, Value, u64) {
    (r.outcome(), r.value.clone(), r.result.gas_used)
}

fn ok(r: Reply) -> Reply {
    assert_eq!(r.outcome(), "success", "{}", r.value);
    r
}

fn err(r: &Reply, error: &str) {
    assert_eq!(r.error(), Some(error), "{}", r.value);
}

/// The names of the events of a call, from blood-bank or consent.
fn event_names(w: &World, r: &Reply) -> Vec<String> {
    events(w, r)
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

fn events(w: &World, r: &Reply) -> Vec<Value> {
    let consent = w.address("consent");
    r.result
        .events
        .iter()
        .map(|e| {
            let meta = if e.contract == consent {
                w.metadata_of("consent")
            } else {
                w.metadata_of(BB)
            };
            let topics: Vec<[u8; 32]> = e.topics.iter().map(|t| t.0).collect();
            meta.decode_event(&topics, &e.data).expect("a known event")
        })
        .collect()
}

fn bb(w: &mut World, from: &str, message: &str, args: Value) -> Reply {
    w.call(from, BB, message, args)
}

fn query(w: &World, message: &str, args: Value) -> Reply {
    w.query("anyone", BB, message, args)
}

fn status(w: &World, din: &str, product_code: &str) -> Value {
    ok(query(
        w,
        "get_unit",
        json!({"unit": key(din, product_code)}),
    ))
    .value["status"]
        .clone()
}

fn register_actor(w: &mut World, actor: &str, org: &str, roles: Value) {
    ok(w.call(
        "admin",
        "consent",
        "register_actor",
        json!({"actor": actor, "org": org, "roles": roles, "licence_ref": id32("LIC")}),
    ));
}

/// The baseline consent C0 of DOMAIN.md §6 for `subject`, created by its patient.
fn baseline(w: &mut World, patient: &str, subject: &str) {
    let id = format!("C0{subject}");
    let mut cid = [0u8; 16];
    cid[..id.len()].copy_from_slice(id.as_bytes());
    let cid = format!("0x{}", hex(&cid));
    ok(w.call(
        patient,
        "consent",
        "create_consent",
        json!({"consent": {
            "consent_id": cid, "subject": id32(subject), "scope": "Treatment",
            "period_start": 1_735_689_600u64, "period_end": null,
            "provisions": [{"kind": "Permit",
                "actors": [{"Role": "Practitioner"}, {"Role": "Payer"}, {"Role": "TransfusionService"}],
                "purposes": ["TREAT", "HPAYMT", "HOPERAT"], "data_classes": ["Any"],
                "actions": [], "period": null}],
            "doc_hash": id32(&id)}}),
    ));
    ok(w.call(patient, "consent", "activate", json!({"consent_id": cid})));
}

fn recipient(w: &mut World, subject: &str, abo: &str, rhd: &str, rh_sensitive: bool) {
    ok(bb(
        w,
        "ts1",
        "register_recipient",
        json!({"recipient": {"subject": id32(subject), "abo": abo, "rhd": rhd, "rh_sensitive": rh_sensitive}}),
    ));
}

/// The network of DOMAIN.md §6 for blood: AccessConsent with its actors, recipients S1 (A
/// RhD+), S2 (O RhD-), S3 (O RhD-, rh_sensitive) with baseline consents, S5 (B RhD+) without
/// any; BloodBank deployed, trusted by AccessConsent, product codes registered.
///
/// Actors: `be1` blood establishment; `ts1`, `ts2` transfusion services; `bc1` a hospital-based
/// blood centre (both roles); `dr1` practitioner; `md1` medical director; `reg1` regulator.
fn network(w: &mut World) {
    network_with(w, true);
}

fn network_with(w: &mut World, btg_overrides_deny: bool) {
    w.sandbox.set_block(1, T0);
    ok(w.deploy(
        "consent",
        "admin",
        "new",
        json!({"admin_org": "NETWORK", "btg_overrides_deny": btg_overrides_deny}),
    ));
    for (actor, org, roles) in [
        ("be1", "BE1", json!(["BloodEstablishment"])),
        ("ts1", "HOSP1", json!(["TransfusionService"])),
        ("ts2", "HOSP2", json!(["TransfusionService"])),
        (
            "bc1",
            "HOSP3",
            json!(["BloodEstablishment", "TransfusionService"]),
        ),
        ("dr1", "HOSP1", json!(["Practitioner"])),
        ("md1", "HOSP1", json!(["MedicalDirector"])),
        ("reg1", "FDA", json!(["Regulator"])),
        ("p1", "PATIENTS", json!(["Patient"])),
        ("p2", "PATIENTS", json!(["Patient"])),
        ("p3", "PATIENTS", json!(["Patient"])),
    ] {
        register_actor(w, actor, org, roles);
    }
    for (patient, subject) in [("p1", "S1"), ("p2", "S2"), ("p3", "S3")] {
        ok(w.call(
            "admin",
            "consent",
            "link_subject",
            json!({"actor": patient, "subject": id32(subject)}),
        ));
        baseline(w, patient, subject);
    }
    ok(w.deploy(BB, "admin", "new", json!({"consent": "consent"})));
    ok(w.call(
        "admin",
        "consent",
        "set_trusted_contract",
        json!({"contract": BB, "trusted": true}),
    ));
    for (prefix, class, low_titer) in [
        (RBC, "RedCells", false),
        (WB, "WholeBlood", false),
        (LTOWB, "WholeBlood", true),
        (FFP, "Plasma", false),
        (PLT, "Platelets", false),
        (PLT_LT, "Platelets", true),
        (CRYO, "Cryo", false),
    ] {
        ok(bb(
            w,
            "admin",
            "register_product_code",
            json!({"prefix": prefix, "rule": {"class": class, "low_titer": low_titer, "irradiated": false}}),
        ));
    }
    recipient(w, "S1", "A", "Pos", false);
    recipient(w, "S2", "O", "Neg", false);
    recipient(w, "S3", "O", "Neg", true);
    recipient(w, "S5", "B", "Pos", false);
}

fn new_unit(din: &str, product_code: &str, abo: &str, rhd: &str, expiry: u64) -> Value {
    json!({"unit": {"din": din, "product_code": product_code, "abo": abo, "rhd": rhd,
                    "donor": id32(&format!("D{}", &din[7..])), "expiry": expiry}})
}

/// Registers a unit as `establishment`, tests and releases it (Available there).
fn released(
    w: &mut World,
    establishment: &str,
    din: &str,
    product_code: &str,
    abo: &str,
    rhd: &str,
    expiry: u64,
) {
    ok(bb(
        w,
        establishment,
        "register_unit",
        new_unit(din, product_code, abo, rhd, expiry),
    ));
    ok(bb(
        w,
        establishment,
        "start_testing",
        json!({"unit": key(din, product_code)}),
    ));
    ok(bb(
        w,
        establishment,
        "release_from_testing",
        json!({"unit": key(din, product_code), "tests_hash": id32("TESTS")}),
    ));
}

/// A unit Available at transfusion service `holder`: registered, tested and released by `be1`,
/// then transferred.
fn stock(w: &mut World, holder: &str, din: &str, product_code: &str, abo: &str, rhd: &str) {
    released(w, "be1", din, product_code, abo, rhd, EXPIRY);
    ok(bb(
        w,
        "be1",
        "transfer_custody",
        json!({"unit": key(din, product_code), "to": holder}),
    ));
}

fn crossmatch(
    w: &mut World,
    by: &str,
    din: &str,
    pc: &str,
    subject: &str,
    result: &str,
    at: u64,
) -> Reply {
    bb(
        w,
        by,
        "record_crossmatch",
        json!({"unit": key(din, pc), "recipient": id32(subject), "method": "AHG",
               "result": result, "sample_collected_at": at}),
    )
}

fn issue(w: &mut World, by: &str, din: &str, pc: &str, subject: &str, practitioner: &str) -> Reply {
    bb(
        w,
        by,
        "issue",
        json!({"unit": key(din, pc), "recipient": id32(subject), "practitioner": practitioner}),
    )
}

fn temperature(w: &mut World, by: &str, din: &str, pc: &str, context: &str, tenths: i32) -> Reply {
    let t = w.sandbox.block().time;
    bb(
        w,
        by,
        "record_temperature",
        json!({"unit": key(din, pc), "context": context, "tenths_c": tenths, "event_time": t}),
    )
}

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

// ---- every error of every message ----

/// Calls `message` expecting `error`, no event and no state change.
fn refused(
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

fn role(required: &str) -> Value {
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

#[test]
fn errors_of_allocation_and_crossmatch() {
    on_both_engines(|w| {
        network(w);
        let mut out = Vec::new();
        let rbc = code(RBC);
        let res = |n, s: &str| json!({"unit": key(&din(n), &code(RBC)), "recipient": id32(s)});
        stock(w, "ts1", &din(1), &rbc, "O", "Neg");
        stock(w, "ts1", &din(2), &rbc, "O", "Neg");
        ok(bb(
            w,
            "ts1",
            "quarantine",
            json!({"unit": key(&din(2), &rbc), "reason": "Investigation"}),
        ));

        out.push(refused(w, "be1", "reserve", res(1, "S1"), "Unauthorized"));
        out.push(refused(w, "ts1", "reserve", res(99, "S1"), "UnitNotFound"));
        out.push(refused(w, "ts2", "reserve", res(1, "S1"), "NotCustodian"));
        out.push(refused(
            w,
            "ts1",
            "reserve",
            res(2, "S1"),
            "UnitNotAvailable",
        ));
        out.push(refused(
            w,
            "ts1",
            "reserve",
            res(1, "S9"),
            "RecipientNotFound",
        ));
        ok(bb(w, "ts1", "reserve", res(1, "S1")));
        out.push(refused(
            w,
            "ts1",
            "reserve",
            res(1, "S2"),
            "RecipientMismatch",
        ));
        let r = bb(w, "ts1", "reserve", res(1, "S1"));
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Unit", "from": "Reserved", "attempted": "Reserved"})
        );
        out.push(refused(
            w,
            "ts1",
            "reserve",
            res(1, "S1"),
            "InvalidTransition",
        ));

        let u = |n| json!({"unit": key(&din(n), &code(RBC))});
        out.push(refused(
            w,
            "be1",
            "release_reservation",
            u(1),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "ts1",
            "release_reservation",
            u(99),
            "UnitNotFound",
        ));
        out.push(refused(
            w,
            "ts2",
            "release_reservation",
            u(1),
            "NotCustodian",
        ));
        out.push(refused(
            w,
            "ts1",
            "release_reservation",
            u(2),
            "InvalidTransition",
        ));

        let xm = |n, s: &str, t: u64| {
            json!({"unit": key(&din(n), &code(RBC)), "recipient": id32(s),
            "method": "ImmediateSpin", "result": "Compatible", "sample_collected_at": t})
        };
        out.push(refused(
            w,
            "be1",
            "record_crossmatch",
            xm(1, "S1", T0),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "ts1",
            "record_crossmatch",
            xm(99, "S1", T0),
            "UnitNotFound",
        ));
        out.push(refused(
            w,
            "ts2",
            "record_crossmatch",
            xm(1, "S1", T0),
            "NotCustodian",
        ));
        out.push(refused(
            w,
            "ts1",
            "record_crossmatch",
            xm(2, "S1", T0),
            "UnitNotAvailable",
        ));
        out.push(refused(
            w,
            "ts1",
            "record_crossmatch",
            xm(1, "S2", T0),
            "RecipientMismatch",
        ));
        stock(w, "ts1", &din(3), &rbc, "O", "Neg");
        out.push(refused(
            w,
            "ts1",
            "record_crossmatch",
            xm(3, "S9", T0),
            "RecipientNotFound",
        ));
        out.push(refused(
            w,
            "ts1",
            "record_crossmatch",
            xm(3, "S1", T0 + 1),
            "FutureTimestamp",
        ));
        // A sample collected exactly 72 h ago is no longer valid (half-open).
        out.push(refused(
            w,
            "ts1",
            "record_crossmatch",
            xm(3, "S1", T0 - 72 * HOUR),
            "CrossmatchExpired",
        ));
        ok(bb(
            w,
            "ts1",
            "record_crossmatch",
            xm(3, "S1", T0 - 72 * HOUR + 1),
        ));
        let mut config = ok(query(w, "get_config", Value::Null)).value;
        config["crossmatch_validity_secs"] = json!(u64::MAX);
        ok(bb(w, "admin", "set_config", json!({"config": config})));
        stock(w, "ts1", &din(4), &rbc, "O", "Neg");
        out.push(refused(
            w,
            "ts1",
            "record_crossmatch",
            xm(4, "S1", T0),
            "ArithmeticOverflow",
        ));
        out
    });
}

#[test]
fn errors_of_issue() {
    on_both_engines(|w| {
        network(w);
        let mut out = Vec::new();
        let (rbc, plt, plt_lt, ffp) = (code(RBC), code(PLT), code(PLT_LT), code(FFP));
        let is = |d: &str, pc: &str, s: &str, p: &str| json!({"unit": key(d, pc), "recipient": id32(s), "practitioner": p});
        stock(w, "ts1", &din(1), &rbc, "O", "Neg");
        out.push(refused(
            w,
            "be1",
            "issue",
            is(&din(1), &rbc, "S1", "dr1"),
            "Unauthorized",
        ));
        let r = bb(w, "ts1", "issue", is(&din(1), &rbc, "S1", "md1"));
        assert_eq!(r.value["fields"], role("Practitioner"));
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(1), &rbc, "S1", "md1"),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(99), &rbc, "S1", "dr1"),
            "UnitNotFound",
        ));
        out.push(refused(
            w,
            "ts2",
            "issue",
            is(&din(1), &rbc, "S1", "dr1"),
            "NotCustodian",
        ));
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(1), &rbc, "S9", "dr1"),
            "RecipientNotFound",
        ));
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(1), &rbc, "S1", "dr1"),
            "CrossmatchRequired",
        ));
        ok(crossmatch(
            w,
            "ts1",
            &din(1),
            &rbc,
            "S1",
            "Compatible",
            T0 - 71 * HOUR,
        ));
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(1), &rbc, "S2", "dr1"),
            "RecipientMismatch",
        ));
        w.sandbox.set_block(2, T0 + HOUR);
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(1), &rbc, "S1", "dr1"),
            "CrossmatchExpired",
        ));
        w.sandbox.set_block(3, T0);
        stock(w, "ts1", &din(2), &rbc, "O", "Neg");
        ok(crossmatch(
            w,
            "ts1",
            &din(2),
            &rbc,
            "S1",
            "Incompatible",
            T0 - HOUR,
        ));
        assert_eq!(status(w, &din(2), &rbc), json!("Available"));
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(2), &rbc, "S1", "dr1"),
            "CrossmatchIncompatible",
        ));
        ok(bb(
            w,
            "ts1",
            "quarantine",
            json!({"unit": key(&din(2), &rbc), "reason": "Investigation"}),
        ));
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(2), &rbc, "S1", "dr1"),
            "UnitNotAvailable",
        ));
        stock(w, "ts1", &din(3), &rbc, "A", "Pos");
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(3), &rbc, "S2", "dr1"),
            "AboIncompatible",
        ));
        stock(w, "ts1", &din(4), &rbc, "O", "Pos");
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(4), &rbc, "S2", "dr1"),
            "RhdIncompatible",
        ));
        // Platelets: group O (not low-titer) to an A recipient is a minor mismatch.
        stock(w, "ts1", &din(5), &plt, "O", "Pos");
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(5), &plt, "S1", "dr1"),
            "PlateletPlasmaIncompatible",
        ));
        // RhD+ platelets to rh_sensitive S3 while RhD- platelets are Available here.
        stock(w, "ts1", &din(6), &plt_lt, "O", "Pos");
        stock(w, "ts1", &din(7), &plt_lt, "A", "Neg");
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(6), &plt_lt, "S3", "dr1"),
            "RhdNegativeAvailable",
        ));
        // S5 has no consent.
        stock(w, "ts1", &din(8), &ffp, "AB", "Pos");
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(8), &ffp, "S5", "dr1"),
            "ConsentRequired",
        ));
        // AccessConsent no longer trusts the blood bank.
        ok(w.call(
            "admin",
            "consent",
            "set_trusted_contract",
            json!({"contract": BB, "trusted": false}),
        ));
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(8), &ffp, "S1", "dr1"),
            "ConsentUnavailable",
        ));
        ok(w.call(
            "admin",
            "consent",
            "set_trusted_contract",
            json!({"contract": BB, "trusted": true}),
        ));
        ok(issue(w, "ts1", &din(8), &ffp, "S1", "dr1"));
        out
    });
}

#[test]
fn errors_of_emergency_release() {
    on_both_engines(|w| {
        network(w);
        let mut out = Vec::new();
        let (rbc, plt) = (code(RBC), code(PLT));
        let er = |d: &str, pc: &str, s: &str, p: &str| json!({"unit": key(d, pc), "recipient": id32(s), "physician": p});
        let auth = |d: &str, pc: &str, s: &str| json!({"unit": key(d, pc), "recipient": id32(s)});
        stock(w, "ts1", &din(1), &rbc, "A", "Pos");
        stock(w, "ts1", &din(2), &rbc, "O", "Neg");
        ok(bb(
            w,
            "ts1",
            "quarantine",
            json!({"unit": key(&din(2), &rbc), "reason": "Investigation"}),
        ));

        out.push(refused(
            w,
            "dr1",
            "authorize_emergency_release",
            auth(&din(1), &rbc, "S1"),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "md1",
            "authorize_emergency_release",
            auth(&din(99), &rbc, "S1"),
            "UnitNotFound",
        ));
        out.push(refused(
            w,
            "md1",
            "authorize_emergency_release",
            auth(&din(2), &rbc, "S1"),
            "UnitNotAvailable",
        ));

        out.push(refused(
            w,
            "be1",
            "emergency_release",
            er(&din(1), &rbc, "S1", "dr1"),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(1), &rbc, "S1", "md1"),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(99), &rbc, "S1", "dr1"),
            "UnitNotFound",
        ));
        out.push(refused(
            w,
            "ts2",
            "emergency_release",
            er(&din(1), &rbc, "S1", "dr1"),
            "NotCustodian",
        ));
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(2), &rbc, "S1", "dr1"),
            "UnitNotAvailable",
        ));
        // A RhD+ red cells are not the universal unit: a medical director must co-sign.
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(1), &rbc, "S1", "dr1"),
            "MedicalDirectorCosignRequired",
        ));
        // A co-signature is for one recipient.
        ok(bb(
            w,
            "md1",
            "authorize_emergency_release",
            auth(&din(1), &rbc, "S5"),
        ));
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(1), &rbc, "S1", "dr1"),
            "MedicalDirectorCosignRequired",
        ));
        // ... and expires.
        ok(bb(
            w,
            "md1",
            "authorize_emergency_release",
            auth(&din(1), &rbc, "S2"),
        ));
        w.sandbox.set_block(2, T0 + HOUR);
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(1), &rbc, "S2", "dr1"),
            "MedicalDirectorCosignRequired",
        ));
        w.sandbox.set_block(3, T0);
        // Co-signed, but S2 is group O: the ABO rule still holds.
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(1), &rbc, "S2", "dr1"),
            "AboIncompatible",
        ));
        stock(w, "ts1", &din(3), &plt, "O", "Neg");
        ok(bb(
            w,
            "md1",
            "authorize_emergency_release",
            auth(&din(3), &plt, "S1"),
        ));
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(3), &plt, "S1", "dr1"),
            "PlateletPlasmaIncompatible",
        ));
        ok(bb(w, "ts1", "reserve", auth(&din(1), &rbc, "S5")));
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(1), &rbc, "S1", "dr1"),
            "RecipientMismatch",
        ));
        out.push(refused(
            w,
            "md1",
            "authorize_emergency_release",
            auth(&din(1), &rbc, "S1"),
            "RecipientMismatch",
        ));
        // A known Incompatible crossmatch is never overridden by an emergency release.
        stock(w, "ts1", &din(5), &rbc, "O", "Neg");
        ok(crossmatch(
            w,
            "ts1",
            &din(5),
            &rbc,
            "S1",
            "Incompatible",
            T0,
        ));
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(5), &rbc, "S1", "dr1"),
            "CrossmatchIncompatible",
        ));
        ok(w.call(
            "admin",
            "consent",
            "set_trusted_contract",
            json!({"contract": BB, "trusted": false}),
        ));
        stock(w, "ts1", &din(4), &rbc, "O", "Neg");
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(4), &rbc, "S1", "dr1"),
            "ConsentUnavailable",
        ));
        let mut config = ok(query(w, "get_config", Value::Null)).value;
        config["emergency_authorization_secs"] = json!(u64::MAX);
        ok(bb(w, "admin", "set_config", json!({"config": config})));
        out.push(refused(
            w,
            "md1",
            "authorize_emergency_release",
            auth(&din(4), &rbc, "S1"),
            "ArithmeticOverflow",
        ));
        out
    });
}

#[test]
fn emergency_release_is_refused_when_break_the_glass_is_denied() {
    on_both_engines(|w| {
        // A network where break-the-glass does not override a deny, and S1 denies ORG HOSP1.
        network_with(w, false);
        let cid = format!("0x{}", hex(b"C8S1\0\0\0\0\0\0\0\0\0\0\0\0"));
        ok(w.call(
            "p1",
            "consent",
            "create_consent",
            json!({"consent": {
                "consent_id": cid, "subject": id32("S1"), "scope": "Treatment",
                "period_start": T0 - DAY, "period_end": null,
                "provisions": [{"kind": "Deny", "actors": [{"Org": "HOSP1"}], "purposes": [],
                                "data_classes": ["Any"], "actions": [], "period": null}],
                "doc_hash": id32("C8")}}),
        ));
        ok(w.call("p1", "consent", "activate", json!({"consent_id": cid})));
        let rbc = code(RBC);
        stock(w, "ts1", &din(1), &rbc, "O", "Neg");
        let r = refused(
            w,
            "ts1",
            "emergency_release",
            json!({"unit": key(&din(1), &rbc), "recipient": id32("S1"), "physician": "dr1"}),
            "ConsentRequired",
        );
        // Issue is refused too (the deny overrides the baseline permit).
        ok(crossmatch(w, "ts1", &din(1), &rbc, "S1", "Compatible", T0));
        let i = refused(
            w,
            "ts1",
            "issue",
            json!({"unit": key(&din(1), &rbc), "recipient": id32("S1"), "practitioner": "dr1"}),
            "ConsentRequired",
        );
        (r, i)
    });
}

#[test]
fn errors_of_transfusion_and_return() {
    on_both_engines(|w| {
        network(w);
        let mut out = Vec::new();
        let ffp = code(FFP);
        let tx = |n, s: &str| json!({"unit": key(&din(n), &code(FFP)), "recipient": id32(s)});
        let end = |n| json!({"unit": key(&din(n), &code(FFP)), "reaction": null});
        stock(w, "ts1", &din(1), &ffp, "AB", "Pos");
        out.push(refused(
            w,
            "ts1",
            "start_transfusion",
            tx(1, "S1"),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "dr1",
            "start_transfusion",
            tx(99, "S1"),
            "UnitNotFound",
        ));
        out.push(refused(
            w,
            "dr1",
            "start_transfusion",
            tx(1, "S1"),
            "InvalidTransition",
        ));
        out.push(refused(
            w,
            "dr1",
            "end_transfusion",
            end(1),
            "InvalidTransition",
        ));
        let r = bb(w, "dr1", "end_transfusion", end(1));
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Transfusion", "from": "NotStarted", "attempted": "Completed"})
        );
        ok(issue(w, "ts1", &din(1), &ffp, "S1", "dr1"));
        // Bedside check: the unit was issued to S1.
        out.push(refused(
            w,
            "dr1",
            "start_transfusion",
            tx(1, "S2"),
            "RecipientMismatch",
        ));
        ok(bb(w, "dr1", "start_transfusion", tx(1, "S1")));
        out.push(refused(w, "ts1", "end_transfusion", end(1), "Unauthorized"));
        out.push(refused(
            w,
            "dr1",
            "end_transfusion",
            end(99),
            "UnitNotFound",
        ));
        ok(bb(w, "dr1", "end_transfusion", end(1)));
        let r = bb(w, "dr1", "end_transfusion", end(1));
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Transfusion", "from": "Completed", "attempted": "Completed"})
        );
        out.push(refused(
            w,
            "dr1",
            "end_transfusion",
            end(1),
            "InvalidTransition",
        ));

        let ret = |n, m: u32| json!({"unit": key(&din(n), &code(FFP)), "minutes_out": m, "in_range": true});
        stock(w, "ts1", &din(2), &ffp, "AB", "Pos");
        out.push(refused(w, "dr1", "return_unit", ret(2, 10), "Unauthorized"));
        out.push(refused(
            w,
            "ts1",
            "return_unit",
            ret(99, 10),
            "UnitNotFound",
        ));
        out.push(refused(w, "ts2", "return_unit", ret(2, 10), "NotCustodian"));
        let r = bb(w, "ts1", "return_unit", ret(2, 10));
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Unit", "from": "Available", "attempted": "Available"})
        );
        out.push(refused(
            w,
            "ts1",
            "return_unit",
            ret(2, 10),
            "InvalidTransition",
        ));
        out.push(refused(
            w,
            "ts1",
            "return_unit",
            ret(2, 31),
            "InvalidTransition",
        ));
        out
    });
}

#[test]
fn errors_of_quarantine_discard_expiry_and_recall() {
    on_both_engines(|w| {
        network(w);
        let mut out = Vec::new();
        let rbc = code(RBC);
        let q = |n| json!({"unit": key(&din(n), &code(RBC)), "reason": "VisualInspection"});
        let rq = |n| json!({"unit": key(&din(n), &code(RBC)), "reason_hash": id32("WHY")});
        let d = |n| json!({"unit": key(&din(n), &code(RBC)), "reason": "Damaged"});
        let u = |n| json!({"unit": key(&din(n), &code(RBC))});
        stock(w, "ts1", &din(1), &rbc, "O", "Neg");
        ok(bb(
            w,
            "be1",
            "register_unit",
            new_unit(&din(2), &rbc, "O", "Neg", EXPIRY),
        ));

        let r = bb(w, "dr1", "quarantine", q(1));
        assert_eq!(r.value["fields"], json!({"required_role": null}));
        out.push(refused(w, "dr1", "quarantine", q(1), "Unauthorized"));
        out.push(refused(w, "ts1", "quarantine", q(99), "UnitNotFound"));
        out.push(refused(w, "ts2", "quarantine", q(1), "NotCustodian"));
        out.push(refused(w, "be1", "quarantine", q(2), "InvalidTransition"));

        out.push(refused(
            w,
            "ts1",
            "release_quarantine",
            rq(1),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "md1",
            "release_quarantine",
            rq(99),
            "UnitNotFound",
        ));
        out.push(refused(
            w,
            "md1",
            "release_quarantine",
            rq(1),
            "InvalidTransition",
        ));

        out.push(refused(w, "dr1", "discard", d(1), "Unauthorized"));
        out.push(refused(w, "ts1", "discard", d(99), "UnitNotFound"));
        out.push(refused(w, "ts2", "discard", d(1), "NotCustodian"));
        ok(bb(
            w,
            "ts1",
            "reserve",
            json!({"unit": key(&din(1), &rbc), "recipient": id32("S1")}),
        ));
        let r = bb(w, "ts1", "discard", d(1));
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Unit", "from": "Reserved", "attempted": "Discarded"})
        );
        out.push(refused(w, "ts1", "discard", d(1), "InvalidTransition"));

        out.push(refused(w, "anyone", "expire_unit", u(99), "UnitNotFound"));
        out.push(refused(w, "anyone", "expire_unit", u(1), "NotYetExpired"));
        ok(bb(w, "ts1", "release_reservation", u(1)));
        ok(bb(w, "ts1", "discard", d(1)));
        out.push(refused(
            w,
            "anyone",
            "expire_unit",
            u(1),
            "InvalidTransition",
        ));

        out.push(refused(
            w,
            "ts1",
            "recall_donation",
            json!({"din": din(2)}),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "reg1",
            "recall_donation",
            json!({"din": din(99)}),
            "UnitNotFound",
        ));

        // Queries.
        err(&query(w, "get_unit", u(99)), "UnitNotFound");
        err(
            &query(w, "vein_to_vein", json!({"din": din(99)})),
            "UnitNotFound",
        );
        let c = |n, s: &str| json!({"unit": key(&din(n), &code(RBC)), "recipient": id32(s)});
        err(&query(w, "compatibility", c(99, "S1")), "UnitNotFound");
        err(&query(w, "compatibility", c(1, "S1")), "UnitNotAvailable");
        stock(w, "ts1", &din(3), &rbc, "O", "Neg");
        err(&query(w, "compatibility", c(3, "S9")), "RecipientNotFound");
        out
    });
}

#[test]
fn the_consent_contract_must_answer() {
    on_both_engines(|w| {
        // A blood bank pointed at an account that is no contract cannot check any role.
        w.sandbox.set_block(1, T0);
        ok(w.deploy(BB, "admin", "new", json!({"consent": "nobody"})));
        let rule = json!({"class": "RedCells", "low_titer": false, "irradiated": false});
        let r = bb(
            w,
            "admin",
            "register_product_code",
            json!({"prefix": RBC, "rule": rule}),
        );
        err(&r, "ConsentUnavailable");
        assert_eq!(
            ok(query(w, "consent_contract", Value::Null)).value,
            json!(addr(w, "nobody"))
        );
        // Expiring needs no role.
        err(
            &bb(
                w,
                "x",
                "expire_unit",
                json!({"unit": key(&din(1), &code(RBC))}),
            ),
            "UnitNotFound",
        );
        seen(&r)
    });
}

#[test]
fn an_expired_unit_refuses_every_call_and_only_expire_unit_records_it() {
    on_both_engines(|w| {
        network(w);
        let mut out = Vec::new();
        let ffp = code(FFP);
        let soon = T0 + DAY;
        // One unit per non-terminal status, all expiring at `soon`.
        let at_be = |w: &mut World, n: u32| {
            ok(bb(
                w,
                "be1",
                "register_unit",
                new_unit(&din(n), &ffp, "AB", "Neg", soon),
            ));
        };
        at_be(w, 1); // Collected
        at_be(w, 2);
        ok(bb(
            w,
            "be1",
            "start_testing",
            json!({"unit": key(&din(2), &ffp)}),
        )); // InTesting
        let at_ts = |w: &mut World, n: u32| {
            released(w, "be1", &din(n), &code(FFP), "AB", "Neg", soon);
            ok(bb(
                w,
                "be1",
                "transfer_custody",
                json!({"unit": key(&din(n), &code(FFP)), "to": "ts1"}),
            ));
        };
        at_ts(w, 3); // Available
        at_ts(w, 4);
        ok(bb(
            w,
            "ts1",
            "reserve",
            json!({"unit": key(&din(4), &ffp), "recipient": id32("S1")}),
        )); // Reserved
        at_ts(w, 5);
        ok(issue(w, "ts1", &din(5), &ffp, "S1", "dr1")); // Issued
        at_ts(w, 6);
        ok(bb(
            w,
            "ts1",
            "quarantine",
            json!({"unit": key(&din(6), &ffp), "reason": "Investigation"}),
        )); // Quarantined
        at_ts(w, 7);
        ok(issue(w, "ts1", &din(7), &ffp, "S2", "dr1"));
        ok(bb(
            w,
            "dr1",
            "start_transfusion",
            json!({"unit": key(&din(7), &ffp), "recipient": id32("S2")}),
        )); // Transfused

        // One second before expiry everything still works (half-open).
        w.sandbox.set_block(2, soon - 1);
        assert_eq!(
            ok(query(
                w,
                "compatibility",
                json!({"unit": key(&din(3), &ffp), "recipient": id32("S1")})
            ))
            .value,
            json!({"compatibility": "Allowed", "crossmatch": "NotRequired"})
        );
        out.push(refused(
            w,
            "anyone",
            "expire_unit",
            json!({"unit": key(&din(3), &ffp)}),
            "NotYetExpired",
        ));

        w.sandbox.set_block(3, soon);
        let u = |n| key(&din(n), &code(FFP));
        let s = id32("S1");
        let calls: Vec<(&str, &str, Value)> = vec![
            ("be1", "start_testing", json!({"unit": u(1)})),
            (
                "be1",
                "release_from_testing",
                json!({"unit": u(2), "tests_hash": id32("T")}),
            ),
            (
                "ts1",
                "transfer_custody",
                json!({"unit": u(3), "to": "ts2"}),
            ),
            (
                "ts1",
                "record_temperature",
                json!({"unit": u(3), "context": "Storage", "tenths_c": -200, "event_time": soon}),
            ),
            ("ts1", "reserve", json!({"unit": u(3), "recipient": s})),
            ("ts1", "release_reservation", json!({"unit": u(4)})),
            (
                "ts1",
                "record_crossmatch",
                json!({"unit": u(3), "recipient": s, "method": "Electronic", "result": "Compatible", "sample_collected_at": soon}),
            ),
            (
                "ts1",
                "issue",
                json!({"unit": u(4), "recipient": s, "practitioner": "dr1"}),
            ),
            (
                "md1",
                "authorize_emergency_release",
                json!({"unit": u(3), "recipient": s}),
            ),
            (
                "ts1",
                "emergency_release",
                json!({"unit": u(3), "recipient": s, "physician": "dr1"}),
            ),
            (
                "dr1",
                "start_transfusion",
                json!({"unit": u(5), "recipient": s}),
            ),
            (
                "ts1",
                "return_unit",
                json!({"unit": u(5), "minutes_out": 5, "in_range": true}),
            ),
            (
                "ts1",
                "quarantine",
                json!({"unit": u(3), "reason": "Investigation"}),
            ),
            (
                "md1",
                "quarantine",
                json!({"unit": u(3), "reason": "Investigation"}),
            ),
            (
                "md1",
                "release_quarantine",
                json!({"unit": u(6), "reason_hash": id32("WHY")}),
            ),
            ("ts1", "discard", json!({"unit": u(6), "reason": "Other"})),
        ];
        for (who, message, args) in calls {
            out.push(refused(w, who, message, args, "UnitExpired"));
        }
        err(
            &query(w, "compatibility", json!({"unit": u(3), "recipient": s})),
            "UnitExpired",
        );
        // A transfusion started before expiry can still be ended and its reaction reported.
        let r = ok(bb(
            w,
            "dr1",
            "end_transfusion",
            json!({"unit": u(7), "reaction": "FNHTR"}),
        ));
        assert_eq!(event_names(w, &r), ["TransfusionReaction"]);

        // expire_unit records Expired from every non-terminal status.
        for (n, from) in [
            (1, json!("Collected")),
            (2, json!("InTesting")),
            (3, json!("Available")),
            (4, json!("Reserved")),
            (5, json!("Issued")),
            (6, json!({"Quarantined": {"reason": "Investigation"}})),
        ] {
            let r = ok(bb(w, "anyone", "expire_unit", json!({"unit": u(n)})));
            let e = &events(w, &r)[0];
            assert_eq!(e["name"], "UnitStatusChanged");
            assert_eq!(e["fields"]["from"], from);
            assert_eq!(e["fields"]["to"], "Expired");
            assert_eq!(e["fields"]["by"], json!(addr(w, "anyone")));
            out.push(seen(&r));
        }
        out.push(refused(
            w,
            "anyone",
            "expire_unit",
            json!({"unit": u(7)}),
            "InvalidTransition",
        ));
        // Expired units left the stock index.
        assert_eq!(
            ok(query(w, "available", json!({"location": "ts1", "class": "Plasma", "abo": "AB", "rhd": "Neg", "start": 0, "limit": 50}))).value,
            json!([])
        );
        out
    });
}

// ---- the state machine ----

/// The name of a status (`Quarantined{reason}` -> `Quarantined`).
fn state_name(status: &Value) -> String {
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
            "Available" | "Reserved" | "Issued" => Ok("Quarantined"),
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

// ---- flows ----

#[test]
fn emergency_release_of_o_negative_without_cosignature_and_of_others_with_one() {
    on_both_engines(|w| {
        network(w);
        let (rbc, ffp) = (code(RBC), code(FFP));
        let mut out = Vec::new();
        // O RhD- red cells to an unknown (unregistered) patient: no co-signature needed.
        stock(w, "ts1", &din(1), &rbc, "O", "Neg");
        let r = ok(bb(
            w,
            "ts1",
            "emergency_release",
            json!({"unit": key(&din(1), &rbc), "recipient": id32("UNKNOWN-7"), "physician": "dr1"}),
        ));
        assert_eq!(event_names(w, &r), ["BreakGlassAccess", "EmergencyRelease"]);
        let e = &events(w, &r)[1]["fields"];
        assert_eq!(e["from"], "Available");
        assert_eq!(e["to"], "Issued");
        assert_eq!(e["physician"], json!(addr(w, "dr1")));
        assert_eq!(e["cosigned_by"], Value::Null);
        assert_eq!(status(w, &din(1), &rbc), json!("Issued"));
        // The break-the-glass access is logged against the physician, via the blood bank, for
        // review.
        register_actor(w, "po", "NETWORK", json!(["PrivacyOfficer"]));
        let pending = ok(w.query("po", "consent", "pending_btg_reviews", Value::Null)).value;
        let entry = &pending.as_array().unwrap()[0];
        assert_eq!(entry["actor"], json!(addr(w, "dr1")));
        assert_eq!(entry["via"], json!(addr(w, BB)));
        assert_eq!(entry["purpose"], "ETREAT");
        assert_eq!(entry["data_class"], "Transfusion");
        assert_eq!(entry["review"], "Pending");
        out.push(seen(&r));

        // O RhD+ red cells to S2 (O RhD-): co-signed by the medical director, the RhD rule is
        // waived.
        stock(w, "ts1", &din(2), &rbc, "O", "Pos");
        let auth = ok(bb(
            w,
            "md1",
            "authorize_emergency_release",
            json!({"unit": key(&din(2), &rbc), "recipient": id32("S2")}),
        ));
        assert_eq!(event_names(w, &auth), ["EmergencyReleaseAuthorized"]);
        let r = ok(bb(
            w,
            "ts1",
            "emergency_release",
            json!({"unit": key(&din(2), &rbc), "recipient": id32("S2"), "physician": "dr1"}),
        ));
        assert_eq!(
            events(w, &r)[1]["fields"]["cosigned_by"],
            json!(addr(w, "md1"))
        );
        out.push(seen(&r));
        // The co-signature is used up.
        ok(bb(
            w,
            "ts1",
            "return_unit",
            json!({"unit": key(&din(2), &rbc), "minutes_out": 5, "in_range": true}),
        ));
        err(
            &bb(
                w,
                "ts1",
                "emergency_release",
                json!({"unit": key(&din(2), &rbc), "recipient": id32("S2"), "physician": "dr1"}),
            ),
            "MedicalDirectorCosignRequired",
        );

        // AB plasma is the universal plasma; O plasma needs a co-signature.
        stock(w, "ts1", &din(3), &ffp, "AB", "Pos");
        ok(bb(
            w,
            "ts1",
            "emergency_release",
            json!({"unit": key(&din(3), &ffp), "recipient": id32("S1"), "physician": "dr1"}),
        ));
        stock(w, "ts1", &din(4), &ffp, "O", "Neg");
        err(
            &bb(
                w,
                "ts1",
                "emergency_release",
                json!({"unit": key(&din(4), &ffp), "recipient": id32("UNKNOWN-8"), "physician": "dr1"}),
            ),
            "MedicalDirectorCosignRequired",
        );
        // The recipient history records emergency issues.
        let h = ok(query(
            w,
            "recipient_history",
            json!({"subject": id32("S2"), "start": 0, "limit": 10}),
        ))
        .value;
        assert_eq!(h.as_array().unwrap().len(), 1);
        assert_eq!(h[0]["emergency"], true);
        out
    });
}

#[test]
fn transfusion_with_a_reaction_is_reported_for_hemovigilance() {
    on_both_engines(|w| {
        network(w);
        let rbc = code(RBC);
        stock(w, "ts1", &din(1), &rbc, "O", "Neg");
        ok(crossmatch(
            w,
            "ts1",
            &din(1),
            &rbc,
            "S1",
            "Compatible",
            T0 - HOUR,
        ));
        ok(issue(w, "ts1", &din(1), &rbc, "S1", "dr1"));
        w.sandbox.set_block(2, T0 + 600);
        let start = ok(bb(
            w,
            "dr1",
            "start_transfusion",
            json!({"unit": key(&din(1), &rbc), "recipient": id32("S1")}),
        ));
        assert_eq!(event_names(w, &start), ["TransfusionStarted"]);
        assert_eq!(status(w, &din(1), &rbc), json!("Transfused"));
        w.sandbox.set_block(3, T0 + 3 * HOUR);
        let end = ok(bb(
            w,
            "dr1",
            "end_transfusion",
            json!({"unit": key(&din(1), &rbc), "reaction": "TACO"}),
        ));
        assert_eq!(event_names(w, &end), ["TransfusionReaction"]);
        let e = &events(w, &end)[0]["fields"];
        assert_eq!(e["reaction"], "TACO");
        assert_eq!(e["recipient"], json!(id32("S1")));
        assert_eq!(e["started_at"], json!(T0 + 600));
        assert_eq!(e["from"], "InProgress");
        assert_eq!(e["to"], "Completed");
        let h = ok(query(
            w,
            "recipient_history",
            json!({"subject": id32("S1"), "start": 0, "limit": 10}),
        ))
        .value;
        assert_eq!(
            h,
            json!([{"din": din(1), "product_code": rbc, "class": "RedCells", "abo": "O", "rhd": "Neg",
                    "issued_at": T0, "emergency": false,
                    "transfusion": {"din": din(1), "product_code": rbc, "recipient": id32("S1"),
                                    "practitioner": addr(w, "dr1"), "started_at": T0 + 600,
                                    "ended_at": T0 + 3 * HOUR, "reaction_code": "TACO"}}])
        );
        // Without a reaction: TransfusionEnded.
        let ffp = code(FFP);
        stock(w, "ts1", &din(2), &ffp, "A", "Pos");
        ok(issue(w, "ts1", &din(2), &ffp, "S1", "dr1"));
        ok(bb(
            w,
            "dr1",
            "start_transfusion",
            json!({"unit": key(&din(2), &ffp), "recipient": id32("S1")}),
        ));
        let plain = ok(bb(
            w,
            "dr1",
            "end_transfusion",
            json!({"unit": key(&din(2), &ffp), "reaction": null}),
        ));
        assert_eq!(event_names(w, &plain), ["TransfusionEnded"]);
        // Paging.
        let page = ok(query(
            w,
            "recipient_history",
            json!({"subject": id32("S1"), "start": 1, "limit": 1}),
        ))
        .value;
        assert_eq!(page[0]["din"], json!(din(2)));
        (seen(&start), seen(&end), seen(&plain))
    });
}

#[test]
fn a_return_within_thirty_minutes_goes_back_to_stock_and_a_late_one_is_discarded() {
    on_both_engines(|w| {
        network(w);
        let ffp = code(FFP);
        let mut out = Vec::new();
        let ret = |n, m: u32, in_range: bool| json!({"unit": key(&din(n), &code(FFP)), "minutes_out": m, "in_range": in_range});
        for (n, minutes, in_range, to) in [
            (1, 30, true, json!("Available")),
            (
                2,
                31,
                true,
                json!({"Discarded": {"reason": "ReturnNotAcceptable"}}),
            ),
            (
                3,
                5,
                false,
                json!({"Discarded": {"reason": "ReturnNotAcceptable"}}),
            ),
        ] {
            stock(w, "ts1", &din(n), &ffp, "AB", "Pos");
            ok(issue(w, "ts1", &din(n), &ffp, "S1", "dr1"));
            let r = ok(bb(w, "ts1", "return_unit", ret(n, minutes, in_range)));
            assert_eq!(r.value, to);
            assert_eq!(event_names(w, &r), ["UnitReturned"]);
            let e = &events(w, &r)[0]["fields"];
            assert_eq!(e["from"], "Issued");
            assert_eq!(e["to"], to);
            assert_eq!(status(w, &din(n), &ffp), to);
            out.push(seen(&r));
        }
        // A returned unit is in stock again, reservation dropped, and can be issued again.
        let u = ok(query(w, "get_unit", json!({"unit": key(&din(1), &ffp)}))).value;
        assert_eq!(u["reserved_for"], Value::Null);
        ok(issue(w, "ts1", &din(1), &ffp, "S2", "dr1"));
        // The window is configurable.
        let mut config = ok(query(w, "get_config", Value::Null)).value;
        assert_eq!(config["return_window_minutes"], 30);
        config["return_window_minutes"] = json!(60);
        let r = ok(bb(w, "admin", "set_config", json!({"config": config})));
        assert_eq!(event_names(w, &r), ["ConfigChanged"]);
        stock(w, "ts1", &din(4), &ffp, "AB", "Pos");
        ok(issue(w, "ts1", &din(4), &ffp, "S1", "dr1"));
        assert_eq!(
            ok(bb(w, "ts1", "return_unit", ret(4, 45, true))).value,
            json!("Available")
        );
        out
    });
}

#[test]
fn recall_quarantines_every_live_component_and_lists_transfused_recipients() {
    on_both_engines(|w| {
        network(w);
        let d = din(1);
        let (rbc, ffp, plt, cryo) = (code(RBC), code(FFP), code(PLT), code(CRYO));
        // One whole-blood donation (O RhD-) split into red cells, plasma, platelets and cryo.
        stock(w, "ts1", &d, &rbc, "O", "Neg");
        ok(crossmatch(w, "ts1", &d, &rbc, "S1", "Compatible", T0));
        ok(issue(w, "ts1", &d, &rbc, "S1", "dr1"));
        ok(bb(
            w,
            "dr1",
            "start_transfusion",
            json!({"unit": key(&d, &rbc), "recipient": id32("S1")}),
        ));
        stock(w, "ts1", &d, &ffp, "O", "Neg");
        stock(w, "ts1", &d, &plt, "O", "Neg");
        ok(issue(w, "ts1", &d, &plt, "S2", "dr1"));
        ok(bb(
            w,
            "be1",
            "register_unit",
            new_unit(&d, &cryo, "O", "Neg", EXPIRY),
        ));
        ok(bb(
            w,
            "be1",
            "start_testing",
            json!({"unit": key(&d, &cryo)}),
        ));

        w.sandbox.set_block(2, T0 + DAY);
        let r = ok(bb(w, "reg1", "recall_donation", json!({"din": d})));
        assert_eq!(event_names(w, &r), ["LookbackNotice"]);
        let e = &events(w, &r)[0]["fields"];
        assert_eq!(
            e["quarantined"],
            json!([
                {"product_code": ffp, "from": "Available", "recipient": null},
                {"product_code": plt, "from": "Issued", "recipient": id32("S2")},
                {"product_code": cryo, "from": "InTesting", "recipient": null},
            ])
        );
        assert_eq!(
            e["transfused"],
            json!([{"product_code": rbc, "recipient": id32("S1"), "transfused_at": T0}])
        );
        assert_eq!(e["by"], json!(addr(w, "reg1")));
        assert_eq!(e["at"], json!(T0 + DAY));
        let lookback = json!({"Quarantined": {"reason": "Lookback"}});
        for pc in [&ffp, &plt, &cryo] {
            assert_eq!(status(w, &d, pc), lookback);
        }
        assert_eq!(status(w, &d, &rbc), json!("Transfused"));
        // The plasma may be released by the medical director; the cryo never passed testing.
        let released = ok(bb(
            w,
            "md1",
            "release_quarantine",
            json!({"unit": key(&d, &ffp), "reason_hash": id32("NEG-RETEST")}),
        ));
        assert_eq!(event_names(w, &released), ["QuarantineReleased"]);
        let r2 = bb(
            w,
            "md1",
            "release_quarantine",
            json!({"unit": key(&d, &cryo), "reason_hash": id32("X")}),
        );
        err(&r2, "InvalidTransition");
        assert_eq!(
            r2.value["fields"],
            json!({"entity": "Unit", "from": "Quarantined", "attempted": "Available"})
        );
        ok(bb(
            w,
            "be1",
            "discard",
            json!({"unit": key(&d, &cryo), "reason": "Lookback"}),
        ));
        // A blood establishment may recall too; a recall of a settled donation changes nothing
        // but is still recorded.
        let again = ok(bb(w, "be1", "recall_donation", json!({"din": d})));
        let e = &events(w, &again)[0]["fields"];
        assert_eq!(e["quarantined"].as_array().unwrap().len(), 2); // plasma, platelets
        (seen(&r), seen(&released), seen(&again))
    });
}

#[test]
fn vein_to_vein_traces_donor_components_recipients_and_transfusions() {
    on_both_engines(|w| {
        network(w);
        let d = din(7);
        let (rbc, ffp) = (code(RBC), code(FFP));
        stock(w, "ts1", &d, &rbc, "A", "Pos");
        stock(w, "ts1", &d, &ffp, "A", "Pos");
        ok(crossmatch(w, "ts1", &d, &rbc, "S1", "Compatible", T0));
        ok(issue(w, "ts1", &d, &rbc, "S1", "dr1"));
        ok(bb(
            w,
            "dr1",
            "start_transfusion",
            json!({"unit": key(&d, &rbc), "recipient": id32("S1")}),
        ));
        ok(bb(
            w,
            "dr1",
            "end_transfusion",
            json!({"unit": key(&d, &rbc), "reaction": null}),
        ));
        let v = ok(query(w, "vein_to_vein", json!({"din": d}))).value;
        assert_eq!(v["din"], json!(d));
        assert_eq!(v["donor"], json!(id32("D000007")));
        let c = v["components"].as_array().unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0]["unit"]["product_code"], json!(rbc));
        assert_eq!(c[0]["unit"]["status"], "Transfused");
        assert_eq!(c[0]["recipient"], json!(id32("S1")));
        assert_eq!(c[0]["transfusion"]["recipient"], json!(id32("S1")));
        assert_eq!(c[0]["transfusion"]["ended_at"], json!(T0));
        assert_eq!(c[1]["unit"]["status"], "Available");
        assert_eq!(c[1]["recipient"], Value::Null);
        assert_eq!(c[1]["transfusion"], Value::Null);
        // The unit records its custody and history hashes, never a name.
        assert_eq!(c[1]["unit"]["location"], json!(addr(w, "ts1")));
        assert_eq!(c[1]["unit"]["tests_hash"], json!(id32("TESTS")));
        v
    });
}

#[test]
fn platelet_policy_warns_rejects_and_looks_for_rhd_negative_stock_here_only() {
    on_both_engines(|w| {
        network(w);
        let (plt, plt_lt) = (code(PLT), code(PLT_LT));
        let mut out = Vec::new();
        let compat = |w: &World, d: &str, pc: &str, s: &str| {
            ok(query(
                w,
                "compatibility",
                json!({"unit": key(d, pc), "recipient": id32(s)}),
            ))
            .value
        };
        // A RhD+ to S1 (A RhD+): identical.
        stock(w, "ts1", &din(1), &plt, "A", "Pos");
        assert_eq!(
            compat(w, &din(1), &plt, "S1"),
            json!({"compatibility": "Allowed", "crossmatch": "NotRequired"})
        );
        // O RhD+ low-titer to S1 (A): minor mismatch, warned.
        stock(w, "ts1", &din(2), &plt_lt, "O", "Pos");
        let r = ok(issue(w, "ts1", &din(2), &plt_lt, "S1", "dr1"));
        assert_eq!(r.value, json!(["AboMinorMismatch"]));
        assert_eq!(
            events(w, &r)[1]["fields"]["warnings"],
            json!(["AboMinorMismatch"])
        );
        out.push(seen(&r));
        // A RhD+ to S3 (O RhD-, rh_sensitive) with no RhD- platelets at ts1: major mismatch and
        // RhIG, both warned.
        let r = ok(issue(w, "ts1", &din(1), &plt, "S3", "dr1"));
        assert_eq!(r.value, json!(["AboMajorMismatch", "RhIgRecommended"]));
        out.push(seen(&r));
        // RhD- platelets at another location do not count; at this one they do.
        stock(w, "ts2", &din(3), &plt, "B", "Neg");
        stock(w, "ts1", &din(4), &plt_lt, "O", "Pos");
        assert_eq!(
            compat(w, &din(4), &plt_lt, "S3")["compatibility"],
            json!({"AllowedWithWarning": ["RhIgRecommended"]})
        );
        // Not rh_sensitive S2 (O RhD-): only the warning, whatever the stock.
        stock(w, "ts1", &din(5), &plt, "AB", "Neg");
        assert_eq!(
            compat(w, &din(4), &plt_lt, "S3")["compatibility"],
            json!({"Rejected": "RhdNegativeAvailable"})
        );
        assert_eq!(
            compat(w, &din(4), &plt_lt, "S2")["compatibility"],
            json!({"AllowedWithWarning": ["RhIgRecommended"]})
        );
        // Once that RhD- unit is reserved it is no longer Available.
        ok(bb(
            w,
            "ts1",
            "reserve",
            json!({"unit": key(&din(5), &plt), "recipient": id32("S1")}),
        ));
        assert_eq!(
            compat(w, &din(4), &plt_lt, "S3")["compatibility"],
            json!({"AllowedWithWarning": ["RhIgRecommended"]})
        );
        // The policy is configurable: reject every major mismatch.
        let mut config = ok(query(w, "get_config", Value::Null)).value;
        assert_eq!(
            config["platelet_policy"],
            json!({"abo_major_mismatch": "Warn", "abo_minor_mismatch_low_titer": "Warn",
                   "abo_minor_mismatch": "Reject", "rhd_pos_to_neg": "Warn",
                   "rhd_negative_available": "Reject"})
        );
        config["platelet_policy"]["abo_major_mismatch"] = json!("Reject");
        ok(bb(w, "admin", "set_config", json!({"config": config})));
        stock(w, "ts1", &din(6), &plt, "A", "Neg");
        assert_eq!(
            compat(w, &din(6), &plt, "S2")["compatibility"],
            json!({"Rejected": "AboIncompatible"})
        );
        out
    });
}

#[test]
fn custody_transfer_moves_stock_between_locations() {
    on_both_engines(|w| {
        network(w);
        let rbc = code(RBC);
        let avail = |w: &World, at: &str| {
            ok(query(w, "available", json!({"location": at, "class": "RedCells", "abo": "O", "rhd": "Neg", "start": 0, "limit": 10})))
                .value
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["din"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        for n in 1..=3 {
            released(w, "be1", &din(n), &rbc, "O", "Neg", EXPIRY);
        }
        assert_eq!(avail(w, "be1"), [din(1), din(2), din(3)]);
        let r = ok(bb(
            w,
            "be1",
            "transfer_custody",
            json!({"unit": key(&din(1), &rbc), "to": "ts1"}),
        ));
        assert_eq!(event_names(w, &r), ["CustodyTransferred"]);
        let e = &events(w, &r)[0]["fields"];
        assert_eq!(e["from"], json!(addr(w, "be1")));
        assert_eq!(e["to"], json!(addr(w, "ts1")));
        assert_eq!(e["status"], "Available");
        assert_eq!(avail(w, "be1"), [din(3), din(2)]);
        assert_eq!(avail(w, "ts1"), [din(1)]);
        // Only the custodian acts on a unit: be1 no longer can.
        err(
            &bb(
                w,
                "be1",
                "discard",
                json!({"unit": key(&din(1), &rbc), "reason": "Other"}),
            ),
            "NotCustodian",
        );
        ok(bb(
            w,
            "ts1",
            "discard",
            json!({"unit": key(&din(1), &rbc), "reason": "Other"}),
        ));
        assert_eq!(avail(w, "ts1"), Vec::<String>::new());
        // Paging.
        let page = ok(query(w, "available", json!({"location": "be1", "class": "RedCells", "abo": "O", "rhd": "Neg", "start": 1, "limit": 1}))).value;
        assert_eq!(page[0]["din"], json!(din(2)));
        seen(&r)
    });
}

#[test]
fn temperature_readings_chain_into_the_log_hash() {
    on_both_engines(|w| {
        network(w);
        let rbc = code(RBC);
        stock(w, "ts1", &din(1), &rbc, "O", "Neg");
        let before = ok(query(w, "get_unit", json!({"unit": key(&din(1), &rbc)}))).value;
        assert_eq!(
            before["temp_log_hash"],
            json!(format!("0x{}", "00".repeat(32)))
        );
        // Limits are inclusive: 1.0 and 6.0 °C in storage, 10.0 °C in transport are in range.
        let mut hashes = Vec::new();
        for (context, tenths) in [("Storage", 10), ("Storage", 60), ("Transport", 100)] {
            let r = ok(temperature(w, "ts1", &din(1), &rbc, context, tenths));
            assert_eq!(r.value, json!("Available"), "{context} {tenths}");
            hashes.push(events(w, &r)[0]["fields"]["temp_log_hash"].clone());
        }
        hashes.dedup();
        assert_eq!(hashes.len(), 3, "each reading changes the chain");
        // An earlier reading may be logged late (event_time <= now).
        w.sandbox.set_block(2, T0 + HOUR);
        let late = ok(bb(
            w,
            "ts1",
            "record_temperature",
            json!({"unit": key(&din(1), &rbc), "context": "Storage", "tenths_c": 9, "event_time": T0}),
        ));
        assert_eq!(
            late.value,
            json!({"Quarantined": {"reason": "TempExcursion"}})
        );
        // Platelets: 20.0-24.0 °C; a quarantined unit logs further excursions without a move.
        let plt = code(PLT);
        stock(w, "ts1", &din(2), &plt, "O", "Neg");
        assert_eq!(
            ok(temperature(w, "ts1", &din(2), &plt, "Storage", 240)).value,
            json!("Available")
        );
        let r = ok(temperature(w, "ts1", &din(2), &plt, "Transport", 199));
        assert_eq!(r.value, json!({"Quarantined": {"reason": "TempExcursion"}}));
        let r = ok(temperature(w, "ts1", &din(2), &plt, "Storage", 300));
        assert_eq!(event_names(w, &r), ["ColdChainExcursion"]);
        assert_eq!(
            events(w, &r)[0]["fields"]["from"],
            events(w, &r)[0]["fields"]["to"]
        );
        // Frozen plasma at exactly -18.0 °C is in range.
        let ffp = code(FFP);
        stock(w, "ts1", &din(3), &ffp, "AB", "Neg");
        assert_eq!(
            ok(temperature(w, "ts1", &din(3), &ffp, "Transport", -180)).value,
            json!("Available")
        );
        seen(&late)
    });
}

#[test]
fn crossmatch_is_valid_for_seventy_two_hours_and_configurable() {
    on_both_engines(|w| {
        network(w);
        let rbc = code(RBC);
        stock(w, "ts1", &din(1), &rbc, "O", "Neg");
        ok(crossmatch(w, "ts1", &din(1), &rbc, "S1", "Compatible", T0));
        let x = ok(query(
            w,
            "get_crossmatch",
            json!({"unit": key(&din(1), &rbc), "recipient": id32("S1")}),
        ))
        .value;
        assert_eq!(x["valid_until"], json!(T0 + 72 * HOUR));
        assert_eq!(x["method"], "AHG");
        let c = |w: &World| {
            ok(query(
                w,
                "compatibility",
                json!({"unit": key(&din(1), &rbc), "recipient": id32("S1")}),
            ))
            .value["crossmatch"]
                .clone()
        };
        w.sandbox.set_block(2, T0 + 72 * HOUR - 1);
        assert_eq!(c(w), json!("Valid"));
        w.sandbox.set_block(3, T0 + 72 * HOUR);
        assert_eq!(c(w), json!("Expired"));
        // A new sample renews it; a shorter configured validity applies to new crossmatches.
        let mut config = ok(query(w, "get_config", Value::Null)).value;
        config["crossmatch_validity_secs"] = json!(24 * HOUR);
        ok(bb(w, "admin", "set_config", json!({"config": config})));
        let now = T0 + 72 * HOUR;
        ok(crossmatch(
            w,
            "ts1",
            &din(1),
            &rbc,
            "S1",
            "Compatible",
            now - HOUR,
        ));
        let x = ok(query(
            w,
            "get_crossmatch",
            json!({"unit": key(&din(1), &rbc), "recipient": id32("S1")}),
        ))
        .value;
        assert_eq!(x["valid_until"], json!(now + 23 * HOUR));
        let r = ok(issue(w, "ts1", &din(1), &rbc, "S1", "dr1"));
        seen(&r)
    });
}

#[test]
fn no_personal_health_information_is_in_the_metadata_types() {
    // Subjects are pseudonymous ids; the only text fields are ISBT 128 codes.
    let meta = carechain_tests::metadata(BB);
    let mut strings = Vec::new();
    for (name, def) in &meta.types {
        if let carechain_metadata::TypeDef::Struct { fields, .. } = def {
            for f in fields {
                if f.ty == carechain_metadata::Ty::String {
                    strings.push(format!("{name}.{}", f.name.clone().unwrap_or_default()));
                }
            }
        }
    }
    strings.sort();
    assert_eq!(strings, ["Din.", "ProductCode."]);
}

// ---- property tests: compatibility against an independent table ----

const GROUPS: [&str; 4] = ["O", "A", "B", "AB"];
const RHD: [&str; 2] = ["Pos", "Neg"];
/// DOMAIN.md §3, red cells: donor rows O, A, B, AB; recipient columns O, A, B, AB.
const RED_CELLS: [[bool; 4]; 4] = [
    [true, true, true, true],
    [false, true, false, true],
    [false, false, true, true],
    [false, false, false, true],
];
/// DOMAIN.md §3, plasma: AB -> all; A -> A, O; B -> B, O; O -> O only.
const PLASMA: [[bool; 4]; 4] = [
    [true, false, false, false],
    [true, true, false, false],
    [true, false, true, false],
    [true, true, true, true],
];
/// Component kinds: (product-code prefix, class, low-titer).
const KINDS: [(&str, &str, bool); 7] = [
    (RBC, "RedCells", false),
    (WB, "WholeBlood", false),
    (LTOWB, "WholeBlood", true),
    (FFP, "Plasma", false),
    (CRYO, "Cryo", false),
    (PLT, "Platelets", false),
    (PLT_LT, "Platelets", true),
];

/// A platelet policy as five actions: major, minor low-titer, minor, RhD+ to RhD-, RhD-
/// available for an rh_sensitive recipient.
type Policy = [&'static str; 5];
const DEFAULT_POLICY: Policy = ["Warn", "Warn", "Reject", "Warn", "Reject"];

fn policy_json(p: &Policy) -> Value {
    json!({"abo_major_mismatch": p[0], "abo_minor_mismatch_low_titer": p[1],
           "abo_minor_mismatch": p[2], "rhd_pos_to_neg": p[3], "rhd_negative_available": p[4]})
}

/// The expected `compatibility` report, from the tables above and the documented platelet
/// policy; `neg_here`: an RhD- platelet unit is Available at the unit's location.
#[allow(clippy::too_many_arguments)]
fn model(
    class: &str,
    low_titer: bool,
    d: usize,
    d_neg: bool,
    r: usize,
    r_neg: bool,
    rh_sensitive: bool,
    neg_here: bool,
    policy: &Policy,
) -> Value {
    let rhd_mismatch = !d_neg && r_neg;
    let crossmatch = if matches!(class, "RedCells" | "WholeBlood") {
        "Required"
    } else {
        "NotRequired"
    };
    let rejected =
        |why: &str| json!({"compatibility": {"Rejected": why}, "crossmatch": crossmatch});
    let allowed = |w: Vec<&str>| {
        if w.is_empty() {
            json!({"compatibility": "Allowed", "crossmatch": crossmatch})
        } else {
            json!({"compatibility": {"AllowedWithWarning": w}, "crossmatch": crossmatch})
        }
    };
    match class {
        "RedCells" | "WholeBlood" => {
            let abo = if class == "RedCells" || (low_titer && d == 0) {
                RED_CELLS[d][r]
            } else {
                d == r // whole blood: ABO-identical
            };
            if !abo {
                rejected("AboIncompatible")
            } else if rhd_mismatch {
                rejected("RhdIncompatible")
            } else {
                allowed(vec![])
            }
        }
        "Plasma" | "Cryo" => {
            if PLASMA[d][r] {
                allowed(vec![])
            } else {
                rejected("AboIncompatible")
            }
        }
        "Platelets" => {
            let mut warnings = Vec::new();
            let rules = [
                (
                    !RED_CELLS[d][r],
                    policy[0],
                    "AboMajorMismatch",
                    "AboIncompatible",
                ),
                (
                    !PLASMA[d][r],
                    if low_titer { policy[1] } else { policy[2] },
                    "AboMinorMismatch",
                    "PlateletPlasmaIncompatible",
                ),
                (
                    rhd_mismatch,
                    policy[3],
                    "RhIgRecommended",
                    "RhdIncompatible",
                ),
                (
                    rhd_mismatch && rh_sensitive && neg_here,
                    policy[4],
                    "RhIgRecommended",
                    "RhdNegativeAvailable",
                ),
            ];
            for (applies, action, warning, rejection) in rules {
                if !applies {
                    continue;
                }
                match action {
                    "Reject" => return rejected(rejection),
                    "Warn" if !warnings.contains(&warning) => warnings.push(warning),
                    _ => {}
                }
            }
            allowed(warnings)
        }
        other => panic!("no class {other}"),
    }
}

fn recipient_label(r: usize, r_neg: bool, sensitive: bool) -> String {
    format!(
        "R-{}-{}-{}",
        GROUPS[r],
        RHD[usize::from(r_neg)],
        u8::from(sensitive)
    )
}

/// Stocks one unit of every kind and blood group at `bc1`, RhD+ platelets also at `ts2` (where no
/// RhD- platelets are), and registers the 16 recipient typings. Returns the units:
/// (din, product code, class, low-titer, donor group, donor RhD-, location, RhD- here).
#[allow(clippy::type_complexity)]
fn compatibility_world(
    w: &mut World,
) -> Vec<(
    String,
    String,
    &'static str,
    bool,
    usize,
    bool,
    &'static str,
    bool,
)> {
    network(w);
    for (r, group) in GROUPS.iter().enumerate() {
        for r_neg in [false, true] {
            for sensitive in [false, true] {
                recipient(
                    w,
                    &recipient_label(r, r_neg, sensitive),
                    group,
                    RHD[usize::from(r_neg)],
                    sensitive,
                );
            }
        }
    }
    let mut units = Vec::new();
    let mut n = 1000;
    for (prefix, class, low_titer) in KINDS {
        for (d, group) in GROUPS.iter().enumerate() {
            for d_neg in [false, true] {
                n += 1;
                let (dn, pc) = (din(n), code(prefix));
                released(w, "bc1", &dn, &pc, group, RHD[usize::from(d_neg)], EXPIRY);
                units.push((dn, pc.clone(), class, low_titer, d, d_neg, "bc1", true));
                if class == "Platelets" && !d_neg {
                    n += 1;
                    let dn = din(n);
                    stock(w, "ts2", &dn, &pc, group, "Pos");
                    units.push((dn, pc, class, low_titer, d, d_neg, "ts2", false));
                }
            }
        }
    }
    units
}

#[test]
fn every_abo_rhd_combination_matches_the_independent_tables() {
    on_both_engines(|w| {
        let units = compatibility_world(w);
        let mut checked = 0;
        let mut gas = 0u64;
        for (dn, pc, class, low_titer, d, d_neg, _, neg_here) in &units {
            for (r, group) in GROUPS.iter().enumerate() {
                for r_neg in [false, true] {
                    for sensitive in [false, true] {
                        let got = ok(query(
                            w,
                            "compatibility",
                            json!({"unit": key(dn, pc), "recipient": id32(&recipient_label(r, r_neg, sensitive))}),
                        ));
                        let want = model(
                            class,
                            *low_titer,
                            *d,
                            *d_neg,
                            r,
                            r_neg,
                            sensitive,
                            *neg_here,
                            &DEFAULT_POLICY,
                        );
                        assert_eq!(
                            got.value,
                            want,
                            "{class} lt={low_titer} {}{} -> {}{} sensitive={sensitive} neg_here={neg_here}",
                            GROUPS[*d],
                            RHD[usize::from(*d_neg)],
                            group,
                            RHD[usize::from(r_neg)]
                        );
                        gas += got.result.gas_used;
                        checked += 1;
                    }
                }
            }
        }
        // 7 kinds x 8 donor groups x 16 recipient typings, plus the RhD+ platelets elsewhere.
        assert_eq!(checked, 7 * 8 * 16 + 8 * 16);
        (checked, gas)
    });
}

/// Two worlds, one per engine, driven in lockstep: every reply must agree, gas included.
struct Lockstep {
    worlds: [World; 2],
}

impl Lockstep {
    fn new(setup: impl Fn(&mut World)) -> Self {
        let mut worlds = [
            World::new(EngineKind::Wasmtime),
            World::new(EngineKind::Wasmi),
        ];
        for w in &mut worlds {
            setup(w);
        }
        Lockstep { worlds }
    }

    fn both(&mut self, f: impl Fn(&mut World) -> Reply) -> Reply {
        let a = f(&mut self.worlds[0]);
        let b = f(&mut self.worlds[1]);
        assert_eq!(seen(&a), seen(&b), "wasmtime and wasmi disagree");
        assert_eq!(
            self.worlds[0].sandbox.state_root(),
            self.worlds[1].sandbox.state_root()
        );
        a
    }

    fn w(&self) -> &World {
        &self.worlds[0]
    }
}

fn arb_action() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("Allow"), Just("Warn"), Just("Reject")]
}

#[test]
fn any_platelet_policy_is_applied_as_configured() {
    let units = RefCell::new(Vec::new());
    let lock = RefCell::new(Lockstep::new(|w| {
        let u = compatibility_world(w);
        *units.borrow_mut() = u;
    }));
    let units = units.into_inner();
    let platelets: Vec<_> = units.into_iter().filter(|u| u.2 == "Platelets").collect();
    let n = platelets.len();
    let mut runner = TestRunner::new(ProptestConfig::with_cases(24));
    let strategy = (
        [
            arb_action(),
            arb_action(),
            arb_action(),
            arb_action(),
            arb_action(),
        ],
        proptest::collection::vec((0..n, 0usize..4, any::<bool>(), any::<bool>()), 16),
    );
    runner
        .run(&strategy, |(policy, picks)| {
            let mut lock = lock.borrow_mut();
            let mut config = ok(query(lock.w(), "get_config", Value::Null)).value;
            config["platelet_policy"] = policy_json(&policy);
            lock.both(|w| ok(bb(w, "admin", "set_config", json!({"config": config.clone()}))));
            for (i, r, r_neg, sensitive) in picks {
                let (dn, pc, class, low_titer, d, d_neg, _, neg_here) = &platelets[i];
                let got = lock.both(|w| {
                    ok(query(
                        w,
                        "compatibility",
                        json!({"unit": key(dn, pc), "recipient": id32(&recipient_label(r, r_neg, sensitive))}),
                    ))
                });
                let want = model(class, *low_titer, *d, *d_neg, r, r_neg, sensitive, *neg_here, &policy);
                prop_assert_eq!(got.value, want, "policy {:?}", policy);
            }
            Ok(())
        })
        .unwrap();
}

// ---- property test: random calls never leave the state machine ----

/// An edge of DOMAIN.md's unit state machine.
fn spec_edge(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        ("Collected", "InTesting")
            | ("InTesting", "Available" | "Discarded")
            | (
                "Available",
                "Reserved" | "Quarantined" | "Discarded" | "Expired"
            )
            | ("Reserved", "Issued" | "Available" | "Quarantined")
            | ("Issued", "Transfused" | "Available" | "Quarantined")
            | ("Quarantined", "Available" | "Discarded")
    )
}

/// May `message` move a unit from `from` to `to`? A single edge of the machine, or one of the
/// contract's documented multi-edge moves and additions.
fn allowed_move(message: &str, from: &str, to: &str) -> bool {
    let terminal = matches!(from, "Transfused" | "Discarded" | "Expired");
    spec_edge(from, to)
        || match message {
            // Allocate and issue in one call: Available -> Reserved -> Issued.
            "issue" | "emergency_release" => from == "Available" && to == "Issued",
            // Outside the return rule: Issued -> Quarantined -> Discarded.
            "return_unit" => from == "Issued" && to == "Discarded",
            // Expiry is recorded from any non-terminal status.
            "expire_unit" => !terminal && to == "Expired",
            // A recall quarantines every live component, or re-quarantines it for lookback.
            "recall_donation" => !terminal && to == "Quarantined",
            _ => false,
        }
}

#[derive(Clone, Debug)]
enum Op {
    StartTesting(usize),
    ReleaseFromTesting(usize),
    Reserve(usize, usize),
    ReleaseReservation(usize),
    Crossmatch(usize, usize, bool),
    Issue(usize, usize),
    Authorize(usize, usize),
    Emergency(usize, usize),
    StartTransfusion(usize, usize),
    EndTransfusion(usize, bool),
    Return(usize, u32, bool),
    Quarantine(usize),
    ReleaseQuarantine(usize),
    Discard(usize),
    Temperature(usize, i32),
    Expire(usize),
    Recall(usize),
    Advance(u64),
}

const UNITS_PER_CASE: usize = 3;
const SUBJECTS: [&str; 3] = ["S1", "S2", "S3"];

fn arb_op() -> impl Strategy<Value = Op> {
    let u = 0..UNITS_PER_CASE;
    let s = 0..SUBJECTS.len();
    prop_oneof![
        u.clone().prop_map(Op::StartTesting),
        u.clone().prop_map(Op::ReleaseFromTesting),
        (u.clone(), s.clone()).prop_map(|(u, s)| Op::Reserve(u, s)),
        u.clone().prop_map(Op::ReleaseReservation),
        (u.clone(), s.clone(), any::<bool>()).prop_map(|(u, s, c)| Op::Crossmatch(u, s, c)),
        (u.clone(), s.clone()).prop_map(|(u, s)| Op::Issue(u, s)),
        (u.clone(), s.clone()).prop_map(|(u, s)| Op::Authorize(u, s)),
        (u.clone(), s.clone()).prop_map(|(u, s)| Op::Emergency(u, s)),
        (u.clone(), s.clone()).prop_map(|(u, s)| Op::StartTransfusion(u, s)),
        (u.clone(), any::<bool>()).prop_map(|(u, r)| Op::EndTransfusion(u, r)),
        (u.clone(), 0u32..60, any::<bool>()).prop_map(|(u, m, i)| Op::Return(u, m, i)),
        u.clone().prop_map(Op::Quarantine),
        u.clone().prop_map(Op::ReleaseQuarantine),
        u.clone().prop_map(Op::Discard),
        (u.clone(), -300i32..300).prop_map(|(u, t)| Op::Temperature(u, t)),
        u.clone().prop_map(Op::Expire),
        u.prop_map(Op::Recall),
        (0u64..3 * DAY).prop_map(Op::Advance),
    ]
}

/// The call an op makes on the units `keys`: (message, caller, arguments).
fn op_call(op: &Op, keys: &[Value], now: u64) -> Option<(&'static str, &'static str, Value)> {
    let s = |i: usize| id32(SUBJECTS[i]);
    Some(match op {
        Op::StartTesting(u) => ("start_testing", "bc1", json!({"unit": keys[*u]})),
        Op::ReleaseFromTesting(u) => (
            "release_from_testing",
            "bc1",
            json!({"unit": keys[*u], "tests_hash": id32("T")}),
        ),
        Op::Reserve(u, r) => (
            "reserve",
            "bc1",
            json!({"unit": keys[*u], "recipient": s(*r)}),
        ),
        Op::ReleaseReservation(u) => ("release_reservation", "bc1", json!({"unit": keys[*u]})),
        Op::Crossmatch(u, r, c) => (
            "record_crossmatch",
            "bc1",
            json!({"unit": keys[*u], "recipient": s(*r), "method": "AHG",
            "result": if *c { "Compatible" } else { "Incompatible" }, "sample_collected_at": now}),
        ),
        Op::Issue(u, r) => (
            "issue",
            "bc1",
            json!({"unit": keys[*u], "recipient": s(*r), "practitioner": "dr1"}),
        ),
        Op::Authorize(u, r) => (
            "authorize_emergency_release",
            "md1",
            json!({"unit": keys[*u], "recipient": s(*r)}),
        ),
        Op::Emergency(u, r) => (
            "emergency_release",
            "bc1",
            json!({"unit": keys[*u], "recipient": s(*r), "physician": "dr1"}),
        ),
        Op::StartTransfusion(u, r) => (
            "start_transfusion",
            "dr1",
            json!({"unit": keys[*u], "recipient": s(*r)}),
        ),
        Op::EndTransfusion(u, reaction) => (
            "end_transfusion",
            "dr1",
            json!({"unit": keys[*u], "reaction": if *reaction { json!("Allergic") } else { Value::Null }}),
        ),
        Op::Return(u, m, i) => (
            "return_unit",
            "bc1",
            json!({"unit": keys[*u], "minutes_out": m, "in_range": i}),
        ),
        Op::Quarantine(u) => (
            "quarantine",
            "bc1",
            json!({"unit": keys[*u], "reason": "Investigation"}),
        ),
        Op::ReleaseQuarantine(u) => (
            "release_quarantine",
            "md1",
            json!({"unit": keys[*u], "reason_hash": id32("WHY")}),
        ),
        Op::Discard(u) => (
            "discard",
            "bc1",
            json!({"unit": keys[*u], "reason": "Other"}),
        ),
        Op::Temperature(u, t) => (
            "record_temperature",
            "bc1",
            json!({"unit": keys[*u], "context": "Storage", "tenths_c": t, "event_time": now}),
        ),
        Op::Expire(u) => ("expire_unit", "anyone", json!({"unit": keys[*u]})),
        Op::Recall(u) => ("recall_donation", "reg1", json!({"din": keys[*u]["din"]})),
        Op::Advance(_) => return None,
    })
}

#[test]
fn no_sequence_of_calls_leaves_the_state_machine() {
    let lock = RefCell::new(Lockstep::new(network));
    let case = RefCell::new(0u32);
    let mut runner = TestRunner::new(ProptestConfig::with_cases(48));
    let kinds = [(RBC, "O", "Neg"), (FFP, "A", "Pos"), (PLT_LT, "O", "Pos")];
    let cases = (
        proptest::collection::vec(0usize..6, UNITS_PER_CASE),
        proptest::collection::vec(arb_op(), 1..24),
    );
    runner
        .run(&cases, |(start, ops)| {
            let mut lock = lock.borrow_mut();
            let mut n = case.borrow_mut();
            *n += 1;
            // Fresh units for each case (own DINs), expiring in four days, held by bc1, each
            // first driven to a random status: Collected, InTesting, Available, Reserved,
            // Issued or Quarantined.
            let now = lock.w().sandbox.block().time;
            let mut keys = Vec::new();
            for (i, (prefix, abo, rhd)) in kinds.iter().enumerate() {
                let dn = din(*n * 10 + i as u32);
                let pc = code(prefix);
                let k = key(&dn, &pc);
                let s1 = id32("S1");
                let mut setup: Vec<(&str, &str, Value)> =
                    vec![("bc1", "register_unit", new_unit(&dn, &pc, abo, rhd, now + 4 * DAY))];
                if start[i] >= 1 {
                    setup.push(("bc1", "start_testing", json!({"unit": k})));
                }
                if start[i] >= 2 {
                    setup.push(("bc1", "release_from_testing", json!({"unit": k, "tests_hash": id32("T")})));
                }
                match start[i] {
                    3 => setup.push(("bc1", "reserve", json!({"unit": k, "recipient": s1}))),
                    4 => {
                        setup.push(("bc1", "record_crossmatch", json!({"unit": k, "recipient": s1,
                            "method": "Electronic", "result": "Compatible", "sample_collected_at": now})));
                        setup.push(("bc1", "issue", json!({"unit": k, "recipient": s1, "practitioner": "dr1"})));
                    }
                    5 => setup.push(("bc1", "quarantine", json!({"unit": k, "reason": "VisualInspection"}))),
                    _ => {}
                }
                for (who, message, args) in setup {
                    lock.both(|w| ok(bb(w, who, message, args.clone())));
                }
                keys.push(k);
            }
            let statuses = |lock: &Lockstep| -> Vec<String> {
                keys.iter()
                    .map(|k| state_name(&ok(query(lock.w(), "get_unit", json!({"unit": k}))).value["status"]))
                    .collect()
            };
            let mut before = statuses(&lock);
            for op in &ops {
                let now = lock.w().sandbox.block().time;
                if let Op::Advance(secs) = op {
                    for w in &mut lock.worlds {
                        let b = w.sandbox.block();
                        w.sandbox.set_block(b.height + 1, now + secs);
                    }
                    continue;
                }
                let (message, who, args) = op_call(op, &keys, now).unwrap();
                let root = lock.w().sandbox.state_root();
                let r = lock.both(|w| bb(w, who, message, args.clone()));
                let after = statuses(&lock);
                if r.outcome() != "success" {
                    prop_assert_eq!(r.outcome(), "reverted", "{:?}: {}", op, r.value);
                    prop_assert_eq!(&after, &before, "{:?}: a failed call changes nothing", op);
                    prop_assert_eq!(lock.w().sandbox.state_root(), root);
                } else {
                    for (i, (a, b)) in before.iter().zip(&after).enumerate() {
                        prop_assert!(
                            a == b || allowed_move(message, a, b),
                            "{:?} moved unit {} {} -> {}", op, i, a, b
                        );
                    }
                }
                // The stock index lists a unit exactly while it is Available.
                for (k, (prefix, abo, rhd)) in keys.iter().zip(kinds) {
                    let class = KINDS.iter().find(|x| x.0 == prefix).unwrap().1;
                    let listed = ok(query(
                        lock.w(),
                        "available",
                        json!({"location": "bc1", "class": class, "abo": abo, "rhd": rhd, "start": 0, "limit": 50}),
                    ))
                    .value
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|u| u["din"] == k["din"]);
                    let status = state_name(&ok(query(lock.w(), "get_unit", json!({"unit": k}))).value["status"]);
                    prop_assert_eq!(listed, status == "Available", "{:?}: index of {}", op, k);
                }
                before = after;
            }
            Ok(())
        })
        .unwrap();
}
