//! A network of four real `carechain` validator processes on 127.0.0.1 (made by
//! `carechain testnet --no-start`): transactions sent to any validator are finalized on all, all
//! reach the same height and state root; and the faults of issue 9, each checked for lost
//! commits and disagreement: one validator killed with SIGKILL (the others keep finalizing; it
//! restarts and catches up), the validator that proposed the latest block killed (the next
//! views' leader rotation skips it), two validators down (the chain halts without forking and
//! resumes when one returns), and a validator restarted with its data wiped (it resyncs from
//! genesis). Two validators execute on wasmtime, two on wasmi. Every RPC port serves TLS (the
//! testnet's default), and the tests' clients sign their requests and pin each node's
//! certificate.

mod common;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use carechain_primitives::tx::Action;
use carechain_rpc_api::{
    BlockId, Bytes, HeaderView, Hex32, Outcome, QueryRequest, TransactionStatus, TxState,
};
use carechain_runtime::Address;
use common::{ORGS, RunningNode, org_key, replay};
use ed25519_dalek::SigningKey;
use parity_scale_codec::Encode;

const GAS: u64 = 50_000_000;
const N: usize = 4;

fn call_input(name: &str, args: impl Encode) -> Vec<u8> {
    let mut input = carechain_metadata::selector(name).to_vec();
    input.extend(args.encode());
    input
}

/// The lowest port of the kernel's ephemeral range, from which outgoing connections and binds to
/// port 0 (every node's RPC server here) take theirs.
fn ephemeral_low() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse().ok())
        .unwrap_or(32_768)
}

/// A base port with `count` free consecutive ports after it, all below the ephemeral range: a
/// validator keeps its p2p port across restarts, and while it is down a port in that range could
/// be handed to another connection (as happened in CI: the restarted validator could not bind).
fn free_ports(count: u16) -> u16 {
    let low = 10_000u16;
    let high = ephemeral_low().saturating_sub(count).max(low + 1_000);
    // Tests of this binary run at once in one process: each call starts elsewhere.
    static CALLS: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let seed = (std::process::id() as u16).wrapping_add(call.wrapping_mul(1_009));
    for attempt in 0..200u16 {
        let base = low + (seed.wrapping_mul(7).wrapping_add(attempt * 97) % (high - low));
        let free = (0..count).all(|i| TcpListener::bind(("127.0.0.1", base + i)).is_ok());
        if free {
            return base;
        }
    }
    panic!("no free ports");
}

/// The validators' directories, and a free port for validator 0's metrics (after their p2p ports).
fn create(dir: &Path) -> (Vec<PathBuf>, u16) {
    let base = free_ports(N as u16 + 1);
    let out = Command::new(env!("CARGO_BIN_EXE_carechain"))
        .args(["testnet", "--no-start", "--validators", "4", "--p2p-port"])
        .arg(base.to_string())
        .arg("--dir")
        .arg(dir)
        .output()
        .expect("running carechain testnet");
    assert!(
        out.status.success(),
        "testnet failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        (0..N).map(|i| dir.join(format!("v{i}"))).collect(),
        base + N as u16,
    )
}

/// Validator 0 serves metrics at this address (checked at the end); the others serve none.
fn start(dir: &Path, metrics: &str) -> RunningNode {
    if dir.ends_with("v0") {
        RunningNode::start(dir, &["--metrics-addr", metrics])
    } else {
        RunningNode::start(dir, &["--no-metrics"])
    }
}

/// The value of a metric line starting with `name` (a counter, gauge or summary count).
fn metric(scraped: &str, name: &str) -> f64 {
    scraped
        .lines()
        .find(|l| l.starts_with(name) && !l.starts_with('#'))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no metric {name} in {scraped}"))
}

fn head(node: &RunningNode) -> HeaderView {
    node.client().head().expect("head")
}

fn height(node: &RunningNode) -> u64 {
    head(node).height
}

