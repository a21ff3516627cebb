//! Running a scenario against a live node over JSON-RPC: each `from` account is a key of the
//! chain directory (`keys/NAME.key`, a consortium member), each deploy and call a signed
//! transaction whose receipt is awaited, each query a `cc_query`. Deployed instances are recorded
//! in the chain directory's address book (`contracts.json`) under their ids, for the CLI.
//!
//! A live chain's clock and height cannot be set: `set_block` steps are not run (use `${now}`
//! placeholders for times instead), and the state root reported is the node's head.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use carechain_metadata::ContractMetadata;
use carechain_runtime::{Address, Event, Topic};
use serde_json::{Value, json};

use super::{Backend, Executed};
use crate::cli::client::Book;
use crate::client::Client;
use crate::rpc::unhex;
use crate::tx::Action;

/// A live node as a scenario backend.
pub struct NodeBackend {
    client: Client,
    book: Book,
    timeout: Duration,
}

impl NodeBackend {
    /// A backend talking to the node at `url`, with keys and address book in `dir`.
    ///
    /// # Errors
    /// If the node cannot be reached.
    pub fn new(url: &str, dir: &Path) -> anyhow::Result<Self> {
        let client = Client::new(url)?;
        client.status()?;
        Ok(NodeBackend {
            client,
            book: Book::load(dir),
            timeout: Duration::from_secs(60),
        })
    }

    fn send(&mut self, from: &str, action: Action, gas: u64) -> Result<Executed, String> {
        let key = self.book.key(from).map_err(|e| e.to_string())?;
        let hash = self
            .client
            .send(&key, action, gas)
            .map_err(|e| format!("refused: {e}"))?;
        let tx = self
            .client
            .wait(&hash, self.timeout)
            .map_err(|e| e.to_string())?;
        if tx["state"] != "committed" {
            return Err(format!(
                "transaction {hash} {}: {}",
                tx["state"],
                tx["reason"].as_str().unwrap_or("")
            ));
        }
        Ok(executed(&tx["receipt"]))
    }
}

fn hex_field(v: &Value) -> Vec<u8> {
    v.as_str().and_then(unhex).unwrap_or_default()
}

fn address_field(v: &Value) -> Option<Address> {
    v.as_str()
        .and_then(unhex)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .map(Address)
}

/// A receipt (or query answer) as the runner sees executions.
fn executed(receipt: &Value) -> Executed {
    let outcome = match receipt["status"].as_str().or(receipt["outcome"].as_str()) {
        Some("failed") => receipt["failure"].as_str().unwrap_or("failed").to_string(),
        Some(other) => other.to_string(),
        None => "unknown".to_string(),
    };
    let events = receipt["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some(Event {
                contract: address_field(&e["contract"])?,
                topics: e["topics"]
                    .as_array()?
                    .iter()
                    .filter_map(|t| {
                        unhex(t.as_str()?)
                            .and_then(|b| b.try_into().ok())
                            .map(Topic)
                    })
                    .collect(),
                data: hex_field(&e["data"]),
            })
        })
        .collect();
    Executed {
        contract: address_field(&receipt["contract"]).filter(|_| outcome == "success"),
        outcome,
        return_data: hex_field(&receipt["return_data"]),
        gas_used: receipt["gas_used"].as_u64().unwrap_or(0),
        events,
    }
}

impl Backend for NodeBackend {
    fn now(&self) -> u64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let head = self
            .client
            .call("cc_head", vec![])
            .ok()
            .and_then(|h| h["timestamp"].as_u64())
            .unwrap_or(0);
        wall.max(head)
    }

    fn set_block(&mut self, _: Option<u64>, _: Option<u64>) -> Result<String, String> {
        Err(
            "a live chain's block height and time cannot be set; use \"${now}\" placeholders"
                .into(),
        )
    }

    fn account(&self, name: &str) -> Option<Address> {
        self.book.address(name)
    }

    fn deploy(
        &mut self,
        from: &str,
        code: &[u8],
        input: &[u8],
        salt: &[u8],
        gas: u64,
    ) -> Result<Executed, String> {
        let action = Action::Deploy {
            code: code.to_vec(),
            input: input.to_vec(),
            salt: salt.to_vec(),
        };
        self.send(from, action, gas)
    }

    fn call(
        &mut self,
        from: &str,
        to: Address,
        input: &[u8],
        gas: u64,
    ) -> Result<Executed, String> {
        let action = Action::Call {
            contract: to,
            input: input.to_vec(),
        };
        self.send(from, action, gas)
    }

    fn query(&mut self, from: &str, to: Address, input: &[u8]) -> Result<Executed, String> {
        let caller = self
            .book
            .address(from)
            .ok_or_else(|| format!("no key `{from}` in the chain directory"))?;
        let answer = self
            .client
            .call(
                "cc_query",
                vec![json!({
                    "contract": hex::encode(to.0),
                    "input": hex::encode(input),
                    "caller": hex::encode(caller.0),
                })],
            )
            .map_err(|e| e.to_string())?;
        Ok(executed(&answer))
    }

    fn storage(&self, contract: &Address, key: &[u8]) -> Option<Vec<u8>> {
        let answer = self
            .client
            .call(
                "cc_getStateProof",
                vec![json!({"contract": hex::encode(contract.0), "storage_key": hex::encode(key)})],
            )
            .ok()?;
        answer["value"].as_str().and_then(unhex)
    }

    fn state_root(&self) -> String {
        self.client
            .call("cc_head", vec![])
            .ok()
            .and_then(|h| h["state_root"].as_str().map(str::to_string))
            .unwrap_or_default()
    }

    fn existing(&self, id: &str) -> Option<(Address, ContractMetadata)> {
        let address = self.book.contract(id).ok()?;
        let metadata = self
            .client
            .call("cc_getMetadata", vec![json!(hex::encode(address.0))])
            .ok()?;
        Some((address, serde_json::from_value(metadata).ok()?))
    }

    fn deployed(&mut self, id: &str, address: Address) {
        if let Err(e) = self.book.record(id, &address) {
            eprintln!("warning: cannot record `{id}` in the address book: {e}");
        }
    }
}
