//! Claims' types: identifiers, coverage and plan, prior authorisation, claims and their
//! adjudication. The consent types are `carechain-consent-api`'s.

use carechain_consent_api::SubjectId;
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

/// SHA-256 of an off-chain document (the 837 or 835 file, the FHIR resource).
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct DocHash(pub [u8; 32]);

/// A claim's id: 837 `CLM01` (patient control number), 1 to 38 characters, unique per
/// provider. A per-claim control number, never a patient account number or MRN.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct ClaimId(pub String);

/// A coverage's id (FHIR `Coverage.identifier`), 1 to 50 characters: opaque, never the
/// subscriber's member id.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct CoverageId(pub String);

/// A prior authorisation number, as the payer issued it (837 `REF*G1`), 1 to 50 characters.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct AuthId(pub String);

/// A procedure code: CPT or HCPCS Level II, 5 characters (digits and capital letters).
#[derive(Encode, Decode, Clone, PartialEq, Eq, PartialOrd, Ord, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct ProcCode(pub String);

/// A claim's natural key: the billing provider and its claim id.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct ClaimKey {
    /// The billing provider.
    pub provider: Address,
    /// Its claim id (CLM01).
    pub claim_id: ClaimId,
}

/// FHIR FinancialResourceStatusCodes, the status of a Coverage.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Period {
    /// First second inside.
    pub start: u64,
    /// First second outside.
    pub end: u64,
}

/// One fee-schedule entry: the allowed amount per unit of a procedure.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Fee {
    /// The procedure.
    pub proc_code: ProcCode,
    /// Allowed amount per unit, in cents.
    pub unit_fee: i64,
}

/// The patient's cost sharing for a procedure.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Benefit {
    /// Whether the deductible applies.
    pub deductible_applies: bool,
    /// Copay per line, in cents.
    pub copay: i64,
    /// Coinsurance in basis points (2000 = 20 %), at most 10000.
    pub coinsurance_bps: u16,
}

/// The benefit of one procedure code (the plan's benefit category for it).
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct CodeBenefit {
    /// The procedure.
    pub proc_code: ProcCode,
    /// Its cost sharing.
    pub benefit: Benefit,
}

/// A health plan's benefits. Codes are unique within each list.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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

/// A prior authorisation's status.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum PriorAuthStatus {
    /// Approved, with units left.
    Approved,
    /// Denied.
    Denied,
    /// Approved, every unit used.
    Exhausted,
}

/// A prior authorisation as the payer records it (the payer is the caller).
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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

/// Claim frequency type code (837 `CLM05-3`); the SCALE index is the X12 code.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum Frequency {
    /// 1: original claim.
    Original = 1,
    /// 7: replacement of prior claim.
    Replacement = 7,
    /// 8: void/cancel of prior claim.
    Void = 8,
}

/// A service line (837 loop 2400: `LX`, `SV1`).
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum RejectReason {
    /// The subject's consent denies the payer HPAYMT use of claims.
    ConsentDenied,
    /// No Active coverage of this payer covers the subject at the service date.
    CoverageInactive,
}

/// A claim version's status.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Adjustment {
    /// Group code.
    pub group: AdjustmentGroup,
    /// Claim adjustment reason code.
    pub carc: u16,
    /// Amount, in cents.
    pub amount: i64,
}

/// A line's adjudication (FHIR `ClaimResponse.item.adjudication`, 835 `SVC`/`CAS`).
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Default, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Payment {
    /// Amount paid, in cents.
    pub amount: i64,
    /// Hash of the reassociation trace (`TRN02`) or the 835 file.
    pub trace_hash: Hash,
    /// Block time.
    pub at: u64,
}

/// One version of a claim (FHIR `Claim` with its `ClaimResponse`).
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct LineDetermination {
    /// Line number.
    pub no: u32,
    /// False: the line is denied CO-50.
    pub medically_necessary: bool,
}

/// What an invalid transition was about.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum Entity {
    /// A claim version.
    Claim,
    /// A coverage.
    Coverage,
}

/// A state of a claim or a coverage, for [`Error::InvalidTransition`].
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
