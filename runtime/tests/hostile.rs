//! Hostile modules: each ends with a typed outcome, in bounded time and memory, with the same
//! outcome and the same gas on wasmtime and wasmi.

mod common;

use carechain_runtime::validate::validate;
use carechain_runtime::{
    CallResult, EngineKind, Failure, Limits, Outcome, RuntimeConfig, Sandbox, ValidationError,
};
use common::*;
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, DataSection, ExportKind, ExportSection, Function,
    FunctionSection, Instruction, MemorySection, MemoryType, Module, TypeSection, ValType,
};

const GAS: u64 = 10_000_000;
const BIG_GAS: u64 = 1_000_000_000;

/// Deploys `code` with `gas` on one fresh sandbox per engine, asserts both engines return the
/// same result, and returns it.
fn deploy_on_both(code: &[u8], gas: u64) -> CallResult {
    deploy_on_both_with(code, gas, Limits::default())
}

fn deploy_on_both_with(code: &[u8], gas: u64, limits: Limits) -> CallResult {
    let results: Vec<CallResult> = EngineKind::ALL
        .into_iter()
        .map(|engine| {
            let config = RuntimeConfig {
                limits: limits.clone(),
                ..RuntimeConfig::for_engine(engine)
            };
            let mut sandbox = Sandbox::with_config(config).expect("runtime");
            sandbox.deploy_with(alice(), code, &[], b"salt", gas)
        })
        .collect();
    assert_eq!(results[0], results[1], "wasmtime and wasmi disagree");
    results[0].clone()
}

/// Deploys `code` on both engines, asserts it is refused as an invalid module with the same
/// error and the same gas (the per-byte deploy price, nothing more), and returns the error.
fn refused_on_both(code: &[u8]) -> ValidationError {
    refused_on_both_with(code, Limits::default())
}

fn refused_on_both_with(code: &[u8], limits: Limits) -> ValidationError {
    let r = deploy_on_both_with(code, BIG_GAS, limits);
    assert_eq!(r.contract, None);
    assert!(r.changes.is_empty() && r.events.is_empty());
    let deploy_byte = RuntimeConfig::default().schedule.host.deploy_byte;
    assert_eq!(r.gas_used, code.len() as u64 * deploy_byte);
    match r.outcome {
        Outcome::Failed(Failure::InvalidModule(e)) => e,
        other => panic!("expected an invalid module, got {other:?}"),
    }
}

/// A contract built with wasm-encoder: one type `() -> ()`, one page of memory, empty `deploy`
/// (function 0) and `call` (function 1), then `extra` more functions of type `() -> ()` whose
/// bodies `body(i)` returns.
fn encoded(extra: u32, body: impl Fn(u32) -> Function) -> Vec<u8> {
    let mut module = Module::new();
    let mut types = TypeSection::new();
    types.ty().function([], []);
    module.section(&types);
    let mut funcs = FunctionSection::new();
    for _ in 0..2 + extra {
        funcs.function(0);
    }
    module.section(&funcs);
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    module.section(&memories);
    let mut exports = ExportSection::new();
    exports
        .export("memory", ExportKind::Memory, 0)
        .export("deploy", ExportKind::Func, 0)
        .export("call", ExportKind::Func, 1);
    module.section(&exports);
    let mut code = CodeSection::new();
    let mut empty = Function::new([]);
    empty.instruction(&Instruction::End);
    code.function(&empty).function(&empty);
    for i in 0..extra {
        code.function(&body(i));
    }
    module.section(&code);
    module.finish()
}

fn empty_body(_: u32) -> Function {
    let mut f = Function::new([]);
    f.instruction(&Instruction::End);
    f
}

// ---------------------------------------------------------------------------------------------
// Modules that deploy and then misbehave at run time

