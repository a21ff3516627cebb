//! AccessConsent's storage layout.

use crate::types::*;
use carechain_consent_api::SubjectId;
use carechain_sdk::prelude::*;

pub(crate) const CONFIG: Item<Config> = Item::new(b"config");

pub(crate) const ACTORS: Map<Address, Actor> = Map::new(b"actors");

pub(crate) const LINKS: Map<(Address, SubjectId), bool> = Map::new(b"links");

pub(crate) const TRUSTED: Map<Address, bool> = Map::new(b"trusted");

pub(crate) const CONSENTS: Map<ConsentId, Consent> = Map::new(b"consents");

pub(crate) const BY_SUBJECT: Map<SubjectId, Vec<ConsentId>> = Map::new(b"by_subject");

pub(crate) const LOG: Vector<AccessLogEntry> = Vector::new(b"log");

pub(crate) const SUBJECT_LOG_LEN: Map<SubjectId, u32> = Map::new(b"subject_log_len");

pub(crate) const SUBJECT_LOG: Map<(SubjectId, u32), u32> = Map::new(b"subject_log");

pub(crate) const PENDING_REVIEWS: Item<Vec<u32>> = Item::new(b"pending_reviews");

pub(crate) fn now() -> u64 {
    env().block_time()
}
