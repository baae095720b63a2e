//! The `path_*` calls: everything that names a file below a directory
//! descriptor, resolved by the shared tree (`state::fs`).

use super::ctx::P1;
use super::errno::{BADF, INVAL, NOTDIR, NOTSUP, P1Result, err};
use super::fd::{FDFLAGS_ALL, new_times, put_filestat};
use super::fds::{Desc, OpenDir, OpenFile};
use super::memory::Mem;
use super::rights;
use crate::wasi::state::fs::{Node, ops};

const LOOKUP_SYMLINK_FOLLOW: i32 = 1;
const OFLAGS_CREAT: i32 = 1;
const OFLAGS_DIRECTORY: i32 = 2;
const OFLAGS_EXCL: i32 = 4;
const OFLAGS_TRUNC: i32 = 8;
/// `dsync`, `rsync` and `sync`: stock cannot honour them and refuses.
const FDFLAGS_SYNCS: i32 = 2 | 8 | 16;

fn follow(flags: i32) -> P1Result<bool> {
    if flags & !LOOKUP_SYMLINK_FOLLOW != 0 {
        return err(INVAL);
    }
    Ok(flags & LOOKUP_SYMLINK_FOLLOW != 0)
}

pub fn create_directory(mem: &mut Mem<'_>, ctx: &mut P1, fd: i32, p: i32, l: i32) -> P1Result<()> {
    let dir = ctx.fds.dir(fd)?;
    let path = mem.str(p as u32, l as u32)?;
    Ok(ops::create_dir(&dir, &path)?)
}

pub fn filestat_get(
    mem: &mut Mem<'_>,
    ctx: &mut P1,
    fd: i32,
    flags: i32,
    p: i32,
    l: i32,
    out: i32,
) -> P1Result<()> {
    let follow = follow(flags)?;
    let dir = ctx.fds.dir(fd)?;
    let path = mem.str(p as u32, l as u32)?;
    let stat = ops::stat_at(&dir, &path, follow)?;
    put_filestat(mem, out, Some(stat))
}

#[allow(clippy::too_many_arguments, reason = "the witx signature")]
pub fn filestat_set_times(
    mem: &mut Mem<'_>,
    ctx: &mut P1,
    fd: i32,
    flags: i32,
    p: i32,
    l: i32,
    atim: i64,
    mtim: i64,
    fst: i32,
) -> P1Result<()> {
    let follow = follow(flags)?;
    let (atime, mtime) = new_times(fst, atim, mtim)?;
    let dir = ctx.fds.dir(fd)?;
    let path = mem.str(p as u32, l as u32)?;
    Ok(ops::set_times_at(&dir, &path, follow, atime, mtime)?)
}

#[allow(clippy::too_many_arguments, reason = "the witx signature")]
pub fn link(
    mem: &mut Mem<'_>,
    ctx: &mut P1,
    old_fd: i32,
    flags: i32,
    op: i32,
    ol: i32,
    new_fd: i32,
    np: i32,
    nl: i32,
) -> P1Result<()> {
    let follow = follow(flags)?;
    let old_dir = ctx.fds.dir(old_fd)?;
    let new_dir = ctx.fds.dir(new_fd)?;
    let old = mem.str(op as u32, ol as u32)?;
    let new = mem.str(np as u32, nl as u32)?;
    Ok(ops::link(&old_dir, &old, follow, &new_dir, &new)?)
}

