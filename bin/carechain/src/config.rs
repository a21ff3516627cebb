//! The node's own settings: `node.toml` in the chain directory (`carechain init` writes one).
//!
//! ```toml
//! data_dir = "data"                 # RocksDB directory, relative to the chain directory
//! engine = "wasmtime"               # wasmtime | wasmi
//! block_interval_ms = 100           # dev mode: at most one block per interval
//! validator_key = "keys/st-mary-hospital.key"
//! rpc_addr = "127.0.0.1:9944"       # JSON-RPC over HTTP and WebSocket
//! metrics_addr = "127.0.0.1:9615"   # Prometheus /metrics; omit to serve none
//! state_history = 256               # heights whose state can be proven, or "archive"
//! disclosure_anchor_ms = 60000      # anchor the disclosure log's head on chain this often (0: never)
//!
//! # TLS on the RPC port (HTTPS and WSS only); required when rpc_addr is not loopback.
//! # `carechain init` writes a self-signed certificate per organisation in tls/.
//! [rpc_tls]
//! cert = "tls/st-mary-hospital.crt" # the node's certificate chain (PEM), its own first
//! key = "tls/st-mary-hospital.key"  # its private key (PEM)
//! ca = "tls/consortium-ca.crt"      # optional: what clients of this directory trust (PEM);
//!                                   # default: `cert` itself (clients pin the certificate)
//!
//! # Who may read the raw ledger over RPC (network roles or organisation kinds); these are the
//! # defaults. Other members read through contract queries (and their own transactions).
//! [read_policy]
//! blocks = ["validator", "regulator"]        # cc_getBlock with transactions and receipts
//! transactions = ["validator", "regulator"]  # cc_getTransaction of others' transactions
//! events = ["validator", "regulator"]        # cc_subscribeEvents of every transaction
//! state_proofs = ["validator", "regulator"]  # cc_getStateProof
//! disclosures = ["regulator"]                # cc_disclosureLog, any subject's cc_disclosures
//!
//! # Network mode (a validator of a consortium network); without this section, dev mode.
//! [network]
//! listen = "127.0.0.1:30100"        # p2p address (authenticated, encrypted)
//! consensus_dir = "consensus"       # consensus journal and archives, relative to the chain dir
//! leader_timeout_ms = 2000          # skip a view whose leader proposes nothing in this time
//! empty_block_interval_ms = 500     # propose at least this often, empty if nothing waits
//! [[network.peers]]                 # every validator of the genesis, this one included
//! key = "<hex ed25519 public key>"
//! addr = "127.0.0.1:30101"
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use carechain_runtime::EngineKind;
use serde::Deserialize;

use carechain_primitives::genesis::Genesis;
use carechain_storage::StateHistory;

/// Default dev-mode block interval.
pub const DEFAULT_BLOCK_INTERVAL_MS: u64 = 100;

/// `node.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// The RocksDB directory, relative to the chain directory.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// The execution engine.
    #[serde(default)]
    pub engine: EngineName,
    /// Dev mode: the shortest time between blocks.
    #[serde(default = "default_interval")]
    pub block_interval_ms: u64,
    /// The validator's secret key file, relative to the chain directory.
    pub validator_key: PathBuf,
    /// Where JSON-RPC (HTTP and WebSocket) listens.
    #[serde(default = "default_rpc_addr")]
    pub rpc_addr: SocketAddr,
    /// Where the Prometheus metrics endpoint listens, if anywhere.
    #[serde(default)]
    pub metrics_addr: Option<SocketAddr>,
    /// How much of the state tree's history to keep: proofs at the latest `n` heights (older
    /// tree nodes and values are pruned), or every height (`"archive"`).
    #[serde(default)]
    pub state_history: StateHistory,
    /// Network mode: this node is a validator of a consortium network.
    #[serde(default)]
    pub network: Option<NetworkConfig>,
    /// Who may read the raw ledger through this node's RPC (blocks with bodies, other members'
    /// transactions, every event, state proofs); see `carechain_rpc::policy`. Default:
    /// validators and regulators.
    #[serde(default)]
    pub read_policy: carechain_rpc::ReadPolicy,
    /// How often the node anchors its disclosure log's head on chain while the log grows, in
    /// milliseconds (0: never). Default one minute.
    #[serde(default = "default_anchor_ms")]
    pub disclosure_anchor_ms: u64,
    /// TLS on the RPC port; without it the port speaks plaintext, which the node allows on a
    /// loopback address only.
    #[serde(default)]
    pub rpc_tls: Option<RpcTlsConfig>,
}

