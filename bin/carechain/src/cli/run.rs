//! `carechain run --dir DIR`: the dev node. One validator (the key in `node.toml`) makes a block
//! as soon as transactions wait, at most one per `block_interval_ms`, on RocksDB under the data
//! directory; JSON-RPC (HTTP and WebSocket) and Prometheus metrics listen where `node.toml` (or
//! the flags) say.
//!
//! When it is listening it prints one JSON line on stdout —
//! `{"event":"started","rpc":"127.0.0.1:9944",...}` — and logs to stderr (`RUST_LOG` filters).
//! Ctrl-C or SIGTERM stops it after the block in progress; `kill -9` loses nothing committed.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use serde_json::json;

use super::exit;
use crate::config::{ChainDir, EngineName};
use carechain_chain::Chain;
use carechain_mempool::MempoolLimits;
use carechain_primitives::tx::PublicKey;
use carechain_rpc::{self as rpc, RpcLimits};
use carechain_service::{Node, NodeSettings};

/// Arguments of `carechain run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The chain directory (genesis.toml, node.toml, keys/, data/), made by `carechain init`.
    #[arg(long, default_value = "carechain-dev")]
    pub dir: PathBuf,
    /// JSON-RPC address (HTTP and WebSocket); overrides `rpc_addr` of node.toml. Port 0 picks a
    /// free port (printed at start).
    #[arg(long)]
    pub rpc_addr: Option<SocketAddr>,
    /// Prometheus metrics address; overrides `metrics_addr` of node.toml.
    #[arg(long)]
    pub metrics_addr: Option<SocketAddr>,
    /// Serve no metrics endpoint.
    #[arg(long, conflicts_with = "metrics_addr")]
    pub no_metrics: bool,
    /// Execution engine; overrides `engine` of node.toml.
    #[arg(long, value_enum)]
    pub engine: Option<EngineArg>,
    /// Shortest time between blocks; overrides `block_interval_ms` of node.toml.
    #[arg(long)]
    pub block_interval_ms: Option<u64>,
    /// Most JSON-RPC calls per second on one connection (a batch counts each of its calls).
    #[arg(long, default_value_t = 20_000)]
    pub rpc_rate_limit: u32,
    /// How often to anchor the disclosure log on chain; overrides `disclosure_anchor_ms` of
    /// node.toml (0: never).
    #[arg(long)]
    pub disclosure_anchor_ms: Option<u64>,
}

/// An engine on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum EngineArg {
    /// wasmtime (Cranelift).
    Wasmtime,
    /// wasmi (interpreter).
    Wasmi,
}

/// Runs the command; returns the exit code.
pub fn run(args: &RunArgs) -> u8 {
    init_tracing();
    match network_mode(args) {
        Ok(None) => {}
        Ok(Some(())) => return exit::OK,
        Err(e) => {
            eprintln!("error: {e:#}");
            return exit::USAGE;
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("carechain-rpc")
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::USAGE;
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::USAGE
        }
    }
}

/// Logs to stderr, filtered by `RUST_LOG` (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The chain directory with the command line's overrides, its validator key, and the node on
/// its opened chain.
fn open_node(args: &RunArgs) -> anyhow::Result<(ChainDir, ed25519_dalek::SigningKey, Arc<Node>)> {
    let mut dir = ChainDir::load(&args.dir)?;
    if let Some(engine) = args.engine {
        dir.config.engine = match engine {
            EngineArg::Wasmtime => EngineName::Wasmtime,
            EngineArg::Wasmi => EngineName::Wasmi,
        };
    }
    if let Some(ms) = args.block_interval_ms {
        dir.config.block_interval_ms = ms;
    }
    if let Some(ms) = args.disclosure_anchor_ms {
        dir.config.disclosure_anchor_ms = ms;
    }
    let key = dir.validator_key()?;
    let proposer = PublicKey(key.verifying_key().to_bytes());
    let chain = Chain::open_with(
        &dir.data_dir(),
        dir.genesis.clone(),
        dir.config.engine.into(),
        dir.config.state_history,
    )?;
    let head = chain.head()?;
    tracing::info!(
        chain_id = %dir.genesis.chain_id,
        height = head.height,
        state_root = %hex::encode(head.state_root),
        engine = chain.engine().name(),
        "chain opened"
    );
    let node = Node::new(
        chain,
        NodeSettings {
            proposer,
            block_interval: Duration::from_millis(dir.config.block_interval_ms),
            mempool: MempoolLimits::default(),
        },
    );
    Ok((dir, key, node))
}

