//! wasi:filesystem/types and preopens over the in-memory tree.

use super::streams::{FileReader, FileWriter};
use super::tree::{Dir, File, Node};
use super::{Descriptor, DirEntries, FsError, FsResult};
use crate::wasi::bindings::wasi::filesystem::preopens;
use crate::wasi::bindings::wasi::filesystem::types::{
    self, Advice, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry, ErrorCode,
    MetadataHashValue, NewTimestamp, OpenFlags, PathFlags,
};
use crate::wasi::ctx::Ctx;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use wasmtime::component::Resource;
use wasmtime_wasi_io::streams::{DynInputStream, DynOutputStream, Error as StreamErr};

fn kind(node: &Node) -> DescriptorType {
    match node {
        Node::File(_) => DescriptorType::RegularFile,
        Node::Dir(_) => DescriptorType::Directory,
    }
}

fn stat(node: &Node) -> DescriptorStat {
    let size = match node {
        Node::File(f) => f.0.lock().len() as u64,
        Node::Dir(_) => 0,
    };
    // The tree keeps no timestamps: the host hands in contents only, and a
    // platform may have no wall clock. Guests see them as unknown.
    DescriptorStat {
        type_: kind(node),
        link_count: 1,
        size,
        data_access_timestamp: None,
        data_modification_timestamp: None,
        status_change_timestamp: None,
    }
}

