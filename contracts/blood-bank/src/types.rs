//! BloodBank's types: ISBT 128 identity, blood groups, units and their status, recipients,
//! crossmatches, traceability records. The consent types are `carechain-consent-api`'s.

use carechain_consent_api::SubjectId;
use carechain_sdk::prelude::*;

/// Characters of a DIN (ISBT 128 data structure 001, without flags and check character).
pub const DIN_LEN: usize = 13;

/// Characters of a product code (ISBT 128 data structure 003).
pub const PRODUCT_CODE_LEN: usize = 8;

/// Most components (divisions, splits) one donation can have.
pub const MAX_COMPONENTS_PER_DIN: u32 = 32;

/// Most entries one page of a list query returns.
pub const MAX_PAGE: u32 = 50;

/// Most inventory index entries the RhD-negative-available check reads per ABO group.
pub const MAX_NEGATIVE_SCAN: u32 = 16;

/// Default crossmatch validity: 72 hours (AABB 3-day sample rule).
pub const DEFAULT_CROSSMATCH_VALIDITY_SECS: u64 = 259_200;

/// Default return window: the 30-minute rule.
pub const DEFAULT_RETURN_WINDOW_MINUTES: u32 = 30;

/// Default life of a MedicalDirector's emergency-release co-signature: one hour.
pub const DEFAULT_EMERGENCY_AUTHORIZATION_SECS: u64 = 3_600;

/// The justification code sent with break-the-glass for an emergency release.
pub const EMERGENCY_JUSTIFICATION: &str = "EMERGENCY_RELEASE";

/// An inventory bucket of Available units: (location, class, ABO, RhD).
pub(crate) type StockBucket = (Address, ComponentClass, Abo, RhD);

/// SHA-256 of the canonical JSON of an off-chain document (test results, release reason).
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct DocHash(pub [u8; 32]);

/// ISBT 128 Donation Identification Number (data structure 001): 13 characters, the
/// Facility Identification Number (5), the year (2) and the sequence number (6).
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Din(pub String);

/// ISBT 128 Product Code (data structure 003): 8 characters, E-code (5), donation type (1),
/// divisions (2).
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct ProductCode(pub String);

/// A unit's key: DIN + product code.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct UnitKey {
    /// The donation.
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
}

/// Component classes, each with its own storage and compatibility rules.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum ComponentClass {
    /// Red blood cells.
    RedCells,
    /// Platelets.
    Platelets,
    /// Plasma (frozen).
    Plasma,
    /// Cryoprecipitated AHF (frozen).
    Cryo,
    /// Whole blood.
    WholeBlood,
}

/// What a registered product-code prefix means.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct ProductRule {
    /// The component class.
    pub class: ComponentClass,
    /// Low-titer anti-A/anti-B (ISBT 128 attribute).
    pub low_titer: bool,
    /// Irradiated.
    pub irradiated: bool,
}

/// ABO group (ISBT 128 data structure 002).
#[allow(clippy::upper_case_acronyms)]
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum Abo {
    /// Group O.
    O,
    /// Group A.
    A,
    /// Group B.
    B,
    /// Group AB.
    AB,
}

/// RhD type (ISBT 128 data structure 002).
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum RhD {
    /// RhD positive.
    Pos,
    /// RhD negative.
    Neg,
}

/// Why a unit is quarantined.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum QuarantineReason {
    /// A temperature reading outside the cold-chain limits.
    TempExcursion,
    /// The donation was recalled (lookback).
    Lookback,
    /// Visual inspection failed (clots, haemolysis, leak, discoloration).
    VisualInspection,
    /// Under investigation (e.g. post-donation information, a suspected reaction).
    Investigation,
}

