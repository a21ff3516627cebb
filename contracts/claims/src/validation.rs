//! Validation of identifiers, procedure codes, periods, plans and claims.

use crate::errors::*;
use crate::storage::*;
use crate::types::*;
use carechain_sdk::prelude::*;

/// 1..=`max` bytes of printable ASCII.
pub(crate) fn check_id(id: &str, max: usize) -> Result<(), Error> {
    if id.is_empty() || id.len() > max || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::InvalidCode);
    }
    Ok(())
}

/// 5 digits or capital letters (CPT, HCPCS Level II).
pub(crate) fn check_code(code: &ProcCode) -> Result<(), Error> {
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

pub(crate) fn check_period(p: &Period) -> Result<(), Error> {
    if p.end <= p.start {
        return Err(Error::InvalidPeriod);
    }
    Ok(())
}

/// At most `MAX_PLAN_CODES` well-formed codes, none twice.
pub(crate) fn check_codes(codes: Vec<&ProcCode>) -> Result<(), Error> {
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

pub(crate) fn check_plan(plan: &Plan) -> Result<(), Error> {
    if plan.deductible < 0 || plan.oop_max < plan.deductible {
        return Err(Error::InvalidAmount);
    }
    if plan.fee_schedule.iter().any(|f| f.unit_fee < 0)
        || plan
            .benefits
            .iter()
            .any(|b| b.benefit.copay < 0 || i64::from(b.benefit.coinsurance_bps) > BPS_DENOMINATOR)
    {
        return Err(Error::InvalidAmount);
    }
    check_codes(plan.fee_schedule.iter().map(|f| &f.proc_code).collect())?;
    check_codes(plan.benefits.iter().map(|b| &b.proc_code).collect())?;
    check_codes(plan.prior_auth_required.iter().collect())?;
    Ok(())
}

pub(crate) fn check_claim(claim: &NewClaim) -> Result<(), Error> {
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
