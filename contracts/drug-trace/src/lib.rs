//! DrugTrace: serialized, package-level traceability of prescription drugs under the US Drug
//! Supply Chain Security Act (FD&C Act §581-582), recorded as GS1 EPCIS 2.0 events with CBV 2.0
//! business steps and dispositions.
#![no_std]

mod gs1;

/// DrugTrace (DSCSA, GS1 EPCIS 2.0 / CBV 2.0). Each package carries its DSCSA product identifier
/// (GS1 AI (01) GTIN-14, (21) serial, (10) lot, (17) expiry); cases and pallets are SSCC-18
/// containers. The contract records commissioning, aggregation, shipping and receiving between
/// authorized trading partners, quarantine and investigation of suspect product, verification
/// requests, lot recalls, dispensing and decommissioning. Every change appends an EPCIS event
/// (event type, action, CBV `bizStep` and `disposition`) to the package's history, which
/// `trace` returns as the DSCSA transaction history.
///
/// Roles come from the AccessConsent actor directory (`has_role`). No personal health
/// information is stored: a prescription holds a pseudonymous `SubjectId` and document hashes.
///
/// Configuration and choices where the specification is open ([U] items of DOMAIN.md):
/// * Constructor `require_rx`: every dispense must name a registered prescription.
/// * AI (17) day `00` means the last day of the month (`DAY_00_IS_LAST_DAY`, [U]: verify
///   against the GS1 General Specifications before go-live); with it `false`, day `00` is
///   refused as `InvalidExpiry`. The century of `YY` follows the GS1 sliding window (§7.12)
///   read at the block time. An expiry date D ends at D+1 00:00:00Z (half-open).
/// * Brand ownership: the NetworkAdmin registers each GTIN to its manufacturer
///   (`register_gtin`, after checking the GS1 company-prefix licence off chain); only that
///   manufacturer commissions it, answers its verification requests and (with any Regulator)
///   recalls its lots. A GTIN is registered once (`DuplicateGtin`).
/// * Authorized trading partners (DSCSA §581(2)): the NetworkAdmin keeps a registry of
///   partners with their trading role (Manufacturer, Wholesaler or Dispenser), GLN and licence
///   hash. A partner is authorized while its entry says so and the directory still gives it that
///   role. Shipper and consignee must both be authorized.
/// * Locations are GLNs (13 digits, check digit); a package is at its custodian's GLN. SGLN
///   extensions are not modelled.
/// * Every shipment to another party is a change of ownership (a DSCSA transaction) and needs
///   `ti_ts_hash`; intra-company and third-party-logistics transfers are not distinguished.
///   Custodian and owner therefore always coincide.
/// * Dispositions ([U] in DOMAIN.md): packing `container_closed`; receiving `in_progress`;
///   quarantine `holding` / `non_sellable_other` (CBV has no "quarantined"); a recall hold
///   `holding` / `recalled`; the end of an investigation `inspecting`, then `active` (or
///   `recalled`, `in_transit`) when cleared and `non_sellable_other` when illegitimate;
///   dispensing is an ObjectEvent OBSERVE; decommissioning is an ObjectEvent DELETE, `destroying`
///   / `destroyed` for destroyed product, else `decommissioning` / `expired` or `inactive`.
///   Shipping and receiving record the EPCIS TransactionEvent (ADD, resp. OBSERVE) with the
///   ObjectEvent in one history entry.
/// * Holds: a package has one hold. A recall does not replace a Suspect or Illegitimate hold;
///   a cleared investigation then leaves the package `Recalled` if its lot was recalled. A
///   package in transit when its lot is recalled is held on receipt (`ItemHeldOnReceipt`).
///   Custody is recorded on receipt whatever the hold. Unpacking is allowed for held packages;
///   decommissioning for every hold but Suspect (evidence under investigation).
/// * Containers are handled from the outside in: shipping, receiving and unpacking act on the
///   outermost container (`ItemInContainer` otherwise), and a package must be unpacked before it
///   is dispensed or decommissioned. Only a package's own events enter its history (packing its
///   case onto a pallet does not; shipping the pallet does).
/// * `event_time` (EPCIS eventTime) is optional; absent, it is the block time.
/// * Quarantine and investigation resolution: the custodian of every package, or a
///   Regulator; an investigation is resolved by whoever opened it or a Regulator.
/// * A recall holds up to `RECALL_PAGE` packages per call; larger lots continue with
///   `continue_recall`. Until then shipping and dispensing refuse the lot (`RecalledLot`).
/// * Prescriptions are registered by the prescribing Practitioner and name one GTIN.
/// * Bounds: `MAX_ITEMS` packages per call and per container tree, containers nested at most
///   `MAX_NESTING` deep, `MAX_TRACE_EVENTS` history entries per package (of which the last
///   `TRACE_RESERVE` only for receiving, holds, unpacking, resolution, dispensing and
///   decommissioning), query pages of at most `MAX_PAGE`.
#[carechain_sdk::contract]
pub mod drug_trace {
    use crate::gs1;
    use carechain_consent_api::{self as consent_api, Role, SubjectId};
    use carechain_sdk::Item as StorageItem;
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

    const CONFIG: StorageItem<Config> = StorageItem::new(b"config");
    const PARTNERS: Map<Address, TradingPartner> = Map::new(b"partners");
    const GTINS: Map<Gtin, Address> = Map::new(b"gtins");
    const ITEMS: Map<ItemKey, Item> = Map::new(b"items");
    const TRACE: Map<(ItemKey, u32), TraceEvent> = Map::new(b"trace");
    const LOTS: Map<(Gtin, LotNumber), Lot> = Map::new(b"lots");
    const LOT_ITEMS: Map<(Gtin, LotNumber, u32), Serial> = Map::new(b"lot_items");
    const CONTAINERS: Map<Sscc, Container> = Map::new(b"containers");
    const TRANSFERS: Vector<Transfer> = Vector::new(b"transfers");
    const CASES: Map<CaseId, Investigation> = Map::new(b"cases");
    const CASE_IDS: Vector<CaseId> = Vector::new(b"case_ids");
    const VERIFICATIONS: Vector<VerificationRequest> = Vector::new(b"verifications");
    const PRESCRIPTIONS: Map<DocHash, Prescription> = Map::new(b"prescriptions");

    // ---- identifiers ----

