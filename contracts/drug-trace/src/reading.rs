//! Who may read what (minimum necessary); queries run as the authenticated caller. Packages,
//! containers, lots, histories, investigations, verification requests and transfers are for the
//! trading-partner roles and regulators ([`PARTNERS`], DSCSA §582 product tracing); a
//! prescription, which names a subject, for its prescriber, dispensers, regulators and the
//! subject's own patients. The trading-partner registry, GTIN owners and the configuration are
//! public.

use crate::errors::*;
use crate::history::*;
use crate::partners::*;
use crate::storage::*;
use crate::types::*;
use carechain_consent_api::{self as consent_api, Role};
use carechain_sdk::prelude::*;

/// Who reads product records.
pub(crate) const PARTNERS: &[Role] = &[
    Role::Manufacturer,
    Role::Wholesaler,
    Role::Dispenser,
    Role::Regulator,
];

/// Who reads a prescription (besides its prescriber and the subject's patients).
pub(crate) const RX_READERS: &[Role] = &[Role::Dispenser, Role::Regulator];

/// True if `caller` holds one of `roles`.
#[inline(never)]
fn holds_any(caller: &Address, roles: &[Role]) -> bool {
    roles.iter().any(|r| has_role(caller, *r))
}

/// Reverts with `NotAuthorizedToRead` unless the caller holds one of [`PARTNERS`]' roles.
#[inline(never)]
pub(crate) fn require_partner() {
    if !holds_any(&env().caller(), PARTNERS) {
        fail(Error::NotAuthorizedToRead)
    }
}

/// The prescription, if the caller may read it: its prescriber (still a practitioner), a holder of one of
/// [`RX_READERS`]' roles, or a patient of its subject.
pub(crate) fn readable_prescription(rx: Option<Prescription>) -> Option<Prescription> {
    if let Some(p) = &rx {
        let caller = env().caller();
        let allowed = (caller == p.prescriber && has_role(&caller, Role::Practitioner))
            || holds_any(&caller, RX_READERS)
            || matches!(
                consent_api::acts_for(config().consent, &caller, &p.subject).invoke(),
                Ok(true)
            );
        if !allowed {
            fail(Error::NotAuthorizedToRead)
        }
    }
    rx
}
