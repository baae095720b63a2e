//! `host platform-check`: contract tests for the platform hooks, runnable
//! against any implementation (a `.c` file or a built `.so`), followed by
//! the samples of every mode the platform supports. See docs/PORTING.md.
//!
//! A crate of its own so that it can be built without the host: on aarch64
//! and riscv64 Linux, where only C loaders run the embedding, its binary
//! (`platform-check`) runs the same contract tests under qemu-user.
//!
//! The rules come from the doc comments of Wasmtime's `capi.rs` (copied into
//! platform/wasmtime-platform.h), made concrete: each is probed in a child
//! process of its own (probe.rs) and reported as one line,
//! `ok <hook>: <rule>` or `BROKEN <hook>: <rule> (<what happened>)`.

pub mod children;
mod clocks;
mod compile;
mod console;
mod entropy;
mod fibers;
pub mod hook_names;
mod hooks;
mod images;
mod interrupt;
mod probe;
mod signals;
pub mod symbols;
mod sync;
mod tls;
mod vm;

use anyhow::{Context, Result, bail};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use probe::child;

/// What a platform can provide, told apart by the symbols it exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    Tls,
    VirtualMemory,
    Sync,
    Signals,
    /// The OS services of a `wasi` build (embedding-os.h).
    OsServices,
    /// The custom-fiber hooks (never imported on x86_64; see fibers.rs).
    Fibers,
}

/// The hooks of each feature; the first one's presence claims the feature.
const FEATURES: &[(Feature, &str, &[&str])] = &[
    (Feature::Tls, "TLS", hook_names::TLS),
    (
        Feature::VirtualMemory,
        "virtual memory",
        hook_names::VIRTUAL_MEMORY,
    ),
    (Feature::Sync, "custom sync", hook_names::SYNC),
    (Feature::Signals, "native signals", hook_names::SIGNALS),
    (Feature::OsServices, "OS services", hook_names::OS_SERVICES),
    (Feature::Fibers, "custom fibers", hook_names::FIBER),
];

/// Each mode, the features it needs and the defines build.sh compiles its
/// platform with (`platform_defines` there; a `wasi` build adds
/// `EMBEDDING_OS_SERVICES`, and no mode sets `WASMTIME_CUSTOM_FIBER`).
const MODES: &[(&str, &[Feature], &[&str])] = &[
    ("minimal", &[Feature::Tls], &[]),
    (
        "vm",
        &[Feature::Tls, Feature::VirtualMemory, Feature::Sync],
        &["WASMTIME_VIRTUAL_MEMORY", "WASMTIME_CUSTOM_SYNC"],
    ),
    (
        "full",
        &[
            Feature::Tls,
            Feature::VirtualMemory,
            Feature::Sync,
            Feature::Signals,
        ],
        compile::FULL_DEFINES,
    ),
];

/// A passing probe's optional note (e.g. "no image support").
pub type Pass = Option<String>;

/// One contract rule.
pub struct Rule {
    /// The probe child's name for it.
    pub id: &'static str,
    /// The hook a failure is blamed on.
    pub hook: &'static str,
    pub text: &'static str,
    /// Checked only when the platform claims all of these.
    pub needs: &'static [Feature],
    /// Runs in the probe child.
    pub probe: fn(&hooks::Libs) -> Result<Pass>,
}

pub fn all_rules() -> impl Iterator<Item = &'static Rule> {
    [
        tls::RULES,
        vm::RULES,
        images::RULES,
        signals::RULES,
        sync::RULES,
        clocks::RULES,
        entropy::RULES,
        console::RULES,
        fibers::RULES,
    ]
    .into_iter()
    .flatten()
}

/// Tells the parent what a probe child was doing, in case it dies doing it.
pub fn step(what: &str) {
    eprintln!("step: {what}");
}

const USAGE: &str = "usage: [host] platform-check --platform FILE.c|LIB.so [--timeout SECS] [--out DIR] [--verbose]";

struct Options {
    platform: PathBuf,
    timeout: Duration,
    out: Option<PathBuf>,
    /// Runs the probe children: the checker under qemu-user, with no
    /// binfmt_misc registration, cannot execute itself directly.
    emulator: Option<PathBuf>,
    verbose: bool,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut platform = None;
    let mut opts = Options {
        platform: PathBuf::new(),
        timeout: Duration::from_secs(10),
        out: None,
        emulator: None,
        verbose: false,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| it.next().with_context(|| format!("{flag} needs a value"));
        match arg.as_str() {
            "--platform" => platform = Some(PathBuf::from(value("--platform")?)),
            "--timeout" => {
                let secs = value("--timeout")?;
                opts.timeout = Duration::from_secs(
                    secs.parse()
                        .with_context(|| format!("--timeout {secs}: not a number of seconds"))?,
                );
            }
            "--out" => opts.out = Some(value("--out")?.into()),
            "--emulator" => opts.emulator = Some(value("--emulator")?.into()),
            "--verbose" | "-v" => opts.verbose = true,
            other => bail!("platform-check: unexpected argument {other}\n{USAGE}"),
        }
    }
    opts.platform = platform.with_context(|| format!("--platform is required\n{USAGE}"))?;
    Ok(opts)
}