#[test]
fn infinite_loop_runs_out_of_gas() {
    let r = on_both(&contract("(loop (br 0))"), &[], GAS);
    assert_eq!(r.outcome, Outcome::Failed(Failure::OutOfGas));
    assert_eq!(r.gas_used, GAS);
    assert!(r.changes.is_empty() && r.return_data.is_empty());
}

#[test]
fn infinite_loop_in_the_constructor_runs_out_of_gas() {
    let code = wat::parse_str(
        r#"(module (memory (export "memory") 1)
             (func (export "deploy") (loop (br 0)))
             (func (export "call")))"#,
    )
    .unwrap();
    let r = deploy_on_both(&code, GAS);
    assert_eq!(r.outcome, Outcome::Failed(Failure::OutOfGas));
    assert_eq!(r.gas_used, GAS);
    assert!(r.changes.is_empty());
}

#[test]
fn infinite_recursion_is_a_stack_overflow() {
    let code = contract_with("(func $f (call $f))", "(call $f)");
    let r = on_both(&code, &[], BIG_GAS);
    assert_eq!(r.outcome, Outcome::Failed(Failure::StackOverflow));
    // Stopped by the stack limit, not by gas: both engines charged the same, below the limit.
    assert!(r.gas_used > 0 && r.gas_used < BIG_GAS);
}

#[test]
fn infinite_recursion_in_the_constructor_is_a_stack_overflow() {
    let code = wat::parse_str(
        r#"(module (memory (export "memory") 1)
             (func $f (export "deploy") (call $f))
             (func (export "call")))"#,
    )
    .unwrap();
    let r = deploy_on_both(&code, BIG_GAS);
    assert_eq!(r.outcome, Outcome::Failed(Failure::StackOverflow));
    assert!(r.gas_used < BIG_GAS);
}

#[test]
fn mutual_recursion_through_call_indirect_is_a_stack_overflow() {
    let code = contract_with(
        "(type $v (func))
         (table 2 funcref)
         (elem (i32.const 0) $a $b)
         (func $a (call_indirect (type $v) (i32.const 1)))
         (func $b (call_indirect (type $v) (i32.const 0)))",
        "(call $a)",
    );
    let r = on_both(&code, &[], BIG_GAS);
    assert_eq!(r.outcome, Outcome::Failed(Failure::StackOverflow));
    assert!(r.gas_used > 0 && r.gas_used < BIG_GAS);
}

#[test]
fn recursion_with_large_frames_is_a_stack_overflow() {
    let locals = "(local i64) ".repeat(1000);
    let code = contract_with(&format!("(func $f {locals} (call $f))"), "(call $f)");
    let r = on_both(&code, &[], BIG_GAS);
    assert_eq!(r.outcome, Outcome::Failed(Failure::StackOverflow));
    assert!(r.gas_used > 0 && r.gas_used < BIG_GAS);
}

#[test]
fn recursion_with_large_frames_overflows_sooner_than_with_small_frames() {
    let small = contract_with("(func $f (call $f))", "(call $f)");
    let large = contract_with(
        &format!("(func $f {} (call $f))", "(local i64) ".repeat(1000)),
        "(call $f)",
    );
    let small = on_both(&small, &[], BIG_GAS);
    let large = on_both(&large, &[], BIG_GAS);
    assert_eq!(large.outcome, small.outcome);
    // Fewer frames fit, so less work was done (and charged) before the overflow.
    assert!(large.gas_used < small.gas_used, "{large:?} vs {small:?}");
}

#[test]
fn memory_growth_past_the_limit_is_a_memory_limit_failure() {
    let code = contract("(loop (drop (memory.grow (i32.const 1))) (br 0))");
    let r = on_both(&code, &[], BIG_GAS);
    assert_eq!(r.outcome, Outcome::Failed(Failure::MemoryLimit));
    assert!(r.gas_used < BIG_GAS);
}

