//! DrugTrace (contracts/drug-trace) against DOMAIN.md §2 and acceptance scenarios 9-12, on both
//! engines: every scenario, every error of each message, every forbidden transition, the GS1
//! check digits and AI (17) dates, and a property test of the package state machine.

// The contract's GS1 module is plain Rust without dependencies: compile the very same file here
// and test it directly.
#[path = "../../../contracts/drug-trace/src/gs1.rs"]
#[allow(dead_code)]
mod gs1;

use carechain_tests::{Reply, World, on_both_engines};
use proptest::prelude::*;
use serde_json::{Value, json};

mod containers;
mod errors_commissioning;
mod recall;
mod scenarios;
mod verification;
use errors_commissioning::expect;
mod errors_dispensing;
mod errors_shipping;
mod gs1_checks;
mod privacy_and_gas;
mod random_calls;
mod state_machine;

/// The fixture GTIN (MFR1's product).
const GTIN: &str = "00312345678906";
/// The fixture SSCCs.
const SSCC1: &str = "003123450000000011";
const SSCC2: &str = "003123450000000028";
/// 2025-03-10, 2025-07-01 and 2026-01-01 (DOMAIN.md §6 fixtures).
const T0: u64 = 1_741_564_800;
const JULY_1_2025: u64 = 1_751_328_000;
const JAN_1_2026: u64 = 1_767_225_600;
/// A package that expires 2027-01-31.
const EXP: &str = "270131";

const DT: &str = "drug-trace";

// ---- identifiers ----

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A 32-byte hash from a short label: `H1` -> 0x4831000…
fn h32(label: &str) -> String {
    let mut bytes = [0u8; 32];
    bytes[..label.len()].copy_from_slice(label.as_bytes());
    format!("0x{}", hex(&bytes))
}

/// A 16-byte id (case, recall) from a short label.
fn id16(label: &str) -> String {
    let mut bytes = [0u8; 16];
    bytes[..label.len()].copy_from_slice(label.as_bytes());
    format!("0x{}", hex(&bytes))
}

/// `data` followed by its GS1 check digit.
fn with_check(data: &str) -> String {
    format!("{data}{}", gs1::check_digit(data.as_bytes()).unwrap())
}

/// The SSCC with serial reference `n` under company prefix 0312345 (extension digit 0).
fn sscc(n: u32) -> String {
    with_check(&format!("00312345{n:09}"))
}

/// MFR2's product.
fn gtin2() -> String {
    with_check("0031234567891")
}

fn gln(n: u32) -> String {
    with_check(&format!("0312345{n:05}"))
}

// ---- calls ----

/// What both engines must agree on.
fn seen(r: &Reply) -> (String, Value, u64) {
    (r.outcome(), r.value.clone(), r.result.gas_used)
}

#[track_caller]
fn ok(r: Reply) -> Reply {
    assert_eq!(r.outcome(), "success", "{}", r.value);
    r
}

fn dt(w: &mut World, who: &str, message: &str, args: Value) -> Reply {
    w.call(who, DT, message, args)
}

#[track_caller]
/// A query as the regulator, who may read every product record.
fn q(w: &World, message: &str, args: Value) -> Value {
    ok(w.query("reg", DT, message, args)).value
}

fn event_names(w: &World, r: &Reply) -> Vec<String> {
    events(w, r)
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

fn events(w: &World, r: &Reply) -> Vec<Value> {
    let meta = w.metadata_of(DT);
    r.result
        .events
        .iter()
        .map(|e| {
            let topics: Vec<[u8; 32]> = e.topics.iter().map(|t| t.0).collect();
            meta.decode_event(&topics, &e.data)
                .expect("a drug-trace event")
        })
        .collect()
}

fn pi_of(gtin: &str, serial: &str, lot: &str, expiry: &str) -> Value {
    json!({"gtin": gtin, "serial": serial, "lot": lot, "expiry": expiry})
}

fn pi(serial: &str, lot: &str, expiry: &str) -> Value {
    pi_of(GTIN, serial, lot, expiry)
}

fn sg(serial: &str) -> Value {
    json!({"Sgtin": {"gtin": GTIN, "serial": serial}})
}

fn sc(sscc: &str) -> Value {
    json!({"Sscc": sscc})
}

fn key(serial: &str) -> Value {
    json!({"gtin": GTIN, "serial": serial})
}

fn commission(w: &mut World, serials: &[&str], lot: &str, expiry: &str) -> Reply {
    let items: Vec<Value> = serials.iter().map(|s| pi(s, lot, expiry)).collect();
    dt(
        w,
        "mfr1",
        "commission",
        json!({"items": items, "event_time": null}),
    )
}

fn ship(w: &mut World, from: &str, epcs: Value, to: &str, ti_ts: &str) -> Reply {
    dt(
        w,
        from,
        "ship",
        json!({"epcs": epcs, "to": to, "ti_ts_hash": h32(ti_ts), "event_time": null}),
    )
}

fn receive(w: &mut World, by: &str, epcs: Value) -> Reply {
    dt(w, by, "receive", json!({"epcs": epcs, "event_time": null}))
}

fn pack(w: &mut World, by: &str, sscc: &str, children: Value) -> Reply {
    dt(
        w,
        by,
        "pack",
        json!({"sscc": sscc, "children": children, "event_time": null}),
    )
}

fn unpack(w: &mut World, by: &str, sscc: &str, children: Value) -> Reply {
    dt(
        w,
        by,
        "unpack",
        json!({"sscc": sscc, "children": children, "event_time": null}),
    )
}

fn quarantine(w: &mut World, by: &str, epcs: Value, case: &str) -> Reply {
    dt(
        w,
        by,
        "quarantine",
        json!({"epcs": epcs, "case_id": id16(case), "event_time": null}),
    )
}

fn resolve(w: &mut World, by: &str, case: &str, resolution: &str, fda: Option<&str>) -> Reply {
    dt(
        w,
        by,
        "resolve_investigation",
        json!({"case_id": id16(case), "resolution": resolution, "fda_notice_hash": fda.map(h32)}),
    )
}

fn recall(w: &mut World, by: &str, lot: &str, recall_id: &str) -> Reply {
    dt(
        w,
        by,
        "recall_lot",
        json!({"gtin": GTIN, "lot": lot, "recall_id": id16(recall_id), "class": "II"}),
    )
}

fn dispense(w: &mut World, by: &str, serial: &str, rx: Option<&str>) -> Reply {
    dt(
        w,
        by,
        "dispense",
        json!({"gtin": GTIN, "serial": serial, "rx_hash": rx.map(h32), "event_time": null}),
    )
}

fn decommission(w: &mut World, by: &str, serial: &str, reason: &str) -> Reply {
    dt(
        w,
        by,
        "decommission",
        json!({"gtin": GTIN, "serial": serial, "reason": reason, "event_time": null}),
    )
}

fn get_item(w: &World, serial: &str) -> Value {
    q(w, "get_item", key(serial))
}

fn variant(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(o) => o.keys().next().unwrap().clone(),
        other => panic!("not an enum: {other}"),
    }
}

