//! Turning a WASI program into an artifact for a mode's `wasi` build. A
//! preview 1 core module runs natively by default: it is precompiled as a
//! core module for the embedding's own `wasi_snapshot_preview1`
//! ([`Route::Native`]). The adapter route ([`Route::Adapter`]) makes it a
//! component with the preview 1 adapter of the same Wasmtime release and
//! runs it through WASI 0.2; `host guests` keeps it to check that both
//! routes agree. Artifacts are cached under `<out>/cache/`, keyed by the
//! program's content, the route and the compiler's configuration.

use anyhow::{Context, Result, bail};
use embedding_abi::{EmbMode, modes};
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::Engine;

/// Cranelift (or Pulley) set up exactly as the mode's `wasi` build loads.
pub struct ComponentCompiler {
    engine: Engine,
    mode: EmbMode,
    component_model: bool,
}

/// How a program reaches the embedding's WASI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// A core module on the embedding's own preview 1.
    Native,
    /// A component (given, or adapted from preview 1) on WASI 0.2.
    Adapter,
}

impl Route {
    /// What the program's text says: a core module goes native.
    pub fn of(wasm: &[u8]) -> Result<Route> {
        let wasm = binary(wasm)?;
        Ok(if is_component(&wasm) {
            Route::Adapter
        } else {
            Route::Native
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Route::Native => "native preview 1",
            Route::Adapter => "adapter + WASI 0.2",
        }
    }
}

/// The binary of `wasm`, given as a binary or WebAssembly text.
fn binary(wasm: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>> {
    if wasm.starts_with(b"\0asm") {
        return Ok(std::borrow::Cow::Borrowed(wasm));
    }
    // WebAssembly text, for hand-written test programs.
    Ok(std::borrow::Cow::Owned(
        wat::parse_bytes(wasm)
            .context("neither WebAssembly nor its text format")?
            .into_owned(),
    ))
}

/// A core module or a component, told apart by the binary's header.
pub fn is_component(wasm: &[u8]) -> bool {
    wasmparser::Parser::is_component(wasm)
}

/// Wraps a preview 1 command module in a component.
pub fn adapt_preview1(module: &[u8]) -> Result<Vec<u8>> {
    use wasi_preview1_component_adapter_provider::{
        WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
    };
    wit_component::ComponentEncoder::default()
        .module(module)
        .context("not a WASI preview 1 program")?
        .adapter(
            WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME,
            WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
        )?
        .validate(true)
        .encode()
        .context("cannot adapt the preview 1 program into a component")
}

/// The program as a component: as given, or adapted from preview 1.
pub fn to_component(wasm: &[u8]) -> Result<Vec<u8>> {
    let wasm = binary(wasm)?;
    if is_component(&wasm) {
        return Ok(wasm.into_owned());
    }
    if !wasmparser::Parser::is_core_wasm(&wasm) {
        bail!("not a WebAssembly module or component");
    }
    adapt_preview1(&wasm)
}

impl ComponentCompiler {
    pub fn new(mode: EmbMode) -> Result<ComponentCompiler> {
        ComponentCompiler::for_build(mode, true)
    }

    /// For a build with or without the component model (a `-wasip1` build
    /// has preview 1 alone, and its artifacts must not claim the model).
    pub fn for_build(mode: EmbMode, component_model: bool) -> Result<ComponentCompiler> {
        let config = modes::config(mode, component_model)?;
        let engine = Engine::new(&config)
            .map_err(anyhow::Error::from)
            .with_context(|| {
                format!(
                    "configuring the compiler for {}-wasi",
                    crate::mode_name(mode)
                )
            })?;
        Ok(ComponentCompiler {
            engine,
            mode,
            component_model,
        })
    }

    pub fn precompile(&self, wasm: &[u8]) -> Result<Vec<u8>> {
        let component = to_component(wasm)?;
        Ok(crate::envelope::seal_component(
            self.mode,
            &self.engine.precompile_component(&component)?,
        ))
    }

    /// A preview 1 core module, for the embedding's own preview 1.
    pub fn precompile_native(&self, wasm: &[u8]) -> Result<Vec<u8>> {
        let module = binary(wasm)?;
        if is_component(&module) {
            bail!("a component cannot run on native preview 1");
        }
        Ok(crate::envelope::seal_module(
            self.mode,
            &self.engine.precompile_module(&module)?,
        ))
    }

    /// `precompile`, through the cache in `out/cache/`: returns the cached
    /// artifact's path, which most callers only hand to a child process, so
    /// a cache hit reads nothing here.
    pub fn precompile_cached(&self, out: &Path, wasm: &[u8]) -> Result<PathBuf> {
        self.cached(out, wasm, Route::Adapter)
    }

    /// The program's artifact for `route`, through the cache.
    pub fn cached(&self, out: &Path, wasm: &[u8], route: Route) -> Result<PathBuf> {
        let mut digest = Sha256::new();
        digest.update(wasm);
        digest.update([route as u8]);
        // Wasmtime's own summary of everything that makes an artifact
        // loadable (version, target, flags, tunables).
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.engine.precompile_compatibility_hash().hash(&mut h);
        digest.update(h.finish().to_le_bytes());
        // And the envelope's format: its ABI version is in its header.
        digest.update(embedding_abi::envelope::MAGIC);
        digest.update(embedding_abi::EMB_ABI_VERSION.to_le_bytes());
        let key: String = digest
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let dir = out.join("cache").join(format!(
            "{}-{}",
            crate::mode_name(self.mode),
            if self.component_model {
                "wasi"
            } else {
                "wasip1"
            }
        ));
        let path = dir.join(format!("{key}.cwasm"));
        if path.is_file() {
            return Ok(path);
        }
        let artifact = match route {
            Route::Native => self.precompile_native(wasm)?,
            Route::Adapter => self.precompile(wasm)?,
        };
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        // Written under another name first, so a concurrent reader never
        // sees half an artifact.
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, &artifact)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(path)
    }
}
