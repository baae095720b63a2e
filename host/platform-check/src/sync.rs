//! The lock hooks: `wasmtime_sync_lock_*` and `wasmtime_sync_rwlock_*`, each
//! working on one zero-initialised word.

use super::hooks::Libs;
use super::{Feature, Pass, Rule};
use anyhow::{Result, bail, ensure};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const SYNC: &[Feature] = &[Feature::Sync];

pub const RULES: &[Rule] = &[
    Rule {
        id: "lock-exclusion",
        hook: "wasmtime_sync_lock_acquire",
        text: "excludes other threads (4 threads x 100000 unguarded increments add up)",
        needs: SYNC,
        probe: |libs| exclusion(libs, false),
    },
    Rule {
        id: "lock-free-unused",
        hook: "wasmtime_sync_lock_free",
        text: "freeing a never-used (zero) lock works",
        needs: SYNC,
        probe: |libs| free_unused(libs, false),
    },
    Rule {
        id: "lock-free-relock",
        hook: "wasmtime_sync_lock_free",
        text: "lock, free, lock again works",
        needs: SYNC,
        probe: |libs| relock(libs, false),
    },
    Rule {
        id: "rwlock-writers",
        hook: "wasmtime_sync_rwlock_write",
        text: "writers exclude each other (4 threads x 100000 unguarded increments add up)",
        needs: SYNC,
        probe: |libs| exclusion(libs, true),
    },
    Rule {
        id: "rwlock-shared-read",
        hook: "wasmtime_sync_rwlock_read",
        text: "readers share the lock (a second reader gets in while the first holds it)",
        needs: SYNC,
        probe: shared_read,
    },
    Rule {
        id: "rwlock-writer-waits",
        hook: "wasmtime_sync_rwlock_write",
        text: "a writer waits until the reader leaves",
        needs: SYNC,
        probe: |libs| waits(libs, Hold::Read),
    },
    Rule {
        id: "rwlock-reader-waits",
        hook: "wasmtime_sync_rwlock_read",
        text: "a reader waits until the writer leaves",
        needs: SYNC,
        probe: |libs| waits(libs, Hold::Write),
    },
    Rule {
        id: "rwlock-free-unused",
        hook: "wasmtime_sync_rwlock_free",
        text: "freeing a never-used (zero) lock works",
        needs: SYNC,
        probe: |libs| free_unused(libs, true),
    },
    Rule {
        id: "rwlock-free-relock",
        hook: "wasmtime_sync_rwlock_free",
        text: "lock, free, lock again works",
        needs: SYNC,
        probe: |libs| relock(libs, true),
    },
];

type LockFn = unsafe extern "C" fn(*mut usize);

#[derive(Clone, Copy)]
struct Locks {
    acquire: LockFn,
    release: LockFn,
    free: LockFn,
    read: LockFn,
    read_release: LockFn,
    write: LockFn,
    write_release: LockFn,
    rw_free: LockFn,
}

/// A lock word with a stable address that threads can share, as Wasmtime
/// embeds one in each of its `Mutex` and `RwLock` values.
struct Word(AtomicUsize);

impl Word {
    fn new() -> Word {
        Word(AtomicUsize::new(0))
    }

    fn ptr(&self) -> *mut usize {
        self.0.as_ptr()
    }
}

impl Locks {
    fn load(libs: &Libs) -> Result<Locks> {
        Ok(Locks {
            acquire: libs.sym("wasmtime_sync_lock_acquire")?,
            release: libs.sym("wasmtime_sync_lock_release")?,
            free: libs.sym("wasmtime_sync_lock_free")?,
            read: libs.sym("wasmtime_sync_rwlock_read")?,
            read_release: libs.sym("wasmtime_sync_rwlock_read_release")?,
            write: libs.sym("wasmtime_sync_rwlock_write")?,
            write_release: libs.sym("wasmtime_sync_rwlock_write_release")?,
            rw_free: libs.sym("wasmtime_sync_rwlock_free")?,
        })
    }

    /// Calls one of the hooks on `word`.
    fn call(&self, f: LockFn, word: &Word) {
        // SAFETY: `word` is a live lock word used only with matching hooks.
        unsafe { f(word.ptr()) }
    }

    /// The exclusive side: a mutex, or an rwlock's writer.
    fn exclusive(&self, rw: bool) -> (LockFn, LockFn, LockFn) {
        if rw {
            (self.write, self.write_release, self.rw_free)
        } else {
            (self.acquire, self.release, self.free)
        }
    }
}

/// A counter the lock under test is supposed to guard.
struct Unguarded(std::cell::UnsafeCell<u64>);

