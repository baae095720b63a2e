//! `host bench`: fixed workloads timed in each mode's embedding and on stock
//! Wasmtime, side by side in one run, reported as medians and ratios.
//!
//! Each (side, workload) pair runs in child processes of its own
//! (`child.rs`; `--processes` of them, default 3). A child loads and
//! instantiates the workload, takes one checked warm-up sample, then
//! `--runs` samples and prints them with its memory figures; the parent
//! pools a pair's samples and takes their median. The reference for every
//! mode is stock Wasmtime with Cranelift on Linux; for `minimal` there is
//! also stock Wasmtime running the same Pulley bytecode with `std` and
//! hardware floats, the fairest comparison for an interpreter.

mod child;
mod embedded;
#[cfg(feature = "compiler")]
mod parent;
#[cfg(feature = "compiler")]
mod report;
mod sides;
mod stock;
mod timing;
mod workloads;

#[cfg(feature = "compiler")]
use {
    embedding_abi::EmbMode, embedding_abi::modes::Arch, sides::Side, std::path::PathBuf,
    workloads::Workload,
};

#[cfg(feature = "compiler")]
pub use parent::main;

pub use child::main as child;

#[cfg(feature = "compiler")]
pub struct Options {
    /// `--arch`: run on that arch's loader-only host, under qemu-user.
    pub arch: Option<Arch>,
    pub out: PathBuf,
    pub modes: Vec<EmbMode>,
    pub runs: usize,
    /// Child processes per (side, workload), each taking `runs` samples.
    pub processes: usize,
    pub json: Option<PathBuf>,
    /// Workload names; empty means all.
    pub only: Vec<String>,
    /// host/bench-peers' binary: adds the interpreter peers beside minimal.
    pub peers: Option<PathBuf>,
}

#[cfg(feature = "compiler")]
/// One workload on one side.
pub struct Cell {
    pub samples: Vec<f64>,
    pub median: f64,
    /// The embedding's heap high-water mark (embedding sides only).
    pub heap_peak: Option<u64>,
    /// The child process's peak resident memory.
    pub rss_kib: u64,
    /// Why an interpreter peer could not run the workload (its figures are
    /// then NaN): a peer lacking a feature is reported, not fatal.
    pub error: Option<String>,
}

#[cfg(feature = "compiler")]
pub struct Results {
    /// The architecture every side ran on.
    pub arch: Arch,
    pub runs: usize,
    pub processes: usize,
    pub sides: Vec<Side>,
    pub workloads: Vec<&'static Workload>,
    /// `cells[workload][side]`.
    pub cells: Vec<Vec<Cell>>,
}

#[cfg(feature = "compiler")]
impl Results {
    pub fn side(&self, side: Side) -> Option<usize> {
        self.sides.iter().position(|s| *s == side)
    }
}
