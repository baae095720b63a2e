//! `host guests`: every case of `guests/cases/` in each mode's `wasi` build,
//! checked against its expectations and against stock Wasmtime with
//! wasmtime-wasi given the same arguments, environment, stdin and files.
//! A preview 1 case runs twice: on the embedding's native preview 1, and
//! through Wasmtime's adapter on WASI 0.2, only to check that both routes
//! agree; each line names its route.

use super::cases::{Case, End};
use super::compile::{ComponentCompiler, Route};
use super::run::RunArgs;
use super::stock;
use super::tree::{DirMap, Tree};
use anyhow::{Context, Result, bail, ensure};
use embedding_abi::EmbMode;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

pub struct Options {
    pub out: PathBuf,
    pub modes: Vec<EmbMode>,
    pub guests: PathBuf,
    /// Case names to run (default: all).
    pub only: Vec<String>,
}

/// Output kept per stream from the embedding's side.
const CAPTURE_LIMIT: usize = 64 << 20;
/// The most heap a run that prints a lot may use: far below what it prints.
const OUTPUT_HEAP_BOUND: u64 = 64 << 20;
/// A case without its own `timeout` that runs this long has hung.
const SAFETY_LIMIT: Duration = Duration::from_secs(120);

pub fn main(opts: &Options) -> Result<i32> {
    let dir = opts.guests.join("cases");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    paths.retain(|p| p.extension().is_some_and(|e| e == "case"));
    paths.sort();
    let cases = paths
        .iter()
        .map(|p| Case::read(p, &opts.guests))
        .collect::<Result<Vec<_>>>()?;
    for name in &opts.only {
        ensure!(
            cases.iter().any(|c| &c.name == name),
            "no case `{name}` in {}",
            dir.display()
        );
    }
    let compilers = opts
        .modes
        .iter()
        .map(|&m| ComponentCompiler::new(m))
        .collect::<Result<Vec<_>>>()?;
    let (mut passed, mut failed) = (0, 0);
    for case in cases
        .iter()
        .filter(|c| opts.only.is_empty() || opts.only.contains(&c.name))
    {
        let prepared = prepare(case, &opts.out);
        let routes: &[Route] = match prepared.as_ref().map(|p| Route::of(&p.wasm)) {
            Ok(Ok(Route::Native)) => &[Route::Native, Route::Adapter],
            _ => &[Route::Adapter],
        };
        for (&mode, compiler) in opts.modes.iter().zip(&compilers) {
            for &route in routes {
                let result = prepared
                    .as_ref()
                    .map_err(|e| anyhow::anyhow!("{e:#}"))
                    .and_then(|p| check(case, p, mode, compiler, &opts.out, route));
                let where_ = crate::mode_name(mode);
                let label = match (route, routes.len()) {
                    (Route::Adapter, 1) => "WASI 0.2",
                    (r, _) => r.name(),
                };
                match result {
                    Ok(()) => {
                        passed += 1;
                        println!("PASS {where_} guest/{} [{label}]", case.name);
                    }
                    Err(e) => {
                        failed += 1;
                        println!(
                            "FAIL {where_} guest/{} [{label}]: {}",
                            case.name,
                            format!("{e:#}").replace('\n', " | ")
                        );
                    }
                }
            }
        }
    }
    if opts.only.is_empty() {
        for &mode in &opts.modes {
            for (name, check) in super::checks::CHECKS.iter().chain(super::p1_checks::CHECKS) {
                let where_ = crate::mode_name(mode);
                match check(mode, &opts.out) {
                    Ok(()) => {
                        passed += 1;
                        println!("PASS {where_} wasi/{name}");
                    }
                    Err(e) => {
                        failed += 1;
                        println!(
                            "FAIL {where_} wasi/{name}: {}",
                            format!("{e:#}").replace('\n', " | ")
                        );
                    }
                }
            }
        }
    }
    println!("guests: {passed} passed, {failed} failed");
    Ok(if failed == 0 { 0 } else { 1 })
}

/// What every mode's run of a case shares: the program, its inputs, and the
/// reference run.
struct Prepared {
    program: PathBuf,
    wasm: Vec<u8>,
    stdin: Vec<u8>,
    trees: Vec<Tree>,
    reference: Option<stock::Outcome>,
}