/// The `[rpc_tls]` section of `node.toml`: the RPC port's certificate, and what clients of the
/// chain directory trust. Paths are relative to the chain directory.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RpcTlsConfig {
    /// The node's certificate chain (PEM): its own certificate first, then any intermediates.
    pub cert: PathBuf,
    /// The certificate's private key (PEM).
    pub key: PathBuf,
    /// The certificates (PEM) clients of this chain directory trust for the node: a CA bundle
    /// that issued `cert`. Default: `cert` itself, pinned. The node does not read it.
    #[serde(default)]
    pub ca: Option<PathBuf>,
}

/// The `[network]` section of `node.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// The p2p address this validator listens on.
    pub listen: SocketAddr,
    /// Consensus storage (vote journal, finalized-block archives), relative to the chain
    /// directory.
    #[serde(default = "default_consensus_dir")]
    pub consensus_dir: PathBuf,
    /// How long to wait for a leader's proposal before voting to skip its view.
    #[serde(default = "default_leader_timeout")]
    pub leader_timeout_ms: u64,
    /// Propose at least this often, an empty block if nothing waits.
    #[serde(default = "default_empty_block_interval")]
    pub empty_block_interval_ms: u64,
    /// The validators' p2p addresses, by key.
    pub peers: Vec<Peer>,
}

/// A validator's p2p address.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Peer {
    /// Its public key (hex), as in the genesis.
    pub key: String,
    /// Where it listens.
    pub addr: SocketAddr,
}

fn default_consensus_dir() -> PathBuf {
    PathBuf::from("consensus")
}

fn default_leader_timeout() -> u64 {
    2_000
}

fn default_empty_block_interval() -> u64 {
    500
}

/// The default JSON-RPC address.
pub const DEFAULT_RPC_ADDR: &str = "127.0.0.1:9944";

fn default_rpc_addr() -> SocketAddr {
    DEFAULT_RPC_ADDR.parse().expect("a valid constant address")
}

/// An engine as spelled in `node.toml`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineName {
    /// wasmtime (Cranelift): the default for validators.
    #[default]
    Wasmtime,
    /// wasmi (interpreter).
    Wasmi,
}

impl From<EngineName> for EngineKind {
    fn from(e: EngineName) -> Self {
        match e {
            EngineName::Wasmtime => EngineKind::Wasmtime,
            EngineName::Wasmi => EngineKind::Wasmi,
        }
    }
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}

fn default_anchor_ms() -> u64 {
    60_000
}

fn default_interval() -> u64 {
    DEFAULT_BLOCK_INTERVAL_MS
}

/// A chain directory: its genesis and node settings.
#[derive(Clone, Debug)]
pub struct ChainDir {
    /// The directory.
    pub dir: PathBuf,
    /// Its genesis.
    pub genesis: Genesis,
    /// Its node settings.
    pub config: NodeConfig,
}

impl ChainDir {
    /// Reads `genesis.toml` and `node.toml` from `dir`.
    ///
    /// # Errors
    /// A message naming the file and the problem.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        let genesis_path = dir.join("genesis.toml");
        let genesis =
            Genesis::from_toml(&std::fs::read_to_string(&genesis_path).with_context(|| {
                format!(
                    "reading {} (run `carechain init` first)",
                    genesis_path.display()
                )
            })?)
            .with_context(|| format!("in {}", genesis_path.display()))?;
        let config_path = dir.join("node.toml");
        let config: NodeConfig = toml::from_str(
            &std::fs::read_to_string(&config_path)
                .with_context(|| format!("reading {}", config_path.display()))?,
        )
        .with_context(|| format!("in {}", config_path.display()))?;
        Ok(ChainDir {
            dir: dir.to_path_buf(),
            genesis,
            config,
        })
    }

    /// The RocksDB directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join(&self.config.data_dir)
    }

    /// The consensus storage directory (network mode).
    pub fn consensus_dir(&self) -> Option<PathBuf> {
        self.config
            .network
            .as_ref()
            .map(|n| self.dir.join(&n.consensus_dir))
    }

    /// The RPC port's TLS identity, if node.toml has `[rpc_tls]`.
    ///
    /// # Errors
    /// If the certificate or key cannot be read or do not make a TLS identity.
    pub fn rpc_tls(&self) -> anyhow::Result<Option<carechain_rpc::RpcTls>> {
        let Some(tls) = &self.config.rpc_tls else {
            return Ok(None);
        };
        Ok(Some(carechain_rpc::RpcTls::from_pem_files(
            &self.dir.join(&tls.cert),
            &self.dir.join(&tls.key),
        )?))
    }

    /// The validator's signing key.
    ///
    /// # Errors
    /// If the key file cannot be read or is not a hex ed25519 secret key.
    pub fn validator_key(&self) -> anyhow::Result<ed25519_dalek::SigningKey> {
        Ok(carechain_client::read_key(
            &self.dir.join(&self.config.validator_key),
        )?)
    }
}
