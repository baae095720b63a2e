//! The parent of `host bench`: precompiles each workload for each side
//! (for `--arch`, on that architecture: the children then need no
//! compiler), starts `--processes` children per (side, workload), in
//! turn across the sides, and pools their samples.

use super::sides::Side;
use super::workloads::{self, WORKLOADS, Workload};
use super::{Cell, Options, Results, report, stock};
use crate::artifacts::Compiler;
use crate::children::wait_with_limit;
use anyhow::{Context, Result, bail, ensure};
use embedding_abi::modes::Arch;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Far beyond any workload's time under load; a side that takes longer is
/// stuck, and is reported as failed rather than waited for.
const CHILD_LIMIT: Duration = Duration::from_secs(600);

/// `wasm` precompiled for `side`, as the child loads it.
fn precompile(side: Side, arch: Arch, wasm: &[u8]) -> Result<Vec<u8>> {
    match side {
        Side::Embedding(mode) => Compiler::for_arch(mode, arch)?.precompile(wasm),
        Side::StockNative => Ok(stock::engine(false, arch)?.precompile_module(wasm)?),
        Side::StockPulley => Ok(stock::engine(true, arch)?.precompile_module(wasm)?),
        // An interpreter peer loads the WebAssembly binary itself.
        Side::Wasmi | Side::Wasm3 => Ok(wasm.to_vec()),
    }
}

/// Precompiles `w` for `side` into `scratch`; returns the artifact's path.
fn prepare(opts: &Options, side: Side, w: &Workload, scratch: &Path) -> Result<PathBuf> {
    let artifact = scratch.join(format!("{}-{}.cwasm", side.name(), w.name));
    let wasm = w.wasm(&opts.out)?;
    let arch = opts.arch.unwrap_or(Arch::NATIVE);
    std::fs::write(&artifact, precompile(side, arch, &wasm)?)
        .with_context(|| format!("cannot write {}", artifact.display()))?;
    Ok(artifact)
}

/// One child process: `w` on `side`, `opts.runs` samples.
fn run_child(opts: &Options, side: Side, w: &Workload, artifact: &Path) -> Result<Cell> {
    let runs = opts.runs;
    let mut command = match side {
        Side::Wasmi | Side::Wasm3 => {
            let peers = opts.peers.as_deref().context("the peers need --peers")?;
            let (kind, numbers) = w.kind.peer_args();
            let mut command = Command::new(peers);
            command
                .args([side.name().as_str(), kind, &runs.to_string()])
                .arg(artifact)
                .args(numbers.iter().map(i64::to_string));
            command
        }
        _ => {
            let mut command = crate::launch::child_command(opts.arch)?;
            command
                .args([
                    "bench-side",
                    "--side",
                    &side.name(),
                    "--runs",
                    &runs.to_string(),
                ])
                .arg("--out")
                .arg(crate::launch::out_dir(&opts.out, opts.arch))
                .arg(w.name)
                .arg(artifact);
            command
        }
    };
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {} on {}", w.name, side.name()))?;
    let status = wait_with_limit(&mut child, CHILD_LIMIT)?;
    let output = child.wait_with_output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    match status {
        None => bail!(
            "{} on {} ran longer than {CHILD_LIMIT:?}",
            w.name,
            side.name()
        ),
        Some(s) if !s.success() => bail!(
            "{} on {} failed ({s}): {}",
            w.name,
            side.name(),
            stderr.trim()
        ),
        Some(_) => {}
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let field = |tag: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(tag))
            .with_context(|| format!("{} on {} printed no `{tag}` line", w.name, side.name()))
    };
    let samples: Vec<f64> = field("T ")?
        .split(' ')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    ensure!(
        samples.len() == runs,
        "{} on {}: {} samples, expected {runs}",
        w.name,
        side.name(),
        samples.len()
    );
    let median = report::median(&mut samples.clone());
    Ok(Cell {
        samples,
        median,
        heap_peak: match side {
            Side::Embedding(_) => Some(field("H ")?.parse()?),
            _ => None,
        },
        rss_kib: field("R ")?.parse()?,
        error: None,
    })
}

