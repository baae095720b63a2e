//! The sides of the comparison and the child process that times one of
//! them: each side runs in a process of its own, because a mode's platform
//! hooks are process-wide.

use super::workloads::WORKLOADS;
use crate::artifacts::Compiler;
use crate::embedding::{Embedding, Paths};
use crate::values::Value;
use crate::{mode_name, parse_mode};
use anyhow::{Result, bail, ensure};
use embedding_abi::{EmbMode, modes};
use std::time::Instant;

/// A side of the comparison.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Embedding(EmbMode),
    /// Stock Wasmtime, native code.
    StockNative,
    /// Stock Wasmtime interpreting Pulley bytecode.
    StockPulley,
}

impl Side {
    pub fn name(self) -> String {
        match self {
            Side::Embedding(m) => format!("embedding-{}", mode_name(m)),
            Side::StockNative => "stock-native".into(),
            Side::StockPulley => "stock-pulley".into(),
        }
    }

    pub fn parse(name: &str) -> Result<Side> {
        Ok(match name {
            "stock-native" => Side::StockNative,
            "stock-pulley" => Side::StockPulley,
            other => match other.strip_prefix("embedding-") {
                Some(mode) => Side::Embedding(parse_mode(mode)?),
                None => bail!("unknown benchmark side `{other}`"),
            },
        })
    }
}

/// Times `run(arg)` `runs` times after one checked warm-up call.
fn time_calls(
    runs: usize,
    mut call: impl FnMut() -> Result<Value>,
    expected: Value,
) -> Result<Vec<f64>> {
    let first = call()?;
    ensure!(
        first == expected,
        "computed {first:?}, expected {expected:?}"
    );
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            call()?;
            Ok(start.elapsed().as_secs_f64() * 1e3)
        })
        .collect()
}

/// The child: prints `T <workload> <ms> <ms> ...` per workload.
pub fn child(side: &str, out: &std::path::Path, runs: usize) -> Result<i32> {
    let side = Side::parse(side)?;
    for w in WORKLOADS {
        let times = match side {
            Side::Embedding(mode) => {
                let emb = Embedding::load(&Paths::in_dir(out, mode), mode)?;
                let engine = emb.engine()?;
                let module = engine.load(&Compiler::new(mode)?.precompile(w.wat.as_bytes())?)?;
                let mut store = engine.store()?;
                store.set_fuel(u64::MAX)?;
                let instance = store.instantiate(&module)?;
                time_calls(
                    runs,
                    || {
                        store.set_fuel(u64::MAX)?;
                        Ok(store.call(instance, "run", &[Value::I32(w.arg)], 1)?[0])
                    },
                    w.expected,
                )?
            }
            Side::StockNative | Side::StockPulley => {
                let mut config = wasmtime::Config::new();
                // The same proposals and fuel accounting as the embedding.
                modes::wasm_features(&mut config);
                if side == Side::StockPulley {
                    config.target("pulley64")?;
                }
                let engine = wasmtime::Engine::new(&config)?;
                let module = wasmtime::Module::new(&engine, w.wat)?;
                let mut store = wasmtime::Store::new(&engine, ());
                store.set_fuel(u64::MAX)?;
                let instance = wasmtime::Instance::new(&mut store, &module, &[])?;
                let run = instance.get_typed_func::<i32, i32>(&mut store, "run")?;
                time_calls(
                    runs,
                    || {
                        store.set_fuel(u64::MAX)?;
                        Ok(Value::I32(run.call(&mut store, w.arg)?))
                    },
                    w.expected,
                )?
            }
        };
        let times: Vec<String> = times.iter().map(|t| format!("{t:.4}")).collect();
        println!("T {} {}", w.name, times.join(" "));
    }
    Ok(0)
}
