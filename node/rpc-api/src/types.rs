//! The requests and responses of the API, as they travel in JSON.

use std::fmt;

use carechain_metadata::ContractMetadata;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::hex::{Bytes, Hex32};

/// A block's header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderView {
    /// Its height (0: genesis).
    pub height: u64,
    /// Its hash.
    pub hash: Hex32,
    /// Its parent's hash.
    pub parent_hash: Hex32,
    /// Block time, seconds since the Unix epoch.
    pub timestamp: u64,
    /// The proposer's public key.
    pub proposer: Hex32,
    /// Merkle root of its transactions' hashes.
    pub tx_root: Hex32,
    /// Root of the state tree after the block.
    pub state_root: Hex32,
    /// Merkle root of its receipts.
    pub receipts_root: Hex32,
    /// Gas its transactions used.
    pub gas_used: u64,
}

/// What a transaction does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ActionView {
    /// Deploys code (summarised by its hash and size) and runs its constructor.
    Deploy {
        /// Blake2b-256 of the code.
        code_hash: Hex32,
        /// The code's size in bytes.
        code_size: usize,
        /// The constructor's input.
        input: Bytes,
        /// The salt of the contract's address.
        salt: Bytes,
    },
    /// Calls a contract.
    Call {
        /// The contract.
        contract: Hex32,
        /// The call's input (selector and SCALE arguments).
        input: Bytes,
    },
    /// Consortium administration.
    Admin {
        /// The administration action, described.
        admin: String,
    },
}

/// A signed transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxView {
    /// Its hash.
    pub hash: Hex32,
    /// The chain it is for.
    pub chain_id: String,
    /// The sender's public key.
    pub sender: Hex32,
    /// The sender's account address.
    pub sender_address: Hex32,
    /// The sender's nonce.
    pub nonce: u64,
    /// Most gas it may use.
    pub gas_limit: u64,
    /// What it does.
    pub action: ActionView,
}

/// How a transaction or query ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It ran to completion; its changes are kept.
    Success,
    /// The contract reverted with an error value; nothing but the nonce changed.
    Reverted,
    /// It failed (trap, out of gas, ...); nothing but the nonce changed.
    Failed,
}

/// An event emitted by a contract.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    /// The emitting contract.
    pub contract: Hex32,
    /// Its topics.
    pub topics: Vec<Hex32>,
    /// Its SCALE data.
    pub data: Bytes,
    /// Decoded through the contract's metadata, when it has some.
    pub decoded: Option<Value>,
    /// Subscriptions and `carechain events`: the block that committed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_height: Option<u64>,
    /// Subscriptions and `carechain events`: the transaction that emitted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx_hash: Option<Hex32>,
    /// Subscriptions: the transaction's index in its block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx_index: Option<usize>,
}

/// A transaction's receipt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReceiptView {
    /// The transaction's hash.
    pub tx_hash: Hex32,
    /// How it ended.
    pub status: Outcome,
    /// With `failed`: why (`out_of_gas`, `trap:unreachable`, ...).
    pub failure: Option<String>,
    /// Gas used.
    pub gas_used: u64,
    /// What the contract returned (or its revert error), SCALE.
    pub return_data: Bytes,
    /// A deploy: the new contract's address.
    pub contract: Option<Hex32>,
    /// The message called (or constructor), when the metadata names it.
    pub message: Option<String>,
    /// Events emitted.
    pub events: Vec<EventView>,
    /// A successful call's return value, decoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// A reverted call's error, decoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
}

/// Where a transaction is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxState {
    /// Waiting in the mempool.
    Pending,
    /// In a committed block.
    Committed,
    /// Refused after admission (its `reason` says why).
    Dropped,
    /// Not known to this node.
    Unknown,
}

