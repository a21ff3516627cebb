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

mod errors_registration;
mod scenarios;
use errors_registration::{refused, role};
mod errors_emergency;
mod errors_issue;
mod errors_transfusion;
mod state_machine;
use state_machine::state_name;
mod compatibility;
mod flows;
mod random_calls;

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

/// A query as the regulator, who may read every record (see `reading.rs` for who else may).
fn query(w: &World, message: &str, args: Value) -> Reply {
    w.query("reg1", BB, message, args)
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
