//! The Carechain host ABI, version 1: the one narrow interface between contracts and the runtime.
//!
//! Both the contract SDK (inside `wasm32v1-none` contracts) and the runtime (on the host) depend on
//! this crate and nothing else joins them. It fixes:
//!
//! * the import module name ([`HOST_MODULE`]) and every host function's name and wasm signature
//!   ([`HostFn`]);
//! * the exports a contract must provide ([`EXPORT_MEMORY`], [`EXPORT_DEPLOY`], [`EXPORT_CALL`]);
//! * the status codes host functions return ([`CallStatus`], [`ABSENT`]);
//! * the SCALE types both sides exchange ([`Address`], [`CodeHash`], [`Topic`]);
//! * the form of the metadata custom section ([`METADATA_SECTION`], [`metadata`]).
//!
//! # Conventions
//!
//! All pointers and lengths are `i32` offsets into the calling contract's exported `memory`,
//! interpreted as unsigned. The host checks every `(ptr, len)` range; a range outside memory traps
//! the caller (it never panics the host). Integers wider than 32 bits (`block_height`,
//! `block_time`, gas limits) are `i64`, interpreted as unsigned.
//!
//! Execution of a contract starts at its exported `deploy` (once, when the contract is created) or
//! `call` (every later call). Both have the type `() -> ()`: the contract reads its input with
//! [`input_len`](HostFn::InputLen) / [`input_read`](HostFn::InputRead), sets its output with
//! [`set_return`](HostFn::SetReturn), and either returns normally (success: its writes and events
//! are kept) or calls [`revert`](HostFn::Revert) (failure: they are discarded and the return data
//! goes to the caller as the error).
#![no_std]
#![warn(missing_docs)]

use parity_scale_codec::{Decode, Encode, MaxEncodedLen};

/// The ABI version described by this crate. Bumped on any incompatible change.
pub const ABI_VERSION: u32 = 1;

/// The module name every host import of a contract uses.
pub const HOST_MODULE: &str = "carechain";

/// The exported linear memory every contract must provide.
pub const EXPORT_MEMORY: &str = "memory";
/// The exported constructor, run once when the contract is created: `() -> ()`.
pub const EXPORT_DEPLOY: &str = "deploy";
/// The exported message entry point: `() -> ()`.
pub const EXPORT_CALL: &str = "call";

/// Returned by `storage_read` when the key is absent (as `i32`, i.e. `-1`).
pub const ABSENT: i32 = -1;

/// Maximum number of topics on one event.
pub const MAX_TOPICS: u32 = 4;

/// Name of the wasm custom section that carries a contract's metadata (JSON, UTF-8, usually
/// DEFLATE-compressed: see [`metadata`] for the payload's forms).
///
/// The SDK's `#[contract]` macro embeds it; the runtime ignores it when executing and hands it to
/// tools after deploy, so the description of a contract travels with its code.
pub const METADATA_SECTION: &str = "carechain:metadata";

pub mod metadata;

/// The layout of revert data written by contracts built with the Carechain SDK.
///
/// The first byte says who failed and why; the rest depends on it. Tools decode it to a typed,
/// named error (see the `carechain-metadata` crate). Contracts not built with the SDK may revert
/// with any bytes.
pub mod revert {
    /// The contract returned one of its declared errors: followed by the SCALE encoding of the
    /// contract's error type.
    pub const CONTRACT_ERROR: u8 = 0;
    /// No constructor or message has the selector: followed by the 4 selector bytes (or fewer,
    /// if the input was shorter).
    pub const UNKNOWN_SELECTOR: u8 = 1;
    /// The arguments could not be decoded as the message's argument types (truncated, too long
    /// or malformed input): followed by nothing.
    pub const INVALID_INPUT: u8 = 2;
    /// The contract panicked: followed by the SCALE-encoded panic message (a `String`).
    pub const PANIC: u8 = 3;
    /// A read-only message tried to write state: followed by nothing.
    pub const WRITE_IN_QUERY: u8 = 4;
}

/// Length in bytes of an [`Address`], a [`CodeHash`] and a [`Topic`].
pub const HASH_LEN: usize = 32;

/// Length of an ed25519 public key.
pub const ED25519_PUBLIC_KEY_LEN: usize = 32;
/// Length of an ed25519 signature.
pub const ED25519_SIGNATURE_LEN: usize = 64;

/// A 32-byte account or contract address.
///
/// An account's address is the Blake2b-256 of its ed25519 public key; a contract's is the
/// Blake2b-256 of `(deployer, code hash, salt)`.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Encode, Decode, MaxEncodedLen,
)]
pub struct Address(pub [u8; HASH_LEN]);

/// The Blake2b-256 hash of a contract's original (uninstrumented) wasm code.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Encode, Decode, MaxEncodedLen,
)]
pub struct CodeHash(pub [u8; HASH_LEN]);

/// A 32-byte event topic, used to filter events (e.g. a hashed event name or entity key).
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Encode, Decode, MaxEncodedLen,
)]
pub struct Topic(pub [u8; HASH_LEN]);

