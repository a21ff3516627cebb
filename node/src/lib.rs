//! The Carechain node and its `carechain` command-line tool.
//!
//! The node: signed transactions ([`tx`]), the consortium's genesis ([`genesis`]), the mempool
//! ([`mempool`]), blocks executed on the runtime and committed to RocksDB under a Jellyfish state
//! tree ([`chain`], [`store`], [`state`]), the dev-mode service that produces blocks
//! ([`service`]) and its JSON-RPC interface ([`rpc`]). The tool: `carechain init`/`run`, the
//! client commands over RPC ([`client`], `deploy`, `call`, `query`, `events`, `proof`, ...),
//! `scenario` (JSON scenarios in the sandbox or against a live node, [`scenario`]), `exec` and
//! `replay`.
#![warn(missing_docs)]

pub mod block;
pub mod chain;
pub mod cli;
pub mod client;
pub mod config;
pub mod consensus;
pub mod genesis;
pub mod hash;
pub mod mempool;
pub mod rpc;
pub mod scenario;
pub mod service;
pub mod state;
pub mod store;
pub mod tx;
