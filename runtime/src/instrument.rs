//! Instrumentation: rewrites a validated module so that it meters its own gas, its own stack
//! height and its own memory growth, identically on every engine.
//!
//! What is added to the module:
//! * one import, `carechain_meter.trap(i32)`, appended after the contract's own imports (defined
//!   functions shift up by one). The injected checks call it with a [`MeterTrap`] code; the host
//!   turns that into the typed failure (`out_of_gas`, `stack_overflow`, `memory_limit`).
//! * two mutable globals, appended after the contract's own and exported as [`GAS_GLOBAL`]
//!   (`i64`, gas left, treated as unsigned) and [`STACK_GLOBAL`] (`i32`, stack slots in use).
//!
//! What is changed in each function body:
//! * **Gas per basic block.** The body is cut into straight-line segments, each ending at an
//!   instruction that may transfer control (`block`, `loop`, `if`, `else`, `end`, `br`, `br_if`,
//!   `br_table`, `return`, `unreachable`). The cost of a whole segment is charged at its start;
//!   a loop's body is therefore charged on every iteration. If the gas left is below the cost, the
//!   call traps with `out_of_gas` before any instruction of the segment ran.
//! * **Stack height per call.** Around each `call`/`call_indirect` to a contract function, the
//!   callee's frame cost (params + locals + maximum operand stack + a fixed overhead, computed by
//!   validation) is added to the stack global and checked against the limit, then subtracted on
//!   return. Exhaustion therefore happens at the same call on every engine, long before any
//!   engine's own native limit.
//! * **Memory growth.** Before each `memory.grow`, the new size is checked against the memory
//!   limit (trap `memory_limit`) and the per-page price is charged.
//!
//! Custom sections are dropped from the instrumented code: metadata is read from the original.

use wasm_encoder::reencode::Reencode;
use wasm_encoder::{
    BlockType, ConstExpr, EntityType, ExportKind, Function, GlobalType, ImportSection, Instruction,
    Module, SectionId, ValType,
};
use wasmparser::{Operator, Parser};

use crate::config::Limits;
use crate::gas::GasSchedule;
use crate::validate::ValidatedModule;

/// The exported `i64` global holding the gas left.
pub const GAS_GLOBAL: &str = "__carechain_gas";
/// The exported `i32` global holding the stack slots in use.
pub const STACK_GLOBAL: &str = "__carechain_stack";
/// Import module of the injected trap function.
pub const METER_MODULE: &str = "carechain_meter";
/// Import name of the injected trap function.
pub const METER_TRAP: &str = "trap";

/// Why the injected code stopped execution; the argument of `carechain_meter.trap`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum MeterTrap {
    /// A segment cost more gas than was left.
    OutOfGas = 0,
    /// A call would exceed the deterministic stack limit.
    StackOverflow = 1,
    /// `memory.grow` would exceed the memory limit.
    MemoryLimit = 2,
}

impl MeterTrap {
    /// Decodes the trap function's argument.
    pub fn from_code(code: i32) -> Option<Self> {
        match code {
            0 => Some(MeterTrap::OutOfGas),
            1 => Some(MeterTrap::StackOverflow),
            2 => Some(MeterTrap::MemoryLimit),
            _ => None,
        }
    }
}

/// Instrumentation failed; as the input was validated first, this indicates a runtime bug.
#[derive(Debug, thiserror::Error)]
#[error("instrumentation failed: {0}")]
pub struct InstrumentError(String);

/// Rewrites a validated module with gas, stack and memory metering. Deterministic: the same input,
/// schedule and limits always give the same bytes.
///
/// # Errors
///
/// [`InstrumentError`] only if the module is not the one that was validated (a bug).
pub fn instrument(
    code: &[u8],
    module: &ValidatedModule,
    schedule: &GasSchedule,
    limits: &Limits,
) -> Result<Vec<u8>, InstrumentError> {
    let mut indirect_costs = vec![limits.frame_overhead; module.types.len()];
    for (ty, cost) in module.func_types.iter().zip(&module.stack_costs) {
        if let Some(slot) = indirect_costs.get_mut(*ty as usize) {
            *slot = (*slot).max(*cost);
        }
    }
    let mut instrumenter = Instrumenter {
        module,
        schedule,
        limits,
        trap_type: module.types.len() as u32,
        trap_func: module.imported_funcs,
        gas_global: 0,
        stack_global: 0,
        globals_defined: 0,
        imports_written: false,
        globals_written: false,
        code_index: 0,
        indirect_costs,
        gas_local: 0,
        depth: 0,
    };
    let mut out = Module::new();
    instrumenter
        .parse_core_module(&mut out, Parser::new(0), code)
        .map_err(|e| InstrumentError(format!("{e:?}")))?;
    Ok(out.finish())
}

