//! The running node in dev mode: a mempool fed by RPC, a block producer that turns waiting
//! transactions into a block as soon as some wait (at most one block per `block_interval_ms`),
//! and a feed of committed blocks for subscribers.
//!
//! Durability comes from the store: each block is one atomic RocksDB write, so a node killed at
//! any instant restarts at its last committed block; the mempool is not persisted (clients
//! resubmit what they did not see committed, and a resubmitted committed transaction is refused
//! as a used nonce, never applied twice).

use std::collections::{HashMap, VecDeque};
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use carechain_metadata::ContractMetadata;
use carechain_runtime::{Address, CodeHash};
use tokio::sync::broadcast;

use carechain_chain::{Chain, ChainError, Committed};
use carechain_mempool::{Mempool, MempoolLimits};
use carechain_primitives::block::{Block, Receipt, TxStatus};
use carechain_primitives::tx::{PublicKey, SignedTx, TxError, TxHash, TxRules};
use carechain_storage::StateKey;
use carechain_storage::TxLocation;

/// Most transactions a produced block takes from the mempool (the block gas limit may stop it
/// earlier). It bounds what a block holds in memory while it is built (its transactions,
/// receipts, state changes and the state tree's new nodes). Measured saturated with healthcare
/// transactions (docs/BENCHMARKS.md): 10,000 against 5,000, then 5,000 against 2,500, in pairs;
/// at 2,500 RSS ended ~180 MiB lower than at 10,000, p99 latency ~4.6x lower, throughput no
/// lower.
pub const MAX_BLOCK_TXS: usize = 2_500;

// A member must be able to fill a block and have the next one queued (mempool limits).
const _: () = assert!(MempoolLimits::DEFAULT_PER_SENDER >= 2 * MAX_BLOCK_TXS);

/// Committed blocks the subscription feed keeps for subscribers that fall behind (6 s at the
/// dev block interval; a subscriber further behind skips blocks, with a warning). The feed holds
/// whole blocks with their receipts: at 1,024 it held a gigabyte under full blocks.
const FEED_BLOCKS: usize = 64;

/// How many refused transactions' reasons are remembered for status queries.
const DROPPED_MEMORY: usize = 10_000;

/// A block just committed, with its receipts, as subscribers receive it.
#[derive(Debug)]
pub struct CommittedBlock {
    /// The block.
    pub block: Block,
    /// One receipt per transaction.
    pub receipts: Vec<Receipt>,
}

/// Where a transaction is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxState {
    /// Waiting in the mempool.
    Pending,
    /// In a committed block.
    Committed(TxLocation),
    /// Accepted into the mempool, then refused when its block was built (the reason).
    Dropped(String),
    /// Never seen (or forgotten: the mempool does not survive a restart).
    Unknown,
}

/// Recently refused transactions, bounded.
#[derive(Default)]
struct Dropped {
    order: VecDeque<TxHash>,
    reasons: HashMap<TxHash, String>,
}

impl Dropped {
    fn insert(&mut self, hash: TxHash, reason: String) {
        if self.reasons.insert(hash, reason).is_none() {
            self.order.push_back(hash);
        }
        while self.order.len() > DROPPED_MEMORY {
            if let Some(old) = self.order.pop_front() {
                self.reasons.remove(&old);
            }
        }
    }
}

/// Settings of a running node.
#[derive(Clone, Debug)]
pub struct NodeSettings {
    /// The key blocks are proposed under.
    pub proposer: PublicKey,
    /// The shortest time between two blocks.
    pub block_interval: Duration,
    /// Mempool bounds.
    pub mempool: MempoolLimits,
}

/// A running dev node.
pub struct Node {
    chain: Chain,
    rules: TxRules,
    settings: NodeSettings,
    mempool: Mutex<Mempool>,
    wake: Condvar,
    dropped: Mutex<Dropped>,
    feed: broadcast::Sender<Arc<CommittedBlock>>,
    metadata: Mutex<lru::LruCache<CodeHash, Option<Arc<ContractMetadata>>>>,
    stopping: AtomicBool,
    gossip: std::sync::OnceLock<Box<dyn Fn(Vec<u8>) + Send + Sync>>,
}

impl Node {
    /// A node on `chain`; call [`Node::spawn_producer`] to start making blocks.
    pub fn new(chain: Chain, settings: NodeSettings) -> Arc<Self> {
        let rules = chain.tx_rules();
        let (feed, _) = broadcast::channel(FEED_BLOCKS);
        Arc::new(Node {
            chain,
            rules,
            mempool: Mutex::new(Mempool::new(settings.mempool)),
            settings,
            wake: Condvar::new(),
            dropped: Mutex::new(Dropped::default()),
            feed,
            metadata: Mutex::new(lru::LruCache::new(NonZeroUsize::new(64).expect("non-zero"))),
            stopping: AtomicBool::new(false),
            gossip: std::sync::OnceLock::new(),
        })
    }

