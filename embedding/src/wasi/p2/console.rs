//! Standard input, output and error as WASI 0.2 streams over the shared
//! console (`state::console`).

use crate::wasi::state::console;
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
        match console::write(self.stream, &bytes) {
            true => Ok(()),
            false => Err(StreamError::Closed),
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
        match console::read(&mut buf) {
            console::Read::End => {
                self.at_end = true;
                Err(StreamError::Closed)
            }
            console::Read::Bytes(n) => {
                buf.truncate(n);
                Ok(Bytes::from(buf))
            }
            console::Read::Failed => Err(StreamError::LastOperationFailed(wasmtime::format_err!(
                "the platform's console read failed"
            ))),
        }
    }
}
