//! A blocking JSON-RPC client of the node, as the CLI, the demo and the tests use it: builds,
//! signs and submits transactions, waits for receipts, queries contracts.
//!
//! It talks to `http://` and `ws://` URLs (a node on loopback) and to `https://` and `wss://`
//! (a node's TLS port), trusting the certificates a [`TlsTrust`] names (a chain directory's:
//! [`Book::rpc_trust`]) or, without one, the platform's.
#![warn(missing_docs)]

mod book;
pub mod fhir;
mod sign;
mod time;
mod tls;

pub use book::{Book, BookError, KeyFileError, read_key};
pub use sign::header as authorization;
pub use time::substitute_time;
pub use tls::{TlsTrust, TlsTrustError};

use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use jsonrpsee::core::client::ClientT;
use jsonrpsee::core::params::ArrayParams;
use jsonrpsee_http_client::{HttpClient, HttpClientBuilder};
use jsonrpsee_ws_client::{WsClient, WsClientBuilder};
use parity_scale_codec::Encode;
use serde_json::Value;

use carechain_primitives::tx::{Action, PublicKey, SignedTx, TxPayload};
use carechain_rpc_api::auth::NodeIdentity;
use carechain_rpc_api::{
    AnchorView, BlockId, BlockView, Bytes, CarechainApiClient, Disclosures, EventFilter, EventView,
    HeaderView, Hex32, Metadata, NodeStatus, ProofRequest, ProofView, QueryRequest, QueryResult,
    Submitted, TransactionStatus, TxState,
};
use carechain_runtime::Address;

/// A JSON-RPC error answered by the node.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message} (code {code})")]
pub struct RpcError {
    /// The JSON-RPC error code ([`carechain_rpc_api::codes`]).
    pub code: i32,
    /// The message.
    pub message: String,
    /// The error data, if any (for a refused transaction: `{"reason": ...}`).
    pub data: Option<Value>,
}

impl RpcError {
    /// A refused transaction's reason (`data.reason`: `nonce_too_low`, `mempool_full`, ...).
    pub fn reason(&self) -> Option<&str> {
        self.data.as_ref()?.get("reason")?.as_str()
    }
}

/// Client errors.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The node answered with an error.
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// The node could not be reached or answered something else than JSON-RPC.
    #[error("cannot talk to the node at {url}: {reason}")]
    Transport {
        /// The node's address.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// Waiting for a transaction timed out.
    #[error("transaction {0} not committed within the timeout")]
    Timeout(String),
}

/// A blocking client of one node, anonymous ([`Client::new`]: the public methods only) or
/// signing every request as a consortium member ([`Client::signed`]).
pub struct Client {
    url: String,
    transport: Transport,
    runtime: tokio::runtime::Runtime,
    signer: Option<PublicKey>,
}

/// How requests reach the node: HTTP (one POST per request or batch) or one WebSocket.
enum Transport {
    Http(HttpClient),
    SignedHttp(sign::SignedHttpClient),
    Ws(WsClient),
}

/// Runs `$body` (a future using the client `$c`) on the client's runtime, for any transport.
macro_rules! on_transport {
    ($client:expr, $c:ident => $body:expr) => {
        match &$client.transport {
            Transport::Http($c) => $client.runtime.block_on($body),
            Transport::SignedHttp($c) => $client.runtime.block_on($body),
            Transport::Ws($c) => $client.runtime.block_on($body),
        }
    };
}

/// `error` with the chain of its sources (`client error (Connect): invalid peer certificate:
/// UnknownIssuer`): a refused TLS handshake is named only deep in it.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Largest request or response either transport accepts (a batch of 500 transactions, a block
/// with its receipts).
const MAX_MESSAGE: u32 = 64 * 1024 * 1024;

/// How to connect a [`Client`]: the node's URL, the key requests are signed with, the
/// certificates trusted for a TLS port. [`Client::new`] and [`Client::signed`] are its
/// shorthands.
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    url: String,
    signer: Option<SigningKey>,
    trust: Option<TlsTrust>,
}

impl ClientBuilder {
    /// Sign every request as `key` (see [`Client::signed`]).
    #[must_use]
    pub fn signer(mut self, key: &SigningKey) -> Self {
        self.signer = Some(key.clone());
        self
    }

