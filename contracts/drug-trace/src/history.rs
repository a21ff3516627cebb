//! A package's history: the hash-chained EPCIS trace and the lots read once per call.

use crate::errors::*;
use crate::storage::*;
use crate::types::Item;
use crate::types::*;
use carechain_sdk::prelude::*;

pub(crate) fn decommissioning(reason: DecommissionReason) -> Epcis {
    let (biz_step, disposition) = match reason {
        DecommissionReason::destroyed => (BizStep::destroying, Disposition::destroyed),
        DecommissionReason::expired => (BizStep::decommissioning, Disposition::expired),
        DecommissionReason::inactive => (BizStep::decommissioning, Disposition::inactive),
        DecommissionReason::returned => (BizStep::decommissioning, Disposition::returned),
    };
    Epcis {
        event_type: EventType::ObjectEvent,
        action: EpcisAction::DELETE,
        biz_step,
        disposition,
    }
}

/// Ends the call with `error`, as returning `Err(error)` from the message would: the call
/// reverts with the error encoded, and its writes and events are discarded. Helpers fail
/// where the failure is found instead of threading a `Result` back to the message: every
/// `?` of a `Result<_, Error>` costs a copy of the error, and there were well over a hundred.
#[cold]
#[inline(never)]
pub(crate) fn fail(error: Error) -> ! {
    carechain_sdk::env::revert_with(&error)
}

/// Lots read once per call.
#[derive(Default)]
pub(crate) struct LotCache(Vec<Lot>);

impl LotCache {
    /// The recall of the package's lot, if it was recalled.
    pub(crate) fn recall_of(&mut self, item: &Item) -> Option<Recall> {
        if let Some(l) = self
            .0
            .iter()
            .find(|l| l.gtin == item.gtin && l.lot == item.lot)
        {
            return l.recall;
        }
        let l = LOTS
            .get(&(&item.gtin, &item.lot))
            .unwrap_or_else(|| fail(Error::LotNotFound));
        let recall = l.recall;
        self.0.push(l);
        recall
    }
}

/// Which calls may use a package's last `TRACE_RESERVE` history entries.
#[derive(Clone, Copy)]
pub(crate) enum Room {
    /// Packing, shipping, quarantine: not the reserve.
    Moves,
    /// Everything else, which must stay recordable.
    Always,
}

/// Appends an entry to the package's history (EPCIS `epcis` at `event_time` by `by`, with
/// the package's location, container and hold as they are now) and extends its hash chain.
pub(crate) fn record(
    item: &mut Item,
    epcis: Epcis,
    event_time: u64,
    by: &Address,
    transaction: Option<BizTransaction>,
    room: Room,
) {
    let entry = TraceEvent {
        epcis,
        event_time,
        record_time: now(),
        by: *by,
        location: item.location.clone(),
        parent: item.parent.clone(),
        transaction,
        hold: item.hold,
    };
    let cap = match room {
        Room::Moves => MAX_TRACE_EVENTS - TRACE_RESERVE,
        Room::Always => MAX_TRACE_EVENTS,
    };
    if item.events >= cap {
        fail(Error::TraceFull);
    }
    let mut chained = Vec::new();
    chained.extend_from_slice(&item.last_event.0);
    entry.encode_to(&mut chained);
    item.last_event = DocHash(env().blake2b_256(&chained).0);
    TRACE.insert(&((&item.gtin, &item.serial), item.events), &entry);
    item.events = item
        .events
        .checked_add(1)
        .unwrap_or_else(|| fail(Error::ArithmeticOverflow));
}
