//! DrugTrace's types: GS1 identifiers, packages, containers and lots, investigations,
//! verification, prescriptions and EPCIS events. The consent types are `carechain-consent-api`'s.

use carechain_consent_api::{Role, SubjectId};
use carechain_sdk::prelude::*;
use carechain_sdk::scale::EncodeLike;

/// Most packages one call handles (a commissioning batch; the packages under the containers
/// of a shipment, receipt or quarantine) and most packages under one container.
pub const MAX_ITEMS: u32 = 100;

/// Deepest container nesting: a case (level 1) in a pallet (2) in a pallet or load (3).
pub const MAX_NESTING: u8 = 3;

/// Longest history of one package.
pub const MAX_TRACE_EVENTS: u32 = 64;

/// History entries kept for calls that must always be recordable (receiving, holds,
/// unpacking, resolution, dispensing, decommissioning): packing, shipping and quarantine
/// need fewer than `MAX_TRACE_EVENTS - TRACE_RESERVE` entries.
pub const TRACE_RESERVE: u32 = 8;

/// Most entries a page of a list query returns.
pub const MAX_PAGE: u32 = 100;

/// Most packages of a lot one `recall_lot` or `continue_recall` call processes.
pub const RECALL_PAGE: u32 = 200;

/// Time a manufacturer has to answer a verification request (DSCSA 24 hours, [U]).
pub const VERIFICATION_WINDOW: u64 = 86_400;

/// AI (17) day `00` is the last day of the month ([U]); `false` refuses it.
pub const DAY_00_IS_LAST_DAY: bool = true;

pub(crate) const COMMISSIONING: Epcis = Epcis {
    event_type: EventType::ObjectEvent,
    action: EpcisAction::ADD,
    biz_step: BizStep::commissioning,
    disposition: Disposition::active,
};

pub(crate) const PACKING: Epcis = Epcis {
    event_type: EventType::AggregationEvent,
    action: EpcisAction::ADD,
    biz_step: BizStep::packing,
    disposition: Disposition::container_closed,
};

pub(crate) const UNPACKING: Epcis = Epcis {
    event_type: EventType::AggregationEvent,
    action: EpcisAction::DELETE,
    biz_step: BizStep::unpacking,
    disposition: Disposition::active,
};

pub(crate) const SHIPPING: Epcis = Epcis {
    event_type: EventType::ObjectEvent,
    action: EpcisAction::OBSERVE,
    biz_step: BizStep::shipping,
    disposition: Disposition::in_transit,
};

pub(crate) const RECEIVING: Epcis = Epcis {
    event_type: EventType::ObjectEvent,
    action: EpcisAction::OBSERVE,
    biz_step: BizStep::receiving,
    disposition: Disposition::in_progress,
};

pub(crate) const QUARANTINE: Epcis = Epcis {
    event_type: EventType::ObjectEvent,
    action: EpcisAction::OBSERVE,
    biz_step: BizStep::holding,
    disposition: Disposition::non_sellable_other,
};

pub(crate) const RECALL_HOLD: Epcis = Epcis {
    event_type: EventType::ObjectEvent,
    action: EpcisAction::OBSERVE,
    biz_step: BizStep::holding,
    disposition: Disposition::recalled,
};

pub(crate) const INSPECTED: Epcis = Epcis {
    event_type: EventType::ObjectEvent,
    action: EpcisAction::OBSERVE,
    biz_step: BizStep::inspecting,
    disposition: Disposition::non_sellable_other,
};

pub(crate) const DISPENSING: Epcis = Epcis {
    event_type: EventType::ObjectEvent,
    action: EpcisAction::OBSERVE,
    biz_step: BizStep::dispensing,
    disposition: Disposition::dispensed,
};

/// A GTIN-14, GS1 AI (01): 14 digits, the last a mod-10 check digit. For US drugs it embeds
/// the NDC.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Gtin(pub String);

/// A serial number, GS1 AI (21): 1 to 20 letters and digits.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Serial(pub String);

/// A lot or batch number, GS1 AI (10): 1 to 20 characters of GS1 character set 82.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct LotNumber(pub String);

/// An expiry date, GS1 AI (17): `YYMMDD` (day `00`: the last day of the month).
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct ExpiryDate(pub String);

/// A Serial Shipping Container Code, GS1 AI (00): 18 digits with a check digit.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Sscc(pub String);

/// A Global Location Number, GS1 AI (414): 13 digits with a check digit.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Gln(pub String);

/// SHA-256 of an off-chain document (TI/TS, FDA Form 3911, prescription, licence).
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct DocHash(pub [u8; 32]);

/// An investigation (suspect product case) identifier.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct CaseId(pub [u8; 16]);

/// A recall identifier (e.g. the FDA recall event number, encoded off chain).
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct RecallId(pub [u8; 16]);

