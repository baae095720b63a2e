//! The WASI checks beyond the cases: interleaving on the executor, and bad
//! input (an import the embedding lacks, a component for another mode, a
//! missing `--dir`). Each prints `PASS <mode> wasi/<name>` or `FAIL ...`.

use super::compile::ComponentCompiler;
use super::embedded::{self, Ending, Setup};
use crate::embedding::{Embedding, Paths};
use anyhow::{Context, Result, bail, ensure};
use embedding_abi::EmbMode;
use std::path::Path;
use std::process::{Command, Stdio};

/// A component that imports a sockets interface, which the embedding's
/// WASI does not provide, and exports the command entry point.
const NEEDS_SOCKETS: &str = r#"(component
  (import "wasi:sockets/tcp@0.2.0" (instance (export "drop-socket" (func))))
  (core module $m (func (export "run") (result i32) i32.const 0))
  (core instance $i (instantiate $m))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $r (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $r))
)"#;

pub type Check = fn(EmbMode, &Path) -> Result<()>;

pub const CHECKS: &[(&str, Check)] = &[
    ("imports", imports),
    ("interleave", interleave),
    ("bad-input/missing-interface", missing_interface),
    ("bad-input/other-mode", other_mode),
    ("bad-input/missing-dir", missing_dir),
];

/// The wasi build (both faces) imports its mode's hooks plus the OS
/// services, exactly; so does the build with preview 1 alone, where there
/// is one (`out/<mode>-wasip1`): both faces use the same services.
fn imports(mode: EmbMode, out: &Path) -> Result<()> {
    let path = Paths::wasi(out, mode).embedding;
    crate::imports::check_for(mode, true, &crate::imports::undefined_symbols(&path)?)?;
    let alone = Paths::wasip1(out, mode).embedding;
    if alone.exists() {
        crate::imports::check_for(mode, true, &crate::imports::undefined_symbols(&alone)?)
            .with_context(|| format!("{}", alone.display()))?;
    }
    Ok(())
}

fn host() -> Result<std::path::PathBuf> {
    std::env::current_exe().context("cannot find the host executable")
}

/// Two tickers in one `run`, yielding on fuel: each must print lines
/// before the other has finished, or the executor did not interleave them.
fn interleave(mode: EmbMode, out: &Path) -> Result<()> {
    let output = Command::new(host()?)
        .args(["interleave", "--mode", crate::mode_name(mode), "--out"])
        .arg(out)
        .stderr(Stdio::inherit())
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    ensure!(
        output.status.success(),
        "the interleave child failed: {}",
        output.status
    );
    let lines: Vec<&str> = text.lines().collect();
    let order: String = lines
        .iter()
        .map(|l| l.chars().next().unwrap_or('?'))
        .collect();
    let count = |c| order.chars().filter(|&x| x == c).count();
    ensure!(
        count('a') == TICKS && count('b') == TICKS,
        "expected {TICKS} lines of each ticker, got `{order}`"
    );
    let switches = order.as_bytes().windows(2).filter(|w| w[0] != w[1]).count();
    ensure!(
        switches >= 4,
        "the tickers ran one after the other (order `{order}`): no interleaving"
    );
    Ok(())
}

const TICKS: usize = 8;

/// The child of `interleave`: runs the two tickers in this process.
pub fn interleave_child(mode: EmbMode, out: &Path) -> Result<i32> {
    let program = out.join("guests/p2/ticker.wasm");
    let wasm =
        std::fs::read(&program).with_context(|| format!("cannot read {}", program.display()))?;
    let path = ComponentCompiler::new(mode)?.precompile_cached(out, &wasm)?;
    let artifact =
        std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let emb = Embedding::load(&Paths::wasi(out, mode), mode)?;
    let engine = emb.engine()?;
    let component = engine.load_component(&artifact)?;
    let make = |name: &str| {
        let args = vec![
            "ticker".to_string(),
            name.to_string(),
            TICKS.to_string(),
            "300000".to_string(),
        ];
        engine.program(
            &component,
            &Setup {
                args: &args,
                env: &[],
                trees: &[],
                fuel: u64::MAX,
                // Small slices: a few hundred yields per ticker line.
                yield_interval: 10_000,
            },
        )
    };
    let (mut a, mut b) = (make("a")?, make("b")?);
    embedded::run(&mut [&mut a, &mut b])?;
    for p in [&a, &b] {
        match p.ending()? {
            Ending::Exited(0) => {}
            Ending::Exited(code) => bail!("a ticker exited with {code}"),
            Ending::Failed(f) => bail!("a ticker failed: {f}"),
        }
    }
    Ok(0)
}

/// Runs `host run` with `args`; returns its exit code and stderr.
pub fn host_run(args: &[&str]) -> Result<(i32, String)> {
    let output = Command::new(host()?)
        .arg("run")
        .args(args)
        .stdin(Stdio::null())
        .output()?;
    Ok((
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

fn missing_interface(mode: EmbMode, out: &Path) -> Result<()> {
    let file = out.join("needs-sockets.wat");
    std::fs::write(&file, NEEDS_SOCKETS)?;
    let (code, stderr) = host_run(&[
        "--mode",
        crate::mode_name(mode),
        "--out",
        &out.display().to_string(),
        &file.display().to_string(),
    ])?;
    ensure!(code != 0, "a component importing wasi:sockets ran");
    ensure!(
        stderr.contains("wasi:sockets/tcp"),
        "the error does not name the missing import: {}",
        stderr.trim()
    );
    Ok(())
}

fn other_mode(mode: EmbMode, out: &Path) -> Result<()> {
    let other = if mode == EmbMode::Minimal {
        EmbMode::Full
    } else {
        EmbMode::Minimal
    };
    let wasm = std::fs::read(out.join("guests/p2/hello.wasm"))?;
    let artifact = ComponentCompiler::new(other)?.precompile(&wasm)?;
    let emb = Embedding::load(&Paths::wasi(out, mode), mode)?;
    let engine = emb.engine()?;
    match engine.load_component(&artifact) {
        Ok(_) => bail!(
            "a component compiled for {} loaded",
            crate::mode_name(other)
        ),
        Err(e) => {
            let text = format!("{e:#}");
            ensure!(!text.is_empty(), "empty error");
            Ok(())
        }
    }
}

fn missing_dir(mode: EmbMode, out: &Path) -> Result<()> {
    let hello = out.join("guests/p2/hello.wasm");
    let (code, stderr) = host_run(&[
        "--mode",
        crate::mode_name(mode),
        "--out",
        &out.display().to_string(),
        "--dir",
        "/nonexistent/guest-data::/data",
        &hello.display().to_string(),
    ])?;
    ensure!(code == 2, "exit status {code}, expected 2");
    ensure!(
        stderr.contains("/nonexistent/guest-data") && stderr.contains("does not exist"),
        "unclear error: {}",
        stderr.trim()
    );
    Ok(())
}
