//! Engine backends behind one trait: wasmtime (Cranelift) and wasmi (interpreter).
//!
//! A backend compiles instrumented code and runs one entry point of it with a given gas and stack
//! budget. Everything else — host functions, gas accounting, frames, rollback — is shared, so the
//! backends differ only in how they call into wasm and adapt host function signatures.

use crate::config::Limits;
use std::sync::Arc;

use crate::config::EngineKind;
use crate::frame::{Execution, Exit, Frames};

mod wasmi;
mod wasmtime;

/// An engine refused its configuration or a module: the engine's own error (wasmtime's or
/// wasmi's), kept as the source.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub(crate) struct EngineError(Box<dyn std::error::Error + Send + Sync>);

impl EngineError {
    /// Wraps the engine's error.
    pub(crate) fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        EngineError(source.into())
    }
}

/// A configured engine that compiles instrumented modules.
pub(crate) trait Engine: Send + Sync {
    /// Compiles an instrumented module.
    fn compile(&self, instrumented: &[u8]) -> Result<Box<dyn Compiled>, EngineError>;
}

/// A compiled module, ready to instantiate and run any number of times.
pub(crate) trait Compiled: Send + Sync {
    /// Instantiates the module in a fresh store holding `exec` (and `rt`, for nested calls), sets the gas and stack globals,
    /// runs `entry` and hands `exec` back.
    fn run(
        &self,
        rt: Arc<dyn Frames>,
        exec: Box<Execution>,
        entry: &'static str,
        gas: u64,
        stack_base: u32,
    ) -> (Box<Execution>, Exit);
}

/// Creates the engine of the given kind.
pub(crate) fn create(kind: EngineKind, limits: &Limits) -> Result<Box<dyn Engine>, EngineError> {
    Ok(match kind {
        EngineKind::Wasmtime => Box::new(wasmtime::WasmtimeEngine::new(limits)?),
        EngineKind::Wasmi => Box::new(wasmi::WasmiEngine::new(limits)?),
    })
}

/// Calls `$define!(Variant, method(arg: type, ...))` for every host function whose adapter is a
/// plain forward to the [`HostEnv`](crate::host::HostEnv) method of the same name. `call_contract`
/// and the meter's trap are adapted by hand in each backend.
macro_rules! for_each_host_fn {
    ($define:ident) => {
        $define!(InputLen, input_len());
        $define!(InputRead, input_read(dst: u32));
        $define!(SetReturn, set_return(ptr: u32, len: u32));
        $define!(Revert, revert(ptr: u32, len: u32));
        $define!(StorageRead, storage_read(key: u32, key_len: u32, dst: u32, dst_cap: u32));
        $define!(StorageWrite, storage_write(key: u32, key_len: u32, val: u32, val_len: u32));
        $define!(StorageRemove, storage_remove(key: u32, key_len: u32));
        $define!(StorageContains, storage_contains(key: u32, key_len: u32));
        $define!(Caller, caller(dst: u32));
        $define!(SelfAddress, self_address(dst: u32));
        $define!(BlockHeight, block_height());
        $define!(BlockTime, block_time());
        $define!(EmitEvent, emit_event(topics: u32, count: u32, data: u32, data_len: u32));
        $define!(Blake2b256, blake2b_256(src: u32, len: u32, dst: u32));
        $define!(Ed25519Verify, ed25519_verify(sig: u32, key: u32, msg: u32, msg_len: u32));
        $define!(ReturnDataLen, return_data_len());
        $define!(ReturnDataRead, return_data_read(dst: u32));
        $define!(DebugLog, debug_log(ptr: u32, len: u32));
    };
}
pub(crate) use for_each_host_fn;

/// The call depth an engine must allow: the deepest the deterministic stack limit permits, with
/// margin, so the instrumentation always stops a module first.
pub(crate) fn max_recursion_depth(limits: &Limits) -> usize {
    let min_frame = limits.frame_overhead.max(1) as usize;
    (limits.max_stack_height as usize / min_frame) * 2 + 64
}
