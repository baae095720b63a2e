//! `wasmtime_init_traps`: faults reach the handler with the right registers,
//! a handled trap can be left without returning, and declined faults go on
//! to whoever handled them before.
//!
//! The faulting instructions, the stand-in for Wasmtime's handler and the
//! stand-in for the host's previous handler are in probes.c.

use super::hooks::{Libs, TrapHandler, signal_name};
use super::{Feature, Pass, Rule, step};
use anyhow::{Result, bail, ensure};

const SIGNALS: &[Feature] = &[Feature::Signals];

pub const RULES: &[Rule] = &[
    Rule {
        id: "trap-load-addr",
        hook: "wasmtime_init_traps",
        text: "a load fault reaches the handler with the faulting address",
        needs: SIGNALS,
        probe: load_addr,
    },
    Rule {
        id: "trap-load-regs",
        hook: "wasmtime_init_traps",
        text: "a load fault reports the faulting instruction's ip and its frame's fp",
        needs: SIGNALS,
        probe: |libs| registers(libs, Kind::Load),
    },
    Rule {
        id: "trap-ud2",
        hook: "wasmtime_init_traps",
        text: ILLEGAL_RULE,
        needs: SIGNALS,
        probe: |libs| registers(libs, Kind::Ud2),
    },
    Rule {
        id: "trap-div0",
        hook: "wasmtime_init_traps",
        text: "an integer division by zero reaches the handler with its ip and fp",
        needs: SIGNALS,
        probe: |libs| registers(libs, Kind::Div0),
    },
    Rule {
        id: "trap-thread",
        hook: "wasmtime_init_traps",
        text: "a fault on another thread reaches the handler on that thread",
        needs: SIGNALS,
        probe: other_thread,
    },
    Rule {
        id: "trap-again",
        hook: "wasmtime_init_traps",
        text: "after the handler resumes elsewhere, the next fault on the thread is still delivered",
        needs: SIGNALS,
        probe: again,
    },
    Rule {
        id: "trap-forward",
        hook: "wasmtime_init_traps",
        text: "a fault the handler declines reaches the previous SA_SIGINFO handler",
        needs: SIGNALS,
        probe: |libs| forward(libs, true),
    },
    Rule {
        id: "trap-forward-plain",
        hook: "wasmtime_init_traps",
        text: "a fault the handler declines reaches the previous plain (sa_handler) handler",
        needs: SIGNALS,
        probe: |libs| forward(libs, false),
    },
];

#[cfg(target_arch = "x86_64")]
const ILLEGAL_RULE: &str = "an illegal instruction (ud2) reaches the handler with its ip and fp";
#[cfg(target_arch = "aarch64")]
const ILLEGAL_RULE: &str = "an illegal instruction (udf) reaches the handler with its ip and fp";
#[cfg(target_arch = "riscv64")]
const ILLEGAL_RULE: &str = "an illegal instruction (unimp) reaches the handler with its ip and fp";

/// The illegal instruction the probe executes.
#[cfg(target_arch = "x86_64")]
const ILLEGAL_NAME: &str = "ud2";
#[cfg(target_arch = "aarch64")]
const ILLEGAL_NAME: &str = "udf";
#[cfg(target_arch = "riscv64")]
const ILLEGAL_NAME: &str = "unimp";

/// The register the platform must report as fp.
#[cfg(target_arch = "x86_64")]
const FP_REGISTER: &str = "rbp";
#[cfg(target_arch = "aarch64")]
const FP_REGISTER: &str = "x29";
#[cfg(target_arch = "riscv64")]
const FP_REGISTER: &str = "s0";

/// Why a rule of this file cannot run on this architecture.
pub fn skipped_here(id: &str) -> Option<&'static str> {
    let traps_div0 = cfg!(target_arch = "x86_64");
    (id == "trap-div0" && !traps_div0).then_some(
        "integer division by zero does not trap on this architecture (Wasmtime checks the \
         divisor in code), so there is no fault to deliver",
    )
}

/// The faulting instructions that exist on this architecture.
const KINDS_HERE: &[Kind] = if cfg!(target_arch = "x86_64") {
    &[Kind::Load, Kind::Ud2, Kind::Div0]
} else {
    &[Kind::Load, Kind::Ud2]
};