    /// For an `https://` or `wss://` URL, trust exactly these certificates (`None`: the
    /// platform's roots). Ignored for `http://` and `ws://`.
    #[must_use]
    pub fn trust(mut self, trust: Option<TlsTrust>) -> Self {
        self.trust = trust;
        self
    }

    /// Connects (a signing client first asks the node who it is, `cc_status`).
    ///
    /// # Errors
    /// [`ClientError::Transport`] if the address is not usable or, for a signing client, the
    /// node cannot be reached (a TLS certificate it does not trust included); the node's
    /// error as [`ClientError::Rpc`].
    pub fn connect(self) -> Result<Client, ClientError> {
        let trust = self.trust.as_ref();
        let Some(key) = self.signer else {
            return Client::connect(&self.url, None, trust);
        };
        let status = Client::connect(&self.url, None, trust)?.status()?;
        let node = NodeIdentity {
            chain_id: status.chain_id,
            node: status.proposer.0,
        };
        Client::connect(&self.url, Some((key, node)), trust)
    }
}

impl Client {
    /// An anonymous client of the node at `url`: `http://127.0.0.1:9944` talks HTTP,
    /// `ws://127.0.0.1:9944` one WebSocket (the node serves both on the same port);
    /// `https://` and `wss://` the same over TLS, trusting the platform's roots (to trust a
    /// node's own certificate, see [`Client::builder`]). The node answers it only the public
    /// methods (`cc_status`, `cc_head`, heads); everything else needs [`Client::signed`].
    ///
    /// # Errors
    /// [`ClientError::Transport`] if the address is not usable.
    pub fn new(url: &str) -> Result<Self, ClientError> {
        Self::builder(url).connect()
    }

    /// A client of the node at `url` that signs every request as `key` (see
    /// [`carechain_rpc_api::auth`]): it asks the node who it is (`cc_status`), then signs each
    /// HTTP request, or the WebSocket's opening, for that node.
    ///
    /// # Errors
    /// [`ClientError`] if the node cannot be reached.
    pub fn signed(url: &str, key: &SigningKey) -> Result<Self, ClientError> {
        Self::builder(url).signer(key).connect()
    }

    /// A client of the node at `url` to configure: its signer, the certificates it trusts.
    pub fn builder(url: &str) -> ClientBuilder {
        ClientBuilder {
            url: url.to_string(),
            signer: None,
            trust: None,
        }
    }

    /// The key this client signs as, if any.
    pub fn signer(&self) -> Option<PublicKey> {
        self.signer
    }

    fn connect(
        url: &str,
        signing: Option<(SigningKey, NodeIdentity)>,
        trust: Option<&TlsTrust>,
    ) -> Result<Self, ClientError> {
        let transport = |reason: String| ClientError::Transport {
            url: url.to_string(),
            reason,
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| transport(e.to_string()))?;
        let timeout = Duration::from_secs(60);
        // jsonrpsee's platform-trust path takes rustls's process-wide provider: make it ring,
        // the one every TLS part of this build uses (an error only says one is installed).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let signer = signing
            .as_ref()
            .map(|(key, _)| PublicKey(key.verifying_key().to_bytes()));
        let client = if url.starts_with("ws://") || url.starts_with("wss://") {
            let mut headers = jsonrpsee_ws_client::HeaderMap::new();
            if let Some((key, node)) = &signing {
                headers.insert(http::header::AUTHORIZATION, sign::header(key, node, b""));
            }
            let mut builder = WsClientBuilder::default();
            if let Some(trust) = trust {
                builder = builder.with_custom_cert_store(trust.client_config());
            }
            Transport::Ws(
                runtime
                    .block_on(
                        builder
                            .set_headers(headers)
                            .max_request_size(MAX_MESSAGE)
                            .max_response_size(MAX_MESSAGE)
                            .request_timeout(timeout)
                            .build(url),
                    )
                    .map_err(|e| transport(with_causes(&e)))?,
            )
        } else {
            let _guard = runtime.enter();
            let mut builder = HttpClientBuilder::default();
            if let Some(trust) = trust {
                builder = builder.with_custom_cert_store(trust.client_config());
            }
            let builder = builder
                .max_request_size(MAX_MESSAGE)
                .max_response_size(MAX_MESSAGE)
                .request_timeout(timeout);
            match signing {
                None => Transport::Http(builder.build(url).map_err(|e| transport(e.to_string()))?),
                Some((key, node)) => Transport::SignedHttp(
                    builder
                        .set_http_middleware(
                            tower::ServiceBuilder::new().layer(sign::SignLayer::new(key, node)),
                        )
                        .build(url)
                        .map_err(|e| transport(e.to_string()))?,
                ),
            }
        };
        Ok(Client {
            url: url.to_string(),
            transport: client,
            runtime,
            signer,
        })
    }

