//! AccessConsent: patient consent (FHIR R4 `Consent`) as machine-checkable policy, with
//! break-the-glass access, an audit log of every decision, and the network's actor directory.
#![no_std]

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
///   matches when empty or containing `Any`, else only the listed classes.
/// * A patient acts for a subject once the network admin links the two (`link_subject`): the
///   subject themself, a guardian or a legal representative.
/// * The FHIR participation role code an actor match may carry stays in the off-chain Consent
///   document (`doc_hash`).
#[carechain_sdk::contract]
pub mod consent {
    use carechain_consent_api::{
        Action, DataClass, Decision, DenyReason, PurposeOfUse, Role, SubjectId,
    };
    use carechain_sdk::prelude::*;

    /// Most consents one subject can have (all statuses): evaluation reads each, paying gas.
    pub const MAX_CONSENTS_PER_SUBJECT: u32 = 64;
    /// Most entries one page of a log query returns.
    pub const MAX_PAGE: u32 = 100;
    /// Longest break-the-glass justification code, in bytes (a reason code, not clinical text).
    pub const MAX_JUSTIFICATION: u32 = 64;
    /// Longest organisation id, in bytes.
    pub const MAX_ORG_ID: u32 = 64;

    const CONFIG: Item<Config> = Item::new(b"config");
    const ACTORS: Map<Address, Actor> = Map::new(b"actors");
    const LINKS: Map<(Address, SubjectId), bool> = Map::new(b"links");
    const TRUSTED: Map<Address, bool> = Map::new(b"trusted");
    const CONSENTS: Map<ConsentId, Consent> = Map::new(b"consents");
    const BY_SUBJECT: Map<SubjectId, Vec<ConsentId>> = Map::new(b"by_subject");
    const LOG: Vector<AccessLogEntry> = Vector::new(b"log");
    const SUBJECT_LOG_LEN: Map<SubjectId, u32> = Map::new(b"subject_log_len");
    const SUBJECT_LOG: Map<(SubjectId, u32), u32> = Map::new(b"subject_log");
    const PENDING_REVIEWS: Item<Vec<u32>> = Item::new(b"pending_reviews");

    /// SHA-256 of the canonical JSON of an off-chain document (FHIR Consent, licence, note).
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub struct DocHash(pub [u8; 32]);

    /// A consent's identifier (FHIR `Consent.identifier`), 16 bytes.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub struct ConsentId(pub [u8; 16]);

    /// An organisation of the network (hospital, insurer, pharmacy, ...).
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct OrgId(pub String);

