//! The descriptor table: what each preview 1 `fd` is. 0, 1 and 2 are the
//! console; the preopened directories follow from 3, in the order the host
//! gave them.

use super::errno::{BADF, P1Result, err};
use crate::wasi::state::fs::{Dir, File};
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;

pub struct OpenFile {
    pub file: File,
    pub pos: u64,
    pub append: bool,
    pub nonblock: bool,
    pub read: bool,
    pub write: bool,
}

pub struct OpenDir {
    pub dir: Dir,
    /// The guest path, for a preopened directory.
    pub preopen: Option<String>,
}

pub enum Desc {
    Stdin,
    Stdout,
    Stderr,
    File(OpenFile),
    Dir(OpenDir),
}

pub struct Fds {
    used: BTreeMap<u32, Desc>,
    /// Closed numbers, reused highest first as stock Wasmtime does.
    free: BTreeSet<u32>,
}

impl Fds {
    pub fn new(preopens: &[(String, Dir)]) -> Fds {
        let mut map = BTreeMap::new();
        map.insert(0, Desc::Stdin);
        map.insert(1, Desc::Stdout);
        map.insert(2, Desc::Stderr);
        for (i, (path, dir)) in preopens.iter().enumerate() {
            map.insert(
                3 + i as u32,
                Desc::Dir(OpenDir {
                    dir: dir.clone(),
                    preopen: Some(path.clone()),
                }),
            );
        }
        Fds {
            used: map,
            free: BTreeSet::new(),
        }
    }

    pub fn get(&self, fd: i32) -> P1Result<&Desc> {
        match self.used.get(&(fd as u32)) {
            Some(d) => Ok(d),
            None => err(BADF),
        }
    }

    pub fn get_mut(&mut self, fd: i32) -> P1Result<&mut Desc> {
        match self.used.get_mut(&(fd as u32)) {
            Some(d) => Ok(d),
            None => err(BADF),
        }
    }

    /// A directory descriptor (for `path_*` calls), else `BADF`.
    pub fn dir(&self, fd: i32) -> P1Result<Dir> {
        match self.get(fd)? {
            Desc::Dir(d) => Ok(d.dir.clone()),
            _ => err(BADF),
        }
    }

    /// A regular file's descriptor, else `BADF`.
    pub fn file(&mut self, fd: i32) -> P1Result<&mut OpenFile> {
        match self.get_mut(fd)? {
            Desc::File(f) => Ok(f),
            _ => err(BADF),
        }
    }

    /// Takes the highest closed number, else the one after the highest in
    /// use, as stock Wasmtime does.
    pub fn push(&mut self, desc: Desc) -> P1Result<i32> {
        let fd = match self.free.pop_last() {
            Some(fd) => fd,
            None => match self.used.last_key_value() {
                Some((&last, _)) if last >= i32::MAX as u32 => return err(super::errno::NOMEM),
                Some((&last, _)) => last + 1,
                None => 0,
            },
        };
        self.used.insert(fd, desc);
        Ok(fd as i32)
    }

    pub fn remove(&mut self, fd: i32) -> P1Result<Desc> {
        match self.used.remove(&(fd as u32)) {
            Some(d) => {
                self.free.insert(fd as u32);
                Ok(d)
            }
            None => err(BADF),
        }
    }

    pub fn insert(&mut self, fd: i32, desc: Desc) {
        self.free.remove(&(fd as u32));
        self.used.insert(fd as u32, desc);
    }
}
