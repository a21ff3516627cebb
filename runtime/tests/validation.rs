//! Deploy-time validation: every rejection class of `validate::validate`, each triggered by a
//! small module, with the exact `ValidationError` it must produce.

use carechain_runtime::abi::{HostFn, ValType as AbiValType};
use carechain_runtime::validate::validate;
use carechain_runtime::{Limits, Runtime, RuntimeConfig, ValidationError};
use wasm_encoder::Section;

/// The smallest valid contract.
const MINIMAL: &str =
    r#"(module (memory (export "memory") 1) (func (export "deploy")) (func (export "call")))"#;

fn wasm(wat: &str) -> Vec<u8> {
    wat::parse_str(wat).unwrap_or_else(|e| panic!("bad test wat: {e}\n{wat}"))
}

/// A valid contract with `fields` spliced in after the required exports. `deploy` is function 0
/// and `call` function 1, so the first function in `fields` is function 2.
fn with(fields: &str) -> Vec<u8> {
    wasm(&format!(
        r#"(module
  (memory (export "memory") 1)
  (func (export "deploy"))
  (func (export "call"))
  {fields})"#
    ))
}

/// Like [`with`], with `imports` before everything else (imports come first in the text format).
fn with_imports(imports: &str, fields: &str) -> Vec<u8> {
    wasm(&format!(
        r#"(module
  {imports}
  (memory (export "memory") 1)
  (func (export "deploy"))
  (func (export "call"))
  {fields})"#
    ))
}

fn refused_with(code: &[u8], limits: &Limits) -> ValidationError {
    match validate(code, limits) {
        Ok(_) => panic!("module was accepted"),
        Err(e) => e,
    }
}

fn refused(code: &[u8]) -> ValidationError {
    refused_with(code, &Limits::default())
}

fn accepted(code: &[u8]) {
    if let Err(e) = validate(code, &Limits::default()) {
        panic!("module was refused: {e:?}");
    }
}

fn unsupported(feature: &str) -> ValidationError {
    ValidationError::UnsupportedFeature {
        feature: feature.to_string(),
    }
}

fn not_allowed(module: &str, name: &str) -> ValidationError {
    ValidationError::ImportNotAllowed {
        module: module.to_string(),
        name: name.to_string(),
    }
}

fn too_many(what: &'static str, count: u64, limit: u64) -> ValidationError {
    ValidationError::TooMany { what, count, limit }
}

fn wat_type(t: AbiValType) -> &'static str {
    match t {
        AbiValType::I32 => "i32",
        AbiValType::I64 => "i64",
    }
}

/// `(import "carechain" "<name>" (func ...))` with the host function's exact signature.
fn host_import(f: HostFn) -> String {
    let params: Vec<&str> = f.params().iter().copied().map(wat_type).collect();
    let results: Vec<&str> = f.results().iter().copied().map(wat_type).collect();
    format!(
        r#"(import "carechain" "{}" (func (param {}) (result {})))"#,
        f.name(),
        params.join(" "),
        results.join(" ")
    )
}

// ---------------------------------------------------------------------------------------------
// Accepted modules

#[test]
fn minimal_contract_is_accepted() {
    let module = validate(&wasm(MINIMAL), &Limits::default()).expect("valid");
    assert_eq!(module.initial_pages, 1);
    assert_eq!(module.data_bytes, 0);
}

#[test]
fn runtime_validate_agrees_with_validate() {
    let runtime = Runtime::new(RuntimeConfig::default()).expect("runtime");
    assert_eq!(runtime.validate(&wasm(MINIMAL)), Ok(()));
    assert_eq!(
        runtime.validate(b"hello world").map_err(|e| e.kind()),
        Err("malformed")
    );
    let float = with("(func (result f32) (f32.add (f32.const 1) (f32.const 2)))");
    assert_eq!(
        runtime.validate(&float),
        Err(ValidationError::FloatInstruction)
    );
}

