//! Typed contract storage over the host's key-value space.
//!
//! Declare storage as constants in the contract module; each has a name that namespaces its keys
//! (the name's length, the name, then the SCALE-encoded key), so two collections with different
//! names never share a key. Every read and write is a host call paid for by gas.
//!
//! ```ignore
//! const OWNER: Item<Address> = Item::new(b"owner");
//! const BALANCES: Map<Address, u64> = Map::new(b"balances");
//! const LOG: Vector<Hash> = Vector::new(b"log");
//! ```

use alloc::vec::Vec;
use core::marker::PhantomData;

use parity_scale_codec::{Decode, Encode, EncodeLike};

use crate::dispatch::check_writable;
use crate::sys;

fn namespaced(name: &[u8], extra: usize) -> Vec<u8> {
    let mut key = Vec::with_capacity(1 + name.len() + extra);
    key.push(name.len() as u8);
    key.extend_from_slice(name);
    key
}

/// Values up to this size are read with one host call; larger ones cost a second.
const FIRST_READ: usize = 64;

/// Reads and decodes the value under `key`.
fn read<T: Decode>(key: &[u8]) -> Option<T> {
    read_bytes(key).map(|bytes| decode(&bytes))
}

/// The value under `key`, read in one host call if it is small. Not generic, so the host calls
/// are in the contract once, not once per stored type.
#[inline(never)]
fn read_bytes(key: &[u8]) -> Option<Vec<u8>> {
    let mut buf: Vec<u8> = Vec::with_capacity(FIRST_READ);
    let len = unsafe {
        sys::storage_read(
            sys::ptr(key.as_ptr()),
            sys::len(key.len()),
            sys::ptr(buf.as_mut_ptr()),
            sys::len(FIRST_READ),
        )
    };
    if len < 0 {
        return None;
    }
    let len = len as usize;
    if len > FIRST_READ {
        buf.reserve_exact(len);
        unsafe {
            sys::storage_read(
                sys::ptr(key.as_ptr()),
                sys::len(key.len()),
                sys::ptr(buf.as_mut_ptr()),
                sys::len(len),
            );
        }
    }
    unsafe { buf.set_len(len) };
    Some(buf)
}

/// Raw read of `key`.
pub fn read_raw(key: &[u8]) -> Option<Vec<u8>> {
    let len = unsafe { sys::storage_read(sys::ptr(key.as_ptr()), sys::len(key.len()), 0, 0) };
    if len < 0 {
        return None;
    }
    let len = len as usize;
    let mut buf: Vec<u8> = Vec::with_capacity(len);
    unsafe {
        sys::storage_read(
            sys::ptr(key.as_ptr()),
            sys::len(key.len()),
            sys::ptr(buf.as_mut_ptr()),
            sys::len(len),
        );
        buf.set_len(len);
    }
    Some(buf)
}

fn write<T: Encode>(key: &[u8], value: &T) {
    // Not `using_encoded`: its `size_hint` pass costs more code than the reallocations it saves.
    let mut bytes = Vec::new();
    value.encode_to(&mut bytes);
    write_raw(key, &bytes);
}

/// Raw write of `key`. Reverts with `WriteInQuery` inside a `#[query]`.
pub fn write_raw(key: &[u8], value: &[u8]) {
    check_writable();
    unsafe {
        sys::storage_write(
            sys::ptr(key.as_ptr()),
            sys::len(key.len()),
            sys::ptr(value.as_ptr()),
            sys::len(value.len()),
        )
    };
}

/// Raw removal of `key`. Reverts with `WriteInQuery` inside a `#[query]`.
pub fn remove_raw(key: &[u8]) {
    check_writable();
    unsafe { sys::storage_remove(sys::ptr(key.as_ptr()), sys::len(key.len())) };
}

/// True if `key` has a value.
pub fn contains_raw(key: &[u8]) -> bool {
    unsafe { sys::storage_contains(sys::ptr(key.as_ptr()), sys::len(key.len())) == 1 }
}

fn decode<T: Decode>(mut bytes: &[u8]) -> T {
    // Only this contract writes its storage, through these types: a value that does not decode
    // means the contract changed a layout without migrating, a bug worth stopping for.
    match T::decode(&mut bytes) {
        Ok(v) => v,
        Err(_) => wrong_type(),
    }
}

/// The panic of [`decode`], out of line: once in the contract, not once per stored type.
#[cold]
#[inline(never)]
fn wrong_type() -> ! {
    panic!("storage holds a value of another type")
}

/// A single value stored under a name.
pub struct Item<T> {
    name: &'static [u8],
    _value: PhantomData<fn() -> T>,
}

impl<T: Encode + Decode> Item<T> {
    /// An item stored under `name` (at most 255 bytes).
    pub const fn new(name: &'static [u8]) -> Self {
        assert!(name.len() < 256, "storage names are at most 255 bytes");
        Item {
            name,
            _value: PhantomData,
        }
    }

