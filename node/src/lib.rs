//! The Carechain node and its `carechain` command-line tool.
//!
//! Today: `carechain exec` runs a contract module black-box on either or both engines, and
//! `carechain scenario` runs JSON scenarios ([`scenario`]) against the contracts of `contracts/`.
//! The node commands (`init`, `run`, `deploy`, `call`, ...) follow.
#![warn(missing_docs)]

pub mod block;
pub mod chain;
pub mod cli;
pub mod client;
pub mod config;
pub mod genesis;
pub mod hash;
pub mod mempool;
pub mod rpc;
pub mod scenario;
pub mod service;
pub mod state;
pub mod store;
pub mod tx;
