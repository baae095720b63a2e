//! `sha256.wasm`: SHA-256 over a buffer in linear memory.
//!
//! `run(n)` fills the first `n` bytes of a 1 MiB buffer with a fixed pattern
//! (byte `i` is `i * 31 + 7`, wrapping), hashes them with the `sha2` crate
//! and returns the digest's first four bytes as a little-endian `i32`; the
//! host computes the same digest natively to check the result.
//! `#![no_std]` and no allocator, so the module imports nothing.

#![no_std]

use sha2::{Digest, Sha256};

const CAPACITY: usize = 1 << 20;

static mut BUFFER: [u8; CAPACITY] = [0; CAPACITY];

#[unsafe(no_mangle)]
pub extern "C" fn run(n: i32) -> i32 {
    let n = (n.max(0) as usize).min(CAPACITY);
    // SAFETY: WebAssembly here is single-threaded and `run` is not
    // reentrant, so this is the only reference to the buffer.
    let buffer = unsafe { &mut *core::ptr::addr_of_mut!(BUFFER) };
    for (i, b) in buffer[..n].iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(31).wrapping_add(7);
    }
    let digest = Sha256::digest(&buffer[..n]);
    i32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]])
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
