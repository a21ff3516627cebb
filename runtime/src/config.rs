//! Runtime configuration: the limits a module must respect and the limits of one execution.

use std::fmt;
use std::str::FromStr;

/// Which engine executes contracts. Both give identical results and gas by construction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EngineKind {
    /// wasmtime with Cranelift: compiles to native code; fastest execution.
    Wasmtime,
    /// wasmi: an interpreter; quick to instantiate, and the differential oracle.
    Wasmi,
}

impl EngineKind {
    /// Both engines, in a fixed order.
    pub const ALL: [EngineKind; 2] = [EngineKind::Wasmtime, EngineKind::Wasmi];

    /// `"wasmtime"` or `"wasmi"`.
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Wasmtime => "wasmtime",
            EngineKind::Wasmi => "wasmi",
        }
    }
}

impl fmt::Display for EngineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An engine name that is neither `wasmtime` nor `wasmi`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown engine `{0}` (expected `wasmtime` or `wasmi`)")]
pub struct UnknownEngine(pub String);

impl FromStr for EngineKind {
    type Err = UnknownEngine;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "wasmtime" => Ok(EngineKind::Wasmtime),
            "wasmi" => Ok(EngineKind::Wasmi),
            other => Err(UnknownEngine(other.to_string())),
        }
    }
}

/// Static limits checked when code is deployed, and the runtime limits that the instrumentation
/// enforces during execution. Every limit is part of consensus: all validators must use the same.
///
/// The defaults are chosen for contracts compiled from Rust with `opt-level = "z"` and LTO (a few
/// to a few hundred KiB) with generous headroom, while keeping the worst case of any single module
/// (compile time, memory, native stack) small on a 2-core validator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Maximum size of the module's bytes. Default: 512 KiB (CosmWasm allows 800 KiB, ink! ~128 KiB).
    pub max_code_size: usize,
    /// Maximum number of functions (imported + defined). Default: 10 000.
    pub max_functions: u32,
    /// Maximum number of locals (parameters included) in one function. Default: 1 024.
    pub max_locals: u32,
    /// Maximum number of globals. Default: 256.
    pub max_globals: u32,
    /// Maximum number of types in the type section. Default: 1 024.
    pub max_types: u32,
    /// Maximum initial (and declared maximum) table size, in elements. Default: 4 096.
    pub max_table_elements: u32,
    /// Maximum number of data segments. Default: 1 024.
    pub max_data_segments: u32,
    /// Maximum number of element segments. Default: 1 024.
    pub max_element_segments: u32,
    /// Maximum number of exports. Default: 256.
    pub max_exports: u32,
    /// Maximum memory, in 64 KiB pages: the declared initial and maximum sizes must not exceed it,
    /// and `memory.grow` beyond it traps with `memory_limit`. Default: 64 pages (4 MiB).
    pub max_memory_pages: u32,
    /// Maximum nesting depth of `block`/`loop`/`if` in a function. Default: 256.
    pub max_nesting_depth: u32,
    /// Maximum number of parameters of a function type. Default: 32.
    pub max_params: u32,
    /// Maximum deterministic stack height, in value slots, summed over all frames of all contracts
    /// in one transaction. Each call costs its callee's `params + locals + max operand stack +`
    /// [`Limits::frame_overhead`]. Default: 65 536 slots.
    pub max_stack_height: u32,
    /// Fixed slots charged per call frame on top of its values. Default: 4.
    pub frame_overhead: u32,
    /// Stack slots charged for a cross-contract call (the host frames between the two contracts).
    /// Default: 256.
    pub host_call_stack_cost: u32,
    /// Maximum cross-contract call depth (the top-level call is depth 1). Default: 16.
    pub max_call_depth: u32,
    /// Maximum size of a storage key. Default: 1 024 bytes.
    pub max_key_size: u32,
    /// Maximum size of a storage value. Default: 256 KiB.
    pub max_value_size: u32,
    /// Maximum size of an event's data. Default: 16 KiB.
    pub max_event_data: u32,
    /// Maximum size of return or revert data. Default: 256 KiB.
    pub max_return_size: u32,
    /// Maximum size of a call's input. Default: 256 KiB.
    pub max_input_size: u32,
    /// Maximum size of a debug message (longer ones are truncated). Default: 4 KiB.
    pub max_debug_message: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_code_size: 512 * 1024,
            max_functions: 10_000,
            max_locals: 1_024,
            max_globals: 256,
            max_types: 1_024,
            max_table_elements: 4_096,
            max_data_segments: 1_024,
            max_element_segments: 1_024,
            max_exports: 256,
            max_memory_pages: 64,
            max_nesting_depth: 256,
            max_params: 32,
            max_stack_height: 65_536,
            frame_overhead: 4,
            host_call_stack_cost: 256,
            max_call_depth: 16,
            max_key_size: 1_024,
            max_value_size: 256 * 1024,
            max_event_data: 16 * 1024,
            max_return_size: 256 * 1024,
            max_input_size: 256 * 1024,
            max_debug_message: 4 * 1024,
        }
    }
}
