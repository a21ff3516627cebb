//! `carechain replay`: a stopped node's blocks re-executed from genesis give its chain back.

use std::path::Path;
use std::process::Command;

use carechain::config::ChainDir;
use carechain_chain::Chain;
use carechain_primitives::block::{Block, Header};
use carechain_primitives::tx::{Action, PublicKey, TxPayload};
use carechain_runtime::EngineKind;
use carechain_storage::Pending;
use ed25519_dalek::SigningKey;

fn carechain(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_carechain"))
        .args(args)
        .output()
        .expect("run carechain")
}

fn hospital_key(dir: &Path) -> SigningKey {
    let hex_secret = std::fs::read_to_string(dir.join("keys/st-mary-hospital.key")).unwrap();
    SigningKey::from_bytes(&hex::decode(hex_secret.trim()).unwrap().try_into().unwrap())
}

/// Initialises a chain and commits a few blocks deploying and calling the counter.
fn chain_with_blocks(dir: &Path) {
    let out = carechain(&[
        "init",
        "--dir",
        dir.to_str().unwrap(),
        "--chain-id",
        "replay-test",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let chain_dir = ChainDir::load(dir).unwrap();
    let chain = Chain::open(
        &chain_dir.data_dir(),
        chain_dir.genesis.clone(),
        EngineKind::Wasmtime,
    )
    .unwrap();
    let key = hospital_key(dir);
    let sender = PublicKey(key.verifying_key().to_bytes());
    let mut input = carechain_metadata::selector("new").to_vec();
    input.extend_from_slice(&1u64.to_le_bytes());
    let deploy = TxPayload {
        chain_id: "replay-test".into(),
        sender,
        nonce: 0,
        gas_limit: 500_000_000,
        action: Action::Deploy {
            code: carechain_contracts::wasm("counter").unwrap().to_vec(),
            input,
            salt: vec![],
        },
    }
    .sign(&key);
    let c = chain
        .produce_block(vec![deploy], 1_767_225_601, sender)
        .unwrap();
    let counter = c.receipts[0].contract.unwrap();
    for n in 1..4u64 {
        let mut input = carechain_metadata::selector("increment").to_vec();
        input.extend_from_slice(&n.to_le_bytes());
        let call = TxPayload {
            chain_id: "replay-test".into(),
            sender,
            nonce: n,
            gas_limit: 50_000_000,
            action: Action::Call {
                contract: counter,
                input,
            },
        }
        .sign(&key);
        chain
            .produce_block(vec![call], 1_767_225_601 + n, sender)
            .unwrap();
    }
}

#[test]
fn replay_reproduces_the_chain_on_both_engines_and_catches_a_forged_block() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("chain");
    chain_with_blocks(&dir);
    let out = carechain(&["replay", "--dir", dir.to_str().unwrap(), "--engine", "both"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    for line in &lines {
        assert_eq!(line["ok"], true);
        assert_eq!(line["height"], 4);
        assert_eq!(line["state_root"], line["replayed_state_root"]);
    }

    // Forge block 5 straight into the store: a header whose state root nothing produced.
    {
        let chain_dir = ChainDir::load(&dir).unwrap();
        let chain = Chain::open(
            &chain_dir.data_dir(),
            chain_dir.genesis,
            EngineKind::Wasmtime,
        )
        .unwrap();
        let parent = chain.head().unwrap();
        let forged = Block {
            header: Header {
                height: 5,
                parent_hash: parent.hash(),
                timestamp: parent.timestamp + 1,
                proposer: parent.proposer,
                tx_root: [0; 32],
                state_root: [9; 32],
                receipts_root: [0; 32],
                gas_used: 0,
            },
            txs: vec![],
        };
        let (_, tree) = chain.store().tree_update(&Pending::default(), 5).unwrap();
        chain
            .store()
            .commit(&forged, &[], &Pending::default(), &tree)
            .unwrap();
    }
    let out = carechain(&["replay", "--dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["ok"], false);
    assert!(
        line["error"].as_str().unwrap().contains("invalid block 5"),
        "{line}"
    );
}
