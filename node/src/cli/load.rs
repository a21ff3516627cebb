//! `carechain load`: a load generator for a node on loopback. It pre-signs transactions from the
//! chain directory's member keys, submits them over JSON-RPC in batches, over HTTP or WebSocket
//! (at a target rate or as fast as they are accepted), follows the blocks that commit them, and
//! reports committed tx/s, submit-to-commit latency (p50/p95/p99), refusals by reason, and the
//! node's CPU and resident memory (from /proc, the node's pid given by `cc_status`).
//!
//! Modes: `trivial` (a counter contract's `increment`, from every key of the directory) and
//! `healthcare` (a mix on the contracts `scripts/demo` deploys: 40% consent checks, 30% drug
//! commissioning of new serials, 30% claim submissions; run the demo story first, e.g. with
//! `--setup`). It stops by itself: after `--count` transactions or `--duration` seconds.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use carechain_metadata::ContractMetadata;
use carechain_runtime::{Address, CodeHash};
use clap::Args;
use ed25519_dalek::SigningKey;
use serde_json::{Value, json};

use super::client::Book;
use super::exit;
use crate::client::Client;
use crate::scenario::substitute_time;
use crate::tx::{Action, PublicKey, SignedTx, TxPayload};

/// Load mixes.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `counter.increment(1)` from every key.
    Trivial,
    /// Consent checks, drug commissioning and claim submissions on the demo's contracts.
    Healthcare,
}

