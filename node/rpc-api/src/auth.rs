//! Signed requests: how a client proves, on every HTTP request and on each WebSocket's opening,
//! which consortium member key it speaks for.
//!
//! The request carries one header,
//!
//! ```text
//! Authorization: Carechain-Ed25519 key=<32 bytes hex>, ts=<Unix ms>, nonce=<16 bytes hex>, sig=<64 bytes hex>
//! ```
//!
//! where `sig` is the member's ed25519 signature ([`verify_strict`](ed25519_dalek::VerifyingKey::verify_strict)
//! on the node) over [`signed_message`]: a domain tag, the chain id, the addressed node's
//! proposer key, the timestamp, the nonce and the Blake2b-256 of the HTTP body. The body is the
//! JSON-RPC request or batch, so the signature covers every method and parameter in it; the
//! node key stops a request signed for one node from being replayed at another; the timestamp
//! must be within [`MAX_SKEW_MS`] of the node's clock, and the node refuses a nonce it has seen
//! from the key within that window, so a captured request cannot be sent again. A WebSocket is
//! authenticated once, by the same header on its upgrade request (an empty body); every call on
//! the connection is then the signer's.
//!
//! The node learns the signer from the header; membership (a key the consortium has not
//! removed) is checked at every call against the committed state, so a removed member's open
//! connection stops working at the next block. The few public methods ([`PUBLIC_METHODS`])
//! need no header.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

/// The `Authorization` scheme.
pub const SCHEME: &str = "Carechain-Ed25519";

/// Domain tag at the start of every signed request message (so a request signature can never
/// be taken for a transaction's or a block's).
pub const DOMAIN: &[u8] = b"carechain/rpc-request/v1";

/// How far a request's timestamp may be from the node's clock, either way (ms).
pub const MAX_SKEW_MS: u64 = 30_000;

/// Methods anyone may call without a signature: the chain's liveness, nothing about its
/// contents beyond block headers.
pub const PUBLIC_METHODS: &[&str] = &[
    "cc_status",
    "cc_head",
    "cc_subscribeHeads",
    "cc_unsubscribeHeads",
];

/// The node a request is addressed to: the chain and the node's proposer key, both in
/// `cc_status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeIdentity {
    /// The chain id.
    pub chain_id: String,
    /// The node's proposer key.
    pub node: [u8; 32],
}

/// Why a request's credentials were refused. Each is answered as
/// [`codes::UNAUTHENTICATED`](crate::codes::UNAUTHENTICATED) (the last three as
/// [`codes::FORBIDDEN`](crate::codes::FORBIDDEN)) with `data.reason` = [`AuthError::reason`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization` header, on a method that is not public.
    #[error("this method needs a consortium member's signed request ({SCHEME})")]
    Missing,
    /// The header is not `Carechain-Ed25519 key=.., ts=.., nonce=.., sig=..`.
    #[error("malformed Authorization header: {0}")]
    Malformed(String),
    /// The signature does not verify for this node, body, timestamp and nonce.
    #[error("the request's signature does not verify")]
    BadSignature,
    /// The timestamp is further than [`MAX_SKEW_MS`] from the node's clock.
    #[error(
        "the request's timestamp is {skew_ms} ms from the node's clock (at most {MAX_SKEW_MS})"
    )]
    Expired {
        /// How far off it is, ms.
        skew_ms: u64,
    },
    /// The key sent this nonce before, within the window.
    #[error("the request was replayed (nonce already seen from this key)")]
    Replayed,
    /// The node remembers too many nonces to take another now (a member flooding it).
    #[error("too many signed requests in the replay window; retry shortly")]
    Busy,
    /// The key is not a member of the consortium (never was, or was removed).
    #[error("the signing key is not a member of the consortium")]
    NotAMember,
    /// The request names a caller other than the key that signed it.
    #[error("the request's caller is not the signing key's account")]
    CallerMismatch,
    /// The node's read policy does not let this member read the raw ledger this way (see the
    /// node's `[read_policy]`); contract queries are the way to read records.
    #[error("the read policy does not let this member read {0}; query the contract instead")]
    ReadPolicy(&'static str),
}

