//! Running a scenario on one engine.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use carechain_metadata::{ContractMetadata, Message, Resolver};
use carechain_runtime::{Address, CallResult, EngineKind, Event, Sandbox};
use serde::Serialize;
use serde_json::{Value, json};

use carechain_client::substitute_time;

use super::{CallStep, DeployStep, Expect, Scenario, SetBlockStep, Step};

const DEFAULT_GAS: u64 = 1_000_000_000;

/// A scenario file that could not be run at all.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a scenario.
    #[error("{path} is not a valid scenario: {message}")]
    Parse {
        /// The file.
        path: String,
        /// serde's message, with line and column.
        message: String,
    },
}

/// What one step did and which expectations it missed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StepReport {
    /// Position in the scenario, from 1.
    pub index: usize,
    /// The step in words, e.g. `call counter.increment from alice`.
    pub step: String,
    /// The step's note from the scenario file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `"success"`, `"reverted"`, a failure name, or `"not_run"` if the step could not be made.
    pub outcome: String,
    /// Gas used.
    pub gas_used: u64,
    /// Return data (or revert data), hex.
    pub return_data: String,
    /// The returned value decoded through metadata, on success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returns: Option<Value>,
    /// The decoded error, on revert.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
    /// Events emitted, decoded where the emitter's metadata is known.
    pub events: Vec<Value>,
    /// Expectations not met (empty: the step passed).
    pub failures: Vec<String>,
}

/// A scenario's result on one engine.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScenarioReport {
    /// The scenario's name.
    pub name: String,
    /// The engine it ran on.
    pub engine: &'static str,
    /// Each step.
    pub steps: Vec<StepReport>,
    /// The sandbox's state root at the end, hex.
    pub state_root: String,
    /// True if every expectation held.
    pub passed: bool,
}

struct Instance {
    address: Address,
    metadata: ContractMetadata,
}

/// What a step's execution gave, whatever executed it.
#[derive(Debug, Clone)]
pub struct Executed {
    /// `"success"`, `"reverted"` or a failure name.
    pub outcome: String,
    /// Return data or revert data.
    pub return_data: Vec<u8>,
    /// Gas used.
    pub gas_used: u64,
    /// Events emitted.
    pub events: Vec<Event>,
    /// For a successful deploy: the contract's address.
    pub contract: Option<Address>,
}

impl Executed {
    fn is_success(&self) -> bool {
        self.outcome == "success"
    }

    fn is_reverted(&self) -> bool {
        self.outcome == "reverted"
    }
}

impl From<CallResult> for Executed {
    fn from(r: CallResult) -> Self {
        Executed {
            outcome: r.outcome.name(),
            contract: r.contract.filter(|_| r.outcome.is_success()),
            return_data: r.return_data,
            gas_used: r.gas_used,
            events: r.events,
        }
    }
}

