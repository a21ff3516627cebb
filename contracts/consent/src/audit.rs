//! The access log (HIPAA audit controls, 45 CFR 164.312(b)) and the review of
//! break-the-glass access by a privacy officer.

use crate::directory::*;
use crate::errors::*;
use crate::events::*;
use crate::reading::*;
use crate::storage::*;
use crate::types::*;
use carechain_consent_api::{Role, SubjectId};
use carechain_sdk::prelude::*;

pub(crate) fn review_break_glass(seq: u32, outcome: ReviewOutcome) -> Result<(), Error> {
    let by = require(Role::PrivacyOfficer)?;
    let mut entry = LOG.get(seq).ok_or(Error::LogEntryNotFound)?;
    let attempted = match outcome {
        ReviewOutcome::Appropriate => ReviewStatus::Appropriate,
        ReviewOutcome::Inappropriate => ReviewStatus::Inappropriate,
    };
    match entry.review {
        Some(ReviewStatus::Pending) => {}
        other => {
            return Err(Error::InvalidTransition {
                entity: Entity::BreakGlassReview,
                from: match other {
                    Some(ReviewStatus::Appropriate) => State::Appropriate,
                    Some(ReviewStatus::Inappropriate) => State::Inappropriate,
                    _ => State::Pending,
                },
                attempted: review_state(attempted),
            });
        }
    }
    entry.review = Some(attempted);
    LOG.set(seq, &entry);
    let mut pending = PENDING_REVIEWS.get().unwrap_or_default();
    pending.retain(|s| *s != seq);
    PENDING_REVIEWS.set(&pending);
    env().emit(&BreakGlassReviewed {
        subject: entry.subject,
        seq,
        outcome,
        by,
        at: now(),
    });
    Ok(())
}

pub(crate) fn access_log(
    subject: SubjectId,
    start: u32,
    limit: u32,
) -> Result<Vec<AccessLogEntry>, Error> {
    let caller = env().caller();
    let officer = require_actor(&caller, Some(Role::PrivacyOfficer)).is_ok();
    if !officer {
        patient_for(&subject)?;
    }
    let len = SUBJECT_LOG_LEN.get(&subject).unwrap_or(0);
    let end = len.min(start.saturating_add(limit.min(MAX_PAGE)));
    let mut out = Vec::new();
    for i in start..end {
        if let Some(seq) = SUBJECT_LOG.get(&(subject, i))
            && let Some(entry) = LOG.get(seq)
        {
            out.push(entry);
        }
    }
    Ok(out)
}

pub(crate) fn pending_btg_reviews() -> Result<Vec<AccessLogEntry>, Error> {
    require_overseer()?;
    Ok(PENDING_REVIEWS
        .get()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|seq| LOG.get(seq))
        .collect())
}

pub(crate) fn review_state(s: ReviewStatus) -> State {
    match s {
        ReviewStatus::Pending => State::Pending,
        ReviewStatus::Appropriate => State::Appropriate,
        ReviewStatus::Inappropriate => State::Inappropriate,
    }
}

pub(crate) fn append_log(entry: &AccessLogEntry) -> Result<u32, Error> {
    let seq = LOG.push(entry);
    let n = SUBJECT_LOG_LEN.get(&entry.subject).unwrap_or(0);
    SUBJECT_LOG.insert(&(entry.subject, n), &seq);
    SUBJECT_LOG_LEN.insert(
        &entry.subject,
        &n.checked_add(1).ok_or(Error::ArithmeticOverflow)?,
    );
    Ok(seq)
}
