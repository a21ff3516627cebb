//! The client commands: `keys`, `deploy`, `call`, `query`, `events`, `proof`, `status`, `tx`,
//! `block`. They talk to a node over JSON-RPC (`--rpc`, default `$CARECHAIN_RPC` or
//! `http://127.0.0.1:9944`) and use a chain directory (`--dir`, default `carechain-dev`) for
//! keys (`keys/NAME.key`) and an address book of deployed contracts (`contracts.json`). When
//! the directory's node.toml has `[rpc_tls]`, the default address is `https://` and the
//! client trusts the certificate it names (`ca`, else the node's own `cert`); `--rpc-ca FILE`
//! trusts another PEM file instead.
//!
//! Names work wherever an address is expected: `--key st-mary-hospital`, a contract called
//! `consent`, and inside JSON arguments (`{"actor": "st-mary-hospital"}`) — a key name stands
//! for its account address, a contract name for the contract's address. JSON results go to
//! stdout, one document per line; progress for people goes to stderr.

use std::path::{Path, PathBuf};
use std::time::Duration;

use carechain_metadata::ContractMetadata;
use carechain_runtime::{Address, CodeHash};
use clap::{Args, Subcommand};
use ed25519_dalek::SigningKey;
use serde_json::{Value, json};

use super::exit;
use carechain_client::{Book, Client};
use carechain_primitives::tx::{Action, PublicKey};
use carechain_rpc_api::unhex;
use carechain_rpc_api::{
    BlockId, BlockTransactions, EventFilter, Hex32, Outcome, ProofRequest, QueryRequest,
};
use carechain_storage::{StateKey, StateProof, verify_proof_raw};

/// Default gas limit of `deploy` and `call`.
pub const DEFAULT_GAS: u64 = 1_000_000_000;

/// Where the node and the chain directory are.
#[derive(Args, Debug, Clone)]
pub struct Connection {
    /// The node's JSON-RPC address (default: `rpc_addr` of the chain directory's node.toml,
    /// else http://127.0.0.1:9944).
    #[arg(long = "rpc", env = "CARECHAIN_RPC")]
    pub rpc_arg: Option<String>,
    /// The chain directory: keys/ and contracts.json (the address book).
    #[arg(long, default_value = "carechain-dev")]
    pub dir: PathBuf,
    /// The member key requests to the node are signed with (a name in keys/ or a key file).
    /// Default: the command's own key (`--key` of a transaction, `--as` of a query), else the
    /// chain directory's node key (node.toml's `validator_key`).
    #[arg(long, env = "CARECHAIN_SIGNER")]
    pub signer: Option<String>,
    /// For an https:// or wss:// node: trust the certificates of this PEM file (the node's own
    /// certificate, or a CA bundle). Default: what the chain directory's node.toml `[rpc_tls]`
    /// names, else the platform's roots.
    #[arg(long, env = "CARECHAIN_RPC_CA")]
    pub rpc_ca: Option<PathBuf>,
}

impl Connection {
    /// A client of the node signing as `--signer`, else `own` (the command's key), else the
    /// chain directory's node key; anonymous (public methods only) if there is none.
    ///
    /// # Errors
    /// If the key cannot be read or the node cannot be reached.
    pub fn client(&self, book: &Book, own: Option<&str>) -> anyhow::Result<Client> {
        let key = match self.signer.as_deref().or(own) {
            Some(name) => Some(book.key(name)?),
            None => book.node_key().ok(),
        };
        let builder = Client::builder(&self.rpc()).trust(self.trust(book)?);
        Ok(match key {
            Some(key) => builder.signer(&key).connect()?,
            None => builder.connect()?,
        })
    }

    /// An anonymous client of the node (the public methods only).
    ///
    /// # Errors
    /// If the trusted certificates cannot be read or the address is not usable.
    pub fn anonymous(&self) -> anyhow::Result<Client> {
        let book = Book::load(&self.dir);
        Ok(Client::builder(&self.rpc())
            .trust(self.trust(&book)?)
            .connect()?)
    }

    /// The certificates trusted for a TLS node: `--rpc-ca`, else the chain directory's.
    ///
    /// # Errors
    /// If the file cannot be read or holds no certificate.
    pub(crate) fn trust(&self, book: &Book) -> anyhow::Result<Option<carechain_client::TlsTrust>> {
        Ok(match &self.rpc_ca {
            Some(file) => Some(carechain_client::TlsTrust::from_pem_file(file)?),
            None => book.rpc_trust()?,
        })
    }

