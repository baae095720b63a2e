//! Precompiling WebAssembly for a mode, with the mode's own configuration,
//! into the integrity envelope the embedding checks (`envelope.rs`). A
//! loader-only build (no `compiler` feature) has the same `Compiler`, which
//! asks the x86_64 host instead (`compile_service`).

#[cfg(feature = "compiler")]
use crate::envelope;
#[cfg(feature = "compiler")]
use anyhow::Context;
use anyhow::Result;
use embedding_abi::EmbMode;
#[cfg(feature = "compiler")]
use embedding_abi::modes::{self, Arch};
#[cfg(feature = "compiler")]
use wasmtime::Engine;

/// A Cranelift engine producing artifacts the `mode` embedding will load
/// (or, with [`Compiler::fuzz_stock`], the fuzzer's stock reference).
#[cfg(feature = "compiler")]
pub struct Compiler {
    engine: Engine,
    /// The mode whose envelope seals each artifact; `None` for stock.
    seal: Option<EmbMode>,
}

#[cfg(feature = "compiler")]
impl Compiler {
    pub fn new(mode: EmbMode) -> Result<Compiler> {
        Compiler::for_arch(mode, Arch::NATIVE)
    }

    /// A compiler for `mode` on `arch` (a bare-metal port's machine, or
    /// another architecture's loader-only host).
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
        Ok(Compiler {
            engine,
            seal: Some(mode),
        })
    }

    /// Stock Wasmtime as the fuzzer's reference on `arch` (no envelope).
    pub fn fuzz_stock(arch: Arch) -> Result<Compiler> {
        Ok(Compiler {
            engine: Engine::new(&crate::fuzz::stock_config(arch)?)?,
            seal: None,
        })
    }

    /// Compiles a module given as WebAssembly text or binary, sealed in its
    /// envelope.
    pub fn precompile(&self, wasm: &[u8]) -> Result<Vec<u8>> {
        // Cranelift can panic on a module it should refuse (Wasmtime 48.0.8
        // for riscv64 without V: docs/architectures.md). Caught, the
        // panic is this module's compile error, so one module cannot end a
        // conformance run, the fuzzer or the compile server.
        let compiled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.engine.precompile_module(wasm)
        }));
        let artifact = match compiled {
            Ok(artifact) => artifact?,
            Err(panic) => anyhow::bail!(
                "Cranelift panicked compiling this module: {} (a Wasmtime bug; see docs/architectures.md)",
                panic
                    .downcast_ref::<&str>()
                    .copied()
                    .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
                    .unwrap_or("no message")
            ),
        };
        Ok(match self.seal {
            Some(mode) => envelope::seal_module(mode, &artifact),
            None => artifact,
        })
    }
}

/// The loader-only `Compiler`: the same artifacts, compiled by the x86_64
/// host for this architecture.
#[cfg(not(feature = "compiler"))]
pub struct Compiler {
    kind: crate::compile_service::Kind,
}

#[cfg(not(feature = "compiler"))]
impl Compiler {
    pub fn new(mode: EmbMode) -> Result<Compiler> {
        Ok(Compiler {
            kind: crate::compile_service::Kind::Embedding(mode),
        })
    }

    pub fn fuzz_stock() -> Compiler {
        Compiler {
            kind: crate::compile_service::Kind::FuzzStock,
        }
    }

    pub fn precompile(&self, wasm: &[u8]) -> Result<Vec<u8>> {
        crate::compile_service::client::precompile(self.kind, wasm)
    }
}

#[cfg(all(test, feature = "compiler"))]
mod tests {
    use super::Compiler;
    use embedding_abi::EmbMode;
    use embedding_abi::modes::Arch;

    /// Cranelift 0.135.8 panics on this for riscv64 without V
    /// (docs/architectures.md); the host must turn that into the module's
    /// compile error. If a Wasmtime update compiles it, the `Ok` arm says
    /// so and this test (and docs/architectures.md) must change.
    #[test]
    fn a_cranelift_panic_is_the_modules_compile_error() {
        let compiler = Compiler::for_arch(EmbMode::Vm, Arch::Riscv64).expect("riscv64 vm compiler");
        let wasm = wat::parse_str(
            "(module (memory 1) (func (memory.copy (i32.const 0) (i32.const 64) (i32.const 16))))",
        )
        .expect("valid text");
        match compiler.precompile(&wasm) {
            Err(e) => assert!(
                e.to_string()
                    .contains("Cranelift panicked compiling this module"),
                "unexpected error: {e:#}"
            ),
            Ok(_) => panic!("compiled: the Wasmtime bug docs/architectures.md describes is gone"),
        }
        // The compiler is still usable after the panic.
        let ok = wat::parse_str("(module (func (export \"f\") (result i32) i32.const 1))").unwrap();
        assert!(compiler.precompile(&ok).is_ok());
    }

    /// The microcontroller arches get 32-bit Pulley bytecode without epoch
    /// checks, and no native modes at all.
    #[test]
    fn microcontrollers_get_pulley32_without_epochs() {
        let wasm =
            wat::parse_str("(module (func (export \"f\") (loop (br 0))))").expect("valid text");
        for arch in [Arch::Riscv32, Arch::Thumbv7em] {
            for mode in [EmbMode::Minimal, EmbMode::Small] {
                let config = embedding_abi::modes::config_for(mode, arch, false).unwrap();
                let engine = wasmtime::Engine::new(&config).unwrap();
                assert!(engine.is_pulley(), "{arch:?} {mode:?}");
                assert_eq!(arch.pulley_target(), "pulley32");
                assert!(!engine.get_epoch_interruption(), "{arch:?} {mode:?}");
                Compiler::for_arch(mode, arch)
                    .and_then(|c| c.precompile(&wasm))
                    .unwrap_or_else(|e| panic!("{arch:?} {mode:?}: {e:#}"));
            }
            for mode in [EmbMode::Vm, EmbMode::Full] {
                let Err(e) = Compiler::for_arch(mode, arch) else {
                    panic!("{arch:?} {mode:?}: a native compiler for a 32-bit core");
                };
                assert!(
                    format!("{e:#}").contains("Cranelift has no backend for 32-bit"),
                    "{e:#}"
                );
            }
        }
        // The 64-bit arches keep their epochs.
        let config = embedding_abi::modes::config_for(EmbMode::Small, Arch::X86_64, false).unwrap();
        assert!(
            wasmtime::Engine::new(&config)
                .unwrap()
                .get_epoch_interruption()
        );
    }
}
