//! The wasmtime backend: Cranelift-compiled native code, pre-linked with `InstancePre`.

use carechain_abi::{EXPORT_MEMORY, HOST_MODULE, HostFn};
use std::sync::{Arc, Condvar, Mutex};

use wasmtime::{
    Caller, Config, Engine as WtEngine, Global, InstanceAllocationStrategy, InstancePre, Linker,
    Memory, Module, OptLevel, PoolingAllocationConfig, Store, Trap, Val,
};

use wasmtime::WasmFeatures;

use super::{Compiled, Engine, EngineError, for_each_host_fn};
use crate::config::Limits;
use crate::frame::{Execution, Exit, Frames, Stop};
use crate::host::HostEnv;
use crate::instrument::{GAS_GLOBAL, METER_MODULE, METER_TRAP, MeterTrap, STACK_GLOBAL};
use crate::outcome::TrapKind;

/// Native stack wasmtime may use for one store (its maximum without async support). Far above what the deterministic stack limit lets
/// wasm code reach, and below the red zone `run_frame` guarantees.
const MAX_WASM_STACK: usize = 2 * 1024 * 1024;

/// Top-level executions one engine runs at once; more wait for a turn. Each may hold up to
/// `max_call_depth` instances (one per frame), and the instance pool is sized for all of them, so
/// no execution can ever find the pool empty: running out of slots would be a failure wasmi does
/// not have, hence a consensus fault.
const CONCURRENT_EXECUTIONS: usize = 16;

/// Per-instance metadata (the `VMContext`) the pool reserves: far above what the static limits
/// allow a module (10,000 functions, 256 globals, one table and one memory).
const MAX_INSTANCE_BYTES: usize = 4 * 1024 * 1024;

/// Turns at running a top-level execution (a counting semaphore).
#[derive(Default)]
struct Turns {
    running: Mutex<usize>,
    freed: Condvar,
}

impl Turns {
    fn take(&self) -> Turn<'_> {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        while *running >= CONCURRENT_EXECUTIONS {
            running = self.freed.wait(running).unwrap_or_else(|e| e.into_inner());
        }
        *running += 1;
        Turn(self)
    }
}

/// A turn taken from [`Turns`], given back on drop.
struct Turn<'a>(&'a Turns);

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        *self.0.running.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
        self.0.freed.notify_one();
    }
}

#[derive(Clone, Copy)]
struct Handles {
    memory: Memory,
    gas: Global,
    stack: Global,
}

pub(crate) struct StoreData {
    rt: Arc<dyn Frames>,
    exec: Option<Box<Execution>>,
    handles: Option<Handles>,
}

pub(crate) struct WasmtimeEngine {
    engine: WtEngine,
    linker: Linker<StoreData>,
    turns: Arc<Turns>,
}

fn engine_fault() -> wasmtime::Error {
    wasmtime::Error::new(Stop::Trap(TrapKind::Engine))
}

