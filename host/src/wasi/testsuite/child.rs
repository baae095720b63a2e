//! One test in one child process: the embedding's side is `host run`
//! itself, so a test takes exactly the route `host run` takes for that
//! program (whatever routing it does now or later); stock Wasmtime's side
//! is `host wasi-testsuite-stock`, which runs the preview 1 module natively
//! with wasmtime-wasi, as `wasmtime run` does. Each run gets a fresh copy
//! of the test's root directory, its output in files, and a time limit.

use super::spec::Run;
use super::verdict::{Ending, Observed};
use crate::wasi::run::{EXIT_TIMEOUT, RunArgs};
use anyhow::{Context, Result};
use embedding_abi::EmbMode;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Which runtime a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Stock,
    Mode(EmbMode),
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Stock => "stock",
            Side::Mode(mode) => crate::mode_name(mode),
        }
    }
}

/// Beyond the guest's own limit: compiling the program (Cranelift, or
/// adapting it into a component first) before it starts.
const COMPILE_ALLOWANCE: Duration = Duration::from_secs(120);

/// What every run shares.
pub struct Launcher {
    pub exe: PathBuf,
    pub out: PathBuf,
    /// The guest's wall-clock limit.
    pub timeout: Duration,
}

static SCRATCH: AtomicUsize = AtomicUsize::new(0);

impl Launcher {
    /// Runs `wasm` as `run` says on `side`.
    pub fn run(&self, side: Side, wasm: &Path, run: &Run) -> Result<Observed> {
        let scratch = std::env::temp_dir().join(format!(
            "host-wasi-testsuite-{}-{}",
            std::process::id(),
            SCRATCH.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&scratch)
            .with_context(|| format!("cannot create {}", scratch.display()))?;
        let result = self.run_in(side, wasm, run, &scratch);
        // Removed whatever happened; a guest may have left files read-only.
        make_writable(&scratch);
        std::fs::remove_dir_all(&scratch).ok();
        result
    }

    fn run_in(&self, side: Side, wasm: &Path, run: &Run, scratch: &Path) -> Result<Observed> {
        let mut args = match side {
            Side::Stock => vec!["wasi-testsuite-stock".to_string()],
            Side::Mode(mode) => vec![
                "run".to_string(),
                "--mode".into(),
                crate::mode_name(mode).into(),
                "--out".into(),
                self.out.display().to_string(),
            ],
        };
        args.extend(["--timeout".into(), self.timeout.as_secs_f64().to_string()]);
        if let Some(root) = &run.root {
            let copy = scratch.join("root");
            copy_tree(root, &copy)?;
            args.extend(["--dir".into(), format!("{}::/", copy.display())]);
        }
        for var in &run.env {
            args.extend(["--env".into(), var.clone()]);
        }
        args.push(wasm.display().to_string());
        args.extend(run.args.iter().cloned());

        let stdout_path = scratch.join("stdout");
        let stderr_path = scratch.join("stderr");
        let mut child = Command::new(&self.exe)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout_path)?)
            .stderr(std::fs::File::create(&stderr_path)?)
            // A group of its own, so that the time limit stops `host run`'s
            // child too, not only `host run`.
            .process_group(0)
            .spawn()
            .with_context(|| format!("cannot start {}", self.exe.display()))?;
        let limit = self.timeout + COMPILE_ALLOWANCE;
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break Some(status);
            }
            if start.elapsed() > limit {
                // SAFETY: kill(2) on the group this child leads.
                unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
                child.wait()?;
                break None;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let stdout = std::fs::read(&stdout_path)?;
        let stderr = std::fs::read(&stderr_path)?;
        let ending = match status {
            None => Ending::Timeout(limit),
            // `host run` stopped the guest at --timeout (and said so).
            Some(s)
                if s.code() == Some(EXIT_TIMEOUT)
                    && String::from_utf8_lossy(&stderr).contains("ran longer than --timeout") =>
            {
                Ending::Timeout(self.timeout)
            }
            Some(s) => Ending::Exit(
                s.code()
                    .unwrap_or_else(|| 128 + s.signal().unwrap_or_default()),
            ),
        };
        Ok(Observed {
            ending,
            stdout,
            stderr,
        })
    }
}