    /// The node's JSON-RPC URL: `--rpc`, else the chain directory's node.toml (`https://`
    /// with `[rpc_tls]`; an unspecified address such as 0.0.0.0 as loopback), else the default.
    pub fn rpc(&self) -> String {
        if let Some(url) = &self.rpc_arg {
            return url.clone();
        }
        let Ok(dir) = crate::config::ChainDir::load(&self.dir) else {
            return format!("http://{}", crate::config::DEFAULT_RPC_ADDR);
        };
        let mut addr = dir.config.rpc_addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(match addr {
                std::net::SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                std::net::SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        let scheme = if dir.config.rpc_tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{addr}")
    }
}

/// Arguments of `carechain keys`.
#[derive(Args, Debug)]
pub struct KeysArgs {
    #[command(subcommand)]
    command: KeysCommand,
    /// The chain directory (keys are in its keys/).
    #[arg(long, default_value = "carechain-dev", global = true)]
    dir: PathBuf,
}

#[derive(Subcommand, Debug)]
enum KeysCommand {
    /// Create a key `keys/NAME.key` (a member key; an organisation must admit it, see the
    /// admin proposals).
    New {
        /// The key's name.
        name: String,
    },
    /// List the keys of the chain directory with their public keys and account addresses.
    List,
}

/// Arguments of `carechain deploy`.
#[derive(Args, Debug)]
pub struct DeployArgs {
    /// A contract of contracts/ by name (consent, claims, drug-trace, blood-bank, counter, ...)
    /// or the path of a .wasm file.
    pub contract: String,
    /// The constructor.
    #[arg(long, default_value = "new")]
    pub constructor: String,
    /// Constructor arguments as JSON: an object by name or an array in order.
    #[arg(long, default_value = "null")]
    pub args: String,
    /// Salt, to deploy the same code twice.
    #[arg(long, default_value = "")]
    pub salt: String,
    /// The name to record the address under in contracts.json (default: the contract's name).
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    send: SendOptions,
}

/// Arguments of `carechain call`.
#[derive(Args, Debug)]
pub struct CallArgs {
    /// The contract: a name of contracts.json or an address.
    pub contract: String,
    /// The message.
    pub message: String,
    /// Arguments as JSON: an object by name or an array in order.
    #[arg(long, default_value = "null")]
    pub args: String,
    #[command(flatten)]
    send: SendOptions,
}

/// Options of commands that send a transaction.
#[derive(Args, Debug)]
struct SendOptions {
    /// The signing key: a name in keys/ or a key file.
    #[arg(long)]
    key: String,
    /// Gas limit.
    #[arg(long, default_value_t = DEFAULT_GAS)]
    gas: u64,
    /// Wait for the receipt and print it (exit code 5 if the transaction reverted or failed).
    #[arg(long)]
    wait: bool,
    #[command(flatten)]
    connection: Connection,
}

/// Arguments of `carechain query`.
#[derive(Args, Debug)]
pub struct QueryArgs {
    /// The contract: a name of contracts.json or an address.
    pub contract: String,
    /// The message (a query, or a message run read-only).
    pub message: String,
    /// Arguments as JSON.
    #[arg(long, default_value = "null")]
    pub args: String,
    /// The member the query runs as (a key name in keys/ or a key file): the request is signed
    /// with this key and the contract sees its account as the caller. Default: `--signer`,
    /// else the chain directory's node key.
    #[arg(long = "as")]
    pub caller: Option<String>,
    /// The purpose of use (an HL7 v3 ActReason code: TREAT, ETREAT for break-the-glass,
    /// HPAYMT, ...), recorded with the read in the node's accounting of disclosures.
    #[arg(long)]
    pub purpose: Option<String>,
    #[command(flatten)]
    connection: Connection,
}

/// Arguments of `carechain events`.
#[derive(Args, Debug)]
pub struct EventsArgs {
    /// Only events of this contract (name or address).
    #[arg(long)]
    pub contract: Option<String>,
    /// Only events with this topic (hex), e.g. an event signature.
    #[arg(long)]
    pub topic: Option<String>,
    /// First block to read (without --follow).
    #[arg(long, default_value_t = 1)]
    pub from: u64,
    /// Keep following new blocks over WebSocket.
    #[arg(long)]
    pub follow: bool,
    #[command(flatten)]
    connection: Connection,
}

/// Arguments of `carechain proof`.
#[derive(Args, Debug)]
pub struct ProofArgs {
    /// The contract whose storage entry to prove (with --storage-key).
    #[arg(long, requires = "storage_key")]
    pub contract: Option<String>,
    /// The storage key (hex).
    #[arg(long)]
    pub storage_key: Option<String>,
    /// A raw state key (hex), instead of --contract/--storage-key.
    #[arg(long, conflicts_with_all = ["contract", "storage_key"])]
    pub state_key: Option<String>,
    /// The block height (default: the head).
    #[arg(long)]
    pub height: Option<u64>,
    #[command(flatten)]
    connection: Connection,
}

/// Arguments of `carechain tx`.
#[derive(Args, Debug)]
pub struct TxArgs {
    /// The transaction hash.
    pub hash: String,
    #[command(flatten)]
    connection: Connection,
}

/// Arguments of `carechain block`.
#[derive(Args, Debug)]
pub struct BlockArgs {
    /// Height or hash (default: the head).
    pub id: Option<String>,
    /// Include transactions and receipts.
    #[arg(long)]
    pub full: bool,
    #[command(flatten)]
    connection: Connection,
}

/// Arguments of `carechain status`.
#[derive(Args, Debug)]
pub struct StatusArgs {
    #[command(flatten)]
    connection: Connection,
}

/// Prints a JSON document on one line. A reader that went away (`| head`) ends the command
/// quietly, as for any Unix tool, instead of a panic.
pub(crate) fn print(value: &impl serde::Serialize) {
    use std::io::Write;
    match serde_json::to_string(value) {
        Ok(line) => {
            if let Err(e) = writeln!(std::io::stdout().lock(), "{line}") {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    std::process::exit(0);
                }
                eprintln!("error: cannot print the answer: {e}");
            }
        }
        Err(e) => eprintln!("error: cannot print the answer: {e}"),
    }
}

/// Runs a client command body, mapping errors to exit codes.
pub(crate) fn finish(result: anyhow::Result<u8>) -> u8 {
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::USAGE
        }
    }
}