/// Builds a [`HostEnv`] from the caller's store, runs `f`, and syncs gas back to the global.
fn with_env<R>(
    caller: &mut Caller<'_, StoreData>,
    f: impl FnOnce(&mut HostEnv<'_>) -> Result<R, Stop>,
) -> wasmtime::Result<R> {
    let handles = caller.data().handles.ok_or_else(engine_fault)?;
    let gas = handles.gas.get(&mut *caller).i64().unwrap_or(0) as u64;
    let (memory, data) = handles.memory.data_and_store_mut(&mut *caller);
    let exec = data.exec.as_deref_mut().ok_or_else(engine_fault)?;
    exec.gas_left = gas;
    let mut env = HostEnv {
        rt: &*data.rt,
        exec,
        memory,
    };
    let result = f(&mut env);
    let gas_left = env.exec.gas_left;
    handles.gas.set(&mut *caller, Val::I64(gas_left as i64))?;
    result.map_err(wasmtime::Error::new)
}

fn call_contract(
    caller: &mut Caller<'_, StoreData>,
    address: u32,
    input: u32,
    input_len: u32,
    gas_limit: u64,
) -> wasmtime::Result<i32> {
    let handles = caller.data().handles.ok_or_else(engine_fault)?;
    let stack = handles.stack.get(&mut *caller).i32().unwrap_or(0) as u32;
    let request = with_env(caller, |env| {
        env.call_contract_begin(address, input, input_len, gas_limit, stack)
    })?;
    let rt = caller.data().rt.clone();
    let exec = caller.data_mut().exec.take().ok_or_else(engine_fault)?;
    let (exec, result) = rt.run_frame(exec, request);
    caller.data_mut().exec = Some(exec);
    with_env(caller, |env| env.call_contract_end(result))
}

fn classify(error: &wasmtime::Error) -> Stop {
    if let Some(stop) = error.downcast_ref::<Stop>() {
        return *stop;
    }
    let kind = match error.downcast_ref::<Trap>() {
        Some(Trap::UnreachableCodeReached) => TrapKind::Unreachable,
        Some(Trap::MemoryOutOfBounds) => TrapKind::MemoryOutOfBounds,
        Some(Trap::TableOutOfBounds) => TrapKind::TableOutOfBounds,
        Some(Trap::IndirectCallToNull) => TrapKind::IndirectCallToNull,
        Some(Trap::BadSignature) => TrapKind::BadSignature,
        Some(Trap::IntegerOverflow) => TrapKind::IntegerOverflow,
        Some(Trap::IntegerDivisionByZero) => TrapKind::IntegerDivisionByZero,
        _ => TrapKind::Engine,
    };
    Stop::Trap(kind)
}

impl WasmtimeEngine {
    pub fn new(limits: &Limits) -> Result<Self, EngineError> {
        // Instances come from a pool: allocating and freeing a linear memory is then a reset of
        // a slot kept mapped, not an mmap and munmap of a 4 GiB reservation per call (which cost
        // about half of block execution, in TLB shootdowns, before).
        let max_memory = limits.max_memory_pages as usize * 64 * 1024;
        let slots = u32::try_from(CONCURRENT_EXECUTIONS)
            .unwrap_or(u32::MAX)
            .saturating_mul(limits.max_call_depth.max(1));
        let mut pool = PoolingAllocationConfig::new();
        pool.total_core_instances(slots)
            .total_memories(slots)
            .total_tables(slots)
            .total_component_instances(0)
            .max_memories_per_module(1)
            .max_tables_per_module(1)
            .table_elements(limits.max_table_elements as usize)
            .max_memory_size(max_memory)
            .max_core_instance_size(MAX_INSTANCE_BYTES)
            // Reset by memset, not madvise (another TLB shootdown): the accessible pages, or
            // only those a call touched where the kernel's pagemap can tell.
            .linear_memory_keep_resident(max_memory)
            .table_keep_resident(limits.max_table_elements as usize * 16);
        // No signal-based traps: compiled code checks memory bounds (and divisors) itself, so
        // linear memory needs no guard region and is reserved at its largest allowed size, and
        // a slot's pages, once made accessible, stay so across reuse (wasmtime only resets their
        // contents). With guard pages every instantiation and `memory.grow` was an mprotect,
        // each a TLB shootdown across the node's threads: a fifth of block execution. This also
        // turns off Cranelift's Spectre masking of bounds checks, which needs the fault; a
        // contract has no clock to time a side channel with (gas is its only measure), and wasmi,
        // the other engine, has no such masking either.
        let mut config = Config::new();
        config
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool))
            .signals_based_traps(false)
            .memory_reservation(max_memory as u64)
            .memory_guard_size(0)
            .memory_reservation_for_growth(0)
            .guard_before_linear_memory(false)
            .cranelift_opt_level(OptLevel::Speed)
            .max_wasm_stack(MAX_WASM_STACK)
            .wasm_backtrace_max_frames(None)
            .consume_fuel(false)
            .epoch_interruption(false)
            // Only WebAssembly 1.0 + mutable globals reaches the engine; refuse the rest here too.
            .wasm_features(
                WasmFeatures::all().difference(crate::validate::allowed_features()),
                false,
            );
        let engine = WtEngine::new(&config).map_err(EngineError::new)?;
        let mut linker: Linker<StoreData> = Linker::new(&engine);

        macro_rules! define {
            ($variant:ident, $method:ident($($arg:ident: $ty:ty),*)) => {
                linker
                    .func_wrap(
                        HOST_MODULE,
                        HostFn::$variant.name(),
                        |mut caller: Caller<'_, StoreData>, $($arg: $ty),*| {
                            with_env(&mut caller, |env| env.$method($($arg),*))
                        },
                    )
                    .map_err(EngineError::new)?;
            };
        }
        for_each_host_fn!(define);
        linker
            .func_wrap(
                HOST_MODULE,
                HostFn::CallContract.name(),
                |mut caller: Caller<'_, StoreData>,
                 address: u32,
                 input: u32,
                 len: u32,
                 gas: u64| { call_contract(&mut caller, address, input, len, gas) },
            )
            .map_err(EngineError::new)?;
        linker
            .func_wrap(
                METER_MODULE,
                METER_TRAP,
                |code: i32| -> wasmtime::Result<()> {
                    let why = MeterTrap::from_code(code)
                        .map_or(Stop::Trap(TrapKind::Engine), Stop::Meter);
                    Err(wasmtime::Error::new(why))
                },
            )
            .map_err(EngineError::new)?;
        Ok(WasmtimeEngine {
            engine,
            linker,
            turns: Arc::default(),
        })
    }
}

