//! DrugTrace's storage layout.

use crate::types::Item;
use crate::types::*;
use carechain_sdk::Item as StorageItem;
use carechain_sdk::prelude::*;

pub(crate) const CONFIG: StorageItem<Config> = StorageItem::new(b"config");

/// The configuration; before the constructor has run, no consent contract and no prescription
/// requirement.
pub(crate) fn config() -> Config {
    CONFIG.get().unwrap_or(Config {
        consent: Address::default(),
        require_rx: false,
    })
}

pub(crate) const PARTNERS: Map<Address, TradingPartner> = Map::new(b"partners");

pub(crate) const GTINS: Map<Gtin, Address> = Map::new(b"gtins");

pub(crate) const ITEMS: Map<ItemKey, Item> = Map::new(b"items");

pub(crate) const TRACE: Map<(ItemKey, u32), TraceEvent> = Map::new(b"trace");

pub(crate) const LOTS: Map<(Gtin, LotNumber), Lot> = Map::new(b"lots");

pub(crate) const LOT_ITEMS: Map<(Gtin, LotNumber, u32), Serial> = Map::new(b"lot_items");

pub(crate) const CONTAINERS: Map<Sscc, Container> = Map::new(b"containers");

pub(crate) const TRANSFERS: Vector<Transfer> = Vector::new(b"transfers");

pub(crate) const CASES: Map<CaseId, Investigation> = Map::new(b"cases");

pub(crate) const CASE_IDS: Vector<CaseId> = Vector::new(b"case_ids");

pub(crate) const VERIFICATIONS: Vector<VerificationRequest> = Vector::new(b"verifications");

pub(crate) const PRESCRIPTIONS: Map<DocHash, Prescription> = Map::new(b"prescriptions");

pub(crate) fn now() -> u64 {
    env().block_time()
}
