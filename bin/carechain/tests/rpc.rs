//! The node as clients meet it: the real `carechain run` on loopback, driven over HTTP and
//! WebSocket JSON-RPC. Every method, a subscription receiving the events of new blocks, a state
//! proof verified offline, refused transactions with typed reasons while the node keeps running,
//! malformed and oversized requests, the rate limit and the metrics endpoint.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use carechain_client::{Client, ClientError};
use carechain_primitives::tx::{Action, PublicKey, SignedTx, TxPayload};
use carechain_rpc_api::{Hex32, codes};
use carechain_runtime::Address;
use carechain_storage::{StateKey, StateProof, verify_proof_raw};
use common::{ORGS, RunningNode, free_port, http_get, init, input, org_key, refused};
use ed25519_dalek::SigningKey;
use jsonrpsee::core::client::SubscriptionClientT;
use parity_scale_codec::Encode;
use serde_json::{Value, json};

const GAS: u64 = 50_000_000;
const WAIT: Duration = Duration::from_secs(30);

/// One raw HTTP/1.1 POST on a fresh connection: (status code, body).
fn http_post(addr: &str, body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    // The server may answer (and close) before reading an oversized body.
    let _ = stream.write_all(body);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response).to_string();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

/// A typed answer as the JSON it travelled as: these tests check the wire format.
fn json_of(answer: impl serde::Serialize) -> Value {
    serde_json::to_value(answer).expect("answers serialise")
}

fn payload(client: &Client, key: &SigningKey, action: Action) -> TxPayload {
    let sender = PublicKey(key.verifying_key().to_bytes());
    TxPayload {
        chain_id: client.status().unwrap().chain_id,
        sender,
        nonce: client
            .call("cc_nextNonce", vec![json!(sender.to_hex())])
            .unwrap()
            .as_u64()
            .unwrap(),
        gas_limit: GAS,
        action,
    }
}

