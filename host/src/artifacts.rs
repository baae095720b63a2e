//! Precompiling WebAssembly for a mode, with the mode's own configuration,
//! into the integrity envelope the embedding checks (`envelope.rs`).

use crate::envelope;
use anyhow::{Context, Result};
use embedding_abi::EmbMode;
use embedding_abi::modes::{self, Arch};
use wasmtime::Engine;

/// A Cranelift engine producing artifacts the `mode` embedding will load.
pub struct Compiler {
    engine: Engine,
    mode: EmbMode,
}

impl Compiler {
    pub fn new(mode: EmbMode) -> Result<Compiler> {
        Compiler::for_arch(mode, Arch::NATIVE)
    }

    /// A compiler for `mode` on `arch` (a bare-metal port's machine).
    pub fn for_arch(mode: EmbMode, arch: Arch) -> Result<Compiler> {
        // Exactly the configuration the embedding loads with (`modes.rs`);
        // the host only adds the compiler, which `Config::new` enables here.
        let config = modes::config_for(mode, arch, false)?;
        let engine = Engine::new(&config)
            .map_err(anyhow::Error::from)
            .with_context(|| {
                format!(
                    "configuring Cranelift for the {} mode",
                    crate::mode_name(mode)
                )
            })?;
        Ok(Compiler { engine, mode })
    }

    /// Compiles a module given as WebAssembly text or binary, sealed in its
    /// envelope.
    pub fn precompile(&self, wasm: &[u8]) -> Result<Vec<u8>> {
        Ok(envelope::seal_module(
            self.mode,
            &self.engine.precompile_module(wasm)?,
        ))
    }
}
