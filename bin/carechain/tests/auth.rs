//! Who may talk to a node: every request but the public few is signed by a consortium member
//! key (see `carechain_rpc_api::auth`). Against the real `carechain run` on loopback, as an
//! outsider and as a member would try it: no credentials, a forged signature, a replayed
//! request, an expired timestamp, a request signed for another node, a key that is not (or no
//! longer) a member, a query claiming another caller; over HTTP and WebSocket.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use carechain_client::Client;
use carechain_primitives::tx::{Action, AdminAction, Proposal, PublicKey};
use carechain_rpc_api::auth::{Credentials, MAX_SKEW_MS, NodeIdentity, unix_ms};
use carechain_rpc_api::{BlockId, Hex32, QueryRequest, codes};
use common::{ORGS, RunningNode, free_port, http_get, init, input, org_key, refused};
use ed25519_dalek::SigningKey;
use jsonrpsee::core::client::{ClientT, SubscriptionClientT};
use serde_json::{Value, json};

const GAS: u64 = 50_000_000;
const WAIT: Duration = Duration::from_secs(30);

/// POSTs `body` with an optional `Authorization` header; the HTTP status and the JSON answer.
fn post(addr: &str, authorization: Option<&str>, body: &str) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let auth = authorization.map_or(String::new(), |a| format!("Authorization: {a}\r\n"));
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

/// The (code, reason) of a refused JSON-RPC answer.
fn refusal(answer: &Value) -> (i64, String) {
    let error = &answer["error"];
    assert!(error.is_object(), "expected a refusal, got {answer}");
    (
        error["code"].as_i64().unwrap(),
        error["data"]["reason"].as_str().unwrap_or("").to_string(),
    )
}

fn identity(client: &Client) -> NodeIdentity {
    let status = client.status().unwrap();
    NodeIdentity {
        chain_id: status.chain_id,
        node: status.proposer.0,
    }
}

fn header(key: &SigningKey, node: &NodeIdentity, ts_ms: u64, nonce: u8, body: &str) -> String {
    Credentials::sign(key, node, ts_ms, [nonce; 16], body.as_bytes()).header_value()
}

fn next_nonce_body(key: &SigningKey) -> String {
    let public = hex::encode(key.verifying_key().to_bytes());
    json!({"jsonrpc": "2.0", "id": 1, "method": "cc_nextNonce", "params": [public]}).to_string()
}

fn send_ok(client: &Client, key: &SigningKey, action: Action) -> Value {
    let hash = client.send(key, action, GAS).unwrap();
    let tx = serde_json::to_value(client.wait(hash, WAIT).unwrap()).unwrap();
    assert_eq!(tx["receipt"]["status"], "success", "{tx}");
    tx
}

/// Deploys the counter starting at `start`: the deploy's hash and the contract.
fn deploy_counter(client: &Client, key: &SigningKey, start: u64) -> (Hex32, Hex32) {
    let deployed = send_ok(
        client,
        key,
        Action::Deploy {
            code: carechain_contracts::wasm("counter").unwrap().to_vec(),
            input: input("new", start),
            salt: vec![],
        },
    );
    let hash = |field: &Value| Hex32::parse(field.as_str().unwrap()).unwrap();
    (
        hash(&deployed["hash"]),
        hash(&deployed["receipt"]["contract"]),
    )
}

