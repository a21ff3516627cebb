//! Differential fuzzing: arbitrary bytes -> a wasm-smith module restricted exactly like
//! `runtime/tests/differential.rs` (WebAssembly 1.0 without floats, the host ABI imports,
//! `memory`/`deploy`/`call` exports), deployed and called on wasmtime and on wasmi. Any difference
//! in outcome, return data, gas, events, the rest of the `CallResult`, or the state root panics.

#![no_main]

use std::sync::LazyLock;

use arbitrary::Unstructured;
use carechain_runtime::{CallResult, EngineKind, Runtime, RuntimeConfig, Sandbox};
use libfuzzer_sys::fuzz_target;

/// Gas for the constructor and for the call, as in the differential test. A deploy also pays
/// `deploy_byte` per byte of code up front (before validation); that is given on top, so no module
/// is refused for its size alone.
const GAS: u64 = 300_000;

struct Setup {
    config: wasm_smith::Config,
    engines: [Runtime; 2],
}

static SETUP: LazyLock<Setup> = LazyLock::new(|| {
    let runtime = |engine| {
        Runtime::new(RuntimeConfig {
            record_debug: true,
            ..RuntimeConfig::for_engine(engine)
        })
        .expect("runtime")
    };
    Setup {
        config: smith_config(),
        engines: [runtime(EngineKind::Wasmtime), runtime(EngineKind::Wasmi)],
    }
});

// --- Copied from runtime/tests/differential.rs; keep the two in sync. ---------------------------

fn smith_config() -> wasm_smith::Config {
    let imports = carechain_abi_imports();
    let exports = wat::parse_str(
        r#"(module (memory (export "memory") 1) (func (export "deploy")) (func (export "call")))"#,
    )
    .expect("exports module");
    wasm_smith::Config {
        available_imports: Some(imports),
        exports: Some(exports),
        allow_start_export: false,
        allow_floats: false,
        bulk_memory_enabled: false,
        exceptions_enabled: false,
        gc_enabled: false,
        memory64_enabled: false,
        multi_value_enabled: false,
        reference_types_enabled: false,
        relaxed_simd_enabled: false,
        saturating_float_to_int_enabled: false,
        sign_extension_ops_enabled: false,
        simd_enabled: false,
        tail_call_enabled: false,
        threads_enabled: false,
        extended_const_enabled: false,
        wide_arithmetic_enabled: false,
        custom_page_sizes_enabled: false,
        max_memories: 0,
        min_memories: 0,
        max_tables: 1,
        max_memory32_bytes: 16 * 65_536,
        max_table_elements: 64,
        max_funcs: 20,
        max_instructions: 200,
        max_globals: 10,
        max_data_segments: 4,
        max_element_segments: 4,
        max_nesting_depth: 8,
        ..wasm_smith::Config::default()
    }
}

/// A module importing every host function with its ABI signature, for wasm-smith to pick from.
fn carechain_abi_imports() -> Vec<u8> {
    use carechain_runtime::abi::{HostFn, ValType};
    let ty = |t: &[ValType]| {
        t.iter()
            .map(|v| match v {
                ValType::I32 => "i32",
                ValType::I64 => "i64",
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut wat = String::from("(module\n");
    for f in HostFn::ALL {
        wat.push_str(&format!(
            "  (import \"carechain\" \"{}\" (func (param {}) (result {})))\n",
            f.name(),
            ty(f.params()),
            ty(f.results())
        ));
    }
    wat.push(')');
    wat::parse_str(&wat).expect("imports module")
}

// --- End of the copy. ----------------------------------------------------------------------------

/// Panics (a fuzzer finding) unless both engines produced the same result.
fn assert_same(what: &str, a: &CallResult, b: &CallResult) {
    assert_eq!(
        a.outcome, b.outcome,
        "{what}: outcome differs (wasmtime, wasmi)"
    );
    assert_eq!(a.return_data, b.return_data, "{what}: return data differs");
    assert_eq!(a.gas_used, b.gas_used, "{what}: gas used differs");
    assert_eq!(a.events, b.events, "{what}: events differ");
    assert_eq!(a, b, "{what}: results differ (changes, debug or address)");
}

fuzz_target!(|data: &[u8]| {
    let setup = &*SETUP;
    let mut u = Unstructured::new(data);
    let Ok(module) = wasm_smith::Module::new(setup.config.clone(), &mut u) else {
        return;
    };
    let code = module.to_bytes();
    // Whatever wasm-smith left over feeds the constructor and call inputs (zeros once exhausted).
    let deploy_input: [u8; 8] = u.arbitrary().unwrap_or_default();
    let call_input: [u8; 16] = u.arbitrary().unwrap_or_default();

    let alice = Sandbox::account("alice");
    let deploy_gas = GAS + code.len() as u64 * setup.engines[0].schedule().host.deploy_byte;
    let results = setup.engines.each_ref().map(|runtime| {
        let mut sandbox = Sandbox::with_runtime(runtime.clone());
        let deployed = sandbox.deploy_with(alice, &code, &deploy_input, b"salt", deploy_gas);
        let called = deployed
            .contract
            .filter(|_| deployed.outcome.is_success())
            .map(|c| sandbox.call_with_gas(alice, c, &call_input, GAS));
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
