//! AccessConsent: patient consent (FHIR R4 `Consent`) as machine-checkable policy, with
//! break-the-glass access, an audit log of every decision, and the network's actor directory.
#![no_std]

#[macro_use]
mod types;
#[macro_use]
mod errors;
#[macro_use]
mod events;
mod access;
mod audit;
mod directory;
mod lifecycle;
mod reading;
mod storage;

/// AccessConsent (FHIR Consent). Answers "may actor X use subject S's data of class C for
/// purpose P now?" with deny-overrides and default deny, records every decision (HIPAA audit
/// controls, 45 CFR 164.312(b)), and lets practitioners break the glass in an emergency, subject
/// to review by a privacy officer. Also hosts the actor directory the other contracts consult.
///
/// No personal health information is stored: subjects are pseudonymous `SubjectId`s (an HMAC of
/// the enterprise patient id, computed off chain) and documents are `DocHash`es of the off-chain
/// FHIR resources.
///
/// Configuration and choices where the specification is open:
/// * `btg_overrides_deny` (constructor argument; network default `true`): whether
///   break-the-glass access is granted over a matching deny provision. Each jurisdiction must
///   confirm its default is lawful (e.g. 42 CFR Part 2 medical emergencies).
/// * Purpose-of-use hierarchy (v3 ActReason): ETREAT is a child of TREAT; COVAUTH and ELIGVER are
///   children of HPAYMT. Every other purpose matches only itself.
/// * An empty `actors`, `purposes` or `actions` list in a provision matches any; `data_classes`
///   matches when empty or containing `Any`, else only the listed classes. A *request* for `Any`
///   is a request for every class: permitted only if each class is, so a deny on one class (a
///   self-pay restriction on claims, 45 CFR 164.522(a)(1)(vi)) is not bypassed by asking for all.
/// * A patient acts for a subject once the network admin links the two (`link_subject`): the
///   subject themself, a guardian or a legal representative.
/// * The FHIR participation role code an actor match may carry stays in the off-chain Consent
///   document (`doc_hash`).
#[carechain_sdk::contract]
pub mod consent {
    use crate::errors::Error;
    use crate::types::{
        AccessLogEntry, Actor, Consent, ConsentId, DocHash, EffectiveStatus, NewConsent, OrgId,
        ReviewOutcome,
    };
    use carechain_consent_api::{
        Action, DataClass, Decision, DenyReason, PurposeOfUse, Role, SubjectId,
    };
    use carechain_sdk::prelude::*;

    // In the order the metadata lists them (kept from rustfmt, which would sort them).
    #[rustfmt::skip]
    #[events]
    use crate::events::{
        ActorRegistered,
        ActorStatusChanged,
        SubjectLinked,
        ContractTrustChanged,
        ConsentCreated,
        ConsentStatusChanged,
        ConsentRevoked,
        ConsentSuperseded,
        AccessGranted,
        AccessDenied,
        BreakGlassAccess,
        BreakGlassReviewed,
        ConsentEnteredInError,
    };

    /// Creates the consent registry; the deployer becomes its first NetworkAdmin, in `admin_org`.
    #[constructor]
    pub fn new(admin_org: OrgId, btg_overrides_deny: bool) -> Result<(), Error> {
        crate::directory::new(admin_org, btg_overrides_deny)
    }

    /// Adds an actor to the directory, or replaces its organisation, roles and licence (it
    /// becomes active). NetworkAdmin only.
    #[message]
    pub fn register_actor(
        actor: Address,
        org: OrgId,
        roles: Vec<Role>,
        licence_ref: DocHash,
    ) -> Result<(), Error> {
        crate::directory::register_actor(actor, org, roles, licence_ref)
    }

    /// Activates or deactivates an actor. NetworkAdmin only.
    #[message]
    pub fn set_actor_active(actor: Address, active: bool) -> Result<(), Error> {
        crate::directory::set_actor_active(actor, active)
    }

