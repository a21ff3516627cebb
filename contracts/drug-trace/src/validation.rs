//! Checks of counts, event times, GTINs and product identifiers.

use crate::errors::*;
use crate::gs1;
use crate::history::*;
use crate::storage::*;
use crate::types::*;

/// The EPCIS eventTime: the caller's, which may not be after the block time, or now.
pub(crate) fn event_time_of(event_time: Option<u64>) -> u64 {
    let at = now();
    match event_time {
        Some(t) if t > at => fail(Error::FutureTimestamp),
        Some(t) => t,
        None => at,
    }
}

pub(crate) fn check_count(n: usize) {
    if n == 0 {
        fail(Error::NoItems)
    } else if n > MAX_ITEMS as usize {
        fail(Error::TooManyItems)
    }
}

pub(crate) fn add_count(count: u32, n: u32) -> u32 {
    let total = count
        .checked_add(n)
        .unwrap_or_else(|| fail(Error::ArithmeticOverflow));
    if total > MAX_ITEMS {
        fail(Error::TooManyItems);
    }
    total
}

pub(crate) fn check_gtin(gtin: &Gtin) {
    if !gs1::is_gtin14(&gtin.0) {
        fail(Error::InvalidGtin)
    }
}

/// Checks a product identifier's syntax; returns its `expiry_end`.
pub(crate) fn check_pi(pi: &ProductIdentifier, at: u64) -> u64 {
    check_gtin(&pi.gtin);
    if !gs1::is_serial(&pi.serial.0) {
        fail(Error::InvalidSerial);
    }
    if !gs1::is_lot(&pi.lot.0) {
        fail(Error::InvalidLot);
    }
    gs1::ai17_expiry_end(&pi.expiry.0, at, DAY_00_IS_LAST_DAY)
        .unwrap_or_else(|| fail(Error::InvalidExpiry))
}
