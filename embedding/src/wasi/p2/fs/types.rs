//! wasi:filesystem/types and preopens over the shared tree: every
//! operation is `state::fs::ops`, as for preview 1.

use super::streams::{FileReader, FileWriter};
use super::{Descriptor, DirEntries, FsError, FsResult};
use crate::wasi::p2::bindings::wasi::clocks::wall_clock::Datetime;
use crate::wasi::p2::bindings::wasi::filesystem::preopens;
use crate::wasi::p2::bindings::wasi::filesystem::types::{
    self, Advice, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry, ErrorCode,
    MetadataHashValue, NewTimestamp, OpenFlags, PathFlags,
};
use crate::wasi::p2::ctx::Ctx;
use crate::wasi::state::fs::{Dir, File, Kind, NewTime, Node, Stat, ops};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use wasmtime::component::Resource;
use wasmtime_wasi_io::streams::{DynInputStream, DynOutputStream, Error as StreamErr};

fn kind(kind: Kind) -> DescriptorType {
    match kind {
        Kind::File => DescriptorType::RegularFile,
        Kind::Dir => DescriptorType::Directory,
        Kind::Symlink => DescriptorType::SymbolicLink,
    }
}

fn datetime(ns: u64) -> Option<Datetime> {
    Some(Datetime {
        seconds: ns / 1_000_000_000,
        nanoseconds: (ns % 1_000_000_000) as u32,
    })
}

fn descriptor_stat(s: Stat) -> DescriptorStat {
    DescriptorStat {
        type_: kind(s.kind),
        link_count: s.nlink,
        size: s.size,
        data_access_timestamp: datetime(s.atime),
        data_modification_timestamp: datetime(s.mtime),
        status_change_timestamp: datetime(s.ctime),
    }
}

fn new_time(t: NewTimestamp) -> NewTime {
    match t {
        NewTimestamp::NoChange => NewTime::Keep,
        NewTimestamp::Now => NewTime::Now,
        NewTimestamp::Timestamp(d) => NewTime::At(
            d.seconds
                .saturating_mul(1_000_000_000)
                .saturating_add(d.nanoseconds.into()),
        ),
    }
}

fn follow(flags: PathFlags) -> bool {
    flags.contains(PathFlags::SYMLINK_FOLLOW)
}

fn hash(ino: u64) -> MetadataHashValue {
    // Any value that differs between distinct nodes will do; the lower
    // half is the inode number, which preview 1 reports as `ino`.
    MetadataHashValue {
        lower: ino,
        upper: ino.rotate_left(29) ^ 0x9e37_79b9_7f4a_7c15,
    }
}

impl Ctx {
    fn fd(&self, fd: &Resource<Descriptor>) -> FsResult<&Descriptor> {
        Ok(self.table.get(fd)?)
    }

    fn dir(&self, fd: &Resource<Descriptor>) -> FsResult<(Dir, DescriptorFlags)> {
        let d = self.fd(fd)?;
        match &d.node {
            Node::Dir(dir) => Ok((dir.clone(), d.flags)),
            _ => Err(ErrorCode::NotDirectory.into()),
        }
    }

    fn file(&self, fd: &Resource<Descriptor>, need: DescriptorFlags) -> FsResult<File> {
        let d = self.fd(fd)?;
        match &d.node {
            Node::File(f) if d.flags.contains(need) => Ok(f.clone()),
            Node::File(_) => Err(ErrorCode::BadDescriptor.into()),
            _ => Err(ErrorCode::IsDirectory.into()),
        }
    }

    /// A directory the guest may change.
    fn mutable_dir(&self, fd: &Resource<Descriptor>) -> FsResult<Dir> {
        let (dir, flags) = self.dir(fd)?;
        if !flags.contains(DescriptorFlags::MUTATE_DIRECTORY) {
            return Err(ErrorCode::NotPermitted.into());
        }
        Ok(dir)
    }
}

impl preopens::Host for Ctx {
    fn get_directories(&mut self) -> wasmtime::Result<Vec<(Resource<Descriptor>, String)>> {
        let mut out = Vec::new();
        for (path, dir) in self.state.preopens.clone() {
            let fd = self.table.push(Descriptor {
                node: Node::Dir(dir),
                flags: DescriptorFlags::READ | DescriptorFlags::MUTATE_DIRECTORY,
            })?;
            out.push((fd, path));
        }
        Ok(out)
    }
}

impl types::Host for Ctx {
    fn convert_error_code(&mut self, err: FsError) -> wasmtime::Result<ErrorCode> {
        match err {
            FsError::Code(code) => Ok(code),
            FsError::Trap(e) => Err(e),
        }
    }

    fn filesystem_error_code(
        &mut self,
        err: Resource<StreamErr>,
    ) -> wasmtime::Result<Option<ErrorCode>> {
        let err = self.table.get(&err)?;
        Ok(err.downcast_ref::<ErrorCode>().copied())
    }
}

