//! Who may read what (minimum necessary, 45 CFR 164.502(b)). A claim, its versions and its
//! response: the provider and the payer (and other keys of their organisations), the subject's
//! patients and regulators. A coverage and its accumulators: the payer, the beneficiary's
//! patients, regulators, and providers (the 270/271 eligibility check before billing). A prior
//! authorisation: its payer and provider, the subject's patients and regulators. List queries
//! return only what the caller may read. Queries run as the authenticated caller.

use crate::access::*;
use crate::errors::*;
use crate::types::*;
use carechain_consent_api::{self as consent_api, Role, SubjectId};
use carechain_sdk::prelude::*;

/// True if the caller may read a record of `parties` about `subject`, also admitting `roles`.
pub(crate) fn may_read(parties: &[Address], roles: &[Role], subject: &SubjectId) -> bool {
    consent_api::may_read(
        consent_contract(),
        &env().caller(),
        parties,
        roles,
        Some(subject),
    )
}

/// `record`, if the caller may read it (see [`may_read`]).
pub(crate) fn refuse_unless<T>(allowed: bool, record: T) -> Result<T, Error> {
    if allowed {
        Ok(record)
    } else {
        Err(Error::NotAuthorizedToRead)
    }
}

/// `claim`, if the caller may read it.
pub(crate) fn readable_claim(claim: Claim) -> Result<Claim, Error> {
    let allowed = may_read(
        &[claim.provider, claim.payer],
        &[Role::Regulator],
        &claim.subject,
    );
    refuse_unless(allowed, claim)
}

/// `coverage`, if the caller may read it.
pub(crate) fn readable_coverage(coverage: Coverage) -> Result<Coverage, Error> {
    let allowed = may_read(
        &[coverage.payer],
        &[Role::Regulator, Role::Provider],
        &coverage.beneficiary,
    );
    refuse_unless(allowed, coverage)
}

/// `auth`, if the caller may read it.
pub(crate) fn readable_auth(auth: PriorAuth) -> Result<PriorAuth, Error> {
    let allowed = may_read(
        &[auth.payer, auth.provider],
        &[Role::Regulator],
        &auth.subject,
    );
    refuse_unless(allowed, auth)
}

/// True if the caller may read every record of `subject` (its patients and regulators), so a
/// list of them needs no check per record.
pub(crate) fn reads_all_of(subject: &SubjectId) -> bool {
    may_read(&[], &[Role::Regulator], subject)
}