/// A 32-byte Blake2b-256 hash, e.g. of an off-chain document.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Encode, Decode, MaxEncodedLen,
)]
pub struct Hash(pub [u8; HASH_LEN]);

macro_rules! hex_debug {
    ($($ty:ident),*) => {$(
        impl core::fmt::Debug for $ty {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(stringify!($ty))?;
                f.write_str("(0x")?;
                for b in self.0 {
                    write!(f, "{b:02x}")?;
                }
                f.write_str(")")
            }
        }
        impl $ty {
            /// The underlying 32 bytes.
            pub const fn as_bytes(&self) -> &[u8; HASH_LEN] {
                &self.0
            }
        }
    )*};
}
hex_debug!(Address, CodeHash, Topic, Hash);

/// Status returned by `call_contract` to the calling contract.
///
/// Only [`CallStatus::Success`] keeps the callee's writes and events; every other status means the
/// callee's frame was rolled back, while the caller goes on running.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
#[repr(i32)]
pub enum CallStatus {
    /// The callee returned normally. Return data: what it set with `set_return`.
    Success = 0,
    /// The callee called `revert`. Return data: its revert data (usually an encoded error).
    Reverted = 1,
    /// The callee trapped (unreachable, out-of-bounds access, division by zero, ...).
    Trapped = 2,
    /// The callee exhausted the gas limit it was given.
    OutOfGas = 3,
    /// The callee exhausted the deterministic stack limit.
    StackOverflow = 4,
    /// The callee tried to grow memory beyond the limit.
    MemoryLimit = 5,
    /// No contract exists at the target address.
    NotFound = 6,
    /// The call would exceed the maximum cross-contract call depth.
    DepthExceeded = 7,
    /// The target is already executing further up the call stack (reentrancy is refused).
    Reentrancy = 8,
}

impl CallStatus {
    /// Decodes a status code returned by the host; `None` for an unknown code.
    pub const fn from_code(code: i32) -> Option<Self> {
        Some(match code {
            0 => Self::Success,
            1 => Self::Reverted,
            2 => Self::Trapped,
            3 => Self::OutOfGas,
            4 => Self::StackOverflow,
            5 => Self::MemoryLimit,
            6 => Self::NotFound,
            7 => Self::DepthExceeded,
            8 => Self::Reentrancy,
            _ => return None,
        })
    }
}

/// A wasm value type in a host function signature (WebAssembly 1.0 has only these two integers
/// available to contracts: floats are refused).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ValType {
    /// `i32`
    I32,
    /// `i64`
    I64,
}

/// Every host function of ABI v1.
///
/// The doc comment of each variant gives its wasm signature and meaning. Gas for each is charged
/// from the runtime's gas schedule before the function does any work.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord, Hash)]
pub enum HostFn {
    /// `input_len() -> i32`: length of the call's input.
    InputLen,
    /// `input_read(dst: i32)`: copies the whole input to `dst`.
    InputRead,
    /// `set_return(ptr: i32, len: i32)`: sets the data returned when the call succeeds.
    SetReturn,
    /// `revert(ptr: i32, len: i32) -> !`: ends the call as failed; its writes and events are
    /// discarded and `ptr..ptr+len` becomes the revert data.
    Revert,
    /// `storage_read(key: i32, key_len: i32, dst: i32, dst_cap: i32) -> i32`: returns the value's
    /// length, or [`ABSENT`]; copies `min(len, dst_cap)` bytes to `dst`.
    StorageRead,
    /// `storage_write(key: i32, key_len: i32, val: i32, val_len: i32)`.
    StorageWrite,
    /// `storage_remove(key: i32, key_len: i32)`.
    StorageRemove,
    /// `storage_contains(key: i32, key_len: i32) -> i32`: `1` if present, `0` if not.
    StorageContains,
    /// `caller(dst: i32)`: writes the 32-byte address of the account or contract that called.
    Caller,
    /// `self_address(dst: i32)`: writes this contract's 32-byte address.
    SelfAddress,
    /// `block_height() -> i64`.
    BlockHeight,
    /// `block_time() -> i64`: the block timestamp in Unix seconds.
    BlockTime,
    /// `emit_event(topics: i32, topic_count: i32, data: i32, data_len: i32)`: topics are
    /// `topic_count` (at most [`MAX_TOPICS`]) consecutive 32-byte values.
    EmitEvent,
    /// `blake2b_256(src: i32, len: i32, dst: i32)`: writes the 32-byte Blake2b-256 of the input.
    Blake2b256,
    /// `ed25519_verify(sig: i32, public_key: i32, msg: i32, msg_len: i32) -> i32`: `1` if the
    /// 64-byte signature over the message is valid for the 32-byte key, else `0`.
    Ed25519Verify,
    /// `call_contract(address: i32, input: i32, input_len: i32, gas_limit: i64) -> i32`: calls
    /// another contract, forwarding at most `gas_limit` gas (`0` = all that is left); returns a
    /// [`CallStatus`] code. The callee's return or revert data is then readable with
    /// `return_data_len` / `return_data_read`.
    CallContract,
    /// `return_data_len() -> i32`: length of the last `call_contract`'s return data.
    ReturnDataLen,
    /// `return_data_read(dst: i32)`: copies the last `call_contract`'s return data to `dst`.
    ReturnDataRead,
    /// `debug_log(ptr: i32, len: i32)`: a UTF-8 message for developers; recorded by the sandbox,
    /// ignored (but paid for) on validators.
    DebugLog,
}