/// A serialized package: its SGTIN (GTIN + serial).
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct ItemKey {
    /// AI (01).
    pub gtin: Gtin,
    /// AI (21).
    pub serial: Serial,
}

/// A package's GTIN and serial borrowed from elsewhere encode as its `ItemKey` does (the
/// fields in order), so storage keys need no clone of them.
impl EncodeLike<ItemKey> for (&Gtin, &Serial) {}

/// An EPC: a package (SGTIN) or a container (SSCC).
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum Epc {
    /// A serialized package.
    Sgtin(ItemKey),
    /// A case, tote or pallet.
    Sscc(Sscc),
}

/// The DSCSA product identifier (§581(14)) as printed in the package's 2D barcode.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct ProductIdentifier {
    /// AI (01).
    pub gtin: Gtin,
    /// AI (21).
    pub serial: Serial,
    /// AI (10).
    pub lot: LotNumber,
    /// AI (17).
    pub expiry: ExpiryDate,
}

/// An entry of the trading-partner registry.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct TradingPartner {
    /// The role it trades in: Manufacturer, Wholesaler or Dispenser.
    pub role: Role,
    /// Its location.
    pub gln: Gln,
    /// Hash of its state licence or FDA registration.
    pub licence_ref: DocHash,
    /// DSCSA authorized trading partner status.
    pub authorized: bool,
}

/// Why a package left the supply chain (its CBV disposition).
#[allow(non_camel_case_types)]
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum DecommissionReason {
    /// Destroyed (bizStep `destroying`).
    destroyed,
    /// Expired (bizStep `decommissioning`).
    expired,
    /// Otherwise taken out of use (bizStep `decommissioning`).
    inactive,
    /// Returned (bizStep `decommissioning`).
    returned,
}

/// Where a package is in its life.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum ItemStatus {
    /// In the custody of a trading partner.
    Active,
    /// Shipped to `to` under transfer `tx_id`, not yet received.
    InTransit {
        /// The consignee.
        to: Address,
        /// The transfer.
        tx_id: u32,
    },
    /// Dispensed to a patient (terminal).
    Dispensed,
    /// Out of the supply chain (terminal).
    Decommissioned {
        /// Why.
        reason: DecommissionReason,
    },
}

/// A hold on a package: nothing may be done with it but what the hold allows.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum Hold {
    /// No hold.
    None,
    /// Quarantined as suspect product under investigation.
    Suspect {
        /// The investigation.
        case_id: CaseId,
    },
    /// Found illegitimate: only decommissioning remains.
    Illegitimate {
        /// The investigation.
        case_id: CaseId,
    },
    /// Its lot was recalled.
    Recalled {
        /// The recall.
        recall_id: RecallId,
    },
}

/// A serialized package.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Item {
    /// AI (01).
    pub gtin: Gtin,
    /// AI (21).
    pub serial: Serial,
    /// AI (10).
    pub lot: LotNumber,
    /// First second after expiry (AI (17) date + 1 day, 00:00:00Z).
    pub expiry_end: u64,
    /// Life-cycle status.
    pub status: ItemStatus,
    /// Hold.
    pub hold: Hold,
    /// Who has it (or shipped it, while in transit).
    pub custodian: Address,
    /// Who owns it.
    pub owner: Address,
    /// Where it is: the custodian's GLN.
    pub location: Gln,
    /// The container it is packed in.
    pub parent: Option<Sscc>,
    /// Blake2b-256 chain over its history: H(previous `last_event` ‖ SCALE(entry)).
    pub last_event: DocHash,
    /// Number of history entries.
    pub events: u32,
}

/// Where a container is in its life.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum ContainerStatus {
    /// Closed, in the custody of a trading partner.
    Active,
    /// Shipped to `to` under transfer `tx_id`.
    InTransit {
        /// The consignee.
        to: Address,
        /// The transfer.
        tx_id: u32,
    },
    /// Emptied (terminal; the SSCC is never reused).
    Unpacked,
}

/// A case, tote or pallet.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Container {
    /// AI (00).
    pub sscc: Sscc,
    /// What it directly contains.
    pub children: Vec<Epc>,
    /// Life-cycle status.
    pub status: ContainerStatus,
    /// Who has it.
    pub custodian: Address,
    /// Who owns it.
    pub owner: Address,
    /// Where it is.
    pub location: Gln,
    /// The container it is packed in.
    pub parent: Option<Sscc>,
    /// 1 for a container of packages only, else 1 + the highest level of its containers.
    pub level: u8,
    /// Packages under it, at any depth.
    pub item_count: u32,
}

/// A container with everything under it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct ContainerContents {
    /// The container.
    pub container: Container,
    /// Every container under it, depth first.
    pub containers: Vec<Container>,
    /// Every package under it, depth first.
    pub items: Vec<Item>,
}

