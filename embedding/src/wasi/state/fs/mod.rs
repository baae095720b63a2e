//! The in-memory file tree that the host hands in and reads back: files,
//! directories, symbolic links and hard links, with timestamps, behaving as
//! wasmtime-wasi's view of a POSIX file system does. Both faces call the
//! operations in `ops`, so preview 1 and WASI 0.2 give the same answers.

pub mod ops;
mod path;
mod tree;

pub use tree::{Dir, File, Kind, Node};

/// Why a file-system operation failed; each face maps it to its own error
/// codes (preview 1 `errno`, wasi:filesystem `error-code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsError {
    Busy,
    Exist,
    FileTooLarge,
    Invalid,
    IsDirectory,
    Loop,
    NoEntry,
    NoMemory,
    NotDirectory,
    NotEmpty,
    NotPermitted,
}

pub type FsResult<T> = Result<T, FsError>;

/// What a file-system node looks like from outside (`filestat`, `stat`).
#[derive(Clone, Copy)]
pub struct Stat {
    pub kind: Kind,
    pub ino: u64,
    pub nlink: u64,
    pub size: u64,
    /// Nanoseconds since the Unix epoch, from the platform's wall clock.
    pub atime: u64,
    pub mtime: u64,
    pub ctime: u64,
}

/// How a `set_times` call changes one timestamp.
#[derive(Clone, Copy)]
pub enum NewTime {
    Keep,
    Now,
    At(u64),
}