    /// Lets `actor` (who must have the Patient role) act for `subject`: the subject themself, a
    /// guardian or a legal representative. NetworkAdmin only.
    #[message]
    pub fn link_subject(actor: Address, subject: SubjectId) -> Result<(), Error> {
        crate::directory::link_subject(actor, subject)
    }

    /// Trusts (or stops trusting) a contract, such as Claims or BloodBank, to ask on behalf of
    /// other actors (`check_access_for`, `break_glass_for`). NetworkAdmin only.
    #[message]
    pub fn set_trusted_contract(contract: Address, trusted: bool) -> Result<(), Error> {
        crate::directory::set_trusted_contract(contract, trusted)
    }

    /// Creates a consent in Draft. The caller must be a Patient linked to the subject.
    #[message]
    pub fn create_consent(consent: NewConsent) -> Result<(), Error> {
        crate::lifecycle::create_consent(consent)
    }

    /// Draft -> Proposed. Patient of the subject.
    #[message]
    pub fn propose(consent_id: ConsentId) -> Result<(), Error> {
        crate::lifecycle::propose(consent_id)
    }

    /// Draft or Proposed -> Active. Patient of the subject.
    #[message]
    pub fn activate(consent_id: ConsentId) -> Result<(), Error> {
        crate::lifecycle::activate(consent_id)
    }

    /// Proposed -> Rejected. Patient of the subject.
    #[message]
    pub fn reject(consent_id: ConsentId) -> Result<(), Error> {
        crate::lifecycle::reject(consent_id)
    }

    /// Active -> Inactive. Patient of the subject.
    #[message]
    pub fn revoke(consent_id: ConsentId) -> Result<(), Error> {
        crate::lifecycle::revoke(consent_id)
    }

    /// Replaces Active consent `old` with Draft consent `new` of the same subject, in one step:
    /// `old` becomes Inactive, `new` Active and records that it supersedes `old`.
    #[message]
    pub fn supersede(old: ConsentId, new: ConsentId) -> Result<(), Error> {
        crate::lifecycle::supersede(old, new)
    }

    /// Marks a consent entered in error (from any non-terminal status). PrivacyOfficer only;
    /// `reason_hash` is the hash of the off-chain explanation.
    #[message]
    pub fn mark_entered_in_error(consent_id: ConsentId, reason_hash: DocHash) -> Result<(), Error> {
        crate::lifecycle::mark_entered_in_error(consent_id, reason_hash)
    }

    /// May the caller use `subject`'s data of `data_class` for `purpose` and `action` now?
    /// Logs the decision and emits `AccessGranted` or `AccessDenied`; a denial is an outcome,
    /// not an error. Any registered, active actor may ask; BTG is not a purpose here.
    #[message]
    pub fn check_access(
        subject: SubjectId,
        purpose: PurposeOfUse,
        data_class: DataClass,
        action: Action,
    ) -> Result<Decision, Error> {
        crate::access::check_access(subject, purpose, data_class, action)
    }

    /// `check_access` on behalf of `requester`, for a trusted contract (Claims, BloodBank). The
    /// log records the contract. If the calling contract later fails, the entry rolls back with
    /// it; if it records a rejection, the entry stays.
    #[message]
    pub fn check_access_for(
        requester: Address,
        subject: SubjectId,
        purpose: PurposeOfUse,
        data_class: DataClass,
        action: Action,
    ) -> Result<Decision, Error> {
        crate::access::check_access_for(requester, subject, purpose, data_class, action)
    }

    /// Break the glass: emergency access to `subject`'s data, granted even without consent and,
    /// when the network says so, over a deny. Recorded as ETREAT with the BTG flag and queued for
    /// review by a privacy officer. Practitioners only. `justification` is a short reason code
    /// (at most 64 bytes), never clinical text.
    #[message]
    pub fn break_glass(
        subject: SubjectId,
        data_class: DataClass,
        justification: String,
    ) -> Result<Decision, Error> {
        crate::access::break_glass(subject, data_class, justification)
    }

