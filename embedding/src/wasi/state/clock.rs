//! The platform's clocks, as both faces read them.

use crate::os;

/// The monotonic clock, in nanoseconds from an arbitrary origin.
pub fn monotonic_now() -> u64 {
    // SAFETY: no preconditions.
    unsafe { os::embedding_os_monotonic_now() }
}

/// The smallest step of either clock, in nanoseconds; the platform reports
/// one resolution for both.
pub fn resolution() -> u64 {
    // SAFETY: no preconditions.
    unsafe { os::embedding_os_monotonic_resolution() }
}

/// The wall clock as seconds and nanoseconds since the Unix epoch; the
/// epoch itself when the platform has no wall clock (the hook's contract).
pub fn wall_now() -> (u64, u32) {
    let (mut seconds, mut nanoseconds) = (0u64, 0u32);
    // SAFETY: both outputs are valid for writes; on failure they stay zero.
    unsafe { os::embedding_os_wall_now(&mut seconds, &mut nanoseconds) };
    (seconds, nanoseconds)
}

/// The wall clock in nanoseconds since the epoch: file timestamps and
/// preview 1's `realtime` clock.
pub fn wall_ns() -> u64 {
    let (s, ns) = wall_now();
    s.saturating_mul(1_000_000_000).saturating_add(ns.into())
}

/// Waits until the monotonic clock reaches `deadline`; the hook may return
/// early now and then, so it is called until the clock says so. Preview 1's
/// `poll_oneoff` sleeps here; WASI 0.2's executor has its own loop.
#[cfg(feature = "wasip1")]
pub fn sleep_until(deadline: u64) {
    while monotonic_now() < deadline {
        // SAFETY: no preconditions.
        unsafe { os::embedding_os_sleep_until(deadline) };
    }
}
