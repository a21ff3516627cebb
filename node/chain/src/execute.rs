//! Executing blocks: building one from candidates (a proposer), re-executing one made elsewhere
//! (a validator, a replay), and committing it. Execution is a pure function of the parent state
//! and the block.

use std::sync::Arc;
use std::time::Duration;

use carechain_primitives::block::{Block, Header, Receipt, TxStatus, merkle_root};
use carechain_primitives::tx::{Action, PublicKey, SignedTx, TxError, TxHash};
use carechain_runtime::{BlockInfo, Message, Outcome, StateReader};
use carechain_storage::{BlockState, Pending, StateKey, Store};

use crate::admission::refusal;
use crate::governance::{ADMIN_GAS, AdminError};
use crate::{Chain, ChainError};

/// A block just committed.
#[derive(Debug)]
pub struct Committed {
    /// The block.
    pub block: Block,
    /// Its receipts.
    pub receipts: Vec<Receipt>,
    /// Candidates refused before execution, with the reason (not included).
    pub refused: Vec<(SignedTx, TxError)>,
    /// Candidates left for a later block (the block was full).
    pub deferred: Vec<SignedTx>,
    /// Time spent executing the transactions and updating the state tree.
    pub execution: std::time::Duration,
    /// Time spent writing the block to the store.
    pub commit: std::time::Duration,
}

impl Committed {
    /// The record of `executed`, committed in `commit`.
    pub fn new(executed: Executed, commit: std::time::Duration) -> Self {
        Committed {
            block: executed.block,
            receipts: executed.receipts,
            refused: executed.refused,
            deferred: executed.deferred,
            execution: executed.execution,
            commit,
        }
    }
}

impl Committed {
    /// Like [`Committed::new`], copying from an execution still shared.
    pub fn from_shared(executed: &Executed, commit: std::time::Duration) -> Self {
        Committed {
            block: executed.block.clone(),
            receipts: executed.receipts.clone(),
            refused: executed.refused.clone(),
            deferred: executed.deferred.clone(),
            execution: executed.execution,
            commit,
        }
    }
}

/// A block executed on its parent's state and not committed yet: what [`Chain::commit`]
/// writes. Blocks of a network are executed before validators vote on them and committed once
/// finalized; a child may execute on top of its executed parent ([`Base::uncommitted`]).
pub struct Executed {
    /// The block.
    pub block: Block,
    /// Its receipts.
    pub receipts: Vec<Receipt>,
    /// Candidates refused before execution, with the reason (built blocks only).
    pub refused: Vec<(SignedTx, TxError)>,
    /// Candidates left for a later block (built blocks only).
    pub deferred: Vec<SignedTx>,
    /// Time spent executing the transactions and updating the state tree.
    pub execution: std::time::Duration,
    pending: Arc<Pending>,
    tree: Arc<jmt::storage::TreeUpdateBatch>,
}

impl Executed {
    /// The block's hash.
    pub fn hash(&self) -> [u8; 32] {
        self.block.header.hash()
    }
}

impl std::fmt::Debug for Executed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executed")
            .field("height", &self.block.header.height)
            .field("hash", &hex::encode(self.hash()))
            .field("txs", &self.block.txs.len())
            .finish_non_exhaustive()
    }
}

/// The state a block executes on: the committed head, or blocks executed on top of it and not
/// committed yet.
#[derive(Clone, Debug, Default)]
pub struct Base {
    ancestors: Vec<Arc<Executed>>,
}

impl Base {
    /// The committed head.
    pub fn committed() -> Self {
        Base::default()
    }

    /// Executed, uncommitted blocks, the nearest first: each the child of the next, the last
    /// a child of the committed head (checked when a block is executed on it).
    pub fn uncommitted(ancestors: Vec<Arc<Executed>>) -> Self {
        Base { ancestors }
    }

    pub(crate) fn state(&self, store: &Arc<Store>) -> BlockState {
        BlockState::on(
            store.clone(),
            self.ancestors.iter().map(|a| a.pending.clone()).collect(),
        )
    }

