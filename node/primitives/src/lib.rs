//! The node's primitive types: signed transactions, blocks and receipts, the consortium's genesis, hashes.
//!
//! Everything here is data with a fixed encoding: a transaction ([`tx`]) is SCALE-encoded and
//! signed with ed25519 over its Blake2b-256 ([`hash`]); a block ([`block`]) carries a header
//! whose roots commit to its transactions, receipts and the state after it; the genesis
//! ([`genesis`]) names the consortium's organisations, member keys and roles. Every crate of the
//! node speaks these types; none of them reads storage or runs code.
#![warn(missing_docs)]

pub mod block;
#[cfg(feature = "commonware")]
pub mod commonware;
pub mod disclosure;
pub mod genesis;
pub mod hash;
pub mod tx;
