//! The genesis file: the consortium a chain starts with, and its limits.
//!
//! ```toml
//! chain_id = "carechain-demo"
//! genesis_time = 1767225600        # Unix seconds: the timestamp of block 0
//! block_gas_limit = 10000000000
//! max_tx_bytes = 1048576
//!
//! [[organisations]]
//! id = "st-mary-hospital"
//! kind = "hospital"               # hospital | insurer | pharmacy | blood_bank | lab | regulator
//!
//! [[organisations.members]]
//! name = "validator"
//! public_key = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"
//! roles = ["validator", "deployer", "member"]
//! ```
//!
//! Unknown fields are errors, so a typo is never silently ignored.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::tx::{NodeRole, OrgKind, PublicKey, TxRules};

/// The default block gas limit: 10^10 (ten thousand typical healthcare calls).
pub const DEFAULT_BLOCK_GAS_LIMIT: u64 = 10_000_000_000;
/// The default largest transaction: 1 MiB (a contract of up to 512 KiB plus arguments).
pub const DEFAULT_MAX_TX_BYTES: usize = 1 << 20;

/// A genesis file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// The chain's id, signed into every transaction.
    pub chain_id: String,
    /// Timestamp of block 0, Unix seconds.
    pub genesis_time: u64,
    /// Most gas one block may use.
    #[serde(default = "default_block_gas_limit")]
    pub block_gas_limit: u64,
    /// Largest encoded transaction, bytes.
    #[serde(default = "default_max_tx_bytes")]
    pub max_tx_bytes: usize,
    /// The organisations and their member keys.
    pub organisations: Vec<Organisation>,
}

fn default_block_gas_limit() -> u64 {
    DEFAULT_BLOCK_GAS_LIMIT
}

fn default_max_tx_bytes() -> usize {
    DEFAULT_MAX_TX_BYTES
}

/// An organisation of the consortium.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    /// Its id.
    pub id: String,
    /// Its kind.
    pub kind: OrgKindName,
    /// Its members.
    pub members: Vec<Member>,
}

/// An organisation kind as spelled in genesis files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKindName {
    /// A hospital.
    Hospital,
    /// An insurer.
    Insurer,
    /// A pharmacy.
    Pharmacy,
    /// A blood bank.
    BloodBank,
    /// A laboratory.
    Lab,
    /// A regulator.
    Regulator,
    /// A drug manufacturer.
    Manufacturer,
    /// A drug wholesale distributor.
    Wholesaler,
}

impl From<OrgKindName> for OrgKind {
    fn from(k: OrgKindName) -> Self {
        match k {
            OrgKindName::Hospital => OrgKind::Hospital,
            OrgKindName::Insurer => OrgKind::Insurer,
            OrgKindName::Pharmacy => OrgKind::Pharmacy,
            OrgKindName::BloodBank => OrgKind::BloodBank,
            OrgKindName::Lab => OrgKind::Lab,
            OrgKindName::Regulator => OrgKind::Regulator,
            OrgKindName::Manufacturer => OrgKind::Manufacturer,
            OrgKindName::Wholesaler => OrgKind::Wholesaler,
        }
    }
}

/// A member key of an organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// A name for people.
    pub name: String,
    /// The ed25519 public key, hex.
    pub public_key: String,
    /// Its roles.
    pub roles: Vec<RoleName>,
}

/// A member role as spelled in genesis files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    /// Validator.
    Validator,
    /// Deployer.
    Deployer,
    /// Member.
    Member,
}

impl From<RoleName> for NodeRole {
    fn from(r: RoleName) -> Self {
        match r {
            RoleName::Validator => NodeRole::Validator,
            RoleName::Deployer => NodeRole::Deployer,
            RoleName::Member => NodeRole::Member,
        }
    }
}

/// Why a genesis file was refused.
#[derive(Debug, thiserror::Error)]
pub enum GenesisError {
    /// Not valid TOML for a genesis file.
    #[error("invalid genesis file: {0}")]
    Toml(#[from] toml::de::Error),
    /// A public key is not 64 hex digits of a valid ed25519 point.
    #[error("organisation `{org}`, member `{member}`: invalid public key")]
    BadKey {
        /// The organisation.
        org: String,
        /// The member.
        member: String,
    },
    /// An id or key appears twice.
    #[error("duplicate {0}")]
    Duplicate(String),
    /// The chain would have no validator, or another structural problem.
    #[error("{0}")]
    Invalid(String),
}

impl Genesis {
    /// Parses and validates a genesis file.
    ///
    /// # Errors
    /// [`GenesisError`] naming what is wrong.
    pub fn from_toml(text: &str) -> Result<Self, GenesisError> {
        let genesis: Genesis = toml::from_str(text)?;
        genesis.validate()?;
        Ok(genesis)
    }

