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
//!
//! # Types defined outside the contract module
//! The metadata must describe every type a message, event or error carries, and `#[contract]`
//! sees only the tokens of its own module. A struct or enum defined elsewhere (in an interface
//! crate such as `carechain-consent-api`, or in a sibling module of the contract's crate) derives
//! [`TypeInfo`] and is imported into the contract module by a `use` that names it:
//!
//! ```ignore
//! // In the interface crate (no_std, depending only on carechain-sdk):
//! use carechain_sdk::prelude::*;
//!
//! /// What an actor may do.
//! #[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, TypeInfo)]
//! #[codec(crate = ::carechain_sdk::scale)]
//! pub enum Role { Patient, Practitioner }
//!
//! // In the contract:
//! #[carechain_sdk::contract]
//! mod claims {
//!     use carechain_consent_api::Role;
//!     #[query]
//!     pub fn required_role() -> Role { Role::Practitioner }
//!     // ...
//! }
//! ```
//!
//! How: the derive generates a hidden `macro_rules!` macro that holds the type's own source
//! tokens. When the interface names a type the module does not define, `#[contract]` expands to a
//! call of that macro (the `use` tells it where: `crate_name::__carechain_type_info_Role!`),
//! which hands the definition back to the SDK, and the contract is expanded again with it; names
//! inside that definition are fetched from the same crate the same way. The metadata is built
//! from the very definition the contract is compiled against, with its docs and
//! `#[codec(index)]`s, into the one compressed `carechain:metadata` section as before: readers
//! (the runtime, the node, the CLI, `carechain-metadata`) see no difference. Rules:
//! * import the type by name (`use krate::Role;` or `use krate::{Role, Decision};`), or write
//!   its path in the signature (`krate::Role`); glob imports and renames cannot be followed;
//! * for a type in a module of the contract's own crate, declare that module `#[macro_use]`
//!   before the contract module (its macro is found in textual scope);
//! * two types of the interface may not share a name (metadata names types by their names);
//! * each imported type or event costs two nested macro expansions, so a contract importing
//!   more than about 60 raises its crate's `#![recursion_limit]` (the default is 128).
//!
//! Weighed and not chosen: a custom section per type that the linker concatenates (every reader
//! of the section, the runtime's included, would have to merge fragments, and fragments of types
//! a contract does not use would ride along), and `const`-evaluated metadata (the JSON could not
//! be compressed at compile time, which makes every contract several KiB larger).
//!
//! Events and the error enum may live outside the contract module too. An event there derives
//! [`Event`](macro@Event) (with its `#[topic]` fields marked as inside) and [`TypeInfo`], and the
//! contract module lists its events with `#[events] use path::{EventA, EventB};`, in the order
//! the metadata lists them (`#[rustfmt::skip]` keeps rustfmt from sorting the list); an error
//! enum derives `Encode`, `Decode` and [`TypeInfo`] and implements [`ContractError`]. The
//! healthcare contracts are split this way: `lib.rs` holds the contract module, its messages'
//! signatures and docs (the interface) calling into one module per workflow.
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
mod hash;
pub mod storage;
mod sys;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use carechain_abi::{Address, CodeHash, Hash, Topic};
#[doc(hidden)]
pub use carechain_macros::__resume_contract;
pub use carechain_macros::{Event, TypeInfo, contract, selector};
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
        Address, Call, CallError, Event, Hash, Item, Map, Topic, TypeInfo, Vector, env, selector,
    };
    pub use alloc::boxed::Box;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}
