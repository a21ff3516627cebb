//! Claims' storage layout.

use crate::types::*;
use carechain_consent_api::SubjectId;
use carechain_sdk::prelude::*;

pub(crate) const CONSENT: Item<Address> = Item::new(b"consent");

pub(crate) const COVERAGES: Map<CoverageId, Coverage> = Map::new(b"cov");

pub(crate) const ACCUMULATORS: Map<(CoverageId, u32), Accumulator> = Map::new(b"acc");

pub(crate) const PRIOR_AUTHS: Map<(Address, AuthId), PriorAuth> = Map::new(b"pa");

pub(crate) const SUBJECT_AUTHS_LEN: Map<SubjectId, u32> = Map::new(b"pa_n");

pub(crate) const SUBJECT_AUTHS: Map<(SubjectId, u32), (Address, AuthId)> = Map::new(b"pa_s");

pub(crate) const VERSIONS: Map<ClaimKey, u32> = Map::new(b"ver");

pub(crate) const CLAIMS: Map<(ClaimKey, u32), Claim> = Map::new(b"claim");

pub(crate) const SUBJECT_CLAIMS_LEN: Map<SubjectId, u32> = Map::new(b"cl_n");

pub(crate) const SUBJECT_CLAIMS: Map<(SubjectId, u32), ClaimKey> = Map::new(b"cl_s");

pub(crate) const CONTENT: Map<Hash, u32> = Map::new(b"content");

pub(crate) fn now() -> u64 {
    env().block_time()
}
