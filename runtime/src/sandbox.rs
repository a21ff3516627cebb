//! [`Sandbox`]: an in-process chain of one, for tests and contract authors.

use std::sync::Arc;

use carechain_abi::Address;

use crate::outcome::CallResult;
use crate::state::{Event, MemoryState, StateError, StateReader, blake2b_256};
use crate::{BlockInfo, EngineKind, Message, Runtime, RuntimeConfig, RuntimeError};

/// The result of an execution on a [`MemoryState`], whose reads never fail.
fn in_memory(result: Result<CallResult, StateError>) -> CallResult {
    match result {
        Ok(result) => result,
        // `MemoryState`'s reads are all `Ok`: a sandbox has no state fault to report.
        Err(fault) => unreachable!("the in-memory state failed a read: {fault}"),
    }
}

/// Gas given to each sandbox call unless another limit is passed: 1 000 000 000.
pub const DEFAULT_GAS: u64 = 1_000_000_000;

/// Deploys real wasm and calls it as any account, on either engine, with a settable block height
/// and time; successful calls are committed to an in-memory state whose storage, events and root
/// can be inspected.
///
/// ```
/// use carechain_runtime::{EngineKind, Sandbox};
///
/// let wat = r#"(module
///   (import "carechain" "set_return" (func $ret (param i32 i32)))
///   (memory (export "memory") 1)
///   (data (i32.const 0) "hi")
///   (func (export "deploy"))
///   (func (export "call") (call $ret (i32.const 0) (i32.const 2))))"#;
/// let code = wat::parse_str(wat).unwrap();
/// let mut sandbox = Sandbox::new(EngineKind::Wasmi);
/// let alice = Sandbox::account("alice");
/// let contract = sandbox.deploy(alice, &code, &[]).contract.unwrap();
/// let result = sandbox.call(alice, contract, &[]);
/// assert!(result.outcome.is_success());
/// assert_eq!(result.return_data, b"hi");
/// ```
pub struct Sandbox {
    runtime: Runtime,
    state: Arc<MemoryState>,
    block: BlockInfo,
    events: Vec<Event>,
    salt: u64,
}

impl Sandbox {
    /// A sandbox on `engine` with the default configuration, recording debug messages.
    ///
    /// # Panics
    ///
    /// If the engine cannot be configured on this machine (it always can on x86-64 and aarch64).
    pub fn new(engine: EngineKind) -> Self {
        let config = RuntimeConfig {
            record_debug: true,
            ..RuntimeConfig::for_engine(engine)
        };
        Self::with_config(config).expect("the default runtime configuration is valid")
    }

    /// A sandbox with a custom configuration.
    ///
    /// # Errors
    ///
    /// [`RuntimeError`] if the engine refuses the configuration.
    pub fn with_config(config: RuntimeConfig) -> Result<Self, RuntimeError> {
        Ok(Self::with_runtime(Runtime::new(config)?))
    }

    /// A sandbox over an existing runtime (sharing its compiled-code cache), with empty state.
    pub fn with_runtime(runtime: Runtime) -> Self {
        Sandbox {
            runtime,
            state: Arc::new(MemoryState::default()),
            block: BlockInfo {
                height: 1,
                time: 1_700_000_000,
            },
            events: Vec::new(),
            salt: 0,
        }
    }

    /// A deterministic test account: the Blake2b-256 of its name.
    pub fn account(name: &str) -> Address {
        Address(blake2b_256(name.as_bytes()))
    }

    /// The runtime.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The current block.
    pub fn block(&self) -> BlockInfo {
        self.block
    }

    /// Sets the block height and time seen by later calls.
    pub fn set_block(&mut self, height: u64, time: u64) {
        self.block = BlockInfo { height, time };
    }

    /// Sets the block height only.
    pub fn set_height(&mut self, height: u64) {
        self.block.height = height;
    }

    /// Sets the block time (Unix seconds) only.
    pub fn set_time(&mut self, time: u64) {
        self.block.time = time;
    }

    fn run(&mut self, message: Message, gas: u64) -> CallResult {
        let state: Arc<dyn StateReader> = self.state.clone();
        let result = in_memory(self.runtime.execute(state, self.block, message, gas));
        if result.outcome.is_success() {
            Arc::make_mut(&mut self.state).apply(result.changes.clone());
            self.events.extend(result.events.iter().cloned());
        }
        result
    }

    /// Deploys `code` as `deployer` with constructor `input` and the default gas; each deploy gets
    /// a fresh salt, so the same code can be deployed many times.
    pub fn deploy(&mut self, deployer: Address, code: &[u8], input: &[u8]) -> CallResult {
        self.salt += 1;
        let salt = self.salt.to_le_bytes().to_vec();
        self.deploy_with(deployer, code, input, &salt, DEFAULT_GAS)
    }

    /// Deploys with an explicit salt and gas limit.
    pub fn deploy_with(
        &mut self,
        deployer: Address,
        code: &[u8],
        input: &[u8],
        salt: &[u8],
        gas: u64,
    ) -> CallResult {
        let message = Message::Deploy {
            deployer,
            code: code.to_vec(),
            input: input.to_vec(),
            salt: salt.to_vec(),
        };
        self.run(message, gas)
    }

    /// Calls `contract` as `caller` with the default gas; commits on success.
    pub fn call(&mut self, caller: Address, contract: Address, input: &[u8]) -> CallResult {
        self.call_with_gas(caller, contract, input, DEFAULT_GAS)
    }

    /// Calls with an explicit gas limit.
    pub fn call_with_gas(
        &mut self,
        caller: Address,
        contract: Address,
        input: &[u8],
        gas: u64,
    ) -> CallResult {
        self.run(
            Message::Call {
                caller,
                contract,
                input: input.to_vec(),
            },
            gas,
        )
    }

    /// A read-only call: nothing is committed, writes and events trap.
    pub fn query(&self, caller: Address, contract: Address, input: &[u8]) -> CallResult {
        let state: Arc<dyn StateReader> = self.state.clone();
        let message = Message::Query {
            caller,
            contract,
            input: input.to_vec(),
        };
        in_memory(
            self.runtime
                .execute(state, self.block, message, DEFAULT_GAS),
        )
    }

    /// A storage value of a contract.
    pub fn storage(&self, contract: &Address, key: &[u8]) -> Option<Vec<u8>> {
        self.state.storage.get(&(*contract, key.to_vec())).cloned()
    }

    /// The metadata JSON ([`abi::METADATA_SECTION`](crate::abi::METADATA_SECTION), inflated if
    /// compressed: see [`metadata_section`](crate::metadata_section)) of the contract deployed at
    /// `contract`, if it has one.
    pub fn metadata(&self, contract: &Address) -> Option<Vec<u8>> {
        let hash = self.state.contracts.get(contract)?;
        let code = self.state.codes.get(hash)?;
        crate::metadata_section(code).map(std::borrow::Cow::into_owned)
    }

    /// Every event committed so far, in order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The committed state.
    pub fn state(&self) -> &MemoryState {
        &self.state
    }

    /// The root of the committed state (see [`MemoryState::state_root`]).
    pub fn state_root(&self) -> [u8; 32] {
        self.state.state_root()
    }
}
