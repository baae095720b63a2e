//! `host wasi-testsuite`: the official WASI testsuite's preview 1 tests
//! (WebAssembly/wasi-testsuite, prebuilt `.wasm` with `.json`
//! specifications), run as its doc/specification.md says, on stock
//! Wasmtime (the reference, which must pass them all) and through
//! `host run` in each mode.

mod child;
mod json;
mod spec;
mod verdict;

pub use child::stock_child;

use anyhow::{Context, Result, bail};
use child::{Launcher, Side};
use spec::Plan;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use verdict::Observed;

pub const USAGE: &str = "\
  host wasi-testsuite [--mode M|stock]... [--suite DIR] [--out DIR] [--filter SUBSTR]
                      [--timeout SECS] [--jobs N]
      Runs the WASI testsuite's preview 1 tests (DIR/tests/*/testsuite/
      wasm32-wasip1/*.wasm with their .json; default $WASI_TESTSUITE, else
      ../shared/wasi-testsuite next to the repository) on stock Wasmtime and
      through `host run` in each mode (default minimal, vm, full; `stock`
      alone runs only the reference). Each test is a child process with a
      fresh copy of its root directory and a time limit of SECS (default
      30) for the guest; N of them at a time (default 2). Tests whose name
      (<suite>/<test>) does not contain SUBSTR are left out.";

/// The command line of `host wasi-testsuite`.
#[derive(Debug)]
pub struct Options {
    pub modes: Vec<embedding_abi::EmbMode>,
    pub suite: PathBuf,
    pub out: PathBuf,
    pub filter: Option<String>,
    pub timeout: Duration,
    pub jobs: usize,
}

impl Options {
    /// `env_suite` is $WASI_TESTSUITE, passed in so tests need not set it.
    pub fn parse(args: &[String], out: PathBuf, env_suite: Option<PathBuf>) -> Result<Options> {
        let mut opts = Options {
            modes: Vec::new(),
            suite: env_suite.unwrap_or_else(|| {
                PathBuf::from(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../shared/wasi-testsuite"
                ))
            }),
            out,
            filter: None,
            timeout: Duration::from_secs(30),
            jobs: 2,
        };
        let mut stock_only = false;
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = |flag: &str| it.next().with_context(|| format!("{flag} needs a value"));
            match arg.as_str() {
                "--mode" => match value("--mode")?.as_str() {
                    "stock" => stock_only = true,
                    name => opts.modes.push(crate::parse_mode(name)?),
                },
                "--suite" => opts.suite = value("--suite")?.into(),
                "--out" => opts.out = value("--out")?.into(),
                "--filter" => opts.filter = Some(value("--filter")?.clone()),
                "--timeout" => {
                    let s = value("--timeout")?;
                    let secs: f64 = s
                        .parse()
                        .with_context(|| format!("--timeout {s}: not a number of seconds"))?;
                    if !(secs > 0.0 && secs.is_finite()) {
                        bail!("--timeout {s}: must be a positive number of seconds");
                    }
                    opts.timeout = Duration::from_secs_f64(secs);
                }
                "--jobs" => {
                    let n = value("--jobs")?;
                    opts.jobs = match n.parse() {
                        Ok(j) if j > 0 => j,
                        _ => bail!("--jobs {n}: expected a positive number"),
                    };
                }
                other if other.starts_with('-') => bail!("wasi-testsuite: unknown option {other}"),
                other => bail!("wasi-testsuite takes no operands, but was given `{other}`"),
            }
        }
        if opts.modes.is_empty() && !stock_only {
            opts.modes = crate::MODES.to_vec();
        }
        opts.modes.dedup();
        Ok(opts)
    }
}

/// One test case: its name (`<suite>/<test>`), module and plan.
#[derive(Debug)]
struct Test {
    name: String,
    wasm: PathBuf,
    plan: Plan,
}

/// Finds the preview 1 tests under `suite`, sorted by name, and reads all
/// their specifications before anything runs, so a malformed one stops
/// the run naming its file rather than failing one test quietly.
fn discover(suite: &Path, filter: Option<&str>) -> Result<Vec<Test>> {
    if !suite.is_dir() {
        bail!(
            "no WASI testsuite at {} (give --suite DIR or set WASI_TESTSUITE)",
            suite.display()
        );
    }
    let tests_dir = suite.join("tests");
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(&tests_dir)
        .with_context(|| format!("{} has no tests/ directory", suite.display()))?
    {
        let dir = entry?.path().join("testsuite").join("wasm32-wasip1");
        if dir.is_dir() {
            dirs.push(dir);
        }
    }
    let mut tests = Vec::new();
    for dir in dirs {
        // tests/<suite>/testsuite/wasm32-wasip1/<test>.wasm
        let group = dir
            .parent()
            .and_then(Path::parent)
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for entry in std::fs::read_dir(&dir)? {
            let wasm = entry?.path();
            if wasm.extension().is_none_or(|e| e != "wasm") {
                continue;
            }
            let stem = wasm.file_stem().unwrap_or_default().to_string_lossy();
            let name = format!("{group}/{stem}");
            if filter.is_some_and(|f| !name.contains(f)) {
                continue;
            }
            let plan = spec::load(&wasm)?;
            tests.push(Test { name, wasm, plan });
        }
    }
    if tests.is_empty() {
        bail!(
            "no preview 1 tests{} under {}/tests/*/testsuite/wasm32-wasip1/",
            filter.map_or(String::new(), |f| format!(" matching `{f}`")),
            suite.display()
        );
    }
    tests.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(tests)
}

