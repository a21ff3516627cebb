//! A unit's state: its status machine, custody checks and storage.

use crate::errors::*;
use crate::inventory::*;
use crate::storage::*;
use crate::types::*;
use carechain_consent_api::SubjectId;
use carechain_sdk::prelude::*;

/// Ends the call with `error`, as returning `Err(error)` from the message would: the call
/// reverts with the error encoded, and its writes and events are discarded. Helpers fail
/// where the failure is found instead of threading a `Result` back to the message: every
/// `?` of a `Result<_, Error>` costs a copy of the error.
#[cold]
#[inline(never)]
pub(crate) fn fail(error: Error) -> ! {
    carechain_sdk::env::revert_with(&error)
}

/// A unit that exists and, if not terminal, has not expired.
pub(crate) fn live(key: &UnitKey) -> Unit {
    let u = UNITS.get(key).unwrap_or_else(|| fail(Error::UnitNotFound));
    not_expired(&u);
    u
}

/// A live unit held by `by`.
pub(crate) fn held(key: &UnitKey, by: &Address) -> Unit {
    let u = UNITS.get(key).unwrap_or_else(|| fail(Error::UnitNotFound));
    if u.location != *by {
        fail(Error::NotCustodian);
    }
    not_expired(&u);
    u
}

pub(crate) fn not_expired(u: &Unit) {
    if !is_terminal(&u.status) && now() >= u.expiry {
        fail(Error::UnitExpired);
    }
}

pub(crate) fn is_terminal(s: &UnitStatus) -> bool {
    matches!(
        s,
        UnitStatus::Transfused | UnitStatus::Discarded { .. } | UnitStatus::Expired
    )
}

pub(crate) fn state(s: &UnitStatus) -> State {
    match s {
        UnitStatus::Collected => State::Collected,
        UnitStatus::InTesting => State::InTesting,
        UnitStatus::Available => State::Available,
        UnitStatus::Quarantined { .. } => State::Quarantined,
        UnitStatus::Reserved => State::Reserved,
        UnitStatus::Issued => State::Issued,
        UnitStatus::Transfused => State::Transfused,
        UnitStatus::Discarded { .. } => State::Discarded,
        UnitStatus::Expired => State::Expired,
    }
}

pub(crate) fn invalid(from: &UnitStatus, attempted: State) -> Error {
    Error::InvalidTransition {
        entity: Entity::Unit,
        from: state(from),
        attempted,
    }
}

/// Checks that `u` may move to `attempted` from one of `accepted`.
pub(crate) fn accept(u: &Unit, accepted: &[UnitStatus], attempted: State) {
    if !accepted.contains(&u.status) {
        fail(invalid(&u.status, attempted))
    }
}

/// The unit is in stock for `recipient`: Available, or Reserved for them.
pub(crate) fn in_stock_for(u: &Unit, recipient: &SubjectId) {
    match u.status {
        UnitStatus::Available => {}
        UnitStatus::Reserved if u.reserved_for == Some(*recipient) => {}
        UnitStatus::Reserved => fail(Error::RecipientMismatch),
        status => fail(Error::UnitNotAvailable { status }),
    }
}

pub(crate) fn rejection(why: Rejection) -> Error {
    match why {
        Rejection::AboIncompatible => Error::AboIncompatible,
        Rejection::RhdIncompatible => Error::RhdIncompatible,
        Rejection::PlateletPlasmaIncompatible => Error::PlateletPlasmaIncompatible,
        Rejection::RhdNegativeAvailable => Error::RhdNegativeAvailable,
    }
}

/// Writes `u` (whose status was `from`) and keeps the stock index in step.
pub(crate) fn save(key: &UnitKey, from: UnitStatus, u: &Unit) {
    let mut old = u.clone();
    old.status = from;
    store(key, &old, u);
}

/// Writes `new` over `old` (same unit), moving it in or out of the stock index when its
/// availability or location changes. A unit is in the index exactly while Available.
pub(crate) fn store(key: &UnitKey, old: &Unit, new: &Unit) {
    let was = old.status == UnitStatus::Available;
    let is = new.status == UnitStatus::Available;
    if was && (!is || old.location != new.location) {
        unstock(key, &bucket(old));
    }
    if is && (!was || old.location != new.location) {
        stock(key, &bucket(new));
    }
    let mut u = new.clone();
    u.updated_at = now();
    UNITS.insert(key, &u);
}
