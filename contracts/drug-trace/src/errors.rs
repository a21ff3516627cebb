//! Why a DrugTrace call fails, and how it reverts.

use crate::types::*;
use carechain_consent_api::Role;
use carechain_sdk::ContractError;
use carechain_sdk::prelude::*;

/// Why a call failed. A failed call changes nothing and emits nothing.
#[derive(Encode, Decode, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum Error {
    /// The caller is not an active actor with the role the call needs.
    Unauthorized {
        /// The role.
        required_role: Option<Role>,
    },
    /// The actor directory (AccessConsent) could not be asked.
    DirectoryUnavailable,
    /// The caller or the consignee is not an authorized trading partner.
    UnauthorizedTradingPartner,
    /// Trading partners trade as Manufacturer, Wholesaler or Dispenser.
    InvalidRole,
    /// An event time is after the block time.
    FutureTimestamp,
    /// Not a GTIN-14 with a valid check digit.
    InvalidGtin,
    /// Not a serial of 1 to 20 letters and digits.
    InvalidSerial,
    /// Not a lot number of 1 to 20 characters of GS1 character set 82.
    InvalidLot,
    /// Not an AI (17) date `YYMMDD`.
    InvalidExpiry,
    /// Not an SSCC-18 with a valid check digit.
    InvalidSscc,
    /// Not a GLN-13 with a valid check digit.
    InvalidGln,
    /// The list is empty.
    NoItems,
    /// More than `MAX_ITEMS` packages.
    TooManyItems,
    /// The GTIN has no registered brand owner.
    GtinNotRegistered,
    /// The GTIN is registered already.
    DuplicateGtin,
    /// The caller is not the GTIN's brand owner.
    NotBrandOwner,
    /// A package with this GTIN and serial exists.
    DuplicateSerial,
    /// The lot exists with another expiry date.
    ExpiryMismatch,
    /// No such package.
    ItemNotFound,
    /// No such container.
    ContainerNotFound,
    /// No such lot.
    LotNotFound,
    /// No such transfer.
    TransferNotFound,
    /// The caller does not have custody.
    NotCustodian,
    /// The entity's current state does not allow this.
    InvalidTransition {
        /// What.
        entity: Entity,
        /// Its state.
        from: State,
        /// The state the call would have moved it to.
        attempted: State,
    },
    /// A package is on hold.
    ItemOnHold {
        /// The hold.
        hold: Hold,
    },
    /// A package has expired.
    ProductExpired,
    /// A package's lot is recalled.
    RecalledLot,
    /// A package or container is inside a container: act on the outermost one.
    ItemInContainer,
    /// A child is in a container already.
    AlreadyAggregated {
        /// That container.
        parent: Sscc,
    },
    /// The SSCC has been used.
    DuplicateSscc,
    /// Not a child of that container.
    NotAChild,
    /// Children are at different locations.
    LocationMismatch,
    /// Containers would nest deeper than `MAX_NESTING`.
    NestingTooDeep,
    /// A change of ownership needs the TI/TS hash.
    MissingTransactionInformation,
    /// The caller is not the consignee.
    NotConsignee,
    /// An investigation with this id exists.
    DuplicateCase,
    /// No such investigation.
    CaseNotFound,
    /// Illegitimate product needs the hash of the FDA notification.
    FdaNoticeRequired,
    /// No such verification request.
    RequestNotFound,
    /// The lot is recalled already.
    AlreadyRecalled,
    /// The lot is not recalled.
    NotRecalled,
    /// Every package of the recalled lot has been processed.
    RecallComplete,
    /// A prescription with this hash exists.
    DuplicatePrescription,
    /// A prescription needs at least one fill and a validity in the future.
    InvalidPrescription,
    /// The prescription does not allow this dispense.
    PrescriptionInvalid {
        /// Why.
        reason: RxProblem,
    },
    /// The package's history is full.
    TraceFull,
    /// A counter overflowed.
    ArithmeticOverflow,
    /// The caller may not read this record (minimum necessary).
    NotAuthorizedToRead,
}

impl ContractError for Error {}
