//! `carechain exec` as a user runs it: the real binary, real files, JSON on stdout.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn carechain(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carechain"))
        .args(args)
        .output()
        .expect("run carechain")
}

fn reports(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each stdout line is JSON"))
        .collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write test file");
    path.to_string_lossy().into_owned()
}

fn example() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/counter.wat")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn counter_example_agrees_on_both_engines() {
    let out = carechain(&["exec", &example(), "--engine", "both", "--input", "0x05"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = reports(&out);
    assert_eq!(r.len(), 2);
    assert_eq!(r[0]["engine"], "wasmtime");
    assert_eq!(r[1]["engine"], "wasmi");
    assert_eq!(r[0]["outcome"], "success");
    assert_eq!(r[0]["return_data"], "0500000000000000");
    assert_eq!(r[0]["events"].as_array().map(Vec::len), Some(1));
    for field in ["outcome", "return_data", "gas_used", "events", "state_root"] {
        assert_eq!(r[0][field], r[1][field], "{field}");
    }
}

#[test]
fn single_engine_prints_one_object() {
    let out = carechain(&["exec", &example(), "--engine", "wasmi"]);
    assert_eq!(out.status.code(), Some(0));
    let r = reports(&out);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["engine"], "wasmi");
    assert_eq!(r[0]["return_data"], "0100000000000000");
}

#[test]
fn infinite_loop_reports_out_of_gas_with_the_whole_limit() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "loop.wat",
        br#"(module (memory (export "memory") 1) (func (export "deploy")) (func (export "call") (loop (br 0))))"#,
    );
    let out = carechain(&["exec", &file, "--gas", "500000"]);
    assert_eq!(out.status.code(), Some(0));
    for r in reports(&out) {
        assert_eq!(r["outcome"], "out_of_gas");
        assert_eq!(r["gas_used"], 500000);
    }
}

#[test]
fn refused_modules_report_a_typed_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let float = write(
        dir.path(),
        "float.wat",
        br#"(module (memory (export "memory") 1) (func (export "deploy")) (func (export "call") (drop (f32.const 1))))"#,
    );
    let noise = write(
        dir.path(),
        "noise.wasm",
        &[
            0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0xff, 0x13, 0x37,
        ],
    );
    let text = write(dir.path(), "notes.txt", b"not a module at all\n");
    for (file, expected) in [
        (float, "invalid_module:float_instruction"),
        (noise, "invalid_module:malformed"),
        (text, "invalid_module:malformed"),
    ] {
        let out = carechain(&["exec", &file]);
        assert_eq!(out.status.code(), Some(0), "{file}");
        for r in reports(&out) {
            assert_eq!(r["stage"], "deploy");
            assert_eq!(r["outcome"], expected, "{file}");
        }
    }
}

#[test]
fn bad_arguments_exit_2() {
    let out = carechain(&["exec", "/nonexistent/module.wasm"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
    let out = carechain(&["exec", &example(), "--input", "zz"]);
    assert_eq!(out.status.code(), Some(2));
    let out = carechain(&["exec", &example(), "--engine", "v8"]);
    assert_eq!(out.status.code(), Some(2));
}