impl types::HostDescriptor for Ctx {
    fn read_via_stream(
        &mut self,
        fd: Resource<Descriptor>,
        offset: u64,
    ) -> FsResult<Resource<DynInputStream>> {
        let file = self.file(&fd, DescriptorFlags::READ)?;
        let stream: DynInputStream = Box::new(FileReader { file, pos: offset });
        Ok(self.table.push(stream)?)
    }

    fn write_via_stream(
        &mut self,
        fd: Resource<Descriptor>,
        offset: u64,
    ) -> FsResult<Resource<DynOutputStream>> {
        let file = self.file(&fd, DescriptorFlags::WRITE)?;
        let stream: DynOutputStream = Box::new(FileWriter {
            file,
            pos: Some(offset),
        });
        Ok(self.table.push(stream)?)
    }

    fn append_via_stream(
        &mut self,
        fd: Resource<Descriptor>,
    ) -> FsResult<Resource<DynOutputStream>> {
        let file = self.file(&fd, DescriptorFlags::WRITE)?;
        let stream: DynOutputStream = Box::new(FileWriter { file, pos: None });
        Ok(self.table.push(stream)?)
    }

    fn advise(&mut self, fd: Resource<Descriptor>, _: u64, _: u64, _: Advice) -> FsResult<()> {
        self.fd(&fd)?;
        Ok(())
    }

    fn sync_data(&mut self, fd: Resource<Descriptor>) -> FsResult<()> {
        self.fd(&fd)?;
        Ok(())
    }

    fn get_flags(&mut self, fd: Resource<Descriptor>) -> FsResult<DescriptorFlags> {
        Ok(self.fd(&fd)?.flags)
    }

    fn get_type(&mut self, fd: Resource<Descriptor>) -> FsResult<DescriptorType> {
        Ok(kind(self.fd(&fd)?.node.kind()))
    }

    fn set_size(&mut self, fd: Resource<Descriptor>, size: u64) -> FsResult<()> {
        let file = self.file(&fd, DescriptorFlags::WRITE)?;
        Ok(ops::set_size(&file, size)?)
    }

    fn set_times(
        &mut self,
        fd: Resource<Descriptor>,
        atime: NewTimestamp,
        mtime: NewTimestamp,
    ) -> FsResult<()> {
        self.fd(&fd)?
            .node
            .set_times(new_time(atime), new_time(mtime));
        Ok(())
    }

    fn read(
        &mut self,
        fd: Resource<Descriptor>,
        len: u64,
        offset: u64,
    ) -> FsResult<(Vec<u8>, bool)> {
        let file = self.file(&fd, DescriptorFlags::READ)?;
        let left = ops::size(&file).saturating_sub(offset);
        let mut buf = alloc::vec![0u8; usize::try_from(len.min(left)).unwrap_or(usize::MAX)];
        let n = ops::read_at(&file, offset, &mut buf);
        buf.truncate(n);
        let end = offset.saturating_add(n as u64) >= ops::size(&file);
        Ok((buf, end))
    }

    fn write(&mut self, fd: Resource<Descriptor>, buf: Vec<u8>, offset: u64) -> FsResult<u64> {
        let file = self.file(&fd, DescriptorFlags::WRITE)?;
        ops::write_at(&file, Some(offset), &buf)?;
        Ok(buf.len() as u64)
    }

    fn read_directory(&mut self, fd: Resource<Descriptor>) -> FsResult<Resource<DirEntries>> {
        let (dir, _) = self.dir(&fd)?;
        let entries = DirEntries {
            entries: dir.entries(),
            next: 0,
        };
        Ok(self.table.push(entries)?)
    }

    fn sync(&mut self, fd: Resource<Descriptor>) -> FsResult<()> {
        self.fd(&fd)?;
        Ok(())
    }

    fn create_directory_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<()> {
        let base = self.mutable_dir(&fd)?;
        Ok(ops::create_dir(&base, &path)?)
    }

    fn stat(&mut self, fd: Resource<Descriptor>) -> FsResult<DescriptorStat> {
        Ok(descriptor_stat(self.fd(&fd)?.node.stat()))
    }

    fn stat_at(
        &mut self,
        fd: Resource<Descriptor>,
        flags: PathFlags,
        path: String,
    ) -> FsResult<DescriptorStat> {
        let (dir, _) = self.dir(&fd)?;
        Ok(descriptor_stat(ops::stat_at(&dir, &path, follow(flags))?))
    }

    fn set_times_at(
        &mut self,
        fd: Resource<Descriptor>,
        flags: PathFlags,
        path: String,
        atime: NewTimestamp,
        mtime: NewTimestamp,
    ) -> FsResult<()> {
        let base = self.mutable_dir(&fd)?;
        Ok(ops::set_times_at(
            &base,
            &path,
            follow(flags),
            new_time(atime),
            new_time(mtime),
        )?)
    }

    fn link_at(
        &mut self,
        fd: Resource<Descriptor>,
        flags: PathFlags,
        old_path: String,
        new_fd: Resource<Descriptor>,
        new_path: String,
    ) -> FsResult<()> {
        let old = self.mutable_dir(&fd)?;
        let new = self.mutable_dir(&new_fd)?;
        Ok(ops::link(&old, &old_path, follow(flags), &new, &new_path)?)
    }

