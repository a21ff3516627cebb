//! Write Carechain smart contracts in Rust.
//!
//! A contract is an inline module marked [`#[contract]`](contract). Inside it, free functions
//! marked `#[constructor]`, `#[message]` or `#[query]` are its entry points; state lives in
//! typed storage declared as constants ([`Item`], [`Map`], [`Vector`]); structs marked `#[event]`
//! are its events and an enum marked `#[error]` its errors. The macro generates the wasm exports,
//! the selector dispatch, argument decoding, result encoding and the contract's metadata.
//!
//! ```ignore
//! #![no_std]
//! #[carechain_sdk::contract]
//! mod counter {
//!     use carechain_sdk::prelude::*;
//!
//!     const COUNT: Item<u64> = Item::new(b"count");
//!
//!     /// The count changed.
//!     #[event]
//!     pub struct Incremented { #[topic] pub by: Address, pub value: u64 }
//!
//!     #[error]
//!     pub enum Error { Overflow }
//!
//!     #[constructor]
//!     pub fn new(start: u64) { COUNT.set(&start) }
//!
//!     #[message]
//!     pub fn increment(by: u64) -> Result<u64, Error> {
//!         let value = COUNT.get().unwrap_or(0).checked_add(by).ok_or(Error::Overflow)?;
//!         COUNT.set(&value);
//!         env().emit(&Incremented { by: env().caller(), value });
//!         Ok(value)
//!     }
//!
//!     #[query]
//!     pub fn get() -> u64 { COUNT.get().unwrap_or(0) }
//! }
//! ```
//!
//! # What the macro does
//! * `deploy` dispatches to constructors and `call` to messages by a 4-byte selector (the first
//!   bytes of the Blake2b-256 of the function's name); arguments are SCALE-encoded as a tuple
//!   after it and must be consumed exactly.
//! * `Ok(v)` or a plain return value is SCALE-encoded as the return data. `Err(e)` reverts: the
//!   call's writes and events are discarded and the revert data is
//!   [`revert::CONTRACT_ERROR`](carechain_abi::revert::CONTRACT_ERROR) followed by `e` encoded.
//! * An unknown selector, undecodable arguments and a panic also revert, with their own codes
//!   (see [`carechain_abi::revert`]); a panic carries its message. No input makes the contract
//!   trap without a reason.
//! * `#[query]` messages are read-only: a write from one reverts with `WriteInQuery`.
//! * The metadata (names, argument and return types, events, errors, docs) is embedded as the
//!   wasm custom section `carechain:metadata` (DEFLATE-compressed JSON, metadata version 2:
//!   selectors and event signatures are left out, readers derive them from the names).
//!
//! Contracts are `#![no_std]` and build for `wasm32v1-none`; the SDK provides the global
//! allocator (a bump allocator: an instance lives for one call) and the panic handler.
#![no_std]
#![warn(missing_docs)]

extern crate alloc;

pub mod call;
pub mod dispatch;
pub mod env;
pub mod event;
pub mod storage;
mod sys;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use carechain_abi::{Address, CodeHash, Hash, Topic};
pub use carechain_macros::{contract, selector};
/// The SCALE codec, re-exported so contracts need no direct dependency on it.
pub use parity_scale_codec as scale;

pub use call::{Call, CallError};
pub use env::env;
pub use event::Event;
pub use storage::{Item, Map, Vector};

/// A contract's error type: an enum marked `#[error]` inside the contract module. Returning
/// `Err(e)` from a constructor or message reverts the call with `e` encoded.
pub trait ContractError: scale::Encode + scale::Decode {}

/// Everything a contract module usually needs: `use carechain_sdk::prelude::*;`.
pub mod prelude {
    pub use crate::scale::{Decode, Encode};
    pub use crate::{
        Address, Call, CallError, Event, Hash, Item, Map, Topic, Vector, env, selector,
    };
    pub use alloc::boxed::Box;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}
