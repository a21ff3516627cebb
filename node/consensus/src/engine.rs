//! Starting a validator: simplex consensus, marshal (ordered finalized blocks and backfill),
//! block broadcast and transaction gossip, on any Commonware runtime and network (the tokio
//! runtime with authenticated TCP in `carechain run`, the deterministic runtime with a simulated
//! network in tests).

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use commonware_broadcast::buffered;
use commonware_codec::DecodeExt;
use commonware_consensus::Reporters;
use commonware_consensus::marshal::standard::{Inline, Standard};
use commonware_consensus::marshal::{self, core::Actor, resolver::p2p as marshal_resolver};
use commonware_consensus::simplex::{
    self,
    config::{Floor, ForwardPolicy, SkipBudget, SkipPolicy},
    elector::RoundRobin,
};
use commonware_consensus::types::{Epoch, FixedEpocher, ViewDelta};
use commonware_cryptography::certificate::Verifier as _;
use commonware_cryptography::{Digested, Sha256, Signer, certificate::ConstantProvider, ed25519};
use commonware_p2p::{Blocker, Provider, Receiver, Recipients, Sender};
use commonware_parallel::Sequential;
use commonware_runtime::buffer::paged::CacheRef;
use commonware_runtime::{Clock, Metrics, Spawner, Storage};
use commonware_storage::archive::immutable;
use commonware_utils::{NZDuration, NZU16, NZU64, NZUsize, ordered::Set};
use futures::StreamExt;
use parity_scale_codec::{Decode, Encode};

use super::app::{App, ConsensusMetrics, Executor, Finalizer, Scheme, run_finalizer};
use carechain_primitives::block::Block;
use carechain_primitives::commonware::BlockDigest;
use carechain_primitives::tx::PublicKey;
use carechain_service::Node;

/// Largest transaction-gossip message, bytes (a batch of transactions).
pub const MAX_GOSSIP_BYTES: usize = 2 << 20;

/// Consensus settings of a validator.
#[derive(Clone, Debug)]
pub struct ConsensusConfig {
    /// Signing namespace of votes and certificates: one per chain, so votes of one chain
    /// cannot count on another.
    pub namespace: Vec<u8>,
    /// The validators' keys (from genesis).
    pub validators: Vec<PublicKey>,
    /// How long to wait for the leader's proposal before voting to skip the view.
    pub leader_timeout: Duration,
    /// How long to wait for a notarized block to certify (its data available).
    pub certification_timeout: Duration,
    /// How often to retry a view that is not progressing.
    pub timeout_retry: Duration,
    /// Propose a block at least this often, empty if nothing waits (below `leader_timeout`).
    pub empty_block_interval: Duration,
    /// Largest encoded block accepted, bytes.
    pub max_block_bytes: usize,
    /// Prefix of this validator's storage partitions.
    pub partition_prefix: String,
}

impl ConsensusConfig {
    /// Settings for validators on one host or a LAN: sub-second blocks, failover in about
    /// two seconds.
    pub fn local(namespace: Vec<u8>, validators: Vec<PublicKey>) -> Self {
        ConsensusConfig {
            namespace,
            validators,
            leader_timeout: Duration::from_secs(2),
            certification_timeout: Duration::from_secs(4),
            timeout_retry: Duration::from_secs(5),
            empty_block_interval: Duration::from_millis(500),
            max_block_bytes: 8 << 20,
            partition_prefix: "carechain".into(),
        }
    }

    /// The largest message the p2p network must carry for these settings.
    pub fn max_message_bytes(&self) -> u32 {
        let block = u32::try_from(self.max_block_bytes + (64 << 10)).unwrap_or(u32::MAX);
        block.max(MAX_GOSSIP_BYTES as u32 + 1024)
    }
}

/// The network channels a validator uses, one sender/receiver pair each.
pub struct Channels<S, R> {
    /// Votes.
    pub votes: (S, R),
    /// Certificates.
    pub certificates: (S, R),
    /// Simplex's own fetches of missing certificates.
    pub resolver: (S, R),
    /// Block broadcast.
    pub blocks: (S, R),
    /// Marshal's backfill of finalized blocks.
    pub backfill: (S, R),
    /// Transaction gossip.
    pub transactions: (S, R),
}

/// Network channel numbers, in the order of [`Channels`].
pub const CHANNELS: [u64; 6] = [0, 1, 2, 3, 4, 5];

/// Converts a Carechain key (validator key in genesis) to consensus's.
///
/// # Panics
/// If the bytes are not a valid ed25519 point (genesis validation rejects such keys).
pub fn consensus_key(key: &PublicKey) -> ed25519::PublicKey {
    ed25519::PublicKey::decode(key.0.to_vec()).expect("a valid ed25519 public key")
}