/// Why a unit was discarded (its final disposition).
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum DiscardReason {
    /// A required donor test was reactive or incomplete.
    TestReactive,
    /// A cold-chain excursion, confirmed.
    TempExcursion,
    /// Returned outside the return rule.
    ReturnNotAcceptable,
    /// Recalled donation (lookback).
    Lookback,
    /// Broken, leaking, or failed visual inspection.
    Damaged,
    /// Any other documented reason.
    Other,
}

/// A unit's status (DOMAIN.md §3 state machine).
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum UnitStatus {
    /// Collected, not yet in testing.
    Collected,
    /// Donor testing under way.
    InTesting,
    /// Released, in stock.
    Available,
    /// On hold.
    Quarantined {
        /// Why.
        reason: QuarantineReason,
    },
    /// Allocated to a recipient (`reserved_for`).
    Reserved,
    /// Issued for transfusion to `reserved_for`.
    Issued,
    /// Transfused (terminal).
    Transfused,
    /// Discarded (terminal).
    Discarded {
        /// Why.
        reason: DiscardReason,
    },
    /// Expired (terminal).
    Expired,
}

/// A blood component.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Unit {
    /// The donation.
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// Its class (from the product-code prefix).
    pub class: ComponentClass,
    /// ABO group.
    pub abo: Abo,
    /// RhD type.
    pub rhd: RhD,
    /// The donor's pseudonym.
    pub donor: SubjectId,
    /// Expiry: first second at which the unit is expired (half-open).
    pub expiry: u64,
    /// Status.
    pub status: UnitStatus,
    /// The custodian holding the unit.
    pub location: Address,
    /// Low-titer anti-A/anti-B.
    pub low_titer: bool,
    /// Irradiated.
    pub irradiated: bool,
    /// The recipient it is allocated, issued or transfused to.
    pub reserved_for: Option<SubjectId>,
    /// Blake2b-256 chain over every temperature reading (zero before the first).
    pub temp_log_hash: DocHash,
    /// Hash of the donor test results it was released with.
    pub tests_hash: Option<DocHash>,
    /// Block time of registration.
    pub registered_at: u64,
    /// Block time of the last change.
    pub updated_at: u64,
}

/// A unit as the blood establishment registers it (read from its ISBT 128 label).
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct NewUnit {
    /// The donation.
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// ABO group.
    pub abo: Abo,
    /// RhD type.
    pub rhd: RhD,
    /// The donor's pseudonym.
    pub donor: SubjectId,
    /// Expiry (half-open end, Unix seconds).
    pub expiry: u64,
}

/// A transfusion recipient's blood type. `rh_sensitive` means RhD-negative with
/// childbearing potential or other local criteria: a flag, never an age or sex.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Recipient {
    /// The patient's pseudonym.
    pub subject: SubjectId,
    /// ABO group.
    pub abo: Abo,
    /// RhD type.
    pub rhd: RhD,
    /// Avoid RhD+ exposure where possible.
    pub rh_sensitive: bool,
}

/// Crossmatch method.
#[allow(clippy::upper_case_acronyms)]
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum CrossmatchMethod {
    /// Electronic (computer) crossmatch.
    Electronic,
    /// Immediate-spin crossmatch.
    ImmediateSpin,
    /// Antiglobulin (AHG) crossmatch.
    AHG,
}

/// Crossmatch result.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum CrossmatchResult {
    /// Compatible.
    Compatible,
    /// Incompatible.
    Incompatible,
}

/// A crossmatch of a unit with a recipient's sample (the latest one counts).
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Crossmatch {
    /// The donation.
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// The recipient.
    pub recipient: SubjectId,
    /// Method.
    pub method: CrossmatchMethod,
    /// Result.
    pub result: CrossmatchResult,
    /// When the recipient's sample was collected.
    pub sample_collected_at: u64,
    /// `sample_collected_at` + the configured validity (exclusive).
    pub valid_until: u64,
    /// Who recorded it.
    pub recorded_by: Address,
    /// Block time of recording.
    pub recorded_at: u64,
}

