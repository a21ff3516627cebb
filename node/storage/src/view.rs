//! The state a transaction reads: a block's view (committed store, uncommitted ancestors, the
//! block's own pending changes) and the committed state alone, both as the runtime's
//! [`StateReader`].

use std::sync::{Arc, RwLock};

use carechain_runtime::{Address, ChangeSet, CodeHash, StateError, StateReader};
use parity_scale_codec::{Decode, Encode};

use crate::keys::StateKey;
use crate::pending::Pending;
use crate::{Store, StoreError};

/// The state a block executes on: the committed store, under the changes of blocks executed
/// but not committed yet (its uncommitted ancestors), under the block's own pending changes.
pub struct BlockState {
    store: Arc<Store>,
    ancestors: Vec<Arc<Pending>>,
    pending: RwLock<Pending>,
}

impl BlockState {
    /// The committed state with nothing pending.
    pub fn new(store: Arc<Store>) -> Self {
        BlockState::on(store, Vec::new())
    }

    /// The committed state under the changes of uncommitted ancestors, the nearest first.
    pub fn on(store: Arc<Store>, ancestors: Vec<Arc<Pending>>) -> Self {
        BlockState {
            store,
            ancestors,
            pending: RwLock::new(Pending::default()),
        }
    }

    /// The value of `key`, pending changes first, then the ancestors', then the committed one.
    ///
    /// # Errors
    /// [`StoreError`] if the committed value cannot be read.
    pub fn get(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StoreError> {
        let bytes = key.encode();
        if let Some(v) = self.pending.read().expect("lock").entries.get(&bytes) {
            return Ok(v.clone());
        }
        for ancestor in &self.ancestors {
            if let Some(v) = ancestor.entries.get(&bytes) {
                return Ok(v.clone());
            }
        }
        self.store.state_value(&bytes)
    }

    /// A SCALE value under `key` (`None` if absent or not a `T`).
    ///
    /// # Errors
    /// [`StoreError`] if the committed value cannot be read.
    pub fn get_decoded<T: Decode>(&self, key: &StateKey) -> Result<Option<T>, StoreError> {
        Ok(self.get(key)?.and_then(|v| T::decode(&mut &v[..]).ok()))
    }

    /// Sets `key` to `value` encoded.
    pub fn put<T: Encode>(&self, key: &StateKey, value: &T) {
        self.pending
            .write()
            .expect("lock")
            .put(key, Some(value.encode()));
    }

    /// Deletes `key`.
    pub fn delete(&self, key: &StateKey) {
        self.pending.write().expect("lock").put(key, None);
    }

    /// Merges a successful execution's changes.
    pub fn apply(&self, changes: &ChangeSet) {
        self.pending.write().expect("lock").apply(changes);
    }

    /// Puts back changes saved with [`BlockState::pending`] (undoing what came after).
    pub fn restore(&self, saved: Pending) {
        *self.pending.write().expect("lock") = saved;
    }

    /// A copy of the changes, for commit.
    pub fn pending(&self) -> Pending {
        self.pending.read().expect("lock").clone()
    }
}

/// A code hash as stored under [`StateKey::Contract`] (`None` if it is not 32 bytes).
fn code_hash(bytes: Option<Vec<u8>>) -> Option<CodeHash> {
    Some(CodeHash(bytes?.try_into().ok()?))
}

/// Store faults reach the runtime as [`StateError`]s, which end the execution (see
/// [`carechain_runtime::Runtime::execute`]); the [`StoreError`] is their source.
impl StateReader for BlockState {
    fn storage(&self, contract: &Address, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        self.get(&StateKey::Storage(*contract, key.to_vec()))
            .map_err(StateError::new)
    }

    fn contract_code(&self, address: &Address) -> Result<Option<CodeHash>, StateError> {
        let bytes = self
            .get(&StateKey::Contract(*address))
            .map_err(StateError::new)?;
        Ok(code_hash(bytes))
    }

    fn code(&self, hash: &CodeHash) -> Result<Option<Arc<[u8]>>, StateError> {
        if let Some(code) = self.pending.read().expect("lock").codes.get(hash) {
            return Ok(Some(code.clone()));
        }
        for ancestor in &self.ancestors {
            if let Some(code) = ancestor.codes.get(hash) {
                return Ok(Some(code.clone()));
            }
        }
        let code = self.store.code(hash).map_err(StateError::new)?;
        Ok(code.map(Arc::from))
    }
}

/// A read-only view of the committed state (for queries and RPC).
pub struct CommittedState(pub Arc<Store>);

/// As for [`BlockState`], store faults become [`StateError`]s.
impl StateReader for CommittedState {
    fn storage(&self, contract: &Address, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        self.0
            .state_value(&StateKey::Storage(*contract, key.to_vec()).encode())
            .map_err(StateError::new)
    }

    fn contract_code(&self, address: &Address) -> Result<Option<CodeHash>, StateError> {
        let bytes = self
            .0
            .state_value(&StateKey::Contract(*address).encode())
            .map_err(StateError::new)?;
        Ok(code_hash(bytes))
    }

    fn code(&self, hash: &CodeHash) -> Result<Option<Arc<[u8]>>, StateError> {
        let code = self.0.code(hash).map_err(StateError::new)?;
        Ok(code.map(Arc::from))
    }
}