    /// A GTIN-14, GS1 AI (01): 14 digits, the last a mod-10 check digit. For US drugs it embeds
    /// the NDC.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct Gtin(pub String);

    /// A serial number, GS1 AI (21): 1 to 20 letters and digits.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct Serial(pub String);

    /// A lot or batch number, GS1 AI (10): 1 to 20 characters of GS1 character set 82.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct LotNumber(pub String);

    /// An expiry date, GS1 AI (17): `YYMMDD` (day `00`: the last day of the month).
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct ExpiryDate(pub String);

    /// A Serial Shipping Container Code, GS1 AI (00): 18 digits with a check digit.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct Sscc(pub String);

    /// A Global Location Number, GS1 AI (414): 13 digits with a check digit.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct Gln(pub String);

    /// SHA-256 of an off-chain document (TI/TS, FDA Form 3911, prescription, licence).
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub struct DocHash(pub [u8; 32]);

    /// An investigation (suspect product case) identifier.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub struct CaseId(pub [u8; 16]);

    /// A recall identifier (e.g. the FDA recall event number, encoded off chain).
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub struct RecallId(pub [u8; 16]);

    /// A serialized package: its SGTIN (GTIN + serial).
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub enum Epc {
        /// A serialized package.
        Sgtin(ItemKey),
        /// A case, tote or pallet.
        Sscc(Sscc),
    }

    /// The DSCSA product identifier (§581(14)) as printed in the package's 2D barcode.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
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

    // ---- actors ----

    /// An entry of the trading-partner registry.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
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

    // ---- packages, containers, lots ----

    /// Why a package left the supply chain (its CBV disposition).
    #[allow(non_camel_case_types)]
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum DecommissionReason {
        /// Destroyed (bizStep `destroying`).
        destroyed,
        /// Expired (bizStep `decommissioning`).
        expired,
        /// Otherwise taken out of use (bizStep `decommissioning`).
        inactive,
    }

