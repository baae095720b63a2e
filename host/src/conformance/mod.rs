//! `host conformance`: the official spec testsuite, run inside the embedding
//! in each mode and on stock Wasmtime, compared directive by directive.
//!
//! Every (script, side) pair runs in a child process of its own with a time
//! limit, so a crash or hang costs one script, not the run. The child
//! reports each directive as it completes (see [`ChildSink`]).

mod backends;
mod expect;
pub mod json;
mod proposals;
mod remote;
mod script;

use crate::artifacts::Compiler;
use crate::embedding::{Embedding, Paths};
use crate::{mode_name, parse_mode};
use anyhow::{Context, Result, bail};
use embedding_abi::EmbMode;
use embedding_abi::modes::Arch;
use json::Json;
use script::{Class, Sink};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Where the testsuite is looked for when no path is given.
const TESTSUITE_ENV: &str = "WASM_TESTSUITE";

pub struct Options {
    pub out: PathBuf,
    pub modes: Vec<EmbMode>,
    pub inputs: Vec<PathBuf>,
    pub json: Option<PathBuf>,
    pub jobs: usize,
    pub timeout: Duration,
    /// A platform library to run the embedding on instead of the mode's own
    /// (a port under test); stock Wasmtime is unaffected.
    pub platform: Option<PathBuf>,
    /// Run the embedding's side on this arch under qemu-user (cross/), not
    /// on x86_64 in-process; stock Wasmtime stays on x86_64.
    pub arch: Option<Arch>,
}

/// Which side a child runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Reference,
    Mode(EmbMode),
}

impl Side {
    /// The name children and output lines know the side by: `vm` on
    /// x86_64, `riscv64/vm` on another arch.
    fn name(self, arch: Option<Arch>) -> String {
        match (self, arch) {
            (Side::Reference, _) => "reference".into(),
            (Side::Mode(m), None) => mode_name(m).into(),
            (Side::Mode(m), Some(arch)) => {
                let arch = remote::arch_name(arch).unwrap_or("unknown");
                format!("{arch}/{}", mode_name(m))
            }
        }
    }
}

#[derive(Clone, Debug)]
struct Directive {
    line: usize,
    class: Class,
    failure: Option<String>,
}

/// What one child reported for one script.
#[derive(Debug, Default)]
struct SideResult {
    directives: Vec<Directive>,
    skipped: Option<String>,
    /// Why the script stopped early (could not run, crashed, timed out).
    aborted: Option<String>,
}

/// The default testsuite: `$WASM_TESTSUITE`, else `../shared/testsuite`
/// beside the repository.
fn default_testsuite() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os(TESTSUITE_ENV) {
        return Ok(dir.into());
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/testsuite");
    if dir.is_dir() {
        return Ok(dir);
    }
    bail!(
        "no spec testsuite: {} does not exist; pass a directory or files, or set {TESTSUITE_ENV}",
        dir.display()
    )
}

/// The top-level `.wast` scripts of the inputs, sorted.
fn scripts(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let inputs = if inputs.is_empty() {
        vec![default_testsuite()?]
    } else {
        inputs.to_vec()
    };
    let mut found = Vec::new();
    for input in &inputs {
        if input.is_dir() {
            let entries = std::fs::read_dir(input)
                .with_context(|| format!("cannot read {}", input.display()))?;
            for entry in entries {
                let path = entry?.path();
                if path.extension().is_some_and(|e| e == "wast") && path.is_file() {
                    found.push(path);
                }
            }
        } else if input.is_file() {
            found.push(input.clone());
        } else {
            bail!("{} does not exist", input.display());
        }
    }
    found.sort();
    if found.is_empty() {
        bail!("no .wast scripts in {:?}", inputs);
    }
    Ok(found)
}

/// Runs one side of one script in a child process.
fn run_child(exe: &Path, side: Side, script: &Path, opts: &Options) -> SideResult {
    let mut cmd = Command::new(exe);
    cmd.args([
        "conformance-script",
        "--side",
        &side.name(opts.arch),
        "--out",
    ])
    .arg(&opts.out)
    .arg(script)
    // Set or cleared explicitly: the child must not pick up a platform
    // from the environment that this run was not asked to use.
    .env_remove("EMBEDDING_PLATFORM")
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    if let Some(platform) = &opts.platform {
        cmd.arg("--platform").arg(platform);
    }
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => {
            return SideResult {
                aborted: Some(format!("cannot start the child: {e}")),
                ..Default::default()
            };
        }
    };
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut result = SideResult::default();
        let mut ended = false;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            parse_child_line(&line, &mut result, &mut ended);
        }
        (result, ended)
    });
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if text.len() < 2000 {
                text.push_str(&line);
                text.push(' ');
            }
        }
        text
    });
    // An error while waiting is reported like a timeout: the script's
    // outcome is unknown either way.
    let status = crate::children::wait_with_limit(&mut child, opts.timeout).unwrap_or(None);
    let (mut result, ended) = reader.join().unwrap_or_default();
    let stderr = errors.join().unwrap_or_default();
    if result.aborted.is_none() && !ended {
        let last = result.directives.last().map_or(0, |d| d.line);
        let how = match status {
            None => format!("timed out after {} s", opts.timeout.as_secs()),
            Some(s) if s.code() == Some(crate::EXIT_EMBEDDING_PANICKED) => {
                "the embedding panicked".into()
            }
            Some(s) => match s.signal() {
                Some(sig) => format!("crashed with signal {sig}"),
                None => format!("exited with {s}"),
            },
        };
        let stderr = stderr.trim();
        let said = if stderr.is_empty() {
            String::new()
        } else {
            format!(": {stderr}")
        };
        result.aborted = Some(format!("{how} after line {last}{said}"));
    }
    result
}

