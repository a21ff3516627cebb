//! BloodBank: blood components identified by ISBT 128 (DIN + product code) and traced vein to
//! vein: collection, testing, cold chain, ABO/RhD compatibility, crossmatch, consented issue,
//! emergency release, transfusion with hemovigilance, return, quarantine and lookback.
#![no_std]
// Each type and event the contract module imports is fetched by one more nested macro
// expansion (see `carechain_sdk`, "Types defined outside the contract module").
#![recursion_limit = "256"]
#![warn(missing_docs)]

#[macro_use]
mod types;
#[macro_use]
mod errors;
#[macro_use]
mod events;
mod access;
mod collection;
mod compatibility;
mod configuration;
mod disposition;
mod inventory;
mod isbt128;
mod issue;
mod queries;
mod reading;
mod storage;
mod transfusion;
mod units;

/// BloodBank (ISBT 128, vein-to-vein), as DOMAIN.md §3 specifies it.
///
/// A unit is a blood component keyed by its ISBT 128 Donation Identification Number (DIN, data
/// structure 001, 13 characters: the 5-character Facility Identification Number, a 2-digit year
/// and a 6-digit sequence; flag and check characters are not stored) and its Product Code (data
/// structure 003, 8 characters: the 5-character product description code (E-code), the donation
/// type and the two division characters). Divisions and splits have their own product codes
/// under the same DIN. Product codes are opaque: the NetworkAdmin registers product-code
/// prefixes with their component class and low-titer / irradiated attributes.
///
/// No personal health information is stored: donors and recipients are pseudonymous
/// `SubjectId`s (donors under a different key), documents are hashes. Roles come from the
/// AccessConsent actor directory (`has_role`); issue asks AccessConsent for the practitioner's
/// TREAT access to the recipient's Transfusion data (`check_access_for`), and emergency
/// release breaks the glass (`break_glass_for`): the admin must make this contract trusted in
/// AccessConsent (`set_trusted_contract`).
///
/// **Unit state machine** (DOMAIN.md, unchanged):
/// ```text
/// Collected -> InTesting -> Available | Discarded
/// Available -> Reserved | Quarantined | Discarded | Expired
/// Reserved -> Issued | Available | Quarantined
/// Issued -> Transfused | Available | Quarantined
/// Quarantined -> Available | Discarded
/// Transfused, Discarded, Expired: terminal
/// ```
/// A refused move fails with `InvalidTransition{entity, from, attempted}`, except that the
/// messages that put a unit to use for a patient (`reserve`, `record_crossmatch`, `issue`,
/// `authorize_emergency_release`, `emergency_release`) fail with `UnitNotAvailable{status}` when
/// the unit is not in stock (neither Available nor Reserved), and `transfer_custody` (which
/// moves no status) with `UnitNotAvailable{status}` for a Reserved, Issued or terminal unit.
/// Any call on a non-terminal unit with `now >= expiry` fails with `UnitExpired`, except
/// `expire_unit` (which needs it) and `end_transfusion` (the unit is already Transfused); so
/// does the `compatibility` dry run.
///
/// Where a message's specified effect needs two edges of the machine, it takes both in one
/// call and its one event reports the first `from` and the last `to`:
/// * `issue` and `emergency_release` of an Available unit allocate it to the recipient and issue
///   it (Available -> Reserved -> Issued), as a laboratory system's issue does;
/// * `return_unit` outside the return rule quarantines and discards the unit
///   (Issued -> Quarantined -> Discarded{ReturnNotAcceptable}).
///
/// Two edges are added where the specification's messages require a move its machine lacks:
/// * `expire_unit` records Expired from **every** non-terminal status (a unit past expiry
///   anywhere but Available could otherwise never reach a terminal state, since every other
///   call on it fails with `UnitExpired`);
/// * `recall_donation` quarantines **every** non-terminal component, including Collected and
///   InTesting ones (Quarantined{Lookback}); such a unit never passed testing, so
///   `release_quarantine` refuses it (`InvalidTransition`) and it can only be discarded.
///
/// **Who may read** (minimum necessary; queries run as the authenticated caller): units,
/// donations, stock (`available`) and `vein_to_vein` traces, which carry donor and recipient
/// pseudonyms, are for BloodEstablishment, TransfusionService, MedicalDirector and Regulator; a
/// recipient's typing, crossmatches, `recipient_history` and the `compatibility` dry run for
/// TransfusionService, MedicalDirector and Regulator, and a recipient's records also for the
/// recipient's own patients (AccessConsent `acts_for`). Anyone else gets `NotAuthorizedToRead`.
/// Configuration and product codes are public.
///
/// **Configuration and choices where the specification is open** (`Config`, NetworkAdmin
/// `set_config`; defaults in brackets):
/// * `crossmatch_validity_secs` [259 200 = 72 h, the AABB 3-day sample rule **[U]**]: a
///   crossmatch is valid on `[sample_collected_at, sample_collected_at + validity)`; the end is
///   fixed when the crossmatch is recorded.
/// * `return_window_minutes` [30, the "30-minute rule", local practice **[U]**]: an issued unit
///   goes back to Available only if `in_range` and `minutes_out <= window`, else it is discarded.
/// * `emergency_authorization_secs` [3 600]: how long a MedicalDirector's co-signature of an
///   emergency release stays usable.
/// * `platelet_policy` [major mismatch: Warn; minor mismatch of a low-titer unit: Warn; other
///   minor mismatch: Reject; RhD+ to RhD-: Warn (RhIgRecommended); RhD+ to an rh_sensitive RhD-
///   recipient while an RhD- platelet unit is Available at the same location: Reject]. A rejected
///   major mismatch is `AboIncompatible`, a rejected minor one `PlateletPlasmaIncompatible`, a
///   rejected RhD+ to RhD- `RhdIncompatible`.
///
/// Fixed choices, documented:
/// * Cold chain (inclusive limits, tenths of °C; AABB storage and transport table, 21 CFR
///   600.15 and Part 640 **[U: section numbers]**): red cells and whole blood 10..=60 storage,
///   10..=100 transport; platelets 200..=240 both; plasma and cryo <= -180 both. Each reading
///   extends `temp_log_hash`, a Blake2b-256 chain over (previous hash, context, tenths_c,
///   event_time), so the off-chain log can be verified reading by reading.
/// * Red cells follow the ABO matrix and RhD rule of DOMAIN.md and need a Compatible, still
///   valid crossmatch. Whole blood (cells and plasma) must be ABO-identical, except group O
///   low-titer whole blood, which follows the red-cell rule; RhD and crossmatch as red cells.
///   Plasma follows the reverse rule, RhD ignored, no crossmatch; cryo is treated as plasma
///   **[U: many services accept any ABO group for adult cryo]**. Platelets follow
///   `platelet_policy`; `AllowedWithWarning` lists every warning that applies (e.g. both
///   AboMajorMismatch and RhIgRecommended), in that order.
/// * Compatibility is checked at `issue` (the last point of control before a unit leaves the
///   blood bank) and by the `compatibility` dry run; `reserve` only allocates.
/// * The RhD-negative-available rule looks at the inventory index of Available units of the
///   unit's location (its custodian): RhD- platelet units of any ABO group, not past expiry, that
///   the recipient could receive under the platelet policy (a unit the policy would refuse for
///   its ABO group is no alternative and blocks nothing);
///   it reads at most `MAX_NEGATIVE_SCAN` index entries per ABO group (bounded gas); an Available
///   unit past its expiry is skipped (run `expire_unit` to clear it).
/// * Emergency release without a MedicalDirector co-signature needs the universal unit of its
///   class: group O RhD- red cells (DOMAIN.md); group O RhD- low-titer whole blood; group AB
///   plasma or cryo (plasma carries the antibodies, so the universal plasma donor is AB); RhD-
///   platelets that are group AB or low-titer. With a co-signature (`authorize_emergency_release`
///   for this unit and recipient, within `emergency_authorization_secs`) any unit may be
///   released. Either way the ABO rule holds: for a registered recipient the class's ABO rule,
///   for a recipient of unknown type the universal ABO group of the class (group O red cells,
///   group O low-titer whole blood, AB plasma or cryo, AB or low-titer platelets; AABB: a
///   co-signature waives the RhD rule, never ABO, `UniversalAboRequired` otherwise); a recorded
///   Incompatible crossmatch of the unit with the recipient refuses it; RhD rules and the
///   crossmatch requirement are waived. Consent is `break_glass_for(physician, recipient,
///   Transfusion, "EMERGENCY_RELEASE")`; the recipient need not be registered (unknown patient).
/// * Recipients are registered (or re-typed: register again) by the TransfusionService that
///   does the type and screen.
/// * A unit's custodian is its `location`: the BloodEstablishment that registered it, then
///   whoever it is transferred to (`transfer_custody`, to an active BloodEstablishment or
///   TransfusionService). Unit handling needs the custodian; `quarantine` may also be done by a
///   MedicalDirector, `release_quarantine` only by one.
/// * `expire_unit` is open to any caller. Queries are open to any caller: the chain's state is
///   visible to every node, and privacy rests on pseudonymous ids (P1).
/// * A `Deny` at issue is the error `ConsentRequired` (DOMAIN.md §5), so AccessConsent's log
///   entry of that denial rolls back with the failed call.
/// * DIN syntax: the first character A-N, P-Z or 1-9, then 12 digits. Product code syntax: an
///   upper-case letter, 4 digits, an upper-case letter or digit (donation type), then the
///   division characters (an upper-case letter or digit, a lower-case letter or digit)
///   **[U: exact character sets from ICCBBA ST-001]**. An expiry is the half-open end in Unix
///   seconds: a date-only ISBT 128 expiry D is sent as D+1 00:00:00Z.
#[carechain_sdk::contract]
pub mod blood_bank {
    use crate::errors::Error;
    use crate::reading::{CLINICAL, STAFF, require_reader};
    use crate::types::{
        Abo, Compatibility, CompatibilityReport, ComponentClass, ComponentTrace, Config,
        Crossmatch, CrossmatchCheck, CrossmatchMethod, CrossmatchResult, Din, DiscardReason,
        DocHash, Entity, HistoryEntry, LookbackComponent, LookbackRecipient, NewUnit,
        PlateletPolicy, PolicyAction, ProductCode, ProductRule, QuarantineReason, ReactionCode,
        Recipient, Rejection, RhD, State, TempContext, Transfusion, Unit, UnitKey, UnitStatus,
        VeinToVein, Warning,
    };
    use carechain_consent_api::Role;
    use carechain_consent_api::SubjectId;
    use carechain_sdk::prelude::*;

