//! The node's JSON-RPC API: its methods, request and response types, and error codes, shared by the server and every client.
//!
//! JSON-RPC 2.0 over HTTP and WebSocket on one port. Bytes travel as lower-case hex (a `0x`
//! prefix is accepted on input). The server is `carechain-rpc`; clients (the CLI, the scenario
//! runner, the load generator, tests) use the same types, so no response is read by string
//! index.
//!
//! | method | params | result |
//! |---|---|---|
//! | `cc_submitTransaction` | `[tx_hex]` | [`Submitted`]; refused: error [`codes::TX_REJECTED`] with `data.reason` |
//! | `cc_getTransaction` | `[hash]` | [`TransactionStatus`] |
//! | `cc_getBlock` | `[height or hash, full?]` | [`BlockView`] (transactions' hashes, or with `full` transactions and receipts); `null` if none |
//! | `cc_head` | `[]` | the head block's [`HeaderView`] |
//! | `cc_query` | `[QueryRequest]` | [`QueryResult`]; nothing is written |
//! | `cc_getMetadata` | `[contract]` | the contract's metadata |
//! | `cc_getStateProof` | `[ProofRequest]` | [`ProofView`]; a height older than the node's `state_history`: error [`codes::PRUNED`] |
//! | `cc_nextNonce` | `[public_key]` | the nonce the key's next transaction should use |
//! | `cc_status` | `[]` | [`NodeStatus`] |
//! | `cc_disclosures` | `[subject, from?, limit?]` | [`Disclosures`]: this node's accounting of reads of the subject's records, to the subject's patients (per the consent directory of each contract read) and the read policy's `disclosures` roles |
//! | `cc_disclosureLog` | `[from?, limit?]` | [`Disclosures`]: the whole log, under the read policy's `disclosures` roles, to verify it against its anchor |
//! | `cc_disclosureAnchors` | `[node_key]` | every [`AnchorView`] that node anchored, oldest first |
//! | `cc_subscribeEvents` | `[EventFilter?]` | notifications `cc_event`: an [`EventView`] per matching event of each new block |
//! | `cc_subscribeHeads` | `[]` | notifications `cc_head`: each new block's [`HeaderView`] |
//!
//! Events and results are decoded to JSON through the contract's metadata when its code carries
//! some. The trait [`CarechainApi`] is the API: `carechain-rpc` implements its server side
//! (`CarechainApiServer`), and clients call it through `CarechainApiClient` (jsonrpsee's HTTP or
//! WebSocket client).
#![warn(missing_docs)]

pub mod auth;
mod hex;
mod types;

use jsonrpsee::core::{RpcResult, SubscriptionResult};
use jsonrpsee::proc_macros::rpc;

pub use crate::hex::{Bytes, Hex32, unhex};
pub use crate::types::{
    ActionView, AnchorView, BlockEntry, BlockId, BlockTransactions, BlockView, DisclosureHead,
    DisclosureView, Disclosures, EventFilter, EventView, HeaderView, Metadata, NodeStatus, Outcome,
    ProofRequest, ProofView, QueryRequest, QueryResult, ReceiptView, Submitted, TransactionStatus,
    TxState, TxView,
};

/// JSON-RPC error codes beyond the standard ones (`-32700` parse error, `-32600` invalid
/// request, `-32601` method not found, `-32602` invalid params, `-32007` request too big).
pub mod codes {
    /// The transaction was refused; `data.reason` names why (see `TxError::reason`).
    pub const TX_REJECTED: i32 = 1001;
    /// No such block, transaction, contract or metadata.
    pub const NOT_FOUND: i32 = 1002;
    /// Arguments could not be encoded through the contract's metadata (unknown message, type
    /// mismatch); the message says what was expected.
    pub const ENCODING: i32 = 1003;
    /// Too many calls on this connection; retry after a second.
    pub const RATE_LIMITED: i32 = 1005;
    /// The node failed internally (storage).
    pub const INTERNAL: i32 = 1006;
    /// The state at the height asked for is pruned (node.toml's `state_history`); the message
    /// names the oldest height kept.
    pub const PRUNED: i32 = 1007;
    /// The request is not authenticated: no signature on a method that needs one, or one that
    /// is malformed, does not verify, is out of the time window or replayed; `data.reason` names
    /// which (see [`auth::AuthError`](crate::auth::AuthError)).
    pub const UNAUTHENTICATED: i32 = 1008;
    /// The signer may not do this: not a consortium member, or a caller other than itself.
    pub const FORBIDDEN: i32 = 1009;
    /// Invalid parameters.
    pub const INVALID_PARAMS: i32 = -32602;
}

