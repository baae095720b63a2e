//! The WASI state of one program, whichever face serves it: arguments and
//! environment, the file tree, and how the program asked to stop. Preview 1
//! (`p1`) and WASI 0.2 (`p2`) are two views of this one state over the same
//! OS services (`crate::os`); nothing here needs the component model or
//! async, so a build with preview 1 alone has it too.

pub mod clock;
pub mod config;
pub mod console;
pub mod fs;
pub mod lock;
pub mod random;

use alloc::string::String;
use alloc::vec::Vec;
use fs::Dir;

pub struct State {
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Guest path and root of each preopened directory.
    pub preopens: Vec<(String, Dir)>,
}

/// How a guest asked to stop (`proc_exit`, `wasi:cli/exit`), carried out of
/// the call as an error so that no more of its code runs.
#[derive(Debug)]
pub struct Exit(pub i32);

impl core::fmt::Display for Exit {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "exit with code {}", self.0)
    }
}

impl core::error::Error for Exit {}
