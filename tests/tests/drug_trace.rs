//! DrugTrace (contracts/drug-trace) against DOMAIN.md §2 and acceptance scenarios 9-12, on both
//! engines: every scenario, every error of each message, every forbidden transition, the GS1
//! check digits and AI (17) dates, and a property test of the package state machine.

// The contract's GS1 module is plain Rust without dependencies: compile the very same file here
// and test it directly.
#[path = "../../contracts/drug-trace/src/gs1.rs"]
#[allow(dead_code)]
mod gs1;

use carechain_tests::{Reply, World, on_both_engines};
use proptest::prelude::*;
use serde_json::{Value, json};

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
fn q(w: &World, message: &str, args: Value) -> Value {
    ok(w.query("anyone", DT, message, args)).value
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

// ---- acceptance scenarios ----

#[test]
fn scenario_9_duplicate_serial_and_brand_owner() {
    on_both_engines(|w| {
        network(w, false);
        let first = ok(commission(w, &["A1"], "L1", "270131"));
        assert_eq!(event_names(w, &first), ["Commissioned"]);
        let ev = &events(w, &first)[0]["fields"];
        assert_eq!(
            ev["epcis"],
            json!({"event_type": "ObjectEvent", "action": "ADD", "biz_step": "commissioning", "disposition": "active"})
        );
        let item = get_item(w, "A1");
        // 2027-01-31 ends at 2027-02-01 00:00:00Z.
        assert_eq!(item["expiry_end"], json!(1_801_440_000u64));
        assert_eq!(item["status"], "Active");
        assert_eq!(item["hold"], "None");

        let root = w.sandbox.state_root();
        let dup = commission(w, &["A1"], "L1", "270131");
        assert_eq!(dup.error(), Some("DuplicateSerial"));
        assert!(dup.result.events.is_empty(), "no event");
        assert_eq!(w.sandbox.state_root(), root);
        let lot = q(w, "get_lot", json!({"gtin": GTIN, "lot": "L1"}));
        assert_eq!(lot["items"], 1, "item count 1");
        let listed = q(
            w,
            "items_by_lot",
            json!({"gtin": GTIN, "lot": "L1", "start": 0, "limit": 10}),
        );
        assert_eq!(listed.as_array().unwrap().len(), 1);

        let whs = dt(
            w,
            "whs1",
            "commission",
            json!({"items": [pi("A9", "L1", "270131")], "event_time": null}),
        );
        assert_eq!(whs.error(), Some("NotBrandOwner"));
        assert!(whs.result.events.is_empty());
        (seen(&first), seen(&dup), seen(&whs))
    });
}

#[test]
fn scenario_10_happy_path_supply_chain() {
    on_both_engines(|w| {
        network(w, true);
        ok(commission(w, &["A2", "A3"], "L1", "270131"));
        w.sandbox.set_block(2, T0 + 3_600);
        let s1 = ok(ship(w, "mfr1", json!([sg("A2"), sg("A3")]), "whs1", "H1"));
        assert_eq!(s1.value, json!(0), "transfer 0");
        assert_eq!(event_names(w, &s1), ["Shipped"]);
        assert_eq!(
            state(w, "A2"),
            ("InTransit".to_string(), "None".to_string())
        );
        w.sandbox.set_block(3, T0 + 86_400);
        let r1 = ok(receive(w, "whs1", json!([sg("A2"), sg("A3")])));
        assert_eq!(event_names(w, &r1), ["Received"]);
        let item = get_item(w, "A2");
        assert_eq!(item["custodian"], item["owner"]);
        assert_eq!(item["location"], json!(gln(3)), "WHS1's GLN");
        w.sandbox.set_block(4, T0 + 2 * 86_400);
        let s2 = ok(ship(w, "whs1", json!([sg("A2"), sg("A3")]), "phr1", "H2"));
        w.sandbox.set_block(5, T0 + 3 * 86_400);
        let r2 = ok(receive(w, "phr1", json!([sg("A2"), sg("A3")])));

        ok(register_rx(w, "RX1", GTIN, 1, JAN_1_2026));
        w.sandbox.set_block(6, T0 + 4 * 86_400);
        let d = ok(dispense(w, "phr1", "A2", Some("RX1")));
        assert_eq!(event_names(w, &d), ["Dispensed"]);
        assert_eq!(events(w, &d)[0]["fields"]["fills_used"], json!(1));
        assert_eq!(get_item(w, "A2")["status"], "Dispensed");
        let rx = q(w, "get_prescription", json!({"rx_hash": h32("RX1")}));
        assert_eq!(rx["fills_used"], 1);

        let again = dispense(w, "phr1", "A3", Some("RX1"));
        assert_eq!(again.error(), Some("PrescriptionInvalid"));
        assert_eq!(again.value["fields"], json!({"reason": "FillsExhausted"}));

        let trace = q(w, "trace", json!({"gtin": GTIN, "serial": "A2"}));
        let trace = trace.as_array().unwrap();
        assert_eq!(trace.len(), 6);
        let steps: Vec<(&str, &str, &str)> = trace
            .iter()
            .map(|e| {
                (
                    e["epcis"]["biz_step"].as_str().unwrap(),
                    e["epcis"]["disposition"].as_str().unwrap(),
                    e["epcis"]["action"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            steps,
            [
                ("commissioning", "active", "ADD"),
                ("shipping", "in_transit", "OBSERVE"),
                ("receiving", "in_progress", "OBSERVE"),
                ("shipping", "in_transit", "OBSERVE"),
                ("receiving", "in_progress", "OBSERVE"),
                ("dispensing", "dispensed", "OBSERVE"),
            ]
        );
        let whs1 = format!("0x{}", hex(&w.address("whs1").0));
        let mfr1 = format!("0x{}", hex(&w.address("mfr1").0));
        let phr1 = format!("0x{}", hex(&w.address("phr1").0));
        // The DSCSA transaction information: who to whom, with which TI/TS.
        assert_eq!(
            trace[1]["transaction"],
            json!({"event_type": "TransactionEvent", "action": "ADD", "tx_id": 0,
                   "source": mfr1, "destination": whs1, "ti_ts_hash": h32("H1")})
        );
        assert_eq!(trace[4]["transaction"]["action"], "OBSERVE");
        assert_eq!(trace[4]["transaction"]["source"], json!(whs1));
        assert_eq!(trace[4]["transaction"]["destination"], json!(phr1));
        assert_eq!(trace[3]["transaction"]["ti_ts_hash"], json!(h32("H2")));
        let times: Vec<u64> = trace
            .iter()
            .map(|e| e["record_time"].as_u64().unwrap_or_else(|| panic!("{e}")))
            .collect();
        assert!(times.windows(2).all(|p| p[0] <= p[1]), "in order");
        let transfer = q(w, "get_transfer", json!({"tx_id": 1}));
        assert_eq!(transfer["from"], json!(whs1));
        assert_eq!(transfer["item_count"], 2);
        assert_eq!(transfer["change_of_ownership"], true);
        (
            seen(&s1),
            seen(&r1),
            seen(&s2),
            seen(&r2),
            seen(&d),
            seen(&again),
        )
    });
}

#[test]
fn scenario_11_expiry_passes() {
    on_both_engines(|w| {
        network(w, false);
        at_pharmacy(w, &["B1", "B2"], "L2", "250630");
        assert_eq!(get_item(w, "B1")["expiry_end"], json!(JULY_1_2025));
        w.sandbox.set_block(10, JULY_1_2025 - 1);
        let b1 = ok(dispense(w, "phr1", "B1", None));
        w.sandbox.set_block(11, JULY_1_2025);
        let b2 = dispense(w, "phr1", "B2", None);
        assert_eq!(b2.error(), Some("ProductExpired"));
        assert_eq!(get_item(w, "B2")["status"], "Active");
        // An expired package can still be decommissioned as expired.
        let gone = ok(decommission(w, "phr1", "B2", "expired"));
        assert_eq!(
            events(w, &gone)[0]["fields"]["epcis"],
            json!({"event_type": "ObjectEvent", "action": "DELETE", "biz_step": "decommissioning", "disposition": "expired"})
        );
        (seen(&b1), seen(&b2), seen(&gone))
    });
}

#[test]
fn scenario_12_suspect_then_illegitimate() {
    on_both_engines(|w| {
        network(w, false);
        at_pharmacy(w, &["F1"], "LF", EXP);
        w.sandbox.set_block(10, T0 + 86_400);
        let qr = ok(quarantine(w, "phr1", json!([sg("F1")]), "K1"));
        assert_eq!(event_names(w, &qr), ["Quarantined"]);
        assert_eq!(
            get_item(w, "F1")["hold"],
            json!({"Suspect": {"case_id": id16("K1")}})
        );
        assert_eq!(
            events(w, &qr)[0]["fields"]["epcis"],
            json!({"event_type": "ObjectEvent", "action": "OBSERVE", "biz_step": "holding", "disposition": "non_sellable_other"})
        );

        let req = ok(dt(
            w,
            "phr1",
            "request_verification",
            json!({"product_identifier": pi("F1", "LF", EXP)}),
        ));
        assert_eq!(req.value, json!(0));
        let request = q(w, "get_verification", json!({"req_id": 0}));
        assert_eq!(request["due_at"], json!(T0 + 2 * 86_400));
        assert_eq!(
            request["responder"],
            json!(format!("0x{}", hex(&w.address("mfr1").0)))
        );
        w.sandbox.set_block(11, T0 + 86_400 + 7_200);
        let resp = ok(dt(
            w,
            "mfr1",
            "respond_verification",
            json!({"req_id": 0, "result": "NotVerified"}),
        ));
        assert_eq!(resp.value, json!(false), "not late");

        let res = ok(resolve(w, "phr1", "K1", "Illegitimate", Some("H9")));
        assert_eq!(
            event_names(w, &res),
            ["InvestigationResolved", "IllegitimateProductNotice"]
        );
        assert_eq!(
            events(w, &res)[1]["fields"]["fda_notice_hash"],
            json!(h32("H9"))
        );
        assert_eq!(
            get_item(w, "F1")["hold"],
            json!({"Illegitimate": {"case_id": id16("K1")}})
        );
        assert_eq!(
            q(w, "get_investigation", json!({"case_id": id16("K1")}))["status"],
            "Illegitimate"
        );

        let shipped = ship(w, "phr1", json!([sg("F1")]), "whs1", "H3");
        assert_eq!(shipped.error(), Some("ItemOnHold"));
        assert_eq!(
            shipped.value["fields"],
            json!({"hold": {"Illegitimate": {"case_id": id16("K1")}}})
        );
        let gone = ok(decommission(w, "phr1", "F1", "destroyed"));
        assert_eq!(
            events(w, &gone)[0]["fields"]["epcis"],
            json!({"event_type": "ObjectEvent", "action": "DELETE", "biz_step": "destroying", "disposition": "destroyed"})
        );
        assert_eq!(
            get_item(w, "F1")["status"],
            json!({"Decommissioned": {"reason": "destroyed"}})
        );
        (
            seen(&qr),
            seen(&req),
            seen(&resp),
            seen(&res),
            seen(&shipped),
            seen(&gone),
        )
    });
}

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

// ---- verification ----

#[test]
fn verification_requests_are_due_in_24_hours_and_late_answers_are_flagged() {
    on_both_engines(|w| {
        network(w, false);
        let r0 = ok(dt(
            w,
            "whs1",
            "request_verification",
            json!({"product_identifier": pi("V1", "LV", EXP)}),
        ));
        let r1 = ok(dt(
            w,
            "reg",
            "request_verification",
            json!({"product_identifier": pi("V2", "LV", EXP)}),
        ));
        assert_eq!((r0.value.clone(), r1.value.clone()), (json!(0), json!(1)));
        let overdue = |w: &World| {
            q(w, "overdue_verifications", json!({"start": 0, "limit": 10}))
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["req_id"].as_u64().unwrap())
                .collect::<Vec<_>>()
        };
        w.sandbox.set_block(5, T0 + 86_399);
        assert_eq!(overdue(w), Vec::<u64>::new());
        let on_time = ok(dt(
            w,
            "mfr1",
            "respond_verification",
            json!({"req_id": 0, "result": "Verified"}),
        ));
        assert_eq!(on_time.value, json!(false));
        w.sandbox.set_block(6, T0 + 86_400);
        assert_eq!(overdue(w), vec![1], "due_at is exclusive");
        let late = ok(dt(
            w,
            "mfr1",
            "respond_verification",
            json!({"req_id": 1, "result": "NotVerified"}),
        ));
        assert_eq!(late.value, json!(true));
        let stored = q(w, "get_verification", json!({"req_id": 1}));
        assert_eq!(stored["late"], true);
        assert_eq!(stored["response"], "NotVerified");
        assert_eq!(overdue(w), Vec::<u64>::new());
        (seen(&r0), seen(&on_time), seen(&late))
    });
}

// ---- every error of every message ----

/// Expects `error` from `who` calling `message`: no event, no state change.
fn expect(
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

#[test]
fn every_error_of_ship_and_receive() {
    on_both_engines(|w| {
        network(w, false);
        let mut out = Vec::new();
        ok(commission(w, &["S1", "S2", "S3"], "LS", EXP));
        ok(commission(w, &["S4"], "LS4", "250331"));
        let s = |epcs: Value, to: &str, hash: Option<&str>| json!({"epcs": epcs, "to": to, "ti_ts_hash": hash.map(h32), "event_time": null});
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            json!({"epcs": [sg("S1")], "to": "whs1", "ti_ts_hash": h32("H"), "event_time": T0 + 1}),
            "FutureTimestamp",
        );
        expect(
            w,
            &mut out,
            "stranger",
            "ship",
            s(json!([sg("S1")]), "whs1", Some("H")),
            "UnauthorizedTradingPartner",
        );
        for to in ["stranger", "reg", "dr1"] {
            expect(
                w,
                &mut out,
                "mfr1",
                "ship",
                s(json!([sg("S1")]), to, Some("H")),
                "UnauthorizedTradingPartner",
            );
        }
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([]), "whs1", Some("H")),
            "NoItems",
        );
        let many: Vec<Value> = (0..101).map(|i| sg(&format!("X{i}"))).collect();
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!(many), "whs1", Some("H")),
            "TooManyItems",
        );
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([sg("S1")]), "whs1", None),
            "MissingTransactionInformation",
        );
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([sg("NOPE")]), "whs1", Some("H")),
            "ItemNotFound",
        );
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([sc(SSCC1)]), "whs1", Some("H")),
            "ContainerNotFound",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "ship",
            s(json!([sg("S1")]), "whs2", Some("H")),
            "NotCustodian",
        );
        ok(pack(w, "mfr1", SSCC1, json!([sg("S3")])));
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([sg("S3")]), "whs1", Some("H")),
            "ItemInContainer",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "ship",
            s(json!([sc(SSCC1)]), "whs2", Some("H")),
            "NotCustodian",
        );
        w.sandbox.set_block(5, 1_743_465_600); // 2025-04-01: S4 (250331) has expired.
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([sg("S1"), sg("S4")]), "whs1", Some("H")),
            "ProductExpired",
        );
        ok(quarantine(w, "mfr1", json!([sg("S2")]), "C1"));
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([sg("S2")]), "whs1", Some("H")),
            "ItemOnHold",
        );
        ok(ship(w, "mfr1", json!([sg("S1")]), "whs1", "H"));
        let r = expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([sg("S1")]), "whs2", Some("H")),
            "InvalidTransition",
        );
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Item", "from": "InTransit", "attempted": "InTransit"})
        );
        // A deauthorized consignee, a deactivated one, a deactivated shipper.
        ok(commission(w, &["S5"], "LS", EXP));
        ok(register_partner(w, "whs2", "Wholesaler", &gln(4), false));
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([sg("S5")]), "whs2", Some("H")),
            "UnauthorizedTradingPartner",
        );
        set_active(w, "phr2", false);
        expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([sg("S5")]), "phr2", Some("H")),
            "UnauthorizedTradingPartner",
        );
        set_active(w, "mfr1", false);
        let r = expect(
            w,
            &mut out,
            "mfr1",
            "ship",
            s(json!([sg("S5")]), "phr1", Some("H")),
            "Unauthorized",
        );
        assert_eq!(r.value["fields"], json!({"required_role": "Manufacturer"}));
        set_active(w, "mfr1", true);

        // receive
        let rc = |epcs: Value| json!({"epcs": epcs, "event_time": null});
        expect(
            w,
            &mut out,
            "whs1",
            "receive",
            json!({"epcs": [sg("S1")], "event_time": 1_743_465_601u64}),
            "FutureTimestamp",
        );
        expect(
            w,
            &mut out,
            "stranger",
            "receive",
            rc(json!([sg("S1")])),
            "UnauthorizedTradingPartner",
        );
        expect(w, &mut out, "whs1", "receive", rc(json!([])), "NoItems");
        expect(
            w,
            &mut out,
            "whs1",
            "receive",
            rc(json!(many)),
            "TooManyItems",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "receive",
            rc(json!([sg("NOPE")])),
            "ItemNotFound",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "receive",
            rc(json!([sc(SSCC2)])),
            "ContainerNotFound",
        );
        expect(
            w,
            &mut out,
            "phr1",
            "receive",
            rc(json!([sg("S1")])),
            "NotConsignee",
        );
        let r = expect(
            w,
            &mut out,
            "whs1",
            "receive",
            rc(json!([sg("S5")])),
            "InvalidTransition",
        );
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Item", "from": "Active", "attempted": "Active"})
        );
        let r = expect(
            w,
            &mut out,
            "whs1",
            "receive",
            rc(json!([sc(SSCC1)])),
            "InvalidTransition",
        );
        assert_eq!(r.value["fields"]["entity"], "Container");
        ok(ship(w, "mfr1", json!([sc(SSCC1)]), "whs1", "H"));
        expect(
            w,
            &mut out,
            "whs1",
            "receive",
            rc(json!([sg("S3")])),
            "ItemInContainer",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "receive",
            rc(json!([sg("S1"), sg("S1")])),
            "InvalidTransition",
        );
        ok(receive(w, "whs1", json!([sg("S1"), sc(SSCC1)])));
        out
    });
}

