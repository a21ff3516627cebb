//! JSON-RPC 2.0 over HTTP and WebSocket, on one port (`jsonrpsee`).
//!
//! Bytes travel as lower-case hex (a `0x` prefix is accepted on input). Methods:
//!
//! | method | params | result |
//! |---|---|---|
//! | `cc_submitTransaction` | `[tx_hex]` | `{"hash"}`; refused: error [`codes::TX_REJECTED`] with `data.reason` |
//! | `cc_getTransaction` | `[hash]` | `{"hash", "state": pending\|committed\|dropped\|unknown, "block_height", "index", "transaction", "receipt"}` |
//! | `cc_getBlock` | `[height or hash, full?]` | a header with `transactions` (hashes, or with `full` transactions and receipts); `null` if none |
//! | `cc_head` | `[]` | the head block's header |
//! | `cc_query` | `[{"contract", "message", "args"} or {"contract", "input"}, plus "caller"?, "gas"?]` | `{"outcome", "gas_used", "return_data", "result" or "error"}`; nothing is written |
//! | `cc_getMetadata` | `[contract]` | the contract's metadata |
//! | `cc_getStateProof` | `[{"contract", "storage_key"} or {"state_key"}, plus "height"?]` | `{"height", "state_root", "state_key", "value", "proof"}` (`proof`: borsh of a Jellyfish proof, checked by [`crate::state::verify_proof_raw`]); a height older than the node's `state_history`: error [`codes::PRUNED`] |
//! | `cc_nextNonce` | `[public_key]` | the nonce the key's next transaction should use |
//! | `cc_status` | `[]` | chain id, engine, head, mempool size, version |
//! | `cc_subscribeEvents` | `[{"contract"?, "topic"?}]` | notifications `cc_event`: one per matching event of each new block |
//! | `cc_subscribeHeads` | `[]` | notifications `cc_head`: each new block's header |
//!
//! Events and results are decoded to JSON through the contract's metadata when its code carries
//! some. Errors are typed ([`codes`]); requests are bounded in size, and calls are rate-limited
//! per connection.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use carechain_metadata::{ContractMetadata, Message};
use carechain_runtime::{Address, Outcome};
use jsonrpsee::core::middleware::{Batch, Notification, ResponseFuture, RpcServiceT};
use jsonrpsee::server::middleware::rpc::RpcServiceBuilder;
use jsonrpsee::server::{Server, ServerConfig, ServerHandle};
use jsonrpsee::types::{ErrorObject, ErrorObjectOwned, Params, Request};
use jsonrpsee::{MethodResponse, PendingSubscriptionSink, RpcModule, SubscriptionMessage};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::block::{Block, Header, Receipt, TxStatus};
use crate::service::{Node, TxState};
use crate::state::StateKey;
use crate::store::StoreError;
use crate::tx::{Action, PublicKey, SignedTx, TxHash};

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
    /// Invalid parameters.
    pub const INVALID_PARAMS: i32 = -32602;
}

/// Limits of the RPC server.
#[derive(Clone, Copy, Debug)]
pub struct RpcLimits {
    /// Largest request body, bytes.
    pub max_request_bytes: u32,
    /// Most calls per second on one connection (a batch counts each call).
    pub calls_per_second: u32,
    /// Most connections at once.
    pub max_connections: u32,
}

/// Most gas one `cc_query` may use (the default is a tenth of it).
pub const MAX_QUERY_GAS: u64 = 1_000_000_000;

impl RpcLimits {
    /// Limits fitting transactions of up to `max_tx_bytes` (hex doubles them).
    pub fn for_max_tx(max_tx_bytes: usize) -> Self {
        let body = max_tx_bytes.saturating_mul(2).saturating_add(64 * 1024);
        RpcLimits {
            max_request_bytes: u32::try_from(body).unwrap_or(u32::MAX),
            calls_per_second: 20_000,
            max_connections: 256,
        }
    }
}

