//! A chain directory as clients see it: secret keys (`keys/NAME.key`), the address book of
//! deployed contracts (`contracts.json`), so names stand for addresses, and the certificates
//! its node's TLS port is trusted by (`[rpc_tls]` of `node.toml`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use carechain_primitives::tx::PublicKey;
use carechain_rpc_api::unhex;
use carechain_runtime::Address;
use ed25519_dalek::SigningKey;

/// A name that is not a key or a contract, or a file that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum BookError {
    /// No key of that name.
    #[error("no key `{name}`: neither a file nor {} (keys there: {known})", path.display())]
    NoKey {
        /// The name asked for.
        name: String,
        /// Where the key was looked for.
        path: PathBuf,
        /// The keys there are.
        known: String,
    },
    /// No contract of that name.
    #[error("no contract `{name}`: not an address and not in {} (known: {known})", book.display())]
    NoContract {
        /// The name asked for.
        name: String,
        /// The address book.
        book: PathBuf,
        /// The names it holds.
        known: String,
    },
    /// The address book could not be written.
    #[error("writing {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A key file could not be read.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// The chain directory has no `node.toml` naming a `validator_key`.
    #[error("{} names no validator_key (is this a chain directory? `carechain init` makes one)", path.display())]
    NoNodeKey {
        /// The node.toml looked at.
        path: PathBuf,
    },
    /// The certificates node.toml's `[rpc_tls]` names cannot be trusted.
    #[error(transparent)]
    Trust(#[from] crate::TlsTrustError),
}

/// A secret key file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The file cannot be read.
    #[error("reading key file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file does not hold 64 hex digits.
    #[error("{} is not a secret key (64 hex digits expected)", path.display())]
    NotAKey {
        /// The file.
        path: PathBuf,
    },
}

/// Reads a secret key file: 64 hex digits (as `carechain init` and `carechain keys` write them).
///
/// # Errors
/// If the file cannot be read or holds no key.
pub fn read_key(path: &Path) -> Result<SigningKey, KeyFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| KeyFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| KeyFileError::NotAKey {
            path: path.to_path_buf(),
        })?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// The chain directory's address book and keys.
pub struct Book {
    dir: PathBuf,
    contracts: BTreeMap<String, String>,
}

impl Book {
    /// The book of the chain directory `dir` (empty if it has no `contracts.json`).
    pub fn load(dir: &Path) -> Book {
        let contracts = std::fs::read_to_string(dir.join("contracts.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        Book {
            dir: dir.to_path_buf(),
            contracts,
        }
    }

    /// Records a deployed contract under `name` in `contracts.json`.
    ///
    /// # Errors
    /// If the file cannot be written.
    pub fn record(&mut self, name: &str, address: &Address) -> Result<(), BookError> {
        self.contracts
            .insert(name.to_string(), hex::encode(address.0));
        let file = self.dir.join("contracts.json");
        let io = |source| BookError::Write {
            path: file.clone(),
            source,
        };
        std::fs::create_dir_all(&self.dir).map_err(io)?;
        let text = serde_json::to_string_pretty(&self.contracts).unwrap_or_default() + "\n";
        std::fs::write(&file, text).map_err(io)
    }

    fn key_path(&self, name: &str) -> PathBuf {
        let as_path = PathBuf::from(name);
        if as_path.is_file() {
            as_path
        } else {
            self.dir.join("keys").join(format!("{name}.key"))
        }
    }

    /// The secret key called `name`: a file path, or `keys/NAME.key` of the chain directory.
    ///
    /// # Errors
    /// If there is no such key, or its file is not a key.
    pub fn key(&self, name: &str) -> Result<SigningKey, BookError> {
        let path = self.key_path(name);
        if !path.is_file() {
            return Err(BookError::NoKey {
                name: name.to_string(),
                path,
                known: self.key_names().join(", "),
            });
        }
        Ok(read_key(&path)?)
    }

    /// The chain directory's node key: `validator_key` of its `node.toml`. The key an operator
    /// signs requests to its own node with by default.
    ///
    /// # Errors
    /// [`BookError::NoNodeKey`] without a node.toml naming one; [`BookError::KeyFile`] if the
    /// file cannot be read.
    pub fn node_key(&self) -> Result<SigningKey, BookError> {
        let path = self.dir.join("node.toml");
        let named = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok())
            .and_then(|table| table.get("validator_key")?.as_str().map(PathBuf::from));
        match named {
            Some(file) => Ok(read_key(&self.dir.join(file))?),
            None => Err(BookError::NoNodeKey { path }),
        }
    }

    /// The certificates to trust for the node of this chain directory, if its `node.toml` has
    /// an `[rpc_tls]` section: its `ca` file (a CA bundle), else its `cert` (the node's own
    /// certificate, pinned). `None` without the section (a plaintext node on loopback).
    ///
    /// # Errors
    /// [`BookError::Trust`] if the file cannot be read or holds no certificate.
    pub fn rpc_trust(&self) -> Result<Option<crate::TlsTrust>, BookError> {
        let section = std::fs::read_to_string(self.dir.join("node.toml"))
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok())
            .and_then(|table| table.get("rpc_tls")?.as_table().cloned());
        let Some(section) = section else {
            return Ok(None);
        };
        let file = ["ca", "cert"]
            .iter()
            .find_map(|field| section.get(*field)?.as_str());
        match file {
            Some(file) => Ok(Some(crate::TlsTrust::from_pem_file(&self.dir.join(file))?)),
            None => Ok(None),
        }
    }

    /// The names of the chain directory's keys, sorted.
    pub fn key_names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.join("keys"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                e.file_name()
                    .to_str()
                    .and_then(|n| n.strip_suffix(".key"))
                    .map(str::to_string)
            })
            .collect();
        names.sort();
        names
    }

    /// A name's address: a contract of the book, or a key's account.
    pub fn address(&self, name: &str) -> Option<Address> {
        if let Some(hex_address) = self.contracts.get(name) {
            return parse_address(hex_address);
        }
        if let Some(a) = parse_address(name) {
            return Some(a);
        }
        let path = self.dir.join("keys").join(format!("{name}.key"));
        let key = read_key(&path).ok()?;
        Some(PublicKey(key.verifying_key().to_bytes()).address())
    }

    /// A contract's address: a name of the book, or an address in hex.
    ///
    /// # Errors
    /// If the name is neither.
    pub fn contract(&self, name: &str) -> Result<Address, BookError> {
        self.contracts
            .get(name)
            .and_then(|a| parse_address(a))
            .or_else(|| parse_address(name))
            .ok_or_else(|| BookError::NoContract {
                name: name.to_string(),
                book: self.dir.join("contracts.json"),
                known: self
                    .contracts
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

fn parse_address(text: &str) -> Option<Address> {
    unhex(text)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .map(Address)
}
