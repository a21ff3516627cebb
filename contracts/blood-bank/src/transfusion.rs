//! Transfusion at the bedside: start, end (with any reaction) and return of a unit, and
//! the recipient's history.

use crate::access::*;
use crate::configuration::*;
use crate::errors::*;
use crate::events::*;
use crate::storage::*;
use crate::types::*;
use crate::units::*;
use carechain_consent_api::Role;
use carechain_consent_api::SubjectId;
use carechain_sdk::prelude::*;

pub(crate) fn start_transfusion(unit: UnitKey, recipient: SubjectId) -> Result<(), Error> {
    let by = require(Role::Practitioner);
    let mut u = live(&unit);
    accept(&u, &[UnitStatus::Issued], State::Transfused);
    if u.reserved_for != Some(recipient) {
        fail(Error::RecipientMismatch);
    }
    let at = now();
    TRANSFUSIONS.insert(
        &unit,
        &Transfusion {
            din: unit.din.clone(),
            product_code: unit.product_code.clone(),
            recipient,
            practitioner: by,
            started_at: at,
            ended_at: None,
            reaction_code: None,
        },
    );
    let from = u.status;
    u.status = UnitStatus::Transfused;
    save(&unit, from, &u);
    env().emit(&TransfusionStarted {
        din: unit.din,
        product_code: unit.product_code,
        recipient,
        from,
        to: u.status,
        by,
        at,
    });
    Ok(())
}

pub(crate) fn end_transfusion(unit: UnitKey, reaction: Option<ReactionCode>) -> Result<(), Error> {
    let by = require(Role::Practitioner);
    UNITS
        .get(&unit)
        .unwrap_or_else(|| fail(Error::UnitNotFound));
    let mut t = TRANSFUSIONS.get(&unit).unwrap_or_else(|| {
        fail(Error::InvalidTransition {
            entity: Entity::Transfusion,
            from: State::NotStarted,
            attempted: State::Completed,
        })
    });
    if t.ended_at.is_some() {
        fail(Error::InvalidTransition {
            entity: Entity::Transfusion,
            from: State::Completed,
            attempted: State::Completed,
        });
    }
    let at = now();
    t.ended_at = Some(at);
    t.reaction_code = reaction;
    TRANSFUSIONS.insert(&unit, &t);
    match reaction {
        Some(reaction) => env().emit(&TransfusionReaction {
            din: unit.din,
            product_code: unit.product_code,
            recipient: t.recipient,
            reaction,
            started_at: t.started_at,
            from: State::InProgress,
            to: State::Completed,
            by,
            at,
        }),
        None => env().emit(&TransfusionEnded {
            din: unit.din,
            product_code: unit.product_code,
            recipient: t.recipient,
            started_at: t.started_at,
            from: State::InProgress,
            to: State::Completed,
            by,
            at,
        }),
    }
    Ok(())
}

pub(crate) fn return_unit(
    unit: UnitKey,
    minutes_out: u32,
    in_range: bool,
) -> Result<UnitStatus, Error> {
    let by = require(Role::TransfusionService);
    let mut u = held(&unit, &by);
    let accepted = in_range && minutes_out <= get_config().return_window_minutes;
    let attempted = if accepted {
        State::Available
    } else {
        State::Discarded
    };
    accept(&u, &[UnitStatus::Issued], attempted);
    let from = u.status;
    u.status = if accepted {
        UnitStatus::Available
    } else {
        UnitStatus::Discarded {
            reason: DiscardReason::ReturnNotAcceptable,
        }
    };
    u.reserved_for = None;
    save(&unit, from, &u);
    env().emit(&UnitReturned {
        din: unit.din,
        product_code: unit.product_code,
        minutes_out,
        in_range,
        from,
        to: u.status,
        by,
        at: now(),
    });
    Ok(u.status)
}

pub(crate) fn recipient_of(subject: &SubjectId) -> Recipient {
    RECIPIENTS
        .get(subject)
        .unwrap_or_else(|| fail(Error::RecipientNotFound))
}

pub(crate) fn add_history(subject: &SubjectId, unit: &UnitKey, issued_at: u64, emergency: bool) {
    let n = HISTORY_LEN.get(subject).unwrap_or(0);
    HISTORY.insert(
        &(*subject, n),
        &HistoryRef {
            unit: unit.clone(),
            issued_at,
            emergency,
        },
    );
    HISTORY_LEN.insert(
        subject,
        &n.checked_add(1)
            .unwrap_or_else(|| fail(Error::ArithmeticOverflow)),
    );
}
