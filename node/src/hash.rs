//! Blake2b-256, the one hash of the node (transactions, blocks, state).

use blake2::{Blake2b, Digest, digest::consts::U32};

/// Blake2b-256 of `data`.
pub fn blake2b_256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&Blake2b::<U32>::digest(data));
    out
}
