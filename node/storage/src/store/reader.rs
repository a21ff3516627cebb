//! Reading the Jellyfish tree's nodes and values out of RocksDB (through a snapshot), and the
//! empty tree a genesis root is computed on.

use parity_scale_codec::Decode;
use rocksdb::ReadOptions;

use super::*;

/// The state tree's view of the database, under tree updates not yet committed (the nearest
/// first; none for the committed tree).
pub(super) struct TreeReader<'a> {
    /// The store.
    pub(super) store: &'a Store,
    /// Tree updates of executed, uncommitted blocks, read before the store.
    pub(super) ancestors: &'a [&'a jmt::storage::TreeUpdateBatch],
    /// Reads through this snapshot, if any (the committed tree as of one instant).
    pub(super) snapshot: Option<&'a rocksdb::Snapshot<'a>>,
}

impl<'a> TreeReader<'a> {
    /// The committed tree as of `snapshot`: a commit pruning nodes meanwhile does not tear a
    /// read in the middle of a walk.
    pub(super) fn committed(store: &'a Store, snapshot: &'a rocksdb::Snapshot<'a>) -> Self {
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
pub(super) struct EmptyTree;

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
