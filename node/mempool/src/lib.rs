//! Transactions waiting for a block.
//!
//! Each sender's transactions are kept in nonce order; a block takes them round-robin across
//! senders, senders ordered by the arrival of their next transaction, so a flood from one member
//! cannot starve the others. Size is bounded per sender and in total; duplicates and used nonces
//! are refused on entry.

use std::collections::{BTreeMap, BTreeSet};

use carechain_runtime::Address;

use carechain_primitives::tx::{SignedTx, TxError, TxHash};

/// Mempool bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MempoolLimits {
    /// Most transactions waiting in total.
    pub max_total: usize,
    /// Most transactions waiting per sender (also how far ahead of its next nonce a sender may
    /// go). Counted from the committed nonce, so it covers the block being executed as well as
    /// those waiting: it must be large enough for one member to fill a block and have the next
    /// one queued, or a busy member (a billing office sending a day's claims) idles between blocks.
    pub max_per_sender: usize,
}

impl MempoolLimits {
    /// The default [`MempoolLimits::max_per_sender`].
    pub const DEFAULT_PER_SENDER: usize = 20_000;
}

impl Default for MempoolLimits {
    fn default() -> Self {
        MempoolLimits {
            max_total: 50_000,
            max_per_sender: Self::DEFAULT_PER_SENDER,
        }
    }
}

#[derive(Debug)]
struct Entry {
    tx: SignedTx,
    hash: TxHash,
    arrival: u64,
}

/// The mempool.
#[derive(Debug, Default)]
pub struct Mempool {
    limits: MempoolLimits,
    senders: BTreeMap<Address, BTreeMap<u64, Entry>>,
    known: BTreeSet<TxHash>,
    arrivals: u64,
    total: usize,
}

impl Mempool {
    /// An empty mempool.
    pub fn new(limits: MempoolLimits) -> Self {
        Mempool {
            limits,
            ..Mempool::default()
        }
    }

    /// Transactions waiting.
    pub fn len(&self) -> usize {
        self.total
    }

    /// True if nothing waits.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// True if the transaction is waiting.
    pub fn contains(&self, hash: &TxHash) -> bool {
        self.known.contains(hash)
    }

    /// The sender's next nonce counting its waiting transactions: `committed` (its next nonce in
    /// the committed state) plus the run of consecutive nonces waiting from there.
    pub fn next_nonce(&self, sender: &Address, committed: u64) -> u64 {
        let Some(queue) = self.senders.get(sender) else {
            return committed;
        };
        let mut next = committed;
        for nonce in queue.range(committed..).map(|(n, _)| *n) {
            if nonce != next {
                break;
            }
            next += 1;
        }
        next
    }

    /// Whether [`Mempool::insert`] would take `tx` now (`next_nonce` is the sender's next nonce
    /// in the committed state): the checks that cost nothing, made before the signature.
    ///
    /// # Errors
    /// As [`Mempool::insert`].
    pub fn precheck(&self, tx: &SignedTx, next_nonce: u64) -> Result<TxHash, TxError> {
        let hash = tx.hash();
        self.check(tx, &hash, next_nonce)?;
        Ok(hash)
    }

    fn check(&self, tx: &SignedTx, hash: &TxHash, next_nonce: u64) -> Result<(), TxError> {
        if self.known.contains(hash) {
            return Err(TxError::Duplicate);
        }
        let nonce = tx.payload.nonce;
        if nonce < next_nonce {
            return Err(TxError::NonceTooLow {
                expected: next_nonce,
                found: nonce,
            });
        }
        if nonce - next_nonce >= self.limits.max_per_sender as u64 {
            return Err(TxError::NonceTooHigh {
                expected: next_nonce,
                found: nonce,
            });
        }
        let queue = self.senders.get(&tx.sender());
        if queue.is_some_and(|q| q.contains_key(&nonce)) {
            return Err(TxError::Duplicate);
        }
        if queue.map_or(0, BTreeMap::len) >= self.limits.max_per_sender {
            return Err(TxError::MempoolFull(format!(
                "the sender already has {} transactions waiting",
                self.limits.max_per_sender
            )));
        }
        if self.total >= self.limits.max_total {
            return Err(TxError::MempoolFull(format!(
                "{} transactions are waiting",
                self.total
            )));
        }
        Ok(())
    }

