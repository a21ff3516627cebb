//! Read-only queries of claims, their versions and responses.

use crate::errors::*;
use crate::reading::*;
use crate::records::*;
use crate::storage::*;
use crate::types::*;
use carechain_consent_api::SubjectId;
use carechain_sdk::prelude::*;

pub(crate) fn get_claim(claim: ClaimKey) -> Result<Claim, Error> {
    readable_claim(latest(&claim)?.1)
}

pub(crate) fn get_claim_version(claim: ClaimKey, version: u32) -> Result<Claim, Error> {
    readable_claim(CLAIMS.get(&(claim, version)).ok_or(Error::ClaimNotFound)?)
}

pub(crate) fn claim_versions(claim: ClaimKey) -> Result<u32, Error> {
    match latest(&claim) {
        Ok((n, c)) => readable_claim(c).map(|_| n),
        Err(_) => Ok(0),
    }
}

pub(crate) fn get_response(claim: ClaimKey) -> Result<Option<ClaimResponse>, Error> {
    readable_claim(latest(&claim)?.1).map(|c| c.response)
}

pub(crate) fn claims_by_subject(subject: SubjectId, start: u32, limit: u32) -> Vec<Claim> {
    let all = reads_all_of(&subject);
    let len = SUBJECT_CLAIMS_LEN.get(&subject).unwrap_or(0);
    let end = len.min(start.saturating_add(limit.min(MAX_PAGE)));
    let mut out = Vec::new();
    for i in start..end {
        if let Some(key) = SUBJECT_CLAIMS.get(&(subject, i))
            && let Ok((_, c)) = latest(&key)
            && c.subject == subject
            && (all || may_read(&[c.provider, c.payer], &[], &subject))
        {
            out.push(c);
        }
    }
    out
}
