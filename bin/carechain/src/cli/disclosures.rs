//! `carechain disclosures`: a subject's accounting of disclosures (HIPAA 45 CFR 164.528) from
//! every node given, as JSON lines or a FHIR R4 `Bundle` of `AuditEvent`s; and `--verify`, a
//! node's whole disclosure log checked against the head its node anchored on chain.

use clap::Args;
use serde_json::json;

use super::client::{Connection, finish, print};
use super::exit;
use carechain_client::{Book, Client};
use carechain_primitives::disclosure::{AnchorRecord, Disclosure, DisclosureOutcome, verify_log};
use carechain_primitives::tx::PublicKey;
use carechain_rpc_api::{DisclosureView, Disclosures, Hex32};

/// Arguments of `carechain disclosures`.
#[derive(Args, Debug)]
pub struct DisclosuresArgs {
    /// The subject (64 hex digits) whose accounting to fetch.
    #[arg(long, required_unless_present = "verify")]
    pub subject: Option<String>,
    /// Check each node's whole log against the head it anchored on chain instead (the node's
    /// read policy must grant `disclosures`).
    #[arg(long, conflicts_with = "subject")]
    pub verify: bool,
    /// Print one FHIR R4 Bundle of AuditEvent resources instead of JSON lines.
    #[arg(long)]
    pub fhir: bool,
    /// The member the request is signed as (a key name in keys/ or a key file): the subject's
    /// patient portal, or an oversight role. Default: `--signer`, else the node key.
    #[arg(long = "as")]
    pub reader: Option<String>,
    /// Another node to ask as well (repeatable): each node keeps the accounting of the reads
    /// it served.
    #[arg(long = "node")]
    pub nodes: Vec<String>,
    /// With `--verify`: the node whose copy of the chain gives the anchors (another validator
    /// than the one checked, so that a node cannot vouch for its own log). Default: the node
    /// checked.
    #[arg(long, requires = "verify")]
    pub anchors_from: Option<String>,
    #[command(flatten)]
    connection: Connection,
}

/// Runs the command; returns the exit code.
pub fn run(args: &DisclosuresArgs) -> u8 {
    finish((|| {
        let book = Book::load(&args.connection.dir);
        let mut urls = vec![args.connection.rpc()];
        urls.extend(args.nodes.iter().cloned());
        let key = match args.connection.signer.as_deref().or(args.reader.as_deref()) {
            Some(name) => book.key(name)?,
            None => book.node_key()?,
        };
        // One trust for every node asked: the directory's pin, or `--rpc-ca` (a bundle of the
        // nodes' certificates to ask several TLS nodes).
        let trust = args.connection.trust(&book)?;
        let mut code = exit::OK;
        let mut all: Vec<(Hex32, DisclosureView)> = Vec::new();
        for url in &urls {
            let client = Client::builder(url)
                .signer(&key)
                .trust(trust.clone())
                .connect()?;
            if args.verify {
                let witness = match &args.anchors_from {
                    Some(other) => Some(
                        Client::builder(other)
                            .signer(&key)
                            .trust(trust.clone())
                            .connect()?,
                    ),
                    None => None,
                };
                let (report, ok) = verify(&client, witness.as_ref().unwrap_or(&client))?;
                print(&json!({"node_url": url, "verify": report}));
                if !ok {
                    code = exit::LOG_TAMPERED;
                }
                continue;
            }
            let subject = args.subject.as_deref().unwrap_or_default();
            let subject = Hex32::parse(subject)
                .ok_or_else(|| anyhow::anyhow!("--subject is not 32 bytes of hex"))?;
            let mut from = 0;
            loop {
                let page = client.disclosures(subject, from, None)?;
                for entry in page.entries {
                    if args.fhir {
                        all.push((page.head.node, entry));
                    } else {
                        print(&json!({"node": page.head.node, "node_url": url, "entry": entry}));
                    }
                }
                match page.next {
                    Some(n) => from = n,
                    None => break,
                }
            }
        }
        if args.fhir && !args.verify {
            print(&carechain_client::fhir::audit_bundle(
                all.iter().map(|(n, e)| (n, e)),
            ));
        }
        Ok(code)
    })())
}

/// The entry a view shows, to hash it again.
fn entry(v: &DisclosureView) -> anyhow::Result<Disclosure> {
    Ok(Disclosure {
        seq: v.seq,
        prev: v.prev.0,
        at_ms: v.at_ms,
        reader: PublicKey(v.reader.0),
        org: v.org.clone(),
        contract: v.contract.0,
        message: v.message.clone(),
        args_hash: v.args_hash.0,
        result_hash: v.result_hash.0,
        subjects: v.subjects.iter().map(|s| s.0).collect(),
        purpose: v.purpose.clone(),
        btg: v.btg,
        outcome: DisclosureOutcome::from_name(&v.outcome)
            .ok_or_else(|| anyhow::anyhow!("entry {}: unknown outcome `{}`", v.seq, v.outcome))?,
        directory: v.directory.map(|d| d.0),
    })
}

/// Fetches a node's whole log and checks it against its anchor: the report and whether it held.
fn verify(client: &Client, witness: &Client) -> anyhow::Result<(serde_json::Value, bool)> {
    let mut log = Vec::new();
    let head = loop {
        let page: Disclosures = client.disclosure_log(log.len() as u64, None)?;
        for v in &page.entries {
            log.push(entry(v)?);
        }
        if page.entries.is_empty() || log.len() as u64 >= page.head.entries {
            break page.head;
        }
    };
    // Every anchor the node made, from the witness's copy of the chain.
    let anchors: Vec<AnchorRecord> = witness
        .disclosure_anchors(head.node)?
        .iter()
        .map(|a| AnchorRecord {
            index: a.index,
            entries: a.entries,
            head: a.head.0,
            height: a.height,
        })
        .collect();
    let result = verify_log(&log, &anchors);
    let report = json!({
        "node": head.node,
        "entries": log.len(),
        "anchored": head.anchored,
        "anchors": anchors.len(),
        "ok": result.is_ok(),
        "error": result.as_ref().err().map(ToString::to_string),
    });
    Ok((report, result.is_ok()))
}
