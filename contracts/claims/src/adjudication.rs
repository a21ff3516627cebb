//! Adjudication (X12 835, CARC-coded): the decision on a submitted claim, rejection and
//! denial, and the recorded payment.

use crate::access::*;
use crate::coverage::*;
use crate::errors::*;
use crate::events::*;
use crate::pricing::*;
use crate::records::*;
use crate::storage::*;
use crate::types::*;
use carechain_consent_api::Role;
use carechain_sdk::prelude::*;

pub(crate) fn adjudicate(
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

    // Front-end checks first: a claim (a replacement too) that fails them is rejected, as a
    // 277CA rejection is, and a rejected replacement leaves its original standing.
    let coverage = if consent_permits(by, c.subject)? {
        coverage_in_force(&c).ok_or(RejectReason::CoverageInactive)
    } else {
        Err(RejectReason::ConsentDenied)
    };

    // An accepted replacement: the original gives way (reversed, then Replaced) before the
    // replacement is priced, so it gets back the accumulators and prior-auth units.
    let replaced = if c.frequency == Frequency::Replacement && coverage.is_ok() {
        let Some((prev, mut original)) = standing_at(&claim, version.saturating_sub(1)) else {
            panic!("replacement {version} has no standing original");
        };
        let from = original.status;
        let paid = net_paid(&claim, prev, &original);
        reverse(&original)?;
        original.status = ClaimStatus::Replaced;
        original.updated_at = at;
        CLAIMS.insert(&(claim.clone(), prev), &original);
        Some((prev, from, paid))
    } else {
        None
    };

    let mut response = match coverage {
        Err(reason) => rejection(&c, reason, plan_year)?,
        Ok(coverage) => {
            let r = price(&c, &necessary, &coverage.plan, plan_year)?;
            // Only a claim adjudicated on its merits anchors later duplicates: one denied as a
            // duplicate (CO-18) does not.
            if !duplicate_denial(&r) {
                let n = CONTENT.get(&c.content_key).unwrap_or(0);
                CONTENT.insert(
                    &c.content_key,
                    &n.checked_add(1).ok_or(Error::ArithmeticOverflow)?,
                );
            }
            r
        }
    };
    let from = c.status;
    c.status = match response.error {
        Some(reason) => ClaimStatus::Rejected(reason),
        None => ClaimStatus::Adjudicated,
    };
    if let Some((prev, original_from, paid)) = replaced {
        // Against what was actually paid on the claim (its original's payment, or the one
        // before if the original was itself an unpaid replacement).
        let payment_delta = match paid {
            Some(p) => Some(
                response
                    .totals
                    .benefit
                    .checked_sub(p)
                    .ok_or(Error::ArithmeticOverflow)?,
            ),
            None => None,
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

pub(crate) fn record_payment(claim: ClaimKey, amount: i64, trace_hash: Hash) -> Result<(), Error> {
    let by = require(Role::Payer)?;
    let (version, mut c) = standing(&claim)?;
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

/// The medical-necessity flag of each line, in line order.
pub(crate) fn necessity(
    lines: &[Line],
    determinations: &[LineDetermination],
) -> Result<Vec<bool>, Error> {
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

/// The response of a rejected claim: outcome error, no lines, only the total charge.
pub(crate) fn rejection(
    c: &Claim,
    reason: RejectReason,
    plan_year: u32,
) -> Result<ClaimResponse, Error> {
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

/// Reverses what an Adjudicated or Paid version contributed (accumulators, prior-auth
/// units, duplicate index); returns its benefit.
pub(crate) fn reverse(original: &Claim) -> Result<i64, Error> {
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
    if !duplicate_denial(r) {
        let n = CONTENT.get(&original.content_key).unwrap_or(0);
        if n > 1 {
            CONTENT.insert(&original.content_key, &(n - 1));
        } else {
            CONTENT.remove(&original.content_key);
        }
    }
    Ok(r.totals.benefit)
}