/// Copies a test's root directory: files, directories and symbolic links,
/// leaving out the `*.cleanup` files a previous run may have left (the
/// specification says to remove them). The copy is writable whatever the
/// original's permissions: the tests create and change files in it.
pub fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    let entries =
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().ends_with(".cleanup") {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src)?, &dst)?;
        } else if kind.is_dir() {
            copy_tree(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst).with_context(|| format!("cannot copy {}", src.display()))?;
            let mode = std::fs::metadata(&dst)?.permissions().mode();
            std::fs::set_permissions(&dst, std::fs::Permissions::from_mode(mode | 0o200))?;
        }
    }
    Ok(())
}

fn make_writable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).ok();
            make_writable(&path);
        }
    }
}

/// `host wasi-testsuite-stock [--timeout S] [--dir H::G]... [--env N=V]... PROGRAM [ARGS]`:
/// the preview 1 module on stock Wasmtime with wasmtime-wasi's own preview 1
/// (no adapter), real directories, and this process's stdout and stderr.
/// Returns the exit status as `wasmtime run` would: the guest's exit code,
/// 134 for a trap.
pub fn stock_child(args: &[String]) -> Result<i32> {
    use wasmtime::{Config, Engine, Linker, Module, Store};
    use wasmtime_wasi::p1::WasiP1Ctx;
    use wasmtime_wasi::{FsPerms, I32Exit, WasiCtx};

    let run = RunArgs::parse(args, PathBuf::new(), None)?;
    let mut config = Config::new();
    embedding_abi::modes::wasm_features(&mut config);
    // Without fuel, as `wasmtime run`: the time limit stops a runaway guest.
    config.consume_fuel(false);
    let engine = Engine::new(&config).map_err(anyhow::Error::from)?;
    let module = Module::from_file(&engine, &run.program)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("cannot compile {}", run.program.display()))?;
    let mut linker: Linker<WasiP1Ctx> = Linker::new(&engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |ctx| ctx).map_err(anyhow::Error::from)?;
    let mut builder = WasiCtx::builder();
    builder.args(&run.argv()).inherit_stdout().inherit_stderr();
    for var in &run.env {
        let (name, value) = var.split_once('=').unwrap_or((var, ""));
        builder.env(name, value);
    }
    for dir in &run.dirs {
        let map = crate::wasi::tree::DirMap::parse(dir)?;
        builder
            .preopened_dir(&map.host, &map.guest, FsPerms::ReadWrite)
            .map_err(anyhow::Error::from)?;
    }
    // The guest's time limit starts once it is compiled, as `host run`'s
    // does; stopping the process also stops a guest blocked in a host call.
    if let Some(limit) = run.timeout {
        let program = run.program.display().to_string();
        std::thread::spawn(move || {
            std::thread::sleep(limit);
            eprintln!(
                "host: {program} ran longer than --timeout {} s and was stopped",
                limit.as_secs_f64()
            );
            std::process::exit(EXIT_TIMEOUT);
        });
    }
    let mut store = Store::new(&engine, builder.build_p1());
    let result = linker
        .instantiate(&mut store, &module)
        .and_then(|instance| instance.get_typed_func::<(), ()>(&mut store, "_start"))
        .and_then(|start| start.call(&mut store, ()));
    match result {
        Ok(()) => Ok(0),
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(exit) => Ok(exit.0),
            None => {
                eprintln!(
                    "host: {} failed on stock Wasmtime: {e:#}",
                    run.program.display()
                );
                Ok(crate::wasi::run::EXIT_TRAP)
            }
        },
    }
}