fn hash(node: &Node) -> MetadataHashValue {
    // Any value that differs between distinct nodes will do; spread the
    // address so the two halves are not trivially related.
    let id = node.id() as u64;
    MetadataHashValue {
        lower: id,
        upper: id.rotate_left(29) ^ 0x9e37_79b9_7f4a_7c15,
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
            Node::File(_) => Err(ErrorCode::NotDirectory.into()),
        }
    }

    fn file(&self, fd: &Resource<Descriptor>, need: DescriptorFlags) -> FsResult<File> {
        let d = self.fd(fd)?;
        match &d.node {
            Node::File(f) if d.flags.contains(need) => Ok(f.clone()),
            Node::File(_) => Err(ErrorCode::BadDescriptor.into()),
            Node::Dir(_) => Err(ErrorCode::IsDirectory.into()),
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
        for (path, dir) in self.preopens.clone() {
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
        Ok(kind(&self.fd(&fd)?.node))
    }

    fn set_size(&mut self, fd: Resource<Descriptor>, size: u64) -> FsResult<()> {
        let file = self.file(&fd, DescriptorFlags::WRITE)?;
        let size = usize::try_from(size).map_err(|_| ErrorCode::FileTooLarge)?;
        let mut data = file.0.lock();
        let len = data.len();
        if size > len {
            data.try_reserve(size - len)
                .map_err(|_| ErrorCode::InsufficientMemory)?;
        }
        data.resize(size, 0);
        Ok(())
    }

    fn set_times(
        &mut self,
        fd: Resource<Descriptor>,
        _: NewTimestamp,
        _: NewTimestamp,
    ) -> FsResult<()> {
        // No timestamps are kept (see `stat`), so there is nothing to set.
        self.fd(&fd)?;
        Ok(())
    }

    fn read(
        &mut self,
        fd: Resource<Descriptor>,
        len: u64,
        offset: u64,
    ) -> FsResult<(Vec<u8>, bool)> {
        let file = self.file(&fd, DescriptorFlags::READ)?;
        let data = file.0.lock();
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(data.len());
        let end = start
            .saturating_add(usize::try_from(len).unwrap_or(usize::MAX))
            .min(data.len());
        Ok((data[start..end].to_vec(), end == data.len()))
    }

    fn write(&mut self, fd: Resource<Descriptor>, buf: Vec<u8>, offset: u64) -> FsResult<u64> {
        let file = self.file(&fd, DescriptorFlags::WRITE)?;
        let at = usize::try_from(offset).map_err(|_| ErrorCode::FileTooLarge)?;
        let end = at.checked_add(buf.len()).ok_or(ErrorCode::FileTooLarge)?;
        let mut data = file.0.lock();
        let len = data.len();
        if end > len {
            data.try_reserve(end - len)
                .map_err(|_| ErrorCode::InsufficientMemory)?;
            data.resize(end, 0);
        }
        data[at..end].copy_from_slice(&buf);
        Ok(buf.len() as u64)
    }

    fn read_directory(&mut self, fd: Resource<Descriptor>) -> FsResult<Resource<DirEntries>> {
        let (dir, flags) = self.dir(&fd)?;
        if !flags.contains(DescriptorFlags::READ) {
            return Err(ErrorCode::NotPermitted.into());
        }
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
        let (dir, name) = base.parent_of(&path)?;
        if name == "." || name == ".." {
            return Err(ErrorCode::Exist.into());
        }
        let mut entries = dir.0.lock();
        if entries.contains_key(name) {
            return Err(ErrorCode::Exist.into());
        }
        entries.insert(String::from(name), Node::Dir(Dir::new()));
        Ok(())
    }

    fn stat(&mut self, fd: Resource<Descriptor>) -> FsResult<DescriptorStat> {
        Ok(stat(&self.fd(&fd)?.node))
    }

    fn stat_at(
        &mut self,
        fd: Resource<Descriptor>,
        _: PathFlags,
        path: String,
    ) -> FsResult<DescriptorStat> {
        let (dir, _) = self.dir(&fd)?;
        Ok(stat(&dir.lookup(&path)?))
    }

    fn set_times_at(
        &mut self,
        fd: Resource<Descriptor>,
        _: PathFlags,
        path: String,
        _: NewTimestamp,
        _: NewTimestamp,
    ) -> FsResult<()> {
        let (dir, _) = self.dir(&fd)?;
        dir.lookup(&path)?;
        Ok(())
    }

    fn link_at(
        &mut self,
        fd: Resource<Descriptor>,
        _: PathFlags,
        _: String,
        _: Resource<Descriptor>,
        _: String,
    ) -> FsResult<()> {
        // Hard links would make the tree a graph that the host cannot read
        // back as paths; refused like on a filesystem without them.
        self.dir(&fd)?;
        Err(ErrorCode::Unsupported.into())
    }

    fn open_at(
        &mut self,
        fd: Resource<Descriptor>,
        _: PathFlags,
        path: String,
        open: OpenFlags,
        flags: DescriptorFlags,
    ) -> FsResult<Resource<Descriptor>> {
        let (base, base_flags) = self.dir(&fd)?;
        let may_mutate = base_flags.contains(DescriptorFlags::MUTATE_DIRECTORY);
        if (flags.contains(DescriptorFlags::WRITE) || open.contains(OpenFlags::CREATE))
            && !may_mutate
        {
            return Err(ErrorCode::NotPermitted.into());
        }
        let (dir, name) = base.parent_of(&path)?;
        let existing = if name == "." {
            Some(Node::Dir(dir.clone()))
        } else {
            dir.get(name)
        };
        let node = match existing {
            Some(_) if open.contains(OpenFlags::CREATE | OpenFlags::EXCLUSIVE) => {
                return Err(ErrorCode::Exist.into());
            }
            Some(Node::File(_)) if open.contains(OpenFlags::DIRECTORY) => {
                return Err(ErrorCode::NotDirectory.into());
            }
            Some(Node::Dir(_)) if flags.contains(DescriptorFlags::WRITE) => {
                return Err(ErrorCode::IsDirectory.into());
            }
            Some(node) => node,
            None if open.contains(OpenFlags::CREATE) => {
                if open.contains(OpenFlags::DIRECTORY) {
                    return Err(ErrorCode::Invalid.into());
                }
                let node = Node::File(File::new(Vec::new()));
                dir.0.lock().insert(String::from(name), node.clone());
                node
            }
            None => return Err(ErrorCode::NoEntry.into()),
        };
        if let (Node::File(f), true) = (&node, open.contains(OpenFlags::TRUNCATE)) {
            if !flags.contains(DescriptorFlags::WRITE) {
                return Err(ErrorCode::NotPermitted.into());
            }
            f.0.lock().clear();
        }
        // A directory opened from a mutable one may change too, as in
        // wasmtime-wasi, whose preopens grant both.
        let flags = match node {
            Node::Dir(_) if may_mutate => flags | DescriptorFlags::MUTATE_DIRECTORY,
            _ => flags,
        };
        Ok(self.table.push(Descriptor { node, flags })?)
    }

    fn readlink_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<String> {
        // The tree has no symbolic links: every existing path is something
        // else.
        let (dir, _) = self.dir(&fd)?;
        dir.lookup(&path)?;
        Err(ErrorCode::Invalid.into())
    }

    fn remove_directory_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<()> {
        let base = self.mutable_dir(&fd)?;
        let (dir, name) = base.parent_of(&path)?;
        let mut entries = dir.0.lock();
        match entries.get(name) {
            Some(Node::Dir(d)) if !d.0.lock().is_empty() => Err(ErrorCode::NotEmpty.into()),
            Some(Node::Dir(_)) => {
                entries.remove(name);
                Ok(())
            }
            Some(Node::File(_)) => Err(ErrorCode::NotDirectory.into()),
            None => Err(ErrorCode::NoEntry.into()),
        }
    }

    fn rename_at(
        &mut self,
        fd: Resource<Descriptor>,
        old_path: String,
        new_fd: Resource<Descriptor>,
        new_path: String,
    ) -> FsResult<()> {
        let old_base = self.mutable_dir(&fd)?;
        let new_base = self.mutable_dir(&new_fd)?;
        let (old_dir, old_name) = old_base.parent_of(&old_path)?;
        let (new_dir, new_name) = new_base.parent_of(&new_path)?;
        if old_name == "." || new_name == "." {
            return Err(ErrorCode::Busy.into());
        }
        let node = old_dir.get(old_name).ok_or(ErrorCode::NoEntry)?;
        match (&node, new_dir.get(new_name)) {
            (Node::Dir(_), Some(Node::File(_))) => return Err(ErrorCode::NotDirectory.into()),
            (Node::File(_), Some(Node::Dir(_))) => return Err(ErrorCode::IsDirectory.into()),
            (_, Some(Node::Dir(d))) if !d.0.lock().is_empty() => {
                return Err(ErrorCode::NotEmpty.into());
            }
            _ => {}
        }
        old_dir.0.lock().remove(old_name);
        new_dir.0.lock().insert(String::from(new_name), node);
        Ok(())
    }

    fn symlink_at(&mut self, fd: Resource<Descriptor>, _: String, _: String) -> FsResult<()> {
        self.dir(&fd)?;
        Err(ErrorCode::Unsupported.into())
    }

    fn unlink_file_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<()> {
        let base = self.mutable_dir(&fd)?;
        let (dir, name) = base.parent_of(&path)?;
        let mut entries = dir.0.lock();
        match entries.get(name) {
            Some(Node::File(_)) => {
                entries.remove(name);
                Ok(())
            }
            Some(Node::Dir(_)) => Err(ErrorCode::IsDirectory.into()),
            None => Err(ErrorCode::NoEntry.into()),
        }
    }

    fn is_same_object(
        &mut self,
        a: Resource<Descriptor>,
        b: Resource<Descriptor>,
    ) -> wasmtime::Result<bool> {
        let a = self.table.get(&a)?.node.id();
        let b = self.table.get(&b)?.node.id();
        Ok(a == b)
    }

    fn metadata_hash(&mut self, fd: Resource<Descriptor>) -> FsResult<MetadataHashValue> {
        Ok(hash(&self.fd(&fd)?.node))
    }

    fn metadata_hash_at(
        &mut self,
        fd: Resource<Descriptor>,
        _: PathFlags,
        path: String,
    ) -> FsResult<MetadataHashValue> {
        let (dir, _) = self.dir(&fd)?;
        Ok(hash(&dir.lookup(&path)?))
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
            type_: kind(node),
            name: name.clone(),
        }))
    }

    fn drop(&mut self, stream: Resource<DirEntries>) -> wasmtime::Result<()> {
        self.table.delete(stream)?;
        Ok(())
    }
}
