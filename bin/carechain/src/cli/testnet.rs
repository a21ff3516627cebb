//! `carechain testnet --dir DIR`: a local consortium network of validators on loopback ports.
//!
//! The first time, it creates `DIR` as `carechain init --validators N` does (one genesis, the
//! demo organisations' keys, the first N node keys being validators) and one chain directory
//! per validator, `DIR/v0` .. `DIR/v{N-1}`: the same genesis, keys and TLS certificates, a
//! `node.toml` naming its own validator key, RPC port `rpc_port + i` served over TLS with its
//! organisation's certificate (`[rpc_tls]`; `--no-rpc-tls` for plaintext), metrics port
//! `metrics_port + i` and, under `[network]`, p2p port `p2p_port + i` and every validator's key
//! and address. Then (unless
//! `--no-start`) it starts one `carechain run` process per validator, prints where each one's
//! RPC listens, and on Ctrl-C or SIGTERM stops them all. Run again, it starts the same network
//! where it stopped. Any client command works against a validator with `--dir DIR/v{i}`.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use clap::Args;
use serde_json::json;

use super::exit;
use super::init::{DEMO_ORGANISATIONS, InitArgs, init};
use carechain_primitives::genesis::Genesis;

/// Arguments of `carechain testnet`.
#[derive(Args, Debug)]
pub struct TestnetArgs {
    /// Directory of the network (created on first use).
    #[arg(long, default_value = "carechain-testnet")]
    pub dir: PathBuf,
    /// Number of validators (one per organisation), at least 4 to tolerate one fault.
    #[arg(long, default_value_t = 4)]
    pub validators: usize,
    /// The chain id (first use only).
    #[arg(long, default_value = "carechain-testnet")]
    pub chain_id: String,
    /// First p2p port (validator i listens on this + i).
    #[arg(long, default_value_t = 30_300)]
    pub p2p_port: u16,
    /// First JSON-RPC port.
    #[arg(long, default_value_t = 9_944)]
    pub rpc_port: u16,
    /// First metrics port.
    #[arg(long, default_value_t = 9_615)]
    pub metrics_port: u16,
    /// Execution engine of odd validators (even ones run wasmtime): mixing engines checks
    /// determinism across them on every block.
    #[arg(long, value_enum, default_value = "wasmi")]
    pub odd_engine: super::run::EngineArg,
    /// Only create the directories; start nothing.
    #[arg(long)]
    pub no_start: bool,
    /// Serve the RPC ports in plaintext (first use only): by default each validator serves
    /// HTTPS and WSS with its organisation's self-signed certificate, which clients of its
    /// directory pin.
    #[arg(long)]
    pub no_rpc_tls: bool,
}

/// Runs the command; returns the exit code.
pub fn run(args: &TestnetArgs) -> u8 {
    let result = create(args).and_then(|dirs| {
        if args.no_start {
            println!(
                "{}",
                json!({"event": "created", "validators": dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>()})
            );
            Ok(())
        } else {
            start(&dirs)
        }
    });
    match result {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::USAGE
        }
    }
}