#[derive(Default)]
struct Report {
    passed: usize,
    failed: usize,
    /// Rules that cannot run on this architecture; never counted as passed.
    skipped: usize,
}

impl Report {
    fn line(&mut self, hook: &str, text: &str, verdict: &Result<Pass, String>) {
        match verdict {
            Ok(None) => println!("ok {hook}: {text}"),
            Ok(Some(note)) => println!("ok {hook}: {text} ({note})"),
            Err(what) => println!("BROKEN {hook}: {text} ({what})"),
        }
        match verdict {
            Ok(_) => self.passed += 1,
            Err(_) => self.failed += 1,
        }
    }

    fn skip(&mut self, hook: &str, text: &str, why: &str) {
        println!("skip {hook}: {text} ({why})");
        self.skipped += 1;
    }

    /// `N passed, N failed`, and `, N skipped` where anything was.
    fn summary(&self) -> String {
        let skipped = match self.skipped {
            0 => String::new(),
            n => format!(", {n} skipped"),
        };
        format!("{} passed, {} failed{skipped}", self.passed, self.failed)
    }
}

/// Why `rule` cannot run on the architecture this checker was built for.
fn skipped_here(rule: &Rule) -> Option<&'static str> {
    signals::skipped_here(rule.id).or_else(|| fibers::skipped_here(rule))
}

/// The platform under test: a source file compiled here, or a library.
enum Prepared {
    Source {
        source: PathBuf,
        work: PathBuf,
        /// Built with every feature define.
        all: PathBuf,
    },
    Library(PathBuf),
}

impl Prepared {
    /// Compiles `platform` if it is a `.c` file; fails only if cc does.
    fn new(platform: PathBuf, work: &Path) -> Result<Prepared> {
        if platform.extension().is_none_or(|e| e != "c") {
            return Ok(Prepared::Library(platform));
        }
        let all = work.join("libplatform-all.so");
        compile::platform(&platform, compile::ALL_DEFINES, &all)?;
        Ok(Prepared::Source {
            source: platform,
            work: work.to_path_buf(),
            all,
        })
    }

    /// The library the contract tests probe.
    fn probe_lib(&self) -> &Path {
        match self {
            Prepared::Source { all, .. } => all,
            Prepared::Library(lib) => lib,
        }
    }

    /// The library for `mode`'s samples: a source file is compiled with
    /// just that mode's defines, as build.sh does, since a port may well
    /// break only in a configuration the all-features build hides.
    fn mode_lib(&self, mode: &str, defines: &[&str]) -> Result<PathBuf> {
        match self {
            Prepared::Source { source, work, .. } => {
                let lib = work.join(format!("libplatform-{mode}.so"));
                compile::platform(source, defines, &lib)?;
                Ok(lib)
            }
            Prepared::Library(lib) => Ok(lib.clone()),
        }
    }
}

