//! Who may read what (minimum necessary, 45 CFR 164.502(b)): a consent is read by the subject's
//! patients, the actors its provisions name, privacy officers and regulators; a decision by the
//! actor it is about, the subject's patients and those overseers. Queries run as the
//! authenticated caller, so `env().caller()` is the member who signed the request.

use crate::directory::*;
use crate::errors::*;
use crate::storage::*;
use crate::types::*;
use carechain_consent_api::{Role, SubjectId};
use carechain_sdk::prelude::*;

/// True if provision `p` is about `actor_id` (an empty actor list is about anyone).
pub(crate) fn names(p: &Provision, actor_id: Address, actor: &Actor) -> bool {
    p.actors.is_empty()
        || p.actors.iter().any(|m| match m {
            ActorMatch::Actor(a) => *a == actor_id,
            ActorMatch::Org(o) => *o == actor.org,
            ActorMatch::Role(r) => actor.roles.contains(r),
        })
}

/// The caller and its directory entry, if it is an active actor.
fn reader() -> Result<(Address, Actor), Error> {
    let caller = env().caller();
    let actor = require_actor(&caller, None).map_err(|_| Error::NotAuthorizedToRead)?;
    Ok((caller, actor))
}

/// True for an oversight role: a privacy officer (who reviews break-the-glass access and
/// corrects consents network-wide) or a regulator.
pub(crate) fn overseer(actor: &Actor) -> bool {
    actor.roles.contains(&Role::PrivacyOfficer) || actor.roles.contains(&Role::Regulator)
}

/// True if `actor_id` is an active Patient linked to `subject`.
pub(crate) fn acts_for(actor_id: &Address, subject: &SubjectId) -> bool {
    has_role(*actor_id, Role::Patient) && LINKS.get(&(*actor_id, *subject)) == Some(true)
}

/// True if the caller (`caller`, `actor`) may read `consent`. A grantee is an actor a Permit
/// provision names: a provision about anyone (no actors) or a Deny does not make its actors
/// grantees, so neither opens the consent to them.
fn may_read(caller: Address, actor: &Actor, consent: &Consent) -> bool {
    overseer(actor)
        || acts_for(&caller, &consent.subject)
        || consent.provisions.iter().any(|p| {
            p.kind == ProvisionType::Permit && !p.actors.is_empty() && names(p, caller, actor)
        })
}

/// `consent`, if the caller may read it.
pub(crate) fn readable(consent: Consent) -> Result<Consent, Error> {
    let (caller, actor) = reader()?;
    if may_read(caller, &actor, &consent) {
        Ok(consent)
    } else {
        Err(Error::NotAuthorizedToRead)
    }
}

/// The ids among `ids` whose consent the caller may read (an inactive or unknown caller reads
/// none).
pub(crate) fn readable_ids(ids: Vec<ConsentId>) -> Vec<ConsentId> {
    let Ok((caller, actor)) = reader() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for id in ids {
        if let Some(c) = CONSENTS.get(&id)
            && may_read(caller, &actor, &c)
        {
            out.push(id);
        }
    }
    out
}

/// Ok if the caller may learn the decision for `actor_id` on `subject`: it is that actor, a
/// patient of the subject, or an overseer.
pub(crate) fn may_evaluate(actor_id: &Address, subject: &SubjectId) -> Result<(), Error> {
    let (caller, actor) = reader()?;
    if caller == *actor_id || overseer(&actor) || acts_for(&caller, subject) {
        Ok(())
    } else {
        Err(Error::NotAuthorizedToRead)
    }
}

/// Ok if the caller is a privacy officer or a regulator.
pub(crate) fn require_overseer() -> Result<(), Error> {
    let (_, actor) = reader()?;
    if overseer(&actor) {
        Ok(())
    } else {
        Err(Error::NotAuthorizedToRead)
    }
}
