//! Why an AccessConsent call fails.

use crate::types::*;
use carechain_consent_api::Role;
use carechain_sdk::ContractError;
use carechain_sdk::prelude::*;

/// Why a call failed. A failed call changes nothing and emits nothing.
#[derive(Encode, Decode, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum Error {
    /// The caller is not an active actor with the role (`None`: any registered active actor).
    Unauthorized {
        /// The role the call needs.
        required_role: Option<Role>,
    },
    /// A consent with this id exists.
    DuplicateConsent,
    /// No consent has this id.
    ConsentNotFound,
    /// A period ends at or before it starts.
    InvalidPeriod,
    /// The entity's current state does not allow this.
    InvalidTransition {
        /// What.
        entity: Entity,
        /// Its state.
        from: State,
        /// The state the call would have moved it to.
        attempted: State,
    },
    /// The caller does not act for this subject, or two consents are of different subjects.
    SubjectMismatch,
    /// The purpose cannot be used here (BTG goes through `break_glass`).
    UnknownPurpose,
    /// No actor has this address.
    ActorNotFound,
    /// No access log entry has this sequence number.
    LogEntryNotFound,
    /// The subject has `MAX_CONSENTS_PER_SUBJECT` consents already.
    TooManyConsents,
    /// Only contracts the network admin trusts may ask on behalf of another actor.
    NotTrustedContract,
    /// A text argument is too long.
    TooLong,
    /// A counter overflowed.
    ArithmeticOverflow,
    /// The caller may not read this record: it is not the subject's patient, an actor the
    /// consent names, a privacy officer or a regulator (minimum necessary).
    NotAuthorizedToRead,
}

impl ContractError for Error {}
