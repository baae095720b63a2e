//! `host run`: one WASI program in a mode's `wasi` build, following `wasmtime
//! run`'s conventions. The parent precompiles (through the cache) and starts
//! a child that loads the embedding and runs the program with the parent's
//! standard streams, so output streams as the guest writes it and the time
//! limit can stop the child.

use super::cases::End;
use super::compile::{ComponentCompiler, Route};
use super::embedded::{self, Ending, Setup};
use super::tree::DirMap;
use crate::embedding::{Embedding, Paths};
use anyhow::{Context, Result, bail};
use embedding_abi::EmbMode;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

pub const USAGE: &str = "\
  host run [--mode M] [--dir HOST_DIR::GUEST_DIR]... [--env NAME=VALUE]... [--fuel N]
           [--timeout SECS] [--write-back] [--argv0 NAME] [--via-adapter] [--out DIR]
           [--platform LIB] PROGRAM.wasm [ARGS...]
      Runs a WASI program in the mode's wasi build (default: full): a
      preview 1 core module on the embedding's own preview 1, a
      wasi:cli/command component on WASI 0.2. --via-adapter runs a preview 1
      module as a component made with Wasmtime's adapter instead. Standard streams
      pass through; the exit status is the guest's. Files the guest changes
      in a --dir are written back to HOST_DIR only with --write-back. --fuel
      bounds the work (default: unlimited), --timeout the wall time;
      --argv0 replaces the program's file name as argv[0].";

/// Exit status when the guest trapped, as `wasmtime run` does (128 + SIGABRT).
pub const EXIT_TRAP: i32 = 134;
/// Exit status when the time limit stopped the guest, as timeout(1) does.
pub const EXIT_TIMEOUT: i32 = 124;

#[derive(Clone, Debug)]
pub struct RunArgs {
    pub mode: EmbMode,
    pub dirs: Vec<String>,
    pub env: Vec<String>,
    pub fuel: u64,
    pub timeout: Option<Duration>,
    pub write_back: bool,
    pub out: PathBuf,
    pub platform: Option<PathBuf>,
    pub program: PathBuf,
    /// `argv[0]`, when not the program's file name.
    pub argv0: Option<String>,
    /// Run a preview 1 module through the adapter and WASI 0.2.
    pub via_adapter: bool,
    pub args: Vec<String>,
    /// Set in the child: the artifact the parent precompiled.
    pub artifact: Option<PathBuf>,
    /// Set in the child by `host guests`: write how the program ended to
    /// this file instead of reporting it on stderr, which is the guest's.
    pub report: Option<PathBuf>,
}

impl RunArgs {
    pub fn parse(args: &[String], out: PathBuf, platform: Option<PathBuf>) -> Result<RunArgs> {
        let mut run = RunArgs {
            mode: EmbMode::Full,
            dirs: Vec::new(),
            env: Vec::new(),
            fuel: u64::MAX,
            timeout: None,
            write_back: false,
            out,
            platform,
            program: PathBuf::new(),
            argv0: None,
            via_adapter: false,
            args: Vec::new(),
            artifact: None,
            report: None,
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = |flag: &str| it.next().with_context(|| format!("{flag} needs a value"));
            match arg.as_str() {
                "--mode" => run.mode = crate::parse_mode(value("--mode")?)?,
                "--dir" => run.dirs.push(value("--dir")?.clone()),
                "--env" => {
                    let var = value("--env")?;
                    if !var.contains('=') || var.starts_with('=') {
                        bail!("--env {var}: expected NAME=VALUE");
                    }
                    run.env.push(var.clone());
                }
                "--fuel" => {
                    let n = value("--fuel")?;
                    run.fuel = n
                        .parse()
                        .with_context(|| format!("--fuel {n}: not a number"))?;
                }
                "--timeout" => {
                    let s = value("--timeout")?;
                    let secs: f64 = s
                        .parse()
                        .with_context(|| format!("--timeout {s}: not a number of seconds"))?;
                    if !(secs > 0.0 && secs.is_finite()) {
                        bail!("--timeout {s}: must be a positive number of seconds");
                    }
                    run.timeout = Some(Duration::from_secs_f64(secs));
                }
                "--write-back" => run.write_back = true,
                "--via-adapter" => run.via_adapter = true,
                "--argv0" => run.argv0 = Some(value("--argv0")?.clone()),
                "--out" => run.out = value("--out")?.into(),
                "--platform" => run.platform = Some(value("--platform")?.into()),
                "--artifact" => run.artifact = Some(value("--artifact")?.into()),
                "--report" => run.report = Some(value("--report")?.into()),
                flag if flag.starts_with('-') => bail!("run: unknown option {flag}"),
                program => {
                    run.program = program.into();
                    run.args = it.cloned().collect();
                    return Ok(run);
                }
            }
        }
        bail!("run: no PROGRAM.wasm given")
    }