/// FDA recall classification (21 CFR 7.3(m)).
#[allow(clippy::upper_case_acronyms)]
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum RecallClass {
    /// Reasonable probability of serious adverse health consequences or death.
    I,
    /// Temporary or medically reversible adverse health consequences.
    II,
    /// Not likely to cause adverse health consequences.
    III,
}

/// A lot's recall.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Recall {
    /// The recall.
    pub recall_id: RecallId,
    /// Its class.
    pub class: RecallClass,
    /// Block time.
    pub at: u64,
    /// The manufacturer or regulator.
    pub by: Address,
    /// Packages of the lot processed so far (holds applied, dispensed ones notified).
    pub processed: u32,
}

/// A lot of one GTIN.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Lot {
    /// AI (01).
    pub gtin: Gtin,
    /// AI (10).
    pub lot: LotNumber,
    /// First second after the lot's expiry.
    pub expiry_end: u64,
    /// Packages commissioned in it.
    pub items: u32,
    /// Its recall, if any.
    pub recall: Option<Recall>,
}

/// A shipment (a DSCSA transaction when ownership changes).
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Transfer {
    /// Its number.
    pub tx_id: u32,
    /// The shipper.
    pub from: Address,
    /// The consignee.
    pub to: Address,
    /// Hash of the Transaction Information and Transaction Statement.
    pub ti_ts_hash: Option<DocHash>,
    /// What was shipped (containers stand for their contents).
    pub epcs: Vec<Epc>,
    /// Packages shipped, containers' contents included.
    pub item_count: u32,
    /// True if ownership changes on receipt.
    pub change_of_ownership: bool,
    /// EPCIS eventTime of the shipping event.
    pub event_time: u64,
    /// Block time.
    pub shipped_at: u64,
}

/// An investigation's status.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum InvestigationStatus {
    /// Packages quarantined, not yet resolved.
    Open,
    /// Found legitimate; holds released (terminal).
    Cleared,
    /// Found illegitimate; FDA and partners notified (terminal).
    Illegitimate,
}

/// How an investigation ends.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum Resolution {
    /// Legitimate product.
    Cleared,
    /// Illegitimate product (DSCSA §581(8)).
    Illegitimate,
}

/// A suspect-product investigation (DSCSA §582(b)(4)(A), (c)(4)(A), (d)(4)(A)).
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Investigation {
    /// Its id.
    pub case_id: CaseId,
    /// The quarantined packages.
    pub items: Vec<ItemKey>,
    /// Who opened it.
    pub opened_by: Address,
    /// Block time.
    pub opened_at: u64,
    /// Status.
    pub status: InvestigationStatus,
    /// Hash of the FDA Form 3911 notification, for illegitimate product.
    pub fda_notice_hash: Option<DocHash>,
    /// Who resolved it.
    pub resolved_by: Option<Address>,
    /// When.
    pub resolved_at: Option<u64>,
}

/// A manufacturer's answer to a verification request.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum VerificationResult {
    /// The product identifier is one the manufacturer assigned.
    Verified,
    /// It is not (evidence of illegitimate product).
    NotVerified,
}

/// A request to verify a product identifier (DSCSA §582(b)(4)(C)).
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct VerificationRequest {
    /// Its number.
    pub req_id: u32,
    /// What to verify.
    pub product_identifier: ProductIdentifier,
    /// Who asks.
    pub requester: Address,
    /// Who must answer: the GTIN's owner.
    pub responder: Address,
    /// Block time of the request.
    pub requested_at: u64,
    /// `requested_at + VERIFICATION_WINDOW`: an answer at or after it is late.
    pub due_at: u64,
    /// The answer.
    pub response: Option<VerificationResult>,
    /// When it came.
    pub responded_at: Option<u64>,
    /// True if it came at or after `due_at`.
    pub late: bool,
}

/// A prescription as its prescriber registers it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct NewPrescription {
    /// Hash of the FHIR MedicationRequest (or NCPDP SCRIPT message).
    pub rx_hash: DocHash,
    /// The patient, pseudonymous.
    pub subject: SubjectId,
    /// The product prescribed.
    pub gtin: Gtin,
    /// Fills allowed (at least 1).
    pub fills_allowed: u8,
    /// Valid until this time, exclusive.
    pub valid_until: u64,
}

/// A prescription in the registry.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Prescription {
    /// Hash of the FHIR MedicationRequest.
    pub rx_hash: DocHash,
    /// The patient, pseudonymous.
    pub subject: SubjectId,
    /// The prescribing practitioner.
    pub prescriber: Address,
    /// The product prescribed.
    pub gtin: Gtin,
    /// Fills allowed.
    pub fills_allowed: u8,
    /// Fills dispensed.
    pub fills_used: u8,
    /// Valid until this time, exclusive.
    pub valid_until: u64,
}

