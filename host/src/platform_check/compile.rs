//! Compiling a platform `.c` file and probes.c into shared objects.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The feature defines of the generated header, all of them: a platform
/// file compiled with all three exports every hook it implements, and the
/// checker tests whatever that turns out to be.
pub const ALL_DEFINES: &[&str] = &[
    "WASMTIME_VIRTUAL_MEMORY",
    "WASMTIME_CUSTOM_SYNC",
    "WASMTIME_NATIVE_SIGNALS",
];

/// The repository's platform/ directory, for `wasmtime-platform.h`.
fn header_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../platform"))
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

fn run_cc(args: &[String], source: &Path, output: &Path) -> Result<()> {
    let result = Command::new(cc())
        .args(["-shared", "-fPIC", "-O2", "-pthread"])
        .args(args)
        .arg("-o")
        .arg(output)
        .arg(source)
        .output()
        .with_context(|| format!("cannot run {}", cc()))?;
    if !result.status.success() {
        bail!(
            "{} {} failed:\n{}",
            cc(),
            source.display(),
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
    run_cc(&args, source, output)
}

/// Writes probes.c into `dir` and compiles it; returns the library's path.
pub fn helper(dir: &Path) -> Result<PathBuf> {
    let source = dir.join("probes.c");
    std::fs::write(&source, include_str!("probes.c"))
        .with_context(|| format!("cannot write {}", source.display()))?;
    let output = dir.join("libprobes.so");
    run_cc(&[], &source, &output)?;
    Ok(output)
}
