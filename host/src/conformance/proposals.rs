//! Which scripts a mode cannot run because it lacks a proposal: `small`
//! (docs/footprint.md) is built without Wasmtime's GC runtime, so GC and
//! exception handling are off; `vm` and `full` on riscv64 have no SIMD
//! (rv64gc has no vector unit). A script is skipped, with the validator's
//! own words as the reason, when one of its modules is valid with the
//! proposals of `minimal` on x86_64 (every proposal any mode has) and
//! invalid with the mode's on its arch. Found by validating, not by
//! searching the text, so the reason is exact.

use anyhow::Result;
use embedding_abi::EmbMode;
use embedding_abi::modes::{self, Arch};
use wast::parser::{self, ParseBuffer};
use wast::{Wast, WastDirective};

/// `Some(reason)` when `source` needs a proposal `mode` lacks on `arch`;
/// `label` names the two in the reason.
pub fn missing(mode: EmbMode, arch: Arch, label: &str, source: &str) -> Result<Option<String>> {
    let narrow = wasmtime::Engine::new(&modes::config_for(mode, arch, false)?)?;
    let wide = wasmtime::Engine::new(&modes::config_for(EmbMode::Minimal, Arch::X86_64, false)?)?;
    let mut lexer = wast::lexer::Lexer::new(source);
    lexer.allow_confusing_unicode(true);
    // A script that does not parse is the runner's to report.
    let Ok(buf) = ParseBuffer::new_with_lexer(lexer) else {
        return Ok(None);
    };
    let Ok(wast) = parser::parse::<Wast<'_>>(&buf) else {
        return Ok(None);
    };
    for directive in wast.directives {
        let (WastDirective::Module(mut module) | WastDirective::ModuleDefinition(mut module)) =
            directive
        else {
            continue;
        };
        let Ok(wasm) = module.encode() else { continue };
        if wasmtime::Module::validate(&wide, &wasm).is_err() {
            continue;
        }
        if let Err(e) = wasmtime::Module::validate(&narrow, &wasm) {
            return Ok(Some(format!("needs a proposal {label} lacks: {e:#}")));
        }
    }
    Ok(None)
}
