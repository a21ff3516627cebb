//! What can go wrong with the chain itself (not with a transaction: a refused or failed
//! transaction is a [`TxError`](carechain_primitives::tx::TxError) or a receipt).

use carechain_storage::StoreError;

/// Chain errors.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A state read failed while a contract executed (its source is the store's error): the
    /// block or query is abandoned, nothing is committed, and it can be retried.
    #[error(transparent)]
    State(#[from] carechain_runtime::StateError),
    /// The runtime could not be created.
    #[error(transparent)]
    Runtime(#[from] carechain_runtime::RuntimeError),
    /// The database holds another chain.
    #[error("the database holds chain {found}, not {expected}")]
    WrongChain {
        /// The genesis hash expected.
        expected: String,
        /// The one found.
        found: String,
    },
    /// A block does not follow from its parent.
    #[error("invalid block {height}: {reason}")]
    InvalidBlock {
        /// Its height.
        height: u64,
        /// Why.
        reason: String,
    },
}
