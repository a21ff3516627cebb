//! Helpers for the end-to-end tests: contracts from `contracts/` driven through the Sandbox with
//! JSON arguments encoded by their metadata, on both engines.
#![warn(missing_docs)]

use std::collections::BTreeMap;

use carechain_metadata::ContractMetadata;
use carechain_runtime::{Address, CallResult, EngineKind, Sandbox};
use serde_json::Value;

/// The wasm of a contract of `contracts/`.
///
/// # Panics
/// If there is no such contract.
pub fn wasm(name: &str) -> &'static [u8] {
    carechain_contracts::wasm(name).unwrap_or_else(|| panic!("no contract `{name}`"))
}

/// The metadata embedded in a contract of `contracts/`.
///
/// # Panics
/// If the contract has none.
pub fn metadata(name: &str) -> ContractMetadata {
    ContractMetadata::from_wasm(wasm(name))
        .expect("readable metadata")
        .expect("SDK contracts carry metadata")
}

/// A sandbox with named accounts and contracts, calling through metadata.
pub struct World {
    /// The sandbox.
    pub sandbox: Sandbox,
    contracts: BTreeMap<String, (Address, ContractMetadata)>,
}

/// A call's result with its return value or error decoded.
#[derive(Debug)]
pub struct Reply {
    /// The raw result.
    pub result: CallResult,
    /// The decoded return value (success) or error JSON (revert); `Null` otherwise.
    pub value: Value,
}

impl Reply {
    /// The outcome's name: `success`, `reverted`, `out_of_gas`, ...
    pub fn outcome(&self) -> String {
        self.result.outcome.name()
    }

    /// The decoded error's name, if the call reverted.
    pub fn error(&self) -> Option<&str> {
        self.value.get("error").and_then(Value::as_str)
    }
}

impl World {
    /// An empty world on `engine`.
    pub fn new(engine: EngineKind) -> Self {
        World {
            sandbox: Sandbox::new(engine),
            contracts: BTreeMap::new(),
        }
    }

    /// The address of an account or a deployed contract.
    ///
    /// # Panics
    /// Never: unknown names are accounts.
    pub fn address(&self, name: &str) -> Address {
        self.contracts
            .get(name)
            .map(|c| c.0)
            .unwrap_or_else(|| Sandbox::account(name))
    }

    fn resolve(&self) -> impl Fn(&str) -> Option<[u8; 32]> + '_ {
        |name| Some(self.address(name).0)
    }

    /// Deploys contract `name` as `from` with constructor `ctor` and JSON `args`; the instance is
    /// then known as `name`.
    ///
    /// # Panics
    /// If the arguments do not encode.
    pub fn deploy(&mut self, name: &str, from: &str, ctor: &str, args: Value) -> Reply {
        let meta = metadata(name);
        let message = meta.constructor(ctor).expect("constructor").clone();
        let input = meta
            .encode_call(&message, &args, &self.resolve())
            .expect("constructor arguments encode");
        let result = self
            .sandbox
            .deploy(Sandbox::account(from), wasm(name), &input);
        if let Some(address) = result.contract.filter(|_| result.outcome.is_success()) {
            self.contracts.insert(name.into(), (address, meta.clone()));
        }
        reply(&meta, &message, result)
    }

    /// Calls `message` of deployed contract `to` as `from` with JSON `args` and `gas`.
    ///
    /// # Panics
    /// If the contract or message is unknown or the arguments do not encode.
    pub fn call_gas(
        &mut self,
        from: &str,
        to: &str,
        message: &str,
        args: Value,
        gas: u64,
    ) -> Reply {
        let (address, meta) = self.contracts.get(to).cloned().expect("deployed contract");
        let m = meta.message(message).expect("message").clone();
        let input = meta
            .encode_call(&m, &args, &self.resolve())
            .expect("arguments encode");
        let result = self
            .sandbox
            .call_with_gas(Sandbox::account(from), address, &input, gas);
        reply(&meta, &m, result)
    }

    /// [`World::call_gas`] with the sandbox's default gas.
    pub fn call(&mut self, from: &str, to: &str, message: &str, args: Value) -> Reply {
        self.call_gas(from, to, message, args, 1_000_000_000)
    }

    /// Queries `message` of `to` read-only.
    ///
    /// # Panics
    /// As [`World::call_gas`].
    pub fn query(&self, from: &str, to: &str, message: &str, args: Value) -> Reply {
        let (address, meta) = self.contracts.get(to).cloned().expect("deployed contract");
        let m = meta.message(message).expect("message").clone();
        let input = meta
            .encode_call(&m, &args, &self.resolve())
            .expect("arguments encode");
        let result = self.sandbox.query(Sandbox::account(from), address, &input);
        reply(&meta, &m, result)
    }

    /// Calls with raw input bytes (for malformed-input tests).
    pub fn call_raw(&mut self, from: &str, to: &str, input: &[u8]) -> Reply {
        let (address, meta) = self.contracts.get(to).cloned().expect("deployed contract");
        let result = self.sandbox.call(Sandbox::account(from), address, input);
        let value = match result.outcome {
            carechain_runtime::Outcome::Reverted => meta.decode_revert(None, &result.return_data),
            _ => Value::Null,
        };
        Reply { result, value }
    }

    /// The metadata of deployed contract `name`.
    pub fn metadata_of(&self, name: &str) -> &ContractMetadata {
        &self.contracts[name].1
    }
}

fn reply(
    meta: &ContractMetadata,
    message: &carechain_metadata::Message,
    result: CallResult,
) -> Reply {
    let value = match result.outcome {
        carechain_runtime::Outcome::Success => meta
            .decode_return(message, &result.return_data)
            .expect("return data decodes as the declared type"),
        carechain_runtime::Outcome::Reverted => {
            meta.decode_revert(Some(message), &result.return_data)
        }
        _ => Value::Null,
    };
    Reply { result, value }
}

/// Runs `f` on a fresh world on each engine and asserts that both give the same results (as
/// reported by `f`), gas included, and the same final state root.
pub fn on_both_engines<T: PartialEq + std::fmt::Debug>(f: impl Fn(&mut World) -> T) -> T {
    let mut a = World::new(EngineKind::Wasmtime);
    let mut b = World::new(EngineKind::Wasmi);
    let ra = f(&mut a);
    let rb = f(&mut b);
    assert_eq!(ra, rb, "wasmtime and wasmi disagree");
    assert_eq!(
        a.sandbox.state_root(),
        b.sandbox.state_root(),
        "state roots differ between engines"
    );
    ra
}
