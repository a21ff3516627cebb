//! The API's methods over the running node ([`CarechainApiServer`] for [`RpcServer`]).

use std::sync::Arc;

use carechain_metadata::{ContractMetadata, Message};
use carechain_primitives::tx::{PublicKey, TxHash};
use carechain_rpc_api::auth::AuthError;
use carechain_rpc_api::{
    AnchorView, BlockId, BlockView, Bytes, CarechainApiServer, Disclosures, EventFilter,
    HeaderView, Hex32, MAX_QUERY_GAS, Metadata, NodeStatus, Outcome, ProofRequest, ProofView,
    QueryRequest, QueryResult, Submitted, TransactionStatus, TxState, codes, heads,
};
use carechain_runtime::Address;
use carechain_service::{CommittedBlock, Node};
use carechain_storage::{StateKey, StoreError};
use jsonrpsee::core::{RpcResult, SubscriptionResult};
use jsonrpsee::types::{ErrorObject, ErrorObjectOwned};
use jsonrpsee::{Extensions, PendingSubscriptionSink, SubscriptionMessage};
use serde::Serialize;
use serde_json::json;

use crate::auth::Caller;
use crate::disclosures::{MAX_ENTRIES, Read, Recorder, SCAN_BUDGET, acts_for, valid_purpose};
use crate::policy::{RawRead, ReadPolicy};
use crate::views::{block_view, event_view, header_view, receipt_view, selected, tx_view};

/// The API served over one node.
pub struct RpcServer {
    node: Arc<Node>,
    policy: Arc<ReadPolicy>,
    recorder: Arc<Recorder>,
}

impl RpcServer {
    /// The API of `node`, reading the raw ledger under `policy`.
    pub fn new(node: Arc<Node>, policy: ReadPolicy) -> Self {
        RpcServer {
            node,
            policy: Arc::new(policy),
            recorder: Arc::new(Recorder::default()),
        }
    }

    /// Whether the policy grants `caller` the raw read `read`.
    fn may(&self, caller: &Caller, read: RawRead) -> Result<bool, ErrorObjectOwned> {
        self.policy.allows(read, caller, || {
            self.node
                .chain()
                .organisation(&caller.org)
                .map(|o| o.map(|o| o.kind))
                .map_err(internal)
        })
    }

    /// Refuses `caller` the raw read `read` unless the policy grants it.
    fn raw_read(&self, caller: &Caller, read: RawRead) -> Result<(), ErrorObjectOwned> {
        if self.may(caller, read)? {
            Ok(())
        } else {
            Err(crate::auth::refused(&AuthError::ReadPolicy(read.what())))
        }
    }
}

