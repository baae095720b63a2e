//! The workloads' steps on wasmi, with its defaults (lazy translation: a
//! function is translated to wasmi's bytecode when first called, so `load`
//! validates only) plus fuel, which every side of `host bench` meters.

use crate::Peer;
use anyhow::Result;
use wasmi::{Config, Engine, Instance, Linker, Module, Store};

pub struct Wasmi {
    engine: Engine,
    module: Module,
    linker: Linker<()>,
    wasm: Vec<u8>,
}

impl Wasmi {
    pub fn new(wasm: &[u8]) -> Result<Wasmi> {
        let mut config = Config::default();
        config.consume_fuel(true);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, wasm)?;
        let mut linker = Linker::new(&engine);
        linker.func_wrap("bench", "nop", || {})?;
        Ok(Wasmi {
            engine,
            module,
            linker,
            wasm: wasm.to_vec(),
        })
    }
}

impl Peer for Wasmi {
    type Instance = (Store<()>, Instance);

    fn instance(&self) -> Result<Self::Instance> {
        let mut store = Store::new(&self.engine, ());
        store.set_fuel(u64::MAX)?;
        let instance = self
            .linker
            .instantiate_and_start(&mut store, &self.module)?;
        Ok((store, instance))
    }

    fn run(&self, (store, instance): &mut Self::Instance, arg: i32) -> Result<i32> {
        store.set_fuel(u64::MAX)?;
        let run = instance.get_typed_func::<i32, i32>(&*store, "run")?;
        Ok(run.call(store, arg)?)
    }

    fn call_nop(&self, (store, instance): &mut Self::Instance, calls: i32) -> Result<()> {
        let nop = instance.get_typed_func::<(), ()>(&*store, "nop")?;
        for _ in 0..calls {
            nop.call(&mut *store, ())?;
        }
        Ok(())
    }

    fn load(&self) -> Result<()> {
        drop(Module::new(&self.engine, &self.wasm)?);
        Ok(())
    }
}
