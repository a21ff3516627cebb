//! Four validators in Commonware's deterministic runtime over its simulated network, each on
//! its own real RocksDB chain (two execute on wasmtime, two on wasmi): transactions sent to one
//! validator are finalized on all; every validator commits the same blocks and reaches the same
//! state root; with message delays and drops the chain keeps going; a partition with no quorum
//! halts it safely (no validator commits anything) and it resumes when the partition heals; and
//! the same seed gives the same chain.

use std::time::{Duration, UNIX_EPOCH};

use carechain_chain::Chain;
use carechain_consensus::{self as consensus, Channels, ConsensusConfig};
use carechain_mempool::MempoolLimits;
use carechain_primitives::block::TxStatus;
use carechain_primitives::genesis::{Genesis, Member, OrgKindName, Organisation, RoleName};
use carechain_primitives::tx::{Action, PublicKey, SignedTx, TxHash, TxPayload};
use carechain_runtime::{Address, EngineKind};
use carechain_service::{Node, NodeSettings, TxState};
use commonware_cryptography::Signer;
use commonware_p2p::simulated::{self, Link, Network, Oracle};
use commonware_runtime::{Clock, Quota, Runner, Supervisor, deterministic};
use commonware_utils::{NZU32, NZUsize, probability};
use ed25519_dalek::SigningKey;
use parity_scale_codec::Encode;

const T0: u64 = 1_767_225_600;
const VALIDATORS: usize = 4;
const LABELS: [&str; VALIDATORS] = ["v0", "v1", "v2", "v3"];

fn validator_seed(i: usize) -> [u8; 32] {
    [i as u8 + 1; 32]
}

fn member_key(i: usize) -> SigningKey {
    SigningKey::from_bytes(&[i as u8 + 101; 32])
}

fn public(key: &SigningKey) -> PublicKey {
    PublicKey(key.verifying_key().to_bytes())
}

/// Four organisations, each with a validator and a member; member 0 may deploy.
fn genesis() -> Genesis {
    let kinds = [
        OrgKindName::Hospital,
        OrgKindName::Insurer,
        OrgKindName::Pharmacy,
        OrgKindName::Regulator,
    ];
    Genesis {
        chain_id: "sim-chain".into(),
        genesis_time: T0,
        block_gas_limit: 10_000_000_000,
        max_tx_bytes: 1 << 20,
        organisations: (0..VALIDATORS)
            .map(|i| Organisation {
                id: format!("org{i}"),
                kind: kinds[i],
                members: vec![
                    Member {
                        name: "validator".into(),
                        public_key: public(&SigningKey::from_bytes(&validator_seed(i))).to_hex(),
                        roles: vec![RoleName::Validator],
                    },
                    Member {
                        name: "member".into(),
                        public_key: public(&member_key(i)).to_hex(),
                        roles: if i == 0 {
                            vec![RoleName::Deployer, RoleName::Member]
                        } else {
                            vec![RoleName::Member]
                        },
                    },
                ],
            })
            .collect(),
    }
}

fn sign(member: usize, nonce: u64, action: Action) -> SignedTx {
    TxPayload {
        chain_id: "sim-chain".into(),
        sender: public(&member_key(member)),
        nonce,
        gas_limit: 500_000_000,
        action,
    }
    .sign(&member_key(member))
}

fn selector_call(name: &str, args: impl Encode) -> Vec<u8> {
    let mut input = carechain_metadata::selector(name).to_vec();
    args.encode_to(&mut input);
    input
}

const LINK: Link = Link {
    latency: Duration::from_millis(40),
    jitter: Duration::from_millis(15),
    success_rate: probability!(0.95),
};

/// Adds (`connect`) or removes the links between every ordered pair of validators that
/// `pairs` selects.
async fn relink(
    oracle: &Oracle<commonware_cryptography::ed25519::PublicKey, deterministic::Context>,
    keys: &[commonware_cryptography::ed25519::PublicKey],
    connect: bool,
    pairs: impl Fn(usize, usize) -> bool,
) {
    for (a, ka) in keys.iter().enumerate() {
        for (b, kb) in keys.iter().enumerate() {
            if a != b && pairs(a, b) {
                if connect {
                    oracle.add_link(ka.clone(), kb.clone(), LINK).await.unwrap();
                } else {
                    oracle.remove_link(ka.clone(), kb.clone()).await.unwrap();
                }
            }
        }
    }
}

