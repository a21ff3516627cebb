//! Commissioning of serialized packages (EPCIS `commissioning`) and their aggregation into
//! containers (`packing`, `unpacking`).

use crate::custody::*;
use crate::errors::*;
use crate::events::*;
use crate::gs1;
use crate::history::*;
use crate::partners::*;
use crate::storage::*;
use crate::types::Item;
use crate::types::*;
use crate::validation::*;
use carechain_consent_api::Role;
use carechain_sdk::prelude::*;

pub(crate) fn commission(
    items: Vec<ProductIdentifier>,
    event_time: Option<u64>,
) -> Result<(), Error> {
    let t = event_time_of(event_time);
    let by = env().caller();
    let at = now();
    check_count(items.len());
    let mut ends = Vec::with_capacity(items.len());
    for pi in &items {
        ends.push(check_pi(pi, at));
        let owner = GTINS
            .get(&pi.gtin)
            .unwrap_or_else(|| fail(Error::GtinNotRegistered));
        if owner != by {
            fail(Error::NotBrandOwner);
        }
    }
    let tp = partner_with_role(&by, Role::Manufacturer);
    let mut keys = Vec::with_capacity(items.len());
    for (pi, end) in items.into_iter().zip(ends) {
        let key = ItemKey {
            gtin: pi.gtin.clone(),
            serial: pi.serial.clone(),
        };
        if ITEMS.contains(&key) {
            fail(Error::DuplicateSerial);
        }
        if end <= at {
            fail(Error::ProductExpired);
        }
        let lot_key = (&pi.gtin, &pi.lot);
        let mut lot = LOTS.get(&lot_key).unwrap_or_else(|| Lot {
            gtin: pi.gtin.clone(),
            lot: pi.lot.clone(),
            expiry_end: end,
            items: 0,
            recall: None,
        });
        if lot.expiry_end != end {
            fail(Error::ExpiryMismatch);
        }
        if lot.recall.is_some() {
            fail(Error::RecalledLot);
        }
        LOT_ITEMS.insert(&(&pi.gtin, &pi.lot, lot.items), &pi.serial);
        lot.items = lot
            .items
            .checked_add(1)
            .unwrap_or_else(|| fail(Error::ArithmeticOverflow));
        LOTS.insert(&lot_key, &lot);
        let mut item = Item {
            gtin: pi.gtin,
            serial: pi.serial,
            lot: pi.lot,
            expiry_end: end,
            status: ItemStatus::Active,
            hold: Hold::None,
            custodian: by,
            owner: by,
            location: tp.gln.clone(),
            parent: None,
            last_event: DocHash([0; 32]),
            events: 0,
        };
        record(&mut item, COMMISSIONING, t, &by, None, Room::Always);
        ITEMS.insert(&key, &item);
        keys.push(key);
    }
    env().emit(&Commissioned {
        by,
        items: keys,
        to: State::Active,
        epcis: COMMISSIONING,
        location: tp.gln,
        event_time: t,
        at,
    });
    Ok(())
}