/// Transfusion reaction categories (CDC NHSN Hemovigilance Module / ISBT working party on
/// haemovigilance definitions), for hemovigilance reporting.
#[allow(clippy::upper_case_acronyms)]
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum ReactionCode {
    /// Allergic reaction.
    Allergic,
    /// Acute hemolytic transfusion reaction.
    AHTR,
    /// Delayed hemolytic transfusion reaction.
    DHTR,
    /// Delayed serologic transfusion reaction.
    DSTR,
    /// Febrile non-hemolytic transfusion reaction.
    FNHTR,
    /// Hypotensive transfusion reaction.
    HTR,
    /// Post-transfusion purpura.
    PTP,
    /// Transfusion-associated circulatory overload.
    TACO,
    /// Transfusion-associated dyspnea.
    TAD,
    /// Transfusion-associated graft-versus-host disease.
    TAGVHD,
    /// Transfusion-related acute lung injury.
    TRALI,
    /// Transfusion-transmitted infection.
    TTI,
    /// Other or unknown.
    Other,
}

/// A transfusion of a unit.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Transfusion {
    /// The donation.
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// The recipient.
    pub recipient: SubjectId,
    /// The practitioner who started it.
    pub practitioner: Address,
    /// Block time of start.
    pub started_at: u64,
    /// Block time of end.
    pub ended_at: Option<u64>,
    /// The reaction, if any.
    pub reaction_code: Option<ReactionCode>,
}

/// Where a temperature was measured.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum TempContext {
    /// In storage.
    Storage,
    /// In transport.
    Transport,
}

/// What a platelet policy rule does.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum PolicyAction {
    /// Allowed silently.
    Allow,
    /// Allowed with a warning.
    Warn,
    /// Rejected.
    Reject,
}

/// The local platelet ABO/RhD policy.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct PlateletPolicy {
    /// Donor antigen absent from the recipient's cells (e.g. A -> O).
    pub abo_major_mismatch: PolicyAction,
    /// Donor plasma against the recipient's group (e.g. O -> A), low-titer unit.
    pub abo_minor_mismatch_low_titer: PolicyAction,
    /// Donor plasma against the recipient's group, unit not low-titer.
    pub abo_minor_mismatch: PolicyAction,
    /// RhD+ platelets to an RhD- recipient.
    pub rhd_pos_to_neg: PolicyAction,
    /// RhD+ platelets to an rh_sensitive RhD- recipient while an RhD- platelet unit is
    /// Available at the same location.
    pub rhd_negative_available: PolicyAction,
}

/// Network configuration of the open [U] items.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Config {
    /// Crossmatch validity after sample collection, seconds.
    pub crossmatch_validity_secs: u64,
    /// Most minutes an issued unit may be out and still be returned to stock.
    pub return_window_minutes: u32,
    /// How long an emergency-release co-signature stays usable, seconds.
    pub emergency_authorization_secs: u64,
    /// Platelet ABO/RhD policy.
    pub platelet_policy: PlateletPolicy,
}

/// A warning that does not block issue.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum Warning {
    /// Platelets: donor antigen not on the recipient's cells (lower count increment).
    AboMajorMismatch,
    /// Platelets: donor plasma against the recipient's group, low-titer unit.
    AboMinorMismatch,
    /// RhD+ platelets to an RhD- recipient: consider Rh immune globulin.
    RhIgRecommended,
}

/// Why a blood-group check rejects a unit (each is also an [`Error`]).
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum Rejection {
    /// ABO incompatible.
    AboIncompatible,
    /// RhD incompatible.
    RhdIncompatible,
    /// Platelets: donor plasma incompatible with the recipient's group.
    PlateletPlasmaIncompatible,
    /// Platelets: RhD+ to an rh_sensitive recipient while RhD- units are available.
    RhdNegativeAvailable,
}

