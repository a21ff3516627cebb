//! The node's JSON-RPC server (HTTP and WebSocket on one port): the API of carechain-rpc-api over the running node.
//!
//! The methods, their parameters and answers are documented with the API
//! ([`carechain_rpc_api`]); this crate answers them from the node ([`RpcServer`]), shows the
//! node's types as the API's ([`views`]), authenticates every client as a consortium member
//! (signed requests, see `auth` and [`carechain_rpc_api::auth`]), and bounds what clients may
//! ask: request size, connections, and calls per second on one connection. The port speaks
//! plaintext on loopback only; beyond it, TLS ([`RpcTls`]) or the node does not start.
#![warn(missing_docs)]

mod api;
mod auth;
mod disclosures;
mod limit;
pub mod policy;
mod tls;
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
pub use tls::{RpcTls, TlsError};

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
    /// The address is not a loopback address and no TLS is configured: members' requests and
    /// the node's answers (patients' records among them) would cross the network in clear.
    #[error(
        "refusing to serve JSON-RPC in plaintext on {addr}, which is not a loopback address: \
         configure TLS on the RPC port ([rpc_tls] in node.toml) or listen on 127.0.0.1"
    )]
    PlaintextBeyondLoopback {
        /// The address.
        addr: SocketAddr,
    },
}

/// Checks that the RPC port may serve on `addr`: plaintext only on a loopback address, TLS
/// anywhere. [`start`] checks it before binding; callers may check it earlier, before
/// anything else starts.
///
/// # Errors
/// [`StartError::PlaintextBeyondLoopback`].
pub fn check_listen(addr: SocketAddr, tls: Option<&RpcTls>) -> Result<(), StartError> {
    if tls.is_none() && !addr.ip().is_loopback() {
        return Err(StartError::PlaintextBeyondLoopback { addr });
    }
    Ok(())
}

/// Starts the JSON-RPC server for `node` on `addr`, reading the raw ledger under `policy`,
/// speaking TLS (HTTPS and WSS only) if `tls` is given; returns the address it listens on
/// (useful with port 0) and its handle. Both transports run the same layers: authentication,
/// membership, rate and size limits, metrics.
///
/// # Errors
/// [`StartError::PlaintextBeyondLoopback`] without TLS on an address that is not loopback
/// (before binding anything); [`StartError::Bind`] if the address cannot be bound.
pub async fn start(
    node: Arc<Node>,
    addr: SocketAddr,
    limits: RpcLimits,
    policy: ReadPolicy,
    tls: Option<RpcTls>,
) -> Result<(SocketAddr, ServerHandle), StartError> {
    check_listen(addr, tls.as_ref())?;
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
    let builder = Server::builder()
        .set_config(config)
        .set_http_middleware(tower::ServiceBuilder::new().layer(AuthLayer(verifier)))
        .set_rpc_middleware(middleware);
    let methods = RpcServer::new(node, policy).into_module();
    let bind = |source| StartError::Bind { addr, source };
    let Some(tls) = tls else {
        let server = builder.build(addr).await.map_err(bind)?;
        let local = server.local_addr().map_err(bind)?;
        return Ok((local, server.start(methods)));
    };
    // TLS: the same service (every layer above), served on each connection once its handshake
    // is done, as jsonrpsee serves it behind a listener of one's own.
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(bind)?;
    let local = listener.local_addr().map_err(bind)?;
    let service = builder.to_service_builder();
    let (stop, handle) = jsonrpsee::server::stop_channel();
    let serve = move |stream, stop: jsonrpsee::server::StopHandle| {
        // hyper hands the request with its own body type; the layers take jsonrpsee's, as the
        // plaintext server gives it them.
        let service = tower::ServiceExt::map_request(
            service.clone().build(methods.clone(), stop.clone()),
            |request: http::Request<hyper::body::Incoming>| {
                request.map(jsonrpsee::server::HttpBody::new)
            },
        );
        jsonrpsee::server::serve_with_graceful_shutdown(stream, service, stop.shutdown())
    };
    tokio::spawn(tls::accept(listener, tls, stop, serve));
    Ok((local, handle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plaintext_is_refused_beyond_loopback_only() {
        for addr in ["0.0.0.0:0", "[::]:9944", "10.1.2.3:9944", "192.0.2.1:443"] {
            let addr: SocketAddr = addr.parse().unwrap();
            assert!(matches!(
                check_listen(addr, None),
                Err(StartError::PlaintextBeyondLoopback { addr: refused }) if refused == addr
            ));
        }
        for addr in ["127.0.0.1:0", "127.0.0.2:9944", "[::1]:9944"] {
            assert!(check_listen(addr.parse().unwrap(), None).is_ok());
        }
    }
}