/// `cc_getTransaction`'s answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TransactionStatus {
    /// The transaction's hash.
    pub hash: Hex32,
    /// Where it is.
    pub state: TxState,
    /// `dropped`: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `committed`: the block's height.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_height: Option<u64>,
    /// `committed`: the block's hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_hash: Option<Hex32>,
    /// `committed`: its index in the block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// `committed`: the transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction: Option<TxView>,
    /// `committed`: its receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<ReceiptView>,
}

impl TxState {
    /// Its name on the wire: `pending`, `committed`, `dropped`, `unknown`.
    pub fn name(self) -> &'static str {
        match self {
            TxState::Pending => "pending",
            TxState::Committed => "committed",
            TxState::Dropped => "dropped",
            TxState::Unknown => "unknown",
        }
    }
}

impl TransactionStatus {
    /// A transaction in `state`, with nothing else known yet.
    pub fn new(hash: Hex32, state: TxState) -> Self {
        TransactionStatus {
            hash,
            state,
            reason: None,
            block_height: None,
            block_hash: None,
            index: None,
            transaction: None,
            receipt: None,
        }
    }

    /// Committed with a successful receipt.
    pub fn succeeded(&self) -> bool {
        self.state == TxState::Committed
            && self
                .receipt
                .as_ref()
                .is_some_and(|r| r.status == Outcome::Success)
    }
}

/// `cc_submitTransaction`'s answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitted {
    /// The transaction's hash.
    pub hash: Hex32,
}

/// A block by height or by hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum BlockId {
    /// Its height.
    Height(u64),
    /// Its hash.
    Hash(Hex32),
}

impl<'de> Deserialize<'de> for BlockId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Number(n) => n
                .as_u64()
                .map(BlockId::Height)
                .ok_or_else(|| D::Error::custom("a block height is a non-negative integer")),
            Value::String(s) => Hex32::parse(&s).map(BlockId::Hash).ok_or_else(|| {
                D::Error::custom(format!("block hash must be 32 bytes of hex, got `{s}`"))
            }),
            _ => Err(D::Error::custom(
                "give a block height (number) or hash (hex string)",
            )),
        }
    }
}

impl fmt::Display for BlockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlockId::Height(h) => write!(f, "{h}"),
            BlockId::Hash(h) => write!(f, "{h}"),
        }
    }
}

/// A transaction of a block with `full`: the transaction and its receipt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlockEntry {
    /// The transaction.
    pub transaction: TxView,
    /// Its receipt.
    pub receipt: ReceiptView,
}

/// A block's transactions: their hashes, or (`full`) each with its receipt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BlockTransactions {
    /// Full: transactions and receipts.
    Full(Vec<BlockEntry>),
    /// Hashes only.
    Hashes(Vec<Hex32>),
}

/// `cc_getBlock`'s answer: the header and the transactions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlockView {
    /// The header.
    #[serde(flatten)]
    pub header: HeaderView,
    /// The transactions.
    pub transactions: BlockTransactions,
}

/// `cc_query`'s request: a read-only call on the committed state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryRequest {
    /// The contract.
    pub contract: Hex32,
    /// The message by name (its arguments in `args`), encoded through the contract's metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The message's arguments, as JSON.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub args: Value,
    /// Or the raw input (selector and SCALE arguments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Bytes>,
    /// The caller the contract sees: the signing member's account, which is the default; any
    /// other address is refused (`FORBIDDEN`, reason `caller_mismatch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<Hex32>,
    /// Most gas the query may use (default a tenth of [`crate::MAX_QUERY_GAS`], at most it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gas: Option<u64>,
    /// The purpose of use, an HL7 v3 ActReason code (`TREAT`, `ETREAT` for break-the-glass,
    /// `HPAYMT`, ...): recorded with the read in the node's accounting of disclosures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
}

