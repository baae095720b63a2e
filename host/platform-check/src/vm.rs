//! The virtual-memory hooks: `wasmtime_mmap_new`, `wasmtime_mmap_remap`,
//! `wasmtime_munmap`, `wasmtime_mprotect`, `wasmtime_page_size`.

use super::hooks::{
    Access, Libs, PROT_EXEC, PROT_NONE, PROT_READ, PROT_RW, PROT_RX, PROT_WRITE, Vm, prot_name,
    signal_name, system_page_size,
};
use super::{Feature, Pass, Rule};
use anyhow::{Result, bail, ensure};

const VM: &[Feature] = &[Feature::VirtualMemory];

pub const RULES: &[Rule] = &[
    Rule {
        id: "page-size-power-of-two",
        hook: "wasmtime_page_size",
        text: "is a power of two",
        needs: VM,
        probe: page_size_power_of_two,
    },
    Rule {
        id: "page-size-real",
        hook: "wasmtime_page_size",
        text: "equals the system's page granularity (sysconf(_SC_PAGESIZE))",
        needs: VM,
        probe: page_size_real,
    },
    Rule {
        id: "mmap-aligned",
        hook: "wasmtime_mmap_new",
        text: "returns page-aligned addresses",
        needs: VM,
        probe: mmap_aligned,
    },
    Rule {
        id: "mmap-zero",
        hook: "wasmtime_mmap_new",
        text: "new memory is zero-filled",
        needs: VM,
        probe: mmap_zero,
    },
    Rule {
        id: "mmap-prot-none",
        hook: "wasmtime_mmap_new",
        text: "PROT_NONE memory faults on read and on write",
        needs: VM,
        probe: |libs| mmap_prot(libs, PROT_NONE),
    },
    Rule {
        id: "mmap-prot-read",
        hook: "wasmtime_mmap_new",
        text: "READ memory reads, faults on write and on execution",
        needs: VM,
        probe: |libs| mmap_prot(libs, PROT_READ),
    },
    Rule {
        id: "mmap-prot-rw",
        hook: "wasmtime_mmap_new",
        text: "READ|WRITE memory reads and writes, faults on execution",
        needs: VM,
        probe: |libs| mmap_prot(libs, PROT_RW),
    },
    Rule {
        id: "mmap-prot-rwx",
        hook: "wasmtime_mmap_new",
        text: "READ|WRITE|EXEC memory runs code written into it",
        needs: VM,
        probe: mmap_exec,
    },
    Rule {
        id: "mmap-impossible",
        hook: "wasmtime_mmap_new",
        text: "returns an error for an impossible size",
        needs: VM,
        probe: mmap_impossible,
    },
    Rule {
        id: "mmap-reservation",
        hook: "wasmtime_mmap_new",
        text: "reserves 4 GiB + 64 MiB of PROT_NONE address space (the full mode's layout)",
        needs: &[Feature::VirtualMemory, Feature::Signals],
        probe: mmap_reservation,
    },
    Rule {
        id: "remap-zero",
        hook: "wasmtime_mmap_remap",
        text: "the range reads as fresh zero pages at the same address",
        needs: VM,
        probe: remap_zero,
    },
    Rule {
        id: "remap-prot",
        hook: "wasmtime_mmap_remap",
        text: "the new protection takes effect",
        needs: VM,
        probe: remap_prot,
    },
    Rule {
        id: "remap-range",
        hook: "wasmtime_mmap_remap",
        text: "pages outside the range keep their contents",
        needs: VM,
        probe: remap_range,
    },
    Rule {
        id: "munmap-faults",
        hook: "wasmtime_munmap",
        text: "access afterwards faults",
        needs: VM,
        probe: munmap_faults,
    },
    Rule {
        id: "munmap-range",
        hook: "wasmtime_munmap",
        text: "unmapping the middle of a region leaves the rest intact",
        needs: VM,
        probe: munmap_range,
    },
    Rule {
        id: "mprotect-none-r",
        hook: "wasmtime_mprotect",
        text: "none -> R takes effect",
        needs: VM,
        probe: |libs| mprotect(libs, PROT_NONE, PROT_READ),
    },
    Rule {
        id: "mprotect-none-rw",
        hook: "wasmtime_mprotect",
        text: "none -> RW takes effect",
        needs: VM,
        probe: |libs| mprotect(libs, PROT_NONE, PROT_RW),
    },
    Rule {
        id: "mprotect-none-rx",
        hook: "wasmtime_mprotect",
        text: "none -> RX takes effect",
        needs: VM,
        probe: |libs| mprotect(libs, PROT_NONE, PROT_RX),
    },
    Rule {
        id: "mprotect-r-none",
        hook: "wasmtime_mprotect",
        text: "R -> none takes effect",
        needs: VM,
        probe: |libs| mprotect(libs, PROT_READ, PROT_NONE),
    },
    Rule {
        id: "mprotect-r-rw",
        hook: "wasmtime_mprotect",
        text: "R -> RW takes effect",
        needs: VM,
        probe: |libs| mprotect(libs, PROT_READ, PROT_RW),
    },
    Rule {
        id: "mprotect-r-rx",
        hook: "wasmtime_mprotect",
        text: "R -> RX takes effect",
        needs: VM,
        probe: |libs| mprotect(libs, PROT_READ, PROT_RX),
    },
    Rule {
        id: "mprotect-rw-none",
        hook: "wasmtime_mprotect",
        text: "RW -> none takes effect",
        needs: VM,
        probe: |libs| mprotect(libs, PROT_RW, PROT_NONE),
    },
    Rule {
        id: "mprotect-rw-r",
        hook: "wasmtime_mprotect",
        text: "RW -> R takes effect",
        needs: VM,
        probe: |libs| mprotect(libs, PROT_RW, PROT_READ),
    },
    Rule {
        id: "mprotect-rw-rx",
        hook: "wasmtime_mprotect",
        text: "RW -> RX takes effect",
        needs: VM,
        probe: |libs| mprotect(libs, PROT_RW, PROT_RX),
    },
    Rule {
        id: "mprotect-rx-none",
        hook: "wasmtime_mprotect",
        text: "RX -> none takes effect",
        needs: VM,
        probe: |libs| mprotect(libs, PROT_RX, PROT_NONE),
    },
    Rule {
        id: "mprotect-rx-r",
        hook: "wasmtime_mprotect",
        text: "RX -> R takes effect",
        needs: VM,
        probe: |libs| mprotect(libs, PROT_RX, PROT_READ),
    },
    Rule {
        id: "mprotect-rx-rw",
        hook: "wasmtime_mprotect",
        text: "RX -> RW takes effect",
        needs: VM,
        probe: |libs| mprotect(libs, PROT_RX, PROT_RW),
    },
];

