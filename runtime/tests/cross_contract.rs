//! Cross-contract calls: results, gas forwarding, rollback at each level, depth and reentrancy.

mod common;

use carechain_runtime::abi::CallStatus;
use carechain_runtime::{Address, EngineKind, Outcome, Sandbox};
use common::*;

/// A callee that writes `"k" = "callee"`, emits an event, then ends according to its first input
/// byte: 0 returns "ok", 1 reverts with "no", 2 traps, 3 loops until out of gas.
fn callee() -> Vec<u8> {
    contract_with(
        r#"(data (i32.const 0) "kcalleeokno")"#,
        "(call $input_read (i32.const 100))
         (call $storage_write (i32.const 0) (i32.const 1) (i32.const 1) (i32.const 6))
         (call $emit_event (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 6))
         (block (block (block (block
           (br_table 0 1 2 3 (i32.load8_u (i32.const 100))))
           (call $set_return (i32.const 7) (i32.const 2)) return)
           (call $revert (i32.const 9) (i32.const 2)))
           unreachable)
         (loop (br 0))",
    )
}

/// A caller that writes `"k" = "caller"`, calls the address in its input (32 bytes) with the
/// byte after it as the callee's input and a gas limit of 1 000 000, stores the status under
/// `"s"` and returns the callee's return data.
fn caller() -> Vec<u8> {
    contract_with(
        r#"(data (i32.const 0) "kcallers")"#,
        "(local $status i32)
         (call $input_read (i32.const 100))
         (call $storage_write (i32.const 0) (i32.const 1) (i32.const 1) (i32.const 6))
         (local.set $status (call $call_contract (i32.const 100) (i32.const 132) (i32.const 1) (i64.const 1000000)))
         (i32.store8 (i32.const 200) (local.get $status))
         (call $storage_write (i32.const 7) (i32.const 1) (i32.const 200) (i32.const 1))
         (call $return_data_read (i32.const 300))
         (call $set_return (i32.const 300) (call $return_data_len))",
    )
}

fn setup(engine: EngineKind) -> (Sandbox, Address, Address) {
    let mut sandbox = Sandbox::new(engine);
    let callee = sandbox.deploy(alice(), &callee(), &[]).contract.unwrap();
    let caller = sandbox.deploy(alice(), &caller(), &[]).contract.unwrap();
    (sandbox, caller, callee)
}

fn input(callee: Address, mode: u8) -> Vec<u8> {
    let mut input = callee.0.to_vec();
    input.push(mode);
    input
}

#[test]
fn successful_inner_call_keeps_both_writes() {
    for engine in EngineKind::ALL {
        let (mut sandbox, caller, callee) = setup(engine);
        let r = sandbox.call(alice(), caller, &input(callee, 0));
        assert_eq!(r.outcome, Outcome::Success);
        assert_eq!(r.return_data, b"ok");
        assert_eq!(
            sandbox.storage(&caller, b"s"),
            Some(vec![CallStatus::Success as u8])
        );
        assert_eq!(sandbox.storage(&callee, b"k"), Some(b"callee".to_vec()));
        assert_eq!(sandbox.storage(&caller, b"k"), Some(b"caller".to_vec()));
        assert_eq!(r.events.len(), 1);
    }
}

#[test]
fn failed_inner_call_rolls_back_only_the_callee() {
    for (mode, status, data) in [
        (1, CallStatus::Reverted, b"no".to_vec()),
        (2, CallStatus::Trapped, vec![]),
        (3, CallStatus::OutOfGas, vec![]),
    ] {
        let mut results = Vec::new();
        for engine in EngineKind::ALL {
            let (mut sandbox, caller, callee) = setup(engine);
            let r = sandbox.call(alice(), caller, &input(callee, mode));
            assert_eq!(r.outcome, Outcome::Success, "mode {mode}");
            assert_eq!(r.return_data, data);
            assert_eq!(sandbox.storage(&caller, b"s"), Some(vec![status as u8]));
            assert_eq!(
                sandbox.storage(&callee, b"k"),
                None,
                "callee's write survived"
            );
            assert_eq!(sandbox.storage(&caller, b"k"), Some(b"caller".to_vec()));
            assert!(r.events.is_empty(), "callee's event survived");
            if mode == 3 {
                assert!(
                    r.gas_used > 1_000_000,
                    "the callee's gas is charged to the caller"
                );
            }
            results.push((r, sandbox.state_root()));
        }
        assert_eq!(results[0], results[1]);
    }
}

#[test]
fn failed_outer_call_rolls_back_the_successful_inner_call() {
    // The outer contract calls the caller (which calls the callee successfully) and then traps.
    let outer = contract(
        "(call $input_read (i32.const 100))
         (drop (call $call_contract (i32.const 100) (i32.const 132) (i32.const 33) (i64.const 0)))
         unreachable",
    );
    for engine in EngineKind::ALL {
        let (mut sandbox, caller, callee) = setup(engine);
        let outer = sandbox.deploy(alice(), &outer, &[]).contract.unwrap();
        let mut input_bytes = caller.0.to_vec();
        input_bytes.extend(input(callee, 0));
        let r = sandbox.call(alice(), outer, &input_bytes);
        assert_eq!(r.outcome.name(), "trap:unreachable");
        assert!(r.changes.is_empty() && r.events.is_empty());
        assert_eq!(sandbox.storage(&callee, b"k"), None);
        assert_eq!(sandbox.storage(&caller, b"k"), None);
    }
}

