//! DrugTrace: serialized, package-level traceability of prescription drugs under the US Drug
//! Supply Chain Security Act (FD&C Act §581-582), recorded as GS1 EPCIS 2.0 events with CBV 2.0
//! business steps and dispositions.
#![no_std]
// Each type and event the contract module imports is fetched by one more nested macro
// expansion (see `carechain_sdk`, "Types defined outside the contract module").
#![recursion_limit = "256"]

mod gs1;

#[macro_use]
mod types;
#[macro_use]
mod errors;
#[macro_use]
mod events;
mod commissioning;
mod custody;
mod dispensing;
mod history;
mod partners;
mod queries;
mod reading;
mod recall;
mod registries;
mod shipping;
mod storage;
mod suspect;
mod validation;

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
/// Who may read: product records, trading partners and regulators (DSCSA §582); a
/// prescription, its prescriber, dispensers, regulators and the subject's patients.
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
///   / `destroyed` for destroyed product, else `decommissioning` / `expired`, `inactive` or
///   `returned`.
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
/// * Returns (21 CFR 7.49): see `ship`.
/// * Prescriptions are registered by the prescribing Practitioner and name one GTIN.
/// * Bounds: `MAX_ITEMS` packages per call and per container tree, containers nested at most
///   `MAX_NESTING` deep, `MAX_TRACE_EVENTS` history entries per package (of which the last
///   `TRACE_RESERVE` only for receiving, holds, unpacking, resolution, dispensing and
///   decommissioning), query pages of at most `MAX_PAGE`.
#[carechain_sdk::contract]
pub mod drug_trace {

    use carechain_consent_api::{Role, SubjectId};
    use carechain_sdk::prelude::*;

    use crate::errors::Error;
    use crate::reading::{readable_prescription, require_partner};
    use crate::types::{
        BizStep, BizTransaction, CaseId, Config, Container, ContainerContents, ContainerStatus,
        DecommissionReason, Disposition, DocHash, Entity, Epc, Epcis, EpcisAction, EventType,
        ExpiryDate, Gln, Gtin, Hold, Investigation, InvestigationStatus, Item, ItemKey, ItemStatus,
        Lot, LotNumber, NewPrescription, Prescription, ProductIdentifier, Recall, RecallClass,
        RecallId, Resolution, RxProblem, Serial, Sscc, State, TraceEvent, TradingPartner, Transfer,
        VerificationRequest, VerificationResult,
    };

    // In the order the metadata lists them (kept from rustfmt, which would sort them).
    #[rustfmt::skip]
    #[events]
    use crate::events::{
        TradingPartnerRegistered,
        GtinRegistered,
        Commissioned,
        Packed,
        Unpacked,
        Shipped,
        Received,
        ItemHeldOnReceipt,
        Quarantined,
        InvestigationResolved,
        IllegitimateProductNotice,
        VerificationRequested,
        VerificationResponded,
        LotRecalled,
        RecallContinued,
        RecallNotice,
        PrescriptionRegistered,
        Dispensed,
        Decommissioned,
    };

    /// Creates the registry. `consent` is the AccessConsent contract whose actor directory
    /// gives the roles; with `require_rx`, every dispense needs a registered prescription.
    #[constructor]
    pub fn new(consent: Address, require_rx: bool) {
        crate::registries::new(consent, require_rx)
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
        crate::registries::register_trading_partner(partner, role, gln, licence_ref, authorized)
    }

    /// Registers `owner` as the brand owner (manufacturer) of `gtin`. NetworkAdmin only.
    #[message]
    pub fn register_gtin(gtin: Gtin, owner: Address) -> Result<(), Error> {
        crate::registries::register_gtin(gtin, owner)
    }

    /// Registers a prescription; the caller, a Practitioner, is its prescriber.
    #[message]
    pub fn register_prescription(prescription: NewPrescription) -> Result<(), Error> {
        crate::registries::register_prescription(prescription)
    }

    /// Commissions new packages (ObjectEvent ADD with lot and expiry as ILMD, `commissioning`,
    /// `active`) at the caller's GLN. The caller must be the brand owner of every GTIN and an
    /// authorized Manufacturer. All or nothing.
    #[message]
    pub fn commission(items: Vec<ProductIdentifier>, event_time: Option<u64>) -> Result<(), Error> {
        crate::commissioning::commission(items, event_time)
    }

    /// Packs `children` (packages or containers, all Active, unheld, loose, at one location, in
    /// the caller's custody) into the new container `sscc` (AggregationEvent ADD, `packing`).
    #[message]
    pub fn pack(sscc: Sscc, children: Vec<Epc>, event_time: Option<u64>) -> Result<(), Error> {
        crate::commissioning::pack(sscc, children, event_time)
    }

    /// Takes `children` out of the outermost container `sscc` in the caller's custody
    /// (AggregationEvent DELETE, `unpacking`, `active`); allowed for held packages. Once empty
    /// the container is Unpacked for good.
    #[message]
    pub fn unpack(sscc: Sscc, children: Vec<Epc>, event_time: Option<u64>) -> Result<(), Error> {
        crate::commissioning::unpack(sscc, children, event_time)
    }