#[test]
fn every_error_of_quarantine_and_investigations() {
    on_both_engines(|w| {
        network(w, false);
        let mut out = Vec::new();
        at_pharmacy(w, &["I1", "I2", "I3", "I4"], "LI", EXP);
        let qa = |epcs: Value, case: &str| json!({"epcs": epcs, "case_id": id16(case), "event_time": null});
        expect(
            w,
            &mut out,
            "phr1",
            "quarantine",
            json!({"epcs": [sg("I1")], "case_id": id16("C1"), "event_time": T0 + 1}),
            "FutureTimestamp",
        );
        expect(
            w,
            &mut out,
            "stranger",
            "quarantine",
            qa(json!([sg("I1")]), "C1"),
            "UnauthorizedTradingPartner",
        );
        expect(
            w,
            &mut out,
            "phr1",
            "quarantine",
            qa(json!([]), "C1"),
            "NoItems",
        );
        let many: Vec<Value> = (0..101).map(|i| sg(&format!("X{i}"))).collect();
        expect(
            w,
            &mut out,
            "phr1",
            "quarantine",
            qa(json!(many), "C1"),
            "TooManyItems",
        );
        expect(
            w,
            &mut out,
            "phr1",
            "quarantine",
            qa(json!([sg("NOPE")]), "C1"),
            "ItemNotFound",
        );
        expect(
            w,
            &mut out,
            "phr1",
            "quarantine",
            qa(json!([sc(SSCC1)]), "C1"),
            "ContainerNotFound",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "quarantine",
            qa(json!([sg("I1")]), "C1"),
            "NotCustodian",
        );
        ok(pack(w, "phr1", SSCC1, json!([sg("I4")])));
        expect(
            w,
            &mut out,
            "whs1",
            "quarantine",
            qa(json!([sc(SSCC1)]), "C1"),
            "NotCustodian",
        );
        ok(unpack(w, "phr1", SSCC1, json!([sg("I4")])));
        let r = expect(
            w,
            &mut out,
            "phr1",
            "quarantine",
            qa(json!([sc(SSCC1)]), "C1"),
            "InvalidTransition",
        );
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Container", "from": "Unpacked", "attempted": "Suspect"})
        );
        ok(dispense(w, "phr1", "I3", None));
        let r = expect(
            w,
            &mut out,
            "phr1",
            "quarantine",
            qa(json!([sg("I3")]), "C1"),
            "InvalidTransition",
        );
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Item", "from": "Dispensed", "attempted": "Suspect"})
        );
        ok(quarantine(w, "phr1", json!([sg("I1")]), "C1"));
        expect(
            w,
            &mut out,
            "phr1",
            "quarantine",
            qa(json!([sg("I2")]), "C1"),
            "DuplicateCase",
        );
        expect(
            w,
            &mut out,
            "phr1",
            "quarantine",
            qa(json!([sg("I2"), sg("I1")]), "C2"),
            "ItemOnHold",
        );
        // A Regulator quarantines what it does not hold.
        ok(quarantine(w, "reg", json!([sg("I2")]), "C2"));

        // resolve_investigation
        let rs = |case: &str, res: &str, fda: Option<&str>| json!({"case_id": id16(case), "resolution": res, "fda_notice_hash": fda.map(h32)});
        expect(
            w,
            &mut out,
            "phr1",
            "resolve_investigation",
            rs("NOPE", "Cleared", None),
            "CaseNotFound",
        );
        let r = expect(
            w,
            &mut out,
            "whs1",
            "resolve_investigation",
            rs("C1", "Cleared", None),
            "Unauthorized",
        );
        assert_eq!(r.value["fields"], json!({"required_role": "Regulator"}));
        expect(
            w,
            &mut out,
            "phr1",
            "resolve_investigation",
            rs("C1", "Illegitimate", None),
            "FdaNoticeRequired",
        );
        // The opener must still be authorized.
        set_active(w, "phr1", false);
        expect(
            w,
            &mut out,
            "phr1",
            "resolve_investigation",
            rs("C1", "Cleared", None),
            "Unauthorized",
        );
        set_active(w, "phr1", true);
        // A Regulator resolves someone else's case.
        ok(w.call(
            "reg",
            DT,
            "resolve_investigation",
            rs("C1", "Cleared", None),
        ));
        assert_eq!(state(w, "I1").1, "None");
        for (res, fda) in [("Cleared", None), ("Illegitimate", Some("H9"))] {
            let r = expect(
                w,
                &mut out,
                "reg",
                "resolve_investigation",
                rs("C1", res, fda),
                "InvalidTransition",
            );
            assert_eq!(r.value["fields"]["entity"], "Investigation");
            assert_eq!(r.value["fields"]["from"], "Cleared");
        }
        ok(w.call(
            "reg",
            DT,
            "resolve_investigation",
            rs("C2", "Illegitimate", Some("H9")),
        ));
        let r = expect(
            w,
            &mut out,
            "reg",
            "resolve_investigation",
            rs("C2", "Cleared", None),
            "InvalidTransition",
        );
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Investigation", "from": "Illegitimate", "attempted": "Cleared"})
        );
        assert_eq!(
            q(w, "open_investigations", json!({"start": 0, "limit": 100})),
            json!([])
        );
        out
    });
}

