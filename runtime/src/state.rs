//! Contract state as the runtime sees it: a read-only backend ([`StateReader`]) under a change
//! overlay with nested frames ([`Overlay`]).
//!
//! Every call runs in its own overlay frame. A call that succeeds merges its frame into its
//! caller's; a call that fails (revert, trap, out of gas, stack or memory limit) drops its frame,
//! and with it every write and event of the call and of everything it called. The top-level frame
//! becomes the [`ChangeSet`] the embedder commits (the sandbox in memory, the node to RocksDB).
//!
//! A backend may fail to read (a disk error in the node's RocksDB): every read returns
//! `Result<_, `[`StateError`]`>`. Such a failure is a fault of the node, not an outcome of the
//! contract, so it never reaches a contract as a value: see [`Runtime::execute`] for how it ends
//! the whole execution.
//!
//! [`Runtime::execute`]: crate::Runtime::execute

use std::collections::BTreeMap;
use std::sync::Arc;

use blake2::{Blake2b, Digest, digest::consts::U32};
use carechain_abi::{Address, CodeHash, Topic};
use parity_scale_codec::{Decode, Encode};

/// Blake2b-256, the hash used everywhere in Carechain.
pub fn blake2b_256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&Blake2b::<U32>::digest(data));
    out
}

/// A [`StateReader`] could not read the state (an I/O error, a corrupt database): a fault of the
/// node running the contract, not something the contract did.
///
/// Its result would depend on one node's disk rather than on the chain, so the runtime never lets
/// a contract observe it: [`Runtime::execute`](crate::Runtime::execute) abandons the whole
/// execution and returns this error instead of a [`CallResult`](crate::CallResult). The
/// underlying error is kept as its [`source`](std::error::Error::source).
#[derive(Debug, thiserror::Error)]
#[error("state read failed: {source}")]
pub struct StateError {
    /// The backend's error.
    #[source]
    source: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl StateError {
    /// Wraps a backend's read error.
    pub fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        StateError {
            source: source.into(),
        }
    }

    /// The backend's error, to downcast to the backend's own error type.
    pub fn into_source(self) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self.source
    }
}

/// Read access to committed state. Implemented by the sandbox's in-memory state (which never
/// fails) and by the node's RocksDB-backed state.
///
/// # Errors
///
/// Every method returns [`StateError`] if the backend cannot read; `Ok(None)` means the entry
/// is absent. An implementation must never answer `Ok(None)` for an entry it failed to read:
/// that would change a contract's result on one node only.
pub trait StateReader: Send + Sync {
    /// The value stored under `key` by `contract`.
    ///
    /// # Errors
    ///
    /// [`StateError`] if the backend cannot read it.
    fn storage(&self, contract: &Address, key: &[u8]) -> Result<Option<Vec<u8>>, StateError>;
    /// The code hash of the contract at `address`, if one was deployed there.
    ///
    /// # Errors
    ///
    /// [`StateError`] if the backend cannot read it.
    fn contract_code(&self, address: &Address) -> Result<Option<CodeHash>, StateError>;
    /// The original (uninstrumented) code with this hash.
    ///
    /// # Errors
    ///
    /// [`StateError`] if the backend cannot read it.
    fn code(&self, hash: &CodeHash) -> Result<Option<Arc<[u8]>>, StateError>;
}

/// An event emitted by a contract: the audit trail of every state change.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Event {
    /// The emitting contract.
    pub contract: Address,
    /// Up to four 32-byte topics, for filtering.
    pub topics: Vec<Topic>,
    /// The event's SCALE-encoded data.
    pub data: Vec<u8>,
}

/// The writes of a successful execution, ready to be committed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangeSet {
    /// Storage writes; `None` removes the key.
    pub storage: BTreeMap<(Address, Vec<u8>), Option<Vec<u8>>>,
    /// Contracts created: address -> code hash.
    pub contracts: BTreeMap<Address, CodeHash>,
    /// Code uploaded: hash -> original bytes.
    pub codes: BTreeMap<CodeHash, Arc<[u8]>>,
}

impl ChangeSet {
    /// True if nothing would be committed.
    pub fn is_empty(&self) -> bool {
        self.storage.is_empty() && self.contracts.is_empty() && self.codes.is_empty()
    }

