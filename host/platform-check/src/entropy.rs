//! `embedding_os_random` (embedding-os.h): fills the whole buffer with
//! unpredictable bytes. The checker cannot prove bytes secure; it catches
//! the mistakes that make them obviously not: constant output, buffers
//! filled only in part, the empty request, and a generator seeded with a
//! constant, which repeats its bytes from one boot (here: process) to the
//! next.

use super::hooks::Libs;
use super::interrupt::Interrupter;
use super::probe::Relaunch;
use super::{Feature, Pass, Rule, step};
use anyhow::{Result, anyhow, ensure};
use std::time::Duration;

const OS: &[Feature] = &[Feature::OsServices];

pub const RULES: &[Rule] = &[
    Rule {
        id: "random-varies",
        hook: "embedding_os_random",
        text: "fills the buffer with varying bytes, different on every call",
        needs: OS,
        probe: varies,
    },
    Rule {
        id: "random-large",
        hook: "embedding_os_random",
        text: "fills all of 1 MiB, every byte value about equally often (through signals)",
        needs: OS,
        probe: large,
    },
    Rule {
        id: "random-empty",
        hook: "embedding_os_random",
        text: "a zero-length request returns 0 and writes nothing",
        needs: OS,
        probe: empty,
    },
    Rule {
        id: "random-per-boot",
        hook: "embedding_os_random",
        text: "differs from one boot to the next: the first 32 bytes of 3 fresh processes all differ",
        needs: OS,
        probe: per_boot,
    },
];

/// Not a rule: the helper process of `random-per-boot`, which prints the
/// first 32 bytes its freshly loaded platform returns (see [`per_boot`]).
pub const FIRST_BYTES: &str = "random-first-bytes";

/// The probe child's entry for [`FIRST_BYTES`]: the bytes, in hex, as its note.
pub fn first_bytes(libs: &Libs) -> Result<Pass> {
    let random: Random = libs.sym("embedding_os_random")?;
    let mut buf = [0u8; 32];
    fill(random, &mut buf)?;
    Ok(Some(buf.iter().map(|b| format!("{b:02x}")).collect()))
}

type Random = unsafe extern "C" fn(*mut u8, usize) -> i32;

fn fill(random: Random, buf: &mut [u8]) -> Result<()> {
    // SAFETY: a valid buffer of that length.
    let code = unsafe { random(buf.as_mut_ptr(), buf.len()) };
    ensure!(
        code == 0,
        "a {}-byte request returned {code}, not 0",
        buf.len()
    );
    Ok(())
}

fn varies(libs: &Libs) -> Result<Pass> {
    let random: Random = libs.sym("embedding_os_random")?;
    let mut a = [0u8; 64];
    let mut b = [0u8; 64];
    fill(random, &mut a)?;
    fill(random, &mut b)?;
    ensure!(
        a.iter().any(|&x| x != a[0]),
        "64 bytes all came back as {:#04x}",
        a[0]
    );
    ensure!(a != b, "two 64-byte requests returned the same bytes");
    Ok(None)
}

const LARGE: usize = 1 << 20;

fn large(libs: &Libs) -> Result<Pass> {
    let random: Random = libs.sym("embedding_os_random")?;
    let mut buf = vec![0u8; LARGE];
    step("filling 1 MiB while signals interrupt the thread");
    let storm = Interrupter::start()?;
    fill(random, &mut buf)?;
    storm.finish();
    // The last bytes first: a platform that stops after its first chunk
    // leaves the tail as the zeros it was given.
    let tail = &buf[LARGE - 4096..];
    ensure!(
        tail.iter().any(|&x| x != 0),
        "the last 4 KiB are still zero: the buffer was only filled in part"
    );
    let mut counts = [0u64; 256];
    for &x in &buf {
        counts[x as usize] += 1;
    }
    // Chi-square with 255 degrees of freedom: mean 255, deviation 22.6.
    // Uniform bytes exceed 420 about once in 10^9 runs.
    let expected = LARGE as f64 / 256.0;
    let chi2: f64 = counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum();
    let (rarest, most) = (
        counts.iter().min().copied().unwrap_or(0),
        counts.iter().max().copied().unwrap_or(0),
    );
    ensure!(
        chi2 < 420.0,
        "byte values are far from uniform (chi-square {chi2:.0} for 255 degrees of freedom; \
         counts from {rarest} to {most}, expected {expected:.0} each)"
    );
    Ok(Some(format!("chi-square {chi2:.0}")))
}

fn empty(libs: &Libs) -> Result<Pass> {
    let random: Random = libs.sym("embedding_os_random")?;
    let mut canary = [0xa5u8; 16];
    // SAFETY: a valid pointer; length 0 allows no access at all.
    let code = unsafe { random(canary.as_mut_ptr(), 0) };
    ensure!(code == 0, "it returned {code}");
    ensure!(
        canary.iter().all(|&x| x == 0xa5),
        "it wrote into the buffer although asked for 0 bytes"
    );
    Ok(None)
}

/// A generator seeded with a constant passes every test inside one process:
/// its bytes vary and look uniform. Only a new process, the checker's
/// stand-in for a reboot, shows it starts over. This probe child draws first
/// here, then starts two more processes that each load the platform afresh
/// and draw their first 32 bytes; all three must differ.
fn per_boot(libs: &Libs) -> Result<Pass> {
    let mine = first_bytes(libs)?.unwrap_or_default();
    let relaunch = Relaunch::from_env()?;
    let mut seen = vec![mine];
    for n in 1..=2 {
        step(&format!("drawing 32 bytes in fresh process {n} of 2"));
        let theirs = relaunch
            .run(FIRST_BYTES, Duration::from_secs(30))
            .map_err(|e| anyhow!("the fresh process failed: {e}"))?
            .unwrap_or_default();
        if let Some(i) = seen.iter().position(|s| *s == theirs) {
            let which = if i == 0 {
                "this one"
            } else {
                "the first fresh one"
            };
            return Err(anyhow!(
                "a fresh process drew the same first 32 bytes as {which} ({theirs}): \
                 seed from a source that differs every boot (a hardware RNG, the OS's \
                 entropy pool), never from a constant"
            ));
        }
        seen.push(theirs);
    }
    Ok(None)
}
