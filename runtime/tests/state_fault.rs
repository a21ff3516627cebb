//! A state backend that fails to read: the fault ends the whole execution with a typed
//! [`StateError`], on both engines, whether it happens in a host function, in a nested call, or
//! while looking up or loading a contract; and nothing of the execution survives.

mod common;

use std::sync::Arc;

use carechain_runtime::abi::CallStatus;
use carechain_runtime::{
    Address, BlockInfo, CallResult, CodeHash, EngineKind, MemoryState, Message, Runtime,
    RuntimeConfig, Sandbox, StateError, StateReader,
};
use common::*;

const GAS: u64 = 100_000_000;
const FAULT: &str = "injected read fault";

/// Which reads fail.
#[derive(Clone, Debug)]
enum Fault {
    /// None.
    Never,
    /// Storage reads of this contract's key.
    Storage(Address, Vec<u8>),
    /// The code-hash lookup of this contract.
    ContractCode(Address),
    /// Every code read.
    Code,
}

/// A [`MemoryState`] whose reads fail as `fault` says.
struct FailingState {
    inner: MemoryState,
    fault: Fault,
}

fn injected() -> StateError {
    StateError::new(std::io::Error::other(FAULT))
}

impl StateReader for FailingState {
    fn storage(&self, contract: &Address, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        match &self.fault {
            Fault::Storage(c, k) if c == contract && k == key => Err(injected()),
            _ => self.inner.storage(contract, key),
        }
    }

    fn contract_code(&self, address: &Address) -> Result<Option<CodeHash>, StateError> {
        match &self.fault {
            Fault::ContractCode(a) if a == address => Err(injected()),
            _ => self.inner.contract_code(address),
        }
    }

    fn code(&self, hash: &CodeHash) -> Result<Option<Arc<[u8]>>, StateError> {
        match &self.fault {
            Fault::Code => Err(injected()),
            _ => self.inner.code(hash),
        }
    }
}

/// Writes `"w" = "w"` and emits an event (changes a fault must discard), then reads `"k"` with
/// `storage_read` and returns its first byte (a missing value returns nothing).
fn reader() -> Vec<u8> {
    contract_with(
        r#"(data (i32.const 0) "kw")"#,
        "(call $storage_write (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1))
         (call $emit_event (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 1))
         (if (i32.ge_s (call $storage_read (i32.const 0) (i32.const 1) (i32.const 100) (i32.const 1))
                       (i32.const 0))
           (then (call $set_return (i32.const 100) (i32.const 1))))",
    )
}

