//! `clock_res_get` and `clock_time_get` over the platform's clocks.

use super::errno::{BADF, Error, INVAL, OVERFLOW, P1Result, err};
use super::memory::Mem;
use crate::wasi::state::clock;

pub const REALTIME: i32 = 0;
pub const MONOTONIC: i32 = 1;

/// The process and thread CPU-time clocks exist in witx, but stock answers
/// `BADF` for them; other values are not clocks at all.
fn check(id: i32) -> P1Result<()> {
    match id {
        REALTIME | MONOTONIC => Ok(()),
        2 | 3 => err(BADF),
        _ => err(INVAL),
    }
}

pub fn wall_ns() -> P1Result<u64> {
    let (s, ns) = clock::wall_now();
    s.checked_mul(1_000_000_000)
        .and_then(|t| t.checked_add(ns.into()))
        .ok_or(Error::Errno(OVERFLOW))
}

pub fn res_get(mem: &mut Mem<'_>, id: i32, out: i32) -> P1Result<()> {
    check(id)?;
    mem.put_u64(out as u32, clock::resolution())
}

pub fn time_get(mem: &mut Mem<'_>, id: i32, out: i32) -> P1Result<()> {
    check(id)?;
    let now = if id == REALTIME {
        wall_ns()?
    } else {
        clock::monotonic_now()
    };
    mem.put_u64(out as u32, now)
}