    /// `break_glass` on behalf of practitioner `requester`, for a trusted contract (BloodBank's
    /// emergency release).
    #[message]
    pub fn break_glass_for(
        requester: Address,
        subject: SubjectId,
        data_class: DataClass,
        justification: String,
    ) -> Result<Decision, Error> {
        crate::access::break_glass_for(requester, subject, data_class, justification)
    }

    /// Records a privacy officer's review of break-the-glass access `seq` (Pending -> outcome).
    #[message]
    pub fn review_break_glass(seq: u32, outcome: ReviewOutcome) -> Result<(), Error> {
        crate::audit::review_break_glass(seq, outcome)
    }

    /// The consent with this id. Read by the subject's patients, the actors its Permit
    /// provisions name, privacy officers and regulators; anyone else gets `NotAuthorizedToRead`.
    #[query]
    pub fn get_consent(consent_id: ConsentId) -> Result<Consent, Error> {
        crate::lifecycle::get_consent(consent_id)
    }

    /// The ids of the subject's consents the caller may read (see `get_consent`), oldest first.
    #[query]
    pub fn list_consents(subject: SubjectId) -> Vec<ConsentId> {
        crate::lifecycle::list_consents(subject)
    }

    /// A consent's status as of the current block time, for those who may read it.
    #[query]
    pub fn get_effective_status(consent_id: ConsentId) -> Result<EffectiveStatus, Error> {
        crate::lifecycle::get_effective_status(consent_id)
    }

    /// The decision `check_access` would make for `actor` now, without logging it. Asked by
    /// that actor, a patient of the subject, a privacy officer or a regulator.
    #[query]
    pub fn evaluate(
        subject: SubjectId,
        actor: Address,
        purpose: PurposeOfUse,
        data_class: DataClass,
        action: Action,
    ) -> Result<Decision, Error> {
        crate::lifecycle::evaluate(subject, actor, purpose, data_class, action)
    }

    /// Up to `limit` (at most 100) access log entries of `subject` from its `start`-th. The
    /// subject's Patient or a PrivacyOfficer only.
    #[query]
    pub fn access_log(
        subject: SubjectId,
        start: u32,
        limit: u32,
    ) -> Result<Vec<AccessLogEntry>, Error> {
        crate::audit::access_log(subject, start, limit)
    }

    /// Every break-the-glass access still awaiting review. Privacy officers and regulators.
    #[query]
    pub fn pending_btg_reviews() -> Result<Vec<AccessLogEntry>, Error> {
        crate::audit::pending_btg_reviews()
    }

    /// The directory entry of an actor.
    #[query]
    pub fn get_actor(actor: Address) -> Option<Actor> {
        crate::directory::get_actor(actor)
    }

    /// True if `actor` is active and has `role` (what other contracts ask before acting).
    #[query]
    pub fn has_role(actor: Address, role: Role) -> bool {
        crate::directory::has_role(actor, role)
    }

    /// True if `actor` is an active Patient linked to `subject` (what other contracts ask
    /// before showing a subject's records to the subject's portal).
    #[query]
    pub fn acts_for(actor: Address, subject: SubjectId) -> bool {
        crate::reading::acts_for(&actor, &subject)
    }

    /// True if `actor` is an active actor of the directory (what other contracts ask before
    /// answering a record's party, so a deactivated key reads nothing more).
    #[query]
    pub fn is_active(actor: Address) -> bool {
        crate::directory::require_actor(&actor, None).is_ok()
    }

    /// True if `a` is an active actor of the organisation `b` is registered in (what other
    /// contracts ask before showing an organisation's records to another of its keys; `b` may
    /// be inactive, its organisation's other keys still read).
    #[query]
    pub fn same_org(a: Address, b: Address) -> bool {
        crate::directory::same_org(&a, &b)
    }
}
