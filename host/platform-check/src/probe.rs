//! Probe child processes. Each rule runs in a child of its own (the host
//! executable again, `platform-probe`), so a platform that crashes, hangs or
//! leaves a signal handler behind spoils that rule only, and no fork happens
//! inside the threaded checker.

use super::hooks::{Libs, signal_name};
use super::{Pass, all_rules, entropy};
use anyhow::{Context, Result, bail};
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

/// What a finished child did.
pub struct Finished {
    /// `None` when it was killed for running out of time.
    pub status: Option<ExitStatus>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd` to completion or until `limit`, killing it then.
pub fn run_with_limit(mut cmd: Command, limit: Duration) -> Result<Finished> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start a child process")?;
    // Read both pipes while waiting, so a chatty child cannot fill one and
    // stall.
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let status = crate::children::wait_with_limit(&mut child, limit)?;
    Ok(Finished {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// How a probe child is started: `[EMULATOR] EXE platform-probe PLATFORM
/// HELPER RULE`.
#[derive(Clone, Copy)]
pub struct Launch<'a> {
    pub exe: &'a Path,
    pub emulator: Option<&'a Path>,
    pub platform: &'a Path,
    pub helper: &'a Path,
}

impl Launch<'_> {
    /// Runs one rule's probe in a child; `Ok(note)` if it held, `Err(what
    /// happened)` if not.
    pub fn run(&self, id: &str, limit: Duration) -> Result<Pass, String> {
        let mut cmd = match self.emulator {
            Some(emulator) => {
                let mut cmd = Command::new(emulator);
                cmd.arg(self.exe);
                cmd
            }
            None => Command::new(self.exe),
        };
        cmd.arg("platform-probe")
            .arg(self.platform)
            .arg(self.helper)
            .arg(id);
        // How to start another child like this one, for the probes that
        // need a second process (see [`Relaunch`]).
        cmd.env(ENV_EXE, self.exe)
            .env(ENV_PLATFORM, self.platform)
            .env(ENV_HELPER, self.helper);
        match self.emulator {
            Some(emulator) => cmd.env(ENV_EMULATOR, emulator),
            None => cmd.env_remove(ENV_EMULATOR),
        };
        verdict(cmd, limit)
    }
}

const ENV_EXE: &str = "PLATFORM_PROBE_EXE";
const ENV_EMULATOR: &str = "PLATFORM_PROBE_EMULATOR";
const ENV_PLATFORM: &str = "PLATFORM_PROBE_PLATFORM";
const ENV_HELPER: &str = "PLATFORM_PROBE_HELPER";

/// A probe child's way to start a sibling: what its own [`Launch`] was,
/// passed down in the environment. Some contracts hold only across
/// processes (entropy must not repeat from one boot to the next); under
/// qemu-user the child cannot execute the checker without the emulator.
pub struct Relaunch {
    exe: PathBuf,
    emulator: Option<PathBuf>,
    platform: PathBuf,
    helper: PathBuf,
}

impl Relaunch {
    pub fn from_env() -> Result<Relaunch> {
        let var = |name: &str| {
            std::env::var_os(name)
                .map(PathBuf::from)
                .with_context(|| format!("{name} is not set: not started by platform-check"))
        };
        Ok(Relaunch {
            exe: var(ENV_EXE)?,
            emulator: std::env::var_os(ENV_EMULATOR).map(PathBuf::from),
            platform: var(ENV_PLATFORM)?,
            helper: var(ENV_HELPER)?,
        })
    }

    /// Runs probe `id` in a new process, as the parent would.
    pub fn run(&self, id: &str, limit: Duration) -> Result<Pass, String> {
        Launch {
            exe: &self.exe,
            emulator: self.emulator.as_deref(),
            platform: &self.platform,
            helper: &self.helper,
        }
        .run(id, limit)
    }
}

fn verdict(cmd: Command, limit: Duration) -> Result<Pass, String> {
    let done = run_with_limit(cmd, limit).map_err(|e| format!("{e:#}"))?;
    // The child's verdict, if it got as far as giving one.
    for line in done.stdout.lines().rev() {
        if let Some(note) = line.strip_prefix("PASS\t") {
            return Ok((!note.is_empty()).then(|| note.to_string()));
        }
        if let Some(what) = line.strip_prefix("FAIL\t") {
            return Err(what.to_string());
        }
    }
    // No verdict: say how it ended, and what it was doing then.
    let last_step = done
        .stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("step: "))
        .map(|s| format!(" while {s}"))
        .unwrap_or_default();
    let other = done
        .stderr
        .lines()
        .rev()
        .find(|l| !l.starts_with("step: ") && !l.trim().is_empty())
        .map(|l| format!(": {l}"))
        .unwrap_or_default();
    Err(match done.status {
        None => format!("timed out after {} s{last_step}", limit.as_secs()),
        Some(s) => match s.signal() {
            Some(sig) => format!("crashed with {}{last_step}", signal_name(sig)),
            None => format!("exited with {s} without a verdict{last_step}{other}"),
        },
    })
}

/// The child: `platform-probe PLATFORM.so HELPER.so RULE-ID`. Prints one
/// verdict line; its exit status matters only when it cannot.
pub fn child(args: &[String]) -> Result<i32> {
    let [platform, helper, id] = args else {
        bail!("platform-probe needs PLATFORM HELPER RULE");
    };
    let probe = match all_rules().find(|r| r.id == id) {
        Some(rule) => rule.probe,
        None if id == entropy::FIRST_BYTES => entropy::first_bytes,
        None => bail!("no rule `{id}`"),
    };
    let verdict = Libs::open(platform.as_ref(), helper.as_ref()).and_then(|libs| {
        let verdict = probe(&libs);
        // The platform stays loaded until the process ends: threads or
        // handlers it set up may still refer to it.
        std::mem::forget(libs);
        verdict
    });
    match verdict {
        Ok(note) => println!("PASS\t{}", note.unwrap_or_default()),
        Err(e) => println!("FAIL\t{}", format!("{e:#}").replace('\n', " | ")),
    }
    Ok(0)
}
