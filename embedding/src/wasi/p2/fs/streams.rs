//! Streams over a file's bytes: `read-via-stream`, `write-via-stream`,
//! `append-via-stream`.

use crate::wasi::state::fs::{File, ops};
use alloc::boxed::Box;
use wasmtime_wasi_io::bytes::Bytes;
use wasmtime_wasi_io::poll::Pollable;
use wasmtime_wasi_io::streams::{InputStream, OutputStream, StreamError, StreamResult};

/// Reads from `pos` on; closed at the end of the file.
pub struct FileReader {
    pub file: File,
    pub pos: u64,
}

#[wasmtime_wasi_io::async_trait]
impl Pollable for FileReader {
    async fn ready(&mut self) {}
}

impl InputStream for FileReader {
    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        if self.pos >= ops::size(&self.file) {
            return Err(StreamError::Closed);
        }
        let left = ops::size(&self.file) - self.pos;
        let mut buf = alloc::vec![0u8; size.min(usize::try_from(left).unwrap_or(usize::MAX))];
        let n = ops::read_at(&self.file, self.pos, &mut buf);
        buf.truncate(n);
        self.pos += n as u64;
        Ok(Bytes::from(buf))
    }
}

/// Writes at `pos`, or at the end when `pos` is `None` (append).
pub struct FileWriter {
    pub file: File,
    pub pos: Option<u64>,
}

#[wasmtime_wasi_io::async_trait]
impl Pollable for FileWriter {
    async fn ready(&mut self) {}
}

/// The most one write may add: files live in the embedding's heap.
const WRITE_BUDGET: usize = 1 << 20;

impl OutputStream for FileWriter {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        let end = ops::write_at(&self.file, self.pos, &bytes).map_err(|_| {
            StreamError::LastOperationFailed(wasmtime::format_err!(
                "a write of {} bytes does not fit in the file or the embedding's heap",
                bytes.len()
            ))
        })?;
        if let Some(pos) = &mut self.pos {
            *pos = end;
        }
        Ok(())
    }
    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }
    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(WRITE_BUDGET)
    }
}
