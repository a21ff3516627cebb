//! TLS on the RPC port, against the real `carechain run` on loopback: a node with `[rpc_tls]`
//! answers signed requests over HTTPS and WSS to clients pinning its certificate (the library,
//! the CLI, the scenario runner and `carechain load`), refuses a client that pins another
//! certificate or trusts only the platform's roots at the handshake, and does not speak
//! plaintext; a node that would serve plaintext beyond loopback refuses to start.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use carechain_client::{Client, ClientError, TlsTrust};
use carechain_primitives::tx::Action;
use carechain_rpc_api::{BlockId, BlockTransactions, codes};
use common::{ORGS, RunningNode, free_port, http_get, init, init_tls, input, org_key, refused};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(30);

fn carechain(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carechain"))
        .args(args)
        .arg("--dir")
        .arg(dir)
        .output()
        .expect("running carechain")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn first_json(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.lines().next().unwrap_or("null")).unwrap_or(Value::Null)
}

/// The value of the counter `name` in a Prometheus scrape (0 if it was never incremented).
fn counter(scraped: &str, name: &str) -> f64 {
    scraped
        .lines()
        .find(|l| l.starts_with(name) && !l.starts_with('#'))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

/// A transport failure (not an answer of the node), as a TLS handshake refused ends.
fn assert_transport_failure<T: std::fmt::Debug>(result: Result<T, ClientError>, what: &str) {
    match result {
        Err(ClientError::Transport { .. }) => {}
        other => panic!("{what}: expected the connection to fail, got {other:?}"),
    }
}

#[test]
fn a_tls_node_answers_signed_requests_over_https_and_wss_with_its_pinned_certificate() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("chain");
    init_tls(&dir);
    let node = RunningNode::start(&dir, &["--no-metrics"]);
    assert_eq!(node.started["tls"], true, "{}", node.started);
    assert!(node.url.starts_with("https://127.0.0.1:"), "{}", node.url);
    assert!(
        node.ws_url().starts_with("wss://127.0.0.1:"),
        "{}",
        node.ws_url()
    );
    let hospital = org_key(&dir, ORGS[0]);

    // HTTPS, signed by a member pinning the node's certificate: a transaction and raw reads.
    let client = node.client();
    let hash = client
        .send(
            &hospital,
            Action::Deploy {
                code: carechain_contracts::wasm("counter").unwrap().to_vec(),
                input: input("new", 40u64),
                salt: vec![],
            },
            50_000_000,
        )
        .unwrap();
    let tx = client.wait(hash, WAIT).unwrap();
    let height = tx.block_height.expect("committed");
    let block = client
        .block(BlockId::Height(height), true)
        .unwrap()
        .unwrap();
    assert!(matches!(block.transactions, BlockTransactions::Full(ref t) if t.len() == 1));
    // Authentication is the same over TLS: anonymous requests get the public methods only.
    let anonymous = node.anonymous();
    assert_eq!(anonymous.head().unwrap().height, height);
    assert_eq!(
        refused(anonymous.block(BlockId::Height(height), true)),
        (codes::UNAUTHENTICATED, "missing".to_string())
    );

    // WSS: the signed opening, then calls on the socket as the signer.
    let ws = Client::builder(&node.ws_url())
        .signer(&hospital)
        .trust(node.trust.clone())
        .connect()
        .unwrap();
    let over_ws = ws.block(BlockId::Height(height), true).unwrap().unwrap();
    assert_eq!(over_ws.header.hash, block.header.hash);
    let anonymous_ws = Client::builder(&node.ws_url())
        .trust(node.trust.clone())
        .connect()
        .unwrap();
    assert_eq!(
        refused(anonymous_ws.block(BlockId::Height(height), true)),
        (codes::UNAUTHENTICATED, "missing".to_string())
    );

    // The CLI finds the certificate in the chain directory ([rpc_tls] of node.toml).
    let out = carechain(
        &["block", &height.to_string(), "--full", "--rpc", &node.url],
        &dir,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        first_json(&out)["hash"],
        serde_json::to_value(block.header.hash).unwrap()
    );

    // `carechain disclosures` asks each node given, with the same pin.
    let subject = "00".repeat(32);
    let out = carechain(
        &[
            "disclosures",
            "--subject",
            &subject,
            "--fhir",
            "--rpc",
            &node.url,
            "--node",
            &node.url,
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        first_json(&out)["resourceType"],
        "Bundle",
        "{}",
        stderr(&out)
    );

    // The scenario runner: each step a signed request over HTTPS.
    let scenario = tmp.path().join("tls.json");
    std::fs::write(
        &scenario,
        r#"{"name": "over TLS", "accounts": [], "steps": [
            {"step": "deploy", "contract": "counter", "id": "tls-counter", "from": "acme-health-insurance", "args": {"start": 7}},
            {"step": "call", "from": "acme-health-insurance", "to": "tls-counter", "message": "increment", "args": {"by": 2}, "expect": {"returns": 9}},
            {"step": "query", "from": "st-mary-hospital", "to": "tls-counter", "message": "get", "expect": {"returns": 9}}
        ]}"#,
    )
    .unwrap();
    let out = carechain(
        &["scenario", scenario.to_str().unwrap(), "--node", &node.url],
        &dir,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(first_json(&out)["passed"], true, "{}", stderr(&out));

    // `carechain load` over HTTPS and WSS.
    for (url, count) in [(node.url.as_str(), "200"), (node.ws_url().as_str(), "100")] {
        let out = carechain(
            &[
                "load", "--quiet", "--rpc", url, "--count", count, "--batch", "100",
            ],
            &dir,
        );
        assert_eq!(out.status.code(), Some(0), "{url}: {}", stderr(&out));
        let report = first_json(&out);
        assert_eq!(report["committed"].to_string(), count, "{url}: {report}");
    }
}

