//! Blake2b-256, the one hash of the node (transactions, blocks, state): the runtime's, so
//! contracts and the node can never disagree on it.

pub use carechain_runtime::state::blake2b_256;