#[test]
fn every_error_of_verification() {
    on_both_engines(|w| {
        network(w, false);
        let mut out = Vec::new();
        let rq = |p: Value| json!({"product_identifier": p});
        expect(
            w,
            &mut out,
            "whs1",
            "request_verification",
            rq(pi_of("00312345678900", "V1", "L", EXP)),
            "InvalidGtin",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "request_verification",
            rq(pi("V-1", "L", EXP)),
            "InvalidSerial",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "request_verification",
            rq(pi("V1", "", EXP)),
            "InvalidLot",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "request_verification",
            rq(pi("V1", "L", "270132")),
            "InvalidExpiry",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "request_verification",
            rq(pi_of(&with_check("0031234567899"), "V1", "L", EXP)),
            "GtinNotRegistered",
        );
        expect(
            w,
            &mut out,
            "stranger",
            "request_verification",
            rq(pi("V1", "L", EXP)),
            "UnauthorizedTradingPartner",
        );
        ok(w.call("whs1", DT, "request_verification", rq(pi("V1", "L", EXP))));
        let rp = |id: u32, res: &str| json!({"req_id": id, "result": res});
        expect(
            w,
            &mut out,
            "mfr1",
            "respond_verification",
            rp(7, "Verified"),
            "RequestNotFound",
        );
        expect(
            w,
            &mut out,
            "mfr2",
            "respond_verification",
            rp(0, "Verified"),
            "NotBrandOwner",
        );
        expect(
            w,
            &mut out,
            "whs1",
            "respond_verification",
            rp(0, "Verified"),
            "NotBrandOwner",
        );
        set_active(w, "mfr1", false);
        let r = expect(
            w,
            &mut out,
            "mfr1",
            "respond_verification",
            rp(0, "Verified"),
            "Unauthorized",
        );
        assert_eq!(r.value["fields"], json!({"required_role": "Manufacturer"}));
        set_active(w, "mfr1", true);
        ok(w.call("mfr1", DT, "respond_verification", rp(0, "Verified")));
        let r = expect(
            w,
            &mut out,
            "mfr1",
            "respond_verification",
            rp(0, "NotVerified"),
            "InvalidTransition",
        );
        assert_eq!(
            r.value["fields"],
            json!({"entity": "VerificationRequest", "from": "Responded", "attempted": "Responded"})
        );
        out
    });
}

