//! The actor directory: the constructor, actors, their organisations and roles, the
//! subjects a patient acts for, and the contracts trusted to ask on behalf of others.

use crate::errors::*;
use crate::events::*;
use crate::storage::*;
use crate::types::*;
use carechain_consent_api::{Role, SubjectId};
use carechain_sdk::prelude::*;

pub(crate) fn new(admin_org: OrgId, btg_overrides_deny: bool) -> Result<(), Error> {
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

pub(crate) fn register_actor(
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

pub(crate) fn set_actor_active(actor: Address, active: bool) -> Result<(), Error> {
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

pub(crate) fn link_subject(actor: Address, subject: SubjectId) -> Result<(), Error> {
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

pub(crate) fn set_trusted_contract(contract: Address, trusted: bool) -> Result<(), Error> {
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

pub(crate) fn get_actor(actor: Address) -> Option<Actor> {
    ACTORS.get(&actor)
}

pub(crate) fn has_role(actor: Address, role: Role) -> bool {
    ACTORS
        .get(&actor)
        .is_some_and(|a| a.active && a.roles.contains(&role))
}

/// True if `a` is an active actor of the organisation `b` is registered in (`b` itself may be
/// inactive: it names the organisation, as a claim's provider key does).
pub(crate) fn same_org(a: &Address, b: &Address) -> bool {
    match (ACTORS.get(a), ACTORS.get(b)) {
        (Some(x), Some(y)) => x.active && x.org == y.org,
        _ => false,
    }
}

pub(crate) fn check_org(org: &OrgId) -> Result<(), Error> {
    if org.0.len() as u32 > MAX_ORG_ID {
        return Err(Error::TooLong);
    }
    Ok(())
}

/// The actor entry of `who` if active and (when asked) holding `role`.
pub(crate) fn require_actor(who: &Address, role: Option<Role>) -> Result<Actor, Error> {
    ACTORS
        .get(who)
        .filter(|a| a.active && role.is_none_or(|r| a.roles.contains(&r)))
        .ok_or(Error::Unauthorized {
            required_role: role,
        })
}

/// The caller, if an active actor with `role`.
pub(crate) fn require(role: Role) -> Result<Address, Error> {
    let caller = env().caller();
    require_actor(&caller, Some(role))?;
    Ok(caller)
}

/// The caller, if an active Patient linked to `subject`.
pub(crate) fn patient_for(subject: &SubjectId) -> Result<Address, Error> {
    let caller = require(Role::Patient)?;
    if LINKS.get(&(caller, *subject)) != Some(true) {
        return Err(Error::SubjectMismatch);
    }
    Ok(caller)
}

/// The caller, if a contract the admin trusts.
pub(crate) fn trusted_caller() -> Result<Address, Error> {
    let caller = env().caller();
    if TRUSTED.get(&caller) != Some(true) {
        return Err(Error::NotTrustedContract);
    }
    Ok(caller)
}
