//! The `fd_*` calls: descriptors of the console, files and directories.

use super::ctx::P1;
use super::errno::{BADF, INVAL, IO, NAMETOOLONG, NOTDIR, NOTSUP, OVERFLOW, P1Result, SPIPE, err};
use super::fds::{Desc, OpenDir};
use super::memory::Mem;
use super::rights;
use crate::wasi::state::console;
use crate::wasi::state::fs::{Kind, NewTime, Node, Stat, ops};
use alloc::vec;

pub const FILETYPE_UNKNOWN: u8 = 0;
pub const FILETYPE_DIRECTORY: u8 = 3;
pub const FILETYPE_REGULAR_FILE: u8 = 4;
pub const FILETYPE_SYMBOLIC_LINK: u8 = 7;

const FDFLAGS_APPEND: i32 = 1;
const FDFLAGS_DSYNC: i32 = 2;
const FDFLAGS_NONBLOCK: i32 = 4;
const FDFLAGS_RSYNC: i32 = 8;
const FDFLAGS_SYNC: i32 = 16;
pub const FDFLAGS_ALL: i32 = 31;

const FSTFLAGS_ATIM: i32 = 1;
const FSTFLAGS_ATIM_NOW: i32 = 2;
const FSTFLAGS_MTIM: i32 = 4;
const FSTFLAGS_MTIM_NOW: i32 = 8;

pub fn filetype(kind: Kind) -> u8 {
    match kind {
        Kind::File => FILETYPE_REGULAR_FILE,
        Kind::Dir => FILETYPE_DIRECTORY,
        Kind::Symlink => FILETYPE_SYMBOLIC_LINK,
    }
}

/// The 64-byte `filestat` (witx layout). `dev` is 1 for every node, as in
/// stock Wasmtime.
pub fn put_filestat(mem: &mut Mem<'_>, at: i32, stat: Option<Stat>) -> P1Result<()> {
    let mut b = [0u8; 64];
    if let Some(s) = stat {
        b[0..8].copy_from_slice(&1u64.to_le_bytes());
        b[8..16].copy_from_slice(&s.ino.to_le_bytes());
        b[16] = filetype(s.kind);
        b[24..32].copy_from_slice(&s.nlink.to_le_bytes());
        b[32..40].copy_from_slice(&s.size.to_le_bytes());
        b[40..48].copy_from_slice(&s.atime.to_le_bytes());
        b[48..56].copy_from_slice(&s.mtime.to_le_bytes());
        b[56..64].copy_from_slice(&s.ctime.to_le_bytes());
    }
    mem.write_struct(at as u32, 8, &b)
}

/// One timestamp of `*_set_times`: setting it both to a value and to now
/// is `INVAL`, checked before anything else, as stock does.
pub fn new_time(flags: i32, set: i32, now: i32, value: i64) -> P1Result<NewTime> {
    match (flags & set != 0, flags & now != 0) {
        (true, true) => err(INVAL),
        (true, false) => Ok(NewTime::At(value as u64)),
        (false, true) => Ok(NewTime::Now),
        (false, false) => Ok(NewTime::Keep),
    }
}

pub fn new_times(flags: i32, atim: i64, mtim: i64) -> P1Result<(NewTime, NewTime)> {
    if flags & !15 != 0 {
        return err(INVAL);
    }
    Ok((
        new_time(flags, FSTFLAGS_ATIM, FSTFLAGS_ATIM_NOW, atim)?,
        new_time(flags, FSTFLAGS_MTIM, FSTFLAGS_MTIM_NOW, mtim)?,
    ))
}

pub fn fd_advise(ctx: &mut P1, fd: i32, advice: i32) -> P1Result<()> {
    if !(0..=5).contains(&advice) {
        return err(INVAL);
    }
    ctx.fds.file(fd)?;
    Ok(())
}

pub fn fd_allocate(ctx: &mut P1, fd: i32) -> P1Result<()> {
    ctx.fds.file(fd)?;
    err(NOTSUP)
}

pub fn fd_close(ctx: &mut P1, fd: i32) -> P1Result<()> {
    ctx.fds.remove(fd)?;
    Ok(())
}