/// Most gas one `cc_query` may use (the default is a tenth of it).
pub const MAX_QUERY_GAS: u64 = 1_000_000_000;

/// The node's JSON-RPC API (namespace `cc`).
#[rpc(server, client, namespace = "cc")]
pub trait CarechainApi {
    /// Submits a signed transaction: its SCALE bytes in hex. Every refusal, bytes that are not
    /// hex included, is [`codes::TX_REJECTED`] with `data.reason` (`malformed`, ...).
    #[method(name = "submitTransaction")]
    fn submit_transaction(&self, tx: String) -> RpcResult<Submitted>;

    /// A transaction's state, with its receipt once committed. Another member's committed
    /// transaction only under the node's read policy (else [`codes::FORBIDDEN`], reason
    /// `read_policy`).
    #[method(name = "getTransaction", with_extensions)]
    fn get_transaction(&self, hash: Hex32) -> RpcResult<TransactionStatus>;

    /// A block by height or hash; `full` adds transactions and receipts, under the node's read
    /// policy (else [`codes::FORBIDDEN`], reason `read_policy`).
    #[method(name = "getBlock", with_extensions)]
    fn get_block(&self, id: BlockId, full: Option<bool>) -> RpcResult<Option<BlockView>>;

    /// The head block's header.
    #[method(name = "head")]
    fn head(&self) -> RpcResult<HeaderView>;

    /// A read-only contract call on the committed state, as the authenticated member: the
    /// contract's caller is the signer's account. A `caller` in the request must be that
    /// account (else [`codes::FORBIDDEN`], reason `caller_mismatch`).
    #[method(name = "query", blocking, with_extensions)]
    fn query(&self, request: QueryRequest) -> RpcResult<QueryResult>;

    /// This node's accounting of disclosures of `subject`: entries from log position `from`
    /// (default 0), at most `limit` (default and most: 1,000). The subject's patients see the
    /// reads of contracts whose consent directory links them to the subject; the read policy's
    /// `disclosures` roles see all.
    #[method(name = "disclosures", blocking, with_extensions)]
    fn disclosures(
        &self,
        subject: Hex32,
        from: Option<u64>,
        limit: Option<u64>,
    ) -> RpcResult<Disclosures>;

    /// This node's whole disclosure log from `from` (at most `limit`, default and most 1,000),
    /// with its head and anchor: for the read policy's `disclosures` roles (else
    /// [`codes::FORBIDDEN`], reason `read_policy`), to check it was not rewritten.
    #[method(name = "disclosureLog", blocking, with_extensions)]
    fn disclosure_log(&self, from: Option<u64>, limit: Option<u64>) -> RpcResult<Disclosures>;

    /// Every disclosure log head the node with key `node` anchored on chain, oldest first (from
    /// this node's copy of the state: ask another node than the one being checked).
    #[method(name = "disclosureAnchors", blocking)]
    fn disclosure_anchors(&self, node: Hex32) -> RpcResult<Vec<AnchorView>>;

    /// A contract's metadata.
    #[method(name = "getMetadata")]
    fn get_metadata(&self, contract: Hex32) -> RpcResult<Metadata>;

    /// A state entry's value at a height, with its proof against that block's state root, under
    /// the node's read policy (else [`codes::FORBIDDEN`], reason `read_policy`).
    #[method(name = "getStateProof", with_extensions)]
    fn get_state_proof(&self, request: ProofRequest) -> RpcResult<ProofView>;

    /// The nonce a key's next transaction should use (counting those waiting in the mempool).
    #[method(name = "nextNonce")]
    fn next_nonce(&self, key: Hex32) -> RpcResult<u64>;

    /// The node's status.
    #[method(name = "status")]
    fn status(&self) -> RpcResult<NodeStatus>;

    /// Each matching event of each new block, as it commits: every transaction's under the
    /// node's read policy, else those of the subscriber's own transactions.
    #[subscription(name = "subscribeEvents" => "event", unsubscribe = "unsubscribeEvents", item = EventView, with_extensions)]
    async fn subscribe_events(&self, filter: Option<EventFilter>) -> SubscriptionResult;
}

/// `cc_subscribeHeads`: each new block's [`HeaderView`], as it commits, in notifications named
/// `cc_head`. Not in [`CarechainApi`]: jsonrpsee's macro refuses a notification named like a
/// method (`cc_head`), and the name is kept for the clients that exist. The server registers it
/// beside the trait's methods.
pub mod heads {
    /// The subscribe method.
    pub const SUBSCRIBE: &str = "cc_subscribeHeads";
    /// The notifications' method.
    pub const NOTIFICATION: &str = "cc_head";
    /// The unsubscribe method.
    pub const UNSUBSCRIBE: &str = "cc_unsubscribeHeads";
}
