//! `carechain scenario FILE... [--engine wasmtime|wasmi|both]`.

use std::path::{Path, PathBuf};

use clap::Args;

use super::exec::EngineChoice;
use super::exit;
use carechain_scenario::{self as scenario, ScenarioReport};

/// Arguments of `carechain scenario`.
#[derive(Args, Debug)]
pub struct ScenarioArgs {
    /// Scenario files (JSON; format: docs/scenario.schema.json).
    #[arg(required_unless_present = "schema")]
    pub files: Vec<PathBuf>,
    /// Engine to run on; `both` also checks that the engines agree step by step.
    #[arg(long, value_enum, default_value = "both")]
    pub engine: EngineChoice,
    /// Print the JSON Schema of scenario files and exit.
    #[arg(long)]
    pub schema: bool,
    /// Run against a live node at this JSON-RPC address instead of the in-memory sandbox:
    /// accounts are the keys of `--dir`, deploys and calls are signed transactions.
    #[arg(long)]
    pub node: Option<String>,
    /// With --node: the chain directory (keys/, contracts.json).
    #[arg(long, default_value = "carechain-dev")]
    pub dir: PathBuf,
    /// Print each step's note as narrative (the demo does).
    #[arg(long)]
    pub narrate: bool,
}

/// A contract of `contracts/` by name.
pub(crate) fn bundled(name: &str) -> Option<Vec<u8>> {
    carechain_contracts::wasm(name).map(<[u8]>::to_vec)
}

/// Loads the scenario `file` and runs it on a live node's `backend`; contracts by name come from
/// `contracts/`, paths are relative to the file.
///
/// # Errors
/// [`scenario::ScenarioError`] if the file cannot be read or is not a scenario.
fn run_file_live(
    file: &Path,
    backend: &mut scenario::live::NodeBackend,
) -> Result<ScenarioReport, scenario::ScenarioError> {
    let parsed = scenario::load(file)?;
    let base = file.parent().unwrap_or(Path::new("."));
    Ok(scenario::run_on(&parsed, base, "node", backend, &bundled))
}

/// Runs the command; returns the exit code.
pub fn run(args: &ScenarioArgs) -> u8 {
    if args.schema {
        println!(
            "{}",
            serde_json::to_string_pretty(&scenario::schema()).expect("schema serialises")
        );
        return exit::OK;
    }
    if let Some(url) = &args.node {
        return run_live(args, url);
    }
    let engines = args.engine.engines();
    let mut failed = false;
    let mut disagree = false;
    for file in &args.files {
        let parsed = match scenario::load(file) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::USAGE;
            }
        };
        let base = file.parent().unwrap_or(Path::new("."));
        let reports: Vec<ScenarioReport> = engines
            .iter()
            .map(|engine| scenario::run_scenario(&parsed, base, *engine, &bundled))
            .collect();
        print_human(file, &reports[0], args.narrate);
        for r in &reports {
            println!("{}", serde_json::to_string(r).expect("report serialises"));
            failed |= !r.passed;
        }
        if let [a, b] = reports.as_slice()
            && let Some(diff) = first_difference(a, b)
        {
            eprintln!("ENGINES DISAGREE in {}: {diff}", file.display());
            disagree = true;
        }
    }
    if disagree {
        exit::ENGINES_DISAGREE
    } else if failed {
        exit::EXPECTATION_FAILED
    } else {
        exit::OK
    }
}

/// `--node`: each file against the live node, one after the other.
fn run_live(args: &ScenarioArgs, url: &str) -> u8 {
    let mut backend = match scenario::live::NodeBackend::new(url, &args.dir) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e:#}");
            return exit::USAGE;
        }
    };
    let mut failed = false;
    for file in &args.files {
        let report = match run_file_live(file, &mut backend) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::USAGE;
            }
        };
        print_human(file, &report, args.narrate);
        println!(
            "{}",
            serde_json::to_string(&report).expect("report serialises")
        );
        failed |= !report.passed;
    }
    if failed {
        exit::EXPECTATION_FAILED
    } else {
        exit::OK
    }
}

fn print_human(file: &Path, report: &ScenarioReport, narrate: bool) {
    eprintln!("{}: {}", file.display(), report.name);
    for s in &report.steps {
        if narrate && let Some(note) = &s.note {
            eprintln!("\n  {note}");
        }
        let mark = if s.failures.is_empty() {
            "ok  "
        } else {
            "FAIL"
        };
        let gas = if s.gas_used > 0 {
            format!(", gas {}", s.gas_used)
        } else {
            String::new()
        };
        eprintln!("  {mark} {:>3} {}: {}{gas}", s.index, s.step, s.outcome);
        for f in &s.failures {
            eprintln!("           - {f}");
        }
    }
    let failed = report
        .steps
        .iter()
        .filter(|s| !s.failures.is_empty())
        .count();
    if failed == 0 {
        eprintln!("  passed: {} steps", report.steps.len());
    } else {
        eprintln!("  FAILED: {failed} of {} steps", report.steps.len());
    }
}

/// The first step where two engines' reports differ, in words.
fn first_difference(a: &ScenarioReport, b: &ScenarioReport) -> Option<String> {
    for (x, y) in a.steps.iter().zip(&b.steps) {
        if x != y {
            return Some(format!(
                "step {} ({}): {} gas {} vs {} gas {}",
                x.index, x.step, x.outcome, x.gas_used, y.outcome, y.gas_used
            ));
        }
    }
    (a.state_root != b.state_root).then(|| {
        format!(
            "final state root {} ({}) vs {} ({})",
            a.state_root, a.engine, b.state_root, b.engine
        )
    })
}
