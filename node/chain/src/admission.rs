//! Admission: the stateful checks a transaction passes before it may execute (a member of the
//! consortium, with the role its action needs, at its next nonce), and the memory of signatures
//! already checked.

use carechain_primitives::tx::{Action, NodeRole, SignedTx, TxError, TxHash};
use carechain_storage::{BlockState, StateKey, StoreError};

use crate::{Chain, MemberRecord};

impl Chain {
    /// Remembers that the signature of the transaction `hash` was checked and is good, so
    /// [`Chain::execute_block`] need not check it again.
    pub fn note_verified(&self, hash: TxHash) {
        self.verified.lock().expect("verified lock").put(hash, ());
    }

    pub(crate) fn is_verified(&self, hash: &TxHash) -> bool {
        self.verified.lock().expect("verified lock").contains(hash)
    }

    /// The checks the mempool makes against committed state: the sender is a member with the
    /// role the action needs, and the nonce is not already used.
    ///
    /// # Errors
    /// [`TxError::UnknownSigner`], [`TxError::NotPermitted`], [`TxError::NonceTooLow`];
    /// [`TxError::StateUnavailable`] if the state cannot be read.
    pub fn check_admission(&self, tx: &SignedTx) -> Result<(), TxError> {
        match refusal(&BlockState::new(self.store.clone()), tx) {
            // A later nonce may wait in the mempool for the ones before it.
            Ok(Some(TxError::NonceTooHigh { .. }) | None) => Ok(()),
            Ok(Some(error)) => Err(error),
            Err(e) => Err(TxError::StateUnavailable(e.to_string())),
        }
    }
}

/// The role an action needs.
fn needed_role(action: &Action) -> NodeRole {
    match action {
        Action::Deploy { .. } => NodeRole::Deployer,
        Action::Call { .. } | Action::Admin(_) => NodeRole::Member,
    }
}

/// Why `tx` may not execute on `state` (unknown signer, missing role, wrong nonce), if it may not.
///
/// # Errors
/// [`StoreError`] if the state cannot be read.
pub(crate) fn refusal(state: &BlockState, tx: &SignedTx) -> Result<Option<TxError>, StoreError> {
    let member = state.get_decoded::<MemberRecord>(&StateKey::Member(tx.payload.sender))?;
    let Some(member) = member else {
        return Ok(Some(TxError::UnknownSigner(tx.payload.sender.to_hex())));
    };
    let needed = needed_role(&tx.payload.action);
    if !member.roles.contains(&needed) {
        return Ok(Some(TxError::NotPermitted(needed)));
    }
    let next = state
        .get_decoded::<u64>(&StateKey::Nonce(tx.sender()))?
        .unwrap_or(0);
    let found = tx.payload.nonce;
    Ok(if found < next {
        Some(TxError::NonceTooLow {
            expected: next,
            found,
        })
    } else if found > next {
        Some(TxError::NonceTooHigh {
            expected: next,
            found,
        })
    } else {
        None
    })
}
