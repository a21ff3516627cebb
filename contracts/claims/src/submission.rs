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
    let previous = if latest > 0 {
        CLAIMS.get(&(key.clone(), latest))
    } else {
        None
    };
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
        let old_benefit = reverse(&original)?;
        original.status = ClaimStatus::Voided;
        original.updated_at = at;
        CLAIMS.insert(&(key.clone(), latest), &original);
        let payment_delta = if from == ClaimStatus::Paid {
            Some(old_benefit.checked_neg().ok_or(Error::ArithmeticOverflow)?)
        } else {
            None
        };
        env().emit(&ClaimVoided {
            provider: by,
            claim_id: key.claim_id,
            subject: original.subject,
            version: latest,
            from,
            to: original.status,
            payment_delta,
            doc_hash: claim.doc_hash,
            by,
            at,
        });
        return Ok(latest);
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
