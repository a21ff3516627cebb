//! BloodBank's storage layout.

use crate::types::*;
use carechain_consent_api::SubjectId;
use carechain_sdk::prelude::*;

pub(crate) const CONSENT: Item<Address> = Item::new(b"consent");

pub(crate) const CONFIG: Item<Config> = Item::new(b"config");

pub(crate) const PRODUCTS: Map<String, ProductRule> = Map::new(b"products");

pub(crate) const RECIPIENTS: Map<SubjectId, Recipient> = Map::new(b"recipients");

pub(crate) const UNITS: Map<UnitKey, Unit> = Map::new(b"units");

pub(crate) const DIN_UNITS: Map<Din, Vec<ProductCode>> = Map::new(b"din_units");

pub(crate) const CROSSMATCHES: Map<(UnitKey, SubjectId), Crossmatch> = Map::new(b"crossmatches");

pub(crate) const TRANSFUSIONS: Map<UnitKey, Transfusion> = Map::new(b"transfusions");

pub(crate) const AUTHORIZATIONS: Map<UnitKey, EmergencyAuthorization> = Map::new(b"emergency_auth");

pub(crate) const HISTORY_LEN: Map<SubjectId, u32> = Map::new(b"history_len");

pub(crate) const HISTORY: Map<(SubjectId, u32), HistoryRef> = Map::new(b"history");

pub(crate) const STOCK_LEN: Map<StockBucket, u32> = Map::new(b"stock_len");

pub(crate) const STOCK_AT: Map<(StockBucket, u32), UnitKey> = Map::new(b"stock_at");

pub(crate) const STOCK_POS: Map<UnitKey, u32> = Map::new(b"stock_pos");

pub(crate) fn now() -> u64 {
    env().block_time()
}
