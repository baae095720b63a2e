//! Path resolution below a directory descriptor, as wasmtime-wasi does it
//! on a real file system (cap-std): relative paths only, `..` never above
//! the descriptor's directory, symbolic links followed inside it (an
//! absolute target is refused like an absolute path), at most
//! [`MAX_LINKS`] of them per lookup, and a trailing slash meaning the last
//! component must be a directory.

use super::tree::{Dir, Node};
use super::{FsError, FsResult};
use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

/// Linux's limit on symbolic links followed in one lookup (`ELOOP` after).
const MAX_LINKS: u32 = 40;

/// Where a path leads: the directory holding its last component, that
/// component, and the node, if one exists there.
pub struct Found {
    pub parent: Dir,
    /// `.` when the path names `parent` itself (`.`, `a/..`, `dir/`).
    pub name: String,
    pub node: Option<Node>,
    /// The path ended with a slash: only a directory will do.
    pub must_be_dir: bool,
}

impl Found {
    /// The node, or `NoEntry`; a non-directory named with a trailing slash
    /// is `NotDirectory`.
    pub fn existing(&self) -> FsResult<Node> {
        match &self.node {
            None => Err(FsError::NoEntry),
            Some(Node::Dir(_)) => Ok(self.node.clone().expect("checked")),
            Some(_) if self.must_be_dir => Err(FsError::NotDirectory),
            Some(node) => Ok(node.clone()),
        }
    }

    pub fn is_self(&self) -> bool {
        self.name == "."
    }
}

fn components(path: &str) -> impl DoubleEndedIterator<Item = &str> {
    path.split('/').filter(|c| !c.is_empty())
}

/// Resolves `path` below `base`. `follow` says whether a symbolic link as
/// the last component is followed; links before it always are.
pub fn resolve(base: &Dir, path: &str, follow: bool) -> FsResult<Found> {
    if path.is_empty() {
        return Err(FsError::NoEntry);
    }
    if path.starts_with('/') {
        return Err(FsError::NotPermitted);
    }
    let mut must_be_dir = path.ends_with('/');
    let mut pending: VecDeque<String> = components(path).map(String::from).collect();
    let mut stack: Vec<Dir> = alloc::vec![base.clone()];
    let mut links = 0;
    let here_itself = |stack: &Vec<Dir>| {
        let dir = stack.last().expect("non-empty").clone();
        Found {
            parent: dir.clone(),
            name: String::from("."),
            node: Some(Node::Dir(dir)),
            must_be_dir: true,
        }
    };
    while let Some(part) = pending.pop_front() {
        let last = pending.is_empty();
        match part.as_str() {
            "." => {}
            ".." => {
                if stack.len() == 1 {
                    return Err(FsError::NotPermitted);
                }
                stack.pop();
            }
            name => {
                let here = stack.last().expect("non-empty").clone();
                let node = here.get(name);
                let link = match &node {
                    Some(Node::Symlink(l)) if !last || follow || must_be_dir => {
                        Some(l.0.lock().target.clone())
                    }
                    _ => None,
                };
                if let Some(target) = link {
                    links += 1;
                    if links > MAX_LINKS {
                        return Err(FsError::Loop);
                    }
                    if target.starts_with('/') {
                        return Err(FsError::NotPermitted);
                    }
                    if target.is_empty() {
                        return Err(FsError::NoEntry);
                    }
                    if last && target.ends_with('/') {
                        must_be_dir = true;
                    }
                    for c in components(&target).rev() {
                        pending.push_front(String::from(c));
                    }
                    if pending.is_empty() {
                        // A link to `/`-only components is absolute.
                        return Err(FsError::NotPermitted);
                    }
                    continue;
                }
                if last {
                    return Ok(Found {
                        parent: here,
                        name: String::from(name),
                        node,
                        must_be_dir,
                    });
                }
                match node {
                    Some(Node::Dir(d)) => stack.push(d),
                    Some(_) => return Err(FsError::NotDirectory),
                    None => return Err(FsError::NoEntry),
                }
            }
        }
    }
    Ok(here_itself(&stack))
}
