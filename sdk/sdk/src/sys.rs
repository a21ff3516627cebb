//! The raw host imports of ABI v1 (see `carechain_abi::HostFn`).
//!
//! Inside wasm they are imports from the `carechain` module. Compiled for any other target (the
//! host, for documentation and unit tests of pure code) they exist so that the crate builds, and
//! panic if called: a contract runs only inside the Carechain runtime; test contracts through
//! its `Sandbox`.

macro_rules! host_functions {
    ($( fn $name:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)?; )*) => {
        #[cfg(target_arch = "wasm32")]
        #[link(wasm_import_module = "carechain")]
        unsafe extern "C" {
            $( pub fn $name($($arg: $ty),*) $(-> $ret)?; )*
        }

        $(
            #[cfg(not(target_arch = "wasm32"))]
            #[allow(unused_variables, clippy::missing_safety_doc)]
            pub unsafe fn $name($($arg: $ty),*) $(-> $ret)? {
                panic!(concat!(
                    "carechain_sdk: host function `", stringify!($name),
                    "` exists only inside the Carechain runtime (wasm32); test contracts with carechain_runtime::Sandbox"
                ))
            }
        )*
    };
}

host_functions! {
    fn input_len() -> i32;
    fn input_read(dst: i32);
    fn set_return(ptr: i32, len: i32);
    fn revert(ptr: i32, len: i32);
    fn storage_read(key: i32, key_len: i32, dst: i32, dst_cap: i32) -> i32;
    fn storage_write(key: i32, key_len: i32, val: i32, val_len: i32);
    fn storage_remove(key: i32, key_len: i32);
    fn storage_contains(key: i32, key_len: i32) -> i32;
    fn caller(dst: i32);
    fn self_address(dst: i32);
    fn block_height() -> i64;
    fn block_time() -> i64;
    fn emit_event(topics: i32, topic_count: i32, data: i32, data_len: i32);
    fn blake2b_256(src: i32, len: i32, dst: i32);
    fn ed25519_verify(sig: i32, public_key: i32, msg: i32, msg_len: i32) -> i32;
    fn call_contract(address: i32, input: i32, input_len: i32, gas_limit: i64) -> i32;
    fn return_data_len() -> i32;
    fn return_data_read(dst: i32);
    fn debug_log(ptr: i32, len: i32);
}

/// A pointer as the ABI's `i32` (wasm32 addresses are 32 bits).
pub fn ptr<T>(p: *const T) -> i32 {
    p as usize as i32
}

/// A length as the ABI's `i32`.
pub fn len(n: usize) -> i32 {
    n as i32
}
