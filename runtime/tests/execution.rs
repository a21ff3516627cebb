//! Execution on both engines: results, gas, traps, metering and rollback.

mod common;

use carechain_runtime::{EngineKind, Failure, Outcome, Sandbox, TrapKind};
use common::*;

const GAS: u64 = 10_000_000;

#[test]
fn returns_data_and_charges_identical_gas() {
    let code = contract_with(
        r#"(data (i32.const 0) "hello")"#,
        "(call $set_return (i32.const 0) (i32.const 5))",
    );
    let r = on_both(&code, &[], GAS);
    assert_eq!(r.outcome, Outcome::Success);
    assert_eq!(r.return_data, b"hello");
    assert!(r.gas_used > 0 && r.gas_used < GAS);
}

#[test]
fn echo_input() {
    let code = contract(
        "(call $input_read (i32.const 100)) (call $set_return (i32.const 100) (call $input_len))",
    );
    let r = on_both(&code, b"consent", GAS);
    assert_eq!(r.return_data, b"consent");
}

#[test]
fn infinite_loop_runs_out_of_gas() {
    let code = contract("(loop (br 0))");
    let r = on_both(&code, &[], GAS);
    assert_eq!(r.outcome, Outcome::Failed(Failure::OutOfGas));
    assert_eq!(r.gas_used, GAS);
}

#[test]
fn unreachable_is_a_typed_trap() {
    let r = on_both(&contract("unreachable"), &[], GAS);
    assert_eq!(
        r.outcome,
        Outcome::Failed(Failure::Trap(TrapKind::Unreachable))
    );
}

#[test]
fn division_by_zero_and_out_of_bounds_are_typed_traps() {
    let r = on_both(
        &contract("(drop (i32.div_u (i32.const 1) (i32.const 0)))"),
        &[],
        GAS,
    );
    assert_eq!(
        r.outcome,
        Outcome::Failed(Failure::Trap(TrapKind::IntegerDivisionByZero))
    );
    let r = on_both(&contract("(drop (i32.load (i32.const 70000)))"), &[], GAS);
    assert_eq!(
        r.outcome,
        Outcome::Failed(Failure::Trap(TrapKind::MemoryOutOfBounds))
    );
    let r = on_both(
        &contract("(call $set_return (i32.const 65000) (i32.const 1000))"),
        &[],
        GAS,
    );
    assert_eq!(
        r.outcome,
        Outcome::Failed(Failure::Trap(TrapKind::HostMemoryOutOfBounds))
    );
}

#[test]
fn infinite_recursion_is_a_stack_overflow() {
    let code = contract_with("(func $f (call $f))", "(call $f)");
    let r = on_both(&code, &[], 1_000_000_000);
    assert_eq!(r.outcome, Outcome::Failed(Failure::StackOverflow));
}

#[test]
fn recursion_with_large_frames_is_a_stack_overflow() {
    let locals = "(local i64) ".repeat(1000);
    let code = contract_with(&format!("(func $f {locals} (call $f))"), "(call $f)");
    let r = on_both(&code, &[], 1_000_000_000);
    assert_eq!(r.outcome, Outcome::Failed(Failure::StackOverflow));
}

#[test]
fn memory_growth_past_the_limit_is_refused() {
    let code = contract("(loop (drop (memory.grow (i32.const 1))) (br 0))");
    let r = on_both(&code, &[], 1_000_000_000);
    assert_eq!(r.outcome, Outcome::Failed(Failure::MemoryLimit));
}

#[test]
fn revert_discards_writes_and_returns_data() {
    let code = contract_with(
        r#"(data (i32.const 0) "keyvalueerr")"#,
        "(call $storage_write (i32.const 0) (i32.const 3) (i32.const 3) (i32.const 5))
         (call $revert (i32.const 8) (i32.const 3))",
    );
    let (sandbox, r) = deploy_and_call(EngineKind::Wasmi, &code, &[], GAS);
    assert_eq!(r.outcome, Outcome::Reverted);
    assert_eq!(r.return_data, b"err");
    assert!(r.changes.is_empty());
    assert!(sandbox.state().storage.is_empty());
    on_both(&code, &[], GAS);
}