#[test]
fn one_huge_memory_grow_is_a_memory_limit_failure() {
    for pages in ["65", "65536", "-1"] {
        let code = contract(&format!("(drop (memory.grow (i32.const {pages})))"));
        let r = on_both(&code, &[], BIG_GAS);
        assert_eq!(
            r.outcome,
            Outcome::Failed(Failure::MemoryLimit),
            "{pages} pages"
        );
    }
}

#[test]
fn growth_past_the_declared_maximum_fails_identically() {
    // Under the runtime's limit but over the module's own maximum: memory.grow returns -1
    // (a WebAssembly result, not a trap) on both engines.
    let code = wat::parse_str(format!(
        r#"(module {IMPORTS}
             (memory (export "memory") 1 2)
             (func (export "deploy"))
             (func (export "call")
               (i32.store (i32.const 0) (memory.grow (i32.const 5)))
               (call $set_return (i32.const 0) (i32.const 4))))"#
    ))
    .unwrap();
    let r = on_both(&code, &[], GAS);
    assert_eq!(r.outcome, Outcome::Success);
    assert_eq!(r.return_data, (-1i32).to_le_bytes());
}

// ---------------------------------------------------------------------------------------------
// Modules refused at deploy

#[test]
fn huge_data_segment_is_refused_as_too_large() {
    let data = format!(r#"(data (i32.const 0) "{}")"#, "A".repeat(1024 * 1024));
    let code = contract_with(&data, "");
    let e = refused_on_both(&code);
    assert_eq!(
        e,
        ValidationError::CodeTooLarge {
            size: code.len(),
            limit: 512 * 1024
        }
    );
}

#[test]
fn data_segment_larger_than_memory_is_refused() {
    // 300 KiB fits the code limit but not the one-page memory.
    let data = format!(r#"(data (i32.const 0) "{}")"#, "A".repeat(300 * 1024));
    let e = refused_on_both(&contract_with(&data, ""));
    assert_eq!(e, ValidationError::DataSegmentOutOfBounds { index: 0 });
}

#[test]
fn data_segment_at_the_top_of_the_address_space_is_refused() {
    let e = refused_on_both(&contract_with(r#"(data (i32.const -4) "abcd")"#, ""));
    assert_eq!(e, ValidationError::DataSegmentOutOfBounds { index: 0 });
}

#[test]
fn data_segment_with_a_huge_declared_length_is_malformed() {
    // A data segment whose length prefix claims 4 GiB, followed by nothing.
    let mut code = encoded(0, empty_body);
    let mut data = DataSection::new();
    data.active(0, &ConstExpr::i32_const(0), [0u8; 4]);
    let mut section = Vec::new();
    wasm_encoder::Section::append_to(&data, &mut section);
    // Section bytes: id, size, count=1, memory 0, i32.const 0 end, len=4, 4 bytes. Patch the
    // length to a 5-byte LEB128 for 0xFFFF_FFFF (the section size grows by 4).
    let len_at = section.len() - 5;
    assert_eq!(section[len_at], 4);
    let mut patched = section[..len_at].to_vec();
    patched.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
    patched.extend_from_slice(&section[len_at + 1..]);
    patched[1] += 4;
    code.extend_from_slice(&patched);
    let e = refused_on_both(&code);
    assert!(matches!(e, ValidationError::Malformed { .. }), "{e:?}");
}

#[test]
fn huge_declared_memory_and_table_are_refused() {
    let code = wat::parse_str(
        r#"(module (memory (export "memory") 1 65536)
             (func (export "deploy")) (func (export "call")))"#,
    )
    .unwrap();
    assert_eq!(
        refused_on_both(&code),
        ValidationError::MemoryTooLarge {
            pages: 65_536,
            limit: 64
        }
    );
    let e = refused_on_both(&contract_with("(table 1 0xffffffff funcref)", ""));
    assert_eq!(
        e,
        ValidationError::TableTooLarge {
            elements: 0xffff_ffff,
            limit: 4_096
        }
    );
}

#[test]
fn hundred_thousand_nested_blocks_are_refused() {
    let depth = 100_000u32;
    let code = encoded(1, |_| {
        let mut f = Function::new([]);
        for _ in 0..depth {
            f.instruction(&Instruction::Block(BlockType::Empty));
        }
        for _ in 0..depth {
            f.instruction(&Instruction::End);
        }
        f.instruction(&Instruction::End);
        f
    });
    assert!(code.len() < 512 * 1024);
    let e = refused_on_both(&code);
    assert_eq!(
        e,
        ValidationError::NestingTooDeep {
            function: 2,
            depth: 257,
            limit: 256
        }
    );
    assert_eq!(e.kind(), "nesting_too_deep");
}

#[test]
fn hundred_thousand_unclosed_blocks_are_refused() {
    // Never closed, so also invalid: the nesting check still refuses it first, without
    // materialising 100k control frames.
    let code = encoded(1, |_| {
        let mut f = Function::new([]);
        for _ in 0..100_000 {
            f.instruction(&Instruction::Loop(BlockType::Empty));
        }
        f.instruction(&Instruction::End);
        f
    });
    assert!(matches!(
        refused_on_both(&code),
        ValidationError::NestingTooDeep { depth: 257, .. }
    ));
}

#[test]
fn a_million_locals_are_refused() {
    let code = encoded(1, |_| {
        let mut f = Function::new([(1_000_000, ValType::I32)]);
        f.instruction(&Instruction::End);
        f
    });
    let e = refused_on_both(&code);
    assert_eq!(
        e,
        ValidationError::TooManyLocals {
            function: 2,
            count: 1_000_000,
            limit: 1_024
        }
    );
    assert_eq!(e.kind(), "too_many_locals");
}

#[test]
fn local_counts_that_overflow_u32_are_refused() {
    // Two declarations of u32::MAX locals each: their sum does not fit in a u32.
    let code = encoded(1, |_| {
        let mut f = Function::new([(u32::MAX, ValType::I64), (u32::MAX, ValType::I64)]);
        f.instruction(&Instruction::End);
        f
    });
    assert_eq!(
        refused_on_both(&code),
        ValidationError::TooManyLocals {
            function: 2,
            count: u64::from(u32::MAX),
            limit: 1_024
        }
    );
}

#[test]
fn two_hundred_thousand_functions_are_refused() {
    let code = encoded(200_000 - 2, empty_body);
    // With the default limits the module is already too large to be looked at further.
    assert!(code.len() > 512 * 1024);
    assert_eq!(
        refused_on_both(&code),
        ValidationError::CodeTooLarge {
            size: code.len(),
            limit: 512 * 1024
        }
    );
    // With a code size limit that lets it through, the function count refuses it.
    let roomy = Limits {
        max_code_size: 4 * 1024 * 1024,
        ..Limits::default()
    };
    let expected = ValidationError::TooMany {
        what: "functions",
        count: 200_000,
        limit: 10_000,
    };
    assert_eq!(validate(&code, &roomy).unwrap_err(), expected);
    assert_eq!(refused_on_both_with(&code, roomy), expected);
}

#[test]
fn function_section_declaring_200k_functions_is_refused_before_any_body() {
    // Only the function section: no bodies at all. The count is checked when the section is read.
    let mut module = Module::new();
    let mut types = TypeSection::new();
    types.ty().function([], []);
    module.section(&types);
    let mut funcs = FunctionSection::new();
    for _ in 0..200_000 {
        funcs.function(0);
    }
    module.section(&funcs);
    let code = module.finish();
    assert!(code.len() < 512 * 1024);
    assert_eq!(
        refused_on_both(&code),
        ValidationError::TooMany {
            what: "functions",
            count: 200_000,
            limit: 10_000
        }
    );
}

#[test]
fn large_module_with_a_type_error_in_its_last_function_is_malformed() {
    // Every function but the last is valid, so the whole module is read (and, to classify the
    // refusal, re-validated with each extra feature) before it is refused.
    let code = encoded(9_000, |i| {
        let mut f = Function::new([(1, ValType::I32)]);
        if i == 8_999 {
            f.instruction(&Instruction::I64Const(0));
            f.instruction(&Instruction::LocalSet(0));
        } else {
            for _ in 0..6 {
                f.instruction(&Instruction::I32Const(1));
                f.instruction(&Instruction::I32Const(2));
                f.instruction(&Instruction::I32Add);
                f.instruction(&Instruction::LocalSet(0));
            }
        }
        f.instruction(&Instruction::End);
        f
    });
    assert!(code.len() > 256 * 1024 && code.len() < 512 * 1024);
    let e = refused_on_both(&code);
    assert!(matches!(e, ValidationError::Malformed { .. }), "{e:?}");
}

// ---------------------------------------------------------------------------------------------
// Bytes that are not a module

/// A fixed-seed xorshift64, so the inputs are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, max_len: usize) -> Vec<u8> {
        let len = (self.next() as usize) % (max_len + 1);
        (0..len).map(|_| self.next() as u8).collect()
    }
}

#[test]
fn random_bytes_are_refused_as_malformed() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let inputs: Vec<Vec<u8>> = (0..200).map(|_| rng.bytes(4096)).collect();
    let mut sandboxes: Vec<Sandbox> = EngineKind::ALL.into_iter().map(Sandbox::new).collect();
    let deploy_byte = RuntimeConfig::default().schedule.host.deploy_byte;
    for (i, input) in inputs.iter().enumerate() {
        let e = validate(input, &Limits::default()).expect_err("random bytes were accepted");
        assert!(
            matches!(e, ValidationError::Malformed { .. }),
            "input {i}: {e:?}"
        );
        let results: Vec<CallResult> = sandboxes
            .iter_mut()
            .map(|s| s.deploy(alice(), input, &[]))
            .collect();
        assert_eq!(results[0], results[1], "input {i}: engines disagree");
        assert_eq!(
            results[0].outcome,
            Outcome::Failed(Failure::InvalidModule(e)),
            "input {i}"
        );
        assert_eq!(results[0].gas_used, input.len() as u64 * deploy_byte);
    }
}