    fn merge(&mut self, later: ChangeSet) {
        self.storage.extend(later.storage);
        self.contracts.extend(later.contracts);
        self.codes.extend(later.codes);
    }
}

#[derive(Default)]
struct Frame {
    changes: ChangeSet,
    events: Vec<Event>,
}

/// A stack of change frames over a [`StateReader`].
pub struct Overlay {
    base: Arc<dyn StateReader>,
    frames: Vec<Frame>,
}

impl Overlay {
    /// An overlay with one (top-level) frame over `base`.
    pub fn new(base: Arc<dyn StateReader>) -> Self {
        Overlay {
            base,
            frames: vec![Frame::default()],
        }
    }

    fn top(&mut self) -> &mut Frame {
        if self.frames.is_empty() {
            self.frames.push(Frame::default());
        }
        let last = self.frames.len() - 1;
        &mut self.frames[last]
    }

    /// Opens a frame for a nested call.
    pub fn push(&mut self) {
        self.frames.push(Frame::default());
    }

    /// Closes the innermost frame, keeping its changes (merged into the frame below) or
    /// discarding them.
    pub fn pop(&mut self, keep: bool) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        if keep {
            let parent = self.top();
            parent.changes.merge(frame.changes);
            parent.events.extend(frame.events);
        }
    }

    /// Reads a storage value, newest frame first.
    ///
    /// # Errors
    ///
    /// [`StateError`] if the value is not in the overlay and the base cannot read it.
    pub fn storage(&self, contract: &Address, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        let lookup = (*contract, key.to_vec());
        for frame in self.frames.iter().rev() {
            if let Some(value) = frame.changes.storage.get(&lookup) {
                return Ok(value.clone());
            }
        }
        self.base.storage(contract, key)
    }

    /// Length of a storage value without copying it out of the overlay.
    ///
    /// # Errors
    ///
    /// [`StateError`] if the value is not in the overlay and the base cannot read it.
    pub fn storage_len(&self, contract: &Address, key: &[u8]) -> Result<Option<usize>, StateError> {
        let lookup = (*contract, key.to_vec());
        for frame in self.frames.iter().rev() {
            if let Some(value) = frame.changes.storage.get(&lookup) {
                return Ok(value.as_ref().map(Vec::len));
            }
        }
        Ok(self.base.storage(contract, key)?.map(|v| v.len()))
    }

    /// Writes (`Some`) or removes (`None`) a storage value in the innermost frame.
    pub fn set_storage(&mut self, contract: Address, key: Vec<u8>, value: Option<Vec<u8>>) {
        self.top().changes.storage.insert((contract, key), value);
    }

    /// The code hash of a contract, newest frame first.
    ///
    /// # Errors
    ///
    /// [`StateError`] if the contract is not in the overlay and the base cannot read it.
    pub fn contract_code(&self, address: &Address) -> Result<Option<CodeHash>, StateError> {
        for frame in self.frames.iter().rev() {
            if let Some(hash) = frame.changes.contracts.get(address) {
                return Ok(Some(*hash));
            }
        }
        self.base.contract_code(address)
    }

    /// Original code by hash, newest frame first.
    ///
    /// # Errors
    ///
    /// [`StateError`] if the code is not in the overlay and the base cannot read it.
    pub fn code(&self, hash: &CodeHash) -> Result<Option<Arc<[u8]>>, StateError> {
        for frame in self.frames.iter().rev() {
            if let Some(code) = frame.changes.codes.get(hash) {
                return Ok(Some(code.clone()));
            }
        }
        self.base.code(hash)
    }

    /// Records a new contract (and its code) in the innermost frame.
    pub fn create_contract(&mut self, address: Address, hash: CodeHash, code: Arc<[u8]>) {
        let top = self.top();
        top.changes.contracts.insert(address, hash);
        top.changes.codes.insert(hash, code);
    }

    /// Records an event in the innermost frame.
    pub fn emit(&mut self, event: Event) {
        self.top().events.push(event);
    }

    /// Consumes the overlay, returning the top-level changes and events.
    pub fn finish(mut self) -> (ChangeSet, Vec<Event>) {
        while self.frames.len() > 1 {
            self.pop(true);
        }
        let frame = self.frames.pop().unwrap_or_default();
        (frame.changes, frame.events)
    }
}