    // In the order the metadata lists them (kept from rustfmt, which would sort them).
    #[rustfmt::skip]
    #[events]
    use crate::events::{
        ConfigChanged,
        ProductCodeRegistered,
        RecipientRegistered,
        UnitRegistered,
        UnitStatusChanged,
        ReleasedFromTesting,
        CustodyTransferred,
        TemperatureRecorded,
        ColdChainExcursion,
        UnitReserved,
        CrossmatchRecorded,
        UnitIssued,
        EmergencyReleaseAuthorized,
        EmergencyRelease,
        TransfusionStarted,
        TransfusionEnded,
        TransfusionReaction,
        UnitReturned,
        QuarantineReleased,
        LookbackNotice,
    };

    /// Creates the blood bank, asking AccessConsent at `consent` for roles and consent.
    /// Configuration starts at its defaults.
    #[constructor]
    pub fn new(consent: Address) {
        crate::configuration::new(consent)
    }

    /// Replaces the configuration. NetworkAdmin only.
    #[message]
    pub fn set_config(config: Config) -> Result<(), Error> {
        crate::configuration::set_config(config)
    }

    /// Registers (or replaces) what product codes starting with `prefix` (1 to 8 characters of
    /// product-code syntax, e.g. an E-code) are. The longest matching prefix wins. NetworkAdmin
    /// only.
    #[message]
    pub fn register_product_code(prefix: String, rule: ProductRule) -> Result<(), Error> {
        crate::configuration::register_product_code(prefix, rule)
    }

