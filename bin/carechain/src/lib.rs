//! The `carechain` binary: the node (dev mode or a validator of a network) and its command-line tools.
//!
//! The node itself is the crates under `node/` (primitives, storage, chain, mempool, service,
//! consensus, rpc); this crate reads a chain directory's settings ([`config`]) and wires them
//! into `carechain run`, and gives the tools their subcommands ([`cli`]): `init`, the RPC client
//! commands, `scenario` and `load` (the crates under `tools/`), `exec`, `replay`, `testnet`.
#![warn(missing_docs)]

pub mod cli;
pub mod config;
