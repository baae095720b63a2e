//! The platform's secure random source. The insecure interfaces of WASI
//! 0.2 are served from it too: a platform has one source to port, and
//! secure bytes are valid insecure ones.

use crate::os;

/// Fills `buf`; an error when the platform has no secure entropy, which the
/// faces turn into a trap rather than hand out predictable bytes.
pub fn fill(buf: &mut [u8]) -> wasmtime::Result<()> {
    if buf.is_empty() {
        return Ok(());
    }
    // SAFETY: `buf` has room for its length.
    if unsafe { os::embedding_os_random(buf.as_mut_ptr(), buf.len()) } != 0 {
        wasmtime::bail!("the platform has no secure random source (embedding_os_random failed)");
    }
    Ok(())
}
