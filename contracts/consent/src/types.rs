//! AccessConsent's own types: the actor directory, consents and their provisions, the
//! access log. The types it shares with other contracts are in `carechain-consent-api`.

use carechain_consent_api::{Action, DataClass, Decision, PurposeOfUse, Role, SubjectId};
use carechain_sdk::prelude::*;

/// Most consents one subject can have (all statuses): evaluation reads each, paying gas.
pub const MAX_CONSENTS_PER_SUBJECT: u32 = 64;

/// Most entries one page of a log query returns.
pub const MAX_PAGE: u32 = 100;

/// Longest break-the-glass justification code, in bytes (a reason code, not clinical text).
pub const MAX_JUSTIFICATION: u32 = 64;

/// Longest organisation id, in bytes.
pub const MAX_ORG_ID: u32 = 64;

/// SHA-256 of the canonical JSON of an off-chain document (FHIR Consent, licence, note).
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct DocHash(pub [u8; 32]);

/// A consent's identifier (FHIR `Consent.identifier`), 16 bytes.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct ConsentId(pub [u8; 16]);

/// An organisation of the network (hospital, insurer, pharmacy, ...).
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct OrgId(pub String);

/// An entry of the actor directory.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum ProvisionType {
    /// `permit`.
    Permit,
    /// `deny`.
    Deny,
}

/// Whom a provision is about.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum ActorMatch {
    /// One actor.
    Actor(Address),
    /// Every actor of an organisation.
    Org(OrgId),
    /// Every actor with a role.
    Role(Role),
}

/// A half-open interval of block time, `[start, end)` in Unix seconds.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Period {
    /// First second inside.
    pub start: u64,
    /// First second outside.
    pub end: u64,
}

/// A permit or deny rule of a consent.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum ReviewStatus {
    /// Not yet reviewed.
    Pending,
    /// Judged appropriate.
    Appropriate,
    /// Judged inappropriate.
    Inappropriate,
}

/// A privacy officer's judgement.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum ReviewOutcome {
    /// Appropriate.
    Appropriate,
    /// Inappropriate.
    Inappropriate,
}

/// One decision in the access log.
#[derive(Encode, Decode, Clone, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct Config {
    /// Whether break-the-glass is granted over a matching deny provision.
    pub btg_overrides_deny: bool,
}

/// What an invalid transition was about.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub enum Entity {
    /// A consent.
    Consent,
    /// A break-the-glass review.
    BreakGlassReview,
}

/// A state of a consent or of a review, for [`Error::InvalidTransition`].
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