struct Instrumenter<'m> {
    module: &'m ValidatedModule,
    schedule: &'m GasSchedule,
    limits: &'m Limits,
    trap_type: u32,
    trap_func: u32,
    gas_global: u32,
    stack_global: u32,
    globals_defined: u32,
    imports_written: bool,
    globals_written: bool,
    code_index: usize,
    /// Stack cost charged for `call_indirect` of each type: the largest of its functions.
    indirect_costs: Vec<u32>,
    /// The current function's local holding the gas left (see [`Instrumenter::charge`]).
    gas_local: u32,
    /// Blocks open in the current function (0: its body).
    depth: u32,
}

type ReError = wasm_encoder::reencode::Error<std::convert::Infallible>;

fn section_rank(id: SectionId) -> u8 {
    match id {
        SectionId::Custom => 0,
        SectionId::Type => 1,
        SectionId::Import => 2,
        SectionId::Function => 3,
        SectionId::Table => 4,
        SectionId::Memory => 5,
        SectionId::Tag => 6,
        SectionId::Global => 7,
        SectionId::Export => 8,
        SectionId::Start => 9,
        SectionId::Element => 10,
        SectionId::DataCount => 11,
        SectionId::Code => 12,
        SectionId::Data => 13,
    }
}

impl Instrumenter<'_> {
    fn add_meter_import(&mut self, imports: &mut ImportSection) {
        imports.import(
            METER_MODULE,
            METER_TRAP,
            EntityType::Function(self.trap_type),
        );
        self.imports_written = true;
    }

    fn add_meter_globals(&mut self, globals: &mut wasm_encoder::GlobalSection) {
        self.gas_global = self.globals_defined;
        self.stack_global = self.globals_defined + 1;
        let mutable_i64 = GlobalType {
            val_type: ValType::I64,
            mutable: true,
            shared: false,
        };
        let mutable_i32 = GlobalType {
            val_type: ValType::I32,
            mutable: true,
            shared: false,
        };
        globals.global(mutable_i64, &ConstExpr::i64_const(0));
        globals.global(mutable_i32, &ConstExpr::i32_const(0));
        self.globals_written = true;
    }

    fn trap(&self, f: &mut Function, why: MeterTrap) {
        f.instruction(&Instruction::I32Const(why as i32));
        f.instruction(&Instruction::Call(self.trap_func));
    }

    /// `if gas < cost { trap } gas -= cost`, on the function's gas local.
    ///
    /// Inside a function the gas left lives in a local (a register for both engines), not in the
    /// exported global: the global is written back before anything that can observe it (calls,
    /// host calls, returns, metering traps) and read again after calls. A loop body thus pays a
    /// compare, a branch and a subtract per segment, without memory traffic.
    fn charge(&self, f: &mut Function, cost: u64) {
        if cost == 0 {
            return;
        }
        let cost = cost.min(i64::MAX as u64) as i64;
        f.instruction(&Instruction::LocalGet(self.gas_local));
        f.instruction(&Instruction::I64Const(cost));
        f.instruction(&Instruction::I64LtU);
        f.instruction(&Instruction::If(BlockType::Empty));
        self.trap(f, MeterTrap::OutOfGas);
        f.instruction(&Instruction::End);
        f.instruction(&Instruction::LocalGet(self.gas_local));
        f.instruction(&Instruction::I64Const(cost));
        f.instruction(&Instruction::I64Sub);
        f.instruction(&Instruction::LocalSet(self.gas_local));
    }

    /// Writes the gas local back to the exported global.
    fn gas_out(&self, f: &mut Function) {
        f.instruction(&Instruction::LocalGet(self.gas_local));
        f.instruction(&Instruction::GlobalSet(self.gas_global));
    }

    /// Reloads the gas local from the global (after a call changed it).
    fn gas_in(&self, f: &mut Function) {
        f.instruction(&Instruction::GlobalGet(self.gas_global));
        f.instruction(&Instruction::LocalSet(self.gas_local));
    }

    /// Charges `pages * memory_page` where `pages` is in local `tmp`: `i64.extend_i32_u; mul`.
    fn push_page_cost(&self, f: &mut Function, tmp: u32) {
        f.instruction(&Instruction::LocalGet(tmp));
        f.instruction(&Instruction::I64ExtendI32U);
        f.instruction(&Instruction::I64Const(
            self.schedule.instructions.memory_page as i64,
        ));
        f.instruction(&Instruction::I64Mul);
    }

    fn emit_memory_grow(&self, f: &mut Function, tmp: u32, grow: &Instruction<'_>) {
        // The requested pages are on the stack.
        f.instruction(&Instruction::LocalSet(tmp));
        // if memory.size + pages > limit { trap(memory_limit) }
        f.instruction(&Instruction::MemorySize(0));
        f.instruction(&Instruction::I64ExtendI32U);
        f.instruction(&Instruction::LocalGet(tmp));
        f.instruction(&Instruction::I64ExtendI32U);
        f.instruction(&Instruction::I64Add);
        f.instruction(&Instruction::I64Const(i64::from(
            self.limits.max_memory_pages,
        )));
        f.instruction(&Instruction::I64GtU);
        f.instruction(&Instruction::If(BlockType::Empty));
        self.gas_out(f);
        self.trap(f, MeterTrap::MemoryLimit);
        f.instruction(&Instruction::End);
        // Pages are now at most the limit, so the product cannot overflow.
        f.instruction(&Instruction::LocalGet(self.gas_local));
        self.push_page_cost(f, tmp);
        f.instruction(&Instruction::I64LtU);
        f.instruction(&Instruction::If(BlockType::Empty));
        self.trap(f, MeterTrap::OutOfGas);
        f.instruction(&Instruction::End);
        f.instruction(&Instruction::LocalGet(self.gas_local));
        self.push_page_cost(f, tmp);
        f.instruction(&Instruction::I64Sub);
        f.instruction(&Instruction::LocalSet(self.gas_local));
        f.instruction(&Instruction::LocalGet(tmp));
        f.instruction(grow);
    }

    fn emit_call(&self, f: &mut Function, cost: u32, call: &Instruction<'_>) {
        let stack = self.stack_global;
        self.gas_out(f);
        f.instruction(&Instruction::GlobalGet(stack));
        f.instruction(&Instruction::I32Const(cost as i32));
        f.instruction(&Instruction::I32Add);
        f.instruction(&Instruction::GlobalSet(stack));
        f.instruction(&Instruction::GlobalGet(stack));
        f.instruction(&Instruction::I32Const(self.limits.max_stack_height as i32));
        f.instruction(&Instruction::I32GtU);
        f.instruction(&Instruction::If(BlockType::Empty));
        self.trap(f, MeterTrap::StackOverflow);
        f.instruction(&Instruction::End);
        f.instruction(call);
        f.instruction(&Instruction::GlobalGet(stack));
        f.instruction(&Instruction::I32Const(cost as i32));
        f.instruction(&Instruction::I32Sub);
        f.instruction(&Instruction::GlobalSet(stack));
        self.gas_in(f);
    }

    fn emit_op(
        &mut self,
        f: &mut Function,
        op: &Operator<'_>,
        tmp: u32,
        last: bool,
    ) -> Result<(), ReError> {
        // Anything that leaves the function writes the gas back first: `return`, the body's
        // final `end`, and branches whose target is the body itself.
        let leaves = match op {
            Operator::Return => true,
            Operator::End => last,
            Operator::Br { relative_depth } | Operator::BrIf { relative_depth } => {
                *relative_depth >= self.depth
            }
            Operator::BrTable { targets } => {
                targets.default() >= self.depth
                    || targets.targets().any(|t| t.is_ok_and(|t| t >= self.depth))
            }
            _ => false,
        };
        if leaves {
            self.gas_out(f);
        }
        match op {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                self.depth += 1;
            }
            Operator::End if !last => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        match op {
            Operator::Call { function_index } if *function_index >= self.module.imported_funcs => {
                let defined = (*function_index - self.module.imported_funcs) as usize;
                let cost = self.module.stack_costs.get(defined).copied().unwrap_or(0);
                let call = Instruction::Call(self.function_index(*function_index)?);
                self.emit_call(f, cost, &call);
            }
            Operator::Call { function_index } => {
                // A host function reads and charges the gas global.
                let call = Instruction::Call(self.function_index(*function_index)?);
                self.gas_out(f);
                f.instruction(&call);
                self.gas_in(f);
            }
            Operator::CallIndirect { type_index, .. } => {
                let cost = self
                    .indirect_costs
                    .get(*type_index as usize)
                    .copied()
                    .unwrap_or(0);
                let call = self.instruction(op.clone())?;
                self.emit_call(f, cost, &call);
            }
            Operator::MemoryGrow { .. } => {
                let grow = self.instruction(op.clone())?;
                self.emit_memory_grow(f, tmp, &grow);
            }
            _ => {
                f.instruction(&self.instruction(op.clone())?);
            }
        }
        Ok(())
    }
}

