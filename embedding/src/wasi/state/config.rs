//! The state of a new program, from the host's `EmbWasiConfig`: both faces
//! take the same configuration.

use super::State;
use super::fs::{Dir, File, Node};
use crate::errors::{self, non_null};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use embedding_abi::{EmbError, EmbFileKind, EmbStr, EmbWasiConfig};

unsafe fn strs(what: &str, ptr: *const EmbStr, n: usize) -> Result<Vec<String>, *mut EmbError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    non_null(what, ptr)?;
    // SAFETY: the caller passes `n` strings.
    let items = unsafe { core::slice::from_raw_parts(ptr, n) };
    items
        .iter()
        .map(|s| unsafe { errors::str_arg(what, s.ptr, s.len) }.map(String::from))
        .collect()
}

/// The preopened directories, with the files the host handed in.
unsafe fn tree(config: &EmbWasiConfig) -> Result<Vec<(String, Dir)>, *mut EmbError> {
    let paths = unsafe { strs("program_new: preopens", config.preopens, config.npreopens)? };
    let preopens: Vec<(String, Dir)> = paths.into_iter().map(|p| (p, Dir::new())).collect();
    if config.nfiles == 0 {
        return Ok(preopens);
    }
    non_null("program_new: files", config.files)?;
    // SAFETY: the caller passes `nfiles` entries.
    let files = unsafe { core::slice::from_raw_parts(config.files, config.nfiles) };
    for entry in files {
        let path =
            unsafe { errors::str_arg("program_new: file path", entry.path.ptr, entry.path.len)? };
        let (_, root) = preopens.get(entry.preopen as usize).ok_or_else(|| {
            errors::message(format!(
                "program_new: file `{path}` names preopen {} of {}",
                entry.preopen,
                preopens.len()
            ))
        })?;
        let bad = |why| errors::message(format!("program_new: file path `{path}`: {why}"));
        let (parent, name) = match path.rsplit_once('/') {
            Some((parent, name)) => (parent, name),
            None => ("", path),
        };
        if name.is_empty() || name == "." || name == ".." || path.starts_with('/') {
            return Err(bad("must be relative, without `.` or `..`"));
        }
        let dir = root
            .make_dirs(parent)
            .map_err(|_| bad("a parent is not a directory"))?;
        let data = || -> Result<Vec<u8>, *mut EmbError> {
            if entry.data_len == 0 {
                return Ok(Vec::new());
            }
            non_null("program_new: file data", entry.data)?;
            // SAFETY: the caller passes `data_len` bytes.
            Ok(unsafe { core::slice::from_raw_parts(entry.data, entry.data_len) }.to_vec())
        };
        let node = match entry.kind {
            EmbFileKind::Directory => Node::Dir(Dir::new()),
            EmbFileKind::RegularFile => Node::File(File::new(data()?)),
            EmbFileKind::Symlink => {
                let target = String::from_utf8(data()?)
                    .map_err(|_| bad("the symbolic link's target is not UTF-8"))?;
                Node::symlink(target)
            }
        };
        if dir.get(name).is_some() {
            return Err(bad("given twice"));
        }
        dir.insert(name, node);
    }
    Ok(preopens)
}

impl State {
    /// Copies everything the program gets out of `config`.
    ///
    /// # Safety
    /// `config`'s pointers must be valid as `EmbWasiConfig` documents.
    pub unsafe fn from_config(config: &EmbWasiConfig) -> Result<State, *mut EmbError> {
        let args = unsafe { strs("program_new: args", config.args, config.nargs)? };
        let env = unsafe { strs("program_new: env", config.env, config.nenv)? }
            .into_iter()
            .map(|var| match var.split_once('=') {
                Some((k, v)) => Ok((String::from(k), String::from(v))),
                None => Err(errors::message(format!(
                    "program_new: environment entry `{var}` is not NAME=VALUE"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let preopens = unsafe { tree(config)? };
        Ok(State {
            args,
            env,
            preopens,
        })
    }
}