fn error(code: i32, message: impl Into<String>) -> ErrorObjectOwned {
    ErrorObject::owned(code, message, None::<()>)
}

fn invalid(message: impl Into<String>) -> ErrorObjectOwned {
    error(codes::INVALID_PARAMS, message)
}

fn internal(e: impl std::fmt::Display) -> ErrorObjectOwned {
    error(codes::INTERNAL, e.to_string())
}

/// Lower-case hex.
fn hx(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// Hex to bytes, `0x` optional.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    hex::decode(text.trim().trim_start_matches("0x")).ok()
}

fn unhex32(text: &str, what: &str) -> Result<[u8; 32], ErrorObjectOwned> {
    unhex(text)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| invalid(format!("{what} must be 32 bytes of hex, got `{text}`")))
}

/// A header as JSON.
pub fn header_json(h: &Header) -> Value {
    json!({
        "height": h.height,
        "hash": hx(&h.hash()),
        "parent_hash": hx(&h.parent_hash),
        "timestamp": h.timestamp,
        "proposer": h.proposer.to_hex(),
        "tx_root": hx(&h.tx_root),
        "state_root": hx(&h.state_root),
        "receipts_root": hx(&h.receipts_root),
        "gas_used": h.gas_used,
    })
}

/// A transaction as JSON (code is summarised by its size).
pub fn tx_json(tx: &SignedTx) -> Value {
    let action = match &tx.payload.action {
        Action::Deploy { code, input, salt } => json!({
            "type": "deploy",
            "code_hash": hx(&crate::hash::blake2b_256(code)),
            "code_size": code.len(),
            "input": hx(input),
            "salt": hx(salt),
        }),
        Action::Call { contract, input } => json!({
            "type": "call",
            "contract": hx(&contract.0),
            "input": hx(input),
        }),
        Action::Admin(admin) => json!({"type": "admin", "admin": format!("{admin:?}")}),
    };
    json!({
        "hash": hx(&tx.hash().0),
        "chain_id": tx.payload.chain_id,
        "sender": tx.payload.sender.to_hex(),
        "sender_address": hx(&tx.sender().0),
        "nonce": tx.payload.nonce,
        "gas_limit": tx.payload.gas_limit,
        "action": action,
    })
}

/// The message `input` selects in `metadata` (a constructor if `deploy`).
fn selected<'m>(metadata: &'m ContractMetadata, input: &[u8], deploy: bool) -> Option<&'m Message> {
    let selector = format!("0x{}", hx(input.get(..4)?));
    let list = if deploy {
        &metadata.constructors
    } else {
        &metadata.messages
    };
    list.iter().find(|m| m.selector == selector)
}

/// An event as JSON, decoded through `metadata` when given.
fn event_json(event: &carechain_runtime::Event, metadata: Option<&ContractMetadata>) -> Value {
    let topics: Vec<[u8; 32]> = event.topics.iter().map(|t| t.0).collect();
    json!({
        "contract": hx(&event.contract.0),
        "topics": topics.iter().map(|t| hx(t)).collect::<Vec<_>>(),
        "data": hx(&event.data),
        "decoded": metadata.and_then(|m| m.decode_event(&topics, &event.data)),
    })
}

