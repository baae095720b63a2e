//! Streams over a file's bytes: `read-via-stream`, `write-via-stream`,
//! `append-via-stream`.

use super::tree::File;
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
        let data = self.file.0.lock();
        let start = usize::try_from(self.pos).unwrap_or(usize::MAX);
        if start >= data.len() {
            return Err(StreamError::Closed);
        }
        let end = start.saturating_add(size).min(data.len());
        self.pos = end as u64;
        Ok(Bytes::copy_from_slice(&data[start..end]))
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
        let mut data = self.file.0.lock();
        let at = match self.pos {
            Some(pos) => usize::try_from(pos).map_err(|_| StreamError::Closed)?,
            None => data.len(),
        };
        let end = at + bytes.len();
        let len = data.len();
        if end > len {
            data.try_reserve(end - len).map_err(|_| {
                StreamError::LastOperationFailed(wasmtime::format_err!(
                    "file of {end} bytes does not fit in the embedding's heap"
                ))
            })?;
            data.resize(end, 0);
        }
        data[at..end].copy_from_slice(&bytes);
        if let Some(pos) = &mut self.pos {
            *pos = end as u64;
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
