//! Calls to other contracts.

use alloc::vec::Vec;

use carechain_abi::{Address, CallStatus, revert as codes};
use parity_scale_codec::{Decode, Encode};

use crate::sys;

/// Why a cross-contract call failed. The callee's writes and events are already rolled back; the
/// caller continues and decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError<E> {
    /// The callee returned one of its errors.
    Contract(E),
    /// The callee reverted for another reason (unknown selector, invalid input, a panic, or a
    /// contract not built with this SDK); the raw revert data.
    Reverted(Vec<u8>),
    /// The callee did not finish: trapped, ran out of gas or stack, hit the memory limit, does
    /// not exist, or the call was too deep or re-entrant.
    Failed(CallStatus),
    /// The callee succeeded but its return data is not the expected type.
    InvalidReturn,
}

/// A call being built: `Call::new(contract, selector!("name")).arg(&a).arg(&b).invoke()`.
#[derive(Clone, Debug)]
pub struct Call {
    address: Address,
    input: Vec<u8>,
    gas_limit: u64,
}

impl Call {
    /// A call of the message with `selector` on the contract at `address`.
    pub fn new(address: Address, selector: [u8; 4]) -> Self {
        Call {
            address,
            input: selector.to_vec(),
            gas_limit: 0,
        }
    }

    /// Appends the next argument (arguments are a SCALE tuple: each one's encoding in order).
    pub fn arg<T: Encode>(mut self, value: &T) -> Self {
        value.encode_to(&mut self.input);
        self
    }

    /// Forwards at most `gas` (default: all that is left).
    pub fn gas_limit(mut self, gas: u64) -> Self {
        self.gas_limit = gas;
        self
    }

    /// Makes the call; decodes a success as `R` and a contract error as `E`.
    ///
    /// # Errors
    /// [`CallError`]: the callee's own error, another revert, or a failure to finish.
    pub fn invoke<R: Decode, E: Decode>(self) -> Result<R, CallError<E>> {
        let code = unsafe {
            sys::call_contract(
                sys::ptr(self.address.0.as_ptr()),
                sys::ptr(self.input.as_ptr()),
                sys::len(self.input.len()),
                self.gas_limit as i64,
            )
        };
        let status = CallStatus::from_code(code).unwrap_or(CallStatus::Trapped);
        match status {
            CallStatus::Success => {
                let data = return_data();
                let mut input = &data[..];
                match R::decode(&mut input) {
                    Ok(r) if input.is_empty() => Ok(r),
                    _ => Err(CallError::InvalidReturn),
                }
            }
            CallStatus::Reverted => {
                let data = return_data();
                if let Some((&codes::CONTRACT_ERROR, mut rest)) = data.split_first()
                    && let Ok(e) = E::decode(&mut rest)
                    && rest.is_empty()
                {
                    return Err(CallError::Contract(e));
                }
                Err(CallError::Reverted(data))
            }
            other => Err(CallError::Failed(other)),
        }
    }
}

fn return_data() -> Vec<u8> {
    let len = unsafe { sys::return_data_len() } as usize;
    let mut buf = Vec::with_capacity(len);
    unsafe {
        sys::return_data_read(sys::ptr(buf.as_mut_ptr()));
        buf.set_len(len);
    }
    buf
}
