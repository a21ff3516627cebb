//! Deploy-time validation: a module reaches the instrumentation and the engines only after it
//! passed every check here.
//!
//! Checks run in this order, so a module gets the most specific error: size; then, section by
//! section, Carechain's structural rules and limits (imports, exports, start function, counts,
//! locals, nesting, segment bounds); then full WebAssembly validation by `wasmparser` restricted to
//! WebAssembly 1.0 + mutable globals, without floats. When `wasmparser` refuses the module, the
//! refusal is classified by re-validating with one more feature enabled at a time, so a SIMD module
//! is reported as [`ValidationError::UnsupportedFeature`] `simd` and a float one as
//! [`ValidationError::FloatInstruction`], not as a generic parse error.

use carechain_abi::{EXPORT_CALL, EXPORT_DEPLOY, EXPORT_MEMORY, HOST_MODULE, HostFn};
use wasmparser::{
    DataKind, ElementKind, ExternalKind, FuncValidatorAllocations, Operator, Parser, Payload,
    TypeRef, ValType, Validator, WasmFeatures,
};

use crate::config::Limits;

/// Export names starting with this prefix are reserved for the runtime (its instrumentation adds
/// exports of that name; a contract may not).
pub const RESERVED_PREFIX: &str = "__carechain";

/// Why a module was refused at deploy. Every variant is a distinct, documented failure; its
/// [`kind`](ValidationError::kind) is the stable name used in JSON outcomes
/// (`"invalid_module:<kind>"`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// The bytes are not a WebAssembly module (bad magic, truncated, malformed section, invalid
    /// code), or the module is a component.
    #[error("malformed module at offset {offset}: {message}")]
    Malformed {
        /// Byte offset of the problem.
        offset: usize,
        /// The parser's description.
        message: String,
    },
    /// The module is larger than [`Limits::max_code_size`].
    #[error("module is {size} bytes, the limit is {limit}")]
    CodeTooLarge {
        /// Size of the module.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The module uses `f32`/`f64` types or float instructions, which are not deterministic
    /// across engines and CPUs (NaN bit patterns).
    #[error("floating-point types and instructions are not allowed")]
    FloatInstruction,
    /// The module uses a WebAssembly feature beyond 1.0 + mutable globals (SIMD, threads, bulk
    /// memory, reference types, multi-value, tail calls, sign extension, ...).
    #[error(
        "WebAssembly feature `{feature}` is not allowed (only WebAssembly 1.0 + mutable globals)"
    )]
    UnsupportedFeature {
        /// The feature's name, lower case (e.g. `simd`, `bulk_memory`).
        feature: String,
    },
    /// The module declares a start function; contracts start at `deploy` or `call`.
    #[error("a start function is not allowed")]
    StartFunction,
    /// An import that is not a function of the host ABI.
    #[error("import `{module}`.`{name}` is not part of the host ABI")]
    ImportNotAllowed {
        /// Import module.
        module: String,
        /// Import name.
        name: String,
    },
    /// A host ABI function imported with the wrong signature.
    #[error("host function `{name}` is imported with the wrong signature")]
    ImportSignatureMismatch {
        /// The host function's name.
        name: String,
    },
    /// A required export (`memory`, `deploy` or `call`) is missing.
    #[error("required export `{name}` is missing")]
    MissingExport {
        /// The export's name.
        name: &'static str,
    },
    /// A required export has the wrong kind or type (`deploy`/`call` must be `() -> ()`
    /// functions, `memory` a memory).
    #[error("export `{name}` has the wrong kind or type")]
    ExportMismatch {
        /// The export's name.
        name: &'static str,
    },
    /// An export uses a name reserved for the runtime's instrumentation.
    #[error("export name `{name}` is reserved for the runtime")]
    ReservedExport {
        /// The export's name.
        name: String,
    },
    /// A count is above its limit.
    #[error("too many {what}: {count}, the limit is {limit}")]
    TooMany {
        /// What was counted: `functions`, `types`, `globals`, `exports`, `data_segments`,
        /// `element_segments`, `params`, `memories`, `tables`.
        what: &'static str,
        /// The count found.
        count: u64,
        /// The limit.
        limit: u64,
    },
    /// A function declares more locals (parameters included) than [`Limits::max_locals`].
    #[error("function {function} has {count} locals, the limit is {limit}")]
    TooManyLocals {
        /// Index of the function in the function index space.
        function: u32,
        /// Its locals.
        count: u64,
        /// The limit.
        limit: u32,
    },
    /// A function nests blocks deeper than [`Limits::max_nesting_depth`].
    #[error("function {function} nests blocks {depth} deep, the limit is {limit}")]
    NestingTooDeep {
        /// Index of the function in the function index space.
        function: u32,
        /// Depth reached.
        depth: u32,
        /// The limit.
        limit: u32,
    },
    /// The declared initial or maximum memory is above [`Limits::max_memory_pages`].
    #[error("memory declares {pages} pages, the limit is {limit}")]
    MemoryTooLarge {
        /// Pages declared.
        pages: u64,
        /// The limit.
        limit: u32,
    },
    /// The declared table is above [`Limits::max_table_elements`].
    #[error("table declares {elements} elements, the limit is {limit}")]
    TableTooLarge {
        /// Elements declared.
        elements: u64,
        /// The limit.
        limit: u32,
    },
    /// An active data segment does not fit in the initial memory (it would trap at instantiation).
    #[error("data segment {index} does not fit in the initial memory")]
    DataSegmentOutOfBounds {
        /// Index of the segment.
        index: u32,
    },
    /// An active element segment does not fit in the initial table.
    #[error("element segment {index} does not fit in the initial table")]
    ElementSegmentOutOfBounds {
        /// Index of the segment.
        index: u32,
    },
}

