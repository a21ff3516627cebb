//! Access decisions: evaluation of a subject's consents (deny overrides, default deny),
//! break-the-glass, and the decision recorded in the access log.

use crate::audit::*;
use crate::directory::*;
use crate::errors::*;
use crate::events::*;
use crate::reading::*;
use crate::storage::*;
use crate::types::*;
use carechain_consent_api::{
    Action, DataClass, Decision, DenyReason, PurposeOfUse, Role, SubjectId,
};
use carechain_sdk::prelude::*;

pub(crate) fn check_access(
    subject: SubjectId,
    purpose: PurposeOfUse,
    data_class: DataClass,
    action: Action,
) -> Result<Decision, Error> {
    let actor = env().caller();
    decide(actor, None, subject, purpose, data_class, action)
}

pub(crate) fn check_access_for(
    requester: Address,
    subject: SubjectId,
    purpose: PurposeOfUse,
    data_class: DataClass,
    action: Action,
) -> Result<Decision, Error> {
    let via = trusted_caller()?;
    decide(requester, Some(via), subject, purpose, data_class, action)
}

pub(crate) fn break_glass(
    subject: SubjectId,
    data_class: DataClass,
    justification: String,
) -> Result<Decision, Error> {
    let actor = require(Role::Practitioner)?;
    glass(actor, None, subject, data_class, justification)
}

pub(crate) fn break_glass_for(
    requester: Address,
    subject: SubjectId,
    data_class: DataClass,
    justification: String,
) -> Result<Decision, Error> {
    let via = trusted_caller()?;
    require_actor(&requester, Some(Role::Practitioner))?;
    glass(requester, Some(via), subject, data_class, justification)
}

/// True if a provision's purpose `granted` covers the requested `purpose` (v3 ActReason
/// subsumption as configured: TREAT ⊃ ETREAT, HPAYMT ⊃ COVAUTH, ELIGVER).
pub(crate) fn covers(granted: PurposeOfUse, purpose: PurposeOfUse) -> bool {
    use PurposeOfUse::*;
    granted == purpose
        || matches!(
            (granted, purpose),
            (TREAT, ETREAT) | (HPAYMT, COVAUTH) | (HPAYMT, ELIGVER)
        )
}

pub(crate) fn provision_matches(
    p: &Provision,
    actor_id: Address,
    actor: &Actor,
    purpose: PurposeOfUse,
    data_class: DataClass,
    action: Action,
) -> bool {
    let who = names(p, actor_id, actor);
    let why = p.purposes.is_empty() || p.purposes.iter().any(|g| covers(*g, purpose));
    let what = p.data_classes.is_empty()
        || p.data_classes
            .iter()
            .any(|c| *c == DataClass::Any || *c == data_class);
    let how = p.actions.is_empty() || p.actions.contains(&action);
    who && why && what && how
}

/// Deny-overrides, default deny, over the subject's Active consents at the block time.
///
/// A request for `Any` is a request for every class ([`DataClass::CONCRETE`]): it is permitted
/// only if each class is, so a narrower deny (a self-pay restriction on claims, 45 CFR
/// 164.522(a)(1)(vi); FHIR Consent's nested provisions, where a deny on one class carves it out
/// of a broader permit) is never bypassed by asking for everything. Denied, the reason is the
/// strongest among the classes: a deny provision, else an expired consent, else no consent.
pub(crate) fn evaluate_policy(
    subject: SubjectId,
    actor_id: Address,
    actor: &Actor,
    purpose: PurposeOfUse,
    data_class: DataClass,
    action: Action,
) -> Decision {
    if data_class != DataClass::Any {
        return evaluate_class(subject, actor_id, actor, purpose, data_class, action);
    }
    let strength = |d: &Decision| match d {
        Decision::Permit | Decision::PermitBreakGlass => 0,
        Decision::Deny(DenyReason::NoConsent) => 1,
        Decision::Deny(DenyReason::ConsentExpired) => 2,
        Decision::Deny(_) => 3,
    };
    let mut decision = Decision::Permit;
    for class in DataClass::CONCRETE {
        let d = evaluate_class(subject, actor_id, actor, purpose, class, action);
        if strength(&d) > strength(&decision) {
            decision = d;
        }
    }
    decision
}

/// [`evaluate_policy`] for one concrete class.
fn evaluate_class(
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

pub(crate) fn decide(
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

pub(crate) fn glass(
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
