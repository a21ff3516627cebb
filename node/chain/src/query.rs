//! Reads of the committed state: nonces, members, read-only contract calls, proofs.

use std::sync::Arc;

use carechain_primitives::disclosure::AnchorRecord;
use carechain_primitives::tx::PublicKey;
use carechain_runtime::{Address, BlockInfo, CallResult, Message};
use carechain_storage::{CommittedState, StateKey, StateProof};
use parity_scale_codec::Decode;

use crate::execute::Base;
use crate::{Chain, ChainError, MemberRecord, OrgRecord};

impl Chain {
    /// An account's next nonce in the committed state.
    ///
    /// # Errors
    /// [`ChainError::Store`] if the state cannot be read.
    pub fn nonce(&self, account: &Address) -> Result<u64, ChainError> {
        Ok(self
            .store
            .state_value(&StateKey::Nonce(*account).encode())?
            .and_then(|v| u64::decode(&mut &v[..]).ok())
            .unwrap_or(0))
    }

    /// An account's next nonce in the state after `base`.
    ///
    /// # Errors
    /// [`ChainError::Store`] if the state cannot be read.
    pub fn nonce_on(&self, base: &Base, account: &Address) -> Result<u64, ChainError> {
        Ok(base
            .state(&self.store)
            .get_decoded::<u64>(&StateKey::Nonce(*account))?
            .unwrap_or(0))
    }

    /// A member's record in the committed state.
    ///
    /// # Errors
    /// [`ChainError::Store`] if the state cannot be read.
    pub fn member(&self, key: &PublicKey) -> Result<Option<MemberRecord>, ChainError> {
        Ok(self
            .store
            .state_value(&StateKey::Member(*key).encode())?
            .and_then(|v| MemberRecord::decode(&mut &v[..]).ok()))
    }

    /// An organisation's record in the committed state.
    ///
    /// # Errors
    /// [`ChainError::Store`] if the state cannot be read.
    pub fn organisation(&self, id: &str) -> Result<Option<OrgRecord>, ChainError> {
        Ok(self
            .store
            .state_value(&StateKey::Organisation(id.to_string()).encode())?
            .and_then(|v| OrgRecord::decode(&mut &v[..]).ok()))
    }

    /// The disclosure log head the node with key `node` anchored last, if any.
    ///
    /// # Errors
    /// [`ChainError::Store`] if the state cannot be read.
    pub fn disclosure_anchor(&self, node: &PublicKey) -> Result<Option<AnchorRecord>, ChainError> {
        Ok(self
            .store
            .state_value(&StateKey::DisclosureAnchor(*node).encode())?
            .and_then(|v| AnchorRecord::decode(&mut &v[..]).ok()))
    }

    /// Every disclosure log head the node with key `node` anchored, oldest first.
    ///
    /// # Errors
    /// [`ChainError::Store`] if the state cannot be read.
    pub fn disclosure_anchors(&self, node: &PublicKey) -> Result<Vec<AnchorRecord>, ChainError> {
        let Some(last) = self.disclosure_anchor(node)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::with_capacity(last.index as usize + 1);
        for i in 0..=last.index {
            if let Some(a) = self
                .store
                .state_value(&StateKey::DisclosureAnchorAt(*node, i).encode())?
                .and_then(|v| AnchorRecord::decode(&mut &v[..]).ok())
            {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// A read-only call on the committed state.
    ///
    /// # Errors
    /// [`ChainError::Store`] if the head cannot be read; [`ChainError::State`] if a state read
    /// fails during the call (a fault of this node, not an outcome of the contract).
    pub fn query(
        &self,
        caller: Address,
        contract: Address,
        input: Vec<u8>,
        gas: u64,
    ) -> Result<CallResult, ChainError> {
        let head = self.head()?;
        let info = BlockInfo {
            height: head.height,
            time: head.timestamp,
        };
        let result = self.runtime.execute(
            Arc::new(CommittedState(self.store.clone())),
            info,
            Message::Query {
                caller,
                contract,
                input,
            },
            gas,
        )?;
        Ok(result)
    }

    /// The value of `key` at block `height` with its proof against that block's state root.
    ///
    /// # Errors
    /// [`ChainError::Store`].
    pub fn prove(
        &self,
        key: &StateKey,
        height: u64,
    ) -> Result<(Option<Vec<u8>>, StateProof), ChainError> {
        Ok(self.store.prove(key, height)?)
    }
}
