//! Waiting for the host's child processes. Samples, conformance scripts and
//! platform probes each run in a child of their own so that a crash or hang
//! costs one unit of work; this is the one place that enforces their time
//! limits.

use std::io;
use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

/// Waits for `child` until `limit` has passed, then kills it. Returns its
/// exit status, or `None` when it was killed for running out of time.
pub fn wait_with_limit(child: &mut Child, limit: Duration) -> io::Result<Option<ExitStatus>> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if start.elapsed() > limit {
            child.kill()?;
            child.wait()?;
            return Ok(None);
        }
        // Short enough that a fast probe is not slowed noticeably, long
        // enough that waiting costs no CPU worth measuring.
        std::thread::sleep(Duration::from_millis(5));
    }
}