#[test]
fn every_error_of_recall() {
    on_both_engines(|w| {
        network(w, false);
        let mut out = Vec::new();
        ok(commission(w, &["Z1"], "LZ", EXP));
        let rl =
            |lot: &str| json!({"gtin": GTIN, "lot": lot, "recall_id": id16("Z"), "class": "I"});
        expect(w, &mut out, "mfr1", "recall_lot", rl("NOPE"), "LotNotFound");
        for who in ["mfr2", "whs1", "stranger"] {
            expect(w, &mut out, who, "recall_lot", rl("LZ"), "NotBrandOwner");
        }
        let cr = |lot: &str| json!({"gtin": GTIN, "lot": lot});
        expect(
            w,
            &mut out,
            "mfr1",
            "continue_recall",
            cr("NOPE"),
            "LotNotFound",
        );
        expect(
            w,
            &mut out,
            "mfr2",
            "continue_recall",
            cr("LZ"),
            "NotBrandOwner",
        );
        expect(
            w,
            &mut out,
            "mfr1",
            "continue_recall",
            cr("LZ"),
            "NotRecalled",
        );
        set_active(w, "mfr1", false);
        let r = expect(w, &mut out, "mfr1", "recall_lot", rl("LZ"), "Unauthorized");
        assert_eq!(r.value["fields"], json!({"required_role": "Manufacturer"}));
        set_active(w, "mfr1", true);
        ok(w.call("mfr1", DT, "recall_lot", rl("LZ")));
        expect(
            w,
            &mut out,
            "mfr1",
            "recall_lot",
            rl("LZ"),
            "AlreadyRecalled",
        );
        expect(
            w,
            &mut out,
            "reg",
            "continue_recall",
            cr("LZ"),
            "RecallComplete",
        );
        let lot = q(w, "get_lot", json!({"gtin": GTIN, "lot": "LZ"}));
        assert_eq!(lot["recall"]["class"], "I");
        assert_eq!(lot["recall"]["processed"], 1);
        out
    });
}

