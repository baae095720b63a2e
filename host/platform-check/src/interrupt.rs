//! Helpers for the OS-service probes: calls with a time limit, and a storm
//! of signals that interrupts a thread's system calls, as a real program's
//! timers and job control do.

use anyhow::{Result, anyhow};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Runs `f` on a thread of its own and waits at most `limit` for it, so a
/// call that never returns is reported rather than killed by the parent's
/// time limit. (A stuck thread dies with the probe process.)
pub fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .map_err(|_| anyhow!("{what}: had not returned after {limit:?}"))
}

extern "C" fn ignore(_: libc::c_int) {}

/// Sends SIGUSR1 to one thread every 500 µs until dropped. The handler is
/// installed without SA_RESTART, so a blocking system call the signal
/// interrupts fails with EINTR, or returns a partial count.
pub struct Interrupter {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<u64>>,
}

impl Interrupter {
    /// Starts interrupting the calling thread.
    pub fn start() -> Result<Interrupter> {
        // SAFETY: a no-op handler, in a probe child of our own.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = ignore as extern "C" fn(libc::c_int) as usize;
            action.sa_flags = 0;
            libc::sigemptyset(&mut action.sa_mask);
            if libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()) != 0 {
                return Err(anyhow!("cannot install a SIGUSR1 handler"));
            }
        }
        // SAFETY: no preconditions.
        let target = unsafe { libc::pthread_self() };
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut sent = 0;
            while !flag.load(Ordering::Acquire) {
                // SAFETY: the target thread outlives the interrupter, which
                // is stopped and joined before the target returns.
                unsafe { libc::pthread_kill(target, libc::SIGUSR1) };
                sent += 1;
                std::thread::sleep(Duration::from_micros(500));
            }
            sent
        });
        Ok(Interrupter {
            stop,
            thread: Some(thread),
        })
    }

    /// Stops and returns how many signals were sent.
    pub fn finish(mut self) -> u64 {
        self.halt()
    }

    fn halt(&mut self) -> u64 {
        self.stop.store(true, Ordering::Release);
        self.thread
            .take()
            .map_or(0, |t| t.join().unwrap_or_default())
    }
}

impl Drop for Interrupter {
    fn drop(&mut self) {
        self.halt();
    }
}