    /// The file's TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a genesis serialises")
    }

    /// The validators' keys, in the order the genesis lists them: the consensus committee.
    pub fn validators(&self) -> Vec<PublicKey> {
        self.members()
            .into_iter()
            .filter(|(_, _, _, roles)| roles.contains(&NodeRole::Validator))
            .map(|(_, _, key, _)| key)
            .collect()
    }

    /// Checks keys, uniqueness and that there is at least one validator.
    ///
    /// # Errors
    /// [`GenesisError`].
    pub fn validate(&self) -> Result<(), GenesisError> {
        if self.chain_id.is_empty() {
            return Err(GenesisError::Invalid("chain_id is empty".into()));
        }
        let mut orgs = BTreeSet::new();
        let mut keys = BTreeSet::new();
        let mut validators = 0;
        for org in &self.organisations {
            if !orgs.insert(org.id.clone()) {
                return Err(GenesisError::Duplicate(format!(
                    "organisation `{}`",
                    org.id
                )));
            }
            for m in &org.members {
                let key = parse_key(&m.public_key).ok_or_else(|| GenesisError::BadKey {
                    org: org.id.clone(),
                    member: m.name.clone(),
                })?;
                if !keys.insert(key) {
                    return Err(GenesisError::Duplicate(format!(
                        "public key of `{}`",
                        m.name
                    )));
                }
                if m.roles.contains(&RoleName::Validator) {
                    validators += 1;
                }
            }
        }
        if validators == 0 {
            return Err(GenesisError::Invalid(
                "no member has the validator role".into(),
            ));
        }
        Ok(())
    }

    /// The stateless transaction rules of this chain.
    pub fn tx_rules(&self) -> TxRules {
        TxRules {
            chain_id: self.chain_id.clone(),
            max_tx_bytes: self.max_tx_bytes,
            max_gas: self.block_gas_limit,
        }
    }

    /// Every member as (organisation, kind, key, roles).
    pub fn members(&self) -> Vec<(String, OrgKind, PublicKey, Vec<NodeRole>)> {
        let mut out = Vec::new();
        for org in &self.organisations {
            for m in &org.members {
                if let Some(key) = parse_key(&m.public_key) {
                    out.push((
                        org.id.clone(),
                        org.kind.into(),
                        key,
                        m.roles.iter().map(|r| NodeRole::from(*r)).collect(),
                    ));
                }
            }
        }
        out
    }
}

/// A public key from 64 hex digits, if they are a valid ed25519 point.
pub fn parse_key(text: &str) -> Option<PublicKey> {
    let bytes: [u8; 32] = hex::decode(text.trim_start_matches("0x"))
        .ok()?
        .try_into()
        .ok()?;
    ed25519_dalek::VerifyingKey::from_bytes(&bytes).ok()?;
    Some(PublicKey(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";

    fn text(extra: &str) -> String {
        format!(
            r#"chain_id = "c"
genesis_time = 1767225600
{extra}
[[organisations]]
id = "h"
kind = "hospital"
[[organisations.members]]
name = "v"
public_key = "{KEY}"
roles = ["validator", "member"]
"#
        )
    }

    #[test]
    fn a_genesis_round_trips_and_defaults_apply() {
        let g = Genesis::from_toml(&text("")).unwrap();
        assert_eq!(g.block_gas_limit, DEFAULT_BLOCK_GAS_LIMIT);
        assert_eq!(Genesis::from_toml(&g.to_toml()).unwrap(), g);
        assert_eq!(g.members().len(), 1);
    }

    #[test]
    fn typos_bad_keys_and_validator_less_chains_are_refused() {
        assert!(matches!(
            Genesis::from_toml(&text("block_gas_limt = 5")),
            Err(GenesisError::Toml(_))
        ));
        let bad = text("").replace(KEY, &"zz".repeat(32));
        assert!(matches!(
            Genesis::from_toml(&bad),
            Err(GenesisError::BadKey { .. })
        ));
        let no_validator = text("").replace(r#"["validator", "member"]"#, r#"["member"]"#);
        assert!(matches!(
            Genesis::from_toml(&no_validator),
            Err(GenesisError::Invalid(_))
        ));
    }
}