/// True if `op` ends a metered segment: a run of instructions control can enter only at its
/// start, charged once, up front.
///
/// `br_if` does not end a segment: the instructions after it are charged with those before it,
/// so a conditional exit pays for the rest of its segment. That over-charge (bounded by one
/// segment) buys one charge per loop iteration instead of two in the common
/// `loop ... br_if $exit ... br $loop` shape; both engines see the same instrumented code, so the
/// figure is the same on each.
fn ends_segment(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::Else
            | Operator::End
            | Operator::Br { .. }
            | Operator::BrTable { .. }
            | Operator::Return
            | Operator::Unreachable
    )
}

impl Reencode for Instrumenter<'_> {
    type Error = std::convert::Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, ReError> {
        // The meter's trap import sits right after the contract's imports.
        Ok(if func >= self.module.imported_funcs {
            func + 1
        } else {
            func
        })
    }

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), ReError> {
        wasm_encoder::reencode::utils::parse_type_section(self, types, section)?;
        types.ty().function([ValType::I32], []);
        Ok(())
    }

    fn parse_import_section(
        &mut self,
        imports: &mut ImportSection,
        section: wasmparser::ImportSectionReader<'_>,
    ) -> Result<(), ReError> {
        wasm_encoder::reencode::utils::parse_import_section(self, imports, section)?;
        self.add_meter_import(imports);
        Ok(())
    }

    fn parse_global_section(
        &mut self,
        globals: &mut wasm_encoder::GlobalSection,
        section: wasmparser::GlobalSectionReader<'_>,
    ) -> Result<(), ReError> {
        self.globals_defined = section.count();
        wasm_encoder::reencode::utils::parse_global_section(self, globals, section)?;
        self.add_meter_globals(globals);
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut wasm_encoder::ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), ReError> {
        wasm_encoder::reencode::utils::parse_export_section(self, exports, section)?;
        exports.export(GAS_GLOBAL, ExportKind::Global, self.gas_global);
        exports.export(STACK_GLOBAL, ExportKind::Global, self.stack_global);
        Ok(())
    }

    fn intersperse_section_hook(
        &mut self,
        module: &mut Module,
        _after: Option<SectionId>,
        before: Option<SectionId>,
    ) -> Result<(), ReError> {
        let rank = before.map_or(u8::MAX, section_rank);
        if rank == 0 {
            return Ok(());
        }
        if !self.imports_written && rank > section_rank(SectionId::Import) {
            let mut imports = ImportSection::new();
            self.add_meter_import(&mut imports);
            module.section(&imports);
        }
        if !self.globals_written && rank > section_rank(SectionId::Global) {
            let mut globals = wasm_encoder::GlobalSection::new();
            self.add_meter_globals(&mut globals);
            module.section(&globals);
        }
        Ok(())
    }

    fn parse_custom_section(
        &mut self,
        _module: &mut Module,
        _section: wasmparser::CustomSectionReader<'_>,
    ) -> Result<(), ReError> {
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), ReError> {
        let defined = self.code_index;
        self.code_index += 1;
        let params = self
            .module
            .func_types
            .get(defined)
            .and_then(|t| self.module.types.get(*t as usize))
            .map_or(0, |t| t.params.len() as u32);

        let mut locals = Vec::new();
        let mut declared = 0u32;
        for local in func.get_locals_reader()? {
            let (count, ty) = local?;
            declared += count;
            locals.push((count, self.val_type(ty)?));
        }
        let ops: Vec<Operator<'_>> = func
            .get_operators_reader()?
            .into_iter()
            .collect::<Result<_, _>>()?;
        let tmp = params + declared;
        let mut extra = 0;
        if ops
            .iter()
            .any(|op| matches!(op, Operator::MemoryGrow { .. }))
        {
            locals.push((1, ValType::I32));
            extra = 1;
        }
        locals.push((1, ValType::I64));
        self.gas_local = tmp + extra;
        self.depth = 0;

        let mut f = Function::new(locals);
        self.gas_in(&mut f);
        let schedule: &GasSchedule = self.schedule;
        let costs = &schedule.instructions;
        let mut start = 0;
        for (i, op) in ops.iter().enumerate() {
            if ends_segment(op) || i + 1 == ops.len() {
                let segment = &ops[start..=i];
                let cost = segment
                    .iter()
                    .fold(0u64, |acc, op| acc.saturating_add(costs.of(op)));
                self.charge(&mut f, cost);
                for (j, op) in segment.iter().enumerate() {
                    self.emit_op(&mut f, op, tmp, start + j + 1 == ops.len())?;
                }
                start = i + 1;
            }
        }
        code.function(&f);
        Ok(())
    }
}