#[test]
fn only_signed_requests_of_members_are_answered() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("chain");
    init(&dir);
    let metrics = format!("127.0.0.1:{}", free_port());
    let node = RunningNode::start(&dir, &["--metrics-addr", &metrics]);
    let hospital = org_key(&dir, ORGS[0]);
    let member = node.client();
    let anonymous = node.anonymous();
    let id = identity(&anonymous);

    // The public methods answer anyone.
    assert_eq!(anonymous.head().unwrap().height, 0);
    // Nothing else does: each refusal is typed, with a reason.
    let missing = (codes::UNAUTHENTICATED, "missing".to_string());
    assert_eq!(refused(anonymous.block(BlockId::Height(0), true)), missing);
    assert_eq!(
        refused(anonymous.next_nonce(&PublicKey(hospital.verifying_key().to_bytes()))),
        missing
    );
    assert_eq!(refused(anonymous.transaction(Hex32([1; 32]))), missing);
    assert_eq!(
        refused(anonymous.send(
            &hospital,
            Action::Call {
                contract: carechain_runtime::Address([0; 32]),
                input: vec![],
            },
            GAS
        )),
        missing
    );

    // A member deploys and queries; the query runs as the member.
    let (_, contract) = deploy_counter(&member, &hospital, 10);
    let get = |client: &Client, caller: Option<Hex32>| {
        client.query(QueryRequest {
            contract,
            message: Some("get".into()),
            caller,
            ..QueryRequest::default()
        })
    };
    assert_eq!(get(&member, None).unwrap().result, Some(json!(10)));
    assert_eq!(refused(get(&anonymous, None)), missing);
    // Naming itself as the caller is fine; naming anyone else is refused.
    let own = Hex32(PublicKey(hospital.verifying_key().to_bytes()).address().0);
    assert!(get(&member, Some(own)).is_ok());
    let portal = org_key(&dir, "patient-p1");
    let portal_address = Hex32(PublicKey(portal.verifying_key().to_bytes()).address().0);
    assert_eq!(
        refused(get(&member, Some(portal_address))),
        (codes::FORBIDDEN, "caller_mismatch".to_string())
    );
    assert!(get(&node.client_as(&portal), Some(portal_address)).is_ok());

    // Raw HTTP, as an attacker would send it.
    let body = next_nonce_body(&hospital);
    let good = header(&hospital, &id, unix_ms(), 1, &body);
    let (status, answer) = post(&node.rpc, Some(&good), &body);
    assert_eq!((status, &answer["result"]), (200, &json!(1)), "{answer}");
    // The same request again: a replay.
    let (_, answer) = post(&node.rpc, Some(&good), &body);
    assert_eq!(refusal(&answer), (1008, "replayed".into()));
    // Another body under that signature (a fresh nonce, so not a replay): forged.
    let other_body = next_nonce_body(&portal);
    let reused = header(&hospital, &id, unix_ms(), 2, &body);
    let (_, answer) = post(&node.rpc, Some(&reused), &other_body);
    assert_eq!(refusal(&answer), (1008, "bad_signature".into()));
    // A signature by one key claimed for another.
    let claimed = Credentials {
        key: portal.verifying_key().to_bytes(),
        ..Credentials::sign(&hospital, &id, unix_ms(), [3; 16], body.as_bytes())
    };
    let (_, answer) = post(&node.rpc, Some(&claimed.header_value()), &body);
    assert_eq!(refusal(&answer), (1008, "bad_signature".into()));
    // Signed for another node of the consortium.
    let elsewhere = NodeIdentity {
        node: [9; 32],
        ..id.clone()
    };
    let (_, answer) = post(
        &node.rpc,
        Some(&header(&hospital, &elsewhere, unix_ms(), 4, &body)),
        &body,
    );
    assert_eq!(refusal(&answer), (1008, "bad_signature".into()));
    // Out of the time window, either way.
    for ts in [unix_ms() - 2 * MAX_SKEW_MS, unix_ms() + 2 * MAX_SKEW_MS] {
        let (_, answer) = post(
            &node.rpc,
            Some(&header(&hospital, &id, ts, 5, &body)),
            &body,
        );
        assert_eq!(refusal(&answer), (1008, "expired".into()));
    }
    // Not the scheme.
    let (_, answer) = post(&node.rpc, Some("Bearer secret"), &body);
    assert_eq!(refusal(&answer), (1008, "malformed".into()));
    // A well-formed signature by a key the consortium never admitted.
    let stranger = SigningKey::from_bytes(&[42; 32]);
    let (_, answer) = post(
        &node.rpc,
        Some(&header(&stranger, &id, unix_ms(), 6, &body)),
        &body,
    );
    assert_eq!(refusal(&answer), (1009, "not_a_member".into()));
    // A batch: the public call is answered, the other refused, on an unsigned request.
    let batch = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "cc_head", "params": []},
        {"jsonrpc": "2.0", "id": 2, "method": "cc_getBlock", "params": [0, true]},
    ])
    .to_string();
    let (_, answer) = post(&node.rpc, None, &batch);
    let answers = answer.as_array().expect("a batch answer");
    let by_id = |n: u64| answers.iter().find(|a| a["id"] == n).unwrap();
    assert!(by_id(1)["result"]["height"].is_u64(), "{answer}");
    assert_eq!(refusal(by_id(2)), (1008, "missing".into()));

    // WebSocket: an unsigned connection gets the public methods only; a signed one, the rest.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ws_url = format!("ws://{}", node.rpc);
    let unsigned = runtime
        .block_on(jsonrpsee_ws_client::WsClientBuilder::default().build(&ws_url))
        .unwrap();
    let head: Result<Value, _> =
        runtime.block_on(unsigned.request("cc_head", jsonrpsee::core::params::ArrayParams::new()));
    assert!(head.is_ok(), "{head:?}");
    let events = runtime.block_on(unsigned.subscribe::<Value, _>(
        "cc_subscribeEvents",
        jsonrpsee::core::params::ArrayParams::new(),
        "cc_unsubscribeEvents",
    ));
    match events {
        Err(jsonrpsee::core::client::Error::Call(e)) => assert_eq!(e.code(), 1008),
        other => panic!("an unsigned subscription must be refused: {other:?}"),
    }
    let portal_ws = Client::signed(&ws_url, &portal).unwrap();
    assert!(get(&portal_ws, None).is_ok());

    // A removed member: the consortium votes the portal's key out (a majority of the eight
    // organisations), and its requests are refused from then on, on its open WebSocket too.
    let keys: Vec<SigningKey> = ORGS.iter().map(|o| org_key(&dir, o)).collect();
    send_ok(
        &member,
        &keys[0],
        Action::Admin(AdminAction::Propose(Proposal::RemoveMember {
            key: PublicKey(portal.verifying_key().to_bytes()),
        })),
    );
    for key in &keys[1..5] {
        send_ok(
            &member,
            key,
            Action::Admin(AdminAction::Approve { proposal: 0 }),
        );
    }
    let not_member = (codes::FORBIDDEN, "not_a_member".to_string());
    assert_eq!(refused(get(&portal_ws, None)), not_member);
    assert_eq!(refused(get(&node.client_as(&portal), None)), not_member);
    assert!(get(&member, None).is_ok(), "the others still may");

    // Every refusal was counted, by reason.
    let scraped = http_get(&metrics, "/metrics");
    for reason in [
        "missing",
        "replayed",
        "bad_signature",
        "expired",
        "malformed",
        "not_a_member",
        "caller_mismatch",
    ] {
        let line = format!("carechain_rpc_refused_total{{reason=\"{reason}\"}}");
        assert!(scraped.contains(&line), "{line} missing from:\n{scraped}");
    }
}

