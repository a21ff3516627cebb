//! `carechain replay --dir DIR`: re-executes every block of a (stopped) node from genesis in a
//! fresh store and checks that each header — state root included — comes out the same.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::exec::EngineChoice;
use super::exit;
use crate::config::ChainDir;
use carechain_chain::Chain;

/// Arguments of `carechain replay`.
#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// The chain directory (genesis.toml, node.toml, data).
    #[arg(long, default_value = "carechain-dev")]
    pub dir: PathBuf,
    /// Engine(s) to replay on; `both` replays twice.
    #[arg(long, value_enum, default_value = "wasmtime")]
    pub engine: EngineChoice,
}

/// Runs the command; returns the exit code.
pub fn run(args: &ReplayArgs) -> u8 {
    match replay(args) {
        Ok(true) => exit::OK,
        Ok(false) => exit::REPLAY_MISMATCH,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::USAGE
        }
    }
}

fn replay(args: &ReplayArgs) -> anyhow::Result<bool> {
    let chain_dir = ChainDir::load(&args.dir)?;
    let live = Chain::open(
        &chain_dir.data_dir(),
        chain_dir.genesis.clone(),
        chain_dir.config.engine.into(),
    )?;
    let head = live.head()?;
    let engines = args.engine.engines();
    let mut all_ok = true;
    for &engine in engines {
        let scratch = tempfile::tempdir()?;
        let fresh = Chain::open(scratch.path(), chain_dir.genesis.clone(), engine)?;
        let mut mismatch = None;
        for height in 1..=head.height {
            let block = live
                .store()
                .block(height)?
                .ok_or_else(|| anyhow::anyhow!("block {height} missing"))?;
            if let Err(e) = fresh.apply_block(&block) {
                mismatch = Some(e.to_string());
                break;
            }
        }
        let replayed = fresh.head()?;
        let ok = mismatch.is_none() && replayed == head;
        all_ok &= ok;
        println!(
            "{}",
            json!({
                "engine": engine.name(),
                "height": head.height,
                "state_root": hex::encode(head.state_root),
                "replayed_height": replayed.height,
                "replayed_state_root": hex::encode(replayed.state_root),
                "ok": ok,
                "error": mismatch,
            })
        );
    }
    Ok(all_ok)
}