#[test]
fn every_rpc_method_over_http_and_websocket() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("chain");
    init(&dir);
    let metrics = format!("127.0.0.1:{}", free_port());
    let node = RunningNode::start(&dir, &["--metrics-addr", &metrics]);
    let client = node.client();
    let hospital = org_key(&dir, ORGS[0]);
    let insurer = org_key(&dir, ORGS[1]);

    // Status and head of a fresh chain.
    let status = json_of(client.status().unwrap());
    assert_eq!(status["chain_id"], "carechain-dev");
    assert_eq!(status["engine"], "wasmtime");
    assert_eq!(status["head"]["height"], 0);
    let head0 = client.call("cc_head", vec![]).unwrap();
    assert_eq!(head0, status["head"]);

    // Deploy: the receipt names the constructor and the new contract.
    let hash = client
        .send(
            &hospital,
            Action::Deploy {
                code: carechain_contracts::wasm("counter").unwrap().to_vec(),
                input: input("new", 10u64),
                salt: vec![],
            },
            GAS,
        )
        .unwrap();
    let deployed = json_of(client.wait(hash, WAIT).unwrap());
    assert_eq!(deployed["state"], "committed");
    assert_eq!(deployed["receipt"]["status"], "success", "{deployed}");
    assert_eq!(deployed["receipt"]["message"], "new");
    assert_eq!(deployed["transaction"]["action"]["type"], "deploy");
    let contract = deployed["receipt"]["contract"]
        .as_str()
        .unwrap()
        .to_string();

    // Subscriptions over WebSocket: events of this contract, and new heads.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ws = runtime
        .block_on(
            jsonrpsee_ws_client::WsClientBuilder::default()
                .set_headers(node.ws_headers(&hospital))
                .build(format!("ws://{}", node.rpc)),
        )
        .unwrap();
    let mut events = runtime
        .block_on(ws.subscribe::<Value, _>(
            "cc_subscribeEvents",
            {
                let mut p = jsonrpsee::core::params::ArrayParams::new();
                p.insert(json!({"contract": contract})).unwrap();
                p
            },
            "cc_unsubscribeEvents",
        ))
        .unwrap();
    let mut heads = runtime
        .block_on(ws.subscribe::<Value, _>(
            "cc_subscribeHeads",
            jsonrpsee::core::params::ArrayParams::new(),
            "cc_unsubscribeHeads",
        ))
        .unwrap();

    // A call: result and event decoded through the contract's metadata.
    let call = |key: &SigningKey, input: Vec<u8>| {
        let contract = Address(hex::decode(&contract).unwrap().try_into().unwrap());
        let hash = client
            .send(key, Action::Call { contract, input }, GAS)
            .unwrap();
        json_of(client.wait(hash, WAIT).unwrap())
    };
    let incremented = call(&insurer, input("increment", 5u64));
    let receipt = &incremented["receipt"];
    assert_eq!(receipt["status"], "success", "{incremented}");
    assert_eq!(receipt["message"], "increment");
    assert_eq!(receipt["result"], json!(15));
    let event = &receipt["events"][0];
    assert_eq!(event["decoded"]["name"], "Incremented", "{event}");
    assert_eq!(event["decoded"]["fields"]["value"], 15);
    let height = incremented["block_height"].as_u64().unwrap();

    let notified = runtime
        .block_on(async { tokio::time::timeout(WAIT, events.next()).await })
        .expect("an event notification")
        .unwrap()
        .unwrap();
    assert_eq!(notified["decoded"]["name"], "Incremented");
    assert_eq!(notified["block_height"], height);
    assert_eq!(notified["tx_hash"], incremented["hash"]);
    let head_note = runtime
        .block_on(async { tokio::time::timeout(WAIT, heads.next()).await })
        .expect("a head notification")
        .unwrap()
        .unwrap();
    assert_eq!(head_note["height"], height);

    // A reverted transaction is included, changes nothing, and its error is decoded.
    let reverted = call(&insurer, input("reset", ()));
    assert_eq!(reverted["receipt"]["status"], "reverted", "{reverted}");
    assert_eq!(reverted["receipt"]["error"]["error"], "NotOwner");
    let panicked = call(&insurer, input("fail", "boom".to_string()));
    assert_eq!(panicked["receipt"]["status"], "reverted");
    assert_eq!(panicked["receipt"]["error"]["error"], "Panic");

    // Query through metadata, raw, and the errors a person can act on.
    let q = |params: Value| client.call("cc_query", vec![params]);
    let value = q(json!({"contract": contract, "message": "get"})).unwrap();
    assert_eq!(value["result"], 15, "{value}");
    let raw = q(json!({"contract": contract, "input": hex::encode(input("get", ()))})).unwrap();
    assert_eq!(raw["return_data"], hex::encode(15u64.encode()));
    let Err(ClientError::Rpc(unknown)) = q(json!({"contract": contract, "message": "nope"})) else {
        panic!("unknown message accepted");
    };
    assert_eq!(unknown.code, codes::ENCODING);
    assert!(unknown.message.contains("increment"), "{}", unknown.message);
    let Err(ClientError::Rpc(mistyped)) =
        q(json!({"contract": contract, "message": "increment", "args": {"by": "five"}}))
    else {
        panic!("mistyped argument accepted");
    };
    assert_eq!(mistyped.code, codes::ENCODING);
    assert!(mistyped.message.contains("u64"), "{}", mistyped.message);
    // A query cannot write.
    let write = q(json!({"contract": contract, "message": "increment", "args": [1]})).unwrap();
    assert_eq!(write["outcome"], "failed");
    assert_eq!(write["failure"], "trap:write_in_query", "{write}");
    assert_eq!(
        q(json!({"contract": contract, "message": "get"})).unwrap()["result"],
        15
    );

    // Metadata.
    let metadata = client
        .call("cc_getMetadata", vec![json!(contract)])
        .unwrap();
    assert_eq!(metadata["name"], "counter");
    let Err(ClientError::Rpc(none)) = client.call("cc_getMetadata", vec![json!("11".repeat(32))])
    else {
        panic!("metadata of nothing");
    };
    assert_eq!(none.code, codes::NOT_FOUND);

    // Blocks by height and by hash; full blocks carry receipts; no block is null.
    let block = client.call("cc_getBlock", vec![json!(height)]).unwrap();
    assert_eq!(block["transactions"][0], incremented["hash"]);
    let by_hash = client
        .call("cc_getBlock", vec![block["hash"].clone()])
        .unwrap();
    assert_eq!(by_hash, block);
    let full = client
        .call("cc_getBlock", vec![json!(height), json!(true)])
        .unwrap();
    assert_eq!(full["transactions"][0]["receipt"]["result"], json!(15));
    assert_eq!(
        client.call("cc_getBlock", vec![json!(1_000_000)]).unwrap(),
        Value::Null
    );
    let unknown_tx = client
        .call("cc_getTransaction", vec![json!("00".repeat(32))])
        .unwrap();
    assert_eq!(unknown_tx["state"], "unknown");

    // Nonces: the insurer sent three transactions.
    let insurer_pk = PublicKey(insurer.verifying_key().to_bytes());
    assert_eq!(
        client
            .call("cc_nextNonce", vec![json!(insurer_pk.to_hex())])
            .unwrap(),
        3
    );

    // A proof from RPC, verified offline against the block header's state root.
    let head = client.call("cc_head", vec![]).unwrap();
    let state_root: [u8; 32] = hex::decode(head["state_root"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let nonce_key = StateKey::Nonce(insurer_pk.address()).encode();
    let proved = client
        .call(
            "cc_getStateProof",
            vec![json!({"state_key": hex::encode(&nonce_key)})],
        )
        .unwrap();
    assert_eq!(proved["state_root"], head["state_root"]);
    let value = hex::decode(proved["value"].as_str().unwrap()).unwrap();
    assert_eq!(value, 3u64.encode());
    let proof_bytes = hex::decode(proved["proof"].as_str().unwrap()).unwrap();
    let proof: StateProof = borsh::from_slice(&proof_bytes).unwrap();
    verify_proof_raw(&proof, state_root, &nonce_key, Some(&value)).expect("the proof verifies");
    assert!(verify_proof_raw(&proof, state_root, &nonce_key, Some(&4u64.encode())).is_err());
    let mut other_root = state_root;
    other_root[0] ^= 1;
    assert!(verify_proof_raw(&proof, other_root, &nonce_key, Some(&value)).is_err());
    // Contract storage by contract and key; absence is proved too.
    let absent = client
        .call(
            "cc_getStateProof",
            vec![json!({"contract": contract, "storage_key": "ffff"})],
        )
        .unwrap();
    assert_eq!(absent["value"], Value::Null);
    let absent_proof: StateProof =
        borsh::from_slice(&hex::decode(absent["proof"].as_str().unwrap()).unwrap()).unwrap();
    verify_proof_raw(
        &absent_proof,
        state_root,
        &hex::decode(absent["state_key"].as_str().unwrap()).unwrap(),
        None,
    )
    .expect("non-membership verifies");

    // Refused transactions: a typed reason each, nothing changes, the node keeps running.
    let before = client.call("cc_head", vec![]).unwrap();
    let submit_raw = |hex_tx: String| {
        client
            .call("cc_submitTransaction", vec![json!(hex_tx)])
            .map(|v| Hex32::parse(v["hash"].as_str().unwrap_or_default()).unwrap_or_default())
    };
    assert_eq!(
        refused(submit_raw("zz".into())),
        (codes::TX_REJECTED, "malformed".into())
    );
    assert_eq!(
        refused(submit_raw("00ff13".into())),
        (codes::TX_REJECTED, "malformed".into())
    );
    let oversized = hex::encode(vec![0u8; (1 << 20) + 1]);
    assert_eq!(
        refused(submit_raw(oversized)),
        (codes::TX_REJECTED, "too_large".into())
    );
    let contract_address = Address(hex::decode(&contract).unwrap().try_into().unwrap());
    let call_get = || Action::Call {
        contract: contract_address,
        input: input("increment", 1u64),
    };
    let mut wrong_chain = payload(&client, &insurer, call_get());
    wrong_chain.chain_id = "another-chain".into();
    assert_eq!(
        refused(client.submit(&wrong_chain.sign(&insurer))),
        (codes::TX_REJECTED, "wrong_chain".into())
    );
    let mut bad_signature = payload(&client, &insurer, call_get()).sign(&insurer);
    bad_signature.signature[0] ^= 1;
    assert_eq!(
        refused(client.submit(&bad_signature)),
        (codes::TX_REJECTED, "bad_signature".into())
    );
    let stranger = SigningKey::from_bytes(&[7; 32]);
    assert_eq!(
        refused(client.submit(&payload(&client, &stranger, call_get()).sign(&stranger))),
        (codes::TX_REJECTED, "unknown_signer".into())
    );
    let mut greedy = payload(&client, &insurer, call_get());
    greedy.gas_limit = u64::MAX;
    assert_eq!(
        refused(client.submit(&greedy.sign(&insurer))),
        (codes::TX_REJECTED, "gas_limit_too_high".into())
    );
    // Replaying a committed transaction.
    let replayed: SignedTx = {
        let mut p = payload(
            &client,
            &insurer,
            Action::Call {
                contract: contract_address,
                input: input("increment", 5u64),
            },
        );
        p.nonce = 0;
        p.sign(&insurer)
    };
    assert_eq!(
        refused(client.submit(&replayed)),
        (codes::TX_REJECTED, "nonce_too_low".into())
    );
    // Nothing changed; the node still answers.
    assert_eq!(client.call("cc_head", vec![]).unwrap(), before);
    assert_eq!(
        q(json!({"contract": contract, "message": "get"})).unwrap()["result"],
        15
    );

    // Malformed JSON, unknown methods, bad params, oversized requests: JSON-RPC errors.
    let (_, body) = http_post(&node.rpc, b"{not json");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["error"]["code"],
        -32700,
        "{body}"
    );
    // An unknown method or bad parameters, from a member: the standard JSON-RPC errors. From an
    // anonymous client, the same requests are refused as unauthenticated (it learns nothing of
    // the API beyond the public methods).
    let code = |result: Result<Value, ClientError>| match result {
        Err(ClientError::Rpc(e)) => e.code,
        other => panic!("expected an error, got {other:?}"),
    };
    assert_eq!(code(client.call("cc_nothing", vec![])), -32601);
    assert_eq!(
        code(client.call("cc_getBlock", vec![json!({"x": 1})])),
        codes::INVALID_PARAMS
    );
    let (_, body) = http_post(
        &node.rpc,
        br#"{"jsonrpc":"2.0","id":1,"method":"cc_nothing","params":[]}"#,
    );
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["error"]["code"],
        codes::UNAUTHENTICATED
    );
    let huge = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"cc_submitTransaction","params":["{}"]}}"#,
        "00".repeat(3 << 20)
    );
    let (status, body) = http_post(&node.rpc, huge.as_bytes());
    assert!(
        status == 413 || body.contains("-32007"),
        "an oversized request must be refused: {status} {body}"
    );
    assert_eq!(json_of(client.status().unwrap().head), before);

    // Metrics.
    let scraped = http_get(&metrics, "/metrics");
    assert!(scraped.contains("carechain_blocks_total"), "{scraped}");
    assert!(
        scraped.contains("carechain_txs_rejected_total{reason=\"bad_signature\"} 1"),
        "{scraped}"
    );
    assert!(
        scraped.contains("carechain_block_execution_seconds"),
        "{scraped}"
    );
    assert!(scraped.contains("carechain_mempool_size"), "{scraped}");

    drop(events);
    drop(heads);
    drop(ws);
    assert!(
        node.terminate().success(),
        "the node stops cleanly on SIGTERM"
    );
}

