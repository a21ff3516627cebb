//! Property test: random calls never leave the state machine.

use super::*;
use crate::compatibility::KINDS;

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
            // A cold-chain excursion quarantines a unit before its release too (issue 22).
            "record_temperature" => {
                matches!(from, "Collected" | "InTesting") && to == "Quarantined"
            }
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
