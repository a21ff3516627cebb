//! The wasmi backend: an interpreter that is quick to instantiate and serves as the differential
//! oracle for wasmtime.

use std::sync::Arc;

use carechain_abi::{EXPORT_MEMORY, HOST_MODULE, HostFn};
use wasmi::{
    Caller, Config, Engine as WiEngine, Global, Linker, Memory, Module, Store, TrapCode, Val,
};

use super::{Compiled, Engine, EngineError, for_each_host_fn, max_recursion_depth};
use crate::config::Limits;
use crate::frame::{Execution, Exit, Frames, Stop};
use crate::host::HostEnv;
use crate::instrument::{GAS_GLOBAL, METER_MODULE, METER_TRAP, MeterTrap, STACK_GLOBAL};
use crate::outcome::TrapKind;

/// wasmi's value stack lives on the heap and grows on demand; the deterministic limit stops wasm
/// code long before this.
const MAX_VALUE_STACK_BYTES: usize = 256 * 1024 * 1024;

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

pub(crate) struct WasmiEngine {
    engine: WiEngine,
    linker: Arc<Linker<StoreData>>,
}

fn engine_fault() -> wasmi::Error {
    wasmi::Error::host(Stop::Trap(TrapKind::Engine))
}

fn with_env<R>(
    caller: &mut Caller<'_, StoreData>,
    f: impl FnOnce(&mut HostEnv<'_>) -> Result<R, Stop>,
) -> Result<R, wasmi::Error> {
    let handles = caller.data().handles.ok_or_else(engine_fault)?;
    let gas = handles.gas.get(&*caller).i64().unwrap_or(0) as u64;
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
    handles
        .gas
        .set(&mut *caller, Val::I64(gas_left as i64))
        .map_err(|_| engine_fault())?;
    result.map_err(wasmi::Error::host)
}

fn call_contract(
    caller: &mut Caller<'_, StoreData>,
    address: u32,
    input: u32,
    input_len: u32,
    gas_limit: u64,
) -> Result<i32, wasmi::Error> {
    let handles = caller.data().handles.ok_or_else(engine_fault)?;
    let stack = handles.stack.get(&*caller).i32().unwrap_or(0) as u32;
    let request = with_env(caller, |env| {
        env.call_contract_begin(address, input, input_len, gas_limit, stack)
    })?;
    let rt = caller.data().rt.clone();
    let exec = caller.data_mut().exec.take().ok_or_else(engine_fault)?;
    let (exec, result) = rt.run_frame(exec, request);
    caller.data_mut().exec = Some(exec);
    with_env(caller, |env| env.call_contract_end(result))
}

fn classify(error: &wasmi::Error) -> Stop {
    if let Some(stop) = error.downcast_ref::<Stop>() {
        return *stop;
    }
    let kind = match error.as_trap_code() {
        Some(TrapCode::UnreachableCodeReached) => TrapKind::Unreachable,
        Some(TrapCode::MemoryOutOfBounds) => TrapKind::MemoryOutOfBounds,
        Some(TrapCode::TableOutOfBounds) => TrapKind::TableOutOfBounds,
        Some(TrapCode::IndirectCallToNull) => TrapKind::IndirectCallToNull,
        Some(TrapCode::BadSignature) => TrapKind::BadSignature,
        Some(TrapCode::IntegerOverflow) => TrapKind::IntegerOverflow,
        Some(TrapCode::IntegerDivisionByZero) => TrapKind::IntegerDivisionByZero,
        _ => TrapKind::Engine,
    };
    Stop::Trap(kind)
}

impl WasmiEngine {
    pub fn new(limits: &Limits) -> Result<Self, EngineError> {
        let mut config = Config::default();
        config
            .wasm_mutable_global(true)
            .wasm_sign_extension(false)
            .wasm_saturating_float_to_int(false)
            .wasm_multi_value(false)
            .wasm_bulk_memory(false)
            .wasm_reference_types(false)
            .wasm_tail_call(false)
            .wasm_extended_const(false)
            .floats(false)
            .set_max_recursion_depth(max_recursion_depth(limits))
            .set_max_stack_height(MAX_VALUE_STACK_BYTES);
        let engine = WiEngine::new(&config);
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
                |code: i32| -> Result<(), wasmi::Error> {
                    let why = MeterTrap::from_code(code)
                        .map_or(Stop::Trap(TrapKind::Engine), Stop::Meter);
                    Err(wasmi::Error::host(why))
                },
            )
            .map_err(EngineError::new)?;
        Ok(WasmiEngine {
            engine,
            linker: Arc::new(linker),
        })
    }
}

impl Engine for WasmiEngine {
    fn compile(&self, instrumented: &[u8]) -> Result<Box<dyn Compiled>, EngineError> {
        let module = Module::new(&self.engine, instrumented).map_err(EngineError::new)?;
        Ok(Box::new(WasmiCompiled {
            engine: self.engine.clone(),
            linker: self.linker.clone(),
            module,
        }))
    }
}

struct WasmiCompiled {
    engine: WiEngine,
    linker: Arc<Linker<StoreData>>,
    module: Module,
}

impl Compiled for WasmiCompiled {
    fn run(
        &self,
        rt: Arc<dyn Frames>,
        exec: Box<Execution>,
        entry: &'static str,
        gas: u64,
        stack_base: u32,
    ) -> (Box<Execution>, Exit) {
        let data = StoreData {
            rt,
            exec: Some(exec),
            handles: None,
        };
        let mut store = Store::new(&self.engine, data);
        let result = (|| -> Result<(), wasmi::Error> {
            let instance = self
                .linker
                .instantiate_and_start(&mut store, &self.module)?;
            let memory = instance
                .get_memory(&store, EXPORT_MEMORY)
                .ok_or_else(engine_fault)?;
            let gas_global = instance
                .get_global(&store, GAS_GLOBAL)
                .ok_or_else(engine_fault)?;
            let stack = instance
                .get_global(&store, STACK_GLOBAL)
                .ok_or_else(engine_fault)?;
            gas_global
                .set(&mut store, Val::I64(gas as i64))
                .map_err(|_| engine_fault())?;
            stack
                .set(&mut store, Val::I32(stack_base as i32))
                .map_err(|_| engine_fault())?;
            store.data_mut().handles = Some(Handles {
                memory,
                gas: gas_global,
                stack,
            });
            let func = instance.get_typed_func::<(), ()>(&store, entry)?;
            func.call(&mut store, ())
        })();
        let gas_left = match store.data().handles {
            Some(h) => h.gas.get(&store).i64().unwrap_or(0) as u64,
            None => gas,
        };
        let stop = result.err().map(|e| classify(&e));
        let exec = store.into_data().exec;
        match exec {
            Some(exec) => (exec, Exit { stop, gas_left }),
            None => unreachable!("execution state lost by the wasmi backend"),
        }
    }
}