    /// The chain.
    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    /// The node's settings.
    pub fn settings(&self) -> &NodeSettings {
        &self.settings
    }

    /// Transactions waiting.
    pub fn mempool_len(&self) -> usize {
        self.mempool.lock().expect("mempool lock").len()
    }

    /// Accepts an encoded transaction into the mempool after the stateless checks (size,
    /// encoding, chain id, gas limit, signature) and the admission checks (member, role, nonce,
    /// mempool room); the signature is checked last, being the costly one.
    ///
    /// # Errors
    /// The [`TxError`] that refused it; nothing is kept then.
    pub fn submit(&self, bytes: &[u8]) -> Result<TxHash, TxError> {
        let result = self.admit(bytes);
        match &result {
            Ok(_) => {
                metrics::counter!("carechain_txs_submitted_total").increment(1);
                if let Some(gossip) = self.gossip.get() {
                    gossip(bytes.to_vec());
                }
            }
            Err(e) => {
                metrics::counter!("carechain_txs_rejected_total", "reason" => e.reason())
                    .increment(1);
            }
        }
        result
    }

    /// Accepts a transaction a peer validator passed on, with the same checks as
    /// [`Node::submit`], without passing it on again.
    ///
    /// # Errors
    /// The [`TxError`] that refused it.
    pub fn submit_from_peer(&self, bytes: &[u8]) -> Result<TxHash, TxError> {
        let result = self.admit(bytes);
        if result.is_ok() {
            metrics::counter!("carechain_txs_from_peers_total").increment(1);
        }
        result
    }

    /// Sets what is done with each transaction accepted by [`Node::submit`] (network mode: pass
    /// it on to the other validators). Set once; later calls are ignored.
    pub fn set_gossip(&self, gossip: impl Fn(Vec<u8>) + Send + Sync + 'static) {
        let _ = self.gossip.set(Box::new(gossip));
    }

