//! Recall of a lot: holds on its packages, page by page.

use crate::custody::*;
use crate::errors::*;
use crate::events::*;
use crate::history::*;
use crate::partners::*;
use crate::storage::*;
use crate::types::*;
use carechain_sdk::prelude::*;

pub(crate) fn recall_lot(
    gtin: Gtin,
    lot: LotNumber,
    recall_id: RecallId,
    class: RecallClass,
) -> Result<u32, Error> {
    Ok(recall(gtin, lot, Some((recall_id, class))))
}

pub(crate) fn continue_recall(gtin: Gtin, lot: LotNumber) -> Result<u32, Error> {
    Ok(recall(gtin, lot, None))
}

/// `recall_lot` (`start` is the new recall's id and class) and `continue_recall` (`None`):
/// one body, as they differ only in how the recall starts and in the first event.
pub(crate) fn recall(gtin: Gtin, lot: LotNumber, start: Option<(RecallId, RecallClass)>) -> u32 {
    let by = env().caller();
    let lot_key = (&gtin, &lot);
    let mut lot_rec = LOTS
        .get(&lot_key)
        .unwrap_or_else(|| fail(Error::LotNotFound));
    authorize_recall(&by, &gtin);
    let at = now();
    let mut recall = match (start, lot_rec.recall) {
        (Some(_), Some(_)) => fail(Error::AlreadyRecalled),
        (Some((recall_id, class)), None) => Recall {
            recall_id,
            class,
            at,
            by,
            processed: 0,
        },
        (None, None) => fail(Error::NotRecalled),
        (None, Some(r)) if r.processed >= lot_rec.items => fail(Error::RecallComplete),
        (None, Some(r)) => r,
    };
    let (held, dispensed) = recall_page(&lot_rec, &mut recall, &by);
    lot_rec.recall = Some(recall);
    LOTS.insert(&lot_key, &lot_rec);
    if start.is_some() {
        env().emit(&LotRecalled {
            gtin: gtin.clone(),
            lot: lot.clone(),
            recall_id: recall.recall_id,
            class: recall.class,
            held,
            processed: recall.processed,
            total: lot_rec.items,
            epcis: RECALL_HOLD,
            by,
            at,
        });
    } else {
        env().emit(&RecallContinued {
            gtin: gtin.clone(),
            lot: lot.clone(),
            recall_id: recall.recall_id,
            held,
            processed: recall.processed,
            total: lot_rec.items,
            by,
            at,
        });
    }
    env().emit(&RecallNotice {
        gtin,
        lot,
        recall_id: recall.recall_id,
        class: recall.class,
        dispensed,
        by,
        at,
    });
    lot_rec.items.saturating_sub(recall.processed)
}

/// Applies a recall to the next `RECALL_PAGE` packages of a lot: holds those in custody
/// and unheld, lists the dispensed ones. Returns (packages held, serials dispensed).
pub(crate) fn recall_page(lot: &Lot, recall: &mut Recall, by: &Address) -> (u32, Vec<Serial>) {
    let start = recall.processed;
    let end = lot.items.min(start.saturating_add(RECALL_PAGE));
    let at = now();
    let mut held: u32 = 0;
    let mut dispensed = Vec::new();
    for i in start..end {
        let Some(serial) = LOT_ITEMS.get(&(&lot.gtin, &lot.lot, i)) else {
            continue;
        };
        let key = ItemKey {
            gtin: lot.gtin.clone(),
            serial,
        };
        let mut item = load_item(&key);
        match (&item.status, item.hold) {
            (ItemStatus::Dispensed, _) => dispensed.push(key.serial),
            (ItemStatus::Active, Hold::None) => {
                item.hold = Hold::Recalled {
                    recall_id: recall.recall_id,
                };
                record(&mut item, RECALL_HOLD, at, by, None, Room::Always);
                ITEMS.insert(&key, &item);
                held = held
                    .checked_add(1)
                    .unwrap_or_else(|| fail(Error::ArithmeticOverflow));
            }
            _ => {}
        }
    }
    recall.processed = end;
    (held, dispensed)
}