    /// Registers a recipient's type and screen, or re-types them. TransfusionService only.
    #[message]
    pub fn register_recipient(recipient: Recipient) -> Result<(), Error> {
        crate::configuration::register_recipient(recipient)
    }

    /// Registers a collected unit from its label; the caller becomes its custodian.
    /// BloodEstablishment only.
    #[message]
    pub fn register_unit(unit: NewUnit) -> Result<(), Error> {
        crate::collection::register_unit(unit)
    }

    /// Collected -> InTesting. BloodEstablishment custodian.
    #[message]
    pub fn start_testing(unit: UnitKey) -> Result<(), Error> {
        crate::collection::start_testing(unit)
    }

    /// InTesting -> Available, with the hash of the donor test results. BloodEstablishment
    /// custodian. (A failed test: `discard` with `TestReactive`.)
    #[message]
    pub fn release_from_testing(unit: UnitKey, tests_hash: DocHash) -> Result<(), Error> {
        crate::collection::release_from_testing(unit, tests_hash)
    }

    /// Hands a unit (Collected, InTesting, Available or Quarantined) to another custodian, an
    /// active BloodEstablishment or TransfusionService. The custodian (BloodEstablishment or
    /// TransfusionService) only.
    #[message]
    pub fn transfer_custody(unit: UnitKey, to: Address) -> Result<(), Error> {
        crate::collection::transfer_custody(unit, to)
    }

