//! Consortium governance: proposals to add or remove organisations and members, applied once a
//! majority of organisations approved.

use carechain_primitives::disclosure::AnchorRecord;
use carechain_primitives::tx::{AdminAction, Proposal, PublicKey};
use carechain_storage::{BlockState, StateKey, StoreError};

use crate::{Chain, MemberRecord, OrgRecord, ProposalRecord};

/// Gas charged for a consortium administration transaction.
pub const ADMIN_GAS: u64 = 50_000;

/// Why a consortium administration transaction failed. Its [`reason`](GovernanceError::reason)
/// is what the receipt records (`TxStatus::Failed`), so the names are part of the chain's
/// receipts root and never change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GovernanceError {
    /// The sender is not a member.
    #[error("the sender is not a member of the consortium")]
    UnknownSigner,
    /// No proposal with that number.
    #[error("no such proposal")]
    ProposalNotFound,
    /// The proposal was already approved by a majority and applied.
    #[error("the proposal was already executed")]
    ProposalAlreadyExecuted,
    /// The organisation to add exists.
    #[error("the organisation exists")]
    OrganisationExists,
    /// No organisation with that id.
    #[error("no such organisation")]
    OrganisationNotFound,
    /// The member to add exists.
    #[error("the member exists")]
    MemberExists,
    /// No member with that key.
    #[error("no such member")]
    MemberNotFound,
    /// A disclosure log anchor with fewer entries than the sender's last one, or as many with
    /// another head: a log only grows, and its past is fixed.
    #[error(
        "a disclosure log only grows: the anchor has fewer entries than the last one, or as many with another head"
    )]
    AnchorShrinks,
}

impl GovernanceError {
    /// The stable name a receipt records.
    pub fn reason(self) -> &'static str {
        match self {
            GovernanceError::UnknownSigner => "unknown_signer",
            GovernanceError::ProposalNotFound => "proposal_not_found",
            GovernanceError::ProposalAlreadyExecuted => "proposal_already_executed",
            GovernanceError::OrganisationExists => "organisation_exists",
            GovernanceError::OrganisationNotFound => "organisation_not_found",
            GovernanceError::MemberExists => "member_exists",
            GovernanceError::MemberNotFound => "member_not_found",
            GovernanceError::AnchorShrinks => "anchor_shrinks",
        }
    }
}

/// Why an administration transaction did not apply: refused (the receipt says why), or the
/// state could not be read (the block is abandoned; no receipt is written).
#[derive(Debug)]
pub(crate) enum AdminError {
    /// Refused: the transaction changes nothing but the sender's nonce.
    Refused(GovernanceError),
    /// A state read failed.
    Store(StoreError),
}

impl From<GovernanceError> for AdminError {
    fn from(e: GovernanceError) -> Self {
        AdminError::Refused(e)
    }
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        AdminError::Store(e)
    }
}

