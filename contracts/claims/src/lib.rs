//! Claims: coverage, prior authorisation and deterministic adjudication of professional claims
//! (X12 837P in, 835 out, CARC-coded; FHIR Coverage, Claim and ClaimResponse).
#![no_std]

/// Claims (X12 837P/835, CARC; FHIR Coverage, Claim, ClaimResponse). Payers anchor coverage
/// (FHIR `Coverage` with its plan's benefits) and prior authorisations; providers submit claims
/// (837P: original, replacement, void); the claim's payer adjudicates them deterministically —
/// consent, coverage, exact duplicate, then per line prior authorisation, medical necessity,
/// allowed amount, deductible, copay, coinsurance and the out-of-pocket maximum — and records
/// payment (835 BPR/TRN). Every line reconciles with the 835: `charge = allowed + Σ CO` and
/// `allowed = payer + patient`, checked in code on every line.
///
/// Roles come from the AccessConsent contract's actor directory (`has_role`); the payer's use of
/// the subject's claims for payment (HPAYMT) is checked there too (`check_access_for`), so the
/// network admin must trust this contract in AccessConsent (`set_trusted_contract`).
///
/// No personal health information is stored: the subject is a pseudonymous `SubjectId`, and
/// the chain holds only codes (CPT/HCPCS, CARC), amounts in cents, times and document hashes.
/// Identifiers must be opaque: a `CoverageId` is never the subscriber's member id, and a
/// `ClaimId` (CLM01) must be a per-claim control number, never a patient account number or MRN.
///
/// Configuration and choices where the specification is open:
/// * **Plan year** = the calendar year (UTC) of the service date; accumulators are kept per
///   (coverage, plan year). The year is computed from Unix seconds with integer civil-calendar
///   arithmetic (query `plan_year`).
/// * **Exact duplicate**: every line `CO-18` (`DUPLICATE_GROUP`; some payers use `OA-18`). The
///   content key is the Blake2b-256 of the SCALE encoding of `(subject, provider, service_date,
///   lines)` where lines are `(proc_code, units, charge)` sorted (line numbers and prior-auth
///   references excluded); a claim is a duplicate while another version with that key is
///   Adjudicated or Paid.
/// * **Not covered**: a line whose code has no fee-schedule entry or no benefit in the plan is
///   denied `CO-204` ("not covered under the patient's current benefit plan").
/// * **Rejections are not 835 denials**: a consent or coverage failure rejects the claim
///   (outcome `error`, the reason in `ClaimStatus::Rejected` and `ClaimResponse::error`, no
///   lines), as a 277CA front-end rejection would; CARC 26/27 are therefore not emitted.
/// * **Adjustment order** on a line: the CO adjustment first, then PR-1, PR-2, PR-3 (CARC order
///   within a group, as the 835 `CAS` segments list them); zero amounts are not listed.
/// * **OOP**: deductible, copay and coinsurance all count toward the out-of-pocket maximum (ACA);
///   over the cap, coinsurance is reduced first, then copay, then deductible.
/// * **Prior authorisation**: only the auth the line references (837 `REF*G1`) is considered,
///   looked up under the claim's payer. Its units are consumed only by lines that are priced
///   (not by lines denied later for medical necessity or non-coverage); an auth whose units are
///   all used becomes Exhausted. A replaced or voided claim gives its units back. The payer may
///   re-record an auth with any status (appeals overturn denials); units used are kept.
/// * **Replacement (7)** is processed when the payer adjudicates it: the original's accumulator
///   and prior-auth contributions are reversed and it becomes Replaced first, then the
///   replacement goes through every check. A rejected replacement pays 0, so `payment_delta` is
///   then `-old_benefit`; the provider may resubmit with frequency 1.
/// * **Void (8)** takes effect when the provider submits it (there is nothing to judge): the
///   original is reversed and Voided; the void is not stored as a new version.
/// * **`payment_delta`** is present only when the original was Paid (nothing to recoup
///   otherwise). `record_payment` of a replacement pays that version's whole benefit (its new
///   835 `CLP`); the reversal (`CLP02 = 22`) is what `payment_delta` nets against it.
/// * **Service dates** must not be in the future (`FutureTimestamp`, P3). Lines are numbered
///   1..n in order (`LX01`), at most 50 per claim (837P). Procedure codes are 5 characters
///   (CPT or HCPCS Level II: digits and capital letters).
/// * **Coverage** (FHIR FinancialResourceStatusCodes): `Draft -> Active | Cancelled |
///   EnteredInError`, `Active -> Cancelled | EnteredInError`; Cancelled and EnteredInError are
///   terminal. A coverage may be created in any status. `set_plan` may change the plan of a
///   coverage in any status (only Active coverage adjudicates).
/// * **Opening balances**: `set_accumulators` lets the payer carry in a plan year's deductible
///   and OOP already met (e.g. claims paid before go-live). A reversal never takes a balance
///   below zero.
/// * Errors beyond the specification's list: `NotCoveragePayer`, `InvalidPeriod`,
///   `InvalidAmount`, `InvalidCode`, `InvalidClaim`, `InvalidPlan`, `FutureTimestamp`,
///   `ConsentUnavailable` (see [`Error`]).
#[carechain_sdk::contract]
pub mod claims {
    use carechain_consent_api::{self as consent_api, Action, DataClass, PurposeOfUse, Role};
    use carechain_consent_api::{Decision, SubjectId};
    use carechain_sdk::prelude::*;

    /// Most service lines on one claim (837P, loop 2400).
    pub const MAX_LINES: u32 = 50;
    /// Longest claim id (CLM01, patient control number), in bytes.
    pub const MAX_CLAIM_ID: usize = 38;
    /// Longest coverage or prior-authorisation id (REF02), in bytes.
    pub const MAX_ID: usize = 50;
    /// Length of a procedure code (CPT or HCPCS Level II).
    pub const PROC_CODE_LEN: usize = 5;
    /// Most entries in each list of a plan.
    pub const MAX_PLAN_CODES: usize = 128;
    /// Most entries one page of `claims_by_subject` or `prior_auths` returns.
    pub const MAX_PAGE: u32 = 20;
    /// Coinsurance is in basis points: 10000 = 100 %.
    pub const BPS_DENOMINATOR: i64 = 10_000;

    /// CARC 1: deductible amount.
    pub const CARC_DEDUCTIBLE: u16 = 1;
    /// CARC 2: coinsurance amount.
    pub const CARC_COINSURANCE: u16 = 2;
    /// CARC 3: co-payment amount.
    pub const CARC_COPAY: u16 = 3;
    /// CARC 18: exact duplicate claim/service.
    pub const CARC_DUPLICATE: u16 = 18;
    /// CARC 45: charge exceeds fee schedule/maximum allowable.
    pub const CARC_FEE_SCHEDULE: u16 = 45;
    /// CARC 50: not deemed a medical necessity by the payer.
    pub const CARC_NOT_NECESSARY: u16 = 50;
    /// CARC 197: precertification/authorization/notification absent.
    pub const CARC_NO_AUTH: u16 = 197;
    /// CARC 204: service not covered under the patient's current benefit plan.
    pub const CARC_NOT_COVERED: u16 = 204;
    /// Group code of the exact-duplicate denial (configuration: CO here, OA at some payers).
    pub const DUPLICATE_GROUP: AdjustmentGroup = AdjustmentGroup::CO;

    const CONSENT: Item<Address> = Item::new(b"consent");
    const COVERAGES: Map<CoverageId, Coverage> = Map::new(b"cov");
    const ACCUMULATORS: Map<(CoverageId, u32), Accumulator> = Map::new(b"acc");
    const PRIOR_AUTHS: Map<(Address, AuthId), PriorAuth> = Map::new(b"pa");
    const SUBJECT_AUTHS_LEN: Map<SubjectId, u32> = Map::new(b"pa_n");
    const SUBJECT_AUTHS: Map<(SubjectId, u32), (Address, AuthId)> = Map::new(b"pa_s");
    const VERSIONS: Map<ClaimKey, u32> = Map::new(b"ver");
    const CLAIMS: Map<(ClaimKey, u32), Claim> = Map::new(b"claim");
    const SUBJECT_CLAIMS_LEN: Map<SubjectId, u32> = Map::new(b"cl_n");
    const SUBJECT_CLAIMS: Map<(SubjectId, u32), ClaimKey> = Map::new(b"cl_s");
    const CONTENT: Map<Hash, u32> = Map::new(b"content");

    // ---- identifiers ----

