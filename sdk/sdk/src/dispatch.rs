//! What the `#[contract]` macro's generated `deploy` and `call` exports use. Not for direct use.
#![doc(hidden)]

use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

use carechain_abi::revert as codes;
use parity_scale_codec::{Decode, Encode};

use crate::env::revert;
use crate::{ContractError, sys};

static READ_ONLY: AtomicBool = AtomicBool::new(false);

/// The call's input.
pub fn input() -> Vec<u8> {
    let len = unsafe { sys::input_len() } as usize;
    let mut buf = Vec::with_capacity(len);
    unsafe {
        sys::input_read(sys::ptr(buf.as_mut_ptr()));
        buf.set_len(len);
    }
    buf
}

/// Splits the selector off the input; reverts with `UnknownSelector` if there are fewer than
/// four bytes.
pub fn split_selector(input: &[u8]) -> ([u8; 4], &[u8]) {
    match input.split_first_chunk::<4>() {
        Some((sel, rest)) => (*sel, rest),
        None => {
            let mut data = Vec::with_capacity(5);
            data.push(codes::UNKNOWN_SELECTOR);
            data.extend_from_slice(input);
            revert(&data)
        }
    }
}

/// Decodes the argument tuple; reverts with `InvalidInput` unless it consumes the input exactly.
pub fn decode_args<T: Decode>(mut args: &[u8]) -> T {
    match T::decode(&mut args) {
        Ok(v) if args.is_empty() => v,
        _ => revert(&[codes::INVALID_INPUT]),
    }
}

/// Reverts with `UnknownSelector`.
pub fn unknown_selector(selector: [u8; 4]) -> ! {
    let data = [
        codes::UNKNOWN_SELECTOR,
        selector[0],
        selector[1],
        selector[2],
        selector[3],
    ];
    revert(&data)
}

/// Marks the call read-only: later storage writes revert with `WriteInQuery`.
pub fn enter_read_only() {
    READ_ONLY.store(true, Ordering::Relaxed);
}

pub(crate) fn check_writable() {
    if READ_ONLY.load(Ordering::Relaxed) {
        revert(&[codes::WRITE_IN_QUERY]);
    }
}

/// Sets a plain return value.
pub fn finish_value<T: Encode>(value: &T) {
    let mut data = Vec::new();
    value.encode_to(&mut data);
    if !data.is_empty() {
        unsafe { sys::set_return(sys::ptr(data.as_ptr()), sys::len(data.len())) };
    }
}

/// Sets `Ok`'s value, or reverts with the contract error.
pub fn finish_result<T: Encode, E: ContractError>(result: Result<T, E>) {
    match result {
        Ok(v) => finish_value(&v),
        Err(e) => crate::env::revert_with(&e),
    }
}
