//! `host run`: every mode in a child process of its own, so one mode's
//! platform hooks (signal handlers, TLS) never meet another's, and a crash or
//! hang in one mode is reported as that mode's failure.

#[cfg(feature = "compiler")]
use crate::artifacts::Compiler;
use crate::cli::Options;
#[cfg(feature = "compiler")]
use crate::embedding::{Embedding, Paths};
#[cfg(feature = "compiler")]
use crate::{bad_input, imports, sample_run, samples};
use crate::{mode_name, where_on};
use anyhow::{Context, Result};
use embedding_abi::EmbMode;
use embedding_abi::modes::Arch;
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;

/// Tallies PASS/FAIL lines.
#[derive(Default)]
pub struct Tally {
    pub passed: usize,
    pub failed: usize,
}

impl Tally {
    pub fn record(&mut self, mode: EmbMode, name: &str, result: Result<String>, verbose: bool) {
        let mode = crate::where_tag(mode);
        match result {
            Ok(detail) => {
                self.passed += 1;
                println!("PASS {mode} {name}");
                if verbose && !detail.is_empty() {
                    println!("    {}", detail.replace('\n', "\n    "));
                }
            }
            Err(e) => {
                self.failed += 1;
                println!(
                    "FAIL {mode} {name}: {}",
                    format!("{e:#}").replace('\n', " | ")
                );
            }
        }
    }
}

#[cfg(feature = "compiler")]
pub fn all_modes(opts: &Options) -> Result<i32> {
    each_mode(opts, "run-mode", "samples")
}

/// Runs `host <child> --mode M ...` for each mode (with the positional
/// arguments), on `opts.arch` (`launch.rs`), relays its PASS/FAIL lines and
/// prints `<label>: N passed, N failed`.
pub fn each_mode(opts: &Options, child_command: &str, label: &str) -> Result<i32> {
    let mut tally = Tally::default();
    for &mode in &opts.modes {
        let name = mode_name(mode);
        let mut cmd = crate::launch::child_command(opts.arch)?;
        cmd.args([child_command, "--mode", name, "--out"])
            .arg(&opts.out)
            .args(&opts.positional);
        if opts.verbose {
            cmd.arg("--verbose");
        }
        if opts.wasi_build {
            cmd.arg("--wasi");
        }
        if let Some(secs) = opts.soak {
            cmd.args(["--soak", &secs.to_string()]);
        }
        if let Some(n) = opts.cycles {
            cmd.args(["--cycles", &n.to_string()]);
        }
        // Through the environment, so that the child's own children (the
        // heap-exhaustion check) load the same platform.
        if let Some(platform) = &opts.platform {
            cmd.env("EMBEDDING_PLATFORM", platform);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {cmd:?}"))?;
        let stdout = child.stdout.take().expect("piped");
        // Lines are relayed by a thread so a hung child can be timed out.
        let relay = std::thread::spawn(move || {
            let mut counts = Tally::default();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                println!("{line}");
                if line.starts_with("PASS ") {
                    counts.passed += 1;
                } else if line.starts_with("FAIL ") {
                    counts.failed += 1;
                }
            }
            counts
        });
        let status = crate::children::wait_with_limit(&mut child, opts.timeout)?;
        let counts = relay.join().expect("relay thread");
        tally.passed += counts.passed;
        tally.failed += counts.failed;
        let problem = match status {
            None => Some(format!("timed out after {} s", opts.timeout.as_secs())),
            Some(s) if s.success() => None,
            Some(s) if s.code() == Some(crate::EXIT_EMBEDDING_PANICKED) => {
                Some("the embedding panicked (message above)".into())
            }
            Some(s) if s.signal().is_some() => {
                Some(format!("crashed with signal {}", s.signal().unwrap_or(0)))
            }
            // Failures were reported line by line already.
            Some(_) if counts.failed > 0 => None,
            Some(s) => Some(format!("exited with {s} without reporting a failure")),
        };
        if let Some(problem) = problem {
            tally.failed += 1;
            let place = where_on(opts.arch.unwrap_or(Arch::NATIVE), mode);
            println!("FAIL {place} run: {problem}");
        }
    }
    println!("{label}: {} passed, {} failed", tally.passed, tally.failed);
    Ok(if tally.failed == 0 { 0 } else { 1 })
}

/// The child's work for one mode.
#[cfg(feature = "compiler")]
pub fn one_mode(mode: EmbMode, opts: &Options) -> Result<i32> {
    let paths =
        Paths::of_build(&opts.out, mode, opts.wasi_build).with_platform(opts.platform.as_deref());
    let mut tally = Tally::default();
    let verbose = opts.verbose;

    let import_check = imports::undefined_symbols(&paths.embedding)
        .and_then(|found| imports::check_for(mode, opts.wasi_build, &found))
        .map(|hooks| hooks.join(" "));
    tally.record(mode, "imports", import_check, verbose);

    let emb = match Embedding::load(&paths, mode) {
        Ok(emb) => emb,
        Err(e) => {
            tally.record(mode, "load", Err(e), verbose);
            return Ok(1);
        }
    };
    let compiler = Compiler::new(mode)?;
    let engine = match emb.engine() {
        Ok(engine) => engine,
        Err(e) => {
            tally.record(mode, "engine", Err(e.into()), verbose);
            return Ok(1);
        }
    };

    let ctx = sample_run::Ctx {
        compiler: &compiler,
        engine: &engine,
    };
    for sample in samples::all() {
        let result = sample_run::run(&ctx, &sample).map(|()| String::new());
        tally.record(mode, sample.name, result, verbose);
    }
    let ctx = bad_input::Ctx {
        mode,
        out: &opts.out,
        wasi_build: opts.wasi_build,
        compiler: &compiler,
        engine: &engine,
    };
    let mode_cases = match mode {
        EmbMode::Minimal => bad_input::MINIMAL_CASES.to_vec(),
        EmbMode::Small => [bad_input::MINIMAL_CASES, bad_input::SMALL_CASES].concat(),
        _ => Vec::new(),
    };
    for (name, case) in bad_input::CASES.iter().chain(&mode_cases) {
        tally.record(mode, name, case(&ctx), verbose);
    }
    if verbose {
        println!(
            "    heap: {} of {} bytes in use, peak {}",
            emb.heap_used(),
            emb.heap_size(),
            emb.heap_peak()
        );
    }
    Ok(if tally.failed == 0 { 0 } else { 1 })
}
