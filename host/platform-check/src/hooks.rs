//! The platform's hooks and the probe helper's functions, as typed function
//! pointers resolved in a probe child.

use anyhow::{Context, Result};
use libloading::os::unix::{Library, RTLD_LOCAL, RTLD_NOW};
use std::path::Path;

pub const PROT_NONE: u32 = 0;
pub const PROT_READ: u32 = 1;
pub const PROT_WRITE: u32 = 2;
pub const PROT_EXEC: u32 = 4;
pub const PROT_RW: u32 = PROT_READ | PROT_WRITE;
pub const PROT_RX: u32 = PROT_READ | PROT_EXEC;

/// `int f(void) { return 42; }` in this architecture's machine code: proof
/// that a page runs code, not just that it holds bytes.
#[cfg(target_arch = "x86_64")]
pub const CODE_RETURN_42: &[u8] = &[0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3]; // mov eax, 42; ret
#[cfg(target_arch = "aarch64")]
pub const CODE_RETURN_42: &[u8] = &[
    0x40, 0x05, 0x80, 0x52, // mov w0, #42
    0xc0, 0x03, 0x5f, 0xd6, // ret
];
#[cfg(target_arch = "riscv64")]
pub const CODE_RETURN_42: &[u8] = &[
    0x13, 0x05, 0xa0, 0x02, // li a0, 42
    0x67, 0x80, 0x00, 0x00, // ret
];

pub type TrapHandler = extern "C" fn(usize, usize, bool, usize);

/// The two libraries a probe child has loaded. Probes resolve what they use
/// with [`Libs::sym`], so a platform that lacks a hook fails the probes that
/// need it and nothing else.
pub struct Libs {
    platform: Library,
    helper: Library,
}

fn open(path: &Path) -> Result<Library> {
    // SAFETY: loading runs the library's initialisers; the platform is what
    // the user asked to check, the helper is our own.
    unsafe { Library::open(Some(path), RTLD_NOW | RTLD_LOCAL) }
        .with_context(|| format!("cannot load {}", path.display()))
}

impl Libs {
    pub fn open(platform: &Path, helper: &Path) -> Result<Libs> {
        Ok(Libs {
            platform: open(platform)?,
            helper: open(helper)?,
        })
    }

    /// A platform hook. `T` must be the hook's C signature.
    pub fn sym<T: Copy>(&self, name: &str) -> Result<T> {
        lookup(&self.platform, name)
            .map_err(|_| anyhow::anyhow!("the platform does not export `{name}`"))
    }

    /// A function of probes.c. `T` must be its C signature.
    pub fn helper<T: Copy>(&self, name: &str) -> Result<T> {
        lookup(&self.helper, name)
    }
}

fn lookup<T: Copy>(lib: &Library, name: &str) -> Result<T> {
    let name = format!("{name}\0");
    // SAFETY: callers name the C type of the symbol.
    let symbol = unsafe { lib.get::<T>(name.as_bytes()) }?;
    Ok(*symbol)
}

/// The virtual-memory hooks, with the contract's error codes as `Result`s.
/// Each is resolved when first called, so that one missing hook fails only
/// the probes that call it, not every probe of the group.
pub struct Vm {
    mmap_new: Result<unsafe extern "C" fn(usize, u32, *mut *mut u8) -> i32>,
    mmap_remap: Result<unsafe extern "C" fn(*mut u8, usize, u32) -> i32>,
    munmap: Result<unsafe extern "C" fn(*mut u8, usize) -> i32>,
    mprotect: Result<unsafe extern "C" fn(*mut u8, usize, u32) -> i32>,
    page_size: Result<unsafe extern "C" fn() -> usize>,
}

/// A resolved hook, or the error saying it is missing.
fn hook<T: Copy>(resolved: &Result<T>) -> Result<T> {
    resolved
        .as_ref()
        .copied()
        .map_err(|e| anyhow::anyhow!("{e}"))
}

fn status(what: &str, code: i32) -> Result<()> {
    anyhow::ensure!(code == 0, "{what} returned error {code}");
    Ok(())
}

impl Vm {
    pub fn load(libs: &Libs) -> Result<Vm> {
        Ok(Vm {
            mmap_new: libs.sym("wasmtime_mmap_new"),
            mmap_remap: libs.sym("wasmtime_mmap_remap"),
            munmap: libs.sym("wasmtime_munmap"),
            mprotect: libs.sym("wasmtime_mprotect"),
            page_size: libs.sym("wasmtime_page_size"),
        })
    }

    /// The raw status and pointer, for probes that expect an error.
    pub fn mmap_new_raw(&self, size: usize, prot: u32) -> Result<(i32, *mut u8)> {
        let mmap_new = hook(&self.mmap_new)?;
        let mut ptr = std::ptr::null_mut();
        // SAFETY: a valid out-pointer; the hook allocates fresh memory.
        let code = unsafe { mmap_new(size, prot, &mut ptr) };
        Ok((code, ptr))
    }

