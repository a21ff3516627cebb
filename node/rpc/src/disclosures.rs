//! The accounting of disclosures, node side: every query whose arguments or answer carry a
//! `SubjectId` (found through the contract's metadata) is appended to this node's hash-chained
//! log (`carechain_storage::Store::append_disclosure`) before its answer leaves the node, and
//! `cc_disclosures` / `cc_disclosureLog` serve the log.
//!
//! Who may read a subject's accounting: the read policy's `disclosures` roles (all of it), and
//! the subject's patients — for each entry, the consent directory that governs the contract read
//! (the contract itself if it is a directory, with an `acts_for` query; else the address its
//! `consent_contract` query names) must say `acts_for(reader, subject)`. A directory is taken from
//! the contract that was read, never from the request, so a member cannot vouch for itself with a
//! directory of its own making (a contract it deployed governs only reads of that contract).

use std::collections::HashMap;
use std::sync::Mutex;

use carechain_metadata::{ContractMetadata, Message, Ty, blake2b_256, selector};
use carechain_primitives::disclosure::{AnchorRecord, Disclosure, DisclosureOutcome};
use carechain_rpc_api::auth::unix_ms;
use carechain_rpc_api::{AnchorView, DisclosureHead, DisclosureView, Hex32};
use carechain_runtime::Address;
use carechain_service::Node;
use carechain_storage::StoreError;
use serde_json::Value;

use crate::auth::Caller;

/// The metadata type name of a subject (`carechain_consent_api::SubjectId`).
pub const SUBJECT_TYPE: &str = "SubjectId";

/// Gas for the node's own lookups (a contract's directory, `acts_for`).
const LOOKUP_GAS: u64 = 10_000_000;

/// Most entries one request returns.
pub const MAX_ENTRIES: u64 = 1_000;

/// Most index entries one `cc_disclosures` request looks at (then it answers with `next`).
pub const SCAN_BUDGET: usize = 10_000;

/// Whether `purpose` looks like an HL7 v3 ActReason code (`TREAT`, `ETREAT`, `HPAYMT`, ...):
/// 2 to 16 capital letters or digits. The node does not check it against the reader's rights:
/// it is what the reader declared, and is recorded as such.
pub fn valid_purpose(purpose: &str) -> bool {
    (2..=16).contains(&purpose.len())
        && purpose
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// What a finished query was: enough to record it.
pub(crate) struct Read<'a> {
    /// Who asked.
    pub caller: &'a Caller,
    /// The contract.
    pub contract: Address,
    /// Its metadata, if it has some.
    pub metadata: Option<&'a ContractMetadata>,
    /// The message, if known.
    pub message: Option<&'a Message>,
    /// The input (selector and arguments).
    pub input: &'a [u8],
    /// What the contract returned (or reverted with).
    pub return_data: &'a [u8],
    /// Its decoded answer on success.
    pub value: Option<&'a Value>,
    /// Its decoded revert, if it reverted.
    pub revert: Option<&'a Value>,
    /// Whether it succeeded.
    pub success: bool,
    /// The purpose of use the request gave.
    pub purpose: Option<&'a str>,
}

/// The recorder: the contract -> directory answers it has looked up.
#[derive(Default)]
pub(crate) struct Recorder {
    directories: Mutex<HashMap<Address, Option<Address>>>,
}

/// 32 bytes from `0x` hex.
fn bytes32(v: &Value) -> Option<[u8; 32]> {
    let s = v.as_str()?;
    let bytes = carechain_rpc_api::unhex(s)?;
    bytes.try_into().ok()
}