/// A test's result on one side: `None` when skipped.
type Outcome = Option<std::result::Result<Observed, String>>;

/// Runs every test on `side`, `jobs` at a time; `report` sees the results
/// in the tests' order, each as soon as it and those before it are done.
fn run_side(
    launcher: &Launcher,
    side: Side,
    tests: &[Test],
    jobs: usize,
    mut report: impl FnMut(usize, &Outcome),
) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let (send, receive) = mpsc::channel();
    let mut done: BTreeMap<usize, Outcome> = BTreeMap::new();
    let mut outcomes = Vec::with_capacity(tests.len());
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(tests.len()) {
            let send = send.clone();
            let next = &next;
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(test) = tests.get(i) else { break };
                    let outcome = match &test.plan {
                        Plan::Skip(_) => None,
                        Plan::Execute { run, .. } => Some(
                            launcher
                                .run(side, &test.wasm, run)
                                .map_err(|e| format!("{e:#}")),
                        ),
                    };
                    if send.send((i, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(send);
        for (i, outcome) in receive {
            done.insert(i, outcome);
            while let Some(outcome) = done.remove(&outcomes.len()) {
                report(outcomes.len(), &outcome);
                outcomes.push(outcome);
            }
        }
    });
    outcomes
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    skipped: usize,
    divergent: usize,
}

