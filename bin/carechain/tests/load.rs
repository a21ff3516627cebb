//! `carechain load` against the real node: it commits what it sends, reports figures that add up,
//! stops by itself, and refuses to talk to anything but loopback.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{RunningNode, init};
use serde_json::Value;

fn load(node: &RunningNode, args: &[&str]) -> (Option<i32>, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_carechain"))
        .args(["load", "--quiet", "--rpc", &node.url, "--dir"])
        .arg(&node.dir)
        .args(args)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        report,
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn load_commits_what_it_sends_and_stops_by_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("chain");
    init(&dir);
    let node = RunningNode::start(&dir, &["--no-metrics"]);

    let (code, report, err) = load(&node, &["--count", "600", "--batch", "100"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(report["sent"], 600);
    assert_eq!(report["accepted"], 600, "{report}");
    assert_eq!(report["committed"], 600, "{report}");
    assert!(report["committed_tx_per_s"].as_f64().unwrap() > 0.0);
    let p50 = report["latency_ms"]["p50"].as_f64().unwrap();
    let p99 = report["latency_ms"]["p99"].as_f64().unwrap();
    assert!(p50 > 0.0 && p50 <= p99, "{report}");
    assert!(report["node"]["rss_kib_max"].as_u64().unwrap_or(1) > 0);

    // The same over WebSockets (the node serves both on one port): every batch on one socket
    // per connection, commits followed over it too.
    let ws = node.url.replacen("http://", "ws://", 1);
    let out = Command::new(env!("CARGO_BIN_EXE_carechain"))
        .args(["load", "--quiet", "--rpc", &ws, "--dir"])
        .arg(&node.dir)
        .args(["--count", "400", "--batch", "100"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["accepted"], 400, "{report}");
    assert_eq!(report["committed"], 400, "{report}");
    assert_eq!(report["transport"], "ws");

    // Bounded by time: at 50 tx/s for 2 s, far fewer than --count are sent.
    let started = Instant::now();
    let (code, report, err) = load(
        &node,
        &["--count", "100000", "--rate", "50", "--duration", "2"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(started.elapsed() < Duration::from_secs(60));
    let accepted = report["accepted"].as_u64().unwrap();
    assert!((50..=200).contains(&accepted), "{report}");
    assert_eq!(report["committed"], accepted);

    // Loopback only.
    let out = Command::new(env!("CARGO_BIN_EXE_carechain"))
        .args(["load", "--rpc", "http://10.1.2.3:9944", "--count", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
}