/// Every subject in a query's arguments and its answer, in order, each once.
fn subjects(read: &Read<'_>) -> Vec<[u8; 32]> {
    let (Some(meta), Some(message)) = (read.metadata, read.message) else {
        return Vec::new();
    };
    // A contract whose types have no subject (a counter) names none: nothing to decode.
    if !meta.types.contains_key(SUBJECT_TYPE) {
        return Vec::new();
    }
    let mut found = Vec::new();
    let args = Ty::Tuple(message.args.iter().map(|a| a.ty.clone()).collect());
    if let Some(arg_bytes) = read.input.get(4..)
        && let Ok(decoded) = meta.decode_value(&args, arg_bytes)
    {
        found.extend(meta.find_named(&args, &decoded, SUBJECT_TYPE));
    }
    if let Some(value) = read.value {
        found.extend(meta.find_named(&message.returns, value, SUBJECT_TYPE));
    }
    let mut out: Vec<[u8; 32]> = Vec::new();
    for s in found.iter().filter_map(bytes32) {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

impl Recorder {
    /// Appends `read` to the node's log if it concerned a subject. A storage failure is an
    /// error: an answer is never given without its record.
    pub(crate) fn record(&self, node: &Node, read: &Read<'_>) -> Result<(), StoreError> {
        let subjects = subjects(read);
        let outcome = if read.success {
            DisclosureOutcome::Disclosed
        } else if read.revert.is_some_and(|r| {
            matches!(
                r["error"].as_str(),
                Some("NotAuthorizedToRead" | "Unauthorized" | "SubjectMismatch")
            )
        }) {
            DisclosureOutcome::Refused
        } else {
            DisclosureOutcome::Failed
        };
        // A read about a subject is recorded whatever its outcome; a refused read is recorded
        // even when nothing names a subject (a probe by record id), for the oversight roles.
        if subjects.is_empty() && outcome != DisclosureOutcome::Refused {
            return Ok(());
        }
        let directory = self.directory(node, read.contract, read.metadata);
        let purpose = read.purpose.map(str::to_string);
        let btg = purpose.as_deref() == Some("ETREAT");
        node.chain()
            .store()
            .append_disclosure(|seq, prev| Disclosure {
                seq,
                prev,
                at_ms: unix_ms(),
                reader: read.caller.key,
                org: read.caller.org.clone(),
                contract: read.contract.0,
                message: read.message.map_or_else(
                    || {
                        carechain_rpc_api::Bytes(read.input.get(..4).unwrap_or_default().to_vec())
                            .to_string()
                    },
                    |m| m.name.clone(),
                ),
                args_hash: blake2b_256(read.input),
                result_hash: blake2b_256(read.return_data),
                subjects,
                purpose,
                btg,
                outcome,
                directory: directory.map(|d| d.0),
            })?;
        Ok(())
    }

    /// The consent directory that governs `contract`: itself if it answers `acts_for`, else
    /// what its `consent_contract` query names; none if neither.
    fn directory(
        &self,
        node: &Node,
        contract: Address,
        metadata: Option<&ContractMetadata>,
    ) -> Option<Address> {
        if let Some(known) = self.directories.lock().ok()?.get(&contract) {
            return *known;
        }
        let meta = metadata?;
        let has = |name: &str| meta.messages.iter().any(|m| m.name == name && !m.mutates);
        let found = if has("acts_for") {
            Some(contract)
        } else if has("consent_contract") {
            // A storage fault is this node's, and passes: not remembered. A revert is the
            // contract's answer, remembered like any other.
            let result = node
                .chain()
                .query(
                    Address([0; 32]),
                    contract,
                    selector("consent_contract").to_vec(),
                    LOOKUP_GAS,
                )
                .ok()?;
            result
                .outcome
                .is_success()
                .then(|| result.return_data.try_into().ok().map(Address))
                .flatten()
        } else {
            None
        };
        if let Ok(mut cache) = self.directories.lock() {
            cache.insert(contract, found);
        }
        found
    }
}

/// Whether `directory` says `reader` acts for `subject` (its `acts_for` query).
pub(crate) fn acts_for(
    node: &Node,
    directory: Address,
    reader: Address,
    subject: &[u8; 32],
) -> bool {
    let mut input = selector("acts_for").to_vec();
    input.extend_from_slice(&reader.0);
    input.extend_from_slice(subject);
    node.chain()
        .query(reader, directory, input, LOOKUP_GAS)
        .is_ok_and(|r| r.outcome.is_success() && r.return_data == [1])
}

/// The API's view of an entry.
pub(crate) fn view(d: &Disclosure) -> DisclosureView {
    DisclosureView {
        seq: d.seq,
        prev: Hex32(d.prev),
        hash: Hex32(d.hash()),
        at_ms: d.at_ms,
        reader: Hex32(d.reader.0),
        org: d.org.clone(),
        contract: Hex32(d.contract),
        message: d.message.clone(),
        args_hash: Hex32(d.args_hash),
        result_hash: Hex32(d.result_hash),
        subjects: d.subjects.iter().map(|s| Hex32(*s)).collect(),
        purpose: d.purpose.clone(),
        btg: d.btg,
        outcome: d.outcome.name().to_string(),
        directory: d.directory.map(Hex32),
    }
}

/// The API's view of an anchor.
pub(crate) fn anchor_view(a: &AnchorRecord) -> AnchorView {
    AnchorView {
        index: a.index,
        entries: a.entries,
        head: Hex32(a.head),
        height: a.height,
    }
}

/// This node's log head and its last anchor.
pub(crate) fn head(node: &Node) -> Result<DisclosureHead, StoreError> {
    let chain = node.chain();
    let key = node.settings().proposer;
    let (entries, hash) = chain.store().disclosure_head()?;
    let anchored = chain
        .disclosure_anchor(&key)
        .ok()
        .flatten()
        .map(|a| anchor_view(&a));
    Ok(DisclosureHead {
        node: Hex32(key.0),
        entries,
        head: Hex32(hash),
        anchored,
    })
}
