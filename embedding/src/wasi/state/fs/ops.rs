//! The file-system operations both faces offer, on the tree, with the
//! errors Linux gives through wasmtime-wasi (its cap-std layer): where the
//! two faces differ, they differ in their own modules, never here.

use super::path::resolve;
use super::tree::{Dir, File, Node};
use super::{FsError, FsResult, NewTime, Stat};
use alloc::string::String;
use alloc::vec::Vec;

/// What `open` is asked to do, beyond finding the node.
#[derive(Clone, Copy, Default)]
pub struct OpenFlags {
    pub create: bool,
    pub exclusive: bool,
    pub truncate: bool,
    pub directory: bool,
    /// Opened for writing (a created or truncated file is too).
    pub write: bool,
}

/// Opens (or creates) the node `path` names.
pub fn open(base: &Dir, path: &str, follow: bool, flags: OpenFlags) -> FsResult<Node> {
    if flags.directory && (flags.create || flags.exclusive || flags.truncate) {
        return Err(FsError::Invalid);
    }
    let found = resolve(base, path, follow)?;
    let write = flags.write || flags.create || flags.truncate;
    match found.node {
        None if !flags.create => Err(FsError::NoEntry),
        // `open("new/", O_CREAT)`: Linux will not create a directory.
        None if found.must_be_dir => Err(FsError::IsDirectory),
        None => {
            let node = Node::File(File::new(Vec::new()));
            found.parent.insert(&found.name, node.clone());
            Ok(node)
        }
        Some(_) if flags.create && flags.exclusive => Err(FsError::Exist),
        // Not followed: `O_NOFOLLOW` on a link is `ELOOP`.
        Some(Node::Symlink(_)) => Err(FsError::Loop),
        Some(Node::File(_)) if flags.directory || found.must_be_dir => Err(FsError::NotDirectory),
        Some(Node::Dir(_)) if write => Err(FsError::IsDirectory),
        Some(Node::File(f)) => {
            if flags.truncate {
                let mut body = f.0.lock();
                body.data.clear();
                body.meta.modified();
            }
            Ok(Node::File(f))
        }
        Some(node) => Ok(node),
    }
}

pub fn create_dir(base: &Dir, path: &str) -> FsResult<()> {
    let found = resolve(base, path, false)?;
    if found.is_self() || found.node.is_some() {
        return Err(FsError::Exist);
    }
    found.parent.insert(&found.name, Node::Dir(Dir::new()));
    Ok(())
}

pub fn stat_at(base: &Dir, path: &str, follow: bool) -> FsResult<Stat> {
    Ok(resolve(base, path, follow)?.existing()?.stat())
}

/// The node itself (WASI 0.2's `metadata-hash-at`).
#[cfg(feature = "wasi")]
pub fn node_at(base: &Dir, path: &str, follow: bool) -> FsResult<Node> {
    resolve(base, path, follow)?.existing()
}

pub fn set_times_at(
    base: &Dir,
    path: &str,
    follow: bool,
    atime: NewTime,
    mtime: NewTime,
) -> FsResult<()> {
    resolve(base, path, follow)?
        .existing()?
        .set_times(atime, mtime);
    Ok(())
}

/// A hard link: `new_path` becomes another name of the node at `old_path`
/// (a symbolic link itself, not followed, as Linux's `linkat` does).
pub fn link(
    old_base: &Dir,
    old_path: &str,
    follow: bool,
    new_base: &Dir,
    new_path: &str,
) -> FsResult<()> {
    // wasmtime-wasi refuses to follow: cap-std cannot link through a link.
    if follow {
        return Err(FsError::Invalid);
    }
    let old = resolve(old_base, old_path, false)?;
    let node = old.existing()?;
    if let Node::Dir(_) = node {
        return Err(FsError::NotPermitted);
    }
    let new = resolve(new_base, new_path, false)?;
    if new.is_self() || new.node.is_some() {
        return Err(FsError::Exist);
    }
    if new.must_be_dir {
        return Err(FsError::NoEntry);
    }
    new.parent.insert(&new.name, node);
    Ok(())
}

pub fn symlink(target: &str, base: &Dir, path: &str) -> FsResult<()> {
    // cap-std refuses links that would leave the directory from the start.
    if target.starts_with('/') {
        return Err(FsError::NotPermitted);
    }
    let found = resolve(base, path, false)?;
    if found.is_self() || found.node.is_some() {
        return Err(FsError::Exist);
    }
    if found.must_be_dir {
        return Err(FsError::NoEntry);
    }
    found
        .parent
        .insert(&found.name, Node::symlink(String::from(target)));
    Ok(())
}

