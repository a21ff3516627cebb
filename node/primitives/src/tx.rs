//! Signed transactions: what a member sends, how it is signed, and the checks made before
//! anything else looks at it.
//!
//! A transaction is a SCALE-encoded [`SignedTx`]: a [`TxPayload`] (chain id, sender public key,
//! nonce, gas limit and one [`Action`]) and an ed25519 signature over the Blake2b-256 of the
//! encoded payload. Its hash is the Blake2b-256 of the whole encoded transaction. The sender's
//! account address is the Blake2b-256 of its public key.
//!
//! [`SignedTx::decode_checked`] does the stateless checks — size, encoding, chain id, gas limit,
//! signature — in that order, each failure a distinct [`TxError`]; membership, roles and nonces
//! are checked against the chain's state by the mempool and the executor.

use carechain_runtime::Address;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use parity_scale_codec::{Decode, DecodeAll, Encode};

use crate::hash::blake2b_256;

/// An ed25519 public key: a member's identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode)]
pub struct PublicKey(pub [u8; 32]);

impl PublicKey {
    /// The account address of this key: its Blake2b-256.
    pub fn address(&self) -> Address {
        Address(blake2b_256(&self.0))
    }

    /// Lower-case hex, as in genesis files.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

/// A transaction hash: Blake2b-256 of the encoded [`SignedTx`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode)]
pub struct TxHash(pub [u8; 32]);

/// A role a member holds in the network (not a healthcare role: those live in the contracts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode)]
pub enum NodeRole {
    /// Runs a validator and proposes and votes on blocks.
    Validator,
    /// May deploy contracts.
    Deployer,
    /// May send transactions.
    Member,
}

/// The kind of an organisation of the consortium.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode)]
pub enum OrgKind {
    /// A hospital.
    Hospital,
    /// An insurer (payer).
    Insurer,
    /// A pharmacy.
    Pharmacy,
    /// A blood bank.
    BloodBank,
    /// A laboratory.
    Lab,
    /// A regulator.
    Regulator,
    /// A drug manufacturer (DSCSA: the brand owner that commissions serialised products).
    Manufacturer,
    /// A drug wholesale distributor.
    Wholesaler,
}

/// A change to the consortium, which a majority of organisations must approve.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum Proposal {
    /// Admit an organisation.
    AddOrganisation {
        /// Its id.
        id: String,
        /// Its kind.
        kind: OrgKind,
    },
    /// Remove an organisation and its members.
    RemoveOrganisation {
        /// Its id.
        id: String,
    },
    /// Admit a member key to an organisation.
    AddMember {
        /// The organisation.
        org: String,
        /// The member's key.
        key: PublicKey,
        /// Its roles.
        roles: Vec<NodeRole>,
    },
    /// Remove a member key.
    RemoveMember {
        /// The key.
        key: PublicKey,
    },
}

/// Consortium administration, recorded on chain.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum AdminAction {
    /// Propose a change (the proposer's organisation approves it at once).
    Propose(Proposal),
    /// Approve a pending proposal on behalf of the sender's organisation.
    Approve {
        /// The proposal's number.
        proposal: u64,
    },
    /// Anchor the head of the sender's (a node's) disclosure log: its number of entries and the
    /// hash of the last one (see [`crate::disclosure`]). It may only grow.
    AnchorDisclosures {
        /// Entries in the log.
        entries: u64,
        /// The hash of the last entry.
        head: [u8; 32],
    },
}

/// What a transaction does.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum Action {
    /// Deploy a contract and run its constructor.
    Deploy {
        /// The wasm module.
        code: Vec<u8>,
        /// Constructor input (selector and arguments).
        input: Vec<u8>,
        /// Salt for the contract address.
        salt: Vec<u8>,
    },
    /// Call a contract.
    Call {
        /// The contract.
        contract: Address,
        /// Message input (selector and arguments).
        input: Vec<u8>,
    },
    /// Administer the consortium.
    Admin(AdminAction),
}