    fn trees(&self) -> Vec<&jmt::storage::TreeUpdateBatch> {
        self.ancestors.iter().map(|a| &*a.tree).collect()
    }
}

impl Chain {
    /// Executes `candidates` in order as the next block at `timestamp` and commits it. Candidates
    /// refused by the stateful checks are left out; those that would pass the block gas limit
    /// are deferred.
    ///
    /// # Errors
    /// [`ChainError`] if the store fails or the timestamp goes backwards.
    pub fn produce_block(
        &self,
        candidates: Vec<SignedTx>,
        timestamp: u64,
        proposer: PublicKey,
    ) -> Result<Committed, ChainError> {
        let executed = self.build_block(&Base::committed(), candidates, timestamp, proposer)?;
        let commit = self.commit(&executed)?;
        Ok(Committed::new(executed, commit))
    }

    /// Re-executes a block made elsewhere (or replays one) and commits it if it follows from the
    /// head: same parent, no refused transaction, within the gas limit, and the same roots.
    ///
    /// # Errors
    /// [`ChainError::InvalidBlock`] naming the first mismatch; nothing is committed then.
    pub fn apply_block(&self, block: &Block) -> Result<Vec<Receipt>, ChainError> {
        let executed = self.execute_block(&Base::committed(), block)?;
        self.commit(&executed)?;
        Ok(executed.receipts)
    }

    /// The header `base` ends with, after checking that its blocks descend from the committed
    /// head.
    fn base_header(&self, base: &Base) -> Result<Header, ChainError> {
        let head = self.head()?;
        let mut parent = head.hash();
        for ancestor in base.ancestors.iter().rev() {
            let header = &ancestor.block.header;
            if header.parent_hash != parent {
                return Err(ChainError::InvalidBlock {
                    height: header.height,
                    reason: "does not descend from the committed head".into(),
                });
            }
            parent = header.hash();
        }
        Ok(base
            .ancestors
            .first()
            .map_or(head, |a| a.block.header.clone()))
    }

    /// Executes `candidates` in order as the block after `base` at `timestamp`, without
    /// committing it. Candidates refused by the stateful checks are left out; those that would
    /// pass the block gas limit are deferred.
    ///
    /// # Errors
    /// [`ChainError`] if the store fails (a failed read, in the chain's checks or inside a
    /// contract, abandons the block: nothing is committed, and it can be built again), `base`
    /// does not descend from the head, or the timestamp goes backwards.
    pub fn build_block(
        &self,
        base: &Base,
        candidates: Vec<SignedTx>,
        timestamp: u64,
        proposer: PublicKey,
    ) -> Result<Executed, ChainError> {
        self.build_block_within(base, candidates, timestamp, proposer, Duration::MAX)
    }

    /// [`Chain::build_block`], deferring the candidates left once executing has taken `budget`
    /// (a proposer's choice, so not part of validity: a network's proposer keeps its blocks
    /// quick enough for every validator to re-execute one within the consensus timeouts).
    ///
    /// # Errors
    /// As [`Chain::build_block`].
    pub fn build_block_within(
        &self,
        base: &Base,
        candidates: Vec<SignedTx>,
        timestamp: u64,
        proposer: PublicKey,
        budget: Duration,
    ) -> Result<Executed, ChainError> {
        let parent = self.base_header(base)?;
        let height = parent.height + 1;
        if timestamp < parent.timestamp {
            return Err(ChainError::InvalidBlock {
                height,
                reason: format!("timestamp {timestamp} before its parent's"),
            });
        }
        let started = std::time::Instant::now();
        let state = Arc::new(base.state(&self.store));
        let info = BlockInfo {
            height,
            time: timestamp,
        };
        let mut included = Vec::new();
        let mut receipts = Vec::new();
        let mut refused = Vec::new();
        let mut deferred = Vec::new();
        let mut gas_used = 0u64;
        for tx in candidates {
            if !deferred.is_empty()
                || gas_used.saturating_add(tx.payload.gas_limit) > self.genesis.block_gas_limit
                || started.elapsed() >= budget
            {
                deferred.push(tx);
                continue;
            }
            let receipt = match self.execute_tx(&state, info, &tx, tx.hash())? {
                Ok(receipt) => receipt,
                Err(error) => {
                    refused.push((tx, error));
                    continue;
                }
            };
            gas_used = gas_used.saturating_add(receipt.gas_used);
            included.push(tx);
            receipts.push(receipt);
        }
        let pending = state.pending();
        let (state_root, tree) = self.store.tree_update_on(&pending, height, &base.trees())?;
        let block = Block {
            header: header(
                &parent, timestamp, proposer, &included, &receipts, state_root, gas_used,
            ),
            txs: included,
        };
        Ok(Executed {
            block,
            receipts,
            refused,
            deferred,
            execution: started.elapsed(),
            pending: Arc::new(pending),
            tree: Arc::new(tree),
        })
    }

