//! [`Runtime`]: the configured pipeline `validate -> instrument -> compile (cached)`; executing a
//! message on it is `exec`'s.

use std::fmt;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use carechain_abi::{Address, CodeHash};
use lru::LruCache;

use crate::config::{EngineKind, Limits};
use crate::engine::{self, Compiled};
use crate::gas::GasSchedule;
use crate::instrument::instrument;
use crate::outcome::Failure;
use crate::state::{Overlay, StateError, blake2b_256};
use crate::validate::{ValidatedModule, ValidationError, validate};

/// Everything that configures a [`Runtime`].
#[derive(Clone, Debug)]
pub struct RuntimeConfig {
    /// The engine. Default: wasmtime.
    pub engine: EngineKind,
    /// Deploy-time and execution limits (consensus-critical).
    pub limits: Limits,
    /// The gas schedule (consensus-critical).
    pub schedule: GasSchedule,
    /// How many compiled modules to keep, by code hash. Default: 256.
    pub cache_capacity: usize,
    /// Record `debug_log` messages in results (the sandbox does; validators do not). Default: false.
    pub record_debug: bool,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            engine: EngineKind::Wasmtime,
            limits: Limits::default(),
            schedule: GasSchedule::default(),
            cache_capacity: 256,
            record_debug: false,
        }
    }
}

impl RuntimeConfig {
    /// The default configuration on the given engine.
    pub fn for_engine(engine: EngineKind) -> Self {
        RuntimeConfig {
            engine,
            ..Default::default()
        }
    }
}

/// A top-level message to execute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// Create a contract from `code`, running its `deploy` export with `input`.
    Deploy {
        /// The deploying account; the constructor's caller.
        deployer: Address,
        /// Original wasm code.
        code: Vec<u8>,
        /// Constructor input.
        input: Vec<u8>,
        /// Salt for the contract address.
        salt: Vec<u8>,
    },
    /// Call a contract's `call` export.
    Call {
        /// The calling account.
        caller: Address,
        /// The contract.
        contract: Address,
        /// The input (selector + SCALE arguments for SDK contracts).
        input: Vec<u8>,
    },
    /// Like [`Message::Call`], but read-only: storage writes and events trap with
    /// `write_in_query`, and nothing is committed.
    Query {
        /// The querying account.
        caller: Address,
        /// The contract.
        contract: Address,
        /// The input.
        input: Vec<u8>,
    },
}

/// A module validated, instrumented and compiled for this runtime's engine.
pub(crate) struct Prepared {
    pub compiled: Box<dyn Compiled>,
    pub initial_pages: u32,
    pub data_bytes: u64,
}

pub(crate) struct Inner {
    pub(crate) config: RuntimeConfig,
    engine: Box<dyn engine::Engine>,
    cache: Mutex<LruCache<CodeHash, Arc<Prepared>>>,
}

/// A configured runtime: one engine, one gas schedule, one set of limits, and a bounded cache of
/// compiled modules keyed by code hash. Cheap to clone and safe to share between threads.
#[derive(Clone)]
pub struct Runtime {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("engine", &self.inner.config.engine)
            .finish()
    }
}

/// The runtime could not be created.
#[derive(Debug, thiserror::Error)]
#[error("cannot configure the {engine} engine: {message}")]
pub struct RuntimeError {
    /// The engine.
    pub engine: EngineKind,
    /// The engine's explanation.
    pub message: String,
}

