//! The embedding's own executor: runs programs' futures to completion on
//! the calling thread, with nothing from the OS but the monotonic clock and
//! a way to wait.
//!
//! A program's future is pending for one of two reasons. Either Wasmtime
//! yielded because it burnt its fuel slice (`fuel_async_yield_interval`);
//! then it has woken itself and runs again on the next round, after the
//! others. Or it waits for a monotonic-clock deadline; then its waker sits in
//! its program's [`Timers`] until the deadline passes. When no program can
//! run, the executor sleeps until the earliest deadline of all
//! (`embedding_os_sleep_until`).

use crate::os;
use crate::wasi::state::lock::Lock;
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::task::Wake;
use alloc::vec::Vec;
use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::{Context, Poll, Waker};

/// The deadlines one program waits for, with the wakers to call.
#[derive(Default)]
pub struct Timers {
    waiting: Lock<Vec<(u64, Waker)>>,
}

impl Timers {
    pub fn wake_at(&self, deadline: u64, waker: Waker) {
        self.waiting.lock().push((deadline, waker));
    }

    fn earliest(&self) -> Option<u64> {
        self.waiting.lock().iter().map(|(due, _)| *due).min()
    }

    /// Wakes every waiter whose deadline is not after `now`.
    fn fire(&self, now: u64) {
        let mut waiting = self.waiting.lock();
        let mut i = 0;
        while i < waiting.len() {
            if waiting[i].0 <= now {
                waiting.swap_remove(i).1.wake();
            } else {
                i += 1;
            }
        }
    }
}

/// A future whose output is ready once the monotonic clock reaches `due`.
pub struct Deadline {
    pub due: u64,
    pub timers: Arc<Timers>,
}

impl Future for Deadline {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: no preconditions.
        if unsafe { os::embedding_os_monotonic_now() } >= self.due {
            Poll::Ready(())
        } else {
            self.timers.wake_at(self.due, cx.waker().clone());
            Poll::Pending
        }
    }
}

/// Set when a task's waker is called; the executor polls only woken tasks.
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::Release);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.store(true, Ordering::Release);
    }
}

pub type Task<'a> = Pin<Box<dyn Future<Output = ()> + 'a>>;

/// Runs every task to completion. Returns the indices of tasks that can
/// never finish: pending, not woken, and with no deadline to wait for.
pub fn run_all(mut tasks: Vec<(Task<'_>, Arc<Timers>)>) -> Vec<usize> {
    let flags: Vec<Arc<Flag>> = tasks
        .iter()
        .map(|_| Arc::new(Flag(AtomicBool::new(true))))
        .collect();
    let wakers: Vec<Waker> = flags.iter().map(|f| Waker::from(f.clone())).collect();
    let mut done = alloc::vec![false; tasks.len()];
    loop {
        for (i, (task, _)) in tasks.iter_mut().enumerate() {
            if done[i] || !flags[i].0.swap(false, Ordering::Acquire) {
                continue;
            }
            let mut cx = Context::from_waker(&wakers[i]);
            if task.as_mut().poll(&mut cx).is_ready() {
                done[i] = true;
            }
        }
        if done.iter().all(|d| *d) {
            return Vec::new();
        }
        if flags.iter().any(|f| f.0.load(Ordering::Acquire)) {
            continue;
        }
        // Nothing can run: release whatever deadlines have passed, or wait
        // for the earliest one.
        // SAFETY: no preconditions.
        let now = unsafe { os::embedding_os_monotonic_now() };
        for (_, timers) in &tasks {
            timers.fire(now);
        }
        if flags.iter().any(|f| f.0.load(Ordering::Acquire)) {
            continue;
        }
        let earliest = tasks
            .iter()
            .enumerate()
            .filter(|(i, _)| !done[*i])
            .filter_map(|(_, (_, timers))| timers.earliest())
            .min();
        match earliest {
            // SAFETY: no preconditions.
            Some(deadline) => unsafe { os::embedding_os_sleep_until(deadline) },
            None => return (0..tasks.len()).filter(|i| !done[*i]).collect(),
        }
    }
}
