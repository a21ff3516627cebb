//! The chain: executes blocks of transactions on the runtime and commits them to the store.
//!
//! Execution is a pure function of the parent state and the block: transactions run in order,
//! each on the state left by the ones before it; a failed transaction (revert, trap, out of gas)
//! is included with its receipt and changes nothing but its sender's nonce; a transaction
//! refused before execution (unknown signer, wrong nonce, missing role) changes nothing at all
//! and is left out of produced blocks. The same blocks give the same state roots on wasmtime and
//! wasmi.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use carechain_runtime::{
    Address, BlockInfo, CallResult, EngineKind, Message, Outcome, Runtime, RuntimeConfig,
    StateReader,
};
use parity_scale_codec::{Decode, Encode};

use crate::block::{Block, Header, Receipt, TxStatus, merkle_root};
use crate::genesis::Genesis;
use crate::state::{BlockState, CommittedState, Pending, StateKey, StateProof};
use crate::store::{StateHistory, Store, StoreError};
use crate::tx::{
    Action, AdminAction, NodeRole, OrgKind, Proposal, PublicKey, SignedTx, TxError, TxHash, TxRules,
};

/// Gas charged for a consortium administration transaction.
pub const ADMIN_GAS: u64 = 50_000;

/// A member of the consortium, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct MemberRecord {
    /// Its organisation.
    pub org: String,
    /// Its roles.
    pub roles: Vec<NodeRole>,
}

/// An organisation, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct OrgRecord {
    /// Its kind.
    pub kind: OrgKind,
    /// Its members' keys.
    pub members: Vec<PublicKey>,
}

/// A consortium proposal, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct ProposalRecord {
    /// The change.
    pub proposal: Proposal,
    /// Who proposed it.
    pub proposer: PublicKey,
    /// The organisations that approved it.
    pub approvals: Vec<String>,
    /// True once a majority approved and it was applied.
    pub executed: bool,
}

/// Chain errors.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The runtime could not be created.
    #[error("runtime: {0}")]
    Runtime(String),
    /// The database holds another chain.
    #[error("the database holds chain {found}, not {expected}")]
    WrongChain {
        /// The genesis hash expected.
        expected: String,
        /// The one found.
        found: String,
    },
    /// A block does not follow from its parent.
    #[error("invalid block {height}: {reason}")]
    InvalidBlock {
        /// Its height.
        height: u64,
        /// Why.
        reason: String,
    },
}

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

    fn state(&self, store: &Arc<Store>) -> BlockState {
        BlockState::on(
            store.clone(),
            self.ancestors.iter().map(|a| a.pending.clone()).collect(),
        )
    }

    fn trees(&self) -> Vec<&jmt::storage::TreeUpdateBatch> {
        self.ancestors.iter().map(|a| &*a.tree).collect()
    }
}

/// A chain on a store.
pub struct Chain {
    store: Arc<Store>,
    genesis: Genesis,
    runtime: Runtime,
    engine: EngineKind,
    /// Hashes of transactions whose signatures this node already checked (on admission to its
    /// mempool), so a block carrying them does not check them again. A signature check depends
    /// on the transaction's bytes alone, which its hash names, so skipping a repeat changes no
    /// outcome. Bounded: the least recently noted are forgotten (and then simply checked again).
    verified: Mutex<lru::LruCache<TxHash, ()>>,
}

/// How many verified transaction hashes a chain remembers (a few mempools' worth).
const VERIFIED_REMEMBERED: std::num::NonZeroUsize = std::num::NonZeroUsize::new(200_000).unwrap();

/// The genesis block of `genesis` with the given state root. Its parent hash is the hash of the
/// genesis file's canonical TOML, so two chains with different genesis files (chain id, limits,
/// members) never share a block 0.
fn genesis_block(genesis: &Genesis, state_root: [u8; 32]) -> Block {
    Block {
        header: Header {
            height: 0,
            parent_hash: crate::hash::blake2b_256(genesis.to_toml().as_bytes()),
            timestamp: genesis.genesis_time,
            proposer: PublicKey([0; 32]),
            tx_root: [0; 32],
            state_root,
            receipts_root: [0; 32],
            gas_used: 0,
        },
        txs: Vec::new(),
    }
}

impl Chain {
    /// Opens the chain in `dir` (creating it from `genesis` if empty) executing on `engine`.
    ///
    /// # Errors
    /// [`ChainError`] if the store cannot be opened or holds another chain.
    pub fn open(dir: &Path, genesis: Genesis, engine: EngineKind) -> Result<Self, ChainError> {
        Self::open_with(dir, genesis, engine, StateHistory::DEFAULT)
    }

