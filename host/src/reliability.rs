//! `host reliability`: the checks of docs/reliability.md, run
//! for one mode in a child process of `run::each_mode`.

use crate::artifacts::Compiler;
use crate::cli::Options;
use crate::embedding::{Embedding, Paths};
use crate::run::Tally;
use anyhow::{Result, bail};
use embedding_abi::EmbMode;
use embedding_abi::modes::Arch;

/// Every check, in the order they run.
pub const CHECKS: &[&str] = &[
    "envelope",
    "envelope-component",
    "limits",
    "leak",
    "threads",
    "interrupt",
];

const MODULE: &str = r#"(module
  (memory 1)
  (data (i32.const 0) "integrity")
  (func (export "one") (result i32) (i32.const 1)))"#;

/// The checks named on the command line, or all of them; with `--soak`,
/// only the soak, which is not one of [`CHECKS`] (it is for long runs, not
/// for `./build.sh test`).
pub fn selected(opts: &Options) -> Result<Vec<String>> {
    if opts.soak.is_some() {
        match &opts.positional[..] {
            [] => return Ok(vec!["soak".into()]),
            [only] if only == "soak" => return Ok(vec!["soak".into()]),
            [other, ..] => bail!("--soak runs the soak alone, but `{other}` was also named"),
        }
    }
    if opts.cycles.is_some()
        && !opts.positional.is_empty()
        && !opts.positional.iter().any(|c| c == "leak")
    {
        bail!("--cycles is the leak check's, and `leak` is not among the checks named");
    }
    if opts.positional.is_empty() {
        return Ok(CHECKS.iter().map(|c| c.to_string()).collect());
    }
    for check in &opts.positional {
        if !CHECKS.contains(&check.as_str()) {
            bail!(
                "unknown check `{check}` (expected one of {})",
                CHECKS.join(", ")
            );
        }
    }
    Ok(opts.positional.clone())
}

/// Why `check` cannot run on `arch`, if it cannot: `envelope-component`
/// needs the embedding's `wasi` build, which cross/build.sh does not build
/// for aarch64 and riscv64 yet, and components are precompiled for the
/// host's own arch only (`ComponentCompiler`). Wasmtime itself would allow
/// it (built-in fiber stack switching on both arches). The parent reports
/// it as skipped, never as passed.
pub fn unavailable(check: &str, arch: Option<Arch>) -> Option<&'static str> {
    (check == "envelope-component" && crate::launch::foreign(arch).is_some()).then_some(
        "not run: no wasi build for this arch yet (cross/build.sh builds the plain modes only)",
    )
}

/// The child's work: one check (the parent runs each in a process of its
/// own, since some need the `wasi` build) in one mode.
pub fn one_mode(mode: EmbMode, opts: &Options) -> Result<i32> {
    let [check] = &selected(opts)?[..] else {
        bail!("reliability-mode runs exactly one check");
    };
    let wasi = check == "envelope-component";
    let paths = if wasi {
        Paths::wasi(&opts.out, mode)
    } else {
        Paths::in_dir(&opts.out, mode)
    };
    let emb = Embedding::load(&paths.with_platform(opts.platform.as_deref()), mode)?;
    let engine = emb.engine()?;
    let mut tally = Tally::default();
    let mut record = |name: &str, result| tally.record(mode, name, result, opts.verbose);
    match check.as_str() {
        "envelope" => {
            let artifact = Compiler::new(mode)?.precompile(MODULE.as_bytes())?;
            let load = crate::envelope::module_loader(&engine);
            for (name, result) in crate::envelope::mutation_checks(&emb, &load, &artifact) {
                record(name, result);
            }
            if crate::in_place::supported(mode) {
                let load = crate::in_place::module_loader(&engine);
                for (name, result) in crate::envelope::mutation_checks(&emb, &load, &artifact) {
                    record(&name.replace("envelope/", "envelope-in-place/"), result);
                }
                let runs = crate::in_place::runs(&emb, &engine, &artifact);
                record("envelope-in-place/runs", runs);
                let misaligned = crate::in_place::misaligned(&engine, &artifact);
                record("envelope-in-place/misaligned", misaligned);
                let twice = crate::in_place::same_bytes_twice(&engine, &artifact);
                record("envelope-in-place/same-bytes-twice", twice);
            } else {
                let refused = crate::in_place::refused(&emb, &engine, &artifact);
                record("envelope-in-place/refused-native", refused);
            }
        }
        #[cfg(not(feature = "compiler"))]
        "envelope-component" => {
            bail!(
                "{}",
                unavailable(check, Some(Arch::NATIVE)).unwrap_or("no wasi build")
            )
        }
        #[cfg(feature = "compiler")]
        "envelope-component" => {
            let artifact = crate::wasi::compile::ComponentCompiler::new(mode)?
                .precompile(COMPONENT.as_bytes())?;
            let load = crate::envelope::component_loader(&engine);
            for (name, result) in crate::envelope::mutation_checks(&emb, &load, &artifact) {
                record(&name.replace("envelope/", "envelope-component/"), result);
            }
        }
        "limits" => {
            let compiler = Compiler::new(mode)?;
            for (name, result) in crate::limits::limit_checks(&compiler, &engine) {
                record(name, result);
            }
        }
        "leak" => {
            let compiler = Compiler::new(mode)?;
            record(
                "leak/instantiate-drop",
                crate::limits::leak(
                    &emb,
                    &compiler,
                    &engine,
                    opts.cycles.unwrap_or(crate::limits::CYCLES),
                ),
            );
        }
        "threads" => {
            let compiler = Compiler::new(mode)?;
            record(
                "threads/shared-engine",
                crate::threads::check(&emb, mode, &compiler, &engine),
            );
        }
        "interrupt" => {
            let compiler = Compiler::new(mode)?;
            let name = crate::mode_name(mode);
            for (check, result) in crate::interrupt::checks(&emb, name, &compiler, &engine)? {
                record(&check, result);
            }
        }
        "soak" => {
            let seconds = opts
                .soak
                .ok_or_else(|| anyhow::anyhow!("the soak check needs --soak SECONDS"))?;
            let compiler = Compiler::new(mode)?;
            record(
                "soak/mixed",
                crate::soak::run(&emb, &compiler, &engine, seconds),
            );
        }
        _ => unreachable!("checked by `selected`"),
    }
    Ok(if tally.failed == 0 { 0 } else { 1 })
}

/// A small component with a core module inside, for the wasi builds.
const COMPONENT: &str = r#"(component
  (core module $m
    (memory 1)
    (func (export "one") (result i32) (i32.const 1)))
  (core instance (instantiate $m)))"#;