pub fn readlink(base: &Dir, path: &str) -> FsResult<String> {
    match resolve(base, path, false)?.existing()? {
        Node::Symlink(l) => Ok(l.0.lock().target.clone()),
        _ => Err(FsError::Invalid),
    }
}

pub fn remove_dir(base: &Dir, path: &str) -> FsResult<()> {
    let found = resolve(base, path, false)?;
    if found.is_self() {
        return Err(FsError::Invalid);
    }
    match &found.node {
        None => Err(FsError::NoEntry),
        Some(Node::Dir(d)) if !d.is_empty() => Err(FsError::NotEmpty),
        Some(Node::Dir(_)) => {
            found.parent.remove(&found.name);
            Ok(())
        }
        Some(_) => Err(FsError::NotDirectory),
    }
}

pub fn unlink(base: &Dir, path: &str) -> FsResult<()> {
    let found = resolve(base, path, false)?;
    if found.is_self() {
        return Err(FsError::IsDirectory);
    }
    match &found.node {
        None => Err(FsError::NoEntry),
        Some(Node::Dir(_)) => Err(FsError::IsDirectory),
        Some(_) if found.must_be_dir => Err(FsError::NotDirectory),
        Some(_) => {
            found.parent.remove(&found.name);
            Ok(())
        }
    }
}

pub fn rename(old_base: &Dir, old_path: &str, new_base: &Dir, new_path: &str) -> FsResult<()> {
    let old = resolve(old_base, old_path, false)?;
    let new = resolve(new_base, new_path, false)?;
    if old.is_self() || new.is_self() {
        return Err(FsError::Busy);
    }
    let node = old.node.clone().ok_or(FsError::NoEntry)?;
    let is_dir = matches!(node, Node::Dir(_));
    if !is_dir && (old.must_be_dir || new.must_be_dir) {
        return Err(FsError::NotDirectory);
    }
    match (&node, &new.node) {
        (_, Some(existing)) if existing.same(&node) => return Ok(()),
        (Node::Dir(_), Some(Node::Dir(d))) if !d.is_empty() => return Err(FsError::NotEmpty),
        (Node::Dir(_), Some(Node::Dir(_))) => {}
        (Node::Dir(_), Some(_)) => return Err(FsError::NotDirectory),
        (_, Some(Node::Dir(_))) => return Err(FsError::IsDirectory),
        _ => {}
    }
    if let Node::Dir(d) = &node
        && d.contains(&new.parent)
    {
        return Err(FsError::Invalid);
    }
    old.parent.remove(&old.name);
    new.parent.insert(&new.name, node);
    Ok(())
}

/// Reads up to `len` bytes at `offset` into `out`; returns how many.
pub fn read_at(file: &File, offset: u64, out: &mut [u8]) -> usize {
    let body = file.0.lock();
    let start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(body.data.len());
    let n = out.len().min(body.data.len() - start);
    out[..n].copy_from_slice(&body.data[start..start + n]);
    n
}

/// Writes `bytes` at `offset`, or at the end when `offset` is `None`;
/// returns the offset after the write.
pub fn write_at(file: &File, offset: Option<u64>, bytes: &[u8]) -> FsResult<u64> {
    let mut body = file.0.lock();
    let at = match offset {
        Some(o) => usize::try_from(o).map_err(|_| FsError::FileTooLarge)?,
        None => body.data.len(),
    };
    let end = at.checked_add(bytes.len()).ok_or(FsError::FileTooLarge)?;
    let len = body.data.len();
    if end > len {
        body.data
            .try_reserve(end - len)
            .map_err(|_| FsError::NoMemory)?;
        body.data.resize(end, 0);
    }
    body.data[at..end].copy_from_slice(bytes);
    if !bytes.is_empty() {
        body.meta.modified();
    }
    Ok(end as u64)
}

pub fn set_size(file: &File, size: u64) -> FsResult<()> {
    let size = usize::try_from(size).map_err(|_| FsError::FileTooLarge)?;
    let mut body = file.0.lock();
    let len = body.data.len();
    if size > len {
        body.data
            .try_reserve(size - len)
            .map_err(|_| FsError::NoMemory)?;
    }
    body.data.resize(size, 0);
    body.meta.modified();
    Ok(())
}

pub fn size(file: &File) -> u64 {
    file.0.lock().data.len() as u64
}
