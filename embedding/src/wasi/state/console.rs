//! Standard input, output and error over the platform's console services.

use crate::os;

/// Writes all of `bytes` to stream 1 (output) or 2 (error); false when the
/// stream is closed or broken.
pub fn write(stream: u32, bytes: &[u8]) -> bool {
    // SAFETY: `bytes` is valid for its length for the whole call.
    unsafe { os::embedding_os_console_write(stream, bytes.as_ptr(), bytes.len()) == 0 }
}

/// What a read of standard input gave.
pub enum Read {
    Bytes(usize),
    End,
    Failed,
}

/// Reads up to `buf.len()` bytes of standard input, waiting for at least
/// one.
pub fn read(buf: &mut [u8]) -> Read {
    if buf.is_empty() {
        return Read::Bytes(0);
    }
    // SAFETY: `buf` has room for its length.
    match unsafe { os::embedding_os_console_read(buf.as_mut_ptr(), buf.len()) } {
        0 => Read::End,
        n if n > 0 => Read::Bytes((n as usize).min(buf.len())),
        _ => Read::Failed,
    }
}
