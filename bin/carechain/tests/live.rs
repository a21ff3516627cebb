//! The node as people use it from the command line: the demo story (scenarios/demo/story.json)
//! against a live node, the client commands (`deploy`, `call`, `query`, `events`, `proof`,
//! `keys`, `status`) with their errors, and `replay` of what the node committed.

mod common;

use std::process::Command;

use common::{RunningNode, carechain, init, json_lines, root, stderr};
use serde_json::{Value, json};

#[test]
fn the_demo_story_runs_on_a_live_node_and_the_chain_replays() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("chain");
    init(&dir);
    let node = RunningNode::start(&dir, &["--no-metrics"]);
    let story = root().join("scenarios/demo/story.json");
    let out = Command::new(env!("CARGO_BIN_EXE_carechain"))
        .args([
            "scenario",
            story.to_str().unwrap(),
            "--narrate",
            "--node",
            &node.url,
            "--dir",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = &json_lines(&out)[0];
    assert_eq!(report["engine"], "node");
    assert_eq!(report["passed"], true);
    assert!(stderr(&out).contains("St Mary's registers Dr Okafor as a practitioner"));

    // Contracts answer each member only what concerns it (issue 20): the query is signed as
    // `--as`'s key, and the contract sees that key as its caller.
    let claim = r#"{"claim": {"provider": "billing-office", "claim_id": "SMH-CLM-000417"}}"#;
    let subject = r#"{"subject": "0x2f5c08a279906f49e32e00f4c97d03e482c1fa438504fe5efd4f4d3b43716cd2", "start": 0, "limit": 20}"#;
    let din = r#"{"din": "W123426000101"}"#;
    let ask = |who: &str, contract: &str, message: &str, args: &str| {
        let out = carechain(
            &node,
            &["query", contract, message, "--args", args, "--as", who],
        );
        let answer = json_lines(&out).first().cloned().unwrap_or(Value::Null);
        (out.status.code(), answer)
    };
    for who in [
        "billing-office",
        "acme-health-insurance",
        "patient-p1",
        "health-regulator",
    ] {
        let (code, answer) = ask(who, "claims", "get_claim", claim);
        assert_eq!(code, Some(0), "{who}: {answer}");
        assert_eq!(answer["result"]["status"], "Paid", "{who}: {answer}");
    }
    for who in ["pharmacist-lee", "regional-blood-bank", "northwind-pharma"] {
        let (code, answer) = ask(who, "claims", "get_claim", claim);
        assert_eq!(code, Some(5), "{who}: {answer}");
        assert_eq!(
            answer["error"]["error"], "NotAuthorizedToRead",
            "{who}: {answer}"
        );
        let (code, listed) = ask(who, "claims", "claims_by_subject", subject);
        assert_eq!(
            (code, &listed["result"]),
            (Some(0), &json!([])),
            "{who}: {listed}"
        );
    }
    let (_, listed) = ask("patient-p1", "claims", "claims_by_subject", subject);
    assert_eq!(
        listed["result"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );
    let (code, trace) = ask("transfusion-service", "blood-bank", "vein_to_vein", din);
    assert_eq!(code, Some(0), "{trace}");
    let (_, refused) = ask("acme-health-insurance", "blood-bank", "vein_to_vein", din);
    assert_eq!(
        refused["error"]["error"], "NotAuthorizedToRead",
        "{refused}"
    );

    // The instances are in the address book, usable by name.
    let book: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("contracts.json")).unwrap())
            .unwrap();
    for name in ["consent", "drug-trace", "blood-bank", "claims"] {
        assert!(book.get(name).is_some(), "{name} missing from {book}");
    }
    let events = carechain(&node, &["events", "--contract", "claims"]);
    assert_eq!(events.status.code(), Some(0), "{}", stderr(&events));
    let names: Vec<Value> = json_lines(&events)
        .iter()
        .map(|e| e["decoded"]["name"].clone())
        .collect();
    assert!(
        names.contains(&json!("ClaimAdjudicated")) || names.len() > 3,
        "{names:?}"
    );

    // The head's state root is what a replay from genesis computes.
    let status = json_lines(&carechain(&node, &["status"]))[0].clone();
    assert!(node.terminate().success());
    let (ok, replayed) = common::replay(&dir);
    assert!(ok, "{replayed}");
    assert_eq!(replayed["state_root"], status["head"]["state_root"]);
    assert_eq!(
        replayed["replayed_state_root"],
        status["head"]["state_root"]
    );
}

