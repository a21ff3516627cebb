//! The accounting of disclosures (HIPAA 45 CFR 164.528; audit controls, 164.312(b)): each read
//! of a patient's records a node serves becomes one [`Disclosure`] in that node's append-only
//! log, hash-chained ([`Disclosure::hash`] covers the previous entry's hash), and the head of
//! the log is anchored on chain by the serving node's key ([`AnchorRecord`], through
//! [`AdminAction::AnchorDisclosures`](crate::tx::AdminAction::AnchorDisclosures)), so a node
//! cannot rewrite what it disclosed without the consortium seeing that its log no longer
//! leads to the head it anchored.

use parity_scale_codec::{Decode, Encode};

use crate::hash::blake2b_256;
use crate::tx::PublicKey;

/// How a read ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub enum DisclosureOutcome {
    /// The contract answered: the data was disclosed.
    Disclosed,
    /// The contract refused the reader (an attempt, recorded for audit).
    Refused,
    /// The read failed otherwise (out of gas, a trap): nothing was disclosed.
    Failed,
}

impl DisclosureOutcome {
    /// Its name, as the API and the CLI spell it.
    pub fn name(self) -> &'static str {
        match self {
            DisclosureOutcome::Disclosed => "disclosed",
            DisclosureOutcome::Refused => "refused",
            DisclosureOutcome::Failed => "failed",
        }
    }

    /// The outcome [`name`](Self::name) spells, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Disclosed, Self::Refused, Self::Failed]
            .into_iter()
            .find(|o| o.name() == name)
    }
}

/// One read that concerned one or more patients, as the serving node recorded it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Disclosure {
    /// Its position in the node's log (0 is the first).
    pub seq: u64,
    /// The hash of the entry before it (zero for the first): the chain.
    pub prev: [u8; 32],
    /// When the node served it (Unix milliseconds, the node's clock).
    pub at_ms: u64,
    /// Who read: the member key that signed the request.
    pub reader: PublicKey,
    /// The reader's organisation.
    pub org: String,
    /// The contract read.
    pub contract: [u8; 32],
    /// The message (query) read.
    pub message: String,
    /// Blake2b-256 of the query's input (selector and arguments).
    pub args_hash: [u8; 32],
    /// Blake2b-256 of what the contract returned (the data disclosed, or the refusal).
    pub result_hash: [u8; 32],
    /// The subjects the read concerned: every `SubjectId` in its arguments and its answer.
    pub subjects: Vec<[u8; 32]>,
    /// The purpose of use the request gave (an HL7 v3 ActReason code such as `TREAT`).
    pub purpose: Option<String>,
    /// A break-the-glass read (purpose `ETREAT`, emergency treatment).
    pub btg: bool,
    /// How it ended.
    pub outcome: DisclosureOutcome,
    /// The consent directory (AccessConsent instance) that governs the contract read, when it
    /// names one: the subject's patients are those it links to the subject.
    pub directory: Option<[u8; 32]>,
}

impl Disclosure {
    /// The entry's hash: Blake2b-256 of its SCALE encoding, which includes the previous hash.
    pub fn hash(&self) -> [u8; 32] {
        blake2b_256(&self.encode())
    }
}

/// A node's log head as anchored on chain: every anchor is kept (state key
/// `DisclosureAnchorAt(node key, index)`), the latest also under `DisclosureAnchor(node key)`.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct AnchorRecord {
    /// Its number among the node's anchors (0 is the first).
    pub index: u64,
    /// How many entries the log had.
    pub entries: u64,
    /// The hash of its last entry.
    pub head: [u8; 32],
    /// The block that recorded the anchor.
    pub height: u64,
}

/// Why a log does not match its anchor.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LogMismatch {
    /// An entry's `prev` is not the previous entry's hash (or an entry is out of place).
    #[error("entry {seq} does not follow the entry before it: the log was altered")]
    Broken {
        /// The first entry that does not follow.
        seq: u64,
    },
    /// The log's hash after the anchored number of entries is not the anchored head.
    #[error("the log's first {entries} entries do not lead to the head anchored at block {height}")]
    NotAnchored {
        /// The anchored number of entries.
        entries: u64,
        /// The block of the anchor.
        height: u64,
    },
    /// The log is shorter than its anchor.
    #[error("the log has {have} entries, fewer than the {entries} anchored")]
    Truncated {
        /// Entries present.
        have: u64,
        /// Entries anchored.
        entries: u64,
    },
}

