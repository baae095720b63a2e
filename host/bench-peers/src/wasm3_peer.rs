//! The workloads' steps on wasm3 (the `wasm3` crate: wasm3's C
//! interpreter). wasm3 has no fuel, and no instantiation apart from loading
//! a parsed module into a runtime, so an instance is a new runtime, a parse
//! and a load.

use crate::Peer;
use anyhow::{Result, anyhow};
use wasm3::{Environment, Runtime};

/// wasm3's stack, in bytes: deep enough for fib(27)'s recursion.
const STACK: u32 = 1 << 20;

/// wasm3's errors hold raw pointers, so they become text here.
fn ok<T>(r: Result<T, wasm3::error::Error>) -> Result<T> {
    r.map_err(|e| anyhow!("wasm3: {e}"))
}

pub struct Wasm3 {
    env: Environment,
    wasm: Vec<u8>,
    /// Whether the module imports `bench.nop` (wasm3 refuses to link a
    /// function the module does not import).
    imports_nop: bool,
}

impl Wasm3 {
    pub fn new(wasm: &[u8], imports_nop: bool) -> Result<Wasm3> {
        Ok(Wasm3 {
            env: ok(Environment::new())?,
            wasm: wasm.to_vec(),
            imports_nop,
        })
    }
}

impl Peer for Wasm3 {
    type Instance = Runtime;

    fn instance(&self) -> Result<Runtime> {
        let runtime = ok(self.env.create_runtime(STACK))?;
        let parsed = ok(self.env.parse_module(self.wasm.clone()))?;
        let mut module = ok(runtime.load_module(parsed))?;
        if self.imports_nop {
            ok(module.link_closure("bench", "nop", |_, ()| Ok(())))?;
        }
        Ok(runtime)
    }

    fn run(&self, runtime: &mut Runtime, arg: i32) -> Result<i32> {
        let run = ok(runtime.find_function::<i32, i32>("run"))?;
        ok(run.call(arg))
    }

    fn call_nop(&self, runtime: &mut Runtime, calls: i32) -> Result<()> {
        let nop = ok(runtime.find_function::<(), ()>("nop"))?;
        for _ in 0..calls {
            ok(nop.call())?;
        }
        Ok(())
    }

    fn load(&self) -> Result<()> {
        drop(ok(self.env.parse_module(self.wasm.clone()))?);
        Ok(())
    }
}
