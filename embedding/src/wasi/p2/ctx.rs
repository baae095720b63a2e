//! The WASI context of one program: what its imports read and share.

use super::executor::Timers;
use crate::wasi::state::State;
use alloc::sync::Arc;
use wasmtime::component::ResourceTable;
use wasmtime_wasi_io::IoView;

pub struct Ctx {
    /// Streams, pollables, descriptors: every resource the guest holds.
    pub table: ResourceTable,
    /// Arguments, environment, files: shared with preview 1's face.
    pub state: State,
    /// Deadlines this program waits for; the executor sleeps until the
    /// earliest of all programs' when nothing else can run.
    pub timers: Arc<Timers>,
}

impl IoView for Ctx {
    fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }
}