fn prepare(case: &Case, out: &Path) -> Result<Prepared> {
    let program = out.join("guests").join(format!("{}.wasm", case.guest));
    let wasm = std::fs::read(&program).with_context(|| {
        format!(
            "cannot read {} (build it with guests/build.sh)",
            program.display()
        )
    })?;
    let stdin = match &case.stdin {
        Some(p) => std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?,
        None => Vec::new(),
    };
    let mut trees = Vec::new();
    for (host, guest) in &case.dirs {
        trees.push(match host {
            Some(host) => DirMap {
                host: host.clone(),
                guest: guest.clone(),
            }
            .read()?,
            None => Tree {
                guest: guest.clone(),
                entries: Vec::new(),
            },
        });
    }
    let reference = if case.has_reference() {
        let fuel = case.fuel.unwrap_or(u64::MAX);
        Some(
            stock::run(&wasm, &case.argv(), &case.env, &stdin, &trees, fuel)
                .context("stock Wasmtime")?,
        )
    } else {
        None
    };
    Ok(Prepared {
        program,
        wasm,
        stdin,
        trees,
        reference,
    })
}

fn scratch(name: &str) -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("host-guest-{}-{name}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn write_tree(tree: &Tree, dir: &Path) -> Result<()> {
    for entry in &tree.entries {
        let path = dir.join(&entry.path);
        match &entry.data {
            Some(bytes) => std::fs::write(&path, bytes)?,
            None => std::fs::create_dir_all(&path)?,
        }
    }
    Ok(())
}

/// What the embedding's run produced.
struct Run {
    heap_peak: Option<u64>,
    stdout: Vec<u8>,
    stdout_len: u64,
    stderr: Vec<u8>,
    end: End,
    trees: Vec<Tree>,
}

fn run_embedded(
    case: &Case,
    p: &Prepared,
    mode: EmbMode,
    compiler: &ComponentCompiler,
    out: &Path,
    route: Route,
) -> Result<Run> {
    let artifact_path = compiler.cached(out, &p.wasm, route)?;
    let work = scratch(&format!("{}-{}", case.name, crate::mode_name(mode)))?;
    let mut maps = Vec::new();
    for (i, tree) in p.trees.iter().enumerate() {
        let host = work.join(i.to_string());
        std::fs::create_dir_all(&host)?;
        write_tree(tree, &host)?;
        maps.push(DirMap {
            host,
            guest: tree.guest.clone(),
        });
    }
    let report = work.join("report");
    let run = RunArgs {
        mode,
        dirs: maps
            .iter()
            .map(|m| format!("{}::{}", m.host.display(), m.guest))
            .collect(),
        env: case.env.clone(),
        fuel: case.fuel.unwrap_or(u64::MAX),
        timeout: None,
        write_back: true,
        out: out.to_path_buf(),
        platform: None,
        program: p.program.clone(),
        argv0: case.argv().first().cloned(),
        via_adapter: route == Route::Adapter,
        args: case.args.clone(),
        artifact: None,
        report: Some(report.clone()),
    };
    let exe = std::env::current_exe()?;
    let mut child = Command::new(&exe)
        .args(run.child_args(&artifact_path))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("piped");
    let input = p.stdin.clone();
    let feeder = std::thread::spawn(move || {
        // A guest that does not read its input closes the pipe early.
        let _ = stdin.write_all(&input);
    });
    let stdout = capture(child.stdout.take().expect("piped"));
    let stderr = capture(child.stderr.take().expect("piped"));
    let limit = case.timeout.map_or(SAFETY_LIMIT, Duration::from_secs);
    let status = crate::children::wait_with_limit(&mut child, limit)?;
    let _ = feeder.join();
    let (stdout, stdout_len) = stdout.join().expect("capture thread")?;
    let (stderr, _) = stderr.join().expect("capture thread")?;
    let report = std::fs::read_to_string(&report).ok();
    let heap_peak = report
        .as_deref()
        .and_then(|r| r.lines().find_map(|l| l.strip_prefix("heap-peak ")))
        .and_then(|n| n.parse().ok());
    let end = match status {
        None => End::Timeout,
        Some(status) => match &report {
            Some(text) => End::decode(text.lines().next().unwrap_or("")),
            None => End::Error(format!(
                "the embedding's process ended with {status} without reporting: {}",
                String::from_utf8_lossy(&stderr).trim()
            )),
        },
    };
    let trees = maps.iter().map(DirMap::read).collect::<Result<Vec<_>>>()?;
    std::fs::remove_dir_all(&work).ok();
    Ok(Run {
        heap_peak,
        stdout,
        stdout_len,
        stderr,
        end,
        trees,
    })
}

