//! The node's state: one key space, authenticated by a Jellyfish Merkle tree (`jmt`) hashed with
//! Blake2b-256, plus a flat copy for fast reads.
//!
//! Every entry has a [`StateKey`]; its bytes ([`StateKey::encode`]) are the flat key and their
//! Blake2b-256 the tree's key hash. Contract code is content-addressed outside the tree: the
//! tree holds each contract's code hash, which authenticates the code.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use carechain_runtime::{Address, ChangeSet, CodeHash, StateReader};
use parity_scale_codec::{Decode, Encode};

use crate::hash::blake2b_256;
use crate::store::Store;
use crate::tx::PublicKey;

/// A key of the node's state.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StateKey {
    /// A contract's storage entry.
    Storage(Address, Vec<u8>),
    /// The code hash of the contract at an address.
    Contract(Address),
    /// An account's next nonce.
    Nonce(Address),
    /// A member of the consortium, by key.
    Member(PublicKey),
    /// An organisation, by id.
    Organisation(String),
    /// A consortium proposal, by number.
    Proposal(u64),
    /// The next proposal number.
    NextProposal,
    /// The ids of all organisations.
    Organisations,
}

impl StateKey {
    /// The key's bytes: a tag, then its fields.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            StateKey::Storage(c, k) => {
                out.push(0);
                out.extend_from_slice(&c.0);
                out.extend_from_slice(k);
            }
            StateKey::Contract(a) => {
                out.push(1);
                out.extend_from_slice(&a.0);
            }
            StateKey::Nonce(a) => {
                out.push(2);
                out.extend_from_slice(&a.0);
            }
            StateKey::Member(k) => {
                out.push(3);
                out.extend_from_slice(&k.0);
            }
            StateKey::Organisation(id) => {
                out.push(4);
                out.extend_from_slice(id.as_bytes());
            }
            StateKey::Proposal(n) => {
                out.push(5);
                out.extend_from_slice(&n.to_be_bytes());
            }
            StateKey::NextProposal => out.push(6),
            StateKey::Organisations => out.push(7),
        }
        out
    }

    /// The key's hash in the tree.
    pub fn key_hash(&self) -> jmt::KeyHash {
        jmt::KeyHash(blake2b_256(&self.encode()))
    }
}

/// Blake2b-256 for the Jellyfish Merkle tree, streaming: the tree hashes every internal node of
/// every path a block touches, so no buffer is allocated per hash.
#[derive(Clone)]
pub struct Blake2bHasher(blake2::Blake2b<blake2::digest::consts::U32>);

impl jmt::SimpleHasher for Blake2bHasher {
    fn new() -> Self {
        Blake2bHasher(blake2::Digest::new())
    }

    fn update(&mut self, data: &[u8]) {
        blake2::Digest::update(&mut self.0, data);
    }

    fn finalize(self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(&blake2::Digest::finalize(self.0));
        out
    }
}

/// The tree of this node.
pub type Tree<'a, R> = jmt::JellyfishMerkleTree<'a, R, Blake2bHasher>;

/// A proof of a state entry's value (or absence) against a block's state root, checkable
/// without the node: [`verify_proof`].
pub type StateProof = jmt::proof::SparseMerkleProof<Blake2bHasher>;

/// Checks that `key` has `value` (`None`: is absent) under `state_root`.
///
/// # Errors
/// If the proof does not hold.
pub fn verify_proof(
    proof: &StateProof,
    state_root: [u8; 32],
    key: &StateKey,
    value: Option<&[u8]>,
) -> anyhow::Result<()> {
    proof.verify(jmt::RootHash(state_root), key.key_hash(), value)
}

/// Like [`verify_proof`], for a key given as its encoded bytes ([`StateKey::encode`]), as RPC
/// clients have it.
///
/// # Errors
/// If the proof does not hold.
pub fn verify_proof_raw(
    proof: &StateProof,
    state_root: [u8; 32],
    key: &[u8],
    value: Option<&[u8]>,
) -> anyhow::Result<()> {
    proof.verify(
        jmt::RootHash(state_root),
        jmt::KeyHash(blake2b_256(key)),
        value,
    )
}

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
    pub fn get(&self, key: &StateKey) -> Option<Vec<u8>> {
        let bytes = key.encode();
        if let Some(v) = self.pending.read().expect("lock").entries.get(&bytes) {
            return v.clone();
        }
        for ancestor in &self.ancestors {
            if let Some(v) = ancestor.entries.get(&bytes) {
                return v.clone();
            }
        }
        self.store.state_value(&bytes)
    }

    /// A SCALE value under `key`.
    pub fn get_decoded<T: Decode>(&self, key: &StateKey) -> Option<T> {
        self.get(key).and_then(|v| T::decode(&mut &v[..]).ok())
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

impl StateReader for BlockState {
    fn storage(&self, contract: &Address, key: &[u8]) -> Option<Vec<u8>> {
        self.get(&StateKey::Storage(*contract, key.to_vec()))
    }

    fn contract_code(&self, address: &Address) -> Option<CodeHash> {
        let bytes = self.get(&StateKey::Contract(*address))?;
        Some(CodeHash(bytes.try_into().ok()?))
    }

    fn code(&self, hash: &CodeHash) -> Option<Arc<[u8]>> {
        if let Some(code) = self.pending.read().expect("lock").codes.get(hash) {
            return Some(code.clone());
        }
        for ancestor in &self.ancestors {
            if let Some(code) = ancestor.codes.get(hash) {
                return Some(code.clone());
            }
        }
        self.store.code(hash).map(Arc::from)
    }
}

/// A read-only view of the committed state (for queries and RPC).
pub struct CommittedState(pub Arc<Store>);

impl StateReader for CommittedState {
    fn storage(&self, contract: &Address, key: &[u8]) -> Option<Vec<u8>> {
        self.0
            .state_value(&StateKey::Storage(*contract, key.to_vec()).encode())
    }

    fn contract_code(&self, address: &Address) -> Option<CodeHash> {
        let bytes = self.0.state_value(&StateKey::Contract(*address).encode())?;
        Some(CodeHash(bytes.try_into().ok()?))
    }

    fn code(&self, hash: &CodeHash) -> Option<Arc<[u8]>> {
        self.0.code(hash).map(Arc::from)
    }
}

#[cfg(test)]
mod tests {
    use jmt::SimpleHasher;

    use super::*;

    /// The tree hashes its nodes in pieces (a domain prefix, then children); streaming them must
    /// give Blake2b-256 of the whole, as buffering them did, or every state root would change.
    #[test]
    fn streamed_tree_hash_is_blake2b_of_the_concatenation() {
        let pieces: [&[u8]; 4] = [b"JMT::IntrnalNode", &[7u8; 32], &[], &[9u8; 200]];
        let mut hasher = Blake2bHasher::new();
        for piece in pieces {
            hasher.update(piece);
        }
        assert_eq!(hasher.finalize(), blake2b_256(&pieces.concat()));
        assert_eq!(Blake2bHasher::hash(b"abc"), blake2b_256(b"abc"));
    }
}
