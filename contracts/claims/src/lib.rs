//! Claims: coverage, prior authorisation and deterministic adjudication of professional claims
//! (X12 837P in, 835 out, CARC-coded; FHIR Coverage, Claim and ClaimResponse).
#![no_std]

#[macro_use]
mod types;
#[macro_use]
mod errors;
#[macro_use]
mod events;
mod access;
mod adjudication;
mod coverage;
mod pricing;
mod prior_auth;
mod queries;
mod reading;
mod records;
mod storage;
mod submission;
mod validation;

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
/// Who may read (minimum necessary, 45 CFR 164.502(b)); queries run as the authenticated caller:
/// * a claim, its versions and its response: the provider and the payer (and other active keys
///   of their organisations), the subject's patients (AccessConsent `acts_for`) and regulators;
/// * a coverage and its accumulators: the payer, the beneficiary's patients, regulators, and
///   providers (the 270/271 eligibility check before billing);
/// * a prior authorisation: its payer and provider, the subject's patients and regulators;
/// * `claims_by_subject` and `prior_auths` list only what the caller may read.
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
/// * **Exact duplicate** (CARC 18, "exact duplicate claim/service"): every line `CO-18`
///   (`DUPLICATE_GROUP`; some payers use `OA-18`). The content key is the Blake2b-256 of the
///   SCALE encoding of `(subject, provider, service_date, lines)` where lines are
///   `(proc_code, units)` sorted: the same service, whatever was charged for it (line numbers,
///   charges and prior-auth references excluded; the same service billed a cent higher is
///   still a duplicate). A claim is a duplicate while another version with that key is
///   Adjudicated or Paid on its merits; a version denied as a duplicate is never itself an
///   anchor, so once the original is voided or replaced the service can be billed again.
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
/// * **Replacement (7)** is processed when the payer adjudicates it. Consent and coverage come
///   first: a replacement that fails them is rejected as a 277CA front-end rejection is, and the
///   original stands untouched (not reversed, not Replaced; a later void or replacement acts on
///   it, and a new original under its id is still `DuplicateClaimId`). An accepted replacement
///   reverses the original's accumulator and prior-auth contributions, marks it Replaced, and
///   is then priced.
/// * **Void (8)** takes effect when the provider submits it (there is nothing to judge): the
///   standing version is reversed and Voided; the void is not stored as a new version.
/// * **`payment_delta`** nets against what was actually paid on the claim: the payment of the
///   latest paid version in its line of replacements (a replacement adjudicated but not yet
///   paid leaves what its original was paid). A void's delta takes all of it back (the 835
///   reversal, `CLP02 = 22`); a replacement's is its benefit minus it. None if nothing was ever
///   paid. `record_payment` of a replacement pays that version's whole benefit (its new 835
///   `CLP`).
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
    use crate::errors::Error;
    use crate::types::{
        Accumulator, Adjustment, AdjustmentGroup, AuthId, Benefit, Claim, ClaimId, ClaimKey,
        ClaimResponse, ClaimStatus, CodeBenefit, Coverage, CoverageId, CoverageStatus, DocHash,
        Entity, Fee, Frequency, Line, LineAdjudication, LineDetermination, NewClaim, NewCoverage,
        NewPriorAuth, Payment, Period, Plan, PriorAuth, PriorAuthStatus, ProcCode, RejectReason,
        RemittanceOutcome, State, Totals,
    };
    use carechain_consent_api::Role;
    use carechain_consent_api::SubjectId;
    use carechain_sdk::prelude::*;

    // In the order the metadata lists them (kept from rustfmt, which would sort them).
    #[rustfmt::skip]
    #[events]
    use crate::events::{
        CoverageUpdated,
        AccumulatorsSet,
        PriorAuthRecorded,
        ClaimSubmitted,
        ClaimRejected,
        ClaimAdjudicated,
        ClaimPaid,
        ClaimReplaced,
        ClaimVoided,
    };

    /// Creates the claims registry, consulting the AccessConsent contract at `consent` for roles
    /// and consent.
    #[constructor]
    pub fn new(consent: Address) {
        crate::access::new(consent)
    }

    /// Creates or updates a coverage (FHIR `Coverage`) with its plan. Payer only; an existing
    /// coverage only by its payer, and only along the coverage state machine (or in place).
    #[message]
    pub fn upsert_coverage(coverage: NewCoverage) -> Result<(), Error> {
        crate::coverage::upsert_coverage(coverage)
    }

    /// Cancels a coverage (Draft or Active -> Cancelled). Its payer only.
    #[message]
    pub fn cancel_coverage(coverage_id: CoverageId) -> Result<(), Error> {
        crate::coverage::cancel_coverage(coverage_id)
    }

    /// Replaces a coverage's plan (benefits, fee schedule, prior-auth list). Its payer only.
    /// Claims adjudicated earlier keep their results.
    #[message]
    pub fn set_plan(coverage_id: CoverageId, plan: Plan) -> Result<(), Error> {
        crate::coverage::set_plan(coverage_id, plan)
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
        crate::coverage::set_accumulators(coverage_id, plan_year, deductible_met, oop_met)
    }

    /// Records (or updates) a prior authorisation issued by the caller. Payer only. Units
    /// already used are kept; an Approved auth with every unit used is stored as Exhausted.
    #[message]
    pub fn record_prior_auth(auth: NewPriorAuth) -> Result<(), Error> {
        crate::prior_auth::record_prior_auth(auth)
    }

    /// Submits a claim (837P) as the billing provider; returns its version. Provider only.
    /// Each acts on the standing version (the latest, past rejected replacements).
    /// * Original (1): a new `(provider, claim_id)`, or a resubmission of a Rejected one
    ///   (`DuplicateClaimId` otherwise).
    /// * Replacement (7): stored as the next version, to be adjudicated; the standing version
    ///   must be Adjudicated or Paid (`OriginalNotFound`, `InvalidTransition`).
    /// * Void (8): the standing version (Adjudicated or Paid) is voided at once and its
    ///   accumulator and prior-auth contributions reversed; returns the voided version.
    #[message]
    pub fn submit_claim(claim: NewClaim) -> Result<u32, Error> {
        crate::submission::submit_claim(claim)
    }

    /// Adjudicates the latest version of a claim (Submitted) as its payer, with the payer's
    /// medical-necessity decision for every line. In order: consent (HPAYMT, asked of
    /// AccessConsent and logged there) and coverage, which reject the claim if they fail (a
    /// rejected replacement leaves its original standing); for an accepted replacement, the
    /// original is reversed and Replaced; the exact-duplicate check (every line
    /// CO-18); then each line in order — prior authorisation (CO-197), medical necessity
    /// (CO-50), coverage of the code (CO-204), allowed amount (CO-45), deductible (PR-1), copay
    /// (PR-3), coinsurance (PR-2), OOP cap — updating the accumulators after each line.
    /// Returns the response; a rejection is an outcome, not an error.
    #[message]
    pub fn adjudicate(
        claim: ClaimKey,
        line_determinations: Vec<LineDetermination>,
    ) -> Result<ClaimResponse, Error> {
        crate::adjudication::adjudicate(claim, line_determinations)
    }

    /// Records the payment of the standing version of a claim (Adjudicated -> Paid; 835
    /// `BPR`/`TRN`). Its payer only; `amount` must equal the total benefit.
    #[message]
    pub fn record_payment(claim: ClaimKey, amount: i64, trace_hash: Hash) -> Result<(), Error> {
        crate::adjudication::record_payment(claim, amount, trace_hash)
    }

    /// The latest version of a claim. Every query of a claim, coverage or prior authorisation
    /// answers only those the record concerns (see "Who may read" above); anyone else gets
    /// `NotAuthorizedToRead`, and the lists leave out what the caller may not read.
    #[query]
    pub fn get_claim(claim: ClaimKey) -> Result<Claim, Error> {
        crate::queries::get_claim(claim)
    }

    /// One version of a claim (1 is the first).
    #[query]
    pub fn get_claim_version(claim: ClaimKey, version: u32) -> Result<Claim, Error> {
        crate::queries::get_claim_version(claim, version)
    }

    /// How many versions a claim has (0: none).
    #[query]
    pub fn claim_versions(claim: ClaimKey) -> Result<u32, Error> {
        crate::queries::claim_versions(claim)
    }

    /// The adjudication result of the latest version of a claim (none before adjudication).
    #[query]
    pub fn get_response(claim: ClaimKey) -> Result<Option<ClaimResponse>, Error> {
        crate::queries::get_response(claim)
    }

    /// A coverage.
    #[query]
    pub fn get_coverage(coverage_id: CoverageId) -> Result<Coverage, Error> {
        crate::coverage::get_coverage(coverage_id)
    }

    /// The accumulators of a coverage in a plan year (zero if nothing was met yet).
    #[query]
    pub fn accumulators(coverage_id: CoverageId, plan_year: u32) -> Result<Accumulator, Error> {
        crate::coverage::accumulators(coverage_id, plan_year)
    }

    /// Up to `limit` (at most 20) claims of `subject` from its `start`-th, oldest first, each
    /// in its latest version.
    #[query]
    pub fn claims_by_subject(subject: SubjectId, start: u32, limit: u32) -> Vec<Claim> {
        crate::queries::claims_by_subject(subject, start, limit)
    }

    /// Up to `limit` (at most 20) prior authorisations of `subject` from its `start`-th.
    #[query]
    pub fn prior_auths(subject: SubjectId, start: u32, limit: u32) -> Vec<PriorAuth> {
        crate::prior_auth::prior_auths(subject, start, limit)
    }

    /// A prior authorisation by its payer and number.
    #[query]
    pub fn get_prior_auth(payer: Address, auth_id: AuthId) -> Result<Option<PriorAuth>, Error> {
        crate::prior_auth::get_prior_auth(payer, auth_id)
    }

    /// The plan year of a service date: its calendar year (UTC).
    #[query]
    pub fn plan_year(service_date: u64) -> Result<u32, Error> {
        crate::coverage::plan_year(service_date)
    }

    /// The AccessConsent contract this contract consults.
    #[query]
    pub fn consent_contract() -> Address {
        crate::access::consent_contract()
    }
}
