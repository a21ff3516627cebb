//! DrugTrace's events.

use crate::types::*;
use carechain_sdk::prelude::*;

/// A trading partner was registered or updated.
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct TradingPartnerRegistered {
    /// The partner.
    #[topic]
    pub partner: Address,
    /// Its entry.
    pub entry: TradingPartner,
    /// The NetworkAdmin.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A GTIN was registered to its brand owner.
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct GtinRegistered {
    /// The GTIN.
    #[topic]
    pub gtin: Gtin,
    /// The manufacturer.
    #[topic]
    pub owner: Address,
    /// The NetworkAdmin.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// Packages were commissioned (ObjectEvent ADD, `commissioning`, `active`).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Commissioned {
    /// The manufacturer.
    #[topic]
    pub by: Address,
    /// The packages.
    pub items: Vec<ItemKey>,
    /// Their state now.
    pub to: State,
    /// EPCIS.
    pub epcis: Epcis,
    /// Where.
    pub location: Gln,
    /// EPCIS eventTime.
    pub event_time: u64,
    /// Block time.
    pub at: u64,
}

/// A container was packed (AggregationEvent ADD, `packing`).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Packed {
    /// The container.
    #[topic]
    pub sscc: Sscc,
    /// Its children.
    pub children: Vec<Epc>,
    /// Its state now.
    pub to: State,
    /// EPCIS.
    pub epcis: Epcis,
    /// Who.
    pub by: Address,
    /// EPCIS eventTime.
    pub event_time: u64,
    /// Block time.
    pub at: u64,
}

/// Children were taken out of a container (AggregationEvent DELETE, `unpacking`).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Unpacked {
    /// The container.
    #[topic]
    pub sscc: Sscc,
    /// The children taken out.
    pub children: Vec<Epc>,
    /// The container's state before.
    pub from: State,
    /// Its state after (Unpacked once empty).
    pub to: State,
    /// EPCIS.
    pub epcis: Epcis,
    /// Who.
    pub by: Address,
    /// EPCIS eventTime.
    pub event_time: u64,
    /// Block time.
    pub at: u64,
}

/// Packages and containers were shipped (ObjectEvent OBSERVE + TransactionEvent ADD,
/// `shipping`, `in_transit`).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Shipped {
    /// The transfer.
    #[topic]
    pub tx_id: u32,
    /// The shipper.
    #[topic]
    pub by: Address,
    /// The consignee.
    #[topic]
    pub destination: Address,
    /// What was shipped.
    pub epcs: Vec<Epc>,
    /// Packages shipped, containers' contents included.
    pub item_count: u32,
    /// Hash of the TI/TS.
    pub ti_ts_hash: Option<DocHash>,
    /// State before.
    pub from: State,
    /// State after.
    pub to: State,
    /// EPCIS.
    pub epcis: Epcis,
    /// EPCIS eventTime.
    pub event_time: u64,
    /// Block time.
    pub at: u64,
}

/// Packages and containers were received (ObjectEvent OBSERVE + TransactionEvent,
/// `receiving`, `in_progress`).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Received {
    /// The consignee.
    #[topic]
    pub by: Address,
    /// What was received.
    pub epcs: Vec<Epc>,
    /// Packages received, containers' contents included.
    pub item_count: u32,
    /// State before.
    pub from: State,
    /// State after.
    pub to: State,
    /// EPCIS.
    pub epcis: Epcis,
    /// EPCIS eventTime.
    pub event_time: u64,
    /// Block time.
    pub at: u64,
}

/// A package arrived after its lot was recalled: received, and held.
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct ItemHeldOnReceipt {
    /// The GTIN.
    #[topic]
    pub gtin: Gtin,
    /// The package.
    pub item: ItemKey,
    /// The hold put on it.
    pub hold: Hold,
    /// The consignee.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// Packages were quarantined as suspect and an investigation opened (ObjectEvent OBSERVE,
/// `holding`, `non_sellable_other`).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Quarantined {
    /// The investigation.
    #[topic]
    pub case_id: CaseId,
    /// The packages.
    pub items: Vec<ItemKey>,
    /// Their hold now.
    pub to: State,
    /// EPCIS.
    pub epcis: Epcis,
    /// Who.
    pub by: Address,
    /// EPCIS eventTime.
    pub event_time: u64,
    /// Block time.
    pub at: u64,
}

