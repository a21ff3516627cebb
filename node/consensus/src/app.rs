//! The application side of consensus: what a validator proposes, how it verifies a proposal,
//! and how it commits finalized blocks.
//!
//! Blocks are executed before anyone votes on them. A leader builds its proposal from the
//! mempool on top of its parent's state and a verifier re-executes the proposal and compares the
//! whole header (state, transaction and receipt roots, gas). The parent need not be finalized
//! yet: simplex builds on *certified* blocks, and a certified block can stay unfinalized (when
//! validators time out on its view after voting for it) until a descendant is finalized, so a
//! child is executed on top of its executed, uncommitted parents ([`Base::uncommitted`]).
//! Executions are cached by block hash; a finalized block is committed from the cache (or
//! re-executed, during catch-up) exactly once, in height order, as one RocksDB write, and only
//! then acknowledged to marshal. A block redelivered after a restart (committed, then killed
//! before the acknowledgement) is recognised by its hash and only acknowledged.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use commonware_consensus::marshal::{Update, ancestry::Ancestry};
use commonware_consensus::simplex::{scheme::ed25519 as ed_scheme, types::Context};
use commonware_consensus::{Application, Reporter};
use commonware_cryptography::{Digested, ed25519};
use commonware_runtime::Clock;
use commonware_utils::Acknowledgement;
use futures::StreamExt;
use futures::channel::mpsc;

use carechain_chain::{Base, Chain, ChainError, Committed, Executed};
use carechain_primitives::block::Block;
use carechain_primitives::commonware::BlockDigest;
use carechain_primitives::tx::PublicKey;
use carechain_service::Node;

/// The signing scheme of votes and certificates: ed25519, one key per validator.
pub type Scheme = ed_scheme::Scheme;

/// What consensus tells the application about a proposal: round, leader and parent.
pub type ConsensusContext = Context<BlockDigest, ed25519::PublicKey>;

/// How far (seconds) a proposal's timestamp may run ahead of this validator's clock; a
/// proposal further ahead is verified once the clock catches up.
pub const MAX_CLOCK_DRIFT_SECS: u64 = 5;

/// Executions of blocks not yet committed, by block hash.
#[derive(Default)]
struct Cache {
    executed: HashMap<[u8; 32], Arc<Executed>>,
    /// When each cached block was first executed here (proposed or verified).
    seen: HashMap<[u8; 32], std::time::Instant>,
    halted: bool,
}

impl Cache {
    fn insert(&mut self, executed: Executed) {
        let hash = executed.hash();
        self.seen
            .entry(hash)
            .or_insert_with(std::time::Instant::now);
        self.executed.insert(hash, Arc::new(executed));
    }
}

/// How a block relates to what this validator has.
enum Known {
    /// Committed here (finalized).
    Committed,
    /// Executed and cached.
    Executed,
    /// At a committed height with another hash: it conflicts with finality.
    Conflict,
    /// Neither.
    Unknown,
}

/// The result of making a block's ancestry executable.
enum Ready {
    /// The block and its ancestors are executed: children can execute on it.
    Executed,
    /// The block conflicts with the committed chain or does not execute.
    Invalid,
    /// The ancestry ended before reaching a known block.
    Ended,
}

/// Executes and commits blocks for consensus; shared by [`App`] and the finalizer. One lock
/// covers execution, the cache and commits, so a verification never reads state halfway
/// through a commit.
pub struct Executor {
    node: Arc<Node>,
    cache: Mutex<Cache>,
}

