//! wasi:filesystem over the shared in-memory tree (`state::fs`). Writes
//! stay in the embedding's heap; the host reads the tree back after the run
//! (`program_files`).

mod streams;
mod types;

use super::bindings::wasi::filesystem::types::{DescriptorFlags, ErrorCode};
use crate::wasi::state::fs::{FsError as TreeError, Node};
use alloc::string::String;
use alloc::vec::Vec;

/// An open file or directory.
pub struct Descriptor {
    pub node: Node,
    pub flags: DescriptorFlags,
}

/// What `read-directory` returns: a snapshot of the entries, taken when it
/// was called, handed out one at a time.
pub struct DirEntries {
    entries: Vec<(String, Node)>,
    next: usize,
}

/// The error of a filesystem call: an `error-code` for the guest, or a trap.
pub enum FsError {
    Code(ErrorCode),
    Trap(wasmtime::Error),
}

impl From<ErrorCode> for FsError {
    fn from(code: ErrorCode) -> FsError {
        FsError::Code(code)
    }
}

impl From<TreeError> for FsError {
    fn from(e: TreeError) -> FsError {
        FsError::Code(match e {
            TreeError::Busy => ErrorCode::Busy,
            TreeError::Exist => ErrorCode::Exist,
            TreeError::FileTooLarge => ErrorCode::FileTooLarge,
            TreeError::Invalid => ErrorCode::Invalid,
            TreeError::IsDirectory => ErrorCode::IsDirectory,
            TreeError::Loop => ErrorCode::Loop,
            TreeError::NoEntry => ErrorCode::NoEntry,
            TreeError::NoMemory => ErrorCode::InsufficientMemory,
            TreeError::NotDirectory => ErrorCode::NotDirectory,
            TreeError::NotEmpty => ErrorCode::NotEmpty,
            TreeError::NotPermitted => ErrorCode::NotPermitted,
        })
    }
}

impl From<wasmtime::Error> for FsError {
    fn from(error: wasmtime::Error) -> FsError {
        FsError::Trap(error)
    }
}

impl From<wasmtime::component::ResourceTableError> for FsError {
    fn from(error: wasmtime::component::ResourceTableError) -> FsError {
        FsError::Trap(error.into())
    }
}

pub type FsResult<T> = Result<T, FsError>;
