//! The SDK end to end: example contracts from `contracts/`, compiled to wasm32v1-none by the
//! build, run through the Sandbox on both engines.

use carechain_metadata::selector;
use carechain_runtime::{EngineKind, Runtime, RuntimeConfig, Sandbox};
use carechain_tests::{World, metadata, on_both_engines, wasm};
use serde_json::{Value, json};

/// (outcome, decoded value, gas used) of a reply: what both engines must agree on.
fn seen(r: &carechain_tests::Reply) -> (String, Value, u64) {
    (r.outcome(), r.value.clone(), r.result.gas_used)
}

#[test]
fn every_contract_passes_the_validator_and_carries_its_metadata() {
    let runtime = Runtime::new(RuntimeConfig::for_engine(EngineKind::Wasmtime)).unwrap();
    let names: Vec<&str> = carechain_contracts::names().collect();
    assert!(names.contains(&"flipper") && names.contains(&"counter") && names.contains(&"caller"));
    for name in names {
        let code = wasm(name);
        runtime
            .validate(code)
            .unwrap_or_else(|e| panic!("{name} fails validation: {e}"));
        let meta = metadata(name);
        assert_eq!(meta.name, name.replace('-', "_"));
        for m in meta.messages.iter().chain(&meta.constructors) {
            let sel = selector(&m.name);
            assert_eq!(m.selector, format!("0x{}", hex(&sel)), "{name}.{}", m.name);
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn minimal_example_is_below_8_kib() {
    let size = wasm("flipper").len();
    assert!(size < 8 * 1024, "flipper is {size} bytes");
}

/// The 64 KiB goal of the healthcare contracts: AccessConsent meets it with or without
/// wasm-opt (see docs/BENCHMARKS.md).
#[test]
fn consent_is_below_64_kib() {
    let size = wasm("consent").len();
    assert!(size < 64 * 1024, "consent is {size} bytes");
}

/// The 64 KiB goal of the healthcare contracts, as deployed: Claims, BloodBank and DrugTrace
/// meet it after `wasm-opt -Oz`, which the bundle applies when binaryen is installed
/// (`scripts/setup` installs it). Built without it, they are larger (see docs/BENCHMARKS.md)
/// and this test only reports their sizes.
#[test]
fn healthcare_contracts_are_below_64_kib_with_wasm_opt() {
    for name in ["consent", "claims", "blood-bank", "drug-trace"] {
        let size = wasm(name).len();
        if carechain_contracts::wasm_opt_applied() {
            assert!(size < 64 * 1024, "{name} is {size} bytes");
        } else {
            eprintln!("{name}: {size} bytes without wasm-opt (the goal is checked with it)");
        }
    }
}

#[test]
fn every_contract_embeds_its_metadata_compressed() {
    for name in carechain_contracts::names() {
        let section = carechain_runtime::metadata_section(wasm(name)).expect("a metadata section");
        let raw = raw_metadata_section(wasm(name));
        assert_eq!(
            raw.first(),
            Some(&carechain_runtime::abi::metadata::DEFLATE),
            "{name}"
        );
        assert!(raw.len() < section.len(), "{name}: {} bytes", raw.len());
    }
}

/// Metadata version 2: selectors and event signatures are derived from the names when read,
/// not stored in every contract.
#[test]
fn embedded_metadata_leaves_out_what_the_names_give() {
    for name in carechain_contracts::names() {
        let json: Value =
            serde_json::from_slice(&carechain_runtime::metadata_section(wasm(name)).unwrap())
                .unwrap();
        assert_eq!(json["metadata_version"], 2, "{name}");
        for m in json["constructors"].as_array().into_iter().flatten() {
            assert!(m.get("selector").is_none(), "{name}.{}", m["name"]);
        }
        for m in json["messages"].as_array().into_iter().flatten() {
            assert!(m.get("selector").is_none(), "{name}.{}", m["name"]);
        }
        for e in json["events"].as_array().into_iter().flatten() {
            assert!(e.get("signature").is_none(), "{name}.{}", e["name"]);
        }
    }
}

/// The stored bytes of the metadata section, as the module carries them.
fn raw_metadata_section(code: &[u8]) -> &[u8] {
    wasmparser::Parser::new(0)
        .parse_all(code)
        .find_map(|p| match p {
            Ok(wasmparser::Payload::CustomSection(r))
                if r.name() == carechain_runtime::abi::METADATA_SECTION =>
            {
                Some(r.data())
            }
            _ => None,
        })
        .expect("a metadata section")
}

#[test]
fn flipper_flips_on_both_engines() {
    let seen = on_both_engines(|w| {
        assert_eq!(
            w.deploy("flipper", "alice", "new", json!({"init": false}))
                .outcome(),
            "success"
        );
        let before = w.query("bob", "flipper", "get", Value::Null).value;
        let flip = w.call("bob", "flipper", "flip", Value::Null);
        let after = w.query("bob", "flipper", "get", Value::Null).value;
        (before, seen(&flip), after)
    });
    assert_eq!(seen.0, json!(false));
    assert_eq!(seen.1.0, "success");
    assert_eq!(seen.2, json!(true));
}

#[test]
fn increment_returns_the_value_and_emits_a_typed_event() {
    on_both_engines(|w| {
        w.deploy("counter", "alice", "new", json!({"start": 1}));
        let r = w.call("bob", "counter", "increment", json!({"by": 41}));
        assert_eq!(r.outcome(), "success");
        assert_eq!(r.value, json!(42));
        assert_eq!(r.result.events.len(), 1);
        let event = &r.result.events[0];
        let meta = w.metadata_of("counter");
        let topics: Vec<[u8; 32]> = event.topics.iter().map(|t| t.0).collect();
        assert_eq!(
            topics[0],
            carechain_metadata::event_signature("Incremented")
        );
        // An address is its own topic: filterable by the caller's address.
        assert_eq!(topics[1], Sandbox::account("bob").0);
        let decoded = meta.decode_event(&topics, &event.data).unwrap();
        let bob = format!("0x{}", hex(&Sandbox::account("bob").0));
        assert_eq!(
            decoded,
            json!({"name": "Incremented", "fields": {"by": bob, "value": 42}})
        );
        seen(&r)
    });
}

#[test]
fn wrong_selector_reverts_with_unknown_selector() {
    on_both_engines(|w| {
        w.deploy("counter", "alice", "new", json!({"start": 0}));
        let root = w.sandbox.state_root();
        let r = w.call_raw("alice", "counter", &[1, 2, 3, 4, 5]);
        assert_eq!(r.outcome(), "reverted");
        assert_eq!(
            r.value,
            json!({"error": "UnknownSelector", "selector": "0x01020304"})
        );
        let short = w.call_raw("alice", "counter", &[1, 2]);
        assert_eq!(short.error(), Some("UnknownSelector"));
        assert_eq!(w.sandbox.state_root(), root, "a revert changes nothing");
        (seen(&r), seen(&short))
    });
}

#[test]
fn truncated_or_overlong_arguments_revert_with_invalid_input() {
    on_both_engines(|w| {
        w.deploy("counter", "alice", "new", json!({"start": 0}));
        let sel = selector("increment");
        let mut truncated = sel.to_vec();
        truncated.extend_from_slice(&[1, 0, 0]); // a u64 needs 8 bytes
        let r1 = w.call_raw("alice", "counter", &truncated);
        assert_eq!(r1.value, json!({"error": "InvalidInput"}));
        let mut overlong = sel.to_vec();
        overlong.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0, 9]);
        let r2 = w.call_raw("alice", "counter", &overlong);
        assert_eq!(r2.value, json!({"error": "InvalidInput"}));
        (seen(&r1), seen(&r2))
    });
}

#[test]
fn contract_errors_surface_by_name_and_change_nothing() {
    on_both_engines(|w| {
        w.deploy("counter", "alice", "new", json!({"start": 5}));
        let root = w.sandbox.state_root();
        let overflow = w.call("bob", "counter", "increment", json!({"by": u64::MAX}));
        assert_eq!(overflow.outcome(), "reverted");
        assert_eq!(overflow.value, json!({"error": "Overflow"}));
        let not_owner = w.call("bob", "counter", "reset", Value::Null);
        assert_eq!(not_owner.value, json!({"error": "NotOwner"}));
        assert_eq!(w.sandbox.state_root(), root);
        assert!(overflow.result.events.is_empty());
        (seen(&overflow), seen(&not_owner))
    });
}

#[test]
fn a_panic_reverts_with_its_message_and_keeps_no_write() {
    on_both_engines(|w| {
        w.deploy("counter", "alice", "new", json!({"start": 7}));
        let r = w.call(
            "alice",
            "counter",
            "fail",
            json!({"message": "boom: dose 0"}),
        );
        assert_eq!(r.outcome(), "reverted");
        assert_eq!(
            r.value,
            json!({"error": "Panic", "message": "boom: dose 0"})
        );
        assert_eq!(
            w.query("alice", "counter", "get", Value::Null).value,
            json!(7)
        );
        seen(&r)
    });
}

#[test]
fn a_failed_cross_contract_call_is_rolled_back_while_the_caller_continues() {
    on_both_engines(|w| {
        w.deploy("counter", "alice", "new", json!({"start": 0}));
        let counter = format!("0x{}", hex(&w.address("counter").0));
        w.deploy("caller", "alice", "new", json!({"counter": counter}));

        let ok = w.call("alice", "caller", "bump", json!({"by": 3, "gas": 0}));
        assert_eq!(ok.value, json!({"Incremented": 3}));
        // The callee's event and the caller's, in order.
        assert_eq!(ok.result.events.len(), 2);

        let err = w.call("alice", "caller", "bump", json!({"by": u64::MAX, "gas": 0}));
        assert_eq!(err.outcome(), "success");
        assert_eq!(err.value, json!({"CounterError": "Overflow"}));

        // The counter writes u64::MAX and then panics: that write must not survive.
        let panicked = w.call("alice", "caller", "bump_failing", Value::Null);
        assert_eq!(panicked.outcome(), "success");
        let Some(Value::String(data)) = panicked.value.get("Reverted") else {
            panic!("expected Reverted, got {}", panicked.value)
        };
        assert!(data.starts_with("0x03"), "panic revert code, got {data}");

        let starved = w.call("alice", "caller", "bump", json!({"by": 1, "gas": 1000}));
        assert_eq!(
            starved.value,
            json!({"Failed": 3}),
            "out of gas inside the callee"
        );

        assert_eq!(
            w.query("alice", "counter", "get", Value::Null).value,
            json!(3)
        );
        assert_eq!(
            w.query("alice", "caller", "tally", Value::Null).value,
            json!([1, 3])
        );
        (seen(&ok), seen(&err), seen(&panicked), seen(&starved))
    });
}

#[test]
fn a_query_cannot_write() {
    on_both_engines(|w| {
        w.deploy("counter", "alice", "new", json!({"start": 0}));
        let r = w.query("alice", "counter", "increment", json!({"by": 1}));
        assert_eq!(r.outcome(), "trap:write_in_query");
        assert_eq!(
            w.query("alice", "counter", "get", Value::Null).value,
            json!(0)
        );
        seen(&r)
    });
}

#[test]
fn an_unknown_constructor_selector_fails_the_deploy() {
    for engine in EngineKind::ALL {
        let mut sandbox = Sandbox::new(engine);
        let r = sandbox.deploy(Sandbox::account("alice"), wasm("counter"), &selector("get"));
        assert_eq!(r.outcome.name(), "reverted");
        assert_eq!(
            r.return_data[0],
            carechain_runtime::abi::revert::UNKNOWN_SELECTOR
        );
    }
}

#[test]
fn the_runtime_exposes_metadata_after_deploy() {
    let mut w = World::new(EngineKind::Wasmi);
    w.deploy("counter", "alice", "new", json!({"start": 0}));
    let raw = w
        .sandbox
        .metadata(&w.address("counter"))
        .expect("metadata kept with the code");
    let parsed = carechain_metadata::ContractMetadata::from_json(&raw).unwrap();
    assert_eq!(parsed, metadata("counter"));
    let get = parsed.message("get").unwrap();
    assert!(!get.mutates, "a #[query] is read-only in metadata");
    assert_eq!(
        parsed.docs,
        "A counter anyone can increment and its owner can reset."
    );
    let err = parsed.message("nope").unwrap_err().to_string();
    assert!(err.contains("increment") && err.contains("reset"), "{err}");
}

/// The Rust example of docs/CONTRACTS.md, as written there.
#[test]
fn the_contracts_guide_sandbox_example_runs() {
    use carechain_runtime::{EngineKind, Sandbox};

    let mut sandbox = Sandbox::new(EngineKind::Wasmi);
    let alice = Sandbox::account("alice");
    let code = carechain_contracts::wasm("flipper").unwrap();
    let mut input = carechain_metadata::selector("new").to_vec();
    input.push(0); // init: false
    let deployed = sandbox.deploy(alice, code, &input);
    let flipper = deployed.contract.unwrap();
    let flipped = sandbox.call(alice, flipper, &carechain_metadata::selector("flip"));
    assert!(flipped.outcome.is_success());

    let value = sandbox.query(alice, flipper, &carechain_metadata::selector("get"));
    assert_eq!(value.return_data, vec![1], "flipped from false to true");
}

/// README.md shows the minimal example contract; it must be the real one.
#[test]
fn the_readme_shows_the_real_minimal_contract() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let source = std::fs::read_to_string(root.join("contracts/flipper/src/lib.rs")).unwrap();
    let shown = readme
        .split("```rust\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README has a rust block");
    // The file starts with its crate doc line; the README shows the rest.
    let body: String = source.lines().skip(1).map(|l| format!("{l}\n")).collect();
    assert_eq!(shown, body);
}
