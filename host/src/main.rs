//! The host: a Linux program that precompiles WebAssembly for the embedding's
//! modes, checks and loads the embedding, and runs its samples.
//!
//! ```text
//! host samples [--out DIR] [--mode M]... [--timeout SECS] [--verbose]
//! host reliability [--out DIR] [--mode M]... [CHECK]...
//! host reliability --soak SECONDS [--out DIR] [--mode M]...
//! host run [--mode M] [--dir H::G]... [--env N=V]... [--fuel N] PROGRAM.wasm [ARGS...]
//! host guests [--mode M]... [CASE]...
//! host wasi-testsuite [--mode M|stock]... [--suite DIR] [--filter SUBSTR]
//! host imports --mode M [--out DIR]
//! host precompile --mode M INPUT.wat|wasm OUTPUT.cwasm
//! host port-samples --mode M OUTPUT.c
//! host platform-check --platform FILE.c|LIB.so [--timeout SECS]
//! host bench [--mode M]... [--runs N] [--processes P] [--json FILE] [WORKLOAD]...
//! host conformance [--mode M]... [--json FILE] [--jobs N] [--timeout SECS] [PATH]...
//! host fuzz [--mode M]... --seconds N [--seed S] | --mode M --replay FILE.wasm
//! ```

// The loader-only build compiles a subset of what the shared modules offer
// (no parents, no sealing, no reports); their dead code is linted in the
// full build, where all of it is used.
#![cfg_attr(not(feature = "compiler"), allow(dead_code))]

// Without the `compiler` feature the host is loader-only (another
// architecture's, under qemu-user): the children of `reliability`, `fuzz`
// and `bench`, and nothing that compiles, parses text or needs WASI.
mod artifacts;
#[cfg(feature = "compiler")]
mod bad_input;
mod bench;
mod cli;
mod compile_service;
#[cfg(feature = "compiler")]
mod conformance;
#[cfg(all(test, feature = "compiler"))]
mod docs_drift;
mod embedding;
mod envelope;
mod epoch_signal;
mod fuzz;
#[cfg(feature = "compiler")]
mod imports;
mod in_place;
mod interrupt;
mod launch;
mod limits;
#[cfg(feature = "compiler")]
mod port_samples;
mod reliability;
mod run;
#[cfg(feature = "compiler")]
mod sample_run;
#[cfg(feature = "compiler")]
mod samples;
mod soak;
mod threads;
mod values;
#[cfg(feature = "compiler")]
mod wasi;

// Time limits for child processes live with the checker, which is built
// without the host for other architectures and needs them too.
use platform_check::children;

use embedding_abi::EmbMode;
use embedding_abi::modes::Arch;

/// Exit status of a process whose embedding panicked (see `embedding.rs`).
pub const EXIT_EMBEDDING_PANICKED: i32 = 70;

/// The modes a command runs when given no `--mode`. `small`
/// (docs/footprint.md) runs only when named: it is `minimal` built for size.
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

pub fn arch_name(arch: Arch) -> &'static str {
    match arch {
        Arch::X86_64 => "x86_64",
        Arch::Aarch64 => "aarch64",
        Arch::Riscv64 => "riscv64",
        Arch::Riscv32 => "riscv32",
        Arch::Thumbv7em => "thumbv7em",
    }
}

/// The architecture a `--arch` names.
pub fn parse_arch(name: &str) -> anyhow::Result<Arch> {
    Ok(match name {
        "x86_64" => Arch::X86_64,
        "aarch64" => Arch::Aarch64,
        "riscv64" => Arch::Riscv64,
        "riscv32" => Arch::Riscv32,
        "thumbv7em" => Arch::Thumbv7em,
        other => {
            anyhow::bail!("--arch {other}: expected x86_64, aarch64, riscv64, riscv32 or thumbv7em")
        }
    })
}

/// Refuses a 32-bit microcontroller arch for `command`, which needs a Linux
/// loader host of that arch: none exists (the microcontroller ports run
/// their samples under QEMU themselves, ports/mcu), and Wasmtime has no
/// epoch interruption there, which conformance, reliability and bench arm.
pub fn refuse_mcu_arch(command: &str, arch: Option<Arch>) -> anyhow::Result<()> {
    match arch {
        Some(arch) if arch.is_32_bit() => anyhow::bail!(
            "--arch {}: `{command}` needs a Linux loader host of that arch and epoch \
             interruption, and a 32-bit microcontroller has neither (no 64-bit atomics, so \
             Wasmtime has no epochs there); only precompile and port-samples take it, and \
             ports/mcu runs the samples under QEMU",
            arch_name(arch)
        ),
        _ => Ok(()),
    }
}

/// The `<where>` of a PASS/FAIL line for `mode` on `arch`: the mode alone
/// on x86_64, `<arch>/<mode>` on another architecture.
pub fn where_on(arch: Arch, mode: EmbMode) -> String {
    match arch {
        Arch::X86_64 => mode_name(mode).to_string(),
        other => format!("{}/{}", arch_name(other), mode_name(mode)),
    }
}

/// [`where_on`] this process's architecture.
pub fn where_tag(mode: EmbMode) -> String {
    where_on(Arch::NATIVE, mode)
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
