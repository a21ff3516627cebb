//! The node's types as the API shows them: headers, transactions, receipts and events, with
//! results, errors and events decoded through the contracts' metadata where it is known.

use std::sync::Arc;

use carechain_metadata::{ContractMetadata, Message};
use carechain_primitives::block::{Block, Header, Receipt, TxStatus};
use carechain_primitives::hash::blake2b_256;
use carechain_primitives::tx::{Action, SignedTx};
use carechain_rpc_api::{
    ActionView, BlockEntry, BlockTransactions, BlockView, EventView, HeaderView, Hex32, Outcome,
    ReceiptView, TxView,
};
use carechain_runtime::Address;
use carechain_service::Node;

/// A header as the API shows it.
pub fn header_view(h: &Header) -> HeaderView {
    HeaderView {
        height: h.height,
        hash: Hex32(h.hash()),
        parent_hash: Hex32(h.parent_hash),
        timestamp: h.timestamp,
        proposer: Hex32(h.proposer.0),
        tx_root: Hex32(h.tx_root),
        state_root: Hex32(h.state_root),
        receipts_root: Hex32(h.receipts_root),
        gas_used: h.gas_used,
    }
}

/// A transaction as the API shows it (code summarised by its hash and size).
pub fn tx_view(tx: &SignedTx) -> TxView {
    let action = match &tx.payload.action {
        Action::Deploy { code, input, salt } => ActionView::Deploy {
            code_hash: Hex32(blake2b_256(code)),
            code_size: code.len(),
            input: input.clone().into(),
            salt: salt.clone().into(),
        },
        Action::Call { contract, input } => ActionView::Call {
            contract: Hex32(contract.0),
            input: input.clone().into(),
        },
        Action::Admin(admin) => ActionView::Admin {
            admin: format!("{admin:?}"),
        },
    };
    TxView {
        hash: Hex32(tx.hash().0),
        chain_id: tx.payload.chain_id.clone(),
        sender: Hex32(tx.payload.sender.0),
        sender_address: Hex32(tx.sender().0),
        nonce: tx.payload.nonce,
        gas_limit: tx.payload.gas_limit,
        action,
    }
}

/// The message `input` selects in `metadata` (a constructor if `deploy`).
pub fn selected<'m>(
    metadata: &'m ContractMetadata,
    input: &[u8],
    deploy: bool,
) -> Option<&'m Message> {
    let selector = format!("0x{}", hex::encode(input.get(..4)?));
    let list = if deploy {
        &metadata.constructors
    } else {
        &metadata.messages
    };
    list.iter().find(|m| m.selector == selector)
}

/// An event as the API shows it, decoded through `metadata` when given.
pub fn event_view(
    event: &carechain_runtime::Event,
    metadata: Option<&ContractMetadata>,
) -> EventView {
    let topics: Vec<[u8; 32]> = event.topics.iter().map(|t| t.0).collect();
    EventView {
        contract: Hex32(event.contract.0),
        topics: topics.iter().copied().map(Hex32).collect(),
        data: event.data.clone().into(),
        decoded: metadata.and_then(|m| m.decode_event(&topics, &event.data)),
        block_height: None,
        tx_hash: None,
        tx_index: None,
    }
}

/// A receipt as the API shows it, with its return value, revert error and events decoded
/// through the metadata of the contracts involved when known.
pub fn receipt_view(node: &Node, tx: &SignedTx, receipt: &Receipt) -> ReceiptView {
    let (metadata, message) = match &tx.payload.action {
        Action::Call { contract, input } => {
            // Decoding is a courtesy: without readable metadata the raw data still answers.
            let metadata = node.metadata(contract).ok().flatten();
            let message = metadata
                .as_deref()
                .and_then(|m| selected(m, input, false))
                .cloned();
            (metadata, message)
        }
        Action::Deploy { code, input, .. } => {
            let metadata = ContractMetadata::from_wasm(code)
                .ok()
                .flatten()
                .map(Arc::new);
            let message = metadata
                .as_deref()
                .and_then(|m| selected(m, input, true))
                .cloned();
            (metadata, message)
        }
        Action::Admin(_) => (None, None),
    };
    let (status, failure) = match &receipt.status {
        TxStatus::Success => (Outcome::Success, None),
        TxStatus::Reverted => (Outcome::Reverted, None),
        TxStatus::Failed(reason) => (Outcome::Failed, Some(reason.clone())),
    };
    let called = tx_contract(tx);
    let events = receipt
        .events
        .iter()
        .map(|e| {
            let m = if Some(e.contract) == called {
                metadata.clone()
            } else {
                node.metadata(&e.contract).ok().flatten()
            };
            event_view(e, m.as_deref())
        })
        .collect();
    let (result, error) = decoded_outcome(
        &receipt.status,
        metadata.as_deref(),
        message.as_ref(),
        &receipt.return_data,
    );
    ReceiptView {
        tx_hash: Hex32(receipt.tx_hash.0),
        status,
        failure,
        gas_used: receipt.gas_used,
        return_data: receipt.return_data.clone().into(),
        contract: receipt.contract.map(|c| Hex32(c.0)),
        message: message.as_ref().map(|m| m.name.clone()),
        events,
        result,
        error,
    }
}

/// A receipt's decoded return value (success) or revert error (reverted): through the
/// metadata when both it and the message are known, else a revert as far as the ABI allows.
fn decoded_outcome(
    status: &TxStatus,
    metadata: Option<&ContractMetadata>,
    message: Option<&Message>,
    return_data: &[u8],
) -> (Option<serde_json::Value>, Option<serde_json::Value>) {
    match (status, metadata, message) {
        (TxStatus::Success, Some(m), Some(msg)) => (m.decode_return(msg, return_data).ok(), None),
        (TxStatus::Reverted, Some(m), Some(msg)) => {
            (None, Some(m.decode_revert(Some(msg), return_data)))
        }
        (TxStatus::Reverted, _, _) => (
            None,
            Some(carechain_metadata::decode_revert_without_metadata(
                return_data,
            )),
        ),
        _ => (None, None),
    }
}

fn tx_contract(tx: &SignedTx) -> Option<Address> {
    match &tx.payload.action {
        Action::Call { contract, .. } => Some(*contract),
        _ => None,
    }
}

/// A block as the API shows it: its header and its transactions' hashes, or with `full` the
/// transactions and their receipts.
pub fn block_view(node: &Node, block: &Block, receipts: &[Receipt], full: bool) -> BlockView {
    let transactions = if full {
        BlockTransactions::Full(
            block
                .txs
                .iter()
                .zip(receipts)
                .map(|(tx, r)| BlockEntry {
                    transaction: tx_view(tx),
                    receipt: receipt_view(node, tx, r),
                })
                .collect(),
        )
    } else {
        BlockTransactions::Hashes(block.txs.iter().map(|t| Hex32(t.hash().0)).collect())
    };
    BlockView {
        header: header_view(&block.header),
        transactions,
    }
}