#[test]
fn every_error_of_dispense() {
    on_both_engines(|w| {
        network(w, true);
        let mut out = Vec::new();
        at_pharmacy(w, &["D1", "D2", "D3", "D4", "D5"], "LD", EXP);
        at_pharmacy(w, &["E1"], "LE", "250331");
        ok(register_rx(w, "RX1", GTIN, 2, T0 + 86_400));
        ok(register_rx(w, "RX2", &gtin2(), 1, JAN_1_2026));
        let d = |serial: &str, rx: Option<&str>| json!({"gtin": GTIN, "serial": serial, "rx_hash": rx.map(h32), "event_time": null});
        expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            json!({"gtin": GTIN, "serial": "D1", "rx_hash": h32("RX1"), "event_time": T0 + 1}),
            "FutureTimestamp",
        );
        let r = expect(
            w,
            &mut out,
            "whs1",
            "dispense",
            d("D1", Some("RX1")),
            "Unauthorized",
        );
        assert_eq!(r.value["fields"], json!({"required_role": "Dispenser"}));
        expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            d("NOPE", Some("RX1")),
            "ItemNotFound",
        );
        expect(
            w,
            &mut out,
            "phr2",
            "dispense",
            d("D1", Some("RX1")),
            "NotCustodian",
        );
        let missing = expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            d("D1", None),
            "PrescriptionInvalid",
        );
        assert_eq!(missing.value["fields"], json!({"reason": "Missing"}));
        let nf = expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            d("D1", Some("RX9")),
            "PrescriptionInvalid",
        );
        assert_eq!(nf.value["fields"], json!({"reason": "NotFound"}));
        let wrong = expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            d("D1", Some("RX2")),
            "PrescriptionInvalid",
        );
        assert_eq!(wrong.value["fields"], json!({"reason": "WrongProduct"}));
        ok(pack(w, "phr1", SSCC1, json!([sg("D2")])));
        expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            d("D2", Some("RX1")),
            "ItemInContainer",
        );
        ok(quarantine(w, "phr1", json!([sg("D3")]), "C1"));
        expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            d("D3", Some("RX1")),
            "ItemOnHold",
        );
        ok(dispense(w, "phr1", "D1", Some("RX1")));
        let r = expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            d("D1", Some("RX1")),
            "InvalidTransition",
        );
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Item", "from": "Dispensed", "attempted": "Dispensed"})
        );
        w.sandbox.set_block(9, T0 + 86_400);
        let exp = expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            d("D4", Some("RX1")),
            "PrescriptionInvalid",
        );
        assert_eq!(exp.value["fields"], json!({"reason": "Expired"}));
        w.sandbox.set_block(10, 1_743_465_600); // 2025-04-01: E1 (250331) has expired.
        expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            d("E1", Some("RX2")),
            "ProductExpired",
        );
        // A recalled lot whose packages were held: the hold answers first.
        ok(recall(w, "mfr1", "LD", "Z-1"));
        let r = expect(
            w,
            &mut out,
            "phr1",
            "dispense",
            d("D5", Some("RX1")),
            "ItemOnHold",
        );
        assert_eq!(
            r.value["fields"],
            json!({"hold": {"Recalled": {"recall_id": id16("Z-1")}}})
        );
        out
    });
}

#[test]
fn every_error_of_decommission_and_the_queries() {
    on_both_engines(|w| {
        network(w, false);
        let mut out = Vec::new();
        at_pharmacy(w, &["X1", "X2", "X3", "X4"], "LX", EXP);
        let d = |serial: &str| json!({"gtin": GTIN, "serial": serial, "reason": "inactive", "event_time": null});
        expect(
            w,
            &mut out,
            "phr1",
            "decommission",
            json!({"gtin": GTIN, "serial": "X1", "reason": "inactive", "event_time": T0 + 1}),
            "FutureTimestamp",
        );
        expect(
            w,
            &mut out,
            "stranger",
            "decommission",
            d("X1"),
            "UnauthorizedTradingPartner",
        );
        expect(
            w,
            &mut out,
            "phr1",
            "decommission",
            d("NOPE"),
            "ItemNotFound",
        );
        expect(w, &mut out, "phr2", "decommission", d("X1"), "NotCustodian");
        ok(pack(w, "phr1", SSCC1, json!([sg("X2")])));
        expect(
            w,
            &mut out,
            "phr1",
            "decommission",
            d("X2"),
            "ItemInContainer",
        );
        ok(quarantine(w, "phr1", json!([sg("X3")]), "C1"));
        let r = expect(w, &mut out, "phr1", "decommission", d("X3"), "ItemOnHold");
        assert_eq!(
            r.value["fields"],
            json!({"hold": {"Suspect": {"case_id": id16("C1")}}})
        );
        ok(decommission(w, "phr1", "X1", "inactive"));
        let r = expect(
            w,
            &mut out,
            "phr1",
            "decommission",
            d("X1"),
            "InvalidTransition",
        );
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Item", "from": "Decommissioned", "attempted": "Decommissioned"})
        );

        // Queries.
        let errors = [
            ("get_item", key("NOPE"), "ItemNotFound"),
            ("trace", key("NOPE"), "ItemNotFound"),
            ("get_container", json!({"sscc": SSCC2}), "ContainerNotFound"),
            (
                "get_lot",
                json!({"gtin": GTIN, "lot": "NOPE"}),
                "LotNotFound",
            ),
            (
                "items_by_lot",
                json!({"gtin": GTIN, "lot": "NOPE", "start": 0, "limit": 5}),
                "LotNotFound",
            ),
            (
                "get_investigation",
                json!({"case_id": id16("NOPE")}),
                "CaseNotFound",
            ),
            ("get_verification", json!({"req_id": 0}), "RequestNotFound"),
            ("get_transfer", json!({"tx_id": 99}), "TransferNotFound"),
        ];
        for (message, args, error) in errors {
            let r = w.query("anyone", DT, message, args);
            assert_eq!(r.error(), Some(error), "{message}");
            out.push(seen(&r));
        }
        let page = q(
            w,
            "items_by_lot",
            json!({"gtin": GTIN, "lot": "LX", "start": 1, "limit": 2}),
        );
        let serials: Vec<&str> = page
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["serial"].as_str().unwrap())
            .collect();
        assert_eq!(serials, ["X2", "X3"]);
        assert_eq!(
            q(w, "gtin_owner", json!({"gtin": GTIN})),
            json!(format!("0x{}", hex(&w.address("mfr1").0)))
        );
        assert_eq!(
            q(w, "get_trading_partner", json!({"partner": "phr1"}))["role"],
            "Dispenser"
        );
        assert_eq!(q(w, "config", Value::Null)["require_rx"], false);
        out
    });
}

