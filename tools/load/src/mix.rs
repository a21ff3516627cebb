//! What is sent: the mix of calls per mode, and the transactions pre-signed from it.

use std::time::{Duration, Instant};

use carechain_client::{Book, Client, substitute_time};
use carechain_metadata::ContractMetadata;
use carechain_primitives::tx::{Action, PublicKey, SignedTx, TxPayload};
use carechain_runtime::{Address, CodeHash};
use ed25519_dalek::SigningKey;
use serde_json::{Value, json};

use crate::{LoadArgs, Mode};

/// One sender's call, its arguments a template (`{n}`: the transaction's number; `"${now}"`
/// placeholders: the time of signing).
pub(crate) struct Template {
    /// The key that sends it.
    sender: String,
    /// The contract called.
    contract: Address,
    /// The contract's metadata, to encode the call.
    metadata: ContractMetadata,
    /// The message.
    message: String,
    /// The arguments' template.
    args: Value,
    /// Its share of the mix.
    weight: u32,
}

impl Template {
    fn new(
        sender: &str,
        contract: Address,
        metadata: &ContractMetadata,
        message: &str,
        args: Value,
        weight: u32,
    ) -> Self {
        Template {
            sender: sender.to_string(),
            contract,
            metadata: metadata.clone(),
            message: message.to_string(),
            args,
            weight,
        }
    }
}

/// A transaction to send, pre-signed, and which connection sends it.
pub(crate) struct Job {
    /// The transaction.
    pub(crate) tx: SignedTx,
    /// Its hash, hex.
    pub(crate) hash: String,
    /// The connection that sends it.
    pub(crate) lane: usize,
}

/// The mix of `mode`: `trivial` deploys a counter first and has every key increment it;
/// `healthcare` calls the contracts the demo story deployed.
///
/// # Errors
/// If a key or contract is missing, or the counter's deploy fails.
pub(crate) fn templates(client: &Client, book: &Book, mode: Mode) -> anyhow::Result<Vec<Template>> {
    match mode {
        Mode::Trivial => {
            let (address, metadata) = deploy_counter(client, book)?;
            Ok(book
                .key_names()
                .into_iter()
                .map(|k| Template::new(&k, address, &metadata, "increment", json!({"by": 1}), 1))
                .collect())
        }
        Mode::Healthcare => {
            let consent = book.contract("consent")?;
            let drug = book.contract("drug-trace")?;
            let claims = book.contract("claims")?;
            let (mc, md, ml) = (
                client.metadata(&consent)?,
                client.metadata(&drug)?,
                client.metadata(&claims)?,
            );
            let subject = "0x2f5c08a279906f49e32e00f4c97d03e482c1fa438504fe5efd4f4d3b43716cd2";
            let access = |class: &str| json!({"subject": subject, "purpose": "TREAT", "data_class": class, "action": "Access"});
            Ok(vec![
                Template::new(
                    "dr-okafor",
                    consent,
                    &mc,
                    "check_access",
                    access("Transfusion"),
                    2,
                ),
                Template::new(
                    "pharmacist-lee",
                    consent,
                    &mc,
                    "check_access",
                    access("MedicationDispense"),
                    2,
                ),
                Template::new(
                    "northwind-pharma",
                    drug,
                    &md,
                    "commission",
                    json!({"items": [{"gtin": "00312345123451", "serial": "LD{n}", "lot": "NW2611A", "expiry": "301231"}], "event_time": null}),
                    3,
                ),
                Template::new(
                    "billing-office",
                    claims,
                    &ml,
                    "submit_claim",
                    json!({"claim": {"claim_id": "LOAD-{n}", "payer": "acme-health-insurance", "coverage_id": "COV-7F3A91",
                    "subject": subject, "service_date": "${now-3600}", "frequency": "Original",
                    "lines": [{"no": 1, "proc_code": "99213", "units": 1, "charge": 15000, "prior_auth": null}],
                    "doc_hash": "0xed122759dca565ca8d8f1214eac7064988e1c629cbfe8cb0fb25eba79f034172"}}),
                    3,
                ),
            ])
        }
    }
}

/// Deploys a fresh counter (salted by this process) from the hospital's key.
fn deploy_counter(client: &Client, book: &Book) -> anyhow::Result<(Address, ContractMetadata)> {
    let deployer = book.key("st-mary-hospital")?;
    let code = carechain_contracts::wasm("counter")
        .ok_or_else(|| anyhow::anyhow!("the counter contract is not bundled"))?;
    let salt = format!("load-{}", std::process::id()).into_bytes();
    let address = carechain_runtime::contract_address(
        &PublicKey(deployer.verifying_key().to_bytes()).address(),
        &CodeHash(carechain_primitives::hash::blake2b_256(code)),
        &salt,
    );
    let mut input = carechain_metadata::selector("new").to_vec();
    input.extend(0u64.to_le_bytes());
    let action = Action::Deploy {
        code: code.to_vec(),
        input,
        salt,
    };
    let hash = client.send(&deployer, action, 1_000_000_000)?;
    let deployed = client.wait(hash, Duration::from_secs(60))?;
    anyhow::ensure!(
        deployed.succeeded(),
        "deploying the counter failed: {}",
        serde_json::to_string(&deployed)?
    );
    Ok((address, client.metadata(&address)?))
}

/// Pre-signs `args.count` transactions: senders in proportion to their weights, consecutive
/// nonces per sender (from the node's next nonce), each sender on one connection.
///
/// # Errors
/// If a key is missing, an argument does not encode, or the node cannot be asked for nonces.
pub(crate) fn sign(
    client: &Client,
    book: &Book,
    templates: &[Template],
    chain_id: &str,
    args: &LoadArgs,
) -> anyhow::Result<Vec<Job>> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut senders: Vec<(SigningKey, u64)> = Vec::new();
    for template in templates {
        let key = book.key(&template.sender)?;
        let nonce = client.next_nonce(&PublicKey(key.verifying_key().to_bytes()))?;
        senders.push((key, nonce));
    }
    let schedule: Vec<usize> = templates
        .iter()
        .enumerate()
        .flat_map(|(i, t)| std::iter::repeat_n(i, t.weight as usize))
        .collect();
    anyhow::ensure!(!schedule.is_empty(), "the mix has no senders");
    let lanes = args.connections.max(1);
    let signing = Instant::now();
    let mut jobs = Vec::with_capacity(args.count);
    let resolve = |name: &str| book.address(name).map(|a| a.0);
    for n in 0..args.count {
        let i = schedule[n % schedule.len()];
        let template = &templates[i];
        let filled: Value =
            serde_json::from_str(&template.args.to_string().replace("{n}", &n.to_string()))?;
        let filled = substitute_time(&filled, now);
        let meta = &template.metadata;
        let message = meta
            .message(&template.message)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let input = meta
            .encode_call(message, &filled, &resolve)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let (key, nonce) = &mut senders[i];
        let tx = TxPayload {
            chain_id: chain_id.to_string(),
            sender: PublicKey(key.verifying_key().to_bytes()),
            nonce: *nonce,
            gas_limit: args.gas,
            action: Action::Call {
                contract: template.contract,
                input,
            },
        }
        .sign(key);
        *nonce += 1;
        jobs.push(Job {
            hash: hex::encode(tx.hash().0),
            tx,
            lane: i % lanes,
        });
    }
    eprintln!(
        "signed {} transactions from {} senders in {:.2} s; sending on {} connections",
        jobs.len(),
        templates.len(),
        signing.elapsed().as_secs_f64(),
        lanes
    );
    Ok(jobs)
}
