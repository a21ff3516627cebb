//! Claims' events.

use crate::types::*;
use carechain_consent_api::SubjectId;
use carechain_sdk::prelude::*;

/// A coverage was created or changed (`upsert_coverage`, `cancel_coverage`, `set_plan`).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