    /// Logs a temperature reading (tenths of °C) taken at `event_time` (<= now). Inside the
    /// limits of the unit's class and `context` it only extends the log; outside them it moves
    /// a Collected, InTesting, Available, Reserved or Issued unit to Quarantined{TempExcursion}
    /// (a unit exposed before release never reaches stock) and emits
    /// `ColdChainExcursion` (the call succeeds). Returns the unit's status after. Units in a
    /// terminal status take no readings. The custodian (BloodEstablishment or
    /// TransfusionService) only.
    #[message]
    pub fn record_temperature(
        unit: UnitKey,
        context: TempContext,
        tenths_c: i32,
        event_time: u64,
    ) -> Result<UnitStatus, Error> {
        crate::collection::record_temperature(unit, context, tenths_c, event_time)
    }

    /// Allocates an Available unit to a registered recipient (Available -> Reserved). No
    /// compatibility check here: `issue` makes it. TransfusionService custodian.
    #[message]
    pub fn reserve(unit: UnitKey, recipient: SubjectId) -> Result<(), Error> {
        crate::issue::reserve(unit, recipient)
    }

    /// Releases a reservation (Reserved -> Available). TransfusionService custodian.
    #[message]
    pub fn release_reservation(unit: UnitKey) -> Result<(), Error> {
        crate::issue::release_reservation(unit)
    }

    /// Records a crossmatch of the unit with `recipient`'s sample collected at
    /// `sample_collected_at` (<= now); it is valid for the configured time after collection.
    /// A Compatible crossmatch reserves an Available unit for the recipient; an Incompatible one
    /// is recorded and changes no status (issue will refuse it). TransfusionService custodian.
    #[message]
    pub fn record_crossmatch(
        unit: UnitKey,
        recipient: SubjectId,
        method: CrossmatchMethod,
        result: CrossmatchResult,
        sample_collected_at: u64,
    ) -> Result<(), Error> {
        crate::issue::record_crossmatch(unit, recipient, method, result, sample_collected_at)
    }

