//! Network mode: the consortium's validators agree on blocks with BFT consensus, on
//! Commonware (docs/adr/0001-consensus-engine.md): simplex (ed25519 votes, round-robin
//! leaders, 2-hop blocks, 3-hop finality), marshal for ordered delivery and backfill of
//! finalized blocks, and an authenticated p2p network between the genesis validators' keys.
//!
//! What is Carechain's: the block as consensus sees it (`carechain_primitives::commonware`), what a validator proposes
//! and how it verifies and commits ([`app`]), and the wiring ([`engine`]). The chain keeps
//! its RocksDB store; Commonware keeps its own journal (votes, so a restarted validator never
//! signs conflicting ones) and archives (finalized blocks and certificates, served to peers
//! that catch up) under the validator's data directory.

pub mod app;
pub mod engine;

pub use app::{App, Executor, Finalizer};
pub use carechain_primitives::commonware::BlockDigest;
pub use engine::{Channels, ConsensusConfig, consensus_key, consensus_signer, start_validator};
