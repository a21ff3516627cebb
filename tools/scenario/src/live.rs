//! Running a scenario against a live node over JSON-RPC: each `from` account is a key of the
//! chain directory (`keys/NAME.key`, a consortium member), each deploy and call a signed
//! transaction whose receipt is awaited, each query a `cc_query` signed as its `from` member
//! (the node runs it as that caller). Reads the scenario needs for itself (metadata, receipts,
//! proofs) are signed with the chain directory's node key (`validator_key` of its node.toml),
//! which the read policy lets read the raw ledger. Deployed instances are recorded
//! in the chain directory's address book (`contracts.json`) under their ids, for the CLI.
//!
//! A live chain's clock and height cannot be set: `set_block` steps are not run (use `${now}`
//! placeholders for times instead), and the state root reported is the node's head.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use carechain_client::{Book, Client, TlsTrust};
use carechain_metadata::ContractMetadata;
use carechain_primitives::tx::Action;
use carechain_rpc_api::{
    EventView, Hex32, Outcome, ProofRequest, QueryRequest, QueryResult, ReceiptView, TxState,
};
use carechain_runtime::{Address, Event, Topic};

use super::{Backend, BackendError, Executed};

/// A live node as a scenario backend.
pub struct NodeBackend {
    url: String,
    client: Client,
    /// The certificates trusted for a TLS node (the chain directory's).
    trust: Option<TlsTrust>,
    /// A client per member a query runs as.
    members: HashMap<String, Client>,
    book: Book,
    timeout: Duration,
}

impl NodeBackend {
    /// A backend talking to the node at `url`, with keys and address book in `dir` (and, for
    /// an `https://` or `wss://` node, the certificates its node.toml's `[rpc_tls]` names).
    ///
    /// # Errors
    /// If the node cannot be reached, or the chain directory has no node key (node.toml).
    pub fn new(url: &str, dir: &Path) -> Result<Self, BackendError> {
        let book = Book::load(dir);
        let trust = book.rpc_trust()?;
        let client = Client::builder(url)
            .signer(&book.node_key()?)
            .trust(trust.clone())
            .connect()?;
        client.status()?;
        Ok(NodeBackend {
            url: url.to_string(),
            client,
            trust,
            members: HashMap::new(),
            book,
            timeout: Duration::from_secs(60),
        })
    }

    /// The client signing as member `from`.
    fn member(&mut self, from: &str) -> Result<&Client, BackendError> {
        if !self.members.contains_key(from) {
            let key = self.book.key(from)?;
            let client = Client::builder(&self.url)
                .signer(&key)
                .trust(self.trust.clone())
                .connect()?;
            self.members.insert(from.to_string(), client);
        }
        Ok(&self.members[from])
    }

    fn send(&mut self, from: &str, action: Action, gas: u64) -> Result<Executed, BackendError> {
        let key = self.book.key(from)?;
        let hash = self
            .client
            .send(&key, action, gas)
            .map_err(BackendError::Refused)?;
        let tx = self.client.wait(hash, self.timeout)?;
        match (tx.state, tx.receipt) {
            (TxState::Committed, Some(receipt)) => Ok(from_receipt(receipt)),
            (state, _) => Err(BackendError::NotCommitted {
                hash: hash.to_string(),
                state: state.name().to_string(),
                reason: tx.reason.unwrap_or_default(),
            }),
        }
    }
}

/// How an execution ended, as the runner names it: `success`, `reverted` or the failure.
fn outcome_name(outcome: Outcome, failure: Option<String>) -> String {
    match outcome {
        Outcome::Success => "success".to_string(),
        Outcome::Reverted => "reverted".to_string(),
        Outcome::Failed => failure.unwrap_or_else(|| "failed".to_string()),
    }
}

fn event(view: EventView) -> Event {
    Event {
        contract: Address(view.contract.0),
        topics: view.topics.into_iter().map(|t| Topic(t.0)).collect(),
        data: view.data.0,
    }
}

/// A receipt as the runner sees executions.
fn from_receipt(receipt: ReceiptView) -> Executed {
    let outcome = outcome_name(receipt.status, receipt.failure);
    Executed {
        contract: receipt
            .contract
            .map(|c| Address(c.0))
            .filter(|_| outcome == "success"),
        outcome,
        return_data: receipt.return_data.0,
        gas_used: receipt.gas_used,
        events: receipt.events.into_iter().map(event).collect(),
    }
}

/// A query's answer as the runner sees executions (a query emits no events).
fn from_query(answer: QueryResult) -> Executed {
    Executed {
        outcome: outcome_name(answer.outcome, answer.failure),
        return_data: answer.return_data.0,
        gas_used: answer.gas_used,
        events: Vec::new(),
        contract: None,
    }
}

impl Backend for NodeBackend {
    fn now(&self) -> u64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let head = self.client.head().map_or(0, |h| h.timestamp);
        wall.max(head)
    }

    fn set_block(&mut self, _: Option<u64>, _: Option<u64>) -> Result<String, BackendError> {
        Err(BackendError::Unsupported(
            "a live chain's block height and time cannot be set; use \"${now}\" placeholders",
        ))
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
    ) -> Result<Executed, BackendError> {
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
    ) -> Result<Executed, BackendError> {
        let action = Action::Call {
            contract: to,
            input: input.to_vec(),
        };
        self.send(from, action, gas)
    }

    fn query(&mut self, from: &str, to: Address, input: &[u8]) -> Result<Executed, BackendError> {
        let answer = self.member(from)?.query(QueryRequest {
            contract: Hex32(to.0),
            input: Some(input.to_vec().into()),
            ..QueryRequest::default()
        })?;
        Ok(from_query(answer))
    }

    fn storage(&self, contract: &Address, key: &[u8]) -> Option<Vec<u8>> {
        let answer = self
            .client
            .state_proof(ProofRequest {
                contract: Some(Hex32(contract.0)),
                storage_key: Some(key.to_vec().into()),
                ..ProofRequest::default()
            })
            .ok()?;
        answer.value.map(|v| v.0)
    }

    fn state_root(&self) -> String {
        self.client
            .head()
            .map(|h| h.state_root.to_string())
            .unwrap_or_default()
    }

    fn existing(&self, id: &str) -> Option<(Address, ContractMetadata)> {
        let address = self.book.contract(id).ok()?;
        let metadata = self.client.metadata(&address).ok()?;
        Some((address, metadata))
    }

    fn deployed(&mut self, id: &str, address: Address) {
        if let Err(e) = self.book.record(id, &address) {
            eprintln!("warning: cannot record `{id}` in the address book: {e}");
        }
    }
}
