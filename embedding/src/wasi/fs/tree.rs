//! The in-memory file tree: directories of named nodes, files as byte
//! vectors. Nodes are shared (`Arc`) so that descriptors and streams keep
//! working on a node after it is unlinked, as on a POSIX filesystem.

use super::super::bindings::wasi::filesystem::types::ErrorCode;
use super::super::lock::Lock;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

#[derive(Clone)]
pub struct File(pub Arc<Lock<Vec<u8>>>);

#[derive(Clone)]
pub struct Dir(pub Arc<Lock<BTreeMap<String, Node>>>);

#[derive(Clone)]
pub enum Node {
    File(File),
    Dir(Dir),
}

impl File {
    pub fn new(data: Vec<u8>) -> File {
        File(Arc::new(Lock::new(data)))
    }
}

impl Dir {
    pub fn new() -> Dir {
        Dir(Arc::new(Lock::new(BTreeMap::new())))
    }

    pub fn get(&self, name: &str) -> Option<Node> {
        self.0.lock().get(name).cloned()
    }

    /// The entries, sorted by name.
    pub fn entries(&self) -> Vec<(String, Node)> {
        self.0
            .lock()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Walks `path` from this directory down to the directory that holds
    /// its last component, and returns that directory and the component.
    /// `..` may not climb above this directory, and absolute paths are
    /// refused: a descriptor grants its subtree and nothing else.
    pub fn parent_of<'p>(&self, path: &'p str) -> Result<(Dir, &'p str), ErrorCode> {
        if path.starts_with('/') {
            return Err(ErrorCode::NotPermitted);
        }
        let parts: Vec<&str> = path
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect();
        let mut stack: Vec<Dir> = alloc::vec![self.clone()];
        let Some((last, dirs)) = parts.split_last() else {
            return Ok((self.clone(), "."));
        };
        for part in dirs {
            step(&mut stack, part)?;
        }
        if *last == ".." {
            step(&mut stack, last)?;
            return Ok((stack.pop().expect("non-empty"), "."));
        }
        Ok((stack.pop().expect("non-empty"), last))
    }

    /// The node `path` names below this directory.
    pub fn lookup(&self, path: &str) -> Result<Node, ErrorCode> {
        let (dir, name) = self.parent_of(path)?;
        if name == "." {
            return Ok(Node::Dir(dir));
        }
        dir.get(name).ok_or(ErrorCode::NoEntry)
    }

    /// Creates the directories on `path` that do not exist yet, and returns
    /// the last one. Used when the host hands in the tree.
    pub fn make_dirs(&self, path: &str) -> Result<Dir, ErrorCode> {
        let mut dir = self.clone();
        for part in path.split('/').filter(|p| !p.is_empty()) {
            if part == "." || part == ".." {
                return Err(ErrorCode::Invalid);
            }
            let next = {
                let mut entries = dir.0.lock();
                match entries
                    .entry(String::from(part))
                    .or_insert_with(|| Node::Dir(Dir::new()))
                {
                    Node::Dir(d) => d.clone(),
                    Node::File(_) => return Err(ErrorCode::NotDirectory),
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
}

fn step(stack: &mut Vec<Dir>, part: &str) -> Result<(), ErrorCode> {
    if part == ".." {
        if stack.len() == 1 {
            return Err(ErrorCode::NotPermitted);
        }
        stack.pop();
        return Ok(());
    }
    let here = stack.last().expect("non-empty");
    match here.get(part) {
        Some(Node::Dir(d)) => {
            stack.push(d);
            Ok(())
        }
        Some(Node::File(_)) => Err(ErrorCode::NotDirectory),
        None => Err(ErrorCode::NoEntry),
    }
}

impl Node {
    /// A stable identity for `metadata-hash` and `is-same-object`: the
    /// node's address, which lives as long as anything refers to it.
    pub fn id(&self) -> usize {
        match self {
            Node::File(f) => Arc::as_ptr(&f.0) as *const u8 as usize,
            Node::Dir(d) => Arc::as_ptr(&d.0) as *const u8 as usize,
        }
    }
}
