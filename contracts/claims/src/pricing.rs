//! Pricing of a claim's lines against the plan, in checked integer money.

use crate::coverage::*;
use crate::errors::*;
use crate::prior_auth::*;
use crate::storage::*;
use crate::types::*;
use carechain_sdk::prelude::*;

pub(crate) fn add(a: i64, b: i64) -> Result<i64, Error> {
    a.checked_add(b).ok_or(Error::ArithmeticOverflow)
}

pub(crate) fn sub(a: i64, b: i64) -> Result<i64, Error> {
    a.checked_sub(b).ok_or(Error::ArithmeticOverflow)
}

pub(crate) fn mul(a: i64, b: i64) -> Result<i64, Error> {
    a.checked_mul(b).ok_or(Error::ArithmeticOverflow)
}

/// A line denied in full with `group`-`carc`.
pub(crate) fn denied(line: &Line, group: AdjustmentGroup, carc: u16) -> LineAdjudication {
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

/// Prices an eligible line against the plan and the accumulators, and updates them.
pub(crate) fn price_line(
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
/// True if `r` denied every line as an exact duplicate (CO-18): such a version never became a
/// duplicate anchor itself, so reversing it takes none away.
pub(crate) fn duplicate_denial(r: &ClaimResponse) -> bool {
    !r.lines.is_empty()
        && r.lines.iter().all(|l| {
            matches!(&l.adjustments[..], [a] if a.group == DUPLICATE_GROUP && a.carc == CARC_DUPLICATE)
        })
}

pub(crate) fn price(
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
                let mut priced = price_line(line, fee.unit_fee, &benefit.benefit, plan, &mut acc)?;
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
/// should `DUPLICATE_GROUP` be set to OA), `allowed = payer + patient`,
/// `patient = deductible + copay + coinsurance`, no negative share, and a denied line (a CO/OA
/// adjustment other than 45) has allowed = payer = patient = 0. A violation is a bug in this
/// contract: it panics, and the whole call reverts.
pub(crate) fn check_line(l: &LineAdjudication) {
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