/// The signed part of a transaction.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct TxPayload {
    /// The chain this transaction is for (no replay across chains).
    pub chain_id: String,
    /// The sender.
    pub sender: PublicKey,
    /// The sender's transaction count before this one (no replay within the chain).
    pub nonce: u64,
    /// Most gas the transaction may use.
    pub gas_limit: u64,
    /// What it does.
    pub action: Action,
}

impl TxPayload {
    /// The message the sender signs: Blake2b-256 of the encoded payload.
    pub fn signing_hash(&self) -> [u8; 32] {
        blake2b_256(&self.encode())
    }

    /// Signs the payload with `key`, which must be the sender's.
    ///
    /// # Panics
    /// If `key` is not the key of `self.sender` (a programming error of the caller).
    pub fn sign(self, key: &SigningKey) -> SignedTx {
        assert_eq!(
            key.verifying_key().to_bytes(),
            self.sender.0,
            "signing a payload with another key than its sender's"
        );
        let signature = key.sign(&self.signing_hash()).to_bytes();
        SignedTx {
            payload: self,
            signature,
        }
    }
}

/// A transaction as sent and stored.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct SignedTx {
    /// What was signed.
    pub payload: TxPayload,
    /// ed25519 signature of [`TxPayload::signing_hash`].
    pub signature: [u8; 64],
}

/// Limits the stateless checks apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxRules {
    /// The chain's id.
    pub chain_id: String,
    /// Largest encoded transaction, bytes.
    pub max_tx_bytes: usize,
    /// Largest gas limit one transaction may ask for (the block gas limit).
    pub max_gas: u64,
}

/// Why a transaction was refused. Each is a distinct, stable reason a client can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TxError {
    /// The bytes exceed the size limit.
    #[error("transaction is {size} bytes, the limit is {max}")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The bytes are not a transaction.
    #[error("malformed transaction: {0}")]
    Malformed(String),
    /// Signed for another chain.
    #[error("transaction is for chain `{found}`, this is `{expected}`")]
    WrongChain {
        /// This chain.
        expected: String,
        /// The transaction's.
        found: String,
    },
    /// The signature does not verify against the sender's key.
    #[error("bad signature")]
    BadSignature,
    /// The gas limit exceeds what a block can hold.
    #[error("gas limit {gas_limit} exceeds the block gas limit {max}")]
    GasLimitTooHigh {
        /// Asked for.
        gas_limit: u64,
        /// Allowed.
        max: u64,
    },
    /// The sender is not a member of the consortium.
    #[error("unknown signer {0}")]
    UnknownSigner(String),
    /// The sender lacks the role the action needs.
    #[error("the sender lacks the `{0:?}` role")]
    NotPermitted(NodeRole),
    /// The nonce was already used.
    #[error("nonce {found} already used; next is {expected}")]
    NonceTooLow {
        /// The sender's next nonce.
        expected: u64,
        /// The transaction's.
        found: u64,
    },
    /// The nonce is too far ahead of the sender's next one.
    #[error("nonce {found} is too far ahead of the next, {expected}")]
    NonceTooHigh {
        /// The sender's next nonce.
        expected: u64,
        /// The transaction's.
        found: u64,
    },
    /// The same transaction is already known.
    #[error("duplicate transaction")]
    Duplicate,
    /// The sender's share of the mempool, or the mempool, is full.
    #[error("mempool full: {0}")]
    MempoolFull(String),
    /// The node cannot read its state to check the transaction (a storage fault): try again
    /// later, or another node. Carries the storage error's message.
    #[error("state unavailable: {0}")]
    StateUnavailable(String),
    /// A call of a contract's read-only message (a query): its answer would land in the
    /// sender's receipt without the node's accounting of disclosures seeing it. Use `cc_query`.
    #[error("`{0}` is a read-only message: query it (cc_query) instead of sending a transaction")]
    ReadOnlyMessage(String),
}

