//! What a preview 1 program's store holds, and how a call reaches it and
//! the guest's memory.

use super::errno::{Error, P1Result};
use super::fds::Fds;
use super::memory::Mem;
use crate::wasi::state::State;
use wasmtime::{Caller, Memory};

pub struct P1 {
    pub state: State,
    pub fds: Fds,
    /// The module's exported `memory`, set once it is instantiated.
    pub memory: Option<Memory>,
}

/// Runs one call with the guest's memory and the state, and turns its
/// outcome into what the import returns: 0, an errno, or a trap.
pub fn with(
    caller: &mut Caller<'_, P1>,
    call: impl FnOnce(&mut Mem<'_>, &mut P1) -> P1Result<()>,
) -> wasmtime::Result<i32> {
    let Some(memory) = caller.data().memory else {
        // Only reachable from the start function of a module, which runs
        // before its exports can be looked up.
        wasmtime::bail!("preview 1 was called before the module's `memory` export was available");
    };
    let (bytes, ctx) = memory.data_and_store_mut(caller);
    match call(&mut Mem(bytes), ctx) {
        Ok(()) => Ok(0),
        Err(Error::Errno(e)) => Ok(e.into()),
        Err(Error::Trap(e)) => Err(e),
    }
}
