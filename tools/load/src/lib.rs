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
#![warn(missing_docs)]

mod follow;
mod mix;
mod proc;
mod report;
mod send;

use std::path::PathBuf;

use clap::Args;
use serde_json::Value;

use carechain_client::{Book, Client};

pub use report::Report;

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
    /// request, `ws://...` over one WebSocket per connection; `https://` and `wss://` the same
    /// over TLS, trusting the certificate the chain directory's node.toml `[rpc_tls]` names.
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
    /// Healthcare mode: first walk the demo story (scenarios/demo/story.json, built into the
    /// binary) against the node, deploying the contracts the mix calls. Done by the `carechain`
    /// binary before [`load`], which ignores it.
    #[arg(long)]
    pub setup: bool,
    /// Gas limit per transaction.
    #[arg(long, default_value_t = 20_000_000)]
    pub gas: u64,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Whether `url` is `http://`, `https://`, `ws://` or `wss://` to a loopback host (`127.0.0.1`, `localhost`, `[::1]`),
/// with an optional port and path and no user part (which could hide another host).
fn is_loopback(url: &str) -> bool {
    let Some(rest) = ["http://", "https://", "ws://", "wss://"]
        .iter()
        .find_map(|scheme| url.strip_prefix(scheme))
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

/// Refuses a node that is not on loopback: load is only ever sent to this machine.
///
/// # Errors
/// If `args.rpc` is not a loopback `http://`, `https://`, `ws://` or `wss://` URL.
pub fn check_target(args: &LoadArgs) -> anyhow::Result<()> {
    if !is_loopback(&args.rpc) {
        anyhow::bail!(
            "carechain load only talks to loopback nodes, not `{}`",
            args.rpc
        );
    }
    Ok(())
}

/// Sends the load and measures it; returns the report.
///
/// # Errors
/// If the node is not on loopback or cannot be reached, a key or contract of the mix is
/// missing from the chain directory (healthcare: deploy the demo's contracts first, e.g.
/// with `carechain load --setup`), or a sender's connection fails.
pub fn load(args: &LoadArgs) -> anyhow::Result<Report> {
    check_target(args)?;
    let book = Book::load(&args.dir);
    // Requests are signed as the node key; the transactions themselves by their senders.
    let connect = Client::builder(&args.rpc)
        .signer(&book.node_key()?)
        .trust(book.rpc_trust()?);
    let client = connect.clone().connect()?;
    let status = client.status()?;
    let templates = mix::templates(&client, &book, args.mode)?;
    let jobs = mix::sign(&client, &book, &templates, &status.chain_id, args)?;
    let total = jobs.len();
    let pid = u64::from(status.pid);
    let head0 = client.head()?.height;
    let cpu0 = proc::proc_sample(pid);
    let sending = send::start(jobs, args, &connect);
    let commits = follow::follow(&client, &sending, head0, total, pid, args)?;
    let refused = sending.join()?;
    let cpu1 = proc::proc_sample(pid);
    let report = Report::new(args, &client, &sending, commits, refused, (pid, cpu0, cpu1));
    eprintln!(
        "committed {} of {} in {:.2} s: {} tx/s, latency p50 {} ms, p95 {} ms, p99 {} ms",
        report.committed,
        report.sent,
        report.seconds,
        report.committed_tx_per_s,
        report.latency_ms.p50,
        report.latency_ms.p95,
        report.latency_ms.p99
    );
    Ok(report)
}

/// [`load`], its report as JSON.
///
/// # Errors
/// As [`load`].
pub fn load_json(args: &LoadArgs) -> anyhow::Result<Value> {
    Ok(serde_json::to_value(load(args)?)?)
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
            "https://127.0.0.1:9944",
            "wss://localhost:9944",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "http://10.1.2.3:9944",
            "http://127.0.0.1:x@evil.example/",
            "http://127.0.0.1@evil.example:9944",
            "https://10.1.2.3:9944",
            "wss://node.example:9944",
            "ftp://127.0.0.1:9944",
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
