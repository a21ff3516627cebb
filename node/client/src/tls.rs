//! Which certificates a client trusts for a node's `https://` or `wss://` RPC port.
//!
//! A trust file is PEM certificates, each a trust anchor: the node's own self-signed
//! certificate (`tls/NODE.crt` of the chain directory, which `carechain init` writes: the
//! client then accepts that certificate and no other, a pin), or the CA certificates of a
//! consortium CA that issued the nodes' certificates. Either way the certificate's names must
//! match the host of the URL, and nothing else the system trusts is accepted.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// The certificates a client trusts for a node's TLS port, as a rustls client configuration.
#[derive(Clone)]
pub struct TlsTrust {
    config: Arc<ClientConfig>,
}

impl std::fmt::Debug for TlsTrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsTrust").finish_non_exhaustive()
    }
}

/// A trust file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsTrustError {
    /// The file cannot be read or is not PEM.
    #[error("cannot read the certificates to trust from {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: rustls_pki_types::pem::Error,
    },
    /// The file holds no certificate that can be a trust anchor.
    #[error("{path} holds no usable PEM certificate")]
    NoCertificate {
        /// The file.
        path: PathBuf,
    },
    /// rustls cannot make a client configuration.
    #[error("TLS client configuration: {0}")]
    Config(#[from] rustls::Error),
}

impl TlsTrust {
    /// Trust the certificates of the PEM file `path` (a node's pinned certificate or a CA
    /// bundle), and nothing else.
    ///
    /// # Errors
    /// [`TlsTrustError`] if the file cannot be read or holds no usable certificate.
    pub fn from_pem_file(path: &Path) -> Result<Self, TlsTrustError> {
        let read = |source| TlsTrustError::Read {
            path: path.to_path_buf(),
            source,
        };
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(read)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(read)?;
        let mut roots = RootCertStore::empty();
        let (added, _ignored) = roots.add_parsable_certificates(certs);
        if added == 0 {
            return Err(TlsTrustError::NoCertificate {
                path: path.to_path_buf(),
            });
        }
        Self::from_roots(roots)
    }

    /// Trust the anchors of `roots`, and nothing else.
    ///
    /// # Errors
    /// [`TlsTrustError::Config`] if rustls cannot make a configuration.
    pub fn from_roots(roots: RootCertStore) -> Result<Self, TlsTrustError> {
        // ring, named: the provider jsonrpsee's TLS transports are built with.
        let config =
            ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()?
                .with_root_certificates(roots)
                .with_no_client_auth();
        Ok(TlsTrust {
            config: Arc::new(config),
        })
    }

    /// The rustls configuration jsonrpsee's transports take.
    pub(crate) fn client_config(&self) -> ClientConfig {
        ClientConfig::clone(&self.config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trust_file_needs_a_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        let cert = dir.path().join("node.crt");
        let key = dir.path().join("node.key");
        std::fs::write(&cert, made.cert.pem()).unwrap();
        std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();

        TlsTrust::from_pem_file(&cert).unwrap();
        assert!(matches!(
            TlsTrust::from_pem_file(&dir.path().join("missing.crt")),
            Err(TlsTrustError::Read { .. })
        ));
        // A key file is PEM, but holds nothing to trust.
        assert!(matches!(
            TlsTrust::from_pem_file(&key),
            Err(TlsTrustError::NoCertificate { path }) if path == key
        ));
    }
}
