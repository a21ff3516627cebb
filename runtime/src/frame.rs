//! The state of one execution that frames, host functions and engines share: the call frames,
//! the overlay, gas, how a frame stopped, and [`Frames`], through which an engine's
//! `call_contract` runs a nested frame without depending on the runtime that does it.

use std::sync::Arc;

use carechain_abi::Address;

use crate::config::Limits;
use crate::gas::HostCosts;
use crate::instrument::MeterTrap;
use crate::outcome::{Failure, Outcome, TrapKind};
use crate::state::{Overlay, StateError};

/// The block a message executes in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockInfo {
    /// Block height.
    pub height: u64,
    /// Block timestamp, Unix seconds.
    pub time: u64,
}

/// Why a host function (or the injected meter) stopped the contract. Raised as a trap by the
/// engine backend and recovered from the engine's error afterwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Stop {
    /// The contract called `revert`.
    #[error("contract reverted")]
    Revert,
    /// The injected metering code stopped execution.
    #[error("metering stopped execution: {0:?}")]
    Meter(MeterTrap),
    /// A host function refused its arguments.
    #[error("host trap: {0:?}")]
    Trap(TrapKind),
    /// The state backend failed to read (the [`StateError`](crate::state::StateError) itself is
    /// kept in the execution). Unwinds every frame of the execution: a caller never sees it as a
    /// call status, and [`Runtime::execute`](crate::Runtime::execute) returns the error.
    #[error("state read failed")]
    StateFault,
}

impl wasmi::errors::HostError for Stop {}

/// How a run of an entry point ended.
pub(crate) struct Exit {
    /// `None` if the entry point returned normally.
    pub stop: Option<Stop>,
    /// The gas global's value when execution stopped.
    pub gas_left: u64,
}

/// One contract's activation.
pub(crate) struct CallFrame {
    pub contract: Address,
    pub caller: Address,
    pub input: Vec<u8>,
    /// Data set by `set_return` or `revert`.
    pub output: Vec<u8>,
    /// Return data of the last `call_contract` this frame made.
    pub last_return: Vec<u8>,
}

/// State shared by every frame of one top-level execution. It moves into each engine store for the
/// duration of a call and back out afterwards.
pub struct Execution {
    pub(crate) overlay: Overlay,
    pub(crate) block: BlockInfo,
    pub(crate) frames: Vec<CallFrame>,
    /// Gas left in the running frame; valid during a host call only (synced from the global).
    pub(crate) gas_left: u64,
    pub(crate) read_only: bool,
    pub(crate) debug: Option<Vec<String>>,
    /// The first state read that failed. Once set, every frame unwinds ([`Stop::StateFault`])
    /// and [`Runtime::execute`](crate::Runtime::execute) returns it instead of a result.
    pub(crate) fault: Option<StateError>,
}

impl Execution {
    pub(crate) fn frame(&self) -> &CallFrame {
        // Host functions only run inside a frame pushed by `run_frame`.
        self.frames
            .last()
            .expect("host function called outside a frame")
    }

    pub(crate) fn frame_mut(&mut self) -> &mut CallFrame {
        self.frames
            .last_mut()
            .expect("host function called outside a frame")
    }

    /// Records a failed state read (the first one is kept) and returns the stop that unwinds the
    /// running contract.
    pub(crate) fn fault(&mut self, error: StateError) -> Stop {
        if self.fault.is_none() {
            self.fault = Some(error);
        }
        Stop::StateFault
    }
}

/// A request to run one contract frame.
pub struct FrameRequest {
    pub(crate) caller: Address,
    pub(crate) contract: Address,
    pub(crate) input: Vec<u8>,
    pub(crate) entry: &'static str,
    pub(crate) gas_limit: u64,
    pub(crate) stack_base: u32,
}

/// What one frame ended with.
pub struct FrameResult {
    pub(crate) outcome: Outcome,
    pub(crate) gas_used: u64,
    pub(crate) output: Vec<u8>,
}

impl FrameResult {
    pub(crate) fn failed(failure: Failure, gas_used: u64) -> Self {
        FrameResult {
            outcome: Outcome::Failed(failure),
            gas_used,
            output: Vec::new(),
        }
    }

    /// The frame of a faulted execution. Its outcome is never observed: the caller unwinds
    /// ([`HostEnv::call_contract_end`](crate::host::HostEnv::call_contract_end)) and
    /// [`Runtime::execute`](crate::Runtime::execute) returns the fault.
    pub(crate) fn faulted(gas_limit: u64) -> Self {
        FrameResult::failed(Failure::Trap(TrapKind::Engine), gas_limit)
    }
}

/// What host functions and engines need of the runtime running them: its schedule and limits,
/// and a nested frame run for `call_contract` (the re-entrancy of a call: an engine runs a frame
/// whose host function runs a frame). Implemented by the runtime (`exec`), so that neither the
/// engines nor the host functions depend on it.
pub(crate) trait Frames: Send + Sync {
    /// The gas costs of host functions.
    fn host_costs(&self) -> &HostCosts;
    /// The limits.
    fn limits(&self) -> &Limits;
    /// Runs one nested frame (see `exec::run_frame`).
    fn run_frame(
        self: Arc<Self>,
        exec: Box<Execution>,
        req: FrameRequest,
    ) -> (Box<Execution>, FrameResult);
}