#[test]
fn every_host_function_with_its_abi_signature_is_accepted() {
    let imports: String = HostFn::ALL.iter().map(|f| host_import(*f)).collect();
    accepted(&with_imports(&imports, ""));
}

#[test]
fn contract_within_every_limit_is_accepted() {
    // Exactly at the limits: 64 pages, 4096 table elements, 1024 locals, 256 nested blocks, a
    // data segment ending at the last byte of memory, an element segment filling the table.
    let locals = "(local i32) ".repeat(1024);
    let blocks = format!("{}{}", "(block ".repeat(256), ")".repeat(256));
    let code = wasm(&format!(
        r#"(module
  (memory (export "memory") 64 64)
  (table 4096 4096 funcref)
  (func (export "deploy"))
  (func (export "call") {locals} {blocks})
  (data (i32.const {}) "ab")
  (elem (i32.const 4095) 0))"#,
        64 * 65536 - 2
    ));
    let module = validate(&code, &Limits::default()).expect("valid");
    assert_eq!(module.initial_pages, 64);
    assert_eq!(module.data_bytes, 2);
}

// ---------------------------------------------------------------------------------------------
// Malformed

#[test]
fn random_bytes_are_malformed() {
    // A fixed-seed xorshift, so the test is reproducible.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for len in [1usize, 7, 8, 64, 1000] {
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        let e = refused(&bytes);
        assert!(
            matches!(e, ValidationError::Malformed { .. }),
            "{len} bytes: {e:?}"
        );
        assert_eq!(e.kind(), "malformed");
    }
}

#[test]
fn text_file_is_malformed() {
    let e = refused(b"hello world");
    assert!(
        matches!(e, ValidationError::Malformed { offset: 0, .. }),
        "{e:?}"
    );
    assert_eq!(e.kind(), "malformed");
    // The text format itself is not accepted either: only binary modules are.
    assert!(matches!(
        refused(MINIMAL.as_bytes()),
        ValidationError::Malformed { .. }
    ));
}

#[test]
fn empty_input_is_malformed() {
    assert!(matches!(refused(&[]), ValidationError::Malformed { .. }));
}

#[test]
fn truncated_module_is_malformed() {
    let code = wasm(MINIMAL);
    // Cut inside the last (code) section.
    let e = refused(&code[..code.len() - 1]);
    assert!(matches!(e, ValidationError::Malformed { .. }), "{e:?}");
    // Cut inside the header.
    assert!(matches!(
        refused(&code[..6]),
        ValidationError::Malformed { .. }
    ));
    // Every proper prefix is refused; one that ends exactly on a section boundary is a valid but
    // incomplete module, refused for its missing parts.
    for cut in 0..code.len() {
        match refused(&code[..cut]) {
            ValidationError::Malformed { .. } | ValidationError::MissingExport { .. } => {}
            e => panic!("prefix of {cut} bytes: unexpected {e:?}"),
        }
    }
}

#[test]
fn component_is_refused() {
    let code = wasm("(component)");
    assert_eq!(refused(&code), unsupported("component_model"));
}

// ---------------------------------------------------------------------------------------------
// Code size

#[test]
fn code_over_the_size_limit_is_refused() {
    // A valid contract made large by a custom section.
    let mut code = wasm(MINIMAL);
    let payload = vec![0u8; 600 * 1024];
    wasm_encoder::CustomSection {
        name: "padding".into(),
        data: payload.into(),
    }
    .append_to(&mut code);
    let e = refused(&code);
    assert_eq!(
        e,
        ValidationError::CodeTooLarge {
            size: code.len(),
            limit: 512 * 1024
        }
    );
    assert_eq!(e.kind(), "code_too_large");
}