impl AuthError {
    /// A stable name for `data.reason` and metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            AuthError::Missing => "missing",
            AuthError::Malformed(_) => "malformed",
            AuthError::BadSignature => "bad_signature",
            AuthError::Expired { .. } => "expired",
            AuthError::Replayed => "replayed",
            AuthError::Busy => "busy",
            AuthError::NotAMember => "not_a_member",
            AuthError::CallerMismatch => "caller_mismatch",
            AuthError::ReadPolicy(_) => "read_policy",
        }
    }

    /// The JSON-RPC code it is answered with.
    pub fn code(&self) -> i32 {
        match self {
            AuthError::NotAMember | AuthError::CallerMismatch | AuthError::ReadPolicy(_) => {
                crate::codes::FORBIDDEN
            }
            _ => crate::codes::UNAUTHENTICATED,
        }
    }
}

/// One request's credentials, as sent in the header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// The member's public key.
    pub key: [u8; 32],
    /// Unix time of signing, ms.
    pub ts_ms: u64,
    /// Random, once per request.
    pub nonce: [u8; 16],
    /// The signature over [`signed_message`].
    pub sig: [u8; 64],
}

/// Unix time now, ms: what a signer puts in `ts` and a verifier compares it with.
pub fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The bytes a request's signature covers.
pub fn signed_message(node: &NodeIdentity, ts_ms: u64, nonce: &[u8; 16], body: &[u8]) -> Vec<u8> {
    use blake2::{Blake2b, Digest, digest::consts::U32};
    let body_hash = Blake2b::<U32>::digest(body);
    let chain = node.chain_id.as_bytes();
    let mut m = Vec::with_capacity(DOMAIN.len() + 4 + chain.len() + 32 + 8 + 16 + 32);
    m.extend_from_slice(DOMAIN);
    m.extend_from_slice(&u32::try_from(chain.len()).unwrap_or(u32::MAX).to_le_bytes());
    m.extend_from_slice(chain);
    m.extend_from_slice(&node.node);
    m.extend_from_slice(&ts_ms.to_le_bytes());
    m.extend_from_slice(nonce);
    m.extend_from_slice(&body_hash);
    m
}

impl Credentials {
    /// Signs a request of `body` to `node` as `key`.
    pub fn sign(
        key: &SigningKey,
        node: &NodeIdentity,
        ts_ms: u64,
        nonce: [u8; 16],
        body: &[u8],
    ) -> Self {
        let sig = key.sign(&signed_message(node, ts_ms, &nonce, body));
        Credentials {
            key: key.verifying_key().to_bytes(),
            ts_ms,
            nonce,
            sig: sig.to_bytes(),
        }
    }

    /// The `Authorization` header's value.
    pub fn header_value(&self) -> String {
        format!(
            "{SCHEME} key={}, ts={}, nonce={}, sig={}",
            hex::encode(self.key),
            self.ts_ms,
            hex::encode(self.nonce),
            hex::encode(self.sig)
        )
    }

    /// Reads an `Authorization` header's value.
    ///
    /// # Errors
    /// [`AuthError::Malformed`], saying what is wrong.
    pub fn parse(value: &str) -> Result<Self, AuthError> {
        let bad = |why: &str| AuthError::Malformed(why.to_string());
        let rest = value
            .strip_prefix(SCHEME)
            .and_then(|r| r.strip_prefix(' '))
            .ok_or_else(|| bad("the scheme is not Carechain-Ed25519"))?;
        let (mut key, mut ts, mut nonce, mut sig) = (None, None, None, None);
        for part in rest.split(',') {
            let (name, v) = part
                .trim()
                .split_once('=')
                .ok_or_else(|| bad("expected name=value pairs"))?;
            let slot = match name {
                "key" => &mut key,
                "ts" => &mut ts,
                "nonce" => &mut nonce,
                "sig" => &mut sig,
                _ => return Err(bad("unknown parameter")),
            };
            if slot.replace(v).is_some() {
                return Err(bad("a parameter is repeated"));
            }
        }
        fn fixed<const N: usize>(v: Option<&str>, name: &str) -> Result<[u8; N], AuthError> {
            let v = v.ok_or_else(|| AuthError::Malformed(format!("{name} is missing")))?;
            let mut out = [0u8; N];
            hex::decode_to_slice(v, &mut out)
                .map_err(|_| AuthError::Malformed(format!("{name} is not {N} bytes of hex")))?;
            Ok(out)
        }
        Ok(Credentials {
            key: fixed(key, "key")?,
            ts_ms: ts
                .ok_or_else(|| bad("ts is missing"))?
                .parse()
                .map_err(|_| bad("ts is not Unix milliseconds"))?,
            nonce: fixed(nonce, "nonce")?,
            sig: fixed(sig, "sig")?,
        })
    }