    fn key(&self) -> Vec<u8> {
        namespaced(self.name, 0)
    }

    /// The value, if set.
    pub fn get(&self) -> Option<T> {
        read(&self.key())
    }

    /// Sets the value.
    pub fn set(&self, value: &T) {
        write(&self.key(), value);
    }

    /// Removes the value.
    pub fn remove(&self) {
        remove_raw(&self.key());
    }

    /// True if a value is set.
    pub fn exists(&self) -> bool {
        contains_raw(&self.key())
    }
}

/// A map from SCALE-encoded keys to values under a name.
pub struct Map<K, V> {
    name: &'static [u8],
    _kv: PhantomData<fn() -> (K, V)>,
}

impl<K: Encode, V: Encode + Decode> Map<K, V> {
    /// A map stored under `name` (at most 255 bytes).
    pub const fn new(name: &'static [u8]) -> Self {
        assert!(name.len() < 256, "storage names are at most 255 bytes");
        Map {
            name,
            _kv: PhantomData,
        }
    }

    fn key<Q: EncodeLike<K>>(&self, k: &Q) -> Vec<u8> {
        // No `size_hint` pass: it is as much code as the encoding, per key type.
        let mut key = namespaced(self.name, 32);
        k.encode_to(&mut key);
        key
    }

    // Every method takes the key as anything that encodes like `K` (`EncodeLike`): a `&K`, or
    // e.g. `(&a, &b)` for a `(A, B)` key, which spares cloning the parts into a tuple.

    /// The value under `k`, if any.
    pub fn get<Q: EncodeLike<K>>(&self, k: &Q) -> Option<V> {
        read(&self.key(k))
    }

    /// Sets the value under `k`.
    pub fn insert<Q: EncodeLike<K>>(&self, k: &Q, v: &V) {
        write(&self.key(k), v);
    }

    /// Removes the value under `k`.
    pub fn remove<Q: EncodeLike<K>>(&self, k: &Q) {
        remove_raw(&self.key(k));
    }

    /// True if `k` has a value.
    pub fn contains<Q: EncodeLike<K>>(&self, k: &Q) -> bool {
        contains_raw(&self.key(k))
    }
}

/// An append-only list under a name, read by index or by bounded ranges: iteration costs gas per
/// element, so it is always bounded by an explicit limit.
pub struct Vector<T> {
    name: &'static [u8],
    _value: PhantomData<fn() -> T>,
}

impl<T: Encode + Decode> Vector<T> {
    /// A list stored under `name` (at most 255 bytes).
    pub const fn new(name: &'static [u8]) -> Self {
        assert!(name.len() < 256, "storage names are at most 255 bytes");
        Vector {
            name,
            _value: PhantomData,
        }
    }

    fn key(&self, index: u32) -> Vec<u8> {
        vector_key(self.name, index)
    }

    /// The number of elements.
    pub fn len(&self) -> u32 {
        vector_len(self.name)
    }

    /// True if there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends `value`; returns its index.
    ///
    /// # Panics
    /// If the list already holds `u32::MAX` elements.
    pub fn push(&self, value: &T) -> u32 {
        let index = self.len();
        // Not `expect`: its message is formatted, which pulls `core::fmt` into every contract.
        let next = index
            .checked_add(1)
            .unwrap_or_else(|| panic!("Vector is full"));
        write(&self.key(index), value);
        write(&namespaced(self.name, 0), &next);
        index
    }

    /// The element at `index`, if there is one.
    pub fn get(&self, index: u32) -> Option<T> {
        if index >= self.len() {
            return None;
        }
        read(&self.key(index))
    }

    /// Replaces the element at `index`; false if there is none.
    pub fn set(&self, index: u32, value: &T) -> bool {
        if index >= self.len() {
            return false;
        }
        write(&self.key(index), value);
        true
    }

    /// At most `limit` elements starting at `start`, in order.
    pub fn range(&self, start: u32, limit: u32) -> Vec<T> {
        let end = self.len().min(start.saturating_add(limit));
        // A loop rather than `filter_map().collect()`: the iterator adapters cost code per
        // element type.
        let mut out = Vec::new();
        for i in start..end {
            if let Some(v) = read(&self.key(i)) {
                out.push(v);
            }
        }
        out
    }
}

// What does not depend on a vector's element type, once in the contract rather than once per
// element type.

/// The length of the vector stored under `name`.
#[inline(never)]
fn vector_len(name: &[u8]) -> u32 {
    read(&namespaced(name, 0)).unwrap_or(0)
}

/// The key of element `index` of the vector stored under `name`.
#[inline(never)]
fn vector_key(name: &[u8], index: u32) -> Vec<u8> {
    let mut key = namespaced(name, 4);
    key.extend_from_slice(&index.to_be_bytes());
    key
}