/// Who runs a mode's samples once the contract tests pass.
pub enum Samples {
    /// The host executable, as `host samples --platform`.
    Host(PathBuf),
    /// Nobody here: there is no host on this architecture, and the reason
    /// says what runs them instead.
    Elsewhere(&'static str),
}

/// `platform-check ARGS`; the probe children re-run the current executable
/// as `platform-probe` (see [`child`]).
pub fn main(args: &[String], runner: Samples) -> Result<i32> {
    let opts = parse(args)?;
    let start = Instant::now();
    let exe = std::env::current_exe().context("cannot find the current executable")?;
    let work = compile::Workdir::new()?;
    let platform = opts
        .platform
        .canonicalize()
        .with_context(|| format!("cannot find {}", opts.platform.display()))?;
    let prepared = match Prepared::new(platform, work.path()) {
        Ok(prepared) => prepared,
        Err(e) => {
            // Reported like any other failure, so scripts see the usual
            // summary line.
            let mut report = Report::default();
            let rule = "compiles with every feature define";
            report.line("compile", rule, &Err("cc's output follows".into()));
            println!("    {}", format!("{e:#}").replace('\n', "\n    "));
            println!("platform-check: {}", report.summary());
            return Ok(1);
        }
    };
    let helper = compile::helper(work.path())?;
    let exported = symbols::exported_symbols(prepared.probe_lib())?;

    let claimed: Vec<Feature> = FEATURES
        .iter()
        .filter(|(f, _, hooks)| *f == Feature::Tls || exported.contains(hooks[0]))
        .map(|(f, _, _)| *f)
        .collect();
    let names: Vec<&str> = FEATURES
        .iter()
        .filter(|(f, _, _)| claimed.contains(f))
        .map(|(_, name, _)| *name)
        .collect();
    let modes: Vec<_> = MODES
        .iter()
        .filter(|(_, needs, _)| needs.iter().all(|f| claimed.contains(f)))
        .collect();
    println!(
        "platform-check: {}: {} (modes: {})",
        opts.platform.display(),
        names.join(", "),
        modes.iter().map(|m| m.0).collect::<Vec<_>>().join(", ")
    );

    let mut report = Report::default();
    check_exports(&exported, &claimed, &mut report);

    let mut rules: Vec<&Rule> = Vec::new();
    for rule in all_rules() {
        if let Some(why) = skipped_here(rule) {
            report.skip(rule.hook, rule.text, why);
        } else if rule.needs.iter().all(|f| claimed.contains(f)) {
            rules.push(rule);
        }
    }
    let probe = probe::Launch {
        exe: &exe,
        emulator: opts.emulator.as_deref(),
        platform: prepared.probe_lib(),
        helper: &helper,
    };
    let verdicts = run_parallel(&rules, |rule| probe.run(rule.id, opts.timeout));
    for (rule, verdict) in rules.iter().zip(&verdicts) {
        report.line(rule.hook, rule.text, verdict);
    }

    if report.failed == 0 {
        for (mode, needs, defines) in &modes {
            match &runner {
                Samples::Host(host) => samples(host, &opts, &prepared, mode, defines, &mut report),
                Samples::Elsewhere(why) => {
                    println!("skip samples: the {mode} mode's samples run end to end ({why})");
                    if let Prepared::Source { .. } = prepared {
                        let mode = ModeBuild {
                            name: mode,
                            needs,
                            defines,
                        };
                        mode_rules(&probe, &opts, &prepared, &mode, &mut report);
                    }
                }
            }
        }
    } else {
        println!("(samples skipped: the contract tests must pass first)");
    }
    println!("platform-check: {}", report.summary());
    if opts.verbose {
        eprintln!("platform-check took {:.1} s", start.elapsed().as_secs_f64());
    }
    Ok(if report.failed == 0 { 0 } else { 1 })
}

/// Every hook of a claimed feature must be exported.
fn check_exports(exported: &BTreeSet<String>, claimed: &[Feature], report: &mut Report) {
    for (feature, name, hooks) in FEATURES.iter().filter(|f| claimed.contains(&f.0)) {
        let missing: Vec<&&str> = hooks.iter().filter(|h| !exported.contains(**h)).collect();
        if missing.is_empty() {
            report.line(
                "exports",
                &format!("every {name} hook ({})", hooks.len()),
                &Ok(None),
            );
        }
        for hook in missing {
            let why = match feature {
                Feature::Tls => "every mode needs it".to_string(),
                _ => format!("{} is exported, so {name} is claimed", hooks[0]),
            };
            report.line(hook, "is exported", &Err(format!("missing; {why}")));
        }
    }
}

/// Runs `f` over `items` on a few threads; results in `items`' order.
fn run_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    // Modest parallelism: the lock and rwlock probes measure waiting, and
    // an overloaded machine makes waits meaningless.
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(2, 8));
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    results.lock().expect("not poisoned").push((i, r));
                }
            });
        }
    });
    let mut results = results.into_inner().expect("not poisoned");
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// A mode's name, the features it needs and the defines it is built with.
struct ModeBuild<'a> {
    name: &'a str,
    needs: &'a [Feature],
    defines: &'a [&'a str],
}