impl ValidationError {
    /// The stable, snake-case name of this error, as used in outcomes and JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            ValidationError::Malformed { .. } => "malformed",
            ValidationError::CodeTooLarge { .. } => "code_too_large",
            ValidationError::FloatInstruction => "float_instruction",
            ValidationError::UnsupportedFeature { .. } => "unsupported_feature",
            ValidationError::StartFunction => "start_function",
            ValidationError::ImportNotAllowed { .. } => "import_not_allowed",
            ValidationError::ImportSignatureMismatch { .. } => "import_signature_mismatch",
            ValidationError::MissingExport { .. } => "missing_export",
            ValidationError::ExportMismatch { .. } => "export_mismatch",
            ValidationError::ReservedExport { .. } => "reserved_export",
            ValidationError::TooMany { .. } => "too_many",
            ValidationError::TooManyLocals { .. } => "too_many_locals",
            ValidationError::NestingTooDeep { .. } => "nesting_too_deep",
            ValidationError::MemoryTooLarge { .. } => "memory_too_large",
            ValidationError::TableTooLarge { .. } => "table_too_large",
            ValidationError::DataSegmentOutOfBounds { .. } => "data_segment_out_of_bounds",
            ValidationError::ElementSegmentOutOfBounds { .. } => "element_segment_out_of_bounds",
        }
    }
}

impl From<wasmparser::BinaryReaderError> for ValidationError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        ValidationError::Malformed {
            offset: e.offset(),
            message: e.message().to_string(),
        }
    }
}

/// The features contracts may use: WebAssembly 1.0 with mutable globals, without floats
/// (exactly what `wasm32v1-none` emits for float-free code).
pub fn allowed_features() -> WasmFeatures {
    WasmFeatures::WASM1.difference(WasmFeatures::FLOATS)
}

/// A function type, as far as the instrumentation needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FuncType {
    pub params: Vec<ValType>,
    pub results: Vec<ValType>,
}

/// What validation learned about a module, for the instrumentation.
#[derive(Clone, Debug)]
pub struct ValidatedModule {
    /// The function types, by type index.
    pub(crate) types: Vec<FuncType>,
    /// Number of imported functions.
    pub(crate) imported_funcs: u32,
    /// Type index of each defined function.
    pub(crate) func_types: Vec<u32>,
    /// Deterministic stack cost of each defined function, in slots.
    pub(crate) stack_costs: Vec<u32>,
    /// Initial memory pages.
    pub initial_pages: u32,
    /// Total bytes of active data segments (copied at each instantiation).
    pub data_bytes: u64,
}

