//! The read policy for the raw ledger: who, beyond the contracts' own rules, may read
//! transaction bodies, receipts, events and state directly.
//!
//! Application members (practitioners, billing offices, portals, pharmacists) read patients'
//! records through contract queries, where each contract decides what a caller may see
//! (minimum necessary). The raw ledger shows every member's transactions and all contract
//! storage, so it is for the roles that must see it: by default validators (who execute every
//! block anyway) and regulators (oversight). Everyone may read their own transactions and the
//! events they caused, block headers and contract metadata.
//!
//! The policy is data: `[read_policy]` in `node.toml`, one list of grants per kind of raw
//! read, each grant a network role (`validator`, `deployer`, `member`) or an organisation kind
//! (`hospital`, `insurer`, `pharmacy`, `blood_bank`, `lab`, `regulator`, `manufacturer`,
//! `wholesaler`). It is enforced here, in [`ReadPolicy::allows`], which every raw method asks.

use carechain_primitives::genesis::{OrgKindName, RoleName};
use carechain_primitives::tx::{NodeRole, OrgKind};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;

/// One grant: a network role or an organisation kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Grant {
    /// Members holding this network role.
    Role(RoleName),
    /// Members of organisations of this kind.
    Kind(OrgKindName),
}

/// A kind of raw read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawRead {
    /// `cc_getBlock` with transaction bodies and receipts.
    Blocks,
    /// `cc_getTransaction` of a transaction another member sent.
    Transactions,
    /// `cc_subscribeEvents` of every transaction's events (without: the events of the
    /// subscriber's own transactions).
    Events,
    /// `cc_getStateProof`: any state entry, contract storage included.
    StateProofs,
    /// `cc_disclosureLog`, and `cc_disclosures` of any subject: who read which patient's
    /// records through this node.
    Disclosures,
}

impl RawRead {
    /// What it reads, for the refusal's message.
    pub fn what(self) -> &'static str {
        match self {
            RawRead::Blocks => "blocks with their transactions",
            RawRead::Transactions => "other members' transactions",
            RawRead::Events => "every transaction's events",
            RawRead::StateProofs => "raw state",
            RawRead::Disclosures => "the disclosure log",
        }
    }
}

/// `[read_policy]` of `node.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadPolicy {
    /// Who may read blocks with their transactions and receipts.
    #[serde(default = "oversight")]
    pub blocks: Vec<Grant>,
    /// Who may read other members' transactions and receipts.
    #[serde(default = "oversight")]
    pub transactions: Vec<Grant>,
    /// Who may subscribe to every transaction's events.
    #[serde(default = "oversight")]
    pub events: Vec<Grant>,
    /// Who may read state entries with their proofs.
    #[serde(default = "oversight")]
    pub state_proofs: Vec<Grant>,
    /// Who may read this node's whole disclosure log (every subject's accounting). Default:
    /// regulators only — a validator executes every block, but who read which patient's
    /// records through this node is not its business.
    #[serde(default = "regulators")]
    pub disclosures: Vec<Grant>,
}

/// The default grant of every raw read: validators and regulators.
fn oversight() -> Vec<Grant> {
    vec![
        Grant::Role(RoleName::Validator),
        Grant::Kind(OrgKindName::Regulator),
    ]
}

/// The default grant of the disclosure log: regulators.
fn regulators() -> Vec<Grant> {
    vec![Grant::Kind(OrgKindName::Regulator)]
}

impl Default for ReadPolicy {
    fn default() -> Self {
        ReadPolicy {
            blocks: oversight(),
            transactions: oversight(),
            events: oversight(),
            state_proofs: oversight(),
            disclosures: regulators(),
        }
    }
}

impl ReadPolicy {
    /// Whether `caller` may make the raw read `read`. `kind` reads the caller's organisation's
    /// kind (`None` if it has no record); it is asked only when no role grant decides, so a
    /// check by role reads nothing.
    ///
    /// # Errors
    /// `kind`'s error.
    pub fn allows<E>(
        &self,
        read: RawRead,
        caller: &Caller,
        kind: impl FnOnce() -> Result<Option<OrgKind>, E>,
    ) -> Result<bool, E> {
        let grants = match read {
            RawRead::Blocks => &self.blocks,
            RawRead::Transactions => &self.transactions,
            RawRead::Events => &self.events,
            RawRead::StateProofs => &self.state_proofs,
            RawRead::Disclosures => &self.disclosures,
        };
        let by_role = |role: RoleName| caller.roles.contains(&NodeRole::from(role));
        if grants
            .iter()
            .any(|g| matches!(*g, Grant::Role(r) if by_role(r)))
        {
            return Ok(true);
        }
        let kinds: Vec<OrgKind> = grants
            .iter()
            .filter_map(|g| match *g {
                Grant::Kind(k) => Some(k.into()),
                Grant::Role(_) => None,
            })
            .collect();
        if kinds.is_empty() {
            return Ok(false);
        }
        Ok(kind()?.is_some_and(|k| kinds.contains(&k)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use carechain_primitives::tx::PublicKey;

    /// A member with `roles` of an organisation of `kind`.
    struct Member(Caller, OrgKind);

    fn caller(roles: Vec<NodeRole>, kind: OrgKind) -> Member {
        let caller = Caller {
            key: PublicKey([1; 32]),
            org: "org".into(),
            roles,
        };
        Member(caller, kind)
    }

    impl ReadPolicy {
        fn lets(&self, read: RawRead, member: &Member) -> bool {
            self.allows(read, &member.0, || Ok::<_, ()>(Some(member.1)))
                .expect("the kind is known")
        }
    }

    #[test]
    fn the_default_lets_validators_and_regulators_read_raw() {
        let policy = ReadPolicy::default();
        let validator = caller(
            vec![NodeRole::Validator, NodeRole::Member],
            OrgKind::Hospital,
        );
        let regulator = caller(vec![NodeRole::Member], OrgKind::Regulator);
        let pharmacist = caller(vec![NodeRole::Member], OrgKind::Pharmacy);
        let deployer = caller(vec![NodeRole::Deployer, NodeRole::Member], OrgKind::Insurer);
        for read in [
            RawRead::Blocks,
            RawRead::Transactions,
            RawRead::Events,
            RawRead::StateProofs,
        ] {
            assert!(policy.lets(read, &validator));
            assert!(policy.lets(read, &regulator));
            assert!(!policy.lets(read, &pharmacist));
            assert!(!policy.lets(read, &deployer));
        }
    }

    #[test]
    fn the_policy_reads_from_toml_per_kind_of_read() {
        let policy: ReadPolicy =
            toml::from_str("events = [\"validator\", \"pharmacy\"]\nstate_proofs = []\n")
                .expect("a policy");
        let pharmacist = caller(vec![NodeRole::Member], OrgKind::Pharmacy);
        let regulator = caller(vec![NodeRole::Member], OrgKind::Regulator);
        assert!(policy.lets(RawRead::Events, &pharmacist));
        assert!(!policy.lets(RawRead::Events, &regulator));
        assert!(!policy.lets(RawRead::StateProofs, &regulator));
        // Unnamed kinds keep the default.
        assert!(policy.lets(RawRead::Blocks, &regulator));
        assert!(toml::from_str::<ReadPolicy>("blocks = [\"auditor\"]").is_err());
        assert!(toml::from_str::<ReadPolicy>("receipts = []").is_err());
    }
}
