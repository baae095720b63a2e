//! Publishing native code on riscv64: `no_std` Wasmtime changes the code's
//! page protections through `wasmtime_mprotect` but does no instruction-cache
//! maintenance, and RISC-V does not keep instruction fetch coherent with
//! stores. After the loader has written a module's code, a hart must run
//! `fence.i` before it may execute it (the Zifencei extension, part of
//! rv64gc). See docs/PORTING.md, "Instruction cache".
//!
//! `fence.i` orders only the hart that runs it. This is enough for the
//! single-hart kernel of ports/qemu-virt; an SMP kernel must also make every
//! other hart that may run the code execute `fence.i` before it does, e.g.
//! with the SBI call `sbi_remote_fence_i` (RFENCE extension), or by having
//! each hart run `fence.i` when it next picks up WebAssembly work.

use alloc::sync::Arc;
use wasmtime::{Config, CustomCodeMemory, Result};

// The virtual-memory hooks of platform/wasmtime-platform.h, which the `vm`
// embedding imports anyway (Wasmtime calls them for linear memories).
unsafe extern "C" {
    fn wasmtime_mprotect(ptr: *mut u8, size: usize, prot_flags: u32) -> i32;
    fn wasmtime_page_size() -> usize;
}

const PROT_READ: u32 = 1 << 0;
const PROT_WRITE: u32 = 1 << 1;
const PROT_EXEC: u32 = 1 << 2;

struct Riscv64CodeMemory;

fn protect(ptr: *const u8, len: usize, prot: u32) -> Result<()> {
    // A module without functions has an empty text section at an address
    // that may lie past the end of its mapping: Wasmtime's own code makes a
    // zero-sized protection change a no-op for that reason, and so must
    // this (Linux under qemu-user answers ENOMEM to it).
    if len == 0 {
        return Ok(());
    }
    // SAFETY: Wasmtime passes a page-aligned range of its own code mapping.
    match unsafe { wasmtime_mprotect(ptr.cast_mut(), len, prot) } {
        0 => Ok(()),
        code => Err(wasmtime::format_err!(
            "wasmtime_mprotect of the code at {ptr:p} ({len} bytes) failed: error {code}"
        )),
    }
}

impl CustomCodeMemory for Riscv64CodeMemory {
    fn required_alignment(&self) -> usize {
        // SAFETY: a platform hook without preconditions.
        unsafe { wasmtime_page_size() }
    }

    fn publish_executable(&self, ptr: *const u8, len: usize) -> Result<()> {
        protect(ptr, len, PROT_READ | PROT_EXEC)?;
        // The stores that wrote the code are ordered before any later
        // instruction fetch on this hart.
        // SAFETY: `fence.i` has no operands and no effect besides ordering.
        unsafe { core::arch::asm!("fence.i", options(nostack, preserves_flags)) };
        Ok(())
    }

    fn unpublish_executable(&self, ptr: *const u8, len: usize) -> Result<()> {
        protect(ptr, len, PROT_READ | PROT_WRITE)
    }
}

/// Makes the engine publish code through the hooks above.
pub fn install(config: &mut Config) {
    config.with_custom_code_memory(Some(Arc::new(Riscv64CodeMemory)));
}