fn too_many(what: &'static str, count: u64, limit: u64) -> Result<(), ValidationError> {
    if count > limit {
        Err(ValidationError::TooMany { what, count, limit })
    } else {
        Ok(())
    }
}

fn const_i32(expr: &wasmparser::ConstExpr<'_>) -> Option<u32> {
    let mut reader = expr.get_operators_reader();
    match reader.read().ok()? {
        Operator::I32Const { value } => Some(value as u32),
        _ => None,
    }
}

fn abi_val(t: carechain_abi::ValType) -> ValType {
    match t {
        carechain_abi::ValType::I32 => ValType::I32,
        carechain_abi::ValType::I64 => ValType::I64,
    }
}

/// Validates `code` against WebAssembly 1.0 (no floats), the host ABI and `limits`.
///
/// # Errors
///
/// The first [`ValidationError`] found; see the module docs for the order of checks.
pub fn validate(code: &[u8], limits: &Limits) -> Result<ValidatedModule, ValidationError> {
    if code.len() > limits.max_code_size {
        return Err(ValidationError::CodeTooLarge {
            size: code.len(),
            limit: limits.max_code_size,
        });
    }
    match validate_inner(code, limits) {
        Ok(module) => Ok(module),
        Err(Refusal::Ours(e)) => Err(e),
        Err(Refusal::Wasm(e)) => Err(classify(code, e)),
    }
}

enum Refusal {
    /// One of Carechain's own rules.
    Ours(ValidationError),
    /// wasmparser's validator refused the module under the allowed features.
    Wasm(wasmparser::BinaryReaderError),
}

impl From<ValidationError> for Refusal {
    fn from(e: ValidationError) -> Self {
        Refusal::Ours(e)
    }
}

/// Explains a refusal by `wasmparser`: is it a feature we refuse, or a broken module?
fn classify(code: &[u8], original: wasmparser::BinaryReaderError) -> ValidationError {
    let allowed = allowed_features();
    let passes = |features: WasmFeatures| {
        Validator::new_with_features(features)
            .validate_all(code)
            .is_ok()
    };
    if passes(allowed | WasmFeatures::FLOATS) {
        return ValidationError::FloatInstruction;
    }
    for (name, flag) in WasmFeatures::all().iter_names() {
        if allowed.contains(flag) || flag == WasmFeatures::FLOATS {
            continue;
        }
        // Many proposals use floats too (SIMD's f32x4 lanes); the first feature that makes the
        // module valid, with or without floats, is the one to report.
        if passes(allowed | flag) || passes(allowed | flag | WasmFeatures::FLOATS) {
            return ValidationError::UnsupportedFeature {
                feature: name.to_ascii_lowercase(),
            };
        }
    }
    if passes(WasmFeatures::all()) {
        // Needs several proposals at once.
        return ValidationError::UnsupportedFeature {
            feature: "multiple".to_string(),
        };
    }
    ValidationError::from(original)
}

fn validate_inner(code: &[u8], limits: &Limits) -> Result<ValidatedModule, Refusal> {
    let mut scan = Scan::new(limits);
    for payload in Parser::new(0).parse_all(code) {
        let payload = payload.map_err(|e| Refusal::Ours(e.into()))?;
        match &payload {
            Payload::Version { encoding, .. } if *encoding != wasmparser::Encoding::Module => {
                return Err(ValidationError::UnsupportedFeature {
                    feature: "component_model".to_string(),
                }
                .into());
            }
            Payload::TypeSection(reader) => scan.types(reader)?,
            Payload::ImportSection(reader) => scan.imports(reader)?,
            Payload::FunctionSection(reader) => {
                let total = u64::from(scan.imported_funcs) + u64::from(reader.count());
                too_many("functions", total, u64::from(limits.max_functions))?;
                for ty in reader.clone() {
                    scan.func_types
                        .push(ty.map_err(|e| Refusal::Ours(e.into()))?);
                }
            }
            Payload::TableSection(reader) => scan.tables(reader)?,
            Payload::MemorySection(reader) => scan.memories(reader)?,
            Payload::GlobalSection(reader) => {
                too_many(
                    "globals",
                    u64::from(reader.count()),
                    u64::from(limits.max_globals),
                )?;
            }
            Payload::ExportSection(reader) => scan.exports(reader)?,
            Payload::StartSection { .. } => return Err(ValidationError::StartFunction.into()),
            Payload::ElementSection(reader) => scan.elements(reader)?,
            Payload::DataSection(reader) => scan.data(reader)?,
            Payload::CodeSectionEntry(body) => {
                // Validated (by wasmparser too) function by function.
                scan.code(body)?;
                continue;
            }
            _ => {}
        }
        scan.validator.payload(&payload).map_err(Refusal::Wasm)?;
    }
    scan.finish()
}