#[test]
fn out_of_gas_rolls_back_writes_and_events() {
    let code = contract_with(
        r#"(data (i32.const 0) "keyvalue")"#,
        "(call $storage_write (i32.const 0) (i32.const 3) (i32.const 3) (i32.const 5))
         (call $emit_event (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 3))
         (loop (br 0))",
    );
    for engine in EngineKind::ALL {
        let (sandbox, r) = deploy_and_call(engine, &code, &[], GAS);
        assert_eq!(r.outcome, Outcome::Failed(Failure::OutOfGas));
        assert!(r.events.is_empty() && r.changes.is_empty());
        assert!(sandbox.state().storage.is_empty());
        assert!(sandbox.events().is_empty());
    }
}

#[test]
fn successful_call_commits_storage_and_events() {
    let code = contract_with(
        r#"(data (i32.const 0) "keyvalue")"#,
        "(call $storage_write (i32.const 0) (i32.const 3) (i32.const 3) (i32.const 5))
         (call $emit_event (i32.const 0) (i32.const 0) (i32.const 3) (i32.const 5))",
    );
    let mut sandbox = Sandbox::new(EngineKind::Wasmtime);
    let contract_addr = sandbox.deploy(alice(), &code, &[]).contract.unwrap();
    let r = sandbox.call(alice(), contract_addr, &[]);
    assert!(r.outcome.is_success(), "{:?}", r.outcome);
    assert_eq!(
        sandbox.storage(&contract_addr, b"key"),
        Some(b"value".to_vec())
    );
    assert_eq!(sandbox.events().len(), 1);
    assert_eq!(sandbox.events()[0].data, b"value");
}

#[test]
fn gas_grows_with_work_identically() {
    // A counted loop: more iterations cost proportionally more, on both engines.
    let body = |n: i32| {
        format!(
            "(local $i i32) (local.set $i (i32.const {n}))
             (block (loop (br_if 1 (i32.eqz (local.get $i)))
               (local.set $i (i32.sub (local.get $i) (i32.const 1))) (br 0)))"
        )
    };
    let small = on_both(&contract(&body(10)), &[], GAS).gas_used;
    let large = on_both(&contract(&body(1010)), &[], GAS).gas_used;
    assert!(large > small);
    let per_iteration = (large - small) / 1000;
    assert!(per_iteration > 0);
    assert_eq!((large - small) % 1000, 0, "each iteration costs the same");
}

#[test]
fn long_memory_grow_loop_runs_out_of_gas_on_both_engines() {
    // Regression: wasmi's tail-call dispatch recursed natively on `memory.grow` and overflowed
    // the host stack after ~100k iterations (found by the differential test, seed 825).
    let code = contract("(loop (drop (memory.grow (i32.const 0))) (br 0))");
    let r = on_both(&code, &[], 200_000_000);
    assert_eq!(r.outcome, Outcome::Failed(Failure::OutOfGas));
}

/// Gas spent in a callee is counted whichever way the callee leaves: falling off its end,
/// `return` from inside a block, or a branch to its body's label. (Inside a function the gas
/// left lives in a local and is written back only when control leaves it.)
#[test]
fn gas_spent_in_a_callee_is_counted_however_it_returns() {
    let work = [
        // falls off the end
        "(func $work (param $n i32)
           (block (loop (br_if 1 (i32.eqz (local.get $n)))
             (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br 0))))",
        // `return` from inside the loop
        "(func $work (param $n i32)
           (loop (if (i32.eqz (local.get $n)) (then (return)))
             (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br 0)))",
        // `br_if` to the function body's label
        "(func $work (param $n i32)
           (loop (br_if 1 (i32.eqz (local.get $n)))
             (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br 0)))",
    ];
    for callee in work {
        let gas = |n: i32| {
            let code = contract_with(callee, &format!("(call $work (i32.const {n}))"));
            on_both(&code, &[], GAS).gas_used
        };
        let (g10, g110, g210) = (gas(10), gas(110), gas(210));
        assert!(g110 > g10, "{callee}: gas {g10} then {g110}");
        assert_eq!(g110 - g10, g210 - g110, "{callee}: linear in the work done");
    }
}

/// A trap uses the whole gas limit (the rule, not the point of the trap, decides the figure).
#[test]
fn a_trap_uses_the_whole_gas_limit() {
    let code = contract("(drop (i32.load (i32.const 70000)))");
    let r = on_both(&code, &[], 5_000_000);
    assert_eq!(
        r.outcome,
        Outcome::Failed(Failure::Trap(TrapKind::MemoryOutOfBounds))
    );
    assert_eq!(r.gas_used, 5_000_000);
}