    fn open_at(
        &mut self,
        fd: Resource<Descriptor>,
        path_flags: PathFlags,
        path: String,
        open: OpenFlags,
        flags: DescriptorFlags,
    ) -> FsResult<Resource<Descriptor>> {
        let (base, base_flags) = self.dir(&fd)?;
        let may_mutate = base_flags.contains(DescriptorFlags::MUTATE_DIRECTORY);
        let create = open.contains(OpenFlags::CREATE);
        let truncate = open.contains(OpenFlags::TRUNCATE);
        if (flags.contains(DescriptorFlags::WRITE) || create || truncate) && !may_mutate {
            return Err(ErrorCode::NotPermitted.into());
        }
        if flags.intersects(
            DescriptorFlags::FILE_INTEGRITY_SYNC
                | DescriptorFlags::DATA_INTEGRITY_SYNC
                | DescriptorFlags::REQUESTED_WRITE_SYNC,
        ) {
            return Err(ErrorCode::Unsupported.into());
        }
        let node = ops::open(
            &base,
            &path,
            follow(path_flags),
            ops::OpenFlags {
                create,
                exclusive: open.contains(OpenFlags::EXCLUSIVE),
                truncate,
                directory: open.contains(OpenFlags::DIRECTORY),
                write: flags.contains(DescriptorFlags::WRITE),
            },
        )?;
        // As wasmtime-wasi: creating or truncating opens for writing, a
        // file not opened for writing is opened for reading, and a
        // directory opened from a mutable one may change too.
        let flags = match node {
            Node::Dir(_) if may_mutate => {
                flags | DescriptorFlags::READ | DescriptorFlags::MUTATE_DIRECTORY
            }
            Node::Dir(_) => flags | DescriptorFlags::READ,
            _ if create || truncate => flags | DescriptorFlags::WRITE,
            _ if !flags.contains(DescriptorFlags::WRITE) => flags | DescriptorFlags::READ,
            _ => flags,
        };
        Ok(self.table.push(Descriptor { node, flags })?)
    }

    fn readlink_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<String> {
        let (dir, _) = self.dir(&fd)?;
        Ok(ops::readlink(&dir, &path)?)
    }

    fn remove_directory_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<()> {
        let base = self.mutable_dir(&fd)?;
        Ok(ops::remove_dir(&base, &path)?)
    }

    fn rename_at(
        &mut self,
        fd: Resource<Descriptor>,
        old_path: String,
        new_fd: Resource<Descriptor>,
        new_path: String,
    ) -> FsResult<()> {
        let old = self.mutable_dir(&fd)?;
        let new = self.mutable_dir(&new_fd)?;
        Ok(ops::rename(&old, &old_path, &new, &new_path)?)
    }

    fn symlink_at(
        &mut self,
        fd: Resource<Descriptor>,
        target: String,
        path: String,
    ) -> FsResult<()> {
        let base = self.mutable_dir(&fd)?;
        Ok(ops::symlink(&target, &base, &path)?)
    }

    fn unlink_file_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<()> {
        let base = self.mutable_dir(&fd)?;
        Ok(ops::unlink(&base, &path)?)
    }

    fn is_same_object(
        &mut self,
        a: Resource<Descriptor>,
        b: Resource<Descriptor>,
    ) -> wasmtime::Result<bool> {
        let a = self.table.get(&a)?.node.ino();
        let b = self.table.get(&b)?.node.ino();
        Ok(a == b)
    }

    fn metadata_hash(&mut self, fd: Resource<Descriptor>) -> FsResult<MetadataHashValue> {
        Ok(hash(self.fd(&fd)?.node.ino()))
    }

    fn metadata_hash_at(
        &mut self,
        fd: Resource<Descriptor>,
        flags: PathFlags,
        path: String,
    ) -> FsResult<MetadataHashValue> {
        let (dir, _) = self.dir(&fd)?;
        Ok(hash(ops::node_at(&dir, &path, follow(flags))?.ino()))
    }

    fn drop(&mut self, fd: Resource<Descriptor>) -> wasmtime::Result<()> {
        self.table.delete(fd)?;
        Ok(())
    }
}

impl types::HostDirectoryEntryStream for Ctx {
    fn read_directory_entry(
        &mut self,
        stream: Resource<DirEntries>,
    ) -> FsResult<Option<DirectoryEntry>> {
        let entries = self.table.get_mut(&stream)?;
        let Some((name, node)) = entries.entries.get(entries.next) else {
            return Ok(None);
        };
        entries.next += 1;
        Ok(Some(DirectoryEntry {
            type_: kind(node.kind()),
            name: name.clone(),
        }))
    }

    fn drop(&mut self, stream: Resource<DirEntries>) -> wasmtime::Result<()> {
        self.table.delete(stream)?;
        Ok(())
    }
}
