//! Dispensing against a registered prescription, and decommissioning.

use crate::custody::*;
use crate::errors::*;
use crate::events::*;
use crate::history::*;
use crate::partners::*;
use crate::storage::*;
use crate::types::*;
use crate::validation::*;
use carechain_consent_api::Role;
use carechain_sdk::prelude::*;

pub(crate) fn dispense(
    gtin: Gtin,
    serial: Serial,
    rx_hash: Option<DocHash>,
    event_time: Option<u64>,
) -> Result<(), Error> {
    let t = event_time_of(event_time);
    let by = require_role(Role::Dispenser);
    let key = ItemKey { gtin, serial };
    let mut item = load_item(&key);
    require_custody(&item.custodian, &by);
    item_transition(&item, State::Dispensed);
    if item.parent.is_some() {
        fail(Error::ItemInContainer);
    }
    unheld(&item);
    let at = now();
    if at >= item.expiry_end {
        fail(Error::ProductExpired);
    }
    if LotCache::default().recall_of(&item).is_some() {
        fail(Error::RecalledLot);
    }
    let fills_used = match rx_hash {
        Some(hash) => Some(use_prescription(&hash, &item.gtin, at)),
        None if config().require_rx => {
            fail(Error::PrescriptionInvalid {
                reason: RxProblem::Missing,
            });
        }
        None => None,
    };
    item.status = ItemStatus::Dispensed;
    record(&mut item, DISPENSING, t, &by, None, Room::Always);
    ITEMS.insert(&key, &item);
    env().emit(&Dispensed {
        gtin: key.gtin.clone(),
        item: key,
        rx_hash,
        fills_used,
        from: State::Active,
        to: State::Dispensed,
        epcis: DISPENSING,
        by,
        event_time: t,
        at,
    });
    Ok(())
}

pub(crate) fn decommission(
    gtin: Gtin,
    serial: Serial,
    reason: DecommissionReason,
    event_time: Option<u64>,
) -> Result<(), Error> {
    let t = event_time_of(event_time);
    let by = env().caller();
    partner(&by);
    let key = ItemKey { gtin, serial };
    let mut item = load_item(&key);
    require_custody(&item.custodian, &by);
    item_transition(&item, State::Decommissioned);
    if item.parent.is_some() {
        fail(Error::ItemInContainer);
    }
    if let Hold::Suspect { .. } = item.hold {
        fail(Error::ItemOnHold { hold: item.hold });
    }
    item.status = ItemStatus::Decommissioned { reason };
    let epcis = decommissioning(reason);
    record(&mut item, epcis, t, &by, None, Room::Always);
    ITEMS.insert(&key, &item);
    env().emit(&Decommissioned {
        gtin: key.gtin.clone(),
        item: key,
        reason,
        from: State::Active,
        to: State::Decommissioned,
        epcis,
        by,
        event_time: t,
        at: now(),
    });
    Ok(())
}

pub(crate) fn get_prescription(rx_hash: DocHash) -> Option<Prescription> {
    PRESCRIPTIONS.get(&rx_hash)
}

/// Checks a prescription for a dispense of `gtin` at `at` and uses one fill; returns the
/// fills used.
pub(crate) fn use_prescription(hash: &DocHash, gtin: &Gtin, at: u64) -> u8 {
    let invalid = |reason| Error::PrescriptionInvalid { reason };
    let mut rx = PRESCRIPTIONS
        .get(hash)
        .unwrap_or_else(|| fail(invalid(RxProblem::NotFound)));
    if at >= rx.valid_until {
        fail(invalid(RxProblem::Expired));
    }
    if rx.gtin != *gtin {
        fail(invalid(RxProblem::WrongProduct));
    }
    if rx.fills_used >= rx.fills_allowed {
        fail(invalid(RxProblem::FillsExhausted));
    }
    rx.fills_used = rx
        .fills_used
        .checked_add(1)
        .unwrap_or_else(|| fail(Error::ArithmeticOverflow));
    PRESCRIPTIONS.insert(hash, &rx);
    rx.fills_used
}
