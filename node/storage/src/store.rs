//! Durable storage on RocksDB: blocks, the transaction index, receipts, the flat state, contract
//! code, the state tree's nodes and values, and the head pointer, each in its own column family.
//! A block is committed with one atomic `WriteBatch`, so a node killed at any instant restarts
//! at its last committed block with nothing half-applied.
//!
//! # State history and pruning
//!
//! Each block writes a new version of the Jellyfish Merkle tree: new nodes along the paths of the
//! keys it changed, and the new values. The nodes and values they replace are still needed to
//! read or prove older versions, and are otherwise garbage. With [`StateHistory::Recent`] (the
//! default keeps 256 blocks, as Substrate does), the store keeps the tree readable at the latest
//! `n` heights only: each commit records in the `stale` column family what its version made
//! stale (jmt's stale node index, and the keys whose previous value it replaced), and deletes,
//! in the same atomic batch, what became unreachable from every kept version (a version that
//! changes nothing still replaces the root). Blocks, receipts and the transaction index are the
//! chain's history and are never pruned; neither are the flat state, code and key preimages.
//! A proof or root asked for at a pruned height is [`StoreError::Pruned`]; proofs read through
//! a snapshot, so a commit pruning meanwhile cannot tear one. With
//! [`StateHistory::Archive`] nothing is recorded or deleted. A database written as an archive
//! and reopened with pruning prunes only what is committed from then on.

use std::path::Path;

use carechain_runtime::CodeHash;
use parity_scale_codec::{Decode, Encode};
use rocksdb::{
    BlockBasedOptions, Cache, ColumnFamilyDescriptor, DB, Options, ReadOptions, WriteBatch,
};
use serde::Deserialize;

use carechain_primitives::block::{Block, Header, Receipt};
use carechain_primitives::tx::TxHash;

use crate::keys::StateKey;
use crate::pending::Pending;
use crate::tree::{StateProof, Tree};

mod disclosures;
mod reader;
use reader::{EmptyTree, TreeReader};

/// Bytes all memtables together may hold before RocksDB flushes.
const MEMTABLE_BUDGET: usize = 128 << 20;

/// Bytes of the block cache: RocksDB's default cache (a 32 MiB HyperClockCache), made explicit so
/// that its use can be reported.
const BLOCK_CACHE: usize = 32 << 20;

const CF_META: &str = "meta";
const CF_BLOCKS: &str = "blocks";
const CF_BLOCK_HASHES: &str = "block_hashes";
const CF_TXS: &str = "txs";
const CF_RECEIPTS: &str = "receipts";
const CF_STATE: &str = "state";
const CF_CODES: &str = "codes";
const CF_TREE_NODES: &str = "tree_nodes";
const CF_TREE_VALUES: &str = "tree_values";
const CF_PREIMAGES: &str = "preimages";
/// The stale index: `version ++ kind ++ key`, what version `version` made stale (kind
/// [`STALE_NODE`]: a tree node's key) or whose value it replaced (kind [`WRITTEN_VALUE`]: a key
/// hash). Empty values.
const CF_STALE: &str = "stale";
/// The node's disclosure log (`store/disclosures.rs`): not state, and never pruned.
const CF_DISCLOSURES: &str = "disclosures";

const STALE_NODE: u8 = 0;
const WRITTEN_VALUE: u8 = 1;

/// Versions pruned by one commit at most: a node reopened with a shorter history catches up a
/// few versions per block instead of in one huge batch (versions with nothing indexed, written
/// as an archive, do not count).
const PRUNE_PER_COMMIT: u64 = 4;

const COLUMN_FAMILIES: [&str; 12] = [
    CF_META,
    CF_BLOCKS,
    CF_BLOCK_HASHES,
    CF_TXS,
    CF_RECEIPTS,
    CF_STATE,
    CF_CODES,
    CF_TREE_NODES,
    CF_TREE_VALUES,
    CF_PREIMAGES,
    CF_STALE,
    CF_DISCLOSURES,
];

const HEAD: &[u8] = b"head";
/// The oldest version of the state tree still readable (absent: 0).
const OLDEST_STATE: &[u8] = b"oldest_state";

