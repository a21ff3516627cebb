//! The gas schedule: the price of every instruction class, host function and byte.
//!
//! Gas is Carechain's, not the engine's: the instrumentation charges each basic block's cost from
//! this schedule before the block runs, and host functions charge from the same schedule. The
//! schedule is one versioned struct because it is part of consensus: changing any number changes
//! gas figures and therefore receipts, so a change must bump [`GasSchedule::version`].
//!
//! The unit is calibrated loosely to one nanosecond of wasmtime execution on the reference machine
//! (see `docs/BENCHMARKS.md`): a simple integer instruction costs 1, an ed25519 verification (~60
//! microseconds) 60 000.

use wasmparser::Operator;

/// Price of one wasm instruction, by class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstructionCosts {
    /// Constants, locals, `drop`, `select`, `nop`, comparisons and simple integer arithmetic.
    pub simple: u64,
    /// `global.get` / `global.set`.
    pub global: u64,
    /// `i32.mul` / `i64.mul`.
    pub multiply: u64,
    /// Division and remainder (they may trap and are slow on every CPU).
    pub divide: u64,
    /// Memory loads.
    pub load: u64,
    /// Memory stores.
    pub store: u64,
    /// `br`, `br_if`, `if`, `else`, `return`, `unreachable` and entering a `block` or `loop`.
    pub branch: u64,
    /// `br_table`: this plus [`InstructionCosts::br_table_per_target`] for each target.
    pub br_table: u64,
    /// Extra cost per `br_table` target.
    pub br_table_per_target: u64,
    /// A direct call (host calls also pay their own price).
    pub call: u64,
    /// An indirect call through the table.
    pub call_indirect: u64,
    /// `memory.size`.
    pub memory_size: u64,
    /// `memory.grow`, before the per-page price.
    pub memory_grow: u64,
    /// Per 64 KiB page requested by `memory.grow`.
    pub memory_page: u64,
}

/// Price of host functions and the bytes they move.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostCosts {
    /// Base price of any host function call.
    pub host_call: u64,
    /// Per byte copied from contract memory to the host (keys, values, messages, input to hash).
    pub read_byte: u64,
    /// Per byte copied from the host into contract memory.
    pub write_byte: u64,
    /// A storage read, before bytes.
    pub storage_read: u64,
    /// Per byte of value read from storage.
    pub storage_read_byte: u64,
    /// A storage write or remove, before bytes.
    pub storage_write: u64,
    /// Per byte of key and value stored.
    pub storage_write_byte: u64,
    /// An event, before topics and data.
    pub event: u64,
    /// Per event topic.
    pub event_topic: u64,
    /// Per byte of event data emitted.
    pub event_byte: u64,
    /// A Blake2b-256 hash, before bytes.
    pub hash: u64,
    /// Per byte hashed.
    pub hash_byte: u64,
    /// One ed25519 signature verification (before the message's bytes, paid as `hash_byte`).
    pub ed25519_verify: u64,
    /// A cross-contract call, before the callee's own gas.
    pub call_contract: u64,
    /// Instantiating a contract for a call.
    pub instantiate: u64,
    /// Per page of initial memory at instantiation.
    pub instantiate_page: u64,
    /// Per byte of code deployed (validation, instrumentation and compilation).
    pub deploy_byte: u64,
}

/// The complete, versioned gas schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GasSchedule {
    /// Version of this schedule; bumped whenever any price changes.
    pub version: u32,
    /// Per-instruction prices.
    pub instructions: InstructionCosts,
    /// Host function and per-byte prices.
    pub host: HostCosts,
}

impl Default for GasSchedule {
    fn default() -> Self {
        GasSchedule {
            version: 1,
            instructions: InstructionCosts {
                simple: 1,
                global: 2,
                multiply: 3,
                divide: 10,
                load: 3,
                store: 3,
                branch: 2,
                br_table: 4,
                br_table_per_target: 1,
                call: 10,
                call_indirect: 15,
                memory_size: 5,
                memory_grow: 500,
                memory_page: 5_000,
            },
            host: HostCosts {
                host_call: 50,
                read_byte: 1,
                write_byte: 1,
                storage_read: 2_000,
                storage_read_byte: 2,
                storage_write: 10_000,
                storage_write_byte: 20,
                event: 2_000,
                event_topic: 500,
                event_byte: 10,
                hash: 200,
                hash_byte: 3,
                ed25519_verify: 60_000,
                call_contract: 5_000,
                instantiate: 2_000,
                instantiate_page: 500,
                deploy_byte: 50,
            },
        }
    }
}

impl InstructionCosts {
    /// The static cost of one instruction. `memory.grow` returns only its base price; the
    /// per-page price is charged at run time by the instrumentation.
    pub fn of(&self, op: &Operator<'_>) -> u64 {
        use Operator as O;
        match op {
            O::End | O::Nop => 0,
            O::Block { .. } | O::Loop { .. } => 0,
            O::If { .. } | O::Else | O::Br { .. } | O::BrIf { .. } | O::Return | O::Unreachable => {
                self.branch
            }
            O::BrTable { targets } => self.br_table.saturating_add(
                self.br_table_per_target
                    .saturating_mul(u64::from(targets.len())),
            ),
            O::Call { .. } => self.call,
            O::CallIndirect { .. } => self.call_indirect,
            O::GlobalGet { .. } | O::GlobalSet { .. } => self.global,
            O::I32Mul | O::I64Mul => self.multiply,
            O::I32DivS
            | O::I32DivU
            | O::I32RemS
            | O::I32RemU
            | O::I64DivS
            | O::I64DivU
            | O::I64RemS
            | O::I64RemU => self.divide,
            O::I32Load { .. }
            | O::I64Load { .. }
            | O::I32Load8S { .. }
            | O::I32Load8U { .. }
            | O::I32Load16S { .. }
            | O::I32Load16U { .. }
            | O::I64Load8S { .. }
            | O::I64Load8U { .. }
            | O::I64Load16S { .. }
            | O::I64Load16U { .. }
            | O::I64Load32S { .. }
            | O::I64Load32U { .. } => self.load,
            O::I32Store { .. }
            | O::I64Store { .. }
            | O::I32Store8 { .. }
            | O::I32Store16 { .. }
            | O::I64Store8 { .. }
            | O::I64Store16 { .. }
            | O::I64Store32 { .. } => self.store,
            O::MemorySize { .. } => self.memory_size,
            O::MemoryGrow { .. } => self.memory_grow,
            _ => self.simple,
        }
    }
}
