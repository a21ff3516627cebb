//! Signing requests as a member (the format is [`carechain_rpc_api::auth`]'s): a header per
//! HTTP request, computed over its body by a tower layer; a header on a WebSocket's opening.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use carechain_rpc_api::auth::{Credentials, NodeIdentity, unix_ms};
use ed25519_dalek::SigningKey;
use http::HeaderValue;
use http_body_util::BodyExt;
use jsonrpsee::core::http_helpers::HttpError;
use jsonrpsee_http_client::transport::Error as TransportError;
use jsonrpsee_http_client::{HttpBody, HttpRequest};

/// The HTTP client that signs every request.
pub(crate) type SignedHttpClient = jsonrpsee_http_client::HttpClient<
    jsonrpsee_http_client::RpcLogger<
        jsonrpsee_http_client::RpcService<Sign<jsonrpsee_http_client::HttpBackend>>,
    >,
>;

/// The `Authorization` header for a request of `body` to `node`, signed now with a fresh nonce
/// (for a raw WebSocket client: `body` empty, the header on its opening).
pub fn header(key: &SigningKey, node: &NodeIdentity, body: &[u8]) -> HeaderValue {
    let ts_ms = unix_ms();
    let mut nonce = [0u8; 16];
    // Without randomness a nonce could repeat and the node would refuse the request as a replay:
    // fail loudly instead.
    getrandom::fill(&mut nonce).expect("the operating system's random number generator");
    let value = Credentials::sign(key, node, ts_ms, nonce, body).header_value();
    HeaderValue::from_str(&value).expect("the header is ASCII")
}

/// Tower layer adding the signed header to each HTTP request.
#[derive(Clone)]
pub(crate) struct SignLayer {
    key: Arc<SigningKey>,
    node: Arc<NodeIdentity>,
}

impl SignLayer {
    pub(crate) fn new(key: SigningKey, node: NodeIdentity) -> Self {
        SignLayer {
            key: Arc::new(key),
            node: Arc::new(node),
        }
    }
}

impl<S> tower::Layer<S> for SignLayer {
    type Service = Sign<S>;
    fn layer(&self, inner: S) -> Sign<S> {
        Sign {
            inner,
            key: self.key.clone(),
            node: self.node.clone(),
        }
    }
}

/// [`SignLayer`]'s service.
#[derive(Clone)]
pub(crate) struct Sign<S> {
    inner: S,
    key: Arc<SigningKey>,
    node: Arc<NodeIdentity>,
}

impl<S> tower::Service<HttpRequest> for Sign<S>
where
    S: tower::Service<HttpRequest, Error = TransportError> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = TransportError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, TransportError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: HttpRequest) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let (key, node) = (self.key.clone(), self.node.clone());
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            let bytes = body
                .collect()
                .await
                .map_err(|e| TransportError::Http(HttpError::Stream(e)))?
                .to_bytes();
            parts
                .headers
                .insert(http::header::AUTHORIZATION, header(&key, &node, &bytes));
            inner
                .call(HttpRequest::from_parts(
                    parts,
                    HttpBody::from(bytes.to_vec()),
                ))
                .await
        })
    }
}