    /// Issues a unit to `recipient` for transfusion ordered by `practitioner` (Reserved for
    /// this recipient, or Available: allocated and issued at once). Checks, in order: the
    /// recipient is registered, the practitioner is an active Practitioner, the blood groups
    /// for the unit's class (ABO before RhD), the crossmatch for red cells and whole blood, and
    /// AccessConsent's `check_access_for(practitioner, recipient, TREAT, Transfusion, Use)`
    /// (`Deny` -> `ConsentRequired`). Returns the warnings. TransfusionService custodian.
    #[message]
    pub fn issue(
        unit: UnitKey,
        recipient: SubjectId,
        practitioner: Address,
    ) -> Result<Vec<Warning>, Error> {
        crate::issue::issue(unit, recipient, practitioner)
    }

    /// A MedicalDirector co-signs the emergency release of a unit (Available, or Reserved for
    /// this recipient) to `recipient`, usable for the configured time. MedicalDirector only.
    #[message]
    pub fn authorize_emergency_release(unit: UnitKey, recipient: SubjectId) -> Result<(), Error> {
        crate::issue::authorize_emergency_release(unit, recipient)
    }

    /// Issues a unit uncrossmatched in an emergency, requested by `physician` (an active
    /// Practitioner), for `recipient` (registered or not). Without a MedicalDirector's
    /// co-signature the unit must be the universal unit of its class (group O RhD- red cells;
    /// see the contract documentation for the other classes). A registered recipient's ABO rule
    /// still applies; RhD rules and the crossmatch requirement are waived, but a recorded
    /// Incompatible crossmatch of this unit with this recipient refuses it. Consent: AccessConsent's
    /// `break_glass_for(physician, recipient, Transfusion, "EMERGENCY_RELEASE")`, reviewed
    /// afterwards there. Emits `EmergencyRelease`. TransfusionService custodian.
    #[message]
    pub fn emergency_release(
        unit: UnitKey,
        recipient: SubjectId,
        physician: Address,
    ) -> Result<(), Error> {
        crate::issue::emergency_release(unit, recipient, physician)
    }

    /// Starts the transfusion of an issued unit at the bedside (Issued -> Transfused); the
    /// recipient must be the one it was issued to. Practitioner only.
    #[message]
    pub fn start_transfusion(unit: UnitKey, recipient: SubjectId) -> Result<(), Error> {
        crate::transfusion::start_transfusion(unit, recipient)
    }

    /// Ends a transfusion in progress (InProgress -> Completed), with the reaction if there was
    /// one: that emits `TransfusionReaction` (hemovigilance), else `TransfusionEnded`.
    /// Practitioner only.
    #[message]
    pub fn end_transfusion(unit: UnitKey, reaction: Option<ReactionCode>) -> Result<(), Error> {
        crate::transfusion::end_transfusion(unit, reaction)
    }

    /// An issued unit comes back to the blood bank. Back to Available only if `in_range`
    /// (validated transport) and `minutes_out` is within the return window (30 minutes by
    /// default); otherwise discarded (Issued -> Quarantined -> Discarded{ReturnNotAcceptable}).
    /// Returns the status after. TransfusionService custodian.
    #[message]
    pub fn return_unit(
        unit: UnitKey,
        minutes_out: u32,
        in_range: bool,
    ) -> Result<UnitStatus, Error> {
        crate::transfusion::return_unit(unit, minutes_out, in_range)
    }

    /// Puts an Available, Reserved or Issued unit on hold (any reservation is dropped). The
    /// custodian (BloodEstablishment or TransfusionService) or a MedicalDirector.
    #[message]
    pub fn quarantine(unit: UnitKey, reason: QuarantineReason) -> Result<(), Error> {
        crate::disposition::quarantine(unit, reason)
    }

    /// Releases a quarantined unit back to stock (Quarantined -> Available), with the hash of
    /// the documented reason. A unit that never passed testing (recalled while Collected or
    /// InTesting) cannot be released. MedicalDirector only.
    #[message]
    pub fn release_quarantine(unit: UnitKey, reason_hash: DocHash) -> Result<(), Error> {
        crate::disposition::release_quarantine(unit, reason_hash)
    }

