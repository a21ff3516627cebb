//! The report: throughput, latency percentiles, refusals, and the node's CPU and memory.

use std::collections::BTreeMap;

use carechain_client::Client;
use carechain_rpc_api::Hex32;
use serde::Serialize;

use crate::LoadArgs;
use crate::follow::Commits;
use crate::proc::Sample;
use crate::send::Sending;

/// A load run's report (`carechain load` prints it as one JSON line).
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// `trivial` or `healthcare`.
    pub mode: String,
    /// Transactions sent.
    pub sent: usize,
    /// Accepted by the node.
    pub accepted: usize,
    /// Seen committed.
    pub committed: usize,
    /// Refused, by reason.
    pub refused: BTreeMap<String, u64>,
    /// What became of (up to 50) accepted transactions not seen committed.
    pub not_committed_sample: BTreeMap<String, u64>,
    /// From the first send to the last commit seen.
    pub seconds: f64,
    /// Committed transactions per second.
    pub committed_tx_per_s: f64,
    /// Blocks seen.
    pub blocks: u64,
    /// Submit-to-commit latency, milliseconds.
    pub latency_ms: Latency,
    /// The node's process.
    pub node: NodeUsage,
    /// The target rate (0: as fast as accepted).
    pub rate_target: u64,
    /// Transactions per batch.
    pub batch: usize,
    /// Connections.
    pub connections: usize,
    /// `http` or `ws`.
    pub transport: String,
}

/// Latency percentiles, milliseconds.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Slowest.
    pub max: f64,
}

/// The node's CPU and memory during the run.
#[derive(Clone, Debug, Serialize)]
pub struct NodeUsage {
    /// Its process id.
    pub pid: u64,
    /// CPU used, percent of one core.
    pub cpu_percent: Option<f64>,
    /// Resident memory at the first sample, KiB.
    pub rss_kib_first: Option<u64>,
    /// The largest sample.
    pub rss_kib_max: Option<u64>,
    /// The last sample.
    pub rss_kib_last: Option<u64>,
}

impl Report {
    /// The report of a run; asks the node what became of a sample of the transactions it
    /// accepted but that were not seen committed.
    pub(crate) fn new(
        args: &LoadArgs,
        client: &Client,
        sending: &Sending,
        commits: Commits,
        refused: BTreeMap<String, u64>,
        (pid, cpu0, cpu1): (u64, Sample, Sample),
    ) -> Self {
        let missing = not_committed(client, sending, &commits);
        let elapsed = commits
            .last_commit
            .duration_since(sending.start)
            .as_secs_f64()
            .max(1e-9);
        let latencies = &commits.latencies;
        let ms = |s: f64| (s * 1000.0 * 10.0).round() / 10.0;
        let cpu = match (cpu0, cpu1) {
            (Some((a, _)), Some((b, _))) => Some(((b - a) / elapsed * 100.0).round()),
            _ => None,
        };
        #[allow(clippy::cast_precision_loss)]
        let rate = (latencies.len() as f64 / elapsed).round();
        Report {
            mode: format!("{:?}", args.mode).to_lowercase(),
            sent: sending.total,
            accepted: sending.accepted(),
            committed: latencies.len(),
            refused,
            not_committed_sample: missing,
            seconds: (elapsed * 100.0).round() / 100.0,
            committed_tx_per_s: rate,
            blocks: commits.blocks,
            latency_ms: Latency {
                p50: ms(percentile(latencies, 0.50)),
                p95: ms(percentile(latencies, 0.95)),
                p99: ms(percentile(latencies, 0.99)),
                max: ms(latencies.last().copied().unwrap_or(0.0)),
            },
            node: NodeUsage {
                pid,
                cpu_percent: cpu,
                rss_kib_first: commits.rss.first().copied(),
                rss_kib_max: commits.rss.iter().max().copied(),
                rss_kib_last: commits.rss.last().copied(),
            },
            rate_target: args.rate,
            batch: args.batch,
            connections: sending.lanes,
            transport: if args.rpc.starts_with("ws") {
                "ws"
            } else {
                "http"
            }
            .to_string(),
        }
    }
}

/// What became of (up to 50) transactions accepted but not seen committed, by state.
fn not_committed(client: &Client, sending: &Sending, commits: &Commits) -> BTreeMap<String, u64> {
    let mut missing: BTreeMap<String, u64> = BTreeMap::new();
    let submitted = sending.submitted.lock().expect("lock");
    for hash in submitted
        .keys()
        .filter(|h| !commits.committed.contains(*h))
        .take(50)
    {
        let state = match Hex32::parse(hash).map(|h| client.transaction(h)) {
            Some(Ok(t)) => format!("{} {}", t.state.name(), t.reason.unwrap_or_default()),
            Some(Err(e)) => e.to_string(),
            None => "unparsable hash".to_string(),
        };
        *missing.entry(state.trim().to_string()).or_default() += 1;
    }
    missing
}

/// The `p` quantile of `sorted` (nearest rank).
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
