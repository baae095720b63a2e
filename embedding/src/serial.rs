//! In `minimal` mode, one big lock around the whole ABI.
//!
//! Wasmtime built without `std` and without `custom-sync-primitives` (the
//! `minimal` mode, whose platform offers no locks) has locks that panic on
//! contention instead of waiting. So in `minimal` every ABI function that
//! reaches Wasmtime holds this lock, and concurrent calls from several
//! threads are serialized: the ABI's promise that engines and modules may be
//! shared between threads holds in every mode. It is a spin lock (the
//! platform has no blocking primitive to offer); a porter with a scheduler
//! would yield while waiting. It is released while a host function runs,
//! so a host function may call back into the ABI (Wasmtime holds none of
//! its own locks across a host call). In `vm` and `full` the platform's
//! locks do the work and [`enter`] costs nothing.

#[cfg(not(feature = "vm"))]
mod imp {
    use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    static LOCKED: AtomicBool = AtomicBool::new(false);
    /// Acquisitions that found the lock taken and had to wait. Pointer-wide:
    /// 32-bit microcontrollers have no `AtomicU64`.
    pub static CONTENDED: AtomicUsize = AtomicUsize::new(0);

    pub struct Guard(());

    fn acquire() {
        if LOCKED
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            return;
        }
        CONTENDED.fetch_add(1, Ordering::Relaxed);
        while LOCKED
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            core::hint::spin_loop();
        }
    }

    fn release() {
        LOCKED.store(false, Ordering::Release);
    }

    pub fn enter() -> Guard {
        acquire();
        Guard(())
    }

    impl Drop for Guard {
        fn drop(&mut self) {
            release();
        }
    }

    /// Runs `f` (a host function) with the lock released.
    pub fn outside<R>(f: impl FnOnce() -> R) -> R {
        release();
        struct Reacquire;
        impl Drop for Reacquire {
            fn drop(&mut self) {
                acquire();
            }
        }
        let _again = Reacquire;
        f()
    }

    pub fn contended() -> u64 {
        CONTENDED.load(Ordering::Relaxed) as u64
    }
}

#[cfg(feature = "vm")]
mod imp {
    pub struct Guard;

    pub fn enter() -> Guard {
        Guard
    }

    pub fn outside<R>(f: impl FnOnce() -> R) -> R {
        f()
    }

    pub fn contended() -> u64 {
        0
    }
}

pub use imp::{contended, enter, outside};