/// (status, hold) of a package, as variant names.
fn state(w: &World, serial: &str) -> (String, String) {
    let item = get_item(w, serial);
    (variant(&item["status"]), variant(&item["hold"]))
}

/// A network: admin; manufacturers MFR1 (owns GTIN) and MFR2 (owns gtin2()); wholesalers WHS1,
/// WHS2; pharmacies PHR1, PHR2 (all authorized trading partners); regulator REG; prescriber DR1.
fn network(w: &mut World, require_rx: bool) {
    w.sandbox.set_block(1, T0);
    ok(w.deploy(
        "consent",
        "admin",
        "new",
        json!({"admin_org": "NETWORK", "btg_overrides_deny": true}),
    ));
    for (actor, role) in [
        ("mfr1", "Manufacturer"),
        ("mfr2", "Manufacturer"),
        ("whs1", "Wholesaler"),
        ("whs2", "Wholesaler"),
        ("phr1", "Dispenser"),
        ("phr2", "Dispenser"),
        ("reg", "Regulator"),
        ("dr1", "Practitioner"),
    ] {
        ok(w.call(
            "admin",
            "consent",
            "register_actor",
            json!({"actor": actor, "org": actor.to_uppercase(), "roles": [role], "licence_ref": h32("LIC")}),
        ));
    }
    ok(w.deploy(
        DT,
        "admin",
        "new",
        json!({"consent": "consent", "require_rx": require_rx}),
    ));
    for (i, (partner, role)) in [
        ("mfr1", "Manufacturer"),
        ("mfr2", "Manufacturer"),
        ("whs1", "Wholesaler"),
        ("whs2", "Wholesaler"),
        ("phr1", "Dispenser"),
        ("phr2", "Dispenser"),
    ]
    .into_iter()
    .enumerate()
    {
        ok(register_partner(w, partner, role, &gln(i as u32 + 1), true));
    }
    ok(dt(
        w,
        "admin",
        "register_gtin",
        json!({"gtin": GTIN, "owner": "mfr1"}),
    ));
    ok(dt(
        w,
        "admin",
        "register_gtin",
        json!({"gtin": gtin2(), "owner": "mfr2"}),
    ));
}

fn register_partner(
    w: &mut World,
    partner: &str,
    role: &str,
    gln: &str,
    authorized: bool,
) -> Reply {
    dt(
        w,
        "admin",
        "register_trading_partner",
        json!({"partner": partner, "role": role, "gln": gln, "licence_ref": h32("LIC"), "authorized": authorized}),
    )
}

fn set_active(w: &mut World, actor: &str, active: bool) {
    ok(w.call(
        "admin",
        "consent",
        "set_actor_active",
        json!({"actor": actor, "active": active}),
    ));
}

/// Commissions `serials` (lot `lot`) and moves them MFR1 -> PHR1.
fn at_pharmacy(w: &mut World, serials: &[&str], lot: &str, expiry: &str) {
    ok(commission(w, serials, lot, expiry));
    let epcs: Vec<Value> = serials.iter().map(|s| sg(s)).collect();
    ok(ship(w, "mfr1", json!(epcs), "phr1", "TI-PHR1"));
    ok(receive(w, "phr1", json!(epcs)));
}

fn register_rx(w: &mut World, rx: &str, gtin: &str, fills: u8, valid_until: u64) -> Reply {
    dt(
        w,
        "dr1",
        "register_prescription",
        json!({"prescription": {"rx_hash": h32(rx), "subject": h32("S1"), "gtin": gtin,
                                 "fills_allowed": fills, "valid_until": valid_until}}),
    )
}
