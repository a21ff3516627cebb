//! BloodBank's events: one primary event per successful call.

use crate::types::*;
use carechain_consent_api::SubjectId;
use carechain_sdk::prelude::*;

/// The configuration changed.
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct ConfigChanged {
    /// The configuration before.
    pub from: Config,
    /// The configuration after.
    pub to: Config,
    /// The NetworkAdmin.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A product-code prefix was registered or replaced.
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct ProductCodeRegistered {
    /// The prefix.
    #[topic]
    pub prefix: String,
    /// Its rule before (none: new).
    pub from: Option<ProductRule>,
    /// Its rule now.
    pub to: ProductRule,
    /// The NetworkAdmin.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A recipient was typed (registered or re-typed).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct RecipientRegistered {
    /// The recipient.
    #[topic]
    pub subject: SubjectId,
    /// The typing before (none: new).
    pub from: Option<Recipient>,
    /// The typing now.
    pub to: Recipient,
    /// The TransfusionService.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A unit was registered (Collected).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct UnitRegistered {
    /// The donation.
    #[topic]
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// Its class.
    pub class: ComponentClass,
    /// ABO group.
    pub abo: Abo,
    /// RhD type.
    pub rhd: RhD,
    /// Expiry.
    pub expiry: u64,
    /// Its status (Collected).
    pub to: UnitStatus,
    /// The BloodEstablishment.
    #[topic]
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A unit changed status (start_testing, release_reservation, quarantine, discard,
/// expire_unit).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct UnitStatusChanged {
    /// The donation.
    #[topic]
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// Status before.
    pub from: UnitStatus,
    /// Status after.
    pub to: UnitStatus,
    /// Who.
    #[topic]
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A unit passed testing (InTesting -> Available).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct ReleasedFromTesting {
    /// The donation.
    #[topic]
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// Hash of the test results.
    pub tests_hash: DocHash,
    /// Status before.
    pub from: UnitStatus,
    /// Status after.
    pub to: UnitStatus,
    /// The BloodEstablishment.
    #[topic]
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A unit changed hands (status unchanged).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct CustodyTransferred {
    /// The donation.
    #[topic]
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// Its status.
    pub status: UnitStatus,
    /// The custodian before.
    #[topic]
    pub from: Address,
    /// The custodian after.
    #[topic]
    pub to: Address,
    /// Who (the custodian before).
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// An in-range temperature reading was logged (status unchanged).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct TemperatureRecorded {
    /// The donation.
    #[topic]
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// Its status.
    pub status: UnitStatus,
    /// Storage or transport.
    pub context: TempContext,
    /// Tenths of °C.
    pub tenths_c: i32,
    /// When it was measured.
    pub event_time: u64,
    /// The log chain after this reading.
    pub temp_log_hash: DocHash,
    /// The custodian.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A temperature reading outside the limits: an Available, Reserved or Issued unit is
/// quarantined (a business outcome, not an error).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct ColdChainExcursion {
    /// The donation.
    #[topic]
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// Status before.
    pub from: UnitStatus,
    /// Status after.
    pub to: UnitStatus,
    /// Storage or transport.
    pub context: TempContext,
    /// Tenths of °C.
    pub tenths_c: i32,
    /// When it was measured.
    pub event_time: u64,
    /// The log chain after this reading.
    pub temp_log_hash: DocHash,
    /// The custodian.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A unit was allocated to a recipient (Available -> Reserved).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct UnitReserved {
    /// The donation.
    #[topic]
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// The recipient.
    #[topic]
    pub recipient: SubjectId,
    /// Status before.
    pub from: UnitStatus,
    /// Status after.
    pub to: UnitStatus,
    /// The TransfusionService.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A crossmatch was recorded; a Compatible one reserves an Available unit.
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct CrossmatchRecorded {
    /// The donation.
    #[topic]
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// The recipient.
    #[topic]
    pub recipient: SubjectId,
    /// Method.
    pub method: CrossmatchMethod,
    /// Result.
    pub result: CrossmatchResult,
    /// Valid until (exclusive).
    pub valid_until: u64,
    /// Status before.
    pub from: UnitStatus,
    /// Status after.
    pub to: UnitStatus,
    /// The TransfusionService.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A unit was issued for transfusion.
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct UnitIssued {
    /// The donation.
    #[topic]
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// The recipient.
    #[topic]
    pub recipient: SubjectId,
    /// The ordering practitioner (consent checked for them).
    pub practitioner: Address,
    /// Warnings of the compatibility check.
    pub warnings: Vec<Warning>,
    /// Status before.
    pub from: UnitStatus,
    /// Status after.
    pub to: UnitStatus,
    /// The TransfusionService.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A MedicalDirector co-signed an emergency release (status unchanged).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct EmergencyReleaseAuthorized {
    /// The donation.
    #[topic]
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// The recipient.
    #[topic]
    pub recipient: SubjectId,
    /// The unit's status.
    pub status: UnitStatus,
    /// Usable until (exclusive).
    pub valid_until: u64,
    /// The MedicalDirector.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A unit was released uncrossmatched in an emergency (break-the-glass consent).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct EmergencyRelease {
    /// The donation.
    #[topic]
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// The recipient.
    #[topic]
    pub recipient: SubjectId,
    /// The requesting physician.
    pub physician: Address,
    /// The co-signing MedicalDirector, if any.
    pub cosigned_by: Option<Address>,
    /// Status before.
    pub from: UnitStatus,
    /// Status after.
    pub to: UnitStatus,
    /// The TransfusionService.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A transfusion started (Issued -> Transfused).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct TransfusionStarted {
    /// The donation.
    #[topic]
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// The recipient.
    #[topic]
    pub recipient: SubjectId,
    /// Status before.
    pub from: UnitStatus,
    /// Status after.
    pub to: UnitStatus,
    /// The practitioner.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A transfusion ended without reaction.
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct TransfusionEnded {
    /// The donation.
    #[topic]
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// The recipient.
    #[topic]
    pub recipient: SubjectId,
    /// When it started.
    pub started_at: u64,
    /// Transfusion state before (InProgress).
    pub from: State,
    /// Transfusion state after (Completed).
    pub to: State,
    /// The practitioner.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A transfusion ended with a reaction (hemovigilance).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct TransfusionReaction {
    /// The donation.
    #[topic]
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// The recipient.
    #[topic]
    pub recipient: SubjectId,
    /// The reaction.
    pub reaction: ReactionCode,
    /// When it started.
    pub started_at: u64,
    /// Transfusion state before (InProgress).
    pub from: State,
    /// Transfusion state after (Completed).
    pub to: State,
    /// The practitioner.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// An issued unit came back: to stock, or discarded under the return rule.
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct UnitReturned {
    /// The donation.
    #[topic]
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// Minutes out of controlled storage.
    pub minutes_out: u32,
    /// Validated transport kept it in range.
    pub in_range: bool,
    /// Status before.
    pub from: UnitStatus,
    /// Status after.
    pub to: UnitStatus,
    /// The TransfusionService.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A MedicalDirector released a quarantined unit.
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct QuarantineReleased {
    /// The donation.
    #[topic]
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// Hash of the documented reason.
    pub reason_hash: DocHash,
    /// Status before.
    pub from: UnitStatus,
    /// Status after.
    pub to: UnitStatus,
    /// The MedicalDirector.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A donation was recalled: its non-terminal components are Quarantined{Lookback}; its
/// transfused ones are listed for recipient lookback.
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct LookbackNotice {
    /// The donation.
    #[topic]
    pub din: Din,
    /// Components quarantined, with their status before.
    pub quarantined: Vec<LookbackComponent>,
    /// Components transfused, with their recipients.
    pub transfused: Vec<LookbackRecipient>,
    /// The BloodEstablishment or Regulator.
    pub by: Address,
    /// Block time.
    pub at: u64,
}