fn parse_child_line(line: &str, result: &mut SideResult, ended: &mut bool) {
    let mut parts = line.splitn(5, ' ');
    match parts.next() {
        Some("D") => {
            let line: usize = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
            let class = if parts.next() == Some("compile") {
                Class::Compile
            } else {
                Class::Run
            };
            let failure = match parts.next() {
                Some("ok") => None,
                _ => Some(parts.next().unwrap_or("").to_string()),
            };
            result.directives.push(Directive {
                line,
                class,
                failure,
            });
        }
        Some("SKIP") => result.skipped = Some(line[5..].to_string()),
        Some("ERROR") => result.aborted = Some(line[6..].to_string()),
        Some("END") => *ended = true,
        _ => {}
    }
}

/// The child's side: prints `D <line> <class> ok|fail <message>` per
/// directive, `SKIP <reason>`, `ERROR <message>`, and `END` when done.
struct ChildSink;

impl Sink for ChildSink {
    fn directive(&mut self, line: usize, class: Class, outcome: Result<(), String>) {
        let mut out = std::io::stdout().lock();
        let _ = match outcome {
            Ok(()) => writeln!(out, "D {line} {} ok", class.as_str()),
            Err(e) => writeln!(out, "D {line} {} fail {}", class.as_str(), one_line(&e)),
        };
        let _ = out.flush();
    }

    fn skip(&mut self, reason: &str) {
        println!("SKIP {reason}");
    }
}

fn one_line(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    flat.chars().take(400).collect()
}

/// Reports the script as skipped, and says so, if it needs a proposal the
/// side's (mode, arch) lacks.
fn skipped(mode: EmbMode, arch: Arch, side: &str, source: &str) -> Result<bool> {
    let Some(reason) = proposals::missing(mode, arch, side, source)? else {
        return Ok(false);
    };
    println!("SKIP {}", one_line(&reason));
    println!("END");
    Ok(true)
}

/// `host conformance-script --side S --out DIR [--platform LIB] FILE`: the
/// child process.
pub fn child(side: &str, out: &Path, platform: Option<&Path>, script: &Path) -> Result<i32> {
    let source = std::fs::read_to_string(script)
        .with_context(|| format!("cannot read {}", script.display()))?;
    let path = script.display().to_string();
    let outcome = if side == "reference" {
        let mut backend = backends::Reference::new()?;
        script::run(&mut backend, &path, &source, &mut ChildSink)
    } else if let Some((arch, mode)) = side.split_once('/') {
        let (arch, mode) = (remote::parse_arch(arch)?, parse_mode(mode)?);
        if skipped(mode, arch, side, &source)? {
            return Ok(0);
        }
        let mut backend = remote::Remote::start(out, arch, mode)?;
        script::run(&mut backend, &path, &source, &mut ChildSink)
    } else {
        let mode = parse_mode(side)?;
        if skipped(mode, Arch::X86_64, side, &source)? {
            return Ok(0);
        }
        let emb = Embedding::load(&Paths::in_dir(out, mode).with_platform(platform), mode)?;
        let compiler = Compiler::new(mode)?;
        let engine = emb.engine()?;
        let mut backend = backends::Embedded::new(&compiler, &engine)?;
        script::run(&mut backend, &path, &source, &mut ChildSink)
    };
    match outcome {
        Ok(()) => println!("END"),
        Err(e) => println!("ERROR {}", one_line(&e)),
    }
    Ok(0)
}

/// One script's verdict in one mode, compared with the reference.
struct Verdict {
    script: String,
    status: &'static str,
    detail: Option<String>,
    run: (usize, usize),
    compile: (usize, usize),
    /// Lines whose outcome differs from stock Wasmtime: (line, embedding
    /// failure, reference failure).
    divergences: Vec<(usize, Option<String>, Option<String>)>,
    /// Directives failing here but passing on stock Wasmtime.
    regressions: usize,
}