/// Waits (in simulated time) until `done` holds, at most `limit`.
async fn wait_until(
    context: &deterministic::Context,
    limit: Duration,
    mut done: impl FnMut() -> bool,
) -> bool {
    let deadline = context.current() + limit;
    while !done() {
        if context.current() > deadline {
            return false;
        }
        context.sleep(Duration::from_millis(100)).await;
    }
    true
}

fn committed(node: &Node, hash: &TxHash) -> bool {
    matches!(node.tx_state(hash), Ok(TxState::Committed(_)))
}

fn head(node: &Node) -> u64 {
    node.chain().head().unwrap().height
}

/// What one run produced: every validator's block hashes from 1 to the common height, and
/// their state roots there.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    hashes: Vec<Vec<[u8; 32]>>,
    roots: Vec<[u8; 32]>,
    counter: u64,
}

fn run(seed: u64) -> Outcome {
    let dirs: Vec<tempfile::TempDir> = (0..VALIDATORS)
        .map(|_| tempfile::tempdir().unwrap())
        .collect();
    let paths: Vec<std::path::PathBuf> = dirs.iter().map(|d| d.path().to_path_buf()).collect();
    let config = deterministic::Config::new()
        .with_seed(seed)
        .with_start_time(UNIX_EPOCH + Duration::from_secs(T0 + 60))
        .with_timeout(Some(Duration::from_secs(3_600)));
    deterministic::Runner::new(config).start(|context| async move {
        let genesis = genesis();
        let consensus_config = ConsensusConfig::local(b"carechain-sim-chain".to_vec(), genesis.validators());
        let signers: Vec<_> = (0..VALIDATORS).map(|i| consensus::consensus_signer(&validator_seed(i))).collect();
        let keys: Vec<_> = signers.iter().map(|s| s.public_key()).collect();
        let (network, oracle) = Network::new_with_peers(
            context.child("network"),
            simulated::Config {
                max_size: consensus_config.max_message_bytes(),
                max_peers_per_set: NZUsize!(VALIDATORS),
                disconnect_on_block: true,
                tracked_peer_sets: NZUsize!(1),
            },
            keys.clone(),
        )
        .await;
        network.start();
        relink(&oracle, &keys, true, |_, _| true).await;

        let quota = Quota::per_second(NZU32!(10_000));
        let mut nodes = Vec::new();
        for i in 0..VALIDATORS {
            let engine = if i % 2 == 0 { EngineKind::Wasmtime } else { EngineKind::Wasmi };
            let chain = Chain::open(&paths[i], genesis.clone(), engine).unwrap();
            let node = Node::new(
                chain,
                NodeSettings {
                    proposer: genesis.validators()[i],
                    block_interval: Duration::ZERO,
                    mempool: MempoolLimits::default(),
                },
            );
            let control = oracle.control(keys[i].clone());
            let mut pairs = Vec::new();
            for channel in consensus::engine::CHANNELS {
                pairs.push(control.register(channel, quota).await.unwrap());
            }
            let mut pairs = pairs.into_iter();
            let mut next = || pairs.next().unwrap();
            let channels = Channels {
                votes: next(),
                certificates: next(),
                resolver: next(),
                blocks: next(),
                backfill: next(),
                transactions: next(),
            };
            let mut config = consensus_config.clone();
            config.partition_prefix = format!("v{i}");
            consensus::start_validator(
                context.child(LABELS[i]),
                config,
                signers[i].clone(),
                node.clone(),
                channels,
                oracle.control(keys[i].clone()),
                oracle.manager(),
            )
            .await;
            nodes.push(node);
        }

        // Deploy the counter through validator 0; every validator commits it.
        let deploy = sign(
            0,
            0,
            Action::Deploy {
                code: carechain_contracts::wasm("counter").unwrap().to_vec(),
                input: selector_call("new", 5u64),
                salt: vec![],
            },
        );
        let hash = nodes[0].submit(&deploy.encode()).unwrap();
        assert!(
            wait_until(&context, Duration::from_secs(60), || nodes.iter().all(|n| committed(n, &hash))).await,
            "the deployment is finalized on every validator"
        );
        let location = match nodes[3].tx_state(&hash).unwrap() {
            TxState::Committed(l) => l,
            other => panic!("{other:?}"),
        };
        let receipts = nodes[3].chain().store().receipts(location.height).unwrap().unwrap();
        let receipt = &receipts[location.index as usize];
        assert_eq!(receipt.status, TxStatus::Success);
        let counter: Address = receipt.contract.unwrap();

        // Increments from the four members, each sent to a different validator.
        let mut hashes = Vec::new();
        for round in 0..5u64 {
            for member in 0..VALIDATORS {
                let nonce = if member == 0 { round + 1 } else { round };
                let tx = sign(
                    member,
                    nonce,
                    Action::Call { contract: counter, input: selector_call("increment", 1u64) },
                );
                hashes.push(nodes[(member + 1) % VALIDATORS].submit(&tx.encode()).unwrap());
            }
            context.sleep(Duration::from_millis(300)).await;
        }
        assert!(
            wait_until(&context, Duration::from_secs(120), || {
                nodes.iter().all(|n| hashes.iter().all(|h| committed(n, h)))
            })
            .await,
            "every increment is finalized on every validator"
        );

        // A partition with no quorum on either side: nothing is finalized anywhere.
        let split = |a: usize, b: usize| (a < 2) != (b < 2);
        relink(&oracle, &keys, false, split).await;
        context.sleep(Duration::from_secs(5)).await;
        let halted: Vec<u64> = nodes.iter().map(|n| head(n)).collect();
        let late = sign(1, 5, Action::Call { contract: counter, input: selector_call("increment", 1u64) });
        let late_hash = nodes[1].submit(&late.encode()).unwrap();
        context.sleep(Duration::from_secs(20)).await;
        let still: Vec<u64> = nodes.iter().map(|n| head(n)).collect();
        assert_eq!(halted, still, "no block is committed without a quorum");
        assert!(nodes.iter().all(|n| !committed(n, &late_hash)));

        // Healed: the chain resumes and the waiting transaction is finalized everywhere.
        relink(&oracle, &keys, true, split).await;
        assert!(
            wait_until(&context, Duration::from_secs(120), || nodes.iter().all(|n| committed(n, &late_hash))).await,
            "after healing, the transaction sent during the partition is finalized"
        );
        let target = nodes.iter().map(|n| head(n)).max().unwrap();
        assert!(
            wait_until(&context, Duration::from_secs(60), || nodes.iter().all(|n| head(n) >= target)).await,
            "every validator reaches height {target}"
        );

        let common = nodes.iter().map(|n| head(n)).min().unwrap();
        eprintln!(
            "seed {seed}: halted at {halted:?} during the partition, common height {common}, simulated {:?}",
            context.current().duration_since(UNIX_EPOCH + Duration::from_secs(T0 + 60)).unwrap()
        );
        let hashes: Vec<Vec<[u8; 32]>> = nodes
            .iter()
            .map(|n| {
                (1..=common)
                    .map(|h| n.chain().store().block(h).unwrap().unwrap().header.hash())
                    .collect()
            })
            .collect();
        let roots: Vec<[u8; 32]> = nodes.iter().map(|n| n.chain().store().state_root(common).unwrap()).collect();
        let value = nodes[2].chain().query(Address([0; 32]), counter, selector_call("get", ()), 10_000_000).unwrap();
        Outcome {
            hashes,
            roots,
            counter: u64::from_le_bytes(value.return_data.try_into().unwrap()),
        }
    })
}

#[test]
fn four_validators_agree_through_delays_drops_and_a_healed_partition() {
    for seed in [7, 1_000_003, 42] {
        check(seed);
    }
}

fn check(seed: u64) {
    let outcome = run(seed);
    for v in 1..VALIDATORS {
        assert_eq!(
            outcome.hashes[v], outcome.hashes[0],
            "validator {v} committed the same blocks"
        );
        assert_eq!(
            outcome.roots[v], outcome.roots[0],
            "validator {v} has the same state root"
        );
    }
    assert!(outcome.hashes[0].len() >= 3);
    assert_eq!(outcome.counter, 5 + 20 + 1, "every increment counted once");
    // Deterministic: the same seed gives the same chain.
    assert_eq!(run(seed), outcome);
}
