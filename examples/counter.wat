;; A tiny counter contract in WebAssembly text, written directly against the host ABI.
;; `deploy` stores 0; each `call` adds the first input byte (or 1) to the counter, emits an
;; event with the new value and returns it as 8 little-endian bytes.
(module
  (import "carechain" "input_len" (func $input_len (result i32)))
  (import "carechain" "input_read" (func $input_read (param i32)))
  (import "carechain" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "carechain" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "carechain" "emit_event" (func $emit_event (param i32 i32 i32 i32)))
  (import "carechain" "set_return" (func $set_return (param i32 i32)))
  (import "carechain" "debug_log" (func $debug_log (param i32 i32)))
  (memory (export "memory") 1)
  ;; key "count" at 0; topic (32 bytes) at 32; value at 64; input at 128
  (data (i32.const 0) "count")
  (data (i32.const 32) "counter.incremented.............")
  (data (i32.const 96) "incremented")
  (func (export "deploy")
    (i64.store (i32.const 64) (i64.const 0))
    (call $storage_write (i32.const 0) (i32.const 5) (i32.const 64) (i32.const 8)))
  (func (export "call")
    (local $step i64)
    (local.set $step (i64.const 1))
    (if (i32.gt_u (call $input_len) (i32.const 0))
      (then
        (call $input_read (i32.const 128))
        (local.set $step (i64.load8_u (i32.const 128)))))
    (drop (call $storage_read (i32.const 0) (i32.const 5) (i32.const 64) (i32.const 8)))
    (i64.store (i32.const 64) (i64.add (i64.load (i32.const 64)) (local.get $step)))
    (call $storage_write (i32.const 0) (i32.const 5) (i32.const 64) (i32.const 8))
    (call $emit_event (i32.const 32) (i32.const 1) (i32.const 64) (i32.const 8))
    (call $debug_log (i32.const 96) (i32.const 11))
    (call $set_return (i32.const 64) (i32.const 8))))