impl TxError {
    /// A stable snake_case name for the reason, for clients and metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            TxError::TooLarge { .. } => "too_large",
            TxError::Malformed(_) => "malformed",
            TxError::WrongChain { .. } => "wrong_chain",
            TxError::BadSignature => "bad_signature",
            TxError::GasLimitTooHigh { .. } => "gas_limit_too_high",
            TxError::UnknownSigner(_) => "unknown_signer",
            TxError::NotPermitted(_) => "not_permitted",
            TxError::NonceTooLow { .. } => "nonce_too_low",
            TxError::NonceTooHigh { .. } => "nonce_too_high",
            TxError::Duplicate => "duplicate",
            TxError::MempoolFull(_) => "mempool_full",
            TxError::StateUnavailable(_) => "state_unavailable",
            TxError::ReadOnlyMessage(_) => "read_only_message",
        }
    }
}

impl SignedTx {
    /// The transaction's hash.
    pub fn hash(&self) -> TxHash {
        TxHash(blake2b_256(&self.encode()))
    }

    /// The sender's account address.
    pub fn sender(&self) -> Address {
        self.payload.sender.address()
    }

    /// Decodes `bytes` and runs the stateless checks, in order: size, encoding (exactly one
    /// transaction, nothing left over), chain id, gas limit, signature (strict ed25519).
    ///
    /// # Errors
    /// The first [`TxError`] that applies.
    pub fn decode_checked(bytes: &[u8], rules: &TxRules) -> Result<SignedTx, TxError> {
        let tx = SignedTx::decode_unverified(bytes, rules)?;
        tx.verify_signature()?;
        Ok(tx)
    }

    /// The cheap stateless checks, in order: size, encoding, chain id, gas limit; the signature
    /// is left to [`SignedTx::verify_signature`]. A node runs its other cheap checks (mempool
    /// room, nonce window) before paying for the signature.
    ///
    /// # Errors
    /// The first [`TxError`] that applies.
    pub fn decode_unverified(bytes: &[u8], rules: &TxRules) -> Result<SignedTx, TxError> {
        if bytes.len() > rules.max_tx_bytes {
            return Err(TxError::TooLarge {
                size: bytes.len(),
                max: rules.max_tx_bytes,
            });
        }
        let tx =
            SignedTx::decode_all(&mut &bytes[..]).map_err(|e| TxError::Malformed(e.to_string()))?;
        tx.check_fields(rules)?;
        Ok(tx)
    }

    /// The stateless checks after decoding: chain id, gas limit, signature.
    ///
    /// # Errors
    /// The first [`TxError`] that applies.
    pub fn check(&self, rules: &TxRules) -> Result<(), TxError> {
        self.check_fields(rules)?;
        self.verify_signature()
    }

    /// Chain id and gas limit.
    ///
    /// # Errors
    /// [`TxError::WrongChain`] or [`TxError::GasLimitTooHigh`].
    pub fn check_fields(&self, rules: &TxRules) -> Result<(), TxError> {
        if self.payload.chain_id != rules.chain_id {
            return Err(TxError::WrongChain {
                expected: rules.chain_id.clone(),
                found: self.payload.chain_id.clone(),
            });
        }
        if self.payload.gas_limit > rules.max_gas {
            return Err(TxError::GasLimitTooHigh {
                gas_limit: self.payload.gas_limit,
                max: rules.max_gas,
            });
        }
        Ok(())
    }

    /// The signature: strict ed25519 (no small-order keys or commitments, canonical scalars)
    /// over the Blake2b-256 of the encoded payload, by the sender's key.
    ///
    /// # Errors
    /// [`TxError::BadSignature`].
    pub fn verify_signature(&self) -> Result<(), TxError> {
        let key =
            VerifyingKey::from_bytes(&self.payload.sender.0).map_err(|_| TxError::BadSignature)?;
        key.verify_strict(
            &self.payload.signing_hash(),
            &Signature::from_bytes(&self.signature),
        )
        .map_err(|_| TxError::BadSignature)
    }
}