    /// `argv` as the guest sees it: the program's file name, then ARGS.
    pub fn argv(&self) -> Vec<String> {
        let name = self.argv0.clone().unwrap_or_else(|| {
            self.program.file_name().map_or_else(
                || self.program.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        });
        std::iter::once(name)
            .chain(self.args.iter().cloned())
            .collect()
    }

    pub fn child_args(&self, artifact: &std::path::Path) -> Vec<String> {
        let mut a = vec![
            "run-program".to_string(),
            "--mode".into(),
            crate::mode_name(self.mode).into(),
        ];
        for d in &self.dirs {
            a.extend(["--dir".into(), d.clone()]);
        }
        for e in &self.env {
            a.extend(["--env".into(), e.clone()]);
        }
        a.extend(["--fuel".into(), self.fuel.to_string()]);
        if self.write_back {
            a.push("--write-back".into());
        }
        if self.via_adapter {
            a.push("--via-adapter".into());
        }
        if let Some(name) = &self.argv0 {
            a.extend(["--argv0".into(), name.clone()]);
        }
        a.extend(["--out".into(), self.out.display().to_string()]);
        if let Some(p) = &self.platform {
            a.extend(["--platform".into(), p.display().to_string()]);
        }
        a.extend(["--artifact".into(), artifact.display().to_string()]);
        if let Some(r) = &self.report {
            a.extend(["--report".into(), r.display().to_string()]);
        }
        a.push(self.program.display().to_string());
        a.extend(self.args.iter().cloned());
        a
    }
}

impl RunArgs {
    /// How the program runs: what it is, unless `--via-adapter` says.
    pub fn route(&self, wasm: &[u8]) -> Result<Route> {
        Ok(if self.via_adapter {
            Route::Adapter
        } else {
            Route::of(wasm)?
        })
    }
}

/// Precompiles `run.program` for its mode (through the cache) and returns
/// the artifact's path.
pub fn prepare(run: &RunArgs) -> Result<PathBuf> {
    let wasm = std::fs::read(&run.program)
        .with_context(|| format!("cannot read {}", run.program.display()))?;
    let route = run.route(&wasm)?;
    let component_model = match route {
        Route::Native => Paths::native_preview1(&run.out, run.mode).1,
        Route::Adapter => true,
    };
    let compiler = ComponentCompiler::for_build(run.mode, component_model)?;
    let path = compiler
        .cached(&run.out, &wasm, route)
        .with_context(|| format!("cannot compile {}", run.program.display()))?;
    Ok(path)
}

/// The parent: check the arguments, precompile, run the child, relay its
/// exit status.
pub fn main(run: &RunArgs) -> Result<i32> {
    // Checked here too, so a bad --dir is reported before any compiling.
    for d in &run.dirs {
        DirMap::parse(d)?;
    }
    let artifact = prepare(run)?;
    let exe = std::env::current_exe().context("cannot find the host executable")?;
    let mut child = Command::new(&exe)
        .args(run.child_args(&artifact))
        .spawn()
        .with_context(|| format!("cannot start {}", exe.display()))?;
    let status = match run.timeout {
        Some(limit) => crate::children::wait_with_limit(&mut child, limit)?,
        None => Some(child.wait()?),
    };
    match status {
        None => {
            eprintln!(
                "host: {} ran longer than --timeout {} s and was stopped",
                run.program.display(),
                run.timeout.unwrap_or_default().as_secs_f64()
            );
            Ok(EXIT_TIMEOUT)
        }
        Some(status) => match (status.code(), status.signal()) {
            (Some(code), _) => Ok(code),
            (None, Some(signal)) => {
                eprintln!("host: the embedding crashed with signal {signal}");
                Ok(128 + signal)
            }
            (None, None) => bail!("the child ended with {status}"),
        },
    }
}

/// The child: run the program in the embedding; exit with its status.
pub fn child(run: &RunArgs) -> Result<i32> {
    let artifact_path = run
        .artifact
        .as_ref()
        .context("run-program needs --artifact")?;
    let artifact = std::fs::read(artifact_path)
        .with_context(|| format!("cannot read {}", artifact_path.display()))?;
    let maps = run
        .dirs
        .iter()
        .map(|d| DirMap::parse(d))
        .collect::<Result<Vec<_>>>()?;
    let trees = maps.iter().map(DirMap::read).collect::<Result<Vec<_>>>()?;
    let wasm = std::fs::read(&run.program)
        .with_context(|| format!("cannot read {}", run.program.display()))?;
    let route = run.route(&wasm)?;
    let paths = match route {
        Route::Native => Paths::native_preview1(&run.out, run.mode).0,
        Route::Adapter => Paths::wasi(&run.out, run.mode),
    };
    let emb = Embedding::load(&paths.with_platform(run.platform.as_deref()), run.mode)?;
    let engine = emb.engine()?;
    let setup = Setup {
        args: &run.argv(),
        env: &run.env,
        trees: &trees,
        fuel: run.fuel,
        yield_interval: 0,
    };
    let cannot_load = || format!("cannot load {}", run.program.display());
    // Declared before the program, so dropped after it.
    let (module, component);
    let mut program = match route {
        Route::Native => {
            module = engine.load(&artifact).with_context(cannot_load)?;
            engine.module_program(&module, &setup)?
        }
        Route::Adapter => {
            component = engine.load_component(&artifact).with_context(cannot_load)?;
            engine.program(&component, &setup)?
        }
    };
    embedded::run(&mut [&mut program])?;
    let ending = program.ending()?;
    if let Some(report) = &run.report {
        let end = match &ending {
            Ending::Exited(code) => End::Exit(*code),
            Ending::Failed(f) if f.is_trap_like() => End::from_trap(f.trap, &f.message),
            Ending::Failed(f) => End::Error(f.message.clone()),
        };
        // The heap's high-water mark goes with it: the proof that a guest's
        // output streams through rather than piling up.
        std::fs::write(
            report,
            format!("{}\nheap-peak {}\n", end.encode(), emb.heap_peak()),
        )
        .with_context(|| format!("cannot write {}", report.display()))?;
    }
    let code = match ending {
        Ending::Exited(code) => code,
        Ending::Failed(_) if run.report.is_some() => EXIT_TRAP,
        Ending::Failed(failure) => {
            let hint = if failure.trap == Some(wasmtime::Trap::OutOfFuel) {
                format!(" (it used all of its --fuel {})", run.fuel)
            } else {
                String::new()
            };
            eprintln!("host: {} failed: {failure}{hint}", run.program.display());
            if failure.is_trap_like() { EXIT_TRAP } else { 1 }
        }
    };
    if run.write_back {
        let guests: Vec<String> = trees.iter().map(|t| t.guest.clone()).collect();
        let after = program.files(&guests)?;
        for ((map, before), after) in maps.iter().zip(&trees).zip(&after) {
            map.write_back(before, after)?;
        }
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::RunArgs;
    use std::path::PathBuf;

    fn parse(args: &[&str]) -> anyhow::Result<RunArgs> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        RunArgs::parse(&args, PathBuf::from("out"), None)
    }

    #[test]
    fn everything_after_the_program_is_the_guests() {
        let run = parse(&[
            "--mode", "vm", "--env", "A=1", "p.wasm", "--mode", "x", "-v",
        ])
        .unwrap();
        assert_eq!(run.program, PathBuf::from("p.wasm"));
        assert_eq!(run.args, ["--mode", "x", "-v"]);
        assert_eq!(run.env, ["A=1"]);
        assert_eq!(run.argv(), ["p.wasm", "--mode", "x", "-v"]);
    }

    #[test]
    fn bad_command_lines_are_errors() {
        assert!(parse(&[]).is_err(), "no program");
        assert!(parse(&["--frobnicate", "p.wasm"]).is_err(), "unknown flag");
        assert!(
            parse(&["--env", "NOEQUALS", "p.wasm"]).is_err(),
            "env without ="
        );
        assert!(
            parse(&["--fuel", "lots", "p.wasm"]).is_err(),
            "fuel not a number"
        );
        assert!(
            parse(&["--timeout", "0", "p.wasm"]).is_err(),
            "zero timeout"
        );
        assert!(
            parse(&["--mode", "turbo", "p.wasm"]).is_err(),
            "unknown mode"
        );
        assert!(parse(&["--dir"]).is_err(), "flag without value");
    }
}