    /// SHA-256 of an off-chain document (the 837 or 835 file, the FHIR resource).
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub struct DocHash(pub [u8; 32]);

    /// A claim's id: 837 `CLM01` (patient control number), 1 to 38 characters, unique per
    /// provider. A per-claim control number, never a patient account number or MRN.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct ClaimId(pub String);

    /// A coverage's id (FHIR `Coverage.identifier`), 1 to 50 characters: opaque, never the
    /// subscriber's member id.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct CoverageId(pub String);

    /// A prior authorisation number, as the payer issued it (837 `REF*G1`), 1 to 50 characters.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct AuthId(pub String);

    /// A procedure code: CPT or HCPCS Level II, 5 characters (digits and capital letters).
    #[derive(Encode, Decode, Clone, PartialEq, Eq, PartialOrd, Ord)]
    pub struct ProcCode(pub String);

    /// A claim's natural key: the billing provider and its claim id.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct ClaimKey {
        /// The billing provider.
        pub provider: Address,
        /// Its claim id (CLM01).
        pub claim_id: ClaimId,
    }

    // ---- coverage and plan ----

    /// FHIR FinancialResourceStatusCodes, the status of a Coverage.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum CoverageStatus {
        /// `active`: the only status that adjudicates.
        Active,
        /// `cancelled` (terminal).
        Cancelled,
        /// `draft`.
        Draft,
        /// `entered-in-error` (terminal).
        EnteredInError,
    }

    /// A half-open interval `[start, end)` of Unix seconds.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub struct Period {
        /// First second inside.
        pub start: u64,
        /// First second outside.
        pub end: u64,
    }

    /// One fee-schedule entry: the allowed amount per unit of a procedure.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct Fee {
        /// The procedure.
        pub proc_code: ProcCode,
        /// Allowed amount per unit, in cents.
        pub unit_fee: i64,
    }

    /// The patient's cost sharing for a procedure.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub struct Benefit {
        /// Whether the deductible applies.
        pub deductible_applies: bool,
        /// Copay per line, in cents.
        pub copay: i64,
        /// Coinsurance in basis points (2000 = 20 %), at most 10000.
        pub coinsurance_bps: u16,
    }

    /// The benefit of one procedure code (the plan's benefit category for it).
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct CodeBenefit {
        /// The procedure.
        pub proc_code: ProcCode,
        /// Its cost sharing.
        pub benefit: Benefit,
    }

    /// A health plan's benefits. Codes are unique within each list.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct Plan {
        /// Annual deductible, in cents.
        pub deductible: i64,
        /// Annual out-of-pocket maximum, in cents (at least the deductible).
        pub oop_max: i64,
        /// Allowed amount per unit, per procedure code.
        pub fee_schedule: Vec<Fee>,
        /// Cost sharing per procedure code.
        pub benefits: Vec<CodeBenefit>,
        /// Codes that need prior authorisation.
        pub prior_auth_required: Vec<ProcCode>,
    }

    /// A coverage as the payer sends it (the payer is the caller).
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct NewCoverage {
        /// Its id.
        pub coverage_id: CoverageId,
        /// The covered subject (FHIR `Coverage.beneficiary`).
        pub beneficiary: SubjectId,
        /// Its status.
        pub status: CoverageStatus,
        /// When it covers services, `[start, end)`.
        pub period: Period,
        /// Its plan.
        pub plan: Plan,
    }

    /// A coverage as stored (FHIR `Coverage`).
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct Coverage {
        /// Its id.
        pub coverage_id: CoverageId,
        /// The covered subject.
        pub beneficiary: SubjectId,
        /// The payer (FHIR `Coverage.payor`).
        pub payer: Address,
        /// Its status.
        pub status: CoverageStatus,
        /// When it covers services, `[start, end)`.
        pub period: Period,
        /// Its plan.
        pub plan: Plan,
        /// Block time of the last change.
        pub updated_at: u64,
    }

    /// What a coverage's beneficiary has met in a plan year.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct Accumulator {
        /// The coverage.
        pub coverage_id: CoverageId,
        /// The plan year (calendar year of the service date).
        pub plan_year: u32,
        /// Deductible met, in cents.
        pub deductible_met: i64,
        /// Out-of-pocket met (deductible, copay and coinsurance), in cents.
        pub oop_met: i64,
    }

    // ---- prior authorisation ----

    /// A prior authorisation's status.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum PriorAuthStatus {
        /// Approved, with units left.
        Approved,
        /// Denied.
        Denied,
        /// Approved, every unit used.
        Exhausted,
    }

    /// A prior authorisation as the payer records it (the payer is the caller).
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct NewPriorAuth {
        /// Its number.
        pub auth_id: AuthId,
        /// The subject.
        pub subject: SubjectId,
        /// The provider it is for.
        pub provider: Address,
        /// The procedure it is for.
        pub proc_code: ProcCode,
        /// Units approved.
        pub units_approved: u32,
        /// Service dates it covers, `[start, end)`.
        pub period: Period,
        /// Its status.
        pub status: PriorAuthStatus,
    }

    /// A prior authorisation as stored.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct PriorAuth {
        /// Its number.
        pub auth_id: AuthId,
        /// The payer that issued it.
        pub payer: Address,
        /// The subject.
        pub subject: SubjectId,
        /// The provider it is for.
        pub provider: Address,
        /// The procedure it is for.
        pub proc_code: ProcCode,
        /// Units approved.
        pub units_approved: u32,
        /// Service dates it covers, `[start, end)`.
        pub period: Period,
        /// Its status.
        pub status: PriorAuthStatus,
        /// Units used by adjudicated claims.
        pub units_used: u32,
        /// Block time of the last change.
        pub updated_at: u64,
    }

    // ---- claims ----

    /// Claim frequency type code (837 `CLM05-3`); the SCALE index is the X12 code.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum Frequency {
        /// 1: original claim.
        Original = 1,
        /// 7: replacement of prior claim.
        Replacement = 7,
        /// 8: void/cancel of prior claim.
        Void = 8,
    }

    /// A service line (837 loop 2400: `LX`, `SV1`).
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct Line {
        /// Line number (`LX01`): 1, 2, ... in order.
        pub no: u32,
        /// Procedure code (`SV101-2`).
        pub proc_code: ProcCode,
        /// Units (`SV104`), at least 1.
        pub units: u32,
        /// Line charge (`SV102`), in cents, positive.
        pub charge: i64,
        /// The prior authorisation it relies on (`REF*G1`), if any.
        pub prior_auth: Option<AuthId>,
    }

    /// A claim as the provider submits it (the provider is the caller).
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct NewClaim {
        /// CLM01.
        pub claim_id: ClaimId,
        /// The payer it is billed to.
        pub payer: Address,
        /// The coverage it is billed under.
        pub coverage_id: CoverageId,
        /// The patient.
        pub subject: SubjectId,
        /// Date of service (`DTP*472`), Unix seconds; not in the future.
        pub service_date: u64,
        /// `CLM05-3`.
        pub frequency: Frequency,
        /// Service lines, numbered 1..n.
        pub lines: Vec<Line>,
        /// Hash of the 837 (or FHIR Claim).
        pub doc_hash: DocHash,
    }

    /// Why a claim was rejected (not adjudicated).
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum RejectReason {
        /// The subject's consent denies the payer HPAYMT use of claims.
        ConsentDenied,
        /// No Active coverage of this payer covers the subject at the service date.
        CoverageInactive,
    }

    /// A claim version's status.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum ClaimStatus {
        /// Waiting for adjudication.
        Submitted,
        /// Rejected before adjudication (terminal).
        Rejected(RejectReason),
        /// Adjudicated.
        Adjudicated,
        /// Paid (835 sent).
        Paid,
        /// Replaced by a later version (terminal).
        Replaced,
        /// Voided (terminal).
        Voided,
    }

    /// FHIR RemittanceOutcome.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum RemittanceOutcome {
        /// `queued`.
        Queued,
        /// `complete`: adjudicated.
        Complete,
        /// `error`: rejected.
        Error,
        /// `partial`.
        Partial,
    }

    /// Claim adjustment group code (835 `CAS01`).
    #[allow(clippy::upper_case_acronyms)]
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum AdjustmentGroup {
        /// Contractual obligation (provider write-off).
        CO,
        /// Patient responsibility.
        PR,
        /// Other adjustment.
        OA,
        /// Payer-initiated reduction.
        PI,
    }

    /// One claim adjustment (835 `CAS`): group, CARC and amount.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub struct Adjustment {
        /// Group code.
        pub group: AdjustmentGroup,
        /// Claim adjustment reason code.
        pub carc: u16,
        /// Amount, in cents.
        pub amount: i64,
    }

    /// A line's adjudication (FHIR `ClaimResponse.item.adjudication`, 835 `SVC`/`CAS`).
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct LineAdjudication {
        /// Line number.
        pub no: u32,
        /// `submitted`: the charge.
        pub submitted: i64,
        /// `eligible`: the allowed amount.
        pub eligible: i64,
        /// `deductible` (PR-1).
        pub deductible: i64,
        /// `copay` (PR-3).
        pub copay: i64,
        /// Coinsurance (PR-2).
        pub coinsurance: i64,
        /// `benefit`: what the payer pays.
        pub benefit: i64,
        /// What the patient owes: deductible + copay + coinsurance.
        pub patient_resp: i64,
        /// The adjustments (835 `CAS`).
        pub adjustments: Vec<Adjustment>,
        /// Prior-authorisation units this line used (given back on replacement or void).
        pub auth_units_used: u32,
    }

    /// A claim's totals.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Default)]
    pub struct Totals {
        /// Total charge (`CLP03`).
        pub submitted: i64,
        /// Total allowed.
        pub eligible: i64,
        /// Total deductible.
        pub deductible: i64,
        /// Total copay.
        pub copay: i64,
        /// Total coinsurance.
        pub coinsurance: i64,
        /// Total paid by the payer (`CLP04`).
        pub benefit: i64,
        /// Total patient responsibility (`CLP05`).
        pub patient_resp: i64,
    }

    /// The adjudication result (FHIR `ClaimResponse`).
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct ClaimResponse {
        /// `complete` (adjudicated) or `error` (rejected).
        pub outcome: RemittanceOutcome,
        /// Why it was rejected (`ClaimResponse.error`).
        pub error: Option<RejectReason>,
        /// The plan year whose accumulators it used.
        pub plan_year: u32,
        /// Per line (none for a rejection).
        pub lines: Vec<LineAdjudication>,
        /// Totals.
        pub totals: Totals,
        /// For a replacement of a Paid claim: new benefit minus the old one.
        pub payment_delta: Option<i64>,
    }

    /// A recorded payment (835 `BPR`/`TRN`).
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub struct Payment {
        /// Amount paid, in cents.
        pub amount: i64,
        /// Hash of the reassociation trace (`TRN02`) or the 835 file.
        pub trace_hash: Hash,
        /// Block time.
        pub at: u64,
    }

    /// One version of a claim (FHIR `Claim` with its `ClaimResponse`).
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct Claim {
        /// The billing provider.
        pub provider: Address,
        /// CLM01.
        pub claim_id: ClaimId,
        /// Version under `(provider, claim_id)`, from 1.
        pub version: u32,
        /// The payer.
        pub payer: Address,
        /// The coverage.
        pub coverage_id: CoverageId,
        /// The patient.
        pub subject: SubjectId,
        /// Date of service.
        pub service_date: u64,
        /// `CLM05-3`.
        pub frequency: Frequency,
        /// Service lines.
        pub lines: Vec<Line>,
        /// Hash of the 837.
        pub doc_hash: DocHash,
        /// Content key for exact-duplicate detection.
        pub content_key: Hash,
        /// Status.
        pub status: ClaimStatus,
        /// The adjudication result, once adjudicated or rejected.
        pub response: Option<ClaimResponse>,
        /// The payment, once paid.
        pub payment: Option<Payment>,
        /// Block time of submission.
        pub submitted_at: u64,
        /// Block time of the last change.
        pub updated_at: u64,
    }

    /// The payer's medical-necessity decision for one line.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub struct LineDetermination {
        /// Line number.
        pub no: u32,
        /// False: the line is denied CO-50.
        pub medically_necessary: bool,
    }

    /// What an invalid transition was about.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum Entity {
        /// A claim version.
        Claim,
        /// A coverage.
        Coverage,
    }

    /// A state of a claim or a coverage, for [`Error::InvalidTransition`].
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum State {
        /// Claim submitted.
        Submitted,
        /// Claim rejected.
        Rejected,
        /// Claim adjudicated.
        Adjudicated,
        /// Claim paid.
        Paid,
        /// Claim replaced.
        Replaced,
        /// Claim voided.
        Voided,
        /// Coverage draft.
        Draft,
        /// Coverage active.
        Active,
        /// Coverage cancelled.
        Cancelled,
        /// Coverage entered in error.
        EnteredInError,
    }

    /// Why a call failed. A failed call changes nothing and emits nothing.
    #[error]
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
    }

    // ---- events ----

    /// A coverage was created or changed (`upsert_coverage`, `cancel_coverage`, `set_plan`).
    #[event]
    pub struct CoverageUpdated {
        /// The coverage.
        #[topic]
        pub coverage_id: CoverageId,
        /// Its beneficiary.
        #[topic]
        pub beneficiary: SubjectId,
        /// Status before (none: created).
        pub from: Option<CoverageStatus>,
        /// Status after.
        pub to: CoverageStatus,
        /// The payer.
        pub by: Address,
        /// Block time.
        pub at: u64,
    }

    /// The payer set a plan year's accumulators (opening balance).
    #[event]
    pub struct AccumulatorsSet {
        /// The coverage.
        #[topic]
        pub coverage_id: CoverageId,
        /// The plan year.
        pub plan_year: u32,
        /// Before.
        pub from: Accumulator,
        /// After.
        pub to: Accumulator,
        /// The payer.
        pub by: Address,
        /// Block time.
        pub at: u64,
    }

    /// A prior authorisation was recorded or changed.
    #[event]
    pub struct PriorAuthRecorded {
        /// Its number.
        #[topic]
        pub auth_id: AuthId,
        /// The subject.
        #[topic]
        pub subject: SubjectId,
        /// The provider it is for.
        #[topic]
        pub provider: Address,
        /// Status before (none: created).
        pub from: Option<PriorAuthStatus>,
        /// Status after.
        pub to: PriorAuthStatus,
        /// The payer.
        pub by: Address,
        /// Block time.
        pub at: u64,
    }

    /// A claim version was submitted (original, resubmission or replacement).
    #[event]
    pub struct ClaimSubmitted {
        /// The provider.
        #[topic]
        pub provider: Address,
        /// CLM01.
        #[topic]
        pub claim_id: ClaimId,
        /// The patient.
        #[topic]
        pub subject: SubjectId,
        /// The new version.
        pub version: u32,
        /// `CLM05-3`.
        pub frequency: Frequency,
        /// The payer.
        pub payer: Address,
        /// Status before (none: a new version).
        pub from: Option<ClaimStatus>,
        /// Status after.
        pub to: ClaimStatus,
        /// The provider.
        pub by: Address,
        /// Block time.
        pub at: u64,
    }

    /// A claim version was rejected (consent or coverage).
    #[event]
    pub struct ClaimRejected {
        /// The provider.
        #[topic]
        pub provider: Address,
        /// CLM01.
        #[topic]
        pub claim_id: ClaimId,
        /// The patient.
        #[topic]
        pub subject: SubjectId,
        /// The version.
        pub version: u32,
        /// Status before.
        pub from: ClaimStatus,
        /// Status after, with the reason.
        pub to: ClaimStatus,
        /// The payer.
        pub by: Address,
        /// Block time.
        pub at: u64,
    }

    /// A claim version was adjudicated.
    #[event]
    pub struct ClaimAdjudicated {
        /// The provider.
        #[topic]
        pub provider: Address,
        /// CLM01.
        #[topic]
        pub claim_id: ClaimId,
        /// The patient.
        #[topic]
        pub subject: SubjectId,
        /// The version.
        pub version: u32,
        /// Status before.
        pub from: ClaimStatus,
        /// Status after.
        pub to: ClaimStatus,
        /// Totals.
        pub totals: Totals,
        /// The payer.
        pub by: Address,
        /// Block time.
        pub at: u64,
    }

    /// A claim version was paid (835 `BPR`/`TRN`).
    #[event]
    pub struct ClaimPaid {
        /// The provider.
        #[topic]
        pub provider: Address,
        /// CLM01.
        #[topic]
        pub claim_id: ClaimId,
        /// The patient.
        #[topic]
        pub subject: SubjectId,
        /// The version.
        pub version: u32,
        /// Status before.
        pub from: ClaimStatus,
        /// Status after.
        pub to: ClaimStatus,
        /// Amount paid.
        pub amount: i64,
        /// Trace hash.
        pub trace_hash: Hash,
        /// The payer.
        pub by: Address,
        /// Block time.
        pub at: u64,
    }

    /// A claim version was replaced by a later one (its contributions reversed).
    #[event]
    pub struct ClaimReplaced {
        /// The provider.
        #[topic]
        pub provider: Address,
        /// CLM01.
        #[topic]
        pub claim_id: ClaimId,
        /// The patient.
        #[topic]
        pub subject: SubjectId,
        /// The replaced version.
        pub version: u32,
        /// The replacing version.
        pub replaced_by: u32,
        /// Status before.
        pub from: ClaimStatus,
        /// Status after.
        pub to: ClaimStatus,
        /// If the replaced version was Paid: new benefit minus old benefit.
        pub payment_delta: Option<i64>,
        /// The payer.
        pub by: Address,
        /// Block time.
        pub at: u64,
    }

    /// A claim version was voided (its contributions reversed).
    #[event]
    pub struct ClaimVoided {
        /// The provider.
        #[topic]
        pub provider: Address,
        /// CLM01.
        #[topic]
        pub claim_id: ClaimId,
        /// The patient.
        #[topic]
        pub subject: SubjectId,
        /// The voided version.
        pub version: u32,
        /// Status before.
        pub from: ClaimStatus,
        /// Status after.
        pub to: ClaimStatus,
        /// If the voided version was Paid: minus its benefit (to recoup).
        pub payment_delta: Option<i64>,
        /// Hash of the void (frequency 8) 837.
        pub doc_hash: DocHash,
        /// The provider.
        pub by: Address,
        /// Block time.
        pub at: u64,
    }

    // ---- constructor ----

    /// Creates the claims registry, consulting the AccessConsent contract at `consent` for roles
    /// and consent.
    #[constructor]
    pub fn new(consent: Address) {
        CONSENT.set(&consent);
    }

    // ---- coverage ----

    /// Creates or updates a coverage (FHIR `Coverage`) with its plan. Payer only; an existing
    /// coverage only by its payer, and only along the coverage state machine (or in place).
    #[message]
    pub fn upsert_coverage(coverage: NewCoverage) -> Result<(), Error> {
        let by = require(Role::Payer)?;
        check_id(&coverage.coverage_id.0, MAX_ID)?;
        check_period(&coverage.period)?;
        check_plan(&coverage.plan)?;
        let existing = COVERAGES.get(&coverage.coverage_id);
        let from = match &existing {
            Some(c) => {
                if c.payer != by {
                    return Err(Error::NotCoveragePayer);
                }
                coverage_transition(c.status, coverage.status)?;
                Some(c.status)
            }
            None => None,
        };
        let at = now();
        COVERAGES.insert(
            &coverage.coverage_id,
            &Coverage {
                coverage_id: coverage.coverage_id.clone(),
                beneficiary: coverage.beneficiary,
                payer: by,
                status: coverage.status,
                period: coverage.period,
                plan: coverage.plan,
                updated_at: at,
            },
        );
        env().emit(&CoverageUpdated {
            coverage_id: coverage.coverage_id,
            beneficiary: coverage.beneficiary,
            from,
            to: coverage.status,
            by,
            at,
        });
        Ok(())
    }

    /// Cancels a coverage (Draft or Active -> Cancelled). Its payer only.
    #[message]
    pub fn cancel_coverage(coverage_id: CoverageId) -> Result<(), Error> {
        let by = require(Role::Payer)?;
        let mut c = own_coverage(&coverage_id, by)?;
        coverage_transition(c.status, CoverageStatus::Cancelled)?;
        let from = c.status;
        c.status = CoverageStatus::Cancelled;
        c.updated_at = now();
        COVERAGES.insert(&coverage_id, &c);
        env().emit(&CoverageUpdated {
            coverage_id,
            beneficiary: c.beneficiary,
            from: Some(from),
            to: c.status,
            by,
            at: c.updated_at,
        });
        Ok(())
    }

    /// Replaces a coverage's plan (benefits, fee schedule, prior-auth list). Its payer only.
    /// Claims adjudicated earlier keep their results.
    #[message]
    pub fn set_plan(coverage_id: CoverageId, plan: Plan) -> Result<(), Error> {
        let by = require(Role::Payer)?;
        let mut c = own_coverage(&coverage_id, by)?;
        check_plan(&plan)?;
        c.plan = plan;
        c.updated_at = now();
        COVERAGES.insert(&coverage_id, &c);
        env().emit(&CoverageUpdated {
            coverage_id,
            beneficiary: c.beneficiary,
            from: Some(c.status),
            to: c.status,
            by,
            at: c.updated_at,
        });
        Ok(())
    }

    /// Sets the deductible and out-of-pocket amounts already met in a plan year (an opening
    /// balance, e.g. claims paid before go-live). Its payer only; `0 <= deductible_met <=
    /// deductible`, `deductible_met <= oop_met <= oop_max`.
    #[message]
    pub fn set_accumulators(
        coverage_id: CoverageId,
        plan_year: u32,
        deductible_met: i64,
        oop_met: i64,
    ) -> Result<(), Error> {
        let by = require(Role::Payer)?;
        let c = own_coverage(&coverage_id, by)?;
        if deductible_met < 0
            || deductible_met > c.plan.deductible
            || oop_met < deductible_met
            || oop_met > c.plan.oop_max
        {
            return Err(Error::InvalidAmount);
        }
        let key = (coverage_id.clone(), plan_year);
        let from = ACCUMULATORS
            .get(&key)
            .unwrap_or_else(|| empty_accumulator(&coverage_id, plan_year));
        let to = Accumulator {
            coverage_id: coverage_id.clone(),
            plan_year,
            deductible_met,
            oop_met,
        };
        ACCUMULATORS.insert(&key, &to);
        env().emit(&AccumulatorsSet {
            coverage_id,
            plan_year,
            from,
            to,
            by,
            at: now(),
        });
        Ok(())
    }

    // ---- prior authorisation ----

    /// Records (or updates) a prior authorisation issued by the caller. Payer only. Units
    /// already used are kept; an Approved auth with every unit used is stored as Exhausted.
    #[message]
    pub fn record_prior_auth(auth: NewPriorAuth) -> Result<(), Error> {
        let by = require(Role::Payer)?;
        check_id(&auth.auth_id.0, MAX_ID)?;
        check_code(&auth.proc_code)?;
        check_period(&auth.period)?;
        let key = (by, auth.auth_id.clone());
        let existing = PRIOR_AUTHS.get(&key);
        let units_used = existing.as_ref().map_or(0, |a| a.units_used);
        let status =
            if auth.status == PriorAuthStatus::Approved && units_used >= auth.units_approved {
                PriorAuthStatus::Exhausted
            } else {
                auth.status
            };
        if existing.as_ref().is_none_or(|a| a.subject != auth.subject) {
            index_auth(auth.subject, by, &auth.auth_id)?;
        }
        let at = now();
        PRIOR_AUTHS.insert(
            &key,
            &PriorAuth {
                auth_id: auth.auth_id.clone(),
                payer: by,
                subject: auth.subject,
                provider: auth.provider,
                proc_code: auth.proc_code,
                units_approved: auth.units_approved,
                period: auth.period,
                status,
                units_used,
                updated_at: at,
            },
        );
        env().emit(&PriorAuthRecorded {
            auth_id: auth.auth_id,
            subject: auth.subject,
            provider: auth.provider,
            from: existing.map(|a| a.status),
            to: status,
            by,
            at,
        });
        Ok(())
    }

    // ---- claims ----

    /// Submits a claim (837P) as the billing provider; returns its version. Provider only.
    /// * Original (1): a new `(provider, claim_id)`, or a resubmission if the latest version
    ///   was Rejected (`DuplicateClaimId` otherwise).
    /// * Replacement (7): stored as the next version, to be adjudicated; the latest version
    ///   must be Adjudicated or Paid (`OriginalNotFound`, `InvalidTransition`).
    /// * Void (8): the latest version (Adjudicated or Paid) is voided at once and its
    ///   accumulator and prior-auth contributions reversed; returns the voided version.
    #[message]
    pub fn submit_claim(claim: NewClaim) -> Result<u32, Error> {
        let by = require(Role::Provider)?;
        check_claim(&claim)?;
        let key = ClaimKey {
            provider: by,
            claim_id: claim.claim_id.clone(),
        };
        let latest = VERSIONS.get(&key).unwrap_or(0);
        let previous = if latest > 0 {
            CLAIMS.get(&(key.clone(), latest))
        } else {
            None
        };
        match (claim.frequency, &previous) {
            (Frequency::Original, None) => {}
            (Frequency::Original, Some(p)) => {
                if !matches!(p.status, ClaimStatus::Rejected(_)) {
                    return Err(Error::DuplicateClaimId);
                }
            }
            (_, None) => return Err(Error::OriginalNotFound),
            (frequency, Some(p)) => {
                if !matches!(p.status, ClaimStatus::Adjudicated | ClaimStatus::Paid) {
                    return Err(Error::InvalidTransition {
                        entity: Entity::Claim,
                        from: claim_state(p.status),
                        attempted: if frequency == Frequency::Void {
                            State::Voided
                        } else {
                            State::Replaced
                        },
                    });
                }
                if p.subject != claim.subject || p.payer != claim.payer {
                    return Err(Error::InvalidClaim);
                }
            }
        }
        let at = now();
        if let (Frequency::Void, Some(mut original)) = (claim.frequency, previous.clone()) {
            let from = original.status;
            let old_benefit = reverse(&original)?;
            original.status = ClaimStatus::Voided;
            original.updated_at = at;
            CLAIMS.insert(&(key.clone(), latest), &original);
            let payment_delta = if from == ClaimStatus::Paid {
                Some(old_benefit.checked_neg().ok_or(Error::ArithmeticOverflow)?)
            } else {
                None
            };
            env().emit(&ClaimVoided {
                provider: by,
                claim_id: key.claim_id,
                subject: original.subject,
                version: latest,
                from,
                to: original.status,
                payment_delta,
                doc_hash: claim.doc_hash,
                by,
                at,
            });
            return Ok(latest);
        }
        let version = latest.checked_add(1).ok_or(Error::ArithmeticOverflow)?;
        let content_key = content_key(&claim, by);
        let stored = Claim {
            provider: by,
            claim_id: claim.claim_id.clone(),
            version,
            payer: claim.payer,
            coverage_id: claim.coverage_id,
            subject: claim.subject,
            service_date: claim.service_date,
            frequency: claim.frequency,
            lines: claim.lines,
            doc_hash: claim.doc_hash,
            content_key,
            status: ClaimStatus::Submitted,
            response: None,
            payment: None,
            submitted_at: at,
            updated_at: at,
        };
        CLAIMS.insert(&(key.clone(), version), &stored);
        VERSIONS.insert(&key, &version);
        if previous.is_none_or(|p| p.subject != claim.subject) {
            index_claim(claim.subject, &key)?;
        }
        env().emit(&ClaimSubmitted {
            provider: by,
            claim_id: claim.claim_id,
            subject: claim.subject,
            version,
            frequency: claim.frequency,
            payer: claim.payer,
            from: None,
            to: ClaimStatus::Submitted,
            by,
            at,
        });
        Ok(version)
    }

    /// Adjudicates the latest version of a claim (Submitted) as its payer, with the payer's
    /// medical-necessity decision for every line. In order: (for a replacement, the original is
    /// reversed and Replaced;) consent (HPAYMT, asked of AccessConsent and logged there) and
    /// coverage, which reject the claim if they fail; the exact-duplicate check (every line
    /// CO-18); then each line in order — prior authorisation (CO-197), medical necessity
    /// (CO-50), coverage of the code (CO-204), allowed amount (CO-45), deductible (PR-1), copay
    /// (PR-3), coinsurance (PR-2), OOP cap — updating the accumulators after each line.
    /// Returns the response; a rejection is an outcome, not an error.
    #[message]
    pub fn adjudicate(
        claim: ClaimKey,
        line_determinations: Vec<LineDetermination>,
    ) -> Result<ClaimResponse, Error> {
        let by = require(Role::Payer)?;
        let (version, mut c) = latest(&claim)?;
        if c.payer != by {
            return Err(Error::NotClaimPayer);
        }
        if c.status != ClaimStatus::Submitted {
            return Err(Error::InvalidTransition {
                entity: Entity::Claim,
                from: claim_state(c.status),
                attempted: State::Adjudicated,
            });
        }
        let necessary = necessity(&c.lines, &line_determinations)?;
        let plan_year = year_of(c.service_date)?;
        let at = now();

        // A replacement: the original gives way first (reversed, then Replaced).
        let replaced = if c.frequency == Frequency::Replacement {
            let prev = version.checked_sub(1).ok_or(Error::ArithmeticOverflow)?;
            let original_key = (claim.clone(), prev);
            let Some(mut original) = CLAIMS.get(&original_key) else {
                panic!("replacement {version} has no original version {prev}");
            };
            let from = original.status;
            let old_benefit = reverse(&original)?;
            original.status = ClaimStatus::Replaced;
            original.updated_at = at;
            CLAIMS.insert(&original_key, &original);
            Some((prev, from, old_benefit))
        } else {
            None
        };

        let mut response = if !consent_permits(by, c.subject)? {
            rejection(&c, RejectReason::ConsentDenied, plan_year)?
        } else {
            match coverage_in_force(&c) {
                None => rejection(&c, RejectReason::CoverageInactive, plan_year)?,
                Some(coverage) => {
                    let r = price(&c, &necessary, &coverage.plan, plan_year)?;
                    let n = CONTENT.get(&c.content_key).unwrap_or(0);
                    CONTENT.insert(
                        &c.content_key,
                        &n.checked_add(1).ok_or(Error::ArithmeticOverflow)?,
                    );
                    r
                }
            }
        };
        let from = c.status;
        c.status = match response.error {
            Some(reason) => ClaimStatus::Rejected(reason),
            None => ClaimStatus::Adjudicated,
        };
        if let Some((prev, original_from, old_benefit)) = replaced {
            let payment_delta = if original_from == ClaimStatus::Paid {
                Some(
                    response
                        .totals
                        .benefit
                        .checked_sub(old_benefit)
                        .ok_or(Error::ArithmeticOverflow)?,
                )
            } else {
                None
            };
            response.payment_delta = payment_delta;
            env().emit(&ClaimReplaced {
                provider: claim.provider,
                claim_id: claim.claim_id.clone(),
                subject: c.subject,
                version: prev,
                replaced_by: version,
                from: original_from,
                to: ClaimStatus::Replaced,
                payment_delta,
                by,
                at,
            });
        }
        c.response = Some(response.clone());
        c.updated_at = at;
        CLAIMS.insert(&(claim.clone(), version), &c);
        if response.error.is_some() {
            env().emit(&ClaimRejected {
                provider: claim.provider,
                claim_id: claim.claim_id,
                subject: c.subject,
                version,
                from,
                to: c.status,
                by,
                at,
            });
        } else {
            env().emit(&ClaimAdjudicated {
                provider: claim.provider,
                claim_id: claim.claim_id,
                subject: c.subject,
                version,
                from,
                to: c.status,
                totals: response.totals,
                by,
                at,
            });
        }
        Ok(response)
    }

    /// Records the payment of the latest version of a claim (Adjudicated -> Paid; 835
    /// `BPR`/`TRN`). Its payer only; `amount` must equal the total benefit.
    #[message]
    pub fn record_payment(claim: ClaimKey, amount: i64, trace_hash: Hash) -> Result<(), Error> {
        let by = require(Role::Payer)?;
        let (version, mut c) = latest(&claim)?;
        if c.payer != by {
            return Err(Error::NotClaimPayer);
        }
        if c.status != ClaimStatus::Adjudicated {
            return Err(Error::InvalidTransition {
                entity: Entity::Claim,
                from: claim_state(c.status),
                attempted: State::Paid,
            });
        }
        let benefit = c.response.as_ref().map_or(0, |r| r.totals.benefit);
        if amount != benefit {
            return Err(Error::PaymentMismatch);
        }
        let at = now();
        let from = c.status;
        c.status = ClaimStatus::Paid;
        c.payment = Some(Payment {
            amount,
            trace_hash,
            at,
        });
        c.updated_at = at;
        CLAIMS.insert(&(claim.clone(), version), &c);
        env().emit(&ClaimPaid {
            provider: claim.provider,
            claim_id: claim.claim_id,
            subject: c.subject,
            version,
            from,
            to: c.status,
            amount,
            trace_hash,
            by,
            at,
        });
        Ok(())
    }

    // ---- queries ----

    /// The latest version of a claim.
    #[query]
    pub fn get_claim(claim: ClaimKey) -> Result<Claim, Error> {
        latest(&claim).map(|(_, c)| c)
    }

    /// One version of a claim (1 is the first).
    #[query]
    pub fn get_claim_version(claim: ClaimKey, version: u32) -> Result<Claim, Error> {
        CLAIMS.get(&(claim, version)).ok_or(Error::ClaimNotFound)
    }

    /// How many versions a claim has (0: none).
    #[query]
    pub fn claim_versions(claim: ClaimKey) -> u32 {
        VERSIONS.get(&claim).unwrap_or(0)
    }

    /// The adjudication result of the latest version of a claim (none before adjudication).
    #[query]
    pub fn get_response(claim: ClaimKey) -> Result<Option<ClaimResponse>, Error> {
        latest(&claim).map(|(_, c)| c.response)
    }

    /// A coverage.
    #[query]
    pub fn get_coverage(coverage_id: CoverageId) -> Result<Coverage, Error> {
        COVERAGES.get(&coverage_id).ok_or(Error::CoverageNotFound)
    }

    /// The accumulators of a coverage in a plan year (zero if nothing was met yet).
    #[query]
    pub fn accumulators(coverage_id: CoverageId, plan_year: u32) -> Result<Accumulator, Error> {
        if !COVERAGES.contains(&coverage_id) {
            return Err(Error::CoverageNotFound);
        }
        Ok(ACCUMULATORS
            .get(&(coverage_id.clone(), plan_year))
            .unwrap_or_else(|| empty_accumulator(&coverage_id, plan_year)))
    }

    /// Up to `limit` (at most 20) claims of `subject` from its `start`-th, oldest first, each
    /// in its latest version.
    #[query]
    pub fn claims_by_subject(subject: SubjectId, start: u32, limit: u32) -> Vec<Claim> {
        let len = SUBJECT_CLAIMS_LEN.get(&subject).unwrap_or(0);
        let end = len.min(start.saturating_add(limit.min(MAX_PAGE)));
        let mut out = Vec::new();
        for i in start..end {
            if let Some(key) = SUBJECT_CLAIMS.get(&(subject, i))
                && let Ok((_, c)) = latest(&key)
                && c.subject == subject
            {
                out.push(c);
            }
        }
        out
    }

    /// Up to `limit` (at most 20) prior authorisations of `subject` from its `start`-th.
    #[query]
    pub fn prior_auths(subject: SubjectId, start: u32, limit: u32) -> Vec<PriorAuth> {
        let len = SUBJECT_AUTHS_LEN.get(&subject).unwrap_or(0);
        let end = len.min(start.saturating_add(limit.min(MAX_PAGE)));
        let mut out = Vec::new();
        for i in start..end {
            if let Some(key) = SUBJECT_AUTHS.get(&(subject, i))
                && let Some(a) = PRIOR_AUTHS.get(&key)
                && a.subject == subject
            {
                out.push(a);
            }
        }
        out
    }

    /// A prior authorisation by its payer and number.
    #[query]
    pub fn get_prior_auth(payer: Address, auth_id: AuthId) -> Option<PriorAuth> {
        PRIOR_AUTHS.get(&(payer, auth_id))
    }

    /// The plan year of a service date: its calendar year (UTC).
    #[query]
    pub fn plan_year(service_date: u64) -> Result<u32, Error> {
        year_of(service_date)
    }

    /// The AccessConsent contract this contract consults.
    #[query]
    pub fn consent_contract() -> Address {
        CONSENT.get().unwrap_or_default()
    }

    // ---- internals: access ----

    fn now() -> u64 {
        env().block_time()
    }

    /// The caller, if AccessConsent says it is an active actor with `role`.
    fn require(role: Role) -> Result<Address, Error> {
        let caller = env().caller();
        let granted = consent_api::has_role(consent_contract(), &caller, role)
            .invoke()
            .map_err(|_| Error::ConsentUnavailable)?;
        if granted {
            Ok(caller)
        } else {
            Err(Error::Unauthorized {
                required_role: role,
            })
        }
    }

    /// Asks AccessConsent (and has it log) whether `payer` may use `subject`'s claims for
    /// payment. Any permit counts (break-the-glass cannot arise for HPAYMT); any deny rejects.
    fn consent_permits(payer: Address, subject: SubjectId) -> Result<bool, Error> {
        let decision = consent_api::check_access_for(
            consent_contract(),
            &payer,
            &subject,
            PurposeOfUse::HPAYMT,
            DataClass::Claim,
            Action::Use,
        )
        .invoke()
        .map_err(|_| Error::ConsentUnavailable)?;
        Ok(!matches!(decision, Decision::Deny(_)))
    }

    // ---- internals: validation ----

    /// 1..=`max` bytes of printable ASCII.
    fn check_id(id: &str, max: usize) -> Result<(), Error> {
        if id.is_empty() || id.len() > max || !id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::InvalidCode);
        }
        Ok(())
    }

    /// 5 digits or capital letters (CPT, HCPCS Level II).
    fn check_code(code: &ProcCode) -> Result<(), Error> {
        let b = code.0.as_bytes();
        if b.len() != PROC_CODE_LEN
            || !b
                .iter()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        {
            return Err(Error::InvalidCode);
        }
        Ok(())
    }

    fn check_period(p: &Period) -> Result<(), Error> {
        if p.end <= p.start {
            return Err(Error::InvalidPeriod);
        }
        Ok(())
    }

    /// At most `MAX_PLAN_CODES` well-formed codes, none twice.
    fn check_codes(codes: Vec<&ProcCode>) -> Result<(), Error> {
        if codes.len() > MAX_PLAN_CODES {
            return Err(Error::InvalidPlan);
        }
        for (i, code) in codes.iter().enumerate() {
            check_code(code)?;
            if codes.iter().take(i).any(|c| c == code) {
                return Err(Error::InvalidPlan);
            }
        }
        Ok(())
    }

    fn check_plan(plan: &Plan) -> Result<(), Error> {
        if plan.deductible < 0 || plan.oop_max < plan.deductible {
            return Err(Error::InvalidAmount);
        }
        if plan.fee_schedule.iter().any(|f| f.unit_fee < 0)
            || plan.benefits.iter().any(|b| {
                b.benefit.copay < 0 || i64::from(b.benefit.coinsurance_bps) > BPS_DENOMINATOR
            })
        {
            return Err(Error::InvalidAmount);
        }
        check_codes(plan.fee_schedule.iter().map(|f| &f.proc_code).collect())?;
        check_codes(plan.benefits.iter().map(|b| &b.proc_code).collect())?;
        check_codes(plan.prior_auth_required.iter().collect())?;
        Ok(())
    }

    fn check_claim(claim: &NewClaim) -> Result<(), Error> {
        check_id(&claim.claim_id.0, MAX_CLAIM_ID)?;
        check_id(&claim.coverage_id.0, MAX_ID)?;
        if claim.lines.is_empty() || claim.lines.len() > MAX_LINES as usize {
            return Err(Error::InvalidClaim);
        }
        let mut expected: u32 = 0;
        let mut total: i64 = 0;
        for line in &claim.lines {
            expected = expected.checked_add(1).ok_or(Error::ArithmeticOverflow)?;
            if line.no != expected {
                return Err(Error::InvalidClaim);
            }
            check_code(&line.proc_code)?;
            if let Some(auth) = &line.prior_auth {
                check_id(&auth.0, MAX_ID)?;
            }
            if line.units == 0 || line.charge <= 0 {
                return Err(Error::InvalidAmount);
            }
            total = total
                .checked_add(line.charge)
                .ok_or(Error::ArithmeticOverflow)?;
        }
        if claim.service_date > now() {
            return Err(Error::FutureTimestamp);
        }
        Ok(())
    }

    /// The medical-necessity flag of each line, in line order.
    fn necessity(lines: &[Line], determinations: &[LineDetermination]) -> Result<Vec<bool>, Error> {
        if lines.len() != determinations.len() {
            return Err(Error::LineCountMismatch);
        }
        lines
            .iter()
            .map(|l| {
                determinations
                    .iter()
                    .find(|d| d.no == l.no)
                    .map(|d| d.medically_necessary)
                    .ok_or(Error::LineCountMismatch)
            })
            .collect()
    }

    // ---- internals: state ----

    fn claim_state(s: ClaimStatus) -> State {
        match s {
            ClaimStatus::Submitted => State::Submitted,
            ClaimStatus::Rejected(_) => State::Rejected,
            ClaimStatus::Adjudicated => State::Adjudicated,
            ClaimStatus::Paid => State::Paid,
            ClaimStatus::Replaced => State::Replaced,
            ClaimStatus::Voided => State::Voided,
        }
    }

    fn coverage_state(s: CoverageStatus) -> State {
        match s {
            CoverageStatus::Active => State::Active,
            CoverageStatus::Cancelled => State::Cancelled,
            CoverageStatus::Draft => State::Draft,
            CoverageStatus::EnteredInError => State::EnteredInError,
        }
    }

    /// Checks a coverage status change (staying in a non-terminal status is an update).
    fn coverage_transition(from: CoverageStatus, to: CoverageStatus) -> Result<(), Error> {
        use CoverageStatus::*;
        let allowed = matches!(
            (from, to),
            (Draft, Draft | Active | Cancelled | EnteredInError)
                | (Active, Active | Cancelled | EnteredInError)
        );
        if allowed {
            Ok(())
        } else {
            Err(Error::InvalidTransition {
                entity: Entity::Coverage,
                from: coverage_state(from),
                attempted: coverage_state(to),
            })
        }
    }

    fn own_coverage(coverage_id: &CoverageId, payer: Address) -> Result<Coverage, Error> {
        let c = COVERAGES.get(coverage_id).ok_or(Error::CoverageNotFound)?;
        if c.payer != payer {
            return Err(Error::NotCoveragePayer);
        }
        Ok(c)
    }

    fn empty_accumulator(coverage_id: &CoverageId, plan_year: u32) -> Accumulator {
        Accumulator {
            coverage_id: coverage_id.clone(),
            plan_year,
            deductible_met: 0,
            oop_met: 0,
        }
    }

    fn latest(key: &ClaimKey) -> Result<(u32, Claim), Error> {
        let version = VERSIONS.get(key).ok_or(Error::ClaimNotFound)?;
        let c = CLAIMS
            .get(&(key.clone(), version))
            .ok_or(Error::ClaimNotFound)?;
        Ok((version, c))
    }

    fn index_claim(subject: SubjectId, key: &ClaimKey) -> Result<(), Error> {
        let n = SUBJECT_CLAIMS_LEN.get(&subject).unwrap_or(0);
        SUBJECT_CLAIMS.insert(&(subject, n), key);
        SUBJECT_CLAIMS_LEN.insert(
            &subject,
            &n.checked_add(1).ok_or(Error::ArithmeticOverflow)?,
        );
        Ok(())
    }

    fn index_auth(subject: SubjectId, payer: Address, auth_id: &AuthId) -> Result<(), Error> {
        let n = SUBJECT_AUTHS_LEN.get(&subject).unwrap_or(0);
        SUBJECT_AUTHS.insert(&(subject, n), &(payer, auth_id.clone()));
        SUBJECT_AUTHS_LEN.insert(
            &subject,
            &n.checked_add(1).ok_or(Error::ArithmeticOverflow)?,
        );
        Ok(())
    }

    /// H(subject, provider, service_date, sorted (proc_code, units, charge) of the lines).
    fn content_key(claim: &NewClaim, provider: Address) -> Hash {
        // Sorted by inserting each line in place: claims have few lines, and `sort_unstable`
        // brings ~3 KB of sorting code. Equal lines are identical, so the order is the same.
        let mut lines: Vec<(ProcCode, u32, i64)> = Vec::with_capacity(claim.lines.len());
        for l in &claim.lines {
            let line = (l.proc_code.clone(), l.units, l.charge);
            let at = lines.partition_point(|x| *x <= line);
            lines.insert(at, line);
        }
        let data = (claim.subject.0, provider, claim.service_date, lines).encode();
        env().blake2b_256(&data)
    }

    /// The coverage of a claim if it is Active, covers the service date and is the subject's
    /// with this payer.
    fn coverage_in_force(c: &Claim) -> Option<Coverage> {
        COVERAGES.get(&c.coverage_id).filter(|cov| {
            cov.status == CoverageStatus::Active
                && cov.period.start <= c.service_date
                && c.service_date < cov.period.end
                && cov.beneficiary == c.subject
                && cov.payer == c.payer
        })
    }

    /// Calendar year (UTC) of Unix time `t`: days to civil date (H. Hinnant's algorithm), in
    /// integers only. Every intermediate is bounded by `z` (< 2^48), so only its computation
    /// can overflow.
    fn year_of(t: u64) -> Result<u32, Error> {
        let days = t / 86_400;
        // Days since 0000-03-01.
        let z = days.checked_add(719_468).ok_or(Error::ArithmeticOverflow)?;
        let era = z / 146_097;
        let doe = z - era * 146_097; // day of the 400-year era, [0, 146096]
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of the March-based year
        let mp = (5 * doy + 2) / 153; // month from March, [0, 11]
        let year = era * 400 + yoe + u64::from(mp >= 10); // January and February: next year
        u32::try_from(year).map_err(|_| Error::ArithmeticOverflow)
    }

    // ---- internals: money ----

    fn add(a: i64, b: i64) -> Result<i64, Error> {
        a.checked_add(b).ok_or(Error::ArithmeticOverflow)
    }

    fn sub(a: i64, b: i64) -> Result<i64, Error> {
        a.checked_sub(b).ok_or(Error::ArithmeticOverflow)
    }

    fn mul(a: i64, b: i64) -> Result<i64, Error> {
        a.checked_mul(b).ok_or(Error::ArithmeticOverflow)
    }

    /// The response of a rejected claim: outcome error, no lines, only the total charge.
    fn rejection(c: &Claim, reason: RejectReason, plan_year: u32) -> Result<ClaimResponse, Error> {
        let mut submitted: i64 = 0;
        for line in &c.lines {
            submitted = add(submitted, line.charge)?;
        }
        Ok(ClaimResponse {
            outcome: RemittanceOutcome::Error,
            error: Some(reason),
            plan_year,
            lines: Vec::new(),
            totals: Totals {
                submitted,
                ..Totals::default()
            },
            payment_delta: None,
        })
    }

    /// A line denied in full with `group`-`carc`.
    fn denied(line: &Line, group: AdjustmentGroup, carc: u16) -> LineAdjudication {
        LineAdjudication {
            no: line.no,
            submitted: line.charge,
            eligible: 0,
            deductible: 0,
            copay: 0,
            coinsurance: 0,
            benefit: 0,
            patient_resp: 0,
            adjustments: vec![Adjustment {
                group,
                carc,
                amount: line.charge,
            }],
            auth_units_used: 0,
        }
    }

    /// The prior auth a line may use: Approved, the claim's payer's, for this subject,
    /// provider and code, valid at the service date, with enough units left.
    fn usable_auth(c: &Claim, line: &Line) -> Option<(Address, AuthId, PriorAuth)> {
        let id = line.prior_auth.clone()?;
        let auth = PRIOR_AUTHS.get(&(c.payer, id.clone()))?;
        let ok = auth.status == PriorAuthStatus::Approved
            && auth.subject == c.subject
            && auth.provider == c.provider
            && auth.proc_code == line.proc_code
            && auth.period.start <= c.service_date
            && c.service_date < auth.period.end
            && auth
                .units_approved
                .checked_sub(auth.units_used)
                .is_some_and(|left| left >= line.units);
        ok.then_some((c.payer, id, auth))
    }

    /// Prices an eligible line against the plan and the accumulators, and updates them.
    fn price_line(
        line: &Line,
        unit_fee: i64,
        benefit: &Benefit,
        plan: &Plan,
        acc: &mut Accumulator,
    ) -> Result<LineAdjudication, Error> {
        let fee = mul(unit_fee, i64::from(line.units))?;
        let allowed = line.charge.min(fee);
        let contractual = sub(line.charge, allowed)?;
        let deductible_left = sub(plan.deductible, acc.deductible_met)?.max(0);
        let mut ded = if benefit.deductible_applies {
            allowed.min(deductible_left)
        } else {
            0
        };
        let after_ded = sub(allowed, ded)?;
        let mut cop = benefit.copay.min(after_ded);
        let base = sub(after_ded, cop)?;
        // Half-up to the cent: (base * bps + 5000) / 10000.
        let mut coins = add(
            mul(base, i64::from(benefit.coinsurance_bps))?,
            BPS_DENOMINATOR / 2,
        )? / BPS_DENOMINATOR;
        let room = sub(plan.oop_max, acc.oop_met)?.max(0);
        let mut patient = add(add(ded, cop)?, coins)?;
        if patient > room {
            // Over the OOP maximum: reduce coinsurance, then copay, then deductible.
            let mut excess = sub(patient, room)?;
            for part in [&mut coins, &mut cop, &mut ded] {
                let cut = (*part).min(excess);
                *part = sub(*part, cut)?;
                excess = sub(excess, cut)?;
            }
            patient = add(add(ded, cop)?, coins)?;
        }
        let payer = sub(allowed, patient)?;
        acc.deductible_met = add(acc.deductible_met, ded)?;
        acc.oop_met = add(acc.oop_met, patient)?;
        let mut adjustments = Vec::new();
        for (group, carc, amount) in [
            (AdjustmentGroup::CO, CARC_FEE_SCHEDULE, contractual),
            (AdjustmentGroup::PR, CARC_DEDUCTIBLE, ded),
            (AdjustmentGroup::PR, CARC_COINSURANCE, coins),
            (AdjustmentGroup::PR, CARC_COPAY, cop),
        ] {
            if amount != 0 {
                adjustments.push(Adjustment {
                    group,
                    carc,
                    amount,
                });
            }
        }
        Ok(LineAdjudication {
            no: line.no,
            submitted: line.charge,
            eligible: allowed,
            deductible: ded,
            copay: cop,
            coinsurance: coins,
            benefit: payer,
            patient_resp: patient,
            adjustments,
            auth_units_used: 0,
        })
    }

    /// Adjudicates every line of an accepted claim (duplicate check, then line by line), and
    /// stores the accumulators and prior-auth units it used.
    fn price(
        c: &Claim,
        necessary: &[bool],
        plan: &Plan,
        plan_year: u32,
    ) -> Result<ClaimResponse, Error> {
        let duplicate = CONTENT.get(&c.content_key).unwrap_or(0) > 0;
        let acc_key = (c.coverage_id.clone(), plan_year);
        let before = ACCUMULATORS
            .get(&acc_key)
            .unwrap_or_else(|| empty_accumulator(&c.coverage_id, plan_year));
        let mut acc = before.clone();
        let mut lines = Vec::with_capacity(c.lines.len());
        for (line, &medically_necessary) in c.lines.iter().zip(necessary) {
            let adjudication = if duplicate {
                denied(line, DUPLICATE_GROUP, CARC_DUPLICATE)
            } else {
                let needs_auth = plan.prior_auth_required.contains(&line.proc_code);
                let auth = if needs_auth {
                    usable_auth(c, line)
                } else {
                    None
                };
                let fee = plan
                    .fee_schedule
                    .iter()
                    .find(|f| f.proc_code == line.proc_code);
                let benefit = plan.benefits.iter().find(|b| b.proc_code == line.proc_code);
                if needs_auth && auth.is_none() {
                    denied(line, AdjustmentGroup::CO, CARC_NO_AUTH)
                } else if !medically_necessary {
                    denied(line, AdjustmentGroup::CO, CARC_NOT_NECESSARY)
                } else if let (Some(fee), Some(benefit)) = (fee, benefit) {
                    let mut priced =
                        price_line(line, fee.unit_fee, &benefit.benefit, plan, &mut acc)?;
                    if let Some((payer, id, mut a)) = auth {
                        a.units_used = a
                            .units_used
                            .checked_add(line.units)
                            .ok_or(Error::ArithmeticOverflow)?;
                        if a.units_used >= a.units_approved {
                            a.status = PriorAuthStatus::Exhausted;
                        }
                        PRIOR_AUTHS.insert(&(payer, id), &a);
                        priced.auth_units_used = line.units;
                    }
                    priced
                } else {
                    denied(line, AdjustmentGroup::CO, CARC_NOT_COVERED)
                }
            };
            check_line(&adjudication);
            lines.push(adjudication);
        }
        if acc != before {
            ACCUMULATORS.insert(&acc_key, &acc);
        }
        let mut totals = Totals::default();
        for l in &lines {
            totals.submitted = add(totals.submitted, l.submitted)?;
            totals.eligible = add(totals.eligible, l.eligible)?;
            totals.deductible = add(totals.deductible, l.deductible)?;
            totals.copay = add(totals.copay, l.copay)?;
            totals.coinsurance = add(totals.coinsurance, l.coinsurance)?;
            totals.benefit = add(totals.benefit, l.benefit)?;
            totals.patient_resp = add(totals.patient_resp, l.patient_resp)?;
        }
        Ok(ClaimResponse {
            outcome: RemittanceOutcome::Complete,
            error: None,
            plan_year,
            lines,
            totals,
            payment_delta: None,
        })
    }

    /// The 835 balancing invariants of a line: `charge = allowed + Σ CO` (OA counted with CO,
    /// should `DUPLICATE_GROUP` be set to OA), `allowed = payer + patient`, `patient = deductible
    /// + copay + coinsurance`, no negative share, and a denied line (a CO/OA adjustment other
    /// than 45) has allowed = payer = patient = 0. A violation is a bug in this contract: it
    /// panics, and the whole call reverts.
    fn check_line(l: &LineAdjudication) {
        let mut co: i64 = 0;
        let mut denial = false;
        for a in &l.adjustments {
            if a.amount <= 0 {
                panic!(
                    "line {}: adjustment CARC {} of {} is not positive",
                    l.no, a.carc, a.amount
                );
            }
            if matches!(a.group, AdjustmentGroup::CO | AdjustmentGroup::OA) {
                co = co
                    .checked_add(a.amount)
                    .unwrap_or_else(|| panic!("line {}: CO total overflows", l.no));
                denial |= a.carc != CARC_FEE_SCHEDULE;
            }
        }
        let sums = |a: i64, b: i64| a.checked_add(b);
        if sums(l.eligible, co) != Some(l.submitted) {
            panic!(
                "line {}: charge {} != allowed {} + CO {}",
                l.no, l.submitted, l.eligible, co
            );
        }
        if sums(l.benefit, l.patient_resp) != Some(l.eligible) {
            panic!(
                "line {}: allowed {} != payer {} + patient {}",
                l.no, l.eligible, l.benefit, l.patient_resp
            );
        }
        let shares = sums(l.deductible, l.copay).and_then(|s| sums(s, l.coinsurance));
        if shares != Some(l.patient_resp)
            || l.deductible < 0
            || l.copay < 0
            || l.coinsurance < 0
            || l.benefit < 0
        {
            panic!(
                "line {}: patient {} != deductible {} + copay {} + coinsurance {}, or a share is negative",
                l.no, l.patient_resp, l.deductible, l.copay, l.coinsurance
            );
        }
        if denial && (l.eligible != 0 || l.benefit != 0 || l.patient_resp != 0) {
            panic!(
                "line {}: a denied line must have allowed = payer = patient = 0",
                l.no
            );
        }
    }

    /// Reverses what an Adjudicated or Paid version contributed (accumulators, prior-auth
    /// units, duplicate index); returns its benefit.
    fn reverse(original: &Claim) -> Result<i64, Error> {
        let Some(r) = original.response.as_ref() else {
            panic!(
                "claim version {} is adjudicated without a response",
                original.version
            );
        };
        let key = (original.coverage_id.clone(), r.plan_year);
        if r.totals.deductible != 0 || r.totals.patient_resp != 0 {
            let mut acc = ACCUMULATORS
                .get(&key)
                .unwrap_or_else(|| empty_accumulator(&original.coverage_id, r.plan_year));
            acc.deductible_met = sub(acc.deductible_met, r.totals.deductible)?.max(0);
            acc.oop_met = sub(acc.oop_met, r.totals.patient_resp)?.max(0);
            ACCUMULATORS.insert(&key, &acc);
        }
        for (line, l) in original.lines.iter().zip(&r.lines) {
            if l.auth_units_used == 0 {
                continue;
            }
            let Some(id) = line.prior_auth.clone() else {
                continue;
            };
            let auth_key = (original.payer, id);
            if let Some(mut a) = PRIOR_AUTHS.get(&auth_key) {
                a.units_used = a.units_used.saturating_sub(l.auth_units_used);
                if a.status == PriorAuthStatus::Exhausted && a.units_used < a.units_approved {
                    a.status = PriorAuthStatus::Approved;
                }
                PRIOR_AUTHS.insert(&auth_key, &a);
            }
        }
        let n = CONTENT.get(&original.content_key).unwrap_or(0);
        if n > 1 {
            CONTENT.insert(&original.content_key, &(n - 1));
        } else {
            CONTENT.remove(&original.content_key);
        }
        Ok(r.totals.benefit)
    }
}
