//! The inventory of Available units by location, component class and blood group.

use crate::storage::*;
use crate::types::*;
use carechain_sdk::prelude::*;

pub(crate) fn available(
    location: Address,
    class: ComponentClass,
    abo: Abo,
    rhd: RhD,
    start: u32,
    limit: u32,
) -> Vec<Unit> {
    let bucket = (location, class, abo, rhd);
    let len = STOCK_LEN.get(&bucket).unwrap_or(0);
    let end = len.min(start.saturating_add(limit.min(MAX_PAGE)));
    (start..end)
        .filter_map(|i| STOCK_AT.get(&(bucket, i)))
        .filter_map(|key| UNITS.get(&key))
        .collect()
}

pub(crate) fn bucket(u: &Unit) -> StockBucket {
    (u.location, u.class, u.abo, u.rhd)
}

pub(crate) fn stock(key: &UnitKey, b: &StockBucket) {
    let n = STOCK_LEN.get(b).unwrap_or(0);
    STOCK_AT.insert(&(*b, n), key);
    STOCK_POS.insert(key, &n);
    // u32::MAX units in one bucket cannot be stored: the add cannot overflow in practice,
    // and saturating keeps it checked.
    STOCK_LEN.insert(b, &n.saturating_add(1));
}

pub(crate) fn unstock(key: &UnitKey, b: &StockBucket) {
    let Some(pos) = STOCK_POS.get(key) else {
        return;
    };
    let last = STOCK_LEN.get(b).unwrap_or(0).saturating_sub(1);
    if pos != last
        && let Some(moved) = STOCK_AT.get(&(*b, last))
    {
        STOCK_AT.insert(&(*b, pos), &moved);
        STOCK_POS.insert(&moved, &pos);
    }
    STOCK_AT.remove(&(*b, last));
    STOCK_POS.remove(key);
    STOCK_LEN.insert(b, &last);
}