#[test]
fn the_directory_must_answer() {
    on_both_engines(|w| {
        w.sandbox.set_block(1, T0);
        // Deployed against an address that is not the AccessConsent contract.
        ok(w.deploy(
            DT,
            "admin",
            "new",
            json!({"consent": "nobody", "require_rx": false}),
        ));
        let r = dt(
            w,
            "admin",
            "register_gtin",
            json!({"gtin": GTIN, "owner": "mfr1"}),
        );
        assert_eq!(r.error(), Some("DirectoryUnavailable"));
        seen(&r)
    });
}

#[test]
fn a_full_history_refuses_moves_but_keeps_room_to_end() {
    on_both_engines(|w| {
        network(w, false);
        ok(commission(w, &["T1"], "LT", EXP));
        // Commissioning is entry 1; each pack/unpack cycle adds 2. Packing needs fewer than
        // 64 - 8 = 56 entries.
        let mut n = 1;
        let mut i = 100;
        while n < 55 {
            ok(pack(w, "mfr1", &sscc(i), json!([sg("T1")])));
            ok(unpack(w, "mfr1", &sscc(i), json!([sg("T1")])));
            n += 2;
            i += 1;
        }
        assert_eq!(get_item(w, "T1")["events"], 55);
        ok(pack(w, "mfr1", &sscc(i), json!([sg("T1")])));
        ok(unpack(w, "mfr1", &sscc(i), json!([sg("T1")])));
        assert_eq!(get_item(w, "T1")["events"], 57);
        let root = w.sandbox.state_root();
        let full = pack(w, "mfr1", &sscc(i + 1), json!([sg("T1")]));
        assert_eq!(full.error(), Some("TraceFull"));
        let ship_full = ship(w, "mfr1", json!([sg("T1")]), "whs1", "H");
        assert_eq!(ship_full.error(), Some("TraceFull"));
        let q_full = quarantine(w, "mfr1", json!([sg("T1")]), "C1");
        assert_eq!(q_full.error(), Some("TraceFull"));
        assert_eq!(w.sandbox.state_root(), root);
        // The reserve still records a recall hold and the end of the package.
        ok(recall(w, "mfr1", "LT", "Z-1"));
        let end = ok(decommission(w, "mfr1", "T1", "destroyed"));
        let trace = q(w, "trace", json!({"gtin": GTIN, "serial": "T1"}));
        assert_eq!(trace.as_array().unwrap().len(), 59);
        (seen(&full), seen(&ship_full), seen(&q_full), seen(&end))
    });
}

#[test]
fn the_history_is_hash_chained() {
    on_both_engines(|w| {
        network(w, false);
        at_pharmacy(w, &["H1"], "LH", EXP);
        let item = get_item(w, "H1");
        assert_eq!(item["events"], 3);
        let first = item["last_event"].clone();
        ok(dispense(w, "phr1", "H1", None));
        let after = get_item(w, "H1")["last_event"].clone();
        assert_ne!(first, after);
        assert_ne!(after, json!(h32("")));
        after
    });
}

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
                Err(on_hold),
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

// ---- property: no call sequence reaches a forbidden state ----

/// True if a package may go from `a` to `b` (status, hold) in one call.
fn allowed(a: &(String, String), b: &(String, String)) -> bool {
    if a == b {
        return true;
    }
    let (s0, h0) = (a.0.as_str(), a.1.as_str());
    let (s1, h1) = (b.0.as_str(), b.1.as_str());
    match (s0, s1) {
        // Terminal states have no outgoing edges.
        ("Dispensed" | "Decommissioned", _) => false,
        // Ship, dispense: only unheld packages.
        ("Active", "InTransit") | ("Active", "Dispensed") => h0 == "None" && h1 == "None",
        // Decommission: not while under investigation; the hold stays.
        ("Active", "Decommissioned") => h0 == h1 && h0 != "Suspect",
        // Receive: custody whatever the hold; a recall in transit holds on receipt.
        ("InTransit", "Active") => h0 == h1 || (h0 == "None" && h1 == "Recalled"),
        (x, y) if x == y => match (h0, h1) {
            ("None", "Suspect") | ("Recalled", "Suspect") => true,
            ("Suspect", "None" | "Recalled" | "Illegitimate") => true,
            // A recall holds packages in custody only.
            ("None", "Recalled") => x == "Active",
            _ => false,
        },
        _ => false,
    }
}

/// Who makes a call: the party that may (custodian, consignee), or any of `PARTNERS`.
#[derive(Clone, Copy, Debug)]
enum Who {
    Right,
    Any(usize),
}

#[derive(Clone, Debug)]
enum Op {
    Ship { item: usize, by: Who, to: usize },
    Receive { item: usize, by: Who },
    Dispense { item: usize, by: Who },
    Decommission { item: usize, by: Who },
    Quarantine { item: usize, by: Who },
    Resolve { case: usize, illegitimate: bool },
    Recall { item: usize },
    Pack { item: usize, by: Who },
    Unpack { item: usize },
    Later,
}

const PARTNERS: [&str; 4] = ["mfr1", "whs1", "phr1", "reg"];
const SERIALS: [&str; 3] = ["P1", "P2", "P3"];

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![3 => Just(Who::Right), 1 => (0..PARTNERS.len()).prop_map(Who::Any)]
}

