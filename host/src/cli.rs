//! Command-line parsing and dispatch.

#[cfg(feature = "compiler")]
use crate::artifacts::Compiler;
use crate::parse_mode;
#[cfg(feature = "compiler")]
use crate::{imports, run};
use anyhow::{Context, Result, bail};
use embedding_abi::EmbMode;
use embedding_abi::modes::Arch;
use std::path::PathBuf;
use std::time::Duration;

const USAGE_HEAD: &str = "usage:";
const USAGE: &str = "\
  host samples [--out DIR] [--mode M]... [--wasi] [--timeout SECS] [--verbose] [--platform LIB]
      Runs the samples and bad-input checks of each mode (default: all) in a
      child process per mode; prints PASS/FAIL lines and a summary. LIB
      replaces the mode's libwasmtime-platform.so (default $EMBEDDING_PLATFORM).
      --wasi runs them on the mode's build with WASI (DIR/<mode>-wasi), whose
      imports are checked as that build's.
  host reliability [--out DIR] [--mode M]... [--arch A] [--cycles N] [--timeout SECS] [CHECK]...
      The reliability checks of each mode (default: all modes, all checks)
      in a child process per mode and check: envelope, envelope-component
      (artifact mutation tests), limits (per-store resource limits), leak
      (heap back to its baseline after 10,000 instantiate/drop cycles),
      threads (8 threads sharing one engine and its modules), interrupt
      (runaway guests stopped by the epoch from another thread, and by fuel).
      --arch aarch64|riscv64: the children are that arch's loader-only host
      under qemu-user (./build.sh --arch A) on DIR/<arch>/, compiling through
      this one; envelope-component is reported skipped there (no wasi build).
      --cycles N runs the leak check with N cycles instead of 10,000.
  host reliability --soak SECONDS [--out DIR] [--mode M]...
      Mixes all of those for SECONDS in each mode (threads, traps, epoch
      interruptions, fuel exhaustion, limits, damaged artifacts, load and
      drop cycles), checks every result and that the heap returns to its
      baseline; prints counts per kind. --timeout defaults to SECONDS + 120.
  host platform-check --platform FILE.c|LIB.so [--timeout SECS] [--out DIR]
      Contract tests for every platform hook the file implements, each in a
      child limited to SECS (default 10); then, if all pass, the samples of
      every mode it supports. See docs/PORTING.md.
  host imports --mode M [--out DIR]
      Checks the embedding's undefined symbols against the mode's hooks.
  host precompile --mode M [--arch x86_64|aarch64|riscv64|riscv32|thumbv7em] INPUT OUTPUT
      Compiles a .wat or .wasm file into an artifact for the mode (and, for
      vm and full, the architecture; default x86_64).
  host port-samples --mode M [--arch x86_64|aarch64|riscv64|riscv32|thumbv7em] [--skip NAME]... OUTPUT.c
      Writes the samples as C for a bare-metal port: each module
      precompiled for the mode and the port's architecture (default
      x86_64; only vm and full generate native code), and the steps with
      their expected results (see ports/qemu-virt/sample_table.h).
  host bench [--mode M]... [--arch A] [--runs N] [--processes P] [--json FILE] [--peers BIN] [WORKLOAD]...
      Times fixed workloads (default: all) in each mode's embedding and on
      stock Wasmtime (native, and Pulley for minimal), side by side, in
      child processes: compute, calls both ways, instantiation, memory.grow,
      artifact loading. Each side runs in P processes (default 3), taken in
      turn across the sides, of N samples each (default 11); medians of the
      P x N samples, ratios to stock
      native, the embedding's peak heap, peak resident memory, the goals of
      docs/benchmark.md; FILE gets all of it as JSON. --arch aarch64|riscv64: every
      side on that arch under qemu-user (its loader-only host, DIR/<arch>/),
      precompiled here for it; compare ratios, not times.
  host conformance [--mode M]... [--arch A] [--json FILE] [--jobs N] [--timeout SECS] [--platform LIB] [PATH]...
      Runs the spec testsuite's .wast scripts (PATH: directories or files;
      default $WASM_TESTSUITE, else ../shared/testsuite) in the embedding of
      each mode and on stock Wasmtime, and compares them directive by
      directive. --timeout limits each script (default 300 s). --platform
      runs the embedding on another platform library (e.g. your port).
      --arch aarch64|riscv64 runs the embedding on that arch under
      qemu-user instead (out/<arch>/, cross/build.sh); stock Wasmtime, the
      reference, stays on x86_64.

  host cold-start [--mode M]... [--runs N]
      Times a fresh process from a precompiled hello-world component to its
      first line of output, in each mode's wasi build and on stock Wasmtime
      with wasmtime-wasi, side by side; medians of N runs (default 11).
  host guests [--out DIR] [--mode M]... [--guests DIR] [CASE]...
      Runs the WASI guests of guests/cases/ (built into DIR/guests by
      guests/build.sh) in each mode's wasi build and on stock Wasmtime with
      wasmtime-wasi, and compares stdout, stderr, exit status and files.

