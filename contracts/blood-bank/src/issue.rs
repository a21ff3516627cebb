//! The transfusion service's issue of a unit: reservation, crossmatch, issue with
//! AccessConsent's decision, and emergency release (break-the-glass).

use crate::access::*;
use crate::compatibility::*;
use crate::configuration::*;
use crate::errors::*;
use crate::events::*;
use crate::storage::*;
use crate::transfusion::*;
use crate::types::*;
use crate::units::*;
use carechain_consent_api::{self as consent_api, Action, DataClass, PurposeOfUse, Role};
use carechain_consent_api::{Decision, SubjectId};
use carechain_sdk::prelude::*;

pub(crate) fn reserve(unit: UnitKey, recipient: SubjectId) -> Result<(), Error> {
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

pub(crate) fn release_reservation(unit: UnitKey) -> Result<(), Error> {
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

pub(crate) fn record_crossmatch(
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

pub(crate) fn issue(
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

pub(crate) fn authorize_emergency_release(
    unit: UnitKey,
    recipient: SubjectId,
) -> Result<(), Error> {
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

pub(crate) fn emergency_release(
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
    match RECIPIENTS.get(&recipient) {
        Some(r) => {
            if let Compatibility::Rejected(why) = blood_groups(&u, &r, false) {
                fail(rejection(why));
            }
        }
        // Type unknown: only the universal ABO group of the class (group O red cells); the
        // co-signature waives the RhD rule, never ABO compatibility.
        None => {
            if !universal_abo(&u) {
                fail(Error::UniversalAboRequired);
            }
        }
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
