//! What a `no_std` contract needs from the SDK inside wasm: a global allocator and a panic
//! handler.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::Cell;

use carechain_abi::revert as codes;

/// The contracts' allocator: a bump allocator that never frees, as ink! and Soroban contracts
/// use. An instance lives for one call, so memory that is never reused costs little (at most a
/// few pages of garbage in the largest calls, against the 64-page limit), and a `dealloc` that
/// does nothing lets the compiler drop every destructor of strings and vectors: about 7 KiB of
/// code in the largest contract, plus the ~2 KiB of a general allocator (talc, before).
struct BumpAllocator {
    /// The first free byte; 0 until the first allocation.
    next: Cell<usize>,
    /// The end of linear memory, which this allocator alone grows.
    end: Cell<usize>,
}

// Wasm contracts are single-threaded (`wasm32v1-none` has no threads).
unsafe impl Sync for BumpAllocator {}

const PAGE: usize = 65_536;

impl BumpAllocator {
    /// Takes `[start, start + size)` from the free space, growing memory if needed.
    ///
    /// # Panics
    /// If memory cannot grow (the runtime traps first, at its memory limit). Panicking here
    /// rather than returning null keeps the allocation-failure handler, and the integer
    /// formatting its message needs, out of the contract.
    fn claim(&self, start: usize, size: usize) {
        let end = self.end.get();
        let new_next = match start.checked_add(size) {
            Some(n) if n <= end => n,
            Some(n) => {
                let pages = (n - end).div_ceil(PAGE);
                if wasm32::memory_grow(0, pages) == usize::MAX {
                    panic!("out of memory");
                }
                self.end.set(end + pages * PAGE);
                n
            }
            None => panic!("out of memory"),
        };
        self.next.set(new_next);
    }
}

unsafe impl GlobalAlloc for BumpAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if self.end.get() == 0 {
            // The heap starts where the module's initial memory ends.
            let end = wasm32::memory_size(0) * PAGE;
            self.next.set(end);
            self.end.set(end);
        }
        let mask = layout.align() - 1;
        let start = (self.next.get() + mask) & !mask;
        self.claim(start, layout.size());
        start as *mut u8
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // The newest block grows in place: a vector being filled usually is that block.
        let start = ptr as usize;
        if start + layout.size() == self.next.get() {
            self.claim(start, new_size);
            return ptr;
        }
        unsafe {
            let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
            core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            new
        }
    }
}

#[global_allocator]
static ALLOCATOR: BumpAllocator = BumpAllocator {
    next: Cell::new(0),
    end: Cell::new(0),
};

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

// The memory routines the compiler calls for copies and fills. `compiler_builtins` provides them
// (as weak symbols, so these take their place), tuned for long buffers: ~0.9 KiB for `memcpy`,
// ~0.4 KiB for `memset` and ~1.7 KiB for `memmove`, a tenth of a contract's 64 KiB. A contract
// copies structs and short strings, so a word loop when everything is 4-byte aligned and a byte
// loop otherwise serve it in a few dozen bytes each. The compiler does not turn the loops back
// into calls: LLVM leaves loops alone inside functions of these names. Being `#[no_mangle]`, they
// are also exported from the contract; the runtime calls only `deploy` and `call`.

/// `memcpy`: copies `n` bytes from `src` to `dest`, which do not overlap.
///
/// # Safety
/// `src` readable and `dest` writable for `n` bytes, not overlapping.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcpy(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    unsafe { copy_forward(dest, src, n) };
    dest
}

/// `memmove`: copies `n` bytes from `src` to `dest`, which may overlap.
///
/// # Safety
/// `src` readable and `dest` writable for `n` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memmove(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    if (dest as usize) <= (src as usize) {
        // Forward is safe when the destination starts at or before the source.
        unsafe { copy_forward(dest, src, n) };
    } else {
        let mut i = n;
        while i > 0 {
            i -= 1;
            unsafe { *dest.add(i) = *src.add(i) };
        }
    }
    dest
}

/// `memset`: sets `n` bytes at `dest` to the low byte of `c`.
///
/// # Safety
/// `dest` writable for `n` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memset(dest: *mut u8, c: i32, n: usize) -> *mut u8 {
    let mut i = 0;
    while i < n {
        unsafe { *dest.add(i) = c as u8 };
        i += 1;
    }
    dest
}

/// Copies `n` bytes front to back: by words when `dest`, `src` and `n` are all multiples of 4.
#[inline(always)]
unsafe fn copy_forward(dest: *mut u8, src: *const u8, n: usize) {
    let mut i = 0;
    if (dest as usize | src as usize | n).is_multiple_of(4) {
        while i < n {
            unsafe { *(dest.add(i) as *mut u32) = *(src.add(i) as *const u32) };
            i += 4;
        }
    } else {
        while i < n {
            unsafe { *dest.add(i) = *src.add(i) };
            i += 1;
        }
    }
}
