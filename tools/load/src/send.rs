//! Sending: one thread per connection submits its transactions in JSON-RPC batches, at a
//! target rate or as fast as they are accepted, resending what the node pushed back.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use carechain_client::ClientBuilder;
use carechain_primitives::tx::SignedTx;

use crate::LoadArgs;
use crate::mix::Job;

/// Submit instants of accepted transactions, by hash (hex).
pub(crate) type Submitted = Arc<Mutex<HashMap<String, Instant>>>;

/// Refusals by reason.
pub(crate) type Refused = Arc<Mutex<BTreeMap<String, u64>>>;

/// The senders at work.
pub(crate) struct Sending {
    /// What was accepted, and when it was sent.
    pub(crate) submitted: Submitted,
    refused: Refused,
    threads: Mutex<Vec<JoinHandle<anyhow::Result<()>>>>,
    /// When sending started.
    pub(crate) start: Instant,
    /// When sending stops whatever is left.
    pub(crate) deadline: Instant,
    /// Transactions to send.
    pub(crate) total: usize,
    /// Connections.
    pub(crate) lanes: usize,
}

impl Sending {
    /// Whether every sender has finished.
    pub(crate) fn all_sent(&self) -> bool {
        self.threads
            .lock()
            .expect("threads lock")
            .iter()
            .all(JoinHandle::is_finished)
    }

    /// How many transactions the node accepted so far.
    pub(crate) fn accepted(&self) -> usize {
        self.submitted.lock().expect("lock").len()
    }

    /// Waits for the senders; returns the refusals by reason.
    ///
    /// # Errors
    /// A sender's error (its connection failed), or a sender that panicked.
    pub(crate) fn join(&self) -> anyhow::Result<BTreeMap<String, u64>> {
        let threads = std::mem::take(&mut *self.threads.lock().expect("threads lock"));
        for t in threads {
            t.join()
                .map_err(|_| anyhow::anyhow!("a sender panicked"))??;
        }
        Ok(self.refused.lock().expect("lock").clone())
    }
}

/// Starts one sender per connection.
/// Starts the lanes; each connection is a client `connect` makes (it signs the requests).
pub(crate) fn start(jobs: Vec<Job>, args: &LoadArgs, connect: &ClientBuilder) -> Sending {
    let lanes = args.connections.max(1);
    let total = jobs.len();
    let mut by_lane: Vec<Vec<Job>> = (0..lanes).map(|_| Vec::new()).collect();
    for job in jobs {
        by_lane[job.lane].push(job);
    }
    #[allow(clippy::cast_precision_loss)]
    let per_lane_rate = if args.rate == 0 {
        0.0
    } else {
        args.rate as f64 / lanes as f64
    };
    // At a target rate, about ten batches a second per connection.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let batch = if per_lane_rate > 0.0 {
        args.batch.min((per_lane_rate / 10.0).ceil() as usize)
    } else {
        args.batch
    }
    .max(1);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(args.duration);
    let submitted: Submitted = Arc::new(Mutex::new(HashMap::new()));
    let refused: Refused = Arc::new(Mutex::new(BTreeMap::new()));
    let threads = by_lane
        .into_iter()
        .map(|lane| {
            let lane = Lane {
                queue: lane.into(),
                connect: connect.clone(),
                rate: per_lane_rate,
                batch,
                deadline,
                submitted: submitted.clone(),
                refused: refused.clone(),
            };
            std::thread::spawn(move || lane.run())
        })
        .collect();
    Sending {
        submitted,
        refused,
        threads: Mutex::new(threads),
        start,
        deadline,
        total,
        lanes,
    }
}

/// One connection's sender.
struct Lane {
    queue: VecDeque<Job>,
    connect: ClientBuilder,
    rate: f64,
    batch: usize,
    deadline: Instant,
    submitted: Submitted,
    refused: Refused,
}

impl Lane {
    fn run(mut self) -> anyhow::Result<()> {
        let client = self.connect.clone().connect()?;
        let lane_start = Instant::now();
        let mut sent = 0usize;
        while !self.queue.is_empty() && Instant::now() < self.deadline {
            if self.rate > 0.0 {
                #[allow(clippy::cast_precision_loss)]
                let due = lane_start + Duration::from_secs_f64(sent as f64 / self.rate);
                if due >= self.deadline {
                    break;
                }
                if let Some(wait) = due.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
            }
            let n = self.batch.min(self.queue.len());
            let chunk: Vec<Job> = self.queue.drain(..n).collect();
            let txs: Vec<SignedTx> = chunk.iter().map(|j| j.tx.clone()).collect();
            // Recorded before sending: a block may commit them before the answer arrives.
            let at = Instant::now();
            {
                let mut submitted = self.submitted.lock().expect("lock");
                for job in &chunk {
                    submitted.insert(job.hash.clone(), at);
                }
            }
            let results = client.submit_batch(&txs)?;
            let mut retry = Vec::new();
            {
                let mut submitted = self.submitted.lock().expect("lock");
                let mut refused = self.refused.lock().expect("lock");
                for (job, result) in chunk.into_iter().zip(results) {
                    let Err(e) = result else {
                        sent += 1;
                        continue;
                    };
                    submitted.remove(&job.hash);
                    let reason = e.reason().unwrap_or("rpc_error").to_string();
                    // Back-pressure, not refusal: the mempool is full, the connection is over
                    // its rate, or this sender is further ahead of its committed nonce than the
                    // mempool holds.
                    if reason == "mempool_full"
                        || reason == "nonce_too_high"
                        || e.code == carechain_rpc_api::codes::RATE_LIMITED
                    {
                        retry.push(job);
                    } else {
                        *refused.entry(reason).or_default() += 1;
                    }
                }
            }
            if !retry.is_empty() {
                // Back off and send them first next time: nonces stay in order.
                for job in retry.into_iter().rev() {
                    self.queue.push_front(job);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Ok(())
    }
}
