//! Runtime benchmarks: `cargo bench -p carechain-runtime`. Method and figures: docs/BENCHMARKS.md.
//!
//! * `instantiate_call/<engine>`: a pre-compiled trivial contract, fresh store, instantiate + call,
//!   through the full runtime (overlay, frame, metering); `bare_wasmtime`: the same module
//!   uninstrumented through `InstancePre` + call with no metering, the 2x target's baseline.
//! * `host_call/<engine>`: 10 000 calls of `block_height` in one contract call.
//! * `storage_write/<engine>`: one contract call writing one 32-byte value.
//! * `loop_10m/<engine>`: a 10M-iteration integer loop, instrumented, and `loop_10m/bare_*` the
//!   same loop uninstrumented on the bare engine (the 1.5x target's baseline).

use std::hint::black_box;
use std::sync::Arc;

use carechain_runtime::{
    Address, BlockInfo, EngineKind, MemoryState, Message, Runtime, RuntimeConfig, StateReader,
};
use criterion::{Criterion, criterion_group, criterion_main};

const TRIVIAL: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "deploy"))
  (func (export "call")))"#;

const HOST_CALLS: &str = r#"(module
  (import "carechain" "block_height" (func $h (result i64)))
  (memory (export "memory") 1)
  (func (export "deploy"))
  (func (export "call") (local $i i32)
    (local.set $i (i32.const 10000))
    (block (loop (br_if 1 (i32.eqz (local.get $i)))
      (drop (call $h))
      (local.set $i (i32.sub (local.get $i) (i32.const 1))) (br 0)))))"#;

const STORAGE_WRITE: &str = r#"(module
  (import "carechain" "storage_write" (func $w (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "deploy"))
  (func (export "call") (call $w (i32.const 0) (i32.const 32) (i32.const 32) (i32.const 32))))"#;

const LOOP: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "deploy"))
  (func $run (export "run") (result i32) (local $i i32) (local $acc i32)
    (local.set $i (i32.const 10000000))
    (block (loop (br_if 1 (i32.eqz (local.get $i)))
      (local.set $acc (i32.add (local.get $acc) (local.get $i)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1))) (br 0)))
    (local.get $acc))
  (func (export "call") (drop (call $run))))"#;

const GAS: u64 = 10_000_000_000;

/// A runtime with `wat` deployed; returns it, the state and the contract's address.
fn deployed(engine: EngineKind, wat: &str) -> (Runtime, Arc<MemoryState>, Address) {
    let runtime = Runtime::new(RuntimeConfig::for_engine(engine)).expect("runtime");
    let code = wat::parse_str(wat).expect("wat");
    let deployer = Address([1; 32]);
    let state: Arc<dyn StateReader> = Arc::new(MemoryState::default());
    let message = Message::Deploy {
        deployer,
        code,
        input: vec![],
        salt: vec![],
    };
    let result = runtime
        .execute(state, BlockInfo::default(), message, GAS)
        .expect("memory state never fails");
    assert!(result.outcome.is_success(), "{:?}", result.outcome);
    let mut memory = MemoryState::default();
    memory.apply(result.changes);
    (runtime, Arc::new(memory), result.contract.expect("address"))
}

fn call(runtime: &Runtime, state: &Arc<MemoryState>, contract: Address) -> u64 {
    let state: Arc<dyn StateReader> = state.clone();
    let message = Message::Call {
        caller: Address([2; 32]),
        contract,
        input: vec![],
    };
    let r = runtime
        .execute(state, BlockInfo::default(), message, GAS)
        .expect("memory state never fails");
    assert!(r.outcome.is_success());
    r.gas_used
}

fn bench_per_engine(c: &mut Criterion, group: &str, wat: &str) {
    let mut g = c.benchmark_group(group);
    for engine in EngineKind::ALL {
        let (runtime, state, contract) = deployed(engine, wat);
        g.bench_function(engine.name(), |b| {
            b.iter(|| black_box(call(&runtime, &state, contract)))
        });
    }
    g.finish();
}

fn bare_wasmtime_call(c: &mut Criterion) {
    let engine = wasmtime::Engine::default();
    let module = wasmtime::Module::new(&engine, wat::parse_str(TRIVIAL).unwrap()).unwrap();
    let linker: wasmtime::Linker<()> = wasmtime::Linker::new(&engine);
    let pre = linker.instantiate_pre(&module).unwrap();
    c.benchmark_group("instantiate_call")
        .bench_function("bare_wasmtime", |b| {
            b.iter(|| {
                let mut store = wasmtime::Store::new(&engine, ());
                let instance = pre.instantiate(&mut store).unwrap();
                let f = instance
                    .get_typed_func::<(), ()>(&mut store, "call")
                    .unwrap();
                f.call(&mut store, ()).unwrap();
            })
        });
}

fn loops(c: &mut Criterion) {
    let mut g = c.benchmark_group("loop_10m");
    g.sample_size(10);
    for engine in EngineKind::ALL {
        let (runtime, state, contract) = deployed(engine, LOOP);
        g.bench_function(engine.name(), |b| {
            b.iter(|| black_box(call(&runtime, &state, contract)))
        });
    }
    let bytes = wat::parse_str(LOOP).unwrap();
    let engine = wasmtime::Engine::default();
    let module = wasmtime::Module::new(&engine, &bytes).unwrap();
    g.bench_function("bare_wasmtime", |b| {
        b.iter(|| {
            let mut store = wasmtime::Store::new(&engine, ());
            let instance = wasmtime::Instance::new(&mut store, &module, &[]).unwrap();
            let f = instance
                .get_typed_func::<(), i32>(&mut store, "run")
                .unwrap();
            black_box(f.call(&mut store, ()).unwrap())
        })
    });
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, &bytes).unwrap();
    g.bench_function("bare_wasmi", |b| {
        b.iter(|| {
            let mut store = wasmi::Store::new(&engine, ());
            let linker = wasmi::Linker::<()>::new(&engine);
            let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
            let f = instance.get_typed_func::<(), i32>(&store, "run").unwrap();
            black_box(f.call(&mut store, ()).unwrap())
        })
    });
    g.finish();
}

fn all(c: &mut Criterion) {
    bench_per_engine(c, "instantiate_call", TRIVIAL);
    bare_wasmtime_call(c);
    bench_per_engine(c, "host_call", HOST_CALLS);
    bench_per_engine(c, "storage_write", STORAGE_WRITE);
    loops(c);
}

criterion_group!(benches, all);
criterion_main!(benches);