    /// Adds a transaction that passed the stateless and admission checks; `next_nonce` is the
    /// sender's next nonce in the committed state.
    ///
    /// # Errors
    /// [`TxError::Duplicate`] (the same transaction, or another with the same sender and nonce),
    /// [`TxError::NonceTooLow`], [`TxError::NonceTooHigh`], [`TxError::MempoolFull`].
    pub fn insert(&mut self, tx: SignedTx, next_nonce: u64) -> Result<TxHash, TxError> {
        let hash = tx.hash();
        self.insert_hashed(tx, hash, next_nonce)
    }

    /// [`Mempool::insert`] of a transaction whose hash (`hash`, from [`Mempool::precheck`]) is
    /// already known.
    ///
    /// # Errors
    /// As [`Mempool::insert`].
    pub fn insert_hashed(
        &mut self,
        tx: SignedTx,
        hash: TxHash,
        next_nonce: u64,
    ) -> Result<TxHash, TxError> {
        self.check(&tx, &hash, next_nonce)?;
        let sender = tx.sender();
        let nonce = tx.payload.nonce;
        self.arrivals += 1;
        self.senders.entry(sender).or_default().insert(
            nonce,
            Entry {
                tx,
                hash,
                arrival: self.arrivals,
            },
        );
        self.known.insert(hash);
        self.total += 1;
        Ok(hash)
    }

    /// Up to `max` transactions for the next block: each sender's run of consecutive nonces from
    /// its next one, taken one per sender per round, senders ordered by the arrival of their next
    /// transaction. Nothing is removed.
    pub fn select(&self, max: usize, next_nonce: impl Fn(&Address) -> u64) -> Vec<SignedTx> {
        // Each sender's ready run.
        let mut runs: Vec<(u64, Vec<&Entry>)> = Vec::new();
        for (sender, queue) in &self.senders {
            let first = next_nonce(sender);
            let run: Vec<&Entry> = (first..)
                .zip(queue.range(first..))
                .take_while(|(expected, (nonce, _))| *nonce == expected)
                .map(|(_, (_, entry))| entry)
                .collect();
            if let Some(first) = run.first() {
                runs.push((first.arrival, run));
            }
        }
        runs.sort_by_key(|(arrival, _)| *arrival);
        let mut out = Vec::new();
        let mut round = 0;
        while out.len() < max {
            let mut took = false;
            for (_, run) in &runs {
                if let Some(entry) = run.get(round) {
                    out.push(entry.tx.clone());
                    took = true;
                    if out.len() == max {
                        break;
                    }
                }
            }
            if !took {
                break;
            }
            round += 1;
        }
        out
    }

    /// Drops every transaction whose nonce is below its sender's next nonce (committed or
    /// superseded), after a block.
    pub fn prune(&mut self, next_nonce: impl Fn(&Address) -> u64) {
        let mut removed = Vec::new();
        for (sender, queue) in &mut self.senders {
            let next = next_nonce(sender);
            let keep = queue.split_off(&next);
            removed.extend(std::mem::replace(queue, keep).into_values().map(|e| e.hash));
        }
        self.senders.retain(|_, q| !q.is_empty());
        for hash in removed {
            self.known.remove(&hash);
            self.total -= 1;
        }
    }

