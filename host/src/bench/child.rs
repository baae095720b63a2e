//! The child process of `host bench`: one workload on one side. It prints
//! `T <sample>...` (in the workload's unit), `H <bytes>` (the embedding's
//! heap high-water mark; embedding sides only) and `R <KiB>` (the
//! process's peak resident memory). The parent precompiles the workload,
//! so no compiler runs in the child: its resident memory is the runtime's
//! and the workload's, not Cranelift's.

use super::sides::Side;
use super::timing::peak_rss_kib;
use super::workloads;
use super::{embedded, stock};
use anyhow::{Context, Result};
use std::path::Path;

pub fn main(side: &str, workload: &str, artifact: &Path, out: &Path, runs: usize) -> Result<i32> {
    let side = Side::parse(side)?;
    let workload = workloads::find(workload)?;
    let bytes = std::fs::read(artifact)
        .with_context(|| format!("cannot read the artifact {}", artifact.display()))?;
    let measure = || -> Result<(Vec<f64>, Option<usize>)> {
        Ok(match side {
            Side::Embedding(mode) => {
                let m = embedded::run(mode, out, &bytes, workload.kind, runs)?;
                (m.samples, Some(m.heap_peak))
            }
            Side::StockNative => (stock::run(false, &bytes, workload.kind, runs)?, None),
            Side::StockPulley => (stock::run(true, &bytes, workload.kind, runs)?, None),
            Side::Wasmi | Side::Wasm3 => {
                anyhow::bail!("{} runs in host/bench-peers, not in the host", side.name())
            }
        })
    };
    let (samples, heap_peak) =
        measure().with_context(|| format!("{} on {}", workload.name, side.name()))?;
    let samples: Vec<String> = samples.iter().map(|t| format!("{t:.4}")).collect();
    println!("T {}", samples.join(" "));
    if let Some(bytes) = heap_peak {
        println!("H {bytes}");
    }
    println!("R {}", peak_rss_kib()?);
    Ok(0)
}
