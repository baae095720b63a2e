//! WASI 0.2 (`wasi:cli/command` components) over the shared WASI state:
//! the face for programs that are components, on the embedding's async
//! executor.

mod bindings;
mod cli;
mod clocks;
pub mod component;
mod console;
mod ctx;
mod executor;
mod fs;
mod random;
