//! Starting the real `carechain` binary on loopback for integration tests.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use carechain_client::read_key;
use carechain_client::{Book, Client, TlsTrust};
use ed25519_dalek::SigningKey;
use serde_json::Value;

/// The organisations `carechain init` creates, in order.
pub const ORGS: [&str; 8] = [
    "st-mary-hospital",
    "acme-health-insurance",
    "main-street-pharmacy",
    "regional-blood-bank",
    "city-lab",
    "health-regulator",
    "northwind-pharma",
    "central-wholesale",
];

/// `carechain init --dir DIR`.
pub fn init(dir: &Path) {
    init_with(dir, &[]);
}

/// `carechain init --dir DIR --rpc-tls`: the node serves HTTPS and WSS with the first
/// organisation's certificate (`tls/ORG.crt`), which the tests' clients pin.
pub fn init_tls(dir: &Path) {
    init_with(dir, &["--rpc-tls"]);
}

/// `carechain init --dir DIR EXTRA...`.
pub fn init_with(dir: &Path, extra: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_carechain"))
        .args(["init", "--dir"])
        .arg(dir)
        .args(extra)
        .output()
        .expect("running carechain init");
    assert!(
        out.status.success(),
        "init failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An organisation's node key from an initialised chain directory.
pub fn org_key(dir: &Path, org: &str) -> SigningKey {
    read_key(&dir.join("keys").join(format!("{org}.key"))).expect("reading an org key")
}

/// A running `carechain run`; killed (SIGKILL) when dropped.
pub struct RunningNode {
    pub child: Child,
    /// `http://ADDR`, or `https://ADDR` if the node serves TLS.
    pub url: String,
    pub rpc: String,
    pub started: Value,
    pub dir: PathBuf,
    /// The certificate the chain directory's clients trust, if the node serves TLS.
    pub trust: Option<TlsTrust>,
}

impl RunningNode {
    /// Starts `carechain run` on a free loopback port and waits until it listens.
    pub fn start(dir: &Path, extra: &[&str]) -> RunningNode {
        let mut child = Command::new(env!("CARGO_BIN_EXE_carechain"))
            .args([
                "run",
                "--rpc-addr",
                "127.0.0.1:0",
                "--block-interval-ms",
                "20",
                "--dir",
            ])
            .arg(dir)
            .args(extra)
            .env(
                "RUST_LOG",
                std::env::var("NODE_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting carechain run");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("reading the start line");
        let started: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("start line `{line}` is not JSON: {e}"));
        assert_eq!(started["event"], "started");
        let rpc = started["rpc"].as_str().expect("rpc address").to_string();
        let url = started["http"].as_str().expect("http URL").to_string();
        let trust = Book::load(dir)
            .rpc_trust()
            .expect("the directory's certificate");
        assert_eq!(
            trust.is_some(),
            started["tls"] == true,
            "a TLS node's directory names its certificate"
        );
        RunningNode {
            child,
            url,
            rpc,
            started,
            dir: dir.to_path_buf(),
            trust,
        }
    }

    /// The node's WebSocket URL (`ws://` or `wss://`).
    pub fn ws_url(&self) -> String {
        self.started["ws"].as_str().expect("ws URL").to_string()
    }

    /// A client of this node, signing as the first organisation's node key (a member).
    pub fn client(&self) -> Client {
        self.client_as(&org_key(&self.dir, ORGS[0]))
    }

    /// A client of this node signing as `key`.
    pub fn client_as(&self, key: &SigningKey) -> Client {
        Client::builder(&self.url)
            .signer(key)
            .trust(self.trust.clone())
            .connect()
            .expect("a signed client")
    }

    /// Headers that sign a WebSocket's opening to this node as `key` (for raw WebSocket
    /// clients).
    pub fn ws_headers(&self, key: &SigningKey) -> jsonrpsee_ws_client::HeaderMap {
        let status = self.anonymous().status().expect("status");
        let node = carechain_rpc_api::auth::NodeIdentity {
            chain_id: status.chain_id,
            node: status.proposer.0,
        };
        let mut headers = jsonrpsee_ws_client::HeaderMap::new();
        headers.insert(
            "authorization",
            carechain_client::authorization(key, &node, b""),
        );
        headers
    }

    /// An anonymous client of this node (public methods only).
    pub fn anonymous(&self) -> Client {
        Client::builder(&self.url)
            .trust(self.trust.clone())
            .connect()
            .expect("a client")
    }

    /// `kill -9`, and wait for the process to be gone.
    pub fn kill9(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaping the node");
    }

    /// SIGTERM, and wait for a clean exit.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill -TERM");
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the node did not stop within 10 s of SIGTERM");
    }
}

impl Drop for RunningNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `carechain replay --dir DIR` on a stopped node: its JSON line, and whether it exited 0.
pub fn replay(dir: &Path) -> (bool, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_carechain"))
        .args(["replay", "--dir"])
        .arg(dir)
        .output()
        .expect("running carechain replay");
    let line = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(line.lines().next().unwrap_or("null")).unwrap_or(Value::Null);
    (out.status.success(), json)
}

/// `GET path` on a fresh connection: the whole HTTP response (the metrics endpoint's, say).
pub fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send the request");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("read the response");
    response
}

/// A loopback port free at the time of asking.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind a port")
        .local_addr()
        .expect("its address")
        .port()
}

/// A message's input: its selector, then its arguments SCALE-encoded.
pub fn input(name: &str, args: impl parity_scale_codec::Encode) -> Vec<u8> {
    let mut input = carechain_metadata::selector(name).to_vec();
    input.extend(args.encode());
    input
}

/// The (code, reason) of a refused client call.
pub fn refused<T: std::fmt::Debug>(
    result: Result<T, carechain_client::ClientError>,
) -> (i32, String) {
    match result {
        Err(carechain_client::ClientError::Rpc(e)) => {
            (e.code, e.reason().unwrap_or("").to_string())
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Runs a `carechain` client command against `node`, with its URL and chain directory.
pub fn carechain(node: &RunningNode, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_carechain"))
        .args(args)
        .args(["--rpc", &node.url, "--dir"])
        .arg(&node.dir)
        .output()
        .expect("running carechain")
}

/// The JSON documents a command printed, one per stdout line.
pub fn json_lines(out: &std::process::Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("`{l}` is not JSON: {e}")))
        .collect()
}

/// What a command printed on stderr.
pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}