/// The member a call runs as: always there for a method that is not public (the middleware
/// refuses the call otherwise).
fn caller(ext: &Extensions) -> Result<Caller, ErrorObjectOwned> {
    ext.get::<Caller>()
        .cloned()
        .ok_or_else(|| crate::auth::refused(&AuthError::Missing))
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

/// The one place storage errors become API errors.
fn store_error(e: StoreError) -> ErrorObjectOwned {
    match e {
        StoreError::Pruned { .. } => error(codes::PRUNED, e.to_string()),
        e => internal(e),
    }
}

/// Encodes a query's input: raw `input`, or `message` + JSON `args` through the contract's
/// metadata.
fn encode_input(
    metadata: Option<&ContractMetadata>,
    request: &QueryRequest,
) -> Result<(Vec<u8>, Option<Message>), ErrorObjectOwned> {
    match (&request.message, &request.input) {
        (Some(_), Some(_)) => Err(invalid("give `message` (with `args`) or `input`, not both")),
        (None, None) => Err(invalid("give `message` (with `args`) or `input`")),
        (None, Some(input)) => {
            let message = metadata.and_then(|m| selected(m, &input.0, false)).cloned();
            Ok((input.0.clone(), message))
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
                .encode_call(message, &request.args, &no_names)
                .map_err(|e| error(codes::ENCODING, e.to_string()))?;
            Ok((bytes, Some(message.clone())))
        }
    }
}

#[jsonrpsee::core::async_trait]
impl CarechainApiServer for RpcServer {
    fn submit_transaction(&self, tx: String) -> RpcResult<Submitted> {
        let bytes = carechain_rpc_api::unhex(&tx).ok_or_else(|| {
            ErrorObject::owned(
                codes::TX_REJECTED,
                "malformed transaction: not hex",
                Some(json!({"reason": "malformed"})),
            )
        })?;
        match self.node.submit(&bytes) {
            Ok(hash) => Ok(Submitted {
                hash: Hex32(hash.0),
            }),
            Err(e) => Err(ErrorObject::owned(
                codes::TX_REJECTED,
                e.to_string(),
                Some(json!({"reason": e.reason()})),
            )),
        }
    }

    fn get_transaction(&self, ext: &Extensions, hash: Hex32) -> RpcResult<TransactionStatus> {
        let node = &self.node;
        let caller = caller(ext)?;
        let mut out = TransactionStatus::new(hash, TxState::Unknown);
        match node.tx_state(&TxHash(hash.0)).map_err(internal)? {
            carechain_service::TxState::Pending => out.state = TxState::Pending,
            carechain_service::TxState::Unknown => out.state = TxState::Unknown,
            carechain_service::TxState::Dropped(reason) => {
                out.state = TxState::Dropped;
                out.reason = Some(reason);
            }
            carechain_service::TxState::Committed(at) => {
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
                if tx.payload.sender != caller.key {
                    self.raw_read(&caller, RawRead::Transactions)?;
                }
                out.state = TxState::Committed;
                out.block_height = Some(at.height);
                out.block_hash = Some(Hex32(block.header.hash()));
                out.index = Some(at.index);
                out.transaction = Some(tx_view(tx));
                out.receipt = Some(receipt_view(node, tx, receipt));
            }
        }
        Ok(out)
    }

    fn get_block(
        &self,
        ext: &Extensions,
        id: BlockId,
        full: Option<bool>,
    ) -> RpcResult<Option<BlockView>> {
        let full = full.unwrap_or(false);
        if full {
            self.raw_read(&caller(ext)?, RawRead::Blocks)?;
        }
        let store = self.node.chain().store();
        let height = match id {
            BlockId::Height(h) => h,
            BlockId::Hash(hash) => match store.block_height(&hash.0).map_err(internal)? {
                Some(h) => h,
                None => return Ok(None),
            },
        };
        let Some(block) = store.block(height).map_err(internal)? else {
            return Ok(None);
        };
        // Without `full` only the transaction hashes are listed: receipts are not read.
        let receipts = if full {
            store
                .receipts(height)
                .map_err(internal)?
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        Ok(Some(block_view(&self.node, &block, &receipts, full)))
    }

    fn head(&self) -> RpcResult<HeaderView> {
        self.node
            .chain()
            .head()
            .map(|h| header_view(&h))
            .map_err(internal)
    }

    fn query(&self, ext: &Extensions, request: QueryRequest) -> RpcResult<QueryResult> {
        let node = &self.node;
        // The middleware admitted the call as a member; the contract sees that member.
        let signer_caller = caller(ext)?;
        let signer = signer_caller.key.address();
        if request.caller.is_some_and(|c| Address(c.0) != signer) {
            return Err(crate::auth::refused(&AuthError::CallerMismatch));
        }
        let caller = signer;
        if let Some(p) = &request.purpose
            && !valid_purpose(p)
        {
            return Err(invalid(
                "`purpose` must be an HL7 v3 ActReason code: 2 to 16 capital letters or digits",
            ));
        }
        let contract = Address(request.contract.0);
        let metadata = node.metadata(&contract).map_err(internal)?;
        let (input, message) = encode_input(metadata.as_deref(), &request)?;
        let gas = request.gas.unwrap_or(MAX_QUERY_GAS / 10).min(MAX_QUERY_GAS);
        let input_bytes = input.clone();
        // A storage fault is this node's, not the contract's: INTERNAL, not an outcome.
        let result = node
            .chain()
            .query(caller, contract, input, gas)
            .map_err(internal)?;
        let (outcome, failure) = match &result.outcome {
            carechain_runtime::Outcome::Success => (Outcome::Success, None),
            carechain_runtime::Outcome::Reverted => (Outcome::Reverted, None),
            carechain_runtime::Outcome::Failed(f) => (Outcome::Failed, Some(f.name())),
        };
        let (value, revert) = match (outcome, metadata.as_deref(), &message) {
            (Outcome::Success, Some(m), Some(msg)) => {
                (m.decode_return(msg, &result.return_data).ok(), None)
            }
            (Outcome::Reverted, Some(m), msg) => (
                None,
                Some(m.decode_revert(msg.as_ref(), &result.return_data)),
            ),
            (Outcome::Reverted, None, _) => (
                None,
                Some(carechain_metadata::decode_revert_without_metadata(
                    &result.return_data,
                )),
            ),
            _ => (None, None),
        };
        // The accounting of disclosures: recorded before the answer leaves the node.
        self.recorder
            .record(
                node,
                &Read {
                    caller: &signer_caller,
                    contract,
                    metadata: metadata.as_deref(),
                    message: message.as_ref(),
                    input: &input_bytes,
                    return_data: &result.return_data,
                    value: value.as_ref(),
                    revert: revert.as_ref(),
                    success: outcome == Outcome::Success,
                    purpose: request.purpose.as_deref(),
                },
            )
            .map_err(store_error)?;
        Ok(QueryResult {
            outcome,
            failure,
            gas_used: result.gas_used,
            return_data: result.return_data.into(),
            result: value,
            error: revert,
        })
    }

    fn disclosures(
        &self,
        ext: &Extensions,
        subject: Hex32,
        from: Option<u64>,
        limit: Option<u64>,
    ) -> RpcResult<Disclosures> {
        let caller = caller(ext)?;
        let limit = limit.unwrap_or(MAX_ENTRIES).clamp(1, MAX_ENTRIES) as usize;
        let store = self.node.chain().store();
        let everything = self.may(&caller, RawRead::Disclosures)?;
        // The subject's patients: each entry's own directory must link the reader.
        let reader = caller.key.address();
        let mut answers: Vec<(Option<[u8; 32]>, bool)> = Vec::new();
        let mut visible = |directory: Option<[u8; 32]>| {
            if everything {
                return true;
            }
            if let Some((_, yes)) = answers.iter().find(|(d, _)| *d == directory) {
                return *yes;
            }
            let yes =
                directory.is_some_and(|d| acts_for(&self.node, Address(d), reader, &subject.0));
            answers.push((directory, yes));
            yes
        };
        // Filtered as scanned, so entries the reader may not see never cut its page short; a
        // long scan stops at the budget and says where to go on (`next`).
        let mut position = from.unwrap_or(0);
        let mut scanned = 0;
        let mut entries = Vec::new();
        let next = loop {
            let chunk = store
                .disclosures_of(&subject.0, position, MAX_ENTRIES as usize)
                .map_err(store_error)?;
            let Some(last) = chunk.last().map(|e| e.seq) else {
                break None;
            };
            scanned += chunk.len();
            let mut full = None;
            for e in chunk {
                if visible(e.directory) {
                    let seq = e.seq;
                    entries.push(e);
                    if entries.len() == limit {
                        full = Some(seq + 1);
                        break;
                    }
                }
            }
            if full.is_some() {
                break full;
            }
            position = last + 1;
            if scanned >= SCAN_BUDGET {
                break Some(position);
            }
        };
        let entries = entries
            .iter()
            .map(|e| {
                let mut v = crate::disclosures::view(e);
                // Other subjects a read concerned (a vein-to-vein trace names its donor and
                // every recipient) are not this reader's business.
                if !everything {
                    v.subjects = vec![subject];
                }
                v
            })
            .collect();
        Ok(Disclosures {
            entries,
            head: crate::disclosures::head(&self.node).map_err(store_error)?,
            next,
        })
    }

    fn disclosure_log(
        &self,
        ext: &Extensions,
        from: Option<u64>,
        limit: Option<u64>,
    ) -> RpcResult<Disclosures> {
        self.raw_read(&caller(ext)?, RawRead::Disclosures)?;
        let limit = limit.unwrap_or(MAX_ENTRIES).min(MAX_ENTRIES);
        let entries = self
            .node
            .chain()
            .store()
            .disclosures(from.unwrap_or(0), limit)
            .map_err(store_error)?;
        let next = entries
            .last()
            .map(|e| e.seq + 1)
            .filter(|_| entries.len() as u64 == limit);
        Ok(Disclosures {
            entries: entries.iter().map(crate::disclosures::view).collect(),
            head: crate::disclosures::head(&self.node).map_err(store_error)?,
            next,
        })
    }

    fn disclosure_anchors(&self, node: Hex32) -> RpcResult<Vec<AnchorView>> {
        Ok(self
            .node
            .chain()
            .disclosure_anchors(&PublicKey(node.0))
            .map_err(internal)?
            .iter()
            .map(crate::disclosures::anchor_view)
            .collect())
    }

    fn get_metadata(&self, contract: Hex32) -> RpcResult<Metadata> {
        self.node
            .metadata(&Address(contract.0))
            .map_err(internal)?
            .map(|m| (*m).clone())
            .ok_or_else(|| {
                error(
                    codes::NOT_FOUND,
                    "no contract with metadata at this address",
                )
            })
    }

    fn get_state_proof(&self, ext: &Extensions, request: ProofRequest) -> RpcResult<ProofView> {
        self.raw_read(&caller(ext)?, RawRead::StateProofs)?;
        let key = match (&request.contract, &request.storage_key, &request.state_key) {
            (Some(c), Some(k), None) => StateKey::Storage(Address(c.0), k.0.clone()).encode(),
            (None, None, Some(k)) => k.0.clone(),
            _ => {
                return Err(invalid(
                    "give `contract` and `storage_key`, or a raw `state_key`",
                ));
            }
        };
        let chain = self.node.chain();
        let head = chain.head().map_err(internal)?.height;
        let height = request.height.unwrap_or(head);
        if height > head {
            return Err(error(
                codes::NOT_FOUND,
                format!("no block {height} yet (head {head})"),
            ));
        }
        let (value, proof) = chain.store().prove_raw(&key, height).map_err(store_error)?;
        let root = chain.store().state_root(height).map_err(store_error)?;
        let proof = borsh::to_vec(&proof).map_err(internal)?;
        Ok(ProofView {
            height,
            state_root: Hex32(root),
            state_key: key.into(),
            value: value.map(Bytes),
            proof: proof.into(),
        })
    }

    fn next_nonce(&self, key: Hex32) -> RpcResult<u64> {
        self.node.next_nonce(&PublicKey(key.0)).map_err(internal)
    }

    fn status(&self) -> RpcResult<NodeStatus> {
        let node = &self.node;
        let chain = node.chain();
        let head = chain.head().map_err(internal)?;
        let genesis = chain.genesis();
        Ok(NodeStatus {
            chain_id: genesis.chain_id.clone(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            engine: chain.engine().name().to_string(),
            mode: node.mode().to_string(),
            pid: std::process::id(),
            proposer: Hex32(node.settings().proposer.0),
            validators: genesis.validators().iter().map(|v| Hex32(v.0)).collect(),
            head: header_view(&head),
            mempool: node.mempool_len(),
            organisations: genesis.organisations.iter().map(|o| o.id.clone()).collect(),
        })
    }

    async fn subscribe_events(
        &self,
        pending: PendingSubscriptionSink,
        ext: &Extensions,
        filter: Option<EventFilter>,
    ) -> SubscriptionResult {
        let filter = filter.unwrap_or_default();
        let caller = caller(ext)?;
        // Without the grant, only the events of the subscriber's own transactions.
        let own_only = (!self.may(&caller, RawRead::Events)?).then_some(caller.key);
        stream_blocks(pending, self.node.clone(), move |node, committed| {
            let mut out = Vec::new();
            for (index, (tx, receipt)) in committed
                .block
                .txs
                .iter()
                .zip(&committed.receipts)
                .enumerate()
            {
                if own_only.is_some_and(|key| tx.payload.sender != key) {
                    continue;
                }
                for event in &receipt.events {
                    let mut view = event_view(event, None);
                    if !filter.matches(&view) {
                        continue;
                    }
                    // Decoding is a courtesy: without readable metadata the raw data answers.
                    view.decoded = node
                        .metadata(&event.contract)
                        .ok()
                        .flatten()
                        .and_then(|m| m.decode_event(&topics(&view), &event.data));
                    view.block_height = Some(committed.block.header.height);
                    view.tx_hash = Some(Hex32(tx.hash().0));
                    view.tx_index = Some(index);
                    out.push(view);
                }
            }
            out
        })
        .await;
        Ok(())
    }
}

impl RpcServer {
    /// The API as an `RpcModule`: the trait's methods and `cc_subscribeHeads`
    /// ([`carechain_rpc_api::heads`]).
    ///
    /// # Panics
    /// Never: the names are distinct (a test starts the server).
    pub fn into_module(self) -> jsonrpsee::RpcModule<RpcServer> {
        let node = self.node.clone();
        let mut module = self.into_rpc();
        let mut heads = jsonrpsee::RpcModule::new(node);
        heads
            .register_subscription(
                heads::SUBSCRIBE,
                heads::NOTIFICATION,
                heads::UNSUBSCRIBE,
                |_, pending, node, _| async move {
                    stream_blocks(pending, (*node).clone(), |_, committed| {
                        vec![header_view(&committed.block.header)]
                    })
                    .await;
                },
            )
            .expect("distinct subscription names");
        module
            .merge(heads)
            .expect("cc_subscribeHeads is not a method of the trait");
        module
    }
}

fn topics(view: &carechain_rpc_api::EventView) -> Vec<[u8; 32]> {
    view.topics.iter().map(|t| t.0).collect()
}

/// Accepts a subscription and sends it `select(block)`'s items for each committed block, until
/// the client goes away.
async fn stream_blocks<T: Serialize>(
    pending: PendingSubscriptionSink,
    node: Arc<Node>,
    select: impl Fn(&Node, &CommittedBlock) -> Vec<T> + Send + 'static,
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
