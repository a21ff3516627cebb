//! Role checks through AccessConsent's actor directory.

use crate::errors::*;
use crate::storage::*;
use crate::units::*;
use carechain_consent_api::{self as consent_api, Role};
use carechain_sdk::prelude::*;

pub(crate) fn consent() -> Address {
    CONSENT.get().unwrap_or_default()
}

/// AccessConsent's `has_role(actor, role)`.
pub(crate) fn has_role(actor: &Address, role: Role) -> bool {
    consent_api::has_role(consent(), actor, role)
        .invoke()
        .unwrap_or_else(|_| fail(Error::ConsentUnavailable))
}

/// The caller, if an active actor with `role`.
pub(crate) fn require(role: Role) -> Address {
    let caller = env().caller();
    if !has_role(&caller, role) {
        fail(Error::Unauthorized {
            required_role: Some(role),
        })
    }
    caller
}

pub(crate) fn custodian_role(who: &Address) -> bool {
    has_role(who, Role::BloodEstablishment) || has_role(who, Role::TransfusionService)
}

/// The caller, if an active BloodEstablishment or TransfusionService.
pub(crate) fn require_custodian_role() -> Address {
    let caller = env().caller();
    if !custodian_role(&caller) {
        fail(Error::Unauthorized {
            required_role: None,
        })
    }
    caller
}
