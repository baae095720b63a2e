//! WASI preview 1 (`wasi_snapshot_preview1`) implemented by the embedding
//! itself: core-module host functions over the shared WASI state
//! (`super::state`), the face for programs that are core modules.

mod clock;
mod ctx;
mod errno;
mod fd;
mod fds;
mod linker;
mod memory;
mod misc;
mod path;
mod poll;
pub mod program;
mod rights;
