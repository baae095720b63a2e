//! Taking samples.

use anyhow::{Result, ensure};
use std::time::Instant;

/// Runs `sample` once to warm up (its result is checked like every other
/// but not kept), then `runs` times; each call returns its own measurement,
/// so it can leave its setup out of the timed part.
pub fn samples(runs: usize, mut sample: impl FnMut() -> Result<f64>) -> Result<Vec<f64>> {
    sample()?;
    (0..runs).map(|_| sample()).collect()
}

/// Runs `f`; returns its result and the seconds it took.
pub fn timed<T>(f: impl FnOnce() -> Result<T>) -> Result<(T, f64)> {
    let start = Instant::now();
    let value = f()?;
    Ok((value, start.elapsed().as_secs_f64()))
}

pub fn check(what: &str, got: i32, expected: i32) -> Result<()> {
    ensure!(
        got == expected,
        "{what} returned {got}, expected {expected}"
    );
    Ok(())
}

/// The process's peak resident memory (`VmHWM`), in KiB.
pub fn peak_rss_kib() -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .ok_or_else(|| anyhow::anyhow!("/proc/self/status has no VmHWM line"))?;
    Ok(line.trim().trim_end_matches("kB").trim().parse()?)
}
