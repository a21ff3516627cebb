//! A unit taken out of use: quarantine and its release, discard, expiry, and the recall
//! of a donation.

use crate::access::*;
use crate::errors::*;
use crate::events::*;
use crate::storage::*;
use crate::types::*;
use crate::units::*;
use carechain_consent_api::Role;
use carechain_sdk::prelude::*;

pub(crate) fn quarantine(unit: UnitKey, reason: QuarantineReason) -> Result<(), Error> {
    let by = env().caller();
    let director = has_role(&by, Role::MedicalDirector);
    if !director && !custodian_role(&by) {
        fail(Error::Unauthorized {
            required_role: None,
        });
    }
    let mut u = UNITS
        .get(&unit)
        .unwrap_or_else(|| fail(Error::UnitNotFound));
    if !director && u.location != by {
        fail(Error::NotCustodian);
    }
    not_expired(&u);
    accept(
        &u,
        &[
            UnitStatus::Available,
            UnitStatus::Reserved,
            UnitStatus::Issued,
        ],
        State::Quarantined,
    );
    let from = u.status;
    u.status = UnitStatus::Quarantined { reason };
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

pub(crate) fn release_quarantine(unit: UnitKey, reason_hash: DocHash) -> Result<(), Error> {
    let by = require(Role::MedicalDirector);
    let mut u = live(&unit);
    let quarantined = matches!(u.status, UnitStatus::Quarantined { .. });
    if !quarantined || u.tests_hash.is_none() {
        fail(invalid(&u.status, State::Available));
    }
    let from = u.status;
    u.status = UnitStatus::Available;
    save(&unit, from, &u);
    env().emit(&QuarantineReleased {
        din: unit.din,
        product_code: unit.product_code,
        reason_hash,
        from,
        to: u.status,
        by,
        at: now(),
    });
    Ok(())
}

pub(crate) fn discard(unit: UnitKey, reason: DiscardReason) -> Result<(), Error> {
    let by = require_custodian_role();
    let mut u = held(&unit, &by);
    let quarantined = matches!(u.status, UnitStatus::Quarantined { .. });
    if !quarantined {
        accept(
            &u,
            &[UnitStatus::InTesting, UnitStatus::Available],
            State::Discarded,
        );
    }
    let from = u.status;
    u.status = UnitStatus::Discarded { reason };
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

pub(crate) fn expire_unit(unit: UnitKey) -> Result<(), Error> {
    let by = env().caller();
    let mut u = UNITS
        .get(&unit)
        .unwrap_or_else(|| fail(Error::UnitNotFound));
    if is_terminal(&u.status) {
        fail(invalid(&u.status, State::Expired));
    }
    if now() < u.expiry {
        fail(Error::NotYetExpired);
    }
    let from = u.status;
    u.status = UnitStatus::Expired;
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

pub(crate) fn recall_donation(din: Din) -> Result<(), Error> {
    let by = env().caller();
    if !(has_role(&by, Role::BloodEstablishment) || has_role(&by, Role::Regulator)) {
        fail(Error::Unauthorized {
            required_role: None,
        });
    }
    let codes = DIN_UNITS.get(&din).unwrap_or_default();
    if codes.is_empty() {
        fail(Error::UnitNotFound);
    }
    let mut quarantined = Vec::new();
    let mut transfused = Vec::new();
    for code in codes {
        let key = UnitKey {
            din: din.clone(),
            product_code: code.clone(),
        };
        let Some(mut u) = UNITS.get(&key) else {
            continue;
        };
        if u.status == UnitStatus::Transfused {
            if let Some(t) = TRANSFUSIONS.get(&key) {
                transfused.push(LookbackRecipient {
                    product_code: code,
                    recipient: t.recipient,
                    transfused_at: t.started_at,
                });
            }
            continue;
        }
        if is_terminal(&u.status) {
            continue;
        }
        let from = u.status;
        quarantined.push(LookbackComponent {
            product_code: code,
            from,
            recipient: u.reserved_for,
        });
        u.status = UnitStatus::Quarantined {
            reason: QuarantineReason::Lookback,
        };
        u.reserved_for = None;
        save(&key, from, &u);
    }
    env().emit(&LookbackNotice {
        din,
        quarantined,
        transfused,
        by,
        at: now(),
    });
    Ok(())
}