    /// Like [`Chain::open`], keeping `history` of the state tree (proofs at older heights are
    /// refused).
    ///
    /// # Errors
    /// [`ChainError`] if the store cannot be opened or holds another chain.
    pub fn open_with(
        dir: &Path,
        genesis: Genesis,
        engine: EngineKind,
        history: StateHistory,
    ) -> Result<Self, ChainError> {
        let store = Arc::new(Store::open_with(dir, history)?);
        let runtime = Runtime::new(RuntimeConfig::for_engine(engine))
            .map_err(|e| ChainError::Runtime(e.to_string()))?;
        let chain = Chain {
            store,
            genesis,
            runtime,
            engine,
            verified: Mutex::new(lru::LruCache::new(VERIFIED_REMEMBERED)),
        };
        match chain.store.head()? {
            None => {
                let pending = chain.genesis_state();
                let (root, tree) = chain.store.tree_update(&pending, 0)?;
                let block = genesis_block(&chain.genesis, root);
                chain.store.commit(&block, &[], &pending, &tree)?;
            }
            Some(_) => {
                // The same genesis must give the same block 0.
                let stored = chain
                    .store
                    .block(0)?
                    .ok_or_else(|| ChainError::InvalidBlock {
                        height: 0,
                        reason: "the database has a head but no genesis block".into(),
                    })?;
                // The genesis state's root, computed afresh (version 0 of the stored tree may
                // be pruned): this also checks the genesis state itself.
                let root0 = Store::genesis_root(&chain.genesis_state())?;
                let expected = genesis_block(&chain.genesis, root0).header.hash();
                if stored.header.hash() != expected {
                    return Err(ChainError::WrongChain {
                        expected: hex::encode(expected),
                        found: hex::encode(stored.header.hash()),
                    });
                }
            }
        }
        Ok(chain)
    }

    /// The state block 0 commits: the genesis members and organisations. It reads nothing from
    /// the store, so that a reopened chain can recompute it.
    fn genesis_state(&self) -> crate::state::Pending {
        let state = BlockState::new(self.store.clone());
        let mut records: BTreeMap<String, OrgRecord> = BTreeMap::new();
        for (org, kind, key, roles) in self.genesis.members() {
            state.put(
                &StateKey::Member(key),
                &MemberRecord {
                    org: org.clone(),
                    roles,
                },
            );
            records
                .entry(org)
                .or_insert(OrgRecord {
                    kind,
                    members: Vec::new(),
                })
                .members
                .push(key);
        }
        for (org, record) in records {
            state.put(&StateKey::Organisation(org), &record);
        }
        let orgs: Vec<String> = self
            .genesis
            .organisations
            .iter()
            .map(|o| o.id.clone())
            .collect();
        state.put(&StateKey::Organisations, &orgs);
        state.pending()
    }

    /// The store.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The engine transactions execute on.
    pub fn engine(&self) -> EngineKind {
        self.engine
    }

    /// The genesis.
    pub fn genesis(&self) -> &Genesis {
        &self.genesis
    }

    /// The stateless transaction rules.
    pub fn tx_rules(&self) -> TxRules {
        self.genesis.tx_rules()
    }

    /// The header of the last committed block (read without decoding the block's
    /// transactions: clients poll it, and a full block holds thousands of them).
    ///
    /// # Errors
    /// [`ChainError::Store`].
    pub fn head(&self) -> Result<Header, ChainError> {
        let height = self.store.head()?.unwrap_or(0);
        self.store
            .header(height)?
            .ok_or_else(|| ChainError::InvalidBlock {
                height,
                reason: "head block missing".into(),
            })
    }

    /// An account's next nonce in the committed state.
    pub fn nonce(&self, account: &Address) -> u64 {
        self.store
            .state_value(&StateKey::Nonce(*account).encode())
            .and_then(|v| u64::decode(&mut &v[..]).ok())
            .unwrap_or(0)
    }

    /// An account's next nonce in the state after `base`.
    pub fn nonce_on(&self, base: &Base, account: &Address) -> u64 {
        base.state(&self.store)
            .get_decoded::<u64>(&StateKey::Nonce(*account))
            .unwrap_or(0)
    }

    /// A member's record in the committed state.
    pub fn member(&self, key: &PublicKey) -> Option<MemberRecord> {
        self.store
            .state_value(&StateKey::Member(*key).encode())
            .and_then(|v| MemberRecord::decode(&mut &v[..]).ok())
    }

