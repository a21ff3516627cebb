//! Executing a message: [`Runtime::execute`] and the frame logic (depth and reentrancy checks,
//! gas, overlay frames, rollback) common to both engines. The state the frames share is in
//! `frame`; the runtime is handed to the engines as [`Frames`] for nested calls.

use std::sync::Arc;

use carechain_abi::{Address, CodeHash, EXPORT_CALL, EXPORT_DEPLOY};

use crate::config::Limits;
use crate::frame::{
    BlockInfo, CallFrame, Execution, Exit, FrameRequest, FrameResult, Frames, Stop,
};
use crate::gas::HostCosts;
use crate::instrument::MeterTrap;
use crate::outcome::{CallResult, Failure, Outcome, TrapKind};
use crate::runtime::{Inner, Message, Runtime};
use crate::state::{Overlay, StateError, StateReader, blake2b_256};

/// Native stack kept free before entering an engine. Wasm code cannot use more than the
/// deterministic limit allows; this leaves room for it plus the host frames, so neither engine
/// ever meets the end of the native stack.
const RED_ZONE: usize = 6 * 1024 * 1024;
/// Size of the stack segment allocated when less than [`RED_ZONE`] is left.
const STACK_SEGMENT: usize = 16 * 1024 * 1024;

fn exit_outcome(exit: &Exit) -> Outcome {
    match exit.stop {
        None => Outcome::Success,
        Some(Stop::Revert) => Outcome::Reverted,
        Some(Stop::Meter(MeterTrap::OutOfGas)) => Outcome::Failed(Failure::OutOfGas),
        Some(Stop::Meter(MeterTrap::StackOverflow)) => Outcome::Failed(Failure::StackOverflow),
        Some(Stop::Meter(MeterTrap::MemoryLimit)) => Outcome::Failed(Failure::MemoryLimit),
        Some(Stop::Trap(kind)) => Outcome::Failed(Failure::Trap(kind)),
        // Not observed: `run_frame` reports the frame as faulted.
        Some(Stop::StateFault) => Outcome::Failed(Failure::Trap(TrapKind::Engine)),
    }
}

/// Runs one frame: checks depth and reentrancy, loads the code, pays instantiation, runs the
/// entry point in a fresh overlay frame and keeps or drops that frame.
pub(crate) fn run_frame(
    rt: &Runtime,
    mut exec: Box<Execution>,
    req: FrameRequest,
) -> (Box<Execution>, FrameResult) {
    if exec.fault.is_some() {
        return (exec, FrameResult::faulted(req.gas_limit));
    }
    let limits = rt.limits();
    if exec.frames.len() >= limits.max_call_depth as usize {
        return (exec, FrameResult::failed(Failure::CallDepthExceeded, 0));
    }
    if exec.frames.iter().any(|f| f.contract == req.contract) {
        return (exec, FrameResult::failed(Failure::Reentrancy, 0));
    }
    if req.input.len() > limits.max_input_size as usize {
        return (exec, FrameResult::failed(Failure::InputTooLarge, 0));
    }
    if req.stack_base > limits.max_stack_height {
        return (exec, FrameResult::failed(Failure::StackOverflow, 0));
    }
    let hash = match exec.overlay.contract_code(&req.contract) {
        Ok(Some(hash)) => hash,
        Ok(None) => {
            return (
                exec,
                FrameResult::failed(Failure::ContractNotFound(req.contract), 0),
            );
        }
        Err(e) => {
            exec.fault(e);
            return (exec, FrameResult::faulted(req.gas_limit));
        }
    };
    let prepared = match rt.load(&hash, &exec.overlay) {
        Ok(Ok(p)) => p,
        Ok(Err(failure)) => return (exec, FrameResult::failed(failure, 0)),
        Err(e) => {
            exec.fault(e);
            return (exec, FrameResult::faulted(req.gas_limit));
        }
    };
    let host = &rt.schedule().host;
    let instantiate = host
        .instantiate
        .saturating_add(u64::from(prepared.initial_pages).saturating_mul(host.instantiate_page))
        .saturating_add(prepared.data_bytes.saturating_mul(host.write_byte));
    let Some(gas) = req.gas_limit.checked_sub(instantiate) else {
        return (exec, FrameResult::failed(Failure::OutOfGas, req.gas_limit));
    };

    exec.overlay.push();
    exec.frames.push(CallFrame {
        contract: req.contract,
        caller: req.caller,
        input: req.input,
        output: Vec::new(),
        last_return: Vec::new(),
    });
    let (mut exec, exit) = stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
        prepared
            .compiled
            .run(rt.inner.clone(), exec, req.entry, gas, req.stack_base)
    });
    let frame = exec.frames.pop();
    if exec.fault.is_some() {
        exec.overlay.pop(false);
        return (exec, FrameResult::faulted(req.gas_limit));
    }
    let outcome = exit_outcome(&exit);
    exec.overlay.pop(outcome.is_success());
    // Out of gas uses everything, by definition. A trap does too: between calls the instrumented
    // code keeps the gas left in a local, so the global is stale when the engine traps (e.g. on
    // an out-of-bounds load). The rule, not the engine, decides the figure.
    let gas_left = if matches!(
        outcome,
        Outcome::Failed(Failure::OutOfGas | Failure::Trap(_))
    ) {
        0
    } else {
        exit.gas_left
    };
    let gas_used = req.gas_limit.saturating_sub(gas_left.min(gas));
    let output = match outcome {
        Outcome::Success | Outcome::Reverted => frame.map(|f| f.output).unwrap_or_default(),
        Outcome::Failed(_) => Vec::new(),
    };
    (
        exec,
        FrameResult {
            outcome,
            gas_used,
            output,
        },
    )
}