/// Converts a validator's 32-byte ed25519 seed to consensus's signing key.
///
/// # Panics
/// Never for 32 bytes.
pub fn consensus_signer(seed: &[u8; 32]) -> ed25519::PrivateKey {
    ed25519::PrivateKey::decode(seed.to_vec()).expect("32-byte ed25519 seed")
}

fn archive_config<C>(
    prefix: &str,
    name: &str,
    page_cache: &CacheRef,
    codec_config: C,
) -> immutable::Config<C> {
    let p = format!("{prefix}-{name}");
    immutable::Config {
        metadata_partition: format!("{p}-metadata"),
        freezer_table_partition: format!("{p}-freezer-table"),
        freezer_table_initial_size: 64,
        freezer_table_resize_frequency: 10,
        freezer_table_resize_chunk_size: 10,
        freezer_key_partition: format!("{p}-freezer-key"),
        freezer_key_page_cache: page_cache.clone(),
        freezer_value_partition: format!("{p}-freezer-value"),
        freezer_value_target_size: 1 << 20,
        freezer_value_compression: None,
        ordinal_partition: format!("{p}-ordinal"),
        items_per_section: NZU64!(1024),
        codec_config,
        replay_buffer: NZUsize!(1 << 20),
        freezer_key_write_buffer: NZUsize!(1 << 20),
        freezer_value_write_buffer: NZUsize!(1 << 20),
        ordinal_write_buffer: NZUsize!(1 << 20),
    }
}

/// This validator's signing scheme over the genesis validator set, and block 0 with its digest
/// (where marshal and simplex start).
///
/// # Panics
/// If the validator keys are not distinct, this validator is not one of them, or block 0 is
/// not committed: a node is started only on an initialised chain of whose validators it is one.
fn validator_setup(
    config: &ConsensusConfig,
    signer: ed25519::PrivateKey,
    node: &Node,
) -> (Scheme, Block, BlockDigest) {
    let participants: Set<ed25519::PublicKey> = Set::try_from(
        config
            .validators
            .iter()
            .map(consensus_key)
            .collect::<Vec<_>>(),
    )
    .expect("distinct validator keys");
    let scheme = Scheme::signer(&config.namespace, participants, signer)
        .expect("this validator's key is in the validator set");
    let genesis = node
        .chain()
        .store()
        .block(0)
        .ok()
        .flatten()
        .expect("block 0 is committed");
    let digest = BlockDigest(genesis.header.hash());
    (scheme, genesis, digest)
}