    /// Re-executes a block made elsewhere on `base`, without committing it, and checks that it
    /// follows: same parent, no refused transaction, within the gas limit, and the same roots.
    ///
    /// # Errors
    /// [`ChainError::InvalidBlock`] naming the first mismatch; [`ChainError::Store`] or
    /// [`ChainError::State`] if this node cannot read its state (the block may be good).
    pub fn execute_block(&self, base: &Base, block: &Block) -> Result<Executed, ChainError> {
        let parent = self.base_header(base)?;
        let height = parent.height + 1;
        let invalid = |reason: String| ChainError::InvalidBlock { height, reason };
        if block.header.height != height || block.header.parent_hash != parent.hash() {
            return Err(invalid("does not extend its parent".into()));
        }
        if block.header.timestamp < parent.timestamp {
            return Err(invalid("timestamp before its parent's".into()));
        }
        let started = std::time::Instant::now();
        let state = Arc::new(base.state(&self.store));
        let info = BlockInfo {
            height,
            time: block.header.timestamp,
        };
        let mut receipts = Vec::new();
        let mut gas_used = 0u64;
        let rules = self.tx_rules();
        for tx in &block.txs {
            let hash = tx.hash();
            tx.check_fields(&rules)
                .and_then(|()| {
                    if self.is_verified(&hash) {
                        Ok(())
                    } else {
                        tx.verify_signature()
                    }
                })
                .map_err(|e| invalid(format!("transaction {}: {e}", hex::encode(hash.0))))?;
            if gas_used.saturating_add(tx.payload.gas_limit) > self.genesis.block_gas_limit {
                return Err(invalid("over the block gas limit".into()));
            }
            // A state fault is this node's, not the block's: `?` keeps it a `ChainError::Store`
            // or `ChainError::State`, never `InvalidBlock`, so a validator with a failing disk
            // does not condemn a good block.
            let receipt = self
                .execute_tx(&state, info, tx, hash)?
                .map_err(|e| invalid(format!("includes a refused transaction: {e}")))?;
            gas_used = gas_used.saturating_add(receipt.gas_used);
            receipts.push(receipt);
        }
        let pending = state.pending();
        let (state_root, tree) = self.store.tree_update_on(&pending, height, &base.trees())?;
        let expected = header(
            &parent,
            block.header.timestamp,
            block.header.proposer,
            &block.txs,
            &receipts,
            state_root,
            gas_used,
        );
        if expected != block.header {
            return Err(invalid(format!(
                "header mismatch: state root {} expected, {} claimed",
                hex::encode(expected.state_root),
                hex::encode(block.header.state_root)
            )));
        }
        Ok(Executed {
            block: block.clone(),
            receipts,
            refused: Vec::new(),
            deferred: Vec::new(),
            execution: started.elapsed(),
            pending: Arc::new(pending),
            tree: Arc::new(tree),
        })
    }

