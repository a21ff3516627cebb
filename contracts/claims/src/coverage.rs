//! Coverage (FHIR `Coverage`): its lifecycle, the plan's benefits and the accumulators of a
//! plan year.

use crate::access::*;
use crate::errors::*;
use crate::events::*;
use crate::reading::*;
use crate::storage::*;
use crate::types::*;
use crate::validation::*;
use carechain_consent_api::Role;
use carechain_sdk::prelude::*;

pub(crate) fn upsert_coverage(coverage: NewCoverage) -> Result<(), Error> {
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

pub(crate) fn cancel_coverage(coverage_id: CoverageId) -> Result<(), Error> {
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

pub(crate) fn set_plan(coverage_id: CoverageId, plan: Plan) -> Result<(), Error> {
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

pub(crate) fn set_accumulators(
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

pub(crate) fn get_coverage(coverage_id: CoverageId) -> Result<Coverage, Error> {
    readable_coverage(COVERAGES.get(&coverage_id).ok_or(Error::CoverageNotFound)?)
}

pub(crate) fn accumulators(coverage_id: CoverageId, plan_year: u32) -> Result<Accumulator, Error> {
    get_coverage(coverage_id.clone())?;
    Ok(ACCUMULATORS
        .get(&(coverage_id.clone(), plan_year))
        .unwrap_or_else(|| empty_accumulator(&coverage_id, plan_year)))
}

pub(crate) fn plan_year(service_date: u64) -> Result<u32, Error> {
    year_of(service_date)
}

pub(crate) fn coverage_state(s: CoverageStatus) -> State {
    match s {
        CoverageStatus::Active => State::Active,
        CoverageStatus::Cancelled => State::Cancelled,
        CoverageStatus::Draft => State::Draft,
        CoverageStatus::EnteredInError => State::EnteredInError,
    }
}

/// Checks a coverage status change (staying in a non-terminal status is an update).
pub(crate) fn coverage_transition(from: CoverageStatus, to: CoverageStatus) -> Result<(), Error> {
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

pub(crate) fn own_coverage(coverage_id: &CoverageId, payer: Address) -> Result<Coverage, Error> {
    let c = COVERAGES.get(coverage_id).ok_or(Error::CoverageNotFound)?;
    if c.payer != payer {
        return Err(Error::NotCoveragePayer);
    }
    Ok(c)
}

pub(crate) fn empty_accumulator(coverage_id: &CoverageId, plan_year: u32) -> Accumulator {
    Accumulator {
        coverage_id: coverage_id.clone(),
        plan_year,
        deductible_met: 0,
        oop_met: 0,
    }
}

/// The coverage of a claim if it is Active, covers the service date and is the subject's
/// with this payer.
pub(crate) fn coverage_in_force(c: &Claim) -> Option<Coverage> {
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
pub(crate) fn year_of(t: u64) -> Result<u32, Error> {
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