fn metrics_addr(args: &RunArgs, dir: &ChainDir) -> Option<SocketAddr> {
    if args.no_metrics {
        None
    } else {
        args.metrics_addr.or(dir.config.metrics_addr)
    }
}

/// Runs the node as a validator of a network if node.toml has a `[network]` section (then
/// `Some` when it stopped), else `None`.
fn network_mode(args: &RunArgs) -> anyhow::Result<Option<()>> {
    let dir = ChainDir::load(&args.dir)?;
    let Some(network) = dir.config.network.clone() else {
        return Ok(None);
    };
    // Refuse a plaintext RPC port beyond loopback before anything binds (p2p, metrics).
    let rpc_addr = args.rpc_addr.unwrap_or(dir.config.rpc_addr);
    let rpc_tls = dir.rpc_tls()?;
    rpc::check_listen(rpc_addr, rpc_tls.as_ref())?;
    let (dir, key, node) = open_node(args)?;
    let rpc_limits = RpcLimits {
        calls_per_second: args.rpc_rate_limit,
        ..RpcLimits::for_max_tx(dir.genesis.max_tx_bytes)
    };
    super::validator::run(super::validator::NetworkRun {
        rpc_addr,
        rpc_tls,
        metrics_addr: metrics_addr(args, &dir),
        dir,
        network,
        node,
        seed: key.to_bytes(),
        rpc_limits,
    })?;
    Ok(Some(()))
}

async fn serve(args: &RunArgs) -> anyhow::Result<()> {
    let dir = ChainDir::load(&args.dir)?;
    // Refuse a plaintext RPC port beyond loopback before the chain opens or metrics listen.
    let rpc_addr = args.rpc_addr.unwrap_or(dir.config.rpc_addr);
    let rpc_tls = dir.rpc_tls()?;
    rpc::check_listen(rpc_addr, rpc_tls.as_ref())?;
    let tls = rpc_tls.is_some();
    let (dir, key, node) = open_node(args)?;
    let head = node.chain().head()?;
    let max_tx = dir.genesis.max_tx_bytes;
    let metrics_addr = metrics_addr(args, &dir);
    if let Some(addr) = metrics_addr {
        metrics_exporter_prometheus::PrometheusBuilder::new()
            .with_http_listener(addr)
            .install()
            .map_err(|e| anyhow::anyhow!("cannot serve metrics on {addr}: {e}"))?;
    }

    let limits = RpcLimits {
        calls_per_second: args.rpc_rate_limit,
        ..RpcLimits::for_max_tx(max_tx)
    };
    let policy = dir.config.read_policy.clone();
    let (rpc_addr, server) = rpc::start(node.clone(), rpc_addr, limits, policy, rpc_tls).await?;
    let producer = node.spawn_producer();
    super::anchor::spawn(
        node.clone(),
        key,
        dir.genesis.chain_id.clone(),
        Duration::from_millis(dir.config.disclosure_anchor_ms),
    );
    super::lifecycle::print_started(
        json!({"chain_id": dir.genesis.chain_id}),
        rpc_addr,
        tls,
        metrics_addr,
        &head,
    )?;
    tracing::info!(rpc = %rpc_addr, "listening");

    super::lifecycle::shutdown_signal().await;
    tracing::info!("stopping");
    node.stop();
    let _ = server.stop();
    tokio::task::spawn_blocking(move || producer.join())
        .await?
        .map_err(|_| anyhow::anyhow!("the block producer panicked"))?;
    server.stopped().await;
    super::lifecycle::log_stopped(&node)
}