#[test]
fn calls_beyond_the_rate_limit_are_refused_per_connection() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("chain");
    init(&dir);
    let node = RunningNode::start(&dir, &["--rpc-rate-limit", "10", "--no-metrics"]);
    let call = r#"{"jsonrpc":"2.0","id":1,"method":"cc_head","params":[]}"#;
    let batch = |n: usize| format!("[{}]", vec![call; n].join(","));
    let (_, body) = http_post(&node.rpc, batch(11).as_bytes());
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["error"]["code"], codes::RATE_LIMITED, "{body}");
    // Another connection has its own allowance.
    let (_, body) = http_post(&node.rpc, batch(10).as_bytes());
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer.as_array().map(Vec::len), Some(10), "{body}");
}

/// A node keeping two heights of state (`state_history = 2` in node.toml) proves the latest two
/// and refuses older heights with the typed `PRUNED` error naming the oldest kept; after a
/// restart it still does, and its chain replays from genesis.
#[test]
fn state_proofs_at_pruned_heights_are_refused_with_the_oldest_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("chain");
    init(&dir);
    let toml = std::fs::read_to_string(dir.join("node.toml")).unwrap();
    assert!(toml.contains("state_history = 256"), "{toml}");
    std::fs::write(
        dir.join("node.toml"),
        toml.replace("state_history = 256", "state_history = 2"),
    )
    .unwrap();
    let node = RunningNode::start(&dir, &["--no-metrics"]);
    let client = node.client();
    let hospital = org_key(&dir, ORGS[0]);
    let deployed = client
        .send(
            &hospital,
            Action::Deploy {
                code: carechain_contracts::wasm("counter").unwrap().to_vec(),
                input: input("new", 0u64),
                salt: vec![],
            },
            GAS,
        )
        .unwrap();
    let receipt = json_of(client.wait(deployed, WAIT).unwrap());
    let contract = receipt["receipt"]["contract"].as_str().unwrap().to_string();
    for _ in 0..4 {
        let hash = client
            .send(
                &hospital,
                Action::Call {
                    contract: Address(unhex32(&contract)),
                    input: input("increment", 1u64),
                },
                GAS,
            )
            .unwrap();
        assert_eq!(
            json_of(client.wait(hash, WAIT).unwrap())["receipt"]["status"],
            "success"
        );
    }
    let sender = PublicKey(hospital.verifying_key().to_bytes());
    let nonce_key = hex::encode(StateKey::Nonce(sender.address()).encode());
    let prove = |client: &Client, height: u64| {
        client.call(
            "cc_getStateProof",
            vec![json!({"state_key": nonce_key, "height": height})],
        )
    };
    let check = |client: &Client| {
        let head = client.call("cc_head", vec![]).unwrap()["height"]
            .as_u64()
            .unwrap();
        assert!(head >= 5, "one block per transaction at least: {head}");
        for height in [head - 1, head] {
            let block = client.call("cc_getBlock", vec![json!(height)]).unwrap();
            let proved = prove(client, height).unwrap();
            assert_eq!(proved["state_root"], block["state_root"], "{block}");
        }
        for height in [0, head - 2] {
            match prove(client, height) {
                Err(ClientError::Rpc(e)) => {
                    assert_eq!(e.code, codes::PRUNED, "{e:?}");
                    assert!(
                        e.message.contains(&format!("from height {}", head - 1)),
                        "{e:?}"
                    );
                }
                other => panic!("height {height} of {head}: expected PRUNED, got {other:?}"),
            }
        }
    };
    check(&client);
    assert!(node.terminate().success());
    let node = RunningNode::start(&dir, &["--no-metrics"]);
    check(&node.client());
    assert!(node.terminate().success());
    let (ok, replayed) = common::replay(&dir);
    assert!(ok, "{replayed}");
}

fn unhex32(text: &str) -> [u8; 32] {
    hex::decode(text).unwrap().try_into().unwrap()
}
