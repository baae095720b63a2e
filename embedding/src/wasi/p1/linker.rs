//! Every `wasi_snapshot_preview1` import, as core-module host functions
//! with the witx signatures: a module importing one that does not exist,
//! or with another signature, is refused when it is linked.

use super::ctx::{P1, with};
use super::{clock, fd, misc, path, poll};
use core::mem::MaybeUninit;
use wasmtime::{Caller, Engine, FuncType, Linker, ValRaw, ValType};

pub const MODULE: &str = "wasi_snapshot_preview1";

/// A parameter's Wasm type and how it is read from the raw arguments.
trait Param: Sized {
    const TYPE: ValType;
    fn take(values: &[MaybeUninit<ValRaw>], next: &mut usize) -> Self;
}

impl Param for i32 {
    const TYPE: ValType = ValType::I32;
    fn take(values: &[MaybeUninit<ValRaw>], next: &mut usize) -> i32 {
        *next += 1;
        // SAFETY: Wasmtime initialised every parameter of the declared
        // type before the call (`func_new_unchecked`'s contract).
        unsafe { values[*next - 1].assume_init_ref() }.get_i32()
    }
}

impl Param for i64 {
    const TYPE: ValType = ValType::I64;
    fn take(values: &[MaybeUninit<ValRaw>], next: &mut usize) -> i64 {
        *next += 1;
        // SAFETY: as for `i32`.
        unsafe { values[*next - 1].assume_init_ref() }.get_i64()
    }
}

/// Declares every call once: its name, parameters and body (which sees the
/// guest's memory as `$mem` and the program's state as `$ctx`). From that
/// come the table of signatures the linker registers and the one dispatch
/// that all imports share. One untyped trampoline for all 45 calls, rather
/// than a typed one each (`func_wrap`), keeps preview 1 small.
macro_rules! calls {
    ($( $name:literal ($($arg:ident : $ty:ty),*) |$mem:ident, $ctx:ident| $body:expr; )*) => {
        const CALLS: &[(&str, &[ValType])] = &[ $( ($name, &[$(<$ty as Param>::TYPE),*]) ),* ];

        /// Runs the import `name` on the raw arguments; its errno goes in
        /// the first slot.
        fn dispatch(
            name: &str,
            mut caller: Caller<'_, P1>,
            values: &mut [MaybeUninit<ValRaw>],
        ) -> wasmtime::Result<()> {
            let errno = match name {
                $(
                    $name => {
                        #[allow(unused_mut, unused_variables, reason = "calls without parameters")]
                        let mut next = 0;
                        $( let $arg = <$ty as Param>::take(values, &mut next); )*
                        #[allow(unused_variables, reason = "not every call uses both")]
                        with(&mut caller, |$mem, $ctx| $body)?
                    }
                )*
                _ => unreachable!("only names of `CALLS` are registered"),
            };
            values[0] = MaybeUninit::new(ValRaw::i32(errno));
            Ok(())
        }
    };
}

