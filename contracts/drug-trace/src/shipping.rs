//! Shipping and receiving between trading partners (EPCIS `shipping`, `receiving`), with
//! the transaction information and statement (TI/TS).

use crate::custody::*;
use crate::errors::*;
use crate::events::*;
use crate::history::*;
use crate::partners::*;
use crate::storage::*;
use crate::types::*;
use crate::validation::*;
use carechain_sdk::prelude::*;

pub(crate) fn ship(
    epcs: Vec<Epc>,
    to: Address,
    ti_ts_hash: Option<DocHash>,
    event_time: Option<u64>,
) -> Result<u32, Error> {
    let t = event_time_of(event_time);
    let by = env().caller();
    partner(&by);
    consignee(&to);
    check_count(epcs.len());
    // Custodian and owner coincide: every shipment to another party changes ownership.
    let change_of_ownership = to != by;
    if change_of_ownership && ti_ts_hash.is_none() {
        fail(Error::MissingTransactionInformation);
    }
    let tx_id = TRANSFERS.len();
    if tx_id == u32::MAX {
        fail(Error::ArithmeticOverflow);
    }
    let at = now();
    let transaction = BizTransaction {
        event_type: EventType::TransactionEvent,
        action: EpcisAction::ADD,
        tx_id,
        source: by,
        destination: to,
        ti_ts_hash,
    };
    let in_transit = ItemStatus::InTransit { to, tx_id };
    let mut lots = LotCache::default();
    let mut count: u32 = 0;
    for epc in &epcs {
        let contents;
        let keys = match epc {
            Epc::Sgtin(key) => {
                let item = load_item(key);
                require_custody(&item.custodian, &by);
                item_transition(&item, State::InTransit);
                if item.parent.is_some() {
                    fail(Error::ItemInContainer);
                }
                core::slice::from_ref(key)
            }
            Epc::Sscc(sscc) => {
                let mut c = load_container(sscc);
                require_custody(&c.custodian, &by);
                container_transition(&c, State::InTransit);
                if c.parent.is_some() {
                    fail(Error::ItemInContainer);
                }
                let (items, containers) = descendants(&c);
                c.status = ContainerStatus::InTransit { to, tx_id };
                CONTAINERS.insert(sscc, &c);
                for inner in &containers {
                    let mut ic = load_container(inner);
                    ic.status = ContainerStatus::InTransit { to, tx_id };
                    CONTAINERS.insert(inner, &ic);
                }
                contents = items;
                &contents
            }
        };
        for key in keys {
            let mut item = load_item(key);
            item_transition(&item, State::InTransit);
            // A recall's hold is decided by the lot below; any other hold refuses.
            if !matches!(item.hold, Hold::Recalled { .. }) {
                unheld(&item);
            }
            // A return to the brand owner may carry recalled or expired packages, as a recall's
            // instructions require (21 CFR 7.49); every other shipment refuses them, a recalled
            // one with the lot's reason.
            let expired = at >= item.expiry_end;
            let recalled = lots.recall_of(&item).is_some();
            if (expired || recalled) && !returns_destination(&item.gtin, &to) {
                fail(if recalled {
                    Error::RecalledLot
                } else {
                    Error::ProductExpired
                });
            }
            item.status = in_transit.clone();
            record(&mut item, SHIPPING, t, &by, Some(transaction), Room::Moves);
            ITEMS.insert(key, &item);
            count = add_count(count, 1);
        }
    }
    TRANSFERS.push(&Transfer {
        tx_id,
        from: by,
        to,
        ti_ts_hash,
        epcs: epcs.clone(),
        item_count: count,
        change_of_ownership,
        event_time: t,
        shipped_at: at,
    });
    env().emit(&Shipped {
        tx_id,
        by,
        destination: to,
        epcs,
        item_count: count,
        ti_ts_hash,
        from: State::Active,
        to: State::InTransit,
        epcis: SHIPPING,
        event_time: t,
        at,
    });
    Ok(tx_id)
}

pub(crate) fn receive(epcs: Vec<Epc>, event_time: Option<u64>) -> Result<(), Error> {
    let t = event_time_of(event_time);
    let by = env().caller();
    let tp = partner(&by);
    check_count(epcs.len());
    let at = now();
    let mut lots = LotCache::default();
    let mut held = Vec::new();
    let mut count: u32 = 0;
    for epc in &epcs {
        let contents;
        let (keys, tx_id) = match epc {
            Epc::Sgtin(key) => {
                let item = load_item(key);
                let ItemStatus::InTransit { to, tx_id } = item.status else {
                    fail(Error::InvalidTransition {
                        entity: Entity::Item,
                        from: item_state(&item.status),
                        attempted: State::Active,
                    });
                };
                if to != by {
                    fail(Error::NotConsignee);
                }
                if item.parent.is_some() {
                    fail(Error::ItemInContainer);
                }
                (core::slice::from_ref(key), tx_id)
            }
            Epc::Sscc(sscc) => {
                let mut c = load_container(sscc);
                let ContainerStatus::InTransit { to, tx_id } = c.status else {
                    fail(Error::InvalidTransition {
                        entity: Entity::Container,
                        from: container_state(&c.status),
                        attempted: State::Active,
                    });
                };
                if to != by {
                    fail(Error::NotConsignee);
                }
                if c.parent.is_some() {
                    fail(Error::ItemInContainer);
                }
                let (items, containers) = descendants(&c);
                take_custody(&mut c, &by, &tp.gln);
                CONTAINERS.insert(sscc, &c);
                for inner in &containers {
                    let mut ic = load_container(inner);
                    take_custody(&mut ic, &by, &tp.gln);
                    CONTAINERS.insert(inner, &ic);
                }
                contents = items;
                (&contents[..], tx_id)
            }
        };
        let transfer = TRANSFERS
            .get(tx_id)
            .unwrap_or_else(|| fail(Error::TransferNotFound));
        let transaction = BizTransaction {
            event_type: EventType::TransactionEvent,
            action: EpcisAction::OBSERVE,
            tx_id,
            source: transfer.from,
            destination: by,
            ti_ts_hash: transfer.ti_ts_hash,
        };
        for key in keys {
            let mut item = load_item(key);
            item.status = ItemStatus::Active;
            item.custodian = by;
            item.owner = by;
            item.location = tp.gln.clone();
            record(
                &mut item,
                RECEIVING,
                t,
                &by,
                Some(transaction),
                Room::Always,
            );
            if item.hold == Hold::None
                && let Some(recall) = lots.recall_of(&item)
            {
                item.hold = Hold::Recalled {
                    recall_id: recall.recall_id,
                };
                record(&mut item, RECALL_HOLD, t, &by, None, Room::Always);
                held.push((key.clone(), item.hold));
            }
            ITEMS.insert(key, &item);
            count = add_count(count, 1);
        }
    }
    env().emit(&Received {
        by,
        epcs,
        item_count: count,
        from: State::InTransit,
        to: State::Active,
        epcis: RECEIVING,
        event_time: t,
        at,
    });
    for (item, hold) in held {
        env().emit(&ItemHeldOnReceipt {
            gtin: item.gtin.clone(),
            item,
            hold,
            by,
            at,
        });
    }
    Ok(())
}