DIR defaults to $EMBEDDING_OUT, else the out/ directory build.sh writes.";

#[cfg(feature = "compiler")]
fn usage() -> String {
    format!(
        "{USAGE_HEAD}\n{}\n{}\n{}\n{USAGE}",
        crate::wasi::run::USAGE,
        crate::wasi::testsuite::USAGE,
        crate::fuzz::USAGE
    )
}

/// The loader-only build runs only as a child of the x86_64 host.
#[cfg(not(feature = "compiler"))]
fn usage() -> String {
    format!(
        "{USAGE_HEAD}\n  This host is loader-only (built without the `compiler` feature, for \
         another architecture): it runs the children of `host reliability|fuzz|bench --arch A`, \
         which the x86_64 host starts under qemu-user. See docs/architectures.md.\n\n{USAGE}"
    )
}

/// Options shared by the subcommands.
pub struct Options {
    pub out: PathBuf,
    pub modes: Vec<EmbMode>,
    pub timeout: Duration,
    pub verbose: bool,
    pub json: Option<PathBuf>,
    pub jobs: usize,
    pub runs: usize,
    /// `bench --processes P`.
    pub processes: Option<usize>,
    pub side: Option<String>,
    pub positional: Vec<String>,
    pub platform: Option<PathBuf>,
    pub guests: Option<PathBuf>,
    pub arch: Option<Arch>,
    /// `reliability --soak SECONDS`.
    pub soak: Option<u64>,
    /// `reliability --cycles N`: the leak check's cycles.
    pub cycles: Option<usize>,
    pub peers: Option<PathBuf>,
    /// `samples --wasi`: the mode's build with WASI (`out/<mode>-wasi`),
    /// checked against that build's imports, instead of the one without.
    pub wasi_build: bool,
    /// `port-samples --skip NAME`: samples left out of a port's table.
    pub skips: Vec<String>,
}

fn default_out() -> PathBuf {
    match std::env::var_os("EMBEDDING_OUT") {
        Some(dir) => dir.into(),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../out")),
    }
}

