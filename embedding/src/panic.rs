//! The panic handler: format the message without allocating (the heap may be
//! what ran out), hand it to the host's hook, and stop.

use core::fmt::{self, Write};
use core::panic::PanicInfo;
use core::sync::atomic::{AtomicPtr, Ordering};
use embedding_abi::EmbPanicHook;

static HOOK: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());

pub unsafe extern "C" fn set_panic_hook(hook: Option<EmbPanicHook>) {
    let raw = hook.map_or(core::ptr::null_mut(), |f| f as *mut ());
    HOOK.store(raw, Ordering::SeqCst);
}

/// A fixed buffer that keeps the first 1 KiB of what is written to it.
struct Message {
    buf: [u8; 1024],
    len: usize,
}

impl Write for Message {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = self.buf.len() - self.len;
        let n = s.len().min(room);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    let mut msg = Message {
        buf: [0; 1024],
        len: 0,
    };
    let _ = write!(msg, "{}", info.message());
    if let Some(loc) = info.location() {
        let _ = write!(msg, " at {}:{}", loc.file(), loc.line());
    }
    // Out-of-memory is the panic a porter is most likely to meet; say which
    // knob to turn.
    let _ = write!(
        msg,
        " (embedding heap: {} of {} bytes in use; EMBEDDING_HEAP_MIB or EMBEDDING_HEAP_KIB sets its size)",
        unsafe { crate::heap::heap_used() },
        crate::heap::HEAP_SIZE
    );
    let hook = HOOK.load(Ordering::SeqCst);
    if !hook.is_null() {
        // SAFETY: only `set_panic_hook` stores here, from an `EmbPanicHook`.
        let hook: EmbPanicHook = unsafe { core::mem::transmute(hook) };
        unsafe { hook(msg.buf.as_ptr(), msg.len) };
    }
    // The hook returned or there is none: nothing can continue. An illegal
    // instruction stops this thread at once, where a loop would hang it.
    illegal_instruction()
}

fn illegal_instruction() -> ! {
    // SAFETY: each instruction is the architecture's permanently undefined
    // one; executing it raises an exception and never returns.
    unsafe {
        #[cfg(target_arch = "x86_64")]
        core::arch::asm!("ud2", options(noreturn));
        #[cfg(target_arch = "aarch64")]
        core::arch::asm!("udf #0", options(noreturn));
        #[cfg(any(target_arch = "riscv64", target_arch = "riscv32"))]
        core::arch::asm!("unimp", options(noreturn));
        // Thumb's permanently undefined instruction (a UsageFault, or a
        // HardFault where UsageFaults are not enabled).
        #[cfg(target_arch = "arm")]
        core::arch::asm!("udf #0", options(noreturn));
    }
    // Elsewhere: an architecture this project has not met yet; spinning is
    // worse than trapping, but it is correct.
    #[cfg(not(any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "riscv64",
        target_arch = "riscv32",
        target_arch = "arm"
    )))]
    loop {
        core::hint::spin_loop();
    }
}
