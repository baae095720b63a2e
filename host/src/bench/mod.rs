//! `host bench`: fixed workloads timed in each mode's embedding and on stock
//! Wasmtime, side by side in one run, reported as medians and ratios.
//!
//! Each side runs in a child process of its own (a mode's platform hooks are
//! process-wide). A child compiles and instantiates each workload once, calls
//! it once to warm up, then times `--runs` calls and prints them; the parent
//! takes the medians. The reference for every mode is stock Wasmtime with
//! Cranelift on Linux; for `minimal` there is also stock Wasmtime running the
//! same Pulley bytecode with `std` and hardware floats, the fairest
//! comparison for an interpreter.

mod report;
mod sides;
mod workloads;

use anyhow::{Context, Result, ensure};
use embedding_abi::EmbMode;
use sides::Side;
use std::process::Command;
use workloads::WORKLOADS;

pub use sides::child;

pub fn main(out: &std::path::Path, modes: &[EmbMode], runs: usize) -> Result<i32> {
    ensure!(runs > 0, "--runs must be at least 1");
    let exe = std::env::current_exe()?;
    let mut sides = vec![Side::StockNative];
    if modes.contains(&EmbMode::Minimal) {
        sides.push(Side::StockPulley);
    }
    sides.extend(modes.iter().map(|m| Side::Embedding(*m)));

    // medians[side][workload], in milliseconds.
    let mut medians = Vec::new();
    for side in &sides {
        let output = Command::new(&exe)
            .args([
                "bench-side",
                "--side",
                &side.name(),
                "--runs",
                &runs.to_string(),
                "--out",
            ])
            .arg(out)
            .output()
            .with_context(|| format!("cannot run the {} benchmark", side.name()))?;
        ensure!(
            output.status.success(),
            "the {} benchmark failed ({}): {}",
            side.name(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
        let text = String::from_utf8_lossy(&output.stdout);
        let mut row = Vec::new();
        for w in WORKLOADS {
            let line = text
                .lines()
                .find(|l| l.split(' ').nth(1) == Some(w.name))
                .with_context(|| format!("{} reported no time for {}", side.name(), w.name))?;
            let mut samples: Vec<f64> = line
                .split(' ')
                .skip(2)
                .map(str::parse)
                .collect::<Result<_, _>>()?;
            row.push(report::median(&mut samples));
        }
        medians.push(row);
    }

    report::print(&sides, &medians, runs);
    Ok(0)
}