    /// The node's address.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Calls `method` with positional `params` and returns the raw JSON answer: for tests of
    /// the wire format. Everything else uses the typed methods below.
    ///
    /// # Errors
    /// [`ClientError::Rpc`] with the node's error, or [`ClientError::Transport`].
    pub fn call(&self, method: &str, params: Vec<Value>) -> Result<Value, ClientError> {
        let mut array = ArrayParams::new();
        for p in params {
            array.insert(p).map_err(|e| self.transport(e.to_string()))?;
        }
        let result = on_transport!(self, c => c.request::<Value, _>(method, array));
        result.map_err(|e| self.error(e))
    }

    /// The node's error as [`ClientError::Rpc`], anything else as [`ClientError::Transport`].
    fn error(&self, e: jsonrpsee::core::client::Error) -> ClientError {
        match e {
            jsonrpsee::core::client::Error::Call(e) => ClientError::Rpc(RpcError {
                code: e.code(),
                message: e.message().to_string(),
                data: e.data().and_then(|d| serde_json::from_str(d.get()).ok()),
            }),
            e => self.transport(with_causes(&e)),
        }
    }

    fn transport(&self, reason: String) -> ClientError {
        ClientError::Transport {
            url: self.url.clone(),
            reason,
        }
    }

    /// `cc_status`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn status(&self) -> Result<NodeStatus, ClientError> {
        on_transport!(self, c => c.status()).map_err(|e| self.error(e))
    }

    /// `cc_head`: the head block's header.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn head(&self) -> Result<HeaderView, ClientError> {
        on_transport!(self, c => c.head()).map_err(|e| self.error(e))
    }

    /// `cc_getBlock`: a block by height or hash (`full`: with transactions and receipts).
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn block(&self, id: BlockId, full: bool) -> Result<Option<BlockView>, ClientError> {
        on_transport!(self, c => c.get_block(id, Some(full))).map_err(|e| self.error(e))
    }

    /// `cc_getTransaction`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn transaction(&self, hash: Hex32) -> Result<TransactionStatus, ClientError> {
        on_transport!(self, c => c.get_transaction(hash)).map_err(|e| self.error(e))
    }

    /// `cc_query`: a read-only call.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn query(&self, request: QueryRequest) -> Result<QueryResult, ClientError> {
        on_transport!(self, c => c.query(request.clone())).map_err(|e| self.error(e))
    }

    /// `cc_getMetadata`: a contract's metadata.
    ///
    /// # Errors
    /// [`ClientError`]; a contract without metadata is [`ClientError::Rpc`] with
    /// [`carechain_rpc_api::codes::NOT_FOUND`].
    pub fn metadata(&self, contract: &Address) -> Result<Metadata, ClientError> {
        on_transport!(self, c => c.get_metadata(Hex32(contract.0))).map_err(|e| self.error(e))
    }

    /// `cc_getStateProof`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn state_proof(&self, request: ProofRequest) -> Result<ProofView, ClientError> {
        on_transport!(self, c => c.get_state_proof(request.clone())).map_err(|e| self.error(e))
    }

    /// `cc_disclosures`: this node's accounting of disclosures of `subject`, from log position
    /// `from`, at most `limit` entries (the node's maximum if `None`).
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn disclosures(
        &self,
        subject: Hex32,
        from: u64,
        limit: Option<u64>,
    ) -> Result<Disclosures, ClientError> {
        on_transport!(self, c => c.disclosures(subject, Some(from), limit))
            .map_err(|e| self.error(e))
    }

    /// `cc_disclosureLog`: this node's whole disclosure log from `from` (at most `limit`),
    /// under the node's read policy.
    ///
    /// # Errors
    /// [`ClientError`]; without the grant, [`ClientError::Rpc`] with
    /// [`carechain_rpc_api::codes::FORBIDDEN`].
    pub fn disclosure_log(
        &self,
        from: u64,
        limit: Option<u64>,
    ) -> Result<Disclosures, ClientError> {
        on_transport!(self, c => c.disclosure_log(Some(from), limit)).map_err(|e| self.error(e))
    }

    /// `cc_disclosureAnchors`: every disclosure log head the node with key `node` anchored.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn disclosure_anchors(&self, node: Hex32) -> Result<Vec<AnchorView>, ClientError> {
        on_transport!(self, c => c.disclosure_anchors(node)).map_err(|e| self.error(e))
    }

    /// `cc_nextNonce`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn next_nonce(&self, key: &PublicKey) -> Result<u64, ClientError> {
        on_transport!(self, c => c.next_nonce(Hex32(key.0))).map_err(|e| self.error(e))
    }

    /// `cc_subscribeEvents` (WebSocket clients only): calls `each` with every matching event as
    /// blocks commit, until it returns `false` or the node goes away.
    ///
    /// # Errors
    /// [`ClientError::Transport`] on an HTTP client or a lost connection.
    pub fn follow_events(
        &self,
        filter: EventFilter,
        mut each: impl FnMut(EventView) -> bool,
    ) -> Result<(), ClientError> {
        let Transport::Ws(ws) = &self.transport else {
            return Err(self.transport("following events needs a ws:// or wss:// address".into()));
        };
        self.runtime.block_on(async {
            let mut subscription = ws
                .subscribe_events(Some(filter))
                .await
                .map_err(|e| self.error(e))?;
            while let Some(event) = subscription.next().await {
                let event = event.map_err(|e| self.transport(e.to_string()))?;
                if !each(event) {
                    break;
                }
            }
            Ok(())
        })
    }

    /// Signs `action` with `key` (nonce from the node, chain id from its status) and submits it;
    /// returns the transaction hash.
    ///
    /// # Errors
    /// [`ClientError`]; a refused transaction is [`ClientError::Rpc`] with
    /// [`carechain_rpc_api::codes::TX_REJECTED`].
    pub fn send(
        &self,
        key: &SigningKey,
        action: Action,
        gas_limit: u64,
    ) -> Result<Hex32, ClientError> {
        let chain_id = self.status()?.chain_id;
        let sender = PublicKey(key.verifying_key().to_bytes());
        let nonce = self.next_nonce(&sender)?;
        let tx = TxPayload {
            chain_id,
            sender,
            nonce,
            gas_limit,
            action,
        }
        .sign(key);
        self.submit(&tx)
    }

    /// Submits a signed transaction; returns its hash.
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn submit(&self, tx: &SignedTx) -> Result<Hex32, ClientError> {
        let bytes = hex::encode(tx.encode());
        on_transport!(self, c => c.submit_transaction(bytes.clone()))
            .map(|s| s.hash)
            .map_err(|e| self.error(e))
    }

    /// Submits transactions in one JSON-RPC batch; one result per transaction, in order.
    ///
    /// # Errors
    /// [`ClientError::Transport`] if the batch as a whole failed.
    pub fn submit_batch(
        &self,
        txs: &[SignedTx],
    ) -> Result<Vec<Result<Hex32, RpcError>>, ClientError> {
        let mut batch = jsonrpsee::core::params::BatchRequestBuilder::new();
        for tx in txs {
            let mut params = ArrayParams::new();
            params
                .insert(Bytes(tx.encode()))
                .map_err(|e| self.transport(e.to_string()))?;
            batch
                .insert("cc_submitTransaction", params)
                .map_err(|e| self.transport(e.to_string()))?;
        }
        let response = on_transport!(self, c => c.batch_request::<Submitted>(batch))
            .map_err(|e| self.error(e))?;
        Ok(response
            .into_iter()
            .map(|entry| match entry {
                Ok(s) => Ok(s.hash),
                Err(e) => Err(RpcError {
                    code: e.code(),
                    message: e.message().to_string(),
                    data: e.data().and_then(|d| serde_json::from_str(d.get()).ok()),
                }),
            })
            .collect())
    }

    /// Waits until the transaction `hash` is committed (or dropped) and returns
    /// `cc_getTransaction`'s answer.
    ///
    /// # Errors
    /// [`ClientError::Timeout`] after `timeout`.
    pub fn wait(&self, hash: Hex32, timeout: Duration) -> Result<TransactionStatus, ClientError> {
        let deadline = Instant::now() + timeout;
        loop {
            let tx = self.transaction(hash)?;
            match tx.state {
                TxState::Committed | TxState::Dropped => return Ok(tx),
                _ if Instant::now() >= deadline => {
                    return Err(ClientError::Timeout(hash.to_string()));
                }
                _ => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }
}