#[allow(clippy::too_many_arguments, reason = "the witx signature")]
pub fn open(
    mem: &mut Mem<'_>,
    ctx: &mut P1,
    fd: i32,
    dirflags: i32,
    p: i32,
    l: i32,
    oflags: i32,
    base: i64,
    inheriting: i64,
    fdflags: i32,
    out: i32,
) -> P1Result<()> {
    let follow = follow(dirflags)?;
    if oflags & !15 != 0
        || fdflags & !FDFLAGS_ALL != 0
        || (base as u64 | inheriting as u64) & !rights::ALL != 0
    {
        return err(INVAL);
    }
    let path = mem.str(p as u32, l as u32)?;
    let dir = match ctx.fds.get(fd)? {
        Desc::Dir(d) => d.dir.clone(),
        Desc::File(_) => return err(NOTDIR),
        _ => return err(BADF),
    };
    if fdflags & FDFLAGS_SYNCS != 0 {
        return err(NOTSUP);
    }
    let wants_write = base as u64 & rights::FD_WRITE != 0;
    let flags = ops::OpenFlags {
        create: oflags & OFLAGS_CREAT != 0,
        exclusive: oflags & OFLAGS_EXCL != 0,
        truncate: oflags & OFLAGS_TRUNC != 0,
        directory: oflags & OFLAGS_DIRECTORY != 0,
        write: wants_write,
    };
    // As stock: creating or truncating opens for writing, and a file not
    // opened for writing is opened for reading.
    let write = wants_write || flags.create || flags.truncate;
    let desc = match ops::open(&dir, &path, follow, flags)? {
        Node::Dir(dir) => Desc::Dir(OpenDir { dir, preopen: None }),
        Node::File(file) => Desc::File(OpenFile {
            file,
            pos: 0,
            append: fdflags & 1 != 0,
            nonblock: fdflags & 4 != 0,
            read: base as u64 & rights::FD_READ != 0 || !write,
            write,
        }),
        Node::Symlink(_) => unreachable!("ops::open never returns a link"),
    };
    let new = ctx.fds.push(desc)?;
    mem.put_u32(out as u32, new as u32)
}

#[allow(clippy::too_many_arguments, reason = "the witx signature")]
pub fn readlink(
    mem: &mut Mem<'_>,
    ctx: &mut P1,
    fd: i32,
    p: i32,
    l: i32,
    buf: i32,
    len: i32,
    out: i32,
) -> P1Result<()> {
    let dir = ctx.fds.dir(fd)?;
    let path = mem.str(p as u32, l as u32)?;
    let target = ops::readlink(&dir, &path)?;
    // Cut to the buffer without an error, as stock does.
    let bytes = &target.as_bytes()[..target.len().min(len as u32 as usize)];
    mem.write(buf as u32, bytes)?;
    mem.put_u32(out as u32, bytes.len() as u32)
}

pub fn remove_directory(mem: &mut Mem<'_>, ctx: &mut P1, fd: i32, p: i32, l: i32) -> P1Result<()> {
    let dir = ctx.fds.dir(fd)?;
    let path = mem.str(p as u32, l as u32)?;
    Ok(ops::remove_dir(&dir, &path)?)
}

#[allow(clippy::too_many_arguments, reason = "the witx signature")]
pub fn rename(
    mem: &mut Mem<'_>,
    ctx: &mut P1,
    fd: i32,
    op: i32,
    ol: i32,
    new_fd: i32,
    np: i32,
    nl: i32,
) -> P1Result<()> {
    let old_dir = ctx.fds.dir(fd)?;
    let new_dir = ctx.fds.dir(new_fd)?;
    let old = mem.str(op as u32, ol as u32)?;
    let new = mem.str(np as u32, nl as u32)?;
    Ok(ops::rename(&old_dir, &old, &new_dir, &new)?)
}

pub fn symlink(
    mem: &mut Mem<'_>,
    ctx: &mut P1,
    op: i32,
    ol: i32,
    fd: i32,
    np: i32,
    nl: i32,
) -> P1Result<()> {
    let dir = ctx.fds.dir(fd)?;
    let target = mem.str(op as u32, ol as u32)?;
    let path = mem.str(np as u32, nl as u32)?;
    Ok(ops::symlink(&target, &dir, &path)?)
}

pub fn unlink_file(mem: &mut Mem<'_>, ctx: &mut P1, fd: i32, p: i32, l: i32) -> P1Result<()> {
    let dir = ctx.fds.dir(fd)?;
    let path = mem.str(p as u32, l as u32)?;
    Ok(ops::unlink(&dir, &path)?)
}