impl Chain {
    /// Consortium administration: a proposal needs approvals from a majority of organisations;
    /// a disclosure log anchor is recorded for its sender at `height`.
    pub(crate) fn admin(
        &self,
        state: &BlockState,
        sender: PublicKey,
        action: &AdminAction,
        height: u64,
    ) -> Result<(), AdminError> {
        let member = state
            .get_decoded::<MemberRecord>(&StateKey::Member(sender))?
            .ok_or(GovernanceError::UnknownSigner)?;
        let number = match action {
            AdminAction::Propose(proposal) => {
                let n = state
                    .get_decoded::<u64>(&StateKey::NextProposal)?
                    .unwrap_or(0);
                state.put(&StateKey::NextProposal, &(n + 1));
                state.put(
                    &StateKey::Proposal(n),
                    &ProposalRecord {
                        proposal: proposal.clone(),
                        proposer: sender,
                        approvals: vec![member.org.clone()],
                        executed: false,
                    },
                );
                n
            }
            AdminAction::AnchorDisclosures { entries, head } => {
                let key = StateKey::DisclosureAnchor(sender);
                let last = state.get_decoded::<AnchorRecord>(&key)?;
                if let Some(l) = &last {
                    if *entries < l.entries || (*entries == l.entries && *head != l.head) {
                        return Err(GovernanceError::AnchorShrinks.into());
                    }
                    if *entries == l.entries {
                        return Ok(());
                    }
                }
                let record = AnchorRecord {
                    index: last.map_or(0, |l| l.index + 1),
                    entries: *entries,
                    head: *head,
                    height,
                };
                state.put(&StateKey::DisclosureAnchorAt(sender, record.index), &record);
                state.put(&key, &record);
                return Ok(());
            }
            AdminAction::Approve { proposal } => {
                let mut record = state
                    .get_decoded::<ProposalRecord>(&StateKey::Proposal(*proposal))?
                    .ok_or(GovernanceError::ProposalNotFound)?;
                if record.executed {
                    return Err(GovernanceError::ProposalAlreadyExecuted.into());
                }
                if !record.approvals.contains(&member.org) {
                    record.approvals.push(member.org.clone());
                }
                state.put(&StateKey::Proposal(*proposal), &record);
                *proposal
            }
        };
        let mut record = state
            .get_decoded::<ProposalRecord>(&StateKey::Proposal(number))?
            .ok_or(GovernanceError::ProposalNotFound)?;
        let orgs = state
            .get_decoded::<Vec<String>>(&StateKey::Organisations)?
            .unwrap_or_default();
        let approving = record.approvals.iter().filter(|o| orgs.contains(o)).count();
        if approving * 2 > orgs.len() {
            apply_proposal(state, &record.proposal)?;
            record.executed = true;
            state.put(&StateKey::Proposal(number), &record);
        }
        Ok(())
    }
}

/// Applies an approved proposal.
fn apply_proposal(state: &BlockState, proposal: &Proposal) -> Result<(), AdminError> {
    let mut orgs = state
        .get_decoded::<Vec<String>>(&StateKey::Organisations)?
        .unwrap_or_default();
    match proposal {
        Proposal::AddOrganisation { id, kind } => {
            if orgs.contains(id) {
                return Err(GovernanceError::OrganisationExists.into());
            }
            orgs.push(id.clone());
            state.put(&StateKey::Organisations, &orgs);
            state.put(
                &StateKey::Organisation(id.clone()),
                &OrgRecord {
                    kind: *kind,
                    members: Vec::new(),
                },
            );
        }
        Proposal::RemoveOrganisation { id } => {
            let record = state
                .get_decoded::<OrgRecord>(&StateKey::Organisation(id.clone()))?
                .ok_or(GovernanceError::OrganisationNotFound)?;
            for key in record.members {
                state.delete(&StateKey::Member(key));
            }
            orgs.retain(|o| o != id);
            state.put(&StateKey::Organisations, &orgs);
            state.delete(&StateKey::Organisation(id.clone()));
        }
        Proposal::AddMember { org, key, roles } => {
            let mut record = state
                .get_decoded::<OrgRecord>(&StateKey::Organisation(org.clone()))?
                .ok_or(GovernanceError::OrganisationNotFound)?;
            if state.get(&StateKey::Member(*key))?.is_some() {
                return Err(GovernanceError::MemberExists.into());
            }
            record.members.push(*key);
            state.put(&StateKey::Organisation(org.clone()), &record);
            state.put(
                &StateKey::Member(*key),
                &MemberRecord {
                    org: org.clone(),
                    roles: roles.clone(),
                },
            );
        }
        Proposal::RemoveMember { key } => {
            let member = state
                .get_decoded::<MemberRecord>(&StateKey::Member(*key))?
                .ok_or(GovernanceError::MemberNotFound)?;
            if let Some(mut record) =
                state.get_decoded::<OrgRecord>(&StateKey::Organisation(member.org.clone()))?
            {
                record.members.retain(|k| k != key);
                state.put(&StateKey::Organisation(member.org), &record);
            }
            state.delete(&StateKey::Member(*key));
        }
    }
    Ok(())
}