calls! {
        "args_get"(a: i32, b: i32) |m, c| misc::args_get(m, c, a, b);
        "args_sizes_get"(a: i32, b: i32) |m, c| misc::args_sizes_get(m, c, a, b);
        "environ_get"(a: i32, b: i32) |m, c| misc::environ_get(m, c, a, b);
        "environ_sizes_get"(a: i32, b: i32) |m, c| misc::environ_sizes_get(m, c, a, b);
        "clock_res_get"(id: i32, out: i32) |m, c| clock::res_get(m, id, out);
        "clock_time_get"(id: i32, _precision: i64, out: i32) |m, c| clock::time_get(m, id, out);
        "fd_advise"(f: i32, _o: i64, _l: i64, adv: i32) |m, c| fd::fd_advise(c, f, adv);
        "fd_allocate"(f: i32, _o: i64, _l: i64) |m, c| fd::fd_allocate(c, f);
        "fd_close"(f: i32) |m, c| fd::fd_close(c, f);
        "fd_datasync"(f: i32) |m, c| fd::fd_sync(c, f);
        "fd_fdstat_get"(f: i32, out: i32) |m, c| fd::fd_fdstat_get(m, c, f, out);
        "fd_fdstat_set_flags"(f: i32, fl: i32) |m, c| fd::fd_fdstat_set_flags(c, f, fl);
        "fd_fdstat_set_rights"(f: i32, b: i64, i: i64) |m, c| fd::fd_fdstat_set_rights(c, f, b, i);
        "fd_filestat_get"(f: i32, out: i32) |m, c| fd::fd_filestat_get(m, c, f, out);
        "fd_filestat_set_size"(f: i32, s: i64) |m, c| fd::fd_filestat_set_size(c, f, s);
        "fd_filestat_set_times"(f: i32, a: i64, t: i64, fl: i32) |m, c| fd::fd_filestat_set_times(c, f, a, t, fl);
        "fd_pread"(f: i32, iov: i32, n: i32, o: i64, out: i32) |m, c| fd::fd_pread(m, c, f, iov, n, o, out);
        "fd_prestat_get"(f: i32, out: i32) |m, c| fd::fd_prestat_get(m, c, f, out);
        "fd_prestat_dir_name"(f: i32, p: i32, l: i32) |m, c| fd::fd_prestat_dir_name(m, c, f, p, l);
        "fd_pwrite"(f: i32, iov: i32, n: i32, o: i64, out: i32) |m, c| fd::fd_pwrite(m, c, f, iov, n, o, out);
        "fd_read"(f: i32, iov: i32, n: i32, out: i32) |m, c| fd::fd_read(m, c, f, iov, n, out);
        "fd_readdir"(f: i32, b: i32, l: i32, k: i64, out: i32) |m, c| fd::fd_readdir(m, c, f, b, l, k, out);
        "fd_renumber"(f: i32, t: i32) |m, c| fd::fd_renumber(c, f, t);
        "fd_seek"(f: i32, o: i64, w: i32, out: i32) |m, c| fd::fd_seek(m, c, f, o, w, out);
        "fd_sync"(f: i32) |m, c| fd::fd_sync(c, f);
        "fd_tell"(f: i32, out: i32) |m, c| fd::fd_tell(m, c, f, out);
        "fd_write"(f: i32, iov: i32, n: i32, out: i32) |m, c| fd::fd_write(m, c, f, iov, n, out);
        "path_create_directory"(f: i32, p: i32, l: i32) |m, c| path::create_directory(m, c, f, p, l);
        "path_filestat_get"(f: i32, fl: i32, p: i32, l: i32, out: i32) |m, c| path::filestat_get(m, c, f, fl, p, l, out);
        "path_filestat_set_times"(f: i32, fl: i32, p: i32, l: i32, a: i64, t: i64, st: i32) |m, c| path::filestat_set_times(m, c, f, fl, p, l, a, t, st);
        "path_link"(of: i32, fl: i32, op: i32, ol: i32, nf: i32, np: i32, nl: i32) |m, c| path::link(m, c, of, fl, op, ol, nf, np, nl);
        "path_open"(f: i32, df: i32, p: i32, l: i32, of: i32, rb: i64, ri: i64, ff: i32, out: i32) |m, c| path::open(m, c, f, df, p, l, of, rb, ri, ff, out);
        "path_readlink"(f: i32, p: i32, l: i32, b: i32, bl: i32, out: i32) |m, c| path::readlink(m, c, f, p, l, b, bl, out);
        "path_remove_directory"(f: i32, p: i32, l: i32) |m, c| path::remove_directory(m, c, f, p, l);
        "path_rename"(f: i32, op: i32, ol: i32, nf: i32, np: i32, nl: i32) |m, c| path::rename(m, c, f, op, ol, nf, np, nl);
        "path_symlink"(op: i32, ol: i32, f: i32, np: i32, nl: i32) |m, c| path::symlink(m, c, op, ol, f, np, nl);
        "path_unlink_file"(f: i32, p: i32, l: i32) |m, c| path::unlink_file(m, c, f, p, l);
        "poll_oneoff"(i: i32, o: i32, n: i32, out: i32) |m, c| poll::poll_oneoff(m, c, i, o, n, out);
        "proc_raise"(s: i32) |m, c| misc::proc_raise(s);
        "sched_yield"() |m, c| Ok(());
        "random_get"(b: i32, l: i32) |m, c| misc::random_get(m, b, l);
        "sock_accept"(f: i32, fl: i32, _out: i32) |m, c| {
            if fl & !fd::FDFLAGS_ALL != 0 {
                return super::errno::err(super::errno::INVAL);
            }
            misc::sock(c, f)
        };
        "sock_recv"(f: i32, _i: i32, _n: i32, fl: i32, _o1: i32, _o2: i32) |m, c| {
            if fl & !3 != 0 {
                return super::errno::err(super::errno::INVAL);
            }
            misc::sock(c, f)
        };
        "sock_send"(f: i32, _i: i32, _n: i32, _fl: i32, _o: i32) |m, c| misc::sock(c, f);
        "sock_shutdown"(f: i32, how: i32) |m, c| {
            if how & !3 != 0 {
                return super::errno::err(super::errno::INVAL);
            }
            misc::sock(c, f)
        };
}

pub fn linker(engine: &Engine) -> wasmtime::Result<Linker<P1>> {
    let mut l = Linker::new(engine);
    for &(name, params) in CALLS {
        let ty = FuncType::new(engine, params.iter().cloned(), [ValType::I32]);
        // SAFETY: `dispatch` reads exactly the parameters `ty` declares,
        // with their types, and writes its one `i32` result.
        unsafe {
            l.func_new_unchecked(MODULE, name, ty, move |caller, values| {
                dispatch(name, caller, values)
            })?;
        }
    }
    let exit = FuncType::new(engine, [ValType::I32], []);
    // SAFETY: reads its one `i32` parameter; returns nothing.
    unsafe {
        l.func_new_unchecked(MODULE, "proc_exit", exit, |_, values| {
            let mut next = 0;
            Err(misc::proc_exit(i32::take(values, &mut next)))
        })?;
    }
    Ok(l)
}
