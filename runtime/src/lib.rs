//! Validated, gas-metered, deterministic WebAssembly execution for Carechain contracts, on
//! wasmtime or wasmi with identical results and gas.
//!
//! The pipeline is `validate -> instrument -> compile (cached by code hash) -> instantiate ->
//! call`:
//!
//! * [`validate`](validate::validate) refuses, with a typed [`ValidationError`], anything beyond
//!   WebAssembly 1.0 + mutable globals, floats, start functions, imports outside the host ABI,
//!   and modules over the [`Limits`].
//! * [`instrument`](instrument::instrument) injects gas charging per basic block, a deterministic
//!   stack-height limit and a memory limit, priced by one versioned [`GasSchedule`]. Because the
//!   metering is in the bytecode, not in the engine, both engines stop at the same instruction with
//!   the same gas.
//! * Engines ([`EngineKind`]) only compile and run; host functions ([`host`]) are written once.
//! * [`Runtime::execute`] runs a [`Message`] on an [`Overlay`](state::Overlay) of nested frames: a
//!   failed call leaves no trace, a failed inner call rolls back only the callee. A state backend
//!   that fails to read ([`StateError`]) ends the whole execution with that error instead of a
//!   result: a fault of the node, never an outcome a contract could see.
//! * [`Sandbox`] wraps it all for tests and contract authors.
//!
//! # Determinism
//!
//! Results, return data, gas, events and state changes are identical on both engines for every
//! module the validator accepts: the crate's tests check this on hostile modules and on thousands
//! of generated ones. The only residue is engine-internal limits that the deterministic limits
//! are configured to stay far below (see `engine`).
//!
//! # wasmtime's configuration
//!
//! Instances come from a pool (sized for 16 top-level executions at once, each up to the call
//! depth; more wait for a turn, so the pool can never run dry, which would be a failure wasmi does
//! not have). Signal-based traps are off: compiled code checks memory bounds itself, linear memory
//! has no guard pages, and reusing a slot is a reset of its contents, not an `mmap`/`mprotect`
//! per call (each a TLB shootdown across the node's threads: about half of block execution
//! before). This also turns off Cranelift's Spectre masking of bounds checks; a contract has no
//! clock to time a side channel with, and wasmi has no such masking either.
#![warn(missing_docs)]

use std::borrow::Cow;

pub mod config;
mod engine;
mod exec;
mod frame;
pub mod gas;
pub mod host;
pub mod instrument;
pub mod outcome;
mod runtime;
pub mod sandbox;
pub mod state;
pub mod validate;

pub use carechain_abi as abi;
pub use carechain_abi::{Address, CodeHash, Topic};
pub use config::{EngineKind, Limits};
pub use exec::contract_address;
pub use frame::BlockInfo;
pub use gas::GasSchedule;
pub use outcome::{CallResult, Failure, Outcome, TrapKind};
pub use runtime::{Message, Runtime, RuntimeConfig, RuntimeError};
pub use sandbox::Sandbox;
pub use state::{ChangeSet, Event, MemoryState, StateError, StateReader};
pub use validate::ValidationError;

/// The contract metadata a module carries: the JSON of its
/// [`METADATA_SECTION`](carechain_abi::METADATA_SECTION) custom section, inflated if compressed
/// (see [`carechain_abi::metadata`]; at most
/// [`MAX_METADATA_LEN`](carechain_abi::metadata::MAX_METADATA_LEN) bytes, so a hostile module
/// cannot make it allocate more). `None` if the module has no such section, or it cannot be
/// parsed or decoded. The runtime never executes it; it keeps it with the code so tools can read
/// it after deploy (see the `carechain-metadata` crate for its format).
pub fn metadata_section(code: &[u8]) -> Option<Cow<'_, [u8]>> {
    for payload in wasmparser::Parser::new(0).parse_all(code) {
        match payload {
            Ok(wasmparser::Payload::CustomSection(reader))
                if reader.name() == carechain_abi::METADATA_SECTION =>
            {
                return carechain_abi::metadata::decode_metadata(reader.data()).ok();
            }
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}
