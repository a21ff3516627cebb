//! Running a scenario on one engine.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use carechain_metadata::{ContractMetadata, Message, Resolver};
use carechain_runtime::{Address, CallResult, EngineKind, Event, Outcome, Sandbox};
use serde::Serialize;
use serde_json::{Value, json};

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

struct Runner<'a> {
    sandbox: Sandbox,
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
        self.accounts
            .contains(name)
            .then(|| Sandbox::account(name).0)
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
    let mut runner = Runner {
        sandbox: Sandbox::new(engine),
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
        steps.push(report);
    }
    ScenarioReport {
        name: scenario.name.clone(),
        engine: engine.name(),
        passed: steps.iter().all(|s| s.failures.is_empty()),
        state_root: hex::encode(runner.sandbox.state_root()),
        steps,
    }
}

fn not_run(step: String, why: String) -> StepReport {
    StepReport {
        index: 0,
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
        let block = self.sandbox.block();
        let height = b.height.unwrap_or(block.height);
        let time = b.time.unwrap_or(block.time);
        self.sandbox.set_block(height, time);
        StepReport {
            index: 0,
            step: format!("set_block height {height} time {time}"),
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
        let input = match metadata.encode_call(&ctor, &d.args, self) {
            Ok(i) => i,
            Err(e) => return not_run(step, format!("args: {e}")),
        };
        let salt = d.salt.clone().unwrap_or_default();
        let from = Sandbox::account(&d.from);
        let result = self.sandbox.deploy_with(
            from,
            &code,
            &input,
            salt.as_bytes(),
            d.gas.unwrap_or(DEFAULT_GAS),
        );
        if let Some(address) = result.contract.filter(|_| result.outcome.is_success()) {
            self.instances.insert(
                id.clone(),
                Instance {
                    address,
                    metadata: metadata.clone(),
                },
            );
        }
        let address = result.contract;
        self.report(step, &result, &metadata, &ctor, &d.expect, address)
    }

    fn call(&mut self, c: &CallStep, query: bool) -> StepReport {
        self.accounts.insert(c.from.clone());
        let kind = if query { "query" } else { "call" };
        let step = format!("{kind} {}.{} from {}", c.to, c.message, c.from);
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
        let input = match metadata.encode_call(&message, &c.args, self) {
            Ok(i) => i,
            Err(e) => return not_run(step, format!("args: {e}")),
        };
        let from = Sandbox::account(&c.from);
        let result = if query {
            self.sandbox.query(from, address, &input)
        } else {
            self.sandbox
                .call_with_gas(from, address, &input, c.gas.unwrap_or(DEFAULT_GAS))
        };
        self.report(step, &result, &metadata, &message, &c.expect, Some(address))
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
        result: &CallResult,
        metadata: &ContractMetadata,
        message: &Message,
        expect: &Expect,
        contract: Option<Address>,
    ) -> StepReport {
        let outcome = result.outcome.name();
        let returns = match result.outcome {
            Outcome::Success => metadata.decode_return(message, &result.return_data).ok(),
            _ => None,
        };
        let error = match result.outcome {
            Outcome::Reverted => Some(metadata.decode_revert(Some(message), &result.return_data)),
            _ => None,
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
                Ok(bytes) if bytes == result.return_data && result.outcome.is_success() => {}
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
                        let got = self.sandbox.storage(&address, &key_bytes).map(hex::encode);
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
        result: &CallResult,
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