#[test]
fn the_raw_ledger_is_for_validators_and_regulators() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("chain");
    init(&dir);
    let node = RunningNode::start(&dir, &["--no-metrics"]);
    let hospital = org_key(&dir, ORGS[0]); // the validator
    let pharmacist = org_key(&dir, "pharmacist-lee"); // a member of a pharmacy
    let regulator = org_key(&dir, "health-regulator");
    let (validator, pharmacy, oversight) = (
        node.client(),
        node.client_as(&pharmacist),
        node.client_as(&regulator),
    );
    let (deploy_hash, contract) = deploy_counter(&validator, &hospital, 0);
    let increment = |by: u64| Action::Call {
        contract: carechain_runtime::Address(contract.0),
        input: input("increment", by),
    };

    // The pharmacist follows events: it will see those of its own transactions only.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let follow = |key: &SigningKey| {
        let ws = runtime
            .block_on(
                jsonrpsee_ws_client::WsClientBuilder::default()
                    .set_headers(node.ws_headers(key))
                    .build(format!("ws://{}", node.rpc)),
            )
            .unwrap();
        let subscription = runtime
            .block_on(ws.subscribe::<Value, _>(
                "cc_subscribeEvents",
                jsonrpsee::core::params::ArrayParams::new(),
                "cc_unsubscribeEvents",
            ))
            .unwrap();
        (ws, subscription)
    };
    let (_ws1, mut pharmacy_events) = follow(&pharmacist);
    let (_ws2, mut all_events) = follow(&regulator);

    let by_hospital = send_ok(&validator, &hospital, increment(1));
    let by_pharmacy = send_ok(&pharmacy, &pharmacist, increment(2));
    let own = Hex32::parse(by_pharmacy["hash"].as_str().unwrap()).unwrap();
    let height = by_pharmacy["block_height"].as_u64().unwrap();

    let policy = (codes::FORBIDDEN, "read_policy".to_string());
    // Its own transaction, yes; another member's, no.
    assert_eq!(
        pharmacy
            .transaction(own)
            .unwrap()
            .receipt
            .unwrap()
            .events
            .len(),
        1
    );
    assert_eq!(refused(pharmacy.transaction(deploy_hash)), policy);
    // Headers and transaction hashes, yes; bodies and receipts, no.
    assert!(
        pharmacy
            .block(BlockId::Height(height), false)
            .unwrap()
            .is_some()
    );
    assert_eq!(
        refused(pharmacy.block(BlockId::Height(height), true)),
        policy
    );
    // Raw state, no; the contract's interface and its queries, yes.
    let proof = carechain_rpc_api::ProofRequest {
        state_key: Some(vec![7u8].into()),
        ..Default::default()
    };
    assert_eq!(refused(pharmacy.state_proof(proof.clone())), policy);
    assert!(
        pharmacy
            .metadata(&carechain_runtime::Address(contract.0))
            .is_ok()
    );
    let total = pharmacy
        .query(QueryRequest {
            contract,
            message: Some("get".into()),
            ..QueryRequest::default()
        })
        .unwrap();
    assert_eq!(total.result, Some(json!(3)));

    // The regulator reads it all.
    assert!(
        oversight
            .transaction(deploy_hash)
            .unwrap()
            .receipt
            .is_some()
    );
    assert!(
        oversight
            .block(BlockId::Height(height), true)
            .unwrap()
            .is_some()
    );
    assert!(oversight.state_proof(proof).is_ok());

    // Events: the regulator saw both increments, the pharmacist its own only.
    let next = |s: &mut jsonrpsee::core::client::Subscription<Value>| {
        runtime
            .block_on(async { tokio::time::timeout(WAIT, s.next()).await })
            .expect("an event")
            .unwrap()
            .unwrap()
    };
    assert_eq!(next(&mut all_events)["tx_hash"], by_hospital["hash"]);
    assert_eq!(next(&mut all_events)["tx_hash"], by_pharmacy["hash"]);
    assert_eq!(next(&mut pharmacy_events)["tx_hash"], by_pharmacy["hash"]);
    let none = runtime.block_on(async {
        tokio::time::timeout(Duration::from_millis(500), pharmacy_events.next()).await
    });
    assert!(
        none.is_err(),
        "the pharmacist got someone else's event: {none:?}"
    );
}