/// Like [`reader`] with `storage_contains`: returns 1 if `"k"` is present, 0 if not.
fn container() -> Vec<u8> {
    let wat = r#"(module
  (import "carechain" "storage_contains" (func $contains (param i32 i32) (result i32)))
  (import "carechain" "storage_write" (func $write (param i32 i32 i32 i32)))
  (import "carechain" "set_return" (func $ret (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "kw")
  (func (export "deploy"))
  (func (export "call")
    (call $write (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1))
    (i32.store8 (i32.const 100) (call $contains (i32.const 0) (i32.const 1)))
    (call $ret (i32.const 100) (i32.const 1))))"#;
    wat::parse_str(wat).expect("wat")
}

/// Writes `"k" = "caller"`, calls the address in its input with no input and all its gas, then
/// stores the call's status under `"s"` and returns it: if a callee's fault came back as a
/// status, this caller would go on and succeed.
fn caller() -> Vec<u8> {
    contract_with(
        r#"(data (i32.const 0) "kcallers")"#,
        "(call $input_read (i32.const 100))
         (call $storage_write (i32.const 0) (i32.const 1) (i32.const 1) (i32.const 6))
         (i32.store8 (i32.const 200)
           (call $call_contract (i32.const 100) (i32.const 0) (i32.const 0) (i64.const 0)))
         (call $storage_write (i32.const 7) (i32.const 1) (i32.const 200) (i32.const 1))
         (call $set_return (i32.const 200) (i32.const 1))",
    )
}

/// Contracts deployed in a sandbox on `engine`, and the state they left with `"k" = "x"` stored
/// for `reader` and `container`.
struct World {
    state: MemoryState,
    reader: Address,
    container: Address,
    caller: Address,
}

fn world(engine: EngineKind) -> World {
    let mut sandbox = Sandbox::new(engine);
    let reader = sandbox
        .deploy(alice(), &reader(), &[])
        .contract
        .expect("reader");
    let container = sandbox
        .deploy(alice(), &container(), &[])
        .contract
        .expect("container");
    let caller = sandbox
        .deploy(alice(), &caller(), &[])
        .contract
        .expect("caller");
    let mut state = sandbox.state().clone();
    for contract in [reader, container] {
        state
            .storage
            .insert((contract, b"k".to_vec()), b"x".to_vec());
    }
    World {
        state,
        reader,
        container,
        caller,
    }
}

/// Calls `contract` with `input` on a state failing as `fault`, on a fresh runtime (so code
/// must be loaded from the state: nothing is cached).
fn call(
    engine: EngineKind,
    world: &World,
    fault: Fault,
    contract: Address,
    input: &[u8],
) -> Result<CallResult, StateError> {
    let runtime = Runtime::new(RuntimeConfig::for_engine(engine)).expect("runtime");
    let state: Arc<dyn StateReader> = Arc::new(FailingState {
        inner: world.state.clone(),
        fault,
    });
    let message = Message::Call {
        caller: alice(),
        contract,
        input: input.to_vec(),
    };
    runtime.execute(state, BlockInfo::default(), message, GAS)
}

/// Asserts that `result` is the injected fault, with the backend's error as its source.
fn assert_fault(result: Result<CallResult, StateError>) {
    match result {
        Ok(r) => panic!("expected the state fault, got {:?}", r.outcome),
        Err(e) => {
            assert!(e.to_string().contains(FAULT), "{e}");
            let source = e.into_source();
            let io = source
                .downcast_ref::<std::io::Error>()
                .expect("the backend's own error");
            assert_eq!(io.to_string(), FAULT);
        }
    }
}

/// Runs `f` on both engines and checks the successful results agree.
fn on_both_engines(f: impl Fn(EngineKind) -> Option<CallResult>) {
    let results: Vec<_> = EngineKind::ALL.into_iter().map(f).collect();
    assert_eq!(results[0], results[1], "wasmtime and wasmi disagree");
}

#[test]
fn storage_read_fault_aborts_the_execution() {
    on_both_engines(|engine| {
        let w = world(engine);
        let fault = Fault::Storage(w.reader, b"k".to_vec());
        assert_fault(call(engine, &w, fault, w.reader, &[]));

        let ok = call(engine, &w, Fault::Never, w.reader, &[]).expect("no fault");
        assert!(ok.outcome.is_success(), "{:?}", ok.outcome);
        assert_eq!(ok.return_data, b"x");
        assert_eq!(ok.events.len(), 1);
        assert_eq!(
            ok.changes.storage[&(w.reader, b"w".to_vec())],
            Some(b"w".to_vec())
        );
        Some(ok)
    });
}

#[test]
fn storage_contains_fault_aborts_the_execution() {
    on_both_engines(|engine| {
        let w = world(engine);
        let fault = Fault::Storage(w.container, b"k".to_vec());
        assert_fault(call(engine, &w, fault, w.container, &[]));

        let ok = call(engine, &w, Fault::Never, w.container, &[]).expect("no fault");
        assert!(ok.outcome.is_success(), "{:?}", ok.outcome);
        assert_eq!(ok.return_data, [1]);
        Some(ok)
    });
}

#[test]
fn fault_in_a_nested_call_aborts_the_caller_too() {
    on_both_engines(|engine| {
        let w = world(engine);
        // The callee's read fails: the caller must not see a status and go on.
        let fault = Fault::Storage(w.reader, b"k".to_vec());
        assert_fault(call(engine, &w, fault, w.caller, &w.reader.0));
        // Looking up the callee fails: not `NotFound`, a fault.
        let fault = Fault::ContractCode(w.reader);
        assert_fault(call(engine, &w, fault, w.caller, &w.reader.0));

        let ok = call(engine, &w, Fault::Never, w.caller, &w.reader.0).expect("no fault");
        assert!(ok.outcome.is_success(), "{:?}", ok.outcome);
        assert_eq!(ok.return_data, [CallStatus::Success as u8]);
        assert_eq!(
            ok.changes.storage[&(w.caller, b"s".to_vec())],
            Some(vec![CallStatus::Success as u8])
        );
        assert_eq!(
            ok.changes.storage[&(w.reader, b"w".to_vec())],
            Some(b"w".to_vec())
        );
        // A callee that really is missing is still an ordinary status.
        let missing = Address([0xee; 32]);
        let r = call(engine, &w, Fault::Never, w.caller, &missing.0).expect("no fault");
        assert_eq!(r.return_data, [CallStatus::NotFound as u8]);
        Some(ok)
    });
}

#[test]
fn fault_loading_code_aborts_the_execution() {
    on_both_engines(|engine| {
        let w = world(engine);
        // The top-level contract's code.
        assert_fault(call(engine, &w, Fault::Code, w.reader, &[]));
        // The top-level contract's code hash.
        assert_fault(call(
            engine,
            &w,
            Fault::ContractCode(w.reader),
            w.reader,
            &[],
        ));
        Some(call(engine, &w, Fault::Never, w.reader, &[]).expect("no fault"))
    });
}

#[test]
fn fault_checking_a_deploy_address_aborts_the_deploy() {
    on_both_engines(|engine| {
        let w = world(engine);
        let runtime = Runtime::new(RuntimeConfig::for_engine(engine)).expect("runtime");
        let code = reader();
        let deploy = || Message::Deploy {
            deployer: alice(),
            code: code.clone(),
            input: vec![],
            salt: b"fresh".to_vec(),
        };
        let hash = CodeHash(carechain_runtime::state::blake2b_256(&code));
        let address = carechain_runtime::contract_address(&alice(), &hash, b"fresh");
        let failing: Arc<dyn StateReader> = Arc::new(FailingState {
            inner: w.state.clone(),
            fault: Fault::ContractCode(address),
        });
        assert_fault(runtime.execute(failing, BlockInfo::default(), deploy(), GAS));

        let state: Arc<dyn StateReader> = Arc::new(w.state.clone());
        let ok = runtime
            .execute(state, BlockInfo::default(), deploy(), GAS)
            .expect("no fault");
        assert!(ok.outcome.is_success(), "{:?}", ok.outcome);
        assert_eq!(ok.contract, Some(address));
        Some(ok)
    });
}
