//! Prior authorisation (837 `REF*G1`): recorded by the payer, indexed by subject, used by
//! adjudication.

use crate::access::*;
use crate::errors::*;
use crate::events::*;
use crate::reading::*;
use crate::storage::*;
use crate::types::*;
use crate::validation::*;
use carechain_consent_api::Role;
use carechain_consent_api::SubjectId;
use carechain_sdk::prelude::*;

pub(crate) fn record_prior_auth(auth: NewPriorAuth) -> Result<(), Error> {
    let by = require(Role::Payer)?;
    check_id(&auth.auth_id.0, MAX_ID)?;
    check_code(&auth.proc_code)?;
    check_period(&auth.period)?;
    let key = (by, auth.auth_id.clone());
    let existing = PRIOR_AUTHS.get(&key);
    let units_used = existing.as_ref().map_or(0, |a| a.units_used);
    let status = if auth.status == PriorAuthStatus::Approved && units_used >= auth.units_approved {
        PriorAuthStatus::Exhausted
    } else {
        auth.status
    };
    if existing.as_ref().is_none_or(|a| a.subject != auth.subject) {
        index_auth(auth.subject, by, &auth.auth_id)?;
    }
    let at = now();
    PRIOR_AUTHS.insert(
        &key,
        &PriorAuth {
            auth_id: auth.auth_id.clone(),
            payer: by,
            subject: auth.subject,
            provider: auth.provider,
            proc_code: auth.proc_code,
            units_approved: auth.units_approved,
            period: auth.period,
            status,
            units_used,
            updated_at: at,
        },
    );
    env().emit(&PriorAuthRecorded {
        auth_id: auth.auth_id,
        subject: auth.subject,
        provider: auth.provider,
        from: existing.map(|a| a.status),
        to: status,
        by,
        at,
    });
    Ok(())
}

pub(crate) fn prior_auths(subject: SubjectId, start: u32, limit: u32) -> Vec<PriorAuth> {
    let all = reads_all_of(&subject);
    let len = SUBJECT_AUTHS_LEN.get(&subject).unwrap_or(0);
    let end = len.min(start.saturating_add(limit.min(MAX_PAGE)));
    let mut out = Vec::new();
    for i in start..end {
        if let Some(key) = SUBJECT_AUTHS.get(&(subject, i))
            && let Some(a) = PRIOR_AUTHS.get(&key)
            && a.subject == subject
            && (all || may_read(&[a.payer, a.provider], &[], &subject))
        {
            out.push(a);
        }
    }
    out
}

pub(crate) fn get_prior_auth(payer: Address, auth_id: AuthId) -> Result<Option<PriorAuth>, Error> {
    PRIOR_AUTHS
        .get(&(payer, auth_id))
        .map(readable_auth)
        .transpose()
}

pub(crate) fn index_auth(
    subject: SubjectId,
    payer: Address,
    auth_id: &AuthId,
) -> Result<(), Error> {
    let n = SUBJECT_AUTHS_LEN.get(&subject).unwrap_or(0);
    SUBJECT_AUTHS.insert(&(subject, n), &(payer, auth_id.clone()));
    SUBJECT_AUTHS_LEN.insert(
        &subject,
        &n.checked_add(1).ok_or(Error::ArithmeticOverflow)?,
    );
    Ok(())
}

/// The prior auth a line may use: Approved, the claim's payer's, for this subject,
/// provider and code, valid at the service date, with enough units left.
pub(crate) fn usable_auth(c: &Claim, line: &Line) -> Option<(Address, AuthId, PriorAuth)> {
    let id = line.prior_auth.clone()?;
    let auth = PRIOR_AUTHS.get(&(c.payer, id.clone()))?;
    let ok = auth.status == PriorAuthStatus::Approved
        && auth.subject == c.subject
        && auth.provider == c.provider
        && auth.proc_code == line.proc_code
        && auth.period.start <= c.service_date
        && c.service_date < auth.period.end
        && auth
            .units_approved
            .checked_sub(auth.units_used)
            .is_some_and(|left| left >= line.units);
    ok.then_some((c.payer, id, auth))
}