/// Why a backend could not make a step at all (a contract's outcome, even a failure, is not
/// an error: it is what the step checks).
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The backend cannot do this (a live chain's block height and time cannot be set).
    #[error("{0}")]
    Unsupported(&'static str),
    /// The account has no key in the chain directory.
    #[error(transparent)]
    Key(#[from] carechain_client::BookError),
    /// The node refused the transaction.
    #[error("refused: {0}")]
    Refused(carechain_client::ClientError),
    /// The node could not be asked, or did not answer in time.
    #[error(transparent)]
    Node(#[from] carechain_client::ClientError),
    /// The transaction was dropped instead of committed.
    #[error("transaction {hash} {state}: {reason}")]
    NotCommitted {
        /// Its hash.
        hash: String,
        /// What became of it.
        state: String,
        /// Why.
        reason: String,
    },
    /// A name that is no account of the chain directory.
    #[error("no key `{0}` in the chain directory")]
    UnknownAccount(String),
}

/// What runs a scenario's steps: the in-memory [`Sandbox`] or a live node.
pub trait Backend {
    /// The block time the next step will see (for `${now}` placeholders).
    fn now(&self) -> u64;
    /// Sets the block height and time, if this backend can.
    ///
    /// # Errors
    /// Why it cannot.
    fn set_block(&mut self, height: Option<u64>, time: Option<u64>)
    -> Result<String, BackendError>;
    /// The account address of a scenario account name.
    fn account(&self, name: &str) -> Option<Address>;
    /// Deploys `code` from `from`.
    ///
    /// # Errors
    /// Why the step could not be made at all (not a contract outcome).
    fn deploy(
        &mut self,
        from: &str,
        code: &[u8],
        input: &[u8],
        salt: &[u8],
        gas: u64,
    ) -> Result<Executed, BackendError>;
    /// Calls `to` from `from` (a transaction).
    ///
    /// # Errors
    /// Why the step could not be made at all.
    fn call(
        &mut self,
        from: &str,
        to: Address,
        input: &[u8],
        gas: u64,
    ) -> Result<Executed, BackendError>;
    /// Runs a read-only query.
    ///
    /// # Errors
    /// Why the step could not be made at all.
    fn query(&mut self, from: &str, to: Address, input: &[u8]) -> Result<Executed, BackendError>;
    /// A contract's storage value.
    fn storage(&self, contract: &Address, key: &[u8]) -> Option<Vec<u8>>;
    /// The state root now, hex.
    fn state_root(&self) -> String;
    /// Told when an instance `id` was deployed at `address`.
    fn deployed(&mut self, _id: &str, _address: Address) {}
    /// A contract deployed before the scenario, known to the backend by `id` (a live node's
    /// address book), with its metadata.
    fn existing(&self, _id: &str) -> Option<(Address, ContractMetadata)> {
        None
    }
}

/// The in-memory backend: a fresh [`Sandbox`] with accounts derived from names.
struct SandboxBackend(Sandbox);

impl Backend for SandboxBackend {
    fn now(&self) -> u64 {
        self.0.block().time
    }

    fn set_block(
        &mut self,
        height: Option<u64>,
        time: Option<u64>,
    ) -> Result<String, BackendError> {
        let block = self.0.block();
        let height = height.unwrap_or(block.height);
        let time = time.unwrap_or(block.time);
        self.0.set_block(height, time);
        Ok(format!("set_block height {height} time {time}"))
    }

    fn account(&self, name: &str) -> Option<Address> {
        Some(Sandbox::account(name))
    }

    fn deploy(
        &mut self,
        from: &str,
        code: &[u8],
        input: &[u8],
        salt: &[u8],
        gas: u64,
    ) -> Result<Executed, BackendError> {
        let from = Sandbox::account(from);
        Ok(self.0.deploy_with(from, code, input, salt, gas).into())
    }

    fn call(
        &mut self,
        from: &str,
        to: Address,
        input: &[u8],
        gas: u64,
    ) -> Result<Executed, BackendError> {
        let from = Sandbox::account(from);
        Ok(self.0.call_with_gas(from, to, input, gas).into())
    }

    fn query(&mut self, from: &str, to: Address, input: &[u8]) -> Result<Executed, BackendError> {
        let from = Sandbox::account(from);
        Ok(self.0.query(from, to, input).into())
    }

    fn storage(&self, contract: &Address, key: &[u8]) -> Option<Vec<u8>> {
        self.0.storage(contract, key)
    }

    fn state_root(&self) -> String {
        hex::encode(self.0.state_root())
    }
}

struct Runner<'a> {
    backend: &'a mut dyn Backend,
    instances: BTreeMap<String, Instance>,
    accounts: BTreeSet<String>,
    base_dir: &'a Path,
    contracts: &'a dyn Fn(&str) -> Option<Vec<u8>>,
}

impl Resolver for Runner<'_> {
    fn address(&self, name: &str) -> Option<[u8; 32]> {
        if let Some(i) = self.instances.get(name) {
            return Some(i.address.0);
        }
        if self.accounts.contains(name) {
            return self.backend.account(name).map(|a| a.0);
        }
        None
    }
}

/// Runs `scenario` in a fresh sandbox on `engine`. Contracts named in deploy steps come from
/// `contracts`; paths are relative to `base_dir`.
pub fn run_scenario(
    scenario: &Scenario,
    base_dir: &Path,
    engine: EngineKind,
    contracts: &dyn Fn(&str) -> Option<Vec<u8>>,
) -> ScenarioReport {
    let mut backend = SandboxBackend(Sandbox::new(engine));
    run_on(scenario, base_dir, engine.name(), &mut backend, contracts)
}

/// Runs `scenario` on `backend` (see [`run_scenario`] for the sandbox); `label` names the
/// backend in the report.
pub fn run_on(
    scenario: &Scenario,
    base_dir: &Path,
    label: &'static str,
    backend: &mut dyn Backend,
    contracts: &dyn Fn(&str) -> Option<Vec<u8>>,
) -> ScenarioReport {
    let mut runner = Runner {
        backend,
        instances: BTreeMap::new(),
        accounts: scenario.accounts.iter().cloned().collect(),
        base_dir,
        contracts,
    };
    let mut steps = Vec::new();
    for (i, step) in scenario.steps.iter().enumerate() {
        let mut report = match step {
            Step::Deploy(d) => runner.deploy(d),
            Step::Call(c) => runner.call(c, false),
            Step::Query(c) => runner.call(c, true),
            Step::SetBlock(b) => runner.set_block(b),
        };
        report.index = i + 1;
        report.note = match step {
            Step::Deploy(d) => d.note.clone(),
            Step::Call(c) | Step::Query(c) => c.note.clone(),
            Step::SetBlock(b) => b.note.clone(),
        };
        steps.push(report);
    }
    ScenarioReport {
        name: scenario.name.clone(),
        engine: label,
        passed: steps.iter().all(|s| s.failures.is_empty()),
        state_root: runner.backend.state_root(),
        steps,
    }
}

fn not_run(step: String, why: String) -> StepReport {
    StepReport {
        index: 0,
        note: None,
        step,
        outcome: "not_run".into(),
        gas_used: 0,
        return_data: String::new(),
        returns: None,
        error: None,
        events: Vec::new(),
        failures: vec![why],
    }
}

impl Runner<'_> {
    fn set_block(&mut self, b: &SetBlockStep) -> StepReport {
        let step = match self.backend.set_block(b.height, b.time) {
            Ok(step) => step,
            Err(why) => return not_run("set_block".into(), why.to_string()),
        };
        StepReport {
            index: 0,
            note: None,
            step,
            outcome: "success".into(),
            gas_used: 0,
            return_data: String::new(),
            returns: None,
            error: None,
            events: Vec::new(),
            failures: Vec::new(),
        }
    }

    fn deploy(&mut self, d: &DeployStep) -> StepReport {
        self.accounts.insert(d.from.clone());
        let (code, label) = match (&d.contract, &d.path) {
            (Some(name), None) => match (self.contracts)(name) {
                Some(code) => (code, name.clone()),
                None => {
                    return not_run(
                        format!("deploy {name}"),
                        format!("no contract called `{name}` in contracts/"),
                    );
                }
            },
            (None, Some(path)) => match std::fs::read(self.base_dir.join(path)) {
                Ok(code) => {
                    let stem = Path::new(path)
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_else(|| path.clone());
                    (code, stem)
                }
                Err(e) => {
                    return not_run(format!("deploy {path}"), format!("cannot read {path}: {e}"));
                }
            },
            _ => {
                return not_run(
                    "deploy".into(),
                    "a deploy step names exactly one of `contract` and `path`".into(),
                );
            }
        };
        let id = d.id.clone().unwrap_or(label);
        let step = format!("deploy {id} from {}", d.from);
        let metadata = match ContractMetadata::from_wasm(&code) {
            Ok(Some(m)) => m,
            Ok(None) => {
                return not_run(
                    step,
                    "the contract has no metadata (not built with the SDK)".into(),
                );
            }
            Err(e) => return not_run(step, e.to_string()),
        };
        let ctor = match metadata.constructor(&d.constructor) {
            Ok(c) => c.clone(),
            Err(e) => return not_run(step, e.to_string()),
        };
        let now = self.backend.now();
        let args = substitute_time(&d.args, now);
        let input = match metadata.encode_call(&ctor, &args, self) {
            Ok(i) => i,
            Err(e) => return not_run(step, format!("args: {e}")),
        };
        let salt = d.salt.clone().unwrap_or_default();
        let result = match self.backend.deploy(
            &d.from,
            &code,
            &input,
            salt.as_bytes(),
            d.gas.unwrap_or(DEFAULT_GAS),
        ) {
            Ok(r) => r,
            Err(why) => return not_run(step, why.to_string()),
        };
        if let Some(address) = result.contract {
            self.backend.deployed(&id, address);
            self.instances.insert(
                id.clone(),
                Instance {
                    address,
                    metadata: metadata.clone(),
                },
            );
        }
        let address = result.contract;
        let expect = substitute_expect(&d.expect, now);
        self.report(step, &result, &metadata, &ctor, &expect, address)
    }

    fn call(&mut self, c: &CallStep, query: bool) -> StepReport {
        self.accounts.insert(c.from.clone());
        let kind = if query { "query" } else { "call" };
        let step = format!("{kind} {}.{} from {}", c.to, c.message, c.from);
        if !self.instances.contains_key(&c.to)
            && let Some((address, metadata)) = self.backend.existing(&c.to)
        {
            self.instances
                .insert(c.to.clone(), Instance { address, metadata });
        }
        let Some(instance) = self.instances.get(&c.to) else {
            let known: Vec<&String> = self.instances.keys().collect();
            return not_run(
                step,
                format!("no deployed contract `{}`; deployed: {known:?}", c.to),
            );
        };
        let (address, metadata) = (instance.address, instance.metadata.clone());
        let message = match metadata.message(&c.message) {
            Ok(m) => m.clone(),
            Err(e) => return not_run(step, e.to_string()),
        };
        let now = self.backend.now();
        let args = substitute_time(&c.args, now);
        let input = match metadata.encode_call(&message, &args, self) {
            Ok(i) => i,
            Err(e) => return not_run(step, format!("args: {e}")),
        };
        let result = if query {
            self.backend.query(&c.from, address, &input)
        } else {
            self.backend
                .call(&c.from, address, &input, c.gas.unwrap_or(DEFAULT_GAS))
        };
        let result = match result {
            Ok(r) => r,
            Err(why) => return not_run(step, why.to_string()),
        };
        let expect = substitute_expect(&c.expect, now);
        self.report(step, &result, &metadata, &message, &expect, Some(address))
    }

    fn decode_event(&self, event: &Event) -> Value {
        let topics: Vec<[u8; 32]> = event.topics.iter().map(|t| t.0).collect();
        let emitter = self
            .instances
            .values()
            .find(|i| i.address == event.contract);
        emitter
            .and_then(|i| i.metadata.decode_event(&topics, &event.data))
            .unwrap_or_else(|| {
                json!({
                    "contract": hex::encode(event.contract.0),
                    "topics": topics.iter().map(hex::encode).collect::<Vec<_>>(),
                    "data": hex::encode(&event.data),
                })
            })
    }

    fn report(
        &self,
        step: String,
        result: &Executed,
        metadata: &ContractMetadata,
        message: &Message,
        expect: &Expect,
        contract: Option<Address>,
    ) -> StepReport {
        let outcome = result.outcome.clone();
        let returns = if result.is_success() {
            metadata.decode_return(message, &result.return_data).ok()
        } else {
            None
        };
        let error = if result.is_reverted() {
            Some(metadata.decode_revert(Some(message), &result.return_data))
        } else {
            None
        };
        let events: Vec<Value> = result.events.iter().map(|e| self.decode_event(e)).collect();
        let mut failures = Vec::new();

        let expected_outcome = expect.outcome.clone().unwrap_or_else(|| {
            if expect.error.is_some() {
                "reverted".into()
            } else {
                "success".into()
            }
        });
        if outcome != expected_outcome {
            let detail = error
                .as_ref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default();
            failures.push(format!(
                "outcome: expected {expected_outcome}, got {outcome}{detail}"
            ));
        }
        if let Some(want) = &expect.returns {
            match metadata.encode_value(&message.returns, want, self) {
                Ok(bytes) if bytes == result.return_data && result.is_success() => {}
                Ok(_) => failures.push(format!(
                    "returns: expected {want}, got {}",
                    returns.clone().unwrap_or(Value::Null)
                )),
                Err(e) => failures.push(format!(
                    "expect.returns is not a {}: {e}",
                    message.returns.describe()
                )),
            }
        }
        if let Some(want) = &expect.error {
            let got = error
                .as_ref()
                .and_then(|e| e.get("error"))
                .and_then(Value::as_str);
            if got != Some(want.as_str()) {
                failures.push(format!(
                    "error: expected {want}, got {}",
                    got.unwrap_or("none")
                ));
            }
        }
        if let Some(want) = &expect.error_fields {
            let got = error.as_ref().and_then(|e| e.get("fields"));
            if got != Some(want) {
                failures.push(format!(
                    "error_fields: expected {want}, got {}",
                    got.cloned().unwrap_or(Value::Null)
                ));
            }
        }
        if let Some(want) = &expect.panic_contains {
            let got = error
                .as_ref()
                .and_then(|e| e.get("message"))
                .and_then(Value::as_str);
            if !got.is_some_and(|m| m.contains(want.as_str())) {
                failures.push(format!(
                    "panic message: expected to contain {want:?}, got {got:?}"
                ));
            }
        }
        if let Some(want) = &expect.events {
            self.check_events(want, result, &mut failures);
        }
        if let Some(max) = expect.gas_max
            && result.gas_used > max
        {
            failures.push(format!("gas: used {} > gas_max {max}", result.gas_used));
        }
        if let Some(min) = expect.gas_min
            && result.gas_used < min
        {
            failures.push(format!("gas: used {} < gas_min {min}", result.gas_used));
        }
        if let Some(want) = &expect.storage {
            match contract {
                None => failures.push("storage: no contract to read".into()),
                Some(address) => {
                    for (key, value) in want {
                        let key_bytes =
                            hex::decode(key.trim_start_matches("0x")).unwrap_or_default();
                        let got = self.backend.storage(&address, &key_bytes).map(hex::encode);
                        let want = value
                            .as_ref()
                            .map(|v| v.trim_start_matches("0x").to_lowercase());
                        if got != want {
                            failures
                                .push(format!("storage[{key}]: expected {want:?}, got {got:?}"));
                        }
                    }
                }
            }
        }
        StepReport {
            index: 0,
            note: None,
            step,
            outcome,
            gas_used: result.gas_used,
            return_data: hex::encode(&result.return_data),
            returns,
            error,
            events,
            failures,
        }
    }

    fn check_events(
        &self,
        want: &[super::ExpectedEvent],
        result: &Executed,
        failures: &mut Vec<String>,
    ) {
        if want.len() != result.events.len() {
            let got: Vec<String> = result
                .events
                .iter()
                .map(|e| {
                    self.decode_event(e)
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("?")
                        .to_string()
                })
                .collect();
            let names: Vec<&str> = want.iter().map(|e| e.name.as_str()).collect();
            failures.push(format!("events: expected {names:?}, got {got:?}"));
            return;
        }
        for (i, (w, event)) in want.iter().zip(&result.events).enumerate() {
            let Some(emitter) = self
                .instances
                .values()
                .find(|x| x.address == event.contract)
            else {
                failures.push(format!(
                    "events[{i}]: emitted by a contract this scenario did not deploy"
                ));
                continue;
            };
            let Some(spec) = emitter.metadata.event(&w.name) else {
                failures.push(format!(
                    "events[{i}]: the emitter has no event `{}`",
                    w.name
                ));
                continue;
            };
            let signature = hex::encode(carechain_metadata::event_signature(&spec.name));
            if event.topics.first().map(|t| hex::encode(t.0)) != Some(signature) {
                failures.push(format!(
                    "events[{i}]: expected {}, got {}",
                    w.name,
                    self.decode_event(event)
                ));
                continue;
            }
            let Some(fields) = &w.fields else { continue };
            let mut bytes = Vec::new();
            let mut problem = None;
            for f in &spec.fields {
                match fields.get(&f.name) {
                    None => problem = Some(format!("missing field `{}`", f.name)),
                    Some(v) => match emitter.metadata.encode_value(&f.ty, v, self) {
                        Ok(b) => bytes.extend(b),
                        Err(e) => problem = Some(format!("field `{}`: {e}", f.name)),
                    },
                }
            }
            match problem {
                Some(p) => failures.push(format!("events[{i}] {}: {p}", w.name)),
                None if bytes != event.data => failures.push(format!(
                    "events[{i}] {}: expected fields {fields}, got {}",
                    w.name,
                    self.decode_event(event)
                        .get("fields")
                        .cloned()
                        .unwrap_or(Value::Null)
                )),
                None => {}
            }
        }
    }
}

/// `expect` with time placeholders replaced.
fn substitute_expect(expect: &Expect, now: u64) -> Expect {
    let mut out = expect.clone();
    out.returns = out.returns.map(|v| substitute_time(&v, now));
    out.error_fields = out.error_fields.map(|v| substitute_time(&v, now));
    if let Some(events) = &mut out.events {
        for e in events {
            e.fields = e.fields.as_ref().map(|v| substitute_time(v, now));
        }
    }
    out
}

/// Reads and parses a scenario file.
///
/// # Errors
/// [`ScenarioError`] if it cannot be read or is not a scenario.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
        path: path.display().to_string(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| ScenarioError::Parse {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}