    /// An entry of the actor directory.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct Actor {
        /// The actor's organisation.
        pub org: OrgId,
        /// Its roles.
        pub roles: Vec<Role>,
        /// Hash of its licence or credential document.
        pub licence_ref: DocHash,
        /// An inactive actor can do nothing.
        pub active: bool,
    }

    /// FHIR R4 consent-scope.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum ConsentScope {
        /// `patient-privacy`.
        PatientPrivacy,
        /// `treatment`.
        Treatment,
        /// `research`.
        Research,
        /// `adr` (advance directive).
        Adr,
    }

    /// FHIR R4 ConsentState.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum ConsentStatus {
        /// `draft`.
        Draft,
        /// `proposed`.
        Proposed,
        /// `active`.
        Active,
        /// `rejected` (terminal).
        Rejected,
        /// `inactive`: revoked or superseded (terminal).
        Inactive,
        /// `entered-in-error` (terminal).
        EnteredInError,
    }

    /// FHIR consent provision type.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum ProvisionType {
        /// `permit`.
        Permit,
        /// `deny`.
        Deny,
    }

    /// Whom a provision is about.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub enum ActorMatch {
        /// One actor.
        Actor(Address),
        /// Every actor of an organisation.
        Org(OrgId),
        /// Every actor with a role.
        Role(Role),
    }

    /// A half-open interval of block time, `[start, end)` in Unix seconds.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub struct Period {
        /// First second inside.
        pub start: u64,
        /// First second outside.
        pub end: u64,
    }

    /// A permit or deny rule of a consent.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct Provision {
        /// Permit or deny.
        pub kind: ProvisionType,
        /// Whom it is about (empty: anyone).
        pub actors: Vec<ActorMatch>,
        /// For which purposes (empty: any).
        pub purposes: Vec<PurposeOfUse>,
        /// Which data (empty or `Any`: all).
        pub data_classes: Vec<DataClass>,
        /// Which actions (empty: any).
        pub actions: Vec<Action>,
        /// When, within the consent's own period (none: always).
        pub period: Option<Period>,
    }

    /// A consent as a patient creates it.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct NewConsent {
        /// Its identifier, unique.
        pub consent_id: ConsentId,
        /// The subject it is about.
        pub subject: SubjectId,
        /// FHIR scope.
        pub scope: ConsentScope,
        /// Valid from (Unix seconds).
        pub period_start: u64,
        /// Valid until, exclusive (none: open-ended).
        pub period_end: Option<u64>,
        /// Its rules.
        pub provisions: Vec<Provision>,
        /// Hash of the off-chain FHIR Consent.
        pub doc_hash: DocHash,
    }

    /// A consent as stored.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct Consent {
        /// Its identifier.
        pub consent_id: ConsentId,
        /// The subject.
        pub subject: SubjectId,
        /// Who created it.
        pub grantor: Address,
        /// FHIR scope.
        pub scope: ConsentScope,
        /// FHIR status.
        pub status: ConsentStatus,
        /// Valid from.
        pub period_start: u64,
        /// Valid until, exclusive.
        pub period_end: Option<u64>,
        /// Its rules.
        pub provisions: Vec<Provision>,
        /// Hash of the off-chain FHIR Consent.
        pub doc_hash: DocHash,
        /// The consent this one replaced.
        pub supersedes: Option<ConsentId>,
        /// Block time of creation.
        pub created_at: u64,
        /// Block time of the last change.
        pub updated_at: u64,
    }

    /// A consent's status as of now: its stored status, except that an Active consent outside
    /// its period is reported as not yet valid or expired (expiry is evaluated, not stored).
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum EffectiveStatus {
        /// Draft.
        Draft,
        /// Proposed.
        Proposed,
        /// Active and within its period.
        Active,
        /// Active, but its period has not begun.
        NotYetValid,
        /// Active, but its period has ended.
        Expired,
        /// Rejected.
        Rejected,
        /// Inactive.
        Inactive,
        /// Entered in error.
        EnteredInError,
    }

    /// The review of a break-the-glass access.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum ReviewStatus {
        /// Not yet reviewed.
        Pending,
        /// Judged appropriate.
        Appropriate,
        /// Judged inappropriate.
        Inappropriate,
    }

    /// A privacy officer's judgement.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum ReviewOutcome {
        /// Appropriate.
        Appropriate,
        /// Inappropriate.
        Inappropriate,
    }

    /// One decision in the access log.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub struct AccessLogEntry {
        /// Position in the log.
        pub seq: u32,
        /// The subject.
        pub subject: SubjectId,
        /// The actor the decision is for.
        pub actor: Address,
        /// The contract that asked on the actor's behalf, if any.
        pub via: Option<Address>,
        /// The purpose (ETREAT for break-the-glass).
        pub purpose: PurposeOfUse,
        /// The data class.
        pub data_class: DataClass,
        /// The action.
        pub action: Action,
        /// The decision.
        pub decision: Decision,
        /// True for break-the-glass access.
        pub btg: bool,
        /// Review state of break-the-glass access.
        pub review: Option<ReviewStatus>,
        /// Block time.
        pub at: u64,
    }

    /// Network configuration.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub struct Config {
        /// Whether break-the-glass is granted over a matching deny provision.
        pub btg_overrides_deny: bool,
    }

    /// What an invalid transition was about.
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum Entity {
        /// A consent.
        Consent,
        /// A break-the-glass review.
        BreakGlassReview,
    }

    /// A state of a consent or of a review, for [`Error::InvalidTransition`].
    #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq)]
    pub enum State {
        /// Consent draft.
        Draft,
        /// Consent proposed.
        Proposed,
        /// Consent active.
        Active,
        /// Consent rejected.
        Rejected,
        /// Consent inactive.
        Inactive,
        /// Consent entered in error.
        EnteredInError,
        /// Review pending.
        Pending,
        /// Reviewed as appropriate.
        Appropriate,
        /// Reviewed as inappropriate.
        Inappropriate,
    }

    /// Why a call failed. A failed call changes nothing and emits nothing.
    #[error]
    pub enum Error {
        /// The caller is not an active actor with the role (`None`: any registered active actor).
        Unauthorized {
            /// The role the call needs.
            required_role: Option<Role>,
        },
        /// A consent with this id exists.
        DuplicateConsent,
        /// No consent has this id.
        ConsentNotFound,
        /// A period ends at or before it starts.
        InvalidPeriod,
        /// The entity's current state does not allow this.
        InvalidTransition {
            /// What.
            entity: Entity,
            /// Its state.
            from: State,
            /// The state the call would have moved it to.
            attempted: State,
        },
        /// The caller does not act for this subject, or two consents are of different subjects.
        SubjectMismatch,
        /// The purpose cannot be used here (BTG goes through `break_glass`).
        UnknownPurpose,
        /// No actor has this address.
        ActorNotFound,
        /// No access log entry has this sequence number.
        LogEntryNotFound,
        /// The subject has `MAX_CONSENTS_PER_SUBJECT` consents already.
        TooManyConsents,
        /// Only contracts the network admin trusts may ask on behalf of another actor.
        NotTrustedContract,
        /// A text argument is too long.
        TooLong,
        /// A counter overflowed.
        ArithmeticOverflow,
    }

    /// An actor was added to or updated in the directory.
    #[event]
    pub struct ActorRegistered {
        /// The actor.
        #[topic]
        pub actor: Address,
        /// Its organisation.
        pub org: OrgId,
        /// Its roles.
        pub roles: Vec<Role>,
        /// The admin who registered it.
        pub by: Address,
        /// Block time.
        pub at: u64,
    }

    /// An actor was activated or deactivated.
    #[event]
    pub struct ActorStatusChanged {
        /// The actor.
        #[topic]
        pub actor: Address,
        /// Its new state.
        pub active: bool,
        /// The admin.
        pub by: Address,
        /// Block time.
        pub at: u64,
    }

    /// An actor may now act as Patient for a subject.
    #[event]
    pub struct SubjectLinked {
        /// The subject.
        #[topic]
        pub subject: SubjectId,
        /// The patient, guardian or representative.
        #[topic]
        pub actor: Address,
        /// The admin.
        pub by: Address,
        /// Block time.
        pub at: u64,
    }

    /// A contract was trusted (or no longer) to ask on behalf of other actors.
    #[event]
    pub struct ContractTrustChanged {
        /// The contract.
        #[topic]
        pub contract: Address,
        /// Trusted or not.
        pub trusted: bool,
        /// The admin.
        pub by: Address,
        /// Block time.
        pub at: u64,
    }

    /// A consent was created (as Draft).
    #[event]
    pub struct ConsentCreated {
        /// The consent.
        #[topic]
        pub consent_id: ConsentId,
        /// Its subject.
        #[topic]
        pub subject: SubjectId,
        /// The grantor.
        pub by: Address,
        /// Block time.
        pub at: u64,
    }

    /// A consent changed status (propose, activate, reject, entered in error).
    #[event]
    pub struct ConsentStatusChanged {
        /// The consent.
        #[topic]
        pub consent_id: ConsentId,
        /// Its subject.
        #[topic]
        pub subject: SubjectId,
        /// The status before.
        pub from: ConsentStatus,
        /// The status after.
        pub to: ConsentStatus,
        /// Who.
        pub by: Address,
        /// Block time.
        pub at: u64,
    }

    /// A consent was revoked (Active -> Inactive).
    #[event]
    pub struct ConsentRevoked {
        /// The consent.
        #[topic]
        pub consent_id: ConsentId,
        /// Its subject.
        #[topic]
        pub subject: SubjectId,
        /// The status before.
        pub from: ConsentStatus,
        /// The status after.
        pub to: ConsentStatus,
        /// Who.
        pub by: Address,
        /// Block time.
        pub at: u64,
    }

    /// A consent replaced another in one step: the old one Inactive, the new one Active.
    #[event]
    pub struct ConsentSuperseded {
        /// The replaced consent.
        #[topic]
        pub old: ConsentId,
        /// The subject.
        #[topic]
        pub subject: SubjectId,
        /// The replacing consent.
        pub new: ConsentId,
        /// Who.
        pub by: Address,
        /// Block time.
        pub at: u64,
    }

    /// Access was permitted by consent.
    #[event]
    pub struct AccessGranted {
        /// The subject.
        #[topic]
        pub subject: SubjectId,
        /// The actor.
        #[topic]
        pub actor: Address,
        /// The log entry.
        pub seq: u32,
        /// The purpose.
        pub purpose: PurposeOfUse,
        /// The data class.
        pub data_class: DataClass,
        /// The action.
        pub action: Action,
        /// Block time.
        pub at: u64,
    }

    /// Access was denied (an outcome, not an error: it is logged and auditable).
    #[event]
    pub struct AccessDenied {
        /// The subject.
        #[topic]
        pub subject: SubjectId,
        /// The actor.
        #[topic]
        pub actor: Address,
        /// The log entry.
        pub seq: u32,
        /// The purpose.
        pub purpose: PurposeOfUse,
        /// The data class.
        pub data_class: DataClass,
        /// The action.
        pub action: Action,
        /// Why.
        pub reason: DenyReason,
        /// Block time.
        pub at: u64,
    }

    /// A practitioner broke the glass.
    #[event]
    pub struct BreakGlassAccess {
        /// The subject.
        #[topic]
        pub subject: SubjectId,
        /// The practitioner.
        #[topic]
        pub actor: Address,
        /// The log entry, to review.
        pub seq: u32,
        /// The data class.
        pub data_class: DataClass,
        /// The justification code.
        pub justification: String,
        /// True if a deny provision was overridden.
        pub overrode_deny: bool,
        /// Block time.
        pub at: u64,
    }

    /// A privacy officer reviewed a break-the-glass access.
    #[event]
    pub struct BreakGlassReviewed {
        /// The subject.
        #[topic]
        pub subject: SubjectId,
        /// The log entry.
        pub seq: u32,
        /// The judgement.
        pub outcome: ReviewOutcome,
        /// The privacy officer.
        pub by: Address,
        /// Block time.
        pub at: u64,
    }

    // ---- constructor and directory ----

    /// Creates the consent registry; the deployer becomes its first NetworkAdmin, in `admin_org`.
    #[constructor]
    pub fn new(admin_org: OrgId, btg_overrides_deny: bool) -> Result<(), Error> {
        check_org(&admin_org)?;
        CONFIG.set(&Config { btg_overrides_deny });
        let admin = env().caller();
        let actor = Actor {
            org: admin_org.clone(),
            roles: vec![Role::NetworkAdmin],
            licence_ref: DocHash([0; 32]),
            active: true,
        };
        ACTORS.insert(&admin, &actor);
        env().emit(&ActorRegistered {
            actor: admin,
            org: admin_org,
            roles: actor.roles,
            by: admin,
            at: now(),
        });
        Ok(())
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
        let by = require(Role::NetworkAdmin)?;
        check_org(&org)?;
        let mut unique: Vec<Role> = Vec::new();
        for r in roles {
            if !unique.contains(&r) {
                unique.push(r);
            }
        }
        ACTORS.insert(
            &actor,
            &Actor {
                org: org.clone(),
                roles: unique.clone(),
                licence_ref,
                active: true,
            },
        );
        env().emit(&ActorRegistered {
            actor,
            org,
            roles: unique,
            by,
            at: now(),
        });
        Ok(())
    }

    /// Activates or deactivates an actor. NetworkAdmin only.
    #[message]
    pub fn set_actor_active(actor: Address, active: bool) -> Result<(), Error> {
        let by = require(Role::NetworkAdmin)?;
        let mut entry = ACTORS.get(&actor).ok_or(Error::ActorNotFound)?;
        entry.active = active;
        ACTORS.insert(&actor, &entry);
        env().emit(&ActorStatusChanged {
            actor,
            active,
            by,
            at: now(),
        });
        Ok(())
    }

    /// Lets `actor` (who must have the Patient role) act for `subject`: the subject themself, a
    /// guardian or a legal representative. NetworkAdmin only.
    #[message]
    pub fn link_subject(actor: Address, subject: SubjectId) -> Result<(), Error> {
        let by = require(Role::NetworkAdmin)?;
        let entry = ACTORS.get(&actor).ok_or(Error::ActorNotFound)?;
        if !entry.roles.contains(&Role::Patient) {
            return Err(Error::Unauthorized {
                required_role: Some(Role::Patient),
            });
        }
        LINKS.insert(&(actor, subject), &true);
        env().emit(&SubjectLinked {
            subject,
            actor,
            by,
            at: now(),
        });
        Ok(())
    }

    /// Trusts (or stops trusting) a contract, such as Claims or BloodBank, to ask on behalf of
    /// other actors (`check_access_for`, `break_glass_for`). NetworkAdmin only.
    #[message]
    pub fn set_trusted_contract(contract: Address, trusted: bool) -> Result<(), Error> {
        let by = require(Role::NetworkAdmin)?;
        TRUSTED.insert(&contract, &trusted);
        env().emit(&ContractTrustChanged {
            contract,
            trusted,
            by,
            at: now(),
        });
        Ok(())
    }

    // ---- consent lifecycle ----

    /// Creates a consent in Draft. The caller must be a Patient linked to the subject.
    #[message]
    pub fn create_consent(consent: NewConsent) -> Result<(), Error> {
        let by = patient_for(&consent.subject)?;
        if CONSENTS.contains(&consent.consent_id) {
            return Err(Error::DuplicateConsent);
        }
        if consent
            .period_end
            .is_some_and(|end| end <= consent.period_start)
            || consent
                .provisions
                .iter()
                .any(|p| p.period.is_some_and(|q| q.end <= q.start))
        {
            return Err(Error::InvalidPeriod);
        }
        let mut ids = BY_SUBJECT.get(&consent.subject).unwrap_or_default();
        if ids.len() as u32 >= MAX_CONSENTS_PER_SUBJECT {
            return Err(Error::TooManyConsents);
        }
        ids.push(consent.consent_id);
        BY_SUBJECT.insert(&consent.subject, &ids);
        let at = now();
        CONSENTS.insert(
            &consent.consent_id,
            &Consent {
                consent_id: consent.consent_id,
                subject: consent.subject,
                grantor: by,
                scope: consent.scope,
                status: ConsentStatus::Draft,
                period_start: consent.period_start,
                period_end: consent.period_end,
                provisions: consent.provisions,
                doc_hash: consent.doc_hash,
                supersedes: None,
                created_at: at,
                updated_at: at,
            },
        );
        env().emit(&ConsentCreated {
            consent_id: consent.consent_id,
            subject: consent.subject,
            by,
            at,
        });
        Ok(())
    }

    /// Draft -> Proposed. Patient of the subject.
    #[message]
    pub fn propose(consent_id: ConsentId) -> Result<(), Error> {
        change_status(consent_id, &[ConsentStatus::Draft], ConsentStatus::Proposed)
    }

    /// Draft or Proposed -> Active. Patient of the subject.
    #[message]
    pub fn activate(consent_id: ConsentId) -> Result<(), Error> {
        change_status(
            consent_id,
            &[ConsentStatus::Draft, ConsentStatus::Proposed],
            ConsentStatus::Active,
        )
    }

    /// Proposed -> Rejected. Patient of the subject.
    #[message]
    pub fn reject(consent_id: ConsentId) -> Result<(), Error> {
        change_status(
            consent_id,
            &[ConsentStatus::Proposed],
            ConsentStatus::Rejected,
        )
    }

    /// Active -> Inactive. Patient of the subject.
    #[message]
    pub fn revoke(consent_id: ConsentId) -> Result<(), Error> {
        let mut c = CONSENTS.get(&consent_id).ok_or(Error::ConsentNotFound)?;
        let by = patient_for(&c.subject)?;
        transition(&c, &[ConsentStatus::Active], ConsentStatus::Inactive)?;
        let from = c.status;
        c.status = ConsentStatus::Inactive;
        c.updated_at = now();
        CONSENTS.insert(&consent_id, &c);
        env().emit(&ConsentRevoked {
            consent_id,
            subject: c.subject,
            from,
            to: c.status,
            by,
            at: c.updated_at,
        });
        Ok(())
    }

    /// Replaces Active consent `old` with Draft consent `new` of the same subject, in one step:
    /// `old` becomes Inactive, `new` Active and records that it supersedes `old`.
    #[message]
    pub fn supersede(old: ConsentId, new: ConsentId) -> Result<(), Error> {
        let mut old_c = CONSENTS.get(&old).ok_or(Error::ConsentNotFound)?;
        let mut new_c = CONSENTS.get(&new).ok_or(Error::ConsentNotFound)?;
        let by = patient_for(&old_c.subject)?;
        if new_c.subject != old_c.subject {
            return Err(Error::SubjectMismatch);
        }
        transition(&old_c, &[ConsentStatus::Active], ConsentStatus::Inactive)?;
        transition(&new_c, &[ConsentStatus::Draft], ConsentStatus::Active)?;
        let at = now();
        old_c.status = ConsentStatus::Inactive;
        old_c.updated_at = at;
        new_c.status = ConsentStatus::Active;
        new_c.supersedes = Some(old);
        new_c.updated_at = at;
        CONSENTS.insert(&old, &old_c);
        CONSENTS.insert(&new, &new_c);
        env().emit(&ConsentSuperseded {
            old,
            subject: old_c.subject,
            new,
            by,
            at,
        });
        Ok(())
    }

    /// Marks a consent entered in error (from any non-terminal status). PrivacyOfficer only;
    /// `reason_hash` is the hash of the off-chain explanation.
    #[message]
    pub fn mark_entered_in_error(consent_id: ConsentId, reason_hash: DocHash) -> Result<(), Error> {
        let by = require(Role::PrivacyOfficer)?;
        let _ = reason_hash;
        let mut c = CONSENTS.get(&consent_id).ok_or(Error::ConsentNotFound)?;
        transition(
            &c,
            &[
                ConsentStatus::Draft,
                ConsentStatus::Proposed,
                ConsentStatus::Active,
            ],
            ConsentStatus::EnteredInError,
        )?;
        let from = c.status;
        c.status = ConsentStatus::EnteredInError;
        c.updated_at = now();
        CONSENTS.insert(&consent_id, &c);
        env().emit(&ConsentStatusChanged {
            consent_id,
            subject: c.subject,
            from,
            to: c.status,
            by,
            at: c.updated_at,
        });
        Ok(())
    }

    // ---- access decisions ----

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
        let actor = env().caller();
        decide(actor, None, subject, purpose, data_class, action)
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
        let via = trusted_caller()?;
        decide(requester, Some(via), subject, purpose, data_class, action)
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
        let actor = require(Role::Practitioner)?;
        glass(actor, None, subject, data_class, justification)
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
        let via = trusted_caller()?;
        require_actor(&requester, Some(Role::Practitioner))?;
        glass(requester, Some(via), subject, data_class, justification)
    }

    /// Records a privacy officer's review of break-the-glass access `seq` (Pending -> outcome).
    #[message]
    pub fn review_break_glass(seq: u32, outcome: ReviewOutcome) -> Result<(), Error> {
        let by = require(Role::PrivacyOfficer)?;
        let mut entry = LOG.get(seq).ok_or(Error::LogEntryNotFound)?;
        let attempted = match outcome {
            ReviewOutcome::Appropriate => ReviewStatus::Appropriate,
            ReviewOutcome::Inappropriate => ReviewStatus::Inappropriate,
        };
        match entry.review {
            Some(ReviewStatus::Pending) => {}
            other => {
                return Err(Error::InvalidTransition {
                    entity: Entity::BreakGlassReview,
                    from: match other {
                        Some(ReviewStatus::Appropriate) => State::Appropriate,
                        Some(ReviewStatus::Inappropriate) => State::Inappropriate,
                        _ => State::Pending,
                    },
                    attempted: review_state(attempted),
                });
            }
        }
        entry.review = Some(attempted);
        LOG.set(seq, &entry);
        let mut pending = PENDING_REVIEWS.get().unwrap_or_default();
        pending.retain(|s| *s != seq);
        PENDING_REVIEWS.set(&pending);
        env().emit(&BreakGlassReviewed {
            subject: entry.subject,
            seq,
            outcome,
            by,
            at: now(),
        });
        Ok(())
    }

    // ---- queries ----

    /// The consent with this id.
    #[query]
    pub fn get_consent(consent_id: ConsentId) -> Result<Consent, Error> {
        CONSENTS.get(&consent_id).ok_or(Error::ConsentNotFound)
    }

    /// The ids of every consent of a subject, oldest first.
    #[query]
    pub fn list_consents(subject: SubjectId) -> Vec<ConsentId> {
        BY_SUBJECT.get(&subject).unwrap_or_default()
    }

    /// A consent's status as of the current block time.
    #[query]
    pub fn get_effective_status(consent_id: ConsentId) -> Result<EffectiveStatus, Error> {
        let c = CONSENTS.get(&consent_id).ok_or(Error::ConsentNotFound)?;
        let t = now();
        Ok(match c.status {
            ConsentStatus::Draft => EffectiveStatus::Draft,
            ConsentStatus::Proposed => EffectiveStatus::Proposed,
            ConsentStatus::Active if t < c.period_start => EffectiveStatus::NotYetValid,
            ConsentStatus::Active if c.period_end.is_some_and(|e| t >= e) => {
                EffectiveStatus::Expired
            }
            ConsentStatus::Active => EffectiveStatus::Active,
            ConsentStatus::Rejected => EffectiveStatus::Rejected,
            ConsentStatus::Inactive => EffectiveStatus::Inactive,
            ConsentStatus::EnteredInError => EffectiveStatus::EnteredInError,
        })
    }

    /// The decision `check_access` would make for `actor` now, without logging it.
    #[query]
    pub fn evaluate(
        subject: SubjectId,
        actor: Address,
        purpose: PurposeOfUse,
        data_class: DataClass,
        action: Action,
    ) -> Result<Decision, Error> {
        let entry = ACTORS.get(&actor).ok_or(Error::ActorNotFound)?;
        Ok(evaluate_policy(
            subject, actor, &entry, purpose, data_class, action,
        ))
    }

    /// Up to `limit` (at most 100) access log entries of `subject` from its `start`-th. The
    /// subject's Patient or a PrivacyOfficer only.
    #[query]
    pub fn access_log(
        subject: SubjectId,
        start: u32,
        limit: u32,
    ) -> Result<Vec<AccessLogEntry>, Error> {
        let caller = env().caller();
        let officer = require_actor(&caller, Some(Role::PrivacyOfficer)).is_ok();
        if !officer {
            patient_for(&subject)?;
        }
        let len = SUBJECT_LOG_LEN.get(&subject).unwrap_or(0);
        let end = len.min(start.saturating_add(limit.min(MAX_PAGE)));
        let mut out = Vec::new();
        for i in start..end {
            if let Some(seq) = SUBJECT_LOG.get(&(subject, i))
                && let Some(entry) = LOG.get(seq)
            {
                out.push(entry);
            }
        }
        Ok(out)
    }

    /// Every break-the-glass access still awaiting review.
    #[query]
    pub fn pending_btg_reviews() -> Vec<AccessLogEntry> {
        PENDING_REVIEWS
            .get()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|seq| LOG.get(seq))
            .collect()
    }

    /// The directory entry of an actor.
    #[query]
    pub fn get_actor(actor: Address) -> Option<Actor> {
        ACTORS.get(&actor)
    }

    /// True if `actor` is active and has `role` (what other contracts ask before acting).
    #[query]
    pub fn has_role(actor: Address, role: Role) -> bool {
        ACTORS
            .get(&actor)
            .is_some_and(|a| a.active && a.roles.contains(&role))
    }

    // ---- internals ----

    fn now() -> u64 {
        env().block_time()
    }

    fn check_org(org: &OrgId) -> Result<(), Error> {
        if org.0.len() as u32 > MAX_ORG_ID {
            return Err(Error::TooLong);
        }
        Ok(())
    }

    /// The actor entry of `who` if active and (when asked) holding `role`.
    fn require_actor(who: &Address, role: Option<Role>) -> Result<Actor, Error> {
        ACTORS
            .get(who)
            .filter(|a| a.active && role.is_none_or(|r| a.roles.contains(&r)))
            .ok_or(Error::Unauthorized {
                required_role: role,
            })
    }

    /// The caller, if an active actor with `role`.
    fn require(role: Role) -> Result<Address, Error> {
        let caller = env().caller();
        require_actor(&caller, Some(role))?;
        Ok(caller)
    }

    /// The caller, if an active Patient linked to `subject`.
    fn patient_for(subject: &SubjectId) -> Result<Address, Error> {
        let caller = require(Role::Patient)?;
        if LINKS.get(&(caller, *subject)) != Some(true) {
            return Err(Error::SubjectMismatch);
        }
        Ok(caller)
    }

    /// The caller, if a contract the admin trusts.
    fn trusted_caller() -> Result<Address, Error> {
        let caller = env().caller();
        if TRUSTED.get(&caller) != Some(true) {
            return Err(Error::NotTrustedContract);
        }
        Ok(caller)
    }

    fn state(s: ConsentStatus) -> State {
        match s {
            ConsentStatus::Draft => State::Draft,
            ConsentStatus::Proposed => State::Proposed,
            ConsentStatus::Active => State::Active,
            ConsentStatus::Rejected => State::Rejected,
            ConsentStatus::Inactive => State::Inactive,
            ConsentStatus::EnteredInError => State::EnteredInError,
        }
    }

    fn review_state(s: ReviewStatus) -> State {
        match s {
            ReviewStatus::Pending => State::Pending,
            ReviewStatus::Appropriate => State::Appropriate,
            ReviewStatus::Inappropriate => State::Inappropriate,
        }
    }

    /// Checks that `c` may move to `to` from one of `accepted`.
    fn transition(c: &Consent, accepted: &[ConsentStatus], to: ConsentStatus) -> Result<(), Error> {
        if accepted.contains(&c.status) {
            Ok(())
        } else {
            Err(Error::InvalidTransition {
                entity: Entity::Consent,
                from: state(c.status),
                attempted: state(to),
            })
        }
    }

    fn change_status(
        consent_id: ConsentId,
        accepted: &[ConsentStatus],
        to: ConsentStatus,
    ) -> Result<(), Error> {
        let mut c = CONSENTS.get(&consent_id).ok_or(Error::ConsentNotFound)?;
        let by = patient_for(&c.subject)?;
        transition(&c, accepted, to)?;
        let from = c.status;
        c.status = to;
        c.updated_at = now();
        CONSENTS.insert(&consent_id, &c);
        env().emit(&ConsentStatusChanged {
            consent_id,
            subject: c.subject,
            from,
            to,
            by,
            at: c.updated_at,
        });
        Ok(())
    }

    /// True if a provision's purpose `granted` covers the requested `purpose` (v3 ActReason
    /// subsumption as configured: TREAT ⊃ ETREAT, HPAYMT ⊃ COVAUTH, ELIGVER).
    fn covers(granted: PurposeOfUse, purpose: PurposeOfUse) -> bool {
        use PurposeOfUse::*;
        granted == purpose
            || matches!(
                (granted, purpose),
                (TREAT, ETREAT) | (HPAYMT, COVAUTH) | (HPAYMT, ELIGVER)
            )
    }

    fn provision_matches(
        p: &Provision,
        actor_id: Address,
        actor: &Actor,
        purpose: PurposeOfUse,
        data_class: DataClass,
        action: Action,
    ) -> bool {
        let who = p.actors.is_empty()
            || p.actors.iter().any(|m| match m {
                ActorMatch::Actor(a) => *a == actor_id,
                ActorMatch::Org(o) => *o == actor.org,
                ActorMatch::Role(r) => actor.roles.contains(r),
            });
        let why = p.purposes.is_empty() || p.purposes.iter().any(|g| covers(*g, purpose));
        let what = p.data_classes.is_empty()
            || p.data_classes
                .iter()
                .any(|c| *c == DataClass::Any || *c == data_class);
        let how = p.actions.is_empty() || p.actions.contains(&action);
        who && why && what && how
    }

    /// Deny-overrides, default deny, over the subject's Active consents at the block time.
    fn evaluate_policy(
        subject: SubjectId,
        actor_id: Address,
        actor: &Actor,
        purpose: PurposeOfUse,
        data_class: DataClass,
        action: Action,
    ) -> Decision {
        let t = now();
        let within = |start: u64, end: Option<u64>| start <= t && end.is_none_or(|e| t < e);
        let ended = |end: Option<u64>| end.is_some_and(|e| t >= e);
        let (mut permit, mut deny, mut expired) = (false, false, false);
        for id in BY_SUBJECT.get(&subject).unwrap_or_default() {
            let Some(c) = CONSENTS.get(&id) else { continue };
            if c.status != ConsentStatus::Active {
                continue;
            }
            for p in &c.provisions {
                if !provision_matches(p, actor_id, actor, purpose, data_class, action) {
                    continue;
                }
                let consent_in = within(c.period_start, c.period_end);
                let provision_in = p.period.is_none_or(|q| within(q.start, Some(q.end)));
                if consent_in && provision_in {
                    match p.kind {
                        ProvisionType::Deny => deny = true,
                        ProvisionType::Permit => permit = true,
                    }
                } else if p.kind == ProvisionType::Permit
                    && (ended(c.period_end) || p.period.is_some_and(|q| ended(Some(q.end))))
                {
                    expired = true;
                }
            }
        }
        if deny {
            Decision::Deny(DenyReason::DeniedByProvision)
        } else if permit {
            Decision::Permit
        } else if expired {
            Decision::Deny(DenyReason::ConsentExpired)
        } else {
            Decision::Deny(DenyReason::NoConsent)
        }
    }

    fn append_log(entry: &AccessLogEntry) -> Result<u32, Error> {
        let seq = LOG.push(entry);
        let n = SUBJECT_LOG_LEN.get(&entry.subject).unwrap_or(0);
        SUBJECT_LOG.insert(&(entry.subject, n), &seq);
        SUBJECT_LOG_LEN.insert(
            &entry.subject,
            &n.checked_add(1).ok_or(Error::ArithmeticOverflow)?,
        );
        Ok(seq)
    }

    fn decide(
        actor_id: Address,
        via: Option<Address>,
        subject: SubjectId,
        purpose: PurposeOfUse,
        data_class: DataClass,
        action: Action,
    ) -> Result<Decision, Error> {
        let actor = require_actor(&actor_id, None)?;
        if purpose == PurposeOfUse::BTG {
            return Err(Error::UnknownPurpose);
        }
        let decision = evaluate_policy(subject, actor_id, &actor, purpose, data_class, action);
        let at = now();
        let seq = append_log(&AccessLogEntry {
            seq: LOG.len(),
            subject,
            actor: actor_id,
            via,
            purpose,
            data_class,
            action,
            decision,
            btg: false,
            review: None,
            at,
        })?;
        match decision {
            Decision::Deny(reason) => env().emit(&AccessDenied {
                subject,
                actor: actor_id,
                seq,
                purpose,
                data_class,
                action,
                reason,
                at,
            }),
            _ => env().emit(&AccessGranted {
                subject,
                actor: actor_id,
                seq,
                purpose,
                data_class,
                action,
                at,
            }),
        }
        Ok(decision)
    }

    fn glass(
        actor_id: Address,
        via: Option<Address>,
        subject: SubjectId,
        data_class: DataClass,
        justification: String,
    ) -> Result<Decision, Error> {
        if justification.len() as u32 > MAX_JUSTIFICATION {
            return Err(Error::TooLong);
        }
        let actor = require_actor(&actor_id, Some(Role::Practitioner))?;
        let config = CONFIG.get().unwrap_or(Config {
            btg_overrides_deny: true,
        });
        let policy = evaluate_policy(
            subject,
            actor_id,
            &actor,
            PurposeOfUse::ETREAT,
            data_class,
            Action::Access,
        );
        let denied_by_provision = policy == Decision::Deny(DenyReason::DeniedByProvision);
        let decision = if denied_by_provision && !config.btg_overrides_deny {
            policy
        } else {
            Decision::PermitBreakGlass
        };
        let granted = decision == Decision::PermitBreakGlass;
        let at = now();
        let seq = append_log(&AccessLogEntry {
            seq: LOG.len(),
            subject,
            actor: actor_id,
            via,
            purpose: PurposeOfUse::ETREAT,
            data_class,
            action: Action::Access,
            decision,
            btg: true,
            review: granted.then_some(ReviewStatus::Pending),
            at,
        })?;
        if granted {
            let mut pending = PENDING_REVIEWS.get().unwrap_or_default();
            pending.push(seq);
            PENDING_REVIEWS.set(&pending);
            env().emit(&BreakGlassAccess {
                subject,
                actor: actor_id,
                seq,
                data_class,
                justification,
                overrode_deny: denied_by_provision,
                at,
            });
        } else {
            env().emit(&AccessDenied {
                subject,
                actor: actor_id,
                seq,
                purpose: PurposeOfUse::ETREAT,
                data_class,
                action: Action::Access,
                reason: DenyReason::DeniedByProvision,
                at,
            });
        }
        Ok(decision)
    }
}
