//! What a `no_std` contract needs from the SDK inside wasm: a global allocator and a panic
//! handler.

use carechain_abi::revert as codes;

#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Longest panic message carried in revert data; longer ones are cut at a character boundary.
const MAX_MESSAGE: usize = 200;

/// A fixed buffer that `core::fmt` writes into, so a panic needs no allocation. Copies go through
/// iterators, never slice indexing, so the handler itself cannot panic (and pulls in no
/// index-error formatting).
struct Message {
    buf: [u8; MAX_MESSAGE],
    len: usize,
}

impl core::fmt::Write for Message {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let room = MAX_MESSAGE.saturating_sub(self.len);
        let mut take = s.len().min(room);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        for (dst, src) in self.buf.iter_mut().skip(self.len).zip(s.bytes().take(take)) {
            *dst = src;
        }
        self.len += take;
        if take < s.len() {
            Err(core::fmt::Error)
        } else {
            Ok(())
        }
    }
}

/// Reverts with [`PANIC`](codes::PANIC) and the panic message (SCALE `String`): a panicking
/// contract fails like any other revert, its state untouched, and the caller learns why.
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let mut message = Message {
        buf: [0; MAX_MESSAGE],
        len: 0,
    };
    let text = info.message();
    match text.as_str() {
        Some(s) => {
            let _ = core::fmt::Write::write_str(&mut message, s);
        }
        #[cfg(feature = "panic-messages")]
        None => {
            let _ = core::fmt::write(&mut message, format_args!("{text}"));
        }
        // Without formatting the contract is ~2 KiB smaller; the static part is all there is.
        #[cfg(not(feature = "panic-messages"))]
        None => {
            let _ =
                core::fmt::Write::write_str(&mut message, "panicked (formatted message omitted)");
        }
    }
    // tag, SCALE compact length (one byte below 64, else two), message
    let len = message.len.min(MAX_MESSAGE);
    let mut data = [0u8; 3 + MAX_MESSAGE];
    data[0] = codes::PANIC;
    let header = if len < 64 {
        data[1] = (len as u8) << 2;
        2
    } else {
        let l = (((len as u16) << 2) | 1).to_le_bytes();
        data[1] = l[0];
        data[2] = l[1];
        3
    };
    for (dst, src) in data
        .iter_mut()
        .skip(header)
        .zip(message.buf.iter().take(len))
    {
        *dst = *src;
    }
    crate::env::revert(data.get(..header + len).unwrap_or(&data))
}