fn unix_secs(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Executor {
    /// An executor for `node`'s chain.
    pub fn new(node: Arc<Node>) -> Arc<Self> {
        Arc::new(Executor {
            node,
            cache: Mutex::new(Cache::default()),
        })
    }

    /// The node.
    pub fn node(&self) -> &Arc<Node> {
        &self.node
    }

    fn chain(&self) -> &Chain {
        self.node.chain()
    }

    fn lock(&self) -> MutexGuard<'_, Cache> {
        self.cache.lock().expect("executor lock")
    }

    /// Blocks executed and not committed.
    pub fn cached(&self) -> usize {
        self.lock().executed.len()
    }

    fn classify(&self, cache: &Cache, block: &Block) -> Result<Known, ChainError> {
        let store = self.chain().store();
        let head = store.head()?.unwrap_or(0);
        let hash = block.header.hash();
        if block.header.height <= head {
            let stored = store.header(block.header.height)?;
            return Ok(if stored.map(|h| h.hash()) == Some(hash) {
                Known::Committed
            } else {
                Known::Conflict
            });
        }
        Ok(if cache.executed.contains_key(&hash) {
            Known::Executed
        } else {
            Known::Unknown
        })
    }

    /// The base a child of `parent` executes on, if `parent` is the committed head or an
    /// executed descendant of it.
    fn base_for(&self, cache: &Cache, parent: &[u8; 32]) -> Result<Option<Base>, ChainError> {
        let head = self.chain().head()?;
        let head_hash = head.hash();
        if *parent == head_hash {
            return Ok(Some(Base::committed()));
        }
        let mut ancestors = Vec::new();
        let mut current = *parent;
        loop {
            let Some(executed) = cache.executed.get(&current) else {
                return Ok(None);
            };
            ancestors.push(executed.clone());
            current = executed.block.header.parent_hash;
            if current == head_hash {
                return Ok(Some(Base::uncommitted(ancestors)));
            }
            if executed.block.header.height <= head.height + 1 {
                return Ok(None);
            }
        }
    }

    /// Makes sure the first block of `ancestry`, and every block between it and the committed
    /// head, is executed (fetching and executing the missing ones oldest first), and returns
    /// the base its children execute on.
    async fn prepare_parent(&self, ancestry: &mut impl Ancestry<Block>) -> Ready {
        let mut first = None;
        let mut path: Vec<Arc<Block>> = Vec::new();
        loop {
            let Some(next) = ancestry.next().await else {
                return Ready::Ended;
            };
            let block = next.inner_shared();
            first.get_or_insert(block.header.hash());
            let known = self.classify(&self.lock(), &block);
            match known {
                Ok(Known::Unknown) => path.push(block),
                Ok(Known::Committed | Known::Executed) => break,
                Ok(Known::Conflict) => return Ready::Invalid,
                Err(e) => {
                    tracing::error!(error = %e, "reading the store");
                    return Ready::Invalid;
                }
            }
        }
        let mut cache = self.lock();
        for block in path.iter().rev() {
            match self.execute_into(&mut cache, block) {
                Ok(true) => {}
                Ok(false) => return Ready::Invalid,
                Err(e) => {
                    tracing::error!(error = %e, "reading the store");
                    return Ready::Invalid;
                }
            }
        }
        let first = first.expect("the loop read at least one block");
        match self.base_for(&cache, &first) {
            Ok(Some(_)) => Ready::Executed,
            Ok(None) => Ready::Invalid,
            Err(e) => {
                tracing::error!(error = %e, "reading the store");
                Ready::Invalid
            }
        }
    }

    /// Executes `block` on its parent and caches it, unless known; false if it conflicts with
    /// the committed chain, its parent is not executable, or it does not re-execute to its
    /// header.
    fn execute_into(&self, cache: &mut Cache, block: &Block) -> Result<bool, ChainError> {
        match self.classify(cache, block)? {
            Known::Committed | Known::Executed => return Ok(true),
            Known::Conflict => return Ok(false),
            Known::Unknown => {}
        }
        let Some(base) = self.base_for(cache, &block.header.parent_hash)? else {
            return Ok(false);
        };
        match self.chain().execute_block(&base, block) {
            Ok(executed) => {
                cache.insert(executed);
                Ok(true)
            }
            Err(ChainError::InvalidBlock { height, reason }) => {
                tracing::warn!(height, %reason, "proposal refused");
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Commits a finalized block (from the cache when it was executed on the head, else by
    /// executing it now), or recognises one already committed.
    ///
    /// # Errors
    /// [`ChainError`] if it does not follow from the committed chain or the store fails.
    pub fn finalize(&self, block: &Block) -> Result<(), ChainError> {
        let mut cache = self.lock();
        let chain = self.chain();
        let head = chain.head()?;
        let height = block.header.height;
        let hash = block.header.hash();
        if height <= head.height {
            let stored = chain.store().header(height)?.map(|h| h.hash());
            if stored != Some(hash) {
                return Err(ChainError::InvalidBlock {
                    height,
                    reason: "finalized block differs from the committed one".into(),
                });
            }
            return Ok(());
        }
        if height != head.height + 1 {
            return Err(ChainError::InvalidBlock {
                height,
                reason: format!("finalized out of order: the head is {}", head.height),
            });
        }
        let executed = match cache.executed.remove(&hash) {
            Some(executed) if executed.block.header.parent_hash == head.hash() => executed,
            _ => Arc::new(chain.execute_block(&Base::committed(), block)?),
        };
        let commit = chain.commit(&executed)?;
        if let Some(seen) = cache.seen.remove(&hash) {
            metrics::histogram!("carechain_finalization_seconds")
                .record(seen.elapsed().as_secs_f64());
        }
        cache.executed.retain(|_, e| e.block.header.height > height);
        let Cache {
            executed: kept,
            seen,
            ..
        } = &mut *cache;
        seen.retain(|h, _| kept.contains_key(h));
        drop(cache);
        let committed = match Arc::try_unwrap(executed) {
            Ok(executed) => Committed::new(executed, commit),
            Err(shared) => Committed::from_shared(&shared, commit),
        };
        self.node.publish(committed);
        Ok(())
    }
}

/// The consensus application: proposes and verifies blocks through the [`Executor`].
#[derive(Clone)]
pub struct App {
    executor: Arc<Executor>,
    empty_block_interval: Duration,
    build_budget: Duration,
}

impl App {
    /// An application proposing a block at least every `empty_block_interval` (sooner when
    /// transactions wait), spending at most `build_budget` executing a proposal (what is left
    /// waits for the next): every validator re-executes it before voting, the slower engine
    /// and a busy machine included, so a proposal must stay well inside the leader timeout.
    pub fn new(
        executor: Arc<Executor>,
        empty_block_interval: Duration,
        build_budget: Duration,
    ) -> Self {
        App {
            executor,
            empty_block_interval,
            build_budget,
        }
    }
}

fn leader_key(leader: &ed25519::PublicKey) -> PublicKey {
    let bytes: &[u8] = leader.as_ref();
    PublicKey(bytes.try_into().expect("ed25519 public keys are 32 bytes"))
}

impl<E: Clock + Send + Sync + 'static> Application<E> for App {
    type SigningScheme = Scheme;
    type Context = ConsensusContext;
    type Block = Block;
    type Input = ();

    async fn propose(
        &mut self,
        (runtime, context): (E, ConsensusContext),
        mut ancestry: impl Ancestry<Block>,
        _input: (),
    ) -> Option<Digested<Block>> {
        let parent = ancestry.peek()?.inner_shared();
        let parent_hash = parent.header.hash();
        match self.executor.prepare_parent(&mut ancestry).await {
            Ready::Executed => {}
            Ready::Invalid => return None,
            Ready::Ended => futures::future::pending::<()>().await,
        }
        // Wait for transactions, at most the empty-block interval.
        let deadline = runtime.current() + self.empty_block_interval;
        while self.executor.node.mempool_len() == 0 && runtime.current() < deadline {
            runtime.sleep(Duration::from_millis(10)).await;
        }
        let executor = &self.executor;
        let mut cache = executor.lock();
        // The parent may have been committed meanwhile: recompute its base.
        let base = executor.base_for(&cache, &parent_hash).ok()??;
        let chain = executor.chain();
        let candidates = match executor.node.candidates(|a| chain.nonce_on(&base, a)) {
            Ok(candidates) => candidates,
            Err(e) => {
                // This node cannot read its state: it proposes nothing this view.
                tracing::error!(error = %e, "selecting a proposal's transactions");
                return None;
            }
        };
        let timestamp = unix_secs(runtime.current()).max(parent.header.timestamp);
        let executed = match chain.build_block_within(
            &base,
            candidates,
            timestamp,
            leader_key(&context.leader),
            self.build_budget,
        ) {
            Ok(executed) => executed,
            Err(e) => {
                tracing::error!(error = %e, "building a proposal");
                return None;
            }
        };
        let digest = BlockDigest(executed.hash());
        let block = executed.block.clone();
        tracing::debug!(
            height = block.header.height,
            txs = block.txs.len(),
            "proposing"
        );
        cache.insert(executed);
        Some(Digested::precomputed(block, digest))
    }

    async fn verify(
        &mut self,
        (runtime, context): (E, ConsensusContext),
        mut ancestry: impl Ancestry<Block>,
    ) -> bool {
        let Some(block) = ancestry.next().await else {
            return false;
        };
        let block = block.inner_shared();
        if block.header.proposer != leader_key(&context.leader) {
            return false;
        }
        match self.executor.prepare_parent(&mut ancestry).await {
            Ready::Executed => {}
            Ready::Invalid => return false,
            Ready::Ended => futures::future::pending::<()>().await,
        }
        // A timestamp ahead of this clock (beyond the drift allowed) is not yet valid.
        while block.header.timestamp > unix_secs(runtime.current()) + MAX_CLOCK_DRIFT_SECS {
            runtime.sleep(Duration::from_millis(200)).await;
        }
        let mut cache = self.executor.lock();
        match self.executor.execute_into(&mut cache, &block) {
            Ok(valid) => valid,
            Err(e) => {
                tracing::error!(error = %e, "verifying a proposal");
                false
            }
        }
    }
}

/// Counts what consensus reports: view changes (nullifications: a view skipped because its
/// leader was down, slow or faulty), finalizations, and evidence of faults (conflicting votes).
#[derive(Clone, Default)]
pub struct ConsensusMetrics;

impl Reporter for ConsensusMetrics {
    type Activity = commonware_consensus::simplex::types::Activity<Scheme, BlockDigest>;

    fn report(&mut self, activity: Self::Activity) -> commonware_actor::Feedback {
        use commonware_consensus::simplex::types::Activity;
        match activity {
            Activity::Nullification(_) => {
                metrics::counter!("carechain_view_changes_total").increment(1);
            }
            Activity::Finalization(_) => {
                metrics::counter!("carechain_finalizations_total").increment(1);
            }
            Activity::ConflictingNotarize(_)
            | Activity::ConflictingFinalize(_)
            | Activity::NullifyFinalize(_) => {
                tracing::warn!("evidence of a faulty validator");
                metrics::counter!("carechain_consensus_faults_total").increment(1);
            }
            _ => {}
        }
        commonware_actor::Feedback::Ok
    }
}

/// Receives finalized blocks from marshal, in height order, for the commit task.
#[derive(Clone)]
pub struct Finalizer {
    updates: mpsc::UnboundedSender<Update<Block>>,
}

impl Finalizer {
    /// A finalizer and the stream [`run_finalizer`] commits from.
    pub fn new() -> (Self, mpsc::UnboundedReceiver<Update<Block>>) {
        let (updates, receiver) = mpsc::unbounded();
        (Finalizer { updates }, receiver)
    }
}

impl Reporter for Finalizer {
    type Activity = Update<Block>;

    fn report(&mut self, update: Update<Block>) -> commonware_actor::Feedback {
        // The receiver lives as long as the validator; a send fails only while shutting down.
        let _ = self.updates.unbounded_send(update);
        commonware_actor::Feedback::Ok
    }
}

/// Commits finalized blocks as marshal delivers them and acknowledges each once it is durable.
/// A finalized block that does not follow from the committed chain (a fault this validator
/// cannot repair) halts it: nothing more is committed or acknowledged, and the error is logged.
pub async fn run_finalizer(
    executor: Arc<Executor>,
    mut updates: mpsc::UnboundedReceiver<Update<Block>>,
) {
    let mut held = Vec::new();
    while let Some(update) = updates.next().await {
        match update {
            Update::Tip(_, height, _) => {
                metrics::gauge!("carechain_finalized_tip_height").set(height.get() as f64);
            }
            Update::Block(block, ack) => {
                if executor.lock().halted {
                    held.push(ack);
                    continue;
                }
                match executor.finalize(block.inner()) {
                    Ok(()) => ack.acknowledge(),
                    Err(e) => {
                        tracing::error!(error = %e, "cannot commit a finalized block; halting");
                        executor.lock().halted = true;
                        // Dropping it would stop marshal; keeping it stops delivery cleanly.
                        held.push(ack);
                    }
                }
            }
        }
    }
}
