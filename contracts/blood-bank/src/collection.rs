//! Collection and processing: registration of a unit (ISBT 128 DIN and product code),
//! testing, custody and the cold chain.

use crate::access::*;
use crate::configuration::*;
use crate::errors::*;
use crate::events::*;
use crate::isbt128::{din_syntax, product_code_syntax};
use crate::storage::*;
use crate::types::*;
use crate::units::*;
use carechain_consent_api::Role;
use carechain_sdk::prelude::*;

pub(crate) fn register_unit(unit: NewUnit) -> Result<(), Error> {
    let by = require(Role::BloodEstablishment);
    if !din_syntax(&unit.din.0) {
        fail(Error::InvalidDin);
    }
    if unit.product_code.0.len() != PRODUCT_CODE_LEN || !product_code_syntax(&unit.product_code.0) {
        fail(Error::InvalidProductCode);
    }
    let key = UnitKey {
        din: unit.din.clone(),
        product_code: unit.product_code.clone(),
    };
    if UNITS.contains(&key) {
        fail(Error::DuplicateUnit);
    }
    let rule =
        product_rule(&unit.product_code.0).unwrap_or_else(|| fail(Error::UnknownProductCode));
    let at = now();
    if at >= unit.expiry {
        fail(Error::UnitExpired);
    }
    let mut codes = DIN_UNITS.get(&unit.din).unwrap_or_default();
    if let Some(first) = codes.first() {
        let sibling = UNITS
            .get(&UnitKey {
                din: unit.din.clone(),
                product_code: first.clone(),
            })
            .unwrap_or_else(|| fail(Error::UnitNotFound));
        if sibling.donor != unit.donor || sibling.abo != unit.abo || sibling.rhd != unit.rhd {
            fail(Error::DonationMismatch);
        }
    }
    if codes.len() as u32 >= MAX_COMPONENTS_PER_DIN {
        fail(Error::TooManyComponents);
    }
    codes.push(unit.product_code.clone());
    DIN_UNITS.insert(&unit.din, &codes);
    let stored = Unit {
        din: unit.din,
        product_code: unit.product_code,
        class: rule.class,
        abo: unit.abo,
        rhd: unit.rhd,
        donor: unit.donor,
        expiry: unit.expiry,
        status: UnitStatus::Collected,
        location: by,
        low_titer: rule.low_titer,
        irradiated: rule.irradiated,
        reserved_for: None,
        temp_log_hash: DocHash([0; 32]),
        tests_hash: None,
        registered_at: at,
        updated_at: at,
    };
    UNITS.insert(&key, &stored);
    env().emit(&UnitRegistered {
        din: stored.din,
        product_code: stored.product_code,
        class: stored.class,
        abo: stored.abo,
        rhd: stored.rhd,
        expiry: stored.expiry,
        to: stored.status,
        by,
        at,
    });
    Ok(())
}

pub(crate) fn start_testing(unit: UnitKey) -> Result<(), Error> {
    let by = require(Role::BloodEstablishment);
    let mut u = held(&unit, &by);
    let from = u.status;
    accept(&u, &[UnitStatus::Collected], State::InTesting);
    u.status = UnitStatus::InTesting;
    let to = u.status;
    save(&unit, from, &u);
    env().emit(&UnitStatusChanged {
        din: unit.din,
        product_code: unit.product_code,
        from,
        to,
        by,
        at: now(),
    });
    Ok(())
}

pub(crate) fn release_from_testing(unit: UnitKey, tests_hash: DocHash) -> Result<(), Error> {
    let by = require(Role::BloodEstablishment);
    let mut u = held(&unit, &by);
    let from = u.status;
    accept(&u, &[UnitStatus::InTesting], State::Available);
    u.status = UnitStatus::Available;
    u.tests_hash = Some(tests_hash);
    let to = u.status;
    save(&unit, from, &u);
    env().emit(&ReleasedFromTesting {
        din: unit.din,
        product_code: unit.product_code,
        tests_hash,
        from,
        to,
        by,
        at: now(),
    });
    Ok(())
}

pub(crate) fn transfer_custody(unit: UnitKey, to: Address) -> Result<(), Error> {
    let by = require_custodian_role();
    let mut u = held(&unit, &by);
    match u.status {
        UnitStatus::Collected
        | UnitStatus::InTesting
        | UnitStatus::Available
        | UnitStatus::Quarantined { .. } => {}
        status => fail(Error::UnitNotAvailable { status }),
    }
    if !(has_role(&to, Role::BloodEstablishment) || has_role(&to, Role::TransfusionService)) {
        fail(Error::InvalidCustodian);
    }
    let old = u.clone();
    u.location = to;
    store(&unit, &old, &u);
    env().emit(&CustodyTransferred {
        din: unit.din,
        product_code: unit.product_code,
        status: u.status,
        from: old.location,
        to,
        by,
        at: now(),
    });
    Ok(())
}

pub(crate) fn record_temperature(
    unit: UnitKey,
    context: TempContext,
    tenths_c: i32,
    event_time: u64,
) -> Result<UnitStatus, Error> {
    let by = require_custodian_role();
    let mut u = held(&unit, &by);
    if is_terminal(&u.status) {
        fail(invalid(&u.status, State::Quarantined));
    }
    let at = now();
    if event_time > at {
        fail(Error::FutureTimestamp);
    }
    let from = u.status;
    let reading = (u.temp_log_hash, context, tenths_c, event_time).encode();
    u.temp_log_hash = DocHash(env().blake2b_256(&reading).0);
    let (low, high) = cold_chain_limits(u.class, context);
    let in_range = low <= tenths_c && tenths_c <= high;
    if in_range {
        save(&unit, from, &u);
        env().emit(&TemperatureRecorded {
            din: unit.din,
            product_code: unit.product_code,
            status: u.status,
            context,
            tenths_c,
            event_time,
            temp_log_hash: u.temp_log_hash,
            by,
            at,
        });
    } else {
        // Before release too: a unit out of its limits while Collected or InTesting must not
        // reach stock when its tests pass (a quarantined unit without test results cannot be
        // released from quarantine; it is discarded).
        if matches!(
            u.status,
            UnitStatus::Collected
                | UnitStatus::InTesting
                | UnitStatus::Available
                | UnitStatus::Reserved
                | UnitStatus::Issued
        ) {
            u.status = UnitStatus::Quarantined {
                reason: QuarantineReason::TempExcursion,
            };
            u.reserved_for = None;
        }
        save(&unit, from, &u);
        env().emit(&ColdChainExcursion {
            din: unit.din,
            product_code: unit.product_code,
            from,
            to: u.status,
            context,
            tenths_c,
            event_time,
            temp_log_hash: u.temp_log_hash,
            by,
            at,
        });
    }
    Ok(u.status)
}

/// Inclusive cold-chain limits, tenths of °C.
pub(crate) fn cold_chain_limits(class: ComponentClass, context: TempContext) -> (i32, i32) {
    match (class, context) {
        (ComponentClass::RedCells | ComponentClass::WholeBlood, TempContext::Storage) => (10, 60),
        (ComponentClass::RedCells | ComponentClass::WholeBlood, TempContext::Transport) => {
            (10, 100)
        }
        (ComponentClass::Platelets, _) => (200, 240),
        (ComponentClass::Plasma | ComponentClass::Cryo, _) => (i32::MIN, -180),
    }
}
