//! Nodes of the tree. Nodes are shared (`Arc`), so that descriptors keep
//! working on a node after it is unlinked, and so that a hard link is the
//! same node under two names, as on a POSIX file system.

use super::super::clock;
use super::super::lock::Lock;
use super::{NewTime, Stat};
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};

/// Inode numbers: unique for as long as the embedding runs, so that `ino`
/// tells nodes apart across programs too.
static NEXT_INO: AtomicU64 = AtomicU64::new(1);

/// What every node has: its identity and timestamps (ns since the epoch).
pub struct Meta {
    pub ino: u64,
    pub atime: u64,
    pub mtime: u64,
    pub ctime: u64,
    /// How many directory entries name the node (hard links).
    pub links: u64,
}

impl Meta {
    fn new() -> Meta {
        let now = clock::wall_ns();
        Meta {
            ino: NEXT_INO.fetch_add(1, Ordering::Relaxed),
            atime: now,
            mtime: now,
            ctime: now,
            links: 0,
        }
    }

    /// The contents changed.
    pub fn modified(&mut self) {
        let now = clock::wall_ns();
        self.mtime = now;
        self.ctime = now;
    }
}

pub struct FileBody {
    pub data: Vec<u8>,
    pub meta: Meta,
}

pub struct DirBody {
    pub entries: BTreeMap<String, Node>,
    pub meta: Meta,
}

pub struct LinkBody {
    pub target: String,
    pub meta: Meta,
}

#[derive(Clone)]
pub struct File(pub Arc<Lock<FileBody>>);

#[derive(Clone)]
pub struct Dir(pub Arc<Lock<DirBody>>);

#[derive(Clone)]
pub struct Symlink(pub Arc<Lock<LinkBody>>);

#[derive(Clone)]
pub enum Node {
    File(File),
    Dir(Dir),
    Symlink(Symlink),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink,
}

impl File {
    pub fn new(data: Vec<u8>) -> File {
        File(Arc::new(Lock::new(FileBody {
            data,
            meta: Meta::new(),
        })))
    }
}

impl Dir {
    pub fn new() -> Dir {
        Dir(Arc::new(Lock::new(DirBody {
            entries: BTreeMap::new(),
            meta: Meta::new(),
        })))
    }

    pub fn get(&self, name: &str) -> Option<Node> {
        self.0.lock().entries.get(name).cloned()
    }

    pub fn is_empty(&self) -> bool {
        self.0.lock().entries.is_empty()
    }

    /// The entries, sorted by name.
    pub fn entries(&self) -> Vec<(String, Node)> {
        let body = self.0.lock();
        body.entries
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Adds (or replaces) the entry `name`; the node gains a link.
    pub fn insert(&self, name: &str, node: Node) {
        node.with_meta(|m| {
            m.links += 1;
            m.ctime = clock::wall_ns();
        });
        let old = {
            let mut body = self.0.lock();
            body.meta.modified();
            body.entries.insert(String::from(name), node)
        };
        if let Some(old) = old {
            old.with_meta(|m| m.links = m.links.saturating_sub(1));
        }
    }

    /// Removes the entry `name`; the node loses a link.
    pub fn remove(&self, name: &str) -> Option<Node> {
        let node = {
            let mut body = self.0.lock();
            body.meta.modified();
            body.entries.remove(name)
        };
        if let Some(node) = &node {
            node.with_meta(|m| {
                m.links = m.links.saturating_sub(1);
                m.ctime = clock::wall_ns();
            });
        }
        node
    }

    /// Creates the directories on `path` that do not exist yet, and returns
    /// the last one. Used when the host hands in the tree.
    pub fn make_dirs(&self, path: &str) -> Result<Dir, ()> {
        let mut dir = self.clone();
        for part in path.split('/').filter(|p| !p.is_empty()) {
            if part == "." || part == ".." {
                return Err(());
            }
            let next = match dir.get(part) {
                Some(Node::Dir(d)) => d,
                Some(_) => return Err(()),
                None => {
                    let d = Dir::new();
                    dir.insert(part, Node::Dir(d.clone()));
                    d
                }
            };
            dir = next;
        }
        Ok(dir)
    }

    /// Visits every node below this directory, parents first, names in byte
    /// order, with paths relative to it.
    pub fn walk(&self, prefix: &str, visit: &mut dyn FnMut(&str, &Node)) {
        for (name, node) in self.entries() {
            let path = if prefix.is_empty() {
                name
            } else {
                alloc::format!("{prefix}/{name}")
            };
            visit(&path, &node);
            if let Node::Dir(d) = &node {
                d.walk(&path, visit);
            }
        }
    }

    /// Whether `other` is this directory or lies below it.
    pub fn contains(&self, other: &Dir) -> bool {
        if Arc::ptr_eq(&self.0, &other.0) {
            return true;
        }
        self.entries().iter().any(|(_, node)| match node {
            Node::Dir(d) => d.contains(other),
            _ => false,
        })
    }
}

impl Node {
    pub fn symlink(target: String) -> Node {
        Node::Symlink(Symlink(Arc::new(Lock::new(LinkBody {
            target,
            meta: Meta::new(),
        }))))
    }

    pub fn kind(&self) -> Kind {
        match self {
            Node::File(_) => Kind::File,
            Node::Dir(_) => Kind::Dir,
            Node::Symlink(_) => Kind::Symlink,
        }
    }

    pub fn with_meta<R>(&self, f: impl FnOnce(&mut Meta) -> R) -> R {
        match self {
            Node::File(x) => f(&mut x.0.lock().meta),
            Node::Dir(x) => f(&mut x.0.lock().meta),
            Node::Symlink(x) => f(&mut x.0.lock().meta),
        }
    }

    pub fn ino(&self) -> u64 {
        self.with_meta(|m| m.ino)
    }

    pub fn same(&self, other: &Node) -> bool {
        self.ino() == other.ino()
    }

    pub fn stat(&self) -> Stat {
        let size = match self {
            Node::File(f) => f.0.lock().data.len() as u64,
            Node::Dir(_) => 0,
            Node::Symlink(l) => l.0.lock().target.len() as u64,
        };
        let kind = self.kind();
        self.with_meta(|m| Stat {
            kind,
            ino: m.ino,
            // A directory is named by its parent and by its own `.`.
            nlink: if kind == Kind::Dir {
                m.links.max(1) + 1
            } else {
                m.links
            },
            size,
            atime: m.atime,
            mtime: m.mtime,
            ctime: m.ctime,
        })
    }

    pub fn set_times(&self, atime: NewTime, mtime: NewTime) {
        let now = clock::wall_ns();
        let pick = |t: NewTime, old: u64| match t {
            NewTime::Keep => old,
            NewTime::Now => now,
            NewTime::At(t) => t,
        };
        self.with_meta(|m| {
            m.atime = pick(atime, m.atime);
            m.mtime = pick(mtime, m.mtime);
            m.ctime = now;
        });
    }
}
