//! The execution environment: who called, which contract this is, the block, and the host's
//! hashing, signature checking and logging.

use alloc::vec::Vec;

use carechain_abi::{Address, Hash, revert as codes};
use parity_scale_codec::Encode;

use crate::event::Event;
use crate::hash::blake2b_256;
use crate::sys;

/// The environment of the current call. Cheap to create: `env().caller()`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Env;

/// The environment of the current call.
pub fn env() -> Env {
    Env
}

impl Env {
    /// The account or contract that made this call.
    pub fn caller(&self) -> Address {
        let mut out = [0u8; 32];
        unsafe { sys::caller(sys::ptr(out.as_mut_ptr())) };
        Address(out)
    }

    /// This contract's address.
    pub fn self_address(&self) -> Address {
        let mut out = [0u8; 32];
        unsafe { sys::self_address(sys::ptr(out.as_mut_ptr())) };
        Address(out)
    }

    /// The height of the block being executed.
    pub fn block_height(&self) -> u64 {
        unsafe { sys::block_height() as u64 }
    }

    /// The timestamp of the block being executed, in Unix seconds. The only clock a contract has.
    pub fn block_time(&self) -> u64 {
        unsafe { sys::block_time() as u64 }
    }

    /// Emits an event: its topics (signature and `#[topic]` fields) for filtering, and all its
    /// fields SCALE-encoded as data. Discarded if the call later fails.
    pub fn emit<E: Event>(&self, event: &E) {
        // Encoded without `Encode::encode`'s up-front `size_hint`, which for nested event types is
        // about as much code as the encoding itself, at every emit site.
        let mut data = Vec::new();
        event.encode_to(&mut data);
        emit_raw(&E::SIGNATURE, event.field_topics().as_ref(), &data);
    }

    /// Blake2b-256 of `data`, computed by the host (paid per byte).
    pub fn blake2b_256(&self, data: &[u8]) -> Hash {
        Hash(blake2b_256(data))
    }

    /// True if `signature` is a valid (strict) ed25519 signature of `message` by `public_key`.
    pub fn ed25519_verify(
        &self,
        public_key: &[u8; 32],
        message: &[u8],
        signature: &[u8; 64],
    ) -> bool {
        unsafe {
            sys::ed25519_verify(
                sys::ptr(signature.as_ptr()),
                sys::ptr(public_key.as_ptr()),
                sys::ptr(message.as_ptr()),
                sys::len(message.len()),
            ) == 1
        }
    }

    /// A message for developers: recorded by the sandbox, ignored (but paid for) on validators.
    pub fn debug_log(&self, message: &str) {
        unsafe { sys::debug_log(sys::ptr(message.as_ptr()), sys::len(message.len())) };
    }
}

/// The host call behind [`Env::emit`]: one copy in the contract, not one per event type.
#[inline(never)]
fn emit_raw(signature: &[u8; 32], fields: &[crate::Topic], data: &[u8]) {
    let mut flat = Vec::with_capacity((1 + fields.len()) * 32);
    flat.extend_from_slice(signature);
    for t in fields {
        flat.extend_from_slice(&t.0);
    }
    unsafe {
        sys::emit_event(
            sys::ptr(flat.as_ptr()),
            sys::len(1 + fields.len()),
            sys::ptr(data.as_ptr()),
            sys::len(data.len()),
        )
    };
}

/// Ends the call as failed with raw revert `data`: every write and event of the call is
/// discarded and `data` goes to the caller.
pub fn revert(data: &[u8]) -> ! {
    unsafe { sys::revert(sys::ptr(data.as_ptr()), sys::len(data.len())) };
    // The host does not return from `revert`.
    halt()
}

/// Reverts with a contract error: [`CONTRACT_ERROR`](codes::CONTRACT_ERROR) then `error` encoded.
pub fn revert_with<E: Encode>(error: &E) -> ! {
    let mut data = alloc::vec![codes::CONTRACT_ERROR];
    error.encode_to(&mut data);
    revert(&data)
}

pub(crate) fn halt() -> ! {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::unreachable()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        panic!("revert outside the Carechain runtime")
    }
}