    /// Remembers that the signature of the transaction `hash` was checked and is good, so
    /// [`Chain::execute_block`] need not check it again.
    pub fn note_verified(&self, hash: TxHash) {
        self.verified.lock().expect("verified lock").put(hash, ());
    }

    fn is_verified(&self, hash: &TxHash) -> bool {
        self.verified.lock().expect("verified lock").contains(hash)
    }

    /// The checks the mempool makes against committed state: the sender is a member with the
    /// role the action needs, and the nonce is not already used.
    ///
    /// # Errors
    /// [`TxError::UnknownSigner`], [`TxError::NotPermitted`], [`TxError::NonceTooLow`].
    pub fn check_admission(&self, tx: &SignedTx) -> Result<(), TxError> {
        match refusal(&BlockState::new(self.store.clone()), tx) {
            // A later nonce may wait in the mempool for the ones before it.
            Some(TxError::NonceTooHigh { .. }) | None => Ok(()),
            Some(error) => Err(error),
        }
    }

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
    /// [`ChainError`] if the store fails, `base` does not descend from the head, or the
    /// timestamp goes backwards.
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
            let receipt = match self.execute_tx(&state, info, &tx, tx.hash()) {
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
    /// [`ChainError::InvalidBlock`] naming the first mismatch.
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
            let receipt = self
                .execute_tx(&state, info, tx, hash)
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
    fn execute_tx(
        &self,
        state: &Arc<BlockState>,
        info: BlockInfo,
        tx: &SignedTx,
        hash: TxHash,
    ) -> Result<Receipt, TxError> {
        if let Some(error) = refusal(state, tx) {
            return Err(error);
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
                    match self.admin(state, tx.payload.sender, admin) {
                        Ok(()) => TxStatus::Success,
                        Err(reason) => {
                            state.restore(saved);
                            TxStatus::Failed(reason)
                        }
                    }
                };
                return Ok(Receipt {
                    tx_hash: hash,
                    status,
                    gas_used: ADMIN_GAS.min(tx.payload.gas_limit),
                    events: Vec::new(),
                    return_data: Vec::new(),
                    contract: None,
                });
            }
        };
        let reader: Arc<dyn StateReader> = state.clone();
        let result = self
            .runtime
            .execute(reader, info, message, tx.payload.gas_limit);
        let status = match &result.outcome {
            Outcome::Success => {
                state.apply(&result.changes);
                TxStatus::Success
            }
            Outcome::Reverted => TxStatus::Reverted,
            Outcome::Failed(f) => TxStatus::Failed(f.name()),
        };
        Ok(Receipt {
            tx_hash: hash,
            status,
            gas_used: result.gas_used,
            events: result.events,
            return_data: result.return_data,
            contract: result.contract.filter(|_| result.outcome.is_success()),
        })
    }

    /// Consortium administration: a proposal needs approvals from a majority of organisations.
    fn admin(
        &self,
        state: &BlockState,
        sender: PublicKey,
        action: &AdminAction,
    ) -> Result<(), String> {
        let member = state
            .get_decoded::<MemberRecord>(&StateKey::Member(sender))
            .ok_or("unknown_signer")?;
        let number = match action {
            AdminAction::Propose(proposal) => {
                let n = state
                    .get_decoded::<u64>(&StateKey::NextProposal)
                    .unwrap_or(0);
                state.put(&StateKey::NextProposal, &(n + 1));
                state.put(
                    &StateKey::Proposal(n),
                    &ProposalRecord {
                        proposal: proposal.clone(),
                        proposer: sender,
                        approvals: vec![member.org.clone()],
                        executed: false,
                    },
                );
                n
            }
            AdminAction::Approve { proposal } => {
                let mut record = state
                    .get_decoded::<ProposalRecord>(&StateKey::Proposal(*proposal))
                    .ok_or("proposal_not_found")?;
                if record.executed {
                    return Err("proposal_already_executed".into());
                }
                if !record.approvals.contains(&member.org) {
                    record.approvals.push(member.org.clone());
                }
                state.put(&StateKey::Proposal(*proposal), &record);
                *proposal
            }
        };
        let mut record = state
            .get_decoded::<ProposalRecord>(&StateKey::Proposal(number))
            .ok_or("proposal_not_found")?;
        let orgs = state
            .get_decoded::<Vec<String>>(&StateKey::Organisations)
            .unwrap_or_default();
        let approving = record.approvals.iter().filter(|o| orgs.contains(o)).count();
        if approving * 2 > orgs.len() {
            apply_proposal(state, &record.proposal)?;
            record.executed = true;
            state.put(&StateKey::Proposal(number), &record);
        }
        Ok(())
    }

    /// A read-only call on the committed state.
    pub fn query(
        &self,
        caller: Address,
        contract: Address,
        input: Vec<u8>,
        gas: u64,
    ) -> CallResult {
        let head = self.head().ok();
        let info = BlockInfo {
            height: head.as_ref().map_or(0, |h| h.height),
            time: head.as_ref().map_or(0, |h| h.timestamp),
        };
        self.runtime.execute(
            Arc::new(CommittedState(self.store.clone())),
            info,
            Message::Query {
                caller,
                contract,
                input,
            },
            gas,
        )
    }

    /// The value of `key` at block `height` with its proof against that block's state root.
    ///
    /// # Errors
    /// [`ChainError::Store`].
    pub fn prove(
        &self,
        key: &StateKey,
        height: u64,
    ) -> Result<(Option<Vec<u8>>, StateProof), ChainError> {
        Ok(self.store.prove(key, height)?)
    }
}