    /// Checks the signature over `body` for `node`, and the timestamp against `now_ms` (the
    /// replay of a nonce is the node's to check: it remembers them).
    ///
    /// # Errors
    /// [`AuthError::BadSignature`] or [`AuthError::Expired`].
    pub fn verify(&self, node: &NodeIdentity, body: &[u8], now_ms: u64) -> Result<(), AuthError> {
        let skew_ms = now_ms.abs_diff(self.ts_ms);
        if skew_ms > MAX_SKEW_MS {
            return Err(AuthError::Expired { skew_ms });
        }
        let key = VerifyingKey::from_bytes(&self.key).map_err(|_| AuthError::BadSignature)?;
        key.verify_strict(
            &signed_message(node, self.ts_ms, &self.nonce, body),
            &Signature::from_bytes(&self.sig),
        )
        .map_err(|_| AuthError::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node() -> NodeIdentity {
        NodeIdentity {
            chain_id: "carechain-test".into(),
            node: [7; 32],
        }
    }

    #[test]
    fn a_signed_request_verifies_and_nothing_else_does() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let body = br#"{"jsonrpc":"2.0","id":1,"method":"cc_query","params":[]}"#;
        let c = Credentials::sign(&key, &node(), 1_000_000, [9; 16], body);
        let parsed = Credentials::parse(&c.header_value()).expect("own header parses");
        assert_eq!(parsed, c);
        assert_eq!(c.verify(&node(), body, 1_000_000), Ok(()));
        assert_eq!(c.verify(&node(), body, 1_000_000 + MAX_SKEW_MS), Ok(()));

        // Another body, another node, another chain, a changed timestamp or nonce: refused.
        assert_eq!(
            c.verify(&node(), b"{}", 1_000_000),
            Err(AuthError::BadSignature)
        );
        let other = NodeIdentity {
            node: [8; 32],
            ..node()
        };
        assert_eq!(
            c.verify(&other, body, 1_000_000),
            Err(AuthError::BadSignature)
        );
        let other = NodeIdentity {
            chain_id: "carechain-other".into(),
            ..node()
        };
        assert_eq!(
            c.verify(&other, body, 1_000_000),
            Err(AuthError::BadSignature)
        );
        let moved = Credentials {
            ts_ms: c.ts_ms + 1,
            ..c.clone()
        };
        assert_eq!(
            moved.verify(&node(), body, 1_000_000),
            Err(AuthError::BadSignature)
        );
        let renonced = Credentials {
            nonce: [0; 16],
            ..c.clone()
        };
        assert_eq!(
            renonced.verify(&node(), body, 1_000_000),
            Err(AuthError::BadSignature)
        );
        // Another key claiming the signature.
        let claimed = Credentials {
            key: SigningKey::from_bytes(&[2; 32]).verifying_key().to_bytes(),
            ..c.clone()
        };
        assert_eq!(
            claimed.verify(&node(), body, 1_000_000),
            Err(AuthError::BadSignature)
        );
        // Too old and too far ahead.
        assert_eq!(
            c.verify(&node(), body, 1_000_000 + MAX_SKEW_MS + 1),
            Err(AuthError::Expired {
                skew_ms: MAX_SKEW_MS + 1
            })
        );
        assert!(matches!(
            c.verify(&node(), body, 1_000_000 - MAX_SKEW_MS - 5),
            Err(AuthError::Expired { .. })
        ));
    }

    #[test]
    fn malformed_headers_are_named() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let good = Credentials::sign(&key, &node(), 5, [1; 16], b"").header_value();
        for (header, why) in [
            ("Bearer abc", "scheme"),
            ("Carechain-Ed25519 key=00", "key is not 32 bytes"),
            (&good.replace("ts=5", "ts=soon"), "ts is not Unix"),
            (&good.replace(", sig=", ", nonce=00, sig="), "repeated"),
            (&good.replace("nonce=", "salt="), "unknown parameter"),
            (good.split(", sig=").next().unwrap_or(""), "sig is missing"),
        ] {
            match Credentials::parse(header) {
                Err(AuthError::Malformed(m)) => assert!(m.contains(why), "{header}: {m}"),
                other => panic!("{header}: {other:?}"),
            }
        }
    }
}