#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(i32)]
enum Kind {
    Load = 0,
    Ud2 = 1,
    Div0 = 2,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::Load => "a load fault",
            Kind::Ud2 => ILLEGAL_NAME,
            Kind::Div0 => "a division by zero",
        }
    }

    fn signal(self) -> i32 {
        match self {
            Kind::Load => libc::SIGSEGV,
            Kind::Ud2 => libc::SIGILL,
            Kind::Div0 => libc::SIGFPE,
        }
    }
}

// Outcomes of `probe_trap`, as in probes.c.
const PROBE_NO_FAULT: i32 = 0;
const PROBE_HANDLED: i32 = 1;
const PROBE_PREVIOUS: i32 = 2;
const PROBE_LOOPED: i32 = 3;

/// `struct probe_trap_record` of probes.c.
#[repr(C)]
#[derive(Default, Debug)]
struct Record {
    calls: u32,
    has_faulting_addr: u32,
    ip: usize,
    fp: usize,
    faulting_addr: usize,
}

/// probes.c's trap machinery, with the platform's traps initialised.
#[derive(Clone, Copy)]
struct Traps {
    trap: unsafe extern "C" fn(i32, usize, *mut Record) -> i32,
    trap_ip: unsafe extern "C" fn(i32) -> usize,
    sentinel_fp: unsafe extern "C" fn() -> usize,
    guard_page: unsafe extern "C" fn() -> *mut u8,
    set_decline: unsafe extern "C" fn(i32),
    caught_signal: unsafe extern "C" fn() -> i32,
    signal_blocked: unsafe extern "C" fn(i32) -> i32,
}

impl Traps {
    /// Installs probes.c's catcher as the "previous" handler (SA_SIGINFO or
    /// plain), then calls `wasmtime_init_traps` with probes.c's handler.
    fn init(libs: &Libs, siginfo_catcher: bool) -> Result<Traps> {
        let init: unsafe extern "C" fn(TrapHandler) -> i32 = libs.sym("wasmtime_init_traps")?;
        let handler: TrapHandler = libs.helper("probe_trap_handler")?;
        let install: unsafe extern "C" fn(i32) -> i32 = libs.helper("probe_install_catcher")?;
        // SAFETY: a probe child's own signal handlers.
        ensure!(
            unsafe { install(siginfo_catcher.into()) } == 0,
            "cannot install the catcher"
        );
        step("calling wasmtime_init_traps");
        // SAFETY: `handler` has the contract's signature and lives as long as
        // the process.
        let code = unsafe { init(handler) };
        ensure!(code == 0, "wasmtime_init_traps returned error {code}");
        Ok(Traps {
            trap: libs.helper("probe_trap")?,
            trap_ip: libs.helper("probe_trap_ip")?,
            sentinel_fp: libs.helper("probe_sentinel_fp")?,
            guard_page: libs.helper("probe_guard_page")?,
            set_decline: libs.helper("probe_set_decline")?,
            caught_signal: libs.helper("probe_caught_signal")?,
            signal_blocked: libs.helper("probe_signal_blocked")?,
        })
    }

    /// An address in a PROT_NONE page, off the page start so a platform
    /// that rounds it down is caught.
    fn bad_address(&self) -> Result<usize> {
        // SAFETY: maps a fresh page.
        let page = unsafe { (self.guard_page)() };
        ensure!(!page.is_null(), "cannot map a guard page");
        Ok(page as usize + 0x7b)
    }

    /// Runs the faulting routine; returns the outcome and what the handler
    /// was told.
    fn fault(&self, kind: Kind, addr: usize, note: &str) -> (i32, Record) {
        step(&format!("executing {}{note}", kind.describe()));
        let mut record = Record::default();
        // SAFETY: probes.c catches the fault it provokes.
        let how = unsafe { (self.trap)(kind as i32, addr, &mut record) };
        (how, record)
    }

