//! A blocking JSON-RPC client of the node, as the CLI, the demo and the tests use it: builds,
//! signs and submits transactions, waits for receipts, queries contracts.

use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use jsonrpsee::core::client::ClientT;
use jsonrpsee::core::params::ArrayParams;
use jsonrpsee_http_client::{HttpClient, HttpClientBuilder};
use jsonrpsee_ws_client::{WsClient, WsClientBuilder};
use parity_scale_codec::Encode;
use serde_json::Value;

use crate::tx::{Action, PublicKey, SignedTx, TxPayload};

/// A JSON-RPC error answered by the node.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message} (code {code})")]
pub struct RpcError {
    /// The JSON-RPC error code ([`crate::rpc::codes`]).
    pub code: i32,
    /// The message.
    pub message: String,
    /// The error data, if any (for a refused transaction: `{"reason": ...}`).
    pub data: Option<Value>,
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

/// A blocking client of one node.
pub struct Client {
    url: String,
    transport: Transport,
    runtime: tokio::runtime::Runtime,
}

/// How requests reach the node: HTTP (one POST per request or batch) or one WebSocket.
enum Transport {
    Http(HttpClient),
    Ws(WsClient),
}

/// Runs `$body` (a future using the client `$c`) on the client's runtime, for either transport.
macro_rules! on_transport {
    ($client:expr, $c:ident => $body:expr) => {
        match &$client.transport {
            Transport::Http($c) => $client.runtime.block_on($body),
            Transport::Ws($c) => $client.runtime.block_on($body),
        }
    };
}

/// Largest request or response either transport accepts (a batch of 500 transactions, a block
/// with its receipts).
const MAX_MESSAGE: u32 = 64 * 1024 * 1024;

impl Client {
    /// A client of the node at `url`: `http://127.0.0.1:9944` talks HTTP, `ws://127.0.0.1:9944`
    /// one WebSocket (the node serves both on the same port).
    ///
    /// # Errors
    /// [`ClientError::Transport`] if the address is not usable.
    pub fn new(url: &str) -> Result<Self, ClientError> {
        let transport = |reason: String| ClientError::Transport {
            url: url.to_string(),
            reason,
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| transport(e.to_string()))?;
        let timeout = Duration::from_secs(60);
        // Plain `ws://` only: the WebSocket client is built without TLS (loopback and tests).
        let client = if url.starts_with("ws://") {
            Transport::Ws(
                runtime
                    .block_on(
                        WsClientBuilder::default()
                            .max_request_size(MAX_MESSAGE)
                            .max_response_size(MAX_MESSAGE)
                            .request_timeout(timeout)
                            .build(url),
                    )
                    .map_err(|e| transport(e.to_string()))?,
            )
        } else {
            let _guard = runtime.enter();
            Transport::Http(
                HttpClientBuilder::default()
                    .max_request_size(MAX_MESSAGE)
                    .max_response_size(MAX_MESSAGE)
                    .request_timeout(timeout)
                    .build(url)
                    .map_err(|e| transport(e.to_string()))?,
            )
        };
        Ok(Client {
            url: url.to_string(),
            transport: client,
            runtime,
        })
    }

    /// The node's address.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Calls `method` with positional `params`.
    ///
    /// # Errors
    /// [`ClientError::Rpc`] with the node's error, or [`ClientError::Transport`].
    pub fn call(&self, method: &str, params: Vec<Value>) -> Result<Value, ClientError> {
        let mut array = ArrayParams::new();
        for p in params {
            array.insert(p).map_err(|e| self.transport(e.to_string()))?;
        }
        let result = on_transport!(self, c => c.request::<Value, _>(method, array));
        match result {
            Ok(v) => Ok(v),
            Err(jsonrpsee::core::client::Error::Call(e)) => Err(ClientError::Rpc(RpcError {
                code: e.code(),
                message: e.message().to_string(),
                data: e.data().and_then(|d| serde_json::from_str(d.get()).ok()),
            })),
            Err(e) => Err(self.transport(e.to_string())),
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
    pub fn status(&self) -> Result<Value, ClientError> {
        self.call("cc_status", vec![])
    }

    /// Signs `action` with `key` (nonce from the node, chain id from its status) and submits it;
    /// returns the transaction hash (hex).
    ///
    /// # Errors
    /// [`ClientError`]; a refused transaction is [`ClientError::Rpc`] with
    /// [`crate::rpc::codes::TX_REJECTED`].
    pub fn send(
        &self,
        key: &SigningKey,
        action: Action,
        gas_limit: u64,
    ) -> Result<String, ClientError> {
        let status = self.status()?;
        let chain_id = status["chain_id"].as_str().unwrap_or_default().to_string();
        let sender = PublicKey(key.verifying_key().to_bytes());
        let nonce = self
            .call("cc_nextNonce", vec![Value::from(sender.to_hex())])?
            .as_u64()
            .unwrap_or(0);
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

    /// Submits a signed transaction; returns its hash (hex).
    ///
    /// # Errors
    /// [`ClientError`].
    pub fn submit(&self, tx: &SignedTx) -> Result<String, ClientError> {
        let result = self.call(
            "cc_submitTransaction",
            vec![Value::from(hex::encode(tx.encode()))],
        )?;
        Ok(result["hash"].as_str().unwrap_or_default().to_string())
    }

    /// Submits transactions in one JSON-RPC batch; one result per transaction, in order.
    ///
    /// # Errors
    /// [`ClientError::Transport`] if the batch as a whole failed.
    pub fn submit_batch(
        &self,
        txs: &[SignedTx],
    ) -> Result<Vec<Result<String, RpcError>>, ClientError> {
        let mut batch = jsonrpsee::core::params::BatchRequestBuilder::new();
        for tx in txs {
            let mut params = ArrayParams::new();
            params
                .insert(hex::encode(tx.encode()))
                .map_err(|e| self.transport(e.to_string()))?;
            batch
                .insert("cc_submitTransaction", params)
                .map_err(|e| self.transport(e.to_string()))?;
        }
        let response =
            on_transport!(self, c => c.batch_request::<Value>(batch)).map_err(|e| match e {
                jsonrpsee::core::client::Error::Call(e) => ClientError::Rpc(RpcError {
                    code: e.code(),
                    message: e.message().to_string(),
                    data: None,
                }),
                e => self.transport(e.to_string()),
            })?;
        Ok(response
            .into_iter()
            .map(|entry| match entry {
                Ok(v) => Ok(v["hash"].as_str().unwrap_or_default().to_string()),
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
    pub fn wait(&self, hash: &str, timeout: Duration) -> Result<Value, ClientError> {
        let deadline = Instant::now() + timeout;
        loop {
            let tx = self.call("cc_getTransaction", vec![Value::from(hash)])?;
            match tx["state"].as_str() {
                Some("committed" | "dropped") => return Ok(tx),
                _ if Instant::now() >= deadline => {
                    return Err(ClientError::Timeout(hash.to_string()));
                }
                _ => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }
}