fn op() -> impl Strategy<Value = Op> {
    let item = 0..SERIALS.len();
    prop_oneof![
        4 => (item.clone(), who(), 0..PARTNERS.len()).prop_map(|(item, by, to)| Op::Ship { item, by, to }),
        4 => (item.clone(), who()).prop_map(|(item, by)| Op::Receive { item, by }),
        2 => (item.clone(), who()).prop_map(|(item, by)| Op::Dispense { item, by }),
        1 => (item.clone(), who()).prop_map(|(item, by)| Op::Decommission { item, by }),
        1 => (item.clone(), who()).prop_map(|(item, by)| Op::Quarantine { item, by }),
        2 => (0..6usize, any::<bool>()).prop_map(|(case, illegitimate)| Op::Resolve { case, illegitimate }),
        1 => item.clone().prop_map(|item| Op::Recall { item }),
        1 => (item.clone(), who()).prop_map(|(item, by)| Op::Pack { item, by }),
        1 => item.prop_map(|item| Op::Unpack { item }),
        1 => Just(Op::Later),
    ]
}

/// The name of the partner at `address` (JSON hex), if any.
fn partner_at(w: &World, address: &Value) -> Option<&'static str> {
    PARTNERS
        .iter()
        .find(|p| json!(format!("0x{}", hex(&w.address(p).0))) == *address)
        .copied()
}

/// The caller `who` stands for, for package `item`: its custodian, or its consignee when
/// `consignee` and it is in transit.
fn caller(w: &World, who: Who, item: usize, consignee: bool) -> &'static str {
    match who {
        Who::Any(i) => PARTNERS[i],
        Who::Right => {
            let it = get_item(w, SERIALS[item]);
            let to = &it["status"]["InTransit"]["to"];
            if consignee && !to.is_null() {
                partner_at(w, to).unwrap_or("whs1")
            } else {
                partner_at(w, &it["custodian"]).unwrap_or("mfr1")
            }
        }
    }
}

/// Runs `ops` on three packages (each its own lot, all at MFR1); after each call checks that
/// every package moved along an allowed edge, and that a refused call changed nothing. Returns
/// every call's outcome for the engines to compare.
fn run_ops(w: &mut World, ops: &[Op]) -> Vec<(String, Value, u64)> {
    network(w, false);
    for (i, s) in SERIALS.iter().enumerate() {
        ok(commission(w, &[s], &format!("L{i}"), EXP));
    }
    let mut out = Vec::new();
    let mut cases = 0usize;
    let mut containers = 0u32;
    let mut time = T0;
    for (step, op) in ops.iter().enumerate() {
        let before: Vec<_> = SERIALS.iter().map(|s| state(w, s)).collect();
        let root = w.sandbox.state_root();
        let r = match *op {
            Op::Ship { item, by, to } => {
                let from = caller(w, by, item, false);
                ship(w, from, json!([sg(SERIALS[item])]), PARTNERS[to], "H")
            }
            Op::Receive { item, by } => {
                let by = caller(w, by, item, true);
                receive(w, by, json!([sg(SERIALS[item])]))
            }
            Op::Dispense { item, by } => {
                let by = caller(w, by, item, false);
                dispense(w, by, SERIALS[item], None)
            }
            Op::Decommission { item, by } => {
                let by = caller(w, by, item, false);
                decommission(w, by, SERIALS[item], "destroyed")
            }
            Op::Quarantine { item, by } => {
                cases += 1;
                let by = caller(w, by, item, false);
                quarantine(w, by, json!([sg(SERIALS[item])]), &format!("C{cases}"))
            }
            Op::Resolve { case, illegitimate } => {
                let (res, fda) = if illegitimate {
                    ("Illegitimate", Some("H9"))
                } else {
                    ("Cleared", None)
                };
                resolve(w, "reg", &format!("C{}", case % (cases + 1)), res, fda)
            }
            Op::Recall { item } => recall(w, "reg", &format!("L{item}"), "Z"),
            Op::Pack { item, by } => {
                containers += 1;
                let by = caller(w, by, item, false);
                pack(w, by, &sscc(500 + containers), json!([sg(SERIALS[item])]))
            }
            Op::Unpack { item } => {
                let parent = get_item(w, SERIALS[item])["parent"].clone();
                let by = caller(w, Who::Right, item, false);
                let sscc = parent.as_str().unwrap_or(SSCC1).to_string();
                unpack(w, by, &sscc, json!([sg(SERIALS[item])]))
            }
            Op::Later => {
                time += 3_600;
                w.sandbox.set_block(100 + step as u64, time);
                continue;
            }
        };
        let after: Vec<_> = SERIALS.iter().map(|s| state(w, s)).collect();
        for (i, (a, b)) in before.iter().zip(&after).enumerate() {
            assert!(
                allowed(a, b),
                "step {step} {op:?}: {} went {a:?} -> {b:?}",
                SERIALS[i]
            );
        }
        if r.outcome() != "success" {
            assert_eq!(after, before, "step {step} {op:?}: refused, unchanged");
            assert_eq!(w.sandbox.state_root(), root, "step {step} {op:?}");
        }
        out.push(seen(&r));
    }
    out
}

proptest! {
    // Modest: each case deploys a network and runs up to 40 calls on both engines. Failures are
    // reported with their minimal input; no regression files are written.
    #![proptest_config(ProptestConfig {
        cases: 16,
        max_shrink_iters: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_call_sequence_reaches_a_forbidden_state(ops in proptest::collection::vec(op(), 1..40)) {
        on_both_engines(|w| run_ops(w, &ops));
    }
}

// ---- GS1 identifiers and dates ----

#[test]
fn gs1_check_digits() {
    assert!(gs1::is_gtin14(GTIN));
    assert_eq!(gs1::check_digit(b"0031234567890"), Some(6));
    for bad in [
        "00312345678900",
        "00312345678901",
        "00312345678907",
        "0031234567890",
        "003123456789060",
        "0031234567890a",
        "",
    ] {
        assert!(!gs1::is_gtin14(bad), "{bad}");
    }
    assert!(gs1::is_sscc18(SSCC1));
    assert!(gs1::is_sscc18(SSCC2));
    assert!(!gs1::is_sscc18("003123450000000012"));
    assert!(!gs1::is_sscc18("003123450000000021"));
    assert!(!gs1::is_sscc18(GTIN));
    // Published examples: EAN-13 4006381333931 (as a GTIN-14 with a leading 0), GTIN-13
    // 6291041500213 and SSCC 106141411234567897.
    assert!(gs1::is_gtin14("04006381333931"));
    assert!(gs1::is_sscc18("106141411234567897"));
    assert!(!gs1::is_sscc18("106141411234567890"));
    assert!(gs1::is_gln13(&gln(1)));
    assert_eq!(gs1::check_digit(b"629104150021"), Some(3));
    // A zero check digit: the weighted sum is a multiple of 10.
    assert_eq!(gs1::check_digit(b"0000000000000"), Some(0));
    assert_eq!(gs1::check_digit(b"12a"), None);
}