/// Why a prescription does not allow a dispense.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum RxProblem {
    /// `require_rx` is set and no prescription was given.
    Missing,
    /// No prescription has this hash.
    NotFound,
    /// Its validity has ended.
    Expired,
    /// Every fill has been dispensed.
    FillsExhausted,
    /// It is for another product.
    WrongProduct,
}

/// EPCIS 2.0 event type.
#[allow(clippy::enum_variant_names)]
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum EventType {
    /// Something happened to objects.
    ObjectEvent,
    /// Objects were put into or taken out of a container.
    AggregationEvent,
    /// Objects were associated with a business transaction.
    TransactionEvent,
}

/// EPCIS 2.0 action.
#[allow(clippy::upper_case_acronyms)]
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum EpcisAction {
    /// Created or associated.
    ADD,
    /// Observed.
    OBSERVE,
    /// Retired or dissociated.
    DELETE,
}

/// CBV 2.0 business step, spelled as CBV spells it.
#[allow(non_camel_case_types)]
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum BizStep {
    /// Serial numbers assigned to new product.
    commissioning,
    /// Put into a container.
    packing,
    /// Taken out of a container.
    unpacking,
    /// Sent to a trading partner.
    shipping,
    /// Taken into custody.
    receiving,
    /// Dispensed to a patient.
    dispensing,
    /// Taken out of use.
    decommissioning,
    /// Destroyed.
    destroying,
    /// Held (quarantine, recall).
    holding,
    /// Inspected (the end of an investigation).
    inspecting,
}

/// CBV 2.0 disposition, spelled as CBV spells it.
#[allow(non_camel_case_types)]
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum Disposition {
    /// Usable.
    active,
    /// Packed and closed.
    container_closed,
    /// Shipped, not yet received.
    in_transit,
    /// Received, being taken in.
    in_progress,
    /// Dispensed.
    dispensed,
    /// Out of use.
    inactive,
    /// Destroyed.
    destroyed,
    /// Expired.
    expired,
    /// Not sellable for another reason (quarantine, illegitimate).
    non_sellable_other,
    /// Recalled.
    recalled,
    /// Returned.
    returned,
}

/// The EPCIS description of an event: type, action, CBV bizStep and disposition.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Epcis {
    /// EPCIS event type.
    pub event_type: EventType,
    /// EPCIS action.
    pub action: EpcisAction,
    /// CBV bizStep.
    pub biz_step: BizStep,
    /// CBV disposition after the event.
    pub disposition: Disposition,
}

/// The EPCIS TransactionEvent recorded with a shipping or receiving event.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct BizTransaction {
    /// Always `TransactionEvent`.
    pub event_type: EventType,
    /// ADD when shipped, OBSERVE when received.
    pub action: EpcisAction,
    /// The transfer.
    pub tx_id: u32,
    /// EPCIS source (owning party before).
    pub source: Address,
    /// EPCIS destination (owning party after).
    pub destination: Address,
    /// Hash of the TI/TS.
    pub ti_ts_hash: Option<DocHash>,
}

/// One entry of a package's history (the DSCSA transaction history, as EPCIS events).
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct TraceEvent {
    /// EPCIS event type, action, bizStep and disposition.
    pub epcis: Epcis,
    /// EPCIS eventTime, as the caller gave it (at most the block time).
    pub event_time: u64,
    /// EPCIS recordTime: the block time.
    pub record_time: u64,
    /// Who recorded it.
    pub by: Address,
    /// EPCIS bizLocation: where the package is after the event.
    pub location: Gln,
    /// The container: the parentID of an AggregationEvent, else the package's container.
    pub parent: Option<Sscc>,
    /// The TransactionEvent, for shipping and receiving.
    pub transaction: Option<BizTransaction>,
    /// The package's hold after the event.
    pub hold: Hold,
}

/// What an invalid transition was about.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum Entity {
    /// A package.
    Item,
    /// A container.
    Container,
    /// An investigation.
    Investigation,
    /// A verification request.
    VerificationRequest,
}

/// A state, for [`Error::InvalidTransition`].
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum State {
    /// Package or container active.
    Active,
    /// Package or container in transit.
    InTransit,
    /// Package dispensed.
    Dispensed,
    /// Package decommissioned.
    Decommissioned,
    /// Container unpacked.
    Unpacked,
    /// Package held as suspect.
    Suspect,
    /// Investigation open.
    Open,
    /// Investigation cleared.
    Cleared,
    /// Investigation (or package) illegitimate.
    Illegitimate,
    /// Verification request awaiting its answer.
    Pending,
    /// Verification request answered.
    Responded,
}

/// Configuration.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Config {
    /// The AccessConsent contract (actor directory).
    pub consent: Address,
    /// Every dispense needs a prescription.
    pub require_rx: bool,
}