/// A simple in-memory state: what the [`Sandbox`](crate::Sandbox) and `carechain exec` use.
#[derive(Clone, Debug, Default)]
pub struct MemoryState {
    /// Contract storage.
    pub storage: BTreeMap<(Address, Vec<u8>), Vec<u8>>,
    /// Deployed contracts.
    pub contracts: BTreeMap<Address, CodeHash>,
    /// Uploaded code.
    pub codes: BTreeMap<CodeHash, Arc<[u8]>>,
}

impl MemoryState {
    /// Commits a change set.
    pub fn apply(&mut self, changes: ChangeSet) {
        for ((contract, key), value) in changes.storage {
            match value {
                Some(v) => {
                    self.storage.insert((contract, key), v);
                }
                None => {
                    self.storage.remove(&(contract, key));
                }
            }
        }
        self.contracts.extend(changes.contracts);
        self.codes.extend(changes.codes);
    }

    /// A commitment to the whole state: Blake2b-256 over the SCALE encoding of every contract
    /// (address, code hash) and every storage entry (contract, key, value), in key order. Two
    /// states have the same root iff they hold the same contracts and storage. (The node uses an
    /// authenticated Merkle tree instead, which also gives proofs.)
    pub fn state_root(&self) -> [u8; 32] {
        let mut bytes = Vec::new();
        (self.contracts.len() as u64).encode_to(&mut bytes);
        for (address, hash) in &self.contracts {
            address.encode_to(&mut bytes);
            hash.encode_to(&mut bytes);
        }
        (self.storage.len() as u64).encode_to(&mut bytes);
        for ((contract, key), value) in &self.storage {
            contract.encode_to(&mut bytes);
            key.encode_to(&mut bytes);
            value.encode_to(&mut bytes);
        }
        blake2b_256(&bytes)
    }
}

/// Never fails: every read is `Ok`.
impl StateReader for MemoryState {
    fn storage(&self, contract: &Address, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.storage.get(&(*contract, key.to_vec())).cloned())
    }
    fn contract_code(&self, address: &Address) -> Result<Option<CodeHash>, StateError> {
        Ok(self.contracts.get(address).copied())
    }
    fn code(&self, hash: &CodeHash) -> Result<Option<Arc<[u8]>>, StateError> {
        Ok(self.codes.get(hash).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(b: u8) -> Address {
        Address([b; 32])
    }

    #[test]
    fn dropped_frame_leaves_no_trace_but_kept_frame_merges() {
        let mut base = MemoryState::default();
        base.storage
            .insert((addr(1), b"k".to_vec()), b"base".to_vec());
        let mut overlay = Overlay::new(Arc::new(base));
        overlay.set_storage(addr(1), b"a".to_vec(), Some(b"outer".to_vec()));

        overlay.push();
        overlay.set_storage(addr(1), b"k".to_vec(), None);
        overlay.emit(Event {
            contract: addr(1),
            topics: vec![],
            data: vec![1],
        });
        assert_eq!(overlay.storage(&addr(1), b"k").ok(), Some(None));
        overlay.pop(false);
        assert_eq!(
            overlay.storage(&addr(1), b"k").ok(),
            Some(Some(b"base".to_vec()))
        );

        overlay.push();
        overlay.push();
        overlay.set_storage(addr(2), b"b".to_vec(), Some(b"inner".to_vec()));
        overlay.pop(true);
        overlay.pop(true);
        let (changes, events) = overlay.finish();
        assert!(events.is_empty());
        assert_eq!(changes.storage.len(), 2);
        assert_eq!(
            changes.storage[&(addr(2), b"b".to_vec())],
            Some(b"inner".to_vec())
        );
    }

    #[test]
    fn state_root_depends_on_every_entry() {
        let mut a = MemoryState::default();
        let empty = a.state_root();
        a.storage.insert((addr(1), b"k".to_vec()), b"v".to_vec());
        let one = a.state_root();
        assert_ne!(empty, one);
        a.storage.insert((addr(1), b"k".to_vec()), b"w".to_vec());
        assert_ne!(one, a.state_root());
    }
}