/// Checks a whole log (entries 0.. in order) against its chain and every anchor the node made:
/// each anchor fixes the hash after its number of entries, so a log rewritten and re-anchored
/// later still misses the earlier anchors.
///
/// # Errors
/// [`LogMismatch`]: where the log stops being the one that was anchored.
pub fn verify_log(log: &[Disclosure], anchors: &[AnchorRecord]) -> Result<(), LogMismatch> {
    let mut prev = [0u8; 32];
    for (i, entry) in log.iter().enumerate() {
        let i = i as u64;
        if entry.seq != i || entry.prev != prev {
            return Err(LogMismatch::Broken { seq: i });
        }
        prev = entry.hash();
        if let Some(a) = anchors
            .iter()
            .find(|a| a.entries == i + 1 && a.head != prev)
        {
            return Err(LogMismatch::NotAnchored {
                entries: a.entries,
                height: a.height,
            });
        }
    }
    match anchors.iter().map(|a| a.entries).max() {
        Some(entries) if entries > log.len() as u64 => Err(LogMismatch::Truncated {
            have: log.len() as u64,
            entries,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A log of `n` chained entries.
    fn log(n: u64) -> Vec<Disclosure> {
        let mut prev = [0u8; 32];
        (0..n)
            .map(|seq| {
                let d = Disclosure {
                    seq,
                    prev,
                    at_ms: 1_000 + seq,
                    reader: PublicKey([seq as u8; 32]),
                    org: "st-mary-hospital".into(),
                    contract: [7; 32],
                    message: "get_consent".into(),
                    args_hash: [1; 32],
                    result_hash: [2; 32],
                    subjects: vec![[3; 32]],
                    purpose: Some("TREAT".into()),
                    btg: false,
                    outcome: DisclosureOutcome::Disclosed,
                    directory: Some([7; 32]),
                };
                prev = d.hash();
                d
            })
            .collect()
    }

    fn anchor(log: &[Disclosure], entries: u64) -> AnchorRecord {
        AnchorRecord {
            index: 0,
            entries,
            head: log[entries as usize - 1].hash(),
            height: 9,
        }
    }

    #[test]
    fn an_untouched_log_matches_its_anchor_and_may_have_grown_since() {
        let l = log(5);
        assert_eq!(verify_log(&l, &[]), Ok(()));
        assert_eq!(verify_log(&l, &[anchor(&l, 5)]), Ok(()));
        assert_eq!(verify_log(&l, &[anchor(&l, 3)]), Ok(()));
    }

    #[test]
    fn a_rewritten_entry_breaks_the_chain_or_misses_the_anchor() {
        let l = log(5);
        let a = anchor(&l, 5);
        // A middle entry rewritten: the next one no longer follows it.
        let mut m = l.clone();
        m[2].org = "nobody".into();
        assert_eq!(
            verify_log(&m, std::slice::from_ref(&a)),
            Err(LogMismatch::Broken { seq: 3 })
        );
        // The last entry rewritten: the chain holds, the anchor does not.
        let mut m = l.clone();
        m[4].purpose = None;
        assert_eq!(
            verify_log(&m, std::slice::from_ref(&a)),
            Err(LogMismatch::NotAnchored {
                entries: 5,
                height: 9
            })
        );
        // Rewritten and re-chained from entry 2 on: the anchor still catches it.
        let mut m = l.clone();
        m[2].reader = PublicKey([99; 32]);
        for i in 3..5 {
            m[i].prev = m[i - 1].hash();
        }
        assert!(matches!(
            verify_log(&m, std::slice::from_ref(&a)),
            Err(LogMismatch::NotAnchored { .. })
        ));
        // Rewritten from entry 2 on, re-chained, and anchored again with one entry more: the
        // earlier anchor (after 3 entries) still catches it.
        let early = anchor(&l, 3);
        let mut m = l.clone();
        m[2].org = "nobody".into();
        for i in 3..5 {
            m[i].prev = m[i - 1].hash();
        }
        let mut extra = log(6).pop().unwrap();
        extra.prev = m[4].hash();
        m.push(extra);
        let late = anchor(&m, 6);
        assert_eq!(
            verify_log(&m, std::slice::from_ref(&late)),
            Ok(()),
            "alone, the late anchor is fooled"
        );
        assert!(matches!(
            verify_log(&m, &[early, late]),
            Err(LogMismatch::NotAnchored { entries: 3, .. })
        ));
        // Entries dropped from the end, or one removed from the middle.
        assert_eq!(
            verify_log(&l[..3], std::slice::from_ref(&a)),
            Err(LogMismatch::Truncated {
                have: 3,
                entries: 5
            })
        );
        let mut m = l.clone();
        m.remove(1);
        assert_eq!(
            verify_log(&m, std::slice::from_ref(&a)),
            Err(LogMismatch::Broken { seq: 1 })
        );
    }
}
