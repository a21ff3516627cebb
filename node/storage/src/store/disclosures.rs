//! The node's disclosure log (see `carechain_primitives::disclosure`): append-only and
//! hash-chained, in its own column family, with an index by subject. It is this node's record
//! of what it served, not consensus state: only its head is anchored on chain.
//!
//! Keys: `e ++ seq` (big-endian) -> the SCALE entry; `s ++ subject ++ seq` -> nothing (the index);
//! `h` -> `(entries, head)`.

use carechain_primitives::disclosure::Disclosure;

use super::*;

const ENTRY: u8 = b'e';
const BY_SUBJECT: u8 = b's';
const HEAD_KEY: &[u8] = b"h";

fn entry_key(seq: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = ENTRY;
    k[1..].copy_from_slice(&seq.to_be_bytes());
    k
}

fn subject_key(subject: &[u8; 32], seq: u64) -> [u8; 41] {
    let mut k = [0u8; 41];
    k[0] = BY_SUBJECT;
    k[1..33].copy_from_slice(subject);
    k[33..].copy_from_slice(&seq.to_be_bytes());
    k
}

impl Store {
    /// The log's length and the hash of its last entry (zero when empty).
    ///
    /// # Errors
    /// [`StoreError`] on a read failure or corrupt data.
    pub fn disclosure_head(&self) -> Result<(u64, [u8; 32]), StoreError> {
        match self.db.get_cf(self.cf(CF_DISCLOSURES), HEAD_KEY)? {
            None => Ok((0, [0; 32])),
            Some(bytes) => decode("disclosure head", &bytes),
        }
    }

    /// Appends the entry `make(seq, prev)` builds for the next position and the previous
    /// entry's hash, with its subject index, in one write; returns it. Appends are serialised.
    ///
    /// # Errors
    /// [`StoreError`] if the head cannot be read or the write fails.
    pub fn append_disclosure(
        &self,
        make: impl FnOnce(u64, [u8; 32]) -> Disclosure,
    ) -> Result<Disclosure, StoreError> {
        let _turn = self
            .disclosure_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (seq, prev) = self.disclosure_head()?;
        let entry = make(seq, prev);
        debug_assert_eq!((entry.seq, entry.prev), (seq, prev));
        let cf = self.cf(CF_DISCLOSURES);
        let mut batch = WriteBatch::default();
        batch.put_cf(cf, entry_key(seq), entry.encode());
        for subject in &entry.subjects {
            batch.put_cf(cf, subject_key(subject, seq), []);
        }
        batch.put_cf(cf, HEAD_KEY, (seq + 1, entry.hash()).encode());
        self.db.write(batch)?;
        Ok(entry)
    }

    /// The entry at `seq`.
    ///
    /// # Errors
    /// [`StoreError`] on a read failure or corrupt data.
    pub fn disclosure(&self, seq: u64) -> Result<Option<Disclosure>, StoreError> {
        match self.db.get_cf(self.cf(CF_DISCLOSURES), entry_key(seq))? {
            None => Ok(None),
            Some(bytes) => Ok(Some(decode("disclosure", &bytes)?)),
        }
    }

    /// Up to `limit` entries from `start`, in order.
    ///
    /// # Errors
    /// [`StoreError`] on a read failure or corrupt data.
    pub fn disclosures(&self, start: u64, limit: u64) -> Result<Vec<Disclosure>, StoreError> {
        let (len, _) = self.disclosure_head()?;
        let end = len.min(start.saturating_add(limit));
        (start..end)
            .filter_map(|seq| self.disclosure(seq).transpose())
            .collect()
    }

    /// Up to `limit` entries about `subject` at or after position `from`, in order.
    ///
    /// # Errors
    /// [`StoreError`] on a read failure or corrupt data.
    pub fn disclosures_of(
        &self,
        subject: &[u8; 32],
        from: u64,
        limit: usize,
    ) -> Result<Vec<Disclosure>, StoreError> {
        let cf = self.cf(CF_DISCLOSURES);
        let start = subject_key(subject, from);
        let mut out = Vec::new();
        let iter = self.db.iterator_cf(
            cf,
            rocksdb::IteratorMode::From(&start, rocksdb::Direction::Forward),
        );
        for item in iter {
            let (key, _) = item?;
            if key.len() != 41 || key[0] != BY_SUBJECT || key[1..33] != subject[..] {
                break;
            }
            if out.len() >= limit {
                break;
            }
            let seq = u64::from_be_bytes(key[33..].try_into().expect("8 bytes"));
            if let Some(entry) = self.disclosure(seq)? {
                out.push(entry);
            }
        }
        Ok(out)
    }

    /// Rewrites the stored entry `seq` with `change` applied, leaving the head and every other
    /// entry as they are: what an operator rewriting the node's past would do. For tests of
    /// tamper evidence only.
    ///
    /// # Errors
    /// [`StoreError`] on a read or write failure; [`StoreError::Corrupt`] if there is no entry.
    #[cfg(feature = "fault-injection")]
    pub fn tamper_disclosure(
        &self,
        seq: u64,
        change: impl FnOnce(&mut Disclosure),
    ) -> Result<(), StoreError> {
        let mut entry = self.disclosure(seq)?.ok_or(StoreError::Corrupt {
            what: "disclosure",
            detail: format!("no entry {seq}"),
        })?;
        change(&mut entry);
        self.db
            .put_cf(self.cf(CF_DISCLOSURES), entry_key(seq), entry.encode())?;
        Ok(())
    }
}