    /// Faults with `kind` and requires that the handler was called and
    /// resumed; returns what it was told.
    fn handled(&self, kind: Kind, addr: usize) -> Result<Record> {
        let (how, record) = self.fault(kind, addr, "");
        match how {
            PROBE_HANDLED => Ok(record),
            PROBE_PREVIOUS => bail!(
                "{} went to the previously installed handler ({}), never to the trap handler",
                kind.describe(),
                // SAFETY: no preconditions.
                signal_name(unsafe { (self.caught_signal)() })
            ),
            PROBE_NO_FAULT => bail!("{} did not fault at all", kind.describe()),
            other => bail!("{}: unexpected outcome {other}", kind.describe()),
        }
    }

    fn expect_registers(&self, kind: Kind, record: &Record) -> Result<()> {
        // SAFETY: no preconditions.
        let (ip, fp) = unsafe { ((self.trap_ip)(kind as i32), (self.sentinel_fp)()) };
        ensure!(
            record.ip == ip,
            "{}: the handler got ip {:#x}, the faulting instruction is at {ip:#x}",
            kind.describe(),
            record.ip
        );
        ensure!(
            record.fp == fp,
            "{}: the handler got fp {:#x}, the faulting frame's {FP_REGISTER} is {fp:#x}",
            kind.describe(),
            record.fp
        );
        Ok(())
    }
}

fn load_addr(libs: &Libs) -> Result<Pass> {
    let traps = Traps::init(libs, true)?;
    let addr = traps.bad_address()?;
    let record = traps.handled(Kind::Load, addr)?;
    ensure!(
        record.has_faulting_addr != 0,
        "the handler was told the fault has no faulting address"
    );
    ensure!(
        record.faulting_addr == addr,
        "the handler got faulting address {:#x}, the load was from {addr:#x}",
        record.faulting_addr
    );
    Ok(None)
}

fn registers(libs: &Libs, kind: Kind) -> Result<Pass> {
    let traps = Traps::init(libs, true)?;
    let addr = traps.bad_address()?;
    let record = traps.handled(kind, addr)?;
    traps.expect_registers(kind, &record)?;
    Ok(None)
}

fn other_thread(libs: &Libs) -> Result<Pass> {
    let traps = Traps::init(libs, true)?;
    let addr = traps.bad_address()?;
    std::thread::spawn(move || -> Result<()> {
        let record = traps.handled(Kind::Load, addr)?;
        traps.expect_registers(Kind::Load, &record)
    })
    .join()
    .map_err(|_| anyhow::anyhow!("the faulting thread panicked"))??;
    Ok(None)
}

fn again(libs: &Libs) -> Result<Pass> {
    let traps = Traps::init(libs, true)?;
    let addr = traps.bad_address()?;
    for &kind in KINDS_HERE {
        traps.handled(kind, addr)?;
        // Wasmtime leaves the handler by jumping, so the kernel never
        // restores the mask it had on entry: the signal must not be blocked
        // now, or the next fault kills the process.
        // SAFETY: no preconditions.
        if unsafe { (traps.signal_blocked)(kind.signal()) } != 0 {
            bail!(
                "{} is still blocked after the handler resumed elsewhere (install the handler \
                 with SA_NODEFER, or unblock the signal before calling the trap handler)",
                signal_name(kind.signal())
            );
        }
        let record = traps.handled(kind, addr)?;
        traps.expect_registers(kind, &record)?;
    }
    Ok(None)
}

fn forward(libs: &Libs, siginfo: bool) -> Result<Pass> {
    let traps = Traps::init(libs, siginfo)?;
    let addr = traps.bad_address()?;
    // SAFETY: no preconditions.
    unsafe { (traps.set_decline)(1) };
    let (how, record) = traps.fault(
        Kind::Load,
        addr,
        " that the trap handler declines (it should reach the previous handler)",
    );
    match how {
        PROBE_PREVIOUS if record.calls == 0 => {
            bail!("the previous handler ran, but the trap handler was never asked first")
        }
        PROBE_PREVIOUS => Ok(None),
        PROBE_LOOPED => bail!(
            "the declined fault was neither forwarded nor fatal: the instruction re-ran and the \
             trap handler saw it {} times",
            record.calls
        ),
        PROBE_NO_FAULT => bail!("the load did not fault at all"),
        other => bail!("unexpected outcome {other}"),
    }
}
