//! The keys of the node's state: one key space for contract storage, contracts, nonces and the
//! consortium. Every entry has a [`StateKey`]; its bytes ([`StateKey::encode`]) are the flat key
//! and their Blake2b-256 the Jellyfish tree's key hash.

use carechain_primitives::hash::blake2b_256;
use carechain_primitives::tx::PublicKey;
use carechain_runtime::Address;

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
    /// The disclosure log head a node anchored last, by the node's key.
    DisclosureAnchor(PublicKey),
    /// Each disclosure log head a node anchored, by the node's key and the anchor's number.
    DisclosureAnchorAt(PublicKey, u64),
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
            StateKey::DisclosureAnchor(k) => {
                out.push(8);
                out.extend_from_slice(&k.0);
            }
            StateKey::DisclosureAnchorAt(k, n) => {
                out.push(9);
                out.extend_from_slice(&k.0);
                out.extend_from_slice(&n.to_be_bytes());
            }
        }
        out
    }

    /// The key's hash in the tree.
    pub fn key_hash(&self) -> jmt::KeyHash {
        jmt::KeyHash(blake2b_256(&self.encode()))
    }
}