/// Reads a stream to its end, keeping the first `CAPTURE_LIMIT` bytes and
/// counting all of them.
fn capture(
    mut stream: impl Read + Send + 'static,
) -> std::thread::JoinHandle<Result<(Vec<u8>, u64)>> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut total = 0u64;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = stream.read(&mut buf)?;
            if n == 0 {
                return Ok((kept, total));
            }
            total += n as u64;
            let room = CAPTURE_LIMIT.saturating_sub(kept.len());
            kept.extend_from_slice(&buf[..n.min(room)]);
        }
    })
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let show = |s: &[u8]| {
        String::from_utf8_lossy(&s[at.min(s.len())..(at + 40).min(s.len())]).into_owned()
    };
    format!(
        "{} vs {} bytes, first difference at byte {at}: {:?} vs {:?}",
        a.len(),
        b.len(),
        show(a),
        show(b)
    )
}

fn check(
    case: &Case,
    p: &Prepared,
    mode: EmbMode,
    compiler: &ComponentCompiler,
    out: &Path,
    route: Route,
) -> Result<()> {
    let run = run_embedded(case, p, mode, compiler, out, route)?;
    let expect = match (route, &case.exit_adapter) {
        (Route::Adapter, Some(end)) => end.clone(),
        _ => case.expect.clone(),
    };
    if !run.end.satisfies(&expect) {
        bail!(
            "ended with `{}`, expected {:?}; stderr: {}",
            run.end.encode(),
            expect,
            String::from_utf8_lossy(&run.stderr).trim()
        );
    }
    // Where the adapter is known to break the program (`exit-adapter:
    // trap`), the trap is what is checked: its output is cut short, and
    // native preview 1 is the route held to the case and to stock.
    if route == Route::Adapter && case.exit_adapter == Some(super::cases::Expect::Trap) {
        return Ok(());
    }
    if let Some(path) = &case.stdout {
        let want =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        ensure!(
            run.stdout == want,
            "stdout is not {}: {}",
            path.display(),
            first_difference(&run.stdout, &want)
        );
    }
    if let Some(path) = &case.stderr {
        let want =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        ensure!(
            run.stderr == want,
            "stderr is not {}: {}",
            path.display(),
            first_difference(&run.stderr, &want)
        );
    }
    if let Some(n) = case.stdout_bytes {
        ensure!(
            run.stdout_len == n,
            "stdout has {} bytes, expected {n}",
            run.stdout_len
        );
        // Output must stream through the console, not accumulate.
        let peak = run.heap_peak.context("the run reported no heap peak")?;
        ensure!(
            peak < OUTPUT_HEAP_BOUND,
            "heap peak {peak} bytes for {n} bytes of output: it is not streamed"
        );
    }
    if let Some(reference) = &p.reference {
        ensure!(
            run.stdout == reference.stdout,
            "stdout differs from stock Wasmtime: {}",
            first_difference(&run.stdout, &reference.stdout)
        );
        ensure!(
            run.stderr == reference.stderr,
            "stderr differs from stock Wasmtime: {}",
            first_difference(&run.stderr, &reference.stderr)
        );
        // The reference runs a preview 1 module natively, as `wasmtime run`
        // does; where the case says the adapter ends otherwise, the adapter
        // route is held to `exit-adapter:` instead.
        let adapter_differs = route == Route::Adapter && case.exit_adapter.is_some();
        ensure!(
            adapter_differs || run.end == reference.ending,
            "ended with `{}`, stock Wasmtime with `{}`",
            run.end.encode(),
            reference.ending.encode()
        );
        for (ours, theirs) in run.trees.iter().zip(&reference.trees) {
            ensure!(
                ours.entries == theirs.entries,
                "the files under {} differ from stock Wasmtime's: {:?} vs {:?}",
                ours.guest,
                ours.entries.iter().map(|e| &e.path).collect::<Vec<_>>(),
                theirs.entries.iter().map(|e| &e.path).collect::<Vec<_>>()
            );
        }
    }
    Ok(())
}
