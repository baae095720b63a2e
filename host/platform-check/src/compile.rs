//! Compiling a platform `.c` file and probes.c into shared objects.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The defines of the `full` mode, as build.sh compiles its platform.
pub const FULL_DEFINES: &[&str] = &[
    "WASMTIME_VIRTUAL_MEMORY",
    "WASMTIME_CUSTOM_SYNC",
    "WASMTIME_NATIVE_SIGNALS",
];

/// Every feature define of the generated headers: a platform file compiled
/// with all of them exports every hook it implements, and the checker tests
/// whatever that turns out to be. `EMBEDDING_OS_SERVICES` selects the OS
/// services of a `wasi` build (embedding-os.h); `WASMTIME_CUSTOM_FIBER` the
/// fiber hooks, which no embedding built here imports but a port may need.
/// Their tests and the reference implementation exist for x86_64 only
/// (fibers.rs), so elsewhere the define is left out.
#[cfg(target_arch = "x86_64")]
pub const ALL_DEFINES: &[&str] = &[
    "WASMTIME_VIRTUAL_MEMORY",
    "WASMTIME_CUSTOM_SYNC",
    "WASMTIME_NATIVE_SIGNALS",
    "WASMTIME_CUSTOM_FIBER",
    "EMBEDDING_OS_SERVICES",
];
#[cfg(not(target_arch = "x86_64"))]
pub const ALL_DEFINES: &[&str] = &[
    "WASMTIME_VIRTUAL_MEMORY",
    "WASMTIME_CUSTOM_SYNC",
    "WASMTIME_NATIVE_SIGNALS",
    "EMBEDDING_OS_SERVICES",
];

/// The repository's platform/ directory, for the generated headers.
fn header_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../platform"))
}

fn cc() -> String {
    std::env::var("CC").unwrap_or_else(|_| "cc".into())
}

/// A scratch directory, removed when dropped.
pub struct Workdir(PathBuf);

impl Workdir {
    pub fn new() -> Result<Workdir> {
        let path = std::env::temp_dir().join(format!("host-platform-check-{}", std::process::id()));
        std::fs::create_dir_all(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        Ok(Workdir(path))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run_cc(args: &[String], sources: &[PathBuf], output: &Path) -> Result<()> {
    let result = Command::new(cc())
        .args(["-shared", "-fPIC", "-O2", "-pthread"])
        .args(args)
        .arg("-o")
        .arg(output)
        .args(sources)
        .output()
        .with_context(|| format!("cannot run {}", cc()))?;
    if !result.status.success() {
        let names: Vec<String> = sources.iter().map(|s| s.display().to_string()).collect();
        bail!(
            "{} {} failed:\n{}",
            cc(),
            names.join(" "),
            String::from_utf8_lossy(&result.stderr).trim_end()
        );
    }
    Ok(())
}

/// Compiles a platform implementation with `defines` into `output`.
pub fn platform(source: &Path, defines: &[&str], output: &Path) -> Result<()> {
    let mut args = vec![format!("-I{}", header_dir().display())];
    // Also the source's own directory, for headers a port keeps beside it.
    if let Some(dir) = source.parent().filter(|d| !d.as_os_str().is_empty()) {
        args.push(format!("-I{}", dir.display()));
    }
    args.extend(defines.iter().map(|d| format!("-D{d}")));
    run_cc(&args, &[source.to_path_buf()], output)
}

/// The probe helper's sources: fibers.c is x86_64 assembly, for rules that
/// run only there.
#[cfg(target_arch = "x86_64")]
const HELPER_SOURCES: &[(&str, &str)] = &[
    ("probes.c", include_str!("probes.c")),
    ("fibers.c", include_str!("fibers.c")),
];
#[cfg(not(target_arch = "x86_64"))]
const HELPER_SOURCES: &[(&str, &str)] = &[("probes.c", include_str!("probes.c"))];

/// Writes the helper's sources into `dir` and compiles them into one
/// library; returns its path.
pub fn helper(dir: &Path) -> Result<PathBuf> {
    let mut sources = Vec::new();
    for &(name, text) in HELPER_SOURCES {
        let source = dir.join(name);
        std::fs::write(&source, text)
            .with_context(|| format!("cannot write {}", source.display()))?;
        sources.push(source);
    }
    let output = dir.join("libprobes.so");
    run_cc(&[], &sources, &output)?;
    Ok(output)
}
