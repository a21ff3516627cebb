//! `carechain exec FILE --engine wasmtime|wasmi|both --input HEX --gas N`.

use std::path::PathBuf;

use carechain_runtime::{CallResult, EngineKind, Event, Sandbox};
use clap::{Args, ValueEnum};
use serde::Serialize;

use super::exit;

/// Which engine(s) `exec` runs on.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum EngineChoice {
    /// wasmtime (Cranelift).
    Wasmtime,
    /// wasmi (interpreter).
    Wasmi,
    /// Both, compared: exit 3 if they disagree.
    Both,
}

impl EngineChoice {
    /// The engines this choice runs on.
    pub fn engines(self) -> &'static [EngineKind] {
        match self {
            EngineChoice::Wasmtime => &[EngineKind::Wasmtime],
            EngineChoice::Wasmi => &[EngineKind::Wasmi],
            EngineChoice::Both => &EngineKind::ALL,
        }
    }
}

/// Arguments of `carechain exec`.
#[derive(Args, Debug)]
pub struct ExecArgs {
    /// The module: a `.wasm` binary or WebAssembly text (`.wat`).
    pub file: PathBuf,
    /// Engine to run on.
    #[arg(long, value_enum, default_value = "both")]
    pub engine: EngineChoice,
    /// Input passed to `call`, as hex (with or without `0x`).
    #[arg(long, default_value = "")]
    pub input: String,
    /// Gas limit for the deploy and for the call, each.
    #[arg(long, default_value_t = 100_000_000)]
    pub gas: u64,
}

/// One engine's report, as printed.
#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct Report {
    /// `"wasmtime"` or `"wasmi"`.
    pub engine: &'static str,
    /// `"deploy"` if the constructor failed (and the call was not made), else `"call"`.
    pub stage: &'static str,
    /// `"success"`, `"reverted"` or a failure such as `"out_of_gas"`.
    pub outcome: String,
    /// Return or revert data, hex.
    pub return_data: String,
    /// Gas used by the reported stage.
    pub gas_used: u64,
    /// Events emitted.
    pub events: Vec<EventJson>,
    /// Root of the sandbox state afterwards, hex.
    pub state_root: String,
    /// `debug_log` messages.
    pub debug: Vec<String>,
}

/// An event, as printed.
#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct EventJson {
    /// Emitting contract, hex.
    pub contract: String,
    /// Topics, hex.
    pub topics: Vec<String>,
    /// Data, hex.
    pub data: String,
}

fn event_json(e: &Event) -> EventJson {
    EventJson {
        contract: hex::encode(e.contract.0),
        topics: e.topics.iter().map(|t| hex::encode(t.0)).collect(),
        data: hex::encode(&e.data),
    }
}

fn report(engine: EngineKind, stage: &'static str, r: &CallResult, sandbox: &Sandbox) -> Report {
    Report {
        engine: engine.name(),
        stage,
        outcome: r.outcome.name(),
        return_data: hex::encode(&r.return_data),
        gas_used: r.gas_used,
        events: r.events.iter().map(event_json).collect(),
        state_root: hex::encode(sandbox.state_root()),
        debug: r.debug.clone(),
    }
}

/// Deploys `code` in a fresh sandbox on `engine` and calls it once.
pub fn exec_on(engine: EngineKind, code: &[u8], input: &[u8], gas: u64) -> Report {
    let mut sandbox = Sandbox::new(engine);
    let account = Sandbox::account("exec");
    let deployed = sandbox.deploy_with(account, code, &[], b"exec", gas);
    let Some(contract) = deployed.contract.filter(|_| deployed.outcome.is_success()) else {
        return report(engine, "deploy", &deployed, &sandbox);
    };
    let called = sandbox.call_with_gas(account, contract, input, gas);
    report(engine, "call", &called, &sandbox)
}

/// Reads a module: binary as is, text through the `wat` parser. Text that does not parse is
/// passed on as raw bytes, for the runtime to refuse with a typed error.
fn load_module(bytes: Vec<u8>) -> Vec<u8> {
    if bytes.starts_with(b"\0asm") {
        return bytes;
    }
    match wat::parse_bytes(&bytes) {
        Ok(binary) => binary.into_owned(),
        Err(_) => bytes,
    }
}

/// Runs `carechain exec`; returns the exit code.
pub fn run(args: &ExecArgs) -> u8 {
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", args.file.display());
            return exit::USAGE;
        }
    };
    let input_hex = args.input.strip_prefix("0x").unwrap_or(&args.input);
    let input = match hex::decode(input_hex) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: --input is not hex: {e}");
            return exit::USAGE;
        }
    };
    let code = load_module(bytes);
    let engines = args.engine.engines();
    let reports: Vec<Report> = engines
        .iter()
        .map(|e| exec_on(*e, &code, &input, args.gas))
        .collect();
    for r in &reports {
        match serde_json::to_string(r) {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("error: cannot encode the report: {e}");
                return exit::USAGE;
            }
        }
    }
    let agree = reports.windows(2).all(|w| {
        let (a, b) = (&w[0], &w[1]);
        (
            a.stage,
            &a.outcome,
            &a.return_data,
            a.gas_used,
            &a.events,
            &a.state_root,
            &a.debug,
        ) == (
            b.stage,
            &b.outcome,
            &b.return_data,
            b.gas_used,
            &b.events,
            &b.state_root,
            &b.debug,
        )
    });
    if !agree {
        eprintln!("error: the engines disagree");
        return exit::ENGINES_DISAGREE;
    }
    exit::OK
}