fn page_size_power_of_two(libs: &Libs) -> Result<Pass> {
    let size = Vm::load(libs)?.page_size()?;
    ensure!(size.is_power_of_two(), "returned {size}");
    Ok(None)
}

fn page_size_real(libs: &Libs) -> Result<Pass> {
    let (size, real) = (Vm::load(libs)?.page_size()?, system_page_size());
    ensure!(
        size == real,
        "returned {size}, the system's pages are {real} bytes"
    );
    Ok(None)
}

fn mmap_aligned(libs: &Libs) -> Result<Pass> {
    let vm = Vm::load(libs)?;
    let page = system_page_size();
    for (pages, prot) in [
        (1, PROT_RW),
        (3, PROT_NONE),
        (17, PROT_READ),
        (1024, PROT_NONE),
    ] {
        let ptr = vm.mmap_new(pages * page, prot)?;
        ensure!(
            (ptr as usize).is_multiple_of(page),
            "a {pages}-page mapping starts at {ptr:p}, not a multiple of {page}"
        );
    }
    Ok(None)
}

fn mmap_zero(libs: &Libs) -> Result<Pass> {
    let vm = Vm::load(libs)?;
    let len = 16 * system_page_size();
    for round in 0..2 {
        let ptr = vm.mmap_new(len, PROT_RW)?;
        // SAFETY: `len` bytes of readable memory, just mapped.
        let bytes = unsafe { std::slice::from_raw_parts_mut(ptr, len) };
        if let Some(at) = bytes.iter().position(|&b| b != 0) {
            bail!("byte {at} of a new mapping is {:#x}", bytes[at]);
        }
        // Dirty it, then give it back: a platform recycling pages without
        // clearing them shows up on the second round.
        bytes.fill(0xa5);
        if round == 0 {
            vm.munmap(ptr, len)?;
        }
    }
    Ok(None)
}

/// Which accesses a protection allows: read, write, execute. (Reads of
/// executable pages are allowed on x86-64 either way, and no rule needs
/// execute-only memory.)
fn allowed(prot: u32) -> [bool; 3] {
    [
        prot & PROT_READ != 0,
        prot & PROT_WRITE != 0,
        prot & PROT_EXEC != 0,
    ]
}

