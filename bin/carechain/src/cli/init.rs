//! `carechain init --dir DIR`: a genesis and keys for a demo consortium, and a self-signed TLS
//! certificate for each organisation's node (`tls/ORG.crt`, its key `tls/ORG.key`), which the
//! node serves on its RPC port when `[rpc_tls]` names it and clients of the directory pin.

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
    /// Serve the RPC port over TLS: node.toml gets an `[rpc_tls]` section naming the first
    /// organisation's certificate (without it, the section is written commented out and the
    /// node serves plaintext, on loopback only).
    #[arg(long)]
    pub rpc_tls: bool,
    /// Another name or IP address the nodes' certificates are valid for, besides `localhost`,
    /// `127.0.0.1` and `::1` (the host clients will put in `https://HOST:PORT`); repeatable.
    #[arg(long = "tls-host", value_name = "HOST")]
    pub tls_hosts: Vec<String>,
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
    let tls_dir = args.dir.join("tls");
    fs::create_dir_all(&tls_dir).with_context(|| format!("creating {}", tls_dir.display()))?;
    let mut organisations = Vec::new();
    let mut keys = Vec::new();
    for (index, (id, kind)) in DEMO_ORGANISATIONS.into_iter().enumerate() {
        let key = generate_key().map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
        let public = PublicKey(key.verifying_key().to_bytes());
        let file = keys_dir.join(format!("{id}.key"));
        write_secret(&file, &hex::encode(key.to_bytes()))?;
        let certificate = write_certificate(&tls_dir, id, &args.tls_hosts)?;
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
                         "address": hex::encode(public.address().0), "tls_cert": certificate}),
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
    let org = DEMO_ORGANISATIONS[0].0;
    let tls = if args.rpc_tls { "" } else { "# " };
    let node_toml = format!(
        "# The dev node's settings (carechain run).\n\
         data_dir = \"data\"\n\
         engine = \"wasmtime\"\n\
         block_interval_ms = 100\n\
         validator_key = \"keys/{org}.key\"\n\
         rpc_addr = \"127.0.0.1:9944\"\n\
         metrics_addr = \"127.0.0.1:9615\"\n\
         state_history = 256  # heights whose state can be proven; \"archive\" keeps all\n\
         \n\
         # TLS on the RPC port (https:// and wss:// only), required when rpc_addr is not loopback.\n\
         # Clients of this directory trust `ca` if given, else pin `cert` (docs/SECURITY.md).\n\
         {tls}[rpc_tls]\n\
         {tls}cert = \"tls/{org}.crt\"\n\
         {tls}key = \"tls/{org}.key\"\n",
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

/// Writes a self-signed certificate for organisation `org`'s node, valid for `localhost`,
/// `127.0.0.1`, `::1` and `hosts`, as `tls_dir/ORG.crt` (PEM) with its private key
/// `tls_dir/ORG.key` (PEM, PKCS#8, owner-only); returns the certificate's path.
///
/// The certificate is an end-entity certificate (not a CA) for TLS servers, valid from the
/// start of the current year for five years; clients pin it as their only trust anchor.
///
/// # Errors
/// If a host is not a DNS name or IP address, or a file cannot be written.
pub fn write_certificate(tls_dir: &Path, org: &str, hosts: &[String]) -> anyhow::Result<PathBuf> {
    use anyhow::Context;
    let mut names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    names.extend(hosts.iter().cloned());
    let mut params = rcgen::CertificateParams::new(names)
        .context("a --tls-host is neither a DNS name nor an IP address")?;
    params.distinguished_name.push(
        rcgen::DnType::CommonName,
        format!("{org} node (Carechain RPC)"),
    );
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, org);
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let year = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(2026, |d| 1970 + (d.as_secs() / 31_556_952) as i32);
    params.not_before = rcgen::date_time_ymd(year, 1, 1);
    params.not_after = rcgen::date_time_ymd(year + 5, 1, 1);
    let key = rcgen::KeyPair::generate().context("generating a TLS key")?;
    let certificate = params
        .self_signed(&key)
        .context("signing the TLS certificate")?;
    let cert_path = tls_dir.join(format!("{org}.crt"));
    fs::write(&cert_path, certificate.pem())
        .with_context(|| format!("writing {}", cert_path.display()))?;
    write_secret(&tls_dir.join(format!("{org}.key")), &key.serialize_pem())?;
    Ok(cert_path)
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
