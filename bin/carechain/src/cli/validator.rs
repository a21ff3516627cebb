//! `carechain run` in network mode (a `[network]` section in node.toml): this node is one
//! validator of a consortium network. Consensus, p2p and the node's tasks run on Commonware's
//! tokio runtime; JSON-RPC and metrics run on the same runtime, as in dev mode.
//!
//! The p2p network admits only the genesis validators' keys at the addresses node.toml lists
//! (authenticated handshake, encrypted links). Consensus keeps its vote journal and the
//! finalized-block archives under `consensus_dir`; RocksDB keeps the chain under `data_dir`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use commonware_cryptography::{ChaCha20Poly1305, Signer};
use commonware_p2p::{Address, AddressableManager, authenticated::lookup};
use commonware_runtime::{Clock, Metrics, Quota, Runner, Spawner, Supervisor, tokio as cw_tokio};
use commonware_stream::cups::{self, Cups};
use commonware_stream::sake::{self, Sake};
use commonware_utils::{NZU32, NZUsize, ordered::Map};
use serde_json::json;

use crate::config::{ChainDir, NetworkConfig};
use carechain_consensus::{self as consensus, Channels, ConsensusConfig};
use carechain_primitives::genesis::{Genesis, parse_key};
use carechain_primitives::tx::PublicKey;
use carechain_rpc::{self as rpc, RpcLimits};
use carechain_service::Node;

/// What the network-mode node needs from `carechain run`.
pub struct NetworkRun {
    /// The chain directory.
    pub dir: ChainDir,
    /// Its `[network]` section.
    pub network: NetworkConfig,
    /// The node (chain open, mempool empty; no producer thread).
    pub node: Arc<Node>,
    /// The validator's secret seed.
    pub seed: [u8; 32],
    /// JSON-RPC address.
    pub rpc_addr: SocketAddr,
    /// TLS on the JSON-RPC port, if configured.
    pub rpc_tls: Option<rpc::RpcTls>,
    /// JSON-RPC limits.
    pub rpc_limits: RpcLimits,
    /// Prometheus metrics address, if any.
    pub metrics_addr: Option<SocketAddr>,
}

/// Runs the validator until Ctrl-C or SIGTERM.
///
/// # Errors
/// Bad settings (a peer key that is not a validator, a validator without an address), or a
/// port already taken.
pub fn run(run: NetworkRun) -> anyhow::Result<()> {
    let storage = run
        .dir
        .consensus_dir()
        .expect("network mode has a consensus directory");
    std::fs::create_dir_all(&storage)?;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
    let config = cw_tokio::Config::new()
        .with_worker_threads(threads)
        .with_storage_directory(storage);
    cw_tokio::Runner::new(config).start(|context| async move { serve(context, run).await })
}

/// Every genesis validator's p2p address, from `[network]`'s peers.
fn peer_book(
    validators: &[PublicKey],
    network: &NetworkConfig,
) -> anyhow::Result<BTreeMap<PublicKey, SocketAddr>> {
    let mut book = BTreeMap::new();
    for peer in &network.peers {
        let key = parse_key(&peer.key).ok_or_else(|| {
            anyhow::anyhow!("[network] peer key {} is not a public key", peer.key)
        })?;
        if !validators.contains(&key) {
            anyhow::bail!(
                "[network] peer {} is not a validator of the genesis",
                peer.key
            );
        }
        book.insert(key, peer.addr);
    }
    if let Some(missing) = validators.iter().find(|v| !book.contains_key(*v)) {
        anyhow::bail!(
            "[network] lists no address for validator {}",
            missing.to_hex()
        );
    }
    Ok(book)
}

/// Consensus settings from `[network]` and the genesis limits.
fn consensus_config(
    namespace: &[u8],
    validators: &[PublicKey],
    network: &NetworkConfig,
    genesis: &Genesis,
) -> ConsensusConfig {
    let mut config = ConsensusConfig::local(namespace.to_vec(), validators.to_vec());
    config.leader_timeout = Duration::from_millis(network.leader_timeout_ms);
    config.certification_timeout = config.leader_timeout * 2;
    config.timeout_retry = config.leader_timeout * 2;
    config.empty_block_interval = Duration::from_millis(network.empty_block_interval_ms);
    config.max_block_bytes = (genesis.max_tx_bytes * 16).max(8 << 20);
    config
}