/// What validation gathers section by section, and wasmparser's validator alongside.
struct Scan<'l> {
    limits: &'l Limits,
    validator: Validator,
    allocs: FuncValidatorAllocations,
    types: Vec<FuncType>,
    imported_funcs: u32,
    func_types: Vec<u32>,
    stack_costs: Vec<u32>,
    initial_pages: Option<u32>,
    table_initial: Option<u64>,
    exports: Vec<(String, ExternalKind, u32)>,
    data_bytes: u64,
    code_index: u32,
}

impl<'l> Scan<'l> {
    fn new(limits: &'l Limits) -> Self {
        Scan {
            limits,
            validator: Validator::new_with_features(allowed_features()),
            allocs: FuncValidatorAllocations::default(),
            types: Vec::new(),
            imported_funcs: 0,
            func_types: Vec::new(),
            stack_costs: Vec::new(),
            initial_pages: None,
            table_initial: None,
            exports: Vec::new(),
            data_bytes: 0,
            code_index: 0,
        }
    }

    /// The type section: function types, parameters within the limit.
    fn types(&mut self, reader: &wasmparser::TypeSectionReader<'_>) -> Result<(), Refusal> {
        let limits = self.limits;
        too_many(
            "types",
            u64::from(reader.count()),
            u64::from(limits.max_types),
        )?;
        for rec_group in reader.clone() {
            let rec_group = rec_group.map_err(|e| Refusal::Ours(e.into()))?;
            for sub in rec_group.into_types() {
                match &sub.composite_type.inner {
                    wasmparser::CompositeInnerType::Func(f) => {
                        too_many(
                            "params",
                            f.params().len() as u64,
                            u64::from(limits.max_params),
                        )?;
                        self.types.push(FuncType {
                            params: f.params().to_vec(),
                            results: f.results().to_vec(),
                        });
                    }
                    // GC types: wasmparser refuses them below, classified as `gc`.
                    _ => self.types.push(FuncType {
                        params: vec![],
                        results: vec![],
                    }),
                }
            }
        }
        Ok(())
    }

    /// The import section: host functions of the ABI only, with their exact signatures.
    fn imports(&mut self, reader: &wasmparser::ImportSectionReader<'_>) -> Result<(), Refusal> {
        for import in reader.clone().into_imports() {
            let import = import.map_err(|e| Refusal::Ours(e.into()))?;
            let not_allowed = || ValidationError::ImportNotAllowed {
                module: import.module.to_string(),
                name: import.name.to_string(),
            };
            let TypeRef::Func(type_index) = import.ty else {
                return Err(not_allowed().into());
            };
            if import.module != HOST_MODULE {
                return Err(not_allowed().into());
            }
            let host_fn = HostFn::from_name(import.name).ok_or_else(not_allowed)?;
            let expected_params: Vec<ValType> =
                host_fn.params().iter().copied().map(abi_val).collect();
            let expected_results: Vec<ValType> =
                host_fn.results().iter().copied().map(abi_val).collect();
            let matches = self
                .types
                .get(type_index as usize)
                .is_some_and(|t| t.params == expected_params && t.results == expected_results);
            if !matches {
                return Err(ValidationError::ImportSignatureMismatch {
                    name: import.name.to_string(),
                }
                .into());
            }
            self.imported_funcs += 1;
        }
        Ok(())
    }