    /// `"network"` for a validator of a network (transactions are passed on to peers), else
    /// `"dev"`.
    pub fn mode(&self) -> &'static str {
        if self.gossip.get().is_some() {
            "network"
        } else {
            "dev"
        }
    }

    /// The checks in order of cost: size, encoding, chain id and gas limit; then whether the
    /// mempool has room for it (duplicate, nonce window, limits) and the admission checks
    /// against committed state; the signature last, so a refused transaction (a client sending
    /// too far ahead, say) costs no signature check.
    fn admit(&self, bytes: &[u8]) -> Result<TxHash, TxError> {
        let tx = SignedTx::decode_unverified(bytes, &self.rules)?;
        let sender = tx.sender();
        let hash = {
            let pool = self.mempool.lock().expect("mempool lock");
            pool.precheck(&tx, self.chain.nonce(&sender).map_err(unavailable)?)?
        };
        self.chain.check_admission(&tx)?;
        self.refuse_queries(&tx)?;
        tx.verify_signature()?;
        {
            // Checked again: the pool and the committed nonce may have moved meanwhile.
            let mut pool = self.mempool.lock().expect("mempool lock");
            let committed = self.chain.nonce(&sender).map_err(unavailable)?;
            pool.insert_hashed(tx, hash, committed)?;
            metrics::gauge!("carechain_mempool_size").set(pool.len() as f64);
        }
        self.chain.note_verified(hash);
        self.wake.notify_all();
        Ok(hash)
    }

    /// Refuses a transaction that calls a contract's read-only message (its metadata says it does
    /// not mutate): its answer would reach the sender through its receipt, bypassing the
    /// accounting of disclosures that records queries. Contracts still call each other's
    /// queries inside a transaction; only the transaction's own target is checked.
    fn refuse_queries(&self, tx: &SignedTx) -> Result<(), TxError> {
        let carechain_primitives::tx::Action::Call { contract, input } = &tx.payload.action else {
            return Ok(());
        };
        let Some(metadata) = self.metadata(contract).map_err(unavailable)? else {
            return Ok(());
        };
        let selector = input.get(..4).unwrap_or_default();
        match metadata
            .messages
            .iter()
            .find(|m| carechain_metadata::selector(&m.name)[..] == *selector)
        {
            Some(m) if !m.mutates => Err(TxError::ReadOnlyMessage(m.name.clone())),
            _ => Ok(()),
        }
    }

    /// Where the transaction `hash` is.
    ///
    /// # Errors
    /// [`ChainError::Store`] if the store cannot be read.
    pub fn tx_state(&self, hash: &TxHash) -> Result<TxState, ChainError> {
        if let Some(location) = self.chain.store().tx_location(hash)? {
            return Ok(TxState::Committed(location));
        }
        if self.mempool.lock().expect("mempool lock").contains(hash) {
            return Ok(TxState::Pending);
        }
        if let Some(reason) = self.dropped.lock().expect("dropped lock").reasons.get(hash) {
            return Ok(TxState::Dropped(reason.clone()));
        }
        // It may have been committed between the two looks.
        Ok(match self.chain.store().tx_location(hash)? {
            Some(location) => TxState::Committed(location),
            None => TxState::Unknown,
        })
    }

    /// The next nonce `key` should sign with: its committed nonce plus its waiting transactions.
    ///
    /// # Errors
    /// [`ChainError::Store`] if the state cannot be read.
    pub fn next_nonce(&self, key: &PublicKey) -> Result<u64, ChainError> {
        let address = key.address();
        let committed = self.chain.nonce(&address)?;
        let pool = self.mempool.lock().expect("mempool lock");
        Ok(pool.next_nonce(&address, committed))
    }

    /// A feed of blocks as they are committed.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<CommittedBlock>> {
        self.feed.subscribe()
    }

    /// The metadata embedded in the code of the contract at `contract`, if it is a contract and
    /// its code carries valid metadata.
    ///
    /// # Errors
    /// [`ChainError::Store`] if the state cannot be read.
    pub fn metadata(
        &self,
        contract: &Address,
    ) -> Result<Option<Arc<ContractMetadata>>, ChainError> {
        let store = self.chain.store();
        let Some(hash) = store.state_value(&StateKey::Contract(*contract).encode())? else {
            return Ok(None);
        };
        let Ok(hash) = hash.try_into().map(CodeHash) else {
            return Ok(None);
        };
        if let Some(found) = self.metadata.lock().expect("metadata lock").get(&hash) {
            return Ok(found.clone());
        }
        let found = store
            .code(&hash)?
            .and_then(|code| ContractMetadata::from_wasm(&code).ok().flatten())
            .map(Arc::new);
        self.metadata
            .lock()
            .expect("metadata lock")
            .put(hash, found.clone());
        Ok(found)
    }

    /// Builds, executes and commits one block from the waiting transactions, if any are ready.
    ///
    /// # Errors
    /// [`ChainError`] if the store fails; the block is not committed then.
    pub fn produce(&self) -> Result<Option<Arc<CommittedBlock>>, ChainError> {
        let candidates = self.candidates(|a| self.chain.nonce(a))?;
        if candidates.is_empty() {
            return Ok(None);
        }
        let parent = self.chain.head()?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let committed = self.chain.produce_block(
            candidates,
            now.max(parent.timestamp),
            self.settings.proposer,
        )?;
        {
            // Refused at execution: tell the sender why, and do not offer it again.
            let mut pool = self.mempool.lock().expect("mempool lock");
            let mut dropped = self.dropped.lock().expect("dropped lock");
            for (tx, error) in &committed.refused {
                pool.remove(tx);
                dropped.insert(tx.hash(), error.to_string());
            }
        }
        Ok(Some(self.publish(committed)))
    }

    /// The waiting transactions a block may take next, in order, given each account's next
    /// nonce in the state the block executes on.
    ///
    /// # Errors
    /// The first error of `next_nonce` (a state that cannot be read): no block then.
    pub fn candidates(
        &self,
        next_nonce: impl Fn(&Address) -> Result<u64, ChainError>,
    ) -> Result<Vec<SignedTx>, ChainError> {
        let failed = std::cell::RefCell::new(None);
        let candidates = {
            let pool = self.mempool.lock().expect("mempool lock");
            pool.select(MAX_BLOCK_TXS, |a| {
                next_nonce(a).unwrap_or_else(|e| {
                    failed.borrow_mut().get_or_insert(e);
                    // Any nonce: the selection is discarded.
                    0
                })
            })
        };
        match failed.into_inner() {
            Some(e) => Err(e),
            None => Ok(candidates),
        }
    }

    /// Takes a committed block into account: its transactions and those its commit made stale
    /// leave the mempool, metrics and logs record it, and subscribers receive it.
    pub fn publish(&self, committed: Committed) -> Arc<CommittedBlock> {
        {
            let mut pool = self.mempool.lock().expect("mempool lock");
            for tx in &committed.block.txs {
                pool.remove(tx);
            }
            // A nonce that cannot be read prunes nothing of its sender (`0`): a later block will.
            pool.prune(|a| {
                self.chain.nonce(a).unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "cannot read a nonce to prune the mempool");
                    0
                })
            });
            metrics::gauge!("carechain_mempool_size").set(pool.len() as f64);
        }
        let header = &committed.block.header;
        metrics::counter!("carechain_blocks_total").increment(1);
        metrics::gauge!("carechain_head_height").set(header.height as f64);
        metrics::counter!("carechain_gas_used_total").increment(header.gas_used);
        metrics::histogram!("carechain_block_execution_seconds")
            .record(committed.execution.as_secs_f64());
        metrics::histogram!("carechain_block_commit_seconds")
            .record(committed.commit.as_secs_f64());
        // RocksDB's memory, every tenth block (once a second at the dev block interval, every
        // few seconds under full blocks; metrics are scraped every few seconds, and reading it
        // takes the database's mutex).
        if header.height.is_multiple_of(10) {
            match self.chain.store().memory() {
                Ok(memory) => {
                    for (part, bytes) in [
                        ("memtables", memory.memtables),
                        ("table_readers", memory.table_readers),
                        ("block_cache", memory.block_cache),
                    ] {
                        metrics::gauge!("carechain_rocksdb_memory_bytes", "part" => part)
                            .set(bytes as f64);
                    }
                    tracing::debug!(?memory, "rocksdb memory");
                }
                Err(e) => tracing::warn!(error = %e, "cannot read RocksDB's memory use"),
            }
            match self.chain.store().disk() {
                Ok(disk) => {
                    for (cf, bytes) in &disk {
                        metrics::gauge!("carechain_rocksdb_sst_bytes", "cf" => *cf)
                            .set(*bytes as f64);
                    }
                    tracing::debug!(?disk, "rocksdb table files");
                }
                Err(e) => tracing::warn!(error = %e, "cannot read RocksDB's table file sizes"),
            }
        }
        for receipt in &committed.receipts {
            let status = match receipt.status {
                TxStatus::Success => "success",
                TxStatus::Reverted => "reverted",
                TxStatus::Failed(_) => "failed",
            };
            metrics::counter!("carechain_txs_total", "status" => status).increment(1);
        }
        tracing::info!(
            height = header.height,
            txs = committed.block.txs.len(),
            refused = committed.refused.len(),
            deferred = committed.deferred.len(),
            gas = header.gas_used,
            state_root = %hex::encode(header.state_root),
            execution_ms = committed.execution.as_millis() as u64,
            commit_ms = committed.commit.as_millis() as u64,
            "block committed"
        );
        let block = Arc::new(CommittedBlock {
            block: committed.block,
            receipts: committed.receipts,
        });
        // No subscriber is not an error.
        let _ = self.feed.send(block.clone());
        block
    }

    /// Starts the block producer on its own thread; it runs until [`Node::stop`].
    pub fn spawn_producer(self: &Arc<Self>) -> std::thread::JoinHandle<()> {
        let node = self.clone();
        std::thread::Builder::new()
            .name("block-producer".into())
            .spawn(move || node.producer_loop())
            .expect("spawning the block producer thread")
    }

    fn producer_loop(&self) {
        let mut last: Option<Instant> = None;
        loop {
            {
                let mut pool = self.mempool.lock().expect("mempool lock");
                while pool.is_empty() && !self.stopping.load(Ordering::SeqCst) {
                    pool = self
                        .wake
                        .wait_timeout(pool, Duration::from_millis(500))
                        .expect("mempool lock")
                        .0;
                }
            }
            if self.stopping.load(Ordering::SeqCst) {
                return;
            }
            if let Some(last) = last {
                let since = last.elapsed();
                if since < self.settings.block_interval {
                    std::thread::sleep(self.settings.block_interval - since);
                }
            }
            last = Some(Instant::now());
            match self.produce() {
                Ok(Some(_)) => {}
                // Transactions wait but none is ready (a nonce gap): wait for more.
                Ok(None) => {
                    let pool = self.mempool.lock().expect("mempool lock");
                    let _unused = self
                        .wake
                        .wait_timeout(pool, Duration::from_millis(500))
                        .expect("mempool lock");
                }
                Err(e) => {
                    tracing::error!(error = %e, "block production failed; retrying");
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
        }
    }

    /// Asks the producer to stop after the block it is making, if any.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.wake.notify_all();
    }
}

/// A transaction refused because the state cannot be read to check it.
fn unavailable(e: ChainError) -> TxError {
    TxError::StateUnavailable(e.to_string())
}
