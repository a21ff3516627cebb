//! Anchoring the node's disclosure log on chain: while the log grows, the node sends, every
//! `disclosure_anchor_ms` (node.toml), one `AnchorDisclosures` transaction signed with its own
//! key, recording the log's length and last hash in the state (see
//! `carechain_primitives::disclosure`). A node that later rewrites an anchored entry no longer
//! leads to that head: `carechain disclosures --verify` shows it.

use std::sync::Arc;
use std::time::Duration;

use carechain_chain::ADMIN_GAS;
use carechain_primitives::tx::{Action, AdminAction, PublicKey, TxPayload};
use carechain_service::Node;
use ed25519_dalek::SigningKey;
use parity_scale_codec::Encode;

/// Spawns the anchoring loop on the current tokio runtime (nothing if `every` is zero).
pub(crate) fn spawn(node: Arc<Node>, key: SigningKey, chain_id: String, every: Duration) {
    if every.is_zero() {
        return;
    }
    tokio::spawn(async move {
        let me = PublicKey(key.verifying_key().to_bytes());
        let mut sent = 0u64;
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match anchor_once(&node, &key, me, &chain_id, sent) {
                Ok(Some(entries)) => {
                    sent = entries;
                    tracing::info!(entries, "disclosure log anchor sent");
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "cannot anchor the disclosure log"),
            }
        }
    });
}

/// Sends one anchor if the log has more entries than the chain's anchor and than the last one
/// sent (`sent`, so that one waiting in the mempool is not sent twice); the entries anchored.
fn anchor_once(
    node: &Node,
    key: &SigningKey,
    me: PublicKey,
    chain_id: &str,
    sent: u64,
) -> anyhow::Result<Option<u64>> {
    let chain = node.chain();
    let (entries, head) = chain.store().disclosure_head()?;
    let anchored = chain.disclosure_anchor(&me)?.map_or(0, |a| a.entries);
    let nonce = node.next_nonce(&me)?;
    // Resend when the last one sent is not on chain and no longer waiting (refused, dropped).
    let pending = sent > anchored && nonce > chain.nonce(&me.address())?;
    if entries <= anchored || (pending && entries <= sent) {
        return Ok(None);
    }
    let tx = TxPayload {
        chain_id: chain_id.to_string(),
        sender: me,
        nonce,
        gas_limit: ADMIN_GAS,
        action: Action::Admin(AdminAction::AnchorDisclosures { entries, head }),
    }
    .sign(key);
    node.submit(&tx.encode())
        .map_err(|e| anyhow::anyhow!("the anchor was refused: {e}"))?;
    Ok(Some(entries))
}