impl HostFn {
    /// Every host function, in a fixed order.
    pub const ALL: [HostFn; 19] = [
        HostFn::InputLen,
        HostFn::InputRead,
        HostFn::SetReturn,
        HostFn::Revert,
        HostFn::StorageRead,
        HostFn::StorageWrite,
        HostFn::StorageRemove,
        HostFn::StorageContains,
        HostFn::Caller,
        HostFn::SelfAddress,
        HostFn::BlockHeight,
        HostFn::BlockTime,
        HostFn::EmitEvent,
        HostFn::Blake2b256,
        HostFn::Ed25519Verify,
        HostFn::CallContract,
        HostFn::ReturnDataLen,
        HostFn::ReturnDataRead,
        HostFn::DebugLog,
    ];

    /// The import name of the function in module [`HOST_MODULE`].
    pub const fn name(self) -> &'static str {
        match self {
            HostFn::InputLen => "input_len",
            HostFn::InputRead => "input_read",
            HostFn::SetReturn => "set_return",
            HostFn::Revert => "revert",
            HostFn::StorageRead => "storage_read",
            HostFn::StorageWrite => "storage_write",
            HostFn::StorageRemove => "storage_remove",
            HostFn::StorageContains => "storage_contains",
            HostFn::Caller => "caller",
            HostFn::SelfAddress => "self_address",
            HostFn::BlockHeight => "block_height",
            HostFn::BlockTime => "block_time",
            HostFn::EmitEvent => "emit_event",
            HostFn::Blake2b256 => "blake2b_256",
            HostFn::Ed25519Verify => "ed25519_verify",
            HostFn::CallContract => "call_contract",
            HostFn::ReturnDataLen => "return_data_len",
            HostFn::ReturnDataRead => "return_data_read",
            HostFn::DebugLog => "debug_log",
        }
    }

    /// Looks a host function up by its import name.
    pub fn from_name(name: &str) -> Option<HostFn> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The parameter types of the function's wasm signature.
    pub const fn params(self) -> &'static [ValType] {
        use ValType::{I32, I64};
        match self {
            HostFn::InputLen | HostFn::BlockHeight | HostFn::BlockTime | HostFn::ReturnDataLen => {
                &[]
            }
            HostFn::InputRead | HostFn::Caller | HostFn::SelfAddress | HostFn::ReturnDataRead => {
                &[I32]
            }
            HostFn::SetReturn
            | HostFn::Revert
            | HostFn::StorageRemove
            | HostFn::StorageContains
            | HostFn::DebugLog => &[I32, I32],
            HostFn::Blake2b256 => &[I32, I32, I32],
            HostFn::StorageRead
            | HostFn::StorageWrite
            | HostFn::EmitEvent
            | HostFn::Ed25519Verify => &[I32, I32, I32, I32],
            HostFn::CallContract => &[I32, I32, I32, I64],
        }
    }

    /// The result types of the function's wasm signature (empty or one value).
    pub const fn results(self) -> &'static [ValType] {
        use ValType::{I32, I64};
        match self {
            HostFn::InputLen
            | HostFn::StorageRead
            | HostFn::StorageContains
            | HostFn::Ed25519Verify
            | HostFn::CallContract
            | HostFn::ReturnDataLen => &[I32],
            HostFn::BlockHeight | HostFn::BlockTime => &[I64],
            HostFn::InputRead
            | HostFn::SetReturn
            | HostFn::Revert
            | HostFn::StorageWrite
            | HostFn::StorageRemove
            | HostFn::Caller
            | HostFn::SelfAddress
            | HostFn::EmitEvent
            | HostFn::Blake2b256
            | HostFn::ReturnDataRead
            | HostFn::DebugLog => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        for f in HostFn::ALL {
            assert_eq!(HostFn::from_name(f.name()), Some(f));
            assert_eq!(
                HostFn::ALL.iter().filter(|g| g.name() == f.name()).count(),
                1
            );
        }
        assert_eq!(HostFn::from_name("storage_read2"), None);
    }

    #[test]
    fn call_status_codes_round_trip() {
        for code in 0..9 {
            let status = CallStatus::from_code(code).expect("known code");
            assert_eq!(status as i32, code);
        }
        assert_eq!(CallStatus::from_code(9), None);
        assert_eq!(CallStatus::from_code(-1), None);
    }

    #[test]
    fn address_encoding_is_32_raw_bytes() {
        let a = Address([7; 32]);
        assert_eq!(a.encode(), [7u8; 32].to_vec());
        assert_eq!(Address::max_encoded_len(), 32);
    }
}