    /// The table section: at most one table, within the element limit.
    fn tables(&mut self, reader: &wasmparser::TableSectionReader<'_>) -> Result<(), Refusal> {
        too_many("tables", u64::from(reader.count()), 1)?;
        for table in reader.clone() {
            let table = table.map_err(|e| Refusal::Ours(e.into()))?;
            let declared = table.ty.initial.max(table.ty.maximum.unwrap_or(0));
            if declared > u64::from(self.limits.max_table_elements) {
                return Err(ValidationError::TableTooLarge {
                    elements: declared,
                    limit: self.limits.max_table_elements,
                }
                .into());
            }
            self.table_initial = Some(table.ty.initial);
        }
        Ok(())
    }

    /// The memory section: at most one memory, within the page limit.
    fn memories(&mut self, reader: &wasmparser::MemorySectionReader<'_>) -> Result<(), Refusal> {
        too_many("memories", u64::from(reader.count()), 1)?;
        for memory in reader.clone() {
            let memory = memory.map_err(|e| Refusal::Ours(e.into()))?;
            let declared = memory.initial.max(memory.maximum.unwrap_or(0));
            if declared > u64::from(self.limits.max_memory_pages) {
                return Err(ValidationError::MemoryTooLarge {
                    pages: declared,
                    limit: self.limits.max_memory_pages,
                }
                .into());
            }
            self.initial_pages = Some(memory.initial as u32);
        }
        Ok(())
    }

    /// The export section: within the limit, no name of the instrumentation's.
    fn exports(&mut self, reader: &wasmparser::ExportSectionReader<'_>) -> Result<(), Refusal> {
        too_many(
            "exports",
            u64::from(reader.count()),
            u64::from(self.limits.max_exports),
        )?;
        for export in reader.clone() {
            let export = export.map_err(|e| Refusal::Ours(e.into()))?;
            if export.name.starts_with(RESERVED_PREFIX) {
                return Err(ValidationError::ReservedExport {
                    name: export.name.to_string(),
                }
                .into());
            }
            self.exports
                .push((export.name.to_string(), export.kind, export.index));
        }
        Ok(())
    }

    /// The element section: active segments inside the table.
    fn elements(&mut self, reader: &wasmparser::ElementSectionReader<'_>) -> Result<(), Refusal> {
        too_many(
            "element_segments",
            u64::from(reader.count()),
            u64::from(self.limits.max_element_segments),
        )?;
        for (index, element) in reader.clone().into_iter().enumerate() {
            let element = element.map_err(|e| Refusal::Ours(e.into()))?;
            if let ElementKind::Active { offset_expr, .. } = &element.kind {
                let len = match &element.items {
                    wasmparser::ElementItems::Functions(r) => u64::from(r.count()),
                    wasmparser::ElementItems::Expressions(_, r) => u64::from(r.count()),
                };
                let fits = match (const_i32(offset_expr), self.table_initial) {
                    (Some(offset), Some(initial)) => u64::from(offset) + len <= initial,
                    (Some(_), None) => false,
                    // A non-constant offset is refused by wasmparser below.
                    (None, _) => true,
                };
                if !fits {
                    return Err(ValidationError::ElementSegmentOutOfBounds {
                        index: index as u32,
                    }
                    .into());
                }
            }
        }
        Ok(())
    }

    /// The data section: active segments inside the initial memory.
    fn data(&mut self, reader: &wasmparser::DataSectionReader<'_>) -> Result<(), Refusal> {
        too_many(
            "data_segments",
            u64::from(reader.count()),
            u64::from(self.limits.max_data_segments),
        )?;
        for (index, data) in reader.clone().into_iter().enumerate() {
            let data = data.map_err(|e| Refusal::Ours(e.into()))?;
            if let DataKind::Active { offset_expr, .. } = &data.kind {
                let len = data.data.len() as u64;
                self.data_bytes += len;
                let memory_bytes = u64::from(self.initial_pages.unwrap_or(0)) * 65_536;
                let fits = match const_i32(offset_expr) {
                    Some(offset) => u64::from(offset) + len <= memory_bytes,
                    None => true,
                };
                if !fits {
                    return Err(ValidationError::DataSegmentOutOfBounds {
                        index: index as u32,
                    }
                    .into());
                }
            }
        }
        Ok(())
    }