    /// Ships packages and containers (with everything in them) to the authorized trading
    /// partner `to` (ObjectEvent OBSERVE + TransactionEvent ADD, `shipping`, `in_transit`).
    /// The caller must be the custodian; nothing shipped may be held, expired, of a recalled lot
    /// (`RecalledLot`) or inside a container, but a return to the GTIN's brand owner may carry
    /// recalled or expired packages. A change of ownership needs `ti_ts_hash`. Returns the
    /// transfer's number.
    #[message]
    pub fn ship(
        epcs: Vec<Epc>,
        to: Address,
        ti_ts_hash: Option<DocHash>,
        event_time: Option<u64>,
    ) -> Result<u32, Error> {
        crate::shipping::ship(epcs, to, ti_ts_hash, event_time)
    }

    /// Receives packages and containers shipped to the caller (ObjectEvent OBSERVE +
    /// TransactionEvent OBSERVE, `receiving`, `in_progress`): they become Active in the
    /// caller's custody and ownership at its GLN. A package whose lot was recalled in transit is
    /// received and held (`ItemHeldOnReceipt`).
    #[message]
    pub fn receive(epcs: Vec<Epc>, event_time: Option<u64>) -> Result<(), Error> {
        crate::shipping::receive(epcs, event_time)
    }

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
        crate::suspect::quarantine(epcs, case_id, event_time)
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
        crate::suspect::resolve_investigation(case_id, resolution, fda_notice_hash)
    }

    /// Asks the GTIN's brand owner to verify a product identifier; the answer is due within
    /// `VERIFICATION_WINDOW`. Any authorized trading partner or a Regulator. Returns the
    /// request's number.
    #[message]
    pub fn request_verification(product_identifier: ProductIdentifier) -> Result<u32, Error> {
        crate::suspect::request_verification(product_identifier)
    }

    /// Answers verification request `req_id`: the GTIN's brand owner only, once. An answer at or
    /// after `due_at` is accepted and flagged late. Returns the late flag.
    #[message]
    pub fn respond_verification(req_id: u32, result: VerificationResult) -> Result<bool, Error> {
        crate::suspect::respond_verification(req_id, result)
    }

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
        crate::recall::recall_lot(gtin, lot, recall_id, class)
    }

    /// Processes the next `RECALL_PAGE` packages of a recalled lot, as `recall_lot` does.
    /// Returns how many remain.
    #[message]
    pub fn continue_recall(gtin: Gtin, lot: LotNumber) -> Result<u32, Error> {
        crate::recall::continue_recall(gtin, lot)
    }

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
        crate::dispensing::dispense(gtin, serial, rx_hash, event_time)
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
        crate::dispensing::decommission(gtin, serial, reason, event_time)
    }

    /// A package.
    #[query]
    pub fn get_item(gtin: Gtin, serial: Serial) -> Result<Item, Error> {
        require_partner();
        crate::queries::get_item(gtin, serial)
    }

    /// A container with every container and package under it.
    #[query]
    pub fn get_container(sscc: Sscc) -> Result<ContainerContents, Error> {
        require_partner();
        crate::queries::get_container(sscc)
    }

    /// A package's history, oldest first: its DSCSA transaction history as EPCIS events.
    #[query]
    pub fn trace(gtin: Gtin, serial: Serial) -> Result<Vec<TraceEvent>, Error> {
        require_partner();
        crate::queries::trace(gtin, serial)
    }

    /// A lot.
    #[query]
    pub fn get_lot(gtin: Gtin, lot: LotNumber) -> Result<Lot, Error> {
        require_partner();
        crate::queries::get_lot(gtin, lot)
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
        require_partner();
        crate::queries::items_by_lot(gtin, lot, start, limit)
    }

    /// The open investigations among the `limit` (at most `MAX_PAGE`) investigations from the
    /// `start`-th opened.
    #[query]
    pub fn open_investigations(start: u32, limit: u32) -> Vec<Investigation> {
        require_partner();
        crate::queries::open_investigations(start, limit)
    }

    /// An investigation.
    #[query]
    pub fn get_investigation(case_id: CaseId) -> Result<Investigation, Error> {
        require_partner();
        crate::queries::get_investigation(case_id)
    }

    /// The unanswered requests past their deadline among the `limit` (at most `MAX_PAGE`)
    /// verification requests from the `start`-th.
    #[query]
    pub fn overdue_verifications(start: u32, limit: u32) -> Vec<VerificationRequest> {
        require_partner();
        crate::queries::overdue_verifications(start, limit)
    }

    /// A verification request.
    #[query]
    pub fn get_verification(req_id: u32) -> Result<VerificationRequest, Error> {
        require_partner();
        crate::queries::get_verification(req_id)
    }

    /// A transfer.
    #[query]
    pub fn get_transfer(tx_id: u32) -> Result<Transfer, Error> {
        require_partner();
        crate::queries::get_transfer(tx_id)
    }

    /// A prescription.
    #[query]
    pub fn get_prescription(rx_hash: DocHash) -> Option<Prescription> {
        readable_prescription(crate::dispensing::get_prescription(rx_hash))
    }

    /// A trading partner's registry entry.
    #[query]
    pub fn get_trading_partner(partner: Address) -> Option<TradingPartner> {
        crate::registries::get_trading_partner(partner)
    }

    /// The brand owner of a GTIN.
    #[query]
    pub fn gtin_owner(gtin: Gtin) -> Option<Address> {
        crate::registries::gtin_owner(gtin)
    }

    /// The configuration.
    #[query]
    pub fn config() -> Config {
        crate::storage::config()
    }

    /// The AccessConsent contract whose directory gives the roles (what a node's accounting of
    /// disclosures asks, to know who acts for a subject).
    #[query]
    pub fn consent_contract() -> Address {
        crate::storage::config().consent
    }
}
