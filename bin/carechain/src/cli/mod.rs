//! Command-line interface. JSON for machines goes to stdout, text for people to stderr; exit codes
//! mean one thing each (see [`exit`]).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod anchor;
pub mod client;
pub mod disclosures;
pub mod exec;
pub mod init;
mod lifecycle;
pub mod load;
pub mod replay;
pub mod run;
pub mod scenario;
pub mod testnet;
pub mod validator;

/// Exit codes of the `carechain` tool.
pub mod exit {
    /// The command ran (whatever the contract's outcome); for `scenario`, every expectation held.
    pub const OK: u8 = 0;
    /// `scenario`: at least one expectation did not hold.
    pub const EXPECTATION_FAILED: u8 = 1;
    /// The command could not run: unreadable file, bad arguments.
    pub const USAGE: u8 = 2;
    /// `--engine both` and the engines disagreed: a determinism bug.
    pub const ENGINES_DISAGREE: u8 = 3;
    /// `replay`: re-executing the blocks did not give the stored chain.
    pub const REPLAY_MISMATCH: u8 = 4;
    /// `call`/`deploy --wait`, `query`: the transaction or query reverted or failed (or was
    /// dropped).
    pub const TX_FAILED: u8 = 5;
    /// `proof`: the proof does not verify against the block's state root.
    pub const PROOF_INVALID: u8 = 6;
    /// `disclosures --verify`: a node's disclosure log does not lead to the head it anchored.
    pub const LOG_TAMPERED: u8 = 7;
}

/// Carechain: a permissioned chain with a deterministic, gas-metered WebAssembly contract VM for
/// healthcare.
#[derive(Parser, Debug)]
#[command(name = "carechain", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a contract module black-box: deploy it in a fresh sandbox, call it once, print one
    /// JSON object per engine.
    Exec(exec::ExecArgs),
    /// Create a genesis and keys for a demo consortium (a hospital, an insurer, a pharmacy, a
    /// blood bank, a lab and a regulator).
    Init(init::InitArgs),
    /// Re-execute every block of a stopped node from genesis and check each header and the
    /// final state root.
    Replay(replay::ReplayArgs),
    /// Run the node: dev mode (one validator), or a validator of a network when node.toml has a
    /// `[network]` section. Blocks on RocksDB, JSON-RPC over HTTP and WebSocket, metrics.
    Run(run::RunArgs),
    /// Create (first time) and start a local network of validators on loopback ports.
    Testnet(testnet::TestnetArgs),
    /// Create or list keys of a chain directory.
    Keys(client::KeysArgs),
    /// Deploy a contract (by name from contracts/ or a .wasm file) with JSON constructor
    /// arguments.
    Deploy(client::DeployArgs),
    /// Call a contract's message with JSON arguments (a signed transaction).
    Call(client::CallArgs),
    /// Run a contract's query (or a message read-only) against the head state.
    Query(client::QueryArgs),
    /// Print contract events of past blocks, or follow new ones (--follow).
    Events(client::EventsArgs),
    /// A subject's accounting of disclosures (who read its records, when, why) from each node,
    /// as JSON lines or FHIR AuditEvents; or (--verify) a node's log against its anchor.
    Disclosures(disclosures::DisclosuresArgs),
    /// Fetch a state entry with its Merkle proof and verify it against the block's state root.
    Proof(client::ProofArgs),
    /// A transaction's state and receipt.
    Tx(client::TxArgs),
    /// A block by height or hash (default: the head).
    Block(client::BlockArgs),
    /// The node's status.
    Status(client::StatusArgs),
    /// Load-test a node on loopback: pre-signed transactions, committed tx/s, latency, CPU, RSS.
    Load(carechain_load::LoadArgs),
    /// Run JSON scenario files: deploy, call and query contracts by name with JSON arguments and
    /// check outcomes, results, errors, events, storage and gas.
    Scenario(scenario::ScenarioArgs),
}

/// Parses the arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Exec(args) => exec::run(&args),
        Command::Scenario(args) => scenario::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Replay(args) => replay::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Testnet(args) => testnet::run(&args),
        Command::Keys(args) => client::keys(&args),
        Command::Deploy(args) => client::deploy(&args),
        Command::Call(args) => client::call(&args),
        Command::Query(args) => client::query(&args),
        Command::Events(args) => client::events(&args),
        Command::Proof(args) => client::proof(&args),
        Command::Disclosures(args) => disclosures::run(&args),
        Command::Tx(args) => client::tx(&args),
        Command::Block(args) => client::block(&args),
        Command::Status(args) => client::status(&args),
        Command::Load(args) => load::run(&args),
    };
    ExitCode::from(code)
}