/// Starts a validator of `node`'s chain signing with `signer`: consensus, marshal, block
/// broadcast, the commit task and transaction gossip, as tasks of `context`. `blocker` and
/// `peers` come from the p2p network (its oracle). Returns the executor (for inspection).
///
/// # Panics
/// If this validator's storage cannot be opened, or `signer` is not one of the validators.
#[allow(clippy::too_many_arguments)]
pub async fn start_validator<E, S, R, B, P>(
    context: E,
    config: ConsensusConfig,
    signer: ed25519::PrivateKey,
    node: Arc<Node>,
    channels: Channels<S, R>,
    blocker: B,
    peers: P,
) -> Arc<Executor>
where
    E: Spawner + Clock + Storage + Metrics + rand_core::CryptoRng + Send + Sync + 'static,
    S: Sender<PublicKey = ed25519::PublicKey>,
    R: Receiver<PublicKey = ed25519::PublicKey>,
    B: Blocker<PublicKey = ed25519::PublicKey>,
    P: Provider<PublicKey = ed25519::PublicKey>,
{
    let me = signer.public_key();
    let (scheme, genesis, genesis_digest) = validator_setup(&config, signer, &node);
    let prefix = config.partition_prefix.clone();
    let page_cache = CacheRef::new(NZU16!(4096), NZUsize!(1024));
    let mailbox_size: NonZeroUsize = NZUsize!(1024);

    let executor = Executor::new(node.clone());
    let (finalizer, updates) = Finalizer::new();
    let committer = executor.clone();
    context
        .child("finalizer")
        .dedicated()
        .spawn(move |_| run_finalizer(committer, updates));

    let (broadcast_engine, buffer) = buffered::Engine::new(
        context.child("broadcast"),
        buffered::Config {
            public_key: me.clone(),
            mailbox_size,
            deque_size: 10,
            priority: false,
            codec_config: config.max_block_bytes,
            peer_provider: peers.clone(),
            strategy: Sequential,
        },
    );
    broadcast_engine.start(channels.blocks);
    let resolver = marshal_resolver::init(
        context.child("backfill"),
        marshal_resolver::Config {
            public_key: me.clone(),
            peer_provider: peers.clone(),
            blocker: blocker.clone(),
            mailbox_size,
            fetch_timeout: NZDuration!(Duration::from_secs(2)),
            fetch_retry_delay: Duration::from_millis(100),
            priority_requests: false,
            priority_responses: false,
        },
        channels.backfill,
    );
    let blocks = immutable::Archive::init(
        context.child("finalized_blocks"),
        archive_config(&prefix, "blocks", &page_cache, config.max_block_bytes),
    )
    .await
    .expect("opening the finalized-block archive");
    let finalizations = immutable::Archive::init(
        context.child("finalizations"),
        archive_config(
            &prefix,
            "finalizations",
            &page_cache,
            Scheme::certificate_codec_config_unbounded(),
        ),
    )
    .await
    .expect("opening the finalization archive");
    let (actor, mailbox, _processed) = Actor::<_, Standard<Block>, _, _, _, _, _>::init(
        context.child("marshal"),
        finalizations,
        blocks,
        marshal::Config {
            provider: ConstantProvider::<Scheme, Epoch>::new(scheme.clone()),
            epocher: FixedEpocher::new(NZU64!(u64::MAX)),
            start: marshal::Start::Genesis(Digested::precomputed(genesis, genesis_digest)),
            partition_prefix: format!("{prefix}-marshal"),
            mailbox_size,
            view_retention: ViewDelta::new(10),
            prunable_items_per_section: NZU64!(10),
            page_cache: page_cache.clone(),
            replay_buffer: NZUsize!(1 << 20),
            key_write_buffer: NZUsize!(1 << 20),
            value_write_buffer: NZUsize!(1 << 20),
            block_codec_config: config.max_block_bytes,
            max_repair: NZUsize!(16),
            max_pending_acks: NZUsize!(4),
            strategy: Sequential,
        },
    )
    .await;
    actor.start(finalizer, buffer, resolver);

    let app = App::new(
        executor.clone(),
        config.empty_block_interval,
        config.leader_timeout / 8,
    );
    let inline = Inline::new(
        context.child("application"),
        app,
        mailbox,
        FixedEpocher::new(NZU64!(u64::MAX)),
    );
    let engine = simplex::Engine::new(
        context.child("simplex"),
        simplex::config::Config {
            scheme,
            elector: RoundRobin::<Sha256>::default(),
            blocker,
            automaton: inline.clone(),
            relay: inline.clone(),
            reporter: Reporters::from((inline, ConsensusMetrics)),
            track_historical_votes: false,
            strategy: Sequential,
            partition: format!("{prefix}-simplex"),
            mailbox_size,
            epoch: Epoch::zero(),
            floor: Floor::Genesis(genesis_digest),
            replay_buffer: NZUsize!(1 << 20),
            write_buffer: NZUsize!(1 << 20),
            page_cache,
            leader_timeout: config.leader_timeout,
            certification_timeout: config.certification_timeout,
            timeout_retry: config.timeout_retry,
            view_retention: ViewDelta::new(256),
            skip: SkipPolicy::Enabled {
                timeout: config.timeout_retry * 2,
                budget: SkipBudget::Participants,
            },
            fetch_timeout: NZDuration!(Duration::from_secs(2)),
            fetch_retry_delay: Duration::from_millis(100),
            forward: ForwardPolicy::SilentLeader,
        },
    );
    engine.start(channels.votes, channels.certificates, channels.resolver);

    start_gossip(context.child("gossip"), node, channels.transactions);
    executor
}

/// Passes transactions accepted by this validator's RPC to the others, in batches, and
/// admits the ones they pass on (without passing those on again: every validator sends its
/// own to all).
fn start_gossip<E, S, R>(context: E, node: Arc<Node>, (mut sender, mut receiver): (S, R))
where
    E: Spawner + Clock + Send + 'static,
    S: Sender<PublicKey = ed25519::PublicKey>,
    R: Receiver<PublicKey = ed25519::PublicKey>,
{
    let (outgoing, mut queue) = futures::channel::mpsc::unbounded::<Vec<u8>>();
    node.set_gossip(move |tx| {
        let _ = outgoing.unbounded_send(tx);
    });
    context.child("send").spawn(|_| async move {
        while let Some(first) = queue.next().await {
            let mut batch = vec![first];
            let mut size = batch[0].len();
            while size < MAX_GOSSIP_BYTES / 2 {
                match queue.try_recv() {
                    Ok(tx) => {
                        size += tx.len();
                        batch.push(tx);
                    }
                    Err(_) => break,
                }
            }
            let _ = sender.send(Recipients::All, batch.encode(), false);
        }
    });
    context.child("receive").spawn(|_| async move {
        while let Ok((_peer, message)) = receiver.recv().await {
            let Ok(batch) = Vec::<Vec<u8>>::decode(&mut message.as_ref()) else {
                continue;
            };
            for tx in batch {
                // Refusals (already known, used nonce) are normal: each validator hears each
                // transaction from its submitter only, but may also have it already.
                let _ = node.submit_from_peer(&tx);
            }
        }
    });
}
