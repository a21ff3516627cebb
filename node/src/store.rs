//! Durable storage on RocksDB: blocks, the transaction index, receipts, the flat state, contract
//! code, the state tree's nodes and values, and the head pointer, each in its own column family.
//! A block is committed with one atomic `WriteBatch`, so a node killed at any instant restarts
//! at its last committed block with nothing half-applied.

use std::path::Path;

use carechain_runtime::CodeHash;
use parity_scale_codec::{Decode, Encode};
use rocksdb::{BlockBasedOptions, Cache, ColumnFamilyDescriptor, DB, Options, WriteBatch};

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

const COLUMN_FAMILIES: [&str; 10] = [
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
];

const HEAD: &[u8] = b"head";

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

fn decode<T: Decode>(what: &'static str, bytes: &[u8]) -> Result<T, StoreError> {
    T::decode(&mut &bytes[..]).map_err(|e| StoreError::Corrupt {
        what,
        detail: e.to_string(),
    })
}

impl Store {
    /// Opens (or creates) the database in `path`.
    ///
    /// # Errors
    /// [`StoreError::Db`] if RocksDB cannot open it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut options = Options::default();
        options.create_if_missing(true);
        options.create_missing_column_families(true);
        options.set_compression_type(rocksdb::DBCompressionType::Lz4);
        // One memory budget for the memtables of all column families (by default each of the
        // nine may hold two 64 MiB memtables): resident memory stays bounded under full blocks.
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
        Ok(Store { db, cache })
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
        batch.put_cf(self.cf(CF_META), HEAD, height.encode());
        self.db.write(batch)?;
        Ok(())
    }

    /// The value of `key` at block `height` and its proof against that block's state root.
    ///
    /// # Errors
    /// [`StoreError::Tree`] if the tree has no such version.
    pub fn prove(
        &self,
        key: &StateKey,
        height: u64,
    ) -> Result<(Option<Vec<u8>>, StateProof), StoreError> {
        let reader = TreeReader::committed(self);
        let tree: Tree<'_, TreeReader<'_>> = Tree::new(&reader);
        tree.get_with_proof(key.key_hash(), height)
            .map_err(|e| StoreError::Tree(e.to_string()))
    }

    /// Like [`Store::prove`], for a key given as its encoded bytes.
    ///
    /// # Errors
    /// [`StoreError::Tree`] if the tree has no such version.
    pub fn prove_raw(
        &self,
        key: &[u8],
        height: u64,
    ) -> Result<(Option<Vec<u8>>, StateProof), StoreError> {
        let reader = TreeReader::committed(self);
        let tree: Tree<'_, TreeReader<'_>> = Tree::new(&reader);
        tree.get_with_proof(jmt::KeyHash(crate::hash::blake2b_256(key)), height)
            .map_err(|e| StoreError::Tree(e.to_string()))
    }

    /// The state root at `height`.
    ///
    /// # Errors
    /// [`StoreError::Tree`] if the tree has no such version.
    pub fn state_root(&self, height: u64) -> Result<[u8; 32], StoreError> {
        let reader = TreeReader::committed(self);
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
}

impl<'a> TreeReader<'a> {
    fn committed(store: &'a Store) -> Self {
        TreeReader {
            store,
            ancestors: &[],
        }
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
        match self
            .store
            .db
            .get_pinned_cf(self.store.cf(CF_TREE_NODES), k)?
        {
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
        let mut iter = self.store.db.raw_iterator_cf(self.store.cf(CF_TREE_VALUES));
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
    /// flushed tables go through the one block cache every column family shares.
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