pub(crate) fn pack(sscc: Sscc, children: Vec<Epc>, event_time: Option<u64>) -> Result<(), Error> {
    let t = event_time_of(event_time);
    if !gs1::is_sscc18(&sscc.0) {
        fail(Error::InvalidSscc);
    }
    let by = env().caller();
    partner(&by);
    if CONTAINERS.contains(&sscc) {
        fail(Error::DuplicateSscc);
    }
    check_count(children.len());
    let mut level: u8 = 1;
    let mut item_count: u32 = 0;
    let mut location: Option<Gln> = None;
    let mut same_place = |gln: &Gln| match &location {
        Some(l) if l != gln => fail(Error::LocationMismatch),
        Some(_) => {}
        None => location = Some(gln.clone()),
    };
    for child in &children {
        match child {
            Epc::Sgtin(key) => {
                let mut item = load_item(key);
                require_custody(&item.custodian, &by);
                item_transition(&item, State::Active);
                if let Some(parent) = item.parent {
                    fail(Error::AlreadyAggregated { parent });
                }
                unheld(&item);
                same_place(&item.location);
                item.parent = Some(sscc.clone());
                record(&mut item, PACKING, t, &by, None, Room::Moves);
                ITEMS.insert(key, &item);
                item_count = item_count
                    .checked_add(1)
                    .unwrap_or_else(|| fail(Error::ArithmeticOverflow));
            }
            Epc::Sscc(child_sscc) => {
                let mut c = load_container(child_sscc);
                require_custody(&c.custodian, &by);
                container_transition(&c, State::Active);
                if let Some(parent) = c.parent {
                    fail(Error::AlreadyAggregated { parent });
                }
                same_place(&c.location);
                let (items, _) = descendants(&c);
                for key in &items {
                    unheld(&load_item(key));
                }
                level = level.max(
                    c.level
                        .checked_add(1)
                        .unwrap_or_else(|| fail(Error::NestingTooDeep)),
                );
                if level > MAX_NESTING {
                    fail(Error::NestingTooDeep);
                }
                c.parent = Some(sscc.clone());
                CONTAINERS.insert(child_sscc, &c);
                item_count = item_count
                    .checked_add(c.item_count)
                    .unwrap_or_else(|| fail(Error::ArithmeticOverflow));
            }
        }
        if item_count > MAX_ITEMS {
            fail(Error::TooManyItems);
        }
    }
    let container = Container {
        sscc: sscc.clone(),
        children: children.clone(),
        status: ContainerStatus::Active,
        custodian: by,
        owner: by,
        location: location.unwrap_or(Gln(String::new())),
        parent: None,
        level,
        item_count,
    };
    CONTAINERS.insert(&sscc, &container);
    env().emit(&Packed {
        sscc,
        children,
        to: State::Active,
        epcis: PACKING,
        by,
        event_time: t,
        at: now(),
    });
    Ok(())
}

pub(crate) fn unpack(sscc: Sscc, children: Vec<Epc>, event_time: Option<u64>) -> Result<(), Error> {
    let t = event_time_of(event_time);
    let by = env().caller();
    partner(&by);
    let mut c = load_container(&sscc);
    require_custody(&c.custodian, &by);
    container_transition(&c, State::Unpacked);
    if c.parent.is_some() {
        fail(Error::ItemInContainer);
    }
    check_count(children.len());
    for child in &children {
        let Some(position) = c.children.iter().position(|x| x == child) else {
            fail(Error::NotAChild);
        };
        // Not `Vec::remove`: its shift is the only `memmove` of the contract (1.7 KB).
        let rest = c.children.split_off(position);
        c.children.extend(rest.into_iter().skip(1));
        let removed = match child {
            Epc::Sgtin(key) => {
                let mut item = load_item(key);
                // The AggregationEvent DELETE names the container the package left.
                item.parent = Some(sscc.clone());
                record(&mut item, UNPACKING, t, &by, None, Room::Always);
                item.parent = None;
                ITEMS.insert(key, &item);
                1
            }
            Epc::Sscc(child_sscc) => {
                let mut inner = load_container(child_sscc);
                inner.parent = None;
                CONTAINERS.insert(child_sscc, &inner);
                inner.item_count
            }
        };
        c.item_count = c
            .item_count
            .checked_sub(removed)
            .unwrap_or_else(|| fail(Error::ArithmeticOverflow));
    }
    if c.children.is_empty() {
        c.status = ContainerStatus::Unpacked;
    }
    let to = container_state(&c.status);
    CONTAINERS.insert(&sscc, &c);
    env().emit(&Unpacked {
        sscc,
        children,
        from: State::Active,
        to,
        epcis: UNPACKING,
        by,
        event_time: t,
        at: now(),
    });
    Ok(())
}