/// How much of the state tree's history the store keeps (`state_history` in node.toml: a number
/// of blocks, or `"archive"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawHistory")]
pub enum StateHistory {
    /// Every version: proofs at any height.
    Archive,
    /// The latest `n` versions (at least 2): proofs at the latest `n` heights.
    Recent(u64),
}

impl StateHistory {
    /// The default: the latest 256 blocks.
    pub const DEFAULT: StateHistory = StateHistory::Recent(256);
}

impl Default for StateHistory {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawHistory {
    Blocks(i64),
    Word(String),
}

/// A `state_history` setting that is neither a number of blocks (at least 2) nor `"archive"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("state_history is a number of blocks (at least 2) or \"archive\"")]
pub struct BadStateHistory;

impl TryFrom<RawHistory> for StateHistory {
    type Error = BadStateHistory;

    fn try_from(raw: RawHistory) -> Result<Self, BadStateHistory> {
        match raw {
            RawHistory::Blocks(n) if n >= 2 => Ok(StateHistory::Recent(n.unsigned_abs())),
            RawHistory::Word(w) if w == "archive" => Ok(StateHistory::Archive),
            _ => Err(BadStateHistory),
        }
    }
}

/// Storage errors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// RocksDB failed.
    #[error("rocksdb: {0}")]
    Db(#[from] rocksdb::Error),
    /// Stored bytes do not decode: the database is corrupt or of another version.
    #[error("corrupt {what}: {detail}")]
    Corrupt {
        /// What was being read.
        what: &'static str,
        /// The decoder's message.
        detail: String,
    },
    /// The state tree failed.
    #[error("state tree: {0}")]
    Tree(String),
    /// The state at this height is pruned (see [`StateHistory`]).
    #[error("the state at height {height} is pruned: this node keeps it from height {oldest}")]
    Pruned {
        /// The height asked for.
        height: u64,
        /// The oldest height whose state the node keeps.
        oldest: u64,
    },
}

/// Where a transaction is: block height and index in the block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct TxLocation {
    /// The block.
    pub height: u64,
    /// Position in the block.
    pub index: u32,
}

/// The node's database.
pub struct Store {
    db: DB,
    cache: Cache,
    history: StateHistory,
    /// Held while an entry is appended to the disclosure log (`store/disclosures.rs`).
    disclosure_lock: std::sync::Mutex<()>,
    /// See [`Store::inject_read_fault`].
    #[cfg(feature = "fault-injection")]
    read_fault: std::sync::Mutex<Option<Vec<u8>>>,
    /// Whether `read_fault` is set: read without the lock, so a build with the feature (every
    /// `cargo test --workspace` build, the demo's too) pays one atomic load per read, not a lock.
    #[cfg(feature = "fault-injection")]
    read_fault_on: std::sync::atomic::AtomicBool,
}

/// What RocksDB holds in memory, approximately, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreMemory {
    /// Memtables, flushed or not yet (the memtable budget is a soft bound: a flush starts when
    /// it is reached, and writes go on meanwhile).
    pub memtables: u64,
    /// Table readers: the index and filter blocks of every open table, outside the block cache
    /// (they grow with the database).
    pub table_readers: u64,
    /// The block cache: data blocks (bounded by its capacity).
    pub block_cache: u64,
}

fn height_key(height: u64) -> [u8; 8] {
    height.to_be_bytes()
}

fn value_key(key_hash: &jmt::KeyHash, version: u64) -> [u8; 40] {
    let mut k = [0u8; 40];
    k[..32].copy_from_slice(&key_hash.0);
    k[32..].copy_from_slice(&version.to_be_bytes());
    k
}

fn stale_key(version: u64, kind: u8, key: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(9 + key.len());
    k.extend_from_slice(&version.to_be_bytes());
    k.push(kind);
    k.extend_from_slice(key);
    k
}

/// The stored oldest kept height (none stored: 0, nothing pruned yet).
fn decode_oldest(bytes: Option<&[u8]>) -> Result<u64, StoreError> {
    bytes.map_or(Ok(0), |bytes| decode("oldest state", bytes))
}

fn decode<T: Decode>(what: &'static str, bytes: &[u8]) -> Result<T, StoreError> {
    T::decode(&mut &bytes[..]).map_err(|e| StoreError::Corrupt {
        what,
        detail: e.to_string(),
    })
}

