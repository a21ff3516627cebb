//! BloodBank: blood components identified by ISBT 128 (DIN + product code) and traced vein to
//! vein: collection, testing, cold chain, ABO/RhD compatibility, crossmatch, consented issue,
//! emergency release, transfusion with hemovigilance, return, quarantine and lookback.
#![no_std]
#![warn(missing_docs)]

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
///   unit's location (its custodian): RhD- platelet units of any ABO group, not past expiry;
///   it reads at most `MAX_NEGATIVE_SCAN` index entries per ABO group (bounded gas); an Available
///   unit past its expiry is skipped (run `expire_unit` to clear it).
/// * Emergency release without a MedicalDirector co-signature needs the universal unit of its
///   class: group O RhD- red cells (DOMAIN.md); group O RhD- low-titer whole blood; group AB
///   plasma or cryo (plasma carries the antibodies, so the universal plasma donor is AB); RhD-
///   platelets that are group AB or low-titer. With a co-signature (`authorize_emergency_release`
///   for this unit and recipient, within `emergency_authorization_secs`) any unit may be
///   released. Either way, if the recipient is registered, the class's ABO rule still applies,
///   and a recorded Incompatible crossmatch of the unit with the recipient refuses it; RhD rules
///   and the crossmatch requirement are waived. Consent is `break_glass_for(physician, recipient,
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
    use carechain_consent_api::{self as consent_api, Action, DataClass, PurposeOfUse, Role};
    use carechain_consent_api::{Decision, SubjectId};
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

    const CONSENT: Item<Address> = Item::new(b"consent");
    const CONFIG: Item<Config> = Item::new(b"config");
    const PRODUCTS: Map<String, ProductRule> = Map::new(b"products");
    const RECIPIENTS: Map<SubjectId, Recipient> = Map::new(b"recipients");
    const UNITS: Map<UnitKey, Unit> = Map::new(b"units");
    const DIN_UNITS: Map<Din, Vec<ProductCode>> = Map::new(b"din_units");
    const CROSSMATCHES: Map<(UnitKey, SubjectId), Crossmatch> = Map::new(b"crossmatches");
    const TRANSFUSIONS: Map<UnitKey, Transfusion> = Map::new(b"transfusions");
    const AUTHORIZATIONS: Map<UnitKey, EmergencyAuthorization> = Map::new(b"emergency_auth");
    const HISTORY_LEN: Map<SubjectId, u32> = Map::new(b"history_len");
    const HISTORY: Map<(SubjectId, u32), HistoryRef> = Map::new(b"history");
    const STOCK_LEN: Map<StockBucket, u32> = Map::new(b"stock_len");
    const STOCK_AT: Map<(StockBucket, u32), UnitKey> = Map::new(b"stock_at");
    const STOCK_POS: Map<UnitKey, u32> = Map::new(b"stock_pos");

    /// An inventory bucket of Available units: (location, class, ABO, RhD).
    type StockBucket = (Address, ComponentClass, Abo, RhD);

    // ---- documents ----

    /// SHA-256 of the canonical JSON of an off-chain document (test results, release reason).
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub struct DocHash(pub [u8; 32]);

    // ---- ISBT 128 identity and blood groups ----

    /// ISBT 128 Donation Identification Number (data structure 001): 13 characters, the
    /// Facility Identification Number (5), the year (2) and the sequence number (6).
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct Din(pub String);

    /// ISBT 128 Product Code (data structure 003): 8 characters, E-code (5), donation type (1),
    /// divisions (2).
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct ProductCode(pub String);

    /// A unit's key: DIN + product code.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct UnitKey {
        /// The donation.
        pub din: Din,
        /// The component.
        pub product_code: ProductCode,
    }

    /// Component classes, each with its own storage and compatibility rules.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum RhD {
        /// RhD positive.
        Pos,
        /// RhD negative.
        Neg,
    }

    /// Why a unit is quarantined.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum CrossmatchMethod {
        /// Electronic (computer) crossmatch.
        Electronic,
        /// Immediate-spin crossmatch.
        ImmediateSpin,
        /// Antiglobulin (AHG) crossmatch.
        AHG,
    }

    /// Crossmatch result.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum CrossmatchResult {
        /// Compatible.
        Compatible,
        /// Incompatible.
        Incompatible,
    }

    /// A crossmatch of a unit with a recipient's sample (the latest one counts).
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum TempContext {
        /// In storage.
        Storage,
        /// In transport.
        Transport,
    }

    /// What a platelet policy rule does.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum PolicyAction {
        /// Allowed silently.
        Allow,
        /// Allowed with a warning.
        Warn,
        /// Rejected.
        Reject,
    }

    /// The local platelet ABO/RhD policy.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum Warning {
        /// Platelets: donor antigen not on the recipient's cells (lower count increment).
        AboMajorMismatch,
        /// Platelets: donor plasma against the recipient's group, low-titer unit.
        AboMinorMismatch,
        /// RhD+ platelets to an RhD- recipient: consider Rh immune globulin.
        RhIgRecommended,
    }

    /// Why a blood-group check rejects a unit (each is also an [`Error`]).
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub enum Compatibility {
        /// Allowed.
        Allowed,
        /// Allowed, with every warning that applies.
        AllowedWithWarning(Vec<Warning>),
        /// Rejected.
        Rejected(Rejection),
    }

    /// The crossmatch requirement for a unit and a recipient, now.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct CompatibilityReport {
        /// The ABO/RhD decision.
        pub compatibility: Compatibility,
        /// The crossmatch requirement.
        pub crossmatch: CrossmatchCheck,
    }

    /// A MedicalDirector's co-signature of an emergency release.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct HistoryRef {
        /// The unit.
        pub unit: UnitKey,
        /// Block time of issue.
        pub issued_at: u64,
        /// Issued by emergency release.
        pub emergency: bool,
    }

    /// One entry of a recipient's transfusion history.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct ComponentTrace {
        /// The unit.
        pub unit: Unit,
        /// The recipient it is issued or transfused to.
        pub recipient: Option<SubjectId>,
        /// Its transfusion, if started.
        pub transfusion: Option<Transfusion>,
    }

    /// Vein to vein: donor -> components -> recipients -> transfusions.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct VeinToVein {
        /// The donation.
        pub din: Din,
        /// The donor's pseudonym.
        pub donor: SubjectId,
        /// Its components, in registration order.
        pub components: Vec<ComponentTrace>,
    }

    /// A component quarantined by a recall.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct LookbackComponent {
        /// The component.
        pub product_code: ProductCode,
        /// Its status before.
        pub from: UnitStatus,
        /// The recipient it was allocated or issued to, if any.
        pub recipient: Option<SubjectId>,
    }

    /// A transfused component of a recalled donation: its recipient needs lookback.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct LookbackRecipient {
        /// The component.
        pub product_code: ProductCode,
        /// The recipient.
        pub recipient: SubjectId,
        /// When the transfusion started.
        pub transfused_at: u64,
    }

    /// What an invalid transition was about.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum Entity {
        /// A unit.
        Unit,
        /// A transfusion.
        Transfusion,
    }

    /// A state of a unit or a transfusion, for [`Error::InvalidTransition`].
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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

    /// Why a call failed. A failed call changes nothing and emits nothing.
    #[error]
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
    }

    // ---- events: one primary event per successful call ----

    /// The configuration changed.
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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

    // ---- constructor and configuration ----

    /// Creates the blood bank, asking AccessConsent at `consent` for roles and consent.
    /// Configuration starts at its defaults.
    #[constructor]
    pub fn new(consent: Address) {
        CONSENT.set(&consent);
        CONFIG.set(&default_config());
    }

    /// Replaces the configuration. NetworkAdmin only.
    #[message]
    pub fn set_config(config: Config) -> Result<(), Error> {
        let by = require(Role::NetworkAdmin);
        let from = get_config();
        CONFIG.set(&config);
        env().emit(&ConfigChanged {
            from,
            to: config,
            by,
            at: now(),
        });
        Ok(())
    }

    /// Registers (or replaces) what product codes starting with `prefix` (1 to 8 characters of
    /// product-code syntax, e.g. an E-code) are. The longest matching prefix wins. NetworkAdmin
    /// only.
    #[message]
    pub fn register_product_code(prefix: String, rule: ProductRule) -> Result<(), Error> {
        let by = require(Role::NetworkAdmin);
        if prefix.is_empty() || !product_code_syntax(&prefix) {
            fail(Error::InvalidProductCode);
        }
        let from = PRODUCTS.get(&prefix);
        PRODUCTS.insert(&prefix, &rule);
        env().emit(&ProductCodeRegistered {
            prefix,
            from,
            to: rule,
            by,
            at: now(),
        });
        Ok(())
    }

    /// Registers a recipient's type and screen, or re-types them. TransfusionService only.
    #[message]
    pub fn register_recipient(recipient: Recipient) -> Result<(), Error> {
        let by = require(Role::TransfusionService);
        let from = RECIPIENTS.get(&recipient.subject);
        RECIPIENTS.insert(&recipient.subject, &recipient);
        env().emit(&RecipientRegistered {
            subject: recipient.subject,
            from,
            to: recipient,
            by,
            at: now(),
        });
        Ok(())
    }

    // ---- collection and processing ----

    /// Registers a collected unit from its label; the caller becomes its custodian.
    /// BloodEstablishment only.
    #[message]
    pub fn register_unit(unit: NewUnit) -> Result<(), Error> {
        let by = require(Role::BloodEstablishment);
        if !din_syntax(&unit.din.0) {
            fail(Error::InvalidDin);
        }
        if unit.product_code.0.len() != PRODUCT_CODE_LEN
            || !product_code_syntax(&unit.product_code.0)
        {
            fail(Error::InvalidProductCode);
        }
        let key = UnitKey {
            din: unit.din.clone(),
            product_code: unit.product_code.clone(),
        };
        if UNITS.contains(&key) {
            fail(Error::DuplicateUnit);
        }
        let rule =
            product_rule(&unit.product_code.0).unwrap_or_else(|| fail(Error::UnknownProductCode));
        let at = now();
        if at >= unit.expiry {
            fail(Error::UnitExpired);
        }
        let mut codes = DIN_UNITS.get(&unit.din).unwrap_or_default();
        if let Some(first) = codes.first() {
            let sibling = UNITS
                .get(&UnitKey {
                    din: unit.din.clone(),
                    product_code: first.clone(),
                })
                .unwrap_or_else(|| fail(Error::UnitNotFound));
            if sibling.donor != unit.donor || sibling.abo != unit.abo || sibling.rhd != unit.rhd {
                fail(Error::DonationMismatch);
            }
        }
        if codes.len() as u32 >= MAX_COMPONENTS_PER_DIN {
            fail(Error::TooManyComponents);
        }
        codes.push(unit.product_code.clone());
        DIN_UNITS.insert(&unit.din, &codes);
        let stored = Unit {
            din: unit.din,
            product_code: unit.product_code,
            class: rule.class,
            abo: unit.abo,
            rhd: unit.rhd,
            donor: unit.donor,
            expiry: unit.expiry,
            status: UnitStatus::Collected,
            location: by,
            low_titer: rule.low_titer,
            irradiated: rule.irradiated,
            reserved_for: None,
            temp_log_hash: DocHash([0; 32]),
            tests_hash: None,
            registered_at: at,
            updated_at: at,
        };
        UNITS.insert(&key, &stored);
        env().emit(&UnitRegistered {
            din: stored.din,
            product_code: stored.product_code,
            class: stored.class,
            abo: stored.abo,
            rhd: stored.rhd,
            expiry: stored.expiry,
            to: stored.status,
            by,
            at,
        });
        Ok(())
    }

    /// Collected -> InTesting. BloodEstablishment custodian.
    #[message]
    pub fn start_testing(unit: UnitKey) -> Result<(), Error> {
        let by = require(Role::BloodEstablishment);
        let mut u = held(&unit, &by);
        let from = u.status;
        accept(&u, &[UnitStatus::Collected], State::InTesting);
        u.status = UnitStatus::InTesting;
        let to = u.status;
        save(&unit, from, &u);
        env().emit(&UnitStatusChanged {
            din: unit.din,
            product_code: unit.product_code,
            from,
            to,
            by,
            at: now(),
        });
        Ok(())
    }

    /// InTesting -> Available, with the hash of the donor test results. BloodEstablishment
    /// custodian. (A failed test: `discard` with `TestReactive`.)
    #[message]
    pub fn release_from_testing(unit: UnitKey, tests_hash: DocHash) -> Result<(), Error> {
        let by = require(Role::BloodEstablishment);
        let mut u = held(&unit, &by);
        let from = u.status;
        accept(&u, &[UnitStatus::InTesting], State::Available);
        u.status = UnitStatus::Available;
        u.tests_hash = Some(tests_hash);
        let to = u.status;
        save(&unit, from, &u);
        env().emit(&ReleasedFromTesting {
            din: unit.din,
            product_code: unit.product_code,
            tests_hash,
            from,
            to,
            by,
            at: now(),
        });
        Ok(())
    }

    /// Hands a unit (Collected, InTesting, Available or Quarantined) to another custodian, an
    /// active BloodEstablishment or TransfusionService. The custodian (BloodEstablishment or
    /// TransfusionService) only.
    #[message]
    pub fn transfer_custody(unit: UnitKey, to: Address) -> Result<(), Error> {
        let by = require_custodian_role();
        let mut u = held(&unit, &by);
        match u.status {
            UnitStatus::Collected
            | UnitStatus::InTesting
            | UnitStatus::Available
            | UnitStatus::Quarantined { .. } => {}
            status => fail(Error::UnitNotAvailable { status }),
        }
        if !(has_role(&to, Role::BloodEstablishment) || has_role(&to, Role::TransfusionService)) {
            fail(Error::InvalidCustodian);
        }
        let old = u.clone();
        u.location = to;
        store(&unit, &old, &u);
        env().emit(&CustodyTransferred {
            din: unit.din,
            product_code: unit.product_code,
            status: u.status,
            from: old.location,
            to,
            by,
            at: now(),
        });
        Ok(())
    }

    /// Logs a temperature reading (tenths of °C) taken at `event_time` (<= now). Inside the
    /// limits of the unit's class and `context` it only extends the log; outside them it moves
    /// an Available, Reserved or Issued unit to Quarantined{TempExcursion} and emits
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
        let by = require_custodian_role();
        let mut u = held(&unit, &by);
        if is_terminal(&u.status) {
            fail(invalid(&u.status, State::Quarantined));
        }
        let at = now();
        if event_time > at {
            fail(Error::FutureTimestamp);
        }
        let from = u.status;
        let reading = (u.temp_log_hash, context, tenths_c, event_time).encode();
        u.temp_log_hash = DocHash(env().blake2b_256(&reading).0);
        let (low, high) = cold_chain_limits(u.class, context);
        let in_range = low <= tenths_c && tenths_c <= high;
        if in_range {
            save(&unit, from, &u);
            env().emit(&TemperatureRecorded {
                din: unit.din,
                product_code: unit.product_code,
                status: u.status,
                context,
                tenths_c,
                event_time,
                temp_log_hash: u.temp_log_hash,
                by,
                at,
            });
        } else {
            if matches!(
                u.status,
                UnitStatus::Available | UnitStatus::Reserved | UnitStatus::Issued
            ) {
                u.status = UnitStatus::Quarantined {
                    reason: QuarantineReason::TempExcursion,
                };
                u.reserved_for = None;
            }
            save(&unit, from, &u);
            env().emit(&ColdChainExcursion {
                din: unit.din,
                product_code: unit.product_code,
                from,
                to: u.status,
                context,
                tenths_c,
                event_time,
                temp_log_hash: u.temp_log_hash,
                by,
                at,
            });
        }
        Ok(u.status)
    }

    // ---- transfusion service ----

    /// Allocates an Available unit to a registered recipient (Available -> Reserved). No
    /// compatibility check here: `issue` makes it. TransfusionService custodian.
    #[message]
    pub fn reserve(unit: UnitKey, recipient: SubjectId) -> Result<(), Error> {
        let by = require(Role::TransfusionService);
        let mut u = held(&unit, &by);
        in_stock_for(&u, &recipient);
        if u.status == UnitStatus::Reserved {
            fail(invalid(&u.status, State::Reserved));
        }
        recipient_of(&recipient);
        let from = u.status;
        u.status = UnitStatus::Reserved;
        u.reserved_for = Some(recipient);
        save(&unit, from, &u);
        env().emit(&UnitReserved {
            din: unit.din,
            product_code: unit.product_code,
            recipient,
            from,
            to: u.status,
            by,
            at: now(),
        });
        Ok(())
    }

    /// Releases a reservation (Reserved -> Available). TransfusionService custodian.
    #[message]
    pub fn release_reservation(unit: UnitKey) -> Result<(), Error> {
        let by = require(Role::TransfusionService);
        let mut u = held(&unit, &by);
        accept(&u, &[UnitStatus::Reserved], State::Available);
        let from = u.status;
        u.status = UnitStatus::Available;
        u.reserved_for = None;
        save(&unit, from, &u);
        env().emit(&UnitStatusChanged {
            din: unit.din,
            product_code: unit.product_code,
            from,
            to: u.status,
            by,
            at: now(),
        });
        Ok(())
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
        let by = require(Role::TransfusionService);
        let mut u = held(&unit, &by);
        in_stock_for(&u, &recipient);
        recipient_of(&recipient);
        let at = now();
        if sample_collected_at > at {
            fail(Error::FutureTimestamp);
        }
        let valid_until = sample_collected_at
            .checked_add(get_config().crossmatch_validity_secs)
            .unwrap_or_else(|| fail(Error::ArithmeticOverflow));
        if at >= valid_until {
            fail(Error::CrossmatchExpired);
        }
        CROSSMATCHES.insert(
            &(unit.clone(), recipient),
            &Crossmatch {
                din: unit.din.clone(),
                product_code: unit.product_code.clone(),
                recipient,
                method,
                result,
                sample_collected_at,
                valid_until,
                recorded_by: by,
                recorded_at: at,
            },
        );
        let from = u.status;
        if result == CrossmatchResult::Compatible && u.status == UnitStatus::Available {
            u.status = UnitStatus::Reserved;
            u.reserved_for = Some(recipient);
        }
        save(&unit, from, &u);
        env().emit(&CrossmatchRecorded {
            din: unit.din,
            product_code: unit.product_code,
            recipient,
            method,
            result,
            valid_until,
            from,
            to: u.status,
            by,
            at,
        });
        Ok(())
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
        let by = require(Role::TransfusionService);
        let mut u = held(&unit, &by);
        in_stock_for(&u, &recipient);
        let r = recipient_of(&recipient);
        if !has_role(&practitioner, Role::Practitioner) {
            fail(Error::Unauthorized {
                required_role: Some(Role::Practitioner),
            });
        }
        let warnings = match blood_groups(&u, &r, true) {
            Compatibility::Allowed => Vec::new(),
            Compatibility::AllowedWithWarning(w) => w,
            Compatibility::Rejected(why) => fail(rejection(why)),
        };
        match crossmatch_check(&unit, &u, &recipient) {
            CrossmatchCheck::NotRequired | CrossmatchCheck::Valid => {}
            CrossmatchCheck::Required => fail(Error::CrossmatchRequired),
            CrossmatchCheck::Expired => fail(Error::CrossmatchExpired),
            CrossmatchCheck::Incompatible => fail(Error::CrossmatchIncompatible),
        }
        let decision = consent_api::check_access_for(
            consent(),
            &practitioner,
            &recipient,
            PurposeOfUse::TREAT,
            DataClass::Transfusion,
            Action::Use,
        )
        .invoke()
        .unwrap_or_else(|_| fail(Error::ConsentUnavailable));
        if decision != Decision::Permit {
            fail(Error::ConsentRequired);
        }
        let from = u.status;
        let at = now();
        u.status = UnitStatus::Issued;
        u.reserved_for = Some(recipient);
        save(&unit, from, &u);
        add_history(&recipient, &unit, at, false);
        env().emit(&UnitIssued {
            din: unit.din,
            product_code: unit.product_code,
            recipient,
            practitioner,
            warnings: warnings.clone(),
            from,
            to: u.status,
            by,
            at,
        });
        Ok(warnings)
    }

    /// A MedicalDirector co-signs the emergency release of a unit (Available, or Reserved for
    /// this recipient) to `recipient`, usable for the configured time. MedicalDirector only.
    #[message]
    pub fn authorize_emergency_release(unit: UnitKey, recipient: SubjectId) -> Result<(), Error> {
        let by = require(Role::MedicalDirector);
        let u = live(&unit);
        in_stock_for(&u, &recipient);
        let at = now();
        let valid_until = at
            .checked_add(get_config().emergency_authorization_secs)
            .unwrap_or_else(|| fail(Error::ArithmeticOverflow));
        AUTHORIZATIONS.insert(
            &unit,
            &EmergencyAuthorization {
                recipient,
                by,
                at,
                valid_until,
            },
        );
        env().emit(&EmergencyReleaseAuthorized {
            din: unit.din,
            product_code: unit.product_code,
            recipient,
            status: u.status,
            valid_until,
            by,
            at,
        });
        Ok(())
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
        let by = require(Role::TransfusionService);
        let mut u = held(&unit, &by);
        in_stock_for(&u, &recipient);
        if !has_role(&physician, Role::Practitioner) {
            fail(Error::Unauthorized {
                required_role: Some(Role::Practitioner),
            });
        }
        let at = now();
        let cosigned_by = AUTHORIZATIONS
            .get(&unit)
            .filter(|a| a.recipient == recipient && at < a.valid_until)
            .map(|a| a.by);
        if cosigned_by.is_none() && !universal(&u) {
            fail(Error::MedicalDirectorCosignRequired);
        }
        if let Some(r) = RECIPIENTS.get(&recipient)
            && let Compatibility::Rejected(why) = blood_groups(&u, &r, false)
        {
            fail(rejection(why));
        }
        if crossmatch_check(&unit, &u, &recipient) == CrossmatchCheck::Incompatible {
            fail(Error::CrossmatchIncompatible);
        }
        let decision = consent_api::break_glass_for(
            consent(),
            &physician,
            &recipient,
            DataClass::Transfusion,
            EMERGENCY_JUSTIFICATION,
        )
        .invoke()
        .unwrap_or_else(|_| fail(Error::ConsentUnavailable));
        if matches!(decision, Decision::Deny(_)) {
            fail(Error::ConsentRequired);
        }
        if cosigned_by.is_some() {
            AUTHORIZATIONS.remove(&unit);
        }
        let from = u.status;
        u.status = UnitStatus::Issued;
        u.reserved_for = Some(recipient);
        save(&unit, from, &u);
        add_history(&recipient, &unit, at, true);
        env().emit(&EmergencyRelease {
            din: unit.din,
            product_code: unit.product_code,
            recipient,
            physician,
            cosigned_by,
            from,
            to: u.status,
            by,
            at,
        });
        Ok(())
    }

    /// Starts the transfusion of an issued unit at the bedside (Issued -> Transfused); the
    /// recipient must be the one it was issued to. Practitioner only.
    #[message]
    pub fn start_transfusion(unit: UnitKey, recipient: SubjectId) -> Result<(), Error> {
        let by = require(Role::Practitioner);
        let mut u = live(&unit);
        accept(&u, &[UnitStatus::Issued], State::Transfused);
        if u.reserved_for != Some(recipient) {
            fail(Error::RecipientMismatch);
        }
        let at = now();
        TRANSFUSIONS.insert(
            &unit,
            &Transfusion {
                din: unit.din.clone(),
                product_code: unit.product_code.clone(),
                recipient,
                practitioner: by,
                started_at: at,
                ended_at: None,
                reaction_code: None,
            },
        );
        let from = u.status;
        u.status = UnitStatus::Transfused;
        save(&unit, from, &u);
        env().emit(&TransfusionStarted {
            din: unit.din,
            product_code: unit.product_code,
            recipient,
            from,
            to: u.status,
            by,
            at,
        });
        Ok(())
    }

    /// Ends a transfusion in progress (InProgress -> Completed), with the reaction if there was
    /// one: that emits `TransfusionReaction` (hemovigilance), else `TransfusionEnded`.
    /// Practitioner only.
    #[message]
    pub fn end_transfusion(unit: UnitKey, reaction: Option<ReactionCode>) -> Result<(), Error> {
        let by = require(Role::Practitioner);
        UNITS
            .get(&unit)
            .unwrap_or_else(|| fail(Error::UnitNotFound));
        let mut t = TRANSFUSIONS.get(&unit).unwrap_or_else(|| {
            fail(Error::InvalidTransition {
                entity: Entity::Transfusion,
                from: State::NotStarted,
                attempted: State::Completed,
            })
        });
        if t.ended_at.is_some() {
            fail(Error::InvalidTransition {
                entity: Entity::Transfusion,
                from: State::Completed,
                attempted: State::Completed,
            });
        }
        let at = now();
        t.ended_at = Some(at);
        t.reaction_code = reaction;
        TRANSFUSIONS.insert(&unit, &t);
        match reaction {
            Some(reaction) => env().emit(&TransfusionReaction {
                din: unit.din,
                product_code: unit.product_code,
                recipient: t.recipient,
                reaction,
                started_at: t.started_at,
                from: State::InProgress,
                to: State::Completed,
                by,
                at,
            }),
            None => env().emit(&TransfusionEnded {
                din: unit.din,
                product_code: unit.product_code,
                recipient: t.recipient,
                started_at: t.started_at,
                from: State::InProgress,
                to: State::Completed,
                by,
                at,
            }),
        }
        Ok(())
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
        let by = require(Role::TransfusionService);
        let mut u = held(&unit, &by);
        let accepted = in_range && minutes_out <= get_config().return_window_minutes;
        let attempted = if accepted {
            State::Available
        } else {
            State::Discarded
        };
        accept(&u, &[UnitStatus::Issued], attempted);
        let from = u.status;
        u.status = if accepted {
            UnitStatus::Available
        } else {
            UnitStatus::Discarded {
                reason: DiscardReason::ReturnNotAcceptable,
            }
        };
        u.reserved_for = None;
        save(&unit, from, &u);
        env().emit(&UnitReturned {
            din: unit.din,
            product_code: unit.product_code,
            minutes_out,
            in_range,
            from,
            to: u.status,
            by,
            at: now(),
        });
        Ok(u.status)
    }

    /// Puts an Available, Reserved or Issued unit on hold (any reservation is dropped). The
    /// custodian (BloodEstablishment or TransfusionService) or a MedicalDirector.
    #[message]
    pub fn quarantine(unit: UnitKey, reason: QuarantineReason) -> Result<(), Error> {
        let by = env().caller();
        let director = has_role(&by, Role::MedicalDirector);
        if !director && !custodian_role(&by) {
            fail(Error::Unauthorized {
                required_role: None,
            });
        }
        let mut u = UNITS
            .get(&unit)
            .unwrap_or_else(|| fail(Error::UnitNotFound));
        if !director && u.location != by {
            fail(Error::NotCustodian);
        }
        not_expired(&u);
        accept(
            &u,
            &[
                UnitStatus::Available,
                UnitStatus::Reserved,
                UnitStatus::Issued,
            ],
            State::Quarantined,
        );
        let from = u.status;
        u.status = UnitStatus::Quarantined { reason };
        u.reserved_for = None;
        save(&unit, from, &u);
        env().emit(&UnitStatusChanged {
            din: unit.din,
            product_code: unit.product_code,
            from,
            to: u.status,
            by,
            at: now(),
        });
        Ok(())
    }

    /// Releases a quarantined unit back to stock (Quarantined -> Available), with the hash of
    /// the documented reason. A unit that never passed testing (recalled while Collected or
    /// InTesting) cannot be released. MedicalDirector only.
    #[message]
    pub fn release_quarantine(unit: UnitKey, reason_hash: DocHash) -> Result<(), Error> {
        let by = require(Role::MedicalDirector);
        let mut u = live(&unit);
        let quarantined = matches!(u.status, UnitStatus::Quarantined { .. });
        if !quarantined || u.tests_hash.is_none() {
            fail(invalid(&u.status, State::Available));
        }
        let from = u.status;
        u.status = UnitStatus::Available;
        save(&unit, from, &u);
        env().emit(&QuarantineReleased {
            din: unit.din,
            product_code: unit.product_code,
            reason_hash,
            from,
            to: u.status,
            by,
            at: now(),
        });
        Ok(())
    }

    /// Discards an InTesting, Available or Quarantined unit. The custodian (BloodEstablishment
    /// or TransfusionService) only.
    #[message]
    pub fn discard(unit: UnitKey, reason: DiscardReason) -> Result<(), Error> {
        let by = require_custodian_role();
        let mut u = held(&unit, &by);
        let quarantined = matches!(u.status, UnitStatus::Quarantined { .. });
        if !quarantined {
            accept(
                &u,
                &[UnitStatus::InTesting, UnitStatus::Available],
                State::Discarded,
            );
        }
        let from = u.status;
        u.status = UnitStatus::Discarded { reason };
        save(&unit, from, &u);
        env().emit(&UnitStatusChanged {
            din: unit.din,
            product_code: unit.product_code,
            from,
            to: u.status,
            by,
            at: now(),
        });
        Ok(())
    }

    /// Records Expired for a non-terminal unit once `now >= expiry`. Anyone may call it.
    #[message]
    pub fn expire_unit(unit: UnitKey) -> Result<(), Error> {
        let by = env().caller();
        let mut u = UNITS
            .get(&unit)
            .unwrap_or_else(|| fail(Error::UnitNotFound));
        if is_terminal(&u.status) {
            fail(invalid(&u.status, State::Expired));
        }
        if now() < u.expiry {
            fail(Error::NotYetExpired);
        }
        let from = u.status;
        u.status = UnitStatus::Expired;
        save(&unit, from, &u);
        env().emit(&UnitStatusChanged {
            din: unit.din,
            product_code: unit.product_code,
            from,
            to: u.status,
            by,
            at: now(),
        });
        Ok(())
    }

    /// Recalls a donation: every non-terminal component becomes Quarantined{Lookback}; the
    /// transfused ones are listed, with their recipients, in one `LookbackNotice`.
    /// BloodEstablishment or Regulator.
    #[message]
    pub fn recall_donation(din: Din) -> Result<(), Error> {
        let by = env().caller();
        if !(has_role(&by, Role::BloodEstablishment) || has_role(&by, Role::Regulator)) {
            fail(Error::Unauthorized {
                required_role: None,
            });
        }
        let codes = DIN_UNITS.get(&din).unwrap_or_default();
        if codes.is_empty() {
            fail(Error::UnitNotFound);
        }
        let mut quarantined = Vec::new();
        let mut transfused = Vec::new();
        for code in codes {
            let key = UnitKey {
                din: din.clone(),
                product_code: code.clone(),
            };
            let Some(mut u) = UNITS.get(&key) else {
                continue;
            };
            if u.status == UnitStatus::Transfused {
                if let Some(t) = TRANSFUSIONS.get(&key) {
                    transfused.push(LookbackRecipient {
                        product_code: code,
                        recipient: t.recipient,
                        transfused_at: t.started_at,
                    });
                }
                continue;
            }
            if is_terminal(&u.status) {
                continue;
            }
            let from = u.status;
            quarantined.push(LookbackComponent {
                product_code: code,
                from,
                recipient: u.reserved_for,
            });
            u.status = UnitStatus::Quarantined {
                reason: QuarantineReason::Lookback,
            };
            u.reserved_for = None;
            save(&key, from, &u);
        }
        env().emit(&LookbackNotice {
            din,
            quarantined,
            transfused,
            by,
            at: now(),
        });
        Ok(())
    }

    // ---- queries ----

    /// The configuration.
    #[query]
    pub fn get_config() -> Config {
        CONFIG.get().unwrap_or_else(default_config)
    }

    /// The AccessConsent contract asked for roles and consent.
    #[query]
    pub fn consent_contract() -> Address {
        consent()
    }

    /// The rule registered for exactly this prefix.
    #[query]
    pub fn get_product_code(prefix: String) -> Option<ProductRule> {
        PRODUCTS.get(&prefix)
    }

    /// A registered recipient's typing.
    #[query]
    pub fn get_recipient(subject: SubjectId) -> Option<Recipient> {
        RECIPIENTS.get(&subject)
    }

    /// A unit.
    #[query]
    pub fn get_unit(unit: UnitKey) -> Result<Unit, Error> {
        UNITS.get(&unit).ok_or(Error::UnitNotFound)
    }

    /// Every component of a donation, in registration order.
    #[query]
    pub fn units_by_din(din: Din) -> Vec<Unit> {
        DIN_UNITS
            .get(&din)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|product_code| {
                UNITS.get(&UnitKey {
                    din: din.clone(),
                    product_code,
                })
            })
            .collect()
    }

    /// The latest crossmatch of a unit with a recipient.
    #[query]
    pub fn get_crossmatch(unit: UnitKey, recipient: SubjectId) -> Option<Crossmatch> {
        CROSSMATCHES.get(&(unit, recipient))
    }

    /// Vein to vein: the donor, each component, the recipient it went to and its transfusion.
    #[query]
    pub fn vein_to_vein(din: Din) -> Result<VeinToVein, Error> {
        let units = units_by_din(din.clone());
        let donor = units
            .first()
            .unwrap_or_else(|| fail(Error::UnitNotFound))
            .donor;
        let components = units
            .into_iter()
            .map(|unit| {
                let key = UnitKey {
                    din: unit.din.clone(),
                    product_code: unit.product_code.clone(),
                };
                let transfusion = TRANSFUSIONS.get(&key);
                let recipient = match unit.status {
                    UnitStatus::Issued | UnitStatus::Transfused => unit.reserved_for,
                    _ => None,
                };
                ComponentTrace {
                    unit,
                    recipient,
                    transfusion,
                }
            })
            .collect();
        Ok(VeinToVein {
            din,
            donor,
            components,
        })
    }

    /// Up to `limit` (at most `MAX_PAGE`) units issued to `subject`, from the `start`-th,
    /// oldest first, with their transfusions.
    #[query]
    pub fn recipient_history(subject: SubjectId, start: u32, limit: u32) -> Vec<HistoryEntry> {
        let len = HISTORY_LEN.get(&subject).unwrap_or(0);
        let end = len.min(start.saturating_add(limit.min(MAX_PAGE)));
        let mut out = Vec::new();
        for i in start..end {
            let Some(h) = HISTORY.get(&(subject, i)) else {
                continue;
            };
            let Some(u) = UNITS.get(&h.unit) else {
                continue;
            };
            let transfusion = TRANSFUSIONS.get(&h.unit).filter(|t| t.recipient == subject);
            out.push(HistoryEntry {
                din: u.din,
                product_code: u.product_code,
                class: u.class,
                abo: u.abo,
                rhd: u.rhd,
                issued_at: h.issued_at,
                emergency: h.emergency,
                transfusion,
            });
        }
        out
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
        let bucket = (location, class, abo, rhd);
        let len = STOCK_LEN.get(&bucket).unwrap_or(0);
        let end = len.min(start.saturating_add(limit.min(MAX_PAGE)));
        (start..end)
            .filter_map(|i| STOCK_AT.get(&(bucket, i)))
            .filter_map(|key| UNITS.get(&key))
            .collect()
    }

    /// Dry run of `issue`'s blood-group and crossmatch checks for a unit and a registered
    /// recipient (consent is not asked, nothing is logged). The unit must be in stock
    /// (Available or Reserved) and not expired.
    #[query]
    pub fn compatibility(
        unit: UnitKey,
        recipient: SubjectId,
    ) -> Result<CompatibilityReport, Error> {
        let u = live(&unit);
        if !matches!(u.status, UnitStatus::Available | UnitStatus::Reserved) {
            fail(Error::UnitNotAvailable { status: u.status });
        }
        let r = recipient_of(&recipient);
        Ok(CompatibilityReport {
            compatibility: blood_groups(&u, &r, true),
            crossmatch: crossmatch_check(&unit, &u, &recipient),
        })
    }

    // ---- internals ----

    fn now() -> u64 {
        env().block_time()
    }

    /// Ends the call with `error`, as returning `Err(error)` from the message would: the call
    /// reverts with the error encoded, and its writes and events are discarded. Helpers fail
    /// where the failure is found instead of threading a `Result` back to the message: every
    /// `?` of a `Result<_, Error>` costs a copy of the error.
    #[cold]
    #[inline(never)]
    fn fail(error: Error) -> ! {
        carechain_sdk::env::revert_with(&error)
    }

    fn consent() -> Address {
        CONSENT.get().unwrap_or_default()
    }

    fn default_config() -> Config {
        Config {
            crossmatch_validity_secs: DEFAULT_CROSSMATCH_VALIDITY_SECS,
            return_window_minutes: DEFAULT_RETURN_WINDOW_MINUTES,
            emergency_authorization_secs: DEFAULT_EMERGENCY_AUTHORIZATION_SECS,
            platelet_policy: PlateletPolicy {
                abo_major_mismatch: PolicyAction::Warn,
                abo_minor_mismatch_low_titer: PolicyAction::Warn,
                abo_minor_mismatch: PolicyAction::Reject,
                rhd_pos_to_neg: PolicyAction::Warn,
                rhd_negative_available: PolicyAction::Reject,
            },
        }
    }

    /// AccessConsent's `has_role(actor, role)`.
    fn has_role(actor: &Address, role: Role) -> bool {
        consent_api::has_role(consent(), actor, role)
            .invoke()
            .unwrap_or_else(|_| fail(Error::ConsentUnavailable))
    }

    /// The caller, if an active actor with `role`.
    fn require(role: Role) -> Address {
        let caller = env().caller();
        if !has_role(&caller, role) {
            fail(Error::Unauthorized {
                required_role: Some(role),
            })
        }
        caller
    }

    fn custodian_role(who: &Address) -> bool {
        has_role(who, Role::BloodEstablishment) || has_role(who, Role::TransfusionService)
    }

    /// The caller, if an active BloodEstablishment or TransfusionService.
    fn require_custodian_role() -> Address {
        let caller = env().caller();
        if !custodian_role(&caller) {
            fail(Error::Unauthorized {
                required_role: None,
            })
        }
        caller
    }

    /// A unit that exists and, if not terminal, has not expired.
    fn live(key: &UnitKey) -> Unit {
        let u = UNITS.get(key).unwrap_or_else(|| fail(Error::UnitNotFound));
        not_expired(&u);
        u
    }

    /// A live unit held by `by`.
    fn held(key: &UnitKey, by: &Address) -> Unit {
        let u = UNITS.get(key).unwrap_or_else(|| fail(Error::UnitNotFound));
        if u.location != *by {
            fail(Error::NotCustodian);
        }
        not_expired(&u);
        u
    }

    fn not_expired(u: &Unit) {
        if !is_terminal(&u.status) && now() >= u.expiry {
            fail(Error::UnitExpired);
        }
    }

    fn is_terminal(s: &UnitStatus) -> bool {
        matches!(
            s,
            UnitStatus::Transfused | UnitStatus::Discarded { .. } | UnitStatus::Expired
        )
    }

    fn state(s: &UnitStatus) -> State {
        match s {
            UnitStatus::Collected => State::Collected,
            UnitStatus::InTesting => State::InTesting,
            UnitStatus::Available => State::Available,
            UnitStatus::Quarantined { .. } => State::Quarantined,
            UnitStatus::Reserved => State::Reserved,
            UnitStatus::Issued => State::Issued,
            UnitStatus::Transfused => State::Transfused,
            UnitStatus::Discarded { .. } => State::Discarded,
            UnitStatus::Expired => State::Expired,
        }
    }

    fn invalid(from: &UnitStatus, attempted: State) -> Error {
        Error::InvalidTransition {
            entity: Entity::Unit,
            from: state(from),
            attempted,
        }
    }

    /// Checks that `u` may move to `attempted` from one of `accepted`.
    fn accept(u: &Unit, accepted: &[UnitStatus], attempted: State) {
        if !accepted.contains(&u.status) {
            fail(invalid(&u.status, attempted))
        }
    }

    /// The unit is in stock for `recipient`: Available, or Reserved for them.
    fn in_stock_for(u: &Unit, recipient: &SubjectId) {
        match u.status {
            UnitStatus::Available => {}
            UnitStatus::Reserved if u.reserved_for == Some(*recipient) => {}
            UnitStatus::Reserved => fail(Error::RecipientMismatch),
            status => fail(Error::UnitNotAvailable { status }),
        }
    }

    fn recipient_of(subject: &SubjectId) -> Recipient {
        RECIPIENTS
            .get(subject)
            .unwrap_or_else(|| fail(Error::RecipientNotFound))
    }

    fn rejection(why: Rejection) -> Error {
        match why {
            Rejection::AboIncompatible => Error::AboIncompatible,
            Rejection::RhdIncompatible => Error::RhdIncompatible,
            Rejection::PlateletPlasmaIncompatible => Error::PlateletPlasmaIncompatible,
            Rejection::RhdNegativeAvailable => Error::RhdNegativeAvailable,
        }
    }

    /// Writes `u` (whose status was `from`) and keeps the stock index in step.
    fn save(key: &UnitKey, from: UnitStatus, u: &Unit) {
        let mut old = u.clone();
        old.status = from;
        store(key, &old, u);
    }

    /// Writes `new` over `old` (same unit), moving it in or out of the stock index when its
    /// availability or location changes. A unit is in the index exactly while Available.
    fn store(key: &UnitKey, old: &Unit, new: &Unit) {
        let was = old.status == UnitStatus::Available;
        let is = new.status == UnitStatus::Available;
        if was && (!is || old.location != new.location) {
            unstock(key, &bucket(old));
        }
        if is && (!was || old.location != new.location) {
            stock(key, &bucket(new));
        }
        let mut u = new.clone();
        u.updated_at = now();
        UNITS.insert(key, &u);
    }

    fn bucket(u: &Unit) -> StockBucket {
        (u.location, u.class, u.abo, u.rhd)
    }

    fn stock(key: &UnitKey, b: &StockBucket) {
        let n = STOCK_LEN.get(b).unwrap_or(0);
        STOCK_AT.insert(&(*b, n), key);
        STOCK_POS.insert(key, &n);
        // u32::MAX units in one bucket cannot be stored: the add cannot overflow in practice,
        // and saturating keeps it checked.
        STOCK_LEN.insert(b, &n.saturating_add(1));
    }

    fn unstock(key: &UnitKey, b: &StockBucket) {
        let Some(pos) = STOCK_POS.get(key) else {
            return;
        };
        let last = STOCK_LEN.get(b).unwrap_or(0).saturating_sub(1);
        if pos != last
            && let Some(moved) = STOCK_AT.get(&(*b, last))
        {
            STOCK_AT.insert(&(*b, pos), &moved);
            STOCK_POS.insert(&moved, &pos);
        }
        STOCK_AT.remove(&(*b, last));
        STOCK_POS.remove(key);
        STOCK_LEN.insert(b, &last);
    }

    fn add_history(subject: &SubjectId, unit: &UnitKey, issued_at: u64, emergency: bool) {
        let n = HISTORY_LEN.get(subject).unwrap_or(0);
        HISTORY.insert(
            &(*subject, n),
            &HistoryRef {
                unit: unit.clone(),
                issued_at,
                emergency,
            },
        );
        HISTORY_LEN.insert(
            subject,
            &n.checked_add(1)
                .unwrap_or_else(|| fail(Error::ArithmeticOverflow)),
        );
    }

    /// ISBT 128 DIN syntax: first character A-N, P-Z or 1-9, then 12 digits.
    fn din_syntax(din: &str) -> bool {
        let b = din.as_bytes();
        b.len() == DIN_LEN
            && b.iter().enumerate().all(|(i, c)| match i {
                0 => matches!(c, b'A'..=b'N' | b'P'..=b'Z' | b'1'..=b'9'),
                _ => c.is_ascii_digit(),
            })
    }

    /// ISBT 128 product code syntax, position by position (a prefix is checked as far as it
    /// goes): an upper-case letter, 4 digits, donation type (upper-case letter or digit),
    /// divisions (upper-case letter or digit, then lower-case letter or digit).
    fn product_code_syntax(code: &str) -> bool {
        let b = code.as_bytes();
        b.len() <= PRODUCT_CODE_LEN
            && b.iter().enumerate().all(|(i, c)| match i {
                0 => c.is_ascii_uppercase(),
                1..=4 => c.is_ascii_digit(),
                5 | 6 => c.is_ascii_uppercase() || c.is_ascii_digit(),
                _ => c.is_ascii_lowercase() || c.is_ascii_digit(),
            })
    }

    /// The rule of the longest registered prefix of `code`.
    fn product_rule(code: &str) -> Option<ProductRule> {
        (1..=code.len())
            .rev()
            .find_map(|n| code.get(..n).and_then(|p| PRODUCTS.get(&String::from(p))))
    }

    /// Inclusive cold-chain limits, tenths of °C.
    fn cold_chain_limits(class: ComponentClass, context: TempContext) -> (i32, i32) {
        match (class, context) {
            (ComponentClass::RedCells | ComponentClass::WholeBlood, TempContext::Storage) => {
                (10, 60)
            }
            (ComponentClass::RedCells | ComponentClass::WholeBlood, TempContext::Transport) => {
                (10, 100)
            }
            (ComponentClass::Platelets, _) => (200, 240),
            (ComponentClass::Plasma | ComponentClass::Cryo, _) => (i32::MIN, -180),
        }
    }

    /// A and B antigens on the cells of a group, as bits (A = 1, B = 2).
    fn antigens(abo: Abo) -> u8 {
        match abo {
            Abo::O => 0,
            Abo::A => 1,
            Abo::B => 2,
            Abo::AB => 3,
        }
    }

    /// Red cells: no donor antigen the recipient lacks (the recipient has its antibody).
    fn red_cells_abo(donor: Abo, recipient: Abo) -> bool {
        antigens(donor) & !antigens(recipient) == 0
    }

    /// Plasma: no donor antibody against a recipient antigen (the reverse rule).
    fn plasma_abo(donor: Abo, recipient: Abo) -> bool {
        antigens(recipient) & !antigens(donor) == 0
    }

    /// The blood-group decision for a unit and a recipient; `rhd` false waives the RhD rules
    /// (emergency release).
    fn blood_groups(u: &Unit, r: &Recipient, rhd: bool) -> Compatibility {
        let rhd_mismatch = rhd && u.rhd == RhD::Pos && r.rhd == RhD::Neg;
        match u.class {
            ComponentClass::RedCells | ComponentClass::WholeBlood => {
                let abo_ok = red_cells_abo(u.abo, r.abo)
                    && (u.class == ComponentClass::RedCells
                        || (u.low_titer && u.abo == Abo::O)
                        || plasma_abo(u.abo, r.abo));
                if !abo_ok {
                    Compatibility::Rejected(Rejection::AboIncompatible)
                } else if rhd_mismatch {
                    Compatibility::Rejected(Rejection::RhdIncompatible)
                } else {
                    Compatibility::Allowed
                }
            }
            ComponentClass::Plasma | ComponentClass::Cryo => {
                if plasma_abo(u.abo, r.abo) {
                    Compatibility::Allowed
                } else {
                    Compatibility::Rejected(Rejection::AboIncompatible)
                }
            }
            ComponentClass::Platelets => platelets(u, r, rhd_mismatch),
        }
    }

    fn platelets(u: &Unit, r: &Recipient, rhd_mismatch: bool) -> Compatibility {
        let mut warnings = Vec::new();
        match platelet_rules(u, r, rhd_mismatch, &mut warnings) {
            Err(why) => Compatibility::Rejected(why),
            Ok(()) if warnings.is_empty() => Compatibility::Allowed,
            Ok(()) => Compatibility::AllowedWithWarning(warnings),
        }
    }

    /// Applies the platelet policy: major mismatch, minor mismatch, RhD, RhD-negative available.
    fn platelet_rules(
        u: &Unit,
        r: &Recipient,
        rhd_mismatch: bool,
        warnings: &mut Vec<Warning>,
    ) -> Result<(), Rejection> {
        let policy = get_config().platelet_policy;
        let mut apply = |action: PolicyAction, warning: Warning, rejection: Rejection| {
            match action {
                PolicyAction::Allow => {}
                PolicyAction::Warn => {
                    if !warnings.contains(&warning) {
                        warnings.push(warning);
                    }
                }
                PolicyAction::Reject => return Err(rejection),
            }
            Ok(())
        };
        if !red_cells_abo(u.abo, r.abo) {
            apply(
                policy.abo_major_mismatch,
                Warning::AboMajorMismatch,
                Rejection::AboIncompatible,
            )?;
        }
        if !plasma_abo(u.abo, r.abo) {
            let action = if u.low_titer {
                policy.abo_minor_mismatch_low_titer
            } else {
                policy.abo_minor_mismatch
            };
            apply(
                action,
                Warning::AboMinorMismatch,
                Rejection::PlateletPlasmaIncompatible,
            )?;
        }
        if rhd_mismatch {
            apply(
                policy.rhd_pos_to_neg,
                Warning::RhIgRecommended,
                Rejection::RhdIncompatible,
            )?;
            if r.rh_sensitive && negative_platelets_available(u.location) {
                apply(
                    policy.rhd_negative_available,
                    Warning::RhIgRecommended,
                    Rejection::RhdNegativeAvailable,
                )?;
            }
        }
        Ok(())
    }

    /// True if an RhD- platelet unit, not past expiry, is Available at `location` (at most
    /// `MAX_NEGATIVE_SCAN` index entries read per ABO group).
    fn negative_platelets_available(location: Address) -> bool {
        let t = now();
        [Abo::O, Abo::A, Abo::B, Abo::AB].iter().any(|abo| {
            let b = (location, ComponentClass::Platelets, *abo, RhD::Neg);
            let n = STOCK_LEN.get(&b).unwrap_or(0).min(MAX_NEGATIVE_SCAN);
            (0..n).any(|i| {
                STOCK_AT
                    .get(&(b, i))
                    .and_then(|k| UNITS.get(&k))
                    .is_some_and(|u| t < u.expiry)
            })
        })
    }

    fn crossmatch_check(key: &UnitKey, u: &Unit, recipient: &SubjectId) -> CrossmatchCheck {
        if !matches!(
            u.class,
            ComponentClass::RedCells | ComponentClass::WholeBlood
        ) {
            return CrossmatchCheck::NotRequired;
        }
        match CROSSMATCHES.get(&(key.clone(), *recipient)) {
            None => CrossmatchCheck::Required,
            Some(x) if x.result == CrossmatchResult::Incompatible => CrossmatchCheck::Incompatible,
            Some(x) if now() >= x.valid_until => CrossmatchCheck::Expired,
            Some(_) => CrossmatchCheck::Valid,
        }
    }

    /// The universal unit of its class, releasable in an emergency without co-signature.
    fn universal(u: &Unit) -> bool {
        match u.class {
            ComponentClass::RedCells => u.abo == Abo::O && u.rhd == RhD::Neg,
            ComponentClass::WholeBlood => u.abo == Abo::O && u.rhd == RhD::Neg && u.low_titer,
            ComponentClass::Plasma | ComponentClass::Cryo => u.abo == Abo::AB,
            ComponentClass::Platelets => u.rhd == RhD::Neg && (u.abo == Abo::AB || u.low_titer),
        }
    }
}
