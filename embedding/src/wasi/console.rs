//! Standard input, output and error over the platform's console services.

use crate::os;
use alloc::boxed::Box;
use alloc::vec;
use wasmtime_wasi_io::bytes::Bytes;
use wasmtime_wasi_io::poll::Pollable;
use wasmtime_wasi_io::streams::{InputStream, OutputStream, StreamError, StreamResult};

/// How much a guest may hand over in one write: the platform writes it out
/// before returning, so this bounds the memory a write holds, not the
/// output's total size.
const WRITE_BUDGET: usize = 1 << 20;

/// Standard output (stream 1) or standard error (stream 2).
pub struct ConsoleOut {
    pub stream: u32,
}

#[wasmtime_wasi_io::async_trait]
impl Pollable for ConsoleOut {
    // Writes complete synchronously, so the stream is always ready.
    async fn ready(&mut self) {}
}

impl OutputStream for ConsoleOut {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        // SAFETY: `bytes` is valid for its length for the whole call.
        match unsafe { os::embedding_os_console_write(self.stream, bytes.as_ptr(), bytes.len()) } {
            0 => Ok(()),
            _ => Err(StreamError::Closed),
        }
    }
    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }
    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(WRITE_BUDGET)
    }
}

/// Standard input. The platform's read waits for input, so the stream is
/// reported ready at once and the wait happens inside `read`; see
/// `embedding_os_console_read`.
pub struct ConsoleIn {
    at_end: bool,
}

impl ConsoleIn {
    pub fn new() -> ConsoleIn {
        ConsoleIn { at_end: false }
    }
}

#[wasmtime_wasi_io::async_trait]
impl Pollable for ConsoleIn {
    async fn ready(&mut self) {}
}

impl InputStream for ConsoleIn {
    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        if self.at_end {
            return Err(StreamError::Closed);
        }
        let mut buf = vec![0u8; size.min(WRITE_BUDGET)];
        if buf.is_empty() {
            return Ok(Bytes::new());
        }
        // SAFETY: `buf` has room for its length.
        let n = unsafe { os::embedding_os_console_read(buf.as_mut_ptr(), buf.len()) };
        match n {
            0 => {
                self.at_end = true;
                Err(StreamError::Closed)
            }
            n if n > 0 => {
                buf.truncate(n as usize);
                Ok(Bytes::from(buf))
            }
            _ => Err(StreamError::LastOperationFailed(wasmtime::format_err!(
                "the platform's console read failed"
            ))),
        }
    }
}
