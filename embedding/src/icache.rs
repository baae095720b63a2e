//! Publishing native code: `no_std` Wasmtime changes the code's page
//! protections only through a [`CustomCodeMemory`] and does no
//! instruction-cache maintenance, but neither RISC-V nor AArch64 keeps
//! instruction fetch coherent with stores. After the loader has written a
//! module's code, each architecture's own sequence below makes it visible to
//! instruction fetch before Wasmtime runs it. x86_64 keeps its caches
//! coherent and needs none of this. See docs/PORTING.md, "Instruction cache".

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

/// Code memory whose publication makes the written code visible to
/// instruction fetch, then executable.
struct FetchCoherentCodeMemory;

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

impl CustomCodeMemory for FetchCoherentCodeMemory {
    fn required_alignment(&self) -> usize {
        // SAFETY: a platform hook without preconditions.
        unsafe { wasmtime_page_size() }
    }

    fn publish_executable(&self, ptr: *const u8, len: usize) -> Result<()> {
        // Read-execute first: the cache maintenance needs the range readable
        // (AArch64 checks `DC CVAU` and `IC IVAU` as reads), and the final
        // context synchronization then also covers the new permissions.
        protect(ptr, len, PROT_READ | PROT_EXEC)?;
        // SAFETY: the range is Wasmtime's code, mapped and readable.
        unsafe { make_fetch_coherent(ptr, len) };
        Ok(())
    }

    fn unpublish_executable(&self, ptr: *const u8, len: usize) -> Result<()> {
        protect(ptr, len, PROT_READ | PROT_WRITE)
    }
}

/// RISC-V: `fence.i` (Zifencei, part of rv64gc) orders the stores that wrote
/// the code before every later instruction fetch on this hart.
///
/// It orders only the hart that runs it. This is enough for the single-hart
/// kernel of ports/qemu-virt; an SMP kernel must also make every other hart
/// that may run the code execute `fence.i` before it does, e.g. with the SBI
/// call `sbi_remote_fence_i` (RFENCE extension), or by having each hart run
/// `fence.i` when it next picks up WebAssembly work.
#[cfg(target_arch = "riscv64")]
unsafe fn make_fetch_coherent(_ptr: *const u8, _len: usize) {
    // SAFETY: `fence.i` has no operands and no effect besides ordering.
    unsafe { core::arch::asm!("fence.i", options(nostack, preserves_flags)) };
}

/// AArch64 (ARM ARM, "Concurrent modification and execution of
/// instructions"): clean each data-cache line of the code to the point of
/// unification (`DC CVAU`), wait (`DSB ISH`), invalidate each
/// instruction-cache line (`IC IVAU`), wait (`DSB ISH`), then discard
/// anything this core already fetched (`ISB`).
///
/// The line sizes come from `CTR_EL0`, never a constant: cores differ, and
/// big.LITTLE systems can mix line sizes. Linux then traps user reads of
/// `CTR_EL0` and answers with the smallest line of any core; a kernel
/// running this at EL1 on such a system must make sure the loading core's
/// lines are no larger than any other's. The IDC bit says the data-cache
/// clean is not needed for coherence, DIC that the instruction-cache
/// invalidation is not; the barriers stay either way.
///
/// The same instructions run at EL1 (a kernel) and EL0 (Linux user space:
/// Linux sets SCTLR_EL1.UCT and UCI, so user code may read `CTR_EL0` and
/// maintain caches by address; on cores with cache errata it traps these
/// and emulates them). The invalidation is broadcast to the Inner
/// Shareable domain, so other cores need only their own `ISB`, which taking
/// an exception or returning from one already implies.
#[cfg(target_arch = "aarch64")]
unsafe fn make_fetch_coherent(ptr: *const u8, len: usize) {
    use core::arch::asm;

    const CTR_IDC: u64 = 1 << 28;
    const CTR_DIC: u64 = 1 << 29;
    let ctr: u64;
    // SAFETY: reading CTR_EL0 has no side effect; EL0 access is enabled by
    // SCTLR_EL1.UCT on Linux, and EL1 may always read it.
    unsafe { asm!("mrs {}, ctr_el0", out(reg) ctr, options(nomem, nostack, preserves_flags)) };
    // IminLine (bits 3:0) and DminLine (bits 19:16): log2 of the line size
    // in 4-byte words.
    let i_line = 4usize << (ctr & 0xf);
    let d_line = 4usize << ((ctr >> 16) & 0xf);
    let start = ptr as usize;
    let end = start + len;

    if ctr & CTR_IDC == 0 {
        let mut line = start & !(d_line - 1);
        while line < end {
            // SAFETY: `line` lies in (or starts the line of) the readable
            // code range; cleaning a line changes no memory contents.
            unsafe { asm!("dc cvau, {}", in(reg) line, options(nostack, preserves_flags)) };
            line += d_line;
        }
    }
    // Completes the cleans (or, with IDC, the stores that wrote the code).
    // SAFETY: a barrier.
    unsafe { asm!("dsb ish", options(nostack, preserves_flags)) };

    if ctr & CTR_DIC == 0 {
        let mut line = start & !(i_line - 1);
        while line < end {
            // SAFETY: as for `dc cvau`; invalidating an instruction-cache
            // line only forces a refetch.
            unsafe { asm!("ic ivau, {}", in(reg) line, options(nostack, preserves_flags)) };
            line += i_line;
        }
        // SAFETY: a barrier.
        unsafe { asm!("dsb ish", options(nostack, preserves_flags)) };
    }
    // SAFETY: a context synchronization barrier.
    unsafe { asm!("isb", options(nostack, preserves_flags)) };
}

/// Makes the engine publish code through the hooks above.
pub fn install(config: &mut Config) {
    config.with_custom_code_memory(Some(Arc::new(FetchCoherentCodeMemory)));
}