#[test]
fn calling_a_missing_contract_returns_not_found() {
    for engine in EngineKind::ALL {
        let (mut sandbox, caller, _) = setup(engine);
        let r = sandbox.call(alice(), caller, &input(Address([9; 32]), 0));
        assert_eq!(r.outcome, Outcome::Success);
        assert_eq!(
            sandbox.storage(&caller, b"s"),
            Some(vec![CallStatus::NotFound as u8])
        );
    }
}

#[test]
fn reentrancy_is_refused() {
    for engine in EngineKind::ALL {
        let (mut sandbox, caller, _) = setup(engine);
        // The caller calls itself: the inner call is refused, the outer one goes on.
        let r = sandbox.call(alice(), caller, &input(caller, 0));
        assert_eq!(r.outcome, Outcome::Success);
        assert_eq!(
            sandbox.storage(&caller, b"s"),
            Some(vec![CallStatus::Reentrancy as u8])
        );
    }
}

/// A contract that calls the first address of its input with the rest of the input and
/// returns the callee's answer (or 1 on a failed call); the deepest one (no address left) runs
/// `deepest` and answers 100.
fn relay(deepest: &str) -> Vec<u8> {
    contract(&format!(
        "(local $len i32) (local $i i32)
         (local.set $len (call $input_len))
         (call $input_read (i32.const 1000))
         (if (i32.ge_u (local.get $len) (i32.const 32))
           (then
             (i32.store8 (i32.const 0)
               (call $call_contract (i32.const 1000) (i32.const 1032)
                 (i32.sub (local.get $len) (i32.const 32)) (i64.const 0)))
             (if (i32.eqz (i32.load8_u (i32.const 0)))
               (then (call $return_data_read (i32.const 0))
                     (call $set_return (i32.const 0) (call $return_data_len)))
               (else (call $set_return (i32.const 0) (i32.const 1)))))
           (else
             {deepest}
             (i32.store8 (i32.const 0) (i32.const 100))
             (call $set_return (i32.const 0) (i32.const 1))))"
    ))
}

#[test]
fn call_depth_is_limited() {
    // A chain of distinct contracts, each calling the next with the rest of its input; the
    // status of each call is returned upward, so the deepest failure is visible at the top.
    let relay = relay("");
    for engine in EngineKind::ALL {
        let mut sandbox = Sandbox::new(engine);
        let max_depth = sandbox.runtime().limits().max_call_depth as usize;
        let relays: Vec<Address> = (0..=max_depth)
            .map(|_| sandbox.deploy(alice(), &relay, &[]).contract.unwrap())
            .collect();
        let chain = |n: usize| relays[1..n].iter().flat_map(|a| a.0).collect::<Vec<u8>>();
        // Exactly at the limit: the deepest contract answers 100.
        let r = sandbox.call(alice(), relays[0], &chain(max_depth));
        assert_eq!(r.return_data, vec![100]);
        // One more level: refused with DepthExceeded.
        let r = sandbox.call(alice(), relays[0], &chain(max_depth + 1));
        assert_eq!(r.return_data, vec![CallStatus::DepthExceeded as u8]);
    }
}

#[test]
fn many_concurrent_calls_at_full_depth_all_run() {
    // wasmtime takes instances from a fixed pool; executions beyond what it holds at full depth
    // wait for a turn instead of failing (a failure wasmi would not have: a consensus fault).
    // The deepest frame spins a while, so the threads' chains overlap.
    let relay = relay(
        "(local.set $i (i32.const 20000000))
         (loop (br_if 0 (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))",
    );
    let mut on_wasmi = Sandbox::new(EngineKind::Wasmi);
    let relays: Vec<Address> = (0..16)
        .map(|_| on_wasmi.deploy(alice(), &relay, &[]).contract.unwrap())
        .collect();
    let chain: Vec<u8> = relays[1..].iter().flat_map(|a| a.0).collect();
    let on_wasmi = on_wasmi.query(alice(), relays[0], &chain);
    {
        let engine = EngineKind::Wasmtime;
        let mut sandbox = Sandbox::new(engine);
        let max_depth = sandbox.runtime().limits().max_call_depth as usize;
        let relays: Vec<Address> = (0..max_depth)
            .map(|_| sandbox.deploy(alice(), &relay, &[]).contract.unwrap())
            .collect();
        let chain: Vec<u8> = relays[1..].iter().flat_map(|a| a.0).collect();
        let expected = sandbox.query(alice(), relays[0], &chain);
        assert_eq!(expected.return_data, vec![100]);
        assert_eq!(max_depth, 16);
        assert_eq!(expected.gas_used, on_wasmi.gas_used);
        assert_eq!(on_wasmi.return_data, vec![100]);
        // Three times as many threads as the pool serves at once, each calling 16 deep twice;
        // the deepest frame spins long enough to be preempted, so the chains overlap.
        let results: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..48)
                .map(|_| {
                    s.spawn(|| {
                        (0..2)
                            .map(|_| sandbox.query(alice(), relays[0], &chain))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("no panic"))
                .collect()
        });
        assert_eq!(results.len(), 96);
        for r in results {
            assert_eq!(r.return_data, vec![100], "{engine:?}");
            assert_eq!(r.gas_used, expected.gas_used, "{engine:?}");
        }
    }
}
