//! Who may read what (minimum necessary, 45 CFR 164.502(b)); queries run as the authenticated
//! caller. Units, donations, stock and vein-to-vein traces (which carry donor and recipient
//! pseudonyms) are for the blood-bank roles and regulators ([`STAFF`]); a recipient's typing,
//! crossmatches and transfusion history for the transfusion service, the medical director,
//! regulators ([`CLINICAL`]) and the recipient's own patients; configuration is public.

use crate::access::*;
use crate::errors::*;
use crate::units::*;
use carechain_consent_api::{self as consent_api, Role, SubjectId};
use carechain_sdk::prelude::*;

/// Who reads units and their traces.
pub(crate) const STAFF: &[Role] = &[
    Role::BloodEstablishment,
    Role::TransfusionService,
    Role::MedicalDirector,
    Role::Regulator,
];

/// Who reads a recipient's records (besides the recipient's patients).
pub(crate) const CLINICAL: &[Role] = &[
    Role::TransfusionService,
    Role::MedicalDirector,
    Role::Regulator,
];

/// Reverts with `NotAuthorizedToRead` unless the caller holds one of `roles` or is a patient of
/// `subject`.
pub(crate) fn require_reader(roles: &[Role], subject: Option<&SubjectId>) {
    if !consent_api::may_read(consent(), &env().caller(), &[], roles, subject) {
        fail(Error::NotAuthorizedToRead)
    }
}
