//! wasi:filesystem over an in-memory tree that the host hands in. Writes
//! stay in the embedding's heap; the host reads the tree back after the run
//! (`program_files`).

mod streams;
mod tree;
mod types;

pub use tree::{Dir, File, Node};

use super::bindings::wasi::filesystem::types::{DescriptorFlags, ErrorCode};
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