/// `fd_sync` and `fd_datasync`: the tree lives in memory; nothing to flush.
pub fn fd_sync(ctx: &mut P1, fd: i32) -> P1Result<()> {
    ctx.fds.file(fd)?;
    Ok(())
}

pub fn fd_fdstat_get(mem: &mut Mem<'_>, ctx: &mut P1, fd: i32, out: i32) -> P1Result<()> {
    let (filetype, flags, base, inheriting) = match ctx.fds.get(fd)? {
        // The console is not a terminal as far as guests can tell (as in
        // the WASI 0.2 face), which stock reports as an unknown file type.
        Desc::Stdin => (FILETYPE_UNKNOWN, 0, rights::FD_READ, rights::FD_READ),
        Desc::Stdout | Desc::Stderr => (FILETYPE_UNKNOWN, 0, rights::FD_WRITE, rights::FD_WRITE),
        Desc::Dir(OpenDir {
            preopen: Some(_), ..
        }) => (
            FILETYPE_DIRECTORY,
            0,
            rights::PREOPEN_BASE,
            rights::PREOPEN_INHERITING,
        ),
        Desc::Dir(_) => {
            let base = rights::ALL & !rights::DIR_NEVER & !rights::FD_WRITE;
            (FILETYPE_DIRECTORY, 0, base, base)
        }
        Desc::File(f) => {
            let mut base = rights::ALL;
            if !f.read {
                base &= !(rights::FD_READ | rights::FD_READDIR);
            }
            if !f.write {
                base &= !rights::FD_WRITE;
            }
            let mut flags = 0u16;
            if f.append {
                flags |= FDFLAGS_APPEND as u16;
            }
            if f.nonblock {
                flags |= FDFLAGS_NONBLOCK as u16;
            }
            (FILETYPE_REGULAR_FILE, flags, base, base)
        }
    };
    let mut b = [0u8; 24];
    b[0] = filetype;
    b[2..4].copy_from_slice(&flags.to_le_bytes());
    b[8..16].copy_from_slice(&base.to_le_bytes());
    b[16..24].copy_from_slice(&inheriting.to_le_bytes());
    mem.write_struct(out as u32, 8, &b)
}

pub fn fd_fdstat_set_flags(ctx: &mut P1, fd: i32, flags: i32) -> P1Result<()> {
    if flags & !FDFLAGS_ALL != 0 {
        return err(INVAL);
    }
    let file = ctx.fds.file(fd)?;
    if flags & (FDFLAGS_DSYNC | FDFLAGS_SYNC | FDFLAGS_RSYNC) != 0 {
        return err(INVAL);
    }
    file.append = flags & FDFLAGS_APPEND != 0;
    file.nonblock = flags & FDFLAGS_NONBLOCK != 0;
    Ok(())
}

pub fn fd_fdstat_set_rights(ctx: &mut P1, fd: i32, base: i64, inheriting: i64) -> P1Result<()> {
    if (base as u64 | inheriting as u64) & !rights::ALL != 0 {
        return err(INVAL);
    }
    match ctx.fds.get(fd)? {
        Desc::File(_) | Desc::Dir(_) => err(NOTSUP),
        _ => err(BADF),
    }
}

fn node_of(desc: &Desc) -> Option<Node> {
    match desc {
        Desc::File(f) => Some(Node::File(f.file.clone())),
        Desc::Dir(d) => Some(Node::Dir(d.dir.clone())),
        _ => None,
    }
}

pub fn fd_filestat_get(mem: &mut Mem<'_>, ctx: &mut P1, fd: i32, out: i32) -> P1Result<()> {
    let stat = node_of(ctx.fds.get(fd)?).map(|n| n.stat());
    put_filestat(mem, out, stat)
}

pub fn fd_filestat_set_size(ctx: &mut P1, fd: i32, size: i64) -> P1Result<()> {
    let file = ctx.fds.file(fd)?;
    if !file.write {
        return err(BADF);
    }
    ops::set_size(&file.file, size as u64)?;
    Ok(())
}

pub fn fd_filestat_set_times(
    ctx: &mut P1,
    fd: i32,
    atim: i64,
    mtim: i64,
    flags: i32,
) -> P1Result<()> {
    let (atime, mtime) = new_times(flags, atim, mtim)?;
    match node_of(ctx.fds.get(fd)?) {
        Some(node) => {
            node.set_times(atime, mtime);
            Ok(())
        }
        None => err(BADF),
    }
}

