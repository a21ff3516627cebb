//! The node's storage: RocksDB column families, atomic block commits, the Jellyfish state tree, proofs and pruning.
//!
//! The node's state is one key space ([`StateKey`]) authenticated by a Jellyfish Merkle tree
//! hashed with Blake2b-256 ([`tree`]), plus a flat copy for fast reads. Contract code is
//! content-addressed outside the tree: the tree holds each contract's code hash, which
//! authenticates the code. A block's changes ([`Pending`]) are committed by [`Store::commit`] in
//! one atomic RocksDB write. Transactions read state through [`BlockState`] (a block's view over
//! uncommitted ancestors) or [`CommittedState`], both the runtime's `StateReader`.
//!
//! Modules depend one way: `keys` <- `tree`, `pending` <- `store` <- `view`.
#![warn(missing_docs)]

pub mod keys;
pub mod pending;
pub mod store;
pub mod tree;
pub mod view;

pub use keys::StateKey;
pub use pending::Pending;
pub use store::{StateHistory, Store, StoreError, StoreMemory, TxLocation};
pub use tree::{Blake2bHasher, StateProof, Tree, verify_proof, verify_proof_raw};
pub use view::{BlockState, CommittedState};
