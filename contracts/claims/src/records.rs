//! Claim records: status to entity state, latest version, the subject index and the
//! content key of duplicate detection.

use crate::errors::*;
use crate::storage::*;
use crate::types::*;
use carechain_consent_api::SubjectId;
use carechain_sdk::prelude::*;

pub(crate) fn claim_state(s: ClaimStatus) -> State {
    match s {
        ClaimStatus::Submitted => State::Submitted,
        ClaimStatus::Rejected(_) => State::Rejected,
        ClaimStatus::Adjudicated => State::Adjudicated,
        ClaimStatus::Paid => State::Paid,
        ClaimStatus::Replaced => State::Replaced,
        ClaimStatus::Voided => State::Voided,
    }
}

/// The version that stands at or below `version`: walking down past replacements that were
/// rejected (a rejected replacement leaves its original standing, as a 277CA front-end
/// rejection does).
pub(crate) fn standing_at(key: &ClaimKey, mut version: u32) -> Option<(u32, Claim)> {
    while version > 0 {
        let c = CLAIMS.get(&(key.clone(), version))?;
        if !(c.frequency == Frequency::Replacement && matches!(c.status, ClaimStatus::Rejected(_)))
        {
            return Some((version, c));
        }
        version -= 1;
    }
    None
}

/// The claim's standing version: its latest, unless that is a rejected replacement.
pub(crate) fn standing(key: &ClaimKey) -> Result<(u32, Claim), Error> {
    let version = VERSIONS.get(key).ok_or(Error::ClaimNotFound)?;
    standing_at(key, version).ok_or(Error::ClaimNotFound)
}

/// What the payer has paid on the claim as of version `version` (`c`): the payment of the
/// latest paid version in its line of replacements. A replacement adjudicated but not yet paid
/// leaves what its original was paid; `None` if no version was ever paid.
pub(crate) fn net_paid(key: &ClaimKey, mut version: u32, c: &Claim) -> Option<i64> {
    let mut current = c.clone();
    loop {
        if let Some(p) = &current.payment {
            return Some(p.amount);
        }
        if current.frequency != Frequency::Replacement {
            return None;
        }
        let (v, original) = standing_at(key, version.saturating_sub(1))?;
        version = v;
        current = original;
    }
}

pub(crate) fn latest(key: &ClaimKey) -> Result<(u32, Claim), Error> {
    let version = VERSIONS.get(key).ok_or(Error::ClaimNotFound)?;
    let c = CLAIMS
        .get(&(key.clone(), version))
        .ok_or(Error::ClaimNotFound)?;
    Ok((version, c))
}

pub(crate) fn index_claim(subject: SubjectId, key: &ClaimKey) -> Result<(), Error> {
    let n = SUBJECT_CLAIMS_LEN.get(&subject).unwrap_or(0);
    SUBJECT_CLAIMS.insert(&(subject, n), key);
    SUBJECT_CLAIMS_LEN.insert(
        &subject,
        &n.checked_add(1).ok_or(Error::ArithmeticOverflow)?,
    );
    Ok(())
}

/// H(subject, provider, service_date, sorted (proc_code, units) of the lines): the service,
/// not what was billed for it, so the same service billed one cent higher is still a duplicate.
pub(crate) fn content_key(claim: &NewClaim, provider: Address) -> Hash {
    // Sorted by inserting each line in place: claims have few lines, and `sort_unstable`
    // brings ~3 KB of sorting code. Equal lines are identical, so the order is the same.
    let mut lines: Vec<(ProcCode, u32)> = Vec::with_capacity(claim.lines.len());
    for l in &claim.lines {
        let line = (l.proc_code.clone(), l.units);
        let at = lines.partition_point(|x| *x <= line);
        lines.insert(at, line);
    }
    let data = (claim.subject.0, provider, claim.service_date, lines).encode();
    env().blake2b_256(&data)
}
