//! The contracts of `contracts/`, compiled to `wasm32v1-none` by this crate's build script, by
//! name. Tests and tools get the bytes of a contract with [`wasm`] and its metadata from the
//! `carechain:metadata` custom section inside them.
//!
//! `cargo build` or `cargo test` anywhere in the workspace rebuilds a contract when its source
//! or the SDK changes; no `.wasm` file is committed.
#![warn(missing_docs)]

include!(concat!(env!("OUT_DIR"), "/contracts.rs"));

/// The wasm of the contract called `name` (the directory name under `contracts/`).
pub fn wasm(name: &str) -> Option<&'static [u8]> {
    CONTRACTS.iter().find(|(n, _)| *n == name).map(|(_, w)| *w)
}

/// The names of all contracts.
pub fn names() -> impl Iterator<Item = &'static str> {
    CONTRACTS.iter().map(|(n, _)| *n)
}

/// True if every contract went through `wasm-opt -Oz` (binaryen installed, and
/// `CARECHAIN_WASM_OPT` not `off`); false if they are as `cargo build` made them.
pub fn wasm_opt_applied() -> bool {
    WASM_OPT
}