/// A new random signing key, from the operating system's randomness.
///
/// # Errors
/// If the OS has no randomness to give.
pub fn generate_key() -> Result<SigningKey, getrandom::Error> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)?;
    Ok(SigningKey::from_bytes(&seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> SigningKey {
        SigningKey::from_bytes(&[n; 32])
    }

    fn rules() -> TxRules {
        TxRules {
            chain_id: "test".into(),
            max_tx_bytes: 1024,
            max_gas: 1_000_000,
        }
    }

    fn payload(k: &SigningKey) -> TxPayload {
        TxPayload {
            chain_id: "test".into(),
            sender: PublicKey(k.verifying_key().to_bytes()),
            nonce: 7,
            gas_limit: 500_000,
            action: Action::Call {
                contract: Address([9; 32]),
                input: vec![1, 2, 3, 4],
            },
        }
    }

    /// The encoding is what is hashed and signed: it must never change by accident.
    #[test]
    fn golden_encoding_and_hash() {
        let tx = payload(&key(1)).sign(&key(1));
        let bytes = tx.encode();
        // chain id (compact length 4, "test"), sender key, nonce 7 LE, gas 500000 LE,
        // Action::Call (variant 1), contract, input (compact length 4), signature.
        let head = format!(
            "10{}{}{}{}01{}10{}",
            hex::encode("test"),
            hex::encode(tx.payload.sender.0),
            "0700000000000000",
            "20a1070000000000",
            "09".repeat(32),
            "01020304"
        );
        assert_eq!(hex::encode(&bytes[..bytes.len() - 64]), head);
        assert_eq!(&bytes[bytes.len() - 64..], &tx.signature[..]);
        // Ed25519 signatures are deterministic, so the hash is fixed for this key and payload.
        assert_eq!(hex::encode(tx.hash().0), GOLDEN_HASH);
        assert_eq!(SignedTx::decode_checked(&bytes, &rules()).unwrap(), tx);
    }

    const GOLDEN_HASH: &str = "507bcbc4a8394d7eec85dbd37e0606ebedb90e9e350809ab07dc4f3dab570f9e";

    #[test]
    fn each_stateless_check_has_its_own_error() {
        let good = payload(&key(1)).sign(&key(1));
        let mut r = rules();
        r.max_tx_bytes = 10;
        assert!(matches!(
            SignedTx::decode_checked(&good.encode(), &r),
            Err(TxError::TooLarge { .. })
        ));
        assert!(matches!(
            SignedTx::decode_checked(&[1, 2, 3], &rules()),
            Err(TxError::Malformed(_))
        ));
        let mut trailing = good.encode();
        trailing.push(0);
        assert!(matches!(
            SignedTx::decode_checked(&trailing, &rules()),
            Err(TxError::Malformed(_))
        ));
        let mut other_chain = payload(&key(1));
        other_chain.chain_id = "other".into();
        assert!(matches!(
            SignedTx::decode_checked(&other_chain.sign(&key(1)).encode(), &rules()),
            Err(TxError::WrongChain { .. })
        ));
        let mut forged = good.clone();
        forged.payload.nonce += 1;
        assert_eq!(
            SignedTx::decode_checked(&forged.encode(), &rules()),
            Err(TxError::BadSignature)
        );
        // The cheap checks alone let it through; the signature check is what refuses it.
        let unverified = SignedTx::decode_unverified(&forged.encode(), &rules()).unwrap();
        assert_eq!(unverified.verify_signature(), Err(TxError::BadSignature));
        assert_eq!(good.verify_signature(), Ok(()));
        let mut greedy = payload(&key(1));
        greedy.gas_limit = 2_000_000;
        assert!(matches!(
            SignedTx::decode_checked(&greedy.sign(&key(1)).encode(), &rules()),
            Err(TxError::GasLimitTooHigh { .. })
        ));
    }
}
