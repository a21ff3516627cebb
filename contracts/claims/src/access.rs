//! The link to AccessConsent: the constructor naming it, role checks through its actor
//! directory, and its decision on a payer's use of a subject's claims.

use crate::errors::*;
use crate::storage::*;
use carechain_consent_api::{self as consent_api, Action, DataClass, PurposeOfUse, Role};
use carechain_consent_api::{Decision, SubjectId};
use carechain_sdk::prelude::*;

pub(crate) fn new(consent: Address) {
    CONSENT.set(&consent);
}

pub(crate) fn consent_contract() -> Address {
    CONSENT.get().unwrap_or_default()
}

/// The caller, if AccessConsent says it is an active actor with `role`.
pub(crate) fn require(role: Role) -> Result<Address, Error> {
    let caller = env().caller();
    let granted = consent_api::has_role(consent_contract(), &caller, role)
        .invoke()
        .map_err(|_| Error::ConsentUnavailable)?;
    if granted {
        Ok(caller)
    } else {
        Err(Error::Unauthorized {
            required_role: role,
        })
    }
}

/// Asks AccessConsent (and has it log) whether `payer` may use `subject`'s claims for
/// payment. Any permit counts (break-the-glass cannot arise for HPAYMT); any deny rejects.
pub(crate) fn consent_permits(payer: Address, subject: SubjectId) -> Result<bool, Error> {
    let decision = consent_api::check_access_for(
        consent_contract(),
        &payer,
        &subject,
        PurposeOfUse::HPAYMT,
        DataClass::Claim,
        Action::Use,
    )
    .invoke()
    .map_err(|_| Error::ConsentUnavailable)?;
    Ok(!matches!(decision, Decision::Deny(_)))
}