/// The address a deploy creates: Blake2b-256 of `(deployer, code hash, salt)`.
pub fn contract_address(deployer: &Address, code_hash: &CodeHash, salt: &[u8]) -> Address {
    let mut bytes = Vec::with_capacity(64 + salt.len());
    bytes.extend_from_slice(&deployer.0);
    bytes.extend_from_slice(&code_hash.0);
    bytes.extend_from_slice(salt);
    Address(blake2b_256(&bytes))
}

/// Executes one top-level message against `state`; a failed state read anywhere ends it with
/// the [`StateError`] (see [`Runtime::execute`]).
pub(crate) fn execute(
    rt: &Runtime,
    state: Arc<dyn StateReader>,
    block: BlockInfo,
    message: Message,
    gas_limit: u64,
) -> Result<CallResult, StateError> {
    let read_only = matches!(message, Message::Query { .. });
    let exec = Box::new(Execution {
        overlay: Overlay::new(state),
        block,
        frames: Vec::new(),
        gas_left: 0,
        read_only,
        debug: rt.config().record_debug.then(Vec::new),
        fault: None,
    });
    let failed = |failure: Failure, gas_used: u64, contract: Option<Address>| CallResult {
        outcome: Outcome::Failed(failure),
        return_data: Vec::new(),
        gas_used,
        events: Vec::new(),
        changes: Default::default(),
        debug: Vec::new(),
        contract,
    };

    let (mut exec, result, contract, deploy_gas) = match message {
        Message::Deploy {
            deployer,
            code,
            input,
            salt,
        } => {
            let deploy_gas = (code.len() as u64).saturating_mul(rt.schedule().host.deploy_byte);
            let Some(remaining) = gas_limit.checked_sub(deploy_gas) else {
                return Ok(failed(Failure::OutOfGas, gas_limit, None));
            };
            let hash = match rt.prepare(&code) {
                Ok(hash) => hash,
                Err(e) => return Ok(failed(Failure::InvalidModule(e), deploy_gas, None)),
            };
            let address = contract_address(&deployer, &hash, &salt);
            let mut exec = exec;
            if exec.overlay.contract_code(&address)?.is_some() {
                return Ok(failed(
                    Failure::ContractExists(address),
                    deploy_gas,
                    Some(address),
                ));
            }
            // The creation lives in its own frame so that a failed constructor undoes it.
            exec.overlay.push();
            exec.overlay.create_contract(address, hash, Arc::from(code));
            let req = FrameRequest {
                caller: deployer,
                contract: address,
                input,
                entry: EXPORT_DEPLOY,
                gas_limit: remaining,
                stack_base: 0,
            };
            let (mut exec, result) = run_frame(rt, exec, req);
            exec.overlay.pop(result.outcome.is_success());
            (exec, result, Some(address), deploy_gas)
        }
        Message::Call {
            caller,
            contract,
            input,
        }
        | Message::Query {
            caller,
            contract,
            input,
        } => {
            let req = FrameRequest {
                caller,
                contract,
                input,
                entry: EXPORT_CALL,
                gas_limit,
                stack_base: 0,
            };
            let (exec, result) = run_frame(rt, exec, req);
            (exec, result, None, 0)
        }
    };
    if let Some(fault) = exec.fault.take() {
        return Err(fault);
    }
    let debug = exec.debug.take().unwrap_or_default();
    let (changes, events) = exec.overlay.finish();
    let success = result.outcome.is_success();
    Ok(CallResult {
        outcome: result.outcome,
        return_data: result.output,
        gas_used: deploy_gas.saturating_add(result.gas_used).min(gas_limit),
        events: if success && !read_only {
            events
        } else {
            Vec::new()
        },
        changes: if success && !read_only {
            changes
        } else {
            Default::default()
        },
        debug,
        contract,
    })
}

impl Runtime {
    /// Executes one message against `state` with at most `gas_limit` gas. Never panics on any
    /// input; every failure of the contract (revert, trap, out of gas, ...) is an
    /// [`Outcome`](crate::Outcome) in the result.
    ///
    /// # Errors
    ///
    /// [`StateError`] if `state` failed to read, anywhere in the execution: in a host function
    /// (`storage_read`, `storage_contains`), looking up a called or deployed contract, or loading
    /// its code, in the top-level frame or in any nested call. The first failure unwinds every
    /// frame at once; no contract sees it (a caller cannot catch it as a call status and go on,
    /// which would make its result depend on one node's disk), and there is no outcome, gas
    /// figure, event or change set: the execution did not happen. A node must not record a
    /// receipt for it, but abandon the block (or query) and retry once the fault is cleared.
    ///
    /// This is a `Result` rather than an outcome so that an embedder cannot mistake a fault of
    /// its own storage for a deterministic result of the contract, nor ignore it: the call
    /// result is only reachable by handling the error. A state that never fails (such as
    /// [`MemoryState`](crate::MemoryState)) never gets `Err`.
    pub fn execute(
        &self,
        state: Arc<dyn StateReader>,
        block: BlockInfo,
        message: Message,
        gas_limit: u64,
    ) -> Result<CallResult, StateError> {
        execute(self, state, block, message, gas_limit)
    }
}

impl Frames for Inner {
    fn host_costs(&self) -> &HostCosts {
        &self.config.schedule.host
    }

    fn limits(&self) -> &Limits {
        &self.config.limits
    }

    fn run_frame(
        self: Arc<Self>,
        exec: Box<Execution>,
        req: FrameRequest,
    ) -> (Box<Execution>, FrameResult) {
        run_frame(&Runtime { inner: self }, exec, req)
    }
}