/// An investigation was resolved.
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct InvestigationResolved {
    /// The investigation.
    #[topic]
    pub case_id: CaseId,
    /// Its packages.
    pub items: Vec<ItemKey>,
    /// State before (Open).
    pub from: State,
    /// State after.
    pub to: State,
    /// Hash of the FDA notification.
    pub fda_notice_hash: Option<DocHash>,
    /// Who.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// Illegitimate product: notify FDA (Form 3911) and immediate trading partners within 24
/// hours (DSCSA §582).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct IllegitimateProductNotice {
    /// The investigation.
    #[topic]
    pub case_id: CaseId,
    /// The packages.
    pub items: Vec<ItemKey>,
    /// Hash of the FDA notification.
    pub fda_notice_hash: DocHash,
    /// Who.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A product identifier's verification was requested.
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct VerificationRequested {
    /// The request.
    #[topic]
    pub req_id: u32,
    /// Who must answer.
    #[topic]
    pub responder: Address,
    /// What to verify.
    pub product_identifier: ProductIdentifier,
    /// Who asks.
    pub by: Address,
    /// Deadline.
    pub due_at: u64,
    /// Block time.
    pub at: u64,
}

/// A verification request was answered.
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct VerificationResponded {
    /// The request.
    #[topic]
    pub req_id: u32,
    /// The answer.
    pub result: VerificationResult,
    /// True if at or after the deadline.
    pub late: bool,
    /// State before.
    pub from: State,
    /// State after.
    pub to: State,
    /// The manufacturer.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A lot was recalled; `held` packages got the hold (ObjectEvent OBSERVE, `holding`,
/// `recalled`).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct LotRecalled {
    /// The GTIN.
    #[topic]
    pub gtin: Gtin,
    /// The lot.
    #[topic]
    pub lot: LotNumber,
    /// The recall.
    pub recall_id: RecallId,
    /// Its class.
    pub class: RecallClass,
    /// Packages held by this call.
    pub held: u32,
    /// Packages of the lot processed so far.
    pub processed: u32,
    /// Packages in the lot.
    pub total: u32,
    /// EPCIS of the holds.
    pub epcis: Epcis,
    /// The manufacturer or regulator.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A recall went on to the next packages of its lot.
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct RecallContinued {
    /// The GTIN.
    #[topic]
    pub gtin: Gtin,
    /// The lot.
    #[topic]
    pub lot: LotNumber,
    /// The recall.
    pub recall_id: RecallId,
    /// Packages held by this call.
    pub held: u32,
    /// Packages of the lot processed so far.
    pub processed: u32,
    /// Packages in the lot.
    pub total: u32,
    /// Who.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// The recall notice: the packages of the recalled lot already dispensed (to reach their
/// patients through their pharmacies).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct RecallNotice {
    /// The GTIN.
    #[topic]
    pub gtin: Gtin,
    /// The lot.
    #[topic]
    pub lot: LotNumber,
    /// The recall.
    pub recall_id: RecallId,
    /// Its class.
    pub class: RecallClass,
    /// Serials dispensed (among the packages this call processed).
    pub dispensed: Vec<Serial>,
    /// Who.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A prescription was registered.
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct PrescriptionRegistered {
    /// Its hash.
    #[topic]
    pub rx_hash: DocHash,
    /// The prescriber.
    pub by: Address,
    /// The product.
    pub gtin: Gtin,
    /// Fills allowed.
    pub fills_allowed: u8,
    /// Valid until, exclusive.
    pub valid_until: u64,
    /// Block time.
    pub at: u64,
}

/// A package was dispensed (ObjectEvent OBSERVE, `dispensing`, `dispensed`).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Dispensed {
    /// The GTIN.
    #[topic]
    pub gtin: Gtin,
    /// The package.
    pub item: ItemKey,
    /// The prescription.
    pub rx_hash: Option<DocHash>,
    /// Its fills used now.
    pub fills_used: Option<u8>,
    /// State before.
    pub from: State,
    /// State after.
    pub to: State,
    /// EPCIS.
    pub epcis: Epcis,
    /// The dispenser.
    pub by: Address,
    /// EPCIS eventTime.
    pub event_time: u64,
    /// Block time.
    pub at: u64,
}

/// A package was decommissioned (ObjectEvent DELETE).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Decommissioned {
    /// The GTIN.
    #[topic]
    pub gtin: Gtin,
    /// The package.
    pub item: ItemKey,
    /// Why.
    pub reason: DecommissionReason,
    /// State before.
    pub from: State,
    /// State after.
    pub to: State,
    /// EPCIS.
    pub epcis: Epcis,
    /// The custodian.
    pub by: Address,
    /// EPCIS eventTime.
    pub event_time: u64,
    /// Block time.
    pub at: u64,
}
