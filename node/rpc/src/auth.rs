//! Authentication of clients: signed requests (see [`carechain_rpc_api::auth`] for the
//! format), checked in two places.
//!
//! * [`AuthLayer`], HTTP middleware, reads the `Authorization` header of every HTTP request and
//!   WebSocket upgrade, verifies the signature over the body for this node, the timestamp
//!   window and the nonce, and leaves its verdict ([`Signed`]) in the request's extensions. It
//!   refuses nothing itself: it does not know the methods.
//! * [`RequireMember`], JSON-RPC middleware, runs for every call (each call of a batch, every
//!   call on a WebSocket): a public method passes; any other needs a verified signature by a key
//!   that is a member of the consortium in the committed state, else it is answered
//!   `UNAUTHENTICATED` or `FORBIDDEN` with `data.reason`, and counted in
//!   `carechain_rpc_refused_total{reason}`. A permitted call carries the [`Caller`] to the
//!   method.

use std::collections::{HashMap, VecDeque};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use carechain_primitives::tx::{NodeRole, PublicKey};
use carechain_rpc_api::auth::{
    AuthError, Credentials, MAX_SKEW_MS, NodeIdentity, PUBLIC_METHODS, unix_ms,
};
use carechain_service::Node;
use http_body_util::{BodyExt, Limited};
use jsonrpsee::MethodResponse;
use jsonrpsee::core::BoxError;
use jsonrpsee::core::middleware::{
    Batch, BatchEntry, BatchEntryErr, Notification, ResponseFuture, RpcServiceT,
};
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse};
use jsonrpsee::types::{ErrorObject, ErrorObjectOwned, Request};
use serde_json::json;

/// The verdict on a request's `Authorization` header, left in its extensions by [`AuthLayer`].
/// No extension: the request had no header.
#[derive(Clone, Debug)]
pub(crate) enum Signed {
    /// A good signature by this key.
    By(PublicKey),
    /// A header that was refused, and why.
    Refused(AuthError),
}

/// The authenticated member a call runs as, in the call's extensions (set by [`RequireMember`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The member's key.
    pub key: PublicKey,
    /// Its organisation.
    pub org: String,
    /// Its network roles.
    pub roles: Vec<NodeRole>,
}

/// Most nonces remembered at once (all keys together); a member sending more signed requests
/// than this within the window is refused with `busy` until old ones expire.
const MAX_NONCES: usize = 500_000;

/// Verifies credentials for one node and remembers the nonces seen within the window.
pub(crate) struct Verifier {
    identity: NodeIdentity,
    max_body: usize,
    seen: Mutex<Nonces>,
}

#[derive(Default)]
struct Nonces {
    set: HashMap<([u8; 32], [u8; 16]), u64>,
    /// (expiry ms, key, nonce) in insertion order; expiry is not monotonic across clients, so
    /// an entry is dropped from the front only once expired, and the set is the truth.
    order: VecDeque<(u64, [u8; 32], [u8; 16])>,
}

impl Verifier {
    pub(crate) fn new(identity: NodeIdentity, max_body: usize) -> Self {
        Verifier {
            identity,
            max_body,
            seen: Mutex::new(Nonces::default()),
        }
    }

    /// The verdict on an `Authorization` header's value for `body`.
    fn check(&self, header: &[u8], body: &[u8]) -> Signed {
        match self.verify(header, body) {
            Ok(key) => Signed::By(key),
            Err(e) => Signed::Refused(e),
        }
    }

    fn verify(&self, header: &[u8], body: &[u8]) -> Result<PublicKey, AuthError> {
        let header = std::str::from_utf8(header)
            .map_err(|_| AuthError::Malformed("the header is not UTF-8".into()))?;
        let credentials = Credentials::parse(header)?;
        let now = unix_ms();
        credentials.verify(&self.identity, body, now)?;
        self.remember(&credentials, now)?;
        Ok(PublicKey(credentials.key))
    }

    /// Records the nonce; a nonce seen from the key within the window is a replay.
    fn remember(&self, c: &Credentials, now: u64) -> Result<(), AuthError> {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        while let Some(&(expiry, key, nonce)) = seen.order.front() {
            if expiry > now {
                break;
            }
            seen.order.pop_front();
            if seen.set.get(&(key, nonce)) == Some(&expiry) {
                seen.set.remove(&(key, nonce));
            }
        }
        // Past this time the timestamp check refuses the request anyway.
        let expiry = c.ts_ms.saturating_add(MAX_SKEW_MS).saturating_add(1);
        match seen.set.get(&(c.key, c.nonce)) {
            Some(&until) if until > now => return Err(AuthError::Replayed),
            _ => {}
        }
        if seen.set.len() >= MAX_NONCES {
            return Err(AuthError::Busy);
        }
        seen.set.insert((c.key, c.nonce), expiry);
        seen.order.push_back((expiry, c.key, c.nonce));
        Ok(())
    }
}

/// HTTP middleware: verifies the `Authorization` header (see the module's documentation).
#[derive(Clone)]
pub(crate) struct AuthLayer(pub(crate) Arc<Verifier>);

impl<S> tower::Layer<S> for AuthLayer {
    type Service = AuthHttp<S>;
    fn layer(&self, inner: S) -> AuthHttp<S> {
        AuthHttp {
            inner,
            verifier: self.0.clone(),
        }
    }
}

/// [`AuthLayer`]'s service.
#[derive(Clone)]
pub(crate) struct AuthHttp<S> {
    inner: S,
    verifier: Arc<Verifier>,
}