fn parse_args(text: &str) -> anyhow::Result<Value> {
    serde_json::from_str(text).map_err(|e| anyhow::anyhow!("--args is not JSON: {e}"))
}

/// `carechain keys`.
pub fn keys(args: &KeysArgs) -> u8 {
    finish((|| {
        let keys_dir = args.dir.join("keys");
        match &args.command {
            KeysCommand::New { name } => {
                let path = keys_dir.join(format!("{name}.key"));
                if path.exists() {
                    anyhow::bail!("{} exists", path.display());
                }
                std::fs::create_dir_all(&keys_dir)?;
                let key = carechain_primitives::tx::generate_key()
                    .map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
                super::init::write_secret(&path, &hex::encode(key.to_bytes()))?;
                let public = PublicKey(key.verifying_key().to_bytes());
                print(
                    &json!({"name": name, "key_file": path, "public_key": public.to_hex(),
                    "address": hex::encode(public.address().0)}),
                );
            }
            KeysCommand::List => {
                let book = Book::load(&args.dir);
                for name in book.key_names() {
                    let key = book.key(&name)?;
                    let public = PublicKey(key.verifying_key().to_bytes());
                    print(&json!({"name": name, "public_key": public.to_hex(),
                        "address": hex::encode(public.address().0)}));
                }
            }
        }
        Ok(exit::OK)
    })())
}

/// Encodes `message` with JSON `args` through `metadata`, names resolved by `book`.
fn encode(
    metadata: &ContractMetadata,
    message: &carechain_metadata::Message,
    args: &Value,
    book: &Book,
) -> anyhow::Result<Vec<u8>> {
    let resolve = |name: &str| book.address(name).map(|a| a.0);
    metadata
        .encode_call(message, args, &resolve)
        .map_err(|e| anyhow::anyhow!("{}: {e}", message.name))
}

/// Sends `action`, then prints the hash or (with --wait) the committed transaction.
fn send_and_report(
    client: &Client,
    key: &SigningKey,
    action: Action,
    options: &SendOptions,
) -> anyhow::Result<(u8, Value)> {
    let hash = client.send(key, action, options.gas)?;
    if !options.wait {
        let out = json!({"hash": hash, "state": "pending"});
        return Ok((exit::OK, out));
    }
    let tx = client.wait(hash, Duration::from_secs(60))?;
    let code = if tx.succeeded() {
        exit::OK
    } else {
        exit::TX_FAILED
    };
    Ok((code, serde_json::to_value(tx)?))
}