/// A receipt as JSON, with its return value, revert error and events decoded through the
/// metadata of the contracts involved when known.
pub fn receipt_json(node: &Node, tx: &SignedTx, receipt: &Receipt) -> Value {
    let (metadata, message) = match &tx.payload.action {
        Action::Call { contract, input } => {
            let metadata = node.metadata(contract);
            let message = metadata
                .as_deref()
                .and_then(|m| selected(m, input, false))
                .cloned();
            (metadata, message)
        }
        Action::Deploy { code, input, .. } => {
            let metadata = ContractMetadata::from_wasm(code)
                .ok()
                .flatten()
                .map(Arc::new);
            let message = metadata
                .as_deref()
                .and_then(|m| selected(m, input, true))
                .cloned();
            (metadata, message)
        }
        Action::Admin(_) => (None, None),
    };
    let (status, failure) = match &receipt.status {
        TxStatus::Success => ("success", None),
        TxStatus::Reverted => ("reverted", None),
        TxStatus::Failed(reason) => ("failed", Some(reason.clone())),
    };
    let mut out = json!({
        "tx_hash": hx(&receipt.tx_hash.0),
        "status": status,
        "failure": failure,
        "gas_used": receipt.gas_used,
        "return_data": hx(&receipt.return_data),
        "contract": receipt.contract.map(|c| hx(&c.0)),
        "message": message.as_ref().map(|m| m.name.clone()),
        "events": receipt.events.iter().map(|e| {
            let m = if Some(e.contract) == tx_contract(tx) { metadata.clone() } else { node.metadata(&e.contract) };
            event_json(e, m.as_deref())
        }).collect::<Vec<_>>(),
    });
    if let (Some(metadata), Some(message)) = (&metadata, &message) {
        match receipt.status {
            TxStatus::Success => {
                if let Ok(v) = metadata.decode_return(message, &receipt.return_data) {
                    out["result"] = v;
                }
            }
            TxStatus::Reverted => {
                out["error"] = metadata.decode_revert(Some(message), &receipt.return_data);
            }
            TxStatus::Failed(_) => {}
        }
    } else if receipt.status == TxStatus::Reverted {
        out["error"] = carechain_metadata::decode_revert_without_metadata(&receipt.return_data);
    }
    out
}

fn tx_contract(tx: &SignedTx) -> Option<Address> {
    match &tx.payload.action {
        Action::Call { contract, .. } => Some(*contract),
        _ => None,
    }
}

