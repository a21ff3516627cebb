//! The authenticated state tree: a Jellyfish Merkle tree (`jmt`) hashed with Blake2b-256, and
//! proofs of a value (or its absence) against a block's state root, checkable without the node.

use carechain_primitives::hash::blake2b_256;

use crate::keys::StateKey;

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