// SAFETY: deliberately shared without synchronisation: the lock under test
// is the only thing keeping the increments apart, which is the point.
unsafe impl Sync for Unguarded {}

impl Unguarded {
    fn get(&self) -> *mut u64 {
        self.0.get()
    }
}

const THREADS: u64 = 4;
const INCREMENTS: u64 = 100_000;

fn exclusion(libs: &Libs, rw: bool) -> Result<Pass> {
    let locks = Locks::load(libs)?;
    let (lock, unlock, free) = locks.exclusive(rw);
    let word = Word::new();
    let counter = Unguarded(std::cell::UnsafeCell::new(0));
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                for i in 0..INCREMENTS {
                    locks.call(lock, &word);
                    let p = counter.get();
                    // SAFETY: a valid counter; volatile so the load and store
                    // stay separate, racy if the lock does not exclude.
                    let v = unsafe { p.read_volatile() };
                    // Being preempted inside the critical section lets a
                    // broken lock lose updates even on a single CPU.
                    if i % 1024 == 0 {
                        std::thread::yield_now();
                    }
                    // SAFETY: as above.
                    unsafe { p.write_volatile(v + 1) };
                    locks.call(unlock, &word);
                }
            });
        }
    });
    locks.call(free, &word);
    let total = counter.0.into_inner();
    ensure!(
        total == THREADS * INCREMENTS,
        "the counter ended at {total}, not {}: increments were lost",
        THREADS * INCREMENTS
    );
    Ok(None)
}

fn free_unused(libs: &Libs, rw: bool) -> Result<Pass> {
    let locks = Locks::load(libs)?;
    let (_, _, free) = locks.exclusive(rw);
    let word = Word::new();
    locks.call(free, &word);
    Ok(None)
}

fn relock(libs: &Libs, rw: bool) -> Result<Pass> {
    let locks = Locks::load(libs)?;
    let (lock, unlock, free) = locks.exclusive(rw);
    let word = Word::new();
    for _ in 0..3 {
        locks.call(lock, &word);
        locks.call(unlock, &word);
        if rw {
            locks.call(locks.read, &word);
            locks.call(locks.read_release, &word);
        }
        locks.call(free, &word);
    }
    Ok(None)
}

/// How long a thread waits for something that should happen at once.
const PATIENCE: Duration = Duration::from_secs(3);
/// How long a thread that should be blocked is given to (wrongly) get in.
const GRACE: Duration = Duration::from_millis(200);

fn wait_for(flag: &AtomicBool) -> bool {
    let start = Instant::now();
    while !flag.load(Ordering::Acquire) {
        if start.elapsed() > PATIENCE {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    true
}

fn shared_read(libs: &Libs) -> Result<Pass> {
    let locks = Locks::load(libs)?;
    let word = Word::new();
    let second_in = AtomicBool::new(false);
    locks.call(locks.read, &word);
    let got_in = std::thread::scope(|s| {
        s.spawn(|| {
            locks.call(locks.read, &word);
            second_in.store(true, Ordering::Release);
            locks.call(locks.read_release, &word);
        });
        let got_in = wait_for(&second_in);
        // Releasing unblocks a wrongly blocked second reader, so the scope
        // can end and the failure be reported.
        locks.call(locks.read_release, &word);
        got_in
    });
    locks.call(locks.rw_free, &word);
    ensure!(
        got_in,
        "a second reader was still blocked after {PATIENCE:?} while the first held the read lock"
    );
    Ok(None)
}

#[derive(Clone, Copy)]
enum Hold {
    Read,
    Write,
}

fn waits(libs: &Libs, held: Hold) -> Result<Pass> {
    let locks = Locks::load(libs)?;
    let word = Word::new();
    let (hold, release, other, other_release, who, holder) = match held {
        Hold::Read => (
            locks.read,
            locks.read_release,
            locks.write,
            locks.write_release,
            "a writer",
            "a reader",
        ),
        Hold::Write => (
            locks.write,
            locks.write_release,
            locks.read,
            locks.read_release,
            "a reader",
            "the writer",
        ),
    };
    let other_in = AtomicBool::new(false);
    locks.call(hold, &word);
    let (early, eventually) = std::thread::scope(|s| {
        s.spawn(|| {
            locks.call(other, &word);
            other_in.store(true, Ordering::Release);
            locks.call(other_release, &word);
        });
        std::thread::sleep(GRACE);
        let early = other_in.load(Ordering::Acquire);
        locks.call(release, &word);
        (early, wait_for(&other_in))
    });
    locks.call(locks.rw_free, &word);
    if early {
        bail!("{who} got in while {holder} held the lock");
    }
    ensure!(
        eventually,
        "{who} was still blocked {PATIENCE:?} after {holder} released the lock"
    );
    Ok(None)
}
