//! Following the chain: when each transaction sent is seen in a committed block, and the node's
//! memory meanwhile.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use carechain_client::Client;
use carechain_rpc_api::{BlockId, BlockTransactions, BlockView};

use crate::LoadArgs;
use crate::proc::proc_sample;
use crate::send::Sending;

/// What following the blocks saw.
pub(crate) struct Commits {
    /// Submit-to-commit latency of each committed transaction, seconds, sorted.
    pub(crate) latencies: Vec<f64>,
    /// The hashes seen committed.
    pub(crate) committed: HashSet<String>,
    /// When the last of them was seen.
    pub(crate) last_commit: Instant,
    /// Blocks seen.
    pub(crate) blocks: u64,
    /// The node's resident memory, KiB, about once a second.
    pub(crate) rss: Vec<u64>,
}

/// Follows blocks after `head0` until every accepted transaction is seen committed or ten
/// seconds past the deadline.
///
/// # Errors
/// If the node cannot be reached.
pub(crate) fn follow(
    client: &Client,
    sending: &Sending,
    head0: u64,
    total: usize,
    pid: u64,
    args: &LoadArgs,
) -> anyhow::Result<Commits> {
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
    let mut seen = Commits {
        latencies: Vec::new(),
        committed: HashSet::new(),
        last_commit: sending.start,
        blocks: 0,
        rss: Vec::new(),
    };
    let mut height = head0;
    let mut last_sample = Instant::now();
    loop {
        let head = client.head()?.height;
        while height < head {
            height += 1;
            seen.blocks += 1;
            let hashes = match client.block(BlockId::Height(height), false)? {
                Some(BlockView {
                    transactions: BlockTransactions::Hashes(hashes),
                    ..
                }) => hashes,
                _ => Vec::new(),
            };
            let now = Instant::now();
            let submitted = sending.submitted.lock().expect("lock");
            for hash in hashes {
                if let Some((h, at)) = submitted.get_key_value(&hash.to_string()) {
                    seen.committed.insert(h.clone());
                    seen.latencies.push(now.duration_since(*at).as_secs_f64());
                    seen.last_commit = now;
                }
            }
            progress.set_position(seen.latencies.len() as u64);
        }
        if last_sample.elapsed() >= Duration::from_secs(1) {
            if let Some((_, rss)) = proc_sample(pid) {
                seen.rss.push(rss);
            }
            last_sample = Instant::now();
        }
        if (sending.all_sent() && seen.latencies.len() >= sending.accepted())
            || Instant::now() > sending.deadline + Duration::from_secs(10)
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    progress.finish();
    seen.latencies.sort_by(f64::total_cmp);
    Ok(seen)
}
