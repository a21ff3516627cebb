//! Crash safety: the real `carechain run` process is killed with SIGKILL at random moments while
//! transactions stream in, 20 times. After each kill `carechain replay` must rebuild the same
//! chain from genesis, and the restarted node must still have every transaction and block that
//! was seen committed before the kill, unchanged. At the end the counter contract's value equals
//! the number of increments committed: none lost, none applied twice.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use carechain_primitives::tx::Action;
use carechain_rpc_api::{BlockId, BlockTransactions, Hex32, Outcome, QueryRequest, TxState};
use carechain_runtime::Address;
use common::{ORGS, RunningNode, init, org_key, replay};
use parity_scale_codec::Encode;
use serde_json::json;

const GAS: u64 = 50_000_000;

fn call_input(name: &str, args: impl Encode) -> Vec<u8> {
    let mut input = carechain_metadata::selector(name).to_vec();
    input.extend(args.encode());
    input
}

/// xorshift64*: enough randomness for kill timing, reproducible from the printed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn a_node_killed_at_random_moments_loses_nothing_committed() {
    let seed = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        });
    eprintln!("crash test seed: {seed} (rerun with CRASH_SEED={seed})");
    let mut rng = Rng(seed);

    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("chain");
    init(&dir);
    let keys: Vec<_> = ORGS[..3].iter().map(|o| org_key(&dir, o)).collect();

    let mut node = RunningNode::start(&dir, &[]);
    let mut client = node.client();
    let deploy = client
        .send(
            &keys[0],
            Action::Deploy {
                code: carechain_contracts::wasm("counter")
                    .expect("counter built")
                    .to_vec(),
                input: call_input("new", 0u64),
                salt: vec![],
            },
            GAS,
        )
        .expect("deploy sent");
    let deployed = client
        .wait(deploy, Duration::from_secs(30))
        .expect("deployed")
        .receipt
        .expect("a committed transaction has a receipt");
    assert_eq!(deployed.status, Outcome::Success, "{deployed:?}");
    let contract = deployed.contract.expect("the deployed address");
    let contract_address = Address(contract.0);

    // Everything observed committed so far: tx hash -> (height, index); height -> block hash.
    let mut committed: BTreeMap<Hex32, (u64, u32)> = BTreeMap::new();
    let mut blocks: BTreeMap<u64, Hex32> = BTreeMap::new();
    let kills = 20;
    for round in 0..kills {
        // Stream increments from three members until told to stop (or the node dies).
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(Mutex::new(Vec::<Hex32>::new()));
        let streamer = {
            let (stop, sent, url, keys) =
                (stop.clone(), sent.clone(), node.url.clone(), keys.clone());
            std::thread::spawn(move || {
                let client = carechain_client::Client::signed(&url, &keys[0]).expect("client");
                let mut i = 0usize;
                while !stop.load(Ordering::SeqCst) {
                    let action = Action::Call {
                        contract: contract_address,
                        input: call_input("increment", 1u64),
                    };
                    match client.send(&keys[i % keys.len()], action, GAS) {
                        Ok(hash) => sent.lock().unwrap().push(hash),
                        // Refusals (e.g. a nonce raced by another submission) are fine; a dead
                        // node ends the stream.
                        Err(carechain_client::ClientError::Rpc(_)) => {}
                        Err(_) => break,
                    }
                    i += 1;
                }
            })
        };
        // Long enough for the first block after a restart (it compiles the contract).
        std::thread::sleep(Duration::from_millis(250 + rng.next() % 400));

        // Observe what is committed, then kill while the stream and block production go on.
        let hashes: Vec<Hex32> = sent.lock().unwrap().clone();
        for hash in hashes {
            if let Some(at) = committed_at(&client, hash)
                && let Some(before) = committed.insert(hash, at)
            {
                assert_eq!(before, at, "transaction {hash} moved");
            }
        }
        let head = client.head().expect("head");
        let head_height = head.height;
        blocks.insert(head_height, head.hash);
        std::thread::sleep(Duration::from_millis(rng.next() % 60));
        node.kill9();
        stop.store(true, Ordering::SeqCst);
        streamer.join().expect("streamer");

        // The dead node's database replays from genesis to the same chain.
        let (ok, replayed) = replay(&dir);
        assert!(ok, "round {round}: replay failed: {replayed}");
        assert_eq!(replayed["state_root"], replayed["replayed_state_root"]);
        let stored_height = replayed["height"].as_u64().expect("height");
        assert!(
            stored_height >= head_height,
            "round {round}: restarted at {stored_height}, below the observed head {head_height}"
        );

        node = RunningNode::start(&dir, &[]);
        assert_eq!(node.started["height"].as_u64(), Some(stored_height));
        assert_eq!(node.started["state_root"], replayed["state_root"]);
        client = node.client();
        for (hash, at) in &committed {
            assert_eq!(
                committed_at(&client, *hash),
                Some(*at),
                "round {round}: {hash} lost or moved"
            );
        }
        for (height, hash) in &blocks {
            let block = client
                .block(BlockId::Height(*height), false)
                .expect("block")
                .expect("a committed block");
            assert_eq!(
                block.header.hash, *hash,
                "round {round}: block {height} changed"
            );
        }
        eprintln!(
            "round {round}: killed at height {stored_height}, {} transactions seen committed so far",
            committed.len()
        );
    }

    // Every committed increment counted exactly once.
    let head = client.head().expect("head").height;
    let mut seen = std::collections::BTreeSet::new();
    let mut increments = 0u64;
    for height in 1..=head {
        let block = client
            .block(BlockId::Height(height), true)
            .expect("block")
            .expect("a committed block");
        let BlockTransactions::Full(entries) = block.transactions else {
            panic!("block {height}: asked for full transactions");
        };
        for entry in entries {
            let hash = entry.transaction.hash;
            assert!(seen.insert(hash), "transaction {hash} included twice");
            if entry.receipt.message.as_deref() == Some("increment")
                && entry.receipt.status == Outcome::Success
            {
                increments += 1;
            }
        }
    }
    let value = client
        .query(QueryRequest {
            contract,
            message: Some("get".into()),
            ..QueryRequest::default()
        })
        .expect("query");
    assert_eq!(value.result, Some(json!(increments)), "{value:?}");
    assert!(committed.len() as u64 <= increments);
    assert!(
        increments > 20,
        "too few transactions committed to mean anything: {increments}"
    );
    node.terminate();
}

/// Where the transaction `hash` was committed (block height, index), if it was.
fn committed_at(client: &carechain_client::Client, hash: Hex32) -> Option<(u64, u32)> {
    let tx = client.transaction(hash).expect("tx status");
    (tx.state == TxState::Committed).then(|| {
        (
            tx.block_height.expect("a committed transaction's height"),
            tx.index.expect("a committed transaction's index"),
        )
    })
}