    /// Discards an InTesting, Available or Quarantined unit. The custodian (BloodEstablishment
    /// or TransfusionService) only.
    #[message]
    pub fn discard(unit: UnitKey, reason: DiscardReason) -> Result<(), Error> {
        crate::disposition::discard(unit, reason)
    }

    /// Records Expired for a non-terminal unit once `now >= expiry`. Anyone may call it.
    #[message]
    pub fn expire_unit(unit: UnitKey) -> Result<(), Error> {
        crate::disposition::expire_unit(unit)
    }

    /// Recalls a donation: every non-terminal component becomes Quarantined{Lookback}; the
    /// transfused ones are listed, with their recipients, in one `LookbackNotice`.
    /// BloodEstablishment or Regulator.
    #[message]
    pub fn recall_donation(din: Din) -> Result<(), Error> {
        crate::disposition::recall_donation(din)
    }

    /// The configuration.
    #[query]
    pub fn get_config() -> Config {
        crate::configuration::get_config()
    }

    /// The AccessConsent contract asked for roles and consent.
    #[query]
    pub fn consent_contract() -> Address {
        crate::configuration::consent_contract()
    }

    /// The rule registered for exactly this prefix.
    #[query]
    pub fn get_product_code(prefix: String) -> Option<ProductRule> {
        crate::configuration::get_product_code(prefix)
    }

    /// A registered recipient's typing.
    #[query]
    pub fn get_recipient(subject: SubjectId) -> Option<Recipient> {
        require_reader(CLINICAL, Some(&subject));
        crate::configuration::get_recipient(subject)
    }

    /// A unit.
    #[query]
    pub fn get_unit(unit: UnitKey) -> Result<Unit, Error> {
        require_reader(STAFF, None);
        crate::queries::get_unit(unit)
    }

    /// Every component of a donation, in registration order.
    #[query]
    pub fn units_by_din(din: Din) -> Vec<Unit> {
        require_reader(STAFF, None);
        crate::queries::units_by_din(din)
    }

    /// The latest crossmatch of a unit with a recipient.
    #[query]
    pub fn get_crossmatch(unit: UnitKey, recipient: SubjectId) -> Option<Crossmatch> {
        require_reader(CLINICAL, Some(&recipient));
        crate::queries::get_crossmatch(unit, recipient)
    }

    /// Vein to vein: the donor, each component, the recipient it went to and its transfusion.
    #[query]
    pub fn vein_to_vein(din: Din) -> Result<VeinToVein, Error> {
        require_reader(STAFF, None);
        crate::queries::vein_to_vein(din)
    }

    /// Up to `limit` (at most `MAX_PAGE`) units issued to `subject`, from the `start`-th,
    /// oldest first, with their transfusions.
    #[query]
    pub fn recipient_history(subject: SubjectId, start: u32, limit: u32) -> Vec<HistoryEntry> {
        require_reader(CLINICAL, Some(&subject));
        crate::queries::recipient_history(subject, start, limit)
    }

    /// Up to `limit` (at most `MAX_PAGE`) Available units at `location` of a class and blood
    /// group, from the `start`-th (order is not stable across changes). A unit past its expiry
    /// is listed until `expire_unit` records it: check `expiry`.
    #[query]
    pub fn available(
        location: Address,
        class: ComponentClass,
        abo: Abo,
        rhd: RhD,
        start: u32,
        limit: u32,
    ) -> Vec<Unit> {
        require_reader(STAFF, None);
        crate::inventory::available(location, class, abo, rhd, start, limit)
    }

    /// Dry run of `issue`'s blood-group and crossmatch checks for a unit and a registered
    /// recipient (consent is not asked, nothing is logged). The unit must be in stock
    /// (Available or Reserved) and not expired.
    #[query]
    pub fn compatibility(
        unit: UnitKey,
        recipient: SubjectId,
    ) -> Result<CompatibilityReport, Error> {
        require_reader(CLINICAL, None);
        crate::compatibility::compatibility(unit, recipient)
    }
}