fn failures(side: &SideResult) -> impl Iterator<Item = &Directive> {
    side.directives.iter().filter(|d| d.failure.is_some())
}

fn judge(script: &str, mode: &SideResult, reference: &SideResult) -> Verdict {
    let count = |class| {
        let all = mode.directives.iter().filter(|d| d.class == class);
        let failed = all.clone().filter(|d| d.failure.is_some()).count();
        (all.count() - failed, failed)
    };
    let mut divergences = Vec::new();
    let mut regressions = 0;
    let n = mode.directives.len().max(reference.directives.len());
    for i in 0..n {
        let here = mode.directives.get(i);
        let there = reference.directives.get(i);
        // A directive missing on one side (the script stopped early there)
        // counts as failed on that side.
        let here_fail = here.map_or(Some("not reached".to_string()), |d| d.failure.clone());
        let there_fail = there.map_or(Some("not reached".to_string()), |d| d.failure.clone());
        if here_fail.is_some() != there_fail.is_some() {
            let line = here.or(there).map_or(0, |d| d.line);
            if here_fail.is_some() {
                regressions += 1;
            }
            divergences.push((line, here_fail, there_fail));
        }
    }
    let (run, compile) = (count(Class::Run), count(Class::Compile));
    let (status, detail) =
        if let Some(reason) = mode.skipped.as_ref().or(reference.skipped.as_ref()) {
            // A script both sides skip has no directives to compare.
            divergences.clear();
            regressions = 0;
            ("skipped", Some(reason.clone()))
        } else if let Some(first) = failures(mode).next() {
            let same = reference
                .directives
                .iter()
                .any(|d| d.line == first.line && d.failure.is_some());
            let note = if same {
                " (fails on stock Wasmtime too)"
            } else {
                ""
            };
            (
                "failed",
                Some(format!(
                    "line {}: {}{note}",
                    first.line,
                    first.failure.as_deref().unwrap_or("")
                )),
            )
        } else if let Some(why) = &mode.aborted {
            ("failed", Some(why.clone()))
        } else {
            ("passed", None)
        };
    Verdict {
        script: script.to_string(),
        status,
        detail,
        run,
        compile,
        divergences,
        regressions,
    }
}

pub fn main(opts: &Options) -> Result<i32> {
    if opts.arch.is_some() && opts.platform.is_some() {
        bail!(
            "--platform replaces an x86_64 platform library; with --arch the arch's own (out/<arch>/<mode>/) is used"
        );
    }
    let scripts = scripts(&opts.inputs)?;
    let exe = std::env::current_exe()?;
    let mut sides = vec![Side::Reference];
    sides.extend(opts.modes.iter().map(|m| Side::Mode(*m)));
    let start = Instant::now();

    // Every (script, side) is a task; `jobs` threads work through them.
    let tasks: Mutex<VecDeque<(usize, usize)>> = Mutex::new(
        (0..scripts.len())
            .flat_map(|s| (0..sides.len()).map(move |d| (s, d)))
            .collect(),
    );
    let results: Mutex<Vec<Vec<Option<SideResult>>>> = Mutex::new(
        (0..scripts.len())
            .map(|_| (0..sides.len()).map(|_| None).collect())
            .collect(),
    );
    std::thread::scope(|scope| {
        for _ in 0..opts.jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let Some((s, d)) = tasks.lock().expect("tasks").pop_front() else {
                        break;
                    };
                    let result = run_child(&exe, sides[d], &scripts[s], opts);
                    results.lock().expect("results")[s][d] = Some(result);
                }
            });
        }
    });
    let results = results.into_inner().expect("results");
    let wall = start.elapsed();

    let name = |p: &PathBuf| {
        p.file_name()
            .map_or_else(String::new, |f| f.to_string_lossy().into_owned())
    };
    let mut report_modes = Vec::new();
    let mut regressions = 0;
    let mut summaries = Vec::new();
    for (d, side) in sides.iter().enumerate().skip(1) {
        let Side::Mode(_) = *side else { continue };
        let mode = side.name(opts.arch);
        let verdicts: Vec<Verdict> = scripts
            .iter()
            .enumerate()
            .map(|(s, path)| {
                let here = results[s][d].as_ref().expect("every task ran");
                let reference = results[s][0].as_ref().expect("every task ran");
                judge(&name(path), here, reference)
            })
            .collect();
        let tally = |status| verdicts.iter().filter(|v| v.status == status).count();
        let divergent = verdicts
            .iter()
            .filter(|v| !v.divergences.is_empty())
            .count();
        for v in &verdicts {
            let label = match v.status {
                "passed" => "PASS",
                "failed" => "FAIL",
                _ => "SKIP",
            };
            match &v.detail {
                Some(detail) => println!("{label} {mode} spec/{}: {detail}", v.script),
                None => println!("{label} {mode} spec/{}", v.script),
            }
            // The first few make the point; `--json` has them all.
            const SHOWN: usize = 5;
            let outcome = |f: &Option<String>| {
                f.as_deref()
                    .map_or("passed".to_string(), |f| format!("failed ({f})"))
            };
            for (line, here, there) in v.divergences.iter().take(SHOWN) {
                println!(
                    "    divergent at line {line}: embedding {}, stock Wasmtime {}",
                    outcome(here),
                    outcome(there)
                );
            }
            if v.divergences.len() > SHOWN {
                println!(
                    "    ... and {} more divergent directives",
                    v.divergences.len() - SHOWN
                );
            }
            regressions += v.regressions;
        }
        let sum = |f: fn(&Verdict) -> usize| verdicts.iter().map(f).sum::<usize>();
        let directive_line = format!(
            "conformance {mode} directives: {} run passed, {} run failed, {} compile-only passed, {} compile-only failed, {} divergent",
            sum(|v| v.run.0),
            sum(|v| v.run.1),
            sum(|v| v.compile.0),
            sum(|v| v.compile.1),
            sum(|v| v.divergences.len()),
        );
        let closing = format!(
            "conformance {mode}: {} passed, {} failed, {} skipped, {divergent} divergent",
            tally("passed"),
            tally("failed"),
            tally("skipped"),
        );
        println!("{directive_line}");
        println!("{closing}");
        summaries.push(closing);
        report_modes.push((mode.clone(), verdicts));
    }
    let reference_failed: Vec<String> = scripts
        .iter()
        .enumerate()
        .filter_map(|(s, path)| {
            let r = results[s][0].as_ref()?;
            (r.skipped.is_none() && (r.aborted.is_some() || failures(r).next().is_some()))
                .then(|| name(path))
        })
        .collect();
    println!(
        "conformance reference: {} scripts, {} with a failing directive on stock Wasmtime{}",
        scripts.len(),
        reference_failed.len(),
        if reference_failed.is_empty() {
            String::new()
        } else {
            format!(" ({})", reference_failed.join(", "))
        }
    );
    println!(
        "conformance: {} scripts x {} modes in {:.1} s wall ({} jobs)",
        scripts.len(),
        opts.modes.len(),
        wall.as_secs_f64(),
        opts.jobs
    );

    if let Some(path) = &opts.json {
        write_json(path, &scripts, wall, &report_modes)?;
    }
    if regressions > 0 {
        println!(
            "conformance: {regressions} directives fail in the embedding but pass on stock Wasmtime"
        );
        return Ok(1);
    }
    Ok(0)
}

