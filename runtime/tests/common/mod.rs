//! Helpers shared by the runtime's integration tests.
#![allow(dead_code)]

use carechain_runtime::{Address, CallResult, EngineKind, Sandbox};

/// The usual imports, for splicing into `.wat` sources.
pub const IMPORTS: &str = r#"
  (import "carechain" "input_len" (func $input_len (result i32)))
  (import "carechain" "input_read" (func $input_read (param i32)))
  (import "carechain" "set_return" (func $set_return (param i32 i32)))
  (import "carechain" "revert" (func $revert (param i32 i32)))
  (import "carechain" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "carechain" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "carechain" "emit_event" (func $emit_event (param i32 i32 i32 i32)))
  (import "carechain" "call_contract" (func $call_contract (param i32 i32 i32 i64) (result i32)))
  (import "carechain" "return_data_len" (func $return_data_len (result i32)))
  (import "carechain" "return_data_read" (func $return_data_read (param i32)))
"#;

/// A module with the usual imports, one page of memory, an empty `deploy` and `body` as `call`.
pub fn contract(body: &str) -> Vec<u8> {
    contract_with("", body)
}

/// Like [`contract`] with extra module fields.
pub fn contract_with(fields: &str, body: &str) -> Vec<u8> {
    let wat = format!(
        r#"(module {IMPORTS}
  (memory (export "memory") 1)
  {fields}
  (func (export "deploy"))
  (func (export "call") {body}))"#
    );
    wat::parse_str(&wat).unwrap_or_else(|e| panic!("bad test wat: {e}\n{wat}"))
}

pub fn alice() -> Address {
    Sandbox::account("alice")
}

/// Deploys `code` and calls it once with `input` and `gas` on one engine.
pub fn deploy_and_call(
    engine: EngineKind,
    code: &[u8],
    input: &[u8],
    gas: u64,
) -> (Sandbox, CallResult) {
    let mut sandbox = Sandbox::new(engine);
    let deployed = sandbox.deploy(alice(), code, &[]);
    assert!(
        deployed.outcome.is_success(),
        "deploy failed: {:?}",
        deployed.outcome
    );
    let contract = deployed.contract.expect("address");
    let result = sandbox.call_with_gas(alice(), contract, input, gas);
    (sandbox, result)
}

/// Runs on both engines, asserts identical results and state roots, returns the result.
pub fn on_both(code: &[u8], input: &[u8], gas: u64) -> CallResult {
    let (sandbox_t, t) = deploy_and_call(EngineKind::Wasmtime, code, input, gas);
    let (sandbox_i, i) = deploy_and_call(EngineKind::Wasmi, code, input, gas);
    assert_eq!(t, i, "wasmtime and wasmi disagree");
    assert_eq!(
        sandbox_t.state_root(),
        sandbox_i.state_root(),
        "state roots differ"
    );
    t
}
