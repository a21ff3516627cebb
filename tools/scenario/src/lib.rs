//! JSON scenarios: declarative contract tests run in the sandbox on both engines, or as signed transactions against a live node.
//!
//! A scenario is a JSON file of steps run in order in a fresh in-process sandbox: deploy a
//! contract (by name from `contracts/`, or a `.wasm` path), call or query it as a named account
//! with JSON arguments, set the block height and time, and check each step's outcome, returned
//! value, error, events, storage and gas. Arguments, results, errors and events are encoded and
//! decoded through the contract's metadata, so a scenario speaks the contract's own names.
//!
//! Run with `carechain scenario FILE... [--engine wasmtime|wasmi|both]`. The format is described
//! by [`Scenario`] and, for editors and validators, by the JSON Schema `docs/scenario.schema.json`
//! (`carechain scenario --schema` prints it).
#![warn(missing_docs)]

mod run;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub mod live;

pub use carechain_client::substitute_time;
pub use run::{
    Backend, BackendError, Executed, ScenarioError, ScenarioReport, StepReport, load, run_on,
    run_scenario,
};

/// A scenario file.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Optional reference to the JSON Schema, for editors.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// What the scenario shows, in a line.
    pub name: String,
    /// More words for people, if needed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Account names usable as addresses in arguments before they first act (every name used as
    /// `from` is an account too). An account's address is the Blake2b-256 of its name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<String>,
    /// The steps, run in order.
    pub steps: Vec<Step>,
}

/// One step of a scenario.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// Deploy a contract and run its constructor.
    Deploy(DeployStep),
    /// Call a message (a transaction: its writes and events are kept if it succeeds).
    Call(CallStep),
    /// Query a message read-only (nothing is kept, writes fail).
    Query(CallStep),
    /// Set the block height and/or time seen by later steps.
    SetBlock(SetBlockStep),
}

/// `{"step": "deploy", ...}`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeployStep {
    /// A note for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A contract of `contracts/` by name (e.g. `"counter"`). Give this or `path`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<String>,
    /// A `.wasm` file, relative to the scenario file. Give this or `contract`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The name later steps use for this instance (default: the contract's name); also usable as
    /// an address in arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The deploying account.
    pub from: String,
    /// The constructor (default `"new"`).
    #[serde(default = "default_constructor")]
    pub constructor: String,
    /// Constructor arguments: an object by name, or an array in order.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub args: Value,
    /// Salt for the contract address (default: none), as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    /// Gas limit (default 1,000,000,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gas: Option<u64>,
    /// What must happen (default: success).
    #[serde(default)]
    pub expect: Expect,
}

fn default_constructor() -> String {
    "new".into()
}

/// `{"step": "call" | "query", ...}`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallStep {
    /// A note for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The calling account.
    pub from: String,
    /// The contract instance (its deploy `id`).
    pub to: String,
    /// The message's name.
    pub message: String,
    /// Arguments: an object by name, or an array in order.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub args: Value,
    /// Gas limit (default 1,000,000,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gas: Option<u64>,
    /// What must happen (default: success).
    #[serde(default)]
    pub expect: Expect,
}

/// `{"step": "set_block", ...}`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetBlockStep {
    /// A note for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The new block height.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    /// The new block time, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<u64>,
}

/// Expectations on a step. Everything left out is not checked, except the outcome, which must
/// be `success` unless `outcome` or `error` says otherwise.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// `"success"`, `"reverted"`, or a failure: `"out_of_gas"`, `"stack_overflow"`,
    /// `"memory_limit"`, `"trap:unreachable"`, `"invalid_module:<kind>"`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// The value returned, as JSON of the message's return type (compared after encoding, so
    /// account names and hex spellings are equivalent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returns: Option<Value>,
    /// The error a revert carries: the contract error's variant name, or `UnknownSelector`,
    /// `InvalidInput`, `Panic`, `WriteInQuery`. Implies `"outcome": "reverted"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The error's fields, for error variants that have some.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_fields: Option<Value>,
    /// Text the panic message must contain (with `"error": "Panic"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panic_contains: Option<String>,
    /// The events emitted, exactly and in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<ExpectedEvent>>,
    /// The step must use at most this much gas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gas_max: Option<u64>,
    /// The step must use at least this much gas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gas_min: Option<u64>,
    /// Raw storage of the contract after the step: key (hex) to value (hex), or `null` for
    /// "absent".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<BTreeMap<String, Option<String>>>,
}

/// An expected event.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectedEvent {
    /// The event's name.
    pub name: String,
    /// Its fields by name (all of them), compared after encoding; leave out to check the name only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Value>,
}

/// The JSON Schema of scenario files.
pub fn schema() -> Value {
    let schema = schemars::schema_for!(Scenario);
    serde_json::to_value(schema).expect("a schema is JSON")
}
