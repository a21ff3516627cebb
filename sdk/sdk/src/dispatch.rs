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

/// Decodes the next argument off `args`; reverts with `InvalidInput` if it does not decode.
///
/// The generated dispatch decodes a message's arguments one by one with this, then calls
/// [`end_of_args`]: the same as decoding them as a tuple, but with one copy of the decoder per
/// argument type rather than one per message, and no `Result` to unpack at each message.
#[inline(never)]
pub fn decode_arg<T: Decode>(args: &mut &[u8]) -> T {
    match T::decode(args) {
        Ok(v) => v,
        Err(_) => invalid_input(),
    }
}

/// Reverts with `InvalidInput` unless every argument byte was consumed.
pub fn end_of_args(args: &[u8]) {
    if !args.is_empty() {
        invalid_input()
    }
}

#[inline(never)]
fn invalid_input() -> ! {
    revert(&[codes::INVALID_INPUT])
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
    set_return(&data);
}

/// The non-generic part of [`finish_value`]: once in the contract, not once per message.
#[inline(never)]
fn set_return(data: &[u8]) {
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
