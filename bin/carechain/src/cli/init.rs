//! `carechain init --dir DIR`: a genesis and keys for a demo consortium.

use std::fs;
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use super::exit;
use carechain_primitives::genesis::{Genesis, Member, OrgKindName, Organisation, RoleName};
use carechain_primitives::tx::{PublicKey, generate_key};

/// The demo consortium: one organisation of each kind. Each runs a node whose key is a
/// validator, deployer and member.
pub const DEMO_ORGANISATIONS: [(&str, OrgKindName); 8] = [
    ("st-mary-hospital", OrgKindName::Hospital),
    ("acme-health-insurance", OrgKindName::Insurer),
    ("main-street-pharmacy", OrgKindName::Pharmacy),
    ("regional-blood-bank", OrgKindName::BloodBank),
    ("city-lab", OrgKindName::Lab),
    ("health-regulator", OrgKindName::Regulator),
    ("northwind-pharma", OrgKindName::Manufacturer),
    ("central-wholesale", OrgKindName::Wholesaler),
];

/// The demo consortium's people and systems: member keys (they may send transactions, not
/// deploy or validate), as (key name, organisation). Their on-chain identities are pseudonymous
/// account addresses; the healthcare contracts give them their healthcare roles.
pub const DEMO_PERSONAS: [(&str, &str); 5] = [
    ("dr-okafor", "st-mary-hospital"),
    ("transfusion-service", "st-mary-hospital"),
    ("billing-office", "st-mary-hospital"),
    ("patient-p1", "st-mary-hospital"),
    ("pharmacist-lee", "main-street-pharmacy"),
];

/// Arguments of `carechain init`.
#[derive(Args, Debug)]
pub struct InitArgs {
    /// Directory to create the chain in (genesis.toml, node.toml, keys/).
    #[arg(long, default_value = "carechain-dev")]
    pub dir: PathBuf,
    /// The chain id.
    #[arg(long, default_value = "carechain-dev")]
    pub chain_id: String,
    /// Genesis time, Unix seconds (default: 2026-01-01T00:00:00Z).
    #[arg(long, default_value_t = 1_767_225_600)]
    pub genesis_time: u64,
    /// Overwrite an existing chain directory's files.
    #[arg(long)]
    pub force: bool,
    /// How many organisations' node keys are validators (the first ones listed); dev mode runs
    /// one validator whatever this says, network mode needs every validator running.
    #[arg(long, default_value_t = DEMO_ORGANISATIONS.len())]
    pub validators: usize,
}

/// Runs the command; returns the exit code.
pub fn run(args: &InitArgs) -> u8 {
    match init(args) {
        Ok(summary) => {
            println!("{summary}");
            exit::OK
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::USAGE
        }
    }
}

/// Creates the chain directory `args.dir`; returns the JSON summary `init` prints.
///
/// # Errors
/// If the directory has a chain (without `force`), cannot be written, or `validators` is not
/// between 1 and the number of organisations.
pub fn init(args: &InitArgs) -> anyhow::Result<serde_json::Value> {
    use anyhow::Context;
    if args.validators == 0 || args.validators > DEMO_ORGANISATIONS.len() {
        anyhow::bail!(
            "--validators must be between 1 and {}",
            DEMO_ORGANISATIONS.len()
        );
    }
    let genesis_path = args.dir.join("genesis.toml");
    if genesis_path.exists() && !args.force {
        anyhow::bail!(
            "{} exists; use --force to overwrite (this discards the chain's keys)",
            genesis_path.display()
        );
    }
    let keys_dir = args.dir.join("keys");
    fs::create_dir_all(&keys_dir).with_context(|| format!("creating {}", keys_dir.display()))?;
    let mut organisations = Vec::new();
    let mut keys = Vec::new();
    for (index, (id, kind)) in DEMO_ORGANISATIONS.into_iter().enumerate() {
        let key = generate_key().map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
        let public = PublicKey(key.verifying_key().to_bytes());
        let file = keys_dir.join(format!("{id}.key"));
        write_secret(&file, &hex::encode(key.to_bytes()))?;
        let mut members = vec![Member {
            name: format!("{id}-node"),
            public_key: public.to_hex(),
            roles: if index < args.validators {
                vec![RoleName::Validator, RoleName::Deployer, RoleName::Member]
            } else {
                vec![RoleName::Deployer, RoleName::Member]
            },
        }];
        keys.push(
            json!({"name": id, "organisation": id, "key_file": file, "public_key": public.to_hex(),
                         "address": hex::encode(public.address().0)}),
        );
        for (persona, org) in DEMO_PERSONAS.iter().filter(|(_, org)| *org == id) {
            let key = generate_key().map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
            let public = PublicKey(key.verifying_key().to_bytes());
            let file = keys_dir.join(format!("{persona}.key"));
            write_secret(&file, &hex::encode(key.to_bytes()))?;
            members.push(Member {
                name: (*persona).to_string(),
                public_key: public.to_hex(),
                roles: vec![RoleName::Member],
            });
            keys.push(
                json!({"name": persona, "organisation": org, "key_file": file,
                "public_key": public.to_hex(), "address": hex::encode(public.address().0)}),
            );
        }
        organisations.push(Organisation {
            id: id.into(),
            kind,
            members,
        });
    }
    let genesis = Genesis {
        chain_id: args.chain_id.clone(),
        genesis_time: args.genesis_time,
        block_gas_limit: carechain_primitives::genesis::DEFAULT_BLOCK_GAS_LIMIT,
        max_tx_bytes: carechain_primitives::genesis::DEFAULT_MAX_TX_BYTES,
        organisations,
    };
    genesis.validate()?;
    fs::write(&genesis_path, genesis.to_toml())
        .with_context(|| format!("writing {}", genesis_path.display()))?;
    let node_toml = format!(
        "# The dev node's settings (carechain run).\n\
         data_dir = \"data\"\n\
         engine = \"wasmtime\"\n\
         block_interval_ms = 100\n\
         validator_key = \"keys/{}.key\"\n\
         rpc_addr = \"127.0.0.1:9944\"\n\
         metrics_addr = \"127.0.0.1:9615\"\n\
         state_history = 256  # heights whose state can be proven; \"archive\" keeps all\n",
        DEMO_ORGANISATIONS[0].0
    );
    let node_path = args.dir.join("node.toml");
    fs::write(&node_path, node_toml).with_context(|| format!("writing {}", node_path.display()))?;
    eprintln!(
        "initialised chain `{}` in {}: {} organisations, keys in {}",
        genesis.chain_id,
        args.dir.display(),
        genesis.organisations.len(),
        keys_dir.display()
    );
    Ok(
        json!({"chain_id": genesis.chain_id, "genesis": genesis_path, "node_config": node_path, "keys": keys}),
    )
}

/// Writes a secret key file readable by its owner only.
pub(crate) fn write_secret(path: &Path, hex_secret: &str) -> anyhow::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options
        .open(path)
        .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    file.write_all(hex_secret.as_bytes())?;
    Ok(())
}
