//! `embedding_os_random` (embedding-os.h): fills the whole buffer with
//! unpredictable bytes. The checker cannot prove bytes secure; it catches
//! the mistakes that make them obviously not: constant output, buffers
//! filled only in part, and the empty request.

use super::hooks::Libs;
use super::interrupt::Interrupter;
use super::{Feature, Pass, Rule, step};
use anyhow::{Result, ensure};

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
];

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
