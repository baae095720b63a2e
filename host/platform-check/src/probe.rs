//! Probe child processes. Each rule runs in a child of its own (the host
//! executable again, `platform-probe`), so a platform that crashes, hangs or
//! leaves a signal handler behind spoils that rule only, and no fork happens
//! inside the threaded checker.

use super::hooks::{Libs, signal_name};
use super::{Pass, all_rules};
use anyhow::{Context, Result, bail};
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
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
        verdict(cmd, limit)
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
    let rule = all_rules()
        .find(|r| r.id == id)
        .with_context(|| format!("no rule `{id}`"))?;
    let verdict = Libs::open(platform.as_ref(), helper.as_ref()).and_then(|libs| {
        let verdict = (rule.probe)(&libs);
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