/// Checks that `page` allows exactly what `prot` allows. The code at offset
/// 0, if any, must be `hooks::CODE_RETURN_42`; writes go to the page's second half
/// so they never clobber it. Execution is probed first, writes last.
pub fn check_access(access: &Access, page: *mut u8, prot: u32, what: &str) -> Result<()> {
    let [read, write, exec] = allowed(prot);
    let half = system_page_size() / 2;
    let prot = prot_name(prot);
    match (access.exec(page), exec) {
        (Ok(42), true) | (Err(_), false) => {}
        (Ok(v), true) => bail!("{what} ({prot}): the code returned {v}, not 42"),
        (Ok(_), false) => bail!("{what} ({prot}): code ran, should fault"),
        (Err(sig), true) => bail!(
            "{what} ({prot}): calling code faulted with {}",
            signal_name(sig)
        ),
    }
    match (access.read(page), read) {
        (Ok(_), true) | (Err(_), false) => {}
        (Ok(_), false) => bail!("{what} ({prot}): a read succeeded, should fault"),
        (Err(sig), true) => bail!("{what} ({prot}): a read faulted with {}", signal_name(sig)),
    }
    // SAFETY: inside the page.
    let target = unsafe { page.add(half) };
    match (access.write(target, 0x5a), write) {
        (Ok(()), true) | (Err(_), false) => {}
        (Ok(()), false) => bail!("{what} ({prot}): a write succeeded, should fault"),
        (Err(sig), true) => bail!("{what} ({prot}): a write faulted with {}", signal_name(sig)),
    }
    Ok(())
}

fn mmap_prot(libs: &Libs, prot: u32) -> Result<Pass> {
    let (vm, access) = (Vm::load(libs)?, Access::install(libs)?);
    let ptr = vm.mmap_new(2 * system_page_size(), prot)?;
    check_access(&access, ptr, prot, "new memory")?;
    Ok(None)
}

fn mmap_exec(libs: &Libs) -> Result<Pass> {
    let (vm, access) = (Vm::load(libs)?, Access::install(libs)?);
    let (code, ptr) = vm.mmap_new_raw(system_page_size(), PROT_RW | PROT_EXEC)?;
    if code != 0 {
        // Wasmtime writes code into RW memory and then makes it RX, which the
        // mprotect rules check; refusing RWX (W^X) is the platform's right.
        return Ok(Some(format!(
            "refused with error {code}: fine, Wasmtime never asks for RWX"
        )));
    }
    // SAFETY: a fresh writable page.
    unsafe { access.write_code(ptr) };
    check_access(&access, ptr, PROT_RW | PROT_EXEC, "new memory")?;
    Ok(None)
}

fn mmap_impossible(libs: &Libs) -> Result<Pass> {
    let vm = Vm::load(libs)?;
    let page = system_page_size();
    for size in [1usize << 62, usize::MAX & !(page - 1)] {
        let (code, ptr) = vm.mmap_new_raw(size, PROT_NONE)?;
        ensure!(
            code != 0,
            "a {size:#x}-byte mapping returned 0 (success) at {ptr:p}"
        );
    }
    Ok(None)
}

fn mmap_reservation(libs: &Libs) -> Result<Pass> {
    let vm = Vm::load(libs)?;
    let size = (1usize << 32) + (64 << 20);
    let ptr = vm.mmap_new(size, PROT_NONE)?;
    // Wasmtime makes the start of such a reservation accessible as the
    // memory grows.
    vm.mprotect(ptr, 16 * system_page_size(), PROT_RW)?;
    // SAFETY: just made writable.
    unsafe { ptr.write_volatile(1) };
    vm.munmap(ptr, size)?;
    Ok(None)
}

/// Fills a page with `value`.
fn fill(ptr: *mut u8, value: u8) {
    // SAFETY: callers pass a writable page.
    unsafe { std::ptr::write_bytes(ptr, value, system_page_size()) };
}

/// The first byte of a page that differs from `value`, if any.
fn differs(ptr: *const u8, value: u8) -> Option<(usize, u8)> {
    // SAFETY: callers pass a readable page.
    let page = unsafe { std::slice::from_raw_parts(ptr, system_page_size()) };
    page.iter()
        .position(|&b| b != value)
        .map(|at| (at, page[at]))
}