/// The role an action needs.
fn needed_role(action: &Action) -> NodeRole {
    match action {
        Action::Deploy { .. } => NodeRole::Deployer,
        Action::Call { .. } | Action::Admin(_) => NodeRole::Member,
    }
}

/// Why `tx` may not execute on `state` (unknown signer, missing role, wrong nonce), if it may not.
fn refusal(state: &BlockState, tx: &SignedTx) -> Option<TxError> {
    let member = state.get_decoded::<MemberRecord>(&StateKey::Member(tx.payload.sender));
    let Some(member) = member else {
        return Some(TxError::UnknownSigner(tx.payload.sender.to_hex()));
    };
    let needed = needed_role(&tx.payload.action);
    if !member.roles.contains(&needed) {
        return Some(TxError::NotPermitted(needed));
    }
    let next = state
        .get_decoded::<u64>(&StateKey::Nonce(tx.sender()))
        .unwrap_or(0);
    if tx.payload.nonce < next {
        return Some(TxError::NonceTooLow {
            expected: next,
            found: tx.payload.nonce,
        });
    }
    if tx.payload.nonce > next {
        return Some(TxError::NonceTooHigh {
            expected: next,
            found: tx.payload.nonce,
        });
    }
    None
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

/// Applies an approved proposal.
fn apply_proposal(state: &BlockState, proposal: &Proposal) -> Result<(), String> {
    let mut orgs = state
        .get_decoded::<Vec<String>>(&StateKey::Organisations)
        .unwrap_or_default();
    match proposal {
        Proposal::AddOrganisation { id, kind } => {
            if orgs.contains(id) {
                return Err("organisation_exists".into());
            }
            orgs.push(id.clone());
            state.put(&StateKey::Organisations, &orgs);
            state.put(
                &StateKey::Organisation(id.clone()),
                &OrgRecord {
                    kind: *kind,
                    members: Vec::new(),
                },
            );
        }
        Proposal::RemoveOrganisation { id } => {
            let record = state
                .get_decoded::<OrgRecord>(&StateKey::Organisation(id.clone()))
                .ok_or("organisation_not_found")?;
            for key in record.members {
                state.delete(&StateKey::Member(key));
            }
            orgs.retain(|o| o != id);
            state.put(&StateKey::Organisations, &orgs);
            state.delete(&StateKey::Organisation(id.clone()));
        }
        Proposal::AddMember { org, key, roles } => {
            let mut record = state
                .get_decoded::<OrgRecord>(&StateKey::Organisation(org.clone()))
                .ok_or("organisation_not_found")?;
            if state.get(&StateKey::Member(*key)).is_some() {
                return Err("member_exists".into());
            }
            record.members.push(*key);
            state.put(&StateKey::Organisation(org.clone()), &record);
            state.put(
                &StateKey::Member(*key),
                &MemberRecord {
                    org: org.clone(),
                    roles: roles.clone(),
                },
            );
        }
        Proposal::RemoveMember { key } => {
            let member = state
                .get_decoded::<MemberRecord>(&StateKey::Member(*key))
                .ok_or("member_not_found")?;
            if let Some(mut record) =
                state.get_decoded::<OrgRecord>(&StateKey::Organisation(member.org.clone()))
            {
                record.members.retain(|k| k != key);
                state.put(&StateKey::Organisation(member.org), &record);
            }
            state.delete(&StateKey::Member(*key));
        }
    }
    Ok(())
}
