//! Directory trees handed to a program (`--dir HOST::GUEST`) and written
//! back after it ran.

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A file, directory or symbolic link below a preopen: `data` is a file's
/// contents (`None` for a directory or a link), `link` a link's target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub data: Option<Vec<u8>>,
    pub link: Option<String>,
    /// The embedding's inode number (0 when read from the host): entries
    /// with the same one are hard links to one file.
    pub ino: u64,
    /// Access and modification times, in ns since the epoch, as the
    /// embedding reports them (`None` when read from the host).
    pub times: Option<(u64, u64)>,
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
    /// files, directories and symbolic links, hard links (names of one
    /// file), removals, and the timestamps of what changed.
    pub fn write_back(&self, before: &Tree, after: &Tree) -> Result<Vec<String>> {
        let shape = |e: &Entry| (e.data.clone(), e.link.clone());
        let old: BTreeMap<&str, (Option<Vec<u8>>, Option<String>)> = before
            .entries
            .iter()
            .map(|e| (e.path.as_str(), shape(e)))
            .collect();
        let mut changed = Vec::new();
        let new_paths: BTreeMap<&str, &Entry> =
            after.entries.iter().map(|e| (e.path.as_str(), e)).collect();
        // Removals first, deepest first, so directories are empty when
        // their turn comes.
        for (path, (data, link)) in old.iter().rev() {
            if !new_paths.contains_key(path) {
                let host = self.host.join(path);
                match (data, link) {
                    (None, None) => std::fs::remove_dir(&host),
                    _ => std::fs::remove_file(&host),
                }
                .with_context(|| format!("cannot remove {}", host.display()))?;
                changed.push(format!("removed {path}"));
            }
        }
        // The first name written of each file with several links.
        let mut written: BTreeMap<u64, PathBuf> = BTreeMap::new();
        for entry in &after.entries {
            let path = entry.path.as_str();
            let host = self.host.join(path);
            let first_name = match (&entry.data, entry.ino) {
                (Some(_), ino) if ino != 0 => written.get(&ino).cloned(),
                _ => None,
            };
            if old.get(path) == Some(&shape(entry)) && first_name.is_none() {
                continue;
            }
            if old.contains_key(path) && !matches!(old.get(path), Some((None, None))) {
                // Replaced (a file by a link, one link target by another).
                std::fs::remove_file(&host).ok();
            }
            match (&entry.data, &entry.link, first_name) {
                (_, Some(target), _) => std::os::unix::fs::symlink(target, &host),
                (Some(_), None, Some(first)) => std::fs::hard_link(first, &host),
                (Some(bytes), None, None) => std::fs::write(&host, bytes),
                (None, None, _) => std::fs::create_dir_all(&host),
            }
            .with_context(|| format!("cannot write {}", host.display()))?;
            if entry.data.is_some() && entry.ino != 0 {
                written.entry(entry.ino).or_insert_with(|| host.clone());
            }
            changed.push(format!("wrote {path}"));
        }
        // Timestamps last: writing a directory's entries changes its own.
        for entry in after.entries.iter().rev() {
            let (Some((atime, mtime)), None) = (entry.times, &entry.link) else {
                continue;
            };
            if entry.times.is_some() && old.get(entry.path.as_str()) == Some(&shape(entry)) {
                // Unchanged contents keep the host's own times, unless the
                // program set them (which the embedding cannot tell apart
                // from a write); so only changed entries are touched.
                continue;
            }
            let at = |ns: u64| std::time::UNIX_EPOCH + std::time::Duration::from_nanos(ns);
            let times = std::fs::FileTimes::new()
                .set_accessed(at(atime))
                .set_modified(at(mtime));
            let host = self.host.join(&entry.path);
            std::fs::File::open(&host)
                .and_then(|f| f.set_times(times))
                .with_context(|| format!("cannot set the times of {}", host.display()))?;
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
        let meta = std::fs::symlink_metadata(&host)
            .with_context(|| format!("cannot stat {}", host.display()))?;
        let entry = |data, link| Entry {
            path: path.clone(),
            data,
            link,
            ino: 0,
            times: None,
        };
        if meta.is_symlink() {
            let target = std::fs::read_link(&host)
                .with_context(|| format!("cannot read the link {}", host.display()))?;
            let target = target.into_os_string().into_string().map_err(|t| {
                anyhow::anyhow!("{}: link target {t:?} is not UTF-8", host.display())
            })?;
            out.push(entry(None, Some(target)));
        } else if meta.is_dir() {
            out.push(entry(None, None));
            read_dir(&host, &path, out)?;
        } else if meta.is_file() {
            let data =
                std::fs::read(&host).with_context(|| format!("cannot read {}", host.display()))?;
            out.push(entry(Some(data), None));
        }
        // Anything else (sockets, devices) has no in-memory equivalent and
        // is left out.
    }
    Ok(())
}
