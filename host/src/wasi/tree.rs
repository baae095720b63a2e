//! Directory trees handed to a program (`--dir HOST::GUEST`) and written
//! back after it ran.

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A file or directory below a preopen; `data` is `None` for a directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub data: Option<Vec<u8>>,
}

/// A preopened directory as the guest sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tree {
    pub guest: String,
    pub entries: Vec<Entry>,
}

/// A `--dir HOST::GUEST` argument.
#[derive(Clone, Debug)]
pub struct DirMap {
    pub host: PathBuf,
    pub guest: String,
}

impl DirMap {
    pub fn parse(arg: &str) -> Result<DirMap> {
        let (host, guest) = match arg.split_once("::") {
            Some((h, g)) => (h, g),
            // As `wasmtime run`: a bare path is mapped to itself.
            None => (arg, arg),
        };
        if host.is_empty() || guest.is_empty() {
            bail!("--dir {arg}: expected HOST_DIR::GUEST_DIR");
        }
        let host = PathBuf::from(host);
        if !host.is_dir() {
            bail!(
                "--dir {arg}: {} is not a directory{}",
                host.display(),
                if host.exists() {
                    ""
                } else {
                    " (it does not exist)"
                }
            );
        }
        Ok(DirMap {
            host,
            guest: guest.to_string(),
        })
    }

    /// Reads the host directory, recursively, into a tree.
    pub fn read(&self) -> Result<Tree> {
        let mut entries = Vec::new();
        read_dir(&self.host, "", &mut entries)?;
        Ok(Tree {
            guest: self.guest.clone(),
            entries,
        })
    }

    /// Makes the host directory match `after`, changing only what differs
    /// from `before` (what the program was given): written files, new
    /// files and directories, and removals.
    pub fn write_back(&self, before: &Tree, after: &Tree) -> Result<Vec<String>> {
        let old: BTreeMap<&str, &Option<Vec<u8>>> = before
            .entries
            .iter()
            .map(|e| (e.path.as_str(), &e.data))
            .collect();
        let new: BTreeMap<&str, &Option<Vec<u8>>> = after
            .entries
            .iter()
            .map(|e| (e.path.as_str(), &e.data))
            .collect();
        let mut changed = Vec::new();
        // Removals first, deepest first, so directories are empty when
        // their turn comes.
        for (path, data) in old.iter().rev() {
            if !new.contains_key(path) {
                let host = self.host.join(path);
                match data {
                    Some(_) => std::fs::remove_file(&host),
                    None => std::fs::remove_dir(&host),
                }
                .with_context(|| format!("cannot remove {}", host.display()))?;
                changed.push(format!("removed {path}"));
            }
        }
        for (path, data) in &new {
            if old.get(path) == Some(data) {
                continue;
            }
            let host = self.host.join(path);
            match data {
                Some(bytes) => std::fs::write(&host, bytes),
                None => std::fs::create_dir_all(&host),
            }
            .with_context(|| format!("cannot write {}", host.display()))?;
            changed.push(format!("wrote {path}"));
        }
        Ok(changed)
    }
}

fn read_dir(dir: &Path, prefix: &str, out: &mut Vec<Entry>) -> Result<()> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read directory {}", dir.display()))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot read directory {}", dir.display()))?;
    names.sort();
    for name in names {
        let name = name
            .into_string()
            .map_err(|n| anyhow::anyhow!("{}: file name {n:?} is not UTF-8", dir.display()))?;
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let host = dir.join(&name);
        let meta =
            std::fs::metadata(&host).with_context(|| format!("cannot stat {}", host.display()))?;
        if meta.is_dir() {
            out.push(Entry {
                path: path.clone(),
                data: None,
            });
            read_dir(&host, &path, out)?;
        } else if meta.is_file() {
            let data =
                std::fs::read(&host).with_context(|| format!("cannot read {}", host.display()))?;
            out.push(Entry {
                path,
                data: Some(data),
            });
        }
        // Anything else (sockets, devices) has no in-memory equivalent and
        // is left out.
    }
    Ok(())
}
