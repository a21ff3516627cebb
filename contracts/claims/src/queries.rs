//! Read-only queries of claims, their versions and responses.

use crate::errors::*;
use crate::records::*;
use crate::storage::*;
use crate::types::*;
use carechain_consent_api::SubjectId;
use carechain_sdk::prelude::*;

pub(crate) fn get_claim(claim: ClaimKey) -> Result<Claim, Error> {
    latest(&claim).map(|(_, c)| c)
}

pub(crate) fn get_claim_version(claim: ClaimKey, version: u32) -> Result<Claim, Error> {
    CLAIMS.get(&(claim, version)).ok_or(Error::ClaimNotFound)
}

pub(crate) fn claim_versions(claim: ClaimKey) -> u32 {
    VERSIONS.get(&claim).unwrap_or(0)
}

pub(crate) fn get_response(claim: ClaimKey) -> Result<Option<ClaimResponse>, Error> {
    latest(&claim).map(|(_, c)| c.response)
}

pub(crate) fn claims_by_subject(subject: SubjectId, start: u32, limit: u32) -> Vec<Claim> {
    let len = SUBJECT_CLAIMS_LEN.get(&subject).unwrap_or(0);
    let end = len.min(start.saturating_add(limit.min(MAX_PAGE)));
    let mut out = Vec::new();
    for i in start..end {
        if let Some(key) = SUBJECT_CLAIMS.get(&(subject, i))
            && let Ok((_, c)) = latest(&key)
            && c.subject == subject
        {
            out.push(c);
        }
    }
    out
}