#[test]
fn client_commands_and_their_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("chain");
    init(&dir);
    let node = RunningNode::start(&dir, &["--no-metrics"]);

    // keys: the demo consortium's keys, and a new one (not a member until admitted).
    let keys = Command::new(env!("CARGO_BIN_EXE_carechain"))
        .args(["keys", "list", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    let listed: Vec<String> = json_lines(&keys)
        .iter()
        .map(|k| k["name"].as_str().unwrap().to_string())
        .collect();
    for name in [
        "st-mary-hospital",
        "northwind-pharma",
        "dr-okafor",
        "patient-p1",
    ] {
        assert!(listed.contains(&name.to_string()), "{listed:?}");
    }
    let new = Command::new(env!("CARGO_BIN_EXE_carechain"))
        .args(["keys", "new", "visitor", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(new.status.code(), Some(0), "{}", stderr(&new));

    // deploy by name, with JSON arguments and a ${now}-free constructor.
    let deployed = carechain(
        &node,
        &[
            "deploy",
            "counter",
            "--args",
            r#"{"start": 40}"#,
            "--key",
            "st-mary-hospital",
            "--wait",
        ],
    );
    assert_eq!(deployed.status.code(), Some(0), "{}", stderr(&deployed));
    let deployed = &json_lines(&deployed)[0];
    assert_eq!(deployed["receipt"]["status"], "success");
    assert_eq!(
        deployed["receipt"]["contract"], deployed["contract"],
        "the address is predicted"
    );

    // call and query by contract name; a persona signs.
    let called = carechain(
        &node,
        &[
            "call",
            "counter",
            "increment",
            "--args",
            "[2]",
            "--key",
            "dr-okafor",
            "--wait",
        ],
    );
    assert_eq!(called.status.code(), Some(0), "{}", stderr(&called));
    assert_eq!(json_lines(&called)[0]["receipt"]["result"], 42);
    let queried = carechain(&node, &["query", "counter", "get"]);
    assert_eq!(json_lines(&queried)[0]["result"], 42);

    // A revert: exit 5 with the decoded error; a stranger's key is refused before execution.
    let reverted = carechain(
        &node,
        &["call", "counter", "reset", "--key", "dr-okafor", "--wait"],
    );
    assert_eq!(reverted.status.code(), Some(5));
    assert_eq!(
        json_lines(&reverted)[0]["receipt"]["error"]["error"],
        "NotOwner"
    );
    // A key the consortium never admitted: its requests are refused before its transaction is
    // looked at (the CLI signs requests with the transaction's key).
    let stranger = carechain(&node, &["call", "counter", "reset", "--key", "visitor"]);
    assert_eq!(stranger.status.code(), Some(2));
    assert!(
        stderr(&stranger).contains("not a member of the consortium (code 1009)"),
        "{}",
        stderr(&stranger)
    );

    // Errors a person can act on.
    let typo = carechain(
        &node,
        &["call", "counter", "incremnt", "--key", "dr-okafor"],
    );
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        stderr(&typo).contains("increment, reset, fail, get"),
        "{}",
        stderr(&typo)
    );
    let mistyped = carechain(
        &node,
        &[
            "query",
            "counter",
            "increment",
            "--args",
            r#"{"by": "two"}"#,
        ],
    );
    assert_eq!(mistyped.status.code(), Some(2));
    assert!(
        stderr(&mistyped).contains("expected u64"),
        "{}",
        stderr(&mistyped)
    );
    let nowhere = carechain(&node, &["query", "nothing", "get"]);
    assert!(
        stderr(&nowhere).contains("no contract `nothing`"),
        "{}",
        stderr(&nowhere)
    );
    let no_key = carechain(&node, &["call", "counter", "get", "--key", "nobody"]);
    assert!(
        stderr(&no_key).contains("no key `nobody`"),
        "{}",
        stderr(&no_key)
    );

    // A proof verified by the CLI against the block header.
    let proved = carechain(&node, &["proof", "--state-key", "07"]);
    assert_eq!(proved.status.code(), Some(0), "{}", stderr(&proved));
    assert_eq!(json_lines(&proved)[0]["verified"], true);

    // events: past events of the counter, decoded.
    let events = carechain(&node, &["events", "--contract", "counter"]);
    let events = json_lines(&events);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["decoded"]["fields"]["value"], 42);

    // A scenario against the live node: time placeholders work, set_block is refused.
    let scenario = tmp.path().join("live.json");
    std::fs::write(
        &scenario,
        json!({"name": "live", "accounts": ["patient-p1"], "steps": [
            {"step": "call", "from": "patient-p1", "to": "counter", "message": "increment", "args": {"by": 1},
             "expect": {"returns": 43, "events": [{"name": "Incremented"}]}},
            {"step": "deploy", "contract": "counter", "id": "clock", "salt": "clock", "from": "st-mary-hospital", "args": {"start": "${now-10}"}},
            {"step": "set_block", "height": 99}
        ]})
        .to_string(),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_carechain"))
        .args([
            "scenario",
            scenario.to_str().unwrap(),
            "--node",
            &node.url,
            "--dir",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = &json_lines(&out)[0];
    assert!(
        report["steps"][0]["failures"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{report}"
    );
    assert!(
        report["steps"][1]["failures"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{report}"
    );
    assert_eq!(report["steps"][2]["outcome"], "not_run");
    let clock = carechain(&node, &["query", "clock", "get"]);
    let start = json_lines(&clock)[0]["result"].as_u64().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        start + 10 <= now + 1 && start + 120 > now,
        "start {start}, now {now}"
    );
}

#[test]
fn events_follow_prints_new_events_and_the_engine_comes_from_the_config() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("chain");
    init(&dir);
    // node.toml chooses the engine; here wasmi.
    let config = std::fs::read_to_string(dir.join("node.toml")).unwrap();
    std::fs::write(
        dir.join("node.toml"),
        config.replace("engine = \"wasmtime\"", "engine = \"wasmi\""),
    )
    .unwrap();
    let node = RunningNode::start(&dir, &["--no-metrics"]);
    assert_eq!(
        json_lines(&carechain(&node, &["status"]))[0]["engine"],
        "wasmi"
    );
    let deployed = carechain(
        &node,
        &[
            "deploy",
            "counter",
            "--args",
            "[0]",
            "--key",
            "st-mary-hospital",
            "--wait",
        ],
    );
    assert_eq!(deployed.status.code(), Some(0), "{}", stderr(&deployed));

    let mut follower = Command::new(env!("CARGO_BIN_EXE_carechain"))
        .args([
            "events",
            "--follow",
            "--contract",
            "counter",
            "--rpc",
            &node.url,
            "--dir",
        ])
        .arg(&dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it is subscribed (it says so on stderr).
    let mut err = std::io::BufReader::new(follower.stderr.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut err, &mut line).unwrap();
    assert!(line.contains("following events"), "{line}");
    let called = carechain(
        &node,
        &[
            "call",
            "counter",
            "increment",
            "--args",
            "[7]",
            "--key",
            "patient-p1",
            "--wait",
        ],
    );
    assert_eq!(called.status.code(), Some(0), "{}", stderr(&called));
    let mut out = std::io::BufReader::new(follower.stdout.take().unwrap());
    let mut event = String::new();
    std::io::BufRead::read_line(&mut out, &mut event).unwrap();
    follower.kill().unwrap();
    let _ = follower.wait();
    let event: Value = serde_json::from_str(&event).unwrap();
    assert_eq!(event["decoded"]["name"], "Incremented");
    assert_eq!(event["decoded"]["fields"]["value"], 7);
}
