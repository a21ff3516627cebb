//! Claim submission (X12 837P): validation, duplicate detection, versions and
//! replacement.

use crate::access::*;
use crate::adjudication::*;
use crate::errors::*;
use crate::events::*;
use crate::records::*;
use crate::storage::*;
use crate::types::*;
use crate::validation::*;
use carechain_consent_api::Role;
use carechain_sdk::prelude::*;

pub(crate) fn submit_claim(claim: NewClaim) -> Result<u32, Error> {
    let by = require(Role::Provider)?;
    check_claim(&claim)?;
    let key = ClaimKey {
        provider: by,
        claim_id: claim.claim_id.clone(),
    };
    let latest = VERSIONS.get(&key).unwrap_or(0);
    // Every frequency acts on the standing version: a rejected replacement left its original
    // standing (so a new original is still a duplicate id, and a void or replacement acts on
    // that original); a new original may follow a rejected original.
    let (standing_version, previous) =
        standing_at(&key, latest).map_or((0, None), |(v, c)| (v, Some(c)));
    match (claim.frequency, &previous) {
        (Frequency::Original, None) => {}
        (Frequency::Original, Some(p)) => {
            if !matches!(p.status, ClaimStatus::Rejected(_)) {
                return Err(Error::DuplicateClaimId);
            }
        }
        (_, None) => return Err(Error::OriginalNotFound),
        (frequency, Some(p)) => {
            if !matches!(p.status, ClaimStatus::Adjudicated | ClaimStatus::Paid) {
                return Err(Error::InvalidTransition {
                    entity: Entity::Claim,
                    from: claim_state(p.status),
                    attempted: if frequency == Frequency::Void {
                        State::Voided
                    } else {
                        State::Replaced
                    },
                });
            }
            if p.subject != claim.subject || p.payer != claim.payer {
                return Err(Error::InvalidClaim);
            }
        }
    }
    let at = now();
    if let (Frequency::Void, Some(mut original)) = (claim.frequency, previous.clone()) {
        let from = original.status;
        // The 835 reversal (CLP02 = 22) takes back what was actually paid on the claim: the
        // voided version's payment, or, for a replacement adjudicated but not yet paid, what
        // its original was paid.
        let paid = net_paid(&key, standing_version, &original);
        reverse(&original)?;
        original.status = ClaimStatus::Voided;
        original.updated_at = at;
        CLAIMS.insert(&(key.clone(), standing_version), &original);
        let payment_delta = match paid {
            Some(p) => Some(p.checked_neg().ok_or(Error::ArithmeticOverflow)?),
            None => None,
        };
        env().emit(&ClaimVoided {
            provider: by,
            claim_id: key.claim_id,
            subject: original.subject,
            version: standing_version,
            from,
            to: original.status,
            payment_delta,
            doc_hash: claim.doc_hash,
            by,
            at,
        });
        return Ok(standing_version);
    }
    let version = latest.checked_add(1).ok_or(Error::ArithmeticOverflow)?;
    let content_key = content_key(&claim, by);
    let stored = Claim {
        provider: by,
        claim_id: claim.claim_id.clone(),
        version,
        payer: claim.payer,
        coverage_id: claim.coverage_id,
        subject: claim.subject,
        service_date: claim.service_date,
        frequency: claim.frequency,
        lines: claim.lines,
        doc_hash: claim.doc_hash,
        content_key,
        status: ClaimStatus::Submitted,
        response: None,
        payment: None,
        submitted_at: at,
        updated_at: at,
    };
    CLAIMS.insert(&(key.clone(), version), &stored);
    VERSIONS.insert(&key, &version);
    if previous.is_none_or(|p| p.subject != claim.subject) {
        index_claim(claim.subject, &key)?;
    }
    env().emit(&ClaimSubmitted {
        provider: by,
        claim_id: claim.claim_id,
        subject: claim.subject,
        version,
        frequency: claim.frequency,
        payer: claim.payer,
        from: None,
        to: ClaimStatus::Submitted,
        by,
        at,
    });
    Ok(version)
}
