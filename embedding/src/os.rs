//! The OS services a `wasi` build of the embedding imports from the platform.
//!
//! Wasmtime's own hooks (`platform/wasmtime-platform.h`) cover what the
//! runtime needs: TLS, memory, locks, traps. A WASI program needs a few more
//! things that only the OS can give: time, entropy and a console. They are
//! declared here, the single source of truth, and
//! `platform/embedding-os.h` is generated from this file by cbindgen. A build
//! without the `wasi` feature imports none of them.
//!
//! Every function may be called from any thread that runs the embedding, but
//! the embedding never calls two of them at once for one program. None of
//! them may call back into the embedding.

unsafe extern "C" {
    /// Returns the monotonic clock's current value in nanoseconds.
    ///
    /// The origin is arbitrary (boot is typical), but the value must never
    /// decrease, across threads too: `wasi:clocks/monotonic-clock` promises
    /// guests that, and the embedding's timers rely on it.
    pub fn embedding_os_monotonic_now() -> u64;

    /// Returns the resolution of [`embedding_os_monotonic_now`] in
    /// nanoseconds: the smallest step it can take. Must not be zero.
    pub fn embedding_os_monotonic_resolution() -> u64;

    /// Reads the wall clock: the time since 1970-01-01T00:00:00Z, excluding
    /// leap seconds, as whole seconds and nanoseconds (`*nanoseconds` below
    /// 1,000,000,000).
    ///
    /// Returns 0 on success. A platform that has no wall clock (no RTC, not
    /// yet synchronised) returns -1 and leaves both outputs untouched; guests
    /// then read the epoch itself.
    pub fn embedding_os_wall_now(seconds: *mut u64, nanoseconds: *mut u32) -> i32;

    /// Fills `buf` with `len` bytes from a cryptographically secure random
    /// source (`wasi:random/random`; the insecure interfaces are served from
    /// it too). The bytes must differ from one boot to the next: a
    /// generator seeded with a constant (or anything else a boot repeats)
    /// hands every boot the same "random" numbers.
    ///
    /// Returns 0 on success, -1 if no secure entropy is available; the guest
    /// then traps rather than receive predictable bytes.
    pub fn embedding_os_random(buf: *mut u8, len: usize) -> i32;

    /// Writes all `len` bytes of `buf` to the console stream `stream`: 1 is
    /// standard output, 2 is standard error. Waits until every byte is
    /// accepted; a short write is not allowed.
    ///
    /// Returns 0 on success, -1 if the stream is closed or broken (or
    /// `stream` is neither 1 nor 2); the guest then sees its stream as
    /// closed. A closed stream must not stop the program: on Unix, writing
    /// to a pipe without a reader must not die of `SIGPIPE`, whatever the
    /// host did with that signal.
    pub fn embedding_os_console_write(stream: u32, buf: *const u8, len: usize) -> i32;

    /// Reads up to `len` bytes of console input (standard input) into `buf`,
    /// waiting until at least one byte is available.
    ///
    /// Returns the number of bytes read, 0 at the end of input, or -1 on an
    /// error. While it waits, every guest of the embedding waits: input is
    /// read only when a guest asks for it.
    pub fn embedding_os_console_read(buf: *mut u8, len: usize) -> isize;

    /// Waits until [`embedding_os_monotonic_now`] reaches `deadline`, or
    /// returns at once if it already has. Called when every guest is asleep
    /// (`wasi:clocks` subscriptions). It may return early now and then, e.g.
    /// on an interrupt: the embedding checks the clock and calls again. It
    /// must not return early as a rule, which would make the embedding spin
    /// for as long as its guests sleep: a platform without a timer to wait on
    /// waits by reading the monotonic clock until the deadline (or halts
    /// until the next tick). Nor may it return much later than the deadline
    /// (by a multiple of the wait, or rounded up to whole seconds): every
    /// sleeping guest would oversleep with it. `deadline` is absolute, not a
    /// duration.
    pub fn embedding_os_sleep_until(deadline: u64);
}
