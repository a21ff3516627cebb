//! Raw bytes as a contract: deployed on wasmtime and on wasmi. Validation, instrumentation,
//! compilation and (for the rare input that is a valid contract) the constructor and one call
//! must never panic, and both engines must report the same outcome and gas (in fact the same
//! whole `CallResult`).

#![no_main]

use std::sync::LazyLock;

use carechain_runtime::{CallResult, EngineKind, Runtime, RuntimeConfig, Sandbox};
use libfuzzer_sys::fuzz_target;

/// Gas for the constructor and for the call. A deploy also pays `deploy_byte` per byte of code up
/// front (before validation); that is given on top, so every input reaches the validator.
const GAS: u64 = 300_000;

static ENGINES: LazyLock<[Runtime; 2]> = LazyLock::new(|| {
    [EngineKind::Wasmtime, EngineKind::Wasmi].map(|engine| {
        Runtime::new(RuntimeConfig {
            record_debug: true,
            ..RuntimeConfig::for_engine(engine)
        })
        .expect("runtime")
    })
});

fn assert_same(what: &str, a: &CallResult, b: &CallResult) {
    assert_eq!(
        a.outcome, b.outcome,
        "{what}: outcome differs (wasmtime, wasmi)"
    );
    assert_eq!(a.gas_used, b.gas_used, "{what}: gas used differs");
    assert_eq!(a, b, "{what}: results differ");
}

fuzz_target!(|code: &[u8]| {
    let alice = Sandbox::account("alice");
    let deploy_gas = GAS + code.len() as u64 * ENGINES[0].schedule().host.deploy_byte;
    let results = ENGINES.each_ref().map(|runtime| {
        let mut sandbox = Sandbox::with_runtime(runtime.clone());
        let deployed = sandbox.deploy_with(alice, code, &[], b"salt", deploy_gas);
        let called = deployed
            .contract
            .filter(|_| deployed.outcome.is_success())
            .map(|c| sandbox.call_with_gas(alice, c, &[], GAS));
        (deployed, called, sandbox.state_root())
    });
    let [(d0, c0, root0), (d1, c1, root1)] = &results;
    assert_same("deploy", d0, d1);
    match (c0, c1) {
        (Some(c0), Some(c1)) => assert_same("call", c0, c1),
        (None, None) => {}
        _ => panic!("only one engine ran the call: {c0:?} / {c1:?}"),
    }
    assert_eq!(root0, root1, "state root differs");
});
