//! Read-only queries of packages, containers, lots, investigations and transfers.

use crate::custody::*;
use crate::errors::*;
use crate::history::*;
use crate::storage::*;
use crate::types::Item;
use crate::types::*;
use carechain_sdk::prelude::*;

pub(crate) fn get_item(gtin: Gtin, serial: Serial) -> Result<Item, Error> {
    Ok(load_item(&ItemKey { gtin, serial }))
}

pub(crate) fn get_container(sscc: Sscc) -> Result<ContainerContents, Error> {
    let container = load_container(&sscc);
    let (keys, ssccs) = descendants(&container);
    let mut containers = Vec::with_capacity(ssccs.len());
    for s in &ssccs {
        containers.push(load_container(s));
    }
    let mut items = Vec::with_capacity(keys.len());
    for k in &keys {
        items.push(load_item(k));
    }
    Ok(ContainerContents {
        container,
        containers,
        items,
    })
}

pub(crate) fn trace(gtin: Gtin, serial: Serial) -> Result<Vec<TraceEvent>, Error> {
    let key = ItemKey { gtin, serial };
    let item = load_item(&key);
    let mut out = Vec::with_capacity(item.events as usize);
    for i in 0..item.events {
        if let Some(e) = TRACE.get(&(&key, i)) {
            out.push(e);
        }
    }
    Ok(out)
}

pub(crate) fn get_lot(gtin: Gtin, lot: LotNumber) -> Result<Lot, Error> {
    LOTS.get(&(&gtin, &lot)).ok_or(Error::LotNotFound)
}

pub(crate) fn items_by_lot(
    gtin: Gtin,
    lot: LotNumber,
    start: u32,
    limit: u32,
) -> Result<Vec<Item>, Error> {
    let lot_rec = LOTS
        .get(&(&gtin, &lot))
        .unwrap_or_else(|| fail(Error::LotNotFound));
    let end = lot_rec.items.min(start.saturating_add(limit.min(MAX_PAGE)));
    let mut out = Vec::new();
    for i in start..end {
        if let Some(serial) = LOT_ITEMS.get(&(&gtin, &lot, i)) {
            out.push(load_item(&ItemKey {
                gtin: gtin.clone(),
                serial,
            }));
        }
    }
    Ok(out)
}

pub(crate) fn open_investigations(start: u32, limit: u32) -> Vec<Investigation> {
    let mut open = Vec::new();
    for id in CASE_IDS.range(start, limit.min(MAX_PAGE)) {
        if let Some(case) = CASES.get(&id)
            && case.status == InvestigationStatus::Open
        {
            open.push(case);
        }
    }
    open
}

pub(crate) fn get_investigation(case_id: CaseId) -> Result<Investigation, Error> {
    CASES.get(&case_id).ok_or(Error::CaseNotFound)
}

pub(crate) fn overdue_verifications(start: u32, limit: u32) -> Vec<VerificationRequest> {
    let at = now();
    // A loop, not `filter().collect()`: collecting in place shifts with `memmove`, which
    // nothing else in the contract needs (1.7 KB).
    let mut overdue = Vec::new();
    for r in VERIFICATIONS.range(start, limit.min(MAX_PAGE)) {
        if r.response.is_none() && at >= r.due_at {
            overdue.push(r);
        }
    }
    overdue
}

pub(crate) fn get_verification(req_id: u32) -> Result<VerificationRequest, Error> {
    VERIFICATIONS.get(req_id).ok_or(Error::RequestNotFound)
}

pub(crate) fn get_transfer(tx_id: u32) -> Result<Transfer, Error> {
    TRANSFERS.get(tx_id).ok_or(Error::TransferNotFound)
}
