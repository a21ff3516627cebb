//! Compatibility of a unit with a recipient: ABO/RhD rules for red cells, plasma and
//! platelets, and the crossmatch.

use crate::configuration::*;
use crate::errors::*;
use crate::storage::*;
use crate::transfusion::*;
use crate::types::*;
use crate::units::*;
use carechain_consent_api::SubjectId;
use carechain_sdk::prelude::*;

pub(crate) fn compatibility(
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

/// A and B antigens on the cells of a group, as bits (A = 1, B = 2).
pub(crate) fn antigens(abo: Abo) -> u8 {
    match abo {
        Abo::O => 0,
        Abo::A => 1,
        Abo::B => 2,
        Abo::AB => 3,
    }
}

/// Red cells: no donor antigen the recipient lacks (the recipient has its antibody).
pub(crate) fn red_cells_abo(donor: Abo, recipient: Abo) -> bool {
    antigens(donor) & !antigens(recipient) == 0
}

/// Plasma: no donor antibody against a recipient antigen (the reverse rule).
pub(crate) fn plasma_abo(donor: Abo, recipient: Abo) -> bool {
    antigens(recipient) & !antigens(donor) == 0
}

/// The blood-group decision for a unit and a recipient; `rhd` false waives the RhD rules
/// (emergency release).
pub(crate) fn blood_groups(u: &Unit, r: &Recipient, rhd: bool) -> Compatibility {
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

pub(crate) fn platelets(u: &Unit, r: &Recipient, rhd_mismatch: bool) -> Compatibility {
    let mut warnings = Vec::new();
    match platelet_rules(u, r, rhd_mismatch, &mut warnings) {
        Err(why) => Compatibility::Rejected(why),
        Ok(()) if warnings.is_empty() => Compatibility::Allowed,
        Ok(()) => Compatibility::AllowedWithWarning(warnings),
    }
}

/// Applies the platelet policy: major mismatch, minor mismatch, RhD, RhD-negative available.
pub(crate) fn platelet_rules(
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
        if r.rh_sensitive && negative_platelets_available(u.location, r) {
            apply(
                policy.rhd_negative_available,
                Warning::RhIgRecommended,
                Rejection::RhdNegativeAvailable,
            )?;
        }
    }
    Ok(())
}

/// True if an RhD- platelet unit that `r` could receive, not past expiry, is Available at
/// `location` (at most `MAX_NEGATIVE_SCAN` index entries read per ABO group). Only a unit the
/// recipient may be given counts: an RhD- unit that the platelet policy would refuse for its ABO
/// group (a group O unit, not low-titer, for a group A recipient where minor mismatches are
/// rejected) is no alternative, and must not block the RhD+ unit the recipient can have.
pub(crate) fn negative_platelets_available(location: Address, r: &Recipient) -> bool {
    let t = now();
    [Abo::O, Abo::A, Abo::B, Abo::AB].iter().any(|abo| {
        let b = (location, ComponentClass::Platelets, *abo, RhD::Neg);
        let n = STOCK_LEN.get(&b).unwrap_or(0).min(MAX_NEGATIVE_SCAN);
        (0..n).any(|i| {
            STOCK_AT
                .get(&(b, i))
                .and_then(|k| UNITS.get(&k))
                .is_some_and(|u| t < u.expiry && receivable(&u, r))
        })
    })
}

/// True if the platelet policy lets `r` receive the RhD- platelet unit `u` (its ABO rules; an
/// RhD- unit raises no RhD rule, so this never recurses into the availability scan).
fn receivable(u: &Unit, r: &Recipient) -> bool {
    platelet_rules(u, r, false, &mut Vec::new()).is_ok()
}

pub(crate) fn crossmatch_check(key: &UnitKey, u: &Unit, recipient: &SubjectId) -> CrossmatchCheck {
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

/// The universal ABO group of its class, whatever the RhD: what a recipient of unknown type may
/// be given in an emergency even with a co-signature (which waives the RhD rule, not ABO): group
/// O red cells, group O low-titer whole blood, group AB plasma or cryo, platelets of group AB or
/// low-titer (AABB Standards; the universal plasma donor is AB).
pub(crate) fn universal_abo(u: &Unit) -> bool {
    match u.class {
        ComponentClass::RedCells => u.abo == Abo::O,
        ComponentClass::WholeBlood => u.abo == Abo::O && u.low_titer,
        ComponentClass::Plasma | ComponentClass::Cryo => u.abo == Abo::AB,
        ComponentClass::Platelets => u.abo == Abo::AB || u.low_titer,
    }
}

/// The universal unit of its class, releasable in an emergency without co-signature.
pub(crate) fn universal(u: &Unit) -> bool {
    match u.class {
        ComponentClass::RedCells => u.abo == Abo::O && u.rhd == RhD::Neg,
        ComponentClass::WholeBlood => u.abo == Abo::O && u.rhd == RhD::Neg && u.low_titer,
        ComponentClass::Plasma | ComponentClass::Cryo => u.abo == Abo::AB,
        ComponentClass::Platelets => u.rhd == RhD::Neg && (u.abo == Abo::AB || u.low_titer),
    }
}