    /// Commits an executed block, which must be the child of the committed head (its
    /// uncommitted ancestors, if it had any, committed first), in one atomic write. Returns the
    /// time the write took.
    ///
    /// # Errors
    /// [`ChainError::InvalidBlock`] if the block is not the head's child; [`ChainError::Store`]
    /// if the write fails. Nothing is committed then.
    pub fn commit(&self, executed: &Executed) -> Result<std::time::Duration, ChainError> {
        let head = self.head()?;
        let header = &executed.block.header;
        if header.height != head.height + 1 || header.parent_hash != head.hash() {
            return Err(ChainError::InvalidBlock {
                height: header.height,
                reason: format!("not a child of the committed head {}", head.height),
            });
        }
        let started = std::time::Instant::now();
        self.store.commit(
            &executed.block,
            &executed.receipts,
            &executed.pending,
            &executed.tree,
        )?;
        Ok(started.elapsed())
    }

    /// Executes one transaction (its hash `hash`) on `state`; a refused one changes nothing.
    /// The outer error is a state fault: the whole block is abandoned then (`state` is left
    /// half-updated and must be dropped).
    fn execute_tx(
        &self,
        state: &Arc<BlockState>,
        info: BlockInfo,
        tx: &SignedTx,
        hash: TxHash,
    ) -> Result<Result<Receipt, TxError>, ChainError> {
        if let Some(error) = refusal(state, tx)? {
            return Ok(Err(error));
        }
        let sender = tx.sender();
        state.put(&StateKey::Nonce(sender), &(tx.payload.nonce + 1));
        let message = match &tx.payload.action {
            Action::Deploy { code, input, salt } => Message::Deploy {
                deployer: sender,
                code: code.clone(),
                input: input.clone(),
                salt: salt.clone(),
            },
            Action::Call { contract, input } => Message::Call {
                caller: sender,
                contract: *contract,
                input: input.clone(),
            },
            Action::Admin(admin) => {
                let status = if tx.payload.gas_limit < ADMIN_GAS {
                    TxStatus::Failed("out_of_gas".into())
                } else {
                    // The nonce is already counted: a failed administration undoes the rest.
                    let saved = state.pending();
                    match self.admin(state, tx.payload.sender, admin, info.height) {
                        Ok(()) => TxStatus::Success,
                        Err(AdminError::Refused(error)) => {
                            state.restore(saved);
                            TxStatus::Failed(error.reason().into())
                        }
                        Err(AdminError::Store(e)) => return Err(e.into()),
                    }
                };
                return Ok(Ok(Receipt {
                    tx_hash: hash,
                    status,
                    gas_used: ADMIN_GAS.min(tx.payload.gas_limit),
                    events: Vec::new(),
                    return_data: Vec::new(),
                    contract: None,
                }));
            }
        };
        let reader: Arc<dyn StateReader> = state.clone();
        let result = self
            .runtime
            .execute(reader, info, message, tx.payload.gas_limit)?;
        let status = match &result.outcome {
            Outcome::Success => {
                state.apply(&result.changes);
                TxStatus::Success
            }
            Outcome::Reverted => TxStatus::Reverted,
            Outcome::Failed(f) => TxStatus::Failed(f.name()),
        };
        Ok(Ok(Receipt {
            tx_hash: hash,
            status,
            gas_used: result.gas_used,
            events: result.events,
            return_data: result.return_data,
            contract: result.contract.filter(|_| result.outcome.is_success()),
        }))
    }
}

/// The header of the block after `parent` with these transactions and results.
fn header(
    parent: &Header,
    timestamp: u64,
    proposer: PublicKey,
    txs: &[SignedTx],
    receipts: &[Receipt],
    state_root: [u8; 32],
    gas_used: u64,
) -> Header {
    Header {
        height: parent.height + 1,
        parent_hash: parent.hash(),
        timestamp,
        proposer,
        tx_root: merkle_root(&txs.iter().map(|t| t.hash().0).collect::<Vec<_>>()),
        state_root,
        receipts_root: merkle_root(&receipts.iter().map(Receipt::hash).collect::<Vec<_>>()),
        gas_used,
    }
}
