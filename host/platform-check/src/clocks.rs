//! The clock services of a `wasi` build (embedding-os.h): the monotonic
//! clock and its resolution, the wall clock, and sleeping until a deadline.
//! The system's own clocks (std's `Instant` and `SystemTime`) are the
//! reference.

use super::hooks::Libs;
use super::interrupt::within;
use super::{Feature, Pass, Rule, step};
use anyhow::{Result, bail, ensure};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const OS: &[Feature] = &[Feature::OsServices];

pub const RULES: &[Rule] = &[
    Rule {
        id: "clock-monotonic",
        hook: "embedding_os_monotonic_now",
        text: "never goes backwards (1,000,000 reads on one thread)",
        needs: OS,
        probe: never_backwards,
    },
    Rule {
        id: "clock-monotonic-threads",
        hook: "embedding_os_monotonic_now",
        text: "never goes backwards across threads (a read after another thread's is not earlier)",
        needs: OS,
        probe: across_threads,
    },
    Rule {
        id: "clock-advances",
        hook: "embedding_os_monotonic_now",
        text: "counts nanoseconds: advances by 100 ms across a 100 ms sleep",
        needs: OS,
        probe: advances,
    },
    Rule {
        id: "clock-resolution",
        hook: "embedding_os_monotonic_resolution",
        text: "is above 0 and at most 1 s",
        needs: OS,
        probe: resolution,
    },
    Rule {
        id: "clock-wall",
        hook: "embedding_os_wall_now",
        text: "reads the system's realtime clock (within 5 s), or returns -1 without writing",
        needs: OS,
        probe: wall,
    },
    Rule {
        id: "clock-wall-nanos",
        hook: "embedding_os_wall_now",
        text: "nanoseconds stay below 1,000,000,000 (10,000 reads)",
        needs: OS,
        probe: wall_nanos,
    },
    Rule {
        id: "sleep-waits",
        hook: "embedding_os_sleep_until",
        text: "waits until the deadline (3 sleeps of 30 ms, one early return forgiven)",
        needs: OS,
        probe: sleep_waits,
    },
    Rule {
        id: "sleep-absolute",
        hook: "embedding_os_sleep_until",
        text: "the deadline is absolute: a past one returns at once, a near one is not overslept",
        needs: OS,
        probe: sleep_absolute,
    },
    Rule {
        id: "sleep-overshoot",
        hook: "embedding_os_sleep_until",
        text: "wakes near the deadline: 5 sleeps of 50 ms, the median overshoots the system's \
               own 50 ms sleep by under 100 ms",
        needs: OS,
        probe: sleep_overshoot,
    },
];

type Now = unsafe extern "C" fn() -> u64;
type Wall = unsafe extern "C" fn(*mut u64, *mut u32) -> i32;
type SleepUntil = unsafe extern "C" fn(u64);

fn now_fn(libs: &Libs) -> Result<impl Fn() -> u64 + Copy + Send + Sync + 'static> {
    let now: Now = libs.sym("embedding_os_monotonic_now")?;
    // SAFETY: no preconditions.
    Ok(move || unsafe { now() })
}

const READS: u64 = 1_000_000;

fn never_backwards(libs: &Libs) -> Result<Pass> {
    let now = now_fn(libs)?;
    step("reading the monotonic clock 1,000,000 times");
    let mut last = now();
    for i in 1..READS {
        let t = now();
        ensure!(
            t >= last,
            "read {i} gave {t}, {} ns earlier than the read before it",
            last - t
        );
        last = t;
    }
    Ok(None)
}

fn across_threads(libs: &Libs) -> Result<Pass> {
    let now = now_fn(libs)?;
    // Every thread publishes what it read; a read that starts after another
    // thread's value was published must not be smaller.
    let latest = AtomicU64::new(0);
    step("reading the monotonic clock on 4 threads at once");
    let verdicts: Vec<Result<()>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    for _ in 0..READS / 4 {
                        let seen = latest.load(Ordering::Acquire);
                        let t = now();
                        ensure!(
                            t >= seen,
                            "a thread read {t}, {} ns earlier than a value another thread \
                             had already read",
                            seen - t
                        );
                        latest.fetch_max(t, Ordering::AcqRel);
                    }
                    Ok(())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| bail!("a thread panicked")))
            .collect()
    });
    verdicts.into_iter().collect::<Result<()>>()?;
    Ok(None)
}

fn advances(libs: &Libs) -> Result<Pass> {
    let now = now_fn(libs)?;
    let res: Now = libs.sym("embedding_os_monotonic_resolution")?;
    // SAFETY: no preconditions.
    let res = Duration::from_nanos(unsafe { res() }.min(1_000_000_000));
    let slept = Duration::from_millis(100);
    let outer = Instant::now();
    let before = now();
    std::thread::sleep(slept);
    let after = now();
    let outer = outer.elapsed();
    ensure!(after >= before, "the clock went back across the sleep");
    let moved = Duration::from_nanos(after - before);
    // A clock may tick coarsely and run a little off the system's rate, but
    // nanoseconds it must count: microseconds would move 1,000 times less.
    let low = slept.mul_f64(0.95).saturating_sub(res);
    let high = outer.mul_f64(1.05) + res;
    ensure!(
        moved >= low && moved <= high,
        "it moved {} ns while the system clock moved {} ns across a {slept:?} sleep",
        moved.as_nanos(),
        outer.as_nanos()
    );
    Ok(None)
}

fn resolution(libs: &Libs) -> Result<Pass> {
    let res: Now = libs.sym("embedding_os_monotonic_resolution")?;
    // SAFETY: no preconditions.
    let res = unsafe { res() };
    ensure!(res > 0, "it is 0");
    ensure!(res <= 1_000_000_000, "it is {res} ns, over a second");
    Ok(Some(format!("{res} ns")))
}

