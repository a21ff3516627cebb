//! A consent's lifecycle (FHIR ConsentState): creation, proposal, activation, rejection,
//! revocation, supersession, entered-in-error; and the queries of consents.

use crate::access::*;
use crate::directory::*;
use crate::errors::*;
use crate::events::*;
use crate::reading::*;
use crate::storage::*;
use crate::types::*;
use carechain_consent_api::{Action, DataClass, Decision, PurposeOfUse, Role, SubjectId};
use carechain_sdk::prelude::*;

pub(crate) fn create_consent(consent: NewConsent) -> Result<(), Error> {
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

pub(crate) fn propose(consent_id: ConsentId) -> Result<(), Error> {
    change_status(consent_id, &[ConsentStatus::Draft], ConsentStatus::Proposed)
}

pub(crate) fn activate(consent_id: ConsentId) -> Result<(), Error> {
    change_status(
        consent_id,
        &[ConsentStatus::Draft, ConsentStatus::Proposed],
        ConsentStatus::Active,
    )
}

pub(crate) fn reject(consent_id: ConsentId) -> Result<(), Error> {
    change_status(
        consent_id,
        &[ConsentStatus::Proposed],
        ConsentStatus::Rejected,
    )
}

pub(crate) fn revoke(consent_id: ConsentId) -> Result<(), Error> {
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

pub(crate) fn supersede(old: ConsentId, new: ConsentId) -> Result<(), Error> {
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

pub(crate) fn mark_entered_in_error(
    consent_id: ConsentId,
    reason_hash: DocHash,
) -> Result<(), Error> {
    let by = require(Role::PrivacyOfficer)?;
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
    // The audit trail keeps why (the off-chain explanation's hash), not only that.
    env().emit(&ConsentEnteredInError {
        consent_id,
        subject: c.subject,
        reason_hash,
        by,
        at: c.updated_at,
    });
    Ok(())
}

pub(crate) fn get_consent(consent_id: ConsentId) -> Result<Consent, Error> {
    readable(CONSENTS.get(&consent_id).ok_or(Error::ConsentNotFound)?)
}

pub(crate) fn list_consents(subject: SubjectId) -> Vec<ConsentId> {
    readable_ids(BY_SUBJECT.get(&subject).unwrap_or_default())
}

pub(crate) fn get_effective_status(consent_id: ConsentId) -> Result<EffectiveStatus, Error> {
    let c = readable(CONSENTS.get(&consent_id).ok_or(Error::ConsentNotFound)?)?;
    let t = now();
    Ok(match c.status {
        ConsentStatus::Draft => EffectiveStatus::Draft,
        ConsentStatus::Proposed => EffectiveStatus::Proposed,
        ConsentStatus::Active if t < c.period_start => EffectiveStatus::NotYetValid,
        ConsentStatus::Active if c.period_end.is_some_and(|e| t >= e) => EffectiveStatus::Expired,
        ConsentStatus::Active => EffectiveStatus::Active,
        ConsentStatus::Rejected => EffectiveStatus::Rejected,
        ConsentStatus::Inactive => EffectiveStatus::Inactive,
        ConsentStatus::EnteredInError => EffectiveStatus::EnteredInError,
    })
}

pub(crate) fn evaluate(
    subject: SubjectId,
    actor: Address,
    purpose: PurposeOfUse,
    data_class: DataClass,
    action: Action,
) -> Result<Decision, Error> {
    may_evaluate(&actor, &subject)?;
    let entry = ACTORS.get(&actor).ok_or(Error::ActorNotFound)?;
    Ok(evaluate_policy(
        subject, actor, &entry, purpose, data_class, action,
    ))
}

pub(crate) fn state(s: ConsentStatus) -> State {
    match s {
        ConsentStatus::Draft => State::Draft,
        ConsentStatus::Proposed => State::Proposed,
        ConsentStatus::Active => State::Active,
        ConsentStatus::Rejected => State::Rejected,
        ConsentStatus::Inactive => State::Inactive,
        ConsentStatus::EnteredInError => State::EnteredInError,
    }
}

/// Checks that `c` may move to `to` from one of `accepted`.
pub(crate) fn transition(
    c: &Consent,
    accepted: &[ConsentStatus],
    to: ConsentStatus,
) -> Result<(), Error> {
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

pub(crate) fn change_status(
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