/// `w` on every side: `opts.processes` child processes per side, started
/// in turn (side 1, side 2, ..., side 1, ...), so that a slow spell of
/// the machine or one process's unlucky code and heap layout falls on
/// every side alike rather than on one. A cell pools its processes'
/// samples; its memory figures are the largest of them.
fn measure_row(opts: &Options, sides: &[Side], w: &Workload, scratch: &Path) -> Result<Vec<Cell>> {
    let mut row: Vec<Result<Cell>> = sides
        .iter()
        .map(|side| {
            prepare(opts, *side, w, scratch).map(|_| Cell {
                samples: Vec::new(),
                median: f64::NAN,
                heap_peak: None,
                rss_kib: 0,
                error: None,
            })
        })
        .collect();
    for _ in 0..opts.processes {
        for (side, cell) in sides.iter().zip(&mut row) {
            let Ok(pooled) = cell else { continue };
            let artifact = scratch.join(format!("{}-{}.cwasm", side.name(), w.name));
            match run_child(opts, *side, w, &artifact) {
                Ok(one) => {
                    pooled.samples.extend(one.samples);
                    pooled.heap_peak = pooled.heap_peak.max(one.heap_peak);
                    pooled.rss_kib = pooled.rss_kib.max(one.rss_kib);
                }
                Err(e) => *cell = Err(e),
            }
        }
    }
    sides
        .iter()
        .zip(row)
        .map(|(side, cell)| match cell {
            Ok(mut cell) => {
                cell.median = report::median(&mut cell.samples.clone());
                Ok(cell)
            }
            Err(e) if side.is_peer() || refused_by_design(*side, w) => {
                eprintln!("bench: {} on {} failed: {e:#}", w.name, side.name());
                Ok(Cell {
                    samples: Vec::new(),
                    median: f64::NAN,
                    heap_peak: None,
                    rss_kib: 0,
                    error: Some(format!("{e:#}")),
                })
            }
            Err(e) => Err(e),
        })
        .collect()
}

/// An embedding mode that refuses the workload as documented (`vm` and
/// `full` cannot load native code in place).
fn refused_by_design(side: Side, w: &Workload) -> bool {
    matches!(side, Side::Embedding(mode) if w.kind.refused_by(mode))
}

pub fn main(opts: &Options) -> Result<i32> {
    ensure!(opts.runs > 0, "--runs must be at least 1");
    ensure!(opts.processes > 0, "--processes must be at least 1");
    let workloads = if opts.only.is_empty() {
        WORKLOADS.iter().collect()
    } else {
        opts.only
            .iter()
            .map(|n| workloads::find(n))
            .collect::<Result<Vec<_>>>()?
    };
    if let (Some(_), Some(arch)) = (&opts.peers, crate::launch::foreign(opts.arch)) {
        bail!(
            "--peers and --arch {}: the interpreter peers are built for x86_64 only",
            crate::arch_name(arch)
        );
    }
    if let Some(peers) = &opts.peers {
        ensure!(
            peers.is_file(),
            "--peers {}: no such file (build host/bench-peers, or use ./build.sh bench)",
            peers.display()
        );
    }
    let sides = Side::for_modes(&opts.modes, opts.peers.is_some());
    let scratch = opts.out.join("bench").join("artifacts");
    std::fs::create_dir_all(&scratch)
        .with_context(|| format!("cannot create {}", scratch.display()))?;
    let mut cells = Vec::new();
    for w in &workloads {
        eprintln!("bench: {} ...", w.name);
        let row = measure_row(opts, &sides, w, &scratch)?;
        cells.push(row);
    }
    std::fs::remove_dir_all(&scratch)
        .with_context(|| format!("cannot remove {}", scratch.display()))?;
    let results = Results {
        arch: opts.arch.unwrap_or(Arch::NATIVE),
        runs: opts.runs,
        processes: opts.processes,
        sides,
        workloads,
        cells,
    };
    report::print(&results);
    if let Some(path) = &opts.json {
        std::fs::write(path, report::json(&results))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(0)
}