fn read_into(
    mem: &mut Mem<'_>,
    ctx: &mut P1,
    fd: i32,
    iovs: i32,
    n: i32,
    at: Option<u64>,
    out: i32,
) -> P1Result<()> {
    let (buf, len) = mem.first_buffer(iovs as u32, n as u32)?;
    let read = match ctx.fds.get_mut(fd)? {
        Desc::File(f) if !f.read => return err(BADF),
        Desc::File(f) => {
            let pos = at.unwrap_or(f.pos);
            let n = ops::read_at(&f.file, pos, mem.bytes_mut(buf, len)?);
            if at.is_none() {
                f.pos = pos
                    .checked_add(n as u64)
                    .ok_or(super::errno::Error::Errno(OVERFLOW))?;
            }
            n
        }
        Desc::Stdin if at.is_some() => return err(SPIPE),
        Desc::Stdin => match console::read(mem.bytes_mut(buf, len)?) {
            console::Read::Bytes(n) => n,
            console::Read::End => 0,
            console::Read::Failed => return err(IO),
        },
        _ => return err(BADF),
    };
    mem.put_u32(out as u32, read as u32)
}

pub fn fd_read(
    mem: &mut Mem<'_>,
    ctx: &mut P1,
    fd: i32,
    iovs: i32,
    n: i32,
    out: i32,
) -> P1Result<()> {
    read_into(mem, ctx, fd, iovs, n, None, out)
}

pub fn fd_pread(
    mem: &mut Mem<'_>,
    ctx: &mut P1,
    fd: i32,
    iovs: i32,
    n: i32,
    offset: i64,
    out: i32,
) -> P1Result<()> {
    read_into(mem, ctx, fd, iovs, n, Some(offset as u64), out)
}

fn write_from(
    mem: &mut Mem<'_>,
    ctx: &mut P1,
    fd: i32,
    iovs: i32,
    n: i32,
    at: Option<u64>,
    out: i32,
) -> P1Result<()> {
    let (buf, len) = mem.first_buffer(iovs as u32, n as u32)?;
    let written = match ctx.fds.get_mut(fd)? {
        Desc::File(f) if !f.write => return err(BADF),
        Desc::File(f) => {
            let bytes = mem.bytes(buf, len)?;
            // In append mode every write goes to the end, `fd_pwrite`'s
            // offset included (Linux's `pwrite` semantics, as stock).
            let offset = if f.append {
                None
            } else {
                Some(at.unwrap_or(f.pos))
            };
            let end = ops::write_at(&f.file, offset, bytes)?;
            if at.is_none() {
                f.pos = end;
            }
            len
        }
        Desc::Stdout | Desc::Stderr if at.is_some() => return err(SPIPE),
        Desc::Stdout => console_write(mem, 1, buf, len)?,
        Desc::Stderr => console_write(mem, 2, buf, len)?,
        _ => return err(BADF),
    };
    mem.put_u32(out as u32, written)
}

fn console_write(mem: &Mem<'_>, stream: u32, buf: u32, len: u32) -> P1Result<u32> {
    if !console::write(stream, mem.bytes(buf, len)?) {
        return err(IO);
    }
    Ok(len)
}

pub fn fd_write(
    mem: &mut Mem<'_>,
    ctx: &mut P1,
    fd: i32,
    iovs: i32,
    n: i32,
    out: i32,
) -> P1Result<()> {
    write_from(mem, ctx, fd, iovs, n, None, out)
}

pub fn fd_pwrite(
    mem: &mut Mem<'_>,
    ctx: &mut P1,
    fd: i32,
    iovs: i32,
    n: i32,
    offset: i64,
    out: i32,
) -> P1Result<()> {
    write_from(mem, ctx, fd, iovs, n, Some(offset as u64), out)
}

pub fn fd_prestat_get(mem: &mut Mem<'_>, ctx: &mut P1, fd: i32, out: i32) -> P1Result<()> {
    match ctx.fds.get(fd)? {
        Desc::Dir(OpenDir {
            preopen: Some(path),
            ..
        }) => {
            let mut b = [0u8; 8];
            b[4..8].copy_from_slice(&(path.len() as u32).to_le_bytes());
            mem.write_struct(out as u32, 4, &b)
        }
        _ => err(BADF),
    }
}

