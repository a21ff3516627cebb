//! The node's JSON-RPC server (HTTP and WebSocket on one port): the API of carechain-rpc-api over the running node.
//!
//! The methods, their parameters and answers are documented with the API
//! ([`carechain_rpc_api`]); this crate answers them from the node ([`RpcServer`]), shows the
//! node's types as the API's ([`views`]), authenticates every client as a consortium member
//! (signed requests, see `auth` and [`carechain_rpc_api::auth`]), and bounds what clients may
//! ask: request size, connections, and calls per second on one connection.
#![warn(missing_docs)]

mod api;
mod auth;
mod disclosures;
mod limit;
pub mod policy;
pub mod views;

use std::net::SocketAddr;
use std::sync::Arc;

use carechain_service::Node;
use jsonrpsee::server::middleware::rpc::RpcServiceBuilder;
use jsonrpsee::server::{Server, ServerConfig, ServerHandle};

pub use api::RpcServer;
pub use auth::Caller;
pub use carechain_rpc_api::{MAX_QUERY_GAS, codes};
pub use policy::ReadPolicy;

use auth::{AuthLayer, RequireMember, Verifier};
use carechain_rpc_api::auth::NodeIdentity;
use limit::RateLimit;

/// Limits of the RPC server.
#[derive(Clone, Copy, Debug)]
pub struct RpcLimits {
    /// Largest request body, bytes.
    pub max_request_bytes: u32,
    /// Most calls per second on one connection (a batch counts each call).
    pub calls_per_second: u32,
    /// Most connections at once.
    pub max_connections: u32,
}

impl RpcLimits {
    /// Limits fitting transactions of up to `max_tx_bytes` (hex doubles them).
    pub fn for_max_tx(max_tx_bytes: usize) -> Self {
        let body = max_tx_bytes.saturating_mul(2).saturating_add(64 * 1024);
        RpcLimits {
            max_request_bytes: u32::try_from(body).unwrap_or(u32::MAX),
            calls_per_second: 20_000,
            max_connections: 256,
        }
    }
}

/// The server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The address cannot be bound.
    #[error("cannot listen for JSON-RPC on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// Starts the JSON-RPC server for `node` on `addr`, reading the raw ledger under `policy`; returns the address it listens on (useful
/// with port 0) and its handle.
///
/// # Errors
/// If the address cannot be bound.
pub async fn start(
    node: Arc<Node>,
    addr: SocketAddr,
    limits: RpcLimits,
    policy: ReadPolicy,
) -> Result<(SocketAddr, ServerHandle), StartError> {
    let config = ServerConfig::builder()
        .max_request_body_size(limits.max_request_bytes)
        .max_response_body_size(64 * 1024 * 1024)
        .max_connections(limits.max_connections)
        .build();
    let rate = limits.calls_per_second;
    let identity = NodeIdentity {
        chain_id: node.chain().genesis().chain_id.clone(),
        node: node.settings().proposer.0,
    };
    let verifier = Arc::new(Verifier::new(identity, limits.max_request_bytes as usize));
    let members = node.clone();
    let middleware = RpcServiceBuilder::new()
        .layer_fn(move |service| RateLimit::new(service, rate))
        .layer_fn(move |service| RequireMember::new(service, members.clone()));
    let server = Server::builder()
        .set_config(config)
        .set_http_middleware(tower::ServiceBuilder::new().layer(AuthLayer(verifier)))
        .set_rpc_middleware(middleware)
        .build(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })?;
    let local = server
        .local_addr()
        .map_err(|source| StartError::Bind { addr, source })?;
    Ok((
        local,
        server.start(RpcServer::new(node, policy).into_module()),
    ))
}
