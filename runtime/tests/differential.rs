//! Differential test: generated modules (wasm-smith, restricted to WebAssembly 1.0 without floats
//! and to the host ABI) run on wasmtime and wasmi with identical outcome, return data, gas,
//! events, storage and state root.
//!
//! The seeds are fixed, so every run checks the same modules. For longer runs use the fuzz target
//! (`runtime/fuzz`, see the crate README) or raise `CARECHAIN_DIFF_MODULES`.

use arbitrary::Unstructured;
use carechain_runtime::{EngineKind, Failure, Outcome, Runtime, RuntimeConfig, Sandbox};

const GAS: u64 = 300_000;

/// splitmix64: a tiny deterministic generator for the fuzz bytes of each seed.
fn bytes_for_seed(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1);
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        out.extend_from_slice(&z.to_le_bytes());
    }
    out.truncate(len);
    out
}

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

#[derive(Default, Debug)]
struct Tally {
    generated: u32,
    refused: u32,
    success: u32,
    reverted: u32,
    out_of_gas: u32,
    traps: u32,
    other: u32,
}

#[test]
fn generated_modules_agree_on_both_engines() {
    let count: u64 = std::env::var("CARECHAIN_DIFF_MODULES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let wasmtime = Runtime::new(RuntimeConfig {
        record_debug: true,
        ..RuntimeConfig::for_engine(EngineKind::Wasmtime)
    })
    .expect("wasmtime");
    let wasmi = Runtime::new(RuntimeConfig {
        record_debug: true,
        ..RuntimeConfig::for_engine(EngineKind::Wasmi)
    })
    .expect("wasmi");
    let config = smith_config();
    let alice = Sandbox::account("alice");
    let mut tally = Tally::default();

    let first: u64 = std::env::var("CARECHAIN_DIFF_FROM")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let verbose = std::env::var_os("CARECHAIN_DIFF_VERBOSE").is_some();
    for seed in first..first + count {
        if verbose {
            eprintln!("seed {seed}");
        }
        let fuzz = bytes_for_seed(seed, 4096);
        let mut u = Unstructured::new(&fuzz);
        let Ok(module) = wasm_smith::Module::new(config.clone(), &mut u) else {
            continue;
        };
        let code = module.to_bytes();
        if let Some(dir) = std::env::var_os("CARECHAIN_DIFF_DUMP") {
            std::fs::write(
                std::path::Path::new(&dir).join(format!("seed-{seed}.wasm")),
                &code,
            )
            .expect("dump module");
        }
        tally.generated += 1;

        let mut results = Vec::new();
        for runtime in [&wasmtime, &wasmi] {
            let mut sandbox = Sandbox::with_runtime(runtime.clone());
            let deployed = sandbox.deploy_with(alice, &code, &seed.to_le_bytes(), b"salt", GAS);
            let called = deployed
                .contract
                .filter(|_| deployed.outcome.is_success())
                .map(|c| sandbox.call_with_gas(alice, c, &fuzz[..16], GAS));
            results.push((deployed, called, sandbox.state_root()));
        }
        assert_eq!(results[0], results[1], "engines disagree on seed {seed}");

        let (deployed, called, _) = &results[0];
        let outcome = called.as_ref().map_or(&deployed.outcome, |c| &c.outcome);
        match outcome {
            Outcome::Failed(Failure::InvalidModule(e)) => {
                if tally.refused < 3 {
                    eprintln!("seed {seed} refused: {e}");
                }
                tally.refused += 1
            }
            Outcome::Success => tally.success += 1,
            Outcome::Reverted => tally.reverted += 1,
            Outcome::Failed(Failure::OutOfGas) => tally.out_of_gas += 1,
            Outcome::Failed(Failure::Trap(_)) => tally.traps += 1,
            Outcome::Failed(f) => {
                if tally.other < 3 {
                    eprintln!("seed {seed}: {}", f.name());
                }
                tally.other += 1
            }
        }
    }
    eprintln!("differential tally: {tally:?}");
    // The corpus must exercise execution, not only validation.
    assert!(u64::from(tally.generated) >= count * 9 / 10, "{tally:?}");
    assert!(tally.success >= tally.generated / 10, "{tally:?}");
    assert!(tally.traps > 0, "{tally:?}");
}
