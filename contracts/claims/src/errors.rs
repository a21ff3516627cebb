//! Why a Claims call fails.

use crate::types::*;
use carechain_consent_api::Role;
use carechain_sdk::ContractError;
use carechain_sdk::prelude::*;

/// Why a call failed. A failed call changes nothing and emits nothing.
#[derive(Encode, Decode, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum Error {
    /// The caller is not an active actor with this role in AccessConsent's directory.
    Unauthorized {
        /// The role the call needs.
        required_role: Role,
    },
    /// An original (frequency 1) claim with this `(provider, claim_id)` exists and its
    /// latest version is not Rejected.
    DuplicateClaimId,
    /// A replacement or void names a claim that does not exist.
    OriginalNotFound,
    /// No claim (or no such version) has this key.
    ClaimNotFound,
    /// The entity's current state does not allow this.
    InvalidTransition {
        /// What.
        entity: Entity,
        /// Its state.
        from: State,
        /// The state the call would have moved it to.
        attempted: State,
    },
    /// Only the claim's payer may do this.
    NotClaimPayer,
    /// No coverage has this id.
    CoverageNotFound,
    /// The line determinations do not match the claim's lines one for one.
    LineCountMismatch,
    /// A payment must equal the claim's total benefit.
    PaymentMismatch,
    /// An amount or counter would overflow.
    ArithmeticOverflow,
    /// (Added.) The coverage belongs to another payer.
    NotCoveragePayer,
    /// (Added.) A period ends at or before it starts.
    InvalidPeriod,
    /// (Added.) A negative amount, zero units, coinsurance above 10000 bps, an OOP maximum
    /// below the deductible, or accumulators outside the plan's limits.
    InvalidAmount,
    /// (Added.) A procedure code is not 5 digits or capital letters, or an identifier is
    /// empty, too long or not printable ASCII.
    InvalidCode,
    /// (Added.) A claim has no lines or more than 50, its lines are not numbered 1..n, or a
    /// replacement or void changes the subject or the payer.
    InvalidClaim,
    /// (Added.) A plan lists a code twice in one list, or more than 128 codes in one list.
    InvalidPlan,
    /// (Added.) The service date is after the block time (P3).
    FutureTimestamp,
    /// (Added.) The AccessConsent contract could not be asked (not deployed at the
    /// configured address, or this contract is not trusted there).
    ConsentUnavailable,
    /// (Added.) The caller may not read this record: it is not a party, a key of a party's
    /// organisation, a patient of the subject or a regulator (minimum necessary).
    NotAuthorizedToRead,
}

impl ContractError for Error {}
