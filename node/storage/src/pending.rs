//! A block's pending changes: what its transactions changed so far.

use std::collections::BTreeMap;
use std::sync::Arc;

use carechain_runtime::{ChangeSet, CodeHash};

use crate::keys::StateKey;

/// What a block's transactions changed so far: read through by later transactions, written in
/// one batch at commit.
#[derive(Clone, Debug, Default)]
pub struct Pending {
    /// Flat state changes: key bytes to value (`None`: deleted).
    pub entries: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    /// New code, by hash.
    pub codes: BTreeMap<CodeHash, Arc<[u8]>>,
}

impl Pending {
    /// Records `value` under `key`.
    pub fn put(&mut self, key: &StateKey, value: Option<Vec<u8>>) {
        self.entries.insert(key.encode(), value);
    }

    /// Merges a successful execution's changes.
    pub fn apply(&mut self, changes: &ChangeSet) {
        for ((contract, key), value) in &changes.storage {
            self.put(&StateKey::Storage(*contract, key.clone()), value.clone());
        }
        for (address, hash) in &changes.contracts {
            self.put(&StateKey::Contract(*address), Some(hash.0.to_vec()));
        }
        for (hash, code) in &changes.codes {
            self.codes.insert(*hash, code.clone());
        }
    }
}
