//! `host cold-start`: the time from a precompiled artifact to a program's
//! first line of output, in a fresh process, for each mode's `wasi` build
//! and for stock Wasmtime with wasmtime-wasi, side by side in one run.
//!
//! Both sides start the same way: the host executable as a new process,
//! handed an artifact file. The embedding's side then loads its two shared
//! objects, creates an engine, loads the component and runs it; stock
//! Wasmtime creates an engine, deserializes its own artifact and runs it.
//! The clock stops when the first byte arrives on the child's stdout.

use super::compile::{ComponentCompiler, to_component};
use super::run::RunArgs;
use anyhow::{Context, Result, ensure};
use embedding_abi::{EmbMode, modes};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// Under the output directory: the Rust hello-world component.
const PROGRAM: &str = "guests/p2/hello.wasm";

fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Milliseconds from spawning `cmd` to its first byte of output.
fn first_output(cmd: &mut Command) -> Result<f64> {
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut stdout = child.stdout.take().expect("piped");
    let mut byte = [0u8; 1];
    let n = stdout.read(&mut byte)?;
    let elapsed = start.elapsed().as_secs_f64() * 1e3;
    std::io::copy(&mut stdout, &mut std::io::sink())?;
    let status = child.wait()?;
    ensure!(
        n == 1 && status.success(),
        "the program printed nothing or failed ({status})"
    );
    Ok(elapsed)
}

fn stock_config() -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    modes::wasm_features(&mut config);
    // Epoch checks as in the embedding (modes::epoch_interruption).
    modes::epoch_interruption(&mut config);
    config
}

/// The stock side's child: deserialize `artifact` and run it with
/// inherited standard streams.
pub fn stock_child(artifact: &Path) -> Result<i32> {
    use wasmtime::component::{Component, Linker, ResourceTable};
    use wasmtime_wasi::p2::bindings::sync::Command as WasiCommand;
    struct State(wasmtime_wasi::WasiCtx, ResourceTable);
    impl wasmtime_wasi::WasiView for State {
        fn ctx(&mut self) -> wasmtime_wasi::WasiCtxView<'_> {
            wasmtime_wasi::WasiCtxView {
                ctx: &mut self.0,
                table: &mut self.1,
            }
        }
    }
    let engine = wasmtime::Engine::new(&stock_config()).map_err(anyhow::Error::from)?;
    // SAFETY: the artifact was written by this program's `precompile_component`.
    let component =
        unsafe { Component::deserialize_file(&engine, artifact) }.map_err(anyhow::Error::from)?;
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(anyhow::Error::from)?;
    let ctx = wasmtime_wasi::WasiCtx::builder()
        .inherit_stdout()
        .args(&["hello"])
        .build();
    let mut store = wasmtime::Store::new(&engine, State(ctx, ResourceTable::new()));
    store.set_fuel(u64::MAX).map_err(anyhow::Error::from)?;
    store.set_epoch_deadline(u64::MAX / 2);
    let command =
        WasiCommand::instantiate(&mut store, &component, &linker).map_err(anyhow::Error::from)?;
    match command
        .wasi_cli_run()
        .call_run(&mut store)
        .map_err(anyhow::Error::from)?
    {
        Ok(()) => Ok(0),
        Err(()) => Ok(1),
    }
}

pub fn main(out: &Path, modes: &[EmbMode], runs: usize) -> Result<i32> {
    ensure!(runs > 0, "--runs must be at least 1");
    let exe = std::env::current_exe()?;
    let program = out.join(PROGRAM);
    let wasm = std::fs::read(&program)
        .with_context(|| format!("cannot read {} (build the guests first)", program.display()))?;

    let stock_artifact = out.join("cache/stock-hello.cwasm");
    let engine = wasmtime::Engine::new(&stock_config()).map_err(anyhow::Error::from)?;
    std::fs::create_dir_all(out.join("cache"))?;
    std::fs::write(
        &stock_artifact,
        engine
            .precompile_component(&to_component(&wasm)?)
            .map_err(anyhow::Error::from)?,
    )?;
    let mut sides: Vec<(String, Command)> = Vec::new();
    let mut stock = Command::new(&exe);
    stock.args(["cold-start-stock"]).arg(&stock_artifact);
    sides.push(("stock Wasmtime (Cranelift)".into(), stock));
    for &mode in modes {
        let artifact = ComponentCompiler::new(mode)?.precompile_cached(out, &wasm)?;
        let run = RunArgs::parse(
            &[
                "--mode".into(),
                crate::mode_name(mode).into(),
                program.display().to_string(),
            ],
            out.to_path_buf(),
            None,
        )?;
        let mut cmd = Command::new(&exe);
        cmd.args(run.child_args(&artifact));
        sides.push((format!("{}-wasi", crate::mode_name(mode)), cmd));
    }
    println!(
        "cold start: fresh process to first line of output, {} (median of {runs})",
        program.display()
    );
    let mut times = vec![Vec::new(); sides.len()];
    // Interleaved rounds, so drift in the machine's load hits every side alike.
    for _ in 0..runs {
        for (i, (_, cmd)) in sides.iter_mut().enumerate() {
            times[i].push(first_output(cmd)?);
        }
    }
    let stock_ms = median(&mut times[0].clone());
    for ((name, _), samples) in sides.iter().zip(&mut times) {
        let ms = median(samples);
        println!("  {name:<28} {ms:>8.2} ms  {:>5.2}x stock", ms / stock_ms);
    }
    Ok(0)
}
