//! Why a BloodBank call fails, and how it reverts.

use crate::types::*;
use carechain_consent_api::Role;
use carechain_sdk::ContractError;
use carechain_sdk::prelude::*;

/// Why a call failed. A failed call changes nothing and emits nothing.
#[derive(Encode, Decode, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum Error {
    /// The caller (or the named practitioner) is not an active actor with the role. `None`:
    /// one of several roles, as the message's documentation lists.
    Unauthorized {
        /// The role needed.
        required_role: Option<Role>,
    },
    /// A unit with this DIN and product code exists.
    DuplicateUnit,
    /// No such unit (or no unit of this DIN).
    UnitNotFound,
    /// The unit is not in stock for this use.
    UnitNotAvailable {
        /// Its status.
        status: UnitStatus,
    },
    /// The unit's expiry has passed (`now >= expiry`).
    UnitExpired,
    /// ABO incompatible.
    AboIncompatible,
    /// RhD incompatible.
    RhdIncompatible,
    /// Platelets: donor plasma incompatible with the recipient's group.
    PlateletPlasmaIncompatible,
    /// Platelets: RhD+ to an rh_sensitive recipient while RhD- units are available here.
    RhdNegativeAvailable,
    /// Red cells need a Compatible crossmatch; none is recorded.
    CrossmatchRequired,
    /// The crossmatch is no longer valid.
    CrossmatchExpired,
    /// The crossmatch is Incompatible.
    CrossmatchIncompatible,
    /// AccessConsent denied the access.
    ConsentRequired,
    /// The unit is allocated or issued to another recipient.
    RecipientMismatch,
    /// The entity's current state does not allow this.
    InvalidTransition {
        /// What.
        entity: Entity,
        /// Its state.
        from: State,
        /// The state the call would have moved it to.
        attempted: State,
    },
    /// Added: an `event_time` or sample time is after the block time.
    FutureTimestamp,
    /// Added: the DIN is not 13 characters of ISBT 128 syntax.
    InvalidDin,
    /// Added: the product code (or prefix) is not ISBT 128 syntax.
    InvalidProductCode,
    /// Added: no registered prefix matches the product code.
    UnknownProductCode,
    /// Added: the recipient has not been registered (typed).
    RecipientNotFound,
    /// Added: the caller does not hold the unit.
    NotCustodian,
    /// Added: the new custodian is not an active BloodEstablishment or TransfusionService.
    InvalidCustodian,
    /// Added: another component of this DIN has a different donor, ABO or RhD.
    DonationMismatch,
    /// Added: the DIN already has `MAX_COMPONENTS_PER_DIN` components.
    TooManyComponents,
    /// Added: emergency release of a unit that is not the universal unit of its class needs
    /// a MedicalDirector's co-signature.
    MedicalDirectorCosignRequired,
    /// Added: `expire_unit` before the unit's expiry.
    NotYetExpired,
    /// Added: AccessConsent could not be asked (e.g. this contract is not trusted there).
    ConsentUnavailable,
    /// Added: a time or counter overflowed.
    ArithmeticOverflow,
    /// Added: emergency release to a recipient of unknown type needs the universal ABO group of
    /// the class (group O red cells, AB plasma); a co-signature waives RhD, not ABO.
    UniversalAboRequired,
    /// Added: the caller may not read this record (minimum necessary): units and traces are for
    /// the blood-bank roles and regulators, a recipient's records for the transfusion service,
    /// the medical director, regulators and the recipient's patients.
    NotAuthorizedToRead,
}

impl ContractError for Error {}