/// Arguments of `carechain load`.
#[derive(Args, Debug)]
pub struct LoadArgs {
    /// The node's JSON-RPC address (loopback only): `http://...` sends each batch as an HTTP
    /// request, `ws://...` over one WebSocket per connection.
    #[arg(long, default_value = "http://127.0.0.1:9944")]
    pub rpc: String,
    /// The chain directory (keys/, contracts.json).
    #[arg(long, default_value = "carechain-demo")]
    pub dir: PathBuf,
    /// The mix.
    #[arg(long, value_enum, default_value = "trivial")]
    pub mode: Mode,
    /// Transactions to send.
    #[arg(long, default_value_t = 20_000)]
    pub count: usize,
    /// Target rate, tx/s (0: as fast as the node accepts).
    #[arg(long, default_value_t = 0)]
    pub rate: u64,
    /// Stop after this many seconds whatever is left.
    #[arg(long, default_value_t = 120)]
    pub duration: u64,
    /// Transactions per JSON-RPC batch.
    #[arg(long, default_value_t = 500)]
    pub batch: usize,
    /// Submitting connections (threads).
    #[arg(long, default_value_t = 2)]
    pub connections: usize,
    /// Healthcare mode: first run scenarios/demo/story.json against the node to set up.
    #[arg(long)]
    pub setup: bool,
    /// Gas limit per transaction.
    #[arg(long, default_value_t = 20_000_000)]
    pub gas: u64,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Runs the command; returns the exit code.
pub fn run(args: &LoadArgs) -> u8 {
    match load(args) {
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

/// A transaction to send, pre-signed, and which connection sends it.
struct Job {
    tx: SignedTx,
    hash: String,
    lane: usize,
}

/// Per-process CPU time (user + system, seconds) and resident memory (KiB) from /proc.
fn proc_sample(pid: u64) -> Option<(f64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Fields after the command: state is [0]; utime [11], stime [12] in clock ticks.
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    // The kernel's USER_HZ is 100 on Linux.
    Some((ticks / 100.0, rss))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Whether `url` is `http://` or `ws://` to a loopback host (`127.0.0.1`, `localhost`, `[::1]`),
/// with an optional port and path and no user part (which could hide another host).
fn is_loopback(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("ws://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return false;
    }
    // The host, and what follows it: nothing, or `:` and the port.
    let (host, after) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some(split) => split,
            None => return false,
        },
        None => authority.split_at(authority.find(':').unwrap_or(authority.len())),
    };
    let port_ok = after.is_empty()
        || after
            .strip_prefix(':')
            .is_some_and(|port| !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()));
    port_ok && matches!(host, "127.0.0.1" | "localhost" | "::1")
}

fn load(args: &LoadArgs) -> anyhow::Result<Value> {
    if !is_loopback(&args.rpc) {
        anyhow::bail!(
            "carechain load only talks to loopback nodes, not `{}`",
            args.rpc
        );
    }
    let client = Client::new(&args.rpc)?;
    let status = client.status()?;
    let chain_id = status["chain_id"].as_str().unwrap_or_default().to_string();
    let pid = status["pid"].as_u64();
    let mut book = Book::load(&args.dir);

    if args.setup && args.mode == Mode::Healthcare {
        let mut backend = crate::scenario::live::NodeBackend::new(&args.rpc, &args.dir)?;
        let report = super::scenario::run_file_live(
            std::path::Path::new("scenarios/demo/story.json"),
            &mut backend,
        )?;
        if !report.passed {
            anyhow::bail!("the demo story did not pass; is this a fresh chain?");
        }
        book = Book::load(&args.dir);
    }

    // What each sender sends: (key name, contract, message, args template).
    let metadata = |address: Address| -> anyhow::Result<ContractMetadata> {
        Ok(serde_json::from_value(client.call(
            "cc_getMetadata",
            vec![json!(hex::encode(address.0))],
        )?)?)
    };
    let templates: Vec<(String, Address, ContractMetadata, String, Value, u32)> = match args.mode {
        Mode::Trivial => {
            let deployer = book.key("st-mary-hospital")?;
            let code = carechain_contracts::wasm("counter").expect("counter is bundled");
            let salt = format!("load-{}", std::process::id()).into_bytes();
            let address = carechain_runtime::contract_address(
                &PublicKey(deployer.verifying_key().to_bytes()).address(),
                &CodeHash(crate::hash::blake2b_256(code)),
                &salt,
            );
            let mut input = carechain_metadata::selector("new").to_vec();
            input.extend(0u64.to_le_bytes());
            let hash = client.send(
                &deployer,
                Action::Deploy {
                    code: code.to_vec(),
                    input,
                    salt,
                },
                1_000_000_000,
            )?;
            let deployed = client.wait(&hash, Duration::from_secs(60))?;
            anyhow::ensure!(
                deployed["receipt"]["status"] == "success",
                "deploying the counter failed: {deployed}"
            );
            let meta = metadata(address)?;
            let keys = book.key_names();
            keys.into_iter()
                .map(|k| {
                    (
                        k,
                        address,
                        meta.clone(),
                        "increment".to_string(),
                        json!({"by": 1}),
                        1,
                    )
                })
                .collect()
        }
        Mode::Healthcare => {
            let consent = book.contract("consent")?;
            let drug = book.contract("drug-trace")?;
            let claims = book.contract("claims")?;
            let (mc, md, ml) = (metadata(consent)?, metadata(drug)?, metadata(claims)?);
            let subject = "0x2f5c08a279906f49e32e00f4c97d03e482c1fa438504fe5efd4f4d3b43716cd2";
            vec![
                (
                    "dr-okafor".into(),
                    consent,
                    mc.clone(),
                    "check_access".into(),
                    json!({"subject": subject, "purpose": "TREAT", "data_class": "Transfusion", "action": "Access"}),
                    2,
                ),
                (
                    "pharmacist-lee".into(),
                    consent,
                    mc,
                    "check_access".into(),
                    json!({"subject": subject, "purpose": "TREAT", "data_class": "MedicationDispense", "action": "Access"}),
                    2,
                ),
                (
                    "northwind-pharma".into(),
                    drug,
                    md,
                    "commission".into(),
                    json!({"items": [{"gtin": "00312345123451", "serial": "LD{n}", "lot": "NW2611A", "expiry": "301231"}], "event_time": null}),
                    3,
                ),
                (
                    "billing-office".into(),
                    claims,
                    ml,
                    "submit_claim".into(),
                    json!({"claim": {"claim_id": "LOAD-{n}", "payer": "acme-health-insurance", "coverage_id": "COV-7F3A91",
                    "subject": subject, "service_date": "${now-3600}", "frequency": "Original",
                    "lines": [{"no": 1, "proc_code": "99213", "units": 1, "charge": 15000, "prior_auth": null}],
                    "doc_hash": "0xed122759dca565ca8d8f1214eac7064988e1c629cbfe8cb0fb25eba79f034172"}}),
                    3,
                ),
            ]
        }
    };

    // Pre-sign: senders in proportion to their weights, consecutive nonces per sender.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut senders: Vec<(SigningKey, u64)> = Vec::new();
    for (name, ..) in &templates {
        let key = book.key(name)?;
        let public = PublicKey(key.verifying_key().to_bytes());
        let nonce = client
            .call("cc_nextNonce", vec![json!(public.to_hex())])?
            .as_u64()
            .unwrap_or(0);
        senders.push((key, nonce));
    }
    let schedule: Vec<usize> = templates
        .iter()
        .enumerate()
        .flat_map(|(i, t)| std::iter::repeat_n(i, t.5 as usize))
        .collect();
    let lanes = args.connections.max(1);
    let signing = Instant::now();
    let mut jobs = Vec::with_capacity(args.count);
    let resolve = |name: &str| book.address(name).map(|a| a.0);
    for n in 0..args.count {
        let i = schedule[n % schedule.len()];
        let (_, contract, meta, message, template, _) = &templates[i];
        let filled: Value =
            serde_json::from_str(&template.to_string().replace("{n}", &n.to_string()))?;
        let filled = substitute_time(&filled, now);
        let message = meta.message(message).map_err(|e| anyhow::anyhow!("{e}"))?;
        let input = meta
            .encode_call(message, &filled, &resolve)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let (key, nonce) = &mut senders[i];
        let tx = TxPayload {
            chain_id: chain_id.clone(),
            sender: PublicKey(key.verifying_key().to_bytes()),
            nonce: *nonce,
            gas_limit: args.gas,
            action: Action::Call {
                contract: *contract,
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
    let signing = signing.elapsed();
    eprintln!(
        "signed {} transactions from {} senders in {:.2} s; sending on {} connections",
        jobs.len(),
        templates.len(),
        signing.as_secs_f64(),
        lanes
    );

    // Shared bookkeeping: submit instants, commit instants, refusals.
    let submitted: Arc<Mutex<HashMap<String, Instant>>> = Arc::new(Mutex::new(HashMap::new()));
    let refused: Arc<Mutex<BTreeMap<String, u64>>> = Arc::new(Mutex::new(BTreeMap::new()));
    let start = Instant::now();
    let deadline = start + Duration::from_secs(args.duration);
    let head0 = client.call("cc_head", vec![])?["height"]
        .as_u64()
        .unwrap_or(0);
    let cpu0 = pid.and_then(proc_sample);

    let mut by_lane: Vec<Vec<Job>> = (0..lanes).map(|_| Vec::new()).collect();
    for job in jobs {
        by_lane[job.lane].push(job);
    }
    let total: usize = by_lane.iter().map(Vec::len).sum();
    let per_lane_rate = if args.rate == 0 {
        0.0
    } else {
        args.rate as f64 / lanes as f64
    };
    let mut senders_threads = Vec::new();
    for lane in by_lane {
        // At a target rate, about ten batches a second per connection.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let batch = if per_lane_rate > 0.0 {
            args.batch.min((per_lane_rate / 10.0).ceil() as usize)
        } else {
            args.batch
        }
        .max(1);
        let (submitted, refused, url) = (submitted.clone(), refused.clone(), args.rpc.clone());
        senders_threads.push(std::thread::spawn(move || -> anyhow::Result<()> {
            let client = Client::new(&url)?;
            let mut queue: std::collections::VecDeque<Job> = lane.into();
            let lane_start = Instant::now();
            let mut sent = 0usize;
            while !queue.is_empty() && Instant::now() < deadline {
                if per_lane_rate > 0.0 {
                    let due = lane_start + Duration::from_secs_f64(sent as f64 / per_lane_rate);
                    if due >= deadline {
                        break;
                    }
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                }
                let n = batch.min(queue.len());
                let chunk: Vec<Job> = queue.drain(..n).collect();
                let txs: Vec<SignedTx> = chunk.iter().map(|j| j.tx.clone()).collect();
                // Recorded before sending: a block may commit them before the answer arrives.
                let at = Instant::now();
                {
                    let mut submitted = submitted.lock().expect("lock");
                    for job in &chunk {
                        submitted.insert(job.hash.clone(), at);
                    }
                }
                let results = client.submit_batch(&txs)?;
                let mut retry = Vec::new();
                {
                    let mut submitted = submitted.lock().expect("lock");
                    let mut refused = refused.lock().expect("lock");
                    for (job, result) in chunk.into_iter().zip(results) {
                        match result {
                            Ok(_) => sent += 1,
                            Err(e) => {
                                submitted.remove(&job.hash);
                                let reason = e
                                    .data
                                    .as_ref()
                                    .and_then(|d| d["reason"].as_str())
                                    .unwrap_or("rpc_error")
                                    .to_string();
                                // Back-pressure, not refusal: the mempool is full, the
                                // connection is over its rate, or this sender is further
                                // ahead of its committed nonce than the mempool holds.
                                if reason == "mempool_full"
                                    || reason == "nonce_too_high"
                                    || e.code == crate::rpc::codes::RATE_LIMITED
                                {
                                    retry.push(job);
                                } else {
                                    *refused.entry(reason).or_default() += 1;
                                }
                            }
                        }
                    }
                }
                if !retry.is_empty() {
                    // Back off and send them first next time: nonces stay in order.
                    for job in retry.into_iter().rev() {
                        queue.push_front(job);
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            Ok(())
        }));
    }

    // Follow the blocks: commit instants of our transactions.
    let progress = if args.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(total as u64)
    };
    progress.set_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} committed {per_sec} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut committed: Vec<f64> = Vec::new();
    let mut committed_set: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut last_commit = start;
    let mut height = head0;
    let mut rss_samples: Vec<u64> = Vec::new();
    let mut last_sample = Instant::now();
    let mut blocks = 0u64;
    loop {
        let head = client.call("cc_head", vec![])?["height"]
            .as_u64()
            .unwrap_or(height);
        while height < head {
            height += 1;
            blocks += 1;
            let block = client.call("cc_getBlock", vec![json!(height)])?;
            let seen = Instant::now();
            let submitted = submitted.lock().expect("lock");
            for hash in block["transactions"].as_array().into_iter().flatten() {
                if let Some((h, at)) = hash.as_str().and_then(|h| submitted.get_key_value(h)) {
                    committed_set.insert(h.clone());
                    committed.push(seen.duration_since(*at).as_secs_f64());
                    last_commit = seen;
                }
            }
            progress.set_position(committed.len() as u64);
        }
        if pid.is_some() && last_sample.elapsed() >= Duration::from_secs(1) {
            if let Some((_, rss)) = pid.and_then(proc_sample) {
                rss_samples.push(rss);
            }
            last_sample = Instant::now();
        }
        let all_sent = senders_threads
            .iter()
            .all(std::thread::JoinHandle::is_finished);
        let accepted = submitted.lock().expect("lock").len();
        if (all_sent && committed.len() >= accepted)
            || Instant::now() > deadline + Duration::from_secs(10)
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    progress.finish();
    for t in senders_threads {
        t.join()
            .map_err(|_| anyhow::anyhow!("a sender panicked"))??;
    }
    let cpu1 = pid.and_then(proc_sample);
    // What became of transactions accepted but not seen committed (a sample).
    let mut missing: BTreeMap<String, u64> = BTreeMap::new();
    {
        let submitted = submitted.lock().expect("lock");
        for hash in submitted
            .keys()
            .filter(|h| !committed_set.contains(*h))
            .take(50)
        {
            let state = client
                .call("cc_getTransaction", vec![json!(hash)])
                .map(|t| {
                    format!(
                        "{} {}",
                        t["state"].as_str().unwrap_or("?"),
                        t["reason"].as_str().unwrap_or("")
                    )
                })
                .unwrap_or_else(|e| e.to_string());
            *missing.entry(state.trim().to_string()).or_default() += 1;
        }
    }
    let elapsed = last_commit.duration_since(start).as_secs_f64().max(1e-9);
    committed.sort_by(f64::total_cmp);
    let accepted = submitted.lock().expect("lock").len();
    let ms = |s: f64| (s * 1000.0 * 10.0).round() / 10.0;
    let cpu = match (cpu0, cpu1) {
        (Some((a, _)), Some((b, _))) => Some((b - a) / elapsed * 100.0),
        _ => None,
    };
    let report = json!({
        "mode": format!("{:?}", args.mode).to_lowercase(),
        "sent": total,
        "accepted": accepted,
        "committed": committed.len(),
        "refused": *refused.lock().expect("lock"),
        "not_committed_sample": missing,
        "seconds": (elapsed * 100.0).round() / 100.0,
        "committed_tx_per_s": (committed.len() as f64 / elapsed).round(),
        "blocks": blocks,
        "latency_ms": {
            "p50": ms(percentile(&committed, 0.50)),
            "p95": ms(percentile(&committed, 0.95)),
            "p99": ms(percentile(&committed, 0.99)),
            "max": ms(committed.last().copied().unwrap_or(0.0)),
        },
        "node": {
            "pid": pid,
            "cpu_percent": cpu.map(|c| c.round()),
            "rss_kib_first": rss_samples.first(),
            "rss_kib_max": rss_samples.iter().max(),
            "rss_kib_last": rss_samples.last(),
        },
        "rate_target": args.rate,
        "batch": args.batch,
        "connections": lanes,
        "transport": if args.rpc.starts_with("ws") { "ws" } else { "http" },
    });
    eprintln!(
        "committed {} of {} in {:.2} s: {} tx/s, latency p50 {} ms, p95 {} ms, p99 {} ms",
        committed.len(),
        total,
        elapsed,
        report["committed_tx_per_s"],
        report["latency_ms"]["p50"],
        report["latency_ms"]["p95"],
        report["latency_ms"]["p99"]
    );
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn only_loopback_urls_pass() {
        for url in [
            "http://127.0.0.1:9944",
            "ws://127.0.0.1:9944",
            "http://localhost:9944/",
            "http://[::1]:9944",
            "ws://[::1]",
            "http://127.0.0.1",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "http://10.1.2.3:9944",
            "http://127.0.0.1:x@evil.example/",
            "http://127.0.0.1@evil.example:9944",
            "https://127.0.0.1:9944",
            "wss://127.0.0.1:9944",
            "http://127.0.0.1.evil.example:9944",
            "http://[::2]:9944",
            "http://[::1]9944",
            "http://127.0.0.1:",
            "127.0.0.1:9944",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }
}
