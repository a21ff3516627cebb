//! Who may act: AccessConsent's actor directory and the trading-partner registry.

use crate::errors::*;
use crate::history::*;
use crate::storage::*;
use crate::types::*;
use carechain_consent_api::{self as consent_api, Role};
use carechain_sdk::prelude::*;

/// Asks the actor directory whether `actor` is active with `role`.
pub(crate) fn has_role(actor: &Address, role: Role) -> bool {
    consent_api::has_role(config().consent, actor, role)
        .invoke()
        .unwrap_or_else(|_| fail(Error::DirectoryUnavailable))
}

pub(crate) fn require_role_of(actor: &Address, role: Role) {
    if !has_role(actor, role) {
        fail(Error::Unauthorized {
            required_role: Some(role),
        })
    }
}

/// The caller, if an active actor with `role`.
pub(crate) fn require_role(role: Role) -> Address {
    let caller = env().caller();
    require_role_of(&caller, role);
    caller
}

/// `actor`'s registry entry if it is an authorized trading partner.
pub(crate) fn authorized_entry(actor: &Address) -> Option<TradingPartner> {
    PARTNERS.get(actor).filter(|tp| tp.authorized)
}

/// `actor`'s registry entry if it is an authorized trading partner still holding its
/// trading role in the directory.
pub(crate) fn partner(actor: &Address) -> TradingPartner {
    let tp = authorized_entry(actor).unwrap_or_else(|| fail(Error::UnauthorizedTradingPartner));
    require_role_of(actor, tp.role);
    tp
}

/// [`partner`], trading as `role`.
pub(crate) fn partner_with_role(actor: &Address, role: Role) -> TradingPartner {
    let tp = authorized_entry(actor).unwrap_or_else(|| fail(Error::UnauthorizedTradingPartner));
    if tp.role != role {
        fail(Error::Unauthorized {
            required_role: Some(role),
        });
    }
    require_role_of(actor, role);
    tp
}

/// The consignee must be an authorized trading partner.
pub(crate) fn consignee(to: &Address) {
    match authorized_entry(to) {
        Some(tp) if has_role(to, tp.role) => {}
        _ => fail(Error::UnauthorizedTradingPartner),
    }
}

/// `Some(entry)` for an authorized trading partner, `None` for a Regulator.
pub(crate) fn partner_or_regulator(actor: &Address) -> Option<TradingPartner> {
    if let Some(tp) = authorized_entry(actor) {
        require_role_of(actor, tp.role);
        return Some(tp);
    }
    if has_role(actor, Role::Regulator) {
        return None;
    }
    fail(Error::UnauthorizedTradingPartner)
}

/// The GTIN's brand owner (an active Manufacturer) or a Regulator may recall its lots.
pub(crate) fn authorize_recall(by: &Address, gtin: &Gtin) {
    if GTINS.get(gtin).as_ref() == Some(by) {
        return require_role_of(by, Role::Manufacturer);
    }
    if !has_role(by, Role::Regulator) {
        fail(Error::NotBrandOwner)
    }
}

/// `by` must be the custodian.
#[inline(never)]
pub(crate) fn require_custody(custodian: &Address, by: &Address) {
    if custodian != by {
        fail(Error::NotCustodian);
    }
}

/// True if a shipment of `gtin` to `to` is a return: to the GTIN's brand owner.
pub(crate) fn returns_destination(gtin: &Gtin, to: &Address) -> bool {
    GTINS.get(gtin).is_some_and(|owner| owner == *to)
}