/// Creates the network's directories unless they exist; returns the validators' chain
/// directories.
///
/// # Errors
/// If a directory cannot be written or the arguments are out of range.
pub fn create(args: &TestnetArgs) -> anyhow::Result<Vec<PathBuf>> {
    use anyhow::Context;
    let n = args.validators;
    if !(1..=DEMO_ORGANISATIONS.len()).contains(&n) {
        anyhow::bail!(
            "--validators must be between 1 and {}",
            DEMO_ORGANISATIONS.len()
        );
    }
    let dirs: Vec<PathBuf> = (0..n).map(|i| args.dir.join(format!("v{i}"))).collect();
    if args.dir.join("genesis.toml").exists() {
        let text = fs::read_to_string(args.dir.join("genesis.toml"))?;
        let genesis = Genesis::from_toml(&text)?;
        let existing = genesis.validators().len();
        if existing != n || dirs.iter().any(|d| !d.join("node.toml").exists()) {
            anyhow::bail!(
                "{} holds a network of {existing} validators; use another --dir or delete it",
                args.dir.display()
            );
        }
        return Ok(dirs);
    }
    init(&InitArgs {
        dir: args.dir.clone(),
        chain_id: args.chain_id.clone(),
        genesis_time: 1_767_225_600,
        force: false,
        validators: n,
        rpc_tls: false,
        tls_hosts: Vec::new(),
    })?;
    let genesis_text = fs::read_to_string(args.dir.join("genesis.toml"))?;
    let genesis = Genesis::from_toml(&genesis_text)?;
    let validators = genesis.validators();
    let port = |base: u16, i: usize| -> anyhow::Result<u16> {
        base.checked_add(i as u16)
            .ok_or_else(|| anyhow::anyhow!("port {base} + {i} is out of range"))
    };
    let mut peers = String::new();
    for (i, key) in validators.iter().enumerate() {
        peers.push_str(&format!(
            "\n[[network.peers]]\nkey = \"{}\"\naddr = \"127.0.0.1:{}\"\n",
            key.to_hex(),
            port(args.p2p_port, i)?
        ));
    }
    for (i, dir) in dirs.iter().enumerate() {
        fs::create_dir_all(dir.join("keys"))
            .with_context(|| format!("creating {}", dir.display()))?;
        fs::write(dir.join("genesis.toml"), &genesis_text)?;
        // Every validator's certificate, so a client of any directory can pin any node's.
        for sub in ["keys", "tls"] {
            fs::create_dir_all(dir.join(sub))?;
            for entry in fs::read_dir(args.dir.join(sub))? {
                let entry = entry?;
                let target = dir.join(sub).join(entry.file_name());
                fs::copy(entry.path(), &target)?;
            }
        }
        let engine = if i % 2 == 0 {
            "wasmtime"
        } else {
            match args.odd_engine {
                super::run::EngineArg::Wasmtime => "wasmtime",
                super::run::EngineArg::Wasmi => "wasmi",
            }
        };
        let tls = if args.no_rpc_tls { "# " } else { "" };
        let node_toml = format!(
            "# Validator {i} of the local testnet (carechain testnet).\n\
             data_dir = \"data\"\n\
             engine = \"{engine}\"\n\
             validator_key = \"keys/{org}.key\"\n\
             rpc_addr = \"127.0.0.1:{rpc}\"\n\
             metrics_addr = \"127.0.0.1:{metrics}\"\n\
             state_history = 256\n\
             \n\
             # TLS on the RPC port; clients of this directory pin `cert`.\n\
             {tls}[rpc_tls]\n\
             {tls}cert = \"tls/{org}.crt\"\n\
             {tls}key = \"tls/{org}.key\"\n\
             \n\
             [network]\n\
             listen = \"127.0.0.1:{p2p}\"\n\
             consensus_dir = \"consensus\"\n\
             leader_timeout_ms = 2000\n\
             empty_block_interval_ms = 500\n{peers}",
            org = DEMO_ORGANISATIONS[i].0,
            rpc = port(args.rpc_port, i)?,
            metrics = port(args.metrics_port, i)?,
            p2p = port(args.p2p_port, i)?,
        );
        fs::write(dir.join("node.toml"), node_toml)?;
    }
    eprintln!(
        "created a network of {n} validators in {}",
        args.dir.display()
    );
    Ok(dirs)
}

/// Starts one `carechain run` per validator directory; stops them on Ctrl-C or SIGTERM.
fn start(dirs: &[PathBuf]) -> anyhow::Result<()> {
    let exe = std::env::current_exe()?;
    let mut children: Vec<Child> = Vec::new();
    let mut started = Vec::new();
    for dir in dirs {
        match spawn(&exe, dir) {
            Ok((child, line)) => {
                children.push(child);
                started.push(line);
            }
            Err(e) => {
                stop(&mut children);
                return Err(e);
            }
        }
    }
    println!("{}", json!({"event": "started", "validators": started}));
    for (dir, line) in dirs.iter().zip(&started) {
        eprintln!(
            "  {}: rpc {}  (e.g. carechain status --dir {})",
            dir.display(),
            line["http"].as_str().unwrap_or("?"),
            dir.display()
        );
    }
    eprintln!("Ctrl-C stops the network; logs are in each directory's node.log");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(super::lifecycle::shutdown_signal());
    stop(&mut children);
    Ok(())
}

fn spawn(exe: &Path, dir: &Path) -> anyhow::Result<(Child, serde_json::Value)> {
    let log = fs::File::create(dir.join("node.log"))?;
    let mut child = Command::new(exe)
        .args(["run", "--dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()?;
    let stdout = child.stdout.take().expect("piped");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    match serde_json::from_str::<serde_json::Value>(&line) {
        Ok(v) if v["event"] == "started" => Ok((child, v)),
        _ => {
            let _ = child.kill();
            anyhow::bail!(
                "validator in {} did not start; see {}",
                dir.display(),
                dir.join("node.log").display()
            )
        }
    }
}

fn stop(children: &mut [Child]) {
    for child in children.iter() {
        #[cfg(unix)]
        {
            // SIGTERM: each validator stops its RPC and exits.
            let _ = Command::new("kill").arg(child.id().to_string()).status();
        }
    }
    for child in children.iter_mut() {
        let _ = child.wait();
    }
}
