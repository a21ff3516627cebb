//! AccessConsent's events: one per change of the directory, of a consent, and per access
//! decision.

use crate::types::*;
use carechain_consent_api::{Action, DataClass, DenyReason, PurposeOfUse, Role, SubjectId};
use carechain_sdk::prelude::*;

/// An actor was added to or updated in the directory.
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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

/// A privacy officer marked a consent entered in error (FHIR `entered-in-error`: it should never
/// have existed), with the hash of the off-chain explanation: the audit trail of who corrected
/// the record and why (HIPAA audit controls, 45 CFR 164.312(b)). Follows the
/// [`ConsentStatusChanged`] of the same call.
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
pub struct ConsentEnteredInError {
    /// The consent.
    #[topic]
    pub consent_id: ConsentId,
    /// Its subject.
    #[topic]
    pub subject: SubjectId,
    /// The hash of the off-chain explanation.
    pub reason_hash: DocHash,
    /// The privacy officer.
    pub by: Address,
    /// Block time.
    pub at: u64,
}

/// A consent was revoked (Active -> Inactive).
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
#[derive(Encode, Decode, Event, TypeInfo)]
#[codec(crate = ::carechain_sdk::scale)]
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