/// Where no host runs the samples: `mode`'s rules once more, against the
/// platform compiled with only that mode's defines, the library the arch's
/// loader runs the mode with (cross/build.sh). Catches a platform that
/// holds only with every define, as the samples do on x86_64.
fn mode_rules(
    launch: &probe::Launch,
    opts: &Options,
    prepared: &Prepared,
    mode: &ModeBuild,
    report: &mut Report,
) {
    let rule = format!("the {} mode's rules hold with only its defines", mode.name);
    let verdict = prepared
        .mode_lib(mode.name, mode.defines)
        .map_err(|e| format!("does not compile: {e:#}").replace('\n', " | "))
        .and_then(|lib| {
            let exported = symbols::exported_symbols(&lib).map_err(|e| format!("{e:#}"))?;
            let missing: Vec<&str> = FEATURES
                .iter()
                .filter(|(f, _, _)| mode.needs.contains(f))
                .flat_map(|(_, _, hooks)| hooks.iter().copied())
                .filter(|hook| !exported.contains(*hook))
                .collect();
            if !missing.is_empty() {
                return Err(format!("does not export {}", missing.join(", ")));
            }
            let rules: Vec<&Rule> = all_rules()
                .filter(|r| skipped_here(r).is_none())
                .filter(|r| r.needs.iter().all(|f| mode.needs.contains(f)))
                .collect();
            let launch = probe::Launch {
                platform: &lib,
                ..*launch
            };
            let verdicts = run_parallel(&rules, |r| launch.run(r.id, opts.timeout));
            let broken: Vec<String> = rules
                .iter()
                .zip(&verdicts)
                .filter_map(|(r, v)| v.as_ref().err().map(|why| format!("{}: {why}", r.id)))
                .collect();
            match broken.first() {
                None => Ok(Some(format!("{} rules", rules.len()))),
                Some(first) => Err(format!("{} broken; first {first}", broken.len())),
            }
        });
    report.line(mode.name, &rule, &verdict);
}

/// The samples of `mode`, end to end through `host samples` with this platform.
fn samples(
    host: &Path,
    opts: &Options,
    prepared: &Prepared,
    mode: &str,
    defines: &[&str],
    report: &mut Report,
) {
    let rule = format!("the {mode} mode's samples run end to end");
    let out = opts.out.clone().unwrap_or_else(|| {
        std::env::var_os("EMBEDDING_OUT").map_or_else(
            || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../out")),
            PathBuf::from,
        )
    });
    let embedding = out.join(mode).join("libembedding.so");
    if !embedding.is_file() {
        println!(
            "skip samples: {rule} (no {}; build it with ./build.sh --build-only)",
            embedding.display()
        );
        return;
    }
    let lib = match prepared.mode_lib(mode, defines) {
        Ok(lib) => lib,
        Err(e) => {
            let what = format!("does not compile with the {mode} mode's defines: {e:#}");
            report.line("samples", &rule, &Err(what.replace('\n', " | ")));
            return;
        }
    };
    // Generous: `host samples` precompiles every sample first.
    let limit = opts.timeout * 30;
    let mut cmd = std::process::Command::new(host);
    cmd.args(["samples", "--mode", mode, "--platform"])
        .arg(&lib)
        .arg("--out")
        .arg(&out)
        .arg("--timeout")
        .arg(limit.as_secs().to_string());
    let verdict = match probe::run_with_limit(cmd, limit + Duration::from_secs(5)) {
        Err(e) => Err(format!("{e:#}")),
        Ok(done) => {
            let failures: Vec<&str> = done
                .stdout
                .lines()
                .filter(|l| l.starts_with("FAIL "))
                .collect();
            let summary = done
                .stdout
                .lines()
                .find(|l| l.starts_with("samples: "))
                .unwrap_or("no summary");
            if opts.verbose || !failures.is_empty() {
                for line in done.stdout.lines().filter(|l| !l.starts_with("samples: ")) {
                    println!("    {line}");
                }
            }
            match done.status {
                Some(s) if s.success() && failures.is_empty() => {
                    Ok(Some(summary.trim_start_matches("samples: ").to_string()))
                }
                None => Err(format!("timed out after {} s", limit.as_secs())),
                Some(_) => Err(format!(
                    "{}; {}",
                    summary,
                    failures.first().copied().unwrap_or("no FAIL line")
                )),
            }
        }
    };
    report.line("samples", &rule, &verdict);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The child finds its probe by id: a duplicate would run the wrong one.
    #[test]
    fn rule_ids_are_unique() {
        let mut seen = BTreeSet::new();
        for rule in all_rules() {
            assert!(seen.insert(rule.id), "duplicate rule id {}", rule.id);
        }
    }

    /// A BROKEN line must name a hook the porter can find in the header.
    #[test]
    fn rules_blame_declared_hooks() {
        let header = [
            include_str!("../../../platform/wasmtime-platform.h"),
            include_str!("../../../platform/embedding-os.h"),
        ]
        .concat();
        for rule in all_rules() {
            assert!(
                header.contains(&format!("{}(", rule.hook)),
                "rule {} blames {}, which the header does not declare",
                rule.id,
                rule.hook
            );
        }
        for (_, _, hooks) in FEATURES {
            for hook in *hooks {
                assert!(header.contains(&format!("{hook}(")), "{hook}");
            }
        }
    }
}
