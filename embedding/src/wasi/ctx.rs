//! The WASI context of one program: what its imports read and share.

use super::executor::Timers;
use super::fs::Dir;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use wasmtime::component::ResourceTable;
use wasmtime_wasi_io::IoView;

pub struct Ctx {
    /// Streams, pollables, descriptors: every resource the guest holds.
    pub table: ResourceTable,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Guest path and root of each preopened directory.
    pub preopens: Vec<(String, Dir)>,
    /// Deadlines this program waits for; the executor sleeps until the
    /// earliest of all programs' when nothing else can run.
    pub timers: Arc<Timers>,
}

impl IoView for Ctx {
    fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }
}

/// How a guest asked to stop: `wasi:cli/exit`, carried out of the call as an
/// error so that no more of its code runs.
#[derive(Debug)]
pub struct Exit(pub i32);

impl core::fmt::Display for Exit {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "exit with code {}", self.0)
    }
}

impl core::error::Error for Exit {}