impl Engine for WasmtimeEngine {
    fn compile(&self, instrumented: &[u8]) -> Result<Box<dyn Compiled>, EngineError> {
        let module = Module::new(&self.engine, instrumented).map_err(EngineError::new)?;
        let pre = self
            .linker
            .instantiate_pre(&module)
            .map_err(EngineError::new)?;
        Ok(Box::new(WasmtimeCompiled {
            engine: self.engine.clone(),
            pre,
            turns: self.turns.clone(),
        }))
    }
}

struct WasmtimeCompiled {
    engine: WtEngine,
    pre: InstancePre<StoreData>,
    turns: Arc<Turns>,
}

impl Compiled for WasmtimeCompiled {
    fn run(
        &self,
        rt: Arc<dyn Frames>,
        exec: Box<Execution>,
        entry: &'static str,
        gas: u64,
        stack_base: u32,
    ) -> (Box<Execution>, Exit) {
        // The top-level frame takes a turn, held until its nested calls are done.
        let _turn = (exec.frames.len() <= 1).then(|| self.turns.take());
        let data = StoreData {
            rt,
            exec: Some(exec),
            handles: None,
        };
        let mut store = Store::new(&self.engine, data);
        let result = (|| -> wasmtime::Result<()> {
            let instance = self.pre.instantiate(&mut store)?;
            let memory = instance
                .get_memory(&mut store, EXPORT_MEMORY)
                .ok_or_else(engine_fault)?;
            let gas_global = instance
                .get_global(&mut store, GAS_GLOBAL)
                .ok_or_else(engine_fault)?;
            let stack = instance
                .get_global(&mut store, STACK_GLOBAL)
                .ok_or_else(engine_fault)?;
            gas_global.set(&mut store, Val::I64(gas as i64))?;
            stack.set(&mut store, Val::I32(stack_base as i32))?;
            store.data_mut().handles = Some(Handles {
                memory,
                gas: gas_global,
                stack,
            });
            let func = instance.get_typed_func::<(), ()>(&mut store, entry)?;
            func.call(&mut store, ())
        })();
        let gas_left = match store.data().handles {
            Some(h) => h.gas.get(&mut store).i64().unwrap_or(0) as u64,
            None => gas,
        };
        let stop = result.err().map(|e| classify(&e));
        let exec = store.into_data().exec;
        match exec {
            Some(exec) => (exec, Exit { stop, gas_left }),
            // `call_contract` always puts the execution back before returning.
            None => unreachable!("execution state lost by the wasmtime backend"),
        }
    }
}
