//! The epoch bumped from a signal handler, as a platform's timer interrupt
//! would: `SIGUSR1`, sent to the thread running the guest, runs
//! `engine_increment_epoch` on that thread, between two of the guest's
//! instructions.

use crate::embedding::Engine;
use anyhow::{Result, bail};
use embedding_abi::{EmbApi, EmbEngine};
use std::sync::atomic::{AtomicPtr, Ordering};

/// The engine the handler bumps, and the ABI table to reach it through.
static ENGINE: AtomicPtr<EmbEngine> = AtomicPtr::new(std::ptr::null_mut());
static API: AtomicPtr<EmbApi> = AtomicPtr::new(std::ptr::null_mut());

extern "C" fn on_signal(_signo: libc::c_int) {
    // Async-signal-safe: two atomic loads and the ABI's one atomic add.
    let engine = ENGINE.load(Ordering::Acquire);
    let api = API.load(Ordering::Acquire);
    if !engine.is_null() && !api.is_null() {
        // SAFETY: both were published by `install` from live objects and
        // are cleared by `uninstall` before they go away.
        unsafe { ((*api).engine_increment_epoch)(engine) };
    }
}

/// Makes `SIGUSR1` bump `engine`'s epoch.
pub fn install(engine: &Engine<'_>) -> Result<()> {
    let (raw, api) = engine.raw();
    API.store((api as *const EmbApi).cast_mut(), Ordering::Release);
    ENGINE.store(raw, Ordering::Release);
    // SAFETY: a zeroed sigaction is valid; the handler is async-signal-safe.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        if libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()) != 0 {
            bail!("sigaction(SIGUSR1): {}", std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Stops the handler from reaching the engine (before it is freed).
pub fn uninstall() {
    ENGINE.store(std::ptr::null_mut(), Ordering::Release);
}

pub fn current_thread() -> libc::pthread_t {
    // SAFETY: no preconditions.
    unsafe { libc::pthread_self() }
}

/// Delivers `SIGUSR1` to `thread`, which must still be running.
pub fn interrupt(thread: libc::pthread_t) {
    // SAFETY: the caller's thread is alive (it is inside a call).
    unsafe { libc::pthread_kill(thread, libc::SIGUSR1) };
}