pub fn fd_prestat_dir_name(
    mem: &mut Mem<'_>,
    ctx: &mut P1,
    fd: i32,
    buf: i32,
    len: i32,
) -> P1Result<()> {
    match ctx.fds.get(fd)? {
        Desc::Dir(OpenDir {
            preopen: Some(path),
            ..
        }) => {
            if path.len() > len as u32 as usize {
                return err(NAMETOOLONG);
            }
            mem.write(buf as u32, path.as_bytes())
        }
        _ => err(NOTDIR),
    }
}

pub fn fd_renumber(ctx: &mut P1, from: i32, to: i32) -> P1Result<()> {
    ctx.fds.get(from)?;
    ctx.fds.get(to)?;
    if from == to {
        return Ok(());
    }
    ctx.fds.remove(to)?;
    let desc = ctx.fds.remove(from)?;
    ctx.fds.insert(to, desc);
    Ok(())
}

fn seekable(ctx: &mut P1, fd: i32) -> P1Result<&mut super::fds::OpenFile> {
    match ctx.fds.get_mut(fd)? {
        Desc::File(f) => Ok(f),
        Desc::Stdin | Desc::Stdout | Desc::Stderr => err(SPIPE),
        Desc::Dir(_) => err(BADF),
    }
}

pub fn fd_seek(
    mem: &mut Mem<'_>,
    ctx: &mut P1,
    fd: i32,
    offset: i64,
    whence: i32,
    out: i32,
) -> P1Result<()> {
    if !(0..=2).contains(&whence) {
        return err(INVAL);
    }
    let f = seekable(ctx, fd)?;
    let pos = match whence {
        0 if offset >= 0 => offset as u64,
        1 => f
            .pos
            .checked_add_signed(offset)
            .ok_or(super::errno::Error::Errno(INVAL))?,
        2 => ops::size(&f.file)
            .checked_add_signed(offset)
            .ok_or(super::errno::Error::Errno(INVAL))?,
        _ => return err(INVAL),
    };
    f.pos = pos;
    mem.put_u64(out as u32, pos)
}

pub fn fd_tell(mem: &mut Mem<'_>, ctx: &mut P1, fd: i32, out: i32) -> P1Result<()> {
    let pos = seekable(ctx, fd)?.pos;
    mem.put_u64(out as u32, pos)
}

/// Entries as stock lists them: `.` and `..` (both with the directory's
/// own inode number), then the entries by name; the cookie of an entry is
/// its position plus one. The last entry that does not fit is cut short,
/// and a full buffer tells the guest to ask again.
pub fn fd_readdir(
    mem: &mut Mem<'_>,
    ctx: &mut P1,
    fd: i32,
    buf: i32,
    len: i32,
    cookie: i64,
    out: i32,
) -> P1Result<()> {
    let dir = ctx.fds.dir(fd)?;
    let skip = usize::try_from(cookie as u64).map_err(|_| super::errno::Error::Errno(OVERFLOW))?;
    let own = Node::Dir(dir.clone()).ino();
    let entries = dir.entries();
    let head = [
        (own, FILETYPE_DIRECTORY, alloc::string::String::from(".")),
        (own, FILETYPE_DIRECTORY, alloc::string::String::from("..")),
    ];
    let all = head.into_iter().chain(
        entries
            .into_iter()
            .map(|(name, node)| (node.ino(), filetype(node.kind()), name)),
    );
    let cap = len as u32;
    let mut out_bytes = vec![];
    for (i, (ino, ty, name)) in all.enumerate().skip(skip) {
        let mut dirent = [0u8; 24];
        dirent[0..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
        dirent[8..16].copy_from_slice(&ino.to_le_bytes());
        dirent[16..20].copy_from_slice(&(name.len() as u32).to_le_bytes());
        dirent[20] = ty;
        out_bytes.extend_from_slice(&dirent);
        out_bytes.extend_from_slice(name.as_bytes());
        if out_bytes.len() >= cap as usize {
            break;
        }
    }
    out_bytes.truncate(cap as usize);
    mem.write(buf as u32, &out_bytes)?;
    mem.put_u32(out as u32, out_bytes.len() as u32)
}
