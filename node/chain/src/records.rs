//! The consortium as stored in the state: members, organisations, proposals.

use carechain_primitives::tx::{NodeRole, OrgKind, Proposal, PublicKey};
use parity_scale_codec::{Decode, Encode};

/// A member of the consortium, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct MemberRecord {
    /// Its organisation.
    pub org: String,
    /// Its roles.
    pub roles: Vec<NodeRole>,
}

/// An organisation, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct OrgRecord {
    /// Its kind.
    pub kind: OrgKind,
    /// Its members' keys.
    pub members: Vec<PublicKey>,
}

/// A consortium proposal, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct ProposalRecord {
    /// The change.
    pub proposal: Proposal,
    /// Who proposed it.
    pub proposer: PublicKey,
    /// The organisations that approved it.
    pub approvals: Vec<String>,
    /// True once a majority approved and it was applied.
    pub executed: bool,
}