#[test]
fn code_exactly_at_the_size_limit_is_accepted() {
    let code = wasm(MINIMAL);
    let exact = Limits {
        max_code_size: code.len(),
        ..Limits::default()
    };
    assert!(validate(&code, &exact).is_ok());
    let one_less = Limits {
        max_code_size: code.len() - 1,
        ..Limits::default()
    };
    assert_eq!(
        refused_with(&code, &one_less),
        ValidationError::CodeTooLarge {
            size: code.len(),
            limit: code.len() - 1
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Floats

#[test]
fn float_instruction_is_refused() {
    let code =
        with("(func (result i32) (drop (f32.add (f32.const 1) (f32.const 2))) (i32.const 0))");
    let e = refused(&code);
    assert_eq!(e, ValidationError::FloatInstruction);
    assert_eq!(e.kind(), "float_instruction");
}

#[test]
fn float_parameter_is_refused() {
    assert_eq!(
        refused(&with("(func (param f64))")),
        ValidationError::FloatInstruction
    );
}

#[test]
fn float_local_global_and_reinterpret_are_refused() {
    assert_eq!(
        refused(&with("(func (local f32))")),
        ValidationError::FloatInstruction
    );
    assert_eq!(
        refused(&with("(global f64 (f64.const 0))")),
        ValidationError::FloatInstruction
    );
    assert_eq!(
        refused(&with(
            "(func (result i64) (i64.reinterpret_f64 (f64.const 1.5)))"
        )),
        ValidationError::FloatInstruction
    );
}

// ---------------------------------------------------------------------------------------------
// Features beyond WebAssembly 1.0 + mutable globals

#[test]
fn simd_is_an_unsupported_feature() {
    let e = refused(&with("(func (drop (v128.const i64x2 0 0)))"));
    assert_eq!(e, unsupported("simd"));
    assert_eq!(e.kind(), "unsupported_feature");
    // SIMD with float lanes is still reported as SIMD, not as a float.
    assert_eq!(
        refused(&with(
            "(func (drop (f32x4.add (v128.const i64x2 0 0) (v128.const i64x2 0 0))))"
        )),
        unsupported("simd")
    );
}

#[test]
fn bulk_memory_is_an_unsupported_feature() {
    assert_eq!(
        refused(&with(
            "(func (memory.copy (i32.const 0) (i32.const 8) (i32.const 8)))"
        )),
        unsupported("bulk_memory")
    );
    assert_eq!(
        refused(&with(
            "(func (memory.fill (i32.const 0) (i32.const 0) (i32.const 8)))"
        )),
        unsupported("bulk_memory")
    );
    // A passive data segment is part of the same proposal.
    assert_eq!(
        refused(&with(r#"(data "passive")"#)),
        unsupported("bulk_memory")
    );
}

#[test]
fn reference_types_are_an_unsupported_feature() {
    assert_eq!(
        refused(&with("(func (drop (ref.null func)))")),
        unsupported("reference_types")
    );
    assert_eq!(
        refused(&with(
            "(table 1 funcref) (func (drop (table.get 0 (i32.const 0))))"
        )),
        unsupported("reference_types")
    );
    assert_eq!(
        refused(&with("(func (param externref))")),
        unsupported("reference_types")
    );
}

#[test]
fn multiple_tables_are_too_many_tables() {
    // Carechain's own count check runs before wasmparser's feature check.
    assert_eq!(
        refused(&with("(table 1 funcref) (table 1 funcref)")),
        too_many("tables", 2, 1)
    );
}

#[test]
fn multi_value_is_an_unsupported_feature() {
    assert_eq!(
        refused(&with("(func (result i32 i32) (i32.const 1) (i32.const 2))")),
        unsupported("multi_value")
    );
}

#[test]
fn sign_extension_is_an_unsupported_feature() {
    assert_eq!(
        refused(&with("(func (result i32) (i32.extend8_s (i32.const 255)))")),
        unsupported("sign_extension")
    );
}

#[test]
fn saturating_float_to_int_is_refused() {
    // Needs both floats (its f32 operand) and the saturating proposal: the classifier reports the
    // proposal.
    let e = refused(&with(
        "(func (result i32) (i32.trunc_sat_f32_s (f32.const 1)))",
    ));
    assert_eq!(e, unsupported("saturating_float_to_int"));
}

#[test]
fn tail_calls_are_an_unsupported_feature() {
    assert_eq!(
        refused(&with("(func $f (return_call $f))")),
        unsupported("tail_call")
    );
}

#[test]
fn threads_are_an_unsupported_feature() {
    assert_eq!(
        refused(&wasm(
            r#"(module (memory (export "memory") 1 1 shared)
                 (func (export "deploy")) (func (export "call")))"#
        )),
        unsupported("threads")
    );
    assert_eq!(
        refused(&with("(func (result i32) (i32.atomic.load (i32.const 0)))")),
        unsupported("threads")
    );
    assert_eq!(
        refused(&with("(func (atomic.fence))")),
        unsupported("threads")
    );
}

#[test]
fn other_proposals_are_unsupported_features() {
    assert_eq!(
        refused(&wasm(
            r#"(module (memory (export "memory") i64 1)
                 (func (export "deploy")) (func (export "call")))"#
        )),
        unsupported("memory64")
    );
    assert_eq!(
        refused(&with("(global i32 (i32.add (i32.const 1) (i32.const 2)))")),
        unsupported("extended_const")
    );
    assert_eq!(
        refused(&with("(tag) (func (throw 0))")),
        unsupported("exceptions")
    );
}

#[test]
fn segment_offset_from_a_defined_global_is_refused() {
    // WebAssembly 1.0 only allows `global.get` of an imported global in a constant expression,
    // and contracts cannot import globals; a defined global there is the GC proposal's extension.
    assert_eq!(
        refused(&with(
            r#"(global $g i32 (i32.const 100000)) (data (global.get $g) "x")"#
        )),
        unsupported("gc")
    );
    assert_eq!(
        refused(&with(
            "(table 1 funcref) (global $g i32 (i32.const 5)) (elem (global.get $g) 0)"
        )),
        unsupported("gc")
    );
}

// ---------------------------------------------------------------------------------------------
// Start function

#[test]
fn start_function_is_refused() {
    let e = refused(&with("(func $s) (start $s)"));
    assert_eq!(e, ValidationError::StartFunction);
    assert_eq!(e.kind(), "start_function");
}

// ---------------------------------------------------------------------------------------------
// Imports

#[test]
fn import_from_another_module_is_refused() {
    let e = refused(&with_imports(
        r#"(import "env" "input_len" (func (result i32)))"#,
        "",
    ));
    assert_eq!(e, not_allowed("env", "input_len"));
    assert_eq!(e.kind(), "import_not_allowed");
}

#[test]
fn unknown_host_function_is_refused() {
    assert_eq!(
        refused(&with_imports(
            r#"(import "carechain" "print_float" (func (param i32)))"#,
            ""
        )),
        not_allowed("carechain", "print_float")
    );
}

#[test]
fn imported_memory_table_and_global_are_refused() {
    assert_eq!(
        refused(&wasm(
            r#"(module (import "carechain" "memory" (memory 1)) (export "memory" (memory 0))
                 (func (export "deploy")) (func (export "call")))"#
        )),
        not_allowed("carechain", "memory")
    );
    assert_eq!(
        refused(&with_imports(
            r#"(import "carechain" "block_height" (global i64))"#,
            ""
        )),
        not_allowed("carechain", "block_height")
    );
    assert_eq!(
        refused(&with_imports(
            r#"(import "carechain" "table" (table 1 funcref))"#,
            ""
        )),
        not_allowed("carechain", "table")
    );
}

#[test]
fn host_function_with_wrong_signature_is_refused() {
    let mismatch = |name: &str| ValidationError::ImportSignatureMismatch {
        name: name.to_string(),
    };
    let e = refused(&with_imports(
        r#"(import "carechain" "input_len" (func (param i32) (result i32)))"#,
        "",
    ));
    assert_eq!(e, mismatch("input_len"));
    assert_eq!(e.kind(), "import_signature_mismatch");
    // Wrong result type.
    assert_eq!(
        refused(&with_imports(
            r#"(import "carechain" "block_height" (func (result i32)))"#,
            ""
        )),
        mismatch("block_height")
    );
    // Missing result.
    assert_eq!(
        refused(&with_imports(
            r#"(import "carechain" "input_len" (func))"#,
            ""
        )),
        mismatch("input_len")
    );
    // i32 where the ABI has an i64.
    assert_eq!(
        refused(&with_imports(
            r#"(import "carechain" "call_contract" (func (param i32 i32 i32 i32) (result i32)))"#,
            ""
        )),
        mismatch("call_contract")
    );
}

// ---------------------------------------------------------------------------------------------
// Required exports

#[test]
fn missing_memory_export_is_refused() {
    let e = refused(&wasm(
        r#"(module (func (export "deploy")) (func (export "call")))"#,
    ));
    assert_eq!(e, ValidationError::MissingExport { name: "memory" });
    assert_eq!(e.kind(), "missing_export");
    // A memory that is not exported is missing too.
    assert_eq!(
        refused(&wasm(
            r#"(module (memory 1) (func (export "deploy")) (func (export "call")))"#
        )),
        ValidationError::MissingExport { name: "memory" }
    );
}

#[test]
fn missing_deploy_export_is_refused() {
    assert_eq!(
        refused(&wasm(
            r#"(module (memory (export "memory") 1) (func (export "call")))"#
        )),
        ValidationError::MissingExport { name: "deploy" }
    );
}

#[test]
fn missing_call_export_is_refused() {
    assert_eq!(
        refused(&wasm(
            r#"(module (memory (export "memory") 1) (func (export "deploy")))"#
        )),
        ValidationError::MissingExport { name: "call" }
    );
    // The name is case sensitive.
    assert_eq!(
        refused(&wasm(
            r#"(module (memory (export "memory") 1) (func (export "deploy")) (func (export "Call")))"#
        )),
        ValidationError::MissingExport { name: "call" }
    );
}

#[test]
fn call_with_a_parameter_is_an_export_mismatch() {
    let e = refused(&wasm(
        r#"(module (memory (export "memory") 1) (func (export "deploy")) (func (export "call") (param i32)))"#,
    ));
    assert_eq!(e, ValidationError::ExportMismatch { name: "call" });
    assert_eq!(e.kind(), "export_mismatch");
}

#[test]
fn deploy_with_a_result_is_an_export_mismatch() {
    assert_eq!(
        refused(&wasm(
            r#"(module (memory (export "memory") 1) (func (export "deploy") (result i32) (i32.const 0)) (func (export "call")))"#
        )),
        ValidationError::ExportMismatch { name: "deploy" }
    );
}

#[test]
fn exports_of_the_wrong_kind_are_an_export_mismatch() {
    // The memory exported as `call`.
    assert_eq!(
        refused(&wasm(
            r#"(module (memory (export "memory") (export "call") 1) (func (export "deploy")))"#
        )),
        ValidationError::ExportMismatch { name: "call" }
    );
    // A function exported as `memory`.
    assert_eq!(
        refused(&wasm(
            r#"(module (memory 1) (func (export "memory")) (func (export "deploy")) (func (export "call")))"#
        )),
        ValidationError::ExportMismatch { name: "memory" }
    );
    // A global exported as `deploy`.
    assert_eq!(
        refused(&wasm(
            r#"(module (memory (export "memory") 1) (global (export "deploy") i32 (i32.const 0)) (func (export "call")))"#
        )),
        ValidationError::ExportMismatch { name: "deploy" }
    );
    // A host function re-exported as `call`.
    assert_eq!(
        refused(&wasm(
            r#"(module (import "carechain" "input_read" (func $r (param i32)))
                 (memory (export "memory") 1) (func (export "deploy")) (export "call" (func $r)))"#
        )),
        ValidationError::ExportMismatch { name: "call" }
    );
}

#[test]
fn reserved_export_name_is_refused() {
    let e = refused(&with(r#"(func (export "__carechain_gas"))"#));
    assert_eq!(
        e,
        ValidationError::ReservedExport {
            name: "__carechain_gas".to_string()
        }
    );
    assert_eq!(e.kind(), "reserved_export");
    // Any kind of export under the prefix.
    assert_eq!(
        refused(&with(
            r#"(global (export "__carechain_stack") (mut i32) (i32.const 0))"#
        )),
        ValidationError::ReservedExport {
            name: "__carechain_stack".to_string()
        }
    );
    // Names that merely resemble the prefix are fine.
    accepted(&with(
        r#"(func (export "_carechain_gas")) (func (export "carechain_gas"))"#,
    ));
}

// ---------------------------------------------------------------------------------------------
// Counts

#[test]
fn too_many_functions_are_refused() {
    let funcs = "(func)".repeat(10_001 - 2);
    let e = refused(&with(&funcs));
    assert_eq!(e, too_many("functions", 10_001, 10_000));
    assert_eq!(e.kind(), "too_many");
    accepted(&with(&"(func)".repeat(10_000 - 2)));
}

#[test]
fn imported_functions_count_towards_the_function_limit() {
    let limits = Limits {
        max_functions: 3,
        ..Limits::default()
    };
    let code = with_imports(
        r#"(import "carechain" "input_len" (func (result i32)))
           (import "carechain" "input_read" (func (param i32)))"#,
        "",
    );
    assert_eq!(refused_with(&code, &limits), too_many("functions", 4, 3));
}

#[test]
fn too_many_types_are_refused() {
    let types = "(type (func))".repeat(1_025);
    assert_eq!(refused(&with(&types)), too_many("types", 1_025, 1_024));
}

#[test]
fn too_many_globals_are_refused() {
    let globals = "(global i32 (i32.const 0))".repeat(257);
    assert_eq!(refused(&with(&globals)), too_many("globals", 257, 256));
    accepted(&with(&"(global i32 (i32.const 0))".repeat(256)));
}

#[test]
fn too_many_exports_are_refused() {
    // memory, deploy and call, plus 254 more.
    let exports: String = (0..254)
        .map(|i| format!(r#"(export "e{i}" (func 0))"#))
        .collect();
    assert_eq!(refused(&with(&exports)), too_many("exports", 257, 256));
}

#[test]
fn too_many_data_segments_are_refused() {
    let data = r#"(data (i32.const 0) "x")"#.repeat(1_025);
    assert_eq!(
        refused(&with(&data)),
        too_many("data_segments", 1_025, 1_024)
    );
}

#[test]
fn too_many_element_segments_are_refused() {
    let elems = format!(
        "(table 1 funcref) {}",
        "(elem (i32.const 0) 0)".repeat(1_025)
    );
    assert_eq!(
        refused(&with(&elems)),
        too_many("element_segments", 1_025, 1_024)
    );
}

#[test]
fn too_many_parameters_are_refused() {
    let params = "i32 ".repeat(33);
    assert_eq!(
        refused(&with(&format!("(func (param {params}))"))),
        too_many("params", 33, 32)
    );
}

#[test]
fn two_memories_are_too_many_memories() {
    assert_eq!(refused(&with("(memory 1)")), too_many("memories", 2, 1));
}

// ---------------------------------------------------------------------------------------------
// Per-function limits

#[test]
fn too_many_locals_are_refused() {
    let locals = "(local i32)".repeat(1_025);
    let e = refused(&with(&format!("(func {locals})")));
    assert_eq!(
        e,
        ValidationError::TooManyLocals {
            function: 2,
            count: 1_025,
            limit: 1_024
        }
    );
    assert_eq!(e.kind(), "too_many_locals");
}

#[test]
fn parameters_count_as_locals() {
    let params = "i64 ".repeat(32);
    let locals = "(local i32)".repeat(1_024 - 32 + 1);
    // Function index counts imports: one import, then deploy, call, and this function.
    let code = with_imports(
        r#"(import "carechain" "input_read" (func (param i32)))"#,
        &format!("(func (param {params}) {locals})"),
    );
    assert_eq!(
        refused(&code),
        ValidationError::TooManyLocals {
            function: 3,
            count: 1_025,
            limit: 1_024
        }
    );
}

#[test]
fn nesting_too_deep_is_refused() {
    let nested = format!("{}{}", "(block ".repeat(257), ")".repeat(257));
    let e = refused(&with(&format!("(func {nested})")));
    assert_eq!(
        e,
        ValidationError::NestingTooDeep {
            function: 2,
            depth: 257,
            limit: 256
        }
    );
    assert_eq!(e.kind(), "nesting_too_deep");
    // `loop` and `if` count like `block`.
    let mixed = format!(
        "{}{}",
        "(loop (if (i32.const 1) (then ".repeat(129),
        ")))".repeat(129)
    );
    assert!(matches!(
        refused(&with(&format!("(func {mixed})"))),
        ValidationError::NestingTooDeep { depth: 257, .. }
    ));
}

#[test]
fn sequential_blocks_do_not_add_up_to_nesting() {
    let siblings = "(block (block))".repeat(1_000);
    accepted(&with(&format!("(func {siblings})")));
}

// ---------------------------------------------------------------------------------------------
// Memory and table sizes

#[test]
fn initial_memory_over_the_limit_is_refused() {
    let e = refused(&wasm(
        r#"(module (memory (export "memory") 65) (func (export "deploy")) (func (export "call")))"#,
    ));
    assert_eq!(
        e,
        ValidationError::MemoryTooLarge {
            pages: 65,
            limit: 64
        }
    );
    assert_eq!(e.kind(), "memory_too_large");
}

#[test]
fn declared_maximum_memory_over_the_limit_is_refused() {
    assert_eq!(
        refused(&wasm(
            r#"(module (memory (export "memory") 1 65536) (func (export "deploy")) (func (export "call")))"#
        )),
        ValidationError::MemoryTooLarge {
            pages: 65_536,
            limit: 64
        }
    );
}

#[test]
fn table_over_the_limit_is_refused() {
    let e = refused(&with("(table 4097 funcref)"));
    assert_eq!(
        e,
        ValidationError::TableTooLarge {
            elements: 4_097,
            limit: 4_096
        }
    );
    assert_eq!(e.kind(), "table_too_large");
    assert_eq!(
        refused(&with("(table 1 100000 funcref)")),
        ValidationError::TableTooLarge {
            elements: 100_000,
            limit: 4_096
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Segment bounds

#[test]
fn data_segment_past_the_initial_memory_is_refused() {
    let e = refused(&with(r#"(data (i32.const 65535) "ab")"#));
    assert_eq!(e, ValidationError::DataSegmentOutOfBounds { index: 0 });
    assert_eq!(e.kind(), "data_segment_out_of_bounds");
    // The index is the segment's; a negative offset is a huge unsigned one.
    assert_eq!(
        refused(&with(
            r#"(data (i32.const 0) "ok") (data (i32.const -1) "x")"#
        )),
        ValidationError::DataSegmentOutOfBounds { index: 1 }
    );
    // Ending exactly at the end of memory is fine.
    accepted(&with(r#"(data (i32.const 65534) "ab")"#));
}

#[test]
fn data_segment_in_a_zero_page_memory_is_refused() {
    assert_eq!(
        refused(&wasm(
            r#"(module (memory (export "memory") 0 1) (data (i32.const 0) "x")
                 (func (export "deploy")) (func (export "call")))"#
        )),
        ValidationError::DataSegmentOutOfBounds { index: 0 }
    );
}

#[test]
fn element_segment_past_the_initial_table_is_refused() {
    let e = refused(&with("(table 1 funcref) (elem (i32.const 1) 0)"));
    assert_eq!(e, ValidationError::ElementSegmentOutOfBounds { index: 0 });
    assert_eq!(e.kind(), "element_segment_out_of_bounds");
    assert_eq!(
        refused(&with(
            "(table 2 funcref) (elem (i32.const 0) 0 1) (elem (i32.const -1) 0)"
        )),
        ValidationError::ElementSegmentOutOfBounds { index: 1 }
    );
    accepted(&with("(table 2 funcref) (elem (i32.const 0) 0 1)"));
}