    /// Removes one transaction (e.g. refused at execution).
    pub fn remove(&mut self, tx: &SignedTx) {
        let sender = tx.sender();
        if let Some(queue) = self.senders.get_mut(&sender)
            && let Some(entry) = queue.remove(&tx.payload.nonce)
        {
            self.known.remove(&entry.hash);
            self.total -= 1;
            if queue.is_empty() {
                self.senders.remove(&sender);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use carechain_primitives::tx::{Action, PublicKey, TxPayload};
    use ed25519_dalek::SigningKey;

    fn tx(signer: u8, nonce: u64) -> SignedTx {
        let key = SigningKey::from_bytes(&[signer; 32]);
        TxPayload {
            chain_id: "c".into(),
            sender: PublicKey(key.verifying_key().to_bytes()),
            nonce,
            gas_limit: 1,
            action: Action::Call {
                contract: Address([0; 32]),
                input: vec![],
            },
        }
        .sign(&key)
    }

    fn limits(total: usize, per_sender: usize) -> MempoolLimits {
        MempoolLimits {
            max_total: total,
            max_per_sender: per_sender,
        }
    }

    #[test]
    fn duplicates_used_and_distant_nonces_are_refused() {
        let mut pool = Mempool::new(limits(100, 10));
        pool.insert(tx(1, 5), 5).unwrap();
        assert_eq!(pool.insert(tx(1, 5), 5), Err(TxError::Duplicate));
        assert!(matches!(
            pool.insert(tx(1, 4), 5),
            Err(TxError::NonceTooLow { .. })
        ));
        assert!(matches!(
            pool.insert(tx(1, 15), 5),
            Err(TxError::NonceTooHigh { .. })
        ));
        assert_eq!(pool.len(), 1);
    }

    #[test]
    fn precheck_refuses_what_insert_would_and_changes_nothing() {
        let mut pool = Mempool::new(limits(3, 2));
        pool.insert(tx(1, 0), 0).unwrap();
        pool.insert(tx(2, 0), 0).unwrap();
        let fresh = tx(1, 1);
        assert_eq!(pool.precheck(&fresh, 0), Ok(fresh.hash()));
        assert_eq!(pool.precheck(&tx(1, 0), 0), Err(TxError::Duplicate));
        assert!(matches!(
            pool.precheck(&tx(1, 9), 0),
            Err(TxError::NonceTooHigh { .. })
        ));
        assert!(matches!(
            pool.precheck(&tx(3, 0), 1),
            Err(TxError::NonceTooLow { .. })
        ));
        pool.insert(tx(3, 0), 0).unwrap();
        assert!(matches!(
            pool.precheck(&tx(4, 0), 0),
            Err(TxError::MempoolFull(_))
        ));
        assert_eq!(pool.len(), 3, "prechecks add nothing");
    }

    #[test]
    fn a_flooding_sender_cannot_starve_the_others() {
        let mut pool = Mempool::new(limits(100, 10));
        for n in 0..10 {
            pool.insert(tx(1, n), 0).unwrap();
        }
        assert!(matches!(
            pool.insert(tx(1, 10), 0),
            Err(TxError::NonceTooHigh { .. })
        ));
        pool.insert(tx(2, 0), 0).unwrap();
        pool.insert(tx(3, 0), 0).unwrap();
        let picked = pool.select(3, |_| 0);
        let senders: Vec<_> = picked.iter().map(|t| t.payload.sender).collect();
        assert_eq!(
            senders,
            [
                tx(1, 0).payload.sender,
                tx(2, 0).payload.sender,
                tx(3, 0).payload.sender
            ]
        );
    }

    #[test]
    fn the_total_is_bounded_and_selection_follows_nonces() {
        let mut pool = Mempool::new(limits(3, 10));
        pool.insert(tx(1, 1), 0).unwrap(); // a gap: not ready until nonce 0 arrives
        pool.insert(tx(2, 0), 0).unwrap();
        pool.insert(tx(1, 0), 0).unwrap();
        assert!(matches!(
            pool.insert(tx(3, 0), 0),
            Err(TxError::MempoolFull(_))
        ));
        let picked = pool.select(10, |_| 0);
        let order: Vec<(PublicKey, u64)> = picked
            .iter()
            .map(|t| (t.payload.sender, t.payload.nonce))
            .collect();
        // sender 1's next transaction (nonce 0) arrived after sender 2's.
        let (s1, s2) = (tx(1, 0).payload.sender, tx(2, 0).payload.sender);
        assert_eq!(order, [(s2, 0), (s1, 0), (s1, 1)]);
        pool.prune(|a| if *a == tx(1, 0).sender() { 2 } else { 0 });
        assert_eq!(pool.len(), 1);
        pool.remove(&tx(2, 0));
        assert!(pool.is_empty());
    }
}
