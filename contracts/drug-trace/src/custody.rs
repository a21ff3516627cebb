//! Packages and containers in custody: loading, status machines, holds and the
//! containment tree.

use crate::errors::*;
use crate::history::*;
use crate::storage::*;
use crate::types::Item;
use crate::types::*;
use carechain_sdk::prelude::*;

pub(crate) fn load_item(key: &ItemKey) -> Item {
    ITEMS.get(key).unwrap_or_else(|| fail(Error::ItemNotFound))
}

pub(crate) fn load_container(sscc: &Sscc) -> Container {
    CONTAINERS
        .get(sscc)
        .unwrap_or_else(|| fail(Error::ContainerNotFound))
}

pub(crate) fn item_state(s: &ItemStatus) -> State {
    match s {
        ItemStatus::Active => State::Active,
        ItemStatus::InTransit { .. } => State::InTransit,
        ItemStatus::Dispensed => State::Dispensed,
        ItemStatus::Decommissioned { .. } => State::Decommissioned,
    }
}

pub(crate) fn container_state(s: &ContainerStatus) -> State {
    match s {
        ContainerStatus::Active => State::Active,
        ContainerStatus::InTransit { .. } => State::InTransit,
        ContainerStatus::Unpacked => State::Unpacked,
    }
}

pub(crate) fn investigation_state(s: InvestigationStatus) -> State {
    match s {
        InvestigationStatus::Open => State::Open,
        InvestigationStatus::Cleared => State::Cleared,
        InvestigationStatus::Illegitimate => State::Illegitimate,
    }
}

/// Only an Active package may move to `attempted`.
pub(crate) fn item_transition(item: &Item, attempted: State) {
    match item.status {
        ItemStatus::Active => {}
        ref other => fail(Error::InvalidTransition {
            entity: Entity::Item,
            from: item_state(other),
            attempted,
        }),
    }
}

/// Only an Active container may move to `attempted`.
pub(crate) fn container_transition(c: &Container, attempted: State) {
    match c.status {
        ContainerStatus::Active => {}
        ref other => fail(Error::InvalidTransition {
            entity: Entity::Container,
            from: container_state(other),
            attempted,
        }),
    }
}

pub(crate) fn unheld(item: &Item) {
    match item.hold {
        Hold::None => {}
        hold => fail(Error::ItemOnHold { hold }),
    }
}

pub(crate) fn take_custody(c: &mut Container, by: &Address, gln: &Gln) {
    c.status = ContainerStatus::Active;
    c.custodian = *by;
    c.owner = *by;
    c.location = gln.clone();
}

/// Every package and container under `c`, depth first. Bounded: a container holds at most
/// `MAX_ITEMS` packages, every container under it at least one, and nesting is at most
/// `MAX_NESTING` deep.
pub(crate) fn descendants(c: &Container) -> (Vec<ItemKey>, Vec<Sscc>) {
    let mut items = Vec::new();
    let mut containers = Vec::new();
    collect(c, &mut items, &mut containers, 0);
    (items, containers)
}

pub(crate) fn collect(
    c: &Container,
    items: &mut Vec<ItemKey>,
    containers: &mut Vec<Sscc>,
    depth: u8,
) {
    if depth >= MAX_NESTING {
        fail(Error::NestingTooDeep);
    }
    for child in &c.children {
        match child {
            Epc::Sgtin(key) => items.push(key.clone()),
            Epc::Sscc(sscc) => {
                let inner = load_container(sscc);
                containers.push(sscc.clone());
                collect(&inner, items, containers, depth + 1);
            }
        }
        if items.len() > MAX_ITEMS as usize {
            fail(Error::TooManyItems);
        }
    }
}
