//! What a node prints and waits for around its life, in dev mode (`run`) and as a validator:
//! the start line, the stop signal, the head it leaves behind.

use std::io::Write;
use std::net::SocketAddr;

use carechain_service::Node;
use serde_json::json;

/// Logs the head a stopped node leaves behind.
///
/// # Errors
/// If the store cannot be read.
pub(crate) fn log_stopped(node: &Node) -> anyhow::Result<()> {
    let head = node.chain().head()?;
    tracing::info!(
        height = head.height,
        state_root = %hex::encode(head.state_root),
        "stopped"
    );
    Ok(())
}

/// Prints the one JSON line that says the node is listening: `fields` plus where RPC (with
/// `tls`: `https://` and `wss://` URLs) and metrics listen and the head it starts from.
///
/// # Errors
/// If stdout cannot be written.
pub(crate) fn print_started(
    mut fields: serde_json::Value,
    rpc_addr: SocketAddr,
    tls: bool,
    metrics_addr: Option<SocketAddr>,
    head: &carechain_primitives::block::Header,
) -> std::io::Result<()> {
    fields["event"] = json!("started");
    fields["rpc"] = json!(rpc_addr.to_string());
    let s = if tls { "s" } else { "" };
    fields["tls"] = json!(tls);
    fields["http"] = json!(format!("http{s}://{rpc_addr}"));
    fields["ws"] = json!(format!("ws{s}://{rpc_addr}"));
    fields["metrics"] = json!(metrics_addr.map(|a| format!("http://{a}/metrics")));
    fields["height"] = json!(head.height);
    fields["state_root"] = json!(hex::encode(head.state_root));
    println!("{fields}");
    std::io::stdout().flush()
}

/// Resolves on Ctrl-C or SIGTERM.
pub(crate) async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = async {
                match term.as_mut() {
                    Some(t) => { t.recv().await; }
                    None => std::future::pending::<()>().await,
                }
            } => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