#[test]
fn a_tls_node_refuses_other_certificates_and_plaintext_at_the_handshake() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("chain");
    init_tls(&dir);
    // Another consortium's directory: the same names, other certificates.
    let other = tmp.path().join("other");
    init(&other);
    let metrics = format!("127.0.0.1:{}", free_port());
    let node = RunningNode::start(&dir, &["--metrics-addr", &metrics]);
    let hospital = org_key(&dir, ORGS[0]);
    let failures = || {
        counter(
            &http_get(&metrics, "/metrics"),
            "carechain_rpc_tls_handshake_failures_total",
        )
    };
    assert_eq!(failures(), 0.0);
    // The pinned certificate works (the control).
    node.client().status().unwrap();

    // Pinning another certificate with the same names: refused, over HTTPS and WSS.
    let wrong =
        TlsTrust::from_pem_file(&other.join("tls").join(format!("{}.crt", ORGS[0]))).unwrap();
    let https = Client::builder(&node.url)
        .trust(Some(wrong.clone()))
        .connect()
        .unwrap();
    assert_transport_failure(https.status(), "HTTPS pinning another certificate");
    assert_transport_failure(
        Client::builder(&node.url)
            .signer(&hospital)
            .trust(Some(wrong.clone()))
            .connect()
            .map(|_| ()),
        "signed HTTPS pinning another certificate",
    );
    assert_transport_failure(
        Client::builder(&node.ws_url())
            .trust(Some(wrong))
            .connect()
            .map(|_| ()),
        "WSS pinning another certificate",
    );
    // Trusting the platform's roots only: a self-signed certificate is not among them.
    assert_transport_failure(
        Client::new(&node.url).unwrap().status(),
        "HTTPS with the platform's roots",
    );
    // The CLI told to trust the other certificate fails too, and says it could not connect.
    let other_cert = other.join("tls").join(format!("{}.crt", ORGS[0]));
    let out = carechain(
        &[
            "status",
            "--rpc",
            &node.url,
            "--rpc-ca",
            other_cert.to_str().unwrap(),
        ],
        &dir,
    );
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("invalid peer certificate"),
        "{}",
        stderr(&out)
    );

    // A trust file holding the old and the new certificate (a rotation) accepts the node.
    let both = tmp.path().join("both.crt");
    std::fs::write(
        &both,
        [
            std::fs::read(&other_cert).unwrap(),
            std::fs::read(dir.join("tls").join(format!("{}.crt", ORGS[0]))).unwrap(),
        ]
        .concat(),
    )
    .unwrap();
    let public = carechain_primitives::tx::PublicKey(hospital.verifying_key().to_bytes());
    Client::builder(&node.url)
        .signer(&hospital)
        .trust(Some(TlsTrust::from_pem_file(&both).unwrap()))
        .connect()
        .unwrap()
        .next_nonce(&public)
        .unwrap();

    // Plaintext to the TLS port: no HTTP answer, and the client library fails to connect.
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"cc_status","params":[]}"#;
    let mut stream = TcpStream::connect(&node.rpc).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        node.rpc,
        body.len()
    );
    // The node may close the connection before it has all of it: a failed write is an answer.
    let _ = stream.write_all(request.as_bytes());
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    assert!(!answer.starts_with(b"HTTP/"), "{answer:?}");
    assert!(
        !String::from_utf8_lossy(&answer).contains("chain_id"),
        "{answer:?}"
    );
    assert_transport_failure(
        Client::new(&format!("http://{}", node.rpc))
            .unwrap()
            .status(),
        "plain HTTP to the TLS port",
    );
    assert_transport_failure(
        Client::new(&format!("ws://{}", node.rpc)).map(|_| ()),
        "plain WebSocket to the TLS port",
    );

    // Each refusal was a failed handshake at the node (counted once the node has seen it).
    let deadline = Instant::now() + WAIT;
    while failures() < 6.0 {
        assert!(
            Instant::now() < deadline,
            "handshake failures counted: {}",
            failures()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // And the node still serves its pinning clients.
    node.client().status().unwrap();
}

/// Waits for `carechain run ...` to stop by itself (killing it after a minute).
fn run_until_exit(args: &[&str], dir: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_carechain"))
        .args(args)
        .arg("--dir")
        .arg(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("running carechain run");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("try_wait").is_none() {
        if Instant::now() > deadline {
            child.kill().expect("kill");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("its output")
}

/// A node told to serve its RPC port beyond loopback without TLS stops before binding anything,
/// with the typed refusal, in dev mode and as a validator. The address is from TEST-NET-1
/// (RFC 5737), which this machine does not have: even a node that skipped the check could not
/// listen on it (it would fail with another error).
#[test]
fn a_node_listening_beyond_loopback_without_tls_refuses_to_start() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("chain");
    init(&dir);
    let out = run_until_exit(&["run", "--rpc-addr", "192.0.2.1:0", "--no-metrics"], &dir);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "refusing to serve JSON-RPC in plaintext on 192.0.2.1:0, which is not a loopback address"
        ),
        "{}",
        stderr(&out)
    );
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Nothing was opened either: the chain has no data directory yet.
    assert!(!dir.join("data").exists());

    // A validator of a plaintext testnet: refused before its p2p port or chain open.
    let net = tmp.path().join("net");
    let p2p = free_port();
    let out = Command::new(env!("CARGO_BIN_EXE_carechain"))
        .args(["testnet", "--no-start", "--no-rpc-tls", "--validators", "4"])
        .args(["--p2p-port", &p2p.to_string(), "--dir"])
        .arg(&net)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v0 = net.join("v0");
    let out = run_until_exit(&["run", "--rpc-addr", "192.0.2.1:0", "--no-metrics"], &v0);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("refusing to serve JSON-RPC in plaintext on 192.0.2.1:0"),
        "{}",
        stderr(&out)
    );
    assert!(!v0.join("data").exists());
    assert!(!v0.join("consensus").exists());
}
