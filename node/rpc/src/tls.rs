//! TLS on the RPC port: the node's certificate and key (PEM files) as a rustls server, and the
//! accept loop that puts jsonrpsee's service (HTTP and WebSocket, every layer) behind it.
//!
//! A node listening beyond loopback must serve TLS ([`crate::StartError::PlaintextBeyondLoopback`]):
//! its clients' signed requests hide nothing of what they ask and what they are answered, and
//! the patients' data a query returns must not cross a network in clear.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use jsonrpsee::server::StopHandle;
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// How long a client has to finish the TLS handshake: a connection that stalls in it holds a
/// socket and a task, so it is closed.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The RPC port's TLS identity: the node's certificate chain and private key, ready to accept
/// connections (TLS 1.2 and 1.3, HTTP/1.1, no client certificates: clients authenticate by
/// signing their requests).
#[derive(Clone)]
pub struct RpcTls {
    acceptor: TlsAcceptor,
}

impl std::fmt::Debug for RpcTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RpcTls").finish_non_exhaustive()
    }
}

/// The RPC port's certificate or key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The certificate chain file cannot be read or is not PEM.
    #[error("cannot read the RPC certificate chain {path}: {source}")]
    Certificates {
        /// The file.
        path: PathBuf,
        /// Why.
        source: rustls_pki_types::pem::Error,
    },
    /// The certificate chain file holds no certificate.
    #[error("{path} holds no PEM certificate")]
    NoCertificate {
        /// The file.
        path: PathBuf,
    },
    /// The private key file cannot be read, is not PEM or holds no private key.
    #[error("cannot read the RPC private key {path}: {source}")]
    Key {
        /// The file.
        path: PathBuf,
        /// Why.
        source: rustls_pki_types::pem::Error,
    },
    /// rustls refuses the pair (the key does not match the certificate, or is of a kind it
    /// does not support).
    #[error("the RPC certificate and key cannot serve TLS: {0}")]
    Config(#[from] rustls::Error),
}

impl RpcTls {
    /// The identity in `cert_chain` (PEM certificates, the node's first, then any
    /// intermediates) and `key` (a PEM private key: PKCS#8, SEC1 or PKCS#1).
    ///
    /// # Errors
    /// [`TlsError`] if a file cannot be read or the pair is not usable.
    pub fn from_pem_files(cert_chain: &Path, key: &Path) -> Result<Self, TlsError> {
        let certs = CertificateDer::pem_file_iter(cert_chain)
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(|source| TlsError::Certificates {
                path: cert_chain.to_path_buf(),
                source,
            })?;
        if certs.is_empty() {
            return Err(TlsError::NoCertificate {
                path: cert_chain.to_path_buf(),
            });
        }
        let key = PrivateKeyDer::from_pem_file(key).map_err(|source| TlsError::Key {
            path: key.to_path_buf(),
            source,
        })?;
        Self::new(certs, key)
    }

    /// The identity of `certs` (the node's certificate first) and `key`.
    ///
    /// # Errors
    /// [`TlsError::Config`] if rustls refuses the pair.
    pub fn new(
        certs: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Result<Self, TlsError> {
        // The provider is named, not taken from the process default: jsonrpsee's clients link
        // ring, and a second provider in the build would make the default ambiguous.
        let mut config =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()?
                .with_no_client_auth()
                .with_single_cert(certs, key)?;
        // HTTP/1.1 only, as on the plaintext port: WebSocket upgrades need it.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(RpcTls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }
}

/// Accepts connections on `listener` until `stop`, completes each one's TLS handshake (in its
/// own task, within [`HANDSHAKE_TIMEOUT`]) and hands the stream to `serve` with a stop handle.
pub(crate) async fn accept<F, Fut, E>(
    listener: TcpListener,
    tls: RpcTls,
    stop: StopHandle,
    serve: F,
) where
    F: Fn(TlsStream<TcpStream>, StopHandle) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: std::fmt::Display,
{
    let serve = Arc::new(serve);
    let stopped = stop.clone().shutdown();
    tokio::pin!(stopped);
    loop {
        let (socket, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::debug!(%error, "accepting an RPC connection failed");
                    continue;
                }
            },
            () = &mut stopped => break,
        };
        let (acceptor, serve, stop) = (tls.acceptor.clone(), serve.clone(), stop.clone());
        tokio::spawn(async move {
            let _ = socket.set_nodelay(true);
            let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(socket))
                .await
            {
                Ok(Ok(stream)) => stream,
                Ok(Err(error)) => {
                    metrics::counter!("carechain_rpc_tls_handshake_failures_total").increment(1);
                    tracing::debug!(%remote, %error, "TLS handshake failed");
                    return;
                }
                Err(_) => {
                    metrics::counter!("carechain_rpc_tls_handshake_failures_total").increment(1);
                    tracing::debug!(%remote, "TLS handshake timed out");
                    return;
                }
            };
            if let Err(error) = serve(stream, stop).await {
                tracing::debug!(%remote, %error, "RPC connection ended with an error");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-signed certificate for `localhost` and its key, PEM.
    fn pair() -> (String, String) {
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        (made.cert.pem(), made.signing_key.serialize_pem())
    }

    #[test]
    fn a_certificate_and_its_key_make_an_identity_and_mismatches_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name);
        let (cert, key) = pair();
        let (_, other_key) = pair();
        std::fs::write(path("node.crt"), &cert).unwrap();
        std::fs::write(path("node.key"), &key).unwrap();
        std::fs::write(path("other.key"), &other_key).unwrap();
        std::fs::write(path("empty.crt"), "").unwrap();
        // The key written where the certificate should be: PEM, but no certificate in it.
        std::fs::write(path("key-as.crt"), &key).unwrap();

        RpcTls::from_pem_files(&path("node.crt"), &path("node.key")).unwrap();
        assert!(matches!(
            RpcTls::from_pem_files(&path("missing.crt"), &path("node.key")),
            Err(TlsError::Certificates { path: p, .. }) if p == path("missing.crt")
        ));
        for no_certificate in ["empty.crt", "key-as.crt"] {
            assert!(matches!(
                RpcTls::from_pem_files(&path(no_certificate), &path("node.key")),
                Err(TlsError::NoCertificate { path: p }) if p == path(no_certificate)
            ));
        }
        assert!(matches!(
            RpcTls::from_pem_files(&path("node.crt"), &path("node.crt")),
            Err(TlsError::Key { path: p, .. }) if p == path("node.crt")
        ));
        assert!(matches!(
            RpcTls::from_pem_files(&path("node.crt"), &path("other.key")),
            Err(TlsError::Config(_))
        ));
    }
}
