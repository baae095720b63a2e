//! The reference: the same program on stock Wasmtime with wasmtime-wasi,
//! given the same arguments, environment, standard input and files. A
//! component runs on wasmtime-wasi's WASI 0.2; a preview 1 module on its
//! native preview 1, as `wasmtime run` runs one (not through the adapter,
//! whose own failures would otherwise become the reference).

use super::cases::End;
use super::tree::{DirMap, Tree};
use anyhow::{Context, Result};
use embedding_abi::modes;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Module, Store};
use wasmtime_wasi::p2::bindings::sync::Command;
use wasmtime_wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe};
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtx, WasiCtxView, WasiView};

struct State {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

/// What a run printed and how it ended; `trees` are the preopens after it.
pub struct Outcome {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub ending: End,
    pub trees: Vec<Tree>,
}

/// Output kept per stream; a guest printing more is cut off there (and the
/// comparison then fails), rather than exhausting the host's memory.
const CAPTURE_LIMIT: usize = 64 << 20;

pub fn run(
    program: &[u8],
    args: &[String],
    env: &[String],
    stdin: &[u8],
    trees: &[Tree],
    fuel: u64,
) -> Result<Outcome> {
    let mut config = Config::new();
    modes::wasm_features(&mut config);
    let engine = Engine::new(&config).map_err(anyhow::Error::from)?;

    // The trees are written to a scratch directory: the reference changes
    // real files, the embedding only its in-memory copy.
    let scratch = tempdir()?;
    let mut maps = Vec::new();
    let mut builder = WasiCtx::builder();
    for (i, tree) in trees.iter().enumerate() {
        let host = scratch.join(i.to_string());
        std::fs::create_dir_all(&host)?;
        for entry in &tree.entries {
            let path = host.join(&entry.path);
            match &entry.data {
                Some(bytes) => std::fs::write(&path, bytes)?,
                None => std::fs::create_dir_all(&path)?,
            }
        }
        builder
            .preopened_dir(&host, &tree.guest, FsPerms::ReadWrite)
            .map_err(anyhow::Error::from)?;
        maps.push(DirMap {
            host,
            guest: tree.guest.clone(),
        });
    }
    let stdout = MemoryOutputPipe::new(CAPTURE_LIMIT);
    let stderr = MemoryOutputPipe::new(CAPTURE_LIMIT);
    let vars: Vec<(&str, &str)> = env
        .iter()
        .map(|v| v.split_once('=').unwrap_or((v.as_str(), "")))
        .collect();
    builder
        .args(args)
        .envs(&vars)
        .stdin(MemoryInputPipe::new(stdin.to_vec()))
        .stdout(stdout.clone())
        .stderr(stderr.clone());
    let result = if super::compile::is_component(program) {
        run_component(&engine, program, builder, fuel)
    } else {
        run_module(&engine, program, builder, fuel)
    };
    let ending = match result {
        Ok(code) => End::Exit(code),
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(exit) => End::Exit(exit.0),
            None => End::from_trap(
                e.downcast_ref::<wasmtime::Trap>().copied(),
                &format!("{e:#}"),
            ),
        },
    };
    let trees = maps.iter().map(DirMap::read).collect::<Result<Vec<_>>>()?;
    std::fs::remove_dir_all(&scratch).ok();
    Ok(Outcome {
        stdout: stdout.contents().to_vec(),
        stderr: stderr.contents().to_vec(),
        ending,
        trees,
    })
}

fn tempdir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "host-stock-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// A `wasi:cli/command` component on wasmtime-wasi's WASI 0.2; the exit
/// code `run` returned (0 or 1), or the error that ended it.
fn run_component(
    engine: &Engine,
    program: &[u8],
    mut builder: wasmtime_wasi::WasiCtxBuilder,
    fuel: u64,
) -> wasmtime::Result<i32> {
    let component = Component::new(engine, program)?;
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    let mut store = Store::new(
        engine,
        State {
            ctx: builder.build(),
            table: ResourceTable::new(),
        },
    );
    store.set_fuel(fuel)?;
    let command = Command::instantiate(&mut store, &component, &linker)?;
    Ok(match command.wasi_cli_run().call_run(&mut store)? {
        Ok(()) => 0,
        Err(()) => 1,
    })
}

/// A preview 1 module on wasmtime-wasi's native preview 1: `_start` called
/// as `wasmtime run` calls it; 0 when it returns.
fn run_module(
    engine: &Engine,
    program: &[u8],
    mut builder: wasmtime_wasi::WasiCtxBuilder,
    fuel: u64,
) -> wasmtime::Result<i32> {
    let module = Module::new(engine, program)?;
    let mut linker: wasmtime::Linker<wasmtime_wasi::p1::WasiP1Ctx> = wasmtime::Linker::new(engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |ctx| ctx)?;
    let mut store = Store::new(engine, builder.build_p1());
    store.set_fuel(fuel)?;
    let instance = linker.instantiate(&mut store, &module)?;
    let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
    start.call(&mut store, ())?;
    Ok(0)
}
