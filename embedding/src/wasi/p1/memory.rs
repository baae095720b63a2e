//! The guest's linear memory as preview 1 calls see it: every pointer and
//! length is checked against the memory's size before use. Following the
//! witx rules that stock Wasmtime (wiggle) implements, a pointer out of
//! bounds or misaligned for its type traps; invalid UTF-8 in a path is
//! `ILSEQ`.

use super::errno::{Error, ILSEQ, P1Result, err};
use alloc::string::String;
use alloc::vec::Vec;

pub struct Mem<'a>(pub &'a mut [u8]);

fn trap<T>(what: &str, ptr: u32, len: u64, size: usize) -> P1Result<T> {
    Err(Error::Trap(wasmtime::format_err!(
        "preview 1: {what} at {ptr:#x}, {len} bytes, is outside the guest's memory of {size} bytes"
    )))
}

impl Mem<'_> {
    fn range(&self, ptr: u32, len: u64, align: u32) -> P1Result<core::ops::Range<usize>> {
        if !ptr.is_multiple_of(align) {
            return Err(Error::Trap(wasmtime::format_err!(
                "preview 1: pointer {ptr:#x} is not aligned to {align} bytes"
            )));
        }
        let end = u64::from(ptr) + len;
        if end > self.0.len() as u64 {
            return trap("pointer", ptr, len, self.0.len());
        }
        Ok(ptr as usize..end as usize)
    }

    pub fn bytes(&self, ptr: u32, len: u32) -> P1Result<&[u8]> {
        let r = self.range(ptr, len.into(), 1)?;
        Ok(&self.0[r])
    }

    pub fn bytes_mut(&mut self, ptr: u32, len: u32) -> P1Result<&mut [u8]> {
        let r = self.range(ptr, len.into(), 1)?;
        Ok(&mut self.0[r])
    }

    pub fn write(&mut self, ptr: u32, bytes: &[u8]) -> P1Result<()> {
        let r = self.range(ptr, bytes.len() as u64, 1)?;
        self.0[r].copy_from_slice(bytes);
        Ok(())
    }

    /// Writes a structure of alignment `align`, laid out by the caller.
    pub fn write_struct(&mut self, ptr: u32, align: u32, bytes: &[u8]) -> P1Result<()> {
        let r = self.range(ptr, bytes.len() as u64, align)?;
        self.0[r].copy_from_slice(bytes);
        Ok(())
    }

    pub fn read_struct<const N: usize>(&self, ptr: u32, align: u32) -> P1Result<[u8; N]> {
        let r = self.range(ptr, N as u64, align)?;
        Ok(self.0[r].try_into().expect("length checked"))
    }

    pub fn u32(&self, ptr: u32) -> P1Result<u32> {
        Ok(u32::from_le_bytes(self.read_struct::<4>(ptr, 4)?))
    }

    pub fn put_u32(&mut self, ptr: u32, v: u32) -> P1Result<()> {
        self.write_struct(ptr, 4, &v.to_le_bytes())
    }

    pub fn put_u64(&mut self, ptr: u32, v: u64) -> P1Result<()> {
        self.write_struct(ptr, 8, &v.to_le_bytes())
    }

    /// A path or other string argument.
    pub fn str(&self, ptr: u32, len: u32) -> P1Result<String> {
        match core::str::from_utf8(self.bytes(ptr, len)?) {
            Ok(s) => Ok(String::from(s)),
            Err(_) => err(ILSEQ),
        }
    }

    /// The `(buf, buf_len)` pairs of an `iovec`/`ciovec` array; the whole
    /// array is checked even though only the first non-empty buffer is
    /// used, as stock does.
    pub fn iovecs(&self, ptr: u32, n: u32) -> P1Result<Vec<(u32, u32)>> {
        self.range(ptr, u64::from(n) * 8, 4)?;
        (0..n)
            .map(|i| {
                let at = ptr + i * 8;
                Ok((self.u32(at)?, self.u32(at + 4)?))
            })
            .collect()
    }

    /// The first non-empty buffer of an iovec array, or an empty one.
    /// Stock Wasmtime reads and writes one buffer per call; guests' libc
    /// loops over the rest.
    pub fn first_buffer(&self, ptr: u32, n: u32) -> P1Result<(u32, u32)> {
        let iovs = self.iovecs(ptr, n)?;
        let (buf, len) = iovs.into_iter().find(|&(_, len)| len > 0).unwrap_or((0, 0));
        self.range(buf, len.into(), 1)?;
        Ok((buf, len))
    }
}
