//! Read-only queries of units, crossmatches and vein-to-vein traceability.

use crate::errors::*;
use crate::storage::*;
use crate::types::*;
use crate::units::*;
use carechain_consent_api::SubjectId;
use carechain_sdk::prelude::*;

pub(crate) fn get_unit(unit: UnitKey) -> Result<Unit, Error> {
    UNITS.get(&unit).ok_or(Error::UnitNotFound)
}

pub(crate) fn units_by_din(din: Din) -> Vec<Unit> {
    DIN_UNITS
        .get(&din)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|product_code| {
            UNITS.get(&UnitKey {
                din: din.clone(),
                product_code,
            })
        })
        .collect()
}

pub(crate) fn get_crossmatch(unit: UnitKey, recipient: SubjectId) -> Option<Crossmatch> {
    CROSSMATCHES.get(&(unit, recipient))
}

pub(crate) fn vein_to_vein(din: Din) -> Result<VeinToVein, Error> {
    let units = units_by_din(din.clone());
    let donor = units
        .first()
        .unwrap_or_else(|| fail(Error::UnitNotFound))
        .donor;
    let components = units
        .into_iter()
        .map(|unit| {
            let key = UnitKey {
                din: unit.din.clone(),
                product_code: unit.product_code.clone(),
            };
            let transfusion = TRANSFUSIONS.get(&key);
            let recipient = match unit.status {
                UnitStatus::Issued | UnitStatus::Transfused => unit.reserved_for,
                _ => None,
            };
            ComponentTrace {
                unit,
                recipient,
                transfusion,
            }
        })
        .collect();
    Ok(VeinToVein {
        din,
        donor,
        components,
    })
}

pub(crate) fn recipient_history(subject: SubjectId, start: u32, limit: u32) -> Vec<HistoryEntry> {
    let len = HISTORY_LEN.get(&subject).unwrap_or(0);
    let end = len.min(start.saturating_add(limit.min(MAX_PAGE)));
    let mut out = Vec::new();
    for i in start..end {
        let Some(h) = HISTORY.get(&(subject, i)) else {
            continue;
        };
        let Some(u) = UNITS.get(&h.unit) else {
            continue;
        };
        let transfusion = TRANSFUSIONS.get(&h.unit).filter(|t| t.recipient == subject);
        out.push(HistoryEntry {
            din: u.din,
            product_code: u.product_code,
            class: u.class,
            abo: u.abo,
            rhd: u.rhd,
            issued_at: h.issued_at,
            emergency: h.emergency,
            transfusion,
        });
    }
    out
}