fn remap_zero(libs: &Libs) -> Result<Pass> {
    let (vm, access) = (Vm::load(libs)?, Access::install(libs)?);
    let page = system_page_size();
    let ptr = vm.mmap_new(4 * page, PROT_RW)?;
    for i in 0..4 {
        // SAFETY: inside the mapping.
        fill(unsafe { ptr.add(i * page) }, 0x77);
    }
    vm.remap(ptr, 4 * page, PROT_RW)?;
    for i in 0..4 {
        // SAFETY: inside the mapping.
        let p = unsafe { ptr.add(i * page) };
        if let Err(sig) = access.read(p) {
            bail!("page {i} faults ({}) after the remap", signal_name(sig));
        }
        if let Some((at, v)) = differs(p, 0) {
            bail!("page {i}: byte {at} is {v:#x} after the remap, should be 0");
        }
    }
    Ok(None)
}

fn remap_prot(libs: &Libs) -> Result<Pass> {
    let (vm, access) = (Vm::load(libs)?, Access::install(libs)?);
    let page = system_page_size();
    let ptr = vm.mmap_new(page, PROT_RW)?;
    fill(ptr, 0x77);
    for prot in [PROT_NONE, PROT_READ, PROT_RW] {
        vm.remap(ptr, page, prot)?;
        check_access(&access, ptr, prot, "after the remap")?;
    }
    Ok(None)
}

fn remap_range(libs: &Libs) -> Result<Pass> {
    let vm = Vm::load(libs)?;
    let page = system_page_size();
    let ptr = vm.mmap_new(3 * page, PROT_RW)?;
    // SAFETY: all three pages are inside the mapping.
    let pages = [0, 1, 2].map(|i| unsafe { ptr.add(i * page) });
    for p in pages {
        fill(p, 0x77);
    }
    vm.remap(pages[1], page, PROT_RW)?;
    // Whether page 1 itself was reset is `remap-zero`'s business.
    for i in [0, 2] {
        if let Some((at, v)) = differs(pages[i], 0x77) {
            bail!("after remapping page 1 of 3, page {i} byte {at} is {v:#x}, expected 0x77");
        }
    }
    Ok(None)
}

fn munmap_faults(libs: &Libs) -> Result<Pass> {
    let (vm, access) = (Vm::load(libs)?, Access::install(libs)?);
    let page = system_page_size();
    let ptr = vm.mmap_new(2 * page, PROT_RW)?;
    fill(ptr, 0x77);
    vm.munmap(ptr, 2 * page)?;
    for i in 0..2 {
        // SAFETY: pointer arithmetic only; the access is probed.
        let p = unsafe { ptr.add(i * page) };
        ensure!(
            access.read(p).is_err(),
            "page {i} is still readable after wasmtime_munmap"
        );
    }
    Ok(None)
}

fn munmap_range(libs: &Libs) -> Result<Pass> {
    let (vm, access) = (Vm::load(libs)?, Access::install(libs)?);
    let page = system_page_size();
    let ptr = vm.mmap_new(3 * page, PROT_RW)?;
    // SAFETY: all three pages are inside the mapping.
    let pages = [0, 1, 2].map(|i| unsafe { ptr.add(i * page) });
    for p in pages {
        fill(p, 0x77);
    }
    vm.munmap(pages[1], page)?;
    ensure!(
        access.read(pages[1]).is_err(),
        "the unmapped middle page is still readable"
    );
    for i in [0, 2] {
        match access.read(pages[i]) {
            Err(sig) => bail!(
                "page {i} faults ({}) after unmapping page 1",
                signal_name(sig)
            ),
            Ok(_) => {
                if let Some((at, v)) = differs(pages[i], 0x77) {
                    bail!("page {i} byte {at} is {v:#x} after unmapping page 1");
                }
            }
        }
    }
    Ok(None)
}

fn mprotect(libs: &Libs, from: u32, to: u32) -> Result<Pass> {
    let (vm, access) = (Vm::load(libs)?, Access::install(libs)?);
    let page = system_page_size();
    let ptr = vm.mmap_new(page, PROT_RW)?;
    // SAFETY: a fresh writable page.
    unsafe { access.write_code(ptr) };
    vm.mprotect(ptr, page, from)?;
    check_access(&access, ptr, from, "before the transition")?;
    vm.mprotect(ptr, page, to)?;
    check_access(&access, ptr, to, "after the transition")?;
    Ok(None)
}