impl Store {
    /// Opens (or creates) the database in `path`, keeping the default state history.
    ///
    /// # Errors
    /// [`StoreError::Db`] if RocksDB cannot open it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with(path, StateHistory::DEFAULT)
    }

    /// Opens (or creates) the database in `path`, keeping `history` of the state tree.
    ///
    /// # Errors
    /// [`StoreError::Db`] if RocksDB cannot open it.
    pub fn open_with(path: &Path, history: StateHistory) -> Result<Self, StoreError> {
        // A version's own stale entries are written with it: the oldest kept version must be
        // below the one being committed.
        let history = match history {
            StateHistory::Recent(keep) => StateHistory::Recent(keep.max(2)),
            archive => archive,
        };
        let mut options = Options::default();
        options.create_if_missing(true);
        options.create_missing_column_families(true);
        options.set_compression_type(rocksdb::DBCompressionType::Lz4);
        // One memory budget for the memtables of all column families (by default each of the
        // twelve may hold two 64 MiB memtables): resident memory stays bounded under full blocks.
        options.set_db_write_buffer_size(MEMTABLE_BUDGET);
        // One block cache for all column families, of the kind and size RocksDB makes when none
        // is given (a 32 MiB HyperClockCache). Index and filter blocks stay with their tables:
        // they grow with the database (38 MiB at 4.1 GB measured), reported as `table_readers`;
        // moving them into an LRU cache cost 8-30% of healthcare throughput when measured (not
        // yet retried with this cache; docs/BENCHMARKS.md).
        let cache = Cache::new_hyper_clock_cache(BLOCK_CACHE, 0);
        let mut table = BlockBasedOptions::default();
        table.set_block_cache(&cache);
        options.set_block_based_table_factory(&table);
        let cfs = COLUMN_FAMILIES
            .iter()
            .map(|name| ColumnFamilyDescriptor::new(*name, options.clone()));
        let db = DB::open_cf_descriptors(&options, path, cfs)?;
        Ok(Store {
            db,
            cache,
            history,
            disclosure_lock: std::sync::Mutex::new(()),
            #[cfg(feature = "fault-injection")]
            read_fault: std::sync::Mutex::new(None),
            #[cfg(feature = "fault-injection")]
            read_fault_on: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The oldest height whose state this store can still read and prove.
    ///
    /// # Errors
    /// [`StoreError`] if it cannot be read.
    pub fn oldest_state(&self) -> Result<u64, StoreError> {
        decode_oldest(
            self.db
                .get_pinned_cf(self.cf(CF_META), OLDEST_STATE)?
                .as_deref(),
        )
    }

    /// [`StoreError::Pruned`] if the state at `height` is pruned as of `snapshot`. (Tree reads
    /// through the same snapshot then see everything that height needs.)
    fn check_kept(&self, height: u64, snapshot: &rocksdb::Snapshot<'_>) -> Result<(), StoreError> {
        let oldest = decode_oldest(snapshot.get_cf(self.cf(CF_META), OLDEST_STATE)?.as_deref())?;
        if height < oldest {
            return Err(StoreError::Pruned { height, oldest });
        }
        Ok(())
    }

    /// What RocksDB holds in memory now.
    ///
    /// # Errors
    /// [`StoreError::Db`] if RocksDB cannot tell.
    pub fn memory(&self) -> Result<StoreMemory, StoreError> {
        let stats = rocksdb::perf::get_memory_usage_stats(Some(&[&self.db]), Some(&[&self.cache]))?;
        Ok(StoreMemory {
            memtables: stats.mem_table_total,
            table_readers: stats.mem_table_readers_total,
            block_cache: stats.cache_total,
        })
    }

    /// Bytes of live table files on disk, by column family (memtables not yet flushed are not
    /// counted).
    ///
    /// # Errors
    /// [`StoreError::Db`] if RocksDB cannot tell.
    pub fn disk(&self) -> Result<Vec<(&'static str, u64)>, StoreError> {
        COLUMN_FAMILIES
            .iter()
            .map(|name| {
                let bytes = self
                    .db
                    .property_int_value_cf(self.cf(name), "rocksdb.live-sst-files-size")?;
                Ok((*name, bytes.unwrap_or(0)))
            })
            .collect()
    }

    fn cf(&self, name: &str) -> &rocksdb::ColumnFamily {
        self.db
            .cf_handle(name)
            .expect("column families are created at open")
    }

    /// The height of the last committed block, if any.
    ///
    /// # Errors
    /// [`StoreError`] on a read failure.
    pub fn head(&self) -> Result<Option<u64>, StoreError> {
        match self.db.get_cf(self.cf(CF_META), HEAD)? {
            None => Ok(None),
            Some(bytes) => Ok(Some(decode("head", &bytes)?)),
        }
    }

    /// The block at `height`.
    ///
    /// # Errors
    /// [`StoreError`] on a read failure or corrupt data.
    pub fn block(&self, height: u64) -> Result<Option<Block>, StoreError> {
        match self.db.get_cf(self.cf(CF_BLOCKS), height_key(height))? {
            None => Ok(None),
            Some(bytes) => Ok(Some(decode("block", &bytes)?)),
        }
    }

    /// The header of the block at `height`, decoded without its transactions (a block's
    /// encoding starts with its header).
    ///
    /// # Errors
    /// [`StoreError`] on a read failure or corrupt data.
    pub fn header(&self, height: u64) -> Result<Option<Header>, StoreError> {
        match self
            .db
            .get_pinned_cf(self.cf(CF_BLOCKS), height_key(height))?
        {
            None => Ok(None),
            Some(bytes) => Ok(Some(decode("block header", &bytes)?)),
        }
    }

    /// The height of the block with this hash.
    ///
    /// # Errors
    /// [`StoreError`] on a read failure or corrupt data.
    pub fn block_height(&self, hash: &[u8; 32]) -> Result<Option<u64>, StoreError> {
        match self.db.get_cf(self.cf(CF_BLOCK_HASHES), hash)? {
            None => Ok(None),
            Some(bytes) => Ok(Some(decode("block hash index", &bytes)?)),
        }
    }

    /// The receipts of the block at `height`.
    ///
    /// # Errors
    /// [`StoreError`] on a read failure or corrupt data.
    pub fn receipts(&self, height: u64) -> Result<Option<Vec<Receipt>>, StoreError> {
        match self.db.get_cf(self.cf(CF_RECEIPTS), height_key(height))? {
            None => Ok(None),
            Some(bytes) => Ok(Some(decode("receipts", &bytes)?)),
        }
    }

    /// Where a transaction was included.
    ///
    /// # Errors
    /// [`StoreError`] on a read failure or corrupt data.
    pub fn tx_location(&self, hash: &TxHash) -> Result<Option<TxLocation>, StoreError> {
        match self.db.get_cf(self.cf(CF_TXS), hash.0)? {
            None => Ok(None),
            Some(bytes) => Ok(Some(decode("tx index", &bytes)?)),
        }
    }

    /// A committed flat-state value.
    ///
    /// # Errors
    /// [`StoreError::Db`] if RocksDB fails to read: the caller abandons what it was doing (a
    /// block, a query) and may retry; nothing here panics.
    pub fn state_value(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        #[cfg(feature = "fault-injection")]
        self.injected_fault(key)?;
        Ok(self.db.get_cf(self.cf(CF_STATE), key)?)
    }

    /// Contract code by hash.
    ///
    /// # Errors
    /// [`StoreError::Db`] if RocksDB fails to read.
    pub fn code(&self, hash: &CodeHash) -> Result<Option<Vec<u8>>, StoreError> {
        #[cfg(feature = "fault-injection")]
        self.injected_fault(&[])?;
        Ok(self.db.get_cf(self.cf(CF_CODES), hash.0)?)
    }

    /// Tests' stand-in for a failing disk (feature `fault-injection`, never in a node's build):
    /// with `Some(prefix)`, later [`Store::state_value`] reads of keys starting with `prefix`
    /// fail, and so do [`Store::code`] reads if `prefix` is empty; `None` heals it.
    #[cfg(feature = "fault-injection")]
    pub fn inject_read_fault(&self, prefix: Option<&[u8]>) {
        let mut fault = self.read_fault.lock().expect("fault lock");
        *fault = prefix.map(<[u8]>::to_vec);
        self.read_fault_on
            .store(fault.is_some(), std::sync::atomic::Ordering::SeqCst);
    }

    #[cfg(feature = "fault-injection")]
    fn injected_fault(&self, key: &[u8]) -> Result<(), StoreError> {
        if !self.read_fault_on.load(std::sync::atomic::Ordering::SeqCst) {
            return Ok(());
        }
        match &*self.read_fault.lock().expect("fault lock") {
            Some(prefix) if key.starts_with(prefix) => Err(StoreError::Corrupt {
                what: "state",
                detail: "injected read fault".into(),
            }),
            _ => Ok(()),
        }
    }

    /// Computes the state tree update for `pending` at `version`: the new root and the tree's
    /// write batch, without writing anything.
    ///
    /// # Errors
    /// [`StoreError::Tree`] if the tree cannot be read.
    pub fn tree_update(
        &self,
        pending: &Pending,
        version: u64,
    ) -> Result<([u8; 32], jmt::storage::TreeUpdateBatch), StoreError> {
        self.tree_update_on(pending, version, &[])
    }

    /// Like [`Store::tree_update`], on top of tree updates not yet committed: `ancestors`, the
    /// nearest first, are the batches of the blocks between the committed head and `version`.
    ///
    /// # Errors
    /// [`StoreError::Tree`] if the tree cannot be read.
    pub fn tree_update_on(
        &self,
        pending: &Pending,
        version: u64,
        ancestors: &[&jmt::storage::TreeUpdateBatch],
    ) -> Result<([u8; 32], jmt::storage::TreeUpdateBatch), StoreError> {
        let reader = TreeReader {
            store: self,
            ancestors,
            snapshot: None,
        };
        let tree: Tree<'_, TreeReader<'_>> = Tree::new(&reader);
        let set = pending.entries.iter().map(|(k, v)| {
            (
                jmt::KeyHash(carechain_primitives::hash::blake2b_256(k)),
                v.clone(),
            )
        });
        let (root, batch) = tree
            .put_value_set(set, version)
            .map_err(|e| StoreError::Tree(e.to_string()))?;
        Ok((root.0, batch))
    }

    /// The root of `pending` as the first version of an empty tree: the genesis state's root,
    /// computed without reading the database (whose version 0 may be pruned, and whose nodes
    /// would be mistaken for the new tree's).
    ///
    /// # Errors
    /// [`StoreError::Tree`] if the tree update fails.
    pub fn genesis_root(pending: &Pending) -> Result<[u8; 32], StoreError> {
        let tree: Tree<'_, EmptyTree> = Tree::new(&EmptyTree);
        let set = pending.entries.iter().map(|(k, v)| {
            (
                jmt::KeyHash(carechain_primitives::hash::blake2b_256(k)),
                v.clone(),
            )
        });
        let (root, _) = tree
            .put_value_set(set, 0)
            .map_err(|e| StoreError::Tree(e.to_string()))?;
        Ok(root.0)
    }

    /// Commits a block atomically: the block, its receipts, the transaction index, the state
    /// changes, new code, the tree update and the head pointer, in one `WriteBatch`.
    ///
    /// # Errors
    /// [`StoreError`] if the batch cannot be written; then nothing is.
    pub fn commit(
        &self,
        block: &Block,
        receipts: &[Receipt],
        pending: &Pending,
        tree: &jmt::storage::TreeUpdateBatch,
    ) -> Result<(), StoreError> {
        let height = block.header.height;
        let mut batch = WriteBatch::default();
        batch.put_cf(self.cf(CF_BLOCKS), height_key(height), block.encode());
        batch.put_cf(
            self.cf(CF_BLOCK_HASHES),
            block.header.hash(),
            height.encode(),
        );
        batch.put_cf(self.cf(CF_RECEIPTS), height_key(height), receipts.encode());
        for (index, tx) in block.txs.iter().enumerate() {
            let location = TxLocation {
                height,
                index: index as u32,
            };
            batch.put_cf(self.cf(CF_TXS), tx.hash().0, location.encode());
        }
        for (key, value) in &pending.entries {
            match value {
                Some(v) => batch.put_cf(self.cf(CF_STATE), key, v),
                None => batch.delete_cf(self.cf(CF_STATE), key),
            }
            batch.put_cf(
                self.cf(CF_PREIMAGES),
                carechain_primitives::hash::blake2b_256(key),
                key,
            );
        }
        for (hash, code) in &pending.codes {
            batch.put_cf(self.cf(CF_CODES), hash.0, &code[..]);
        }
        for (node_key, node) in tree.node_batch.nodes() {
            let k = borsh::to_vec(node_key).map_err(|e| StoreError::Tree(e.to_string()))?;
            let v = borsh::to_vec(node).map_err(|e| StoreError::Tree(e.to_string()))?;
            batch.put_cf(self.cf(CF_TREE_NODES), k, v);
        }
        for ((version, key_hash), value) in tree.node_batch.values() {
            batch.put_cf(
                self.cf(CF_TREE_VALUES),
                value_key(key_hash, *version),
                value.encode(),
            );
        }
        if let StateHistory::Recent(keep) = self.history {
            self.index_stale(&mut batch, tree)?;
            // After this commit the latest `keep` versions are readable: what no version from
            // `oldest` on can reach goes.
            let oldest = (height + 1).saturating_sub(keep);
            let pruned = self.oldest_state()?;
            if oldest > pruned {
                // Versions with nothing indexed (written as an archive) are skipped at once.
                let first = self.first_indexed(pruned + 1)?.unwrap_or(oldest);
                let from = first.clamp(pruned + 1, oldest);
                let through = oldest.min(from + PRUNE_PER_COMMIT - 1);
                for version in from..=through {
                    self.prune_version(&mut batch, version)?;
                }
                batch.put_cf(self.cf(CF_META), OLDEST_STATE, through.encode());
            }
        }
        batch.put_cf(self.cf(CF_META), HEAD, height.encode());
        self.db.write(batch)?;
        Ok(())
    }

    /// Records in the stale index what `tree`'s version made stale: the nodes it replaced, and
    /// the keys whose earlier value it replaced.
    fn index_stale(
        &self,
        batch: &mut WriteBatch,
        tree: &jmt::storage::TreeUpdateBatch,
    ) -> Result<(), StoreError> {
        let stale = self.cf(CF_STALE);
        for index in &tree.stale_node_index_batch {
            let node_key =
                borsh::to_vec(&index.node_key).map_err(|e| StoreError::Tree(e.to_string()))?;
            batch.put_cf(
                stale,
                stale_key(index.stale_since_version, STALE_NODE, &node_key),
                [],
            );
        }
        for (version, key_hash) in tree.node_batch.values().keys() {
            batch.put_cf(stale, stale_key(*version, WRITTEN_VALUE, &key_hash.0), []);
        }
        // A version that changes nothing gets a copy of the previous root, and jmt then records
        // nothing stale: the previous root must be recorded here, or every empty block would
        // leave one root behind for good. (When the version changed something, jmt has recorded
        // it already; the same index key twice is one entry.)
        for root in tree.node_batch.nodes().keys() {
            if root.nibble_path().is_empty()
                && let Some(previous) = root.version().checked_sub(1)
            {
                let previous = jmt::storage::NodeKey::new(previous, root.nibble_path().clone());
                let node_key =
                    borsh::to_vec(&previous).map_err(|e| StoreError::Tree(e.to_string()))?;
                batch.put_cf(stale, stale_key(root.version(), STALE_NODE, &node_key), []);
            }
        }
        Ok(())
    }

    /// The lowest version from `from` on with anything in the stale index.
    fn first_indexed(&self, from: u64) -> Result<Option<u64>, StoreError> {
        let mut bounds = ReadOptions::default();
        bounds.set_iterate_lower_bound(from.to_be_bytes());
        let mut index = self.db.raw_iterator_cf_opt(self.cf(CF_STALE), bounds);
        index.seek_to_first();
        let first = index
            .key()
            .and_then(|k| k.get(..8))
            .map(|v| u64::from_be_bytes(v.try_into().expect("8 bytes")));
        index.status()?;
        Ok(first)
    }

    /// Deletes (into `batch`) what version `version` made stale, with its index entries: the
    /// tree then stays readable from `version` on.
    fn prune_version(&self, batch: &mut WriteBatch, version: u64) -> Result<(), StoreError> {
        let (stale, nodes, values_cf) = (
            self.cf(CF_STALE),
            self.cf(CF_TREE_NODES),
            self.cf(CF_TREE_VALUES),
        );
        let mut bounds = ReadOptions::default();
        bounds.set_iterate_lower_bound(version.to_be_bytes());
        bounds.set_iterate_upper_bound((version + 1).to_be_bytes());
        let mut index = self.db.raw_iterator_cf_opt(stale, bounds);
        let mut values = self.db.raw_iterator_cf(values_cf);
        index.seek_to_first();
        while let Some(entry) = index.key() {
            match (entry.get(8), entry.get(9..)) {
                (Some(&STALE_NODE), Some(node_key)) => {
                    batch.delete_cf(nodes, node_key);
                }
                (Some(&WRITTEN_VALUE), Some(key_hash)) if key_hash.len() == 32 => {
                    // The value this version replaced: the latest one below it. (Older ones
                    // went when their own successors' versions were pruned.)
                    let key_hash = jmt::KeyHash(key_hash.try_into().expect("32 bytes"));
                    if let Some(below) = version.checked_sub(1) {
                        values.seek_for_prev(value_key(&key_hash, below));
                        if let Some(k) = values.key()
                            && k.len() == 40
                            && k[..32] == key_hash.0
                        {
                            batch.delete_cf(values_cf, k);
                        }
                        values.status()?;
                    }
                }
                _ => {
                    return Err(StoreError::Corrupt {
                        what: "stale index entry",
                        detail: hex::encode(entry),
                    });
                }
            }
            batch.delete_cf(stale, entry);
            index.next();
        }
        index.status()?;
        Ok(())
    }

    /// The value of `key` at block `height` and its proof against that block's state root.
    ///
    /// # Errors
    /// [`StoreError::Pruned`] if the state at `height` is pruned; [`StoreError::Tree`] if the
    /// tree has no such version.
    pub fn prove(
        &self,
        key: &StateKey,
        height: u64,
    ) -> Result<(Option<Vec<u8>>, StateProof), StoreError> {
        let snapshot = self.db.snapshot();
        self.check_kept(height, &snapshot)?;
        let reader = TreeReader::committed(self, &snapshot);
        let tree: Tree<'_, TreeReader<'_>> = Tree::new(&reader);
        tree.get_with_proof(key.key_hash(), height)
            .map_err(|e| StoreError::Tree(e.to_string()))
    }

    /// Like [`Store::prove`], for a key given as its encoded bytes.
    ///
    /// # Errors
    /// [`StoreError::Pruned`] if the state at `height` is pruned; [`StoreError::Tree`] if the
    /// tree has no such version.
    pub fn prove_raw(
        &self,
        key: &[u8],
        height: u64,
    ) -> Result<(Option<Vec<u8>>, StateProof), StoreError> {
        let snapshot = self.db.snapshot();
        self.check_kept(height, &snapshot)?;
        let reader = TreeReader::committed(self, &snapshot);
        let tree: Tree<'_, TreeReader<'_>> = Tree::new(&reader);
        tree.get_with_proof(
            jmt::KeyHash(carechain_primitives::hash::blake2b_256(key)),
            height,
        )
        .map_err(|e| StoreError::Tree(e.to_string()))
    }

    /// The state root at `height`.
    ///
    /// # Errors
    /// [`StoreError::Pruned`] if the state at `height` is pruned; [`StoreError::Tree`] if the
    /// tree has no such version.
    pub fn state_root(&self, height: u64) -> Result<[u8; 32], StoreError> {
        let snapshot = self.db.snapshot();
        self.check_kept(height, &snapshot)?;
        let reader = TreeReader::committed(self, &snapshot);
        let tree: Tree<'_, TreeReader<'_>> = Tree::new(&reader);
        tree.get_root_hash(height)
            .map(|r| r.0)
            .map_err(|e| StoreError::Tree(e.to_string()))
    }
}

#[cfg(test)]
mod tests;
