//! The host: a Linux program that precompiles WebAssembly for the embedding's
//! modes, checks and loads the embedding, and runs its samples.
//!
//! ```text
//! host samples [--out DIR] [--mode M]... [--timeout SECS] [--verbose]
//! host reliability [--out DIR] [--mode M]... [CHECK]...
//! host reliability --soak SECONDS [--out DIR] [--mode M]...
//! host run [--mode M] [--dir H::G]... [--env N=V]... [--fuel N] PROGRAM.wasm [ARGS...]
//! host guests [--mode M]... [CASE]...
//! host imports --mode M [--out DIR]
//! host precompile --mode M INPUT.wat|wasm OUTPUT.cwasm
//! host port-samples --mode M OUTPUT.c
//! host platform-check --platform FILE.c|LIB.so [--timeout SECS]
//! host bench [--mode M]... [--runs N] [--json FILE] [WORKLOAD]...
//! host conformance [--mode M]... [--json FILE] [--jobs N] [--timeout SECS] [PATH]...
//! host fuzz [--mode M]... --seconds N [--seed S] | --mode M --replay FILE.wasm
//! ```

mod artifacts;
mod bad_input;
mod bench;
mod cli;
mod conformance;
mod embedding;
mod envelope;
mod epoch_signal;
mod fuzz;
mod imports;
mod in_place;
mod interrupt;
mod limits;
mod port_samples;
mod reliability;
mod run;
mod sample_run;
mod samples;
mod soak;
mod threads;
mod values;
mod wasi;

// Time limits for child processes live with the checker, which is built
// without the host for other architectures and needs them too.
use platform_check::children;

use embedding_abi::EmbMode;

/// Exit status of a process whose embedding panicked (see `embedding.rs`).
pub const EXIT_EMBEDDING_PANICKED: i32 = 70;

/// The modes a command runs when given no `--mode`. `small` (README,
/// "Footprint") runs only when named: it is `minimal` built for size.
pub const MODES: [EmbMode; 3] = [EmbMode::Minimal, EmbMode::Vm, EmbMode::Full];

/// Every mode `--mode` accepts.
pub const ALL_MODES: [EmbMode; 4] = [EmbMode::Minimal, EmbMode::Vm, EmbMode::Full, EmbMode::Small];

pub fn mode_name(mode: EmbMode) -> &'static str {
    match mode {
        EmbMode::Minimal => "minimal",
        EmbMode::Vm => "vm",
        EmbMode::Full => "full",
        EmbMode::Small => "small",
    }
}

pub fn parse_mode(name: &str) -> anyhow::Result<EmbMode> {
    ALL_MODES
        .into_iter()
        .find(|m| mode_name(*m) == name)
        .ok_or_else(|| {
            anyhow::anyhow!("unknown mode `{name}` (expected minimal, vm, full or small)")
        })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match cli::main(&args) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("host: error: {e:#}");
            std::process::exit(2);
        }
    }
}