fn system_wall() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// `Ok(None)` when the platform has no wall clock (and said so properly).
fn read_wall(wall: Wall) -> Result<Option<(u64, u32)>> {
    let (mut secs, mut nanos) = (u64::MAX, u32::MAX);
    // SAFETY: two valid out-pointers.
    let code = unsafe { wall(&mut secs, &mut nanos) };
    match code {
        0 => Ok(Some((secs, nanos))),
        -1 => {
            ensure!(
                (secs, nanos) == (u64::MAX, u32::MAX),
                "it returned -1 but wrote {secs} s and {nanos} ns"
            );
            Ok(None)
        }
        other => bail!("it returned {other}, neither 0 nor -1"),
    }
}

fn wall(libs: &Libs) -> Result<Pass> {
    let wall: Wall = libs.sym("embedding_os_wall_now")?;
    let Some((secs, nanos)) = read_wall(wall)? else {
        return Ok(Some("no wall clock: guests read the epoch".into()));
    };
    let system = system_wall();
    let theirs = Duration::new(secs, nanos.min(999_999_999));
    let off = theirs.abs_diff(system);
    ensure!(
        off <= Duration::from_secs(5),
        "it reads {secs}.{nanos:09} s since 1970, the system {}.{:09} s ({} s apart)",
        system.as_secs(),
        system.subsec_nanos(),
        off.as_secs()
    );
    Ok(None)
}

fn wall_nanos(libs: &Libs) -> Result<Pass> {
    let wall: Wall = libs.sym("embedding_os_wall_now")?;
    for _ in 0..10_000 {
        let Some((secs, nanos)) = read_wall(wall)? else {
            return Ok(Some("no wall clock".into()));
        };
        ensure!(
            nanos < 1_000_000_000,
            "it returned {secs} s and {nanos} ns: the nanoseconds must be carried into \
             the seconds"
        );
    }
    Ok(None)
}

/// Calls sleep_until(deadline) on a thread, giving up after `limit`.
fn sleep(libs: &Libs, deadline: u64, limit: Duration, what: &str) -> Result<Duration> {
    let sleep_until: SleepUntil = libs.sym("embedding_os_sleep_until")?;
    step(what);
    within(limit, what, move || {
        let start = Instant::now();
        // SAFETY: no preconditions.
        unsafe { sleep_until(deadline) };
        start.elapsed()
    })
}

fn sleep_waits(libs: &Libs) -> Result<Pass> {
    let now = now_fn(libs)?;
    let ahead = 30_000_000;
    let mut early = Vec::new();
    for _ in 0..3 {
        let deadline = now() + ahead;
        let limit = Duration::from_secs(2);
        sleep(libs, deadline, limit, "sleeping until 30 ms from now")?;
        let woke = now();
        if woke < deadline {
            early.push(deadline - woke);
        }
    }
    ensure!(
        early.len() <= 1,
        "{} of 3 sleeps returned before the deadline (by {} ns)",
        early.len(),
        early
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(" ns, ")
    );
    Ok(None)
}

fn sleep_absolute(libs: &Libs) -> Result<Pass> {
    let now = now_fn(libs)?;
    let prompt = Duration::from_millis(500);
    let t = now();
    for (deadline, what) in [
        (t.saturating_sub(1_000_000_000), "sleeping until 1 s ago"),
        (0, "sleeping until time 0"),
    ] {
        let took = sleep(libs, deadline, Duration::from_secs(2), what)
            .map_err(|e| anyhow::anyhow!("{e} (a deadline in the past)"))?;
        ensure!(
            took <= prompt,
            "{what} took {took:?}: a deadline in the past must return at once"
        );
    }
    let took = sleep(
        libs,
        now() + 50_000_000,
        Duration::from_secs(2),
        "sleeping until 50 ms from now",
    )?;
    ensure!(
        took <= Duration::from_millis(1050),
        "a deadline 50 ms ahead took {took:?}"
    );
    Ok(None)
}

/// How long a sleep of `ahead` took beyond `ahead`.
fn overshoot(took: Duration, ahead: Duration) -> Duration {
    took.saturating_sub(ahead)
}

fn sleep_overshoot(libs: &Libs) -> Result<Pass> {
    let now = now_fn(libs)?;
    let ahead = Duration::from_millis(50);
    // Each trial pairs the platform's sleep with the system's own sleep of
    // the same length, taken just before it: a loaded machine delays both
    // wakeups alike, a platform that sleeps 10 times too long (500 ms) or
    // rounds up to whole seconds overshoots by 450 ms or more every time.
    // The median of the differences ignores two unlucky trials either way.
    let mut excess = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        std::thread::sleep(ahead);
        let reference = overshoot(start.elapsed(), ahead);
        let deadline = now() + ahead.as_nanos() as u64;
        let took = sleep(
            libs,
            deadline,
            Duration::from_secs(3),
            "sleeping until 50 ms from now",
        )?;
        excess.push((overshoot(took, ahead).saturating_sub(reference), took));
    }
    excess.sort();
    let (median, took) = excess[excess.len() / 2];
    ensure!(
        median < Duration::from_millis(100),
        "a 50 ms sleep took {} ms (the median of 5), {} ms longer than the system's own: \
         wait on a timer set to the deadline, not a multiple or a rounding of it",
        took.as_millis(),
        median.as_millis()
    );
    Ok(Some(format!(
        "median {:.1} ms over the system's",
        median.as_secs_f64() * 1e3
    )))
}