/// One entry of a node's accounting of disclosures (see `carechain_primitives::disclosure`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureView {
    /// Its position in the serving node's log.
    pub seq: u64,
    /// The previous entry's hash.
    pub prev: Hex32,
    /// This entry's hash.
    pub hash: Hex32,
    /// When it was served (Unix milliseconds).
    pub at_ms: u64,
    /// Who read: the signing member key.
    pub reader: Hex32,
    /// The reader's organisation.
    pub org: String,
    /// The contract read.
    pub contract: Hex32,
    /// The query.
    pub message: String,
    /// Blake2b-256 of the query's input.
    pub args_hash: Hex32,
    /// Blake2b-256 of the answer.
    pub result_hash: Hex32,
    /// The subjects the read concerned.
    pub subjects: Vec<Hex32>,
    /// The purpose of use given, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// A break-the-glass read.
    pub btg: bool,
    /// `disclosed`, `refused` or `failed`.
    pub outcome: String,
    /// The consent directory governing the contract, if it names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<Hex32>,
}

/// A node's log head and its last anchor on chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureHead {
    /// The serving node's key (the key that anchors its log).
    pub node: Hex32,
    /// Entries in the log.
    pub entries: u64,
    /// The hash of the last one (zero if none).
    pub head: Hex32,
    /// The last anchor on chain: `(entries, head, height)`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchored: Option<AnchorView>,
}

/// A disclosure log head as anchored on chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchorView {
    /// Its number among the node's anchors (0 is the first).
    pub index: u64,
    /// Entries anchored.
    pub entries: u64,
    /// The anchored hash of the last of them.
    pub head: Hex32,
    /// The block that recorded it.
    pub height: u64,
}

/// An answer of `cc_disclosures` or `cc_disclosureLog`: entries and where the log stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disclosures {
    /// The entries, in log order.
    pub entries: Vec<DisclosureView>,
    /// The log's head and anchor.
    pub head: DisclosureHead,
    /// Where to go on (`from` of the next request), if the answer stopped early: the page is
    /// full, or the node looked at as many entries as one request may.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<u64>,
}

/// `cc_query`'s answer. Nothing is written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueryResult {
    /// How it ended.
    pub outcome: Outcome,
    /// With `failed`: why.
    pub failure: Option<String>,
    /// Gas used.
    pub gas_used: u64,
    /// What the contract returned (or its revert error), SCALE.
    pub return_data: Bytes,
    /// A successful call's return value, decoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// A reverted call's error, decoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
}

/// `cc_getStateProof`'s request: a contract's storage entry, or a raw state key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofRequest {
    /// The contract (with `storage_key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<Hex32>,
    /// The key in the contract's storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_key: Option<Bytes>,
    /// Or an encoded state key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_key: Option<Bytes>,
    /// The block whose state to prove (default: the head).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
}

/// `cc_getStateProof`'s answer: a value (or its absence) with its proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofView {
    /// The block whose state is proven.
    pub height: u64,
    /// That block's state root.
    pub state_root: Hex32,
    /// The encoded state key.
    pub state_key: Bytes,
    /// Its value (`null`: absent).
    pub value: Option<Bytes>,
    /// Borsh of a Jellyfish sparse Merkle proof (checked by `carechain_storage::verify_proof_raw`).
    pub proof: Bytes,
}

/// `cc_status`'s answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeStatus {
    /// The chain's id.
    pub chain_id: String,
    /// The node's version.
    pub version: String,
    /// The engine it executes on.
    pub engine: String,
    /// `dev` or `validator`.
    pub mode: String,
    /// The node's process id.
    pub pid: u32,
    /// The node's proposer key.
    pub proposer: Hex32,
    /// The genesis validators.
    pub validators: Vec<Hex32>,
    /// The head block's header.
    pub head: HeaderView,
    /// Transactions waiting.
    pub mempool: usize,
    /// The consortium's organisations.
    pub organisations: Vec<String>,
}

/// `cc_subscribeEvents`'s filter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventFilter {
    /// Only this contract's events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<Hex32>,
    /// Only events with this topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<Hex32>,
}

