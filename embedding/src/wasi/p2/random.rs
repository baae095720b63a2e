//! wasi:random over the shared random source (`state::random`), which
//! serves the insecure interfaces too.

use super::bindings::wasi::random::{insecure, insecure_seed, random as secure};
use super::ctx::Ctx;
use crate::wasi::state::random;
use alloc::vec::Vec;

/// The most bytes one call may ask for, so a guest cannot make the
/// embedding allocate without bound (wasmtime-wasi has no such limit; this
/// is generous for any real use).
const MAX_REQUEST: u64 = 64 << 20;

fn bytes(len: u64) -> wasmtime::Result<Vec<u8>> {
    if len > MAX_REQUEST {
        wasmtime::bail!("random: {len} bytes requested, more than the limit of {MAX_REQUEST}");
    }
    let mut buf = alloc::vec![0u8; len as usize];
    random::fill(&mut buf)?;
    Ok(buf)
}

fn u64_value() -> wasmtime::Result<u64> {
    let b = bytes(8)?;
    Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
}

impl secure::Host for Ctx {
    fn get_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        bytes(len)
    }
    fn get_random_u64(&mut self) -> wasmtime::Result<u64> {
        u64_value()
    }
}

impl insecure::Host for Ctx {
    fn get_insecure_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        bytes(len)
    }
    fn get_insecure_random_u64(&mut self) -> wasmtime::Result<u64> {
        u64_value()
    }
}

impl insecure_seed::Host for Ctx {
    fn insecure_seed(&mut self) -> wasmtime::Result<(u64, u64)> {
        Ok((u64_value()?, u64_value()?))
    }
}