    /// Where a package is in its life.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum RecallClass {
        /// Reasonable probability of serious adverse health consequences or death.
        I,
        /// Temporary or medically reversible adverse health consequences.
        II,
        /// Not likely to cause adverse health consequences.
        III,
    }

    /// A lot's recall.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
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

    // ---- investigations, verification, prescriptions ----

    /// An investigation's status.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum InvestigationStatus {
        /// Packages quarantined, not yet resolved.
        Open,
        /// Found legitimate; holds released (terminal).
        Cleared,
        /// Found illegitimate; FDA and partners notified (terminal).
        Illegitimate,
    }

    /// How an investigation ends.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum Resolution {
        /// Legitimate product.
        Cleared,
        /// Illegitimate product (DSCSA §581(8)).
        Illegitimate,
    }

    /// A suspect-product investigation (DSCSA §582(b)(4)(A), (c)(4)(A), (d)(4)(A)).
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum VerificationResult {
        /// The product identifier is one the manufacturer assigned.
        Verified,
        /// It is not (evidence of illegitimate product).
        NotVerified,
    }

    /// A request to verify a product identifier (DSCSA §582(b)(4)(C)).
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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

    // ---- EPCIS ----

    /// EPCIS 2.0 event type.
    #[allow(clippy::enum_variant_names)]
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    }

    /// The EPCIS description of an event: type, action, CBV bizStep and disposition.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
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

    // ---- errors ----

    /// What an invalid transition was about.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
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

    /// Why a call failed. A failed call changes nothing and emits nothing.
    #[error]
    pub enum Error {
        /// The caller is not an active actor with the role the call needs.
        Unauthorized {
            /// The role.
            required_role: Option<Role>,
        },
        /// The actor directory (AccessConsent) could not be asked.
        DirectoryUnavailable,
        /// The caller or the consignee is not an authorized trading partner.
        UnauthorizedTradingPartner,
        /// Trading partners trade as Manufacturer, Wholesaler or Dispenser.
        InvalidRole,
        /// An event time is after the block time.
        FutureTimestamp,
        /// Not a GTIN-14 with a valid check digit.
        InvalidGtin,
        /// Not a serial of 1 to 20 letters and digits.
        InvalidSerial,
        /// Not a lot number of 1 to 20 characters of GS1 character set 82.
        InvalidLot,
        /// Not an AI (17) date `YYMMDD`.
        InvalidExpiry,
        /// Not an SSCC-18 with a valid check digit.
        InvalidSscc,
        /// Not a GLN-13 with a valid check digit.
        InvalidGln,
        /// The list is empty.
        NoItems,
        /// More than `MAX_ITEMS` packages.
        TooManyItems,
        /// The GTIN has no registered brand owner.
        GtinNotRegistered,
        /// The GTIN is registered already.
        DuplicateGtin,
        /// The caller is not the GTIN's brand owner.
        NotBrandOwner,
        /// A package with this GTIN and serial exists.
        DuplicateSerial,
        /// The lot exists with another expiry date.
        ExpiryMismatch,
        /// No such package.
        ItemNotFound,
        /// No such container.
        ContainerNotFound,
        /// No such lot.
        LotNotFound,
        /// No such transfer.
        TransferNotFound,
        /// The caller does not have custody.
        NotCustodian,
        /// The entity's current state does not allow this.
        InvalidTransition {
            /// What.
            entity: Entity,
            /// Its state.
            from: State,
            /// The state the call would have moved it to.
            attempted: State,
        },
        /// A package is on hold.
        ItemOnHold {
            /// The hold.
            hold: Hold,
        },
        /// A package has expired.
        ProductExpired,
        /// A package's lot is recalled.
        RecalledLot,
        /// A package or container is inside a container: act on the outermost one.
        ItemInContainer,
        /// A child is in a container already.
        AlreadyAggregated {
            /// That container.
            parent: Sscc,
        },
        /// The SSCC has been used.
        DuplicateSscc,
        /// Not a child of that container.
        NotAChild,
        /// Children are at different locations.
        LocationMismatch,
        /// Containers would nest deeper than `MAX_NESTING`.
        NestingTooDeep,
        /// A change of ownership needs the TI/TS hash.
        MissingTransactionInformation,
        /// The caller is not the consignee.
        NotConsignee,
        /// An investigation with this id exists.
        DuplicateCase,
        /// No such investigation.
        CaseNotFound,
        /// Illegitimate product needs the hash of the FDA notification.
        FdaNoticeRequired,
        /// No such verification request.
        RequestNotFound,
        /// The lot is recalled already.
        AlreadyRecalled,
        /// The lot is not recalled.
        NotRecalled,
        /// Every package of the recalled lot has been processed.
        RecallComplete,
        /// A prescription with this hash exists.
        DuplicatePrescription,
        /// A prescription needs at least one fill and a validity in the future.
        InvalidPrescription,
        /// The prescription does not allow this dispense.
        PrescriptionInvalid {
            /// Why.
            reason: RxProblem,
        },
        /// The package's history is full.
        TraceFull,
        /// A counter overflowed.
        ArithmeticOverflow,
    }

    /// Configuration.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub struct Config {
        /// The AccessConsent contract (actor directory).
        pub consent: Address,
        /// Every dispense needs a prescription.
        pub require_rx: bool,
    }

    // ---- events ----

    /// A trading partner was registered or updated.
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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
    #[event]
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

    // ---- constructor and registries ----

    /// Creates the registry. `consent` is the AccessConsent contract whose actor directory
    /// gives the roles; with `require_rx`, every dispense needs a registered prescription.
    #[constructor]
    pub fn new(consent: Address, require_rx: bool) {
        CONFIG.set(&Config {
            consent,
            require_rx,
        });
    }

    /// Registers or updates a trading partner: the role it trades in (Manufacturer,
    /// Wholesaler or Dispenser), its GLN, its licence hash and whether it is authorized.
    /// NetworkAdmin only.
    #[message]
    pub fn register_trading_partner(
        partner: Address,
        role: Role,
        gln: Gln,
        licence_ref: DocHash,
        authorized: bool,
    ) -> Result<(), Error> {
        let by = require_role(Role::NetworkAdmin);
        if !matches!(
            role,
            Role::Manufacturer | Role::Wholesaler | Role::Dispenser
        ) {
            fail(Error::InvalidRole);
        }
        if !gs1::is_gln13(&gln.0) {
            fail(Error::InvalidGln);
        }
        let entry = TradingPartner {
            role,
            gln,
            licence_ref,
            authorized,
        };
        PARTNERS.insert(&partner, &entry);
        env().emit(&TradingPartnerRegistered {
            partner,
            entry,
            by,
            at: now(),
        });
        Ok(())
    }

    /// Registers `owner` as the brand owner (manufacturer) of `gtin`. NetworkAdmin only.
    #[message]
    pub fn register_gtin(gtin: Gtin, owner: Address) -> Result<(), Error> {
        let by = require_role(Role::NetworkAdmin);
        check_gtin(&gtin);
        if GTINS.contains(&gtin) {
            fail(Error::DuplicateGtin);
        }
        GTINS.insert(&gtin, &owner);
        env().emit(&GtinRegistered {
            gtin,
            owner,
            by,
            at: now(),
        });
        Ok(())
    }

    /// Registers a prescription; the caller, a Practitioner, is its prescriber.
    #[message]
    pub fn register_prescription(prescription: NewPrescription) -> Result<(), Error> {
        let by = require_role(Role::Practitioner);
        check_gtin(&prescription.gtin);
        if PRESCRIPTIONS.contains(&prescription.rx_hash) {
            fail(Error::DuplicatePrescription);
        }
        let at = now();
        if prescription.fills_allowed == 0 || prescription.valid_until <= at {
            fail(Error::InvalidPrescription);
        }
        PRESCRIPTIONS.insert(
            &prescription.rx_hash,
            &Prescription {
                rx_hash: prescription.rx_hash,
                subject: prescription.subject,
                prescriber: by,
                gtin: prescription.gtin.clone(),
                fills_allowed: prescription.fills_allowed,
                fills_used: 0,
                valid_until: prescription.valid_until,
            },
        );
        env().emit(&PrescriptionRegistered {
            rx_hash: prescription.rx_hash,
            by,
            gtin: prescription.gtin,
            fills_allowed: prescription.fills_allowed,
            valid_until: prescription.valid_until,
            at,
        });
        Ok(())
    }

    // ---- commissioning and aggregation ----

    /// Commissions new packages (ObjectEvent ADD with lot and expiry as ILMD, `commissioning`,
    /// `active`) at the caller's GLN. The caller must be the brand owner of every GTIN and an
    /// authorized Manufacturer. All or nothing.
    #[message]
    pub fn commission(items: Vec<ProductIdentifier>, event_time: Option<u64>) -> Result<(), Error> {
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

    /// Packs `children` (packages or containers, all Active, unheld, loose, at one location, in
    /// the caller's custody) into the new container `sscc` (AggregationEvent ADD, `packing`).
    #[message]
    pub fn pack(sscc: Sscc, children: Vec<Epc>, event_time: Option<u64>) -> Result<(), Error> {
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

    /// Takes `children` out of the outermost container `sscc` in the caller's custody
    /// (AggregationEvent DELETE, `unpacking`, `active`); allowed for held packages. Once empty
    /// the container is Unpacked for good.
    #[message]
    pub fn unpack(sscc: Sscc, children: Vec<Epc>, event_time: Option<u64>) -> Result<(), Error> {
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

    // ---- shipping and receiving ----

    /// Ships packages and containers (with everything in them) to the authorized trading
    /// partner `to` (ObjectEvent OBSERVE + TransactionEvent ADD, `shipping`, `in_transit`).
    /// The caller must be the custodian; nothing shipped may be held, expired, of a recalled lot
    /// or inside a container. A change of ownership needs `ti_ts_hash`. Returns the transfer's
    /// number.
    #[message]
    pub fn ship(
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
                unheld(&item);
                if at >= item.expiry_end {
                    fail(Error::ProductExpired);
                }
                if lots.recall_of(&item).is_some() {
                    fail(Error::RecalledLot);
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

    /// Receives packages and containers shipped to the caller (ObjectEvent OBSERVE +
    /// TransactionEvent OBSERVE, `receiving`, `in_progress`): they become Active in the
    /// caller's custody and ownership at its GLN. A package whose lot was recalled in transit is
    /// received and held (`ItemHeldOnReceipt`).
    #[message]
    pub fn receive(epcs: Vec<Epc>, event_time: Option<u64>) -> Result<(), Error> {
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

    // ---- suspect and illegitimate product ----

    /// Quarantines packages (containers stand for their contents) as suspect product and opens
    /// investigation `case_id` (ObjectEvent OBSERVE, `holding`, `non_sellable_other`). The
    /// custodian of every package, or a Regulator. Packages may be active or in transit and not
    /// already suspect or illegitimate.
    #[message]
    pub fn quarantine(
        epcs: Vec<Epc>,
        case_id: CaseId,
        event_time: Option<u64>,
    ) -> Result<(), Error> {
        let t = event_time_of(event_time);
        let by = env().caller();
        let regulator = partner_or_regulator(&by).is_none();
        if CASES.contains(&case_id) {
            fail(Error::DuplicateCase);
        }
        check_count(epcs.len());
        let mut keys: Vec<ItemKey> = Vec::new();
        for epc in &epcs {
            match epc {
                Epc::Sgtin(key) => keys.push(key.clone()),
                Epc::Sscc(sscc) => {
                    let c = load_container(sscc);
                    if !regulator {
                        require_custody(&c.custodian, &by);
                    }
                    if c.status == ContainerStatus::Unpacked {
                        fail(Error::InvalidTransition {
                            entity: Entity::Container,
                            from: State::Unpacked,
                            attempted: State::Suspect,
                        });
                    }
                    keys.extend(descendants(&c).0);
                }
            }
            if keys.len() > MAX_ITEMS as usize {
                fail(Error::TooManyItems);
            }
        }
        let hold = Hold::Suspect { case_id };
        for key in &keys {
            let mut item = load_item(key);
            if !regulator {
                require_custody(&item.custodian, &by);
            }
            if !matches!(
                item.status,
                ItemStatus::Active | ItemStatus::InTransit { .. }
            ) {
                fail(Error::InvalidTransition {
                    entity: Entity::Item,
                    from: item_state(&item.status),
                    attempted: State::Suspect,
                });
            }
            if !matches!(item.hold, Hold::None | Hold::Recalled { .. }) {
                fail(Error::ItemOnHold { hold: item.hold });
            }
            item.hold = hold;
            record(&mut item, QUARANTINE, t, &by, None, Room::Moves);
            ITEMS.insert(key, &item);
        }
        let at = now();
        CASES.insert(
            &case_id,
            &Investigation {
                case_id,
                items: keys.clone(),
                opened_by: by,
                opened_at: at,
                status: InvestigationStatus::Open,
                fda_notice_hash: None,
                resolved_by: None,
                resolved_at: None,
            },
        );
        CASE_IDS.push(&case_id);
        env().emit(&Quarantined {
            case_id,
            items: keys,
            to: State::Suspect,
            epcis: QUARANTINE,
            by,
            event_time: t,
            at,
        });
        Ok(())
    }

    /// Resolves an open investigation: `Cleared` releases the holds (a package of a recalled
    /// lot stays held as Recalled); `Illegitimate` holds the packages as illegitimate for good
    /// (only decommissioning remains), needs `fda_notice_hash` and emits
    /// `IllegitimateProductNotice`. Whoever opened it, or a Regulator.
    #[message]
    pub fn resolve_investigation(
        case_id: CaseId,
        resolution: Resolution,
        fda_notice_hash: Option<DocHash>,
    ) -> Result<(), Error> {
        let by = env().caller();
        let mut case = CASES
            .get(&case_id)
            .unwrap_or_else(|| fail(Error::CaseNotFound));
        if by == case.opened_by {
            partner_or_regulator(&by);
        } else if !has_role(&by, Role::Regulator) {
            fail(Error::Unauthorized {
                required_role: Some(Role::Regulator),
            });
        }
        let (to_status, to_state) = match resolution {
            Resolution::Cleared => (InvestigationStatus::Cleared, State::Cleared),
            Resolution::Illegitimate => (InvestigationStatus::Illegitimate, State::Illegitimate),
        };
        if case.status != InvestigationStatus::Open {
            fail(Error::InvalidTransition {
                entity: Entity::Investigation,
                from: investigation_state(case.status),
                attempted: to_state,
            });
        }
        if resolution == Resolution::Illegitimate && fda_notice_hash.is_none() {
            fail(Error::FdaNoticeRequired);
        }
        let at = now();
        let suspect = Hold::Suspect { case_id };
        let mut lots = LotCache::default();
        for key in &case.items {
            let mut item = load_item(key);
            if item.hold != suspect {
                continue;
            }
            let epcis = match resolution {
                Resolution::Cleared => {
                    item.hold = match lots.recall_of(&item) {
                        Some(r) => Hold::Recalled {
                            recall_id: r.recall_id,
                        },
                        None => Hold::None,
                    };
                    let disposition = match (item.hold, &item.status) {
                        (Hold::Recalled { .. }, _) => Disposition::recalled,
                        (_, ItemStatus::InTransit { .. }) => Disposition::in_transit,
                        _ => Disposition::active,
                    };
                    Epcis {
                        disposition,
                        ..INSPECTED
                    }
                }
                Resolution::Illegitimate => {
                    item.hold = Hold::Illegitimate { case_id };
                    INSPECTED
                }
            };
            record(&mut item, epcis, at, &by, None, Room::Always);
            ITEMS.insert(key, &item);
        }
        case.status = to_status;
        case.fda_notice_hash = fda_notice_hash;
        case.resolved_by = Some(by);
        case.resolved_at = Some(at);
        CASES.insert(&case_id, &case);
        env().emit(&InvestigationResolved {
            case_id,
            items: case.items.clone(),
            from: State::Open,
            to: to_state,
            fda_notice_hash,
            by,
            at,
        });
        if let (Resolution::Illegitimate, Some(hash)) = (resolution, fda_notice_hash) {
            env().emit(&IllegitimateProductNotice {
                case_id,
                items: case.items,
                fda_notice_hash: hash,
                by,
                at,
            });
        }
        Ok(())
    }

    /// Asks the GTIN's brand owner to verify a product identifier; the answer is due within
    /// `VERIFICATION_WINDOW`. Any authorized trading partner or a Regulator. Returns the
    /// request's number.
    #[message]
    pub fn request_verification(product_identifier: ProductIdentifier) -> Result<u32, Error> {
        let by = env().caller();
        let at = now();
        check_pi(&product_identifier, at);
        let responder = GTINS
            .get(&product_identifier.gtin)
            .unwrap_or_else(|| fail(Error::GtinNotRegistered));
        partner_or_regulator(&by);
        let req_id = VERIFICATIONS.len();
        if req_id == u32::MAX {
            fail(Error::ArithmeticOverflow);
        }
        let due_at = at
            .checked_add(VERIFICATION_WINDOW)
            .unwrap_or_else(|| fail(Error::ArithmeticOverflow));
        VERIFICATIONS.push(&VerificationRequest {
            req_id,
            product_identifier: product_identifier.clone(),
            requester: by,
            responder,
            requested_at: at,
            due_at,
            response: None,
            responded_at: None,
            late: false,
        });
        env().emit(&VerificationRequested {
            req_id,
            responder,
            product_identifier,
            by,
            due_at,
            at,
        });
        Ok(req_id)
    }

    /// Answers verification request `req_id`: the GTIN's brand owner only, once. An answer at or
    /// after `due_at` is accepted and flagged late. Returns the late flag.
    #[message]
    pub fn respond_verification(req_id: u32, result: VerificationResult) -> Result<bool, Error> {
        let by = env().caller();
        let mut req = VERIFICATIONS
            .get(req_id)
            .unwrap_or_else(|| fail(Error::RequestNotFound));
        if by != req.responder {
            fail(Error::NotBrandOwner);
        }
        require_role_of(&by, Role::Manufacturer);
        if req.response.is_some() {
            fail(Error::InvalidTransition {
                entity: Entity::VerificationRequest,
                from: State::Responded,
                attempted: State::Responded,
            });
        }
        let at = now();
        req.response = Some(result);
        req.responded_at = Some(at);
        req.late = at >= req.due_at;
        VERIFICATIONS.set(req_id, &req);
        env().emit(&VerificationResponded {
            req_id,
            result,
            late: req.late,
            from: State::Pending,
            to: State::Responded,
            by,
            at,
        });
        Ok(req.late)
    }

    // ---- recall ----

    /// Recalls a lot: the GTIN's brand owner or a Regulator. Packages of the lot in custody get
    /// `hold = Recalled` (ObjectEvent OBSERVE, `holding`, `recalled`), those in transit get it
    /// on receipt, dispensed ones are listed in `RecallNotice`. Processes the first
    /// `RECALL_PAGE` packages; returns how many remain for `continue_recall`.
    #[message]
    pub fn recall_lot(
        gtin: Gtin,
        lot: LotNumber,
        recall_id: RecallId,
        class: RecallClass,
    ) -> Result<u32, Error> {
        Ok(recall(gtin, lot, Some((recall_id, class))))
    }

    /// Processes the next `RECALL_PAGE` packages of a recalled lot, as `recall_lot` does.
    /// Returns how many remain.
    #[message]
    pub fn continue_recall(gtin: Gtin, lot: LotNumber) -> Result<u32, Error> {
        Ok(recall(gtin, lot, None))
    }

    /// `recall_lot` (`start` is the new recall's id and class) and `continue_recall` (`None`):
    /// one body, as they differ only in how the recall starts and in the first event.
    fn recall(gtin: Gtin, lot: LotNumber, start: Option<(RecallId, RecallClass)>) -> u32 {
        let by = env().caller();
        let lot_key = (&gtin, &lot);
        let mut lot_rec = LOTS
            .get(&lot_key)
            .unwrap_or_else(|| fail(Error::LotNotFound));
        authorize_recall(&by, &gtin);
        let at = now();
        let mut recall = match (start, lot_rec.recall) {
            (Some(_), Some(_)) => fail(Error::AlreadyRecalled),
            (Some((recall_id, class)), None) => Recall {
                recall_id,
                class,
                at,
                by,
                processed: 0,
            },
            (None, None) => fail(Error::NotRecalled),
            (None, Some(r)) if r.processed >= lot_rec.items => fail(Error::RecallComplete),
            (None, Some(r)) => r,
        };
        let (held, dispensed) = recall_page(&lot_rec, &mut recall, &by);
        lot_rec.recall = Some(recall);
        LOTS.insert(&lot_key, &lot_rec);
        if start.is_some() {
            env().emit(&LotRecalled {
                gtin: gtin.clone(),
                lot: lot.clone(),
                recall_id: recall.recall_id,
                class: recall.class,
                held,
                processed: recall.processed,
                total: lot_rec.items,
                epcis: RECALL_HOLD,
                by,
                at,
            });
        } else {
            env().emit(&RecallContinued {
                gtin: gtin.clone(),
                lot: lot.clone(),
                recall_id: recall.recall_id,
                held,
                processed: recall.processed,
                total: lot_rec.items,
                by,
                at,
            });
        }
        env().emit(&RecallNotice {
            gtin,
            lot,
            recall_id: recall.recall_id,
            class: recall.class,
            dispensed,
            by,
            at,
        });
        lot_rec.items.saturating_sub(recall.processed)
    }

    // ---- dispensing and decommissioning ----

    /// Dispenses a package to a patient (ObjectEvent OBSERVE, `dispensing`, `dispensed`): a
    /// Dispenser with custody; the package Active, loose, unheld, unexpired, of an unrecalled
    /// lot. With `rx_hash` (required under `require_rx`) the prescription must be valid now,
    /// for this GTIN, with a fill left, which this uses.
    #[message]
    pub fn dispense(
        gtin: Gtin,
        serial: Serial,
        rx_hash: Option<DocHash>,
        event_time: Option<u64>,
    ) -> Result<(), Error> {
        let t = event_time_of(event_time);
        let by = require_role(Role::Dispenser);
        let key = ItemKey { gtin, serial };
        let mut item = load_item(&key);
        require_custody(&item.custodian, &by);
        item_transition(&item, State::Dispensed);
        if item.parent.is_some() {
            fail(Error::ItemInContainer);
        }
        unheld(&item);
        let at = now();
        if at >= item.expiry_end {
            fail(Error::ProductExpired);
        }
        if LotCache::default().recall_of(&item).is_some() {
            fail(Error::RecalledLot);
        }
        let fills_used = match rx_hash {
            Some(hash) => Some(use_prescription(&hash, &item.gtin, at)),
            None if config().require_rx => {
                fail(Error::PrescriptionInvalid {
                    reason: RxProblem::Missing,
                });
            }
            None => None,
        };
        item.status = ItemStatus::Dispensed;
        record(&mut item, DISPENSING, t, &by, None, Room::Always);
        ITEMS.insert(&key, &item);
        env().emit(&Dispensed {
            gtin: key.gtin.clone(),
            item: key,
            rx_hash,
            fills_used,
            from: State::Active,
            to: State::Dispensed,
            epcis: DISPENSING,
            by,
            event_time: t,
            at,
        });
        Ok(())
    }

    /// Takes a package out of the supply chain (ObjectEvent DELETE): its custodian; the package
    /// Active and loose; allowed under every hold but Suspect (the only way out for illegitimate
    /// product).
    #[message]
    pub fn decommission(
        gtin: Gtin,
        serial: Serial,
        reason: DecommissionReason,
        event_time: Option<u64>,
    ) -> Result<(), Error> {
        let t = event_time_of(event_time);
        let by = env().caller();
        partner(&by);
        let key = ItemKey { gtin, serial };
        let mut item = load_item(&key);
        require_custody(&item.custodian, &by);
        item_transition(&item, State::Decommissioned);
        if item.parent.is_some() {
            fail(Error::ItemInContainer);
        }
        if let Hold::Suspect { .. } = item.hold {
            fail(Error::ItemOnHold { hold: item.hold });
        }
        item.status = ItemStatus::Decommissioned { reason };
        let epcis = decommissioning(reason);
        record(&mut item, epcis, t, &by, None, Room::Always);
        ITEMS.insert(&key, &item);
        env().emit(&Decommissioned {
            gtin: key.gtin.clone(),
            item: key,
            reason,
            from: State::Active,
            to: State::Decommissioned,
            epcis,
            by,
            event_time: t,
            at: now(),
        });
        Ok(())
    }

    // ---- queries ----

    /// A package.
    #[query]
    pub fn get_item(gtin: Gtin, serial: Serial) -> Result<Item, Error> {
        Ok(load_item(&ItemKey { gtin, serial }))
    }

    /// A container with every container and package under it.
    #[query]
    pub fn get_container(sscc: Sscc) -> Result<ContainerContents, Error> {
        let container = load_container(&sscc);
        let (keys, ssccs) = descendants(&container);
        let mut containers = Vec::with_capacity(ssccs.len());
        for s in &ssccs {
            containers.push(load_container(s));
        }
        let mut items = Vec::with_capacity(keys.len());
        for k in &keys {
            items.push(load_item(k));
        }
        Ok(ContainerContents {
            container,
            containers,
            items,
        })
    }

    /// A package's history, oldest first: its DSCSA transaction history as EPCIS events.
    #[query]
    pub fn trace(gtin: Gtin, serial: Serial) -> Result<Vec<TraceEvent>, Error> {
        let key = ItemKey { gtin, serial };
        let item = load_item(&key);
        let mut out = Vec::with_capacity(item.events as usize);
        for i in 0..item.events {
            if let Some(e) = TRACE.get(&(&key, i)) {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// A lot.
    #[query]
    pub fn get_lot(gtin: Gtin, lot: LotNumber) -> Result<Lot, Error> {
        LOTS.get(&(&gtin, &lot)).ok_or(Error::LotNotFound)
    }

    /// Up to `limit` (at most `MAX_PAGE`) packages of a lot from its `start`-th, in
    /// commissioning order.
    #[query]
    pub fn items_by_lot(
        gtin: Gtin,
        lot: LotNumber,
        start: u32,
        limit: u32,
    ) -> Result<Vec<Item>, Error> {
        let lot_rec = LOTS
            .get(&(&gtin, &lot))
            .unwrap_or_else(|| fail(Error::LotNotFound));
        let end = lot_rec.items.min(start.saturating_add(limit.min(MAX_PAGE)));
        let mut out = Vec::new();
        for i in start..end {
            if let Some(serial) = LOT_ITEMS.get(&(&gtin, &lot, i)) {
                out.push(load_item(&ItemKey {
                    gtin: gtin.clone(),
                    serial,
                }));
            }
        }
        Ok(out)
    }

    /// The open investigations among the `limit` (at most `MAX_PAGE`) investigations from the
    /// `start`-th opened.
    #[query]
    pub fn open_investigations(start: u32, limit: u32) -> Vec<Investigation> {
        let mut open = Vec::new();
        for id in CASE_IDS.range(start, limit.min(MAX_PAGE)) {
            if let Some(case) = CASES.get(&id)
                && case.status == InvestigationStatus::Open
            {
                open.push(case);
            }
        }
        open
    }

    /// An investigation.
    #[query]
    pub fn get_investigation(case_id: CaseId) -> Result<Investigation, Error> {
        CASES.get(&case_id).ok_or(Error::CaseNotFound)
    }

    /// The unanswered requests past their deadline among the `limit` (at most `MAX_PAGE`)
    /// verification requests from the `start`-th.
    #[query]
    pub fn overdue_verifications(start: u32, limit: u32) -> Vec<VerificationRequest> {
        let at = now();
        // A loop, not `filter().collect()`: collecting in place shifts with `memmove`, which
        // nothing else in the contract needs (1.7 KB).
        let mut overdue = Vec::new();
        for r in VERIFICATIONS.range(start, limit.min(MAX_PAGE)) {
            if r.response.is_none() && at >= r.due_at {
                overdue.push(r);
            }
        }
        overdue
    }

    /// A verification request.
    #[query]
    pub fn get_verification(req_id: u32) -> Result<VerificationRequest, Error> {
        VERIFICATIONS.get(req_id).ok_or(Error::RequestNotFound)
    }

    /// A transfer.
    #[query]
    pub fn get_transfer(tx_id: u32) -> Result<Transfer, Error> {
        TRANSFERS.get(tx_id).ok_or(Error::TransferNotFound)
    }

    /// A prescription.
    #[query]
    pub fn get_prescription(rx_hash: DocHash) -> Option<Prescription> {
        PRESCRIPTIONS.get(&rx_hash)
    }

    /// A trading partner's registry entry.
    #[query]
    pub fn get_trading_partner(partner: Address) -> Option<TradingPartner> {
        PARTNERS.get(&partner)
    }

    /// The brand owner of a GTIN.
    #[query]
    pub fn gtin_owner(gtin: Gtin) -> Option<Address> {
        GTINS.get(&gtin)
    }

    /// The configuration.
    #[query]
    pub fn config() -> Config {
        CONFIG.get().unwrap_or(Config {
            consent: Address::default(),
            require_rx: false,
        })
    }

    // ---- internals ----

    const COMMISSIONING: Epcis = Epcis {
        event_type: EventType::ObjectEvent,
        action: EpcisAction::ADD,
        biz_step: BizStep::commissioning,
        disposition: Disposition::active,
    };
    const PACKING: Epcis = Epcis {
        event_type: EventType::AggregationEvent,
        action: EpcisAction::ADD,
        biz_step: BizStep::packing,
        disposition: Disposition::container_closed,
    };
    const UNPACKING: Epcis = Epcis {
        event_type: EventType::AggregationEvent,
        action: EpcisAction::DELETE,
        biz_step: BizStep::unpacking,
        disposition: Disposition::active,
    };
    const SHIPPING: Epcis = Epcis {
        event_type: EventType::ObjectEvent,
        action: EpcisAction::OBSERVE,
        biz_step: BizStep::shipping,
        disposition: Disposition::in_transit,
    };
    const RECEIVING: Epcis = Epcis {
        event_type: EventType::ObjectEvent,
        action: EpcisAction::OBSERVE,
        biz_step: BizStep::receiving,
        disposition: Disposition::in_progress,
    };
    const QUARANTINE: Epcis = Epcis {
        event_type: EventType::ObjectEvent,
        action: EpcisAction::OBSERVE,
        biz_step: BizStep::holding,
        disposition: Disposition::non_sellable_other,
    };
    const RECALL_HOLD: Epcis = Epcis {
        event_type: EventType::ObjectEvent,
        action: EpcisAction::OBSERVE,
        biz_step: BizStep::holding,
        disposition: Disposition::recalled,
    };
    const INSPECTED: Epcis = Epcis {
        event_type: EventType::ObjectEvent,
        action: EpcisAction::OBSERVE,
        biz_step: BizStep::inspecting,
        disposition: Disposition::non_sellable_other,
    };
    const DISPENSING: Epcis = Epcis {
        event_type: EventType::ObjectEvent,
        action: EpcisAction::OBSERVE,
        biz_step: BizStep::dispensing,
        disposition: Disposition::dispensed,
    };

    fn decommissioning(reason: DecommissionReason) -> Epcis {
        let (biz_step, disposition) = match reason {
            DecommissionReason::destroyed => (BizStep::destroying, Disposition::destroyed),
            DecommissionReason::expired => (BizStep::decommissioning, Disposition::expired),
            DecommissionReason::inactive => (BizStep::decommissioning, Disposition::inactive),
        };
        Epcis {
            event_type: EventType::ObjectEvent,
            action: EpcisAction::DELETE,
            biz_step,
            disposition,
        }
    }

    fn now() -> u64 {
        env().block_time()
    }

    /// Ends the call with `error`, as returning `Err(error)` from the message would: the call
    /// reverts with the error encoded, and its writes and events are discarded. Helpers fail
    /// where the failure is found instead of threading a `Result` back to the message: every
    /// `?` of a `Result<_, Error>` costs a copy of the error, and there were well over a hundred.
    #[cold]
    #[inline(never)]
    fn fail(error: Error) -> ! {
        carechain_sdk::env::revert_with(&error)
    }

    /// The EPCIS eventTime: the caller's, which may not be after the block time, or now.
    fn event_time_of(event_time: Option<u64>) -> u64 {
        let at = now();
        match event_time {
            Some(t) if t > at => fail(Error::FutureTimestamp),
            Some(t) => t,
            None => at,
        }
    }

    fn check_count(n: usize) {
        if n == 0 {
            fail(Error::NoItems)
        } else if n > MAX_ITEMS as usize {
            fail(Error::TooManyItems)
        }
    }

    fn add_count(count: u32, n: u32) -> u32 {
        let total = count
            .checked_add(n)
            .unwrap_or_else(|| fail(Error::ArithmeticOverflow));
        if total > MAX_ITEMS {
            fail(Error::TooManyItems);
        }
        total
    }

    fn check_gtin(gtin: &Gtin) {
        if !gs1::is_gtin14(&gtin.0) {
            fail(Error::InvalidGtin)
        }
    }

    /// Checks a product identifier's syntax; returns its `expiry_end`.
    fn check_pi(pi: &ProductIdentifier, at: u64) -> u64 {
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

    /// Asks the actor directory whether `actor` is active with `role`.
    fn has_role(actor: &Address, role: Role) -> bool {
        consent_api::has_role(config().consent, actor, role)
            .invoke()
            .unwrap_or_else(|_| fail(Error::DirectoryUnavailable))
    }

    fn require_role_of(actor: &Address, role: Role) {
        if !has_role(actor, role) {
            fail(Error::Unauthorized {
                required_role: Some(role),
            })
        }
    }

    /// The caller, if an active actor with `role`.
    fn require_role(role: Role) -> Address {
        let caller = env().caller();
        require_role_of(&caller, role);
        caller
    }

    /// `actor`'s registry entry if it is an authorized trading partner.
    fn authorized_entry(actor: &Address) -> Option<TradingPartner> {
        PARTNERS.get(actor).filter(|tp| tp.authorized)
    }

    /// `actor`'s registry entry if it is an authorized trading partner still holding its
    /// trading role in the directory.
    fn partner(actor: &Address) -> TradingPartner {
        let tp = authorized_entry(actor).unwrap_or_else(|| fail(Error::UnauthorizedTradingPartner));
        require_role_of(actor, tp.role);
        tp
    }

    /// [`partner`], trading as `role`.
    fn partner_with_role(actor: &Address, role: Role) -> TradingPartner {
        let tp = authorized_entry(actor).unwrap_or_else(|| fail(Error::UnauthorizedTradingPartner));
        if tp.role != role {
            fail(Error::Unauthorized {
                required_role: Some(role),
            });
        }
        require_role_of(actor, role);
        tp
    }

    /// The consignee must be an authorized trading partner.
    fn consignee(to: &Address) {
        match authorized_entry(to) {
            Some(tp) if has_role(to, tp.role) => {}
            _ => fail(Error::UnauthorizedTradingPartner),
        }
    }

    /// `Some(entry)` for an authorized trading partner, `None` for a Regulator.
    fn partner_or_regulator(actor: &Address) -> Option<TradingPartner> {
        if let Some(tp) = authorized_entry(actor) {
            require_role_of(actor, tp.role);
            return Some(tp);
        }
        if has_role(actor, Role::Regulator) {
            return None;
        }
        fail(Error::UnauthorizedTradingPartner)
    }

    /// The GTIN's brand owner (an active Manufacturer) or a Regulator may recall its lots.
    fn authorize_recall(by: &Address, gtin: &Gtin) {
        if GTINS.get(gtin).as_ref() == Some(by) {
            return require_role_of(by, Role::Manufacturer);
        }
        if !has_role(by, Role::Regulator) {
            fail(Error::NotBrandOwner)
        }
    }

    /// `by` must be the custodian.
    #[inline(never)]
    fn require_custody(custodian: &Address, by: &Address) {
        if custodian != by {
            fail(Error::NotCustodian);
        }
    }

    fn load_item(key: &ItemKey) -> Item {
        ITEMS.get(key).unwrap_or_else(|| fail(Error::ItemNotFound))
    }

    fn load_container(sscc: &Sscc) -> Container {
        CONTAINERS
            .get(sscc)
            .unwrap_or_else(|| fail(Error::ContainerNotFound))
    }

    fn item_state(s: &ItemStatus) -> State {
        match s {
            ItemStatus::Active => State::Active,
            ItemStatus::InTransit { .. } => State::InTransit,
            ItemStatus::Dispensed => State::Dispensed,
            ItemStatus::Decommissioned { .. } => State::Decommissioned,
        }
    }

    fn container_state(s: &ContainerStatus) -> State {
        match s {
            ContainerStatus::Active => State::Active,
            ContainerStatus::InTransit { .. } => State::InTransit,
            ContainerStatus::Unpacked => State::Unpacked,
        }
    }

    fn investigation_state(s: InvestigationStatus) -> State {
        match s {
            InvestigationStatus::Open => State::Open,
            InvestigationStatus::Cleared => State::Cleared,
            InvestigationStatus::Illegitimate => State::Illegitimate,
        }
    }

    /// Only an Active package may move to `attempted`.
    fn item_transition(item: &Item, attempted: State) {
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
    fn container_transition(c: &Container, attempted: State) {
        match c.status {
            ContainerStatus::Active => {}
            ref other => fail(Error::InvalidTransition {
                entity: Entity::Container,
                from: container_state(other),
                attempted,
            }),
        }
    }

    fn unheld(item: &Item) {
        match item.hold {
            Hold::None => {}
            hold => fail(Error::ItemOnHold { hold }),
        }
    }

    fn take_custody(c: &mut Container, by: &Address, gln: &Gln) {
        c.status = ContainerStatus::Active;
        c.custodian = *by;
        c.owner = *by;
        c.location = gln.clone();
    }

    /// Every package and container under `c`, depth first. Bounded: a container holds at most
    /// `MAX_ITEMS` packages, every container under it at least one, and nesting is at most
    /// `MAX_NESTING` deep.
    fn descendants(c: &Container) -> (Vec<ItemKey>, Vec<Sscc>) {
        let mut items = Vec::new();
        let mut containers = Vec::new();
        collect(c, &mut items, &mut containers, 0);
        (items, containers)
    }

    fn collect(c: &Container, items: &mut Vec<ItemKey>, containers: &mut Vec<Sscc>, depth: u8) {
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

    /// Lots read once per call.
    #[derive(Default)]
    struct LotCache(Vec<Lot>);

    impl LotCache {
        /// The recall of the package's lot, if it was recalled.
        fn recall_of(&mut self, item: &Item) -> Option<Recall> {
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
    enum Room {
        /// Packing, shipping, quarantine: not the reserve.
        Moves,
        /// Everything else, which must stay recordable.
        Always,
    }

    /// Appends an entry to the package's history (EPCIS `epcis` at `event_time` by `by`, with
    /// the package's location, container and hold as they are now) and extends its hash chain.
    fn record(
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

    /// Applies a recall to the next `RECALL_PAGE` packages of a lot: holds those in custody
    /// and unheld, lists the dispensed ones. Returns (packages held, serials dispensed).
    fn recall_page(lot: &Lot, recall: &mut Recall, by: &Address) -> (u32, Vec<Serial>) {
        let start = recall.processed;
        let end = lot.items.min(start.saturating_add(RECALL_PAGE));
        let at = now();
        let mut held: u32 = 0;
        let mut dispensed = Vec::new();
        for i in start..end {
            let Some(serial) = LOT_ITEMS.get(&(&lot.gtin, &lot.lot, i)) else {
                continue;
            };
            let key = ItemKey {
                gtin: lot.gtin.clone(),
                serial,
            };
            let mut item = load_item(&key);
            match (&item.status, item.hold) {
                (ItemStatus::Dispensed, _) => dispensed.push(key.serial),
                (ItemStatus::Active, Hold::None) => {
                    item.hold = Hold::Recalled {
                        recall_id: recall.recall_id,
                    };
                    record(&mut item, RECALL_HOLD, at, by, None, Room::Always);
                    ITEMS.insert(&key, &item);
                    held = held
                        .checked_add(1)
                        .unwrap_or_else(|| fail(Error::ArithmeticOverflow));
                }
                _ => {}
            }
        }
        recall.processed = end;
        (held, dispensed)
    }

    /// Checks a prescription for a dispense of `gtin` at `at` and uses one fill; returns the
    /// fills used.
    fn use_prescription(hash: &DocHash, gtin: &Gtin, at: u64) -> u8 {
        let invalid = |reason| Error::PrescriptionInvalid { reason };
        let mut rx = PRESCRIPTIONS
            .get(hash)
            .unwrap_or_else(|| fail(invalid(RxProblem::NotFound)));
        if at >= rx.valid_until {
            fail(invalid(RxProblem::Expired));
        }
        if rx.gtin != *gtin {
            fail(invalid(RxProblem::WrongProduct));
        }
        if rx.fills_used >= rx.fills_allowed {
            fail(invalid(RxProblem::FillsExhausted));
        }
        rx.fills_used = rx
            .fills_used
            .checked_add(1)
            .unwrap_or_else(|| fail(Error::ArithmeticOverflow));
        PRESCRIPTIONS.insert(hash, &rx);
        rx.fills_used
    }
}