impl EventFilter {
    /// Whether `event` passes.
    pub fn matches(&self, event: &EventView) -> bool {
        self.contract.is_none_or(|c| c == event.contract)
            && self.topic.is_none_or(|t| event.topics.contains(&t))
    }
}

/// A contract's metadata, as `cc_getMetadata` answers it.
pub type Metadata = ContractMetadata;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn keys(v: &Value) -> Vec<&str> {
        let mut keys: Vec<&str> = v
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        keys
    }

    /// The typed answers keep the wire format the untyped server had: the same keys, `null`
    /// where a value is absent, decoded results only when there are some.
    #[test]
    fn answers_keep_the_wire_format() {
        let query = QueryResult {
            outcome: Outcome::Failed,
            failure: Some("out_of_gas".into()),
            gas_used: 7,
            return_data: Bytes(vec![1, 2]),
            result: None,
            error: None,
        };
        let v = serde_json::to_value(&query).expect("serialises");
        assert_eq!(keys(&v), ["failure", "gas_used", "outcome", "return_data"]);
        assert_eq!(v["outcome"], "failed");
        assert_eq!(v["return_data"], "0102");

        let status = TransactionStatus::new(Hex32([1; 32]), TxState::Pending);
        let v = serde_json::to_value(&status).expect("serialises");
        assert_eq!(keys(&v), ["hash", "state"]);
        assert_eq!(v["state"], "pending");
        for state in [
            TxState::Pending,
            TxState::Committed,
            TxState::Dropped,
            TxState::Unknown,
        ] {
            assert_eq!(
                serde_json::to_value(state).expect("serialises"),
                state.name()
            );
        }

        let event = EventView {
            contract: Hex32([2; 32]),
            topics: vec![Hex32([3; 32])],
            data: Bytes(vec![]),
            decoded: None,
            block_height: None,
            tx_hash: None,
            tx_index: None,
        };
        let v = serde_json::to_value(&event).expect("serialises");
        assert_eq!(keys(&v), ["contract", "data", "decoded", "topics"]);
        assert_eq!(v["decoded"], Value::Null);

        let action = serde_json::to_value(ActionView::Call {
            contract: Hex32([4; 32]),
            input: Bytes(vec![0xab]),
        })
        .expect("serialises");
        assert_eq!(action["type"], "call");
        assert_eq!(action["input"], "ab");
    }

    /// A block id is a height or a hash; anything else is refused with a message saying so.
    #[test]
    fn block_ids_parse_from_numbers_and_hashes() {
        assert_eq!(
            serde_json::from_value::<BlockId>(json!(7)).expect("height"),
            BlockId::Height(7)
        );
        let hash = "ab".repeat(32);
        assert_eq!(
            serde_json::from_value::<BlockId>(json!(hash)).expect("hash"),
            BlockId::Hash(Hex32([0xab; 32]))
        );
        let e = serde_json::from_value::<BlockId>(json!(true)).expect_err("a bool");
        assert!(e.to_string().contains("height (number) or hash"), "{e}");
        let e = serde_json::from_value::<BlockId>(json!(-1)).expect_err("negative");
        assert!(e.to_string().contains("non-negative"), "{e}");
    }

    /// Requests refuse unknown fields, so a misspelt option is an error, not silently ignored.
    #[test]
    fn requests_refuse_unknown_fields() {
        let contract = "11".repeat(32);
        let ok = json!({"contract": contract, "message": "get", "args": {}});
        let request: QueryRequest = serde_json::from_value(ok).expect("a query");
        assert_eq!(request.message.as_deref(), Some("get"));
        let bad = json!({"contract": contract, "mesage": "get"});
        assert!(serde_json::from_value::<QueryRequest>(bad).is_err());
        let filter: EventFilter = serde_json::from_value(json!({})).expect("empty filter");
        assert_eq!(filter, EventFilter::default());
    }
}