impl<S> tower::Service<HttpRequest> for AuthHttp<S>
where
    S: tower::Service<HttpRequest, Response = HttpResponse, Error = BoxError>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: HttpRequest) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let verifier = self.verifier.clone();
        Box::pin(async move {
            let Some(header) = request.headers().get(http::header::AUTHORIZATION).cloned() else {
                return inner.call(request).await;
            };
            let (mut parts, body) = request.into_parts();
            if parts.method != http::Method::POST {
                // A WebSocket upgrade (GET): signed over an empty body. Its body is passed on
                // untouched, so the upgrade still works.
                let verdict = verifier.check(header.as_bytes(), b"");
                parts.extensions.insert(verdict);
                return inner.call(HttpRequest::from_parts(parts, body)).await;
            }
            let bytes = match Limited::new(body, verifier.max_body).collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                    let max = u32::try_from(verifier.max_body).unwrap_or(u32::MAX);
                    return Ok(jsonrpsee::server::http::response::too_large(max));
                }
                Err(_) => return Ok(jsonrpsee::server::http::response::malformed()),
            };
            let verdict = verifier.check(header.as_bytes(), &bytes);
            parts.extensions.insert(verdict);
            let body = HttpBody::new(http_body_util::Full::new(bytes));
            inner.call(HttpRequest::from_parts(parts, body)).await
        })
    }
}

/// JSON-RPC middleware: every call but a public one runs as a consortium member (see the
/// module's documentation).
#[derive(Clone)]
pub(crate) struct RequireMember<S> {
    inner: S,
    node: Arc<Node>,
}

impl<S> RequireMember<S> {
    pub(crate) fn new(inner: S, node: Arc<Node>) -> Self {
        RequireMember { inner, node }
    }

    /// Who the call runs as, or why it may not run. `memo` holds the answer for the request's
    /// signer once found: every call of a batch carries the same signature, so the membership
    /// is read from the state once per batch, not once per call.
    fn admit(
        &self,
        request: &mut Request<'_>,
        memo: &mut Option<Result<Caller, Refusal>>,
    ) -> Result<(), ErrorObjectOwned> {
        if PUBLIC_METHODS.contains(&request.method_name()) {
            return Ok(());
        }
        let found = memo.get_or_insert_with(|| self.resolve(request.extensions().get::<Signed>()));
        match found {
            Ok(caller) => {
                request.extensions_mut().insert(caller.clone());
                Ok(())
            }
            Err(Refusal::Auth(e)) => Err(refused(e)),
            Err(Refusal::Internal(message)) => Err(ErrorObject::owned(
                carechain_rpc_api::codes::INTERNAL,
                message.clone(),
                None::<()>,
            )),
        }
    }

    /// The member a verdict names, in the committed state.
    fn resolve(&self, signed: Option<&Signed>) -> Result<Caller, Refusal> {
        let key = match signed {
            None => return Err(Refusal::Auth(AuthError::Missing)),
            Some(Signed::Refused(e)) => return Err(Refusal::Auth(e.clone())),
            Some(Signed::By(key)) => *key,
        };
        let internal = |e: carechain_chain::ChainError| Refusal::Internal(e.to_string());
        let Some(member) = self.node.chain().member(&key).map_err(internal)? else {
            return Err(Refusal::Auth(AuthError::NotAMember));
        };
        Ok(Caller {
            key,
            org: member.org,
            roles: member.roles,
        })
    }
}

/// Why a call may not run: its credentials, or a fault reading the state.
#[derive(Clone, Debug)]
pub(crate) enum Refusal {
    /// Refused credentials or membership.
    Auth(AuthError),
    /// The state could not be read.
    Internal(String),
}

/// The error answering a refused call; counted by reason.
pub(crate) fn refused(e: &AuthError) -> ErrorObjectOwned {
    metrics::counter!("carechain_rpc_refused_total", "reason" => e.reason()).increment(1);
    ErrorObject::owned(
        e.code(),
        e.to_string(),
        Some(json!({ "reason": e.reason() })),
    )
}

impl<S> RpcServiceT for RequireMember<S>
where
    S: RpcServiceT<
            MethodResponse = MethodResponse,
            BatchResponse = MethodResponse,
            NotificationResponse = MethodResponse,
        > + Send
        + Sync
        + Clone
        + 'static,
{
    type MethodResponse = S::MethodResponse;
    type NotificationResponse = S::NotificationResponse;
    type BatchResponse = S::BatchResponse;

    fn call<'a>(
        &self,
        mut request: Request<'a>,
    ) -> impl Future<Output = Self::MethodResponse> + Send + 'a {
        match self.admit(&mut request, &mut None) {
            Ok(()) => ResponseFuture::future(self.inner.call(request)),
            Err(e) => ResponseFuture::ready(MethodResponse::error(request.id, e)),
        }
    }

    fn batch<'a>(
        &self,
        mut requests: Batch<'a>,
    ) -> impl Future<Output = Self::BatchResponse> + Send + 'a {
        // The server's batch handler calls its own service, not this one: check each entry here.
        let mut memo = None;
        for entry in requests.iter_mut() {
            if let Ok(BatchEntry::Call(request)) = entry
                && let Err(e) = self.admit(request, &mut memo)
            {
                *entry = Err(BatchEntryErr::new(request.id(), e));
            }
        }
        self.inner.batch(requests)
    }

    fn notification<'a>(
        &self,
        n: Notification<'a>,
    ) -> impl Future<Output = Self::NotificationResponse> + Send + 'a {
        // Notifications get no answer and run nothing: the API has no notification methods.
        self.inner.notification(n)
    }
}