fn write_json(
    path: &Path,
    scripts: &[PathBuf],
    wall: Duration,
    modes: &[(String, Vec<Verdict>)],
) -> Result<()> {
    let num = |n: usize| Json::Num(n as f64);
    let modes = modes
        .iter()
        .map(|(mode, verdicts)| {
            let scripts = verdicts
                .iter()
                .map(|v| {
                    Json::Obj(vec![
                        ("script", Json::Str(v.script.clone())),
                        ("status", Json::Str(v.status.into())),
                        ("detail", v.detail.clone().map_or(Json::Null, Json::Str)),
                        ("run_passed", num(v.run.0)),
                        ("run_failed", num(v.run.1)),
                        ("compile_passed", num(v.compile.0)),
                        ("compile_failed", num(v.compile.1)),
                        (
                            "divergences",
                            Json::Arr(
                                v.divergences
                                    .iter()
                                    .map(|(line, here, there)| {
                                        Json::Obj(vec![
                                            ("line", num(*line)),
                                            (
                                                "embedding",
                                                here.clone()
                                                    .map_or(Json::Str("passed".into()), Json::Str),
                                            ),
                                            (
                                                "reference",
                                                there
                                                    .clone()
                                                    .map_or(Json::Str("passed".into()), Json::Str),
                                            ),
                                        ])
                                    })
                                    .collect(),
                            ),
                        ),
                    ])
                })
                .collect();
            let tally = |status: &str| num(verdicts.iter().filter(|v| v.status == status).count());
            Json::Obj(vec![
                ("mode", Json::Str(mode.clone())),
                ("passed", tally("passed")),
                ("failed", tally("failed")),
                ("skipped", tally("skipped")),
                (
                    "divergent",
                    num(verdicts
                        .iter()
                        .filter(|v| !v.divergences.is_empty())
                        .count()),
                ),
                ("scripts", Json::Arr(scripts)),
            ])
        })
        .collect();
    let report = Json::Obj(vec![
        ("scripts", num(scripts.len())),
        ("wall_seconds", Json::Num(wall.as_secs_f64())),
        ("modes", Json::Arr(modes)),
    ]);
    let mut text = String::new();
    report.render(&mut text);
    text.push('\n');
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}