async fn serve(context: cw_tokio::Context, run: NetworkRun) -> anyhow::Result<()> {
    let NetworkRun {
        dir,
        network,
        node,
        seed,
        rpc_addr,
        rpc_tls,
        rpc_limits,
        metrics_addr,
    } = run;
    let genesis = &dir.genesis;
    let validators = genesis.validators();
    let book = peer_book(&validators, &network)?;
    let signer = consensus::consensus_signer(&seed);
    let me = carechain_primitives::tx::PublicKey(
        signer
            .public_key()
            .as_ref()
            .try_into()
            .expect("32-byte public key"),
    );
    if !validators.contains(&me) {
        anyhow::bail!(
            "this node's key {} is not a validator of the genesis",
            me.to_hex()
        );
    }

    if let Some(addr) = metrics_addr {
        metrics_exporter_prometheus::PrometheusBuilder::new()
            .with_http_listener(addr)
            .install()
            .map_err(|e| anyhow::anyhow!("cannot serve metrics on {addr}: {e}"))?;
    }

    let namespace = format!("carechain-{}", genesis.chain_id).into_bytes();
    let consensus_config = consensus_config(&namespace, &validators, &network, genesis);

    let handshake = Cups::<_, ChaCha20Poly1305>::new(
        Sake {
            signer: signer.clone(),
            synchrony_bound: Duration::from_secs(5),
            max_handshake_age: Duration::from_secs(10),
            version: sake::Version::V1,
        },
        cups::Version::V1,
    );
    let p2p_config = lookup::Config::local(
        handshake,
        &namespace,
        network.listen,
        NZUsize!(validators.len()),
        consensus_config.max_message_bytes(),
        NZUsize!(1024),
    );
    // The p2p listener binds in a task of its own and, if the port is taken, panics there (the
    // runtime then stops): check the port first so that the node stops with the address and the
    // reason instead, before printing its start line. (Both binds set SO_REUSEADDR, so a port
    // held only by TIME_WAIT connections of an earlier run of this node passes here and there
    // alike.)
    std::net::TcpListener::bind(network.listen)
        .map_err(|e| anyhow::anyhow!("cannot listen for peers on {}: {e}", network.listen))?;
    let (mut p2p, mut oracle) = lookup::Network::new(context.child("p2p"), p2p_config);
    let addresses: Map<_, Address> = book
        .iter()
        .map(|(key, addr)| (consensus::consensus_key(key), Address::from(*addr)))
        .collect::<Vec<_>>()
        .try_into()
        .map_err(|_| anyhow::anyhow!("duplicate validator keys"))?;
    oracle.track(0, addresses);
    // Per peer and channel. The receiving side sizes its queue from this burst (times peers and
    // tracked peer sets), so a large quota costs memory up front.
    let quota = Quota::per_second(NZU32!(1_024));
    let mut register = |channel| p2p.register(channel, quota);
    let channels = Channels {
        votes: register(consensus::engine::CHANNELS[0]),
        certificates: register(consensus::engine::CHANNELS[1]),
        resolver: register(consensus::engine::CHANNELS[2]),
        blocks: register(consensus::engine::CHANNELS[3]),
        backfill: register(consensus::engine::CHANNELS[4]),
        transactions: register(consensus::engine::CHANNELS[5]),
    };
    consensus::start_validator(
        context.child("validator"),
        consensus_config,
        signer,
        node.clone(),
        channels,
        oracle.clone(),
        oracle.clone(),
    )
    .await;
    let mut p2p = p2p.start();

    // Peers connected, from the p2p layer's own metrics.
    context.child("peers").spawn(|probe| async move {
        loop {
            let connected = probe
                .encode()
                .lines()
                .filter(|l| !l.starts_with('#') && l.contains("_connected{"))
                .count();
            metrics::gauge!("carechain_peers_connected").set(connected as f64);
            probe.sleep(Duration::from_secs(2)).await;
        }
    });

    let policy = dir.config.read_policy.clone();
    let tls = rpc_tls.is_some();
    let (rpc_addr, server) =
        rpc::start(node.clone(), rpc_addr, rpc_limits, policy, rpc_tls).await?;
    super::anchor::spawn(
        node.clone(),
        ed25519_dalek::SigningKey::from_bytes(&seed),
        genesis.chain_id.clone(),
        Duration::from_millis(dir.config.disclosure_anchor_ms),
    );
    let head = node.chain().head()?;
    super::lifecycle::print_started(
        json!({
            "mode": "network",
            "chain_id": genesis.chain_id,
            "validator": me.to_hex(),
            "validators": validators.len(),
            "p2p": network.listen.to_string(),
        }),
        rpc_addr,
        tls,
        metrics_addr,
        &head,
    )?;
    tracing::info!(rpc = %rpc_addr, p2p = %network.listen, "validator listening");

    // A validator without its p2p network cannot take part in consensus: if the network stops
    // (one of its actors exits; a panic stops the whole runtime anyway), stop the node with an
    // error rather than serve a chain that no longer advances.
    let p2p_stopped = tokio::select! {
        () = super::lifecycle::shutdown_signal() => None,
        stopped = &mut p2p => Some(stopped),
    };
    tracing::info!("stopping");
    let _ = server.stop();
    server.stopped().await;
    if let Some(stopped) = p2p_stopped {
        anyhow::bail!("the p2p network on {} stopped: {stopped:?}", network.listen);
    }
    super::lifecycle::log_stopped(&node)
}