/// A block as JSON: its header and its transactions' hashes, or with `full` the transactions
/// and their receipts.
fn block_json(node: &Node, block: &Block, receipts: &[Receipt], full: bool) -> Value {
    let mut out = header_json(&block.header);
    out["transactions"] = if full {
        block
            .txs
            .iter()
            .zip(receipts)
            .map(
                |(tx, r)| json!({"transaction": tx_json(tx), "receipt": receipt_json(node, tx, r)}),
            )
            .collect()
    } else {
        block.txs.iter().map(|t| json!(hx(&t.hash().0))).collect()
    };
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QueryParams {
    contract: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    args: Value,
    #[serde(default)]
    input: Option<String>,
    #[serde(default)]
    caller: Option<String>,
    #[serde(default)]
    gas: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProofParams {
    #[serde(default)]
    contract: Option<String>,
    #[serde(default)]
    storage_key: Option<String>,
    #[serde(default)]
    state_key: Option<String>,
    #[serde(default)]
    height: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct EventFilter {
    #[serde(default)]
    contract: Option<String>,
    #[serde(default)]
    topic: Option<String>,
}

/// Encodes a call for `cc_query` and the CLI: raw `input` hex, or `message` + JSON `args`
/// through the contract's metadata.
fn encode_input(
    metadata: Option<&ContractMetadata>,
    message: Option<&str>,
    args: &Value,
    input: Option<&str>,
) -> Result<(Vec<u8>, Option<Message>), ErrorObjectOwned> {
    match (message, input) {
        (Some(_), Some(_)) => Err(invalid("give `message` (with `args`) or `input`, not both")),
        (None, None) => Err(invalid("give `message` (with `args`) or `input`")),
        (None, Some(input)) => {
            let bytes = unhex(input).ok_or_else(|| invalid("`input` is not hex"))?;
            let message = metadata.and_then(|m| selected(m, &bytes, false)).cloned();
            Ok((bytes, message))
        }
        (Some(name), None) => {
            let metadata = metadata.ok_or_else(|| {
                error(
                    codes::NOT_FOUND,
                    "the contract has no metadata: call it with raw `input`",
                )
            })?;
            let message = metadata
                .message(name)
                .map_err(|e| error(codes::ENCODING, e.to_string()))?;
            let no_names = |_: &str| None;
            let bytes = metadata
                .encode_call(message, args, &no_names)
                .map_err(|e| error(codes::ENCODING, e.to_string()))?;
            Ok((bytes, Some(message.clone())))
        }
    }
}

fn params<T: for<'de> Deserialize<'de>>(params: &Params<'_>) -> Result<T, ErrorObjectOwned> {
    params.parse::<T>()
}

fn register(module: &mut RpcModule<Arc<Node>>) -> Result<(), jsonrpsee::core::RegisterMethodError> {
    module.register_method("cc_submitTransaction", |p, node, _| {
        let (tx,): (String,) = params(&p)?;
        let bytes = unhex(&tx).ok_or_else(|| {
            ErrorObject::owned(
                codes::TX_REJECTED,
                "malformed transaction: not hex",
                Some(json!({"reason": "malformed"})),
            )
        })?;
        match node.submit(&bytes) {
            Ok(hash) => Ok(json!({"hash": hx(&hash.0)})),
            Err(e) => Err(ErrorObject::owned(
                codes::TX_REJECTED,
                e.to_string(),
                Some(json!({"reason": e.reason()})),
            )),
        }
    })?;

    module.register_method("cc_getTransaction", |p, node, _| {
        let (hash,): (String,) = params(&p)?;
        let hash = TxHash(unhex32(&hash, "hash")?);
        let mut out = json!({"hash": hx(&hash.0)});
        match node.tx_state(&hash).map_err(internal)? {
            TxState::Pending => out["state"] = json!("pending"),
            TxState::Unknown => out["state"] = json!("unknown"),
            TxState::Dropped(reason) => {
                out["state"] = json!("dropped");
                out["reason"] = json!(reason);
            }
            TxState::Committed(at) => {
                let store = node.chain().store();
                let block = store.block(at.height).map_err(internal)?;
                let receipts = store.receipts(at.height).map_err(internal)?;
                let index = at.index as usize;
                let (Some(block), Some(receipts)) = (block, receipts) else {
                    return Err(internal("indexed block missing"));
                };
                let (Some(tx), Some(receipt)) = (block.txs.get(index), receipts.get(index)) else {
                    return Err(internal("indexed transaction missing"));
                };
                out["state"] = json!("committed");
                out["block_height"] = json!(at.height);
                out["block_hash"] = json!(hx(&block.header.hash()));
                out["index"] = json!(at.index);
                out["transaction"] = tx_json(tx);
                out["receipt"] = receipt_json(node, tx, receipt);
            }
        }
        Ok::<_, ErrorObjectOwned>(out)
    })?;

    module.register_method("cc_getBlock", |p, node, _| {
        let (id, full): (Value, Option<bool>) = match p.parse::<(Value, Option<bool>)>() {
            Ok(v) => v,
            Err(_) => (p.parse::<(Value,)>()?.0, None),
        };
        let store = node.chain().store();
        let height = match &id {
            Value::Number(n) => n
                .as_u64()
                .ok_or_else(|| invalid("a block height is a non-negative integer"))?,
            Value::String(s) => {
                match store
                    .block_height(&unhex32(s, "block hash")?)
                    .map_err(internal)?
                {
                    Some(h) => h,
                    None => return Ok(Value::Null),
                }
            }
            _ => return Err(invalid("give a block height (number) or hash (hex string)")),
        };
        let Some(block) = store.block(height).map_err(internal)? else {
            return Ok(Value::Null);
        };
        let full = full.unwrap_or(false);
        // Without `full` only the transaction hashes are listed: receipts are not read.
        let receipts = if full {
            store
                .receipts(height)
                .map_err(internal)?
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        Ok(block_json(node, &block, &receipts, full))
    })?;

    module.register_method("cc_head", |_, node, _| {
        node.chain()
            .head()
            .map(|h| header_json(&h))
            .map_err(internal)
    })?;

    // Contract execution may take a while: off the async workers.
    module.register_blocking_method("cc_query", |p, node, _| {
        let (q,): (QueryParams,) = params(&p)?;
        let node: &Node = &node;
        let contract = Address(unhex32(&q.contract, "contract")?);
        let metadata = node.metadata(&contract);
        let (input, message) = encode_input(
            metadata.as_deref(),
            q.message.as_deref(),
            &q.args,
            q.input.as_deref(),
        )?;
        let caller = match &q.caller {
            Some(c) => Address(unhex32(c, "caller")?),
            None => Address([0; 32]),
        };
        let gas = q.gas.unwrap_or(MAX_QUERY_GAS / 10).min(MAX_QUERY_GAS);
        let result = node.chain().query(caller, contract, input, gas);
        let mut out = json!({
            "outcome": match &result.outcome {
                Outcome::Success => "success",
                Outcome::Reverted => "reverted",
                Outcome::Failed(_) => "failed",
            },
            "failure": match &result.outcome {
                Outcome::Failed(f) => Some(f.name()),
                _ => None,
            },
            "gas_used": result.gas_used,
            "return_data": hx(&result.return_data),
        });
        match (&result.outcome, metadata.as_deref(), &message) {
            (Outcome::Success, Some(m), Some(msg)) => {
                if let Ok(v) = m.decode_return(msg, &result.return_data) {
                    out["result"] = v;
                }
            }
            (Outcome::Reverted, Some(m), msg) => {
                out["error"] = m.decode_revert(msg.as_ref(), &result.return_data);
            }
            (Outcome::Reverted, None, _) => {
                out["error"] =
                    carechain_metadata::decode_revert_without_metadata(&result.return_data);
            }
            _ => {}
        }
        Ok::<_, ErrorObjectOwned>(out)
    })?;

    module.register_method("cc_getMetadata", |p, node, _| {
        let (contract,): (String,) = params(&p)?;
        let contract = Address(unhex32(&contract, "contract")?);
        let metadata = node.metadata(&contract).ok_or_else(|| {
            error(
                codes::NOT_FOUND,
                "no contract with metadata at this address",
            )
        })?;
        serde_json::to_value(&*metadata).map_err(internal)
    })?;

    module.register_method("cc_getStateProof", |p, node, _| {
        let (q,): (ProofParams,) = params(&p)?;
        let key = match (&q.contract, &q.storage_key, &q.state_key) {
            (Some(c), Some(k), None) => StateKey::Storage(
                Address(unhex32(c, "contract")?),
                unhex(k).ok_or_else(|| invalid("`storage_key` is not hex"))?,
            )
            .encode(),
            (None, None, Some(k)) => unhex(k).ok_or_else(|| invalid("`state_key` is not hex"))?,
            _ => {
                return Err(invalid(
                    "give `contract` and `storage_key`, or a raw `state_key`",
                ));
            }
        };
        let chain = node.chain();
        let head = chain.head().map_err(internal)?.height;
        let height = q.height.unwrap_or(head);
        if height > head {
            return Err(error(
                codes::NOT_FOUND,
                format!("no block {height} yet (head {head})"),
            ));
        }
        let store_error = |e: StoreError| match e {
            StoreError::Pruned { .. } => error(codes::PRUNED, e.to_string()),
            e => internal(e),
        };
        let (value, proof) = chain.store().prove_raw(&key, height).map_err(store_error)?;
        let root = chain.store().state_root(height).map_err(store_error)?;
        let proof = borsh::to_vec(&proof).map_err(internal)?;
        Ok(json!({
            "height": height,
            "state_root": hx(&root),
            "state_key": hx(&key),
            "value": value.map(|v| hx(&v)),
            "proof": hx(&proof),
        }))
    })?;

    module.register_method("cc_nextNonce", |p, node, _| {
        let (key,): (String,) = params(&p)?;
        let key = PublicKey(unhex32(&key, "public key")?);
        Ok::<_, ErrorObjectOwned>(node.next_nonce(&key))
    })?;

    module.register_method("cc_status", |_, node, _| {
        let chain = node.chain();
        let head = chain.head().map_err(internal)?;
        Ok::<_, ErrorObjectOwned>(json!({
            "chain_id": chain.genesis().chain_id,
            "version": env!("CARGO_PKG_VERSION"),
            "engine": chain.engine().name(),
            "mode": node.mode(),
            "pid": std::process::id(),
            "proposer": node.settings().proposer.to_hex(),
            "validators": chain.genesis().validators().iter().map(|v| v.to_hex()).collect::<Vec<_>>(),
            "head": header_json(&head),
            "mempool": node.mempool_len(),
            "organisations": chain.genesis().organisations.iter().map(|o| o.id.clone()).collect::<Vec<_>>(),
        }))
    })?;

    module.register_subscription(
        "cc_subscribeEvents",
        "cc_event",
        "cc_unsubscribeEvents",
        |p, pending, node, _| async move {
            let filter = if p.as_str().is_none() {
                EventFilter::default()
            } else {
                match p.parse::<(EventFilter,)>() {
                    Ok((f,)) => f,
                    Err(e) => {
                        pending.reject(e).await;
                        return;
                    }
                }
            };
            let contract = match filter.contract.as_deref().map(|c| unhex32(c, "contract")) {
                Some(Err(e)) => {
                    pending.reject(e).await;
                    return;
                }
                Some(Ok(c)) => Some(c),
                None => None,
            };
            let topic = match filter.topic.as_deref().map(|t| unhex32(t, "topic")) {
                Some(Err(e)) => {
                    pending.reject(e).await;
                    return;
                }
                Some(Ok(t)) => Some(t),
                None => None,
            };
            stream_blocks(pending, (*node).clone(), move |node, committed| {
                let mut out = Vec::new();
                for (index, (tx, receipt)) in committed
                    .block
                    .txs
                    .iter()
                    .zip(&committed.receipts)
                    .enumerate()
                {
                    for event in &receipt.events {
                        if contract.is_some_and(|c| c != event.contract.0)
                            || topic.is_some_and(|t| !event.topics.iter().any(|x| x.0 == t))
                        {
                            continue;
                        }
                        let metadata = node.metadata(&event.contract);
                        let mut v = event_json(event, metadata.as_deref());
                        v["block_height"] = json!(committed.block.header.height);
                        v["tx_hash"] = json!(hx(&tx.hash().0));
                        v["tx_index"] = json!(index);
                        out.push(v);
                    }
                }
                out
            })
            .await
        },
    )?;

    module.register_subscription(
        "cc_subscribeHeads",
        "cc_head",
        "cc_unsubscribeHeads",
        |_, pending, node, _| async move {
            stream_blocks(pending, (*node).clone(), |_, committed| {
                vec![header_json(&committed.block.header)]
            })
            .await
        },
    )?;
    Ok(())
}

/// Accepts a subscription and sends it `select(block)`'s items for each committed block, until
/// the client goes away.
async fn stream_blocks(
    pending: PendingSubscriptionSink,
    node: Arc<Node>,
    select: impl Fn(&Node, &crate::service::CommittedBlock) -> Vec<Value> + Send + 'static,
) {
    let mut feed = node.subscribe();
    let Ok(sink) = pending.accept().await else {
        return;
    };
    loop {
        tokio::select! {
            () = sink.closed() => return,
            received = feed.recv() => match received {
                Ok(committed) => {
                    for item in select(&node, &committed) {
                        let Ok(message) = serde_json::value::to_raw_value(&item) else {
                            continue;
                        };
                        if sink.send(SubscriptionMessage::from(message)).await.is_err() {
                            return;
                        }
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "a subscriber lagged; blocks skipped");
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    }
}

/// Per-connection rate limit: a token bucket refilled at `rate` calls per second.
#[derive(Clone)]
struct RateLimit<S> {
    inner: S,
    rate: f64,
    bucket: Arc<Mutex<(f64, Instant)>>,
}

impl<S> RateLimit<S> {
    fn new(inner: S, rate: u32) -> Self {
        let rate = f64::from(rate.max(1));
        RateLimit {
            inner,
            rate,
            bucket: Arc::new(Mutex::new((rate, Instant::now()))),
        }
    }

    /// Takes `n` tokens if there are that many.
    fn take(&self, n: usize) -> bool {
        let mut bucket = self.bucket.lock().expect("rate limit lock");
        let now = Instant::now();
        let refill = now.duration_since(bucket.1).as_secs_f64() * self.rate;
        bucket.0 = (bucket.0 + refill).min(self.rate);
        bucket.1 = now;
        #[allow(clippy::cast_precision_loss)]
        let n = n as f64;
        if bucket.0 >= n {
            bucket.0 -= n;
            true
        } else {
            false
        }
    }
}

fn rate_limited() -> ErrorObjectOwned {
    error(
        codes::RATE_LIMITED,
        "too many calls on this connection; retry after a second",
    )
}

impl<S> RpcServiceT for RateLimit<S>
where
    S: RpcServiceT<
            MethodResponse = MethodResponse,
            BatchResponse = MethodResponse,
            NotificationResponse = MethodResponse,
        > + Send
        + Sync
        + Clone
        + 'static,
{
    type MethodResponse = S::MethodResponse;
    type NotificationResponse = S::NotificationResponse;
    type BatchResponse = S::BatchResponse;

    fn call<'a>(
        &self,
        request: Request<'a>,
    ) -> impl Future<Output = Self::MethodResponse> + Send + 'a {
        if self.take(1) {
            ResponseFuture::future(self.inner.call(request))
        } else {
            ResponseFuture::ready(MethodResponse::error(request.id, rate_limited()))
        }
    }

    fn batch<'a>(
        &self,
        requests: Batch<'a>,
    ) -> impl Future<Output = Self::BatchResponse> + Send + 'a {
        if self.take(requests.len()) {
            ResponseFuture::future(self.inner.batch(requests))
        } else {
            ResponseFuture::ready(MethodResponse::error(
                jsonrpsee::types::Id::Null,
                rate_limited(),
            ))
        }
    }

    fn notification<'a>(
        &self,
        n: Notification<'a>,
    ) -> impl Future<Output = Self::NotificationResponse> + Send + 'a {
        self.inner.notification(n)
    }
}

/// Starts the JSON-RPC server for `node` on `addr`; returns the address it listens on (useful
/// with port 0) and its handle.
///
/// # Errors
/// If the address cannot be bound.
pub async fn start(
    node: Arc<Node>,
    addr: SocketAddr,
    limits: RpcLimits,
) -> anyhow::Result<(SocketAddr, ServerHandle)> {
    let config = ServerConfig::builder()
        .max_request_body_size(limits.max_request_bytes)
        .max_response_body_size(64 * 1024 * 1024)
        .max_connections(limits.max_connections)
        .build();
    let rate = limits.calls_per_second;
    let middleware =
        RpcServiceBuilder::new().layer_fn(move |service| RateLimit::new(service, rate));
    let server = Server::builder()
        .set_config(config)
        .set_rpc_middleware(middleware)
        .build(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen for JSON-RPC on {addr}: {e}"))?;
    let local = server.local_addr()?;
    let mut module = RpcModule::new(node);
    register(&mut module)?;
    Ok((local, server.start(module)))
}