/// `carechain deploy`.
pub fn deploy(args: &DeployArgs) -> u8 {
    finish((|| {
        let connection = &args.send.connection;
        let mut book = Book::load(&connection.dir);
        let (code, default_name) = match carechain_contracts::wasm(&args.contract) {
            Some(code) => (code.to_vec(), args.contract.clone()),
            None => {
                let path = Path::new(&args.contract);
                let code = std::fs::read(path).map_err(|e| {
                    anyhow::anyhow!(
                        "`{}` is neither a contract of contracts/ ({}) nor a readable .wasm file: {e}",
                        args.contract,
                        carechain_contracts::names().collect::<Vec<_>>().join(", ")
                    )
                })?;
                let stem = path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("contract")
                    .to_string();
                (code, stem)
            }
        };
        let metadata = ContractMetadata::from_wasm(&code)
            .map_err(|e| anyhow::anyhow!("reading the contract's metadata: {e}"))?
            .ok_or_else(|| anyhow::anyhow!("the module carries no carechain:metadata section"))?;
        let constructor = metadata
            .constructor(&args.constructor)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let input = encode(&metadata, constructor, &parse_args(&args.args)?, &book)?;
        let key = book.key(&args.send.key)?;
        let deployer = PublicKey(key.verifying_key().to_bytes()).address();
        let salt = args.salt.as_bytes().to_vec();
        let address = carechain_runtime::contract_address(
            &deployer,
            &CodeHash(carechain_primitives::hash::blake2b_256(&code)),
            &salt,
        );
        let client = connection.client(&book, Some(&args.send.key))?;
        let (code_out, mut out) = send_and_report(
            &client,
            &key,
            Action::Deploy { code, input, salt },
            &args.send,
        )?;
        let name = args.name.clone().unwrap_or(default_name);
        out["contract"] = json!(hex::encode(address.0));
        out["name"] = json!(name);
        if code_out == exit::OK {
            book.record(&name, &address)?;
            eprintln!(
                "contract `{name}` at {} (recorded in {})",
                hex::encode(address.0),
                connection.dir.join("contracts.json").display()
            );
        }
        print(&out);
        Ok(code_out)
    })())
}

/// A call of a deployed contract's message, encoded through the metadata the node has for it.
struct Encoded {
    book: Book,
    client: Client,
    contract: Address,
    input: Vec<u8>,
}

fn encode_on_node(
    connection: &Connection,
    own: Option<&str>,
    contract: &str,
    message: &str,
    args: &str,
) -> anyhow::Result<Encoded> {
    let book = Book::load(&connection.dir);
    let contract = book.contract(contract)?;
    let client = connection.client(&book, own)?;
    let metadata = client.metadata(&contract)?;
    let message = metadata
        .message(message)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let input = encode(&metadata, message, &parse_args(args)?, &book)?;
    Ok(Encoded {
        book,
        client,
        contract,
        input,
    })
}

/// `carechain call`.
pub fn call(args: &CallArgs) -> u8 {
    finish((|| {
        let Encoded {
            book,
            client,
            contract,
            input,
        } = encode_on_node(
            &args.send.connection,
            Some(&args.send.key),
            &args.contract,
            &args.message,
            &args.args,
        )?;
        let key = book.key(&args.send.key)?;
        let (code, out) =
            send_and_report(&client, &key, Action::Call { contract, input }, &args.send)?;
        print(&out);
        Ok(code)
    })())
}

/// `carechain query`.
pub fn query(args: &QueryArgs) -> u8 {
    finish((|| {
        let Encoded {
            client,
            contract,
            input,
            ..
        } = encode_on_node(
            &args.connection,
            args.caller.as_deref(),
            &args.contract,
            &args.message,
            &args.args,
        )?;
        // The caller is the signing member: the node runs the query as it.
        let out = client.query(QueryRequest {
            contract: Hex32(contract.0),
            input: Some(input.into()),
            purpose: args.purpose.clone(),
            ..QueryRequest::default()
        })?;
        print(&out);
        Ok(if out.outcome == Outcome::Success {
            exit::OK
        } else {
            exit::TX_FAILED
        })
    })())
}