fn parse(args: &[String]) -> Result<Options> {
    let mut opts = Options {
        out: default_out(),
        modes: Vec::new(),
        timeout: Duration::from_secs(300),
        verbose: false,
        json: None,
        jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
        runs: 11,
        processes: None,
        side: None,
        positional: Vec::new(),
        platform: std::env::var_os("EMBEDDING_PLATFORM").map(PathBuf::from),
        guests: None,
        arch: None,
        soak: None,
        cycles: None,
        peers: None,
        wasi_build: false,
        skips: Vec::new(),
    };
    let mut timeout_given = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| it.next().with_context(|| format!("{flag} needs a value"));
        match arg.as_str() {
            "--out" => opts.out = value("--out")?.into(),
            "--platform" => opts.platform = Some(value("--platform")?.into()),
            "--mode" => opts.modes.push(parse_mode(value("--mode")?)?),
            "--timeout" => {
                timeout_given = true;
                let secs = value("--timeout")?;
                opts.timeout = Duration::from_secs(
                    secs.parse()
                        .with_context(|| format!("--timeout {secs}: not a number of seconds"))?,
                );
            }
            "--verbose" | "-v" => opts.verbose = true,
            "--wasi" => opts.wasi_build = true,
            "--json" => opts.json = Some(value("--json")?.into()),
            "--side" => opts.side = Some(value("--side")?.clone()),
            "--runs" => {
                let n = value("--runs")?;
                opts.runs = n
                    .parse()
                    .with_context(|| format!("--runs {n}: not a number"))?;
            }
            "--processes" => {
                let n = value("--processes")?;
                let n: usize = n
                    .parse()
                    .with_context(|| format!("--processes {n}: not a number"))?;
                if n == 0 {
                    bail!("--processes 0: give at least one process per side");
                }
                opts.processes = Some(n);
            }
            "--jobs" => {
                let n = value("--jobs")?;
                opts.jobs = n
                    .parse()
                    .with_context(|| format!("--jobs {n}: not a number"))?;
            }
            "--soak" => {
                let secs = value("--soak")?;
                let secs: u64 = secs
                    .parse()
                    .with_context(|| format!("--soak {secs}: not a number of seconds"))?;
                if secs == 0 {
                    bail!("--soak 0: give a duration of at least one second");
                }
                opts.soak = Some(secs);
            }
            "--cycles" => {
                let n = value("--cycles")?;
                let n: usize = n
                    .parse()
                    .with_context(|| format!("--cycles {n}: not a number"))?;
                if n == 0 {
                    bail!("--cycles 0: give at least one cycle");
                }
                opts.cycles = Some(n);
            }
            "--guests" => opts.guests = Some(value("--guests")?.into()),
            "--skip" => opts.skips.push(value("--skip")?.clone()),
            "--peers" => opts.peers = Some(value("--peers")?.into()),
            "--arch" => opts.arch = Some(crate::parse_arch(value("--arch")?)?),
            flag if flag.starts_with('-') => bail!("unknown option {flag}\n{}", usage()),
            _ => opts.positional.push(arg.clone()),
        }
    }
    // A soak outlives the default limit on a child.
    if let (Some(secs), false) = (opts.soak, timeout_given) {
        opts.timeout = Duration::from_secs(secs + 120);
    }
    Ok(opts)
}

fn one_mode(opts: &Options) -> Result<EmbMode> {
    match opts.modes[..] {
        [mode] => Ok(mode),
        _ => bail!("give exactly one --mode"),
    }
}

/// Runs the command; returns the process exit status.
pub fn main(args: &[String]) -> Result<i32> {
    let Some((command, rest)) = args.split_first() else {
        println!("{}", usage());
        return Ok(2);
    };
    // `run` passes everything after the program to the guest, so it has a
    // parser of its own.
    #[cfg(feature = "compiler")]
    if command == "run" || command == "run-program" {
        let platform = std::env::var_os("EMBEDDING_PLATFORM").map(PathBuf::from);
        let run = crate::wasi::run::RunArgs::parse(rest, default_out(), platform)?;
        return if command == "run" {
            crate::wasi::run::main(&run)
        } else {
            crate::wasi::run::child(&run)
        };
    }
    // `wasi-testsuite` has flags of its own (`--mode stock`, `--suite`);
    // `wasi-testsuite-stock` is its child on stock Wasmtime.
    #[cfg(feature = "compiler")]
    match command.as_str() {
        "wasi-testsuite" => {
            let suite = std::env::var_os("WASI_TESTSUITE").map(PathBuf::from);
            let opts = crate::wasi::testsuite::Options::parse(rest, default_out(), suite)?;
            return crate::wasi::testsuite::main(&opts);
        }
        "wasi-testsuite-stock" => return crate::wasi::testsuite::stock_child(rest),
        _ => {}
    }
    // `fuzz` has flags of its own; `fuzz-mode` is its per-mode child.
    if command == "fuzz" || command == "fuzz-mode" {
        return crate::fuzz::main(rest, default_out(), command == "fuzz-mode");
    }
    // The x86_64 side of a loader-only child's compiles.
    #[cfg(feature = "compiler")]
    if command == "compile-server" {
        let opts = parse(rest)?;
        let arch = opts
            .arch
            .context("compile-server needs --arch (the loader-only host's)")?;
        crate::refuse_mcu_arch(command, Some(arch))?;
        return crate::compile_service::server::main(arch);
    }
    let mut opts = parse(rest)?;
    refuse_unread(command, &opts)?;
    // Another arch's children run its loader-only host on its embeddings.
    if let (Some(arch), "reliability" | "bench") =
        (crate::launch::foreign(opts.arch), command.as_str())
    {
        if opts.platform.is_some() {
            bail!("--platform and --arch: the platform of another arch is out/<arch>/<mode>/");
        }
        // (bench reads the workloads from DIR and passes DIR/<arch> on.)
        if command == "reliability" {
            opts.out = crate::launch::out_dir(&opts.out, Some(arch));
        }
    }
    dispatch(command, opts, rest)
}

