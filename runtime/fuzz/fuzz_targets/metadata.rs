//! Raw bytes as the payload of a module's metadata section: decoding must never panic, and never
//! yield more than `MAX_METADATA_LEN` bytes, whatever the payload claims or inflates to.

#![no_main]

use carechain_runtime::abi::metadata::{MAX_METADATA_LEN, decode_metadata};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|payload: &[u8]| {
    if let Ok(json) = decode_metadata(payload) {
        assert!(json.len() <= MAX_METADATA_LEN.max(payload.len()));
    }
});