    pub fn mmap_new(&self, size: usize, prot: u32) -> Result<*mut u8> {
        let (code, ptr) = self.mmap_new_raw(size, prot)?;
        status(
            &format!("wasmtime_mmap_new({size:#x}, {})", prot_name(prot)),
            code,
        )?;
        anyhow::ensure!(
            !ptr.is_null(),
            "wasmtime_mmap_new returned 0 and a NULL pointer"
        );
        Ok(ptr)
    }

    pub fn remap(&self, ptr: *mut u8, size: usize, prot: u32) -> Result<()> {
        // SAFETY: probes only pass ranges they mapped.
        status("wasmtime_mmap_remap", unsafe {
            hook(&self.mmap_remap)?(ptr, size, prot)
        })
    }

    pub fn munmap(&self, ptr: *mut u8, size: usize) -> Result<()> {
        // SAFETY: probes only pass ranges they mapped and no longer use.
        status("wasmtime_munmap", unsafe { hook(&self.munmap)?(ptr, size) })
    }

    pub fn mprotect(&self, ptr: *mut u8, size: usize, prot: u32) -> Result<()> {
        // SAFETY: probes only pass ranges they mapped.
        status(
            &format!("wasmtime_mprotect(.., {})", prot_name(prot)),
            unsafe { hook(&self.mprotect)?(ptr, size, prot) },
        )
    }

    pub fn page_size(&self) -> Result<usize> {
        let page_size = hook(&self.page_size)?;
        // SAFETY: no preconditions.
        Ok(unsafe { page_size() })
    }
}

pub fn prot_name(prot: u32) -> &'static str {
    match prot {
        PROT_NONE => "none",
        PROT_READ => "R",
        PROT_RW => "RW",
        PROT_RX => "RX",
        7 => "RWX",
        _ => "other",
    }
}

/// The real page granularity of this machine, to judge the platform by.
pub fn system_page_size() -> usize {
    // SAFETY: no preconditions.
    unsafe { libc::sysconf(libc::_SC_PAGESIZE) as usize }
}

/// Fault-catching accesses from probes.c: each returns the signal the access
/// raised, or 0 if it completed.
pub struct Access {
    read: unsafe extern "C" fn(*const u8, *mut u8) -> i32,
    write: unsafe extern "C" fn(*mut u8, u8) -> i32,
    exec: unsafe extern "C" fn(*const u8, *mut i32) -> i32,
    sync_icache: unsafe extern "C" fn(*mut u8, usize),
}

impl Access {
    /// Installs the catcher, so faults become return values.
    pub fn install(libs: &Libs) -> Result<Access> {
        let install: unsafe extern "C" fn(i32) -> i32 = libs.helper("probe_install_catcher")?;
        // SAFETY: installs signal handlers in this child process only.
        anyhow::ensure!(unsafe { install(1) } == 0, "cannot install the catcher");
        Ok(Access {
            read: libs.helper("probe_read")?,
            write: libs.helper("probe_write")?,
            exec: libs.helper("probe_exec")?,
            sync_icache: libs.helper("probe_sync_icache")?,
        })
    }

    /// Writes [`CODE_RETURN_42`] at `ptr` and makes it visible to
    /// instruction fetch, as Wasmtime does with code it has written.
    ///
    /// # Safety
    /// `ptr` must be writable for `CODE_RETURN_42.len()` bytes.
    pub unsafe fn write_code(&self, ptr: *mut u8) {
        // SAFETY: the caller's promise.
        unsafe {
            std::ptr::copy_nonoverlapping(CODE_RETURN_42.as_ptr(), ptr, CODE_RETURN_42.len());
            (self.sync_icache)(ptr, CODE_RETURN_42.len());
        }
    }

    /// `Ok(byte)` or `Err(signal)`.
    pub fn read(&self, ptr: *const u8) -> Result<u8, i32> {
        let mut value = 0;
        // SAFETY: a fault is caught and reported, never propagated.
        match unsafe { (self.read)(ptr, &mut value) } {
            0 => Ok(value),
            sig => Err(sig),
        }
    }

    pub fn write(&self, ptr: *mut u8, value: u8) -> Result<(), i32> {
        // SAFETY: as for `read`.
        match unsafe { (self.write)(ptr, value) } {
            0 => Ok(()),
            sig => Err(sig),
        }
    }

    /// Calls `ptr` as `int (void)`: `Ok(result)` or `Err(signal)`.
    pub fn exec(&self, ptr: *const u8) -> Result<i32, i32> {
        let mut result = 0;
        // SAFETY: as for `read`; probes only call [`CODE_RETURN_42`] or pages
        // that must fault before running anything.
        match unsafe { (self.exec)(ptr, &mut result) } {
            0 => Ok(result),
            sig => Err(sig),
        }
    }
}

pub fn signal_name(sig: i32) -> String {
    let name = match sig {
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGBUS => "SIGBUS",
        libc::SIGILL => "SIGILL",
        libc::SIGFPE => "SIGFPE",
        libc::SIGABRT => "SIGABRT",
        libc::SIGKILL => "SIGKILL",
        libc::SIGTRAP => "SIGTRAP",
        libc::SIGPIPE => "SIGPIPE",
        _ => return format!("signal {sig}"),
    };
    format!("{name} ({sig})")
}