#[test]
fn gs1_serial_and_lot_character_sets() {
    assert!(gs1::is_serial("A1"));
    assert!(gs1::is_serial("ABCDEFGHIJ0123456789"));
    assert!(!gs1::is_serial("ABCDEFGHIJ01234567890"));
    assert!(!gs1::is_serial(""));
    assert!(!gs1::is_serial("A-1"));
    assert!(!gs1::is_serial("Ä1"));
    assert!(gs1::is_lot("L1"));
    assert!(gs1::is_lot("24-001/B.7_x"));
    assert!(!gs1::is_lot("L 1"));
    assert!(!gs1::is_lot("L#1"));
    assert!(!gs1::is_lot(""));
    assert!(!gs1::is_lot("ABCDEFGHIJ01234567890"));
}

#[test]
fn days_from_civil_is_exact() {
    assert_eq!(gs1::days_from_civil(1970, 1, 1), 0);
    assert_eq!(gs1::days_from_civil(1969, 12, 31), -1);
    assert_eq!(gs1::days_from_civil(2000, 3, 1), 11_017);
    // The fixtures of DOMAIN.md §6.
    for (y, m, d, t) in [
        (2025, 1, 1, 1_735_689_600u64),
        (2025, 3, 10, 1_741_564_800),
        (2025, 7, 1, 1_751_328_000),
        (2026, 1, 1, 1_767_225_600),
    ] {
        assert_eq!(
            gs1::days_from_civil(y, m, d) * 86_400,
            t as i64,
            "{y}-{m}-{d}"
        );
    }
    // Round trip over four centuries, day by day, with a running count.
    let mut days = gs1::days_from_civil(1900, 1, 1);
    for year in 1900..2300 {
        for month in 1..=12 {
            for day in 1..=gs1::days_in_month(year, month) {
                assert_eq!(gs1::days_from_civil(year, month, day), days);
                assert_eq!(gs1::civil_from_days(days), (year, month, day));
                days += 1;
            }
        }
    }
    assert!(gs1::is_leap(2024) && gs1::is_leap(2000) && gs1::is_leap(2400));
    assert!(!gs1::is_leap(2025) && !gs1::is_leap(1900) && !gs1::is_leap(2100));
    assert_eq!(gs1::days_in_month(2024, 2), 29);
    assert_eq!(gs1::days_in_month(2100, 2), 28);
    assert_eq!(gs1::days_in_month(2025, 13), 0);
}

#[test]
fn ai17_dates_end_at_midnight_after_the_day() {
    let end = |s: &str| gs1::ai17_expiry_end(s, T0, true);
    // Scenario 11.
    assert_eq!(end("250630"), Some(JULY_1_2025));
    assert_eq!(end("251231"), Some(JAN_1_2026));
    // Day 00: the last day of the month, leap years included.
    assert_eq!(end("250600"), Some(JULY_1_2025));
    assert_eq!(end("280200"), end("280229"));
    assert_eq!(end("270200"), end("270228"));
    assert_eq!(
        end("280229"),
        Some(gs1::days_from_civil(2028, 3, 1) as u64 * 86_400)
    );
    assert_eq!(end("251200"), Some(JAN_1_2026));
    // Day 00 refused when so configured.
    assert_eq!(gs1::ai17_expiry_end("250600", T0, false), None);
    assert_eq!(gs1::ai17_expiry_end("250630", T0, false), Some(JULY_1_2025));
    // Not dates.
    for bad in [
        "270229", "250631", "251301", "250001", "25063", "2506300", "25O630", "",
    ] {
        assert_eq!(end(bad), None, "{bad}");
    }
    // The GS1 century window, read at the block time (2025): +50 years this century, +51 the
    // previous one.
    assert_eq!(gs1::full_year(75, 2025), 2075);
    assert_eq!(gs1::full_year(76, 2025), 1976);
    assert_eq!(gs1::full_year(0, 2025), 2000);
    assert_eq!(gs1::full_year(2, 2099), 2102);
    assert_eq!(gs1::full_year(49, 2099), 2149);
    assert_eq!(gs1::full_year(50, 2099), 2050);
    assert_eq!(gs1::ai17_date("760101", T0, true), Some((1976, 1, 1)));
    assert_eq!(
        end("760101"),
        Some(gs1::days_from_civil(1976, 1, 2) as u64 * 86_400)
    );
    // Before 1970 there is no Unix time: 1969-12-31 ends at 0, a day earlier does not exist.
    assert_eq!(gs1::ai17_expiry_end("691231", 0, true), Some(0));
    assert_eq!(gs1::ai17_expiry_end("691230", 0, true), None);
}

// ---- privacy and gas ----

#[test]
fn no_personal_health_information_is_in_the_metadata_types() {
    // Text fields are GS1 identifiers only; subjects are pseudonymous ids.
    let meta = carechain_tests::metadata(DT);
    let mut strings = Vec::new();
    for (name, def) in &meta.types {
        if let carechain_metadata::TypeDef::Struct { fields, .. } = def {
            for f in fields {
                if f.ty == carechain_metadata::Ty::String {
                    strings.push(name.clone());
                }
            }
        }
    }
    strings.sort();
    assert_eq!(
        strings,
        ["ExpiryDate", "Gln", "Gtin", "LotNumber", "Serial", "Sscc"]
    );
}

#[test]
fn typical_gas_of_a_shipment_and_its_receipt() {
    let gas = on_both_engines(|w| {
        network(w, false);
        ok(commission(w, &["G1"], "LG", EXP));
        let one_ship = ok(ship(w, "mfr1", json!([sg("G1")]), "whs1", "H"))
            .result
            .gas_used;
        let one_receive = ok(receive(w, "whs1", json!([sg("G1")]))).result.gas_used;
        let serials: Vec<String> = (0..24).map(|i| format!("C{i}")).collect();
        let refs: Vec<&str> = serials.iter().map(String::as_str).collect();
        ok(commission(w, &refs, "LG", EXP));
        let children: Vec<Value> = refs.iter().map(|s| sg(s)).collect();
        ok(pack(w, "mfr1", SSCC1, json!(children)));
        let case_ship = ok(ship(w, "mfr1", json!([sc(SSCC1)]), "whs1", "H"))
            .result
            .gas_used;
        let case_receive = ok(receive(w, "whs1", json!([sc(SSCC1)]))).result.gas_used;
        (one_ship, one_receive, case_ship, case_receive)
    });
    println!(
        "gas: ship 1 package {}, receive it {}; ship a case of 24 {}, receive it {}",
        gas.0, gas.1, gas.2, gas.3
    );
    assert!(gas.0 < 2_000_000 && gas.2 < 20_000_000, "{gas:?}");
}
