//! What an execution ends with: [`Outcome`], its [`Failure`] kinds, and the full [`CallResult`].

use carechain_abi::{Address, CallStatus};

use crate::state::{ChangeSet, Event};
use crate::validate::ValidationError;

/// A trap: the contract did something WebAssembly or the host ABI forbids.
///
/// Only engine-independent reasons appear here, so the same module traps with the same kind on
/// wasmtime and wasmi.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrapKind {
    /// `unreachable` was executed (also how Rust's `panic = "abort"` ends).
    Unreachable,
    /// A load or store outside linear memory.
    MemoryOutOfBounds,
    /// `call_indirect` outside the table.
    TableOutOfBounds,
    /// `call_indirect` to an empty table slot.
    IndirectCallToNull,
    /// `call_indirect` with a mismatched signature.
    BadSignature,
    /// Signed division overflow (`i32::MIN / -1`).
    IntegerOverflow,
    /// Division or remainder by zero.
    IntegerDivisionByZero,
    /// A host function was given a pointer/length outside linear memory.
    HostMemoryOutOfBounds,
    /// A storage key longer than the limit.
    KeyTooLarge,
    /// A storage value longer than the limit.
    ValueTooLarge,
    /// An event with more than four topics or more data than the limit.
    EventTooLarge,
    /// Return or revert data longer than the limit.
    ReturnDataTooLarge,
    /// A storage write or event during a read-only query.
    WriteInQuery,
    /// A trap the runtime cannot attribute to one of the reasons above (an engine limit was hit
    /// first). Never expected; reported rather than hidden.
    Engine,
}

impl TrapKind {
    /// The stable snake-case name (`"unreachable"`, `"memory_out_of_bounds"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            TrapKind::Unreachable => "unreachable",
            TrapKind::MemoryOutOfBounds => "memory_out_of_bounds",
            TrapKind::TableOutOfBounds => "table_out_of_bounds",
            TrapKind::IndirectCallToNull => "indirect_call_to_null",
            TrapKind::BadSignature => "bad_signature",
            TrapKind::IntegerOverflow => "integer_overflow",
            TrapKind::IntegerDivisionByZero => "integer_division_by_zero",
            TrapKind::HostMemoryOutOfBounds => "host_memory_out_of_bounds",
            TrapKind::KeyTooLarge => "key_too_large",
            TrapKind::ValueTooLarge => "value_too_large",
            TrapKind::EventTooLarge => "event_too_large",
            TrapKind::ReturnDataTooLarge => "return_data_too_large",
            TrapKind::WriteInQuery => "write_in_query",
            TrapKind::Engine => "engine",
        }
    }
}

/// Why an execution failed without a revert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The code was refused at deploy.
    InvalidModule(ValidationError),
    /// The gas limit was exhausted.
    OutOfGas,
    /// The deterministic stack limit was exhausted.
    StackOverflow,
    /// `memory.grow` beyond the memory limit.
    MemoryLimit,
    /// A trap. Like running out of gas, it uses the call's whole gas limit.
    Trap(TrapKind),
    /// No contract at the called address.
    ContractNotFound(Address),
    /// A contract already exists at the address a deploy would create.
    ContractExists(Address),
    /// The call input is larger than the limit.
    InputTooLarge,
    /// Cross-contract call depth exceeded.
    CallDepthExceeded,
    /// The target is already executing higher up the call stack.
    Reentrancy,
}

impl Failure {
    /// The stable name used in JSON outcomes: `"out_of_gas"`, `"trap:unreachable"`,
    /// `"invalid_module:float_instruction"`, ...
    pub fn name(&self) -> String {
        match self {
            Failure::InvalidModule(e) => format!("invalid_module:{}", e.kind()),
            Failure::OutOfGas => "out_of_gas".into(),
            Failure::StackOverflow => "stack_overflow".into(),
            Failure::MemoryLimit => "memory_limit".into(),
            Failure::Trap(t) => format!("trap:{}", t.name()),
            Failure::ContractNotFound(_) => "contract_not_found".into(),
            Failure::ContractExists(_) => "contract_exists".into(),
            Failure::InputTooLarge => "input_too_large".into(),
            Failure::CallDepthExceeded => "call_depth_exceeded".into(),
            Failure::Reentrancy => "reentrancy".into(),
        }
    }

    /// The status a calling contract sees when its callee failed this way.
    pub fn call_status(&self) -> CallStatus {
        match self {
            Failure::OutOfGas => CallStatus::OutOfGas,
            Failure::StackOverflow => CallStatus::StackOverflow,
            Failure::MemoryLimit => CallStatus::MemoryLimit,
            Failure::ContractNotFound(_) => CallStatus::NotFound,
            Failure::CallDepthExceeded => CallStatus::DepthExceeded,
            Failure::Reentrancy => CallStatus::Reentrancy,
            Failure::InvalidModule(_)
            | Failure::Trap(_)
            | Failure::ContractExists(_)
            | Failure::InputTooLarge => CallStatus::Trapped,
        }
    }
}

/// How an execution ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Returned normally; changes and events are kept.
    Success,
    /// The contract called `revert`; the return data is its revert data.
    Reverted,
    /// It failed; nothing it did is kept.
    Failed(Failure),
}

impl Outcome {
    /// The stable name: `"success"`, `"reverted"` or the failure's name.
    pub fn name(&self) -> String {
        match self {
            Outcome::Success => "success".into(),
            Outcome::Reverted => "reverted".into(),
            Outcome::Failed(f) => f.name(),
        }
    }

    /// True for [`Outcome::Success`].
    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Success)
    }
}

/// Everything one top-level execution produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallResult {
    /// How it ended.
    pub outcome: Outcome,
    /// Return data on success, revert data on revert, empty otherwise.
    pub return_data: Vec<u8>,
    /// Gas consumed, never more than the limit.
    pub gas_used: u64,
    /// Events, in emission order (empty unless successful).
    pub events: Vec<Event>,
    /// State changes to commit (empty unless successful).
    pub changes: ChangeSet,
    /// Messages from `debug_log`, if the runtime records them.
    pub debug: Vec<String>,
    /// For a deploy: the new contract's address.
    pub contract: Option<Address>,
}
