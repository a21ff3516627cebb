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

use crate::block::{Block, Header, Receipt};
use crate::state::{Pending, StateKey, StateProof, Tree};
use crate::tx::TxHash;

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

const STALE_NODE: u8 = 0;
const WRITTEN_VALUE: u8 = 1;

/// Versions pruned by one commit at most: a node reopened with a shorter history catches up a
/// few versions per block instead of in one huge batch (versions with nothing indexed, written
/// as an archive, do not count).
const PRUNE_PER_COMMIT: u64 = 4;

const COLUMN_FAMILIES: [&str; 11] = [
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

impl TryFrom<RawHistory> for StateHistory {
    type Error = String;

    fn try_from(raw: RawHistory) -> Result<Self, String> {
        match raw {
            RawHistory::Blocks(n) if n >= 2 => Ok(StateHistory::Recent(n.unsigned_abs())),
            RawHistory::Word(w) if w == "archive" => Ok(StateHistory::Archive),
            _ => Err("state_history is a number of blocks (at least 2) or \"archive\"".into()),
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
        // eleven may hold two 64 MiB memtables): resident memory stays bounded under full blocks.
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
        Ok(Store { db, cache, history })
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
    /// # Panics
    /// If RocksDB fails to read (the node cannot continue without its state).
    pub fn state_value(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.db
            .get_cf(self.cf(CF_STATE), key)
            .expect("reading the state from RocksDB")
    }

    /// Contract code by hash.
    ///
    /// # Panics
    /// If RocksDB fails to read.
    pub fn code(&self, hash: &CodeHash) -> Option<Vec<u8>> {
        self.db
            .get_cf(self.cf(CF_CODES), hash.0)
            .expect("reading code from RocksDB")
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
        let set = pending
            .entries
            .iter()
            .map(|(k, v)| (jmt::KeyHash(crate::hash::blake2b_256(k)), v.clone()));
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
        let set = pending
            .entries
            .iter()
            .map(|(k, v)| (jmt::KeyHash(crate::hash::blake2b_256(k)), v.clone()));
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
            batch.put_cf(self.cf(CF_PREIMAGES), crate::hash::blake2b_256(key), key);
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
        tree.get_with_proof(jmt::KeyHash(crate::hash::blake2b_256(key)), height)
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

/// The state tree's view of the database, under tree updates not yet committed (the nearest
/// first; none for the committed tree).
struct TreeReader<'a> {
    store: &'a Store,
    ancestors: &'a [&'a jmt::storage::TreeUpdateBatch],
    /// Reads through this snapshot, if any (the committed tree as of one instant).
    snapshot: Option<&'a rocksdb::Snapshot<'a>>,
}

impl<'a> TreeReader<'a> {
    /// The committed tree as of `snapshot`: a commit pruning nodes meanwhile does not tear a
    /// read in the middle of a walk.
    fn committed(store: &'a Store, snapshot: &'a rocksdb::Snapshot<'a>) -> Self {
        TreeReader {
            store,
            ancestors: &[],
            snapshot: Some(snapshot),
        }
    }

    fn read_options(&self) -> ReadOptions {
        let mut options = ReadOptions::default();
        if let Some(snapshot) = self.snapshot {
            options.set_snapshot(snapshot);
        }
        options
    }
}

impl jmt::storage::TreeReader for TreeReader<'_> {
    fn get_node_option(
        &self,
        node_key: &jmt::storage::NodeKey,
    ) -> anyhow::Result<Option<jmt::storage::Node>> {
        // Node keys carry their version: one key is written by one block only.
        for batch in self.ancestors {
            if let Some(node) = batch.node_batch.nodes().get(node_key) {
                return Ok(Some(node.clone()));
            }
        }
        let k = borsh::to_vec(node_key)?;
        match self.store.db.get_pinned_cf_opt(
            self.store.cf(CF_TREE_NODES),
            k,
            &self.read_options(),
        )? {
            None => Ok(None),
            Some(bytes) => Ok(Some(borsh::from_slice(&bytes)?)),
        }
    }

    fn get_value_option(
        &self,
        max_version: u64,
        key_hash: jmt::KeyHash,
    ) -> anyhow::Result<Option<jmt::OwnedValue>> {
        // The nearest uncommitted version at or below `max_version` wins; all of them are above
        // every committed version.
        for batch in self.ancestors {
            let values = batch.node_batch.values();
            // A block's batch holds one version: its height.
            let Some(&(version, _)) = values.keys().next() else {
                continue;
            };
            if version <= max_version
                && let Some(value) = values.get(&(version, key_hash))
            {
                return Ok(value.clone());
            }
        }
        let mut iter = self
            .store
            .db
            .raw_iterator_cf_opt(self.store.cf(CF_TREE_VALUES), self.read_options());
        iter.seek_for_prev(value_key(&key_hash, max_version));
        if iter.valid()
            && let (Some(k), Some(v)) = (iter.key(), iter.value())
            && k.len() == 40
            && k[..32] == key_hash.0
        {
            let value: Option<Vec<u8>> = Option::decode(&mut &v[..])
                .map_err(|e| anyhow::anyhow!("corrupt tree value: {e}"))?;
            return Ok(value);
        }
        iter.status()?;
        Ok(None)
    }

    fn get_rightmost_leaf(
        &self,
    ) -> anyhow::Result<Option<(jmt::storage::NodeKey, jmt::storage::LeafNode)>> {
        // Only used when restoring a tree from a snapshot, which this node does not do: it
        // rebuilds state by replaying blocks.
        anyhow::bail!("tree restoration from snapshots is not supported")
    }
}

/// A tree with nothing in it, for [`Store::genesis_root`].
struct EmptyTree;

impl jmt::storage::TreeReader for EmptyTree {
    fn get_node_option(
        &self,
        _: &jmt::storage::NodeKey,
    ) -> anyhow::Result<Option<jmt::storage::Node>> {
        Ok(None)
    }

    fn get_value_option(&self, _: u64, _: jmt::KeyHash) -> anyhow::Result<Option<jmt::OwnedValue>> {
        Ok(None)
    }

    fn get_rightmost_leaf(
        &self,
    ) -> anyhow::Result<Option<(jmt::storage::NodeKey, jmt::storage::LeafNode)>> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// State roots are consensus: a fixed state has a fixed root, on every machine and across
    /// changes to how the tree is hashed or stored (a change here is a hard fork). The value was
    /// computed by the node before the tree hasher streamed (commit 33467eb).
    #[test]
    fn a_fixed_state_has_a_fixed_root() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("open");
        let mut pending = Pending::default();
        for i in 0u32..100 {
            pending.entries.insert(
                format!("key {i}").into_bytes(),
                Some(i.to_le_bytes().to_vec()),
            );
        }
        pending.entries.insert(b"gone".to_vec(), None);
        let (root, _) = store.tree_update(&pending, 0).expect("tree update");
        assert_eq!(hex::encode(root), GOLDEN_ROOT);
    }

    /// Commits an empty block at `height` whose state changes are `pending`; its state root.
    fn commit_version(store: &Store, height: u64, pending: &Pending) -> [u8; 32] {
        let (root, tree) = store.tree_update(pending, height).expect("tree update");
        let block = Block {
            header: Header {
                height,
                parent_hash: [0; 32],
                timestamp: 0,
                proposer: crate::tx::PublicKey([0; 32]),
                tx_root: [0; 32],
                state_root: root,
                receipts_root: [0; 32],
                gas_used: 0,
            },
            txs: Vec::new(),
        };
        store.commit(&block, &[], pending, &tree).expect("commit");
        root
    }

    fn entries(store: &Store, cf: &str) -> usize {
        store
            .db
            .iterator_cf(store.cf(cf), rocksdb::IteratorMode::Start)
            .count()
    }

    /// Commits versions `first..=last`: every version rewrites 40 hot keys with its height,
    /// except 21 to 25, which change nothing (empty blocks); versions 0 to 4 each also write a
    /// cold key that is never written again; `gone` is written at 1 and deleted at 10. Returns
    /// the roots, and the tree's node and value counts after version 20 and after `last`.
    fn write_history(store: &Store, first: u64, last: u64) -> (Vec<[u8; 32]>, [(usize, usize); 2]) {
        let mut roots = Vec::new();
        let mut counts = [(0, 0); 2];
        for height in first..=last {
            let mut pending = Pending::default();
            for i in 0..40 {
                if (21..=25).contains(&height) {
                    break;
                }
                pending.entries.insert(
                    format!("hot {i}").into_bytes(),
                    Some(height.to_le_bytes().to_vec()),
                );
            }
            if height < 5 {
                pending.entries.insert(
                    format!("cold {height}").into_bytes(),
                    Some(vec![height as u8]),
                );
            }
            match height {
                1 => drop(pending.entries.insert(b"gone".to_vec(), Some(vec![1]))),
                10 => drop(pending.entries.insert(b"gone".to_vec(), None)),
                _ => {}
            }
            roots.push(commit_version(store, height, &pending));
            let now = (
                entries(store, CF_TREE_NODES),
                entries(store, CF_TREE_VALUES),
            );
            if height == 20 {
                counts[0] = now;
            }
            counts[1] = now;
        }
        (roots, counts)
    }

    fn proven(store: &Store, key: &[u8], height: u64, root: [u8; 32]) -> Option<Vec<u8>> {
        let (value, proof) = store.prove_raw(key, height).expect("a kept height");
        crate::state::verify_proof_raw(&proof, root, key, value.as_deref())
            .expect("the proof checks against the block's root");
        value
    }

    /// With a recent history the tree stays readable and provable at the kept heights, values
    /// not rewritten since survive, older heights are refused as pruned, and the tree's nodes
    /// and values stop growing once every version rewrites the same keys; an archive keeps
    /// everything, and both give the same roots.
    #[test]
    fn pruning_keeps_recent_heights_provable_and_the_tree_bounded() {
        let archive_dir = tempfile::tempdir().expect("temp dir");
        let archive = Store::open_with(archive_dir.path(), StateHistory::Archive).expect("open");
        let (archive_roots, archive_counts) = write_history(&archive, 0, 40);
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open_with(dir.path(), StateHistory::Recent(3)).expect("open");
        let (roots, counts) = write_history(&store, 0, 40);
        assert_eq!(roots, archive_roots, "pruning does not change the state");

        assert_eq!(store.oldest_state().expect("oldest"), 38);
        for height in 38..=40 {
            let root = roots[height as usize];
            assert_eq!(store.state_root(height).expect("root"), root);
            assert_eq!(
                proven(&store, b"hot 7", height, root),
                Some(height.to_le_bytes().to_vec())
            );
            for cold in 0..5u8 {
                let key = format!("cold {cold}").into_bytes();
                assert_eq!(proven(&store, &key, height, root), Some(vec![cold]));
            }
            assert_eq!(proven(&store, b"gone", height, root), None);
        }
        for height in [0, 20, 37] {
            assert!(
                matches!(
                    store.prove_raw(b"hot 7", height),
                    Err(StoreError::Pruned { oldest: 38, .. })
                ),
                "height {height}"
            );
            assert!(matches!(
                store.state_root(height),
                Err(StoreError::Pruned { .. })
            ));
        }
        // The archive still proves every height.
        assert_eq!(
            proven(&archive, b"gone", 5, archive_roots[5]),
            Some(vec![1])
        );
        assert_eq!(archive.oldest_state().expect("oldest"), 0);

        let [(nodes_20, values_20), (nodes_40, values_40)] = counts;
        assert_eq!((nodes_40, values_40), (nodes_20, values_20), "bounded");
        let [(archive_nodes_20, _), (archive_nodes_40, archive_values_40)] = archive_counts;
        assert!(archive_nodes_40 > archive_nodes_20, "{archive_counts:?}");
        assert!(
            nodes_40 * 4 < archive_nodes_40 && values_40 * 4 < archive_values_40,
            "pruned {counts:?}, archive {archive_counts:?}"
        );
        // Of each hot key, the values of the kept heights and the one below them at most.
        assert!(values_40 <= 40 * 4 + 5 + 1, "{values_40}");
        assert!(entries(&store, CF_STALE) > 0);
        assert_eq!(entries(&archive, CF_STALE), 0);
    }

    /// A database written as an archive and reopened with a recent history prunes what it
    /// commits from then on, and its oldest kept height follows the window at once.
    #[test]
    fn an_archive_reopened_with_a_recent_history_prunes_from_then_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        let archive = Store::open_with(dir.path(), StateHistory::Archive).expect("open");
        let (mut roots, _) = write_history(&archive, 0, 30);
        drop(archive);
        let store = Store::open_with(dir.path(), StateHistory::Recent(3)).expect("reopen");
        let (more, _) = write_history(&store, 31, 40);
        roots.extend(more);
        assert_eq!(store.oldest_state().expect("oldest"), 38);
        for height in 38..=40 {
            assert_eq!(
                proven(&store, b"hot 3", height, roots[height as usize]),
                Some(height.to_le_bytes().to_vec())
            );
        }
        assert!(matches!(
            store.prove_raw(b"hot 3", 37),
            Err(StoreError::Pruned { oldest: 38, .. })
        ));
        // Versions 31 to 38 were pruned (what 38 made stale no kept height needs): their stale
        // entries are gone, 39 and 40's remain.
        let mut versions: Vec<u64> = store
            .db
            .iterator_cf(store.cf(CF_STALE), rocksdb::IteratorMode::Start)
            .map(|entry| {
                let (key, _) = entry.expect("entry");
                u64::from_be_bytes(key[..8].try_into().expect("8 bytes"))
            })
            .collect();
        versions.dedup();
        assert_eq!(versions, vec![39, 40]);
    }

    /// The history setting in node.toml: a number of blocks (at least 2) or "archive".
    #[test]
    fn state_history_parses_from_toml() {
        #[derive(Deserialize)]
        struct Config {
            state_history: StateHistory,
        }
        let parse = |text: &str| toml::from_str::<Config>(text).map(|c| c.state_history);
        assert_eq!(
            parse("state_history = 256").expect("a number"),
            StateHistory::Recent(256)
        );
        assert_eq!(
            parse("state_history = \"archive\"").expect("archive"),
            StateHistory::Archive
        );
        for bad in [
            "state_history = 1",
            "state_history = \"all\"",
            "state_history = -3",
        ] {
            let error = parse(bad).expect_err(bad).to_string();
            assert!(error.contains("at least 2"), "{bad}: {error}");
        }
    }

    const GOLDEN_ROOT: &str = "a270f15fc67c0b3f8655c02c3fe655b131bfa60d0df2439d95ef571cea778efc";

    /// Writes 2,000 values of 256 bytes `byte` to `cf`, under keys 0..2000.
    fn write_2000(store: &Store, cf: &rocksdb::ColumnFamily, byte: u8) {
        for i in 0u32..2_000 {
            store
                .db
                .put_cf(cf, i.to_be_bytes(), [byte; 256])
                .expect("put");
        }
    }

    /// The memory report follows what RocksDB holds: writes land in the memtables, and reads of
    /// flushed tables go through the one block cache every column family shares. The disk
    /// report counts the flushed table.
    #[test]
    fn memory_reports_memtables_and_the_shared_block_cache() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("open");
        let empty = store.memory().expect("memory");
        let state = store.cf(CF_STATE);
        write_2000(&store, state, 7);
        let written = store.memory().expect("memory");
        assert!(
            written.memtables >= empty.memtables + 2_000 * 256,
            "{empty:?} -> {written:?}"
        );
        store.db.flush_cf(state).expect("flush");
        for i in 0u32..2_000 {
            let value = store.db.get_cf(state, i.to_be_bytes()).expect("get");
            assert_eq!(value.as_deref(), Some(&[7u8; 256][..]));
        }
        let on_disk = store.disk().expect("disk");
        let state_bytes = on_disk.iter().find(|(cf, _)| *cf == CF_STATE).map(|p| p.1);
        assert!(state_bytes > Some(0), "{on_disk:?}");
        assert_eq!(on_disk.len(), COLUMN_FAMILIES.len());
        let read = store.memory().expect("memory");
        assert!(read.block_cache > 0, "{read:?}");
        assert!(read.table_readers > 0, "{read:?}");
        // Another column family's reads go to the same cache.
        let blocks = store.cf(CF_BLOCKS);
        write_2000(&store, blocks, 9);
        store.db.flush_cf(blocks).expect("flush");
        for i in 0u32..2_000 {
            assert!(
                store
                    .db
                    .get_cf(blocks, i.to_be_bytes())
                    .expect("get")
                    .is_some()
            );
        }
        let both = store.memory().expect("memory");
        assert!(both.block_cache > read.block_cache, "{read:?} -> {both:?}");
    }
}
