//! The chain: executes blocks of transactions on the runtime and commits them to the store.
//!
//! Execution is a pure function of the parent state and the block: transactions run in order,
//! each on the state left by the ones before it; a failed transaction (revert, trap, out of gas)
//! is included with its receipt and changes nothing but its sender's nonce; a transaction
//! refused before execution (unknown signer, wrong nonce, missing role) changes nothing at all
//! and is left out of produced blocks. The same blocks give the same state roots on wasmtime and
//! wasmi.
#![warn(missing_docs)]

mod admission;
mod error;
mod execute;
mod governance;
mod query;
mod records;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use carechain_primitives::block::{Block, Header};
use carechain_primitives::genesis::Genesis;
use carechain_primitives::tx::{PublicKey, TxHash, TxRules};
use carechain_runtime::{EngineKind, Runtime, RuntimeConfig};
use carechain_storage::{BlockState, StateHistory, StateKey, Store};

pub use error::ChainError;
pub use execute::{Base, Committed, Executed};
pub use governance::{ADMIN_GAS, GovernanceError};
pub use records::{MemberRecord, OrgRecord, ProposalRecord};

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
            parent_hash: carechain_primitives::hash::blake2b_256(genesis.to_toml().as_bytes()),
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
        let runtime = Runtime::new(RuntimeConfig::for_engine(engine))?;
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
    fn genesis_state(&self) -> carechain_storage::Pending {
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
}
