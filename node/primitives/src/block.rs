//! Blocks and receipts.

use parity_scale_codec::{Decode, Encode};

use carechain_runtime::Event;

use crate::hash::blake2b_256;
use crate::tx::{PublicKey, SignedTx, TxHash};

/// A block header: what validators sign and chain together.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Header {
    /// Height; the genesis block is 0.
    pub height: u64,
    /// Hash of the parent header (zeros for genesis).
    pub parent_hash: [u8; 32],
    /// Block time, Unix seconds: the `now` of every contract call in the block.
    pub timestamp: u64,
    /// The validator that produced it.
    pub proposer: PublicKey,
    /// Merkle root of the transaction hashes ([`merkle_root`]).
    pub tx_root: [u8; 32],
    /// Root of the authenticated state after this block's transactions.
    pub state_root: [u8; 32],
    /// Merkle root of the receipt hashes.
    pub receipts_root: [u8; 32],
    /// Gas used by all transactions.
    pub gas_used: u64,
}

impl Header {
    /// The block hash: Blake2b-256 of the encoded header.
    pub fn hash(&self) -> [u8; 32] {
        blake2b_256(&self.encode())
    }
}

/// A block: its header and transactions.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Block {
    /// The header.
    pub header: Header,
    /// The transactions, in execution order.
    pub txs: Vec<SignedTx>,
}

/// How a transaction ended.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum TxStatus {
    /// Executed; its changes are kept.
    Success,
    /// The contract reverted: only the nonce changed.
    Reverted,
    /// Execution failed (out of gas, trap, invalid module, ...): only the nonce changed. The
    /// string is the runtime's outcome name, e.g. `out_of_gas`.
    Failed(String),
}

/// The result of one transaction, stored with its block.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Receipt {
    /// The transaction.
    pub tx_hash: TxHash,
    /// How it ended.
    pub status: TxStatus,
    /// Gas used.
    pub gas_used: u64,
    /// Events, if it succeeded.
    pub events: Vec<Event>,
    /// Return data, or revert data.
    pub return_data: Vec<u8>,
    /// For a successful deploy: the contract's address.
    pub contract: Option<carechain_runtime::Address>,
}

impl Receipt {
    /// Blake2b-256 of the encoded receipt.
    pub fn hash(&self) -> [u8; 32] {
        blake2b_256(&self.encode())
    }
}

/// A binary Merkle root over `leaves` (RFC 6962 style: leaves and nodes domain-separated, an odd
/// node promoted); all zeros for no leaves.
pub fn merkle_root(leaves: &[[u8; 32]]) -> [u8; 32] {
    if leaves.is_empty() {
        return [0; 32];
    }
    let mut level: Vec<[u8; 32]> = leaves
        .iter()
        .map(|l| {
            let mut buf = Vec::with_capacity(33);
            buf.push(0);
            buf.extend_from_slice(l);
            blake2b_256(&buf)
        })
        .collect();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [a, b] => {
                    let mut buf = Vec::with_capacity(65);
                    buf.push(1);
                    buf.extend_from_slice(a);
                    buf.extend_from_slice(b);
                    blake2b_256(&buf)
                }
                [a] => *a,
                _ => unreachable!("chunks of two"),
            })
            .collect();
    }
    level[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merkle_roots_depend_on_every_leaf_and_their_order() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        let c = [3u8; 32];
        assert_eq!(merkle_root(&[]), [0; 32]);
        assert_ne!(merkle_root(&[a]), a, "leaves are hashed");
        assert_ne!(merkle_root(&[a, b]), merkle_root(&[b, a]));
        assert_ne!(merkle_root(&[a, b, c]), merkle_root(&[a, b]));
        assert_ne!(merkle_root(&[a, b, c]), merkle_root(&[a, b, c, c]));
    }
}