/// The ABO/RhD (and platelet policy) decision for a unit and a recipient.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum Compatibility {
    /// Allowed.
    Allowed,
    /// Allowed, with every warning that applies.
    AllowedWithWarning(Vec<Warning>),
    /// Rejected.
    Rejected(Rejection),
}

/// The crossmatch requirement for a unit and a recipient, now.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum CrossmatchCheck {
    /// Not required for this class.
    NotRequired,
    /// A Compatible crossmatch, still valid.
    Valid,
    /// Required, none recorded.
    Required,
    /// The latest is Compatible but no longer valid.
    Expired,
    /// The latest is Incompatible.
    Incompatible,
}

/// What `issue` would decide on blood groups and crossmatch (consent aside).
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct CompatibilityReport {
    /// The ABO/RhD decision.
    pub compatibility: Compatibility,
    /// The crossmatch requirement.
    pub crossmatch: CrossmatchCheck,
}

/// A MedicalDirector's co-signature of an emergency release.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct EmergencyAuthorization {
    /// For this recipient.
    pub recipient: SubjectId,
    /// The MedicalDirector.
    pub by: Address,
    /// Block time of signing.
    pub at: u64,
    /// Usable until (exclusive).
    pub valid_until: u64,
}

/// A unit issued to a recipient, as stored in the recipient's history.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct HistoryRef {
    /// The unit.
    pub unit: UnitKey,
    /// Block time of issue.
    pub issued_at: u64,
    /// Issued by emergency release.
    pub emergency: bool,
}

/// One entry of a recipient's transfusion history.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct HistoryEntry {
    /// The donation.
    pub din: Din,
    /// The component.
    pub product_code: ProductCode,
    /// Its class.
    pub class: ComponentClass,
    /// ABO group.
    pub abo: Abo,
    /// RhD type.
    pub rhd: RhD,
    /// Block time of issue.
    pub issued_at: u64,
    /// Issued by emergency release.
    pub emergency: bool,
    /// The transfusion to this recipient, if it was started.
    pub transfusion: Option<Transfusion>,
}

/// One component of a donation, traced to its recipient.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct ComponentTrace {
    /// The unit.
    pub unit: Unit,
    /// The recipient it is issued or transfused to.
    pub recipient: Option<SubjectId>,
    /// Its transfusion, if started.
    pub transfusion: Option<Transfusion>,
}

/// Vein to vein: donor -> components -> recipients -> transfusions.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct VeinToVein {
    /// The donation.
    pub din: Din,
    /// The donor's pseudonym.
    pub donor: SubjectId,
    /// Its components, in registration order.
    pub components: Vec<ComponentTrace>,
}

/// A component quarantined by a recall.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct LookbackComponent {
    /// The component.
    pub product_code: ProductCode,
    /// Its status before.
    pub from: UnitStatus,
    /// The recipient it was allocated or issued to, if any.
    pub recipient: Option<SubjectId>,
}

/// A transfused component of a recalled donation: its recipient needs lookback.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct LookbackRecipient {
    /// The component.
    pub product_code: ProductCode,
    /// The recipient.
    pub recipient: SubjectId,
    /// When the transfusion started.
    pub transfused_at: u64,
}

/// What an invalid transition was about.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum Entity {
    /// A unit.
    Unit,
    /// A transfusion.
    Transfusion,
}

/// A state of a unit or a transfusion, for [`Error::InvalidTransition`].
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum State {
    /// Unit collected.
    Collected,
    /// Unit in testing.
    InTesting,
    /// Unit available.
    Available,
    /// Unit quarantined.
    Quarantined,
    /// Unit reserved.
    Reserved,
    /// Unit issued.
    Issued,
    /// Unit transfused.
    Transfused,
    /// Unit discarded.
    Discarded,
    /// Unit expired.
    Expired,
    /// Transfusion not started.
    NotStarted,
    /// Transfusion in progress.
    InProgress,
    /// Transfusion completed.
    Completed,
}
