//! Arguments, environment, randomness, exit, and the calls stock Wasmtime
//! answers without doing anything (signals, yielding, sockets).

use super::ctx::P1;
use super::errno::{Error, INVAL, NOTSOCK, NOTSUP, P1Result, err};
use super::memory::Mem;
use crate::wasi::state::{Exit, random};
use alloc::vec::Vec;

/// Writes `items` as C strings into `buf` and their addresses into `ptrs`.
fn put_strings(mem: &mut Mem<'_>, ptrs: u32, buf: u32, items: &[Vec<u8>]) -> P1Result<()> {
    let (mut ptrs, mut buf) = (ptrs, buf);
    for item in items {
        mem.put_u32(ptrs, buf)?;
        mem.write(buf, item)?;
        mem.write(buf.wrapping_add(item.len() as u32), &[0])?;
        ptrs = ptrs.wrapping_add(4);
        buf = buf.wrapping_add(item.len() as u32 + 1);
    }
    Ok(())
}

fn sizes(mem: &mut Mem<'_>, items: &[Vec<u8>], count: u32, size: u32) -> P1Result<()> {
    let total: usize = items.iter().map(|i| i.len() + 1).sum();
    let total = u32::try_from(total).map_err(|_| Error::Errno(super::errno::OVERFLOW))?;
    mem.put_u32(count, items.len() as u32)?;
    mem.put_u32(size, total)
}

fn args(ctx: &P1) -> Vec<Vec<u8>> {
    ctx.state
        .args
        .iter()
        .map(|a| a.as_bytes().to_vec())
        .collect()
}

fn environ(ctx: &P1) -> Vec<Vec<u8>> {
    ctx.state
        .env
        .iter()
        .map(|(k, v)| {
            let mut var = k.as_bytes().to_vec();
            var.push(b'=');
            var.extend_from_slice(v.as_bytes());
            var
        })
        .collect()
}

pub fn args_get(mem: &mut Mem<'_>, ctx: &mut P1, argv: i32, buf: i32) -> P1Result<()> {
    put_strings(mem, argv as u32, buf as u32, &args(ctx))
}

pub fn args_sizes_get(mem: &mut Mem<'_>, ctx: &mut P1, count: i32, size: i32) -> P1Result<()> {
    sizes(mem, &args(ctx), count as u32, size as u32)
}

pub fn environ_get(mem: &mut Mem<'_>, ctx: &mut P1, environ_ptr: i32, buf: i32) -> P1Result<()> {
    put_strings(mem, environ_ptr as u32, buf as u32, &environ(ctx))
}

pub fn environ_sizes_get(mem: &mut Mem<'_>, ctx: &mut P1, count: i32, size: i32) -> P1Result<()> {
    sizes(mem, &environ(ctx), count as u32, size as u32)
}

pub fn random_get(mem: &mut Mem<'_>, buf: i32, len: i32) -> P1Result<()> {
    random::fill(mem.bytes_mut(buf as u32, len as u32)?)?;
    Ok(())
}

/// Never returns to the guest: the exit travels out as an error, as in
/// stock Wasmtime, which refuses statuses from 126 up (reserved by shells
/// for their own meanings).
pub fn proc_exit(status: i32) -> wasmtime::Error {
    match u32::try_from(status) {
        Ok(code) if code < 126 => wasmtime::Error::new(Exit(code as i32)),
        _ => wasmtime::format_err!(
            "proc_exit({}): exit status outside of [0..126)",
            status as u32
        ),
    }
}

pub fn proc_raise(sig: i32) -> P1Result<()> {
    // witx `$signal` has 31 values.
    if !(0..=30).contains(&sig) {
        return err(INVAL);
    }
    err(NOTSUP)
}

/// Every socket call: stock Wasmtime has no preview 1 sockets, so any open
/// descriptor is "not a socket" and any other is bad.
pub fn sock(ctx: &P1, fd: i32) -> P1Result<()> {
    ctx.fds.get(fd)?;
    err(NOTSOCK)
}