/// The header of the committed block at `height`.
fn header(node: &RunningNode, height: u64) -> HeaderView {
    node.client()
        .block(BlockId::Height(height), false)
        .expect("block")
        .expect("a committed block")
        .header
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn transaction(node: &RunningNode, hash: Hex32) -> Option<TransactionStatus> {
    node.client().transaction(hash).ok()
}

fn committed_on(node: &RunningNode, hash: Hex32) -> Option<(u64, u32)> {
    let tx = transaction(node, hash)?;
    (tx.state == TxState::Committed).then(|| {
        (
            tx.block_height.expect("a committed transaction's height"),
            tx.index.expect("a committed transaction's index"),
        )
    })
}

/// Every running validator has committed the same blocks up to the lowest head among them, and
/// the same state root there; each block hash matches what was seen before. Returns the lowest
/// head.
fn agree(nodes: &[&RunningNode], seen: &mut BTreeMap<u64, Hex32>) -> u64 {
    let common = nodes.iter().map(|n| height(n)).min().expect("nodes");
    let from = seen.keys().next_back().map_or(1, |h| h + 1).min(common);
    for h in from..=common {
        let hashes: Vec<Hex32> = nodes.iter().map(|n| header(n, h).hash).collect();
        assert!(
            hashes.iter().all(|x| *x == hashes[0]),
            "validators disagree at height {h}: {hashes:?}"
        );
        if let Some(before) = seen.insert(h, hashes[0]) {
            assert_eq!(before, hashes[0], "block {h} changed");
        }
    }
    let roots: Vec<Hex32> = nodes.iter().map(|n| header(n, common).state_root).collect();
    assert!(
        roots.iter().all(|r| *r == roots[0]),
        "state roots differ at {common}: {roots:?}"
    );
    common
}

struct Sender {
    keys: Vec<SigningKey>,
    contract: Address,
    sent: Vec<Hex32>,
}

impl Sender {
    /// Sends one increment per key, each through the validator `via(i)`.
    fn round(&mut self, nodes: &[&RunningNode]) {
        for (i, key) in self.keys.iter().enumerate() {
            let node = nodes[i % nodes.len()];
            let hash = node
                .client()
                .send(
                    key,
                    Action::Call {
                        contract: self.contract,
                        input: call_input("increment", 1u64),
                    },
                    GAS,
                )
                .expect("increment accepted");
            self.sent.push(hash);
        }
    }

    fn all_committed(&self, nodes: &[&RunningNode]) -> bool {
        nodes
            .iter()
            .all(|n| self.sent.iter().all(|h| committed_on(n, *h).is_some()))
    }
}

fn all(nodes: &[Option<RunningNode>]) -> Vec<&RunningNode> {
    nodes.iter().flatten().collect()
}

fn counter(node: &RunningNode, contract: Address) -> u64 {
    let result = node
        .client()
        .query(QueryRequest {
            contract: Hex32(contract.0),
            input: Some(Bytes(call_input("get", ()))),
            ..QueryRequest::default()
        })
        .expect("query");
    u64::from_le_bytes(result.return_data.0.try_into().expect("u64"))
}

#[test]
fn four_validators_finalize_everywhere_and_survive_crashes_halts_and_wipes() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (dirs, metrics_port) = create(&tmp.path().join("net"));
    let metrics = format!("127.0.0.1:{metrics_port}");
    let start = |dir: &Path| start(dir, &metrics);
    let mut nodes: Vec<Option<RunningNode>> = dirs.iter().map(|d| Some(start(d))).collect();
    let mut seen = BTreeMap::new();
    for node in all(&nodes) {
        assert!(node.url.starts_with("https://"), "{}", node.started);
    }

    let status = nodes[1]
        .as_ref()
        .expect("running")
        .client()
        .status()
        .expect("status");
    assert_eq!(status.mode, "network", "{status:?}");
    assert_eq!(status.validators.len(), N, "{status:?}");

    // Deploy through validator 0; the deployment is finalized on all four.
    let deployer = org_key(&dirs[0], ORGS[0]);
    let v = all(&nodes);
    let hash = v[0]
        .client()
        .send(
            &deployer,
            Action::Deploy {
                code: carechain_contracts::wasm("counter")
                    .expect("counter")
                    .to_vec(),
                input: call_input("new", 0u64),
                salt: vec![],
            },
            GAS,
        )
        .expect("deploy accepted");
    wait_for(
        "the deployment on all validators",
        Duration::from_secs(60),
        || v.iter().all(|n| committed_on(n, hash).is_some()),
    );
    let deployed = transaction(v[3], hash)
        .and_then(|tx| tx.receipt)
        .expect("the deployment's receipt");
    assert_eq!(deployed.status, Outcome::Success, "{deployed:?}");
    let contract = Address(deployed.contract.expect("the deployed address").0);
    let mut sender = Sender {
        keys: ORGS[..N].iter().map(|o| org_key(&dirs[0], o)).collect(),
        contract,
        sent: Vec::new(),
    };

    // Transactions sent to every validator are finalized on all.
    for _ in 0..3 {
        sender.round(&v);
    }
    wait_for(
        "increments on all validators",
        Duration::from_secs(60),
        || sender.all_committed(&v),
    );
    agree(&v, &mut seen);
    drop(v);

    // One validator killed: the other three keep finalizing; restarted, it catches up.
    nodes[3].take().expect("running").kill9();
    let v = all(&nodes);
    for _ in 0..3 {
        sender.round(&v);
    }
    wait_for(
        "increments with one validator down",
        Duration::from_secs(60),
        || sender.all_committed(&v),
    );
    let before = agree(&v, &mut seen);
    drop(v);
    nodes[3] = Some(start(&dirs[3]));
    let v = all(&nodes);
    wait_for(
        "the restarted validator to catch up",
        Duration::from_secs(60),
        || height(v[3]) >= before,
    );
    agree(&v, &mut seen);
    sender.round(&v);
    wait_for(
        "increments after the restart",
        Duration::from_secs(60),
        || sender.all_committed(&v),
    );
    drop(v);

    // The latest proposer killed: its turns as leader time out and the others carry on.
    let latest = head(nodes[0].as_ref().expect("running"));
    let victim = (0..N)
        .find(|&i| {
            let key = org_key(&dirs[0], ORGS[i]);
            Hex32(key.verifying_key().to_bytes()) == latest.proposer
        })
        .expect("the proposer is a validator");
    nodes[victim].take().expect("running").kill9();
    let v = all(&nodes);
    for _ in 0..3 {
        sender.round(&v);
    }
    wait_for(
        "increments without the latest leader",
        Duration::from_secs(90),
        || sender.all_committed(&v),
    );
    agree(&v, &mut seen);
    drop(v);
    nodes[victim] = Some(start(&dirs[victim]));

    // Two validators down: no quorum, nothing is finalized, no fork; one returns and the chain
    // resumes.
    nodes[2].take().expect("running").kill9();
    nodes[3].take().expect("running").kill9();
    let v = all(&nodes);
    // A validator still catching up commits blocks finalized before the kill: wait until the two
    // agree on the head.
    wait_for(
        "the two remaining validators to settle",
        Duration::from_secs(30),
        || {
            let before: Vec<u64> = v.iter().map(|n| height(n)).collect();
            std::thread::sleep(Duration::from_secs(2));
            let after: Vec<u64> = v.iter().map(|n| height(n)).collect();
            before == after && after.iter().all(|h| *h == after[0])
        },
    );
    let halted: Vec<u64> = v.iter().map(|n| height(n)).collect();
    let key = org_key(&dirs[0], ORGS[1]);
    let waiting = v[0]
        .client()
        .send(
            &key,
            Action::Call {
                contract,
                input: call_input("increment", 1u64),
            },
            GAS,
        )
        .expect("accepted while halted");
    std::thread::sleep(Duration::from_secs(8));
    let still: Vec<u64> = v.iter().map(|n| height(n)).collect();
    assert_eq!(
        halted, still,
        "nothing is finalized by two of four validators"
    );
    assert!(v.iter().all(|n| committed_on(n, waiting).is_none()));
    drop(v);
    nodes[2] = Some(start(&dirs[2]));
    let v = all(&nodes);
    wait_for(
        "the chain to resume with three validators",
        Duration::from_secs(90),
        || v.iter().all(|n| committed_on(n, waiting).is_some()),
    );
    sender.sent.push(waiting);
    agree(&v, &mut seen);
    drop(v);

    // Validator 3 comes back with its data wiped: it resyncs from genesis.
    for sub in ["data", "consensus"] {
        let path = dirs[3].join(sub);
        if path.exists() {
            std::fs::remove_dir_all(&path).expect("wiping");
        }
    }
    nodes[3] = Some(start(&dirs[3]));
    let v = all(&nodes);
    let target = height(v[0]);
    wait_for(
        "the wiped validator to resync",
        Duration::from_secs(120),
        || height(v[3]) >= target,
    );
    sender.round(&v);
    wait_for(
        "increments with all four again",
        Duration::from_secs(60),
        || sender.all_committed(&v),
    );
    let common = agree(&v, &mut seen);
    assert!(common >= 5, "the chain advanced: {common}");

    // Nothing lost, nothing applied twice, on every validator.
    let increments = sender.sent.len() as u64;
    wait_for(
        "every validator at the same counter",
        Duration::from_secs(30),
        || v.iter().all(|n| counter(n, contract) == increments),
    );
    drop(v);

    // Validator 0's metrics: views skipped while validators were down, finalizations, the
    // time from executing a block to committing it, and its three peers connected.
    let scraped = common::http_get(&metrics, "/metrics");
    assert!(
        metric(&scraped, "carechain_view_changes_total") >= 1.0,
        "{scraped}"
    );
    assert!(
        metric(&scraped, "carechain_finalizations_total") >= 1.0,
        "{scraped}"
    );
    assert!(
        metric(&scraped, "carechain_finalization_seconds_count") >= 1.0,
        "{scraped}"
    );
    wait_for(
        "validator 0 to see its three peers",
        Duration::from_secs(30),
        || {
            metric(
                &common::http_get(&metrics, "/metrics"),
                "carechain_peers_connected",
            ) == 3.0
        },
    );

    // Each validator's store replays from genesis to its head.
    for (i, node) in nodes.iter_mut().enumerate() {
        node.take().expect("running").terminate();
        let (ok, replayed) = replay(&dirs[i]);
        assert!(ok, "validator {i} replays: {replayed}");
    }
}

/// A validator whose p2p port another process holds stops at once with an error naming the
/// address (before, the p2p listener's task panicked and the node ran on without peers), and it
/// prints no start line.
#[test]
fn a_validator_whose_p2p_port_is_taken_stops_and_says_so() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (dirs, metrics_port) = create(&tmp.path().join("net"));
    let p2p = metrics_port - N as u16;
    let _holder = TcpListener::bind(("127.0.0.1", p2p)).expect("holding validator 0's port");
    let mut child = Command::new(env!("CARGO_BIN_EXE_carechain"))
        .args(["run", "--rpc-addr", "127.0.0.1:0", "--no-metrics", "--dir"])
        .arg(&dirs[0])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("running carechain run");
    // It must stop by itself; a node that runs on is killed and fails the test.
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("try_wait").is_none() {
        if Instant::now() > deadline {
            child.kill().expect("kill");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("its output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot listen for peers on 127.0.0.1:{p2p}")),
        "{stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