pub fn main(opts: &Options) -> Result<i32> {
    let started = Instant::now();
    // Named without the `host/../..` of the default, when it exists.
    let suite = opts
        .suite
        .canonicalize()
        .unwrap_or_else(|_| opts.suite.clone());
    let tests = discover(&suite, opts.filter.as_deref())?;
    let launcher = Launcher {
        exe: std::env::current_exe().context("cannot find the host executable")?,
        out: opts.out.clone(),
        timeout: opts.timeout,
    };
    println!(
        "wasi-testsuite: {} preview 1 tests from {}, {} at a time",
        tests.len(),
        suite.display(),
        opts.jobs
    );
    let sides: Vec<Side> = std::iter::once(Side::Stock)
        .chain(opts.modes.iter().map(|&m| Side::Mode(m)))
        .collect();
    let mut stock: Vec<Outcome> = Vec::new();
    let mut tallies = Vec::new();
    for side in sides {
        let mut tally = Tally::default();
        let outcomes = run_side(&launcher, side, &tests, opts.jobs, |i, outcome| {
            let test = &tests[i];
            let place = format!("{} wasi-testsuite/{}", side.name(), test.name);
            let checks = match &test.plan {
                Plan::Execute { checks, .. } => checks,
                Plan::Skip(why) => {
                    tally.skipped += 1;
                    println!("SKIP {place}: {why}; not run, not counted as passed");
                    return;
                }
            };
            let seen = match outcome {
                Some(Ok(seen)) => seen,
                Some(Err(e)) => {
                    tally.failed += 1;
                    println!("FAIL {place}: the executor could not run it: {e}");
                    return;
                }
                None => unreachable!("only skipped tests have no outcome"),
            };
            let why = verdict::failures(checks, seen);
            if why.is_empty() {
                tally.passed += 1;
                println!("PASS {place}");
            } else {
                tally.failed += 1;
                println!("FAIL {place}: {}", why.join("; "));
            }
            // Divergent: differs from stock on a test stock passes.
            if let Some(Some(Ok(reference))) = stock.get(i)
                && verdict::failures(checks, reference).is_empty()
                && let Some(how) = verdict::divergence(seen, reference)
            {
                tally.divergent += 1;
                println!("DIVERGENT {place}: {how}");
            }
        });
        if side == Side::Stock {
            stock = outcomes;
        }
        tallies.push((side, tally));
    }
    let passed: usize = tallies.iter().map(|(_, t)| t.passed).sum();
    let failed: usize = tallies.iter().map(|(_, t)| t.failed).sum();
    for (side, t) in &tallies {
        println!(
            "conformance {}: {} passed, {} failed, {} skipped, {} divergent",
            side.name(),
            t.passed,
            t.failed,
            t.skipped,
            t.divergent
        );
    }
    println!("{passed} passed, {failed} failed");
    println!(
        "wasi-testsuite: {} runs in {:.1} s",
        tests.len() * tallies.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(if failed == 0 { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::Options;
    use std::path::PathBuf;

    fn parse(args: &[&str]) -> anyhow::Result<Options> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        Options::parse(
            &args,
            PathBuf::from("out"),
            Some(PathBuf::from("/env/suite")),
        )
    }

    #[test]
    fn defaults_and_overrides() {
        let o = parse(&[]).unwrap();
        assert_eq!(o.modes, crate::MODES);
        assert_eq!(o.suite, PathBuf::from("/env/suite"));
        assert_eq!(o.jobs, 2);
        let o = parse(&[
            "--mode", "stock", "--suite", "/s", "--filter", "c/", "--jobs", "1",
        ])
        .unwrap();
        assert!(o.modes.is_empty(), "stock alone runs no embedding mode");
        assert_eq!(o.suite, PathBuf::from("/s"));
        assert_eq!(o.filter.as_deref(), Some("c/"));
    }

    #[test]
    fn bad_command_lines_are_errors() {
        for bad in [
            &["--mode", "turbo"][..],
            &["--frobnicate"],
            &["extra"],
            &["--jobs", "0"],
            &["--timeout", "-1"],
            &["--suite"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    /// The self-check's fixture (host/tests/wasi-testsuite/README.md).
    fn fixture() -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/wasi-testsuite"))
    }

    const FIXTURE_TESTS: [&str; 6] = [
        "exit1",
        "exit1-wrong-code",
        "hello",
        "hello-stdout",
        "hello-wrong-stdout",
        "spin",
    ];

    #[test]
    fn fixture_programs_are_their_sources() {
        let dir = fixture().join("tests/self-check/testsuite/wasm32-wasip1");
        for name in FIXTURE_TESTS {
            let source = name.split('-').next().unwrap_or(name);
            let wasm = wat::parse_file(fixture().join(format!("src/{source}.wat"))).unwrap();
            let path = dir.join(format!("{name}.wasm"));
            if std::env::var_os("FIXTURE_REGENERATE").is_some() {
                std::fs::write(&path, &wasm).unwrap();
            }
            let committed = std::fs::read(&path).unwrap_or_default();
            assert!(
                committed == wasm,
                "{} is not src/{source}.wat assembled (FIXTURE_REGENERATE=1 rewrites it)",
                path.display()
            );
        }
    }

    #[test]
    fn discovery_reads_every_test_and_its_spec() {
        let tests = super::discover(&fixture(), None).unwrap();
        let names: Vec<&str> = tests.iter().map(|t| t.name.as_str()).collect();
        let expected: Vec<String> = FIXTURE_TESTS
            .iter()
            .map(|t| format!("self-check/{t}"))
            .collect();
        assert_eq!(names, expected);
        let only = super::discover(&fixture(), Some("wrong")).unwrap();
        assert_eq!(only.len(), 2);
        assert!(super::discover(&fixture(), Some("no such test")).is_err());
    }

    #[test]
    fn a_missing_suite_is_named() {
        let e = super::discover(std::path::Path::new("/nonexistent/suite"), None).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/suite"), "{e}");
    }
}