    /// A function body: locals and nesting within the limits, then full validation tracking
    /// the operand stack's maximum height (the function's deterministic stack cost).
    fn code(&mut self, body: &wasmparser::FunctionBody<'_>) -> Result<(), Refusal> {
        let limits = self.limits;
        let function = self.imported_funcs + self.code_index;
        let type_index = self.func_types.get(self.code_index as usize).copied();
        let params = type_index
            .and_then(|t| self.types.get(t as usize))
            .map_or(0, |t| t.params.len() as u64);
        let mut locals = params;
        for local in body
            .get_locals_reader()
            .map_err(|e| Refusal::Ours(e.into()))?
        {
            let (count, _) = local.map_err(|e| Refusal::Ours(e.into()))?;
            locals += u64::from(count);
            if locals > u64::from(limits.max_locals) {
                return Err(ValidationError::TooManyLocals {
                    function,
                    count: locals,
                    limit: limits.max_locals,
                }
                .into());
            }
        }
        check_nesting(body, function, limits)?;
        let func = self
            .validator
            .code_section_entry(body)
            .map_err(Refusal::Wasm)?;
        let mut fv = func.into_validator(std::mem::take(&mut self.allocs));
        let mut reader = body.get_binary_reader();
        fv.read_locals(&mut reader).map_err(Refusal::Wasm)?;
        reader.set_features(allowed_features());
        let mut max_height = 0u32;
        while !reader.eof() {
            let offset = reader.original_position();
            reader
                .visit_operator(&mut fv.visitor(offset))
                .and_then(|r| r)
                .map_err(Refusal::Wasm)?;
            max_height = max_height.max(fv.operand_stack_height());
        }
        let end = reader.original_position();
        reader
            .finish_expression(&fv.visitor(end))
            .map_err(Refusal::Wasm)?;
        let cost =
            u64::from(fv.len_locals()) + u64::from(max_height) + u64::from(limits.frame_overhead);
        self.stack_costs
            .push(u32::try_from(cost).unwrap_or(u32::MAX));
        self.allocs = fv.into_allocations();
        self.code_index += 1;
        Ok(())
    }

    /// The required exports (`memory`, and `deploy` and `call` as `() -> ()`), then the module.
    fn finish(self) -> Result<ValidatedModule, Refusal> {
        let find = |name: &'static str| self.exports.iter().find(|(n, _, _)| n == name);
        let (_, kind, _) = find(EXPORT_MEMORY).ok_or(ValidationError::MissingExport {
            name: EXPORT_MEMORY,
        })?;
        if *kind != ExternalKind::Memory {
            return Err(ValidationError::ExportMismatch {
                name: EXPORT_MEMORY,
            }
            .into());
        }
        for name in [EXPORT_DEPLOY, EXPORT_CALL] {
            let (_, kind, index) = find(name).ok_or(ValidationError::MissingExport { name })?;
            let is_unit_fn = *kind == ExternalKind::Func
                && index
                    .checked_sub(self.imported_funcs)
                    .and_then(|i| self.func_types.get(i as usize))
                    .and_then(|t| self.types.get(*t as usize))
                    .is_some_and(|t| t.params.is_empty() && t.results.is_empty());
            if !is_unit_fn {
                return Err(ValidationError::ExportMismatch { name }.into());
            }
        }
        Ok(ValidatedModule {
            types: self.types,
            imported_funcs: self.imported_funcs,
            func_types: self.func_types,
            stack_costs: self.stack_costs,
            initial_pages: self.initial_pages.unwrap_or(0),
            data_bytes: self.data_bytes,
        })
    }
}

/// Refuses bodies that nest `block`/`loop`/`if` deeper than the limit, before the full validator
/// (and later the engines) have to hold that many control frames.
fn check_nesting(
    body: &wasmparser::FunctionBody<'_>,
    function: u32,
    limits: &Limits,
) -> Result<(), Refusal> {
    let mut reader = body
        .get_operators_reader()
        .map_err(|e| Refusal::Ours(e.into()))?;
    let mut depth = 0u32;
    while !reader.eof() {
        match reader.read().map_err(|e| Refusal::Ours(e.into()))? {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                depth += 1;
                if depth > limits.max_nesting_depth {
                    return Err(ValidationError::NestingTooDeep {
                        function,
                        depth,
                        limit: limits.max_nesting_depth,
                    }
                    .into());
                }
            }
            Operator::End => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}