/// `carechain events`.
pub fn events(args: &EventsArgs) -> u8 {
    finish((|| {
        let connection = &args.connection;
        let book = Book::load(&connection.dir);
        let contract = args
            .contract
            .as_deref()
            .map(|c| book.contract(c))
            .transpose()?
            .map(|a| Hex32(a.0));
        let topic = args
            .topic
            .as_deref()
            .map(|t| {
                Hex32::parse(t).ok_or_else(|| anyhow::anyhow!("--topic is not 32 bytes of hex"))
            })
            .transpose()?;
        let filter = EventFilter { contract, topic };
        let client = connection.client(&book, None)?;
        let head = client.head()?.height;
        if !args.follow {
            for height in args.from.max(1)..=head {
                let Some(block) = client.block(BlockId::Height(height), true)? else {
                    continue;
                };
                let BlockTransactions::Full(entries) = block.transactions else {
                    continue;
                };
                for entry in entries {
                    for mut event in entry.receipt.events {
                        if filter.matches(&event) {
                            event.block_height = Some(height);
                            event.tx_hash = Some(entry.transaction.hash);
                            print(&event);
                        }
                    }
                }
            }
            return Ok(exit::OK);
        }
        let ws = Connection {
            rpc_arg: Some(connection.rpc().replacen("http", "ws", 1)),
            ..connection.clone()
        }
        .client(&book, None)?;
        eprintln!("following events from block {} (Ctrl-C to stop)", head + 1);
        ws.follow_events(filter, |event| {
            print(&event);
            true
        })?;
        Ok(exit::OK)
    })())
}

/// `carechain proof`: fetches a state proof and verifies it here against the state root in the
/// block header.
pub fn proof(args: &ProofArgs) -> u8 {
    finish((|| {
        let connection = &args.connection;
        let book = Book::load(&connection.dir);
        let key = match (&args.contract, &args.storage_key, &args.state_key) {
            (Some(c), Some(k), None) => StateKey::Storage(
                book.contract(c)?,
                unhex(k).ok_or_else(|| anyhow::anyhow!("--storage-key is not hex"))?,
            )
            .encode(),
            (None, None, Some(k)) => {
                unhex(k).ok_or_else(|| anyhow::anyhow!("--state-key is not hex"))?
            }
            _ => anyhow::bail!("give --contract and --storage-key, or --state-key"),
        };
        let client = connection.client(&book, None)?;
        let answer = client.state_proof(ProofRequest {
            state_key: Some(key.clone().into()),
            height: args.height,
            ..ProofRequest::default()
        })?;
        let height = answer.height;
        // The root comes from the block header, not from the proof's answer.
        let root = client
            .block(BlockId::Height(height), false)?
            .ok_or_else(|| anyhow::anyhow!("the node has no block {height}"))?
            .header
            .state_root
            .0;
        let proof: StateProof = borsh::from_slice(&answer.proof.0)?;
        let value = answer.value.map(|v| v.0);
        let verdict = verify_proof_raw(&proof, root, &key, value.as_deref());
        print(&json!({
            "height": height,
            "state_root": hex::encode(root),
            "state_key": hex::encode(&key),
            "value": value.as_ref().map(hex::encode),
            "verified": verdict.is_ok(),
            "error": verdict.as_ref().err().map(ToString::to_string),
        }));
        Ok(if verdict.is_ok() {
            exit::OK
        } else {
            exit::PROOF_INVALID
        })
    })())
}

/// `carechain tx`.
pub fn tx(args: &TxArgs) -> u8 {
    finish((|| {
        let client = args
            .connection
            .client(&Book::load(&args.connection.dir), None)?;
        let hash = Hex32::parse(&args.hash)
            .ok_or_else(|| anyhow::anyhow!("a transaction hash is 32 bytes of hex"))?;
        print(&client.transaction(hash)?);
        Ok(exit::OK)
    })())
}

/// `carechain block`.
pub fn block(args: &BlockArgs) -> u8 {
    finish((|| {
        let client = args
            .connection
            .client(&Book::load(&args.connection.dir), None)?;
        let id = match &args.id {
            None => BlockId::Height(client.head()?.height),
            Some(id) => match id.parse::<u64>() {
                Ok(h) => BlockId::Height(h),
                Err(_) => BlockId::Hash(Hex32::parse(id).ok_or_else(|| {
                    anyhow::anyhow!("a block is a height or a 32-byte hash in hex")
                })?),
            },
        };
        print(&client.block(id, args.full)?);
        Ok(exit::OK)
    })())
}

/// `carechain status`.
pub fn status(args: &StatusArgs) -> u8 {
    finish((|| {
        let client = args.connection.anonymous()?;
        print(&client.status()?);
        Ok(exit::OK)
    })())
}