/// Refuses what `command` would otherwise ignore: operands of a command
/// that takes none, and flags that only other commands read.
fn refuse_unread(command: &str, opts: &Options) -> Result<()> {
    // Commands that take no operands refuse them rather than ignore them.
    const NO_OPERANDS: &[&str] = &[
        "samples",
        "run-mode",
        "exhaust-heap",
        "imports",
        "cold-start",
        "interleave",
    ];
    if let (true, Some(extra)) = (NO_OPERANDS.contains(&command), opts.positional.first()) {
        bail!(
            "{command} takes no operands, but was given `{extra}`\n{}",
            usage()
        );
    }
    if opts.wasi_build && !["samples", "run-mode", "exhaust-heap"].contains(&command) {
        bail!("--wasi belongs to `host samples`, not `{command}`");
    }
    if opts.soak.is_some() && !command.starts_with("reliability") {
        bail!("--soak belongs to `host reliability`, not `{command}`");
    }
    if opts.cycles.is_some() && !command.starts_with("reliability") {
        bail!("--cycles belongs to `host reliability leak`, not `{command}`");
    }
    // Flags that only some commands read are refused elsewhere, so that
    // none is silently ignored (`host samples --arch aarch64` would not
    // run aarch64's samples).
    const ARCH_COMMANDS: &[&str] = &[
        "precompile",
        "port-samples",
        "conformance",
        "reliability",
        "bench",
    ];
    if opts.arch.is_some() && !ARCH_COMMANDS.contains(&command) {
        bail!(
            "--arch is not an option of `{command}` (only of precompile, port-samples, \
             conformance, reliability, bench and fuzz)"
        );
    }
    if !matches!(command, "precompile" | "port-samples") {
        crate::refuse_mcu_arch(command, opts.arch)?;
    }
    if !opts.skips.is_empty() && command != "port-samples" {
        bail!("--skip belongs to `host port-samples`, not `{command}`");
    }
    if opts.processes.is_some() && command != "bench" {
        bail!("--processes belongs to `host bench`, not `{command}`");
    }
    if opts.peers.is_some() && command != "bench" {
        bail!("--peers belongs to `host bench`, not `{command}`");
    }
    Ok(())
}

/// The commands of the loader-only build: the children that the x86_64
/// host starts under qemu-user.
#[cfg(not(feature = "compiler"))]
fn dispatch(command: &str, opts: Options, _rest: &[String]) -> Result<i32> {
    match command {
        "reliability-mode" => crate::reliability::one_mode(one_mode(&opts)?, &opts),
        "bench-side" => {
            let (Some(side), [workload, artifact]) = (&opts.side, &opts.positional[..]) else {
                bail!("bench-side needs --side, a workload and its artifact");
            };
            crate::bench::child(side, workload, artifact.as_ref(), &opts.out, opts.runs)
        }
        "help" | "--help" | "-h" => {
            println!("{}", usage());
            Ok(0)
        }
        other => bail!(
            "`{other}` is not a command of this loader-only host\n{}",
            usage()
        ),
    }
}

