//! Per-connection rate limit, as JSON-RPC middleware.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use carechain_rpc_api::codes;
use jsonrpsee::MethodResponse;
use jsonrpsee::core::middleware::{Batch, Notification, ResponseFuture, RpcServiceT};
use jsonrpsee::types::{ErrorObject, ErrorObjectOwned, Request};

/// Per-connection rate limit: a token bucket refilled at `rate` calls per second.
#[derive(Clone)]
pub(crate) struct RateLimit<S> {
    inner: S,
    rate: f64,
    bucket: Arc<Mutex<(f64, Instant)>>,
}

impl<S> RateLimit<S> {
    pub(crate) fn new(inner: S, rate: u32) -> Self {
        let rate = f64::from(rate.max(1));
        RateLimit {
            inner,
            rate,
            bucket: Arc::new(Mutex::new((rate, Instant::now()))),
        }
    }

    /// Takes `n` tokens if there are that many.
    fn take(&self, n: usize) -> bool {
        let mut bucket = self.bucket.lock().expect("rate limit lock");
        let now = Instant::now();
        let refill = now.duration_since(bucket.1).as_secs_f64() * self.rate;
        bucket.0 = (bucket.0 + refill).min(self.rate);
        bucket.1 = now;
        #[allow(clippy::cast_precision_loss)]
        let n = n as f64;
        if bucket.0 >= n {
            bucket.0 -= n;
            true
        } else {
            false
        }
    }
}

fn rate_limited() -> ErrorObjectOwned {
    ErrorObject::owned(
        codes::RATE_LIMITED,
        "too many calls on this connection; retry after a second",
        None::<()>,
    )
}

impl<S> RpcServiceT for RateLimit<S>
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
        request: Request<'a>,
    ) -> impl Future<Output = Self::MethodResponse> + Send + 'a {
        if self.take(1) {
            ResponseFuture::future(self.inner.call(request))
        } else {
            ResponseFuture::ready(MethodResponse::error(request.id, rate_limited()))
        }
    }

    fn batch<'a>(
        &self,
        requests: Batch<'a>,
    ) -> impl Future<Output = Self::BatchResponse> + Send + 'a {
        if self.take(requests.len()) {
            ResponseFuture::future(self.inner.batch(requests))
        } else {
            ResponseFuture::ready(MethodResponse::error(
                jsonrpsee::types::Id::Null,
                rate_limited(),
            ))
        }
    }

    fn notification<'a>(
        &self,
        n: Notification<'a>,
    ) -> impl Future<Output = Self::NotificationResponse> + Send + 'a {
        self.inner.notification(n)
    }
}