#[test]
fn random_bytes_after_a_valid_header_are_refused() {
    let mut rng = Rng(0xfeed_f00d_dead_beef);
    let mut sandboxes: Vec<Sandbox> = EngineKind::ALL.into_iter().map(Sandbox::new).collect();
    for i in 0..200 {
        let mut input = b"\0asm\x01\0\0\0".to_vec();
        input.extend(rng.bytes(512));
        let e = validate(&input, &Limits::default()).expect_err("random module was accepted");
        let results: Vec<CallResult> = sandboxes
            .iter_mut()
            .map(|s| s.deploy(alice(), &input, &[]))
            .collect();
        assert_eq!(results[0], results[1], "input {i}: engines disagree");
        assert_eq!(
            results[0].outcome,
            Outcome::Failed(Failure::InvalidModule(e)),
            "input {i}"
        );
    }
}

#[test]
fn non_wasm_files_are_refused_as_malformed() {
    let inputs: [&[u8]; 6] = [
        b"hello world",
        b"#!/bin/sh\necho pwned\n",
        b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
        b"(module (memory (export \"memory\") 1) (func (export \"deploy\")) (func (export \"call\")))",
        // The magic with an unknown version.
        b"\0asm\x02\0\0\0",
    ];
    for input in inputs {
        let e = refused_on_both(input);
        assert!(
            matches!(e, ValidationError::Malformed { .. }),
            "{:?}: {e:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn empty_code_is_refused_as_malformed() {
    assert!(matches!(
        refused_on_both(&[]),
        ValidationError::Malformed { .. }
    ));
}