#[cfg(feature = "compiler")]
fn dispatch(command: &str, mut opts: Options, rest: &[String]) -> Result<i32> {
    match command {
        "guests" => {
            if opts.modes.is_empty() {
                opts.modes = crate::MODES.to_vec();
            }
            let guests = opts.guests.clone().unwrap_or_else(|| {
                PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../guests"))
            });
            crate::wasi::guests::main(&crate::wasi::guests::Options {
                out: opts.out.clone(),
                modes: opts.modes.clone(),
                guests,
                only: opts.positional.clone(),
            })
        }
        "cold-start" => {
            if opts.modes.is_empty() {
                opts.modes = crate::MODES.to_vec();
            }
            crate::wasi::cold_start::main(&opts.out, &opts.modes, opts.runs)
        }
        // The stock side's child of `cold-start`.
        "cold-start-stock" => {
            let [artifact] = &opts.positional[..] else {
                bail!("cold-start-stock needs one artifact");
            };
            crate::wasi::cold_start::stock_child(artifact.as_ref())
        }
        // The child of the `interleave` check.
        "interleave" => crate::wasi::checks::interleave_child(one_mode(&opts)?, &opts.out),
        "samples" => {
            if opts.modes.is_empty() {
                opts.modes = crate::MODES.to_vec();
            }
            run::all_modes(&opts)
        }
        // The child process `run` starts for each mode.
        "run-mode" => run::one_mode(one_mode(&opts)?, &opts),
        "reliability" => {
            if opts.modes.is_empty() {
                opts.modes = crate::MODES.to_vec();
            }
            let mut status = 0;
            for check in crate::reliability::selected(&opts)? {
                if let Some(why) = crate::reliability::unavailable(&check, opts.arch) {
                    for &mode in &opts.modes {
                        let place = crate::where_on(opts.arch.unwrap_or(Arch::NATIVE), mode);
                        println!("skip {place} {check}: {why}");
                    }
                    println!(
                        "reliability {check}: 0 passed, 0 failed, {} skipped",
                        opts.modes.len()
                    );
                    continue;
                }
                opts.positional = vec![check.clone()];
                let label = format!("reliability {check}");
                status = status.max(run::each_mode(&opts, "reliability-mode", &label)?);
            }
            Ok(status)
        }
        "reliability-mode" => crate::reliability::one_mode(one_mode(&opts)?, &opts),
        // The child process of the heap-exhaustion check.
        "exhaust-heap" => {
            let mode = one_mode(&opts)?;
            let emb = crate::embedding::Embedding::load(
                &crate::embedding::Paths::of_build(&opts.out, mode, opts.wasi_build)
                    .with_platform(opts.platform.as_deref()),
                mode,
            )?;
            crate::bad_input::exhaust_heap(&emb, &Compiler::new(mode)?)?;
            Ok(1)
        }
        "imports" => {
            let mode = one_mode(&opts)?;
            let path = crate::embedding::Paths::in_dir(&opts.out, mode).embedding;
            let hooks = imports::check(mode, &imports::undefined_symbols(&path)?)?;
            println!("{}: {}", path.display(), hooks.join(" "));
            Ok(0)
        }
        "precompile" => {
            let mode = one_mode(&opts)?;
            let [input, output] = &opts.positional[..] else {
                bail!("precompile needs INPUT and OUTPUT");
            };
            let wasm = std::fs::read(input).with_context(|| format!("cannot read {input}"))?;
            let artifact = Compiler::for_arch(mode, opts.arch.unwrap_or(Arch::NATIVE))?
                .precompile(&wasm)
                .with_context(|| format!("cannot compile {input}"))?;
            std::fs::write(output, artifact).with_context(|| format!("cannot write {output}"))?;
            Ok(0)
        }
        "port-samples" => {
            let mode = one_mode(&opts)?;
            let [output] = &opts.positional[..] else {
                bail!("port-samples needs OUTPUT.c");
            };
            let arch = opts.arch.unwrap_or(Arch::NATIVE);
            let source = crate::port_samples::generate(mode, arch, &opts.skips)?;
            std::fs::write(output, source).with_context(|| format!("cannot write {output}"))?;
            Ok(0)
        }
        "bench" => {
            if opts.modes.is_empty() {
                opts.modes = crate::MODES.to_vec();
            }
            crate::bench::main(&crate::bench::Options {
                arch: opts.arch,
                out: opts.out.clone(),
                modes: opts.modes.clone(),
                runs: opts.runs,
                processes: opts.processes.unwrap_or(3),
                json: opts.json.clone(),
                only: opts.positional.clone(),
                peers: opts.peers.clone(),
            })
        }
        // The child process of `bench`, one per side and workload.
        "bench-side" => {
            let (Some(side), [workload, artifact]) = (&opts.side, &opts.positional[..]) else {
                bail!("bench-side needs --side, a workload and its artifact");
            };
            crate::bench::child(side, workload, artifact.as_ref(), &opts.out, opts.runs)
        }
        "conformance" => {
            if opts.modes.is_empty() {
                opts.modes = crate::MODES.to_vec();
            }
            crate::conformance::main(&crate::conformance::Options {
                out: opts.out.clone(),
                modes: opts.modes.clone(),
                inputs: opts.positional.iter().map(PathBuf::from).collect(),
                json: opts.json.clone(),
                jobs: opts.jobs,
                timeout: opts.timeout,
                platform: opts.platform.clone(),
                // x86_64 runs in-process, whether named or not.
                arch: opts.arch.filter(|a| *a != Arch::X86_64),
            })
        }
        // The child process of `conformance`, one per script and side.
        "conformance-script" => {
            let (Some(side), [script]) = (&opts.side, &opts.positional[..]) else {
                bail!("conformance-script needs --side and one script");
            };
            crate::conformance::child(side, &opts.out, opts.platform.as_deref(), script.as_ref())
        }
        "platform-check" => platform_check::main(
            rest,
            platform_check::Samples::Host(
                std::env::current_exe().context("cannot find the host executable")?,
            ),
        ),
        // The child process of `platform-check`, one per rule.
        "platform-probe" => platform_check::child(&opts.positional),
        "help" | "--help" | "-h" => {
            println!("{}", usage());
            Ok(0)
        }
        other => bail!("unknown command `{other}`\n{}", usage()),
    }
}

