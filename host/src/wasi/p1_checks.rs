//! Bad input for the embedding's native preview 1, through `host run` as a
//! user would meet it: imports it lacks or with another signature, a module
//! that is not a command, and pointers outside the guest's memory. Each
//! must end with a clear error (or the errno stock Wasmtime gives), never
//! a crash of the host.

use super::checks::Check;
use anyhow::{Result, ensure};
use embedding_abi::EmbMode;
use std::path::Path;

pub const CHECKS: &[(&str, Check)] = &[
    ("p1/bad-input/unknown-function", unknown_function),
    ("p1/bad-input/wrong-signature", wrong_signature),
    ("p1/bad-input/no-memory", no_memory),
    ("p1/bad-input/no-start", no_start),
    ("p1/bad-input/out-of-bounds-iovec", out_of_bounds_iovec),
    ("p1/bad-input/out-of-bounds-result", out_of_bounds_result),
    ("p1/bad-input/path-not-utf8", path_not_utf8),
    ("p1/exit-code", exit_code),
];

/// Runs the module `wat` with `host run` in `mode`; exit status and stderr.
fn run(mode: EmbMode, out: &Path, name: &str, wat: &str) -> Result<(i32, String)> {
    let file = out.join(format!("p1-check-{name}.wat"));
    std::fs::write(&file, wat)?;
    super::checks::host_run(&[
        "--mode",
        crate::mode_name(mode),
        "--out",
        &out.display().to_string(),
        &file.display().to_string(),
    ])
}

fn refused(mode: EmbMode, out: &Path, name: &str, wat: &str, needles: &[&str]) -> Result<()> {
    let (code, stderr) = run(mode, out, name, wat)?;
    ensure!(code != 0, "the module ran (exit 0)");
    ensure!(
        code != super::run::EXIT_TRAP && code < 128,
        "exit status {code}: refused at run time or crashed, not when linked"
    );
    for needle in needles {
        ensure!(
            stderr.contains(needle),
            "the error does not say {needle:?}: {}",
            stderr.trim()
        );
    }
    Ok(())
}

fn unknown_function(mode: EmbMode, out: &Path) -> Result<()> {
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "fd_frobnicate" (func (param i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start")))"#;
    refused(mode, out, "unknown", wat, &["fd_frobnicate"])
}

fn wrong_signature(mode: EmbMode, out: &Path) -> Result<()> {
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "fd_write" (func (param i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start")))"#;
    refused(mode, out, "signature", wat, &["fd_write"])
}

fn no_memory(mode: EmbMode, out: &Path) -> Result<()> {
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
      (func (export "_start")))"#;
    refused(mode, out, "no-memory", wat, &["exports no `memory`"])
}

fn no_start(mode: EmbMode, out: &Path) -> Result<()> {
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
      (memory (export "memory") 1)
      (func (export "main")))"#;
    refused(mode, out, "no-start", wat, &["exports no `_start`"])
}

/// A pointer out of bounds ends the program, as in stock Wasmtime (the
/// witx rule for pointers), with an error rather than a Wasm trap code:
/// `wasmtime run` then exits 1, and so does `host run`.
fn traps_outside_memory(mode: EmbMode, out: &Path, name: &str, wat: &str) -> Result<()> {
    let (code, stderr) = run(mode, out, name, wat)?;
    ensure!(
        code == 1,
        "exit status {code}, expected 1; stderr: {}",
        stderr.trim()
    );
    ensure!(
        stderr.contains("outside the guest's memory"),
        "the error does not say what was wrong: {}",
        stderr.trim()
    );
    Ok(())
}

fn out_of_bounds_iovec(mode: EmbMode, out: &Path) -> Result<()> {
    // One iovec at 0 pointing 16 bytes at 65530: past the 64 KiB page.
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "\fa\ff\00\00\10\00\00\00")
      (func (export "_start") (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))))"#;
    traps_outside_memory(mode, out, "oob-iovec", wat)
}

fn out_of_bounds_result(mode: EmbMode, out: &Path) -> Result<()> {
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "args_sizes_get" (func $a (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start") (drop (call $a (i32.const 0) (i32.const 0xfffffff0)))))"#;
    traps_outside_memory(mode, out, "oob-result", wat)
}

/// Exits with what `path_open` returned: a path that is not UTF-8 is
/// `ILSEQ` (25), as in stock Wasmtime.
fn path_not_utf8(mode: EmbMode, out: &Path) -> Result<()> {
    let dir = out.join("p1-check-dir");
    std::fs::create_dir_all(&dir)?;
    let file = out.join("p1-check-utf8.wat");
    std::fs::write(
        &file,
        r#"(module
      (import "wasi_snapshot_preview1" "path_open"
        (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (data (i32.const 16) "\ff\fe")
      (func (export "_start")
        (call $exit (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 2)
          (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 32)))))"#,
    )?;
    let (code, stderr) = super::checks::host_run(&[
        "--mode",
        crate::mode_name(mode),
        "--out",
        &out.display().to_string(),
        "--dir",
        &format!("{}::/d", dir.display()),
        &file.display().to_string(),
    ])?;
    ensure!(
        code == 25,
        "exit {code}, expected ILSEQ (25): {}",
        stderr.trim()
    );
    Ok(())
}

/// `proc_exit(33)` exits 33, as stock.
fn exit_code(mode: EmbMode, out: &Path) -> Result<()> {
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (call $exit (i32.const 33)) unreachable))"#;
    let (code, stderr) = run(mode, out, "exit", wat)?;
    ensure!(code == 33, "exit {code}, expected 33: {}", stderr.trim());
    Ok(())
}
