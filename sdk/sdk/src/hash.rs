//! Hashing through the host (one `blake2b_256` import, so no hash function is compiled into
//! the contract).

use crate::sys;

/// The Blake2b-256 of `data`, computed by the host.
pub(crate) fn blake2b_256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    unsafe {
        sys::blake2b_256(
            sys::ptr(data.as_ptr()),
            sys::len(data.len()),
            sys::ptr(out.as_mut_ptr()),
        )
    };
    out
}
