//! `carechain load`: the load generator of `carechain-load`, with `--setup` walking the demo
//! story first (built into the binary, so it runs from any directory).

use std::path::Path;

use carechain_load::{LoadArgs, Mode};
use carechain_scenario::live::NodeBackend;

use super::exit;
use super::scenario::bundled;

/// The demo story (`scenarios/demo/story.json`): it deploys the contracts the healthcare mix
/// calls.
const DEMO_STORY: &str = include_str!("../../../../scenarios/demo/story.json");

/// Runs the command; returns the exit code.
pub fn run(args: &LoadArgs) -> u8 {
    let result = carechain_load::check_target(args)
        .and_then(|()| setup(args))
        .and_then(|()| carechain_load::load_json(args));
    match result {
        Ok(report) => {
            println!("{report}");
            exit::OK
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::USAGE
        }
    }
}

/// `--setup` in healthcare mode: the demo story against the node.
fn setup(args: &LoadArgs) -> anyhow::Result<()> {
    if !args.setup || args.mode != Mode::Healthcare {
        return Ok(());
    }
    let story: carechain_scenario::Scenario = serde_json::from_str(DEMO_STORY)?;
    let mut backend = NodeBackend::new(&args.rpc, &args.dir)?;
    let report = carechain_scenario::run_on(&story, Path::new("."), "node", &mut backend, &bundled);
    if !report.passed {
        anyhow::bail!("the demo story did not pass; is this a fresh chain?");
    }
    Ok(())
}