#[cfg(test)]
mod tests {
    use super::{parse, refuse_unread};

    fn refusal(command: &str, flags: &[&str]) -> Option<String> {
        let flags: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
        let opts = parse(&flags).expect("the flags parse");
        refuse_unread(command, &opts).err().map(|e| e.to_string())
    }

    #[test]
    fn flags_only_other_commands_read_are_refused() {
        for (command, flags, says) in [
            (
                "samples",
                &["--arch", "aarch64"][..],
                "--arch is not an option of `samples`",
            ),
            (
                "guests",
                &["--arch", "riscv64"],
                "--arch is not an option of `guests`",
            ),
            (
                "samples",
                &["--peers", "bench-peers"],
                "--peers belongs to `host bench`",
            ),
            (
                "conformance",
                &["--peers", "bench-peers"],
                "--peers belongs to `host bench`",
            ),
            (
                "samples",
                &["--soak", "5"],
                "--soak belongs to `host reliability`",
            ),
            (
                "conformance",
                &["--processes", "2"],
                "--processes belongs to `host bench`",
            ),
            (
                "bench",
                &["--cycles", "20"],
                "--cycles belongs to `host reliability leak`",
            ),
            (
                "samples",
                &["extra"],
                "samples takes no operands, but was given `extra`",
            ),
            (
                "guests",
                &["--wasi"],
                "--wasi belongs to `host samples`, not `guests`",
            ),
            // The microcontroller arches have no loader host and no epochs.
            (
                "conformance",
                &["--arch", "riscv32"],
                "--arch riscv32: `conformance` needs a Linux loader host of that arch and epoch",
            ),
            (
                "bench",
                &["--arch", "thumbv7em"],
                "no 64-bit atomics, so Wasmtime has no epochs there",
            ),
            (
                "reliability",
                &["--arch", "thumbv7em"],
                "--arch thumbv7em: `reliability` needs",
            ),
        ] {
            let got = refusal(command, flags);
            assert!(
                got.as_deref().is_some_and(|e| e.contains(says)),
                "{command} {flags:?}: expected a refusal saying {says:?}, got {got:?}"
            );
        }
    }

    #[test]
    fn flags_their_commands_read_are_accepted() {
        for (command, flags) in [
            ("conformance", &["--arch", "riscv64"][..]),
            ("reliability", &["--arch", "aarch64", "--cycles", "20"]),
            ("bench", &["--arch", "aarch64", "--peers", "bench-peers"]),
            ("precompile", &["--arch", "riscv64", "in.wat", "out.cwasm"]),
            ("precompile", &["--arch", "riscv32", "in.wat", "out.cwasm"]),
            ("port-samples", &["--arch", "thumbv7em", "out.c"]),
            ("reliability", &["--soak", "5"]),
            ("samples", &["--wasi"]),
            ("exhaust-heap", &["--wasi"]),
        ] {
            assert_eq!(refusal(command, flags), None, "{command} {flags:?}");
        }
    }
}