impl Runtime {
    /// Creates a runtime.
    ///
    /// # Errors
    ///
    /// [`RuntimeError`] if the engine refuses the configuration.
    pub fn new(config: RuntimeConfig) -> Result<Self, RuntimeError> {
        let engine = engine::create(config.engine, &config.limits).map_err(|e| RuntimeError {
            engine: config.engine,
            message: e.to_string(),
        })?;
        let capacity = NonZeroUsize::new(config.cache_capacity.max(1)).unwrap_or(NonZeroUsize::MIN);
        Ok(Runtime {
            inner: Arc::new(Inner {
                config,
                engine,
                cache: Mutex::new(LruCache::new(capacity)),
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &RuntimeConfig {
        &self.inner.config
    }

    /// The engine.
    pub fn engine(&self) -> EngineKind {
        self.inner.config.engine
    }

    /// The gas schedule.
    pub fn schedule(&self) -> &GasSchedule {
        &self.inner.config.schedule
    }

    /// The limits.
    pub fn limits(&self) -> &Limits {
        &self.inner.config.limits
    }

    /// Validates, instruments and compiles `code`, caches the result and returns its hash.
    ///
    /// # Errors
    ///
    /// The [`ValidationError`] that refused the module.
    pub fn prepare(&self, code: &[u8]) -> Result<CodeHash, ValidationError> {
        let hash = CodeHash(blake2b_256(code));
        if self.cached(&hash).is_none() {
            let prepared = self.compile(code)?;
            self.lock_cache().put(hash, Arc::new(prepared));
        }
        Ok(hash)
    }

    /// Runs validation only (no compilation): what a node checks before accepting a deploy.
    ///
    /// # Errors
    ///
    /// The [`ValidationError`] that refused the module.
    pub fn validate(&self, code: &[u8]) -> Result<(), ValidationError> {
        validate(code, self.limits()).map(|_| ())
    }

    /// Validates and instruments `code`, returning the instrumented bytes (for inspection and
    /// benchmarks).
    ///
    /// # Errors
    ///
    /// The [`ValidationError`] that refused the module.
    pub fn instrumented(&self, code: &[u8]) -> Result<Vec<u8>, ValidationError> {
        self.validate_and_instrument(code).map(|(_, bytes)| bytes)
    }

    fn validate_and_instrument(
        &self,
        code: &[u8],
    ) -> Result<(ValidatedModule, Vec<u8>), ValidationError> {
        let module = validate(code, self.limits())?;
        let instrumented =
            instrument(code, &module, self.schedule(), self.limits()).map_err(|e| {
                ValidationError::Malformed {
                    offset: 0,
                    message: e.to_string(),
                }
            })?;
        Ok((module, instrumented))
    }

    fn compile(&self, code: &[u8]) -> Result<Prepared, ValidationError> {
        let (module, instrumented) = self.validate_and_instrument(code)?;
        let compiled =
            self.inner
                .engine
                .compile(&instrumented)
                .map_err(|e| ValidationError::Malformed {
                    offset: 0,
                    message: e.to_string(),
                })?;
        Ok(Prepared {
            compiled,
            initial_pages: module.initial_pages,
            data_bytes: module.data_bytes,
        })
    }

    fn lock_cache(&self) -> std::sync::MutexGuard<'_, LruCache<CodeHash, Arc<Prepared>>> {
        // A panic while holding the lock cannot leave the cache inconsistent (a put or a get).
        self.inner
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn cached(&self, hash: &CodeHash) -> Option<Arc<Prepared>> {
        self.lock_cache().get(hash).cloned()
    }

    /// The prepared module for `hash`, compiling the code found in `overlay` on a cache miss:
    /// the outer error is a failed state read, the inner one the call's failure.
    pub(crate) fn load(
        &self,
        hash: &CodeHash,
        overlay: &Overlay,
    ) -> Result<Result<Arc<Prepared>, Failure>, StateError> {
        if let Some(p) = self.cached(hash) {
            return Ok(Ok(p));
        }
        let Some(code) = overlay.code(hash)? else {
            return Ok(Err(Failure::InvalidModule(ValidationError::Malformed {
                offset: 0,
                message: "code not found".into(),
            })));
        };
        let prepared = match self.compile(&code) {
            Ok(prepared) => Arc::new(prepared),
            Err(e) => return Ok(Err(Failure::InvalidModule(e))),
        };
        self.lock_cache().put(*hash, prepared.clone());
        Ok(Ok(prepared))
    }
}
